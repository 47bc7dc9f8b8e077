"""RFC 5005 archive documents never change once published (#15 item 15): only complete
pages (``archive_size`` entries) are published as archive documents (``fh:archive``); the
current feed links back to the newest of them and holds every entry none of them holds, so
the current feed and the archives hold the whole history at every moment.

Real SQLite files and public/ folders, every Atom document checked against the schema.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from atomcheck import NS, assert_valid_atom
from sahel_site import BASE, T0, sahel_entry, sahel_site

from feeds.models import Entry
from feeds.publish.flow import regenerate

FH = "{http://purl.org/syndication/history/1.0}archive"


def entry(n: int) -> Entry:
    return sahel_entry(n, T0 + timedelta(hours=n))


@pytest.fixture
def site(tmp_path):
    # The default window ("2d"): feed_window is not given.
    yield from sahel_site(tmp_path)


def ids_of(root) -> set[str]:
    return {e.findtext("a:id", namespaces=NS) for e in root.findall("a:entry", NS)}


def archive_documents(public: Path) -> dict[Path, bytes]:
    """Every published Atom document that says it is an archive document."""
    found = {}
    for path in public.rglob("*.atom"):
        if assert_valid_atom(path.read_bytes()).find(FH) is not None:
            found[path] = path.read_bytes()
    return found


def reachable(public: Path) -> set[str]:
    """The ids in the current feed and in every archive page reached by prev-archive."""
    root = assert_valid_atom((public / "sahel.atom").read_bytes())
    ids = ids_of(root)
    href = root.find("a:link[@rel='prev-archive']", NS)
    while href is not None:
        page = assert_valid_atom((public / href.get("href").removeprefix(BASE)).read_bytes())
        assert page.find(FH) is not None
        ids |= ids_of(page)
        href = page.find("a:link[@rel='prev-archive']", NS)
    return ids


def test_an_archive_document_never_changes_once_published(site):
    config, store = site
    public = config.settings.public_dir
    published: dict[Path, bytes] = {}
    for n in range(1, 36):  # one a day: each soon leaves the two-day window
        store.upsert([entry(n)], now=T0 + timedelta(days=n))
        regenerate(config, store, now=T0 + timedelta(days=n))
        documents = archive_documents(public)
        for path, data in published.items():
            assert documents.get(path) == data, f"{path.name} changed after entry {n}"
        for path, data in documents.items():
            assert len(ids_of(assert_valid_atom(data))) == 10, f"{path.name} is not complete"
            published.setdefault(path, data)
        assert reachable(public) == {entry(k).id for k in range(1, n + 1)}
    assert len(published) == 3


def test_the_current_feed_holds_what_no_complete_page_holds(site):
    config, store = site
    config = replace(config, settings=replace(config.settings, feed_window=timedelta(0)))
    store.upsert([entry(n) for n in range(1, 19)], now=T0)
    regenerate(config, store, now=T0)
    public = config.settings.public_dir
    root = assert_valid_atom((public / "sahel.atom").read_bytes())
    # Entries 1-10 make page 1; 11-18 are in no page yet: the current feed holds all eight.
    assert ids_of(root) == {entry(n).id for n in range(11, 19)}
    back = root.find("a:link[@rel='prev-archive']", NS).get("href")
    assert back.endswith("/1.atom")
    assert [p.name for p in archive_documents(public)] == ["1.atom"]
    assert not list(public.rglob("archive/**/2.atom"))


def test_a_page_an_older_version_left_open_is_taken_down(site, caplog):
    """Before #15 item 15 the newest page was published while open (with fh:archive): the
    next render removes it (its entries are in the current feed) until it is complete."""
    config, store = site
    store.upsert([entry(n) for n in range(1, 16)], now=T0)
    regenerate(config, store, now=T0)
    public = config.settings.public_dir
    [complete] = public.rglob("archive/sahel/*/1.atom")
    stale = complete.with_name("2.atom")
    stale.write_bytes(complete.read_bytes())  # what an older version left there
    store.upsert([entry(16)], now=T0 + timedelta(hours=1))
    with caplog.at_level("INFO", logger="feeds"):
        regenerate(config, store, now=T0 + timedelta(hours=1))
    assert not stale.exists() and "not complete" in caplog.text
    assert reachable(public) == {entry(n).id for n in range(1, 17)}
    store.upsert([entry(n) for n in range(17, 21)], now=T0 + timedelta(hours=2))
    regenerate(config, store, now=T0 + timedelta(hours=2))
    assert len(ids_of(assert_valid_atom(stale.read_bytes()))) == 10  # complete: back
