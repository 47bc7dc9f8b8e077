"""The daemon's health watch: the health state kept across runs, and ``public/_status.atom``.

``feeds.publish.health_feed`` decides (pure) and ``feeds.publish.health`` reads the store and
writes; this module only keeps the daemon's copy of the state between runs and says when to
write. It must not fetch, schedule, nor write topic feeds.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Sequence
from datetime import datetime

from feeds.clock import utcnow
from feeds.models import Config, IngestReport, Source, SourceState
from feeds.notify.health import with_events
from feeds.publish import health_feed as hl
from feeds.publish.health import cadence_dates, observe_run, write_status, write_status_page
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds")

#: Seconds between saves of ``health.json`` when only last-new times changed.
SAVE_EVERY = 300.0


class HealthWatch:
    """The health state of the sources the daemon runs, loaded once at start.

    A run costs the watch no store query and no write unless something changed: the dates
    of each source's newest entries (its cadence) are kept here, read again only after a
    run that brought new entries (bounded: ``CADENCE_SAMPLE`` dates per configured
    source), and ``health.json`` is written when a source's condition changes, and when
    only sources new to it or the times of their last new entries changed, at most every
    ``SAVE_EVERY`` seconds (and at shutdown: ``flush``).
    """

    def __init__(self, config: Config) -> None:
        self.state = hl.load_health(config.settings.data_dir / hl.HEALTH_FILE)
        self.dates: dict[str, list[datetime]] = {}
        #: Changed since last saved (only sources' last new entries), and when saved.
        self.dirty, self.saved = False, time.monotonic()

    def write(self, config: Config) -> None:
        """Write the status feed as the state stands (at start, after a reload)."""
        write_status(config, self.state)

    def observe(
        self, config: Config, store: StoreType, source: Source, report: IngestReport,
        state: SourceState | None = None,
    ) -> None:  # fmt: skip
        """Fold one run into the state (``state``: the source's, after it); saved when it
        changed, the status feed rendered again only on an event."""
        dates = self.dates.get(source.name)
        if dates is None or report.new:
            dates = self.dates[source.name] = cadence_dates(store, source.name)
        before = self.state
        self.state, event = observe_run(before, store, source, report, utcnow(), state=state,
                                        dates=dates)  # fmt: skip
        was, now = before.sources.get(source.name), self.state.sources.get(source.name)
        if event is not None or (was is not None and now is not None
                                 and was.condition != now.condition):  # fmt: skip
            write_status(config, self.state, render=event is not None)
            write_status_page(config, store)  # the web status page follows the feed
            self.dirty, self.saved = False, time.monotonic()
        elif was != now:  # new to the watch, or a new entry came: saved within SAVE_EVERY
            self.dirty = True
            if time.monotonic() - self.saved >= SAVE_EVERY:
                self.flush(config)

    def flush(self, config: Config) -> None:
        """Save the state if it changed since it was last saved (at shutdown)."""
        if self.dirty:
            write_status(config, self.state, render=False)
            self.dirty, self.saved = False, time.monotonic()

    def add(self, config: Config, events: Sequence[hl.StatusEvent]) -> None:
        """Events of alert targets (``feeds.notify.health``): into the state and the feed."""
        if events:
            for event in events:
                log.warning("status: %s", event.message)
            self.state = with_events(self.state, events)
            write_status(config, self.state)

    def forget(self, names: Iterable[str]) -> None:
        """Sources left the config: their history goes."""
        names = list(names)
        self.state = hl.forget(self.state, names)
        for name in names:
            self.dates.pop(name, None)
