"""Parsers: bytes of a feed, or a folder of article files, → ``ParsedFeed`` of raw items.

``parse_feed`` reads RSS, Atom (lxml for the common RSS 2.0 / Atom 1.0, feedparser for the
rest) and JSON Feed bodies; ``read_articles`` reads a folder of article files
(``read_article`` one file). Parsers only read: they must not
sanitize HTML, make ids, resolve content links, default dates, or use the network or the
store — normalize turns each ``RawItem`` into an ``Entry``.
"""

from __future__ import annotations

from feeds.parse.articles import read_article, read_articles
from feeds.parse.feed import parse_feed

__all__ = ["parse_feed", "read_article", "read_articles"]
