"""feeds.publish.atom: real feedgen output, read back with feedparser and lxml, checked against the
RFC 4287 schema; index.html, feeds.opml and article pages.

The golden file tests/data/publish/sahel.atom is compared byte for byte. Regenerate it only
deliberately: ``FEEDS_REGENERATE_GOLDEN=1 pytest tests/test_publish.py -k golden``.
"""

from __future__ import annotations

import calendar
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import lxml.html
import pytest
from atomcheck import NS, assert_valid_atom, parse_xml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from feeds import __version__
from feeds.errors import PublishError
from feeds.models import Entry, Settings, Source, Topic
from feeds.publish.atom import (
    EMPTY_FEED_UPDATED,
    atom_path,
    feed_url,
    language_tag,
    render_atom,
)
from feeds.publish.pages import render_article_page, render_index, render_opml

GOLDEN = Path(__file__).parent / "data" / "publish" / "sahel.atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE = "https://news.example.org/feeds/"

SETTINGS = Settings(
    base_url=BASE,
    public_dir=Path("/srv/feeds/public"),
    data_dir=Path("/srv/feeds/data"),
    title="Example Desk",
)
SOURCES = {
    "desk-fr": Source(
        name="desk-fr", kind="feed", url="https://fr.example.net/rss", title="Desk FR"
    ),
    "relief": Source(name="relief", kind="feed", url="https://relief.example.com/atom.xml"),
    "notes": Source(name="notes", kind="articles", path=Path("/srv/notes"), title="Field notes"),
}
SAHEL = Topic(
    slug="sahel",
    title="Sahel",
    query='sahel OR mali OR niger OR "burkina faso"',
    description="News on the Sahel, in French and English.",
)


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2024, 5, day, hour, 30, tzinfo=UTC)


ENTRIES = (
    Entry(
        id="https://fr.example.net/2024/05/niamey-pluies",
        source="desk-fr",
        title="Niger : fortes pluies à Niamey",
        link="https://fr.example.net/2024/05/niamey-pluies",
        summary="<p>Des pluies <em>inhabituelles</em> &amp; des dégâts.</p>",
        content="<p>Des pluies inhabituelles ont touché Niamey.</p><p>Suite…</p>",
        authors=("Awa Diallo", "Jean Martin"),
        published=_at(12),
        updated=_at(13, 7),
        language="fr",
        categories=("Niger", "Climat"),
    ),
    Entry(
        id="tag:news.example.org,2024:relief/https://relief.example.com/r/881",
        source="relief",
        title="Mali: humanitarian update <May>",
        link="https://relief.example.com/r/881",
        summary="<p>Access remains limited in the north.</p>",
        content="",
        authors=(),
        published=_at(11),
        updated=_at(11),
        language="en",
        categories=("Mali",),
    ),
    Entry(
        id="tag:news.example.org,2024:notes/niamey/market.md",
        source="notes",
        title="Market day in Niamey",
        link=BASE + "articles/notes/niamey/market.html",
        summary="<p>Notes from the Grand Marché.</p>",
        content="<h2>Morning</h2><p>Prices of millet are up.</p>",
        authors=("Field team",),
        published=_at(10),
        updated=_at(10),
        language="en-GB",
        categories=(),
        page="articles/notes/niamey/market.html",
    ),
)


def render(entries=ENTRIES, topic=SAHEL, sources=SOURCES, settings=SETTINGS) -> bytes:
    return render_atom(topic, entries, settings=settings, sources=sources)


def struct(dt: datetime):
    return datetime.fromtimestamp(calendar.timegm(dt), UTC)


# --- Atom: validity and read-back ---------------------------------------------------------------


def test_renders_valid_atom_with_declaration():
    data = render()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n")
    assert b"\n  <entry" in data  # pretty printed
    assert_valid_atom(data)


