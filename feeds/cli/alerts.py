"""``feeds status``'s alert targets (#18): one row per target of each topic's ``notify``,
from the store's state of it (``feeds.store.protocols.NotifyStorage``). A row shows the
target as ``feeds.notify.send.label`` does (no password, no token, never the secret).
Reads only.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from feeds.cli.terminal import table, when
from feeds.decide.notify import TargetState, condition
from feeds.models import Config
from feeds.store.protocols import StoreType


@dataclass(frozen=True, slots=True)
class AlertRow:
    topic: str
    #: Its number in the topic's ``notify`` list, from 1.
    target: int
    label: str
    #: "instant" or the digest period in seconds.
    every: str
    #: "new" (not used yet), "ok", "retrying" (its last try failed) or "failing" (two or more
    #: in a row).
    status: str
    failures: int
    pending: int
    last_attempt: datetime | None
    last_success: datetime | None
    next_try: datetime | None
    last_error: str | None


def alert_rows(config: Config, store: StoreType) -> list[AlertRow]:
    from feeds.notify.flow import targets
    from feeds.notify.send import label

    rows = []
    for t in targets(config):
        state = store.notify_target(t.topic.slug, t.key)
        pending = len(store.notify_pending(t.topic.slug, t.key)) if state else 0
        every = t.topic.notify_every
        rows.append(AlertRow(
            t.topic.slug, t.number, label(t.url),
            "instant" if every is None else f"{every.total_seconds():g}s",
            _status(state),
            state.failures if state else 0, pending,
            state.last_attempt if state else None, state.last_success if state else None,
            state.next_try if state else None, state.last_error if state else None,
        ))  # fmt: skip
    return rows


def _status(state: TargetState | None) -> str:
    if state is None:
        return "new"
    if condition(state.failures) == "failing":
        return "failing"
    return "retrying" if state.failures else "ok"


def render_alerts(rows: Sequence[AlertRow]) -> Iterator[str]:
    if not rows:
        return
    yield ""
    yield table(
        ("topic", "alert target", "status", "pending", "last success", "last error"),
        [
            (r.topic, f"{r.target}: {r.label}", r.status, str(r.pending),
             when(r.last_success), r.last_error or "")
            for r in rows
        ],
    )  # fmt: skip
    failing = [r for r in rows if r.status == "failing"]
    if failing:
        yield ""
        yield (
            f"{len(failing)} alert target(s) failing: retried with backoff, nothing is lost; "
            "`feeds notify test SLUG` tries one now"
        )
