"""`feeds add PATH` (a local feed file) and a page that advertises several feeds (#15 item 8).

Through the real entry point (feeds.cli.main.main), against loopback HTTP servers and real files.
"""

from __future__ import annotations

import asyncio
import tomllib

from helpers import scratch_site
from loopback import feed, respond
from test_cli import run

from feeds.config.loader import load_config
from feeds.ingest.flow import ingest
from feeds.store.sqlite.store import Store

WIRE = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Wire Digest</title><link>https://wire.test/</link>
<description>d</description><language>fr</language>
<item><title>First</title><guid>https://wire.test/1</guid></item>
<item><title>Second</title><guid>https://wire.test/2</guid></item>
</channel></rss>"""
PAGE = """<!doctype html><html><head><title>Blog</title>
<link rel="alternate" type="application/rss+xml" title="Posts" href="/posts.xml">
<link rel="alternate" type="application/atom+xml" title="Comments" href="/comments.atom">
<link rel="alternate" type="application/feed+json" title="Posts (JSON)" href="/posts.json">
</head><body>hi</body></html>"""


def test_add_path_writes_it_relative_to_the_config_folder(capsys, tmp_path, monkeypatch):
    config = scratch_site(tmp_path)  # tmp_path/site/config/feeds.toml
    (tmp_path / "feeds").mkdir()
    (tmp_path / "feeds" / "wire.xml").write_bytes(WIRE)
    monkeypatch.chdir(tmp_path)  # PATH is relative to where the command runs, like --articles
    code, out, err = run(capsys, "--config", str(config), "add", "feeds/wire.xml")
    assert code == 0, err
    assert "found: Wire Digest" in out and "Second" in out
    added = tomllib.loads(config.read_text())["sources"][-1]
    assert added == {"name": "wire-digest", "kind": "feed", "path": "../../feeds/wire.xml"}
    source = load_config(config).source("wire-digest")
    assert source is not None and source.path == (tmp_path / "feeds" / "wire.xml").resolve()
    # and the ingest reads it as added
    only = load_config(config)
    with Store(tmp_path / "s.sqlite3") as store:
        reports = asyncio.run(ingest(only, store, names=["wire-digest"]))
    assert [(r.ok, r.new) for r in reports] == [(True, 2)]

    code, _, err = run(capsys, "--config", str(config), "add", str(tmp_path / "feeds/wire.xml"))
    assert code == 2 and "already reads" in err


def test_add_path_that_is_not_a_feed_adds_nothing(capsys, tmp_path):
    config = scratch_site(tmp_path)
    before = config.read_text()
    notes = tmp_path / "notes.txt"
    notes.write_text("just some text\n")
    code, _, err = run(capsys, "--config", str(config), "add", str(notes))
    assert code == 1 and "not a feed" in err and "nothing added" in err, err
    code, _, err = run(capsys, "--config", str(config), "add", str(tmp_path / "missing.xml"))
    assert code == 2 and "neither an http:// or https:// URL nor a feed file" in err, err
    code, _, err = run(capsys, "--config", str(config), "add", str(tmp_path))
    assert code == 2 and "--articles" in err, err
    assert config.read_text() == before


def test_a_page_with_several_feeds_lists_them_and_says_how_to_choose(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    before = config.read_text()
    for path in ("/posts.xml", "/comments.atom", "/posts.json"):
        loopback.route(path, feed(WIRE))
    page = loopback.route("/blog/", respond(200, PAGE.encode(), content_type="text/html"))
    code, out, err = run(capsys, "--config", str(config), "add", page)
    assert code == 2, err
    listed = [line.strip() for line in out.splitlines()]
    urls = [loopback.url(p) for p in ("/posts.xml", "/comments.atom", "/posts.json")]
    assert "the page advertises 3 feeds:" in listed and all(u in listed for u in urls), out
    assert "nothing added" in err and "feeds add FEED_URL" in err and err.count("\n") == 1
    assert config.read_text() == before
    # choosing one is giving its URL
    code, _, err = run(capsys, "--config", str(config), "add", urls[1], "--name", "comments")
    assert code == 0, err
    assert tomllib.loads(config.read_text())["sources"][-1]["url"] == urls[1]


def test_a_page_with_one_feed_is_still_added_at_once(capsys, tmp_path, loopback):
    config = scratch_site(tmp_path)
    loopback.route("/posts.xml", feed(WIRE))
    one = PAGE.split('<link rel="alternate" type="application/atom+xml"')[0] + "</head></html>"
    page = loopback.route("/one/", respond(200, one.encode(), content_type="text/html"))
    code, out, err = run(capsys, "--config", str(config), "add", page)
    assert code == 0, err
    assert "advertises" not in out
    assert tomllib.loads(config.read_text())["sources"][-1]["url"] == loopback.url("/posts.xml")
