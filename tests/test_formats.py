"""The sibling formats (feeds.publish.formats: RSS 2.0, JSON Feed 1.1) and the Atom extras
(stylesheet,
hubs, RFC 5005 links, related links): golden files compared byte for byte, real feedparser
read-back, and any entry text gives well-formed output.

Regenerate the golden files only deliberately:
``FEEDS_REGENERATE_GOLDEN=1 pytest tests/test_formats.py -k golden``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import feedparser
import pytest
from atomcheck import NS, assert_valid_atom, parse_xml
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from test_publish import BASE, ENTRIES, HOSTILE, SAHEL, SETTINGS, SOURCES, _replace

from feeds.parse import parse_feed
from feeds.publish.atom import Links, Related, entry_id, render_atom
from feeds.publish.formats import JSON_FEED_VERSION, render_json_feed, render_rss

DATA = Path(__file__).parent / "data" / "publish"
HUB = "https://hub.example.net/"
RELATED = {ENTRIES[0].id: [Related("https://other.example.com/niamey-rain", "Other Wire")]}
LINKS = Links(
    stylesheet="feed.xsl",
    hubs=(HUB,),
    alternates=(
        ("application/rss+xml", BASE + "sahel.rss"),
        ("application/feed+json", BASE + "sahel.json"),
    ),
    site=BASE + "sahel.html",
    prev_archive=BASE + "archive/sahel/abc/2.atom",
)
ARCHIVE = Links(
    stylesheet="../../../feed.xsl",
    current=BASE + "sahel.atom",
    prev_archive=BASE + "archive/sahel/abc/1.atom",
    next_archive=BASE + "archive/sahel/abc/3.atom",
    self_url=BASE + "archive/sahel/abc/2.atom",
    title="Sahel (archive 2)",
)


def rss(entries=ENTRIES, topic=SAHEL, sources=SOURCES) -> bytes:
    return render_rss(topic, entries, settings=SETTINGS, sources=sources, hubs=(HUB,))


def json_feed(entries=ENTRIES) -> bytes:
    return render_json_feed(
        SAHEL, entries, settings=SETTINGS, sources=SOURCES, hubs=(HUB,), related=RELATED
    )


def atom(links: Links) -> bytes:
    return render_atom(
        SAHEL, ENTRIES, settings=SETTINGS, sources=SOURCES, links=links, related=RELATED
    )


@pytest.mark.parametrize(
    ("name", "render"),
    [
        ("sahel.rss", rss),
        ("sahel.json", json_feed),
        ("sahel-current.atom", lambda: atom(LINKS)),
        ("sahel-archive-2.atom", lambda: atom(ARCHIVE)),
    ],
)
def test_golden_file(name, render):
    data = render()
    assert data == render()
    golden = DATA / name
    if os.environ.get("FEEDS_REGENERATE_GOLDEN"):
        golden.write_bytes(data)
    assert data == golden.read_bytes(), "rendering changed; regenerate only deliberately"


# --- RSS ----------------------------------------------------------------------------------------


def test_rss_reads_back_with_feedparser():
    parsed = feedparser.parse(rss())
    assert not parsed.bozo and parsed.version == "rss20"
    assert parsed.feed.link == BASE + "sahel.html"  # the topic's page (#15 item 9)
    assert [e.id for e in parsed.entries] == [e.id for e in ENTRIES]
    first = parsed.entries[0]
    assert first.title == ENTRIES[0].title
    assert [a["name"] for a in first.authors] == list(ENTRIES[0].authors)
    assert first.content[0].value == ENTRIES[0].content
    assert [t.term for t in first.tags] == list(ENTRIES[0].categories)
    root = parse_xml(rss())
    atom_links = root.findall("channel/{http://www.w3.org/2005/Atom}link")
    assert {(a.get("rel"), a.get("href")) for a in atom_links} == {
        ("self", BASE + "sahel.rss"),
        ("hub", HUB),
    }
    assert root.findtext("channel/lastBuildDate") == "Mon, 13 May 2024 07:30:00 +0000"


def test_rss_guid_is_a_permalink_only_when_it_is_the_link():
    root = parse_xml(rss())
    guids = root.findall("channel/item/guid")
    assert [g.get("isPermaLink") for g in guids] == ["true", "false", "false"]


# --- JSON Feed ----------------------------------------------------------------------------------


def test_json_feed_fields():
    feed = json.loads(json_feed())
    assert feed["version"] == JSON_FEED_VERSION
    assert feed["feed_url"] == BASE + "sahel.json"
    assert feed["hubs"] == [{"type": "WebSub", "url": HUB}]
    items = feed["items"]
    assert [i["id"] for i in items] == [e.id for e in ENTRIES]
    assert items[0]["content_html"] == ENTRIES[0].content
    assert items[1]["content_html"] == ENTRIES[1].summary  # no content: the summary
    assert items[0]["summary"] == "Des pluies inhabituelles & des dégâts."
    assert items[0]["date_modified"] == "2024-05-13T07:30:00+00:00"
    assert items[0]["_feeds"]["related"] == [
        {"url": "https://other.example.com/niamey-rain", "title": "Other Wire"}
    ]
    assert items[2]["url"] == BASE + "articles/notes/niamey/market.html"


def test_json_feed_reads_back_with_our_own_parser():
    parsed = parse_feed(json_feed(), url=BASE + "sahel.json")
    assert [i.guid for i in parsed.items] == [e.id for e in ENTRIES]
    assert parsed.items[0].content == ENTRIES[0].content


# --- Atom extras --------------------------------------------------------------------------------


def test_current_feed_links():
    data = atom(LINKS)
    assert data.split(b"\n")[1] == b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>'
    root = assert_valid_atom(data)
    rels = [(x.get("rel"), x.get("type")) for x in root.findall("a:link", NS)]
    assert ("hub", None) in rels and ("prev-archive", "application/atom+xml") in rels
    assert root.find("{http://purl.org/syndication/history/1.0}archive") is None
    parsed = feedparser.parse(data)
    assert not parsed.bozo
    related = [x for x in parsed.entries[0].links if x.rel == "related"]
    assert [(x.href, x.title) for x in related] == [
        ("https://other.example.com/niamey-rain", "Other Wire")
    ]


def test_archive_document():
    root = assert_valid_atom(atom(ARCHIVE))
    assert root.findtext("a:id", namespaces=NS) == ARCHIVE.self_url
    assert root.find("a:link[@rel='self']", NS).get("href") == ARCHIVE.self_url
    assert root.find("{http://purl.org/syndication/history/1.0}archive") is not None
    assert root.findtext("a:title", namespaces=NS) == "Sahel (archive 2)"


def test_ids_become_uris():
    assert entry_id("tag:x.org,2024:desk/é t.md") == "tag:x.org,2024:desk/%C3%A9%20t.md"
    assert entry_id("https://a.example/p?q=1#f") == "https://a.example/p?q=1#f"
    root = assert_valid_atom(
        render_atom(
            SAHEL,
            [_replace(ENTRIES[2], id="tag:x.org,2024:a b\x01")],
            settings=SETTINGS,
            sources=SOURCES,
        )  # fmt: skip
    )
    assert root.findtext("a:entry/a:id", namespaces=NS) == "tag:x.org,2024:a%20b"


# --- any text -----------------------------------------------------------------------------------


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=HOSTILE, summary=HOSTILE, content=HOSTILE, author=HOSTILE, related_title=HOSTILE)
def test_any_text_gives_well_formed_siblings_and_valid_atom(
    title, summary, content, author, related_title
):
    entry = _replace(ENTRIES[0], title=title, summary=summary, content=content, authors=(author,))
    root = parse_xml(rss([entry]))
    assert len(root.findall("channel/item")) == 1
    feed = json.loads(render_json_feed(SAHEL, [entry], settings=SETTINGS, sources=SOURCES))
    assert len(feed["items"]) == 1
    related = {entry.id: [Related("https://x.example/" + related_title, related_title)]}
    data = render_atom(
        SAHEL, [entry], settings=SETTINGS, sources=SOURCES, links=LINKS, related=related
    )
    assert len(assert_valid_atom(data).findall("a:entry", NS)) == 1
