"""Dates, authors and ids of entries, through the real pipeline (#15 items 2, 3, 4).

Local feed files and article folders on disk, a real SQLite store, a real public/ folder:
ingest, then regenerate, then read what a reader gets.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
from atomcheck import NS, parse_xml
from loopback import feed
from lxml import etree

from feeds.ingest.flow import ingest
from feeds.models import Config, Entry, Settings, Source, Topic
from feeds.parse import feed as feed_module
from feeds.parse import parse_feed
from feeds.parse.fast import decline_reason
from feeds.publish.flow import regenerate
from feeds.store.sqlite.store import Store

BASE = "http://127.0.0.1:8080/"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
TOPIC = Topic(slug="all", title="All", query="sahel")
XSL = Path(__file__).resolve().parent.parent / "feeds" / "static" / "feed.xsl"


def rss(*items: str, channel: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>T</title><link>http://h.example/</link>{channel}{''.join(items)}"
        "</channel></rss>"
    )


def item(n: int, *, guid: str | None = None, date: str = "", extra: str = "") -> str:
    guid_el = f"<guid>{guid}</guid>" if guid is not None else ""
    date_el = f"<pubDate>{date}</pubDate>" if date else ""
    return (
        f"<item><title>Sahel story {n}</title><link>http://h.example/s/{n}</link>{guid_el}"
        f"<description>Sahel report {n}.</description>{date_el}{extra}</item>"
    )


def site(tmp_path: Path, feeds: dict[str, str], **titles: str) -> Config:
    """One local feed source per (name, body); ``titles``: source titles."""
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    sources = []
    for name, body in feeds.items():
        path = folder / f"{name}.xml"
        path.write_text(body, encoding="utf-8")
        sources.append(Source(name=name, kind="feed", path=path, title=titles.get(name)))
    settings = Settings(
        base_url=BASE, public_dir=tmp_path / "public", data_dir=tmp_path / "data",
        languages=("en",), title="Desk site",
    )  # fmt: skip
    return Config(file=tmp_path / "feeds.toml", settings=settings, sources=tuple(sources),
                  topics=(TOPIC,))  # fmt: skip


def run(config: Config, store: Store, *, at: datetime = NOW, names: tuple[str, ...] = ()):
    return asyncio.run(ingest(config, store, now=at, names=names, force=True))


def published(tmp_path: Path) -> etree._Element:
    return parse_xml((tmp_path / "public" / "all.atom").read_bytes())


def updated_values(root: etree._Element) -> list[str]:
    return [e.findtext("a:updated", namespaces=NS) for e in root.findall("a:entry", NS)]


# --- item 2: distinct updated instants ----------------------------------------------------


def test_undated_items_of_one_fetch_get_distinct_times_in_the_feeds_order(tmp_path):
    config = site(tmp_path, {"a": rss(item(1), item(2), item(3))})
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        times = {e.title: e.updated for e in store.entries()}
        assert times["Sahel story 1"] == NOW  # the first in the document is the newest
        assert times["Sahel story 1"] > times["Sahel story 2"] > times["Sahel story 3"]
        assert times["Sahel story 1"] - times["Sahel story 3"] < timedelta(milliseconds=1)
        # A later fetch with a new item first: stored entries keep their times.
        (tmp_path / "in" / "a.xml").write_text(rss(item(0), item(1), item(2), item(3)))
        run(config, store, at=NOW + timedelta(hours=1))
        again = {e.title: e.updated for e in store.entries()}
        assert {t: again[t] for t in times} == times
        assert again["Sahel story 0"] == NOW + timedelta(hours=1)


def test_article_files_with_one_mtime_get_distinct_times(tmp_path):
    folder = tmp_path / "desk"
    folder.mkdir()
    for n in range(3):  # copied together: one mtime to the nanosecond
        path = folder / f"a{n}.txt"
        path.write_text(f"# Sahel note {n}\n\n<section><h2>H</h2><p>Sahel {n}.</p></section>\n")
        os.utime(path, ns=(1_717_000_000_123_456_789,) * 2)
    config = site(tmp_path, {})
    config = replace(config, sources=(Source(name="desk", kind="articles", path=folder),))
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        times = [e.updated for e in store.entries()]
        assert len(times) == 3 and len(set(times)) == 3
        mtime = datetime.fromtimestamp((folder / "a0.txt").stat().st_mtime, UTC)
        assert max(times) == mtime  # the file's own time, to the microsecond
        regenerate(config, store)
    values = updated_values(published(tmp_path))
    assert len(set(values)) == len(values) == 3


def test_topic_feed_from_tied_sources_has_no_duplicate_updated(tmp_path):
    same = "Fri, 31 May 2024 10:00:00 GMT"
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>B</title><id>urn:b</id><updated>2024-06-03T10:00:00Z</updated>"
        + "".join(
            f"<entry><id>urn:b:{n}</id><title>Sahel b{n}</title><updated>2024-05-31T10:00:00Z"
            f'</updated><link href="http://b.example/{n}"/><summary>Sahel b{n}</summary></entry>'
            for n in range(3)
        )
        + "</feed>"
    )
    feeds = {
        "a": rss(item(1, date=same), item(2, date=same), item(3), item(4)),  # ties, undated
        "b": atom,  # same second as a's dated items
        "c": rss(item(5), item(6)),  # undated too: fetched at the same moment as a's
    }
    config = site(tmp_path, feeds)
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        regenerate(config, store)
        first = (tmp_path / "public" / "all.atom").read_bytes()
        values = updated_values(published(tmp_path))
        assert len(values) == 9
        assert len(set(values)) == len(values), values
        # Sub-second instants are written as RFC 3339 fractions; the bytes stay stable.
        assert any(re.search(r"T\d\d:\d\d:\d\d\.\d{6}", v) for v in values)
        (tmp_path / "public" / "all.atom").unlink()  # rendered again from the store
        regenerate(config, store)
        assert (tmp_path / "public" / "all.atom").read_bytes() == first
        parsed = feedparser.parse(first)
        assert not parsed.bozo


def test_fractions_of_a_second_in_a_feeds_dates_are_kept(tmp_path):
    entries = "".join(
        f'<entry><id>urn:f:{n}</id><title>Sahel f{n}</title><link href="http://f.example/{n}"/>'
        f"<updated>2024-05-31T10:00:00{fraction}Z</updated><summary>Sahel</summary></entry>"
        for n, fraction in enumerate([".25", ".125", ",5", ""])
    )
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>F</title><id>urn:f</id><updated>2024-05-31T10:00:00Z</updated>{entries}</feed>"
    )
    assert decline_reason(atom.encode()) is None  # the fast path takes it
    for parsed in (
        parse_feed(atom.encode()),
        feed_module._feedparser_only(atom.encode(), None, None),
    ):
        assert [i.updated.microsecond for i in parsed.items] == [250000, 125000, 500000, 0]
    config = site(tmp_path, {"f": atom})
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        regenerate(config, store)
    values = updated_values(published(tmp_path))
    assert values[:3] == [
        "2024-05-31T10:00:00.500000+00:00",
        "2024-05-31T10:00:00.250000+00:00",
        "2024-05-31T10:00:00.125000+00:00",
    ]


# --- item 3: a feed's own author ----------------------------------------------------------


def test_a_feeds_own_author_applies_to_entries_that_name_none(tmp_path):
    channel = "<managingEditor>Jane Editor</managingEditor>"
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>B</title><id>urn:b</id><updated>2024-06-03T10:00:00Z</updated>"
        "<author><name>Atom Desk</name></author>"
        '<entry><id>urn:b:1</id><title>Sahel b1</title><link href="http://b.example/1"/>'
        "<updated>2024-06-03T10:00:00Z</updated><summary>Sahel</summary></entry></feed>"
    )
    json_feed = json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "C",
        "authors": [{"name": "Json Desk"}],
        "items": [{"id": "urn:c:1", "url": "http://c.example/1", "content_text": "Sahel c"}],
    })  # fmt: skip
    feeds = {
        "a": rss(item(1), item(2, extra="<author>Own Author</author>"), channel=channel),
        "b": atom,
        "c": json_feed,
        "d": rss(item(7)),  # no author anywhere: the source's title
    }
    config = site(tmp_path, feeds, d="Desk D")
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        authors = {e.title: e.authors for e in store.entries()}
    assert authors["Sahel story 1"] == ("Jane Editor",)
    assert authors["Sahel story 2"] == ("Own Author",)
    assert authors["Sahel b1"] == ("Atom Desk",)
    assert authors["Sahel c"] == ("Json Desk",)
    assert authors["Sahel story 7"] == ("Desk D",)


def test_the_feed_page_never_names_the_source_twice(tmp_path):
    config = site(tmp_path, {"d": rss(item(7), item(8, extra="<author>Ann</author>"))}, d="Desk D")
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        regenerate(config, store)
    page = etree.XSLT(etree.parse(str(XSL)))(published(tmp_path))
    metas = [" ".join("".join(p.itertext()).split()) for p in page.iter("{*}p", "p")]
    metas = [m for m in metas if "Desk D" in m]
    assert len(metas) == 2, metas
    assert not any("Desk D · Desk D" in m for m in metas), metas
    assert any("Desk D · Ann" in m for m in metas), metas


# --- item 4: ids ------------------------------------------------------------------------------


def test_a_guid_that_is_not_a_uri_is_a_tag_under_its_source_never_a_file_path(tmp_path):
    config = site(tmp_path, {"a": rss(item(1, guid="7"), item(2, guid="story-8"))})
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        regenerate(config, store)
        ids = sorted(e.id for e in store.entries())
    assert all(i.startswith("tag:127.0.0.1,2024:a/") for i in ids), ids
    published_ids = [
        e.findtext("a:id", namespaces=NS) for e in published(tmp_path).findall("a:entry", NS)
    ]
    assert not any("file:" in i or str(tmp_path) in i for i in published_ids), published_ids


def test_a_guid_that_is_not_a_uri_is_not_resolved_against_the_feeds_url():
    body = rss(item(1, guid="7")).encode()
    for url in ("http://h.example/feed.php?c=1", "http://h.example/feed.php?c=2"):
        (raw,) = parse_feed(body, url=url).items
        assert raw.guid == "7"  # not "http://h.example/7", the same for both feeds
        assert raw.link == "http://h.example/s/1"
    (permalink,) = parse_feed(rss('<item><guid>p/9</guid><title>t</title></item>').encode(),
                              url="http://h.example/feed.php?c=1").items  # fmt: skip
    assert permalink.guid == "p/9"
    assert permalink.link == "http://h.example/p/9"  # a permalink guid is still the link


def test_two_sources_with_one_guid_both_keep_their_entry(tmp_path):
    guid = "https://news.example/story/1"
    shared = f"<guid>{guid}</guid>"
    a = rss(f"<item><title>Sahel from a</title><link>{guid}</link>{shared}</item>")
    b = rss(f"<item><title>Sahel from b</title><link>{guid}</link>{shared}</item>")
    config = site(tmp_path, {"a": a, "b": b})
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store, names=("a",))
        run(config, store, names=("b",))
        run(config, store, names=("a", "b"), at=NOW + timedelta(hours=1))  # again: stable
        entries = {e.source: e for e in store.entries()}
        assert set(entries) == {"a", "b"}
        assert entries["a"].id == guid and entries["a"].title == "Sahel from a"
        assert entries["b"].id.startswith("tag:127.0.0.1,2024:b/")
        assert entries["b"].title == "Sahel from b"
        assert entries["a"].link == entries["b"].link == guid
        assert store.entry_count() == 2
        regenerate(config, store)
    # One story in the topic feed (story grouping: same link), under the first one's id.
    shown = [e.findtext("a:id", namespaces=NS) for e in published(tmp_path).findall("a:entry", NS)]
    assert shown == [guid]


def test_an_entry_stored_under_a_resolved_guid_keeps_that_id(loopback, tmp_path):
    url = loopback.route("/feed.php", feed(rss(item(1, guid="7"), item(2, guid="8")).encode()))
    url += "?c=1"
    config = site(tmp_path, {})
    source = Source(name="a", kind="feed", url=url)
    config = replace(config, sources=(source,))
    # What feeds stored before #15: the guid "7" resolved against the feed's URL.
    old_id = loopback.url("/7")
    with Store(tmp_path / "db.sqlite3") as store:
        stored = Entry(
            id=old_id, source="a", title="Sahel story 1", link="http://h.example/s/1",
            summary="<p>old</p>", content="", authors=("a",), published=NOW, updated=NOW,
            language="en", hash="old",
        )  # fmt: skip
        store.upsert([stored], now=NOW)
        run(config, store, at=NOW + timedelta(hours=1))
        ids = sorted((e.id, e.title, e.summary) for e in store.entries())
    assert ids == [
        (old_id, "Sahel story 1", "Sahel report 1."),  # kept for life, with the new text
        ("tag:127.0.0.1,2024:a/http://h.example/s/2", "Sahel story 2", "Sahel report 2."),
    ]


def _shared(n: int, guid: str, title: str = "") -> str:
    """An item whose link is one that other items of the feed share (a live page, say)."""
    return (
        f"<item><title>{title or f'Sahel update {n}'}</title><link>http://h.example/live</link>"
        f'<guid isPermaLink="false">{guid}</guid><description>Sahel update {n}.</description>'
        "</item>"
    )


def test_two_guids_of_one_source_that_share_a_link_are_two_entries(tmp_path):
    config = site(tmp_path, {"a": rss(_shared(2, "live-2"), _shared(1, "live-1"))})
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        first = sorted((e.id, e.title) for e in store.entries())
        run(config, store, at=NOW + timedelta(hours=1))  # again: the same ids
        again = sorted((e.id, e.title) for e in store.entries())
    assert first == again
    assert [t for _, t in first] == ["Sahel update 1", "Sahel update 2"]
    prefix = "tag:127.0.0.1,2024:a/"
    assert all(i.startswith(prefix) for i, _ in first), first
    assert first[0][0] != first[1][0]


def test_an_entry_stored_under_its_link_keeps_that_id_when_another_guid_shares_it(tmp_path):
    path = tmp_path / "in" / "a.xml"
    config = site(tmp_path, {"a": rss(_shared(1, "live-1"))})
    link_id = "tag:127.0.0.1,2024:a/http://h.example/live"
    with Store(tmp_path / "db.sqlite3") as store:
        run(config, store)
        assert [e.id for e in store.entries()] == [link_id]  # alone: the id it always had
        path.write_text(rss(_shared(2, "live-2"), _shared(1, "live-1")))  # newest first
        run(config, store, at=NOW + timedelta(hours=1))
        ids = {e.title: e.id for e in store.entries()}
        assert ids["Sahel update 1"] == link_id  # not taken over by the newer item
        assert ids["Sahel update 2"] not in {link_id} and len(ids) == 2
        # The first one edited: it still keeps its id, the other keeps its own.
        path.write_text(rss(_shared(2, "live-2"), _shared(1, "live-1", title="Sahel update 1b")))
        run(config, store, at=NOW + timedelta(hours=2))
        again = {e.title: e.id for e in store.entries()}
    assert again == {"Sahel update 1b": link_id, "Sahel update 2": ids["Sahel update 2"]}
