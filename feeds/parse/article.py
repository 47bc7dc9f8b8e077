"""An article page's body, as HTML: trafilatura finds it among the page's navigation, related
links, comments and footers, or a source's CSS selector (parsel) picks it.

Pure CPU: bytes in, an HTML fragment out (not yet sanitized: feeds.normalize.fulltext does
that), no I/O. Raises ArticleError (permanent) when the page holds no text to keep.
"""

from __future__ import annotations

import configparser
import re
from functools import cache

import lxml.etree
import lxml.html
import parsel
import trafilatura
import trafilatura.settings
import trafilatura.utils

from feeds.errors import ArticleError

__all__ = ["MAX_ELEMENTS", "extract_article"]

#: A page of more elements than this is refused (trafilatura's ``MAX_TREE_SIZE``): bounded
#: work on a hostile page.
MAX_ELEMENTS = 100_000
#: The page's main heading, which trafilatura keeps: the entry's title already says it.
_TITLE = re.compile(r"<h1>.*?</h1>", re.DOTALL)


def extract_article(body: bytes, url: str, selector: str | None = None) -> str:
    """The article's body on the page ``body`` (from ``url``) as HTML: what ``selector``
    matches (every match, in document order) or else what trafilatura extracts. A page the
    libraries cannot read (markup lxml refuses, nesting too deep) is an ArticleError too."""
    try:
        tree = trafilatura.utils.load_html(body)
        if tree is None:
            raise ArticleError(f"{url}: not an HTML page", url=url, permanent=True)
        if selector is not None:
            return _selected(tree, url, selector)
        return _extracted(tree, url)
    except (lxml.etree.LxmlError, ValueError, RecursionError) as e:
        raise ArticleError(
            f"{url}: the page could not be read: {e}", url=url, permanent=True
        ) from e


def _extracted(tree: lxml.html.HtmlElement, url: str) -> str:
    found = trafilatura.extract(
        tree,
        url=url,
        output_format="html",
        include_comments=False,
        include_tables=True,
        include_links=True,
        include_images=True,
        include_formatting=True,
        config=_config(),
    )
    if not found or not found.strip():
        raise ArticleError(f"{url}: no article text found on the page", url=url, permanent=True)
    return _TITLE.sub("", found, count=1)


def _selected(tree: lxml.html.HtmlElement, url: str, selector: str) -> str:
    matches = parsel.Selector(root=tree, type="html").css(selector)
    parts = [html for html in matches.getall() if html.strip()]
    if not parts:
        raise ArticleError(
            f"{url}: content_selector {selector!r} matched nothing", url=url, permanent=True
        )
    return "\n".join(parts)


@cache
def _config() -> configparser.ConfigParser:
    """trafilatura's default settings, with MAX_ELEMENTS as ``MAX_TREE_SIZE``."""
    config = configparser.ConfigParser()
    config.read_dict(trafilatura.settings.DEFAULT_CONFIG)
    config["DEFAULT"]["MAX_TREE_SIZE"] = str(MAX_ELEMENTS)
    return config
