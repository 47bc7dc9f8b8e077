"""Pages without a feed, end to end (#19): ``kind = "page"`` sources in the config, read from
a loopback site (tests/pagesite.py: a listing in three pages, no feed) through the real
fetcher, ingest, store and publish; ``feeds check``, ``feeds status``, the health feed, and
``feeds add`` proposing a page source. Hostile pages over HTTP too."""

from __future__ import annotations

import asyncio
import tomllib
from pathlib import Path

import pytest
from loopback import huge, respond
from pagesite import Listing
from test_cli import run

from feeds.config.loader import load_config
from feeds.ingest.flow import ingest
from feeds.models import PageRules
from feeds.store.sqlite.store import Store

SELECTORS = """
[sources.page]
items = "article.story"
title = "h2"
date = "time"
summary = "p.teaser"
author = ".byline"
next = "a[rel=next]"
"""


def site(tmp_path: Path, url: str, page: str = SELECTORS, extra: str = "") -> Path:
    """A config of one page source at ``url`` and a topic of everything it says."""
    (tmp_path / "config").mkdir(exist_ok=True)
    config = tmp_path / "config" / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:9/"\n\n'
        f'[[sources]]\nname = "ministry"\nkind = "page"\nurl = "{url}"\n{extra}{page}\n'
        '[[topics]]\nslug = "ministry"\ntitle = "Ministry"\nquery = "ministry"\n'
    )
    return config


def ingest_once(config: Path, store: Store):
    return asyncio.run(ingest(load_config(config), store, force=True))


def test_a_paginated_listing_is_read_into_entries_like_a_feed(tmp_path, loopback):
    listing = Listing(top=12)
    url = loopback.route("/news/", listing)
    config = site(tmp_path, url)
    with Store(tmp_path / "s.sqlite3") as store:
        [report] = ingest_once(config, store)
        assert (report.ok, report.new) == (True, 12), report
        entries = sorted(store.entries(source="ministry"), key=lambda e: e.published, reverse=True)
        newest = entries[0]
        assert newest.id == "tag:127.0.0.1,2024:ministry/" + loopback.url("/news/story-12.html")
        assert newest.title == "Story number 12: the ministry announces measure 12"
        assert newest.published.isoformat() == "2025-03-12T09:30:00+00:00"
        assert newest.authors == ("Desk 0",)
        assert "<em>emphasis</em>" in newest.summary and "<script" not in newest.summary
        assert "alert" not in newest.summary
        assert [len(loopback.requests_to("/news/"))] == [3]  # three pages, each once

        # unchanged: the first page answers 304 to its ETag, nothing else is asked
        [report] = ingest_once(config, store)
        assert (report.ok, report.new, report.changed) == (True, 0, 0)
        again = loopback.requests_to("/news/")[3:]
        assert len(again) == 1 and again[0].header("If-None-Match"), again

        # a new story: every page shifts by one; only the new one is new
        listing.top = 13
        [report] = ingest_once(config, store)
        assert (report.ok, report.new, report.changed) == (True, 1, 0), report


def test_max_pages_bounds_the_walk(tmp_path, loopback):
    url = loopback.route("/news/", Listing(top=40))
    config = site(tmp_path, url, SELECTORS + "max_pages = 2\n")
    with Store(tmp_path / "s.sqlite3") as store:
        [report] = ingest_once(config, store)
    assert (report.ok, report.new) == (True, 8)
    assert len(loopback.requests_to("/news/")) == 2


def test_a_next_link_loop_and_a_next_page_elsewhere_end_the_walk(tmp_path, loopback):
    loop = b'<li><a href="/a">Story A</a></li><a rel=next href="/loop2">next</a>'
    loopback.route("/loop", respond(200, loop, content_type="text/html"))
    back = b'<li><a href="/b">Story B</a></li><a rel=next href="/loop">next</a>'
    loopback.route("/loop2", respond(200, back, content_type="text/html"))
    rules = '[sources.page]\nitems = "li"\nnext = "a[rel=next]"\nmax_pages = 50\n'
    config = site(tmp_path, loopback.url("/loop"), rules)
    with Store(tmp_path / "s.sqlite3") as store:
        [report] = ingest_once(config, store)
    assert (report.ok, report.new) == (True, 2)
    assert len(loopback.requests_to("/loop")) == 1 and len(loopback.requests_to("/loop2")) == 1

    away = b'<li><a href="/a">Story A</a></li><a rel=next href="http://other.test/p2">next</a>'
    loopback.route("/away", respond(200, away, content_type="text/html"))
    config = site(tmp_path, loopback.url("/away"), rules)
    with Store(tmp_path / "s2.sqlite3") as store:
        [report] = ingest_once(config, store)
    assert report.ok and report.new == 1
    assert "next page http://other.test/p2 is on another host: not followed" in report.message


