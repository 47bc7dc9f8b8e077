"""The daemon's health watch: the health state kept across runs, and ``public/_status.atom``.

``feeds.publish.health_feed`` decides (pure) and ``feeds.publish.health`` reads the store and
writes; this module only keeps the daemon's copy of the state between runs and says when to
write. It must not fetch, schedule, nor write topic feeds.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from feeds.clock import utcnow
from feeds.models import Config, IngestReport, Source
from feeds.notify.health import with_events
from feeds.publish import health_feed as hl
from feeds.publish.health import observe_run, write_status, write_status_page
from feeds.store.protocols import StoreType

log = logging.getLogger("feeds")


class HealthWatch:
    """The health state of the sources the daemon runs, loaded once at start."""

    def __init__(self, config: Config) -> None:
        self.state = hl.load_health(config.settings.data_dir / hl.HEALTH_FILE)

    def write(self, config: Config) -> None:
        """Write the status feed as the state stands (at start, after a reload)."""
        write_status(config, self.state)

    def observe(
        self, config: Config, store: StoreType, source: Source, report: IngestReport
    ) -> None:
        """Fold one run into the state; the status feed is rendered again only on an event."""
        self.state, event = observe_run(self.state, store, source, report, utcnow())
        write_status(config, self.state, render=event is not None)
        write_status_page(config, store)  # the source's new state

    def add(self, config: Config, events: Sequence[hl.StatusEvent]) -> None:
        """Events of alert targets (``feeds.notify.health``): into the state and the feed."""
        if events:
            for event in events:
                log.warning("status: %s", event.message)
            self.state = with_events(self.state, events)
            write_status(config, self.state)

    def forget(self, names: Iterable[str]) -> None:
        """Sources left the config: their history goes."""
        self.state = hl.forget(self.state, list(names))
