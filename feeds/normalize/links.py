"""Links for normalize: clean absolute http(s) links without tracking parameters, URLs
resolved against a base (for sanitized HTML), IRI escaping.

Pure: no I/O (no network, files or store); urllib only parses. Plain URLs (``PLAIN_URL``) skip
urllib, which gives them back unchanged (tests/test_normalize compares both ways).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote, unquote_plus, urljoin, urlsplit, urlunsplit

from feeds.normalize.text import strip_illegal

__all__ = ["PLAIN_URL", "TRACKING_PARAMS", "clean_link"]

TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "ref_src"}
)
#: ASCII characters allowed in a URI (reserved + unreserved + "%"); others are encoded.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
#: The ASCII characters ``_iri_escape`` encodes: neither alphanumeric nor in _URI_SAFE.
_IRI_UNSAFE_CHARS = "".join(c for c in map(chr, range(128)) if not (c.isalnum() or c in _URI_SAFE))
_IRI_UNSAFE = re.compile(f"[{re.escape(_IRI_UNSAFE_CHARS)}]")
#: An absolute http(s) URL that urljoin (against any base it can parse), urlsplit with
#: urlunsplit, and _iri_escape all give back as it is: lower-case scheme, a host of letters,
#: digits, dots and hyphens, an optional port, no ";" in the path, a query that is not empty,
#: no fragment and nothing to escape. Most links are; they skip urllib (tests/test_normalize
#: compares both ways). Its groups are urlsplit's netloc, path and query (feeds.normalize.grouping).
PLAIN_URL = re.compile(
    r"https?://(?P<host>[A-Za-z0-9.-]+(?::[0-9]*)?)(?P<path>/[A-Za-z0-9._~!$'()*+,=:@/%-]*)?"
    r"(?:\?(?P<query>[A-Za-z0-9._~!$'()*+,;=:@/?%&-]+))?"
)
#: A path from the root that urljoin appends as it is to the scheme and host of a plain
#: base: plain characters, no segment starting with "." (no "." or ".." to resolve), no
#: empty segment, no query or fragment. Links to a site's own pages often are.
_ROOT_PATH = re.compile(r"(?:/[A-Za-z0-9_~!$'()*+,=:@%-][A-Za-z0-9._~!$'()*+,=:@%-]*)+")


def _iri_escape(value: str) -> str:
    """Percent-encode the ASCII characters an IRI does not allow (space, quotes, <>…)."""
    return _IRI_UNSAFE.sub(_quote_match, value)


def _quote_match(match: re.Match[str]) -> str:
    return quote(match.group())


def clean_link(url: str | None, base: str | None = None) -> str | None:
    """An absolute http(s) URL without tracking parameters, or None if there is none."""
    if not url:
        return None
    url = strip_illegal(url).strip()
    if PLAIN_URL.fullmatch(url) and _joinable(base):
        head, mark, query = url.partition("?")
        if not mark:
            return url
        query = "&".join(p for p in query.split("&") if p and not _is_tracking(p))
        return f"{head}?{query}" if query else head
    return _clean_link_by_urllib(url, base)


def _clean_link_by_urllib(url: str, base: str | None) -> str | None:
    """``clean_link`` of any URL (stripped), through urllib."""
    try:
        if base:
            url = urljoin(strip_illegal(base).strip(), url)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    query = "&".join(p for p in parts.query.split("&") if p and not _is_tracking(p))
    cleaned = urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, query, parts.fragment))
    return _iri_escape(cleaned)


@lru_cache(maxsize=64)
def _joinable(base: str | None) -> bool:
    """Whether urljoin can parse ``base`` (it raises on a broken IPv6 host)."""
    if not base:
        return True
    try:
        urlsplit(strip_illegal(base).strip())
    except ValueError:
        return False
    return True


def _is_tracking(param: str) -> bool:
    key = unquote_plus(param.split("=", 1)[0]).strip().lower()
    return key.startswith("utm_") or key in TRACKING_PARAMS


@lru_cache(maxsize=64)  # the same few bases and source URLs, item after item
def _http_url(url: str | None) -> str | None:
    return clean_link(url) if url else None


def _absolute_url(value: str, base: str | None) -> str | None:
    """``value`` resolved against ``base``; None unless http(s) with a host, or mailto.

    nh3 checks the scheme before calling the filter, so it is checked again after joining.
    """
    value = value.strip()
    if PLAIN_URL.fullmatch(value) and _joinable(base):
        return value
    if base and _ROOT_PATH.fullmatch(value) and (plain := PLAIN_URL.fullmatch(base)):
        return base[: plain.end("host")] + value  # what urljoin makes of it: its origin + path
    return _absolute_url_by_urllib(value, base)


def _absolute_url_by_urllib(value: str, base: str | None) -> str | None:
    try:
        url = urljoin(base, value) if base else value
        parts = urlsplit(url)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme == "mailto" or (scheme in ("http", "https") and parts.netloc):
        return _iri_escape(url)
    return None
