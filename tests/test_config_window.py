"""The settings of #15 item 14: ``feed_window`` and ``feed_max``, checked at load with the
file and the key named."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from feeds.config.loader import load_config, parse_config
from feeds.errors import ConfigError

PATH = Path("/srv/feeds/config/feeds.toml")


def settings(**table):
    return parse_config({"settings": table}, path=PATH).settings


def test_defaults_keep_two_days_up_to_500_stories():
    s = settings()
    assert (s.feed_window, s.feed_max) == (timedelta(days=2), 500)
    # Never below what the current feed must hold: feed_size + archive_size.
    assert settings(feed_size=1000, archive_size=200).feed_max == 1200


@pytest.mark.parametrize(
    ("value", "window"),
    [("36h", timedelta(hours=36)), ("1d", timedelta(days=1)), (3600, timedelta(hours=1)),
     (0, timedelta(0)), ("0", timedelta(0)), ("365d", timedelta(days=365))],
)  # fmt: skip
def test_feed_window_values(value, window):
    assert settings(feed_window=value).feed_window == window


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"feed_window": "soon"}, "settings.feed_window"),
        ({"feed_window": True}, "settings.feed_window"),
        ({"feed_window": -1}, "settings.feed_window"),
        ({"feed_window": "366d"}, "settings.feed_window"),
        ({"feed_window": float("inf")}, "settings.feed_window"),
        ({"feed_window": float("nan")}, "settings.feed_window"),
        ({"feed_window": 10**30}, "settings.feed_window"),
        ({"feed_max": "many"}, "settings.feed_max"),
        ({"feed_max": True}, "settings.feed_max"),
        ({"feed_max": 149}, "settings.feed_max"),  # feed_size 50 + archive_size 100
        ({"feed_max": 100_001, "archive_size": 0}, "settings.feed_max"),
    ],
)
def test_mistakes_name_the_file_and_the_key(table, key):
    with pytest.raises(ConfigError) as info:
        settings(**table)
    assert info.value.key == key
    assert str(PATH) in str(info.value)


def test_a_config_file_with_a_window(tmp_path):
    path = tmp_path / "feeds.toml"
    path.write_text('[settings]\nfeed_window = "12h"\nfeed_max = 300\n')
    s = load_config(path).settings
    assert (s.feed_window, s.feed_max) == (timedelta(hours=12), 300)
    path.write_text('[settings]\nfeed_window = "forever"\n')
    with pytest.raises(ConfigError, match="settings.feed_window") as info:
        load_config(path)
    assert str(path) in str(info.value)
