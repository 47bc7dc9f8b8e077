"""What readers keep when editors rename, move and delete article files (#15 items 16, 17).

Real article folders, a real SQLite store, the real regenerate into public/, and the real
server app: a renamed or moved file keeps its entry's id; a deleted one is retracted (a
tombstone in the feed, its page 410 from ``feeds run``'s server and gone from public/),
unless the source keeps entries (``on_delete = "keep"``).
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from atomcheck import NS, assert_valid_atom
from test_serve import call

from feeds.cli.status import collect, document
from feeds.config.loader import parse_config
from feeds.errors import ConfigError
from feeds.ingest.flow import ingest
from feeds.models import Config
from feeds.publish.flow import regenerate
from feeds.publish.gone import GonePages
from feeds.run.serve import make_app
from feeds.store.sqlite.store import Store

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
AT = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"
STORIES = {
    "otters.md": "# Otters return to the estuary\n\nOtters were seen near the old mill.\n",
    "herons.txt": (
        "# Les hérons nichent au barrage\n<section>\n<h2>Une colonie</h2>\n"
        "<p>« Ils sont revenus », dit la gardienne, près de l’eau.</p>\n</section>\n"
    ),
    "eels.md": "---\ntitle: Eels cross the weir\nid: eels-2026\n---\nThe eel ladder works.\n",
}


def make_config(tmp_path: Path, **source: object) -> Config:
    data = {
        "settings": {
            "base_url": "http://127.0.0.1:8080/",
            "data_dir": str(tmp_path / "data"),
            "public_dir": str(tmp_path / "public"),
        },
        "sources": [{"name": "desk", "kind": "articles", "path": str(tmp_path / "a"), **source}],
        "topics": [
            {"slug": "river", "title": "River", "query": "otters OR herons OR eels OR hérons"}
        ],
    }
    return parse_config(data, path=tmp_path / "feeds.toml")


class Site:
    def __init__(self, tmp_path: Path, **source: object) -> None:
        self.root = tmp_path
        self.folder = tmp_path / "a"
        self.folder.mkdir()
        for name, text in STORIES.items():
            self.write(name, text)
        self.config = make_config(tmp_path, **source)
        self.store = Store(tmp_path / "data" / "feeds.sqlite3")
        self.hours = 0

    def write(self, name: str, text: str) -> None:
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def update(self):
        """ingest then regenerate, an hour later each time."""
        self.hours += 1
        now = T0 + timedelta(hours=self.hours)
        (report,) = asyncio.run(ingest(self.config, self.store, now=now))
        regenerate(self.config, self.store, now=now)
        return report

    def feed(self) -> bytes:
        return (self.root / "public" / "river.atom").read_bytes()

    def ids(self) -> dict[str, str]:
        """title → id of each entry of the feed."""
        root = assert_valid_atom(self.feed())
        return {
            e.findtext("a:title", namespaces=NS): e.findtext("a:id", namespaces=NS)
            for e in root.findall("a:entry", NS)
        }


@pytest.fixture
def site(tmp_path):
    site = Site(tmp_path)
    yield site
    site.store.close()


def test_a_renamed_or_moved_file_keeps_its_id(site) -> None:
    assert site.update().new == 3
    before = site.ids()
    os.rename(site.folder / "otters.md", site.folder / "otters-at-the-mill.md")
    (site.folder / "2026").mkdir()
    os.rename(site.folder / "herons.txt", site.folder / "2026" / "herons.html")
    report = site.update()
    assert (report.new, report.ok) == (0, True)
    assert site.ids() == before  # no duplicate, no entry lost
    assert b"deleted-entry" not in site.feed()  # nothing was retracted
    # The pages follow the files; the old ones are gone.
    articles = site.root / "public" / "articles" / "desk"
    assert (articles / "otters-at-the-mill.html").is_file()
    assert (articles / "2026" / "herons.html").is_file()
    assert not (articles / "otters.html").exists() and not (articles / "herons.html").exists()
    # Renamed once, it keeps that id in every later scan: edited, renamed again.
    site.write("otters-at-the-mill.md", STORIES["otters.md"] + "\nThree cubs.\n")
    assert site.update().changed == 1 and site.ids() == before
    os.rename(site.folder / "otters-at-the-mill.md", site.folder / "otters-2.md")
    assert site.update().new == 0 and site.ids() == before


def test_an_id_in_front_matter_wins_over_the_path(site) -> None:
    site.update()
    eels = site.ids()["Eels cross the weir"]
    assert eels.endswith("/guid:eels-2026") and "eels.md" not in eels
    os.rename(site.folder / "eels.md", site.folder / "fish.md")
    site.write("fish.md", STORIES["eels.md"] + "\nNow with a count of 400.\n")  # and edited
    assert site.update().new == 0
    assert site.ids()["Eels cross the weir"] == eels


def test_a_deleted_file_is_retracted_everywhere(site) -> None:
    site.update()
    otters = site.ids()["Otters return to the estuary"]
    page = site.root / "public" / "articles" / "desk" / "otters.html"
    assert page.is_file()
    (site.folder / "otters.md").unlink()
    report = site.update()
    assert report.ok and otters in report.changed_ids  # a publish is due
    root = assert_valid_atom(site.feed())  # the tombstone is a foreign element: still valid
    assert "Otters return to the estuary" not in site.ids()
    (tombstone,) = root.findall(AT)
    assert tombstone.get("ref") == otters
    assert tombstone.get("when") == (T0 + timedelta(hours=2)).isoformat()
    assert not page.exists()  # a static server answers 404
    app = make_app(site.root / "public", lambda: (True, ""), lambda: b"", lambda: None,
                   GonePages(site.config.settings.data_dir))  # fmt: skip
    assert call(app, "/articles/desk/otters.html").status == 410
    assert call(app, "/articles/desk/nothing.html").status == 404
    assert call(app, "/articles/desk/eels.html").status == 200
    # feeds status counts what the files hold.
    sources, _ = collect(site.config, site.store)
    assert [r.entries for r in sources] == [2]
    assert document(site.config, *collect(site.config, site.store))["sources"][0]["entries"] == 2


def test_tombstones_keep_output_byte_identical_and_never_come_back_as_new(site) -> None:
    site.update()
    (site.folder / "otters.md").unlink()
    site.update()
    feed, mtime = site.feed(), (site.root / "public" / "river.atom").stat().st_mtime_ns
    site.write("unrelated.md", "# Nothing to do with it\n\nA bake sale.\n")
    site.update()
    site.update()
    assert site.feed() == feed  # same bytes, not even rewritten
    assert (site.root / "public" / "river.atom").stat().st_mtime_ns == mtime
    # Restored: the same entry, with its first date; not a new one.
    site.write("otters.md", STORIES["otters.md"])
    report = site.update()
    assert report.new == 0 and report.changed == 1
    root = assert_valid_atom(site.feed())
    assert root.findall(AT) == []
    otters = next(
        e for e in root.findall("a:entry", NS)
        if e.findtext("a:title", namespaces=NS) == "Otters return to the estuary"
    )  # fmt: skip
    # Its first date; distinct instants (#15 item 2) may move it by microseconds, never more.
    published = datetime.fromisoformat(otters.findtext("a:published", namespaces=NS))
    assert abs(published - (T0 + timedelta(hours=1))) < timedelta(milliseconds=1)


def test_a_source_can_keep_entries_of_deleted_files(tmp_path) -> None:
    site = Site(tmp_path, on_delete="keep")
    try:
        site.update()
        before = site.ids()
        (site.folder / "otters.md").unlink()
        site.update()
        assert site.ids() == before and AT.encode() not in site.feed()
    finally:
        site.store.close()


def test_an_unreadable_file_is_not_taken_for_a_deleted_one(site) -> None:
    site.update()
    before = site.ids()
    (site.folder / "otters.md").write_bytes(b"\x00 not text any more")
    report = site.update()
    assert not report.ok and "otters.md: binary file" in (report.message or "")
    assert site.ids() == before  # still published: only a deleted file retracts
    state = site.store.source_state("desk")
    assert state.status == "error" and "otters.md" in (state.message or "")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("delete", 'must be "retract" (the default) or "keep"'),
        (1, "must be a string"),
    ],
)
def test_on_delete_is_checked(tmp_path, value: object, message: str) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        make_config(tmp_path, on_delete=value)
    assert caught.value.key == "sources[0].on_delete"
    assert str(caught.value).startswith(f"{tmp_path / 'feeds.toml'}: sources[0].on_delete: ")


def test_on_delete_is_for_articles_only(tmp_path) -> None:
    data = {
        "settings": {"base_url": "http://127.0.0.1:8080/", "data_dir": str(tmp_path)},
        "sources": [{"name": "f", "url": "http://127.0.0.1:9/f.xml", "on_delete": "keep"}],
    }
    with pytest.raises(ConfigError, match="articles sources only") as caught:
        parse_config(data, path=tmp_path / "feeds.toml")
    assert caught.value.key == "sources[0].on_delete"


# -- kill -9 while deletions and renames are taken in ------------------------------------------

KILLS = 6
SEED = 20261207


def _killable_site(root: Path, n: int = 120) -> Path:
    (root / "articles").mkdir(parents=True)
    for i in range(n):
        (root / "articles" / f"story-{i:03d}.txt").write_text(
            f"# Heron count {i}\n<section><h2>Count</h2><p>{i} herons at the weir, "
            f"{'and otters ' * (i % 7)}seen today.</p></section>\n"
        )
    config = root / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\nfeed_size = 30\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        '[[topics]]\nslug = "herons"\ntitle = "Herons"\nquery = "herons"\n'
    )
    return config


def _edit(root: Path, round_: int) -> None:
    """Round ``round_``'s editing: four files deleted, four renamed (the same ones in
    every site, so that the outcomes compare)."""
    folder = root / "articles"
    names = sorted(p.name for p in folder.iterdir())
    for name in names[round_ * 8 : round_ * 8 + 4]:
        (folder / name).unlink()
    for name in names[round_ * 8 + 4 : round_ * 8 + 8]:
        os.rename(folder / name, folder / f"renamed-{name}")


def _outcome(root: Path) -> tuple[set[tuple[str, bool]], list[str], list[str], set[str]]:
    import sqlite3

    from test_crash import _check_public, _check_store

    db = root / "data" / "feeds.sqlite3"
    _check_store(db)
    _check_public(root / "public")
    conn = sqlite3.connect(db)
    try:
        stored = {
            (r[0], r[1] is not None) for r in conn.execute("SELECT id, retracted FROM entries")
        }
        files = {r[0] for r in conn.execute("SELECT id FROM article_files")}
    finally:
        conn.close()
    feed = assert_valid_atom((root / "public" / "herons.atom").read_bytes())
    shown = [e.findtext("a:id", namespaces=NS) for e in feed.findall("a:entry", NS)]
    tombstones = sorted(t.get("ref") for t in feed.findall(AT))
    return stored, shown, tombstones, files


@pytest.mark.slow
def test_kill_9_while_files_are_deleted_and_renamed_leaves_the_store_consistent(
    tmp_path,
) -> None:
    import random
    import shutil
    import time

    from test_crash import _kill_after, _run

    reference = tmp_path / "reference"
    config = _killable_site(reference)
    killed = tmp_path / "killed"
    shutil.copytree(reference, killed)
    started = time.monotonic()
    _run(config)
    span = time.monotonic() - started
    _run(killed / "feeds.toml")
    rng = random.Random(SEED)
    for round_ in range(KILLS):
        _edit(reference, round_)
        _run(config)
        _edit(killed, round_)
        _kill_after(killed / "feeds.toml", "update", rng.uniform(0.05, span))
        _outcome(killed)  # consistent after each kill (the checks are in _outcome)
    _run(killed / "feeds.toml")
    stored, shown, tombstones, files = _outcome(killed)
    assert (stored, shown, tombstones, files) == _outcome(reference)
    assert sum(1 for _, retracted in stored if retracted) == 4 * KILLS
    assert len(stored) == 120  # the renamed kept their ids: nothing new


def test_feeds_run_answers_410_for_a_deleted_article_s_page(tmp_path) -> None:
    """The daemon, end to end: the page of a deleted article answers 410, its feed carries
    the tombstone, and the page file is gone from public/."""
    import httpx
    from test_daemon import free_port, start, wait_for

    (tmp_path / "articles").mkdir()
    for name in ("otters.md", "eels.md"):
        (tmp_path / "articles" / name).write_text(STORIES[name], encoding="utf-8")
    port = free_port()
    config = tmp_path / "feeds.toml"
    config.write_text(
        f'[settings]\nbase_url = "http://127.0.0.1:{port}/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\ninterval = "1s"\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        '[[topics]]\nslug = "river"\ntitle = "River"\nquery = "otters OR eels"\n'
    )
    page = f"http://127.0.0.1:{port}/articles/desk/otters.html"
    proc = start(config, port)
    try:
        wait_for("the page", lambda: httpx.get(page).status_code == 200, proc)
        (tmp_path / "articles" / "otters.md").unlink()
        wait_for("410 Gone", lambda: httpx.get(page).status_code == 410, proc)
        feed = httpx.get(f"http://127.0.0.1:{port}/river.atom")
        root = assert_valid_atom(feed.content)
        assert [t.get("ref") for t in root.findall(AT)] == ["tag:127.0.0.1,2024:desk/otters.md"]
        assert not (tmp_path / "public" / "articles" / "desk" / "otters.html").exists()
    finally:
        proc.kill()
        proc.communicate()
