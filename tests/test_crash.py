"""kill -9 at random moments of `feeds update` and `feeds regenerate`: nothing is lost.

A real `feeds` subprocess over a scratch site (enough articles and feed items that a run
takes a moment) is SIGKILLed after a seeded random delay, again and again. After each kill:
every file in public/ is complete (each format parses, Atom validates), the store passes
SQLite's and FTS5's integrity checks with its index in step with its entries. Then one
clean run finishes the work: its store and feeds equal those of a run never killed, and
no temporary file is left. The delays are only *when* to kill; nothing asserts on time.
"""

from __future__ import annotations

import json
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import lxml.html
import pytest
from atomcheck import NS, assert_valid_atom, parse_xml

pytestmark = pytest.mark.slow

KILLS = 16
SEED = 20240611
#: Each round adds this many articles and feed items, so every run has work to be killed in.
PER_ROUND_ARTICLES, PER_ROUND_ITEMS = 15, 10
ARTICLES = 80 + KILLS * PER_ROUND_ARTICLES
ITEMS = 40 + KILLS * PER_ROUND_ITEMS
WORDS = ["zebra", "sahel", "harbour", "river", "election", "market", "drought", "festival"]
TOPICS = {"zebras": "zebra", "sahel": "sahel OR drought", "towns": "harbour OR market OR river"}


def _make_site(root: Path) -> Path:
    rng = random.Random(SEED)
    (root / "articles").mkdir(parents=True)
    for n in range(ARTICLES):
        words = " ".join(rng.choice(WORDS) for _ in range(60))
        (root / "articles" / f"story-{n:03d}.txt").write_text(
            f"# Story {n} about {rng.choice(WORDS)}\n<section><h2>Part</h2><p>{words}</p></section>\n"  # noqa: E501
        )
    (root / "wire").mkdir()
    items = [
        f"<item><guid>http://wire.example/{n}</guid><title>Wire {n} {rng.choice(WORDS)}</title>"
        f"<link>http://wire.example/{n}</link><description>{rng.choice(WORDS)} news {n}"
        f"</description><pubDate>Mon, 01 Jan 2024 {n % 24:02d}:{n % 60:02d}:00 GMT</pubDate></item>"
        for n in range(ITEMS)
    ]
    for count in range(40, ITEMS + 1, PER_ROUND_ITEMS):  # the wire as it grows, round by round
        (root / "wire" / f"{count}.xml").write_text(_rss(items[:count]))
    (root / "wire.xml").write_text(_rss(items))
    topics = "".join(
        f'[[topics]]\nslug = "{slug}"\ntitle = "{slug.title()}"\nquery = "{query}"\n'
        for slug, query in TOPICS.items()
    )
    config = root / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\nfeed_size = 40\narchive_size = 50\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        '[[sources]]\nname = "wire"\npath = "wire.xml"\nlanguage = "en"\n' + topics
    )
    return config


def _rss(items: list[str]) -> str:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://wire.example/</link><description>d</description>{''.join(items)}"
        "</channel></rss>"
    )


def _grow(reference: Path, site: Path, round_: int) -> None:
    """The killed site's inputs after ``round_`` rounds (mtimes kept: they are article dates)."""
    (site / "articles").mkdir(exist_ok=True)
    for n in range(min(ARTICLES, 80 + round_ * PER_ROUND_ARTICLES)):
        name = f"story-{n:03d}.txt"
        if not (site / "articles" / name).exists():
            shutil.copy2(reference / "articles" / name, site / "articles" / name)
    count = min(ITEMS, 40 + round_ * PER_ROUND_ITEMS)
    shutil.copy2(reference / "wire" / f"{count}.xml", site / "wire.xml")


def _command(config: Path, command: str) -> list[str]:
    return [sys.executable, "-m", "feeds", "--config", str(config), command]


def _run(config: Path, command: str = "update") -> None:
    proc = subprocess.run(_command(config, command), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def _kill_after(config: Path, command: str, delay: float) -> None:
    proc = subprocess.Popen(
        _command(config, command), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


def _check_public(public: Path) -> None:
    """Every published file is complete; temp files may remain, but only as dotfiles."""
    for path in public.rglob("*"):
        if path.is_dir() or any(p.startswith(".") for p in path.relative_to(public).parts):
            continue
        data = path.read_bytes()
        if path.suffix == ".atom":
            assert_valid_atom(data)
        elif path.suffix in (".rss", ".opml", ".xml", ".xsl"):
            parse_xml(data)
        elif path.suffix == ".json":
            json.loads(data)
        elif path.suffix == ".html":
            assert data.rstrip().endswith(b"</html>"), path
            lxml.html.document_fromstring(data)


def _check_store(db: Path) -> None:
    if not db.exists():
        return
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.execute("INSERT INTO entries_fts(entries_fts) VALUES('integrity-check')")
        entries = conn.execute("SELECT count(*), count(DISTINCT id) FROM entries").fetchone()
        assert entries[0] == entries[1]
        # Each entry is in the search index, or, retracted, in that of tombstones (#15).
        conn.execute("INSERT INTO retracted_fts(retracted_fts) VALUES('integrity-check')")
        live = "SELECT rowid FROM entries WHERE retracted IS NULL"
        gone = "SELECT rowid FROM entries WHERE retracted IS NOT NULL"
        for table, rows in (("entries_fts", live), ("retracted_fts", gone)):
            indexed = {r[0] for r in conn.execute(f"SELECT rowid FROM {table}")}
            assert indexed == {r[0] for r in conn.execute(rows)}, table
    finally:
        conn.close()


def _outcome(site: Path) -> tuple[set[str], dict[str, list[str]]]:
    conn = sqlite3.connect(site / "data" / "feeds.sqlite3")
    try:
        ids = {r[0] for r in conn.execute("SELECT id FROM entries")}
    finally:
        conn.close()
    feeds = {}
    for slug in TOPICS:
        root = assert_valid_atom((site / "public" / f"{slug}.atom").read_bytes())
        feeds[slug] = [e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)]
    return ids, feeds


def test_kill_9_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    config = _make_site(reference)
    started = time.monotonic()
    _run(config)
    span = time.monotonic() - started  # kill anywhere from start-up to the end of a run
    expected = _outcome(reference)

    site = tmp_path / "killed"
    site.mkdir()
    shutil.copy2(reference / "feeds.toml", site / "feeds.toml")
    config = site / "feeds.toml"
    rng = random.Random(SEED)
    for n in range(KILLS):
        _grow(reference, site, n + 1)
        command = "regenerate" if n % 4 == 3 else "update"
        _kill_after(config, command, rng.uniform(0.05, span))
        _check_public(site / "public")
        _check_store(site / "data" / "feeds.sqlite3")

    _run(config)
    _check_store(site / "data" / "feeds.sqlite3")
    _check_public(site / "public")
    assert [p for p in (site / "public").rglob(".*") if ".tmp-" in p.name] == []
    assert _outcome(site) == expected


# -- a full disk, a read-only public/, a locked or damaged store -----------------------------


def _small_site(root: Path) -> Path:
    (root / "articles").mkdir(parents=True)
    (root / "articles" / "one.txt").write_text("# Zebra one\n<p>The first zebra.</p>\n")
    config = root / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        '[[topics]]\nslug = "zebras"\ntitle = "Zebras"\nquery = "zebra"\n'
    )
    return config


