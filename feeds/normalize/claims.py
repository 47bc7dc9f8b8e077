"""Which id an entry of a source takes in the store when another source has its guid.

Pure: the store's answer (who holds which id) comes in as a value. Ids stay stable for life:
an entry keeps the id it was first stored under, and what was right before is unchanged.

A guid that is an absolute URI is the entry's id (feeds.normalize.entry). Two sources can publish
the same one (a mirror, an aggregator, a feed of this very site): the first source stored
keeps it, and the other's entry is kept too, under ``scoped_id`` (a ``tag:`` URI under its
own source), instead of taking over the first's entry as it did (#15 item 4). Both entries
have their own link; story grouping shows them as one story if they are one. A source that
is no longer in the config passes its ids on (a renamed source keeps its entries' ids).

Until #15, feedparser resolved a guid that is not a URI against the feed's URL ("7" in
``https://host/feed`` became ``https://host/7``) and that was the id. Such a guid now makes a
``tag:`` id; an entry already stored under the resolved one keeps it (``Entry.former_id``).
Those resolved against a local file's path (``file://tmp/7``) are not kept: they leaked it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote

from feeds.models import Entry, RawItem, Source
from feeds.normalize.entry import _ID_YEAR, make_id
from feeds.normalize.links import _URI_SAFE

__all__ = ["ids_to_ask", "own_ids", "scoped_id", "source_prefix", "with_former_id"]


def source_prefix(source: str, authority: str) -> str:
    """The start of every ``tag:`` id of ``source``: only that source has such ids."""
    return f"tag:{authority},{_ID_YEAR}:{quote(source, safe='')}/"


def scoped_id(entry_id: str, source: str, authority: str) -> str:
    """The id of ``source``'s entry whose guid ``entry_id`` another source holds."""
    return source_prefix(source, authority) + "guid:" + quote(entry_id, safe=_URI_SAFE)


def with_former_id(entry: Entry, item: RawItem, source: Source, authority: str) -> Entry:
    """``entry`` (normalized from ``item``) with the id it had before #15, if another."""
    if not item.resolved_guid:
        return entry
    resolved = replace(item, guid=item.resolved_guid)
    former = make_id(resolved, source=source, id_authority=authority, link=None)
    if former == entry.id or former.startswith("tag:"):  # only a URI guid was ever the id
        return entry
    return replace(entry, former_id=former)


def ids_to_ask(entries: Sequence[Entry], source: str, authority: str) -> list[str]:
    """The ids to ask the store about (who holds them) before ``own_ids``."""
    prefix = source_prefix(source, authority)
    ids = [e.id for e in entries if not e.id.startswith(prefix)]
    former = [e.former_id for e in entries if e.former_id]
    return ids + [scoped_id(i, source, authority) for i in ids] + former


def own_ids(
    entries: Sequence[Entry],
    *,
    source: str,
    authority: str,
    holders: Mapping[str, str],
    configured: Collection[str],
) -> list[Entry]:
    """``entries`` of ``source``, each under the id it is to have in the store.

    ``holders``: the source of each stored id among ``ids_to_ask``; ``configured``: the
    names of the sources in the config.
    """
    prefix = source_prefix(source, authority)
    out: list[Entry] = []
    for entry in entries:
        if entry.former_id and holders.get(entry.former_id) == source:
            entry = replace(entry, id=entry.former_id)
        elif not entry.id.startswith(prefix):
            scoped = scoped_id(entry.id, source, authority)
            holder = holders.get(entry.id)
            taken = holder is not None and holder != source and holder in configured
            if holders.get(scoped) == source or taken:
                entry = replace(entry, id=scoped)
        out.append(entry)
    return out
