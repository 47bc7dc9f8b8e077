"""Full text against a real loopback site: a feed of truncated items whose article pages
(tests/data/fulltext/) hold the body among navigation, related links, comments and
footers, and a robots.txt that disallows one path. What is fetched, what is stored,
indexed and published, what is fetched again, and what a failure leaves."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from loopback import Loopback, feed, respond, sequence

from feeds.cli.status import collect, document, render_status
from feeds.config.loader import parse_config
from feeds.errors import ConfigError
from feeds.ingest.flow import ingest
from feeds.models import Config
from feeds.publish.flow import regenerate
from feeds.sources.http import Fetcher, FetchSettings, user_agent
from feeds.sources.robots import Refusal, Robots
from feeds.store.sqlite.store import Store
from feeds.topics.selection import select

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PAGES = Path(__file__).parent / "data" / "fulltext"
HTML = "text/html; charset=utf-8"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
#: path on the site -> labelled page
ARTICLES = {
    "/news/water": "01-niamey-water",
    "/news/solaire": "02-bamako-solar",
    "/news/rail": "03-rail-strike",
    "/private/tchad": "04-secheresse-tchad",
}


def page(name: str) -> bytes:
    return (PAGES / f"{name}.html").read_bytes()


def rss(server: Loopback, paths: list[str], teaser: str = "The first lines…") -> bytes:
    items = "".join(
        f"<item><title>Story {p}</title><link>{server.url(p)}</link><guid>{server.url(p)}</guid>"
        f"<description>{teaser}</description></item>"
        for p in paths
    )
    return f'<rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


def site(server: Loopback, paths: list[str] | None = None) -> str:
    """The feed, its article pages (with validators) and robots.txt; the feed's URL."""
    paths = list(ARTICLES) if paths is None else paths
    for path, name in ARTICLES.items():
        server.route(path, feed(page(name), etag=f'"{name}"', content_type=HTML))
    server.route("/robots.txt", respond(200, ROBOTS, content_type="text/plain"))
    return server.route("/feed.xml", feed(rss(server, paths), etag='"f1"'))


def make_config(tmp_path: Path, url: str, **source: object) -> Config:
    data = {
        "settings": {"base_url": "http://127.0.0.1:8080/", "data_dir": str(tmp_path / "data"),
                     "public_dir": str(tmp_path / "public"), "languages": ["en", "fr"]},
        "sources": [{"name": "wire", "url": url, "full_text": True, **source}],
        "topics": [{"slug": "water", "title": "Water", "query": "standpipes"}],
    }  # fmt: skip
    return parse_config(data, path=tmp_path / "feeds.toml")


def run(config: Config, store: Store, now: datetime = NOW):
    return asyncio.run(ingest(config, store, now=now, force=True))[0]


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "postgresql":
        from feeds.store.postgres.store import PostgresStore

        with PostgresStore(request.getfixturevalue("pg_url")) as s:
            yield s
        return
    with Store(tmp_path / "feeds.sqlite3") as s:
        yield s


def by_path(store: Store, server: Loopback) -> dict[str, str]:
    return {e.link.removeprefix(server.base_url): e.content for e in store.entries()}


def test_articles_are_fetched_indexed_and_published_and_robots_txt_is_honoured(
    loopback, tmp_path, store
):
    config = make_config(tmp_path, site(loopback))
    report = run(config, store)
    assert report.ok and report.new == 4
    content = by_path(store, loopback)
    assert "public standpipes during the hottest weeks" in content["/news/water"]
    assert "Great post" not in content["/news/water"] and "Related" not in content["/news/water"]
    assert "marchés couverts de Bamako" in content["/news/solaire"]
    # robots.txt disallows /private/: never asked for, the entry keeps the feed's text.
    assert loopback.requests_to("/private/tchad") == []
    assert content["/private/tchad"] == ""
    assert len(loopback.requests_to("/robots.txt")) == 1  # one per host, however many pages
    assert loopback.requests_to("/news/water")[0].header("User-Agent").startswith("feeds/")
    # Indexed: a topic finds a word only the article has; published with it.
    assert [e.link for e in store.search(select("standpipes"), limit=5)] == [
        loopback.url("/news/water")
    ]
    regenerate(config, store, now=NOW)
    atom = (tmp_path / "public" / "water.atom").read_text(encoding="utf-8")
    assert "public standpipes during the hottest weeks" in atom
    # Recorded on the source, shown by `feeds status`; the source is not failing.
    rows, topics = collect(config, store)
    (row,) = document(config, rows, topics)["sources"]
    assert row["status"] == "ok" and row["last_error"] is None
    assert "1 article without its page's text" in row["problems"]
    assert "robots.txt disallows it" in row["problems"]
    shown = "\n".join(render_status(config, rows, topics))
    assert "wire: full text: 1 article without its page's text" in shown


def test_an_article_is_fetched_once_and_again_only_when_the_feed_changes_the_entry(
    loopback, tmp_path, store
):
    url = site(loopback, ["/news/water", "/news/rail"])
    config = make_config(tmp_path, url)
    run(config, store)
    stored = store.entry(loopback.url("/news/rail"))
    # The feed changes (a new item): the known entries' pages are not fetched again.
    loopback.route("/feed.xml", feed(rss(loopback, ["/news/water", "/news/rail", "/news/solaire"])))
    report = run(config, store, NOW + timedelta(hours=1))
    assert (report.new, report.changed, report.unchanged) == (1, 0, 2)
    assert len(loopback.requests_to("/news/water")) == 1
    assert len(loopback.requests_to("/news/solaire")) == 1
    assert store.entry(loopback.url("/news/rail")) == stored
    # The feed changes one entry: its page is asked for again, conditionally (304: the
    # text stays), and the entry takes the feed's change.
    body = rss(loopback, ["/news/water", "/news/rail", "/news/solaire"])
    loopback.route("/feed.xml", feed(body.replace(b"<title>Story /news/rail<", b"<title>Rail!<")))
    report = run(config, store, NOW + timedelta(hours=2))
    assert (report.new, report.changed) == (0, 1)
    again = loopback.requests_to("/news/rail")
    assert len(again) == 2 and again[1].header("If-None-Match") == '"03-rail-strike"'
    changed = store.entry(loopback.url("/news/rail"))
    assert changed is not None and stored is not None
    assert changed.title == "Rail!" and changed.content == stored.content
    assert len(loopback.requests_to("/news/water")) == 1


