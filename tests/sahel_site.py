"""A small Sahel site for the tests of what a topic feed keeps (feed window, archive pages):
its settings, its topic and its entries, one story each, shared by those test modules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from feeds.models import Config, Entry, Settings, Topic
from feeds.store.sqlite.store import Store

BASE = "http://127.0.0.1:8080/"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
SAHEL = Topic(slug="sahel", title="Sahel", query="sahel")


def sahel_entry(n: int, when: datetime) -> Entry:
    """Story ``n`` of the wire, published and updated at ``when``."""
    return Entry(
        id=f"https://wire.example.com/story/{n}", source="wire", title=f"Sahel report {n}",
        link=f"https://wire.example.com/story/{n}",
        summary=f"<p>Sahel story {n}: event {n} in town {n * 7}, and what followed it.</p>",
        content="", authors=("Staff",), published=when, updated=when, language="en",
        hash=f"h{n}",
    )  # fmt: skip


def sahel_site(tmp_path: Path) -> Iterator[tuple[Config, Store]]:
    """The site's config (feed_size 5, archive_size 10, the default window) and its store."""
    settings = Settings(base_url=BASE, public_dir=tmp_path / "public",
                        data_dir=tmp_path / "data", feed_size=5, archive_size=10)  # fmt: skip
    config = Config(file=tmp_path / "feeds.toml", settings=settings, topics=(SAHEL,))
    with Store(tmp_path / "data" / "feeds.sqlite3") as store:
        yield config, store
