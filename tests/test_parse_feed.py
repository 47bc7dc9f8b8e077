"""parse_feed on real feedparser and json, over the fixture bodies in tests/data/parse/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.errors import ParseError
from feeds.parse import parse_feed

DATA = Path(__file__).parent / "data" / "parse"


def parse(name: str, **kwargs):
    return parse_feed((DATA / name).read_bytes(), url=f"http://fetched.example/{name}", **kwargs)


def test_rss091():
    feed = parse("rss091.xml")
    assert feed.title == "Harbour Gazette"
    assert feed.language == "en"
    assert [i.title for i in feed.items] == ["Ferry timetable changes", "Café reopens on the quay"]
    first = feed.items[0]
    assert first.guid is None  # missing guids are normalize's business
    assert first.link == "http://gazette.example.com/ferry?utm_source=rss&id=4"
    assert first.summary == "The winter timetable starts on Monday."
    assert first.published is None and first.content is None


def test_rss10_rdf_with_dublin_core_and_syndication_hint():
    feed = parse("rss10.rdf")
    assert feed.title == "Valley Notes"
    assert feed.ttl == 86400 / 4
    item = feed.items[0]
    assert item.guid == "http://valley.example.org/notes/1"
    assert item.authors == ("Jeanne Martin",)
    assert item.categories == ("Météo",)
    assert item.updated == datetime(2024, 3, 2, 7, 30, tzinfo=UTC)
    assert item.language == "fr"


def test_rss20_content_encoded_creators_categories_and_base():
    feed = parse("rss20.xml")
    assert feed.link == "http://desk.example.net/"
    assert feed.ttl == 90 * 60  # <ttl> beats the hourly sy:updatePeriod: the larger wins
    item = feed.items[0]
    assert item.guid == "desk-1001"
    assert item.title == "Troops leave the northern base"
    # The item link resolves against xml:base; content links are left for normalize.
    assert item.link.startswith("http://desk.example.net/world/stories/northern-base?")
    assert item.base == "http://desk.example.net/world/"
    assert item.content is not None and 'href="../maps/north.html"' in item.content
    assert item.summary == "The last convoy left at dawn."
    assert item.authors == ("Sam Okafor", "Lea Brandt")
    assert item.categories == ("Security", "Sahel")
    assert item.published == datetime(2024, 5, 19, 7, 15, tzinfo=UTC)
    assert item.language == "en-us"


def test_rss20_odd_but_valid_items_are_kept():
    items = parse("rss20.xml").items
    assert len(items) == 4
    assert items[1].title is None  # no title
    assert items[1].guid == items[2].guid == "desk-1002"  # duplicate guids: both kept
    assert items[3].guid is None
    assert items[3].summary == "<p>Escaped <b>HTML</b> description.</p>"


def test_atom03():
    feed = parse("atom03.xml")
    item = feed.items[0]
    assert item.guid == "tag:old.example.com,2004:legacy"
    assert item.published == datetime(2004, 2, 9, 15, 0, tzinfo=UTC)
    assert item.updated == datetime(2004, 2, 10, 11, 0, tzinfo=UTC)
    assert item.language == "en"


def test_atom10_text_constructs_authors_language():
    feed = parse("atom10.xml")
    assert feed.title == "Atlas du Sahel"
    assert feed.language == "fr"
    first, second = feed.items
    assert first.title == "Niamey &amp; Agadez : <em>nouvelles routes</em>"  # type="html"
    assert first.summary == "Deux nouvelles routes &lt;relient&gt; les villes."  # text, escaped
    assert first.link == "http://atlas.example.org/blog/posts/routes.html"
    assert first.base == "http://atlas.example.org/blog/"
    assert first.authors[0] == "Aïcha Diallo"
    assert first.categories == ("Transport", "niger")
    assert first.published == datetime(2024, 5, 18, 5, 0, tzinfo=UTC)
    assert second.language == "en"  # xml:lang on the entry beats the feed's
    assert second.content is not None and "<b>English</b>" in second.content


def test_json_feed_11():
    feed = parse("feed11.json")
    assert feed.title == "River Dispatch"
    assert feed.link == "https://dispatch.example.com/"
    assert feed.problems == ("item 3: not a JSON object, skipped",)
    first, second = feed.items
    assert first.guid == "https://dispatch.example.com/2024/bridge"
    assert first.summary == "Traffic is back &lt;soon&gt;."  # JSON Feed summary is text
    assert first.published == datetime(2024, 6, 1, 9, 0, tzinfo=UTC)
    assert first.updated == datetime(2024, 6, 2, 8, 30, tzinfo=UTC)
    assert first.authors == ("Nora Vale", "https://dispatch.example.com/tom")
    assert first.categories == ("transport", "city")
    assert first.language == "en-GB"
    assert second.guid == "42"
    assert second.content == (
        "<p>Plain text with &lt;angle&gt; brackets &amp; ampersands.</p><p>Second paragraph.</p>"
    )
    assert second.published is None  # "not a date"
    assert second.authors == ("Old Style Author",)
    assert second.language == "en"


def test_json_feed_by_content_type_and_bom():
    body = b'\xef\xbb\xbf  {"version": "https://jsonfeed.org/version/1", "items": []}'
    assert parse_feed(body, content_type="application/feed+json").items == ()
    assert parse_feed(b'{"items": [{"id": "a", "title": "T"}]}').items[0].title == "T"


def test_json_feed_z_dates():
    body = b'{"items": [{"id": "x", "date_published": "2024-01-02T03:04:05Z"}]}'
    assert parse_feed(body).items[0].published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_truncated_xml_keeps_usable_entries():
    feed = parse("truncated.xml")
    assert feed.items[0].title == "First"
    assert all(i.title or i.link or i.guid for i in feed.items)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.xml", "empty body"),
        ("page.html", "HTML page"),
        ("garbage.bin", "not a feed"),
        ("broken.json", "invalid JSON"),
    ],
)
def test_not_a_feed(name, message):
    with pytest.raises(ParseError, match=message) as info:
        parse(name)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [
        b"   \n\t ",
        b"<html><body><p>hi</p></body></html>",
        b"just some words",
        b"[1, 2, 3]",
        b'{"title": "no items"}',
        b'{"version": "https://example.com/other", "items": []}',
        b"<?xml version='1.0'?><note><to>x</to></note>",
    ],
)
def test_more_non_feeds(body):
    with pytest.raises(ParseError):
        parse_feed(body)


def test_empty_but_valid_feed_is_accepted():
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>'
    feed = parse_feed(body, content_type="application/rss+xml; charset=utf-8")
    assert feed.items == () and feed.title == "Quiet"


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.binary(),
        st.text().map(str.encode),
        st.text().map(lambda t: f'{{"items": [{{"id": "1", "title": {t!r}}}]}}'.encode()),
        st.text().map(lambda t: f"<rss version='2.0'><channel><item>{t}</item>".encode()),
    )
)
def test_any_body_is_a_feed_or_a_parse_error(body):
    try:
        feed = parse_feed(body)
    except ParseError as e:
        assert "\n" not in str(e)
    else:
        assert all(isinstance(i.title, str | None) for i in feed.items)
