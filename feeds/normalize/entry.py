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
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from urllib.parse import quote, unquote, urlsplit

from feeds.models import Entry, RawItem, Source
from feeds.normalize.language import item_language
from feeds.normalize.links import _URI_SAFE, PLAIN_URL, _http_url, _iri_escape, clean_link
from feeds.normalize.sanitize import sanitize_html
from feeds.normalize.text import (
    collapse_spaces,
    first_paragraph,
    html_to_text,
    sanitized_text,
    strip_illegal,
    truncate_text,
)

__all__ = ["entry_hash", "make_id", "normalize", "normalize_with_text", "with_hash"]

TITLE_LIMIT = 80
UNTITLED = "(untitled)"
_WHITESPACE = re.compile(r"\s")
_ID_YEAR = "2024"
#: Dates before this are a source's "no date" (the Unix epoch: a zero; files unpacked with a
#: zero mtime) or a typo, not news: they count as missing (the W3C validator calls them
#: implausible, ``ImplausibleDate``).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):(.+)$", re.DOTALL)


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
    language = item_language(item, source, languages, title, text)
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
    """(published, updated): defaults, clamped to ``now``, updated never before published; a
    date before ``EARLIEST`` counts as none."""
    given = (_plausible(d) for d in (item.published, item.updated, item.file_time))
    published = min(next((d for d in given if d is not None), _utc(now)), now)
    stated = _plausible(item.updated)
    updated = min(stated if stated is not None else published, now)
    return published, max(updated, published)


def _plausible(value: datetime | None) -> datetime | None:
    return _utc(value) if value is not None and _utc(value) >= EARLIEST else None


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
