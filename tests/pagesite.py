"""A small news site without a feed, for the page-source tests: a listing in pages.

``listing(n)`` is page ``n`` (1-based) of PAGES: a header with a menu, a list of stories
(each a heading link, a ``time``, a teaser and a byline), a pagination block whose "next"
link has ``rel="next"`` (none on the last page), and a footer of links. Stories are
numbered from the newest (1) down; each page holds PER_PAGE of them.
"""

from __future__ import annotations

PAGES = 3
PER_PAGE = 4
_MENU = "".join(
    f'<li><a href="/{s}">{s.title()}</a></li>' for s in ("news", "about", "contact", "press")
)


def story(number: int) -> str:
    day = 28 - number
    return (
        f'<article class="story">'
        f'<h2 class="story-title"><a href="/news/story-{number}.html">Story number {number}:'
        f" the ministry announces measure {number}</a></h2>"
        f'<time datetime="2025-03-{day:02d}T09:30:00Z">{day} March 2025</time>'
        f'<p class="teaser">Teaser of story {number}, with <em>emphasis</em> and '
        f"<script>alert({number})</script>a script that must not survive.</p>"
        f'<span class="byline">Desk {number % 2}</span>'
        f"</article>"
    )


def listing(page: int) -> bytes:
    first = (page - 1) * PER_PAGE + 1
    stories = "".join(story(n) for n in range(first, first + PER_PAGE))
    pager = f'<a href="/news/?page={page - 1}">Newer</a>' if page > 1 else ""
    if page < PAGES:
        pager += f' <a rel="next" class="next" href="/news/?page={page + 1}">Older stories</a>'
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f"<title>Ministry news, page {page}</title></head><body>"
        f'<header><nav><ul class="menu">{_MENU}</ul></nav></header>'
        f'<main><h1>News</h1><section class="listing">{stories}</section>'
        f'<nav class="pagination">{pager}</nav></main>'
        f'<footer><ul><li><a href="/legal">Legal notice</a></li>'
        f'<li><a href="/privacy">Privacy policy</a></li><li><a href="/a11y">Accessibility'
        "</a></li></ul></footer></body></html>"
    ).encode()
