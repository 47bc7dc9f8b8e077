"""The settings a node of a cluster sets apart from the shared config file (issue 17): the
store's URL and the two folders, from ``$FEEDS_STORE``, ``$FEEDS_DATA_DIR`` and
``$FEEDS_PUBLIC_DIR``; and the check of a store URL (``sqlite:///path`` or
``postgresql://user@host:port/dbname``). Pure: the environment comes in as a mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

#: ``[settings]`` keys an environment variable overrides.
OVERRIDES = {"store": "FEEDS_STORE", "data_dir": "FEEDS_DATA_DIR", "public_dir": "FEEDS_PUBLIC_DIR"}


def with_environment(
    table: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[dict[str, Any], dict[str, str]]:
    """``table`` with the keys the environment sets, and which variable set each. A folder
    given in the environment is relative to the working folder, not to the config's."""
    out, source = dict(table), {}
    for key, var in OVERRIDES.items():
        value = environ.get(var)
        if value:
            out[key] = value if key == "store" else str(Path(value).expanduser().absolute())
            source[key] = var
    return out, source


def store_url_problem(url: str) -> str | None:
    """What is wrong with a store URL, or None."""
    if url.startswith("sqlite://"):
        path = url.removeprefix("sqlite://")
        if not path.startswith("/") or path == "/":
            return "a SQLite store URL names an absolute file: sqlite:///path/feeds.sqlite3"
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as e:
        return f"is not a URL ({e})"
    if parts.scheme not in ("postgresql", "postgres"):
        return "must be postgresql://user@host:port/dbname or sqlite:///path/feeds.sqlite3"
    if not parts.path.strip("/") or "/" in parts.path.strip("/"):
        return "must name one database: postgresql://user@host:port/dbname"
    if port == 0:
        return "has port 0"
    return None
