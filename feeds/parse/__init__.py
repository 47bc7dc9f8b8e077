"""Parsers: bytes of a feed, or of a folder's article files, → ``ParsedFeed`` of raw items.

``parse_feed`` reads RSS, Atom (lxml for the common RSS 2.0 / Atom 1.0, feedparser for the
rest) and JSON Feed bodies; ``feeds.parse.articles`` the article files that
``feeds.sources.articles`` reads from a folder. Parsers do no I/O: they must not open files,
sanitize HTML, make ids, resolve content links, default dates, or use the network or the
store — normalize turns each ``RawItem`` into an ``Entry``.
"""

from __future__ import annotations

from feeds.parse.feed import parse_feed

__all__ = ["parse_feed"]