def test_a_later_page_that_fails_keeps_what_was_read_and_tells(tmp_path, loopback):
    first = b'<li><a href="/a">Story A</a></li><a rel=next href="/gone?page=2">next</a>'
    loopback.route("/list", respond(200, first, content_type="text/html"))
    loopback.route("/gone", respond(304))  # or a 404: any failure of a later page
    rules = '[sources.page]\nitems = "li"\nnext = "a[rel=next]"\n'
    with Store(tmp_path / "s.sqlite3") as store:
        [report] = ingest_once(site(tmp_path, loopback.url("/list"), rules), store)
    assert (report.ok, report.new) == (True, 1)
    assert report.message and report.message.startswith("page 2 (http://"), report.message


def test_undated_items_get_distinct_first_seen_times_in_page_order(tmp_path, loopback):
    page = "".join(f'<li><a href="/n/{n}">Ministry note {n}</a></li>' for n in range(5))
    url = loopback.route("/notes", respond(200, page.encode(), content_type="text/html"))
    config = site(tmp_path, url, '[sources.page]\nitems = "li"\n')
    with Store(tmp_path / "s.sqlite3") as store:
        ingest_once(config, store)
        entries = sorted(store.entries(source="ministry"), key=lambda e: e.updated, reverse=True)
    assert [e.link.rsplit("/", 1)[1] for e in entries] == ["0", "1", "2", "3", "4"]
    assert len({e.updated for e in entries}) == 5


def test_an_items_selector_that_matches_nothing_fails_the_source_in_status_and_health(
    tmp_path, loopback, capsys
):
    url = loopback.route("/news/", Listing())
    config = site(tmp_path, url, SELECTORS.replace("article.story", "div.post"))
    code, _, err = run(capsys, "--config", str(config), "update")
    assert code == 1
    assert "items selector matched nothing: 'div.post'" in err and "Traceback" not in err
    code, _, err = run(capsys, "--config", str(config), "update", "--force")  # failing: 2 runs
    assert code == 1
    code, out, _ = run(capsys, "--config", str(config), "status")
    assert "items selector matched nothing" in out
    health = (tmp_path / "public" / "_status.atom").read_text()
    assert "items selector matched nothing" in health


def test_feeds_check_names_the_file_and_key_of_a_selector_that_does_not_parse(tmp_path, capsys):
    cases = {
        'items = "article..story"': ("sources[0].page.items", "is not a valid CSS selector"),
        'items = "li"\ntitle = "h2::text"': ("sources[0].page.title", "pseudo-element"),
        'items = "li"\ndate = "time:nonsense"': ("sources[0].page.date", "not a valid CSS"),
        'title = "h2"': ("sources[0].page.items", "is required"),
        'items = "li"\nmax_pages = 3': ("sources[0].page.max_pages", "needs a `next`"),
        'items = "li"\ndate_format = "%d/%m"': ("sources[0].page.date_format", "needs a `date`"),
        'items = "li"\nwhen = "time"': ("sources[0].page.when", "unknown key"),
        'items = "li"\nnext = "a"\nmax_pages = 1000': ("sources[0].page.max_pages", "1 to 100"),
    }
    for table, (key, message) in cases.items():
        config = site(tmp_path, "http://127.0.0.1:9/news/", f"[sources.page]\n{table}\n")
        code, _, err = run(capsys, "--config", str(config), "check")
        assert code == 2, (table, err)
        assert f"{config}: {key}: " in err and message in err, (table, err)
        assert err.count("\n") == 1, err

    config = site(tmp_path, "http://127.0.0.1:9/news/", "")
    code, _, err = run(capsys, "--config", str(config), "check")
    assert code == 2 and "sources[0].page: is required" in err, err
    feed = tmp_path / "config" / "feeds.toml"
    feed.write_text(
        '[[sources]]\nname = "f"\nurl = "http://127.0.0.1:9/f.xml"\n[sources.page]\nitems = "li"\n'
    )
    code, _, err = run(capsys, "--config", str(feed), "check")
    assert code == 2 and 'sources[0].page: applies to kind = "page" sources only' in err, err


