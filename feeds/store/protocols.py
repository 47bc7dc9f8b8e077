"""The store's roles, as the pipeline sees them, whatever the backend (SQLite today,
PostgreSQL next): entries written and read, topic search, source state, the publish ledger,
article files, article pages' texts (full text), upkeep and alerts. ``StoreType`` is all
of them (as lemon24/reader's StorageType). Values out are ``feeds.models`` or
``feeds.store.values`` dataclasses, never a backend's rows; a position in arrival order is
a ``Position``. What a topic selects comes as a ``feeds.topics.selection.Selection`` (the
query's AST), which each backend compiles to its own search. Must not import a backend.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Protocol, Self, cast, runtime_checkable

from feeds.decide.articles import KnownFile
from feeds.decide.fulltext import ArticleText
from feeds.decide.notify import AlertEntry, Delivery, TargetState
from feeds.errors import StoreError
from feeds.models import Entry, SourceState
from feeds.store.values import Mark, Match, Position, TopicRecord, UpsertResult
from feeds.topics.selection import Selection


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

    def search(self, selection: Selection, *, limit: int) -> list[Entry]: ...

    def search_rows(self, selection: Selection, *, limit: int) -> list[Match]: ...

    def search_after(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[tuple[Position, Entry]]: ...

    def search_after_rows(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[Match]: ...

    def search_from(self, selection: Selection, *, start: Position, limit: int) -> list[Match]: ...

    def count(
        self, selection: Selection, *, after: Position = ..., upto: Position | None = None
    ) -> int: ...

    def matches_after(self, selection: Selection, rowid: Position) -> bool: ...

    def mark(self) -> Mark: ...

    def arrivals(self, selection: Selection, *, limit: int) -> list[tuple[Position, datetime]]: ...

    def tombstone_rows(self, selection: Selection, *, limit: int) -> list[tuple[str, datetime]]: ...

    def touched(self, selections: Mapping[str, Selection], ids: Sequence[str]) -> set[str]:
        """The keys of ``selections`` (none with ``about``) that select at least one of the
        entries ``ids`` (a retracted one: as it was): a publish in proportion to change."""
        ...


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

    def retract(self, ids: Sequence[str], *, when: datetime) -> list[str]: ...


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

    def opener(self) -> Callable[[], StoreType] | None:
        """A picklable way to open the same store again (for a thread or a worker process of
        its own), or None when no other connection can see it (an in-memory store)."""
        ...


class NotifyStorage(Protocol):
    """Alerts (#18, ``feeds.decide.notify``): each (topic, target)'s state, the entries it
    has seen, and its deliveries (an outbox: recorded before they are sent). ``target`` is
    ``feeds.decide.notify.target_key(url)``, never the URL."""

    def notify_target(self, topic: str, target: str) -> TargetState | None: ...

    def notify_add_target(self, state: TargetState, first: Delivery | None) -> None:
        """A new target and its first delivery, in one transaction (nothing if it exists)."""

    def notify_seen(self, topic: str, target: str, ids: Sequence[str]) -> set[str]:
        """Those of ``ids`` the target has seen."""

    def notify_collect(
        self, topic: str, target: str, entries: Sequence[AlertEntry], seen: Sequence[str],
        *, new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        """In one transaction: ``seen`` (and the ids of ``entries``) recorded as seen by the
        target, and ``entries`` added to its open alert delivery (or to a new one, ``new_id``,
        due at ``due``), but those it holds already."""

    def notify_pending(self, topic: str, target: str) -> list[Delivery]:
        """The target's deliveries not sent yet, oldest first."""

    def notify_freeze(self, delivery_id: str) -> None:
        """The delivery is about to be tried: its entries are fixed from now on."""

    def notify_sent(self, delivery_id: str, *, now: datetime) -> None:
        """Sent: the delivery is done, its target's failures are over."""

    def notify_failed(
        self, delivery_id: str, error: str, *, now: datetime, next_try: datetime
    ) -> None:
        """One more failure of the delivery's target; not tried again before ``next_try``."""


@runtime_checkable
class SemanticStorage(Protocol):
    """Topics by meaning (#21): entry vectors per encoder (opaque bytes, made from the
    entry's hash they carry), and each ``about`` topic's matches by its key, which a
    ``Selection`` with ``about`` then selects among. Which entries match is decided outside
    the store (feeds.topics.about). Recording or removing a match counts as an edit in the
    store's ``Mark``."""

    def to_embed(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, str]]: ...

    def save_vectors(
        self, embedder: str, vectors: Sequence[tuple[Position, str, bytes]]
    ) -> None: ...

    def vectors(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, bytes]]: ...

    def vectors_of(self, embedder: str, ids: Sequence[str]) -> dict[str, bytes]: ...

    def embedded_mark(self, embedder: str) -> Mark | None: ...

    def save_embedded_mark(self, embedder: str, mark: Mark) -> None: ...

    def semantic_progress(self, topic: str) -> tuple[str, Position] | None: ...

    def save_semantic(
        self,
        topic: str,
        embedder: str,
        decided: Sequence[tuple[Position, bool]],
        *,
        upto: Position | None = None,
    ) -> None: ...

    def forget_semantic(self, topic: str) -> None: ...


class StoreType(
    EntryStorage,
    SearchStorage,
    SourceStorage,
    PublishLedger,
    ArticleStorage,
    FullTextStorage,
    Upkeep,
    NotifyStorage,
    Protocol,
):
    """The whole store: every role, opened and closed."""

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class SemanticStoreType(StoreType, SemanticStorage, Protocol):
    """A store that also holds topics by meaning (#21): the SQLite store; the PostgreSQL
    store does not hold entry vectors yet."""


def semantic_store(store: StoreType) -> SemanticStoreType:
    """``store`` as one that holds topics by meaning; StoreError if it does not."""
    if not isinstance(store, SemanticStorage):
        raise StoreError(
            "topics by meaning (`about`) need the SQLite store for now: this store does not "
            "hold entry vectors (drop `about`, or use the SQLite store)"
        )
    return cast(SemanticStoreType, store)
