"""``feeds init [DIR]``: a commented starter site, ready for ``feeds update``.

Writes ``DIR/config/feeds.toml`` (every setting explained, one articles source, one example
feed source left commented, one topic) and ``DIR/config/articles/`` with a first article, so
that ``cd DIR && feeds update`` publishes a feed at once. It never overwrites a file; it does
not fetch, ingest or publish anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from feeds.errors import FeedsError

STARTER_CONFIG = """\
# feeds: the sources to watch and the topics to publish. Relative paths are resolved
# against this file's folder. Check it with `feeds check`; publish with `feeds update`;
# every key is described in the README ("Configuration").

[settings]
base_url = "http://127.0.0.1:8080/"   # where public/ is served; self links and ids use it
public_dir = "../public"              # the published feeds, index.html and feeds.opml
data_dir = "../data"                  # the SQLite store and the lock
feed_size = 50                        # entries per topic feed
languages = ["en", "fr"]              # what language detection may answer
title = "My feeds"                    # shown on index.html and in feeds.opml
interval = "30m"                      # how often a source is read, unless it says otherwise

# --- Sources: add more with `feeds add URL` or `feeds add --articles FOLDER` ----------------

[[sources]]
name = "desk"                         # unique; used in status, ids and `source:` queries
kind = "articles"                     # a folder of article files (.md, .txt, .html)
path = "articles"
interval = "5m"
author = "The desk"                   # for articles that name no author

# A web feed (RSS, Atom or JSON Feed). `feeds add https://example.org/` finds it for you.
# [[sources]]
# name = "example"
# kind = "feed"
# url = "https://example.org/feed.xml"
# language = "en"                     # only when the feed does not say

# --- Topics: saved searches over every stored entry; one Atom feed each ---------------------
# Try a query first: feeds search 'climate OR climat*'

[[topics]]
slug = "welcome"                      # public/welcome.atom
title = "Welcome"
query = 'welcome OR bienvenue'        # words, "phrases", OR, -word, prefix*, title:, lang:
# exclude = 'football'                # entries matching this are left out
# languages = ["en", "fr"]            # only entries in these languages
"""

STARTER_ARTICLE = """\
---
title: Welcome to feeds
author: The desk
lang: en
tags: [welcome]
---

Drop article files into this folder: Markdown like this one, plain text with a first line
`# Title`, or HTML. `feeds update` reads them, and every topic whose query matches
publishes them. This one matches the *welcome* topic of `config/feeds.toml`.
"""


@dataclass(frozen=True, slots=True)
class Site:
    config: Path
    articles: Path
    created: tuple[Path, ...]


def init_site(folder: Path) -> Site:
    """Write the starter config and articles folder under ``folder``; FeedsError if present."""
    config = folder / "config" / "feeds.toml"
    articles = config.parent / "articles"
    if config.exists():
        raise FeedsError(f"{config} already exists: edit it, or run `feeds init` in another folder")
    created: list[Path] = []
    try:
        articles.mkdir(parents=True, exist_ok=True)
        config.write_text(STARTER_CONFIG, encoding="utf-8")
        created.append(config)
        welcome = articles / "welcome.md"
        if not welcome.exists():
            welcome.write_text(STARTER_ARTICLE, encoding="utf-8")
            created.append(welcome)
    except OSError as e:
        raise FeedsError(f"cannot write the starter site in {folder}: {e.strerror or e}") from e
    return Site(config=config, articles=articles, created=tuple(created))
