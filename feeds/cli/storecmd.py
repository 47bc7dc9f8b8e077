"""``feeds store``: commands on a store named by URL, not by the config. ``feeds store copy
SRC DEST`` copies one store into an empty one, either way between SQLite
(``sqlite:///path/feeds.sqlite3``) and PostgreSQL (``postgresql://…``), with ids,
positions, dates, source states and topic histories intact (``feeds.store.transfer``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

import click

if TYPE_CHECKING:
    from feeds.store.transfer import StoreTransfer


@click.group("store")
def store_group() -> None:
    """Commands on a store, named by its URL (sqlite:///path or postgresql://...)."""


@store_group.command("copy")
@click.argument("source")
@click.argument("dest")
def copy(source: str, dest: str) -> None:
    """Copy the store SOURCE into DEST, a new, empty store.

    Both are store URLs: sqlite:///path/feeds.sqlite3 or postgresql://user@host:port/dbname.
    Stop the daemons using SOURCE first: what they write meanwhile may not be copied.
    """
    from feeds.errors import StoreError
    from feeds.store import open_url
    from feeds.store.transfer import copy_store

    if source == dest:
        raise click.UsageError("SOURCE and DEST are the same store")
    with open_url(source) as src, open_url(dest) as dst:
        try:
            done = copy_store(cast("StoreTransfer", src), cast("StoreTransfer", dst))
        except StoreError as e:
            if "not empty" in str(e):
                raise click.UsageError(f"{dest}: {e}") from None
            raise
    rows = ", ".join(f"{n} {table}" for table, n in done.tables.items() if n)
    click.echo(f"copied {done.entries} entries" + (f", {rows}" if rows else "") + f" into {dest}")
