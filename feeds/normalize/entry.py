"""Raw item → Entry: ids, plain-text titles, clean links, sanitized HTML, UTC dates, language.

Pure and deterministic: the same item, source and ``now`` always give the same Entry. It must
not fetch, read files, touch the store or keep state between calls (the lingua detectors it
caches are pure functions of the configured languages).

Design choices (see also docs/dev.md, "Design notes"):

- **Ids.** ``item.guid`` when it is an absolute URI (a scheme of 2+ characters and something
  after the colon; http(s) need a host), characters not allowed in an IRI percent-encoded.
  Else ``tag:{authority},2024:{source}/{key}`` with key, first available: the article's
  own ``id`` (front matter, as ``guid:{id}``) or its path,
  the item's own cleaned link, ``guid:{guid}`` for a guid that is not a URI, and as the last
  resort ``sha256:{hex}`` of the raw title and published date. Never the normalized text.
- **Language tags.** RFC 5646 case conventions: primary subtag lower case, region upper
  case, script title case: ``fr``, ``en-US``, ``zh-Hant-TW``; "_" becomes "-". A tag that
  does not look like BCP 47 (e.g. "English") is ignored, so detection takes over.
- **Summary.** Missing → the first non-empty ``<p>`` of the sanitized content. When the
  content says nothing more than the summary (same text), content is "".
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import threading
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote, unquote, unquote_plus, urljoin, urlsplit, urlunsplit

import nh3
from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from feeds.models import Entry, RawItem, Source
from feeds.normalize.text import (
    collapse_spaces,
    first_paragraph,
    html_to_text,
    sanitized_text,
    strip_illegal,
    tame_nesting,
    truncate_text,
)

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "canonical_language",
    "clean_link",
    "entry_hash",
    "make_id",
    "normalize",
    "normalize_with_text",
    "sanitize_html",
    "with_hash",
]

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
TRACKING_PARAMS = frozenset(
    {"fbclid", "gclid", "mc_cid", "mc_eid", "igshid", "yclid", "_hsenc", "_hsmi", "ref_src"}
)

TITLE_LIMIT = 80
UNTITLED = "(untitled)"
#: Characters of text lingua looks at: its time grows with the length (~75 µs for 200
#: characters, 150 for 400), and past a sentence or two more text does not change the
#: answer: on 3,600 paragraphs of man pages in six languages, 200 characters were as often
#: right as 400 (89.1%, choosing among the six; 92.5% between English and French, where
#: the misses are English passages in French pages).
_DETECT_CHARS = 200
_WHITESPACE = re.compile(r"\s")
_ID_YEAR = "2024"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(.+)$", re.DOTALL)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
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


def normalize(
    item: RawItem,
    *,
    source: Source,
    now: datetime,
    id_authority: str,
    languages: tuple[str, ...],
    site_base: str,
) -> Entry:
    """Turn one raw item of ``source`` into an Entry (see the module docstring)."""
    return normalize_with_text(
        item, source=source, now=now, id_authority=id_authority, languages=languages,
        site_base=site_base,
    )[0]  # fmt: skip


def normalize_with_text(
    item: RawItem,
    *,
    source: Source,
    now: datetime,
    id_authority: str,
    languages: tuple[str, ...],
    site_base: str,
) -> tuple[Entry, str]:
    """``normalize``, and the plain text of the entry's summary and content (the store's FTS
    body: ``feeds.text.body_text``), computed once from what normalizing works out anyway."""
    now = _utc(now)
    own_link = clean_link(item.link, item.base or source.url) if item.link else None
    link, page = _entry_link(item, own_link, source, site_base)
    base = _http_url(item.base) or link
    summary, content, text = _summary_and_content(item, base)
    title = _title(item.title, content or summary)
    language = _language(item, source, languages, title, text)
    authors = _authors(item, source)
    categories = _unique(item.categories, fold=True)
    published, updated = _dates(item, now)
    digest = _hash(title, link, summary, content, authors, categories, language)
    entry = Entry(
        id=make_id(item, source=source, id_authority=id_authority, link=own_link),
        source=source.name,
        title=title,
        link=link,
        summary=summary,
        content=content,
        authors=authors,
        published=published,
        updated=updated,
        language=language,
        categories=categories,
        page=page,
        hash=digest,
    )
    return entry, text


# --- ids ---------------------------------------------------------------------------------


def make_id(item: RawItem, *, source: Source, id_authority: str, link: str | None) -> str:
    """The entry id: the guid if it is an absolute URI, else a ``tag:`` URI.

    ``link`` is the item's own cleaned link (not a fallback such as the feed's URL).
    """
    guid = strip_illegal(item.guid or "").strip()
    if _is_absolute_uri(guid):
        return _iri_escape(guid)
    if item.path and item.path.strip():  # an article: the id it states wins (#15 item 16)
        key = f"guid:{guid}" if guid else strip_illegal(item.path.strip())
    elif link:
        key = link
    elif guid:
        key = f"guid:{guid}"
    else:
        key = f"sha256:{_fallback_digest(item)}"
    name = quote(strip_illegal(source.name), safe="")
    return f"tag:{id_authority},{_ID_YEAR}:{name}/{quote(key, safe=_URI_SAFE)}"


def _is_absolute_uri(value: str) -> bool:
    return bool(PLAIN_URL.fullmatch(value)) or _is_absolute_uri_by_urllib(value)


def _is_absolute_uri_by_urllib(value: str) -> bool:
    match = _SCHEME.match(value)
    if not match or not match.group(2).strip("/ ") or _WHITESPACE.search(value):
        return False
    if match.group(1).lower() in ("http", "https"):
        try:
            return bool(urlsplit(value).netloc)
        except ValueError:
            return False
    return True


def _fallback_digest(item: RawItem) -> str:
    """Last resort, for an item with no path, link or guid: its raw title and date."""
    published = _utc(item.published).isoformat() if item.published else ""
    parts = [item.title or "", published]
    if not any(parts):  # nothing else tells such items apart
        parts.append(item.content or item.summary or "")
    data = "\x00".join(strip_illegal(p) for p in parts)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _iri_escape(value: str) -> str:
    """Percent-encode the ASCII characters an IRI does not allow (space, quotes, <>…)."""
    return _IRI_UNSAFE.sub(_quote_match, value)


def _quote_match(match: re.Match[str]) -> str:
    return quote(match.group())


# --- links -------------------------------------------------------------------------------


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


def _entry_link(
    item: RawItem, own: str | None, source: Source, site_base: str
) -> tuple[str, str | None]:
    """(link, page): the item's own link; an article's page; else the source's URL."""
    if own:
        return own, None
    if item.path and item.path.strip():
        return _article_link(item.path, source, site_base)
    fallback = _http_url(source.url) or _http_url(item.base) or site_base
    return fallback, None


