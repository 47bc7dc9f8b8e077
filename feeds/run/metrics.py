"""The daemon's Prometheus metrics, on a private registry (served at ``/metrics``).

A private ``CollectorRegistry`` keeps the default process/GC collectors and any other
library's metrics out, and lets tests build as many ``Metrics`` as they like. This module
only counts what it is told; it must not read the store, the clock or the config.

Metrics (all prefixed ``feeds_``):

- ``fetches_total{source,outcome}``: one per source run; outcome is ``ok`` (something was
  parsed), ``not_modified`` (304 or same body), ``skipped`` (the server asked to wait),
  ``error``;
- ``entries_ingested_total{source,kind}``: kind ``new`` or ``changed``;
- ``publish_duration_seconds``: histogram of one (debounced) publish;
- ``feed_size_bytes{topic}``, ``feed_entries{topic}``: the published topic feeds;
- ``sources_failing``: enabled sources whose last run failed;
- ``source_up{source}``: 1 if its last run succeeded, else 0;
- ``last_publish_timestamp_seconds``: when a publish last succeeded (Unix time).
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from feeds.models import IngestReport

__all__ = ["CONTENT_TYPE", "Metrics", "outcome"]

CONTENT_TYPE = CONTENT_TYPE_LATEST
_PUBLISH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def outcome(report: IngestReport) -> str:
    """The ``outcome`` label of one source run."""
    if not report.ok:
        return "error"
    if report.message and report.message.startswith("skipped"):
        return "skipped"
    if report.new == report.changed == report.unchanged == 0:
        return "not_modified"
    return "ok"


class Metrics:
    """The metrics of one daemon; ``render()`` gives the text exposition format."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.fetches = Counter(
            "feeds_fetches", "Source runs, by outcome.", ["source", "outcome"], registry=r
        )
        self.entries = Counter(
            "feeds_entries_ingested", "Entries stored, new or changed.", ["source", "kind"],
            registry=r,
        )  # fmt: skip
        self.publish_duration = Histogram(
            "feeds_publish_duration_seconds", "Time to publish the changed topics.",
            buckets=_PUBLISH_BUCKETS, registry=r,
        )  # fmt: skip
        self.feed_size = Gauge(
            "feeds_feed_size_bytes", "Size of a published topic feed.", ["topic"], registry=r
        )
        self.feed_entries = Gauge(
            "feeds_feed_entries", "Entries in a published topic feed.", ["topic"], registry=r
        )
        self.failing = Gauge(
            "feeds_sources_failing", "Enabled sources whose last run failed.", registry=r
        )
        self.up = Gauge(
            "feeds_source_up", "1 if the source's last run succeeded.", ["source"], registry=r
        )
        self.last_publish = Gauge(
            "feeds_last_publish_timestamp_seconds", "When a publish last succeeded.", registry=r
        )
        self._up: dict[str, bool] = {}

    def ingested(self, report: IngestReport) -> None:
        """Count one source run."""
        self.fetches.labels(report.source, outcome(report)).inc()
        if report.new:
            self.entries.labels(report.source, "new").inc(report.new)
        if report.changed:
            self.entries.labels(report.source, "changed").inc(report.changed)
        was = self._up.get(report.source)
        self._up[report.source] = report.ok
        if was != report.ok:  # a gauge set, and a count, only when it changes
            self.up.labels(report.source).set(1 if report.ok else 0)
            self.failing.set(sum(1 for ok in self._up.values() if not ok))

    def published(self, seconds: float, *, at: float) -> None:
        self.publish_duration.observe(seconds)
        self.last_publish.set(at)

    def feed(self, topic: str, *, size: int, entries: int) -> None:
        self.feed_size.labels(topic).set(size)
        self.feed_entries.labels(topic).set(entries)

    def forget_source(self, source: str) -> None:
        """A source left the config: drop its gauges (its counters keep their history)."""
        if self._up.pop(source, None) is not None:
            self.up.remove(source)
        self.failing.set(sum(1 for ok in self._up.values() if not ok))

    def forget_topic(self, topic: str) -> None:
        for gauge in (self.feed_size, self.feed_entries):
            try:
                gauge.remove(topic)
            except KeyError:
                pass

    def render(self) -> bytes:
        return generate_latest(self.registry)
