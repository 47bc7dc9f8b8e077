"""Every malformed config is one line on stderr naming the file and the key, exit code 2.

Through the real command's entry point (``feeds.cli.main.main``), so what is checked is what an
operator sees: no traceback, one ``feeds: error:`` line, the file, the key.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds.cli.main import main

GOOD = """[settings]
base_url = "http://127.0.0.1:8080/"
public_dir = "public"
data_dir = "data"

[[sources]]
name = "desk"
kind = "articles"
path = "articles"

[[topics]]
slug = "zebras"
title = "Zebras"
query = "zebra"
"""

#: (what replaces what in GOOD, or a whole text) → the key the error must name.
CASES = [
    (('base_url = "http://127.0.0.1:8080/"', 'base_url = "file:///etc/"'), "settings.base_url"),
    (('base_url = "http://127.0.0.1:8080/"', "base_url = 8080"), "settings.base_url"),
    (('data_dir = "data"', 'data_dir = "data"\nfeed_size = -1'), "settings.feed_size"),
    (('data_dir = "data"', 'data_dir = "data"\nfeed_size = true'), "settings.feed_size"),
    (('data_dir = "data"', 'data_dir = "data"\nlanguages = ["English"]'), "settings.languages[0]"),
    (('data_dir = "data"', 'data_dir = "data"\ninterval = "soon"'), "settings.interval"),
    (('data_dir = "data"', 'data_dir = "data"\nbogus = 1'), "settings.bogus"),
    (
        ('data_dir = "data"', 'data_dir = "data"\nwebsub_hubs = ["ftp://x"]'),
        "settings.websub_hubs[0]",
    ),  # noqa: E501
    (('name = "desk"', 'name = "desk"\nname = "again"'), "line"),  # a duplicate TOML key
    (('path = "articles"', 'path = "no-such-folder"'), "sources[0].path"),
    (('kind = "articles"', 'kind = "webpage"'), "sources[0].kind"),
    (('name = "desk"', 'name = "de sk"'), "sources[0].name"),
    (('name = "desk"', 'name = "desk"\ncolour = "red"'), "sources[0].colour"),
    (('slug = "zebras"', 'slug = "Zebras!"'), "topics[0].slug"),
    (('query = "zebra"', 'query = ""'), "topics[0].query"),
    (
        (GOOD, GOOD + '\n[[topics]]\nslug = "zebras"\ntitle = "Again"\nquery = "x"\n'),
        "topics[1].slug",
    ),  # noqa: E501
    ((GOOD, GOOD + '\n[[sources]]\nname = "desk"\nurl = "http://e/"\n'), "sources[1].name"),
    ((GOOD, GOOD.replace("[[sources]]", "[sources]")), "sources"),
    ((GOOD, "settings = 5\n"), "settings"),
    ((GOOD, "[settings\nbase_url = 1"), "not valid TOML"),
]
_DATA = 'data_dir = "data"'
_URL = 'base_url = "http://127.0.0.1:8080/"'
#: What held-out testing found (#15 item 10): each a traceback or silently accepted before.
CASES_15 = [
    # durations: huge, not finite
    ((_DATA, _DATA + '\ninterval = "99999999999d"'), "settings.interval"),
    ((_DATA, _DATA + '\ninterval = "400d"'), "settings.interval"),
    ((_DATA, _DATA + "\ninterval = 1e300"), "settings.interval"),
    ((_DATA, _DATA + "\ninterval = inf"), "settings.interval"),
    ((_DATA, _DATA + "\ninterval = nan"), "settings.interval"),
    (('path = "articles"', 'path = "articles"\ninterval = "15m\\n"'), "sources[0].interval"),
    # control characters and a final newline, in paths, names, slugs, languages, titles
    (('slug = "zebras"', 'slug = "zebras\\n"'), "topics[0].slug"),
    (('name = "desk"', 'name = "desk\\n"'), "sources[0].name"),
    (('name = "desk"', 'name = "desk"\nlanguage = "fr\\n"'), "sources[0].language"),
    ((_DATA, _DATA + '\nlanguages = ["en\\n"]'), "settings.languages[0]"),
    ((_DATA, 'data_dir = "da\\u0000ta"'), "settings.data_dir"),
    (('public_dir = "public"', 'public_dir = "pub\\u001blic"'), "settings.public_dir"),
    (('path = "articles"', 'path = "articles\\u0000"'), "sources[0].path"),
    (('title = "Zebras"', 'title = "Zeb\\u0000ras"'), "topics[0].title"),
    (('query = "zebra"', 'query = "zebra\\u0000"'), "topics[0].query"),
    ((_DATA, _DATA + '\n"bo\\ngus" = 1'), "settings."),
    # base_url: a query, a fragment, spaces, quotes
    ((_URL, 'base_url = "http://127.0.0.1:8080/?x=1"'), "settings.base_url"),
    ((_URL, 'base_url = "http://127.0.0.1:8080/#top"'), "settings.base_url"),
    ((_URL, 'base_url = "http://127.0.0.1:8080/my feeds/"'), "settings.base_url"),
    ((_URL, 'base_url = "http://127.0.0.1:8080/\\"x\\"/"'), "settings.base_url"),
    ((_URL, 'base_url = "http://127.0.0.1:8080/it\'s/"'), "settings.base_url"),
    ((_URL, 'base_url = "http://[::1/"'), "settings.base_url"),
    # folders: public_dir a file; the store served over HTTP
    (('public_dir = "public"', 'public_dir = "feeds.toml"'), "settings.public_dir"),
    (('data_dir = "data"', 'data_dir = "feeds.toml"'), "settings.data_dir"),
    (('public_dir = "public"', 'public_dir = "feeds.toml/public"'), "settings.public_dir"),
    (('data_dir = "data"', 'data_dir = "feeds.toml/data"'), "settings.data_dir"),
    (('data_dir = "data"', 'data_dir = "public"'), "settings.data_dir"),
    (('data_dir = "data"', 'data_dir = "public/data"'), "settings.data_dir"),
    (('data_dir = "data"', 'data_dir = "public/../public/x"'), "settings.data_dir"),
    # a local feed file that is missing or a folder
    ((GOOD, GOOD + '\n[[sources]]\nname = "wire"\npath = "wire.xml"\n'), "sources[1].path"),
    ((GOOD, GOOD + '\n[[sources]]\nname = "wire"\npath = "articles"\n'), "sources[1].path"),
    (
        (GOOD, GOOD + '\n[[sources]]\nname = "wire"\npath = "~no-such-user-x/f.xml"\n'),
        "sources[1].path",
    ),  # fmt: skip
    (
        (GOOD, GOOD + '\n[[sources]]\nname = "wire"\nurl = "http://e.test/a b"\n'),
        "sources[1].url",
    ),  # fmt: skip
]


def run_cli(config: Path, capsys) -> tuple[int, list[str]]:
    with pytest.raises(SystemExit) as exit_info:
        main(["--config", str(config), "check"])
    return int(exit_info.value.code or 0), capsys.readouterr().err.splitlines()


@pytest.mark.parametrize(("change", "key"), CASES + CASES_15)
def test_each_mistake_is_one_line_naming_file_and_key(tmp_path, capsys, change, key) -> None:
    (tmp_path / "articles").mkdir()
    config = tmp_path / "feeds.toml"
    config.write_text(GOOD.replace(*change) if change[0] != GOOD else change[1])
    code, lines = run_cli(config, capsys)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("feeds: error: "), lines
    assert str(config) in lines[0] and key in lines[0], lines[0]


@pytest.mark.parametrize("kind", ["missing", "folder", "not utf-8", "empty"])
def test_unreadable_files_are_one_line(tmp_path, capsys, kind) -> None:
    config = tmp_path / "feeds.toml"
    if kind == "folder":
        config.mkdir()
    elif kind == "not utf-8":
        config.write_bytes(b'[settings]\ntitle = "caf\xe9"\n')
    elif kind == "empty":
        config.write_bytes(b"")
    code, lines = run_cli(config, capsys)
    if kind == "empty":  # an empty config is valid: defaults, nothing to do
        assert code == 0
        return
    assert code == 2 and len(lines) == 1, lines
    assert str(config) in lines[0]


@pytest.mark.parametrize(
    ("change", "key", "query", "caret"),
    [
        (('query = "zebra"', 'query = "zebra AND (lion"'), "topics[0].query",
         "zebra AND (lion", 10),
        (('query = "zebra"', 'query = "zebra"\nexclude = "\\"unclosed"'), "topics[0].exclude",
         '"unclosed', 0),
        (('query = "zebra"', "query = \"\"\"zebra\nAND (lion\"\"\""), "topics[0].query",
         "zebra AND (lion", 10),
    ],
)  # fmt: skip
def test_a_query_mistake_shows_the_query_and_a_caret(tmp_path, capsys, change, key, query, caret):
    """As `feeds search` does: the line naming file and key, then the query, a caret under it."""
    (tmp_path / "articles").mkdir()
    config = tmp_path / "feeds.toml"
    config.write_text(GOOD.replace(*change))
    code, lines = run_cli(config, capsys)
    assert code == 2, lines
    assert lines[0].startswith("feeds: error: ") and str(config) in lines[0] and key in lines[0]
    assert lines[1:] == ["  " + query, "  " + " " * caret + "^"], lines
