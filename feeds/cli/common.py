"""What the ``feeds`` commands share: the group's object (the config, loaded on demand; the
store), exit codes, and the one-line messages and summaries they print.
"""

from __future__ import annotations

import asyncio
import difflib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from feeds.config.loader import load_config
from feeds.errors import QuerySyntaxError
from feeds.models import Config, IngestReport
from feeds.run.lock import DataLock
from feeds.store import open_store
from feeds.store.protocols import StoreType
from feeds.words import count

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class Obj:
    """What the group passes to its commands: the config path, loaded on demand."""

    def __init__(self, config_path: Path, verbose: int, quiet: bool) -> None:
        self.config_path = config_path
        self.verbose = verbose
        self.quiet = quiet
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self) -> StoreType:
        return open_store(self.config.settings)

    @contextmanager
    def writing(self) -> Iterator[StoreType]:
        """The store, with the data folder locked against a daemon or another writer."""
        with DataLock(self.config.settings.data_dir), self.store() as store:
            yield store


pass_obj = click.make_pass_decorator(Obj)


def ingest_once(
    obj: Obj, store: StoreType, names: Sequence[str], force: bool
) -> list[IngestReport]:
    """Ingest once, then keep the health state as the daemon does (``feeds.publish.health``)."""
    from feeds.cli.terminal import Progress
    from feeds.ingest.flow import ingest as run
    from feeds.publish.health import keep_health

    config = obj.config
    total = sum(1 for s in config.sources if (s.name in names if names else s.enabled))
    bar = not obj.quiet and is_terminal(sys.stderr)
    with Progress(total, bar=bar) as progress:
        reports = asyncio.run(run(config, store, names=names, force=force, on_report=progress))
    keep_health(config, store, reports, datetime.now(UTC))
    return reports


def check_names(config: Config, names: Iterable[str], what: str) -> None:
    """UsageError naming the unknown source/topic, the closest valid one and all of them."""
    known = (
        [s.name for s in config.sources] if what == "source" else [t.slug for t in config.topics]
    )
    for name in names:
        if name not in known:
            close = [k for k in known if name.lower() in k.lower()]
            close = close or difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise click.UsageError(
                f"no {what} {name!r} in {config.file}; {hint}{what}s: {', '.join(known) or 'none'}"
            )


def summarize(reports: Sequence[IngestReport]) -> int:
    failed = [r for r in reports if not r.ok]
    new = sum(r.new for r in reports)
    changed = sum(r.changed for r in reports)
    click.echo(
        f"{count(len(reports), 'source')}: {new} new, {changed} changed, {len(failed)} failed"
    )
    if failed:  # each failure's reason is in its log line (stderr) and in `feeds status`
        names = ", ".join(r.source for r in failed)
        click.echo(
            f"failed: {names}; see `feeds status` (README: Troubleshooting, a source failing)",
            err=True,
        )
    return EXIT_FAILED if failed else EXIT_OK


def entries_word(n: int) -> str:
    return count(n, "entry")


def echo_lines(lines: Iterable[str]) -> None:
    for line in lines:
        click.echo(line)


def is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def color() -> bool:
    """Highlight with bold/underline on a terminal (unless $NO_COLOR), else [brackets]."""
    return is_terminal(sys.stdout) and not os.environ.get("NO_COLOR")


def fail(message: str, code: int) -> NoReturn:
    click.echo(f"feeds: error: {message}", err=True)
    sys.exit(code)


def query_pointer(e: QuerySyntaxError) -> str:
    return "the query:\n  " + e.pointer().replace("\n", "\n  ")


def usage_message(e: click.ClickException) -> str:
    ctx = getattr(e, "ctx", None)
    command = ctx.command_path if ctx is not None else "feeds"
    return f"{e.format_message().rstrip('.')} (see `{command} --help`)"
