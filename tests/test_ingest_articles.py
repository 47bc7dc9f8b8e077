"""Ingest of article folders: an unchanged folder is not read again; a change is."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.config.loader import parse_config
from feeds.ingest.flow import ingest
from feeds.models import Config
from feeds.store.sqlite.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def make_config(tmp_path: Path, **source: object) -> Config:
    data = {
        "settings": {"base_url": "http://127.0.0.1:8080/", "data_dir": str(tmp_path)},
        "sources": [{"name": "desk", "kind": "articles", "path": str(tmp_path / "a"), **source}],
    }
    return parse_config(data, path=tmp_path / "feeds.toml")


def run(config: Config, store: Store, hours: int = 0):
    (report,) = asyncio.run(ingest(config, store, now=NOW + timedelta(hours=hours)))
    return report


@pytest.fixture
def site(tmp_path):
    folder = tmp_path / "a"
    folder.mkdir()
    for n in range(3):
        (folder / f"story-{n}.md").write_text(f"# Story {n}\n\nAbout the river, part {n}.\n")
    (folder / "broken.md").write_bytes(b"")
    with Store(tmp_path / "feeds.sqlite3") as store:
        yield tmp_path, folder, store


def test_an_unchanged_folder_is_not_read_again(site):
    tmp_path, folder, store = site
    config = make_config(tmp_path)
    assert run(config, store).new == 3
    again = run(config, store, 1)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 0)  # not even compared
    # The problem found when it was read is still reported.
    assert "broken.md" in (store.source_state("desk").message or "")


def test_an_edited_added_or_reconfigured_folder_is_read(site):
    tmp_path, folder, store = site
    config = make_config(tmp_path)
    run(config, store)
    path = folder / "story-1.md"
    path.write_text("# Story 1\n\nAbout the river, part one, corrected.\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert run(config, store, 1).changed == 1
    (folder / "story-9.md").write_text("# Story 9\n\nNew.\n")
    assert run(config, store, 2).new == 1
    # Another author in the config changes what the entries are: read again.
    report = run(make_config(tmp_path, author="Desk"), store, 3)
    assert report.changed == 4


REFERENCE = (
    "# Les bacs reprennent sur le fleuve\n<section>\n<h2>La crue est passée</h2>\n"
    "<p>« On traverse de nouveau », dit le passeur.</p>\n</section>\n"
)


def test_reference_files_are_ingested_whatever_their_name(tmp_path):
    """#15 item 1: a reference-format .html was skipped with "no title" while the run said
    all was well; a file without an extension was not read at all."""
    folder = tmp_path / "a"
    folder.mkdir()
    for name in ("bac.txt", "bac-2.html", "bac-3.htm", "bac-4.md", "bac-5"):
        (folder / name).write_text(REFERENCE.replace("bacs", f"bacs {name}"), encoding="utf-8")
    with Store(tmp_path / "feeds.sqlite3") as store:
        report = run(make_config(tmp_path), store)
        assert (report.ok, report.new, report.message) == (True, 5, None)
        titles = sorted(e.title for e in store.entries())
        assert titles[0] == "Les bacs bac-2.html reprennent sur le fleuve"
        assert all(e.content.startswith("<section>") for e in store.entries())


def test_a_file_that_cannot_be_read_fails_the_source(tmp_path):
    """#15 item 1: an article that cannot be read is a failure (exit 1, `feeds status`),
    not a note beside a success; the other articles are stored."""
    folder = tmp_path / "a"
    folder.mkdir()
    (folder / "good.txt").write_text(REFERENCE, encoding="utf-8")
    (folder / "bad.html").write_text("<p>No title anywhere.</p>", encoding="utf-8")
    with Store(tmp_path / "feeds.sqlite3") as store:
        report = run(make_config(tmp_path), store)
        assert not report.ok and report.new == 1
        assert "bad.html: no title" in (report.message or "")
        state = store.source_state("desk")
        assert state.status == "error" and "bad.html" in (state.message or "")
        # Still failing next time, though nothing changed; fixed, it passes.
        assert not run(make_config(tmp_path), store, 1).ok
        (folder / "bad.html").write_text("<h1>A title</h1><p>Fixed.</p>", encoding="utf-8")
        fixed = run(make_config(tmp_path), store, 2)
        assert fixed.ok and fixed.new == 1
        assert store.source_state("desk").status == "ok"
