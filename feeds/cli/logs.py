"""Configure the ``feeds`` logger: one line per event, for people or for log collectors.

Two formats on stderr:

- ``human``: ``2026-11-25 10:00:00 INFO source desk: 3 new, 0 changed, 0 unchanged``
- ``json``: one JSON object per line, ``{"ts": ..., "level": ..., "message": ...}`` plus
  ``source`` / ``topic`` when the log call passes them with ``extra=`` (or, failing that,
  when the message starts with ``source NAME:`` / ``topic SLUG:``, the convention every
  module of feeds follows).

Levels: ``-q`` errors only, default warnings, ``-v`` info, ``-vv`` debug. The
``feeds.progress`` logger (per-source progress lines when stderr is not a terminal) stays at
info unless ``-q``. This module configures logging; it must not log events of its own or
decide anything about feeds.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Literal

LogFormat = Literal["human", "json"]
FORMATS: tuple[LogFormat, ...] = ("human", "json")
#: Fields a log call may pass with ``extra=`` that the JSON format carries over.
EXTRA_FIELDS = ("source", "topic", "url", "entry")
PROGRESS = "feeds.progress"

_SUBJECT = re.compile(r"^(source|topic) ([^\s:]+): ")
_HANDLER_NAME = "feeds-cli"


class HumanFormatter(logging.Formatter):
    """``2026-11-25 10:00:00 INFO message`` (local time, like a terminal user expects)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%d %H:%M:%S")


class JsonFormatter(logging.Formatter):
    """One JSON object per line, UTC timestamps, for journald/Loki/Elasticsearch & co."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        doc: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        for name in EXTRA_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                doc[name] = value
        if (match := _SUBJECT.match(message)) and match.group(1) not in doc:
            doc[match.group(1)] = match.group(2)
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False, default=str)


def level_for(verbose: int, quiet: bool) -> int:
    """The level of the ``feeds`` logger for ``-v`` (count) and ``-q``."""
    if quiet:
        return logging.ERROR
    return (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]


def setup_logging(
    *,
    verbose: int = 0,
    quiet: bool = False,
    fmt: LogFormat = "human",
    stream: IO[str] | None = None,
) -> logging.Handler:
    """Send the ``feeds`` logger (and libraries' warnings) to ``stream`` (stderr) in ``fmt``.

    Idempotent: a second call replaces the handler of the first (tests invoke the CLI many
    times in one process).
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if fmt == "json" else HumanFormatter())
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    level = level_for(verbose, quiet)
    root.setLevel(max(level, logging.WARNING) if level > logging.DEBUG else logging.DEBUG)
    logging.getLogger("feeds").setLevel(level)
    logging.getLogger(PROGRESS).setLevel(logging.ERROR if quiet else min(level, logging.INFO))
    return handler


@contextmanager
def held() -> Iterator[None]:
    """Hold console log lines back while a progress bar owns the terminal; print them after.

    Without this, a line logged mid-bar lands in the middle of the bar's line.
    """
    root = logging.getLogger()
    handler = next((h for h in root.handlers if h.get_name() == _HANDLER_NAME), None)
    if handler is None:
        yield
        return
    buffer = logging.handlers.MemoryHandler(
        100_000, flushLevel=logging.CRITICAL + 1, target=handler
    )
    root.removeHandler(handler)
    root.addHandler(buffer)
    try:
        yield
    finally:
        root.removeHandler(buffer)
        root.addHandler(handler)
        buffer.close()  # flushes the held lines to the console handler
