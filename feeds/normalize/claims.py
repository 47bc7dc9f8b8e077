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

A guid that is not a URI makes the ``tag:`` id of the item's link when it has one (the id
such entries have had since #15). Two items of one source with distinct such guids and one
link (a live page, a section's front page) would share that id, and one entry was lost: so
they get the ids of their guids (``tag:…/guid:{guid}``, distinct per guid, as items without
a link have; ``split_shared_links``), and the link's id stays with the entry stored under it
(``own_ids``): the one whose text it holds, else the first in the feed that holds no id of
its own yet.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from urllib.parse import quote

from feeds.models import Entry, RawItem, Source
from feeds.normalize.entry import _ID_YEAR, make_id
from feeds.normalize.links import _URI_SAFE

__all__ = [
    "ids_to_ask",
    "own_ids",
    "scoped_id",
    "shared_ids",
    "source_prefix",
    "split_shared_links",
    "with_former_id",
]


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


def split_shared_links(
    entries: Sequence[Entry], items: Sequence[RawItem], source: Source, authority: str
) -> list[Entry]:
    """``entries`` (normalized from ``items`` of one fetch), those that distinct guids gave one
    id by their common link under their guids' own ids, with ``shared_id`` set."""
    guids: dict[str, set[str]] = {}
    for entry, item in zip(entries, items, strict=True):
        if item.guid and not item.path:
            guids.setdefault(entry.id, set()).add(item.guid.strip())
    out = []
    for entry, item in zip(entries, items, strict=True):
        if len(guids.get(entry.id, ())) > 1:
            own = make_id(replace(item, link=None), source=source, id_authority=authority,
                          link=None)  # fmt: skip
            if own != entry.id:  # a guid that is a URI is the id already
                entry = replace(entry, id=own, shared_id=entry.id)
        out.append(entry)
    return out


def ids_to_ask(entries: Sequence[Entry], source: str, authority: str) -> list[str]:
    """The ids to ask the store about (who holds them) before ``own_ids``."""
    prefix = source_prefix(source, authority)
    ids = [e.id for e in entries if not e.id.startswith(prefix)]
    former = [e.former_id for e in entries if e.former_id]
    shared = [i for e in entries if e.shared_id for i in (e.id, e.shared_id)]
    return ids + [scoped_id(i, source, authority) for i in ids] + former + shared


def shared_ids(entries: Iterable[Entry], source: str, holders: Mapping[str, str]) -> list[str]:
    """The shared ids that ``source`` holds in the store: ``own_ids`` needs their hashes."""
    return list(dict.fromkeys(e.shared_id for e in entries if e.shared_id
                              and holders.get(e.shared_id) == source))  # fmt: skip


def _keepers(
    entries: Sequence[Entry], source: str, holders: Mapping[str, str], hashes: Mapping[str, str]
) -> dict[int, str]:
    """Which entry (by index) keeps each shared id that ``source`` holds: the one with the
    stored text, else the first that holds no id of its own in the store."""
    groups: dict[str, list[int]] = {}
    for i in range(len(entries)):
        shared = entries[i].shared_id
        if shared and holders.get(shared) == source:
            groups.setdefault(shared, []).append(i)
    keepers: dict[int, str] = {}
    for shared, members in groups.items():
        free = [i for i in members if source not in _held(entries[i], holders)]
        same = [i for i in free if entries[i].hash == hashes.get(shared)]
        if free:
            keepers[(same or free)[0]] = shared
    return keepers


def _held(entry: Entry, holders: Mapping[str, str]) -> set[str]:
    return {holders[i] for i in (entry.id, entry.former_id) if i and i in holders}


def own_ids(
    entries: Sequence[Entry],
    *,
    source: str,
    authority: str,
    holders: Mapping[str, str],
    configured: Collection[str],
    hashes: Mapping[str, str] | None = None,
) -> list[Entry]:
    """``entries`` of ``source``, each under the id it is to have in the store.

    ``holders``: the source of each stored id among ``ids_to_ask``; ``configured``: the
    names of the sources in the config; ``hashes``: the stored hash of each of
    ``shared_ids``.
    """
    prefix = source_prefix(source, authority)
    keepers = _keepers(entries, source, holders, hashes or {})
    out: list[Entry] = []
    for i, entry in enumerate(entries):
        if i in keepers:
            entry = replace(entry, id=keepers[i])
        elif entry.former_id and holders.get(entry.former_id) == source:
            entry = replace(entry, id=entry.former_id)
        elif not entry.id.startswith(prefix):
            scoped = scoped_id(entry.id, source, authority)
            holder = holders.get(entry.id)
            taken = holder is not None and holder != source and holder in configured
            if holders.get(scoped) == source or taken:
                entry = replace(entry, id=scoped)
        out.append(entry)
    return out
