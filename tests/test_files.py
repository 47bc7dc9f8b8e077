"""feeds.publish.files.write_atomic: writes, skips identical bytes, never leaves temp files or half
files behind. (Tests run as root, so failures are made with a file where a folder should be,
or by making os.replace / os.fsync fail.)"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from feeds.errors import PublishError
from feeds.publish import files
from feeds.publish.files import write_atomic


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_writes_a_new_file(tmp_path: Path):
    target = tmp_path / "sahel.atom"
    assert write_atomic(target, b"<feed/>\n") is True
    assert target.read_bytes() == b"<feed/>\n"
    assert leftovers(tmp_path) == []
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_creates_missing_folders(tmp_path: Path):
    target = tmp_path / "articles" / "notes" / "page.html"
    assert write_atomic(target, b"<p>x</p>") is True
    assert target.read_bytes() == b"<p>x</p>"


def test_identical_bytes_are_a_no_op(tmp_path: Path):
    target = tmp_path / "sahel.atom"
    write_atomic(target, b"same")
    past = 1_600_000_000
    os.utime(target, (past, past))
    inode = target.stat().st_ino
    assert write_atomic(target, b"same") is False
    assert target.stat().st_mtime == past
    assert target.stat().st_ino == inode
    assert leftovers(tmp_path) == []


def test_changed_bytes_replace_the_file(tmp_path: Path):
    target = tmp_path / "sahel.atom"
    write_atomic(target, b"old")
    os.chmod(target, 0o640)
    assert write_atomic(target, b"new and longer") is True
    assert target.read_bytes() == b"new and longer"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the old file's mode is kept
    assert leftovers(tmp_path) == []


def test_empty_bytes(tmp_path: Path):
    target = tmp_path / "empty"
    assert write_atomic(target, b"") is True
    assert target.read_bytes() == b""
    assert write_atomic(target, b"") is False


def test_parent_is_a_file(tmp_path: Path):
    blocker = tmp_path / "public"
    blocker.write_bytes(b"not a folder")
    with pytest.raises(PublishError) as info:
        write_atomic(blocker / "sahel.atom", b"data")
    assert "sahel.atom" in str(info.value)
    assert blocker.read_bytes() == b"not a folder"
    assert leftovers(tmp_path) == []


def test_failed_replace_keeps_old_file_and_cleans_up(tmp_path: Path, monkeypatch):
    target = tmp_path / "sahel.atom"
    write_atomic(target, b"old")
    seen: list[str] = []

    def broken_replace(src, dst):
        seen.append(Path(src).name)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", broken_replace)
    with pytest.raises(PublishError) as info:
        write_atomic(target, b"new")
    assert isinstance(info.value.__cause__, OSError)
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []
    assert len(seen) == 1 and seen[0].startswith(".sahel.atom.tmp-")


def test_failed_fsync_keeps_old_file_and_cleans_up(tmp_path: Path, monkeypatch):
    target = tmp_path / "index.html"
    write_atomic(target, b"old")

    def broken_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(files.os, "fsync", broken_fsync)
    with pytest.raises(PublishError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert leftovers(tmp_path) == []


def test_interrupt_during_write_cleans_up(tmp_path: Path, monkeypatch):
    target = tmp_path / "feeds.opml"

    def interrupted(fd, mode):
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fchmod", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"data")
    assert not target.exists()
    assert leftovers(tmp_path) == []


def test_write_many_writes_each_file_atomically_and_reports_the_written(tmp_path: Path):
    (tmp_path / "same.html").write_bytes(b"same")
    asked: list[int] = []

    def pages():  # rendered as the writes go: never all of them in memory
        for n in range(100):
            asked.append(n)
            yield tmp_path / "pages" / f"{n}.html", f"page {n}".encode()
        yield tmp_path / "same.html", b"same"

    assert files.write_many(pages()) == 100  # the unchanged file is not rewritten
    assert asked == list(range(100))
    assert (tmp_path / "pages" / "42.html").read_bytes() == b"page 42"
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary file left


def test_write_many_raises_the_first_failure_after_writing_the_others(tmp_path: Path):
    (tmp_path / "blocker").write_text("a file where a folder should be")
    items = [(tmp_path / f"{n}.html", b"x") for n in range(20)]
    items.insert(5, (tmp_path / "blocker" / "page.html", b"y"))
    with pytest.raises(PublishError, match="blocker"):
        files.write_many(iter(items))
    assert all((tmp_path / f"{n}.html").read_bytes() == b"x" for n in range(5))


def test_a_folder_that_cannot_be_made_is_a_publish_error(tmp_path):
    """Not an OSError's traceback (regenerate makes public_dir with it; #15 item 10)."""
    (tmp_path / "file").write_text("x")
    with pytest.raises(PublishError, match="cannot create the folder .*file/public"):
        files.make_folder(tmp_path / "file" / "public")
    files.make_folder(tmp_path / "a" / "b")
    assert (tmp_path / "a" / "b").is_dir()
