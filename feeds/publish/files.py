"""Atomic writes of published files (feeds, index.html, feeds.opml, article pages).

A reader of ``public/`` never sees half a file and a crash leaves the old one: the bytes go to
a temporary file in the same folder (``.<name>.tmp-<random>``), are flushed and fsynced, the
temporary file is renamed over the target with ``os.replace``, and the folder is fsynced.
Identical bytes are not rewritten, so mtimes and ETags stay put. A process killed half-way
leaves its temporary file behind (never served: the server skips dotfiles);
:func:`remove_stale_temps` sweeps them up at the start of the next publish, which runs under
the data-folder lock, so no other writer can own one. This module does not query the store
and does not render anything; see :mod:`feeds.publish.atom`.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import tempfile
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from feeds.errors import PublishError

#: Mode of a new file (the public folder is served to everyone).
NEW_FILE_MODE = 0o644
#: The name of a temporary file of ``_write_temp`` (``mkstemp`` adds 8 random characters).
_TEMP_NAME = re.compile(r"\..+\.tmp-[A-Za-z0-9_]{6,}")  # fullmatch: `$` allows a final "\n"


def _current(path: Path) -> tuple[bytes | None, int]:
    """The file's bytes (None if missing or unreadable) and the mode a new version gets."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        return path.read_bytes(), mode
    except OSError:
        return None, NEW_FILE_MODE


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return  # some platforms cannot open a folder; the rename itself is done
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


def _write_temp(folder: Path, name: str, data: bytes, mode: int) -> Path:
    """Write ``data`` to a new fsynced temporary file in ``folder``; return its path."""
    fd, temp = tempfile.mkstemp(prefix=f".{name}.tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fchmod(f.fileno(), mode)
            os.fsync(f.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return Path(temp)


def make_folder(path: Path) -> None:
    """``mkdir -p path``; PublishError (not an OSError's traceback) when it cannot be made."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise PublishError(f"cannot create the folder {path}: {e.strerror or e}") from e


def write_atomic(path: Path, data: bytes) -> bool:
    """Replace ``path`` with ``data`` atomically; return whether anything was written.

    Returns False, touching nothing, when the file already holds exactly ``data``. Creates
    missing parent folders. On failure the old file is left as it was, no temporary file
    remains, and :class:`PublishError` is raised.
    """
    old, mode = _current(path)
    if old == data:
        return False
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = _write_temp(path.parent, path.name, data, mode)
        os.replace(temp, path)
        temp = None
        _fsync_dir(path.parent)
    except OSError as e:
        raise PublishError(f"cannot write {path}: {e.strerror or e}") from e
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    return True


#: Files write_many writes at once. Each fsync waits on the disk, and a disk (its journal)
#: takes many at once about as fast as one: 10,000 article pages took 16 s to publish one
#: by one, 11 s 16 at a time.
PARALLEL_WRITES = 16


def write_many(files: Iterable[tuple[Path, bytes]]) -> int:
    """``write_atomic`` of each (path, data), PARALLEL_WRITES at a time in threads; return
    how many were written. ``files`` is read as the writes go (a generator may render each
    file as it is asked for it: at most twice PARALLEL_WRITES wait in memory). Each file is
    atomic on its own; the first PublishError is raised once the writes begun are done."""
    written = 0
    with ThreadPoolExecutor(PARALLEL_WRITES, thread_name_prefix="feeds-write") as pool:
        pending: deque[Future[bool]] = deque()
        try:
            for path, data in files:
                pending.append(pool.submit(write_atomic, path, data))
                if len(pending) >= 2 * PARALLEL_WRITES:
                    written += pending.popleft().result()
            while pending:
                written += pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
    return written


def remove_stale_temps(folder: Path) -> list[Path]:
    """Delete the temporary files a killed writer left under ``folder`` (recursively).

    Call it only while holding the data-folder lock: then no live writer owns any of them.
    Returns what was removed; files that vanish or cannot be removed are left to next time.
    """
    removed: list[Path] = []
    for dirpath, _dirnames, filenames in os.walk(folder):
        for name in filenames:
            if _TEMP_NAME.fullmatch(name):
                path = Path(dirpath) / name
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed.append(path)
    return removed
