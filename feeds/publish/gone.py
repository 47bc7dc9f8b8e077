"""The pages of retracted articles: removed from public/, and answered 410 Gone.

When an article is retracted (its file deleted, #15 item 17) or renamed, the page written
for it under public/ is left over. :func:`withdraw_pages` (called by each regenerate, under
the data-folder lock) removes those files, so a static server answers 404, and lists the
retracted ones in ``<data_dir>/gone-pages.txt``; :class:`GonePages` reads that list for
``feeds run``'s server, which answers 410 Gone for them (``feeds.run.serve`` only asks it). The
list is in the data folder, not public/: a static server must not publish it.

Kill-safe in any order: the files go first, then the store forgets them; killed in
between, the next regenerate finds the same pages and removes nothing more.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from feeds.publish.files import write_atomic
from feeds.store.protocols import StoreType
from feeds.words import count

__all__ = ["GONE_FILE", "GonePages", "withdraw_pages"]

log = logging.getLogger("feeds")

#: In the data folder: the retracted pages, one relative path a line (sorted, UTF-8).
GONE_FILE = "gone-pages.txt"


def withdraw_pages(public_dir: Path, data_dir: Path, store: StoreType) -> None:
    """Remove the pages under ``public_dir`` that no entry has any more, and write the list
    of retracted pages (the same bytes while nothing is retracted or restored)."""
    orphans = store.orphan_pages()
    for page in orphans:
        (public_dir / page).unlink(missing_ok=True)
    if orphans:
        store.forget_pages(orphans)
        log.info("removed %s of retracted or renamed articles", count(len(orphans), "page"))
    gone = store.gone_pages()
    path = data_dir / GONE_FILE
    if gone or path.exists():
        write_atomic(path, "".join(f"{page}\n" for page in gone).encode("utf-8"))


class GonePages:
    """Whether a URL path (percent-decoded, relative to public/) names a retracted page,
    from ``<data_dir>/gone-pages.txt``, read again whenever that file changes."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / GONE_FILE
        self._seen: tuple[int, int, int] | None = None
        self._pages: frozenset[str] = frozenset()

    def __call__(self, url_path: str) -> bool:
        try:
            st = os.stat(self.path)
        except OSError:
            return False
        seen = (st.st_ino, st.st_size, st.st_mtime_ns)
        if seen != self._seen:
            try:
                text = self.path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return False
            self._pages, self._seen = frozenset(text.splitlines()), seen
        return url_path.strip("/") in self._pages
