"""feeds.publish.flow against a real SQLite file and a real public/ folder: every file it writes
is valid (Atom against the RFC 4287 schema, RSS and JSON Feed read back), bytes are stable,
RFC 5005 archives page back through the whole history and never change once complete, one
story once, and WebSub pings reach a loopback hub (and are retried when it fails).
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import feedparser
import pytest
from atomcheck import NS, assert_valid_atom, parse_xml
from loopback import recording, respond, sequence

from feeds.decide.publish import Sharing
from feeds.models import Config, Entry, Settings, Source, Topic
from feeds.pool import process_pool
from feeds.publish.atom import render_atom
from feeds.publish.flow import Workers, regenerate, topic_entries
from feeds.store.sqlite.store import Store

BASE = "http://127.0.0.1:8080/"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
SOURCES = (
    Source(name="wire", kind="feed", url="https://wire.example.com/rss", title="Sahel Wire"),
    Source(name="desk", kind="feed", url="https://desk.example.org/atom", title="Desk"),
)
SAHEL = Topic(slug="sahel", title="Sahel", query="sahel OR niger OR mali", description="Sahel.")


def entry(n: int, *, source: str = "wire", title: str | None = None, text: str = "") -> Entry:
    title = title or f"Mali report number {n}"
    text = text or f"<p>Story {n} from the Sahel: details of event {n} and its aftermath.</p>"
    return Entry(
        id=f"https://{source}.example.com/story/{n}",
        source=source,
        title=title,
        link=f"https://{source}.example.com/story/{n}",
        summary=text,
        content="",
        authors=("Staff",),
        published=T0 + timedelta(hours=n),
        updated=T0 + timedelta(hours=n),
        language="en",
        hash=f"{n}:{title}:{text}",
    )


@pytest.fixture
def site(tmp_path):
    settings = Settings(
        base_url=BASE,
        public_dir=tmp_path / "public",
        data_dir=tmp_path / "data",
        feed_size=5,
        archive_size=10,
        title="Test desk",
        feed_window=timedelta(0),  # entries all arrive at once here: tests/test_feed_window.py
    )
    config = Config(file=tmp_path / "feeds.toml", settings=settings, sources=SOURCES,
                    topics=(SAHEL,))  # fmt: skip
    with Store(tmp_path / "data" / "feeds.sqlite3") as store:
        yield config, store


def add(store: Store, *entries: Entry) -> None:
    store.upsert(entries, now=T0 + timedelta(days=30))


def snapshot(public: Path) -> dict[str, bytes]:
    return {str(p.relative_to(public)): p.read_bytes() for p in public.rglob("*") if p.is_file()}


def with_settings(config: Config, **changes: object) -> Config:
    return replace(config, settings=replace(config.settings, **changes))


# --- every file is valid, and stable -----------------------------------------------------------


def test_every_written_file_is_valid(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 24)))
    regenerate(config, store)
    public = config.settings.public_dir
    atoms = sorted(public.rglob("*.atom"))
    # The current feed and two complete archive pages (#15 item 15: 21-23 are in no page).
    assert len(atoms) == 3
    for path in atoms:
        root = assert_valid_atom(path.read_bytes())
        assert root.find("a:entry", NS) is not None
    rss = feedparser.parse((public / "sahel.rss").read_bytes())
    assert not rss.bozo and rss.version == "rss20"
    data = json.loads((public / "sahel.json").read_bytes())
    assert data["version"] == "https://jsonfeed.org/version/1.1"
    assert parse_xml((public / "feed.xsl").read_bytes()).tag.endswith("stylesheet")
    parse_xml((public / "feeds.opml").read_bytes())


def test_siblings_hold_the_same_entries_with_the_same_ids(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 8)))
    regenerate(config, store)
    public = config.settings.public_dir
    atom = [e.id for e in feedparser.parse((public / "sahel.atom").read_bytes()).entries]
    rss = [e.id for e in feedparser.parse((public / "sahel.rss").read_bytes()).entries]
    items = json.loads((public / "sahel.json").read_bytes())["items"]
    assert atom == rss == [i["id"] for i in items]
    assert len(atom) == 7  # no archive page is complete: the current feed holds all seven


def test_nothing_new_gives_byte_identical_files(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 24)))
    regenerate(config, store)
    before = snapshot(config.settings.public_dir)
    reports = regenerate(config, store, now=T0 + timedelta(days=99))
    assert snapshot(config.settings.public_dir) == before
    assert not any(r.written or r.changed for r in reports)


def test_atom_links_to_siblings_stylesheet_and_archive(site):
    config, store = site
    add(store, entry(1))
    regenerate(config, store)
    data = (config.settings.public_dir / "sahel.atom").read_bytes()
    assert data.splitlines()[1] == b'<?xml-stylesheet type="text/xsl" href="feed.xsl"?>'
    root = assert_valid_atom(data)
    links = {(link.get("rel"), link.get("type")): link.get("href")
             for link in root.findall("a:link", NS)}  # fmt: skip
    assert links[("alternate", "application/rss+xml")] == BASE + "sahel.rss"
    assert links[("alternate", "application/feed+json")] == BASE + "sahel.json"
    # The current feed holds the whole history: nothing to archive, no lone archive page.
    assert ("prev-archive", "application/atom+xml") not in links
    assert not (config.settings.public_dir / "archive").exists()
    add(store, *(entry(n) for n in range(2, 11)))  # a complete archive page (archive_size)
    regenerate(config, store)
    root = assert_valid_atom((config.settings.public_dir / "sahel.atom").read_bytes())
    links = {(link.get("rel"), link.get("type")): link.get("href")
             for link in root.findall("a:link", NS)}  # fmt: skip
    assert links[("prev-archive", "application/atom+xml")].startswith(BASE + "archive/sahel/")


def test_formats_can_be_switched_off(site):
    config, store = site
    add(store, entry(1))
    regenerate(config, store)
    config = with_settings(config, rss=False, json_feed=False, archive_size=0)
    regenerate(config, store)
    public = config.settings.public_dir
    assert not (public / "sahel.rss").exists() and not (public / "sahel.json").exists()
    root = assert_valid_atom((public / "sahel.atom").read_bytes())
    rels = {link.get("rel") for link in root.findall("a:link", NS)}
    assert rels == {"self", "alternate"}


# --- RFC 5005 archives --------------------------------------------------------------------------

FH = "{http://purl.org/syndication/history/1.0}archive"


def fetch(config: Config, url: str):
    return assert_valid_atom((config.settings.public_dir / url.removeprefix(BASE)).read_bytes())


def link(root, rel: str) -> str | None:
    found = root.find(f"a:link[@rel='{rel}']", NS)
    return None if found is None else found.get("href")


def page_back(config: Config) -> tuple[set[str], list[str]]:
    """Every entry id reachable from the current feed by following prev-archive."""
    root = fetch(config, BASE + "sahel.atom")
    ids = {e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)}
    pages, url = [], link(root, "prev-archive")
    while url:
        page = fetch(config, url)
        assert page.find(FH) is not None
        assert link(page, "self") == url and link(page, "current") == BASE + "sahel.atom"
        ids |= {e.findtext("a:id", namespaces=NS) for e in page.findall("a:entry", NS)}
        pages.append(url)
        url = link(page, "prev-archive")
    return ids, pages


def test_paging_back_reaches_the_whole_history(site):
    config, store = site
    entries = [entry(n) for n in range(1, 24)]
    add(store, *entries)
    regenerate(config, store)
    ids, pages = page_back(config)
    assert ids == {e.id for e in entries}
    assert [p.rsplit("/", 1)[1] for p in pages] == ["2.atom", "1.atom"]  # 21-23: current
    first = fetch(config, pages[-1])
    assert link(first, "next-archive") == pages[-2] and link(first, "prev-archive") is None
    assert len(first.findall("a:entry", NS)) == 10


def test_complete_pages_never_change(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 12)))  # page 1 complete, page 2 open
    regenerate(config, store)
    public = config.settings.public_dir
    frozen = {p: p.read_bytes() for p in public.rglob("1.atom")}
    assert len(frozen) == 1
    edited = replace(entry(3), title="Mali report number 3, corrected", hash="edited")
    add(store, edited, *(entry(n) for n in range(12, 40)))
    regenerate(config, store)
    assert {p: p.read_bytes() for p in frozen} == frozen
    ids, _ = page_back(config)
    assert len(ids) == 39


class _DiesFreezing(Store):
    """A store whose process is killed as it records the first archive page frozen."""

    calls: list[int] = []

    def freeze_archive_page(self, *args: object) -> None:
        self.calls.append(1)
        raise KeyboardInterrupt("killed")


def test_pages_written_but_not_recorded_frozen_are_recorded_by_the_next_run(site):
    """Pages are written in threads, then recorded frozen in one transaction: a run that
    dies in between leaves pages that the next run renders again, identically, and records."""
    config, store = site
    add(store, *(entry(n) for n in range(1, 36)))  # pages 1-3 complete, 31-35 in none
    calls = _DiesFreezing.calls = []
    with pytest.raises(KeyboardInterrupt), _DiesFreezing(store.path) as dying:
        regenerate(config, dying)
    public = config.settings.public_dir
    written = {p: p.read_bytes() for p in public.rglob("archive/**/*.atom")}
    assert len(written) == 3 and calls == [1]
    db = sqlite3.connect(store.path)
    assert db.execute("SELECT count(*) FROM archive_pages").fetchone()[0] == 0  # rolled back
    db.close()
    regenerate(config, store)
    assert {p: p.read_bytes() for p in written} == written
    series = next(public.glob("archive/sahel/*")).name
    assert store.archive_pages("sahel", series) == [10, 20, 30]
    ids, _ = page_back(config)
    assert len(ids) == 35


def test_a_wiped_public_folder_gets_its_frozen_pages_back(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 24)))
    regenerate(config, store)
    before = snapshot(config.settings.public_dir)
    for path in config.settings.public_dir.rglob("*.atom"):
        path.unlink()
    regenerate(config, store, now=T0 + timedelta(days=99))  # later: nothing may say so
    assert snapshot(config.settings.public_dir) == before


def test_an_edited_query_starts_a_new_series_and_leaves_the_old_one(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 24)), entry(50, title="Niger floods", text="<p>x</p>"))
    regenerate(config, store)
    before = snapshot(config.settings.public_dir)
    narrower = replace(SAHEL, query="niger")
    config = replace(config, topics=(narrower,))
    regenerate(config, store)
    after = snapshot(config.settings.public_dir)
    assert all(after[name] == data for name, data in before.items() if name.startswith("archive"))
    ids, pages = page_back(config)
    assert ids == {entry(50).id} and pages == []  # the new series has no history to archive


# --- one story once -----------------------------------------------------------------------------

WIRE_TEXT = (
    "<p>Niger's military government said on Monday it had ordered the French ambassador to "
    "leave Niamey within 48 hours, escalating a standoff that began with the July coup.</p>"
)


def test_one_story_from_two_sources_is_one_entry_with_a_related_link(site):
    config, store = site
    first = entry(1, source="wire", title="Niger orders French ambassador out", text=WIRE_TEXT)
    copy = entry(2, source="desk", title="Niger orders French ambassador out!",
                 text=WIRE_TEXT.replace("Monday", "Monday,"))  # fmt: skip
    floods = "<p>Heavy rain in Niger flooded parts of Niamey and Zinder.</p>"
    other = entry(3, source="desk", title="Niger: floods displace thousands", text=floods)
    add(store, first, copy, other)
    regenerate(config, store)
    root = assert_valid_atom((config.settings.public_dir / "sahel.atom").read_bytes())
    shown = {e.findtext("a:id", namespaces=NS): e for e in root.findall("a:entry", NS)}
    assert set(shown) == {first.id, other.id}
    related = shown[first.id].findall("a:link[@rel='related']", NS)
    assert [(r.get("href"), r.get("title")) for r in related] == [(copy.link, "Desk")]
    assert [e.id for e in topic_entries(config, store, SAHEL)] == [other.id, first.id]
    items = json.loads((config.settings.public_dir / "sahel.json").read_bytes())["items"]
    assert items[1]["_feeds"]["related"] == [{"url": copy.link, "title": "Desk"}]


def test_dedupe_can_be_switched_off(site):
    config, store = site
    title = "Niger orders French ambassador out"
    add(store, entry(1, title=title, text=WIRE_TEXT), entry(2, source="desk", title=title,
                                                            text=WIRE_TEXT))  # fmt: skip
    assert len(topic_entries(with_settings(config, dedupe=False), store, SAHEL)) == 2
    assert len(topic_entries(config, store, SAHEL)) == 1


def test_a_later_copy_never_replaces_the_entry_readers_have(site):
    # #15 item 16: on a date tie, grouping kept the smaller id, so a copy that arrived later
    # (here "desk" < "wire") took the place of the entry already published.
    config, store = site
    title = "Niger orders French ambassador out"
    first = entry(1, source="wire", title=title, text=WIRE_TEXT)
    add(store, first)
    regenerate(config, store)
    feed = config.settings.public_dir / "sahel.atom"
    before = feed.read_bytes()
    copy = replace(entry(1, source="desk", title=title, text=WIRE_TEXT), id="https://a.example/1")
    backdated = replace(
        entry(0, source="other", title=title, text=WIRE_TEXT), id="https://0.example/"
    )
    assert copy.published == first.published and copy.id < first.id
    add(store, copy)
    add(store, backdated)  # a copy dated before the first: it does not replace it either
    regenerate(config, store)
    root = assert_valid_atom(feed.read_bytes())
    shown = [e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)]
    assert shown == [first.id]
    related = root.find("a:entry", NS).findall("a:link[@rel='related']", NS)
    assert [r.get("href") for r in related] == [copy.link, backdated.link]
    after = feed.read_bytes()
    regenerate(config, store)
    assert feed.read_bytes() == after != before


# --- WebSub -------------------------------------------------------------------------------------


def pings(bodies: list[bytes]) -> list[tuple[str, str]]:
    forms = [parse_qs(b.decode()) for b in bodies]
    return [(f["hub.mode"][0], f["hub.url"][0]) for f in forms]


def test_hubs_are_announced_and_pinged_after_a_change(site, loopback):
    config, store = site
    bodies: list[bytes] = []
    hub = loopback.route("/hub", recording(bodies, respond(204)))
    config = with_settings(config, websub_hubs=(hub,))
    add(store, entry(1))
    regenerate(config, store)
    public = config.settings.public_dir
    root = assert_valid_atom((public / "sahel.atom").read_bytes())
    assert link(root, "hub") == hub
    assert json.loads((public / "sahel.json").read_bytes())["hubs"] == [
        {"type": "WebSub", "url": hub}
    ]
    assert sorted(pings(bodies)) == [
        ("publish", BASE + f"sahel.{x}") for x in ("atom", "json", "rss")
    ]
    request = loopback.requests_to("/hub")[0]
    assert request.method == "POST"
    assert request.header("Content-Type") == "application/x-www-form-urlencoded"
    regenerate(config, store)  # nothing changed: no ping
    assert len(bodies) == 3


def test_a_failing_hub_never_blocks_publishing_and_is_retried(site, loopback):
    config, store = site
    bodies: list[bytes] = []
    hub = loopback.route("/hub", recording(bodies, sequence(respond(503), respond(204))))
    config = with_settings(config, websub_hubs=(hub,), rss=False, json_feed=False)
    add(store, entry(1))
    regenerate(config, store)
    assert (config.settings.public_dir / "sahel.atom").exists()
    assert store.pending_pings() == [(hub, BASE + "sahel.atom", 1)]
    regenerate(config, store)  # nothing changed, but the failed ping is tried again
    assert pings(bodies) == [("publish", BASE + "sahel.atom")] * 2
    assert store.pending_pings() == []


def test_an_unreachable_hub_is_recorded(site):
    config, store = site
    config = with_settings(config, websub_hubs=("http://127.0.0.1:9/hub",))
    add(store, entry(1))
    regenerate(config, store)
    assert [(h, n) for h, _, n in store.pending_pings()] == [("http://127.0.0.1:9/hub", 1)] * 3


# --- nothing changed, nothing rendered -------------------------------------------------------


def test_an_unchanged_topic_is_not_rendered_again_unless_its_files_are_gone(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 25)))
    regenerate(config, store)
    public = config.settings.public_dir
    before = snapshot(public)
    rendered: list[str] = []

    def render(*a, **k):
        return rendered.append("x") or render_atom(*a, **k)

    [report] = regenerate(config, store, render=render)
    assert rendered == [] and not report.written and report.entries == 5
    assert snapshot(public) == before
    (public / "sahel.rss").unlink()
    next(public.glob("archive/sahel/*/1.atom")).unlink()
    regenerate(config, store, render=render)
    assert rendered and snapshot(public) == before
    rendered.clear()
    add(store, entry(30))
    [report] = regenerate(config, store, render=render)
    assert rendered and report.written
    rendered.clear()
    regenerate(with_settings(config, feed_size=4), store, render=render)
    assert rendered


# --- many topics: rendered in worker processes ---------------------------------------------------


class _Spy:
    """The pools regenerate makes (their sizes), and the topics this process renders (the
    workers' calls are not seen): pass ``workers=spy.workers(...)``, ``render=spy.render``."""

    def __init__(self) -> None:
        self.pools: list[int] = []
        self.here: list[str] = []

    def pool(self, n: int):
        return self.pools.append(n) or process_pool(n)

    def render(self, topic: Topic, *a, **k) -> bytes:
        self.here.append(topic.slug)
        return render_atom(topic, *a, **k)

    def workers(self, count: str, **k) -> Workers:
        return Workers(count=lambda: int(count), pool=self.pool, **k)


def _small_site(root: Path, topics: tuple[Topic, ...]) -> Config:
    """A site at ``root`` (the same paths every time: the state keys include them)."""
    settings = Settings(base_url=BASE, public_dir=root / "public", data_dir=root / "data",
                        feed_size=5, archive_size=10, title="Test desk",
                        feed_window=timedelta(0))  # fmt: skip
    return Config(file=root / "feeds.toml", settings=settings, sources=SOURCES, topics=topics)


def test_many_topics_rendered_in_workers_write_what_one_process_writes(tmp_path):
    """A first publish of Sharing.topics topics or more over a large store is rendered by
    workers (each with its own store connection) and by this process: the files, archive
    pages and topic records are those of a run in-process. A later publish of a few
    changes stays in-process."""
    many = Sharing(matches=50)  # "many matches", for the test
    spy = _Spy()
    pools, here = spy.pools, spy.here
    topics = tuple(
        Topic(slug=f"t{k}", title=f"Topic {k}", query=f"event OR {k}")
        for k in range(many.topics + 2)
    )
    written = {}
    for workers in ("0", "2"):
        seams = {"workers": spy.workers(workers, sharing=many), "render": spy.render}
        root = tmp_path / "site"
        config = _small_site(root, topics)
        with Store(root / "data" / "feeds.sqlite3") as store:
            add(store, *(entry(n, text=f"<p>Event {n % 7} happened.</p>") for n in range(60)))
            reports = regenerate(config, store, now=T0 + timedelta(days=31), **seams)
            rendered_here = set(here)
            records = [store.topic_record(t.slug) for t in topics]
            frozen = store._query("SELECT * FROM archive_pages ORDER BY 1, 2, 3")
            again = regenerate(config, store, now=T0 + timedelta(days=32), **seams)
            add(store, entry(99, text="<p>Only 1 again.</p>"))
            later = regenerate(config, store, now=T0 + timedelta(days=33), **seams)
        assert all(r.written for r in reports) and not any(r.written for r in again)
        assert [r.topic for r in later if r.written] == ["t1"]
        assert pools == ([2] if workers == "2" else [])  # the first publish only
        if workers == "2":  # this process rendered its share of the first publish
            assert 1 <= len(rendered_here) < len(topics)
        here.clear()
        pools.clear()
        written[workers] = (snapshot(root / "public"), records, [tuple(r) for r in frozen])
        for path in (root / "public").rglob("*.atom"):
            if "archive" not in path.parts:
                assert_valid_atom(path.read_bytes())
        shutil.rmtree(root)
    assert written["2"] == written["0"]
    assert len(written["0"][2]) >= many.topics  # archive pages were frozen along the way


def test_many_topics_due_are_shared_with_a_worker_once_workers_start_quickly(tmp_path):
    """After an ingest started the forkserver, Sharing.due topics due or more (here a
    republish after one entry that all of them match) are rendered by a worker and by this
    process, and come out as one process writes them. Without the forkserver up, or with
    fewer topics due, they stay here."""
    spy = _Spy()
    pools, here = spy.pools, spy.here
    topics = tuple(
        Topic(slug=f"t{k}", title=f"Topic {k}", query=f"event OR {k}") for k in range(Sharing().due)
    )
    written = {}
    for workers, up in (("0", True), ("1", False), ("1", True)):
        seams = {"workers": spy.workers(workers, fast_start=lambda up=up: up), "render": spy.render}
        root = tmp_path / "site"
        config = _small_site(root, topics)
        with Store(root / "data" / "feeds.sqlite3") as store:
            add(store, *(entry(n, text=f"<p>Event {n % 7} happened.</p>") for n in range(30)))
            regenerate(config, store, now=T0 + timedelta(days=31), **seams)
            pools.clear()
            here.clear()
            add(store, entry(99, text="<p>Another event.</p>"))
            reports = regenerate(config, store, now=T0 + timedelta(days=32), **seams)
            assert all(r.written for r in reports)
            add(store, entry(98, text="<p>Only 1 and 2 this time.</p>"))
            later = regenerate(config, store, now=T0 + timedelta(days=33), **seams)
            assert [r.topic for r in later if r.written] == ["t1", "t2"]
            records = [store.topic_record(t.slug) for t in topics]
        if workers == "1" and up:
            assert pools == [1]  # the republish of all of them, not that of two
            assert 1 <= len(set(here) - {"t1", "t2"}) < len(topics)
        else:
            assert pools == []
            assert len(here) == len(topics) + 2
        written[workers, up] = (snapshot(root / "public"), records)
        shutil.rmtree(root)
    assert written["1", True] == written["0", True] == written["1", False]


def test_topics_a_broken_pool_cannot_take_are_rendered_by_this_process(site):
    """A worker that dies breaks the pool: the topics not sent yet are rendered here, and
    the one it was rendering fails the publish (as it did in-process)."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    class Pool:  # sends one topic, which fails, then refuses the others
        def __init__(self, workers: int) -> None:
            self.sent = 0

        def __enter__(self) -> Pool:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def submit(self, *args: object) -> Future[object]:
            self.sent += 1
            if self.sent > 1:
                raise BrokenProcessPool("a worker died")
            future: Future[object] = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
            return future

    config, store = site
    topics = tuple(Topic(slug=f"t{k}", title=f"T{k}", query="mali") for k in range(6))
    config = replace(config, topics=topics)
    add(store, *(entry(n) for n in range(1, 30)))
    broken = Workers(count=lambda: 1, pool=Pool, sharing=Sharing(matches=10))
    with pytest.raises(BrokenProcessPool):
        regenerate(config, store, workers=broken)
    published = [t.slug for t in topics if (config.settings.public_dir / f"{t.slug}.atom").exists()]
    assert published == ["t1", "t2", "t3", "t4", "t5"]  # all but the one sent
    assert all(r.written for r in regenerate(config, store)[:1])


def test_a_first_publish_of_few_matches_stays_in_process(tmp_path):
    """Many topics never published, but few entries in their archives: starting a worker
    would cost more than it saves."""
    sharing = Sharing()
    pools: list[int] = []
    workers = Workers(count=lambda: 2, pool=lambda n: pools.append(n))  # never called
    topics = tuple(
        Topic(slug=f"t{k}", title=f"Topic {k}", query="event") for k in range(sharing.topics)
    )
    settings = Settings(base_url=BASE, public_dir=tmp_path / "public", data_dir=tmp_path / "d")
    config = Config(file=tmp_path / "feeds.toml", settings=settings, sources=SOURCES,
                    topics=topics)  # fmt: skip
    with Store(tmp_path / "d" / "feeds.sqlite3") as store:
        add(store, *(entry(n, text="<p>Event.</p>") for n in range(60)))
        assert 60 * len(topics) < sharing.matches
        reports = regenerate(config, store, now=T0 + timedelta(days=31), workers=workers)
        assert all(r.written for r in reports)
    assert pools == []


# --- republish in proportion to change: the record's mark ----------------------------------------


def _forget_marks(store: Store) -> None:
    """What a store from before marks has: every check works the state and count out anew."""
    db = sqlite3.connect(store.path)
    db.execute("UPDATE topics SET mark_rowid = NULL, mark_edits = NULL, basis = NULL")
    db.commit()
    db.close()


@pytest.mark.parametrize("seed", [7, 8])
def test_republishing_from_the_mark_writes_what_working_everything_out_writes(tmp_path, seed):
    """Two sites go through the same arrivals, edits, config changes and wiped files; one
    takes each topic's state and count from its record while they hold, the other works
    them out anew every time. Their files and records must stay the same, and the count
    that of every match."""
    from feeds.topics.selection import select

    rng = random.Random(seed)
    coups = Topic(slug="coups", title="Coups", query="coup OR junta")
    sites = []
    for name in ("marked", "anew"):
        settings = Settings(base_url=BASE, public_dir=tmp_path / name / "public",
                            data_dir=tmp_path / name, feed_size=4, archive_size=6)  # fmt: skip
        config = Config(file=tmp_path / "feeds.toml", settings=settings, sources=SOURCES,
                        topics=(SAHEL, coups))  # fmt: skip
        sites.append([config, Store(tmp_path / name / "feeds.sqlite3")])
    texts = {
        "sahel": ("Mali report {n}", "<p>Sahel story {n}.</p>"),
        "coups": ("Junta news {n}", "<p>A coup attempt, story {n}.</p>"),
        "junta": ("Junta rule {n}", "<p>Army story {n}.</p>"),
        "both": ("Mali coup {n}", "<p>In the Sahel, story {n}.</p>"),
        "none": ("Football {n}", "<p>League results, story {n}.</p>"),
    }
    stored: list[int] = []
    for step in range(60):
        now = T0 + timedelta(days=40, hours=step)
        action = rng.choice(["new", "new", "new", "old", "other", "edit", "edit", "config",
                             "wipe", "nothing"])  # fmt: skip
        kind = rng.choice(list(texts))
        n = 1000 + step
        hours = -rng.randrange(500) if action == "old" else step
        edited = stored[rng.randrange(len(stored))] if stored else None
        query = rng.choice(["coup OR junta", "coup", "junta OR wagner"])
        victim = rng.random()
        for site in sites:
            config, store = site
            public = config.settings.public_dir
            if action in ("new", "old", "other"):
                title, text = texts["none" if action == "other" else kind]
                made = replace(entry(n, title=title.format(n=n), text=text.format(n=n)),
                               published=T0 + timedelta(days=40, hours=hours))  # fmt: skip
                store.upsert([made], now=now)
            elif action == "edit" and edited is not None:
                title, text = texts[kind]
                store.upsert([entry(edited, title=title.format(n=edited) + " (edited)",
                                    text=text.format(n=edited))], now=now)  # fmt: skip
            elif action == "config":
                site[0] = replace(config, topics=(SAHEL, replace(coups, query=query)))
            elif action == "wipe" and public.exists():
                victims = sorted(p.relative_to(public) for p in public.rglob("*.atom"))
                (public / victims[int(victim * len(victims))]).unlink()
        if action in ("new", "old", "other"):
            stored.append(n)
        _forget_marks(sites[1][1])
        for config, store in sites:
            regenerate(config, store, now=now)
        (marked, a), (anew, b) = sites
        assert snapshot(marked.settings.public_dir) == snapshot(anew.settings.public_dir), step
        for slug in ("sahel", "coups"):
            ra, rb = a.topic_record(slug), b.topic_record(slug)
            assert (ra.entries, ra.digest, ra.shown) == (rb.entries, rb.digest, rb.shown), step
            [topic] = [t for t in marked.topics if t.slug == slug]
            assert ra.entries == a.count(select(topic.query)), step
    for _, store in sites:
        store.close()


class _CountsReads(Store):
    """A store that counts the reads of a topic's newest candidates."""

    reads: list[str] = []

    def search_rows(self, *a, **k):
        self.reads.append("x")
        return super().search_rows(*a, **k)


def test_a_topic_with_no_new_match_is_not_read_again(site):
    config, store = site
    add(store, *(entry(n) for n in range(1, 25)))
    regenerate(config, store)
    store.close()
    store = _CountsReads(store.path)
    reads = store.reads = []
    add(store, entry(40, title="Football results", text="<p>League news.</p>"))
    [report] = regenerate(config, store)
    assert reads == [] and not report.written and report.entries == 5
    add(store, entry(41))  # a match: read, rendered, counted
    [report] = regenerate(config, store)
    assert reads and report.written
    assert store.topic_record("sahel").entries == 25
    reads.clear()
    add(store, entry(3, title="Football results", text="<p>League news.</p>"))  # leaves it
    regenerate(config, store)
    assert reads and store.topic_record("sahel").entries == 24
    store.close()
