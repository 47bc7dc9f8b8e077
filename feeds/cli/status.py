"""``feeds status``: each source's and topic's state, as a table or a stable JSON document.

Reads the config and the store and lays out what they say; never writes. The JSON document
is an interface for scripts: keys are only ever added, never renamed or removed::

    {"config": "...", "sources": [{"name", "kind", "location", "enabled", "status",
      "last_attempt", "last_success", "next_run", "failures", "entries", "last_error",
      "moved_to", "problems"}...], "topics": [{"slug", "title", "entries", "last_publish", "url",
      "capped"}...], "alerts": [{"topic", "target", "label", "every", "status",
      "failures", "pending", "last_attempt", "last_success", "next_try", "last_error"}...]}

``problems``: what went wrong in a source that worked (e.g. articles whose page's text could
not be had, docs/full-text.md), else null.

``capped``: more entries arrived within ``feed_window`` than ``feed_max`` lets the topic's
feed show (feeds.publish.window). ``alerts`` (#18): one per target of each topic's
``notify``: ``target`` its number in that list, ``label`` its URL without password or
token, ``status`` "new" (not used yet), "ok", "retrying" or "failing", ``pending`` its
deliveries not sent yet (``feeds.cli.alerts``).

Times are ISO 8601 UTC strings (``2026-11-25T10:00:00Z``) or null.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from feeds.cli.alerts import AlertRow, alert_rows, render_alerts
from feeds.cli.terminal import table, when
from feeds.clock import ts
from feeds.models import Config, Source, SourceState, Topic
from feeds.publish.current import capped
from feeds.store.protocols import StoreType
from feeds.topics.selection import Selection, topic_selection


@dataclass(frozen=True, slots=True)
class SourceRow:
    name: str
    kind: str
    location: str
    enabled: bool
    status: str
    last_attempt: datetime | None
    last_success: datetime | None
    next_run: datetime | None
    failures: int
    entries: int
    last_error: str | None
    moved_to: str | None
    #: What went wrong in a source that worked (its status "ok").
    problems: str | None = None


@dataclass(frozen=True, slots=True)
class TopicRow:
    slug: str
    title: str
    entries: int
    last_publish: datetime | None
    url: str
    #: More arrived within ``feed_window`` than ``feed_max`` lets the feed show.
    capped: bool = False


def source_rows(config: Config, states: dict[str, SourceState]) -> list[SourceRow]:
    return [_source_row(s, states.get(s.name)) for s in config.sources]


def _source_row(source: Source, st: SourceState | None) -> SourceRow:
    st = st or SourceState(name=source.name)
    moved = st.url if st.url and source.url and st.url != source.url else None
    return SourceRow(
        name=source.name,
        kind=source.kind,
        location=source.location,
        enabled=source.enabled,
        status=st.status if source.enabled else "disabled",
        last_attempt=st.last_attempt,
        last_success=st.last_success,
        next_run=st.next_due,
        failures=st.failures,
        entries=st.entries,
        last_error=st.message if st.status != "ok" else None,
        moved_to=moved,
        problems=st.message if st.status == "ok" else None,
    )


def topic_rows(config: Config, store: StoreType) -> list[TopicRow]:
    rows = []
    for topic in config.topics:
        record = store.topic_record(topic.slug)
        rows.append(
            TopicRow(
                slug=topic.slug,
                title=topic.title,
                entries=record.entries if record else 0,
                last_publish=record.published_at if record else None,
                url=f"{config.settings.base_url}{topic.slug}.atom",
                capped=capped(config.settings, store, _selection(topic)),
            )
        )
    return rows


def _selection(topic: Topic) -> Selection:
    return topic_selection(topic)


def collect(config: Config, store: StoreType) -> tuple[list[SourceRow], list[TopicRow]]:
    return source_rows(config, store.source_states()), topic_rows(config, store)


def document(
    config: Config, sources: list[SourceRow], topics: list[TopicRow],
    alerts: Sequence[AlertRow] = (),
) -> dict[str, Any]:  # fmt: skip
    """The ``--json`` document (see the module docstring)."""

    def plain(row: SourceRow | TopicRow | AlertRow) -> dict[str, Any]:
        return {k: ts(v) if isinstance(v, datetime) else v for k, v in asdict(row).items()}

    return {
        "config": str(config.file),
        "sources": [plain(r) for r in sources],
        "topics": [plain(r) for r in topics],
        "alerts": [plain(r) for r in alerts],
    }


def status_lines(config: Config, store: StoreType, *, as_json: bool) -> Iterator[str]:
    """``feeds status``'s output: the tables, or the JSON document."""
    from feeds.cli.nodes import cluster_nodes, nodes_document, render_nodes

    sources, topics = collect(config, store)
    alerts = alert_rows(config, store)
    nodes = cluster_nodes(store)  # several nodes on one store (PostgreSQL)
    if as_json:
        doc = document(config, sources, topics, alerts)
        if nodes is not None:
            doc["nodes"] = nodes_document(nodes)
        yield json.dumps(doc, indent=2, ensure_ascii=False)
    else:
        yield from render_status(config, sources, topics)
        yield from render_alerts(alerts)
        yield from render_nodes(nodes) if nodes else ()


def render_status(
    config: Config, sources: list[SourceRow], topics: list[TopicRow]
) -> Iterator[str]:
    """The two tables, and what to do about sources that moved or fail."""
    yield table(
        ("source", "kind", "status", "last success", "entries", "next run", "last error"),
        [
            (r.name, r.kind, r.status, when(r.last_success), str(r.entries),
             "-" if not r.enabled else when(r.next_run, "now"), r.last_error or "")
            for r in sources
        ],
    )  # fmt: skip
    for r in sources:
        if r.moved_to:
            yield f"{r.name} moved permanently to {r.moved_to}: update its `url` in {config.file}"
        if r.problems:
            yield f"{r.name}: {r.problems}"
    yield ""
    yield table(
        ("topic", "matching entries", "last publish"),
        [(r.slug, str(r.entries), when(r.last_publish)) for r in topics],
    )
    for t in topics:
        if t.capped:
            yield (
                f"{t.slug}: more entries arrived within feed_window than feed_max "
                f"({config.settings.feed_max}) lets its feed show, the earliest are left out: "
                f"raise feed_max in {config.file}"
            )
    failing = [r.name for r in sources if r.status in ("error", "gone")]
    if failing:
        yield ""
        yield (
            f"{len(failing)} failing: see the LAST ERROR column; `feeds ingest --source NAME` "
            "retries one (README: Troubleshooting)"
        )
