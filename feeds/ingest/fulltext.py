"""Full text in the ingest flow (docs/full-text.md): a feed's entries get their article
pages' text as their content before they are stored, so topics, search and the published
feeds see the whole story.

Wiring only: which entries want their page and whether it is fetched again is
``feeds.decide.fulltext``'s call, fetching is ``feeds.sources.article``'s (extraction runs
in the parse pool's workers when the run has one, else in a thread), the entry with its
text is ``feeds.normalize.fulltext``'s. A page that cannot be had leaves its entry with the feed's
text; the failure is one of the source's problems (``feeds status``), never its failure.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from feeds.decide import fulltext as decide
from feeds.decide.fulltext import ArticleText
from feeds.errors import ArticleError
from feeds.ingest.parallel import NormalizedFeed, ParsePool
from feeds.models import Entry, Source
from feeds.normalize.fulltext import with_article
from feeds.sources.article import ArticleOptions, Articles, Extract, page_content
from feeds.sources.http import Fetcher
from feeds.store.protocols import FullTextStorage
from feeds.words import count

__all__ = ["FullTexts", "with_full_text"]

log = logging.getLogger("feeds")


@dataclass(frozen=True, slots=True)
class FullTexts:
    """A feed read with its articles: what to store, the tries to remember, the problems."""

    read: NormalizedFeed
    tried: tuple[ArticleText, ...] = ()


async def with_full_text(
    read: NormalizedFeed,
    source: Source,
    *,
    store: FullTextStorage,
    fetcher: Fetcher,
    now: datetime,
    pool: ParsePool | None = None,
) -> FullTexts:
    """``read`` with the article text of each entry that wants it (``source.full_text``);
    the tries made, to save with the entries (``store.save_article_texts``)."""
    wanting = (e for e in read.entries if decide.wants_article(source.full_text, e))
    firsts: dict[str, Entry] = {}
    for e in wanting:
        firsts.setdefault(e.id, e)  # a repeated id: the store keeps the first, so does this
    wanted = list(firsts.values())
    if not wanted:
        return FullTexts(read)
    known = store.article_texts(source.name, [e.id for e in wanted])
    articles = Articles(fetcher, extract=_extract_with(pool))
    options = ArticleOptions.of(source)
    tries = await asyncio.gather(
        *(_try(articles, options, e, known.get(e.id), now) for e in wanted)
    )
    records = {r.id: r for r in tries}
    entries, texts = [], []
    for entry, text in zip(read.entries, read.texts, strict=True):
        record = records.get(entry.id)
        if record is not None and record.failure is None and record.content:
            entry, text = with_article(entry, record.content)
        entries.append(entry)
        texts.append(text)
    problems = _problems(records.values())
    feed = replace(read.feed, problems=read.feed.problems + problems)
    fresh = tuple(r for r in tries if r is not known.get(r.id))
    return FullTexts(NormalizedFeed(feed, tuple(entries), tuple(texts)), fresh)


async def _try(
    articles: Articles,
    options: ArticleOptions,
    entry: Entry,
    record: ArticleText | None,
    now: datetime,
) -> ArticleText:
    """The record of ``entry``'s article after this run: the stored one, or a new try."""
    if decide.plan(record, entry.hash) != "fetch":
        assert record is not None
        return record
    stored = record.content if record is not None and record.failure is None else ""
    validators = (record.etag, record.last_modified) if stored and record else (None, None)
    try:
        article = await articles.fetch(
            entry.link, options, etag=validators[0], last_modified=validators[1]
        )
    except ArticleError as e:
        log.warning("source %s: full text of %s: %s", entry.source, entry.link, e.message)
        return decide.tried(record, entry, now, failure=e.message, permanent=e.permanent)
    content = stored if article.not_modified else article.content
    return decide.tried(
        record, entry, now, content=content, etag=article.etag, last_modified=article.last_modified
    )


def _extract_with(pool: ParsePool | None) -> Extract:
    """Extraction in the pool's workers, or in a thread without a pool (a daemon's run of
    one source: the event loop, which also serves public/, keeps its turns)."""
    if pool is None:

        async def in_thread(body: bytes, url: str, selector: str | None) -> str:
            return await asyncio.to_thread(page_content, body, url, selector)

        return in_thread

    async def in_pool(body: bytes, url: str, selector: str | None) -> str:
        return await pool.call(page_content, body, url, selector)

    return in_pool


def _problems(records: Iterable[ArticleText]) -> tuple[str, ...]:
    """One problem for the articles of this feed that have no text (or none)."""
    failed = [r for r in records if r.failure is not None]
    if not failed:
        return ()
    first = failed[0].failure
    return (f"full text: {count(len(failed), 'article')} without its page's text ({first})",)
