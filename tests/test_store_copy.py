"""``feeds store copy SRC DEST`` (issue 17) between a SQLite file and a PostgreSQL database
(a real server, tests/pgserver.py), each way: the feeds regenerated from the copy are
byte-identical to those published from the original, tombstones too; the alerts' state and
the article texts read back the same from the copy."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
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


def test_a_copy_each_way_keeps_the_alerts_state_and_the_article_texts(pg_cluster, tmp_path):
    from feeds.decide.fulltext import ArticleText
    from feeds.decide.notify import AlertEntry, Delivery, TargetState
    from feeds.store.postgres.store import PostgresStore
    from feeds.store.sqlite.store import Store
    from feeds.store.transfer import copy_store

    t0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    later = t0 + timedelta(hours=1)
    alert = AlertEntry("id1", "Title", "https://example.test/1", t0, "wire", "text")
    texts = [
        ArticleText("wire", "urn:1", "h1", "<p>Body</p>", None, False, 1, t0, '"e"', None),
        ArticleText("wire", "urn:2", "h2", "", "robots.txt disallows it", True, 2, later),
    ]

    def state(s):  # what the roles read back
        return (
            s.notify_target("t", "k"), s.notify_pending("t", "k"),
            s.notify_seen("t", "k", ["id1", "seen0", "id9"]),
            s.article_texts("wire", ["urn:1", "urn:2"]),
        )  # fmt: skip

    with Store(tmp_path / "a.sqlite3") as original:
        original.notify_add_target(TargetState("t", "k", 3, t0), None)
        original.notify_collect("t", "k", [alert], ["seen0"], new_id="d1", now=t0, due=later)
        original.notify_add_target(TargetState("t", "k2", 0, t0), Delivery(
            "w1", "t", "k2", "watching", t0, t0, watching=4))  # fmt: skip
        original.notify_failed("w1", "HTTP 500", now=t0, next_try=later)
        original.notify_sent("w1", now=later)
        original.save_article_texts(texts)
        expected = state(original)
        assert expected[1] and len(expected[3]) == 2
        with PostgresStore(pg_cluster.database()) as pg:
            copied = copy_store(original, pg)
            assert copied.tables["notify_outbox"] == 2 and copied.tables["article_texts"] == 2
            assert state(pg) == expected
            with Store(tmp_path / "back.sqlite3") as back:
                copy_store(pg, back)
                assert state(back) == expected
                assert back.notify_target("t", "k2") == original.notify_target("t", "k2")
