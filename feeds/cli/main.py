"""The ``feeds`` command: parse arguments, call the modules that do the work, print, exit.

Exit codes: 0 all well; 1 done, but a source failed (or the store or public/ could not be
written); 2 usage or config error. Every error is one line ``feeds: error: ...`` on stderr
saying what, where and what to do, never a traceback. Commands call the flows; no logic here.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from feeds import __version__
from feeds.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    Obj,
    check_names,
    color,
    echo_lines,
    entries_word,
    fail,
    ingest_once,
    pass_obj,
    query_pointer,
    summarize,
    usage_message,
)
from feeds.cli.logs import FORMATS, LogFormat, setup_logging
from feeds.cli.notify import notify_group
from feeds.cli.storecmd import store_group
from feeds.config.loader import ENV_VAR, default_path
from feeds.errors import ConfigError, FeedsError, QuerySyntaxError
from feeds.words import count

log = logging.getLogger("feeds")


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
@click.option(
    "--log-format",
    type=click.Choice(FORMATS),
    default="human",
    show_default=True,
    envvar="FEEDS_LOG_FORMAT",
    help="Log lines for people, or JSON for log collectors.",
)
@click.version_option(__version__, prog_name="feeds")
@click.pass_context
def cli(
    ctx: click.Context, config_path: Path | None, verbose: int, quiet: bool, log_format: LogFormat
) -> None:
    """Publish one Atom feed per topic from many sources.

    \b
    feeds init            write a starter config/ here
    feeds add URL|PATH    find a site's feed (or take a feed file), add it as a source
    feeds update          ingest every source once, then publish the feeds
    feeds search QUERY    what a topic with this query would publish
    feeds status          what each source and topic is doing
    feeds run             the daemon: schedule, publish, serve public/

    Exit codes: 0 ok, 1 some sources failed, 2 usage or config error.
    """
    setup_logging(verbose=verbose, quiet=quiet, fmt=log_format)
    _preload_flows()
    ctx.obj = Obj(config_path or default_path(), verbose, quiet)


def _preload_flows() -> None:
    """The forkserver's workers start with the flows they run imported (lazily: `--help`)."""
    from feeds.ingest.parallel import PRELOAD
    from feeds.pool import set_preload

    set_preload((*PRELOAD, "feeds.ingest.flow", "feeds.publish.flow"))


cli.add_command(notify_group)  # `feeds notify test SLUG` (#18)


@cli.command()
@pass_obj
def check(obj: Obj) -> None:
    """Validate the config and say what it holds."""
    config = obj.config
    sources, topics = count(len(config.sources), "source"), count(len(config.topics), "topic")
    click.echo(f"{config.file}: ok ({sources}, {topics})")


