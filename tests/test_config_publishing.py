"""The publishing settings of issue 5: rss, json_feed, archive_size, websub_hubs, dedupe."""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.config.loader import parse_config
from feeds.errors import ConfigError

PATH = Path("/srv/feeds/config/feeds.toml")


def settings(**table):
    return parse_config({"settings": table}, path=PATH).settings


def test_defaults():
    s = settings()
    assert (s.rss, s.json_feed, s.archive_size, s.websub_hubs, s.dedupe) == (
        True, True, 100, (), True,
    )  # fmt: skip


def test_values():
    s = settings(rss=False, json_feed=False, archive_size=0, dedupe=False,
                 websub_hubs=["https://hub.example/", "https://hub.example/"])  # fmt: skip
    assert (s.rss, s.json_feed, s.archive_size, s.dedupe) == (False, False, 0, False)
    assert s.websub_hubs == ("https://hub.example/",)


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"rss": "yes"}, "settings.rss"),
        ({"json_feed": 1}, "settings.json_feed"),
        ({"archive_size": 5}, "settings.archive_size"),
        ({"archive_size": True}, "settings.archive_size"),
        ({"websub_hubs": "https://hub.example/"}, "settings.websub_hubs"),
        ({"websub_hubs": ["ftp://hub.example/"]}, "settings.websub_hubs[0]"),
        ({"websub_hubs": [3]}, "settings.websub_hubs[0]"),
        ({"dedupe": "no"}, "settings.dedupe"),
    ],
)
def test_mistakes_name_the_key(table, key):
    with pytest.raises(ConfigError) as info:
        settings(**table)
    assert info.value.key == key
