"""Where a topic feed says its site is (#15 item 9): readers that take the *last*
``rel="alternate"`` link of an Atom feed as the feed's site (newsboat does) must land on the
topic's web page (``<slug>.html``, #20), never on the JSON Feed or the RSS sibling. The
RSS channel's link and the JSON Feed's home page say the same."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import feedparser
from atomcheck import NS, assert_valid_atom
from lxml import html

from feeds.models import Config, Entry, Settings, Topic
from feeds.publish.flow import regenerate
from feeds.store.sqlite.store import Store

BASE = "http://127.0.0.1:8080/"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
TOPIC = Topic(slug="sahel-news", title="Sahel", query="sahel")


def _site(tmp_path, **settings: object) -> Config:
    base = Settings(base_url=BASE, public_dir=tmp_path / "public", data_dir=tmp_path / "data")
    base = replace(base, **settings)  # type: ignore[arg-type]
    config = Config(file=tmp_path / "feeds.toml", settings=base, topics=(TOPIC,))
    entry = Entry(
        id="https://wire.example.com/1", source="wire", title="Sahel news", link="https://wire.example.com/1",
        summary="<p>Sahel news.</p>", content="", authors=("Staff",), published=T0, updated=T0,
        language="en", hash="1",
    )  # fmt: skip
    with Store(tmp_path / "data" / "feeds.sqlite3") as store:
        store.upsert([entry], now=T0)
        regenerate(config, store)
    return config


def _alternates(public) -> list[tuple[str | None, str | None]]:
    root = assert_valid_atom((public / f"{TOPIC.slug}.atom").read_bytes())
    links = root.findall("a:link[@rel='alternate']", NS)
    return [(link.get("type"), link.get("href")) for link in links]


def test_the_last_alternate_of_a_topic_feed_is_its_web_page(tmp_path):
    public = _site(tmp_path).settings.public_dir
    page = BASE + "sahel-news.html"
    assert _alternates(public) == [
        ("application/rss+xml", BASE + "sahel-news.rss"),
        ("application/feed+json", BASE + "sahel-news.json"),
        ("text/html", page),
    ]
    # The page is there, and the index links it (its old anchor stays for old links).
    assert html.fromstring((public / "sahel-news.html").read_bytes()).findtext(".//h1") == "Sahel"
    index = html.fromstring((public / "index.html").read_bytes())
    assert index.get_element_by_id("topic-sahel-news").xpath(".//h2/a/@href") == ["sahel-news.html"]
    # feedparser, like most readers, takes the feed's link from its text/html alternate.
    assert feedparser.parse((public / "sahel-news.atom").read_bytes()).feed.link == page
    assert feedparser.parse((public / "sahel-news.rss").read_bytes()).feed.link == page
    assert json.loads((public / "sahel-news.json").read_bytes())["home_page_url"] == page


def test_the_web_page_stays_last_with_the_siblings_switched_off(tmp_path):
    public = _site(tmp_path, rss=False, json_feed=False).settings.public_dir
    assert _alternates(public) == [("text/html", BASE + "sahel-news.html")]