def test_feeds_add_proposes_a_page_source_and_writes_it_only_when_told(tmp_path, loopback, capsys):
    url = loopback.route("/news/", Listing(top=12))
    config = site(tmp_path, "http://127.0.0.1:9/other/")
    before = config.read_text()
    code, out, err = run(capsys, "--config", str(config), "add", url)
    assert code == 0, err
    assert f"no feed: {url} is an HTML page that links to no feed" in out
    assert "proposed: a page source of 12 items on 3 pages" in out
    assert "Story number 12: the ministry announces measure 12" in out
    assert 'items = "article.story"' in out and "nothing written" in out and "--yes" in out
    assert config.read_text() == before

    code, out, err = run(capsys, "--config", str(config), "add", url, "--dry-run")
    assert code == 0 and "[sources.page]" in out and "dry run" in out, err
    assert config.read_text() == before

    code, out, err = run(capsys, "--config", str(config), "add", url, "--yes", "--name", "news")
    assert code == 0, err
    added = tomllib.loads(config.read_text())["sources"][-1]
    assert added["kind"] == "page" and added["url"] == url
    assert added["page"]["items"] == "article.story" and added["page"]["max_pages"] == 5
    source = load_config(config).source("news")
    assert source is not None and isinstance(source.page, PageRules)
    with Store(tmp_path / "s.sqlite3") as store:
        reports = asyncio.run(ingest(load_config(config), store, names=["news"]))
    assert [(r.ok, r.new) for r in reports] == [(True, 12)]


def test_feeds_add_on_a_page_with_no_repeated_structure_adds_nothing(tmp_path, loopback, capsys):
    page = b"<html><body><h1>About us</h1><p>We are a ministry.</p></body></html>"
    url = loopback.route("/about", respond(200, page, content_type="text/html"))
    config = site(tmp_path, "http://127.0.0.1:9/other/")
    before = config.read_text()
    code, _, err = run(capsys, "--config", str(config), "add", url)
    assert code == 1 and "nor a repeated structure" in err and err.count("\n") == 1, err
    assert config.read_text() == before


@pytest.mark.parametrize(
    ("behaviour", "message"),
    [
        (huge(64 * 1024 * 1024), "max_body"),
        (
            respond(200, b"\x89PNG\r\n\x1a\n\x00\x00" * 50, content_type="text/html"),
            "matched nothing",
        ),
        (respond(200, b"<div>" * 50_000, content_type="text/html"), "nested too deeply"),
    ],
)
def test_hostile_pages_fail_the_source_with_one_line(
    tmp_path, loopback, capsys, behaviour, message
):
    url = loopback.route("/hostile", behaviour)
    config = site(tmp_path, url)
    code, _, err = run(capsys, "--config", str(config), "ingest")
    assert code == 1 and message in err and "Traceback" not in err, err
    assert len([line for line in err.splitlines() if "ERROR" in line]) == 1, err


def test_scripts_and_handlers_on_a_page_never_reach_the_store(tmp_path, loopback):
    page = (
        '<li><a href="/x" onclick="steal()">Ministry <script>document.cookie</script>note</a>'
        '<div class=s><img src=x onerror="steal()"><iframe src="//evil.test"></iframe>'
        "<p>text</p><style>*{}</style></div></li>" * 3
    ).encode()
    body = b"<html><body><ul>" + page + b"</ul></body></html>"
    url = loopback.route("/p", respond(200, body, content_type="text/html"))
    config = site(tmp_path, url, '[sources.page]\nitems = "li:has(div.s)"\nsummary = ".s"\n')
    with Store(tmp_path / "s.sqlite3") as store:
        ingest_once(config, store)
        [entry] = store.entries(source="ministry")
    assert entry.title == "Ministry note"
    for bad in ("script", "onerror", "onclick", "iframe", "style", "steal"):
        assert bad not in entry.summary
    assert "<p>text</p>" in entry.summary


def _story_page(number: int) -> bytes:
    """An article page: its body among a menu, related links and a footer."""
    body = " ".join(
        f"Paragraph {k} of story {number}: the desalination plant of Kidal delivered water "
        "to the districts the ministry had named in its plan."
        for k in range(6)
    )
    return (
        "<!doctype html><html lang='en'><head><title>Story</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news/'>News</a> <a href='/about'>About</a></nav>"
        f"<main><article><h1>Story number {number}</h1>"
        + "".join(f"<p>{p}.</p>" for p in body.split(". "))
        + "</article></main><aside><h2>Related</h2><a href='/x'>Other</a></aside>"
        "<footer>© the ministry · contact · legal</footer></body></html>"
    ).encode()


def test_a_page_source_with_full_text_keeps_each_story_s_article(tmp_path, loopback):
    """The items of a page source take the same full-text path as a feed's (#19)."""
    url = loopback.route("/news/", Listing(top=12))
    for n in range(1, 13):
        loopback.route(
            f"/news/story-{n}.html", respond(200, _story_page(n), content_type="text/html")
        )
    config = site(tmp_path, url, SELECTORS + "max_pages = 1\n", extra="full_text = true\n")
    with Store(tmp_path / "s.sqlite3") as store:
        [report] = ingest_once(config, store)
        assert report.ok, report
        entries = store.entries(source="ministry")
        assert entries and all("desalination plant of Kidal" in e.content for e in entries)
        fetched = {r.path for r in loopback.requests if r.path.startswith("/news/story-")}
        assert fetched == {f"/news/story-{e.link.rsplit('-', 1)[1]}" for e in entries}