def test_feed_level_fields():
    url = BASE + "sahel.atom"
    parsed = feedparser.parse(render())
    assert not parsed.bozo
    feed = parsed.feed
    assert feed.id == url
    assert feed.title == "Sahel"
    assert feed.subtitle == SAHEL.description
    links = {link["rel"]: link for link in feed.links}
    assert links["self"]["href"] == url
    assert links["self"]["type"] == "application/atom+xml"
    assert links["alternate"]["href"] == BASE
    assert links["alternate"]["type"] == "text/html"
    assert feed.author == "Example Desk"
    assert feed.generator == "feeds"
    assert feed.generator_detail["version"] == __version__
    assert struct(feed.updated_parsed) == max(e.updated for e in ENTRIES)


def test_entries_read_back_with_feedparser():
    parsed = feedparser.parse(render())
    assert [e.id for e in parsed.entries] == [e.id for e in ENTRIES]
    for got, want in zip(parsed.entries, ENTRIES, strict=True):
        assert got.title == want.title
        assert got.title_detail["type"] == "text/plain"
        assert got.link == want.link
        assert [link["rel"] for link in got.links] == ["alternate"]
        assert got.title_detail["language"] == want.language
        assert [a["name"] for a in got.get("authors", [])] == list(want.authors)
        assert [t["term"] for t in got.get("tags", [])] == list(want.categories)
        assert struct(got.published_parsed) == want.published
        assert struct(got.updated_parsed) == want.updated
        assert got.summary_detail["type"] == "text/html"
        assert got.summary == want.summary
        if want.content:
            assert got.content[0]["value"] == want.content
            assert got.content[0]["type"] == "text/html"
        else:
            assert "content" not in got


def test_every_entry_has_xml_lang_and_atom_source():
    root = assert_valid_atom(render())
    entries = root.findall("a:entry", NS)
    assert [e.get(XML_LANG) for e in entries] == ["fr", "en", "en-GB"]
    sources = [e.find("a:source", NS) for e in entries]
    assert all(s is not None for s in sources)
    ids = [s.findtext("a:id", namespaces=NS) for s in sources]
    titles = [s.findtext("a:title", namespaces=NS) for s in sources]
    assert ids == [
        "https://fr.example.net/rss",
        "https://relief.example.com/atom.xml",
        BASE + "#source-notes",
    ]
    assert titles == ["Desk FR", "relief", "Field notes"]
    assert all(s.findtext("a:updated", namespaces=NS) for s in sources)


def test_source_read_back_with_feedparser():
    parsed = feedparser.parse(render())
    assert parsed.entries[0].source["id"] == "https://fr.example.net/rss"
    assert parsed.entries[0].source["title"] == "Desk FR"
    assert parsed.entries[2].source["id"] == BASE + "#source-notes"


def test_unknown_source_is_named_by_its_name():
    entry = _replace(ENTRIES[0], source="gone away")
    root = assert_valid_atom(render([entry], sources={}))
    source = root.find("a:entry/a:source", NS)
    assert source.findtext("a:title", namespaces=NS) == "gone away"
    assert source.findtext("a:id", namespaces=NS) == BASE + "#source-gone%20away"


def test_same_input_same_bytes():
    assert render() == render()
    assert render([]) == render([])


def test_feed_updated_is_newest_entry_not_now():
    older = [_replace(e, updated=e.updated - timedelta(days=30)) for e in ENTRIES]
    root = assert_valid_atom(render(older))
    newest = max(e.updated for e in older)
    assert root.findtext("a:updated", namespaces=NS) == newest.isoformat()


def test_entries_keep_the_given_order():
    reordered = [ENTRIES[2], ENTRIES[0], ENTRIES[1]]
    parsed = feedparser.parse(render(reordered))
    assert [e.id for e in parsed.entries] == [e.id for e in reordered]


def test_empty_topic_is_valid_and_stable():
    data = render([])
    root = assert_valid_atom(data)
    assert root.findall("a:entry", NS) == []
    assert root.findtext("a:updated", namespaces=NS) == EMPTY_FEED_UPDATED.isoformat()
    assert root.findtext("a:author/a:name", namespaces=NS) == "Example Desk"


