"""Messages count in English: "1 entry", "2 entries", never "1 entries" (issue 15, item 6)."""

from __future__ import annotations

import re
from pathlib import Path

from helpers import feeds

from feeds.words import count, plural

#: "1 entries", "1 sources", "1 topics", "1 running sources"...: a number one and a plural.
_ONE_PLURAL = re.compile(r"(?<![\d.])1 (?:[a-z]+ )?(?:entries|sources|topics|files|runs|times)\b")


def test_count_says_one_thing_and_many_things() -> None:
    assert count(1, "entry") == "1 entry"
    assert count(0, "entry") == "0 entries"
    assert count(2, "source") == "2 sources"
    assert count(1, "topic") == "1 topic"
    assert count(3, "running source") == "3 running sources"
    assert count(1, "entry matches", "entries match") == "1 entry matches"
    assert count(5, "entry matches", "entries match") == "5 entries match"
    assert plural("day") == "days" and plural("box") == "boxes"


def one_of_each(root: Path) -> Path:
    (root / "articles").mkdir()
    (root / "articles" / "okapi.en.txt").write_text(
        "# Okapi seen in the forest\n<p>An okapi was seen.</p>\n"
    )
    config = root / "feeds.toml"
    config.write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\n\n'
        '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n\n'
        '[[topics]]\nslug = "okapis"\ntitle = "Okapis"\nquery = "okapi"\n'
    )
    return config


def test_update_and_regenerate_say_one_entry_and_one_source(tmp_path: Path) -> None:
    config = one_of_each(tmp_path)
    update = feeds(config, "-v", "update")
    assert update.returncode == 0, update.stderr
    regenerate = feeds(config, "-v", "regenerate")
    assert regenerate.returncode == 0, regenerate.stderr
    said = update.stdout + update.stderr + regenerate.stdout + regenerate.stderr
    assert "1 source: 1 new" in update.stdout
    assert "okapis: 1 entry" in update.stdout
    assert "topic okapis: published 1 entry" in update.stderr
    assert _ONE_PLURAL.findall(said) == [], said
