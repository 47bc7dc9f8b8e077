"""A delivery as a message: a title, a plain text and an HTML body (e-mail sends both), and
the signed webhook's JSON body with its ``X-Feeds-Signature``. Pure: values in, text and
bytes out; no I/O.

The webhook body (#18)::

    {"id": delivery id, "topic": slug, "title": topic title, "feed": feed URL,
     "entries": [{"id", "title", "link", "published", "source", "summary"}]}

``published`` is RFC 3339 UTC; the keys are written in that order. The signature is
``sha256=`` and the hex HMAC-SHA256 of the body's bytes, keyed with the secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape

from feeds.decide.notify import AlertEntry, Delivery
from feeds.models import Entry
from feeds.normalize.text import html_to_text, truncate_text
from feeds.words import count

#: The header of the webhook's signature.
SIGNATURE_HEADER = "X-Feeds-Signature"
#: Entries a text or HTML message lists (the webhook gets them all); the rest: "and N more".
LISTED = 50
#: Characters of an entry's text an alert shows.
SUMMARY_CHARS = 280


@dataclass(frozen=True, slots=True)
class Message:
    """One delivery, ready for any target."""

    id: str
    title: str
    text: str
    html: str
    #: The webhook's JSON body.
    body: bytes


def alert_entry(entry: Entry) -> AlertEntry:
    """What an alert shows of a stored entry."""
    summary = truncate_text(html_to_text(entry.summary or entry.content), SUMMARY_CHARS)
    return AlertEntry(entry.id, entry.title, entry.link, entry.published, entry.source, summary)


def signature(secret: str, body: bytes) -> str:
    """``X-Feeds-Signature``'s value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _rfc3339(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def webhook_body(delivery_id: str, slug: str, title: str, feed: str,
                 entries: Sequence[AlertEntry]) -> bytes:  # fmt: skip
    document = {
        "id": delivery_id,
        "topic": slug,
        "title": title,
        "feed": feed,
        "entries": [
            {"id": e.id, "title": e.title, "link": e.link, "published": _rfc3339(e.published),
             "source": e.source, "summary": e.summary}
            for e in entries
        ],
    }  # fmt: skip
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def compose(delivery: Delivery, *, slug: str, title: str, feed: str) -> Message:
    """The message of ``delivery`` (entries newest first)."""
    entries = sorted(delivery.entries, key=lambda e: e.published, reverse=True)
    body = webhook_body(delivery.id, slug, title, feed, entries)
    if delivery.kind == "watching":
        what = f"now watching {count(delivery.watching, 'entry')}"
        text = f"{title}: {what}; new ones will be sent here.\n{feed}\n"
        html = f"<p>{escape(title)}: {what}; new ones will be sent here.</p>{_feed_link(feed)}"
        return Message(delivery.id, f"{title}: {what}", text, html, body)
    subject = f"{title}: {entries[0].title}" if len(entries) == 1 else (
        f"{title}: {count(len(entries), 'new entry', 'new entries')}"
    )  # fmt: skip
    return Message(delivery.id, subject, _text(entries, feed), _html(entries, feed), body)


def sample(slug: str, title: str, feed: str, *, delivery_id: str, now: datetime) -> Message:
    """The message of ``feeds notify test``: one made-up entry."""
    entry = AlertEntry(
        f"{feed}#test", f"Test alert from feeds for {title}", feed, now, "feeds",
        "This is a test: the topic's alerts reach this target.",
    )  # fmt: skip
    body = webhook_body(delivery_id, slug, title, feed, [entry])
    return Message(
        delivery_id, f"{title}: test alert", _text([entry], feed), _html([entry], feed), body
    )


def _when(e: AlertEntry) -> str:
    return e.published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _text(entries: Sequence[AlertEntry], feed: str) -> str:
    lines = []
    for e in entries[:LISTED]:
        lines += [f"* {e.title}", f"  {e.link}", f"  {e.source}, {_when(e)}"]
        lines += [f"  {e.summary}"] if e.summary else []
        lines.append("")
    if len(entries) > LISTED:
        lines.append(f"and {len(entries) - LISTED} more in the feed.")
    lines.append(f"The feed: {feed}")
    return "\n".join(lines) + "\n"


def _html(entries: Sequence[AlertEntry], feed: str) -> str:
    items = []
    for e in entries[:LISTED]:
        summary = f"<br>{escape(e.summary)}" if e.summary else ""
        items.append(
            # The link written out too: Apprise makes e-mail's plain-text part from this.
            f'<li><a href="{escape(e.link)}">{escape(e.title)}</a><br>'
            f"<small>{escape(e.link)}<br>{escape(e.source)}, {_when(e)}</small>{summary}</li>"
        )
    more = f"<p>and {len(entries) - LISTED} more in the feed.</p>" if len(entries) > LISTED else ""
    return f"<ul>{''.join(items)}</ul>{more}{_feed_link(feed)}"


def _feed_link(feed: str) -> str:
    return f'<p>The feed: <a href="{escape(feed)}">{escape(feed)}</a></p>'
