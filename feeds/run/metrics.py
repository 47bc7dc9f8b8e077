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
- ``last_publish_timestamp_seconds``: when a publish last succeeded (Unix time);
- ``alerts_sent_total{topic}``, ``alerts_failed_total{topic}``: deliveries to alert targets;
- ``alert_target_up{topic,target}``: 1 unless the target's last try failed (``target``: its
  number in the topic's ``notify`` list); ``alerts_pending{topic,target}``: its deliveries
  not sent yet (#18).
- on several nodes (a shared PostgreSQL store): ``lease_claims_total{outcome}`` (``claimed``,
  or why not: ``held`` by another node, ``fresh``: run lately, ``host``: its host busy),
  ``leases_held`` (sources this node runs now) and ``leader`` (1 on the node that does
  what must happen once).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest

from feeds.models import IngestReport

if TYPE_CHECKING:
    from feeds.notify.flow import TargetReport

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
        self.claims = Counter(
            "feeds_lease_claims", "Claims of a source's lease, by outcome.", ["outcome"],
            registry=r,
        )  # fmt: skip
        self.leases = Gauge("feeds_leases_held", "Sources this node runs now.", registry=r)
        self.leader = Gauge("feeds_leader", "1 if this node leads its cluster.", registry=r)
        self._up: dict[str, bool] = {}
        self._alert_metrics()

    def _alert_metrics(self) -> None:
        r = self.registry
        self.alerts_sent = Counter(
            "feeds_alerts_sent", "Alert deliveries sent.", ["topic"], registry=r
        )
        self.alerts_failed = Counter(
            "feeds_alerts_failed", "Alert deliveries that failed (retried).", ["topic"],
            registry=r,
        )  # fmt: skip
        self.alert_up = Gauge(
            "feeds_alert_target_up", "1 unless the alert target's last try failed.",
            ["topic", "target"], registry=r,
        )  # fmt: skip
        self.alerts_pending = Gauge(
            "feeds_alerts_pending", "Alert deliveries not sent yet.", ["topic", "target"],
            registry=r,
        )  # fmt: skip

    def alerts(self, reports: Sequence[TargetReport]) -> None:
        """Count one round of alerts."""
        for r in reports:
            if r.sent:
                self.alerts_sent.labels(r.topic).inc(r.sent)
            if r.failed:
                self.alerts_failed.labels(r.topic).inc(r.failed)
            target = str(r.number)
            self.alert_up.labels(r.topic, target).set(0 if r.failures else 1)
            self.alerts_pending.labels(r.topic, target).set(r.pending)

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

    def claimed(self, outcome: str, held: int) -> None:
        """One claim of a lease (feeds.run.cluster), and the leases this node holds now."""
        self.claims.labels(outcome).inc()
        self.leases.set(held)

    def leads(self, leading: bool) -> None:
        self.leader.set(1 if leading else 0)

    def render(self) -> bytes:
        return generate_latest(self.registry)
