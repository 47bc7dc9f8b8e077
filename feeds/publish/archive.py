"""RFC 5005 archived feeds: where a topic's archive documents live and how they link.

A topic's whole history is cut into pages of ``archive_size`` entries in first-seen order
(the store's rowid: entries are appended and never deleted, so the order never changes).
Page 1 holds the oldest entries. A page is *complete* once it is full (what arrives later
arrives after it); only then is it published, and it is frozen: written once, never
rewritten (regenerate records where it ends in the store). RFC 5005 archive documents are
stable (#15 item 15), so no page is published while it could still grow: the entries after
the last complete page are in the current feed (``<slug>.atom``, see ``feeds.publish.window``),
which
links to the newest complete page with ``prev-archive``. Each page links to the one before
and after it (the next exists once it is complete too) and to the current feed, so a reader
can page back through the whole history.

Pages belong to a *series* named by a hash of what decides their content: the canonical
text of the topic's selection, the page size and the base URL. Editing a topic's query starts
a new series (the new query covers the whole history at once, as a new topic would); the old
series' files stay where they are, unchanged, so no URL a reader fetched ever changes meaning.

Pure: names, URLs and :class:`feeds.publish.atom.Links`; no store, no files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from feeds.models import Settings, Topic
from feeds.publish.atom import Links, feed_url
from feeds.topics.selection import Selection

#: Folder of the archive documents under public/.
FOLDER = "archive"


@dataclass(frozen=True, slots=True)
class Series:
    """One topic's archive series."""

    slug: str
    #: Short hash of the query, page size and base URL.
    key: str

    def relative(self, page: int) -> str:
        """The path of page ``page`` (0-based) under public/ (three folders down; see
        ``stylesheet_href``); files are numbered from 1."""
        return f"{FOLDER}/{self.slug}/{self.key}/{page + 1}.atom"

    def path(self, settings: Settings, page: int) -> Path:
        return settings.public_dir / self.relative(page)

    def url(self, settings: Settings, page: int) -> str:
        return settings.base_url + quote(self.relative(page))


def series(topic: Topic, selection: Selection, settings: Settings) -> Series:
    """The series a topic's pages belong to with its current query and settings."""
    basis = "\n".join((selection.text, str(settings.archive_size), settings.base_url))
    return Series(topic.slug, hashlib.sha256(basis.encode("utf-8")).hexdigest()[:10])


def page_links(
    topic: Topic, s: Series, settings: Settings, page: int, *, last: bool, stylesheet: str | None
) -> Links:
    """The links of archive page ``page``: self, current, prev- and next-archive."""
    return Links(
        stylesheet=stylesheet,
        current=feed_url(settings, topic),
        prev_archive=s.url(settings, page - 1) if page > 0 else None,
        next_archive=None if last else s.url(settings, page + 1),
        self_url=s.url(settings, page),
        title=f"{topic.title} (archive {page + 1})",
    )
