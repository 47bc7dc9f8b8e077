"""An entry with its article's text (full text): the extracted HTML sanitized as any feed
content is (links absolute against the page), kept as the entry's content; the summary
stays the feed's. The hash covers the new content, so the store sees the change; the plain
text for the search index is worked out again. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import replace

from feeds.errors import ArticleError
from feeds.models import Entry
from feeds.normalize.entry import entry_hash
from feeds.normalize.sanitize import sanitize_html
from feeds.normalize.text import body_text, html_to_text

__all__ = ["article_content", "with_article"]


def article_content(extracted: str, url: str) -> str:
    """``extracted`` (HTML from feeds.parse.article) sanitized; ArticleError (permanent) when
    nothing readable is left."""
    content = sanitize_html(extracted, base=url)
    if not html_to_text(content).strip():
        raise ArticleError(f"{url}: no article text found on the page", url=url, permanent=True)
    return content


def with_article(entry: Entry, content: str) -> tuple[Entry, str]:
    """``entry`` with ``content`` (sanitized) as its content, its hash and its search text."""
    changed = replace(entry, content=content)
    changed = replace(changed, hash=entry_hash(changed))
    return changed, body_text(changed.summary, changed.content)
