"""The store's alert tables (#18; schema 10): each topic's targets, what each has seen, and
the outbox of deliveries. Part of ``feeds.store.sqlite.store.Store``
(``feeds.store.protocols.NotifyStorage``). Only SQL and the rows' codec; what is new, when
a delivery is due and what to send next are ``feeds.decide.notify``'s to say.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from feeds.decide.notify import AlertEntry, Delivery, DeliveryKind, TargetState
from feeds.store.sqlite.connection import Connection
from feeds.store.sqlite.values import parse_ts, ts

_KINDS: dict[str, DeliveryKind] = {"alert": "alert", "watching": "watching"}


def _entries_text(entries: Sequence[AlertEntry]) -> str:
    return json.dumps(
        [[e.id, e.title, e.link, ts(e.published), e.source, e.summary] for e in entries],
        ensure_ascii=False,
    )


def _entries_of(text: str) -> tuple[AlertEntry, ...]:
    found = []
    for id_, title, link, published, source, summary in json.loads(text):
        when = parse_ts(published)
        assert when is not None
        found.append(AlertEntry(id_, title, link, when, source, summary))
    return tuple(found)


def _delivery_of(r: sqlite3.Row) -> Delivery:
    created, due = parse_ts(r["created"]), parse_ts(r["due"])
    assert created is not None and due is not None
    return Delivery(
        r["id"], r["topic"], r["target"], _KINDS[r["kind"]], created, due,
        _entries_of(r["entries"]), r["watching"], bool(r["frozen"]), r["attempts"],
    )  # fmt: skip


def _state_of(r: sqlite3.Row) -> TargetState:
    since = parse_ts(r["since"])
    assert since is not None
    return TargetState(
        r["topic"], r["target"], r["baseline"], since, r["failures"], parse_ts(r["next_try"]),
        r["last_error"], parse_ts(r["last_attempt"]), parse_ts(r["last_success"]),
    )  # fmt: skip


def _insert(db: sqlite3.Connection, d: Delivery) -> None:
    db.execute(
        "INSERT OR IGNORE INTO notify_outbox (id, topic, target, kind, created, due, entries, "
        "watching, frozen, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d.id, d.topic, d.target, d.kind, ts(d.created), ts(d.due), _entries_text(d.entries),
         d.watching, int(d.frozen), d.attempts),
    )  # fmt: skip


class NotifyStore(Connection):
    """Alert targets, what they have seen, and their deliveries (see the module docstring)."""

    def notify_target(self, topic: str, target: str) -> TargetState | None:
        rows = self._query(
            "SELECT * FROM notify_targets WHERE topic = ? AND target = ?", (topic, target)
        )
        return _state_of(rows[0]) if rows else None

    def notify_add_target(self, state: TargetState, first: Delivery | None) -> None:
        with self._transaction() as db:
            added = db.execute(
                "INSERT OR IGNORE INTO notify_targets (topic, target, baseline, since) "
                "VALUES (?, ?, ?, ?)",
                (state.topic, state.target, state.baseline, ts(state.since)),
            ).rowcount
            if added and first is not None:
                _insert(db, first)

    def notify_seen(self, topic: str, target: str, ids: Sequence[str]) -> set[str]:
        seen: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            rows = self._query(
                f"SELECT entry FROM notify_seen WHERE topic = ? AND target = ? "
                f"AND entry IN ({marks})",
                [topic, target, *chunk],
            )
            seen.update(r[0] for r in rows)
        return seen

    def notify_collect(
        self, topic: str, target: str, entries: Sequence[AlertEntry], seen: Sequence[str],
        *, new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        ids = [*seen, *(e.id for e in entries)]
        with self._transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO notify_seen (topic, target, entry) VALUES (?, ?, ?)",
                [(topic, target, i) for i in ids],
            )
            if entries:
                self._add_to_open(db, topic, target, entries, new_id, now, due)

    def _add_to_open(
        self, db: sqlite3.Connection, topic: str, target: str, entries: Sequence[AlertEntry],
        new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        rows = db.execute(
            "SELECT id, entries FROM notify_outbox WHERE topic = ? AND target = ? "
            "AND sent IS NULL AND frozen = 0 AND kind = 'alert' ORDER BY created LIMIT 1",
            (topic, target),
        ).fetchall()
        if not rows:
            _insert(db, Delivery(new_id, topic, target, "alert", now, due, tuple(entries)))
            return
        held = _entries_of(rows[0]["entries"])
        known = {e.id for e in held}
        more = held + tuple(e for e in entries if e.id not in known)
        db.execute(
            "UPDATE notify_outbox SET entries = ? WHERE id = ?", (_entries_text(more), rows[0][0])
        )

    def notify_pending(self, topic: str, target: str) -> list[Delivery]:
        rows = self._query(
            "SELECT * FROM notify_outbox WHERE topic = ? AND target = ? AND sent IS NULL "
            "ORDER BY created, id",
            (topic, target),
        )
        return [_delivery_of(r) for r in rows]

    def notify_freeze(self, delivery_id: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE notify_outbox SET frozen = 1 WHERE id = ?", (delivery_id,))

    def notify_sent(self, delivery_id: str, *, now: datetime) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE notify_outbox SET sent = ?, frozen = 1, attempts = attempts + 1 "
                "WHERE id = ?",
                (ts(now), delivery_id),
            )
            self._target_update(
                db, delivery_id, "failures = 0, next_try = NULL, last_error = NULL, "
                "last_attempt = ?, last_success = ?", (ts(now), ts(now)),
            )  # fmt: skip

    def notify_failed(
        self, delivery_id: str, error: str, *, now: datetime, next_try: datetime
    ) -> None:
        with self._transaction() as db:
            db.execute(
                "UPDATE notify_outbox SET frozen = 1, attempts = attempts + 1 WHERE id = ?",
                (delivery_id,),
            )
            self._target_update(
                db, delivery_id, "failures = failures + 1, next_try = ?, last_error = ?, "
                "last_attempt = ?", (ts(next_try), error, ts(now)),
            )  # fmt: skip

    @staticmethod
    def _target_update(
        db: sqlite3.Connection, delivery_id: str, assignments: str, params: tuple[Any, ...]
    ) -> None:
        db.execute(
            f"UPDATE notify_targets SET {assignments} WHERE (topic, target) = "
            "(SELECT topic, target FROM notify_outbox WHERE id = ?)",
            (*params, delivery_id),
        )