def _mount(*args: str) -> None:
    proc = subprocess.run(["mount", *args], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount here ({proc.stderr.strip()}); needs root")


def _snapshot(public: Path) -> dict[str, bytes]:
    return {str(p.relative_to(public)): p.read_bytes() for p in public.rglob("*") if p.is_file()}


def _fails_in_one_line(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("feeds: error:")]
    assert len(errors) == 1, proc.stderr
    for word in words:
        assert word in errors[0], errors[0]
    return errors[0]


def _feeds(config: Path, *args: str, env: dict[str, str] | None = None):
    import os

    return subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_a_full_disk_fails_loudly_and_keeps_the_old_files(tmp_path: Path) -> None:
    config = _small_site(tmp_path)
    public = tmp_path / "public"
    public.mkdir()
    _mount("-t", "tmpfs", "-o", "size=512k", "tmpfs", str(public))
    try:
        _run(config)
        before = _snapshot(public)
        with open(public / ".filler", "wb", buffering=0) as filler:  # fill it to the last byte
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass
        (tmp_path / "articles" / "two.txt").write_text("# Zebra two\n<p>Another zebra.</p>\n")
        line = _fails_in_one_line(
            _feeds(config, "update"), "No space left on device", "cannot write"
        )
        assert str(public) in line
        (public / ".filler").unlink()
        assert _snapshot(public) == before  # old files intact, no temp file left
        _run(config)
        assert b"Zebra two" in (public / "zebras.atom").read_bytes()
    finally:
        subprocess.run(["umount", str(public)], check=False)


def test_a_read_only_public_fails_loudly_and_keeps_the_old_files(tmp_path: Path) -> None:
    config = _small_site(tmp_path)
    public = tmp_path / "public"
    _run(config)
    before = _snapshot(public)
    _mount("--bind", str(public), str(public))
    try:
        _mount("-o", "remount,ro,bind", str(public))
        (tmp_path / "articles" / "two.txt").write_text("# Zebra two\n<p>Another zebra.</p>\n")
        _fails_in_one_line(_feeds(config, "update"), "Read-only file system", "cannot write")
        assert _snapshot(public) == before
    finally:
        subprocess.run(["umount", str(public)], check=False)
    _run(config)
    assert b"Zebra two" in (public / "zebras.atom").read_bytes()


def test_a_locked_store_is_one_clear_line(tmp_path: Path) -> None:
    config = _small_site(tmp_path)
    _run(config)
    holder = sqlite3.connect(tmp_path / "data" / "feeds.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        proc = _feeds(config, "update", env={"FEEDS_DB_TIMEOUT": "0.5"})
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _fails_in_one_line(proc, "locked", "feeds.sqlite3", "FEEDS_DB_TIMEOUT")
    _run(config)


@pytest.mark.parametrize("damage", ["garbage", "zeroed pages"])
def test_a_damaged_store_is_one_clear_line(tmp_path: Path, damage: str) -> None:
    config = _small_site(tmp_path)
    for n in range(40):  # a store of several pages, so that damage lands inside it
        (tmp_path / "articles" / f"z{n}.txt").write_text(f"# Zebra {n}\n<p>{'zebra ' * 200}</p>\n")
    _run(config)
    db = tmp_path / "data" / "feeds.sqlite3"
    data = bytearray(db.read_bytes())
    if damage == "garbage":
        data = bytearray(random.Random(SEED).randbytes(len(data)))
    else:
        data[4096 : len(data) - 4096] = bytes(len(data) - 8192)
    db.write_bytes(bytes(data))
    for extra in db.parent.glob("feeds.sqlite3-*"):
        extra.unlink()
    (tmp_path / "articles" / "new.txt").write_text("# Zebra new\n<p>zebra</p>\n")
    _fails_in_one_line(_feeds(config, "update"), "feeds.sqlite3", "damaged")
