"""The settings a node of a cluster sets apart from the shared config file (issue 17): the
store's URL and the two folders, from ``$FEEDS_STORE``, ``$FEEDS_DATA_DIR`` and
``$FEEDS_PUBLIC_DIR``; and the check of a store URL (``sqlite:///path`` or
``postgresql://user@host:port/dbname``). Pure: the environment comes in as a mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from feeds.errors import ConfigError

T = TypeVar("T")

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


def store_setting(url: str, error: Callable[[str, str], ConfigError]) -> str | None:
    """``[settings] store``, checked (None: SQLite in the data folder)."""
    url = url.strip()
    problem = store_url_problem(url) if url else None
    if problem is not None:
        raise error("settings.store", problem)
    return url or None


@contextmanager
def naming_variables(source: Mapping[str, str]) -> Iterator[None]:
    """A mistake in a ``[settings]`` value the environment set names its variable too."""
    try:
        yield
    except ConfigError as e:
        key = (e.key or "").removeprefix("settings.")
        if key not in source:
            raise
        raise ConfigError(e.message, file=e.file, key=f"{e.key} (${source[key]})") from None


def of_node(
    table: Mapping[str, Any], environ: Mapping[str, str], read: Callable[[Mapping[str, Any]], T]
) -> T:
    """``read`` (the settings' check) of ``table`` with this node's environment."""
    table, source = with_environment(table, environ)
    with naming_variables(source):
        return read(table)