@cli.command()
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Write a commented starter config and an articles folder under FOLDER."""
    from feeds.cli.init import init_site

    site = init_site(folder)
    for path in site.created:
        click.echo(f"created {path}")
    where = "" if folder == Path(".") else f"cd {folder} && "
    click.echo(f"next: {where}feeds update    (then open public/index.html)")


@cli.command()
@click.argument("url", metavar="[URL|PATH]", required=False)
@click.option("--articles", "folder", type=click.Path(path_type=Path),
              help="Add a folder of article files instead of a URL.")  # fmt: skip
@click.option("--name", help="Source name [default: from the feed's title or the folder].")
@click.option("--language", help="Language of its entries, when the feed does not say (fr).")
@click.option("--dry-run", is_flag=True, help="Show what would be added; change nothing.")
@click.option("--yes", is_flag=True, help="Write the page source proposed (a page without feed).")
@pass_obj
def add(
    obj: Obj, url: str | None, folder: Path | None, name: str | None, language: str | None,
    dry_run: bool, yes: bool,
) -> None:  # fmt: skip
    """Add a source: the feed behind URL (a feed or a page that links to one; for a page
    without one, a proposed page source), a feed file PATH, or a folder of articles."""
    from feeds.cli.add import add_articles, add_location

    if (url is None) == (folder is None):
        raise click.UsageError("give a URL or PATH, or --articles FOLDER (not both)")
    if url is not None:
        add_location(obj.config, url, name=name, language=language, dry_run=dry_run, yes=yes)
    elif folder is not None:
        add_articles(obj.config, folder, name=name, dry_run=dry_run)


@cli.command()
@click.option("--source", "names", multiple=True, help="Only this source (repeatable).")
@click.option("--force", is_flag=True, help="Also sources a server asked to wait.")
@pass_obj
def ingest(obj: Obj, names: tuple[str, ...], force: bool) -> None:
    """Fetch and store every enabled source once."""
    from feeds.cli.semantic import bring_up_to_date

    check_names(obj.config, names, "source")
    with obj.writing() as store:
        reports = ingest_once(obj, store, names, force)
        bring_up_to_date(obj, store)
    sys.exit(summarize(reports))


@cli.command()
@click.option("--topic", "slugs", multiple=True, help="Only this topic (repeatable).")
@pass_obj
def regenerate(obj: Obj, slugs: tuple[str, ...]) -> None:
    """Write the topic feeds, index and OPML from the store."""
    from feeds.cli.semantic import bring_up_to_date
    from feeds.publish.flow import regenerate as run

    config = obj.config
    check_names(config, slugs, "topic")
    with obj.writing() as store:
        bring_up_to_date(obj, store)  # a new `about` topic covers the whole history
        reports = run(config, store, slugs=slugs or None)
    for r in reports:
        click.echo(f"{r.topic}: {entries_word(r.entries)}{'' if r.written else ' (unchanged)'}")
    click.echo(f"written to {config.settings.public_dir}")


@cli.command()
@click.option("--force", is_flag=True, help="Also sources a server asked to wait.")
@pass_obj
def update(obj: Obj, force: bool) -> None:
    """Ingest every source once, then regenerate every feed."""
    from feeds.cli.notify import after_update
    from feeds.cli.semantic import bring_up_to_date
    from feeds.publish.flow import regenerate as run

    config = obj.config
    with obj.writing() as store:
        reports = ingest_once(obj, store, (), force)
        bring_up_to_date(obj, store)
        published = run(config, store)
        alerts_failed = after_update(config, store)  # #18: after the publish
        now = datetime.now(UTC)
        if store.maintenance_due(now):  # at most daily: merges the search index
            store.maintain(now)
    for p in published:
        click.echo(
            f"{p.topic}: {entries_word(p.entries)} -> {config.settings.base_url}{p.topic}.atom"
        )
    sys.exit(max(summarize(reports), EXIT_FAILED if alerts_failed else EXIT_OK))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="A JSON document for scripts.")
@pass_obj
def status(obj: Obj, as_json: bool) -> None:
    """Show each source's state, each topic's size and last publish, each alert target's."""
    from feeds.cli.status import status_lines

    with obj.store() as store:
        echo_lines(status_lines(obj.config, store, as_json=as_json))


