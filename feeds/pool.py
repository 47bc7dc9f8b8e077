"""The worker processes both flows use: ingest parses and normalizes bodies in them
(feeds.ingest.parallel), publish renders topics in them (feeds.publish.flow).

One helper, ``process_pool``: worker processes forked from a ``forkserver`` (a fork of a
process with threads, such as a running daemon, could inherit a held lock), with the modules
the caller names preloaded in it so that a worker starts quickly, and an environment the
caller gives the forkserver when it starts (ingest names the languages whose models
feeds.ingest.warm loads there, so the workers share one copy). Each worker exits when the
process that made the pool is gone. This module knows nothing of feeds, entries or topics.
"""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import select
import threading
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver

__all__ = [
    "ENV_WORKERS",
    "PIPE_BYTES",
    "configured_workers",
    "default_workers",
    "forkserver_up",
    "process_pool",
    "set_preload",
]

#: Worker processes; "0" works in-process (the benchmark's reference, or a tiny machine).
ENV_WORKERS = "FEEDS_PARSE_WORKERS"
#: Buffer of the pipes between this process and its workers (the most an unprivileged
#: process may set on Linux by default).
PIPE_BYTES = 1 << 20

#: Serializes starting the forkserver (its environment is set for that moment).
_START = threading.Lock()
#: Set once this process has started its forkserver.
_UP = threading.Event()
#: The modules the forkserver preloads besides those a pool names (``set_preload``).
_preload: list[tuple[str, ...]] = [("feeds.pool",)]


def default_workers() -> int:
    """One worker per core the process may use but one, the main process's (it parses and
    renders its share too): 1 to 4."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores - 1, 4))


def configured_workers() -> int:
    """``$FEEDS_PARSE_WORKERS`` if set (0: work in-process), else ``default_workers()``."""
    setting = os.environ.get(ENV_WORKERS, "").strip()
    return int(setting) if setting.isdigit() else default_workers()


def set_preload(modules: Iterable[str]) -> None:
    """Name the modules this process's forkserver preloads (the command line names the
    flows); before it starts, which is at the first pool (later, the list it started with
    stays)."""
    _preload[0] = tuple(modules)


def process_pool(
    workers: int, *, preload: Iterable[str] = (), environment: Mapping[str, str] | None = None
) -> ProcessPoolExecutor:
    """``workers`` processes forked from this process's forkserver; when this call starts
    the forkserver, it preloads ``set_preload``'s modules and ``preload``, and starts with
    ``environment`` added to this process's. Each worker exits as soon as the process that
    made the pool is gone: a run killed with -9 leaves no worker behind."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(dict.fromkeys((*_preload[0], *preload))))
    _start_forkserver(environment or {})
    pool = ProcessPoolExecutor(
        workers, mp_context=context, initializer=_exit_with, initargs=(os.getpid(),)
    )
    _widen_pipes(pool)
    return pool


def forkserver_up() -> bool:
    """Whether this process started its forkserver (an ingest with workers did): a pool's
    worker then starts quickly, where starting the forkserver takes a few tenths of a
    second (it imports feeds and loads the language models)."""
    return _UP.is_set()


def _widen_pipes(pool: ProcessPoolExecutor) -> None:
    """Give the pool's pipes PIPE_BYTES of buffer (Linux; elsewhere, or if the pool is not
    built as expected, they stay as they are). A worker's result (for a feed of many
    entries) did not fit in the default 64 KB: the worker waited, idle, until this process
    read it, which its pool thread does only when it gets the GIL from a thread busy parsing
    (up to a switch interval). Wider pipes leave the workers idle less."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    for queue in (getattr(pool, "_result_queue", None), getattr(pool, "_call_queue", None)):
        reader = getattr(queue, "_reader", None)
        if set_size is None or reader is None:
            continue
        try:
            fcntl.fcntl(reader.fileno(), set_size, PIPE_BYTES)
        except OSError:  # over /proc/sys/fs/pipe-max-size: the default stays
            pass


def _start_forkserver(environment: Mapping[str, str]) -> None:
    """Start this process's forkserver unless it runs already: it inherits the environment
    of that moment, ``environment`` included (restored here afterwards)."""
    with _START:
        previous = {name: os.environ.get(name) for name in environment}
        os.environ.update(environment)
        try:
            forkserver.ensure_running()
            _UP.set()
        finally:
            for name, value in previous.items():
                if value is None:
                    del os.environ[name]
                else:
                    os.environ[name] = value


def _exit_with(owner: int) -> None:
    """In a worker: a thread that ends the process as soon as ``owner`` has exited."""

    def watch() -> None:
        try:
            fd = os.pidfd_open(owner)
        except (AttributeError, OSError):  # no pidfd (not Linux, an old kernel), or gone
            while _alive(owner):
                time.sleep(1.0)
        else:
            select.select([fd], [], [])  # readable once the owner has exited
        os._exit(1)

    threading.Thread(target=watch, name="feeds-owner-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a pid reused by another user
        return False
    return True
