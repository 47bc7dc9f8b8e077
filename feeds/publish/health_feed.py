"""Health as a feed: when a source starts failing, recovers, or falls silent.

Each source is in one *condition*, derived from its stored state, the time of its last new
entry and its usual cadence:

- ``failing``: the server said 410 Gone, or ``FAILING_AFTER`` runs in a row failed (one
  failed run is a hiccup, not news: backoff retries it soon);
- ``silent``: its runs succeed but no new entry arrived for far longer than usual:
  ``SILENCE_FACTOR`` times its cadence (the median gap between its newest entries'
  dates) or its interval, whichever is longer, and never less than ``MIN_SILENCE``. A
  source with fewer than ``MIN_SAMPLE`` entries has no usual cadence and is never silent;
- ``ok``: otherwise.

A change of condition is a ``StatusEvent``; the daemon keeps the newest ``KEEP_EVENTS`` in
``data_dir/health.json`` (with each source's condition and last new entry, so a restart
neither repeats nor forgets) and renders them to ``public/_status.atom``; so do ``feeds
update`` and ``feeds ingest`` (``feeds.publish.health`` keeps the file for all three).

The decisions are pure (``now`` is passed in). The only I/O here is reading and writing that
small JSON file at the edge (``load_health``/``save_health``); this module must not read the
store, fetch, or write anything under public/ (it renders bytes; the caller writes them).
"""

from __future__ import annotations

import json
import logging
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from feeds.models import Entry, Settings, Source, SourceState, Topic
from feeds.publish.atom import Links, render_atom
from feeds.publish.files import write_atomic

log = logging.getLogger("feeds.health")

Condition = Literal["ok", "failing", "silent"]
EventKind = Literal["failing", "recovered", "silent"]
_CONDITIONS: dict[str, Condition] = {"ok": "ok", "failing": "failing", "silent": "silent"}
_KINDS: dict[str, EventKind] = {"failing": "failing", "recovered": "recovered", "silent": "silent"}

FAILING_AFTER = 2
SILENCE_FACTOR = 10
MIN_SILENCE = timedelta(days=1)
MIN_SAMPLE = 3
#: Entries looked at to measure a source's cadence.
CADENCE_SAMPLE = 20
KEEP_EVENTS = 50
STATUS_SLUG = "_status"
HEALTH_FILE = "health.json"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    source: str
    kind: EventKind
    at: datetime
    #: One line: what happened, with the source's own error message if any.
    message: str


@dataclass(frozen=True, slots=True)
class SourceHealth:
    condition: Condition = "ok"
    #: When a new entry last arrived (or when the daemon first saw the source).
    last_new: datetime | None = None


@dataclass(frozen=True, slots=True)
class HealthState:
    sources: Mapping[str, SourceHealth] = field(default_factory=dict)
    #: Newest first.
    events: tuple[StatusEvent, ...] = ()


# -- decisions (pure) -----------------------------------------------------------------------


def cadence(dates: Sequence[datetime]) -> timedelta | None:
    """The median gap between consecutive dates; None with fewer than MIN_SAMPLE dates."""
    if len(dates) < MIN_SAMPLE:
        return None
    ordered = sorted(dates)
    gaps = [(b - a).total_seconds() for a, b in zip(ordered, ordered[1:], strict=False)]
    return timedelta(seconds=statistics.median(gaps))


def silence_limit(interval: timedelta, usual: timedelta) -> timedelta:
    """How long without a new entry counts as silent."""
    return max(SILENCE_FACTOR * max(interval, usual), MIN_SILENCE)


def condition(
    state: SourceState,
    *,
    interval: timedelta,
    last_new: datetime | None,
    usual: timedelta | None,
    now: datetime,
) -> Condition:
    """The condition of a source after a run (see the module docstring)."""
    if state.status == "gone" or (state.status == "error" and state.failures >= FAILING_AFTER):
        return "failing"
    if usual is not None and last_new is not None:
        if now - last_new > silence_limit(interval, usual):
            return "silent"
    return "ok"


def transition(
    name: str, old: Condition, new: Condition, *, state: SourceState, now: datetime,
    last_new: datetime | None = None,
) -> StatusEvent | None:  # fmt: skip
    """The event a change of condition makes, or None when nothing changed."""
    if old == new:
        return None
    if new == "failing":
        detail = f"{state.failures} failed runs in a row" if state.status != "gone" else "gone"
        message = f"{name} started failing ({detail}): {state.message or 'no message'}"
        return StatusEvent(name, "failing", now, message)
    if new == "silent":
        since = f" since {last_new:%Y-%m-%d %H:%M}Z" if last_new else ""
        return StatusEvent(name, "silent", now, f"{name} has published nothing new{since}")
    what = "fetches succeed again" if old == "failing" else "new entries again"
    return StatusEvent(name, "recovered", now, f"{name} recovered: {what}")


