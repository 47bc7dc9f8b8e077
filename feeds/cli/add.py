"""The ``feeds add`` command's steps: find, show, name, write (see feeds.cli.adder for the work).

Kept apart from feeds.cli.main so the command module stays a table of contents. It prints and
raises FeedsError/UsageError; it must not fetch or edit TOML itself (feeds.cli.adder does).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

from feeds.cli.adder import (
    append_source,
    articles_table,
    check_new_folder,
    check_new_url,
    describe,
    discover,
    feed_file_table,
    feed_table,
    read_feed_file,
    slugify,
    unique_name,
    write_config,
)
from feeds.cli.page_adder import (
    Proposal,
    describe_proposal,
    no_proposal,
    page_table,
    proposal_toml,
    propose_page,
)
from feeds.errors import FeedsError, FetchError
from feeds.ingest.flow import fetch_settings
from feeds.models import Config
from feeds.sources.http import is_fetchable_url


def add_location(
    config: Config, location: str, *, name: str | None, language: str | None, dry_run: bool,
    yes: bool = False,
) -> None:  # fmt: skip
    """``feeds add URL`` (a feed or a page on the web) or ``feeds add PATH`` (a feed file)."""
    if is_fetchable_url(location):
        add_url(config, location, name=name, language=language, dry_run=dry_run, yes=yes)
        return
    path = Path(location).expanduser()
    if path.is_file():
        add_feed_file(config, path, name=name, language=language, dry_run=dry_run)
    elif path.is_dir():
        raise click.UsageError(
            f"{location} is a folder: for a folder of article files use --articles {location}"
        )
    else:
        raise click.UsageError(
            f"{location!r} is neither an http:// or https:// URL nor a feed file;"
            " for a folder use --articles FOLDER"
        )


def add_url(
    config: Config, url: str, *, name: str | None, language: str | None, dry_run: bool,
    yes: bool = False,
) -> None:  # fmt: skip
    """Find the feed behind ``url``, show it, and add it as a source; for a page that links
    to no feed, propose a page source (written only with ``yes``)."""
    if not is_fetchable_url(url):
        raise click.UsageError(
            f"{url!r} is not an http:// or https:// URL; for a folder use --articles FOLDER"
        )
    check_new_url(config, url)
    try:
        found = asyncio.run(discover(url, fetch_settings(config)))
    except FetchError as e:
        if (proposal := _page_proposal(config, url, e)) is not None:
            _add_page(config, proposal, name=name, language=language, dry_run=dry_run, yes=yes)
            return
        raise FetchError(f"{e}; nothing added (check the URL in a browser)", url=url) from e
    check_new_url(config, found.url)
    for line in describe(found):
        click.echo(line)
    if found.choices:  # which one the user wants is theirs to say, not ours to guess
        raise click.UsageError(
            f"the page {found.page} advertises {len(found.choices)} feeds; nothing added:"
            " choose one and run `feeds add FEED_URL` with its URL (listed above)"
        )
    fallback = found.title or (urlsplit(found.url).hostname or "source")
    name = _name(config, name, fallback)
    _write(config, feed_table(name, found, language=language), name, found.page, dry_run)


def _page_proposal(config: Config, url: str, error: FetchError) -> Proposal | None:
    """A page source for ``url`` if it is a page without a feed (``error``: what the feed's
    discovery said); FetchError if it is such a page but shows no repeated structure."""
    if error.status_code is None or not 200 <= error.status_code < 300:
        return None  # the network or the server failed: no page to read
    try:
        proposal = asyncio.run(propose_page(url, fetch_settings(config)))
    except FetchError:
        return None
    if proposal is None:
        raise no_proposal(url, error) from error
    return proposal


def _add_page(
    config: Config, proposal: Proposal, *, name: str | None, language: str | None,
    dry_run: bool, yes: bool,
) -> None:  # fmt: skip
    check_new_url(config, proposal.url)
    for line in describe_proposal(proposal):
        click.echo(line)
    fallback = proposal.feed.title or urlsplit(proposal.url).hostname or "page"
    keys = page_table(_name(config, name, fallback), proposal)
    if language:
        keys["language"] = language
    click.echo("the source it would add:")
    click.echo(proposal_toml(keys))
    if not (yes or dry_run):
        click.echo("nothing written: check the items above, then run again with --yes to add"
                   " it (or edit the selectors: docs/page-sources.md)")  # fmt: skip
        return
    _write(config, keys, keys["name"], None, dry_run)


def add_feed_file(
    config: Config, file: Path, *, name: str | None, language: str | None, dry_run: bool
) -> None:
    """Add the feed file ``file`` (relative to the current folder) as a feed source."""
    check_new_folder(config, file)
    found = read_feed_file(file)
    for line in describe(found):
        click.echo(line)
    name = _name(config, name, found.title or file.stem)
    _write(config, feed_file_table(name, file, config.file, language=language), name, None, dry_run)


def add_articles(config: Config, folder: Path, *, name: str | None, dry_run: bool) -> None:
    """Add the folder ``folder`` (relative to the current folder) as an articles source."""
    if not folder.is_dir():
        raise click.BadParameter(
            f"{folder} is not a folder (create it first: mkdir -p {folder})",
            param_hint="'--articles'",
        )
    check_new_folder(config, folder)
    name = _name(config, name, folder.resolve().name)
    count = sum(1 for p in folder.iterdir() if p.suffix in (".md", ".txt", ".html", ".htm"))
    click.echo(f"found: {folder} ({count} article files)")
    _write(config, articles_table(name, folder, config.file), name, None, dry_run)


def _name(config: Config, wanted: str | None, fallback: str) -> str:
    if wanted is None:
        return unique_name(slugify(fallback), config)
    if config.source(wanted) is not None:
        raise click.BadParameter(
            f"a source named {wanted!r} already exists in {config.file}; "
            f"try {unique_name(wanted, config)!r}",
            param_hint="'--name'",
        )
    return wanted


def _write(
    config: Config, keys: dict[str, Any], name: str, page: str | None, dry_run: bool
) -> None:
    note = f"added by `feeds add` (found on {page})" if page else "added by `feeds add`"
    text = append_source(config.file, keys, note)
    if dry_run:
        click.echo(f"dry run: would add source {name!r} to {config.file}; nothing written")
        return
    try:
        write_config(config.file, text)
    except FeedsError as e:
        raise FeedsError(f"cannot write {config.file}: {e}") from e
    click.echo(f"added source {name!r} to {config.file}")
    click.echo(f"next: feeds ingest --source {name}   (or `feeds update` to publish too)")