def _article_link(path: str, source: Source, site_base: str) -> tuple[str, str | None]:
    """The URL of an article page, and its path under public/ when it is under site_base."""
    parts = strip_illegal(path).replace("\\", "/").split("/")
    segments = [s for s in parts if s not in ("", ".", "..")]
    name = segments[-1] if segments else "index"
    stem = name.rsplit(".", 1)[0] if "." in name[1:] else name
    relative = "/".join([*segments[:-1], f"{stem}.html"])
    site = site_base if site_base.endswith("/") else site_base + "/"
    folder = source.link_base or f"{site}articles/{quote(strip_illegal(source.name), safe='')}/"
    folder = folder if folder.endswith("/") else folder + "/"
    link = folder + quote(relative, safe="/")
    if not link.startswith(site):
        return link, None
    page = unquote(link[len(site) :])
    return link, None if ".." in page.split("/") else page


# --- HTML --------------------------------------------------------------------------------


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
    which took half of its time (20 µs for a typical entry, 10 with a built cleaner)."""
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


def _summary_and_content(item: RawItem, base: str | None) -> tuple[str, str, str]:
    """(summary, content, text): ``text`` is ``body_text(summary, content)``.

    Sanitized HTML is balanced, so the text of "summary content" is the text of the summary
    and the text of the content, joined by a space.
    """
    content = sanitize_html(item.content, base)
    summary = sanitize_html(item.summary, base)
    content_text = sanitized_text(content) if content else ""
    if not summary and content:
        summary = first_paragraph(content) or _paragraph(truncate_text(content_text, 400))
    summary_text = sanitized_text(summary)  # sanitized, or lxml's serialization of it
    if content and content_text == summary_text:
        content, content_text = "", ""  # it says nothing more than the summary
    return summary, content, " ".join(t for t in (summary_text, content_text) if t)


def _paragraph(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>" if text else ""


def _title(raw: str | None, body: str) -> str:
    title = html_to_text(raw or "")
    if title:
        return title
    return truncate_text(html_to_text(body), TITLE_LIMIT) or UNTITLED


# --- people, categories, dates -----------------------------------------------------------


def _authors(item: RawItem, source: Source) -> tuple[str, ...]:
    """The item's authors, else the source's configured author, else the source itself."""
    fallback = (source.author or "", source.title or "", source.name)
    return _unique(item.authors) or _unique(fallback)[:1]


def _unique(values: Iterable[str], *, fold: bool = False) -> tuple[str, ...]:
    """Stripped, blank-free, deduplicated (case-insensitively if ``fold``), order kept."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        value = collapse_spaces(strip_illegal(value))
        key = value.casefold() if fold else value
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)


