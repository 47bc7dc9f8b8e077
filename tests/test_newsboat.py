"""A real feed reader against the published feeds: newsboat (Debian's package, installed by
.ci/run) reloads the Atom feeds served on 127.0.0.1; its SQLite cache must hold every entry
once, and an edited article must be updated in place (same guid, one row, new content).
"""

from __future__ import annotations

import functools
import http.server
import os
import random
import shutil
import sqlite3
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import feedparser
import pytest
from helpers import feeds, scratch_site

NEWSBOAT = shutil.which("newsboat")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(NEWSBOAT is None, reason="newsboat is not installed"),
]
TOPICS = ("sahel-security", "climate-energy", "space")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {".atom": "application/atom+xml"}

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Path, str]]:
    """A scratch site whose public/ is served on 127.0.0.1; (config, base URL)."""
    config = scratch_site(tmp_path)
    public = config.parent.parent / "public"
    handler = functools.partial(_Quiet, directory=str(public))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    text = config.read_text().replace('base_url = "http://127.0.0.1:8080/"', f'base_url = "{base}"')
    config.write_text(text)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield config, base
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def reload(folder: Path, urls: list[str]) -> list[tuple[str, str, str, str]]:
    """newsboat -x reload over ``urls``; its cached items: (feed, guid, title, content)."""
    (folder / "urls").write_text("".join(u + "\n" for u in urls))
    (folder / "config").write_text("download-retries 1\ndownload-timeout 10\n")
    env = {**os.environ, "HOME": str(folder)}
    assert NEWSBOAT is not None
    result = subprocess.run(
        [NEWSBOAT, "-u", str(folder / "urls"), "-c", str(folder / "cache.db"),
         "-C", str(folder / "config"), "-x", "reload"],
        capture_output=True, text=True, timeout=120, env=env, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(folder / "cache.db") as db:
        rows = db.execute(
            "SELECT feedurl, guid, title, content FROM rss_item WHERE deleted = 0"
        ).fetchall()
    return [tuple(r) for r in rows]


def test_newsboat_stores_each_entry_once_and_updates_edits_in_place(served, tmp_path):
    config, base = served
    assert feeds(config, "update").returncode == 1  # the remote sources are offline
    public = config.parent.parent / "public"
    urls = [f"{base}{slug}.atom" for slug in TOPICS]
    reader = tmp_path / "newsboat"
    reader.mkdir()
    items = reload(reader, urls)
    # An entry in two topics is one entry (one atom:id): newsboat keeps it once.
    published = {
        e.id
        for p in public.glob("*.atom")
        if p.stem in TOPICS
        for e in feedparser.parse(p.read_bytes()).entries
    }
    keys = [guid for _, guid, _, _ in items]
    assert len(keys) == len(set(keys)), "newsboat stored an entry twice"
    assert set(keys) == published

    article = config.parent / "articles" / "chad-troops-review.en.txt"
    article.write_text(article.read_text().replace("on Thursday", "on Friday"))
    assert "1 changed" in feeds(config, "update").stdout
    again = reload(reader, urls)
    keys = [guid for _, guid, _, _ in again]
    assert len(keys) == len(set(keys)), "newsboat stored an entry twice after an update"
    assert set(keys) == published
    edited = [r for r in again if "Friday" in r[3]]
    assert len(edited) == 1
    assert edited[0][1].endswith("chad-troops-review.en.txt")
    assert not any("on Thursday it would review" in r[3] for r in again)


def test_newsboat_takes_the_topic_page_as_each_feed_s_site(served, tmp_path):
    """newsboat keeps the last ``rel="alternate"`` link of an Atom feed as the feed's site
    (#15 item 9): it must be the topic's web page, not the JSON Feed or the RSS sibling."""
    config, base = served
    feeds(config, "update")
    reader = tmp_path / "newsboat"
    reader.mkdir()
    reload(reader, [f"{base}{slug}.atom" for slug in TOPICS])
    with sqlite3.connect(reader / "cache.db") as db:
        sites = dict(db.execute("SELECT rssurl, url FROM rss_feed").fetchall())
    assert sites == {f"{base}{slug}.atom": f"{base}{slug}.html" for slug in TOPICS}
    index = (config.parent.parent / "public" / "index.html").read_text()
    assert all(f'id="topic-{slug}"' in index for slug in TOPICS)


_WORDS = (
    "orbit comet probe lander booster capsule crater nebula pulsar quasar module antenna "
    "payload thruster docking eclipse meteor aurora plasma gravity cluster galaxy telescope "
    "mirror sensor relay beacon harbor canyon glacier summit valley desert island forest"
).split()


def _burst(folder: Path, count: int) -> list[str]:
    """``count`` distinct space articles (Markdown, dated over the past months, older than
    what the topic shows): the titles."""
    rng = random.Random(14)
    titles = []
    for n in range(count):
        words = rng.sample(_WORDS, 14)
        title = f"Satellite mission {n}: {' '.join(words[:3])}"
        body = " ".join(rng.choice(_WORDS) for _ in range(40))
        day = 1 + n % 28
        folder.joinpath(f"burst-{n:02}.en.md").write_text(
            f'---\ntitle: "{title}"\ndate: 2026-0{1 + n % 9}-{day:02}T08:00:00Z\nlang: en\n---\n\n'
            f"The satellite {' '.join(words)} {body}.\n"
        )
        titles.append(title)
    return titles


def test_newsboat_gets_every_entry_of_a_burst_larger_than_feed_size(served, tmp_path):
    """Sixty articles at once with feed_size = 50 (#15 item 14): a reader that polls after
    the burst stores every one of them, though they are dated older than what it had."""
    config, base = served
    feeds(config, "update")
    reader = tmp_path / "newsboat"
    reader.mkdir()
    url = f"{base}space.atom"
    reload(reader, [url])
    titles = _burst(config.parent / "articles", 60)
    assert "60 new" in feeds(config, "update").stdout
    stored = {title for _, _, title, _ in reload(reader, [url])}
    missing = [t for t in titles if t not in stored]
    assert not missing, f"newsboat never got {len(missing)} of the burst"
