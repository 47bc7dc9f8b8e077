"""JSON Feed 1.x bodies → ParsedFeed (for feed.py's ``parse_feed``), through json.

Parsing only: no network, no file, no sanitizing (normalize runs nh3 once), no ids, no date
defaults. A body that is not a JSON Feed raises ParseError.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

from feeds.errors import ParseError
from feeds.models import ParsedFeed, RawItem
from feeds.normalize.text import collapse_spaces
from feeds.parse.dates import iso_date
from feeds.parse.values import clipped_line, non_blank, str_list

__all__ = ["parse_json_feed"]


def parse_json_feed(body: bytes, url: str | None) -> ParsedFeed:
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise ParseError(f"not a feed: JSON body is not UTF-8 ({e.reason})") from e
    except json.JSONDecodeError as e:
        raise ParseError(f"not a feed: invalid JSON ({e.msg} at line {e.lineno})") from e
    except (RecursionError, ValueError) as e:
        # Hostile JSON: nesting deeper than the stack, or an integer of thousands of digits.
        raise ParseError(f"not a feed: unreadable JSON ({clipped_line(str(e))})") from e
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("not a feed: JSON without an 'items' list (not a JSON Feed)")
    version = non_blank(data.get("version")) or ""
    if version and not version.startswith("https://jsonfeed.org/version/"):
        raise ParseError(f"not a feed: unknown JSON Feed version {version[:80]!r}")
    language = non_blank(data.get("language"))
    link = non_blank(data.get("home_page_url"))
    base = link or non_blank(data.get("feed_url")) or url
    items: list[RawItem] = []
    problems: list[str] = []
    for i, raw in enumerate(data["items"]):
        if isinstance(raw, dict):
            items.append(_json_item(raw, language, base))
        else:
            problems.append(f"item {i + 1}: not a JSON object, skipped")
    title = non_blank(data.get("title"))
    return ParsedFeed(
        items=tuple(items),
        title=collapse_spaces(title) if title else None,
        link=link,
        language=language,
        problems=tuple(problems),
        authors=_json_authors(data),
    )


def _json_item(raw: Mapping[str, Any], feed_language: str | None, base: str | None) -> RawItem:
    link = non_blank(raw.get("url")) or non_blank(raw.get("external_url"))
    guid = raw.get("id")
    title = non_blank(raw.get("title"))
    summary = non_blank(raw.get("summary"))
    return RawItem(
        guid=str(guid).strip() or None if isinstance(guid, str | int) else None,
        title=html.escape(title, quote=False) if title else None,
        link=link,
        summary=html.escape(summary, quote=False) if summary else None,
        content=_json_content(raw),
        authors=_json_authors(raw),
        published=iso_date(raw.get("date_published")),
        updated=iso_date(raw.get("date_modified")),
        language=non_blank(raw.get("language")) or feed_language,
        categories=tuple(dict.fromkeys(t.strip() for t in str_list(raw.get("tags")) if t.strip())),
        base=link or base,
    )


def _json_content(raw: Mapping[str, Any]) -> str | None:
    content_html = non_blank(raw.get("content_html"))
    if content_html:
        return content_html
    text = non_blank(raw.get("content_text"))
    if not text:
        return None
    paragraphs = (p.strip() for p in re.split(r"\n\s*\n", text))
    return "".join(
        f"<p>{html.escape(p, quote=False).replace(chr(10), '<br>')}</p>" for p in paragraphs if p
    )


def _json_authors(raw: Mapping[str, Any]) -> tuple[str, ...]:
    people = raw.get("authors")
    if not isinstance(people, list):
        people = [raw.get("author")]
    names: list[str] = []
    for person in people:
        if isinstance(person, dict):
            name = non_blank(person.get("name")) or non_blank(person.get("url"))
            if name and name not in names:
                names.append(name)
    return tuple(names)
