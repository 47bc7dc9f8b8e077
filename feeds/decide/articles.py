"""What a new scan of an article folder does to the entries stored from it: pure.

The store remembers, per source, which file each stored article came from (``KnownFile``:
its path, its entry id and a key of its content). Given that and a new scan,
:func:`plan_folder` decides (#15 items 16 and 17):

- a file read at a path never seen, whose content (title and text) is that of a known file
  whose path is gone in the same scan, was **renamed or moved**: it keeps that file's id,
  so that readers do not get it twice; and it keeps it in every later scan (its path is
  known then, with that id). An id the file states itself (front matter ``id``) is kept as
  it is wherever the file goes: normalize makes it from that, not the path;
- an id no file holds any more was **deleted**: it is to be retracted (or kept, by the
  source's ``on_delete``; that is the caller's choice);
- a file found but not read (unreadable this time) keeps what is known of it, and nothing
  is taken as deleted from a scan that could not list every folder.

No I/O, no clock: values in, a plan out.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from feeds.models import Entry

__all__ = ["FolderPlan", "KnownFile", "content_key", "plan_folder"]


@dataclass(frozen=True, slots=True)
class KnownFile:
    """One article file as the store remembers it."""

    #: Relative POSIX path in the source folder.
    path: str
    #: The id of the entry made from it.
    id: str
    #: ``content_key`` of that entry.
    key: str


@dataclass(frozen=True, slots=True)
class FolderPlan:
    #: The scan's entries, a renamed file's with the id it had.
    entries: tuple[Entry, ...]
    #: What to remember of the folder from now on (replaces what was known).
    files: tuple[KnownFile, ...]
    #: Ids whose file is gone: no file holds them any more.
    gone: tuple[str, ...]
    #: (old path, new path) of each file found renamed or moved.
    renamed: tuple[tuple[str, str], ...] = ()


def content_key(entry: Entry, text: str) -> str:
    """What makes two files the same article: the title and the plain text (not the path,
    the link or dates, which a rename or a copy changes)."""
    data = "\x00".join((entry.title, " ".join(text.split())))
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).hexdigest()


def plan_folder(
    known: Sequence[KnownFile],
    *,
    present: Sequence[str],
    complete: bool,
    read: Sequence[tuple[str, Entry, str, bool]],
) -> FolderPlan:
    """The plan for a scan that found the files ``present`` (read or not; ``complete``: every
    folder was listed) and read ``read``: (path, entry, its plain text, whether the file
    states its own id) in path order."""
    here = set(present)
    by_path = {k.path: k for k in known}
    known_ids = {k.id for k in known}
    # Gone files, by content, oldest path first: the candidates a new path may be.
    vanished: dict[str, list[KnownFile]] = {}
    for k in sorted(known, key=lambda k: k.path):
        if complete and k.path not in here:
            vanished.setdefault(k.key, []).append(k)
    entries: list[Entry] = []
    files: list[KnownFile] = []
    renamed: list[tuple[str, str]] = []
    for path, entry, text, own_id in read:
        key = content_key(entry, text)
        if path in by_path and not own_id:
            entry = replace(entry, id=by_path[path].id)  # the id it had, if it was renamed
        elif path not in by_path and entry.id not in known_ids and vanished.get(key):
            old = vanished[key].pop(0)
            entry = replace(entry, id=old.id)
            renamed.append((old.path, path))
        entries.append(entry)
        files.append(KnownFile(path, entry.id, key))
    read_paths = {r[0] for r in read}
    # Found but not read (unreadable now), or maybe there (a folder not listed): as it was.
    files += [k for k in known if k.path not in read_paths and (k.path in here or not complete)]
    held = {f.id for f in files}
    gone = sorted({k.id for k in known} - held)
    return FolderPlan(tuple(entries), tuple(files), tuple(gone), tuple(renamed))