def test_golden_file():
    data = render()
    if os.environ.get("FEEDS_REGENERATE_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_bytes(data)
    assert data == GOLDEN.read_bytes(), "rendering changed; regenerate only deliberately"


# --- Atom: odd input ----------------------------------------------------------------------------


def _fields(entry: Entry) -> dict[str, object]:
    return {name: getattr(entry, name) for name in Entry.__dataclass_fields__}


def _replace(entry: Entry, **changes: object) -> Entry:
    return Entry(**{**_fields(entry), **changes})


def test_entry_without_link_or_content_gets_content():
    entry = _replace(ENTRIES[1], link="", content="")
    root = assert_valid_atom(render([entry]))
    content = root.find("a:entry/a:content", NS)
    assert content is not None
    assert content.text == entry.summary


def test_entry_without_link_uses_its_page():
    entry = _replace(ENTRIES[2], link="")
    root = assert_valid_atom(render([entry]))
    link = root.find("a:entry/a:link", NS)
    assert link.get("href") == BASE + "articles/notes/niamey/market.html"


def test_empty_title_stays_empty():
    root = assert_valid_atom(render([_replace(ENTRIES[0], title="")]))
    assert root.findtext("a:entry/a:title", namespaces=NS) in ("", None)


def test_bad_language_becomes_und():
    root = assert_valid_atom(render([_replace(ENTRIES[0], language="not a tag!")]))
    assert root.find("a:entry", NS).get(XML_LANG) == "und"
    assert language_tag("pt-BR") == "pt-BR"
    assert language_tag("") == "und"


def test_naive_and_non_utc_dates_are_utc():
    paris = datetime(2024, 5, 12, 13, 30, tzinfo=ZoneInfo("Europe/Paris"))
    entry = _replace(ENTRIES[0], published=paris, updated=datetime(2024, 5, 13, 7, 30))
    root = assert_valid_atom(render([entry]))
    assert root.findtext("a:entry/a:published", namespaces=NS) == "2024-05-12T11:30:00+00:00"
    assert root.findtext("a:entry/a:updated", namespaces=NS) == "2024-05-13T07:30:00+00:00"


def test_empty_id_is_a_publish_error():
    with pytest.raises(PublishError) as info:
        render([_replace(ENTRIES[0], id="\x00")])
    assert info.value.topic == "sahel"


SPECIALS = st.sampled_from(["]]>", "&", "<", ">", "&amp;", "\x00", "\x0b", "\ufffe", "\ud800"])
HOSTILE = st.lists(
    st.one_of(st.text(st.characters(exclude_categories=())), SPECIALS), max_size=4
).map("".join)


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=HOSTILE,
    summary=HOSTILE,
    content=HOSTILE,
    authors=st.lists(HOSTILE, max_size=3),
    categories=st.lists(HOSTILE, max_size=3),
    topic_title=HOSTILE,
    description=st.none() | HOSTILE,
    source_title=st.none() | HOSTILE,
)
def test_hostile_text_gives_valid_atom(
    title, summary, content, authors, categories, topic_title, description, source_title
):
    entry = _replace(
        ENTRIES[0],
        title=title,
        summary=summary,
        content=content,
        authors=tuple(authors),
        categories=tuple(categories),
    )
    topic = Topic(slug="sahel", title=topic_title, query="x", description=description)
    sources = {"desk-fr": Source(name="desk-fr", kind="feed", url="https://x/", title=source_title)}
    data = render([entry], topic=topic, sources=sources)
    root = assert_valid_atom(data)
    assert len(root.findall("a:entry", NS)) == 1
    assert render([entry], topic=topic, sources=sources) == data


# --- paths --------------------------------------------------------------------------------------


def test_paths_and_urls():
    assert feed_url(SETTINGS, SAHEL) == BASE + "sahel.atom"
    assert atom_path(SETTINGS, SAHEL) == Path("/srv/feeds/public/sahel.atom")


# --- index.html ---------------------------------------------------------------------------------

TOPICS = (
    SAHEL,
    Topic(slug="ai-policy", title='AI <policy> & "rules"', query="ai", description=None),
)


