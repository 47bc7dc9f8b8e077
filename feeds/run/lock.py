"""The lock on the data folder: one feeds process writes one store and one public/ at a time.

``DataLock(data_dir)`` takes a non-blocking ``fcntl.flock`` on ``data_dir/feeds.lock`` and
writes the holder's pid into it, so the refusal can say who holds it. The kernel drops the
lock when the process dies, however it dies: a stale file never blocks anyone. The file is
never deleted (deleting it would let a second process lock a new inode while the first
still holds the old one).

This module only locks; it must not open the store, read the config or touch public/.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType

from feeds.errors import LockError

LOCK_NAME = "feeds.lock"


class DataLock:
    """``with DataLock(data_dir):`` — held for the block; raises LockError if taken."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock or raise LockError naming the holder's pid and the folder."""
        if self._fd is not None:
            return
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as e:
            raise LockError(f"cannot create the lock {self.path}: {e.strerror or e}") from e
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_pid(fd)
            os.close(fd)
            who = f"pid {holder}" if holder else "pid unknown"
            raise LockError(
                f"another feeds process ({who}) is using {self.data_dir}; "
                "stop it first, or use a different data_dir"
            ) from None
        except OSError as e:
            os.close(fd)
            raise LockError(f"cannot lock {self.path}: {e.strerror or e}") from e
        _write_pid(fd)
        self._fd = fd

    def release(self) -> None:
        """Drop the lock (idempotent). The file stays, emptied."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> DataLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    """The pid written by the holder; None if it has not written it yet (or it is garbage)."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _write_pid(fd: int) -> None:
    data = f"{os.getpid()}\n".encode("ascii")
    with contextlib.suppress(OSError):  # the pid is for messages; the flock is the lock
        os.ftruncate(fd, 0)
        os.pwrite(fd, data, 0)
        os.fsync(fd)
