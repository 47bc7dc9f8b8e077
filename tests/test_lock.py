"""The data folder lock: one feeds process per data folder, and a clear refusal."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from feeds.errors import LockError
from feeds.run.lock import LOCK_NAME, DataLock


def test_holds_and_writes_the_pid(tmp_path: Path) -> None:
    data = tmp_path / "data"
    with DataLock(data) as lock:
        assert lock.held
        assert (data / LOCK_NAME).read_text().strip() == str(os.getpid())
    assert not lock.held
    assert (data / LOCK_NAME).read_text() == ""  # emptied, not deleted


def test_a_second_lock_is_refused_with_the_holder_named(tmp_path: Path) -> None:
    with DataLock(tmp_path):
        with pytest.raises(LockError) as caught:
            DataLock(tmp_path).acquire()
    message = str(caught.value)
    assert message == (
        f"another feeds process (pid {os.getpid()}) is using {tmp_path}; "
        "stop it first, or use a different data_dir"
    )


def test_released_lock_can_be_taken_again(tmp_path: Path) -> None:
    with DataLock(tmp_path):
        pass
    with DataLock(tmp_path) as again:
        assert again.held
    lock = DataLock(tmp_path)
    lock.release()  # idempotent, even when never taken


def test_another_process_is_refused_and_a_dead_holder_blocks_nobody(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from feeds.run.lock import DataLock
            with DataLock({str(tmp_path)!r}):
                print("locked", flush=True)
                sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        with pytest.raises(LockError, match=rf"\(pid {holder.pid}\)"):
            DataLock(tmp_path).acquire()
    finally:
        holder.kill()  # killed while holding it: the kernel drops the flock
        holder.wait()
    with DataLock(tmp_path) as lock:
        assert lock.held


def test_unwritable_folder_is_a_lock_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(LockError, match="cannot create the lock"):
        DataLock(blocker / "data").acquire()