def observe(
    health: HealthState,
    source: Source,
    state: SourceState,
    *,
    new_entries: int,
    dates: Sequence[datetime],
    now: datetime,
) -> tuple[HealthState, StatusEvent | None]:
    """Fold one run of ``source`` into ``health``: its new condition, and the event if any.

    ``dates`` are the published dates of the source's newest entries (for its cadence).
    """
    before = health.sources.get(source.name) or SourceHealth(last_new=now)
    last_new = now if new_entries > 0 or before.last_new is None else before.last_new
    new = condition(
        state, interval=source.interval, last_new=last_new, usual=cadence(dates), now=now
    )
    event = transition(source.name, before.condition, new, state=state, now=now,
                       last_new=last_new)  # fmt: skip
    sources = {**health.sources, source.name: SourceHealth(new, last_new)}
    events = ((event,) + health.events)[:KEEP_EVENTS] if event else health.events
    return HealthState(sources, events), event


def forget(health: HealthState, names: Sequence[str]) -> HealthState:
    """Drop sources that left the config (their past events stay in the feed)."""
    kept = {n: h for n, h in health.sources.items() if n not in names}
    return replace(health, sources=kept)


# -- the status feed -------------------------------------------------------------------------


def status_topic(settings: Settings) -> Topic:
    return Topic(
        slug=STATUS_SLUG,
        title=f"{settings.title}: source health",
        query="",
        description="Sources that start failing, recover, or fall silent.",
    )


def _entry(event: StatusEvent, settings: Settings) -> Entry:
    stamp = event.at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Entry(
        id=f"{settings.base_url}{STATUS_SLUG}.atom#{event.source}/{event.kind}/{stamp}",
        source=event.source,
        title=f"{event.source}: {event.kind}",
        link=settings.base_url,
        summary=_escape(event.message),
        content="",
        authors=("feeds",),
        published=event.at,
        updated=event.at,
        language="en",
        categories=(event.kind,),
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_health_feed(
    events: Sequence[StatusEvent],
    *,
    settings: Settings,
    sources: Mapping[str, Source],
    links: Links | None = None,
) -> bytes:
    """``_status.atom``: the events, newest first, as an Atom feed (``links``: its extras,
    such as the browser stylesheet)."""
    entries = [_entry(e, settings) for e in events]
    topic = status_topic(settings)
    extras = links or Links()
    return render_atom(topic, entries, settings=settings, sources=sources, links=extras)


# -- the JSON file (the one edge) ------------------------------------------------------------


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value).astimezone(UTC) if isinstance(value, str) else None


def dump_health(health: HealthState) -> bytes:
    data = {
        "sources": {
            n: {"condition": h.condition, "last_new": _ts(h.last_new)}
            for n, h in sorted(health.sources.items())
        },
        "events": [
            {"source": e.source, "kind": e.kind, "at": _ts(e.at), "message": e.message}
            for e in health.events
        ],
    }
    return (json.dumps(data, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def parse_health(data: bytes) -> HealthState:
    """The state in ``data``; raises ValueError (or KeyError/TypeError) if it is not one."""
    raw = json.loads(data)
    sources = {
        str(n): SourceHealth(_CONDITIONS[h["condition"]], _dt(h.get("last_new")))
        for n, h in raw.get("sources", {}).items()
    }
    events = []
    for e in raw.get("events", []):
        at = _dt(e["at"])
        if at is None:
            raise ValueError(f"event without a date: {e!r}")
        events.append(StatusEvent(str(e["source"]), _KINDS[e["kind"]], at, str(e["message"])))
    return HealthState(sources, tuple(events)[:KEEP_EVENTS])


def load_health(path: Path) -> HealthState:
    """The saved state; empty if the file is missing, and (logged) if it is unreadable."""
    try:
        return parse_health(path.read_bytes())
    except FileNotFoundError:
        return HealthState()
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        log.warning("status: cannot read %s (%s); starting a fresh history", path, e)
        return HealthState()


def save_health(path: Path, health: HealthState) -> bool:
    """Write the state atomically; False if the bytes did not change."""
    return write_atomic(path, dump_health(health))
