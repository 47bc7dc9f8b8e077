"""Alert targets in the health feed (``public/_status.atom``): a target that starts failing
(``feeds.decide.notify.FAILING_AFTER`` failures in a row) and one that recovers are events,
as a source's are (``feeds.publish.health_feed``). The daemon adds them to the state its
health watch keeps; ``feeds update`` loads, adds and saves (``keep_alert_health``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from feeds.decide.notify import condition
from feeds.models import Config
from feeds.notify.flow import TargetReport
from feeds.publish import health_feed as hl
from feeds.publish.health import write_status


def alert_events(reports: Sequence[TargetReport], now: datetime) -> list[hl.StatusEvent]:
    """The events of one round: targets that started failing or recovered."""
    events = []
    for r in reports:
        old, new = condition(r.failures_before), condition(r.failures)
        name = f"alerts:{r.topic}:{r.number}"
        where = f"alert target {r.number} of {r.topic} ({r.label})"
        if old == "ok" and new == "failing":
            message = f"{where} started failing ({r.failures} failed tries): {r.last_error}"
            events.append(hl.StatusEvent(name, "failing", now, message))
        elif old == "failing" and r.failures == 0:
            events.append(hl.StatusEvent(name, "recovered", now, f"{where} recovered"))
    return events


def with_events(health: hl.HealthState, events: Sequence[hl.StatusEvent]) -> hl.HealthState:
    if not events:
        return health
    return hl.HealthState(health.sources, (*reversed(events), *health.events)[: hl.KEEP_EVENTS])


def keep_alert_health(config: Config, reports: Sequence[TargetReport], now: datetime) -> None:
    """After a one-shot run: the events into ``data_dir/health.json`` and the status feed."""
    events = alert_events(reports, now)
    if events:
        health = hl.load_health(config.settings.data_dir / hl.HEALTH_FILE)
        write_status(config, with_events(health, events))
