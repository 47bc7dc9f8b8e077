"""Full text (docs/full-text.md): which entries get their article page, when a page is
fetched again, and what the store keeps of each try.

- ``looks_truncated``: the "auto" rule. The feed's text (its content, else its summary, as
  plain text) is a teaser when it is empty, ends with a truncation mark (``…``, ``...``,
  ``[…]``, ``(…)``) or a "read more" phrase (English or French), or has fewer than
  ``SHORT_WORDS`` words.
- ``wants_article``: ``full_text`` false never, true always, "auto" when truncated; only
  for an entry whose link is an http(s) URL.
- ``plan``: an article is fetched once per entry, and again only when the feed says the
  entry changed (its hash as the feed gave it is not the one of the last try). A failed
  try is tried again (at most ``TRIES`` times in all) unless it cannot succeed (robots.txt
  disallows it, 4xx); meanwhile the entry keeps the feed's text.

Pure: no I/O; ``now`` comes in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from feeds.models import Entry, FullText
from feeds.normalize.text import html_to_text

__all__ = [
    "SHORT_WORDS",
    "TRIES",
    "ArticleText",
    "Plan",
    "looks_truncated",
    "plan",
    "tried",
    "wants_article",
]

#: "auto": a feed text of fewer words than this is a teaser.
SHORT_WORDS = 100
#: Tries of an article page that failed for a reason that may pass (network, 5xx, timeout).
TRIES = 3
#: A truncation mark at the end of the text.
_MARK = re.compile(r"(?:…|\.\.\.|\[(?:…|\.\.\.)\]|\((?:…|\.\.\.)\))\s*$")
#: A "read more" phrase in the last words (folded to lower case).
_MORE = re.compile(
    r"(?:read more|continue reading|keep reading|read the (?:full|whole|rest)"
    r"|full (?:story|article)|lire la suite|la suite|lire plus|en savoir plus"
    r"|lire l[’']article)\W{0,12}$"
)

#: What to do with an entry's article: fetch it, reuse the stored text, or keep the feed's.
Plan = Literal["fetch", "reuse", "keep"]


@dataclass(frozen=True, slots=True)
class ArticleText:
    """What the store keeps of the last try of an entry's article page."""

    #: The source and the entry's id (as normalized, before claims).
    source: str
    id: str
    #: The entry's hash as the feed gave it (without the article): a new one means changed.
    feed_hash: str
    #: The extracted article, sanitized HTML ("" after a failure).
    content: str
    #: Why the last try failed (None: it worked).
    failure: str | None
    #: The failure cannot pass by trying again (robots.txt, 4xx, no text found).
    permanent: bool
    #: Tries since the feed last changed the entry.
    tries: int
    #: When it was last tried.
    tried: datetime
    #: The page's validators, for a conditional GET when the entry changes.
    etag: str | None = None
    last_modified: str | None = None


def looks_truncated(summary: str, content: str) -> bool:
    """Whether the feed's text of an entry (sanitized HTML) looks like a teaser (the module
    docstring says the rule)."""
    text = html_to_text(content or summary).strip()
    if not text:
        return True
    if _MARK.search(text) or _MORE.search(text[-60:].lower()):
        return True
    return len(text.split()) < SHORT_WORDS


def wants_article(mode: FullText, entry: Entry) -> bool:
    """Whether ``entry`` gets its article page under the source's ``full_text``."""
    if mode is False or not entry.link.lower().startswith(("http://", "https://")):
        return False
    return mode is True or looks_truncated(entry.summary, entry.content)


def plan(record: ArticleText | None, feed_hash: str) -> Plan:
    """Fetch the page, reuse the stored text, or keep the feed's text (module docstring)."""
    if record is None or record.feed_hash != feed_hash:
        return "fetch"
    if record.failure is None:
        return "reuse"
    if record.permanent or record.tries >= TRIES:
        return "keep"
    return "fetch"


def tried(
    record: ArticleText | None,
    entry: Entry,
    now: datetime,
    *,
    content: str = "",
    failure: str | None = None,
    permanent: bool = False,
    etag: str | None = None,
    last_modified: str | None = None,
) -> ArticleText:
    """The record after a try of ``entry``'s page (``entry`` as the feed gave it)."""
    again = record is not None and record.feed_hash == entry.hash
    return ArticleText(
        source=entry.source,
        id=entry.id,
        feed_hash=entry.hash,
        content=content if failure is None else "",
        failure=failure,
        permanent=permanent,
        tries=(record.tries + 1 if again and record is not None else 1),
        tried=now,
        etag=etag if failure is None else None,
        last_modified=last_modified if failure is None else None,
    )