def _utc(value: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _dates(item: RawItem, now: datetime) -> tuple[datetime, datetime]:
    """(published, updated): defaults, clamped to ``now``, updated never before published."""
    published = _utc(item.published or item.updated or item.file_time or now)
    published = min(published, now)
    updated = min(_utc(item.updated) if item.updated else published, now)
    return published, max(updated, published)


# --- language ----------------------------------------------------------------------------


def canonical_language(tag: str | None) -> str | None:
    """A BCP 47 tag in canonical case ("en_us" → "en-US"), or None if it is not one."""
    value = strip_illegal(tag or "").strip().replace("_", "-")
    if not _LANGUAGE.match(value):
        return None
    primary, *rest = value.split("-")
    parts = [primary.lower()]
    for sub in rest:
        if len(sub) == 2 and sub.isalpha():
            parts.append(sub.upper())  # region
        elif len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())  # script
        else:
            parts.append(sub.lower())
    return "-".join(parts)


def _language(
    item: RawItem, source: Source, languages: tuple[str, ...], title: str, text: str
) -> str:
    """The declared language, else the one of ``languages`` that title and ``text`` (plain)
    are written in."""
    declared = canonical_language(item.language) or canonical_language(source.language)
    if declared:
        return declared
    choices = _choices(languages)
    if not choices:
        return "und"
    if len(choices) == 1:
        return choices[0]
    text = f"{title} {text}"[:_DETECT_CHARS]
    return detect_language(text, choices) or choices[0]


def _choices(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The configured languages detection chooses from (canonical tags, invalid ones out)."""
    return tuple(c for c in (canonical_language(x) for x in languages) if c)


#: Over 120 characters lingua reads trigrams only, the models every longer text needs.
_WARM_TEXT = (
    "Le gouvernement a annoncé mardi un nouveau plan pour la région. The government "
    "announced a new plan for the region on Tuesday, officials said in a statement."
)


def warm_language_models(languages: tuple[str, ...]) -> None:
    """Build the detector ``normalize`` uses for ``languages`` and load its trigram models
    (lingua loads them on first use), so that processes forked afterwards share them."""
    choices = _choices(languages)
    if len(choices) > 1:
        detect_language(_WARM_TEXT, choices)


def detect_language(text: str, languages: tuple[str, ...]) -> str | None:
    """The one of ``languages`` that ``text`` is written in, or None if lingua can't tell."""
    detector = _detector(languages)
    if detector is None or not text.strip():
        return None
    found = detector.detect_language_of(text)
    if found is None:
        return None
    code = found.iso_code_639_1.name.lower()
    return next((c for c in languages if c.split("-")[0].lower() == code), None)


@lru_cache(maxsize=16)
def _detector(languages: tuple[str, ...]) -> LanguageDetector | None:
    """One lingua detector per set of configured languages (building one loads models)."""
    codes = []
    for tag in languages:
        try:
            codes.append(IsoCode639_1.from_str(tag.split("-")[0].lower()))
        except ValueError:
            continue  # a language lingua does not know cannot be detected
    if not codes:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*dict.fromkeys(codes)).build()


# --- hash --------------------------------------------------------------------------------


#: ``json.dumps(…, separators=(",", ":"))``, the encoder built once.
_HASH_JSON = json.JSONEncoder(separators=(",", ":")).encode


def _hash(*fields: str | tuple[str, ...]) -> str:
    """sha256 of the fields that matter to a reader; not dates, not the id."""
    data = _HASH_JSON([list(f) if isinstance(f, tuple) else f for f in fields])
    return hashlib.sha256(data.encode("ascii")).hexdigest()


def entry_hash(entry: Entry) -> str:
    """The hash ``normalize`` puts in ``Entry.hash``: title, link, summary, content, authors,
    categories and language."""
    e = entry
    return _hash(e.title, e.link, e.summary, e.content, e.authors, e.categories, e.language)


def with_hash(entry: Entry) -> Entry:
    """``entry`` with its hash filled in (for Entries built by hand, e.g. in tests)."""
    return replace(entry, hash=entry_hash(entry))
