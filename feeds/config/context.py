"""Reading one config file: typed getters that raise ConfigError with the file and the key
path, so every part of the loader reports a mistake the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from feeds.config import values as check
from feeds.errors import ConfigError

__all__ = ["Context"]

T = TypeVar("T")


class Context:
    """Typed getters that raise ConfigError with the file and the key path."""

    def __init__(self, file: str, root: Path) -> None:
        self.file = file
        self.root = root

    def error(self, key: str, message: str) -> ConfigError:
        return ConfigError(message, file=self.file, key=key or None)

    def no_unknown(self, table: Mapping[str, Any], known: frozenset[str], prefix: str) -> None:
        for key in table:
            if key not in known:
                shown = key if key.isprintable() else repr(key)  # the error stays one line
                where = f"{prefix}.{shown}" if prefix else shown
                raise self.error(where, f"unknown key (known: {', '.join(sorted(known))})")

    def table(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.error(key, "must be a table ([settings])")
        return value

    def tables(self, data: Mapping[str, Any], key: str) -> list[Mapping[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(key, f"must be an array of tables ([[{key}]])")
        return value

    def get(self, t: Mapping[str, Any], key: str, kind: type[T], where: str, default: T) -> T:
        if key not in t:
            return default
        value = t[key]
        # bool is an int in Python; a number where a flag is expected (or back) is a mistake.
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.error(
                f"{where}.{key}",
                f"must be {_KIND_NAMES.get(kind, kind.__name__)}"
                f", not {type(value).__name__} {value!r}",
            )
        if isinstance(value, str):
            problem = check.text_problem(value, multiline=key in check.MULTILINE_KEYS)
            self.check(problem is None, f"{where}.{key}", problem or "")
        return value

    def required(self, t: Mapping[str, Any], key: str, where: str) -> str:
        value = self.get(t, key, str, where, "")
        if not value.strip():
            raise self.error(f"{where}.{key}", "is required (a non-empty string)")
        return value

    def check(self, ok: bool, key: str, message: str) -> None:
        if not ok:
            raise self.error(key, message)

    def path(self, value: str, key: str) -> Path:
        try:
            return (self.root / Path(value).expanduser()).resolve()
        except (RuntimeError, OSError, ValueError) as e:  # ~nobody/, a loop of links
            raise self.error(key, f"cannot use the path {value!r}: {e}") from None

    def unique(self, values: list[str], table: str, key: str) -> None:
        seen: set[str] = set()
        for i, v in enumerate(values):
            self.check(v not in seen, f"{table}[{i}].{key}", f"duplicate {key} {v!r}")
            seen.add(v)


_KIND_NAMES = {str: "a string", int: "an integer", bool: "true or false", list: "an array"}
