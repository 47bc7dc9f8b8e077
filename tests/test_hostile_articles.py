"""Hostile and odd article files: each is skipped or read with a per-file note; the rest go in.

Cases the issue names that tests/test_articles.py does not already cover: a FIFO or a
dangling link named like an article (must not block or stop the folder), a file that grows
while being read, a title-only file, unclosed and absurdly nested tags, UTF-16 without a BOM,
a binary file with a text name. Then one real `feeds update` over all of them together.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from feeds.sources import articles as articles_module
from feeds.sources.articles import read_articles

GOOD = "# Zebra good one\n<p>The zebras arrived.</p>\n"
#: name → (bytes, expected: an int of items from it, or the text of its problem).
CASES: dict[str, tuple[bytes, str | int]] = {
    "good.txt": (GOOD.encode(), 1),
    "empty.md": (b"", "empty file"),
    "blank.txt": (b"  \n\t\n", "empty file"),
    "binary.txt": (bytes(range(256)) * 8, "binary file"),
    "utf16-no-bom.txt": ("# Zebra seize\n<p>z</p>\n".encode("utf-16-le"), "binary file"),
    "utf16.txt": ("# Zebra UTF-16\n<p>zèbre</p>\n".encode("utf-16"), 1),
    "latin1.fr.txt": ("# Zèbre café\n<p>Les zèbres à Niamey.</p>\n".encode("latin-1"), 1),
    "no-title.md": (b"Just a paragraph about zebras, no heading.\n", "no title"),
    "title-only.md": (b"# Zebra title only\n", 1),
    "title-only-reference.txt": (b"# Zebra reference title only\n<p></p>\n", 1),
    "unclosed.html": (
        b"<html><head><title>Zebra unclosed</title><body><div><p>zebra <b>bold <i>",
        1,
    ),  # noqa: E501
    "deep.html": (b"<title>Zebra deep</title>" + b"<div>" * 50_000 + b"zebra", 1),
    "not-html.html": (b"\x00\x01\x02 zebra", "binary file"),
    "bad-front-matter.md": (b"---\ntitle: [unclosed\n---\n# Zebra\n", "bad front matter"),
}


def _write(folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    for name, (data, _) in CASES.items():
        (folder / name).write_bytes(data)
    os.mkfifo(folder / "fifo.txt")  # reading it would block for ever
    (folder / "vanished.txt").symlink_to(folder / "gone-before-it-was-read.txt")
    (folder / "huge.md").write_bytes(b"# Zebra huge\n" + b"z" * articles_module.MAX_ARTICLE_BYTES)


def test_each_file_is_read_or_skipped_with_a_note(tmp_path: Path) -> None:
    _write(tmp_path)
    feed = read_articles(tmp_path)
    read = {item.path for item in feed.items}
    problems = dict(p.split(": ", 1) for p in feed.problems)
    for name, (_, expected) in CASES.items():
        if isinstance(expected, int):
            assert name in read, problems.get(name)
        else:
            assert name not in read and expected in problems[name], (name, problems.get(name))
    assert "not a regular file" in problems["fifo.txt"]
    assert "cannot read" in problems["vanished.txt"]
    assert "too large" in problems["huge.md"]
    assert all("\n" not in p for p in feed.problems)


def test_a_file_that_grows_while_being_read_is_cut_off(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "growing.txt").write_text(GOOD)
    (tmp_path / "other.txt").write_text(GOOD.replace("good one", "other"))
    real_fstat = os.fstat

    def fstat_before_growth(fd: int) -> os.stat_result:  # the size seen before it grew
        info = real_fstat(fd)
        if os.readlink(f"/proc/self/fd/{fd}").endswith("growing.txt"):
            with open(tmp_path / "growing.txt", "ab") as f:
                f.write(b"z" * (articles_module.MAX_ARTICLE_BYTES + 1))
        return info

    monkeypatch.setattr(articles_module.os, "fstat", fstat_before_growth)
    feed = read_articles(tmp_path)
    assert [i.path for i in feed.items] == ["other.txt"]
    assert feed.problems == (
        f"growing.txt: too large (more than {articles_module.MAX_ARTICLE_BYTES} bytes)",
    )


def test_update_ingests_the_good_files_and_names_the_bad_ones(tmp_path: Path) -> None:
    _write(tmp_path / "articles")
    config = tmp_path / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en", "fr"]\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\n'
        '[[topics]]\nslug = "zebras"\ntitle = "Zebras"\nquery = "zebra OR zebre"\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), "update"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    # Files that could not be read fail the source (#15 item 1): the good ones are published,
    # the bad ones named in the log and in `feeds status`, and the run exits 1.
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in ("fifo.txt", "vanished.txt", "huge.md", "binary.txt", "no-title.md"):
        assert f"ERROR source desk: {name}: " in proc.stderr
    assert "WARNING source desk: empty.md: empty file" in proc.stderr  # nothing lost: a note
    status = subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), "status", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    (row,) = json.loads(status.stdout)["sources"]
    assert row["status"] == "error" and "no-title.md: no title" in row["last_error"]
    feed = (tmp_path / "public" / "zebras.atom").read_text()
    expected = sum(1 for _, e in CASES.values() if isinstance(e, int))
    assert feed.count("<entry") == expected
