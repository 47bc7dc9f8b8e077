"""The layout's rules, checked on the code (#16): which package may import which, that only
the store speaks SQL, and that the pure parts import no I/O.

An ``ast`` walk over ``feeds/``: every ``import`` and ``from … import`` (at any depth, so an
import inside a function counts too) is an arrow from the importing module's package to the
imported one. The table below is the picture in docs/dev.md; change both together.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

FEEDS = Path(__file__).resolve().parent.parent / "feeds"

#: The values every part may use.
BASE = {"feeds", "models", "errors", "words", "clock", "agent"}
#: Package → the packages (first component under ``feeds``) it may import, itself included.
ALLOWED: dict[str, set[str]] = {
    **{name: BASE for name in BASE},
    "normalize": BASE | {"normalize"},
    "pool": BASE | {"pool"},
    "topics": BASE | {"topics", "normalize"},
    "parse": BASE | {"parse", "normalize"},
    "decide": BASE | {"decide", "normalize"},
    "config": BASE | {"config", "topics", "normalize"},
    "sources": BASE | {"sources", "decide", "parse", "normalize"},
    "store": BASE | {"store", "topics", "normalize", "decide"},
    "ingest": BASE
    | {"ingest", "sources", "parse", "normalize", "topics", "decide", "store", "pool"},
    "publish": BASE | {"publish", "normalize", "topics", "decide", "store", "pool"},
    # Alerts (#18) run after a publish and send what its feeds show: publish is below them.
    "notify": BASE | {"notify", "config", "publish", "normalize", "topics", "decide", "store"},
    "semantic": BASE | {"semantic", "topics", "store"},
    "run": BASE
    | {
        "run",
        "config",
        "ingest",
        "publish",
        "notify",
        "store",
        "sources",
        "decide",
        "normalize",
        "topics",
        "parse",
        "pool",
        "semantic",
    },  # fmt: skip
}
#: Known arrows against the table, each with its way out; the list may only shrink.
EXCEPTIONS: set[tuple[str, str]] = set()
#: The top of the house: may import anything; nothing imports it.
TOP = {"cli", "__main__"}
#: The pure parts: values in, values out.
PURE = {"models", "errors", "words", "normalize", "topics", "parse", "decide"}
#: What the pure parts must not import (I/O, networking, processes, the event loop).
IO_MODULES = {
    "sqlite3", "httpx", "aiohttp", "asyncio", "socket", "subprocess", "urllib.request",
    "http.client", "uvicorn", "starlette", "apscheduler", "psycopg", "multiprocessing",
    "concurrent.futures", "shutil", "tempfile",
}  # fmt: skip


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(FEEDS.rglob("*.py")):
        parts = path.relative_to(FEEDS).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(("feeds", *parts)), path


def _package(module: str) -> str:
    """``feeds.publish.atom`` → ``publish``; ``feeds.models`` → ``models``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "feeds"


def _imports(module: str, path: Path) -> Iterator[tuple[int, str]]:
    here = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = here[: len(here) - node.level + 1] if node.level else []
            target = ".".join([*base, *([node.module] if node.module else [])])
            yield node.lineno, target
            if node.module is None or target == "feeds":
                for alias in node.names:  # `from feeds import x`: x may be a module
                    yield node.lineno, f"{target}.{alias.name}"


def _feeds_module(name: str) -> bool:
    return name == "feeds" or name.startswith("feeds.")


def test_every_module_belongs_to_a_known_part():
    unknown = {m for m, _ in _modules() if _package(m) not in ALLOWED.keys() | TOP}
    assert not unknown, f"modules in no part of the layout: {sorted(unknown)}"


def test_packages_import_only_downward():
    wrong = []
    for module, path in _modules():
        part = _package(module)
        if part in TOP:
            continue  # the top: may import anything
        for line, name in _imports(module, path):
            if _feeds_module(name) and name != "feeds.__version__":
                target = _package(name)
                if (part, name) in EXCEPTIONS:
                    continue
                if target not in ALLOWED[part] and not (target == "feeds" or name == "feeds"):
                    wrong.append(f"{path.relative_to(FEEDS.parent)}:{line} {part} → {name}")
    assert not wrong, "imports against the layout:\n" + "\n".join(wrong)


def test_nothing_imports_the_command_line():
    wrong = [
        f"{path.relative_to(FEEDS.parent)}:{line} → {name}"
        for module, path in _modules()
        if _package(module) not in TOP
        for line, name in _imports(module, path)
        if name == "feeds.cli" or name.startswith("feeds.cli.")
    ]
    assert not wrong, "\n".join(wrong)


def test_only_the_store_speaks_sql():
    wrong = [
        f"{path.relative_to(FEEDS.parent)}:{line}"
        for module, path in _modules()
        if _package(module) != "store"
        for line, name in _imports(module, path)
        if name.split(".")[0] in {"sqlite3", "psycopg", "psycopg_pool"}
    ]
    assert not wrong, "SQL outside feeds/store/: " + ", ".join(wrong)


def test_the_pure_parts_import_no_io():
    wrong = [
        f"{path.relative_to(FEEDS.parent)}:{line} {name}"
        for module, path in _modules()
        if _package(module) in PURE
        for line, name in _imports(module, path)
        if any(name == io or name.startswith(io + ".") for io in IO_MODULES)
    ]
    assert not wrong, "I/O in a pure part:\n" + "\n".join(wrong)


def test_the_pure_parts_read_no_environment():
    """What the environment says is read at an edge and passed down (``fast=``, ``now=``)."""
    wrong = [
        f"{path.relative_to(FEEDS.parent)}:{node.lineno}"
        for module, path in _modules()
        if _package(module) in PURE
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv", "environb"}
    ]
    assert not wrong, "the environment read in a pure part: " + ", ".join(wrong)


@pytest.mark.parametrize(
    "module",
    ["feeds.normalize.entry", "feeds.topics.query", "feeds.decide.sources", "feeds.decide.publish"],
)
def test_importing_a_pure_part_loads_no_io(module):
    """As reader's test_lazy_imports: what the import really pulls in, not only what it names."""
    code = (
        f"import sys, {module}\n"
        "loaded = sorted(m for m in ('sqlite3', 'httpx', 'aiohttp', 'asyncio', 'uvicorn')"
        " if m in sys.modules)\n"
        "print(','.join(loaded))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_modules_stay_under_400_lines():
    long = {
        str(path.relative_to(FEEDS.parent)): n
        for _, path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= 400
    }
    assert not long, long
