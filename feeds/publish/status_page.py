"""``public/status.html``: every source (status, last success, last error, next run) and
topic (entries, last publish), as the store holds them; the health feed linked.

Written with the index at each regenerate, and after each source run (the daemon's health
watch, ``feeds ingest``): it says only what the store says, so the same state gives the
same bytes. Reads the store; renders with ``feeds.publish.pages``; writes with
``feeds.publish.files``. Must not import the flow, sources, ingest, run or cli.
"""

from __future__ import annotations

from feeds.models import Config, Source, SourceState
from feeds.publish.files import write_atomic
from feeds.publish.health_feed import STATUS_SLUG
from feeds.publish.pages import STATUS, SourceStatus, TopicStatus, render_status_page
from feeds.store.protocols import StoreType


def source_status(source: Source, state: SourceState | None, entries: int) -> SourceStatus:
    state = state or SourceState(name=source.name)
    failing = state.status in ("error", "gone")
    return SourceStatus(
        name=source.name,
        title=(source.title or source.name).strip() or source.name,
        kind=source.kind,
        status=state.status if source.enabled else "disabled",
        last_success=state.last_success,
        last_error=state.message if failing else None,
        next_run=state.next_due if source.enabled else None,
        entries=entries,
    )


def status_page(config: Config, store: StoreType) -> bytes:
    """The page's bytes as the store stands."""
    states, counts = store.source_states(), store.count_entries()
    sources = [source_status(s, states.get(s.name), counts.get(s.name, 0)) for s in config.sources]
    sources.sort(key=lambda s: s.status not in ("error", "gone"))  # failing first, else in order
    topics = []
    for topic in config.topics:
        record = store.topic_record(topic.slug)
        topics.append(TopicStatus(topic, record.entries if record else None,
                                  record.published_at if record else None))  # fmt: skip
    health = f"{STATUS_SLUG}.atom"
    linked = health if (config.settings.public_dir / health).exists() else None
    return render_status_page(sources, topics, settings=config.settings, health_feed=linked)


def publish_status(config: Config, store: StoreType) -> bool:
    """Write ``status.html``; whether its bytes changed."""
    return write_atomic(config.settings.public_dir / STATUS, status_page(config, store))
