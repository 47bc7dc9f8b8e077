"""Property tests: every published format takes any entry text and stays well-formed.

tests/test_publish.py covers Atom; this covers the RSS 2.0 and JSON Feed siblings, the
article pages and index.html, with text straight from hypothesis and through normalize.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
from atomcheck import assert_valid_atom, parse_xml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from webpages import assert_valid_html

from feeds.models import Entry, RawItem, Settings, Source, Topic
from feeds.normalize.entry import normalize
from feeds.normalize.sanitize import sanitize_html
from feeds.publish.atom import Related, render_atom
from feeds.publish.formats import render_json_feed, render_rss
from feeds.publish.pages import render_article_page, render_index, render_topic_page
from feeds.publish.templating import entry_view

SPECIALS = st.sampled_from(
    ["]]>", "&", "<", ">", "&amp;", "\x00", "\x0b", "\ufffe", "\ud800", "<script>", "\u2028",
     "javascript:", '"', "'", "-->", "<![CDATA[", "&#0;", "&#xD800;", "\r\n"]
)  # fmt: skip
HOSTILE = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=())), SPECIALS), max_size=5
).map("".join)
SETTINGS = Settings(
    base_url="http://127.0.0.1:8080/", public_dir=Path("public"), data_dir=Path("data")
)
WHEN = datetime(2024, 1, 2, tzinfo=UTC)


def _entry(title: str, summary: str, content: str, author: str, category: str) -> Entry:
    return Entry(
        id="http://example.org/1", source="desk", title=title, link="http://example.org/1",
        summary=summary, content=content, authors=(author,), published=WHEN, updated=WHEN,
        language="en", categories=(category,), page="articles/desk/one.html", hash="x",
    )  # fmt: skip


def _check_all(entry: Entry, topic: Topic, source: Source) -> None:
    sources = {"desk": source}
    assert_valid_atom(render_atom(topic, [entry], settings=SETTINGS, sources=sources))
    rss = parse_xml(render_rss(topic, [entry], settings=SETTINGS, sources=sources))
    assert len(rss.findall("channel/item")) == 1
    document = json.loads(render_json_feed(topic, [entry], settings=SETTINGS, sources=sources))
    assert len(document["items"]) == 1
    page = lxml.html.document_fromstring(render_article_page(entry, settings=SETTINGS))
    assert page.find("body") is not None and not list(page.iter("script"))
    index = lxml.html.document_fromstring(render_index([topic], settings=SETTINGS))
    assert not list(index.iter("script"))
    # The web face (#20): valid HTML whatever the text, and the text never markup.
    copy = Related("http://example.org/2", source.title or "")
    view = entry_view(entry, SETTINGS, sources, [copy])
    views = {topic.slug: [view]}
    for data in (
        render_topic_page(topic, [view], settings=SETTINGS),
        render_index([topic], settings=SETTINGS, newest=views),
        render_article_page(entry, settings=SETTINGS),
    ):
        assert_valid_html(data)
        doc = lxml.html.document_fromstring(data)
        assert [s.get("src") for s in doc.iter("script")] in ([], ["copy.js"])
        assert not doc.xpath("//*[starts-with(name(@*), 'on')]")


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=HOSTILE, summary=HOSTILE, content=HOSTILE, author=HOSTILE, category=HOSTILE,
       topic_title=HOSTILE, source_title=HOSTILE)  # fmt: skip
def test_raw_hostile_text_in_every_format(
    title, summary, content, author, category, topic_title, source_title
) -> None:
    topic = Topic(slug="zebras", title=topic_title, query="zebra", description=topic_title)
    source = Source(name="desk", kind="feed", url="http://example.org/f", title=source_title)
    # The store holds sanitized HTML (pages take it as it is); every other field is raw.
    entry = _entry(title, sanitize_html(summary), sanitize_html(content), author, category)
    _check_all(entry, topic, source)


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=HOSTILE, summary=HOSTILE, content=HOSTILE, author=HOSTILE, guid=HOSTILE,
       link=HOSTILE)  # fmt: skip
def test_normalized_hostile_items_in_every_format(title, summary, content, author, guid, link):
    source = Source(name="desk", kind="feed", url="http://example.org/f")
    item = RawItem(guid=guid, title=title, link=link, summary=summary, content=content,
                   authors=(author,), categories=(title,))  # fmt: skip
    entry = normalize(item, source=source, now=WHEN, id_authority="example.org",
                      languages=("en",), site_base=SETTINGS.base_url)  # fmt: skip
    _check_all(entry, Topic(slug="zebras", title="Zebras", query="zebra"), source)
