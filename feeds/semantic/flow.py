"""Bring the store's semantic matches up to date: embed what has no current vector, decide
each ``about`` topic's matches (feeds.topics.about), record them (feeds.store's
``SemanticStorage``). Wiring only; it decides nothing itself.

``update`` runs after an ingest and before a publish, and only when some topic has
``about``. It embeds, in batches, the entries that have no vector of the encoder for their
current hash (new ones, and changed ones: their matches are decided again), and matches
each topic on the stored vectors from where its matching stopped: a new ``about`` topic
covers the whole history, without embedding anything again. A topic whose encoder changed
starts again from the first entry.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from feeds.models import Config, Topic
from feeds.semantic.embedder import Embedder
from feeds.store.protocols import SemanticStoreType, StoreType, semantic_store
from feeds.store.values import START, Mark, Position
from feeds.topics.about import About, about_of, decide, similarities

__all__ = [
    "EMBED_BATCH", "MATCH_BATCH", "SemanticReport", "embed_missing", "from_bytes", "rank",
    "to_bytes", "update", "update_config",
]  # fmt: skip

log = logging.getLogger("feeds")

#: Texts embedded at once (the encoder is faster on a batch), vectors matched at once.
EMBED_BATCH, MATCH_BATCH = 64, 2000

#: ``progress(done, total)`` after each batch; ``total`` is an estimate (entries to look at).
ProgressFn = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class SemanticReport:
    #: Entries embedded.
    embedded: int = 0
    #: Vectors matched against the topics that were behind (a new topic: every entry).
    matched: int = 0


def to_bytes(vector: Any) -> bytes:
    """A vector as the store keeps it (little-endian float16: half the bytes of float32,
    similarities change in the third decimal at most)."""
    import numpy as np

    return bytes(np.asarray(vector, dtype="<f2").tobytes())


def from_bytes(blobs: Iterable[bytes]) -> Any:
    """Stored vectors as a float32 array, one row each."""
    import numpy as np

    rows = [np.frombuffer(b, dtype="<f2") for b in blobs]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), dtype=np.float32)


def update(
    store: SemanticStoreType,
    topics: Sequence[Topic],
    embedder: Embedder,
    *,
    progress: ProgressFn | None = None,
) -> SemanticReport:
    """See the module docstring. Does nothing when no topic has ``about``."""
    abouts = {a.key: a for t in topics if (a := about_of(t)) is not None}
    if not abouts:
        return SemanticReport()
    name = embedder.name
    sentences = {key: _sentences(embedder, a.sentences) for key, a in abouts.items()}
    upto = {key: _start(store, key, name) for key in abouts}
    embedded, covered = _embed_missing(store, embedder, abouts, sentences, upto, progress)
    matched = 0
    for key, about in abouts.items():
        matched += _catch_up(store, name, key, about, sentences[key], upto[key], progress)
    # Entries up to ``covered`` have vectors; the edits: this run's own matches too.
    if (now := Mark(covered, store.mark().edits)) != store.embedded_mark(name):
        store.save_embedded_mark(name, now)  # (a daemon's run with nothing new writes nothing)
    return SemanticReport(embedded, matched)


#: The vectors of each topic's sentences, by encoder: the daemon updates after every run.
_SENTENCES: dict[tuple[str, tuple[str, ...]], Any] = {}


def _sentences(embedder: Embedder, sentences: tuple[str, ...]) -> Any:
    key = (embedder.name, sentences)
    if key not in _SENTENCES:
        if len(_SENTENCES) > 1000:  # topics edited many times over in one process
            _SENTENCES.clear()
        _SENTENCES[key] = embedder.embed(list(sentences))
    return _SENTENCES[key]


def _start(store: SemanticStoreType, key: str, name: str) -> Position:
    """Where the matching of topic ``key`` stands (START: from the first entry)."""
    known = store.semantic_progress(key)
    if known is not None and known[0] != name:  # another encoder's matches: again
        store.forget_semantic(key)
        return START
    return known[1] if known is not None else START


def _embed_missing(
    store: SemanticStoreType,
    embedder: Embedder,
    abouts: dict[str, About],
    sentences: dict[str, Any],
    upto: dict[str, Position],
    progress: ProgressFn | None,
) -> tuple[int, Position]:
    """Embed every entry without a current vector; decide it again for the topics that
    had matched up to it (the others reach it in ``_catch_up``). How many, and the position
    up to which every entry has one now."""
    name = embedder.name
    seen, mark = store.embedded_mark(name), store.mark()
    # Nothing edited since the last run: only entries that arrived since can lack one.
    after = seen.rowid if seen is not None and seen.edits == mark.edits else START
    total, done = max(mark.rowid - after, 0), 0
    while rows := store.to_embed(name, after=after, limit=EMBED_BATCH):
        vectors = embedder.embed([text for _, _, text in rows])
        store.save_vectors(
            name, [(p, h, to_bytes(v)) for (p, h, _), v in zip(rows, vectors, strict=True)]
        )
        positions = [p for p, _, _ in rows]
        for key, about in abouts.items():
            verdicts = decide(similarities(vectors, sentences[key]), about.min_similarity)
            behind = [(p, m) for p, m in zip(positions, verdicts, strict=True) if p <= upto[key]]
            if behind:
                store.save_semantic(key, name, behind)
        after, done = positions[-1], done + len(rows)
        if progress is not None:
            progress(done, max(total, done))
    return done, max(mark.rowid, after)


def _catch_up(
    store: SemanticStoreType,
    name: str,
    key: str,
    about: About,
    sentences: Any,
    upto: Position,
    progress: ProgressFn | None,
) -> int:
    """Match topic ``key`` on the stored vectors after ``upto``; record how far it went."""
    total, done = max(store.mark().rowid - upto, 0), 0
    while rows := store.vectors(name, after=upto, limit=MATCH_BATCH):
        scores = similarities(from_bytes(b for _, _, b in rows), sentences)
        verdicts = decide(scores, about.min_similarity)
        upto = rows[-1][0]
        store.save_semantic(
            key, name, [(p, m) for (p, _, _), m in zip(rows, verdicts, strict=True)], upto=upto
        )
        done += len(rows)
        if progress is not None:
            progress(done, max(total, done))
    if store.semantic_progress(key) is None:  # nothing stored yet: started all the same
        store.save_semantic(key, name, [], upto=upto)
    return done


def embed_missing(
    store: SemanticStoreType, embedder: Embedder, progress: ProgressFn | None = None
) -> int:
    """Embed every entry that has no current vector (for ``feeds search --about``)."""
    done, covered = _embed_missing(store, embedder, {}, {}, {}, progress)
    store.save_embedded_mark(embedder.name, Mark(covered, store.mark().edits))
    return done


def rank(
    store: SemanticStoreType, embedder: Embedder, sentences: Sequence[str], *, limit: int
) -> list[tuple[float, str]]:
    """The ``limit`` stored entries nearest in meaning to any of ``sentences``: (similarity,
    entry id), nearest first. Reads the stored vectors only."""
    about = embedder.embed(list(sentences))
    best: list[tuple[float, str]] = []
    after = START
    while rows := store.vectors(embedder.name, after=after, limit=MATCH_BATCH):
        scores = similarities(from_bytes(b for _, _, b in rows), about)
        best.extend((float(s), entry_id) for (_, entry_id, _), s in zip(rows, scores, strict=True))
        best = sorted(best, key=lambda b: (-b[0], b[1]))[:limit]
        after = rows[-1][0]
    return best


def update_config(config: Config, store: StoreType) -> SemanticReport:
    """``update`` for ``config``'s topics with the configured encoder (the daemon's, after
    each run of a source): nothing, and no encoder loaded, when no topic has ``about``."""
    if not any(t.about for t in config.topics):
        return SemanticReport()
    from feeds.semantic.embedder import load_embedder

    report = update(semantic_store(store), config.topics, load_embedder())
    if report.embedded or report.matched:
        log.info("topics by meaning: %d embedded, %d matched", report.embedded, report.matched)
    return report
