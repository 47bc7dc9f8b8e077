"""Article files are read by what they hold, never by their name (#15 item 1)."""

from __future__ import annotations

import pytest

from feeds.errors import ParseError
from feeds.parse.sniff import article_format, recognizable
from feeds.sources.articles import read_articles, scan_articles

#: Written for these tests, in the reference format: a title line, then HTML sections.
REFERENCE = (
    "# Les pêcheurs de Mopti attendent la crue\n"
    "<section>\n<h2>Un fleuve plus bas que d’habitude</h2>\n"
    "<p>« Cette année, l’eau tarde », dit un pêcheur du port.</p>\n</section>\n"
    "<section>\n<h2>Les prix montent</h2>\n<p>Le poisson fumé coûte plus cher.</p>\n</section>\n"
)
DOCUMENT = (
    '<!DOCTYPE html>\n<html lang="en"><head><title>Harbour cranes return</title></head>'
    "<body><p>The cranes are back at work.</p></body></html>\n"
)
FRONT_MATTER = "---\ntitle: Night market opens\nlang: en\n---\nStalls *all* along the quay.\n"
MARKDOWN = "# Ferry timetable changes\n\nThe morning ferry leaves at seven.\n"
NAMES = ("story.txt", "story.html", "story.htm", "story.md", "story.markdown", "story")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (REFERENCE, "reference"),
        ("\n\n" + REFERENCE, "reference"),  # blank lines before the title
        (REFERENCE.replace("\n", "\r\n"), "reference"),
        ("# Title\n\n<section><p>x</p></section>", "reference"),
        (DOCUMENT, "html"),
        ('<?xml version="1.0"?>\n<html><body><h1>T</h1></body></html>', "html"),
        ("<!-- note -->\n<h1>T</h1><p>x</p>", "html"),
        ("<article><h1>T</h1></article>", "html"),
        (FRONT_MATTER, "markdown"),
        ("---\ntitle: T\n---\n<section><p>x</p></section>", "markdown"),
        (MARKDOWN, "markdown"),
        ("# Title\nplain words, then <b>bold</b>", "markdown"),
        ("plain text", "markdown"),
        ("<3 is not a tag\n", "markdown"),
    ],
)
def test_the_format_is_decided_by_the_text(text: str, expected: str) -> None:
    assert article_format(text) == expected


def test_a_file_without_extension_is_an_article_only_when_it_says_so() -> None:
    for text in (REFERENCE, DOCUMENT, FRONT_MATTER, MARKDOWN):
        assert recognizable(text)
    assert not recognizable("not an article\n")
    assert not recognizable("Copyright 2026, the desk.\n\nPermission is granted...\n")


@pytest.mark.parametrize("name", NAMES)
def test_the_reference_format_is_read_whatever_the_name(tmp_path, name: str) -> None:
    (tmp_path / name).write_text(REFERENCE, encoding="utf-8")
    scan = scan_articles(tmp_path)
    assert scan.failed == () and scan.problems == ()
    (item,) = scan.items
    assert item.title == "Les pêcheurs de Mopti attendent la crue"
    assert item.content is not None
    assert item.content.startswith("<section>\n<h2>Un fleuve plus bas que d’habitude</h2>")
    assert "« Cette année, l’eau tarde »" in item.content
    assert scan.files == (name,)


@pytest.mark.parametrize("name", NAMES)
def test_html_and_markdown_are_read_whatever_the_name(tmp_path, name: str) -> None:
    titles = {}
    for folder, text in (("doc", DOCUMENT), ("fm", FRONT_MATTER), ("md", MARKDOWN)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text(text, encoding="utf-8")
        (item,) = read_articles(tmp_path / folder).items
        titles[folder] = (item.title, item.language)
    assert titles == {
        "doc": ("Harbour cranes return", "en"),
        "fm": ("Night market opens", "en"),
        "md": ("Ferry timetable changes", None),
    }


def test_a_file_that_cannot_be_read_is_a_failure_not_a_note(tmp_path) -> None:
    (tmp_path / "good.html").write_text(REFERENCE, encoding="utf-8")
    (tmp_path / "no-title.html").write_text("<p>Nothing says what this is.</p>")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01")
    (tmp_path / "empty.md").write_bytes(b"")  # nothing in it to lose: a note
    (tmp_path / "LICENSE").write_text("Permission is granted.\n")  # not an article at all
    scan = scan_articles(tmp_path)
    assert [i.path for i in scan.items] == ["good.html"]
    assert scan.failed == (
        "binary.txt: binary file (NUL bytes), not an article",
        "no-title.html: no title (a <title> or <h1>, or a first line '# Title')",
    )
    assert "empty.md: empty file" in scan.problems
    assert scan.files == ("binary.txt", "empty.md", "good.html", "no-title.html")


def test_a_file_asked_for_by_name_is_read_whatever_it_looks_like(tmp_path) -> None:
    from feeds.sources.articles import read_article

    (tmp_path / "NOTES").write_text("Plain words only.\n")
    with pytest.raises(ParseError, match="^NOTES: no title"):
        read_article(tmp_path / "NOTES", root=tmp_path)
    (tmp_path / "story").write_text(REFERENCE, encoding="utf-8")
    assert read_article(tmp_path / "story", root=tmp_path).title.startswith("Les pêcheurs")
