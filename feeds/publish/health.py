"""Keep the health state after source runs: ``data_dir/health.json``, ``_status.atom`` and
``status.html``.

The daemon and the one-shot commands (``feeds update``, ``feeds ingest``) both call this after
each run, so a source that fails twice in a row makes its "started failing" entry whether the
two runs were scheduled by the daemon or by cron. ``feeds.publish.health_feed`` decides (pure);
this module
reads what it needs from the store, saves the history and writes the status feed (with the
browser stylesheet, as the topic feeds have). It must not fetch, nor write topic feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from feeds.errors import FeedsError
from feeds.models import Config, IngestReport, Source, SourceState
from feeds.publish import health_feed as hl
from feeds.publish.atom import STYLESHEET, Links, stylesheet_href
from feeds.publish.files import write_atomic
from feeds.publish.site import stylesheet
from feeds.publish.status_page import publish_status
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds")


def observe_run(
    health: hl.HealthState, store: StoreType, source: Source, report: IngestReport, now: datetime,
    *, state: SourceState | None = None, dates: Sequence[datetime] | None = None,
) -> tuple[hl.HealthState, hl.StatusEvent | None]:  # fmt: skip
    """Fold one run of ``source`` into ``health``; the event it makes is logged. ``state``
    (its state after the run) and ``dates`` (``cadence_dates``) are read when not given."""
    if state is None:
        state = store.source_state(source.name, configured_url=source.url)
    if dates is None:
        dates = cadence_dates(store, source.name)
    health, event = hl.observe(health, source, state, new_entries=report.new, dates=dates, now=now)
    if event is not None:
        log.warning("status: %s", event.message)
    return health, event


def cadence_dates(store: StoreType, name: str) -> list[datetime]:
    """The published dates of the source's newest entries (its cadence)."""
    return [e.published for e in store.entries(source=name, limit=hl.CADENCE_SAMPLE)]


def write_status(
    config: Config, health: hl.HealthState, *, render: bool = True, save: bool = True
) -> None:
    """Save the health history (unless not ``save``); with ``render``, write
    ``_status.atom`` (and the stylesheet it names) too. A failure is logged: health never
    stops a run or a daemon."""
    settings = config.settings
    sources = {s.name: s for s in config.sources}
    try:
        if save:
            hl.save_health(settings.data_dir / hl.HEALTH_FILE, health)
        if render:
            links = Links(stylesheet=stylesheet_href())
            data = hl.render_health_feed(health.events, settings=settings, sources=sources,
                                    links=links)  # fmt: skip
            settings.public_dir.mkdir(parents=True, exist_ok=True)
            write_atomic(settings.public_dir / STYLESHEET, stylesheet())
            write_atomic(settings.public_dir / f"{hl.STATUS_SLUG}.atom", data)
    except (FeedsError, OSError) as e:
        log.error("status: %s", e)


def write_status_page(config: Config, store: StoreType) -> None:
    """``status.html`` after a run (``feeds.publish.status_page``); a failure is logged."""
    try:
        publish_status(config, store)
    except (FeedsError, OSError) as e:
        log.error("status: %s", e)


def keep_health(
    config: Config, store: StoreType, reports: Sequence[IngestReport], now: datetime
) -> list[hl.StatusEvent]:
    """After a one-shot ingest: load the history, fold these runs in, save, render."""
    health = hl.load_health(config.settings.data_dir / hl.HEALTH_FILE)
    events = []
    for report in reports:
        source = config.source(report.source)
        if source is not None:
            health, event = observe_run(health, store, source, report, now)
            events += [event] if event is not None else []
    write_status(config, health)
    write_status_page(config, store)
    return events
