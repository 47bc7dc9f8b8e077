"""``feeds store copy SRC DEST`` (issue 17) between a SQLite file and a PostgreSQL database
(a real server, tests/pgserver.py), each way: the feeds regenerated from the copy are
byte-identical to those published from the original, tombstones too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import feeds, scratch_site


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feeds", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def regenerate(config: Path, store: str, public: Path) -> dict[str, bytes]:
    env = {"FEEDS_STORE": store, "FEEDS_PUBLIC_DIR": str(public)}
    result = run("--config", str(config), "regenerate", env=env)
    assert result.returncode == 0, result.stderr
    return files(public)


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> tuple[Path, Path]:
    """A site published from SQLite, with a retraction."""
    config = scratch_site(tmp_path_factory.mktemp("copy"))
    small = "feed_size = 1\narchive_size = 10\nfeed_window = 0"
    config.write_text(config.read_text().replace("feed_size = 50", small))
    assert feeds(config, "update").returncode == 1  # the remote sources fail
    (config.parent / "articles" / "mali-wagner-retrait.fr.txt").unlink()
    assert feeds(config, "update").returncode == 1
    return config, config.parent.parent / "data" / "feeds.sqlite3"


def test_a_copy_each_way_publishes_the_same_bytes(original, pg_cluster, tmp_path):
    config, sqlite_file = original
    published = regenerate(config, f"sqlite://{sqlite_file}", tmp_path / "from-original")
    assert any(b"deleted-entry" in body for body in published.values())  # the retraction
    served = files(config.parent.parent / "public")  # the health feed is the node's own
    assert {k: v for k, v in served.items() if k.endswith(".atom") and k != "_status.atom"} == {
        k: v for k, v in published.items() if k.endswith(".atom")
    }
    pg = pg_cluster.database(migrated=False)
    result = run("store", "copy", f"sqlite://{sqlite_file}", pg)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("copied ") and " entries" in result.stdout
    assert regenerate(config, pg, tmp_path / "from-pg") == published
    back = f"sqlite://{tmp_path}/back/feeds.sqlite3"
    assert run("store", "copy", pg, back).returncode == 0
    assert regenerate(config, back, tmp_path / "from-back") == published


def test_a_copy_into_a_store_that_is_not_empty_is_refused(original, pg_cluster):
    _, sqlite_file = original
    pg = pg_cluster.database()
    assert run("store", "copy", f"sqlite://{sqlite_file}", pg).returncode == 0
    again = run("store", "copy", f"sqlite://{sqlite_file}", pg)
    assert again.returncode == 2 and "not empty" in again.stderr
    assert "Traceback" not in again.stderr and again.stderr.count("\n") == 1
