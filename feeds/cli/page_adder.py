"""``feeds add URL`` for a page without a feed: propose a ``page`` source and show its items.

The page is fetched with the project's fetcher as ingest will fetch it (no autodiscovery),
its selectors proposed by feeds.parse.propose from its repeated structure, and read with
feeds.parse.page and the source's pagination (feeds.sources.page), so the items shown are
those the source would give. Nothing is written here (feeds.cli.add writes, with --yes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import tomlkit

from feeds.config.page import SELECTOR_KEYS
from feeds.errors import FetchError, ParseError
from feeds.models import PageRules, ParsedFeed
from feeds.normalize.text import html_to_text
from feeds.parse.propose import propose_rules
from feeds.sources.discover import find_feed_links, looks_like_html
from feeds.sources.http import Fetcher, FetchSettings
from feeds.sources.page import read_pages
from feeds.words import count

__all__ = [
    "Proposal", "describe_proposal", "no_proposal", "page_table", "propose_page", "proposal_toml",
]  # fmt: skip

#: Items shown of a proposal.
SHOWN = 5


@dataclass(frozen=True, slots=True)
class Proposal:
    """A page source proposed for a page without a feed, and what it reads."""

    #: The page's URL (after permanent redirects).
    url: str
    rules: PageRules
    #: The items of the walk (the first page and those its next links lead to).
    feed: ParsedFeed
    pages: int


async def propose_page(url: str, settings: FetchSettings) -> Proposal | None:
    """The page source for ``url`` when it is an HTML page that links to no feed and has a
    repeated structure; None when it is no such page. Raises FetchError for the fetch."""
    async with Fetcher(settings) as fetcher:
        first = await fetcher.fetch(url, discover=False)
        body = first.body
        if body is None or not looks_like_html(body, first.content_type):
            return None
        if find_feed_links(body, first.final_url):
            return None
        rules = propose_rules(body, content_type=first.content_type)
        if rules is None:
            return None
        try:
            read = await read_pages(fetcher, first.final_url, rules)
        except ParseError:
            return None
    assert read.feed is not None
    return Proposal(first.permanent_url or url, rules, read.feed, read.pages)


def page_table(name: str, proposal: Proposal) -> dict[str, Any]:
    """The keys of the new page source; its selectors in a ``[sources.page]`` table."""
    rules = proposal.rules
    selectors = {key: getattr(rules, key) for key in SELECTOR_KEYS if getattr(rules, key)}
    page = tomlkit.table()
    for key, value in selectors.items():
        page.add(key, value)
    if rules.next:
        page.add("max_pages", rules.max_pages)
    return {"name": name, "kind": "page", "url": proposal.url, "page": page}


def proposal_toml(keys: dict[str, Any]) -> str:
    """The ``[[sources]]`` table ``keys`` as it will be written."""
    doc = tomlkit.document()
    sources = tomlkit.aot()
    table = tomlkit.table()
    for key, value in keys.items():
        table.add(key, value)
    sources.append(table)
    doc.append("sources", sources)
    return tomlkit.dumps(doc).strip()


def describe_proposal(proposal: Proposal) -> list[str]:
    """What ``feeds add`` shows of a proposal: where, how many items, the first ones."""
    feed = proposal.feed
    lines = [
        f"no feed: {proposal.url} is an HTML page that links to no feed",
        f"proposed: a page source of {count(len(feed.items), 'item')} on"
        f" {count(proposal.pages, 'page')} (its repeated {proposal.rules.items!r} elements)",
    ]
    for item in feed.items[:SHOWN]:
        title = html_to_text(item.title or "").strip() or "(no title)"
        date = f"{item.published:%Y-%m-%d}  " if item.published else ""
        lines.append(f"    - {date}{title}")
        lines.append(f"      {item.link}")
    if len(feed.items) > SHOWN:
        lines.append(f"    … and {len(feed.items) - SHOWN} more")
    lines.extend(f"  note: {problem}" for problem in feed.problems)
    return lines


def no_proposal(url: str, error: FetchError) -> FetchError:
    """The error told when a page has neither a feed nor a repeated structure."""
    return FetchError(
        f"{error}; nor a repeated structure to read as items: nothing added"
        " (configure a page source's selectors by hand: docs/page-sources.md)",
        url=url,
    )
