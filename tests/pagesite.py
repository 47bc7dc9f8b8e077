"""A small news site without a feed, for the page-source tests: a listing in pages.

``Listing`` is a loopback behaviour (tests/loopback.py) for ``/news/``: page ``?page=N`` of
its stories, newest first, PER_PAGE a page. Each page has a header with a menu, the stories
(each a heading link, a ``time``, a teaser with a script in it and a byline), a pagination
block whose "older" link has ``rel="next"`` (none on the last page) and a footer of links;
no feed link. Pages carry an ETag and answer 304 to it. ``listing.top += 1`` publishes a
story: every page shifts by one.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

from loopback import Exchange

PER_PAGE = 4
_MENU = "".join(
    f'<li><a href="/{s}">{s.title()} of the ministry</a></li>'
    for s in ("news", "about", "contact", "press")
)


def story(number: int) -> str:
    return (
        f'<article class="story">'
        f'<h2 class="story-title"><a href="/news/story-{number}.html">Story number {number}:'
        f" the ministry announces measure {number}</a></h2>"
        f'<time datetime="2025-03-{number:02d}T09:30:00Z">{number} March 2025</time>'
        f'<p class="teaser">Teaser of story {number}, with <em>emphasis</em> and '
        f"<script>alert({number})</script>a script that must not survive.</p>"
        f'<span class="byline">Desk {number % 2}</span>'
        f"</article>"
    )


def listing_page(page: int, top: int) -> bytes:
    """Page ``page`` (1-based) of stories ``top`` down to 1."""
    numbers = range(top - (page - 1) * PER_PAGE, max(top - page * PER_PAGE, 0), -1)
    stories = "".join(story(n) for n in numbers)
    pager = f'<a href="/news/?page={page - 1}">Newer</a>' if page > 1 else ""
    if page * PER_PAGE < top:
        pager += f' <a rel="next" class="next" href="/news/?page={page + 1}">Older stories</a>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Ministry news</title></head><body>"
        f'<header><nav><ul class="menu">{_MENU}</ul></nav></header>'
        f'<main><h1>News</h1><section class="listing">{stories}</section>'
        f'<nav class="pagination">{pager}</nav></main>'
        f'<footer><ul><li><a href="/legal">Legal notice of the site</a></li>'
        f'<li><a href="/privacy">Privacy policy of the site</a></li><li><a href="/a11y">'
        "Accessibility of the site</a></li></ul></footer></body></html>"
    ).encode()


class Listing:
    """The ``/news/`` behaviour: ``top`` stories (12 by default: 3 pages)."""

    def __init__(self, top: int = 12) -> None:
        self.top = top

    def __call__(self, exchange: Exchange) -> None:
        query = parse_qs(urlsplit(exchange.request.path).query)
        body = listing_page(int(query.get("page", ["1"])[0]), self.top)
        etag = f'"{hashlib.sha256(body).hexdigest()[:12]}"'
        if exchange.request.header("If-None-Match") == etag:
            exchange.send(304, headers=[("ETag", etag)])
            return
        headers = [("Content-Type", "text/html; charset=utf-8"), ("ETag", etag)]
        exchange.send(200, body, headers)
