"""The PostgreSQL store's alert tables (#18; schema 3): each topic's targets, what each has
seen, and the outbox of deliveries, as SQLite keeps them (``feeds.store.sqlite.notify``,
whose row codec this shares). Part of ``PostgresStore``
(``feeds.store.protocols.NotifyStorage``). Only SQL; what is new, when a delivery is due
and what to send next are ``feeds.decide.notify``'s to say.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import psycopg

from feeds.decide.notify import AlertEntry, Delivery, DeliveryKind, TargetState
from feeds.store.postgres.connection import Connection, Row
from feeds.store.postgres.values import parse_ts, ts
from feeds.store.sqlite.notify import _entries_of, _entries_text

__all__ = ["NotifyStore"]

_KINDS: dict[str, DeliveryKind] = {"alert": "alert", "watching": "watching"}
_OUTBOX = "id, topic, target, kind, created, due, entries, watching, frozen, attempts"
_TARGETS = (
    "topic, target, baseline, since, failures, next_try, last_error, last_attempt, last_success"
)


def _delivery_of(r: Row) -> Delivery:
    """A delivery from a row of ``_OUTBOX``."""
    id_, topic, target, kind, created, due, entries, watching, frozen, attempts = r
    made, when = parse_ts(created), parse_ts(due)
    assert made is not None and when is not None
    return Delivery(
        id_, topic, target, _KINDS[kind], made, when, _entries_of(entries), watching,
        bool(frozen), attempts,
    )  # fmt: skip


def _state_of(r: Row) -> TargetState:
    """A target's state from a row of ``_TARGETS``."""
    topic, target, baseline, since, failures, next_try, error, attempt, success = r
    first = parse_ts(since)
    assert first is not None
    return TargetState(
        topic, target, int(baseline), first, failures, parse_ts(next_try), error,
        parse_ts(attempt), parse_ts(success),
    )  # fmt: skip


def _insert(db: psycopg.Connection[Row], d: Delivery) -> None:
    db.execute(
        f"INSERT INTO notify_outbox ({_OUTBOX}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT DO NOTHING",
        (d.id, d.topic, d.target, d.kind, ts(d.created), ts(d.due), _entries_text(d.entries),
         d.watching, int(d.frozen), d.attempts),
    )  # fmt: skip


class NotifyStore(Connection):
    """Alert targets, what they have seen, and their deliveries (see the module docstring)."""

    def notify_target(self, topic: str, target: str) -> TargetState | None:
        rows = self._query(
            f"SELECT {_TARGETS} FROM notify_targets WHERE topic = %s AND target = %s",
            (topic, target),
        )
        return _state_of(rows[0]) if rows else None

    def notify_add_target(self, state: TargetState, first: Delivery | None) -> None:
        with self._transaction() as db:
            added = db.execute(
                "INSERT INTO notify_targets (topic, target, baseline, since) "
                "VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
                (state.topic, state.target, state.baseline, ts(state.since)),
            ).rowcount
            if added > 0 and first is not None:
                _insert(db, first)

    def notify_seen(self, topic: str, target: str, ids: Sequence[str]) -> set[str]:
        rows = self._query(
            "SELECT entry FROM notify_seen WHERE topic = %s AND target = %s AND entry = ANY(%s)",
            (topic, target, list(ids)),
        )
        return {r[0] for r in rows}

    def notify_collect(
        self, topic: str, target: str, entries: Sequence[AlertEntry], seen: Sequence[str],
        *, new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        ids = [*seen, *(e.id for e in entries)]
        with self._transaction() as db:
            # One collect of a target at a time (SQLite's writes are serial): its row locked.
            db.execute(
                "SELECT 1 FROM notify_targets WHERE topic = %s AND target = %s FOR UPDATE",
                (topic, target),
            )
            if ids:
                db.execute(
                    "INSERT INTO notify_seen (topic, target, entry) "
                    "SELECT %s, %s, unnest(%s::text[]) ON CONFLICT DO NOTHING",
                    (topic, target, ids),
                )
            if entries:
                self._add_to_open(db, topic, target, entries, new_id, now, due)

    def _add_to_open(
        self, db: psycopg.Connection[Row], topic: str, target: str,
        entries: Sequence[AlertEntry], new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        row = db.execute(
            "SELECT id, entries FROM notify_outbox WHERE topic = %s AND target = %s "
            "AND sent IS NULL AND frozen = 0 AND kind = 'alert' ORDER BY created LIMIT 1",
            (topic, target),
        ).fetchone()
        if row is None:
            _insert(db, Delivery(new_id, topic, target, "alert", now, due, tuple(entries)))
            return
        held = _entries_of(row[1])
        known = {e.id for e in held}
        more = held + tuple(e for e in entries if e.id not in known)
        db.execute(
            "UPDATE notify_outbox SET entries = %s WHERE id = %s", (_entries_text(more), row[0])
        )

    def notify_pending(self, topic: str, target: str) -> list[Delivery]:
        rows = self._query(
            f"SELECT {_OUTBOX} FROM notify_outbox WHERE topic = %s AND target = %s "
            "AND sent IS NULL ORDER BY created, id",
            (topic, target),
        )
        return [_delivery_of(r) for r in rows]

    def notify_freeze(self, delivery_id: str) -> None:
        self._execute("UPDATE notify_outbox SET frozen = 1 WHERE id = %s", (delivery_id,))

    def notify_sent(self, delivery_id: str, *, now: datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE notify_outbox SET sent = %s, frozen = 1, attempts = attempts + 1 "
                "WHERE id = %s",
                (ts(now), delivery_id),
            )
            self._target_update(
                db, delivery_id, "failures = 0, next_try = NULL, last_error = NULL, "
                "last_attempt = %s, last_success = %s", (ts(now), ts(now)),
            )  # fmt: skip

    def notify_failed(
        self, delivery_id: str, error: str, *, now: datetime, next_try: datetime
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE notify_outbox SET frozen = 1, attempts = attempts + 1 WHERE id = %s",
                (delivery_id,),
            )
            self._target_update(
                db, delivery_id, "failures = failures + 1, next_try = %s, last_error = %s, "
                "last_attempt = %s", (ts(next_try), error, ts(now)),
            )  # fmt: skip

    @staticmethod
    def _target_update(
        db: psycopg.Connection[Row], delivery_id: str, assignments: str, params: tuple[Any, ...]
    ) -> None:
        db.execute(
            f"UPDATE notify_targets SET {assignments} WHERE (topic, target) = "
            "(SELECT topic, target FROM notify_outbox WHERE id = %s)",
            (*params, delivery_id),
        )
