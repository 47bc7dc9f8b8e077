"""Config loading: the bundled file is valid, and every mistake names file and key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from feeds.config.loader import load_config, parse_duration
from feeds.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
[settings]
base_url = "http://example.test/feeds"
public_dir = "out"
data_dir = "state"
feed_size = 20

[[sources]]
name = "desk"
kind = "articles"
path = "articles"
interval = "5m"

[[sources]]
name = "wire"
url = "https://wire.example.test/rss"

[[topics]]
slug = "sahel"
title = "Sahel"
query = "niger OR mali"
exclude = "football"
languages = ["fr"]
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "articles").mkdir(exist_ok=True)
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_config_is_valid():
    config = load_config(ROOT / "config" / "feeds.toml")
    assert config.topic("sahel-security") is not None
    assert len(config.topics) >= 4
    assert {s.kind for s in config.sources} == {"feed", "articles"}


def test_paths_resolve_against_the_config_folder(tmp_path):
    config = load_config(write(tmp_path, GOOD))
    assert config.settings.public_dir == (tmp_path / "out").resolve()
    assert config.settings.data_dir == (tmp_path / "state").resolve()
    assert config.source("desk").path == (tmp_path / "articles").resolve()
    assert config.settings.base_url == "http://example.test/feeds/"
    assert config.source("desk").interval == timedelta(minutes=5)
    assert config.source("wire").interval == config.settings.interval
    assert config.topic("sahel").languages == ("fr",)


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        (("feed_size = 20", "feed_size = 'many'"), "settings.feed_size", "an integer"),
        (("feed_size = 20", "feed_sise = 20"), "settings.feed_sise", "unknown key"),
        (('interval = "5m"', 'interval = "soon"'), "sources[0].interval", "duration"),
        (('path = "articles"', 'path = "nowhere"'), "sources[0].path", "folder not found"),
        (('name = "wire"', 'name = "desk"'), "sources[1].name", "duplicate name"),
        (('url = "https://wire', 'url = "ftp://wire'), "sources[1].url", "http"),
        (('query = "niger OR mali"', 'query = "(niger OR"'), "topics[0].query", "position"),
        (('exclude = "football"', 'exclude = "\\"foot"'), "topics[0].exclude", "position"),
        (('slug = "sahel"', 'slug = "Sahel Security"'), "topics[0].slug", "lower-case"),
        (('languages = ["fr"]', 'languages = ["french!"]'), "topics[0].languages[0]", "tag"),
        (('kind = "articles"', 'kind = "folder"'), "sources[0].kind", "articles"),
    ],
)
def test_mistakes_name_file_and_key(tmp_path, change, key, words):
    old, new = change
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path.resolve()}: {key}: ")
    assert words in message
    assert "\n" not in message


def test_duplicate_topic_slug(tmp_path):
    text = GOOD + '\n[[topics]]\nslug = "sahel"\ntitle = "Again"\nquery = "x"\n'
    with pytest.raises(ConfigError, match=r"topics\[1\]\.slug: duplicate slug"):
        load_config(write(tmp_path, text))


def test_unreadable_and_invalid_files(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(write(tmp_path, "[settings\n"))


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("15m", 900), ("2h", 7200), ("1d", 86400), ("90s", 90), (60, 60), ("1.5h", 5400)],
)
def test_durations(value, seconds):
    assert parse_duration(value) == timedelta(seconds=seconds)


@pytest.mark.parametrize("value", ["", "soon", "-5m", 0, True, "5 weeks"])
def test_bad_durations(value):
    assert parse_duration(value) is None