def test_a_failing_page_keeps_the_summary_is_tried_again_and_never_fails_the_source(
    loopback, tmp_path, store
):
    url = site(loopback, ["/news/water", "/news/flaky", "/news/gone"])
    loopback.route(
        "/news/flaky", sequence(respond(503), feed(page("03-rail-strike"), content_type=HTML))
    )
    loopback.route("/news/gone", respond(404))
    config = make_config(tmp_path, url)
    report = run(config, store)
    assert report.ok and report.new == 3 and "2 articles without" in (report.message or "")
    content = by_path(store, loopback)
    assert content["/news/flaky"] == "" and content["/news/gone"] == ""
    flaky = store.entry(loopback.url("/news/flaky"))
    assert flaky is not None and flaky.summary == "The first lines…"
    # The feed changes (a new item): a 503 is tried again, a 404 is not.
    loopback.route("/feed.xml", feed(rss(loopback, ["/news/water", "/news/flaky", "/news/gone",
                                                    "/news/solaire"])))  # fmt: skip
    report = run(config, store, NOW + timedelta(hours=1))
    assert report.ok and report.changed == 1
    assert "Train drivers and signal staff" in by_path(store, loopback)["/news/flaky"]
    assert len(loopback.requests_to("/news/gone")) == 1
    assert "1 article without" in (report.message or "")


def test_content_selector_overrides_the_extractor(loopback, tmp_path, store):
    url = site(loopback, ["/news/water"])
    run(make_config(tmp_path, url, content_selector="aside .related"), store)
    content = by_path(store, loopback)["/news/water"]
    assert "Related" not in content and "public standpipes" not in content
    assert "Bamako" not in content and "<li>" in content  # the related links, as asked


def test_auto_fetches_only_what_looks_truncated(loopback, tmp_path, store):
    whole = "<p>" + " ".join(["A complete story told in the feed itself."] * 20) + "</p>"
    url = site(loopback)
    body = rss(loopback, ["/news/water"]) + b""
    long_item = (
        f"<item><title>Whole</title><link>{loopback.url('/news/rail')}</link>"
        f"<guid>{loopback.url('/news/rail')}</guid><description><![CDATA[{whole}]]></description>"
        "</item>"
    ).encode()
    loopback.route("/feed.xml", feed(body.replace(b"</channel>", long_item + b"</channel>")))
    run(make_config(tmp_path, url, full_text="auto"), store)
    assert len(loopback.requests_to("/news/water")) == 1
    assert loopback.requests_to("/news/rail") == []


@pytest.mark.parametrize(
    ("source", "key"),
    [
        ({"full_text": "yes"}, "sources[0].full_text"),
        ({"full_text": 1}, "sources[0].full_text"),
        ({"content_selector": "div[["}, "sources[0].content_selector"),
        ({"content_selector": "p::text"}, "sources[0].content_selector"),
    ],
)
def test_config_mistakes_name_the_key(tmp_path, source, key):
    with pytest.raises(ConfigError) as caught:
        make_config(tmp_path, "https://wire.test/feed.xml", **source)
    assert caught.value.key == key


def test_an_articles_source_takes_no_full_text(tmp_path):
    data = {"sources": [{"name": "desk", "kind": "articles", "path": ".", "full_text": True}]}
    with pytest.raises(ConfigError) as caught:
        parse_config(data, path=tmp_path / "feeds.toml")
    assert caught.value.key == "sources[0].full_text"


def test_the_settings_default_applies_to_sources_that_say_nothing(tmp_path):
    data = {
        "settings": {"data_dir": str(tmp_path / "d"), "full_text": "auto"},
        "sources": [{"name": "a", "url": "https://a.test/f"},
                    {"name": "b", "url": "https://b.test/f", "full_text": False}],
    }  # fmt: skip
    config = parse_config(data, path=tmp_path / "feeds.toml")
    assert [s.full_text for s in config.sources] == ["auto", False]
    assert config.settings.full_text == "auto"


def test_robots_txt_groups_for_our_agent_and_a_missing_or_failing_robots_txt(loopback):
    rules = b"User-agent: feeds\nDisallow: /x\n\nUser-agent: *\nDisallow: /\n"
    loopback.route("/robots.txt", respond(200, rules, content_type="text/plain"))
    with Loopback() as missing, Loopback() as failing:
        failing.route("/robots.txt", respond(503))

        async def checks() -> list[Refusal | None]:
            async with Fetcher(FetchSettings(user_agent=user_agent())) as fetcher:
                robots = Robots(fetcher)
                urls = [loopback.url("/x/1"), loopback.url("/y"), missing.url("/a"),
                        failing.url("/a"), failing.url("/b")]  # fmt: skip
                return [await robots.check(u) for u in urls]

        x, y, absent, failed, again = asyncio.run(checks())
        assert x is not None and x.permanent and "disallows it for feeds" in x.reason
        assert y is None  # our group applies, not "*"
        assert absent is None  # 404: everything is allowed
        assert failed is not None and not failed.permanent and "could not be read" in failed.reason
        assert again == failed and len(failing.requests_to("/robots.txt")) == 1  # kept a while
