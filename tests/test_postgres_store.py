"""The PostgreSQL store's edges, on a real server (tests/pgserver.py): its URL in the
config and the environment, one clear line for a bad URL, a server down, a refused login
or a newer schema, migrations that two nodes starting together run once, and a store of
schema 2 brought to 3 (the alert and full-text tables)."""

from __future__ import annotations

import threading
from pathlib import Path

import psycopg
import pytest
from helpers import feeds, scratch_site
from pgserver import LOCKED_ROLE
from test_store import T0, entry

from feeds.config.loader import parse_config
from feeds.decide.fulltext import ArticleText
from feeds.decide.notify import TargetState
from feeds.errors import ConfigError, StoreSchemaError, StoreUnreachable
from feeds.store import open_url
from feeds.store.postgres.migrations import SCHEMA_VERSION, STEPS
from feeds.store.postgres.store import PostgresStore


def _config(tmp_path: Path, **settings: object):
    return parse_config({"settings": settings}, path=tmp_path / "config" / "feeds.toml")


def test_the_config_names_the_store_and_the_environment_overrides_it(tmp_path, monkeypatch):
    url = "postgresql://feeds@db.internal:5432/feeds"
    assert _config(tmp_path, store=url).settings.store == url
    assert _config(tmp_path).settings.store is None
    monkeypatch.setenv("FEEDS_STORE", "postgresql://node@other:5433/feeds")
    monkeypatch.setenv("FEEDS_DATA_DIR", str(tmp_path / "node-1"))
    monkeypatch.setenv("FEEDS_PUBLIC_DIR", str(tmp_path / "www"))
    settings = _config(tmp_path, store=url).settings
    assert settings.store == "postgresql://node@other:5433/feeds"
    assert (settings.data_dir, settings.public_dir) == (tmp_path / "node-1", tmp_path / "www")


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://x@y/z", "must be postgresql://"),
        ("postgresql://x@y", "must name one database"),
        ("postgresql://x@y:99999/z", "not a URL"),
        ("sqlite://relative.db", "absolute file"),
    ],
)
def test_a_bad_store_url_is_a_config_error_naming_the_key(tmp_path, monkeypatch, url, says):
    with pytest.raises(ConfigError) as info:
        _config(tmp_path, store=url)
    assert info.value.key == "settings.store" and says in info.value.message
    monkeypatch.setenv("FEEDS_STORE", url)
    with pytest.raises(ConfigError) as info:
        _config(tmp_path)
    assert info.value.key == "settings.store ($FEEDS_STORE)"


def _one_line_failure(tmp_path: Path, url: str) -> str:
    config = scratch_site(tmp_path, store=url)
    result = feeds(config, "status")
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_a_server_that_is_down_is_one_line(tmp_path, pg_cluster):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    line = _one_line_failure(tmp_path, f"postgresql://feeds@127.0.0.1:{port}/feeds")
    assert f"cannot reach the store postgresql://feeds@127.0.0.1:{port}/feeds" in line
    assert "refused" in line.lower()


def test_a_refused_login_is_one_line_without_the_password(tmp_path, pg_cluster):
    url = pg_cluster.url("postgres", user=f"{LOCKED_ROLE}:wrong")
    line = _one_line_failure(tmp_path, url)
    assert "password authentication failed" in line and "wrong" not in line


def test_a_missing_database_is_one_line(tmp_path, pg_cluster):
    line = _one_line_failure(tmp_path, pg_cluster.url("no_such_db"))
    assert 'database "no_such_db" does not exist' in line


def test_a_newer_schema_is_refused(tmp_path, pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE meta SET value = %s WHERE key = 'schema'", (str(SCHEMA_VERSION + 1),))
    with pytest.raises(StoreSchemaError, match="newer than this feeds"):
        PostgresStore(pg_url)
    assert "upgrade feeds" in _one_line_failure(tmp_path, pg_url)


def test_nodes_starting_together_migrate_once(pg_cluster):
    url = pg_cluster.database(migrated=False)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            PostgresStore(url).close()
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        assert row == (str(SCHEMA_VERSION),)


def test_a_store_of_schema_2_gets_the_alert_and_full_text_tables(pg_cluster):
    url = pg_cluster.database(migrated=False)
    with psycopg.connect(url) as conn:  # the schema before alerts and full text (#18, #19)
        for step in STEPS[:2]:
            conn.execute(step.encode())
        conn.execute("INSERT INTO meta (key, value) VALUES ('schema', '2')")
    with PostgresStore(url) as store:
        store.upsert([entry(1)], now=T0)
        store.notify_add_target(TargetState("t", "k", 1, T0), None)
        assert store.notify_target("t", "k") == TargetState("t", "k", 1, T0)
        text = ArticleText("wire", "urn:1", "h1", "<p>Body</p>", None, False, 1, T0)
        store.save_article_texts([text])
        assert store.article_texts("wire", ["urn:1"]) == {"urn:1": text}
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone() == ("3",)


def test_open_url_opens_either_backend(tmp_path, pg_url):
    with open_url(pg_url) as store:
        store.upsert([entry(1)], now=T0)
        assert store.entry_count() == 1
        again = store.opener()
        assert again is not None
        with again() as other:
            assert other.entry(entry(1).id) == store.entry(entry(1).id)
    with open_url(f"sqlite://{tmp_path}/x/feeds.sqlite3") as store:
        assert store.entry_count() == 0
    with pytest.raises(StoreUnreachable):
        PostgresStore("postgresql://x@127.0.0.1:1/")
