"""Ingest of article folders: an unchanged folder is not read again; a change is."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from feeds.config import parse_config
from feeds.models import Config
from feeds.pipeline import ingest
from feeds.store import Store

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
