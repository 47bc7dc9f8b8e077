"""A small site for the web face's tests (#20): two sources, a story both report, a hostile
title, enough entries for an archive page; its config and store, published once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import html5lib

from feeds.models import Config, Entry, Settings, Source, SourceState, Topic
from feeds.publish.flow import regenerate
from feeds.store.sqlite.store import Store

BASE = "http://127.0.0.1:8080/"
T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
SAHEL = Topic(slug="sahel", title="Sahel <security> & co", query="sahel",
              description="Troops & coups.", exclude="football")  # fmt: skip
SPACE = Topic(slug="space", title="Space", query="orbit OR rocket")
SOURCES = (
    Source(name="wire", kind="feed", url="http://127.0.0.1:9/wire.xml", title="Sahel Wire"),
    Source(name="desk", kind="feed", url="http://127.0.0.1:9/desk.xml", title="The Desk"),
)
HOSTILE = 'Sahel <script>alert("x")</script> & "quotes" \x07'


def entry(n: int, title: str, *, source: str = "wire", lang: str = "en", link: str = "") -> Entry:
    when = T0 + timedelta(hours=n)
    return Entry(
        id=f"https://{source}.example.com/{n}", source=source, title=title,
        link=link or f"https://{source}.example.com/{n}",
        summary=f"<p>{title}: what happened in the Sahel, <b>in detail</b>, story {n}.</p>",
        content="", authors=("Staff",), published=when, updated=when, language=lang,
        hash=f"h{source}{n}",
    )  # fmt: skip


def entries() -> list[Entry]:
    found = [entry(n, f"Sahel report {n}") for n in range(1, 13)]
    found.append(entry(13, "Sahel: troops leave Ménaka after the attack", lang="fr"))
    # The same story from the other source: one story, "also reported by".
    copy = entry(14, "Sahel: troops leave Ménaka after the attack", source="desk", lang="fr")
    found.append(replace(copy, summary=found[-1].summary))
    found.append(entry(15, HOSTILE))
    found.append(entry(16, "Rocket reaches orbit", source="desk"))
    found.append(entry(17, "Sahel football final", source="desk"))
    return found


def make_site(root: Path, **settings: object) -> Config:
    """The site under ``root`` (public/, data/), published once."""
    base = Settings(base_url=BASE, public_dir=root / "public", data_dir=root / "data",
                    feed_size=10, archive_size=5, title="Desk & Wire")  # fmt: skip
    config = Config(file=root / "feeds.toml", settings=replace(base, **settings),  # type: ignore[arg-type]
                    sources=SOURCES, topics=(SAHEL, SPACE))  # fmt: skip
    with Store(root / "data" / "feeds.sqlite3") as store:
        store.upsert(entries(), now=T0 + timedelta(days=1))
        failing = SourceState(
            name="desk", status="error", message="HTTP 500 from the server", last_attempt=T0,
            next_due=T0 + timedelta(hours=1), failures=2,
        )  # fmt: skip
        ok = SourceState(name="wire", status="ok", last_attempt=T0, last_success=T0,
                         next_due=T0 + timedelta(minutes=30))  # fmt: skip
        store.save_source_state(failing, configured_url=SOURCES[1].url)
        store.save_source_state(ok, configured_url=SOURCES[0].url)
        regenerate(config, store, now=T0 + timedelta(days=1))
    return config


def assert_valid_html(data: bytes, where: str = "") -> None:
    """html5lib in strict mode: a parse error of any kind raises."""
    parser = html5lib.HTMLParser(strict=True)
    try:
        parser.parse(data)
    except html5lib.html5parser.ParseError as e:
        raise AssertionError(f"{where}: not valid HTML: {e}") from e
