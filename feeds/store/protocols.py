"""The store's roles, as the pipeline sees them, whatever the backend (SQLite today,
PostgreSQL next): entries written and read, topic search, source state, the publish ledger,
article files, article pages' texts (full text) and upkeep. ``StoreType`` is all of them
(as lemon24/reader's StorageType). Values out are ``feeds.models`` or ``feeds.store.values``
dataclasses, never a backend's rows; a position in arrival order is a ``Position``.
``expression`` is a topic query as the backend searches it (today: the FTS5 MATCH text of
``feeds.topics.query.topic_expression``). Must not import a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, Self

from feeds.decide.articles import KnownFile
from feeds.decide.fulltext import ArticleText
from feeds.models import Entry, SourceState
from feeds.store.values import Mark, Match, Position, TopicRecord, UpsertResult


class EntryStorage(Protocol):
    """Entries in (one transaction per call, or per ``batch``) and out."""

    def batch(self) -> AbstractContextManager[None]: ...

    def upsert(
        self, entries: Iterable[Entry], *, now: datetime, texts: Sequence[str] | None = None
    ) -> UpsertResult: ...

    def holders(self, ids: Sequence[str]) -> dict[str, str]: ...

    def entry(self, entry_id: str) -> Entry | None: ...

    def entries(self, *, source: str | None = None, limit: int | None = None) -> list[Entry]: ...

    def entry_count(self) -> int: ...

    def count_entries(self) -> dict[str, int]: ...

    def texts(self, ids: Sequence[str]) -> dict[str, str]: ...

    def arrival_order(self, ids: Sequence[str]) -> dict[str, int]: ...


class SearchStorage(Protocol):
    """A topic's matches: newest first, or in arrival order after a position."""

    def search(self, expression: str, *, limit: int) -> list[Entry]: ...

    def search_rows(self, expression: str, *, limit: int) -> list[Match]: ...

    def search_after(
        self, expression: str, *, after: Position, limit: int
    ) -> list[tuple[Position, Entry]]: ...

    def search_after_rows(self, expression: str, *, after: Position, limit: int) -> list[Match]: ...

    def search_from(self, expression: str, *, start: Position, limit: int) -> list[Match]: ...

    def count(
        self, expression: str, *, after: Position = ..., upto: Position | None = None
    ) -> int: ...

    def matches_after(self, expression: str, rowid: Position) -> bool: ...

    def mark(self) -> Mark: ...

    def arrivals(self, expression: str, *, limit: int) -> list[tuple[Position, datetime]]: ...

    def tombstone_rows(self, expression: str, *, limit: int) -> list[tuple[str, str]]: ...


class SourceStorage(Protocol):
    """What each source's last fetch left."""

    def source_state(self, name: str, *, configured_url: str | None = None) -> SourceState: ...

    def save_source_state(self, state: SourceState, *, configured_url: str | None) -> None: ...

    def source_states(self) -> dict[str, SourceState]: ...


class PublishLedger(Protocol):
    """What was published: topic records, pages written, frozen archive pages, pings."""

    def topic_record(self, slug: str) -> TopicRecord | None: ...

    def save_topic_record(self, record: TopicRecord) -> None: ...

    def save_topic_state(
        self, slug: str, state: str, shown: int, *, mark: Mark, basis: str, pages: int
    ) -> None: ...

    def topic_slugs(self) -> list[str]: ...

    def forget_topic(self, slug: str) -> None: ...

    def pages_written(self) -> list[str]: ...

    def page_entries_to_write(self, written: Iterable[str] = ()) -> list[Entry]: ...

    def save_page_hashes(self, pages: dict[str, str]) -> None: ...

    def archive_pages(self, slug: str, series: str) -> list[Position]: ...

    def freeze_archive_page(
        self, slug: str, series: str, page: int, last_rowid: Position
    ) -> None: ...

    def pending_pings(self) -> list[tuple[str, str, int]]: ...

    def ping_failed(self, hub: str, topic_url: str, message: str) -> None: ...

    def ping_done(self, hub: str, topic_url: str) -> None: ...

    def gone_pages(self) -> list[str]: ...

    def orphan_pages(self) -> list[str]: ...

    def forget_pages(self, paths: Sequence[str]) -> None: ...


class ArticleStorage(Protocol):
    """Article folders: the files known, and retractions."""

    def known_files(self, source: str) -> list[KnownFile]: ...

    def save_known_files(self, source: str, files: Iterable[KnownFile]) -> None: ...

    def retract(self, ids: Sequence[str], *, when: str) -> list[str]: ...


class FullTextStorage(Protocol):
    """Full text: the last try of each entry's article page."""

    def article_texts(self, source: str, ids: Sequence[str]) -> dict[str, ArticleText]: ...

    def save_article_texts(self, texts: Iterable[ArticleText]) -> None: ...


class Upkeep(Protocol):
    """The store's own upkeep, and its small key-value table."""

    def meta(self, key: str, default: Callable[[], str]) -> str: ...

    def maintenance_due(self, now: datetime) -> bool: ...

    def maintain(self, now: datetime) -> None: ...

    def checkpoints_elsewhere(self) -> AbstractContextManager[None]: ...


class StoreType(
    EntryStorage,
    SearchStorage,
    SourceStorage,
    PublishLedger,
    ArticleStorage,
    FullTextStorage,
    Upkeep,
    Protocol,
):
    """The whole store: every role, opened and closed."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...
