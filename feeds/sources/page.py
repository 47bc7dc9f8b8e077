"""Read a ``page`` source: its page and the pages its ``next`` link leads to, politely.

The first page is fetched conditionally (ETag, Last-Modified and the body's hash, as a
feed is): unchanged, nothing is read further. The hash kept on the source (its state's
``body_hash``) is ``<rules>:<body>``, two digests: when the source's selectors change, the
validators are not sent and the page is read again, whatever the server says of it.
Then the ``next`` links are followed, one page at a time, up to the source's
``max_pages``, on the first page's host only, never the same page twice. Every request
goes through the project's Fetcher (per-host limits, timeouts, body limit); nothing here
parses HTML itself (feeds.parse.page does).

What the first page does decides the run: a failed fetch, or an ``items`` selector that
matches nothing there, fails the source. A later page that fails ends the walk with a
problem told on the source; the items read so far are kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from feeds.errors import FetchError, ParseError
from feeds.models import PageRules, ParsedFeed, RawItem
from feeds.parse.page import PageRead, parse_page
from feeds.sources.fetch_types import FetchResult
from feeds.sources.http import Fetcher

__all__ = ["PagesRead", "read_pages"]


@dataclass(frozen=True, slots=True)
class PagesRead:
    """The first page's answer (validators, body hash, max-age) and the items of the walk."""

    first: FetchResult
    #: None when the first page is unchanged since last time (and the rules too).
    feed: ParsedFeed | None
    #: What to keep as the source's ``body_hash`` (see the module rule); None on a 304.
    digest: str | None = None
    #: Pages read.
    pages: int = 0


async def read_pages(
    fetcher: Fetcher,
    url: str,
    rules: PageRules,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    body_hash: str | None = None,
) -> PagesRead:
    """The items of the page at ``url`` and of its next pages (see the module rule);
    ``etag``, ``last_modified`` and ``body_hash`` are what the source's state kept.

    Raises FetchError or ParseError for the first page.
    """
    ruled = _rules_digest(rules)
    if not (body_hash or "").startswith(f"{ruled}:"):  # new rules: read the page anew
        etag = last_modified = body_hash = None
    first = await fetcher.fetch(
        url, etag=etag, last_modified=last_modified,
        body_hash=body_hash.partition(":")[2] if body_hash else None, discover=False,
    )  # fmt: skip
    if first.not_modified or first.body is None:
        return PagesRead(first, None)
    read = parse_page(first.body, first.final_url, rules, content_type=first.content_type)
    feed, pages = await _walk(fetcher, read, first.final_url, rules)
    return PagesRead(first, feed, f"{ruled}:{first.body_hash}", pages)


async def _walk(
    fetcher: Fetcher, read: PageRead, url: str, rules: PageRules
) -> tuple[ParsedFeed, int]:
    """The first page's ``read`` (from ``url``) with the items of the pages after it, and
    how many pages were read."""
    items, problems = list(read.feed.items), list(read.feed.problems)
    visited = {url}
    next_url, host = read.next_url, urlsplit(url).netloc
    while next_url and len(visited) < rules.max_pages and next_url not in visited:
        if urlsplit(next_url).netloc != host:
            problems.append(f"next page {next_url} is on another host: not followed")
            break
        number = len(visited) + 1
        try:
            page = await _page(fetcher, next_url, rules)
        except (FetchError, ParseError) as e:
            problems.append(f"page {number} ({next_url}): {e.message}")
            break
        visited.add(next_url)
        items.extend(_new(page.feed.items, items))
        problems.extend(f"page {number}: {p}" for p in page.feed.problems)
        next_url = page.next_url
    return replace(read.feed, items=tuple(items), problems=tuple(problems)), len(visited)


def _rules_digest(rules: PageRules) -> str:
    return hashlib.sha256(repr(rules).encode()).hexdigest()[:16]


async def _page(fetcher: Fetcher, url: str, rules: PageRules) -> PageRead:
    result = await fetcher.fetch(url, discover=False)
    if result.body is None:  # nothing conditional was asked: a server that says 304 anyway
        raise FetchError(f"{url} answered {result.status_code} without a body", url=url)
    return parse_page(result.body, result.final_url, rules, content_type=result.content_type)


def _new(found: tuple[RawItem, ...], kept: list[RawItem]) -> list[RawItem]:
    """The items of a later page not already read (a story pushed down a page meanwhile)."""
    links = {i.link for i in kept}
    return [i for i in found if i.link not in links]
