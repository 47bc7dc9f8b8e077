"""Pure checks of single config values: text, durations, the base URL, folder layout.

Each check takes a value and answers with what is wrong with it (a phrase for a ConfigError's
message) or None; feeds.config turns the answer into an error naming the file and key. Only
``folder_problem`` and ``feed_file_problem`` look at the disk (whether a path is a file or a
folder); nothing here reads the config file, raises, or logs.
"""

from __future__ import annotations

import math
import re
from datetime import timedelta
from pathlib import Path

#: Keys whose text may span lines (a long query in a TOML multi-line string).
MULTILINE_KEYS = frozenset({"query", "exclude", "description"})
#: The longest interval: beyond it a schedule is a typo, and timedelta overflows near 10^9 days.
MAX_DURATION = timedelta(days=365)
#: Allowed in multi-line text; every other C0/C1 control character is refused everywhere.
_LINE_BREAKS = frozenset("\t\n\r")
#: Characters a URL may not hold as such (RFC 3986): they would break the links and ids built
#: on base_url, or the XML/HTML attributes they are written into.
_NOT_IN_URL = frozenset(" \"'<>\\^`{|}")


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Control characters (NUL, ESC, a newline in a one-line value…) are refused."""
    for position, char in enumerate(value):
        if _is_control(char) and not (multiline and char in _LINE_BREAKS):
            return (
                f"must not contain control characters ({char!r} at position {position + 1})"
                f" in {value!r}"
            )
    return None


def _is_control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code < 0xA0 or char in "\u2028\u2029"


def duration_problem(seconds: float) -> str | None:
    """An interval must be finite, at least one second and at most MAX_DURATION."""
    if not math.isfinite(seconds):
        return f"must be a finite duration, not {seconds!r}"
    if seconds < 1:
        return "must be at least 1s"
    if seconds > MAX_DURATION.total_seconds():
        return f"must be at most {MAX_DURATION.days}d (a year)"
    return None


def url_problem(value: str) -> str | None:
    """Spaces, quotes and other characters a URL cannot hold unencoded."""
    bad = sorted({c for c in value if c in _NOT_IN_URL or _is_control(c)})
    if bad:
        shown = " ".join(repr(c) for c in bad)
        return f"must be a URL without spaces or quotes (percent-encode {shown}), not {value!r}"
    return None


def base_url_problem(value: str) -> str | None:
    """The base URL prefixes every published link and id: no query, no fragment."""
    why = f"feed URLs are built by appending to it, not {value!r}"
    if "?" in value:
        return f"must not have a query ('?…'): {why}"
    if "#" in value:
        return f"must not have a fragment ('#…'): {why}"
    return None


def folder_problem(path: Path) -> str | None:
    """A folder feeds writes into may be missing (it is created), not a file, nor inside one."""
    if path.exists() and not path.is_dir():
        return f"is a file, not a folder: {path}"
    existing = next((p for p in path.parents if p.exists()), None)
    if existing is not None and not existing.is_dir():
        return f"cannot be created: {existing} is a file, not a folder"
    return None


def layout_problem(public_dir: Path, data_dir: Path) -> str | None:
    """The store must not be inside what is served: it would be downloadable over HTTP."""
    if data_dir == public_dir or public_dir in data_dir.parents:
        return (
            f"must not be {'' if data_dir == public_dir else 'inside '}public_dir ({public_dir}):"
            " everything there is served, the store included"
        )
    return None


def feed_file_problem(path: Path) -> str | None:
    """A local feed ``path`` names an existing file."""
    if path.is_dir():
        return f'is a folder, not a feed file: {path} (a folder of articles is kind = "articles")'
    if not path.is_file():
        return f"file not found: {path}"
    return None


_DURATION = re.compile(r" *(\d+(?:\.\d+)?) *(s|m|h|d)? *")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}


def parse_duration(value: object) -> timedelta | None:
    """``"15m"``, ``"1h"``, ``"90s"``, ``"1d"`` or a number of seconds (from 1s to a year);
    None if not one."""
    seconds = duration_seconds(value)
    if seconds is None or duration_problem(seconds) is not None:
        return None
    return timedelta(seconds=seconds)


def duration_seconds(value: object) -> float | None:
    """The seconds ``value`` spells (maybe huge or infinite), or None if not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value > 0 or math.isnan(value) else None
    if isinstance(value, str) and (m := _DURATION.fullmatch(value)):
        seconds = float(m.group(1)) * _UNITS[m.group(2)]
        return seconds if seconds > 0 else None
    return None
