"""Why an entry is, or is not, in each topic: the text behind ``feeds explain``.

Loads the entry (from the store, or an article file normalized as the ingest would) and
evaluates each topic's query on it with ``feeds.topics.query.explain_topic``. Reads; never writes.
"""

from __future__ import annotations

from pathlib import Path

from feeds.errors import ParseError
from feeds.ingest.flow import id_authority, utcnow
from feeds.models import Config, Entry, Source
from feeds.normalize.entry import normalize
from feeds.normalize.text import body_text
from feeds.sources.articles import read_article
from feeds.store.protocols import StoreType
from feeds.topics.query import Document, explain_topic


def load_entry(
    config: Config, store: StoreType, *, entry_id: str | None = None, file: Path | None = None
) -> Entry | None:
    """The stored entry ``entry_id`` (None if there is none: the caller's usage error), or
    the entry the article ``file`` would become."""
    if entry_id is not None:
        return store.entry(entry_id)
    assert file is not None
    source = _source_of(config, file.resolve())
    assert source.path is not None
    item = read_article(file.resolve(), root=source.path)
    if item is None:
        raise ParseError(f"{file}: not an article file")
    return normalize(
        item,
        source=source,
        now=utcnow(),
        id_authority=id_authority(config, store),
        languages=config.settings.languages,
        site_base=config.settings.base_url,
    )


def _source_of(config: Config, file: Path) -> Source:
    """The articles source whose folder holds ``file``, else a stand-in for its folder."""
    for source in config.sources:
        if source.kind == "articles" and source.path and file.is_relative_to(source.path):
            return source
    return Source(name="file", kind="articles", path=file.parent)


def document(entry: Entry) -> Document:
    return Document(
        title=entry.title,
        body=body_text(entry.summary, entry.content),
        lang=entry.language,
        source=entry.source,
        categories=entry.categories,
    )


def explain_entry(config: Config, entry: Entry) -> list[str]:
    """One block of lines per topic: matched or not, and by which terms."""
    doc = document(entry)
    lines = []
    for topic in config.topics:
        result = explain_topic(topic.query, topic.exclude, topic.languages, doc)
        mark = "MATCH" if result.matched else "no   "
        lines.append(f"{mark} {topic.slug} ({topic.title})")
        lines.extend(f"      {line}" for line in result.render().splitlines())
    return lines
