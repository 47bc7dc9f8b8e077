"""Which id an entry of a source takes in the store when another source has its guid.

Pure: the store's answer (who holds which id) comes in as a value. Ids stay stable for life:
an entry keeps the id it was first stored under, and what was right before is unchanged.

A guid that is an absolute URI is the entry's id (feeds.normalize). Two sources can publish
the same one (a mirror, an aggregator, a feed of this very site): the first source stored
keeps it, and the other's entry is kept too, under ``scoped_id`` (a ``tag:`` URI under its
own source), instead of taking over the first's entry as it did (#15 item 4). Both entries
have their own link; story grouping shows them as one story if they are one. A source that
is no longer in the config passes its ids on (a renamed source keeps its entries' ids).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote

from .models import Entry
from .normalize import _ID_YEAR, _URI_SAFE

__all__ = ["candidates", "own_ids", "scoped_id", "source_prefix"]


def source_prefix(source: str, authority: str) -> str:
    """The start of every ``tag:`` id of ``source``: only that source has such ids."""
    return f"tag:{authority},{_ID_YEAR}:{quote(source, safe='')}/"


def scoped_id(entry_id: str, source: str, authority: str) -> str:
    """The id of ``source``'s entry whose guid ``entry_id`` another source holds."""
    return source_prefix(source, authority) + "guid:" + quote(entry_id, safe=_URI_SAFE)


def candidates(entries: Sequence[Entry], source: str, authority: str) -> list[str]:
    """The ids to ask the store about (who holds them) before ``own_ids``."""
    prefix = source_prefix(source, authority)
    ids = [e.id for e in entries if not e.id.startswith(prefix)]
    return ids + [scoped_id(i, source, authority) for i in ids]


def own_ids(
    entries: Sequence[Entry],
    *,
    source: str,
    authority: str,
    holders: Mapping[str, str],
    configured: Collection[str],
) -> list[Entry]:
    """``entries`` of ``source``, each under the id it is to have in the store.

    ``holders``: the source of each stored id among ``candidates``; ``configured``: the
    names of the sources in the config.
    """
    prefix = source_prefix(source, authority)
    out: list[Entry] = []
    for entry in entries:
        if not entry.id.startswith(prefix):
            scoped = scoped_id(entry.id, source, authority)
            holder = holders.get(entry.id)
            taken = holder is not None and holder != source and holder in configured
            if holders.get(scoped) == source or taken:
                entry = replace(entry, id=scoped)
        out.append(entry)
    return out