def test_index_has_one_autodiscovery_link_per_topic():
    data = render_index(TOPICS, settings=SETTINGS)
    doc = lxml.html.fromstring(data)
    links = doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]')
    assert [link.get("href") for link in links] == [BASE + "sahel.atom", BASE + "ai-policy.atom"]
    assert [link.get("title") for link in links] == ["Sahel", 'AI <policy> & "rules"']


def test_index_lists_topics_with_counts_and_dates():
    when = datetime(2024, 5, 13, 7, 30, tzinfo=UTC)
    data = render_index(
        TOPICS, settings=SETTINGS, counts={"sahel": 3, "ai-policy": 1}, updated={"sahel": when}
    )
    assert data.startswith(b"<!DOCTYPE html>")
    doc = lxml.html.fromstring(data)
    items = doc.xpath('//ul[@class="topics"]/li')
    assert len(items) == 2
    assert items[0].xpath(".//h2/a")[0].get("href") == "sahel.html"
    assert items[0].xpath('.//a[@type="application/atom+xml"]')[0].get("href") == "sahel.atom"
    assert items[0].xpath(".//h2/a")[0].text_content() == "Sahel"
    assert SAHEL.description in items[0].text_content()
    assert "3 entries" in items[0].text_content()
    assert items[0].xpath(".//time")[0].get("datetime") == when.isoformat()
    assert "1 entry" in items[1].text_content()
    assert items[1].xpath(".//h2/a")[0].text_content() == 'AI <policy> & "rules"'
    assert b"<policy>" not in data
    assert doc.xpath('//a[@href="feeds.opml"]')
    assert "feed reader" in doc.xpath('//p[@class="subscribe"]')[0].text_content()


def test_index_is_deterministic_and_handles_no_topics():
    assert render_index(TOPICS, settings=SETTINGS) == render_index(TOPICS, settings=SETTINGS)
    doc = lxml.html.fromstring(render_index((), settings=SETTINGS))
    assert doc.xpath('//link[@rel="alternate"]') == []
    assert "No topics" in doc.text_content()


# --- feeds.opml ---------------------------------------------------------------------------------


def test_opml_lists_every_topic():
    data = render_opml(TOPICS, settings=SETTINGS)
    root = parse_xml(data)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Example Desk"
    outlines = root.findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [BASE + "sahel.atom", BASE + "ai-policy.atom"]
    assert [o.get("text") for o in outlines] == ["Sahel", 'AI <policy> & "rules"']
    assert all(o.get("type") == "rss" for o in outlines)
    assert outlines[0].get("htmlUrl") == BASE + "sahel.html"
    assert b"dateCreated" not in data
    assert render_opml(TOPICS, settings=SETTINGS) == data


# --- article pages ------------------------------------------------------------------------------


def test_article_page():
    entry = _replace(ENTRIES[2], title="Prices <up> & away")
    data = render_article_page(entry, settings=SETTINGS)
    assert data.startswith(b"<!DOCTYPE html>")
    assert b"Prices &lt;up&gt; &amp; away" in data
    doc = lxml.html.fromstring(data)
    assert doc.get("lang") == "en"  # the page's own words; the article's are its language
    assert doc.xpath("//article")[0].get("lang") == "en-GB"
    assert doc.findtext(".//title") == "Prices <up> & away"
    assert doc.xpath("//article/h1")[0].text_content() == "Prices <up> & away"
    assert doc.xpath("//article//h2")[0].text_content() == "Morning"  # content, as HTML
    assert doc.xpath("//time")[0].get("datetime") == entry.published.isoformat()
    assert "Field team" in doc.text_content()
    assert doc.xpath(f'//a[@href="{BASE}"]')
    canonical = doc.xpath('//link[@rel="canonical"]')[0].get("href")
    assert canonical == BASE + "articles/notes/niamey/market.html"
    assert render_article_page(entry, settings=SETTINGS) == data


def test_article_page_falls_back_to_summary():
    entry = _replace(ENTRIES[2], content="")
    doc = lxml.html.fromstring(render_article_page(entry, settings=SETTINGS))
    assert "Grand Marché" in doc.xpath("//article")[0].text_content()
