"""The ``feeds`` command: parse arguments, call the pipeline, print, exit with a clear code.

Exit codes everywhere: 0 all well; 1 done, but some sources failed (or the store or public/
could not be written); 2 usage or config error. Every FeedsError becomes one line on stderr,
never a traceback. No pipeline logic lives here.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .config import ENV_VAR, default_path, load_config
from .errors import ConfigError, FeedsError
from .lock import DataLock
from .models import Config, IngestReport
from .store import Store

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

log = logging.getLogger("feeds")


class _Obj:
    """What the group passes to its commands: the config path, loaded on demand."""

    def __init__(self, config_path: Path) -> None:
        self.config_path = config_path
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self) -> Store:
        return Store(self.config.settings.data_dir / "feeds.sqlite3")

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """The store, with the data folder locked against a daemon or another writer."""
        with DataLock(self.config.settings.data_dir), self.store() as store:
            yield store


pass_obj = click.make_pass_decorator(_Obj)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"Config file [default: ${ENV_VAR} or config/feeds.toml].",
)
@click.option("-v", "--verbose", count=True, help="More log lines (-vv for debug).")
@click.option("-q", "--quiet", is_flag=True, help="Only errors.")
@click.version_option(__version__, prog_name="feeds")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool) -> None:
    """Publish one Atom feed per topic from many sources.

    \b
    feeds update        ingest every source once, then regenerate the feeds
    feeds status        what each source and topic is doing
    feeds explain ID    why an entry is (not) in each topic
    """
    level = (
        logging.ERROR
        if quiet
        else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose + 1, 2)]
    )
    logging.basicConfig(level=level, format="%(levelname)s %(message)s", stream=sys.stderr)
    ctx.obj = _Obj(config_path or default_path())


@cli.command()
@pass_obj
def check(obj: _Obj) -> None:
    """Validate the config and say what it holds."""
    config = obj.config
    click.echo(f"{config.file}: ok ({len(config.sources)} sources, {len(config.topics)} topics)")


@cli.command()
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
@click.option("--force", is_flag=True, help="Also sources a server asked to wait.")
@pass_obj
def ingest(obj: _Obj, names: tuple[str, ...], force: bool) -> None:
    """Fetch and store every enabled source once."""
    _check_names(obj.config, names)
    with obj.writing() as store:
        reports = _ingest(obj.config, store, names, force)
    sys.exit(_summarize(reports))


@cli.command()
@click.option("--topic", "slugs", multiple=True, help="Only this topic (repeatable).")
@pass_obj
def regenerate(obj: _Obj, slugs: tuple[str, ...]) -> None:
    """Write the topic feeds, index and OPML from the store."""
    from .regenerate import regenerate as run

    config = obj.config
    unknown = [s for s in slugs if config.topic(s) is None]
    if unknown:
        raise click.UsageError(f"no topic {unknown[0]!r} in {config.file}")
    with obj.writing() as store:
        reports = run(config, store, slugs=slugs)
    for r in reports:
        click.echo(f"{r.topic}: {r.entries} entries{'' if r.written else ' (unchanged)'}")
    click.echo(f"written to {config.settings.public_dir}")


@cli.command()
@click.option("--force", is_flag=True, help="Also sources a server asked to wait.")
@pass_obj
def update(obj: _Obj, force: bool) -> None:
    """Ingest every source once, then regenerate every feed."""
    from .regenerate import regenerate as run

    config = obj.config
    with obj.writing() as store:
        reports = _ingest(config, store, (), force)
        published = run(config, store)
    for p in published:
        click.echo(f"{p.topic}: {p.entries} entries -> {config.settings.base_url}{p.topic}.atom")
    sys.exit(_summarize(reports))


@cli.command()
@pass_obj
def status(obj: _Obj) -> None:
    """Show each source's state and each topic's size."""
    config = obj.config
    with obj.store() as store:
        states = store.source_states()
        records = {t.slug: store.topic_record(t.slug) for t in config.topics}
    click.echo("SOURCES")
    for s in config.sources:
        st = states.get(s.name)
        last = _when(st.last_success if st else None)
        line = f"  {s.name:<20} {st.status if st else 'new':<6} last ok {last:<17} "
        line += f"{st.entries if st else 0:>5} entries"
        if st and st.failures:
            line += f", {st.failures} failures"
        if not s.enabled:
            line += " (disabled)"
        click.echo(line)
        if st and st.url and s.url and st.url != s.url:
            click.echo(f"      moved permanently to {st.url}: update `url` in {config.file}")
        if st and st.message:
            click.echo(f"      {st.message}")
    click.echo("TOPICS")
    for t in config.topics:
        rec = records[t.slug]
        count, when = (rec.entries, rec.published_at) if rec else (0, None)
        click.echo(f"  {t.slug:<24} {count:>5} matching, published {_when(when)}")


@cli.command()
@click.argument("entry_id", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An article file instead of a stored entry.")  # fmt: skip
@pass_obj
def explain(obj: _Obj, entry_id: str | None, file: Path | None) -> None:
    """Show, for each topic, whether an entry matches and by which terms."""
    from .explain import explain_entry, load_entry

    if (entry_id is None) == (file is None):
        raise click.UsageError("give an ENTRY_ID or --file PATH")
    config = obj.config
    with obj.store() as store:
        entry = load_entry(config, store, entry_id=entry_id, file=file)
    click.echo(f"{entry.title}\n  id {entry.id}\n  lang {entry.language}, source {entry.source}")
    for line in explain_entry(config, entry):
        click.echo(line)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve public/ on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Schedule and publish only; serve nothing.")
@pass_obj
def run(obj: _Obj, host: str, port: int, no_serve: bool) -> None:
    """Run the daemon: ingest on schedule, republish, serve public/."""
    from .daemon import run_daemon

    sys.exit(run_daemon(obj.config_path, host=host, port=None if no_serve else port))


def _ingest(config: Config, store: Store, names: Sequence[str], force: bool) -> list[IngestReport]:
    from .pipeline import ingest as run

    _check_names(config, names)
    return asyncio.run(run(config, store, names=names, force=force))


def _check_names(config: Config, names: Sequence[str]) -> None:
    unknown = [n for n in names if config.source(n) is None]
    if unknown:
        raise click.UsageError(f"no source {unknown[0]!r} in {config.file}")


def _summarize(reports: Sequence[IngestReport]) -> int:
    failed = [r for r in reports if not r.ok]
    new = sum(r.new for r in reports)
    changed = sum(r.changed for r in reports)
    click.echo(f"{len(reports)} sources: {new} new, {changed} changed, {len(failed)} failed")
    for r in failed:
        click.echo(f"  {r.source}: {r.message}", err=True)
    return EXIT_FAILED if failed else EXIT_OK


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%MZ") if value else "never"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"feeds: error: {message}", err=True)
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the group, turning FeedsError into one line and an exit code."""
    run: Callable[..., Any] = cli.main
    try:
        run(args=argv, prog_name="feeds", standalone_mode=False)
    except click.exceptions.Abort:
        _fail("aborted", EXIT_FAILED)
    except click.ClickException as e:
        e.show()
        sys.exit(EXIT_USAGE)
    except ConfigError as e:
        _fail(str(e), EXIT_USAGE)
    except FeedsError as e:
        _fail(str(e), EXIT_FAILED)
    sys.exit(EXIT_OK)
