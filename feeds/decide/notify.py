"""Alerts (#18): what is new for a topic's target, when a delivery is due, which one to send
next, and how long a failing target waits. Pure: ``now`` is passed in; no I/O.

The values here cross the store's boundary (``feeds.store.protocols.NotifyStorage``) on
every backend:

- ``TargetState``: one (topic, target) pair: its *baseline* (the store's position when the
  target first appeared: nothing that arrived up to it is ever alerted, so a new target
  brings no flood) and how its sending goes (failures, the next try, the last error).
- ``Delivery``: one message to one target, with an id that never changes. A delivery is
  *open* while it collects new entries (never tried yet; an instant target's is due at
  once, a digest target's at the end of its window), then *frozen* (its entries fixed) when
  it is first tried; a frozen delivery is retried, with the same id and entries, until it
  is sent. A target has at most one frozen delivery unsent: while it fails, what arrives
  collects in one open delivery, so a target down for a day gets one digest when back.

Once and only once: the entries a delivery holds are recorded as *seen* by the target in the
same transaction that adds them to it (``NotifyStorage.collect``), before anything is sent;
a story is new for a target only if every copy of it arrived after the baseline and none
was seen (so an edit, a re-ingest, or another source's copy of a story never alerts again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

#: ``alert``: new entries; ``watching``: the one message a new target gets (the baseline).
DeliveryKind = Literal["alert", "watching"]

#: A failing target is retried after FIRST_RETRY, doubling up to MAX_RETRY.
FIRST_RETRY, MAX_RETRY = timedelta(minutes=1), timedelta(hours=1)
#: A failing target "started failing" (the health feed) after this many failures in a row.
FAILING_AFTER = 2
#: Deliveries one target may get in one round (a frozen one, then the catch-up digest).
PER_ROUND = 3


@dataclass(frozen=True, slots=True)
class AlertEntry:
    """One entry as an alert shows it (plain text; ``summary`` shortened)."""

    id: str
    title: str
    link: str
    published: datetime
    source: str
    summary: str


@dataclass(frozen=True, slots=True)
class TargetState:
    topic: str
    #: ``target_key(url)``: the store never keeps the URL (it may hold a password).
    target: str
    #: Entries at or before this position in arrival order are never alerted.
    baseline: int
    #: When the target first appeared (digest windows start there).
    since: datetime
    failures: int = 0
    #: A failing target is not tried before this.
    next_try: datetime | None = None
    #: The last failure's answer (never holds the secret or the URL's password).
    last_error: str | None = None
    last_attempt: datetime | None = None
    last_success: datetime | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    #: Stays the same across retries: a receiver drops repeats by it.
    id: str
    topic: str
    target: str
    kind: DeliveryKind
    created: datetime
    due: datetime
    entries: tuple[AlertEntry, ...] = ()
    #: ``watching``: how many entries the topic held when the target appeared.
    watching: int = 0
    frozen: bool = False
    attempts: int = 0


def target_key(url: str) -> str:
    """The store's name of a target: a hash of its URL (a changed URL is a new target)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]


def new_stories(
    stories: Sequence[Sequence[str]], positions: dict[str, int], *, baseline: int, seen: set[str]
) -> tuple[list[int], list[str]]:
    """Which ``stories`` (each the ids of its copies, the shown one first) are new for a
    target, by index; and the ids to record as seen without alerting: copies of stories
    that are not new (so that one never alerts alone later, when grouping has moved on)."""
    fresh: list[int] = []
    quiet: list[str] = []
    for index, ids in enumerate(stories):
        unseen = [i for i in ids if i not in seen]
        old = any(positions.get(i, 0) <= baseline for i in ids)
        if len(unseen) == len(ids) and not old:
            fresh.append(index)
        else:
            quiet += [i for i in unseen if positions.get(i, 0) > baseline]
    return fresh, quiet


def due_at(every: timedelta | None, since: datetime, now: datetime) -> datetime:
    """When an open delivery made now is due: now (instant), or the end of the digest window
    (windows of ``every``, counted from ``since``) that holds ``now``."""
    if every is None or now < since:
        return now
    windows: int = (now - since) // every + 1
    return since + windows * every


def retry_at(failures: int, now: datetime) -> datetime:
    """When a target that failed ``failures`` times in a row is tried again."""
    wait: timedelta = FIRST_RETRY * (1 << min(max(failures - 1, 0), 12))
    return now + min(wait, MAX_RETRY)


def next_delivery(
    pending: Iterable[Delivery], state: TargetState, now: datetime
) -> Delivery | None:
    """The delivery to send to a target now, if any: its frozen one, else its oldest open one
    that is due; none while it waits after a failure."""
    if state.next_try is not None and state.next_try > now:
        return None
    waiting = sorted(pending, key=lambda d: (d.created, d.id))
    frozen = [d for d in waiting if d.frozen]
    if frozen:
        return frozen[0]
    return next((d for d in waiting if d.due <= now), None)


def condition(failures: int) -> Literal["ok", "failing"]:
    """What the health feed and ``feeds status`` call a target."""
    return "failing" if failures >= FAILING_AFTER else "ok"
