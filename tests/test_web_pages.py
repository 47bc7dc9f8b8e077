"""The web face's static pages (#20): ``<slug>.html``, ``index.html``, ``status.html`` and
article pages, from a real store through a real regenerate. Valid HTML (html5lib, strict),
escaped, byte-identical when nothing changed, no search box in the files themselves; and
the search box the daemon puts in when it serves them."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest
from test_serve import call
from webpages import BASE, HOSTILE, SAHEL, T0, assert_valid_html, entry, make_site

from feeds.config.loader import load_config
from feeds.errors import ConfigError
from feeds.models import Config
from feeds.publish.flow import regenerate
from feeds.run.search_page import SearchPage
from feeds.run.serve import make_app
from feeds.store.sqlite.store import Store


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return make_site(tmp_path_factory.mktemp("web"))


def _page(config: Config, name: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((config.settings.public_dir / name).read_bytes())


def test_every_page_is_valid_html(site: Config) -> None:
    pages = sorted(site.settings.public_dir.rglob("*.html"))
    assert {p.name for p in pages} >= {"index.html", "status.html", "sahel.html", "space.html"}
    for path in pages:
        data = path.read_bytes()
        assert_valid_html(data, path.name)
        assert b"<!--feeds:search" in data or path.parent != site.settings.public_dir
        assert b'role="search"' not in data  # the box is the daemon's, not the file's


def test_topic_page_shows_the_feed_s_stories(site: Config) -> None:
    doc = _page(site, "sahel.html")
    assert doc.findtext(".//h1") == SAHEL.title  # escaped, read back as written
    titles = [a.text_content() for a in doc.xpath('//ol[@class="entries"]//h3')]
    assert titles[0] == "Rocket reaches orbit"  # "sahel" in its summary
    assert HOSTILE.replace("\x07", "") in titles  # as text, never markup
    assert "Sahel football final" not in titles  # the topic's exclude
    assert sum("Ménaka" in t for t in titles) == 1  # one story once
    story = doc.xpath('//article[.//h3[contains(., "Ménaka")]]')[0]
    assert story.get("lang") == "fr"
    assert story.xpath('.//p[@class="related"]/a/@href') == ["https://desk.example.com/14"]
    assert "The Desk" in story.xpath('.//p[@class="related"]')[0].text_content()
    assert len(titles) == 10  # feed_size
    assert not doc.xpath("//script[not(@src)]") and not doc.xpath("//article//script")


def test_topic_page_subscribe_box_and_archives(site: Config) -> None:
    doc = _page(site, "sahel.html")
    urls = doc.xpath('//section[@class="subscribe"]//input/@value')
    assert urls == [BASE + "sahel.atom", BASE + "sahel.rss", BASE + "sahel.json"]
    for input_ in doc.xpath('//section[@class="subscribe"]//input'):
        assert doc.xpath(f'//label[@for="{input_.get("id")}"]')  # labelled
        assert input_.get("readonly") is not None
    assert len(doc.xpath("//button[@data-copy][@hidden]")) == 3  # shown by the script only
    assert doc.xpath("//script/@src") == ["copy.js"]
    pages = doc.xpath('//section[@class="archives"]//a/@href')
    assert len(pages) == 3 and pages[0].endswith("/3.atom") and pages[-1].endswith("/1.atom")
    for href in pages:
        assert (site.settings.public_dir / href).is_file()


def test_feeds_point_to_their_topic_page(site: Config) -> None:
    atom = (site.settings.public_dir / "sahel.atom").read_text()
    assert f'<link href="{BASE}sahel.html" rel="alternate" type="text/html"/>' in atom
    assert '<?xml-stylesheet type="text/xsl" href="feed.xsl"?>' in atom  # the XSL stays


def test_index_lists_topics_with_their_newest_entries(site: Config) -> None:
    doc = _page(site, "index.html")
    topic = doc.get_element_by_id("topic-sahel")
    assert topic.xpath(".//h2/a/@href") == ["sahel.html"]
    newest = topic.xpath('.//ol[@class="newest"]/li')
    assert [li.xpath("./a")[0].text_content() for li in newest][0] == "Rocket reaches orbit"
    assert len(newest) == 3 and newest[2].get("lang") == "fr"
    assert "16 entries" in topic.xpath('.//span[@class="count"]')[0].text_content()
    assert doc.xpath('//a[@href="status.html"]')
    links = doc.xpath('//head/link[@rel="alternate"][@type="application/atom+xml"]/@href')
    assert links == [BASE + "sahel.atom", BASE + "space.atom"]


def test_status_page_shows_sources_and_topics(site: Config) -> None:
    doc = _page(site, "status.html")
    cards = {c.xpath(".//h3")[0].text_content(): c for c in doc.xpath("//li[@class]")}
    desk = cards["The Desk (desk)"]
    assert desk.xpath('.//span[@class="badge"]')[0].text == "error"
    assert "HTTP 500 from the server" in desk.text_content()
    assert "2024-05-01 09:00 UTC" in desk.text_content()  # next run
    wire = cards["Sahel Wire (wire)"]
    assert "2024-05-01 08:00 UTC" in wire.text_content()  # last success
    assert "Last error" not in wire.text_content()
    order = doc.xpath('//section[@aria-labelledby="sources"]//h3')
    assert [h.text_content() for h in order] == [
        "The Desk (desk)",
        "Sahel Wire (wire)",
    ]  # failing first
    topics = doc.xpath('//section[@aria-labelledby="topics"]//h3/a/@href')
    assert topics == ["sahel.html", "space.html"]
    assert "1 failing" in doc.xpath('//p[@class="summary"]')[0].text_content()


def test_pages_are_byte_identical_when_nothing_changed(site: Config, tmp_path: Path) -> None:
    public = site.settings.public_dir
    before = {p: p.read_bytes() for p in public.rglob("*.html")}
    mtimes = {p: p.stat().st_mtime_ns for p in before}
    with Store(site.settings.data_dir / "feeds.sqlite3") as store:
        regenerate(site, store)
    assert {p: p.read_bytes() for p in public.rglob("*.html")} == before
    assert {p: p.stat().st_mtime_ns for p in before} == mtimes
    # A topic page gone from public/ is written again, with the same bytes.
    copy = tmp_path / "sahel.html"
    shutil.move(public / "sahel.html", copy)
    with Store(site.settings.data_dir / "feeds.sqlite3") as store:
        regenerate(site, store)
    assert (public / "sahel.html").read_bytes() == copy.read_bytes()


def test_the_daemon_serves_pages_with_the_search_box(site: Config) -> None:
    search = SearchPage(lambda: site)
    app = make_app(site.settings.public_dir, lambda: (True, "ok"), lambda: b"",
                   routes=search.routes(), pages=search.box)  # fmt: skip
    on_disk = (site.settings.public_dir / "sahel.html").read_bytes()
    served = call(app, "/sahel.html")
    assert served.status == 200 and b"<!--feeds:search" not in served.body
    assert_valid_html(served.body, "served sahel.html")
    form = lxml.html.fromstring(served.body).xpath('//form[@role="search"]')[0]
    assert form.get("action") == "search"
    assert form.xpath('.//input[@name="topic"]/@value') == ["sahel"]
    plain = make_app(site.settings.public_dir, lambda: (True, ""), lambda: b"")
    assert served.headers["etag"] != call(plain, "/sahel.html").headers["etag"]  # its own
    index = call(app, "/")
    assert not lxml.html.fromstring(index.body).xpath('//form//input[@name="topic"]')
    assert (site.settings.public_dir / "sahel.html").read_bytes() == on_disk
    assert call(app, "/sahel.atom").body == (site.settings.public_dir / "sahel.atom").read_bytes()


@pytest.mark.parametrize("slug", ["index", "status"])
def test_a_topic_cannot_take_a_site_page_s_name(tmp_path: Path, slug: str) -> None:
    config = tmp_path / "feeds.toml"
    config.write_text(f'[[topics]]\nslug = "{slug}"\ntitle = "T"\nquery = "x"\n')
    with pytest.raises(ConfigError, match="topics\\[0\\].slug.*site page"):
        load_config(config)


def test_the_index_follows_a_new_match(tmp_path: Path) -> None:
    config = make_site(tmp_path)
    with Store(config.settings.data_dir / "feeds.sqlite3") as store:
        store.upsert([entry(30, "Sahel: a new report arrives")], now=T0 + timedelta(days=2))
        regenerate(config, store)
    newest = _page(config, "index.html").get_element_by_id("topic-sahel").xpath(".//ol/li/a")
    assert newest[0].text_content() == "Sahel: a new report arrives"
    page = _page(config, "sahel.html")
    assert page.xpath('//ol[@class="entries"]//h3')[0].text_content() == newest[0].text_content()
