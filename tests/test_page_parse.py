"""Pages without a feed, the pure part (#19): selectors on varied markup → raw items
(feeds.parse.page), dates, and the proposal from a page's repeated structure
(feeds.parse.propose). No I/O: bytes in, values out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pagesite import listing_page

from feeds.errors import ParseError
from feeds.models import PageRules
from feeds.parse.page import MAX_ITEMS, item_date, parse_page
from feeds.parse.propose import propose_rules

URL = "http://site.test/news/"


def items(body: str | bytes, **rules: object) -> list[tuple[str | None, str | None]]:
    raw = body.encode() if isinstance(body, str) else body
    read = parse_page(raw, URL, PageRules(**rules))  # type: ignore[arg-type]
    return [(i.title, i.link) for i in read.feed.items]


def test_articles_with_headings_times_teasers_and_bylines():
    rules = PageRules(
        items="article.story", title="h2", date="time", summary="p.teaser", author=".byline",
        next="a[rel=next]",
    )  # fmt: skip
    read = parse_page(listing_page(1, 12), URL, rules)
    first = read.feed.items[0]
    assert first.title == "Story number 12: the ministry announces measure 12"
    assert first.link == "http://site.test/news/story-12.html"
    assert first.published == datetime(2025, 3, 12, 9, 30, tzinfo=UTC)
    assert first.authors == ("Desk 0",)
    assert first.summary is not None and first.summary.startswith("Teaser of story 12, with <em>")
    assert [i.link for i in read.feed.items][-1] == "http://site.test/news/story-9.html"
    assert read.next_url == "http://site.test/news/?page=2"
    assert read.feed.title == "Ministry news" and read.feed.language == "en"


def test_a_plain_list_with_a_date_format():
    page = """<ul class=posts>
      <li><a href="/p/1">Budget vote postponed</a> <span class=d>04/03/2025</span></li>
      <li><a href="/p/2">New minister named</a> <span class=d>03/03/2025</span></li>
    </ul>"""
    read = parse_page(
        page.encode(), URL, PageRules(items="ul.posts li", date=".d", date_format="%d/%m/%Y")
    )
    assert [(i.title, i.link, i.published) for i in read.feed.items] == [
        ("Budget vote postponed", "http://site.test/p/1", datetime(2025, 3, 4, tzinfo=UTC)),
        ("New minister named", "http://site.test/p/2", datetime(2025, 3, 3, tzinfo=UTC)),
    ]


def test_table_rows_with_their_link_in_a_cell_and_the_title_elsewhere():
    page = """<table><tr><th>Date</th><th>Title</th></tr>
      <tr><td>2025-03-04</td><td><b>Decree 12</b> <a href="decree-12.pdf">PDF</a></td></tr>
      <tr><td>2025-03-01</td><td><b>Decree 11</b> <a href="decree-11.pdf">PDF</a></td></tr>
    </table>"""
    got = items(page, items="tr:has(a)", title="b", link="a")
    assert got == [
        ("Decree 12", "http://site.test/news/decree-12.pdf"),
        ("Decree 11", "http://site.test/news/decree-11.pdf"),
    ]


def test_the_item_may_be_the_link_itself_and_base_href_is_honoured():
    page = """<head><base href="https://cdn.site.test/archive/"></head>
      <a class=card href="one.html">One <small>more words</small></a>
      <a class=card href="/two.html">Two</a>"""
    assert items(page, items="a.card") == [
        ("One more words", "https://cdn.site.test/archive/one.html"),
        ("Two", "https://cdn.site.test/two.html"),
    ]


def test_items_without_a_usable_link_are_skipped_and_told():
    page = """<div class=i><a href="javascript:void(0)">Script link</a></div>
      <div class=i><a href="mailto:desk@site.test">Mail</a></div>
      <div class=i>No link at all</div>
      <div class=i><a href="/kept">Kept</a></div>
      <div class=i><a href="/kept#again">Kept again, other fragment</a></div>
      <div class=i><a href="/kept">Kept twice</a></div>"""
    read = parse_page(page.encode(), URL, PageRules(items="div.i"))
    assert [i.link for i in read.feed.items] == [
        "http://site.test/kept", "http://site.test/kept#again",
    ]  # fmt: skip
    assert read.feed.problems == ("3 of 6 items have no link: skipped",)


def test_broken_markup_is_read_as_a_browser_would_more_or_less():
    page = """<div class=news><p class=item><a href=/a>Misnested <b>bold</a></b>
      <p class=item><a href='/b'>Second</a><p class=item><a href="/c">Third &amp co</a>"""
    assert items(page, items="p.item") == [
        ("Misnested bold", "http://site.test/a"),
        ("Second", "http://site.test/b"),
        ("Third &amp; co", "http://site.test/c"),
    ]


def test_an_items_selector_that_matches_nothing_is_a_parse_error():
    with pytest.raises(ParseError, match="items selector matched nothing: 'article.story'"):
        parse_page(b"<html><body><p>redesigned</p></body></html>", URL, PageRules("article.story"))
    with pytest.raises(ParseError, match="matched nothing"):
        parse_page(b"\x00\xff\xfe binary \x89PNG", URL, PageRules("article"))


def test_summary_and_content_are_inner_html_and_scripts_are_left_for_the_sanitizer():
    page = """<div class=i><a href=/x>X</a><div class=body>a &lt; b <i>c</i><script>x()</script>
      </div></div>"""
    read = parse_page(page.encode(), URL, PageRules(items=".i", content=".body", summary=".no"))
    item = read.feed.items[0]
    assert item.content is not None and item.content.startswith("a &lt; b <i>c</i><script>")
    assert item.summary is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-04T10:00:00+01:00", datetime(2025, 3, 4, 9, 0, tzinfo=UTC)),
        ("Tue, 04 Mar 2025 10:00:00 GMT", datetime(2025, 3, 4, 10, 0, tzinfo=UTC)),
        ("Posted on 4 March 2025 at 14:05", datetime(2025, 3, 4, 14, 5, tzinfo=UTC)),
        ("March 4, 2025", datetime(2025, 3, 4, tzinfo=UTC)),
        ("Publié le 1er avril 2025 à 14h05", datetime(2025, 4, 1, 14, 5, tzinfo=UTC)),
        ("mardi 4 mars 2025, 10:30", datetime(2025, 3, 4, 10, 30, tzinfo=UTC)),
        ("12 décembre 2024", datetime(2024, 12, 12, tzinfo=UTC)),
        ("4 March", None),  # no year: no date (first-seen instead), never a guessed year
        ("yesterday", None),
        ("", None),
    ],
)
def test_dates_are_read_leniently(text, expected):
    assert item_date(text) == expected


def test_a_date_format_that_does_not_fit_gives_no_date():
    assert item_date("4 mars 2025", "%d/%m/%Y") is None  # a format is a format
    assert item_date("04/03/2025", "%d/%m/%Y") == datetime(2025, 3, 4, tzinfo=UTC)


def test_the_datetime_attribute_wins_over_the_text():
    page = '<li><a href=/x>X</a><time datetime="2024-12-31T23:00:00-02:00">today</time></li>'
    read = parse_page(page.encode(), URL, PageRules(items="li", date="time"))
    assert read.feed.items[0].published == datetime(2025, 1, 1, 1, 0, tzinfo=UTC)


def test_a_page_of_too_many_items_is_cut_and_told():
    page = "".join(f'<li><a href="/{n}">Item {n}</a></li>' for n in range(MAX_ITEMS + 50))
    read = parse_page(page.encode(), URL, PageRules(items="li"))
    assert len(read.feed.items) == MAX_ITEMS
    assert f"{MAX_ITEMS + 50} items on the page: the first {MAX_ITEMS} taken" in read.feed.problems


def test_a_deeply_nested_page_is_read_up_to_the_parser_limit_and_told():
    deep = "<div>" * 20_000 + "<li><a href=/deep>Deep</a></li>" + "</div>" * 20_000
    page = f"<ul><li><a href=/top>Top</a></li></ul>{deep}".encode()
    read = parse_page(page, URL, PageRules(items="li"))
    assert [i.link for i in read.feed.items] == ["http://site.test/top"]
    assert any("nested too deeply" in p for p in read.feed.problems)
    with pytest.raises(ParseError, match="nested too deeply"):
        parse_page(deep.encode(), URL, PageRules(items="li"))


def test_a_next_link_to_the_page_itself_is_no_next_page():
    page = f'<li><a href=/x>X</a></li><a rel=next href="{URL}#top">next</a>'
    assert (
        parse_page(page.encode(), URL, PageRules(items="li", next="a[rel=next]")).next_url is None
    )


def test_the_encoding_is_taken_from_the_page_when_the_server_does_not_say():
    page = '<meta charset="iso-8859-1"><li><a href=/x>Défense</a></li>'.encode("latin-1")
    assert items(page, items="li") == [("Défense", "http://site.test/x")]


# -- proposals -----------------------------------------------------------------------------


def test_the_proposal_for_the_listing_reads_its_stories_not_its_menus():
    rules = propose_rules(listing_page(1, 12))
    assert rules == PageRules(
        items="article.story", title="h2", link="h2 a[href]", date="time",
        summary="p.teaser", author="span.byline", next="a[rel~=next][href]", max_pages=5,
    )  # fmt: skip


def test_the_proposal_for_a_classless_list_beside_a_longer_menu():
    menu = "".join(f'<li><a href="/s{n}">Section {n}</a></li>' for n in range(8))
    posts = "".join(
        f'<li><a href="/post/{n}">A long enough headline number {n}</a>'
        f"<p>What happened on day {n}, told in a sentence or two.</p></li>"
        for n in range(4)
    )
    page = f"<div><ul>{menu}</ul></div><div id=main><ul>{posts}</ul></div>".encode()
    rules = propose_rules(page)
    assert rules is not None and rules.items == "#main > ul > li"
    read = parse_page(page, URL, rules)
    assert [i.link for i in read.feed.items] == [f"http://site.test/post/{n}" for n in range(4)]
    assert rules.summary == "p"


def test_the_proposal_for_div_cards_with_dates_in_a_class():
    cards = "".join(
        f'<div class="card"><a class="card-link" href="/c/{n}">Card headline {n} is here</a>'
        f'<span class="card-date">{n + 1} March 2025</span></div>'
        for n in range(5)
    )
    page = f'<div class="grid">{cards}</div><a class="pager-next" href="?p=2">»</a>'.encode()
    rules = propose_rules(page)
    assert rules is not None
    assert (rules.items, rules.date, rules.next) == (
        "div.card",
        "span.card-date",
        "a.pager-next[href]",
    )
    read = parse_page(page, URL, rules)
    assert read.feed.items[0].published == datetime(2025, 3, 1, tzinfo=UTC)
    assert read.next_url == "http://site.test/news/?p=2"


def test_no_proposal_for_a_page_without_repeated_linked_structure():
    assert propose_rules(b"<html><body><h1>About</h1><p>Text, <a href=/x>one link</a>.</p>") is None
    assert propose_rules(b"") is None


_MARKUP = st.sampled_from(
    ["<li>", "</li>", "<a href='/x'>", "<a href=javascript:x>", "</a>", "<div class=i>", "</div>",
     "<time datetime='2025-01-02'>", "<script>", "</script>", "<!--", "-->", "&amp;", "\x00",
     "<table>", "<p>", "<b>", "é", " ", "text", "<a href='https://o.test/y'>"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(_MARKUP | st.text(max_size=5), max_size=40))
def test_any_markup_gives_items_with_http_links_or_one_parse_error(parts):
    body = "".join(parts).encode("utf-8", "surrogatepass")
    try:
        read = parse_page(body, URL, PageRules(items="li, div.i", date="time", summary="p"))
    except ParseError as e:
        assert "\n" not in str(e) and "matched nothing" in str(e)
        return
    for item in read.feed.items:
        assert item.link is not None and item.link.startswith(("http://", "https://"))
