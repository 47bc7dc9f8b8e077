"""An article page's body, as HTML: trafilatura finds it among the page's navigation, related
links, comments and footers, or a source's CSS selector (parsel) picks it.

Pure CPU: bytes in, an HTML fragment out (not yet sanitized: feeds.normalize.fulltext does
that), no I/O. Raises ArticleError (permanent) when the page holds no text to keep.
"""

from __future__ import annotations

import lxml.html
import parsel
import trafilatura
import trafilatura.utils

from feeds.errors import ArticleError

__all__ = ["MAX_ELEMENTS", "extract_article"]

#: A page of more elements than this is refused (trafilatura's ``max_tree_size``): bounded
#: work on a hostile page.
MAX_ELEMENTS = 100_000


def extract_article(body: bytes, url: str, selector: str | None = None) -> str:
    """The article's body on the page ``body`` (from ``url``) as HTML: what ``selector``
    matches (every match, in document order) or else what trafilatura extracts."""
    tree = trafilatura.utils.load_html(body)
    if tree is None:
        raise ArticleError(f"{url}: not an HTML page", url=url, permanent=True)
    if selector is not None:
        return _selected(tree, url, selector)
    found = trafilatura.extract(
        tree,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_images=True,
        include_formatting=True,
        max_tree_size=MAX_ELEMENTS,
    )
    if not found or not found.strip():
        raise ArticleError(f"{url}: no article text found on the page", url=url, permanent=True)
    return found


def _selected(tree: lxml.html.HtmlElement, url: str, selector: str) -> str:
    matches = parsel.Selector(root=tree, type="html").css(selector)
    parts = [html for html in matches.getall() if html.strip()]
    if not parts:
        raise ArticleError(
            f"{url}: content_selector {selector!r} matched nothing", url=url, permanent=True
        )
    return "\n".join(parts)
