"""An in-memory fake of the store (``feeds.store.protocols.StoreType``), for unit tests of
the flows that read and write it. It keeps entries in arrival order and answers selections
of bare words only (all of them in the entry's title or text, any case): what the contract
test (tests/test_store_contract.py) holds it to, next to the SQLite store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from datetime import UTC, datetime

from feeds.decide.articles import KnownFile
from feeds.decide.entries import changed_entry, first_of_each, maintenance_due
from feeds.decide.fulltext import ArticleText
from feeds.decide.notify import AlertEntry, Delivery, TargetState
from feeds.models import Entry, SourceState
from feeds.normalize.text import body_text
from feeds.store.values import START, Mark, Match, Position, TopicRecord, UpsertResult
from feeds.topics.parser import And, Term
from feeds.topics.selection import Selection

#: Earlier than any retraction (sorting).
START_TIME = datetime.min.replace(tzinfo=UTC)


@dataclass
class _Stored:
    entry: Entry
    position: Position
    first_seen: datetime
    retracted: datetime | None = None


def _words(entry: Entry) -> set[str]:
    text = f"{entry.title} {body_text(entry.summary, entry.content)}"
    return set(re.findall(r"\w+", text.lower()))


def _words_of(selection: Selection) -> set[str]:
    """The words a selection of bare words (``chad niger``) asks for; nothing else is
    understood here."""
    root = selection.query.root
    leaves = root.children if isinstance(root, And) else (root,)
    if (
        selection.exclude
        or selection.languages
        or not all(
            isinstance(leaf, Term) and leaf.field is None and not leaf.prefix for leaf in leaves
        )
    ):
        raise NotImplementedError(f"the fake store answers bare words only: {selection.text}")
    return {token for leaf in leaves if isinstance(leaf, Term) for token in leaf.tokens}


def _entry_of(stored: tuple[object, ...]) -> Entry:
    return Entry(*stored)  # type: ignore[arg-type]


@dataclass
class FakeStore:
    """Every role of the store, in dicts and lists (see the module docstring)."""

    _entries: dict[str, _Stored] = field(default_factory=dict)
    _edits: int = 0
    _sources: dict[str, tuple[SourceState, str | None]] = field(default_factory=dict)
    _topics: dict[str, TopicRecord] = field(default_factory=dict)
    _pages: dict[str, str] = field(default_factory=dict)
    _archives: dict[tuple[str, str], dict[int, Position]] = field(default_factory=dict)
    _pings: dict[tuple[str, str], int] = field(default_factory=dict)
    _files: dict[str, list[KnownFile]] = field(default_factory=dict)
    _meta: dict[str, str] = field(default_factory=dict)
    _article_texts: dict[tuple[str, str], ArticleText] = field(default_factory=dict)
    _maintained: tuple[datetime, int] | None = None
    _targets: dict[tuple[str, str], TargetState] = field(default_factory=dict)
    _seen: set[tuple[str, str, str]] = field(default_factory=set)
    _outbox: list[Delivery] = field(default_factory=list)
    _sent: set[str] = field(default_factory=set)
    #: (encoder, position) → (the entry's hash, vector); topic key → matches; progress.
    _vectors: dict[tuple[str, Position], tuple[str, bytes]] = field(default_factory=dict)
    _semantic: dict[str, set[Position]] = field(default_factory=dict)
    _progress: dict[str, tuple[str, Position]] = field(default_factory=dict)
    _embedded: dict[str, Mark] = field(default_factory=dict)

    # -- opening and closing -----------------------------------------------------------

    def close(self) -> None:
        pass

    def __enter__(self) -> FakeStore:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    @contextmanager
    def batch(self) -> Iterator[None]:
        yield

    @contextmanager
    def opener(self) -> None:
        """No other connection sees a fake (it is in memory)."""
        return None

    def checkpoints_elsewhere(self) -> Iterator[None]:
        yield

    # -- entries -------------------------------------------------------------------------

    def upsert(
        self, entries: Iterable[Entry], *, now: datetime, texts: Sequence[str] | None = None
    ) -> UpsertResult:
        new: list[str] = []
        changed: list[str] = []
        batch = first_of_each(entries, texts)
        for entry, _ in batch:
            known = self._entries.get(entry.id)
            if known is None:
                position = Position(len(self._entries) + 1)
                self._entries[entry.id] = _Stored(entry, position, now)
                new.append(entry.id)
            elif known.entry.hash != entry.hash or known.retracted:
                old = known.entry
                known.entry = changed_entry(
                    entry, published=old.published, updated=old.updated, now=now
                )
                known.retracted = None
                self._edits += 1
                changed.append(entry.id)
        return UpsertResult(tuple(new), tuple(changed), len(batch) - len(new) - len(changed))

    def _live(self) -> list[_Stored]:
        return [s for s in self._entries.values() if s.retracted is None]

    def holders(self, ids: Sequence[str]) -> dict[str, str]:
        return {i: self._entries[i].entry.source for i in ids if i in self._entries}

    def entry(self, entry_id: str) -> Entry | None:
        stored = self._entries.get(entry_id)
        return stored.entry if stored else None

    def entries(self, *, source: str | None = None, limit: int | None = None) -> list[Entry]:
        found = [s.entry for s in self._live() if source is None or s.entry.source == source]
        return _newest_first(found)[:limit]

    def entry_count(self) -> int:
        return len(self._entries)

    def count_entries(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self._live():
            counts[s.entry.source] = counts.get(s.entry.source, 0) + 1
        return counts

    def texts(self, ids: Sequence[str]) -> dict[str, str]:
        found = (self._entries[i].entry for i in ids if i in self._entries)
        return {e.id: body_text(e.summary, e.content) for e in found}

    def arrival_order(self, ids: Sequence[str]) -> dict[str, int]:
        return {i: int(self._entries[i].position) for i in ids if i in self._entries}

    # -- search --------------------------------------------------------------------------

    def _matching(self, selection: Selection) -> list[_Stored]:
        """In arrival order."""
        words = _words_of(selection)  # with ``about`` alone: none, every entry
        found = [s for s in self._live() if words <= _words(s.entry)]
        if selection.about is not None:
            matches = self._semantic.get(selection.about.key, set())
            found = [s for s in found if s.position in matches]
        return found

    def _match(self, s: _Stored) -> Match:
        return Match(s.position, s.entry.id, astuple(s.entry), _entry_of)

    def search(self, selection: Selection, *, limit: int) -> list[Entry]:
        return [m.entry() for m in self.search_rows(selection, limit=limit)]

    def search_rows(self, selection: Selection, *, limit: int) -> list[Match]:
        found = sorted(self._matching(selection), key=lambda s: s.entry.id)
        found.sort(key=lambda s: s.entry.published, reverse=True)
        return [self._match(s) for s in found[: max(limit, 0)]]

    def search_after(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[tuple[Position, Entry]]:
        rows = self.search_after_rows(selection, after=after, limit=limit)
        return [(m.position, m.entry()) for m in rows]

    def search_after_rows(
        self, selection: Selection, *, after: Position, limit: int
    ) -> list[Match]:
        found = [s for s in self._matching(selection) if s.position > after]
        return [self._match(s) for s in found[:limit]]

    def search_from(self, selection: Selection, *, start: Position, limit: int) -> list[Match]:
        found = [s for s in self._matching(selection) if s.position >= start]
        return [self._match(s) for s in found[:limit]]

    def count(
        self, selection: Selection, *, after: Position = START, upto: Position | None = None
    ) -> int:
        found = self._matching(selection)
        return sum(1 for s in found if after < s.position and (upto is None or s.position <= upto))

    def matches_after(self, selection: Selection, rowid: Position) -> bool:
        return any(s.position > rowid for s in self._matching(selection))

    def mark(self) -> Mark:
        return Mark(Position(len(self._entries)), self._edits)

    def arrivals(self, selection: Selection, *, limit: int) -> list[tuple[Position, datetime]]:
        found = self._matching(selection)[::-1][:limit]
        return [(s.position, s.first_seen) for s in found]

    def touched(self, selections: Mapping[str, Selection], ids: Sequence[str]) -> set[str]:
        wanted = set(ids)
        found = set()
        for slug, selection in selections.items():
            words = _words_of(selection)
            if any(
                s.entry.id in wanted and words <= _words(s.entry) for s in self._entries.values()
            ):
                found.add(slug)
        return found

    def tombstone_rows(self, selection: Selection, *, limit: int) -> list[tuple[str, str]]:
        words = _words_of(selection)
        gone = [s for s in self._entries.values() if s.retracted and words <= _words(s.entry)]
        if selection.about is not None:
            gone = [s for s in gone if s.position in self._semantic.get(selection.about.key, ())]
        gone.sort(key=lambda s: s.entry.id)
        gone.sort(key=lambda s: s.retracted or START_TIME, reverse=True)
        return [(s.entry.id, s.retracted) for s in gone[:limit] if s.retracted is not None]

    # -- sources -------------------------------------------------------------------------

    def source_state(self, name: str, *, configured_url: str | None = None) -> SourceState:
        known = self._sources.get(name)
        if known is None or known[1] != configured_url:
            return SourceState(name=name, url=configured_url)
        return known[0]

    def save_source_state(self, state: SourceState, *, configured_url: str | None) -> None:
        self._sources[state.name] = (replace(state, entries=0), configured_url)

    def source_states(self) -> dict[str, SourceState]:
        counts = self.count_entries()
        return {
            name: replace(state, entries=counts.get(name, 0))
            for name, (state, _) in sorted(self._sources.items())
        }

    # -- publish ledger ------------------------------------------------------------------

    def topic_record(self, slug: str) -> TopicRecord | None:
        return self._topics.get(slug)

    def save_topic_record(self, record: TopicRecord) -> None:
        self._topics[record.slug] = replace(record, mark=None, basis=None, pages=0)

    def save_topic_state(
        self, slug: str, state: str, shown: int, *, mark: Mark, basis: str, pages: int
    ) -> None:
        record = self._topics[slug]
        self._topics[slug] = replace(
            record, state=state, shown=shown, mark=mark, basis=basis, pages=pages
        )

    def topic_slugs(self) -> list[str]:
        return sorted(self._topics)

    def forget_topic(self, slug: str) -> None:
        self._topics.pop(slug, None)

    def pages_written(self) -> list[str]:
        live = self._live()
        return [
            s.entry.page
            for s in live
            if s.entry.page and self._pages.get(s.entry.page) == s.entry.hash
        ]

    def page_entries_to_write(self, written: Iterable[str] = ()) -> list[Entry]:
        missing = set(written)
        return [
            s.entry
            for s in self._live()
            if s.entry.page
            and (self._pages.get(s.entry.page) != s.entry.hash or s.entry.page in missing)
        ]

    def save_page_hashes(self, pages: dict[str, str]) -> None:
        self._pages.update(pages)

    def archive_pages(self, slug: str, series: str) -> list[Position]:
        pages = self._archives.get((slug, series), {})
        return [pages[p] for p in sorted(pages)]

    def freeze_archive_page(self, slug: str, series: str, page: int, last_rowid: Position) -> None:
        self._archives.setdefault((slug, series), {}).setdefault(page, last_rowid)

    def pending_pings(self) -> list[tuple[str, str, int]]:
        return [(hub, url, n) for (hub, url), n in sorted(self._pings.items())]

    def ping_failed(self, hub: str, topic_url: str, message: str) -> None:
        self._pings[(hub, topic_url)] = self._pings.get((hub, topic_url), 0) + 1

    def ping_done(self, hub: str, topic_url: str) -> None:
        self._pings.pop((hub, topic_url), None)

    def gone_pages(self) -> list[str]:
        live = {s.entry.page for s in self._live()}
        gone = {s.entry.page for s in self._entries.values() if s.retracted and s.entry.page}
        return sorted(p for p in gone - live if p)

    def orphan_pages(self) -> list[str]:
        live = {s.entry.page for s in self._live()}
        return sorted(p for p in self._pages if p not in live)

    def forget_pages(self, paths: Sequence[str]) -> None:
        for path in paths:
            self._pages.pop(path, None)

    # -- article files -------------------------------------------------------------------

    def known_files(self, source: str) -> list[KnownFile]:
        return sorted(self._files.get(source, []), key=lambda f: f.path)

    def save_known_files(self, source: str, files: Iterable[KnownFile]) -> None:
        self._files[source] = list(files)

    def retract(self, ids: Sequence[str], *, when: datetime) -> list[str]:
        done = []
        for entry_id in ids:
            stored = self._entries.get(entry_id)
            if stored is not None and stored.retracted is None:
                stored.retracted = when
                self._edits += 1
                done.append(entry_id)
        return done

    # -- full text -----------------------------------------------------------------------

    def article_texts(self, source: str, ids: Sequence[str]) -> dict[str, ArticleText]:
        found = ((i, self._article_texts.get((source, i))) for i in ids)
        return {i: t for i, t in found if t is not None}

    def save_article_texts(self, texts: Iterable[ArticleText]) -> None:
        self._article_texts.update(((t.source, t.id), t) for t in texts)

    # -- upkeep --------------------------------------------------------------------------

    def meta(self, key: str, default: Callable[[], str]) -> str:
        return self._meta.setdefault(key, default())

    def maintenance_due(self, now: datetime) -> bool:
        last, upto = self._maintained or (None, None)
        return maintenance_due(now, entries=self.entry_count(), last=last, upto=upto)

    def maintain(self, now: datetime) -> None:
        self._maintained = (now, self.entry_count())

    # -- alerts (#18) --------------------------------------------------------------------

    def notify_target(self, topic: str, target: str) -> TargetState | None:
        return self._targets.get((topic, target))

    def notify_add_target(self, state: TargetState, first: Delivery | None) -> None:
        key = (state.topic, state.target)
        if key not in self._targets:
            self._targets[key] = replace(state, failures=0, next_try=None, last_error=None)
            if first is not None:
                self._outbox.append(first)

    def notify_seen(self, topic: str, target: str, ids: Sequence[str]) -> set[str]:
        return {i for i in ids if (topic, target, i) in self._seen}

    def notify_collect(
        self, topic: str, target: str, entries: Sequence[AlertEntry], seen: Sequence[str],
        *, new_id: str, now: datetime, due: datetime,
    ) -> None:  # fmt: skip
        self._seen.update((topic, target, i) for i in [*seen, *(e.id for e in entries)])
        if not entries:
            return
        for index, d in enumerate(self._outbox):
            open_ = d.kind == "alert" and not d.frozen and d.id not in self._sent
            if open_ and (d.topic, d.target) == (topic, target):
                known = {e.id for e in d.entries}
                more = d.entries + tuple(e for e in entries if e.id not in known)
                self._outbox[index] = replace(d, entries=more)
                return
        self._outbox.append(Delivery(new_id, topic, target, "alert", now, due, tuple(entries)))

    def notify_pending(self, topic: str, target: str) -> list[Delivery]:
        found = [d for d in self._outbox if (d.topic, d.target) == (topic, target)]
        return sorted((d for d in found if d.id not in self._sent), key=lambda d: (d.created, d.id))

    def _delivery(self, delivery_id: str, **changes: object) -> Delivery:
        index = next(i for i, d in enumerate(self._outbox) if d.id == delivery_id)
        self._outbox[index] = replace(self._outbox[index], **changes)  # type: ignore[arg-type]
        return self._outbox[index]

    def notify_freeze(self, delivery_id: str) -> None:
        self._delivery(delivery_id, frozen=True)

    def notify_sent(self, delivery_id: str, *, now: datetime) -> None:
        d = self._outbox[next(i for i, d in enumerate(self._outbox) if d.id == delivery_id)]
        d = self._delivery(delivery_id, frozen=True, attempts=d.attempts + 1)
        self._sent.add(delivery_id)
        key = (d.topic, d.target)
        self._targets[key] = replace(
            self._targets[key], failures=0, next_try=None, last_error=None, last_attempt=now,
            last_success=now,
        )  # fmt: skip

    def notify_failed(
        self, delivery_id: str, error: str, *, now: datetime, next_try: datetime
    ) -> None:
        d = self._outbox[next(i for i, d in enumerate(self._outbox) if d.id == delivery_id)]
        d = self._delivery(delivery_id, frozen=True, attempts=d.attempts + 1)
        key = (d.topic, d.target)
        t = self._targets[key]
        self._targets[key] = replace(
            t, failures=t.failures + 1, next_try=next_try, last_error=error, last_attempt=now
        )

    # -- topics by meaning -------------------------------------------------------------------

    def to_embed(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, str]]:
        rows = [
            (
                s.position,
                s.entry.hash,
                f"{s.entry.title}\n{body_text(s.entry.summary, s.entry.content)}".strip(),
            )
            for s in self._live()
            if s.position > after
            and self._vectors.get((embedder, s.position), ("",))[0] != s.entry.hash
        ]
        return rows[:limit]

    def save_vectors(self, embedder: str, vectors: Sequence[tuple[Position, str, bytes]]) -> None:
        for position, digest, vector in vectors:
            self._vectors[embedder, position] = (digest, vector)

    def vectors(
        self, embedder: str, *, after: Position, limit: int
    ) -> list[tuple[Position, str, bytes]]:
        rows = [
            (s.position, s.entry.id, self._vectors[embedder, s.position][1])
            for s in self._live()
            if s.position > after and (embedder, s.position) in self._vectors
        ]
        return rows[:limit]

    def vectors_of(self, embedder: str, ids: Sequence[str]) -> dict[str, bytes]:
        found = {}
        for i in ids:
            s = self._entries.get(i)
            kept = self._vectors.get((embedder, s.position)) if s else None
            if s and kept and kept[0] == s.entry.hash:
                found[i] = kept[1]
        return found

    def embedded_mark(self, embedder: str) -> Mark | None:
        return self._embedded.get(embedder)

    def save_embedded_mark(self, embedder: str, mark: Mark) -> None:
        self._embedded[embedder] = mark

    def semantic_progress(self, topic: str) -> tuple[str, Position] | None:
        return self._progress.get(topic)

    def save_semantic(
        self,
        topic: str,
        embedder: str,
        decided: Sequence[tuple[Position, bool]],
        *,
        upto: Position | None = None,
    ) -> None:
        matches = self._semantic.setdefault(topic, set())
        before = set(matches)
        matches.update(p for p, match in decided if match)
        matches.difference_update(p for p, match in decided if not match)
        self._edits += matches != before
        if upto is not None:
            self._progress[topic] = (embedder, upto)

    def forget_semantic(self, topic: str) -> None:
        self._semantic.pop(topic, None)
        self._progress.pop(topic, None)
        self._edits += 1


def _newest_first(entries: list[Entry]) -> list[Entry]:
    found = sorted(entries, key=lambda e: e.id)
    found.sort(key=lambda e: e.published, reverse=True)
    return found
