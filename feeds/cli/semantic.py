"""Topics by meaning at the command line (#21): the matches brought up to date before a
publish (with a progress bar on a terminal), each entry's similarity to each ``about``
topic for ``feeds explain``, and ``feeds search --about``. Loads the encoder only when a
topic has ``about`` (or ``--about`` is given).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence

from feeds.cli.common import Obj, is_terminal
from feeds.cli.terminal import Progress
from feeds.models import Config, Entry
from feeds.store.protocols import StoreType, semantic_store
from feeds.topics.about import about_of, similarities

log = logging.getLogger("feeds")


def bring_up_to_date(obj: Obj, store: StoreType) -> None:
    """Embed what needs it and record each ``about`` topic's matches (none: nothing)."""
    config = obj.config
    if not any(t.about for t in config.topics):
        return
    from feeds.semantic.embedder import load_embedder
    from feeds.semantic.flow import update

    embedder = load_embedder()
    with _Bar(not obj.quiet and is_terminal(sys.stderr), "matching by meaning") as bar:
        report = update(semantic_store(store), config.topics, embedder, progress=bar)
    log.info("topics by meaning: %d embedded, %d matched", report.embedded, report.matched)


class _Bar:
    """A progress bar (``feeds.cli.terminal.Progress``) shown once there is work to show."""

    def __init__(self, bar: bool, label: str) -> None:
        self.bar, self.label = bar, label
        self.progress: Progress | None = None

    def __enter__(self) -> _Bar:
        return self

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            self.progress = Progress(max(total, 2), bar=self.bar, label=self.label).__enter__()
        self.progress.to(done, total)

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)


def explain_lines(config: Config, store: StoreType, entry: Entry) -> dict[str, tuple[float, float]]:
    """For each ``about`` topic's slug: the entry's similarity to its nearest sentence, and
    the threshold."""
    abouts = {t.slug: a for t in config.topics if (a := about_of(t)) is not None}
    if not abouts:
        return {}
    from feeds.semantic.embedder import load_embedder
    from feeds.semantic.flow import from_bytes

    embedder = load_embedder()
    stored = semantic_store(store).vectors_of(embedder.name, [entry.id])
    if entry.id in stored:
        vector = from_bytes([stored[entry.id]])
    else:  # not stored (yet): embedded here, as the ingest would
        from feeds.cli.explain import document

        doc = document(entry)
        vector = embedder.embed([f"{doc.title}\n{doc.body}"])
    return {
        slug: (float(similarities(vector, embedder.embed(list(a.sentences)))[0]), a.min_similarity)
        for slug, a in abouts.items()
    }


def search_about(obj: Obj, sentences: Sequence[str], limit: int) -> Iterator[str]:
    """``feeds search --about``: the stored entries nearest in meaning, nearest first."""
    from feeds.semantic.embedder import load_embedder
    from feeds.semantic.flow import embed_missing, rank
    from feeds.topics.about import DEFAULT_MIN_SIMILARITY

    embedder = load_embedder()
    with obj.writing() as opened:  # entries never embedded are, first
        store = semantic_store(opened)
        with _Bar(not obj.quiet and is_terminal(sys.stderr), "embedding") as bar:
            embed_missing(store, embedder, bar)
        ranked = rank(store, embedder, sentences, limit=limit)
        entries = [(score, store.entry(entry_id)) for score, entry_id in ranked]
    for score, entry in entries:
        if entry is None:
            continue
        mark = "*" if score >= DEFAULT_MIN_SIMILARITY else " "
        yield f"{score:6.3f}{mark} {entry.published:%Y-%m-%d}  {entry.source:<16} {entry.title}"
        yield f"{'':37}{entry.id}"
    if not entries:
        yield "no stored entry (see `feeds status` for what is stored)"
    else:
        yield f"* similarity ≥ {DEFAULT_MIN_SIMILARITY} (the default min_similarity)"
