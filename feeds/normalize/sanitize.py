"""HTML for normalize: sanitized fragments (allowed tags and attributes only, links absolute).

Pure: no I/O (no network, files or store); nh3 cleans, links.py resolves links.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import nh3

from feeds.normalize.links import _absolute_url
from feeds.normalize.text import strip_illegal, tame_nesting

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "sanitize_html"]

ALLOWED_TAGS = frozenset(
    "p br a em strong b i u ul ol li blockquote pre code h1 h2 h3 h4 h5 h6 img figure "
    "figcaption table thead tbody tfoot tr th td caption hr sup sub span div section".split()
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
#: Removed with everything inside them (not just the tags).
_DROP_WITH_CONTENT = {
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math",
    "title", "head", "form", "select", "textarea", "button",
}  # fmt: skip


def sanitize_html(fragment: str | None, base: str | None = None) -> str:
    """Sanitized HTML: allowed tags and attributes only, links absolute against ``base``."""
    text = strip_illegal(fragment or "")
    if not text.strip():
        return ""
    text = tame_nesting(text)  # nh3 is quadratic in the depth of nesting
    _BASE.url = base  # read by _absolute_attribute, which nh3 calls back in this thread
    return strip_illegal(_cleaner().clean(text)).strip()


#: The base URL of the fragment this thread is sanitizing, for ``_absolute_attribute``.
_BASE = threading.local()


@lru_cache(maxsize=1)
def _cleaner() -> nh3.Cleaner:
    """One nh3 cleaner per process: ``nh3.clean`` builds its configuration at every call,
    which took a large share of its time."""
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        attribute_filter=_absolute_attribute,
        strip_comments=True,
    )


def _absolute_attribute(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: links made absolute against the fragment's base."""
    if attribute not in ("href", "src"):
        return value
    return _absolute_url(value, getattr(_BASE, "url", None))
