"""The PostgreSQL store's row codec: the entry columns it reads, and Matches and source
states from its rows. Times are kept as the SQLite store keeps them (``feeds.clock.ts``
text: fixed width, sorted as bytes), so both stores read and write entries with the same
codec (``feeds.store.sqlite.values``). No SQL runs here.
"""

from __future__ import annotations

from typing import Any

from feeds.models import SourceState
from feeds.store.sqlite.values import ENTRY_COLUMNS, entry_of_stored, entry_row, parse_ts, ts
from feeds.store.values import Match, Position

__all__ = [
    "ENTRY_COLUMNS",
    "SOURCE_COLUMNS",
    "entry_of_stored",
    "entry_row",
    "match_of_row",
    "parse_ts",
    "state_of_row",
    "ts",
]

#: The columns of ``sources`` a SourceState is read from, in ``state_of_row``'s order.
SOURCE_COLUMNS = (
    "name, url, etag, last_modified, body_hash, last_attempt, last_success, status, message, "
    "failures, next_due, retry_after"
)


def match_of_row(r: tuple[Any, ...]) -> Match:
    """A match from a row of ``pos, {ENTRY_COLUMNS}``."""
    return Match(Position(int(r[0])), str(r[1]), tuple(r[1:]), entry_of_stored)


def state_of_row(r: tuple[Any, ...]) -> SourceState:
    """A source state from a row of ``SOURCE_COLUMNS``."""
    name, url, etag, last_modified, body_hash, attempt, success, status, message = r[:9]
    failures, next_due, retry_after = r[9:]
    return SourceState(
        name=name, url=url, etag=etag, last_modified=last_modified, body_hash=body_hash,
        last_attempt=parse_ts(attempt), last_success=parse_ts(success), status=status,
        message=message, failures=failures, next_due=parse_ts(next_due),
        retry_after=parse_ts(retry_after),
    )  # fmt: skip