@cli.command()
@click.argument("query", required=False)
@click.option("--topic", "slug", help="Search with this topic's saved query instead.")
@click.option("--exclude", help="Leave out entries matching this query.")
@click.option("--lang", "languages", multiple=True, help="Only entries in this language.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="How many of the newest matches to show.")  # fmt: skip
@click.option(
    "--about",
    "about",
    multiple=True,
    help="Rank entries by similarity in meaning to this sentence (repeatable).",
)
@pass_obj
def search(
    obj: Obj, query: str | None, slug: str | None, exclude: str | None,
    languages: tuple[str, ...], limit: int, about: tuple[str, ...],
) -> None:  # fmt: skip
    """Show what a topic with QUERY would publish, matched words highlighted."""
    from feeds.cli.search import render_result, unknown_filters
    from feeds.cli.search import search as run
    from feeds.topics.about import about_of

    if about:  # topics by meaning: ranked by similarity (feeds.cli.semantic)
        from feeds.cli.semantic import search_about

        if query is not None or slug is not None:
            raise click.UsageError("give --about alone (it ranks every stored entry)")
        echo_lines(search_about(obj, about, limit))
        return
    if (query is None) == (slug is None):
        raise click.UsageError("give a QUERY, or --topic SLUG (not both)")
    meaning = None
    if slug is not None:
        check_names(obj.config, (slug,), "topic")
        topic = obj.config.topic(slug)
        assert topic is not None
        query, exclude, meaning = topic.query, exclude or topic.exclude, about_of(topic)
        languages = languages or topic.languages
    assert query is not None
    with obj.store() as store:
        result = run(store, query, exclude=exclude, languages=tuple(languages), limit=limit,
                     about=meaning)  # fmt: skip
        warnings = unknown_filters(obj.config, store, query, tuple(languages)) if query else []
    for warning in warnings:
        click.echo(f"feeds: warning: {warning}", err=True)
    echo_lines(render_result(result, color=color(), limit=limit))


@cli.command()
@click.argument("entry_id", required=False)
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="An article file instead of a stored entry.")  # fmt: skip
@pass_obj
def explain(obj: Obj, entry_id: str | None, file: Path | None) -> None:
    """Show, for each topic, whether an entry matches and by which words.

    ENTRY_ID is an entry's id, as `feeds search` shows it.
    """
    from feeds.cli.explain import load_entry
    from feeds.cli.search import render_explain

    if (entry_id is None) == (file is None):
        raise click.UsageError("give an ENTRY_ID (see `feeds search`) or --file PATH")
    from feeds.cli.semantic import explain_lines

    config = obj.config
    with obj.store() as store:
        entry = load_entry(config, store, entry_id=entry_id, file=file)
        about = explain_lines(config, store, entry) if entry is not None else {}
    if entry is None:  # a mistyped argument: a usage error, exit 2 (README, Exit codes)
        raise click.UsageError(
            f"no entry with id {entry_id!r} in the store; `feeds search QUERY` shows ids"
        )
    echo_lines(render_explain(config, entry, color=color(), about=about))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve public/ on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to serve on.")
@click.option("--no-serve", is_flag=True, help="Schedule and publish only; serve nothing.")
@click.option("--admin-port", type=click.IntRange(1, 65535),
              help="Also serve /healthz and /metrics (only) on this port.")  # fmt: skip
@click.option("--admin-host", default="127.0.0.1", show_default=True,
              help="Address of --admin-port.")  # fmt: skip
@pass_obj
def run(
    obj: Obj, host: str, port: int, no_serve: bool, admin_port: int | None, admin_host: str
) -> None:
    """Run the daemon: ingest on schedule, republish, serve public/."""
    from feeds.run.daemon import run_daemon

    if not obj.verbose and not obj.quiet:  # a daemon's log is its news: info by default
        logging.getLogger("feeds").setLevel(logging.INFO)
    admin = (admin_host, admin_port) if admin_port is not None else None
    served = None if no_serve else port
    sys.exit(run_daemon(obj.config_path, host=host, port=served, admin=admin))


cli.add_command(store_group)


def main(argv: Sequence[str] | None = None) -> None:
    """Console entry point: run the group, turning errors into one line and an exit code."""
    run_cli: Callable[..., Any] = cli.main
    try:
        code = run_cli(args=argv, prog_name="feeds", standalone_mode=False)
    except click.exceptions.Abort:
        fail("aborted", EXIT_FAILED)
    except click.ClickException as e:
        fail(usage_message(e), EXIT_USAGE)
    except QuerySyntaxError as e:
        fail(f"{e}; {query_pointer(e)}", EXIT_USAGE)
    except ConfigError as e:
        pointer = f"; {query_pointer(e.query_error)}" if e.query_error else ""
        fail(f"{e}{pointer}", EXIT_USAGE)
    except FeedsError as e:
        fail(str(e), EXIT_FAILED)
    sys.exit(code if isinstance(code, int) else EXIT_OK)
