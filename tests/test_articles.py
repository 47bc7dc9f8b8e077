"""read_articles / read_article over tests/data/articles/ (and tmp_path for odd files)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds.errors import ParseError
from feeds.sources.articles import MAX_ARTICLE_BYTES, read_article, read_articles

DATA = Path(__file__).parent / "data" / "articles"


@pytest.fixture(scope="module")
def parsed():
    return read_articles(DATA)


def by_path(parsed, path):
    return next(i for i in parsed.items if i.path == path)


def test_files_sorted_and_skipped(parsed):
    assert [i.path for i in parsed.items] == [
        "cafe-latin1.fr.txt",
        "elections/bamako.md",
        "harbour-notes.txt",
        "port-strike.html",
        "river-report.en.md",
        "sahel-elevage.fr.txt",
    ]  # no hidden files, no _draft.md, no _partials/, no README


def test_problems_name_the_file(parsed):
    assert parsed.problems == (
        "binary.txt: binary file (NUL bytes), not an article",
        "cafe-latin1.fr.txt: not UTF-8, read as cp1252",
        "empty.md: empty file",
        "no-title.md: no title (first line must be '# Title', or front matter 'title')",
    )


def test_reference_format(parsed):
    item = by_path(parsed, "sahel-elevage.fr.txt")
    assert item.title == "Les éleveurs du Sahel face à la saison sèche"
    assert item.content is not None
    assert item.content.startswith("<section>\n<h2>Des puits qui s’assèchent plus tôt</h2>")
    assert "« Nous marchons" in item.content
    assert item.language == "fr"  # from the file name
    assert item.published is None and item.summary is None and item.link is None
    assert item.file_time is not None and item.file_time.tzinfo is UTC


def test_file_time_is_mtime(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("# Title\n<p>x</p>\n", encoding="utf-8")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    item = read_article(path, root=tmp_path)
    assert item.file_time == datetime.fromtimestamp(1_700_000_000, UTC)
    assert item.path == "a.txt"


def test_html_document(parsed):
    item = by_path(parsed, "port-strike.html")
    assert item.title == "Dock workers end a three-day strike"
    assert item.content is not None and "<h1>" not in item.content  # the h1 became the title
    assert item.content.startswith("<p>Cranes were moving")
    assert item.authors == ("Priya Nair",)
    assert item.published == datetime(2024, 4, 3, 13, 20, tzinfo=UTC)
    assert item.link == "https://news.example.com/2024/port-strike?utm_campaign=x"
    assert item.language == "en-gb"
    assert item.categories == ("labour", "ports")


def test_html_title_from_h1_only(tmp_path):
    (tmp_path / "x.htm").write_text(
        "<html><body><h1>Only &amp; heading</h1><p>Body</p></body></html>", encoding="utf-8"
    )
    item = read_article(tmp_path / "x.htm", root=tmp_path)
    assert item.title == "Only &amp; heading"
    assert item.content == "<p>Body</p>"


def test_markdown_with_front_matter(parsed):
    item = by_path(parsed, "elections/bamako.md")
    assert item.title == "Bamako : les bureaux de vote ouvrent à l'heure"
    assert item.content is not None and "<h1>" not in item.content  # repeated heading dropped
    assert "<strong>dès sept heures</strong>" in item.content
    assert item.published == datetime(2024, 7, 14, tzinfo=UTC)  # a date alone: midnight UTC
    assert item.authors == ("Moussa Keïta", "Claire Dubois")
    assert item.categories == ("élections", "Mali")
    assert item.language == "fr"
    assert item.summary == "<p>Une matinée calme dans la capitale.</p>"


def test_markdown_setext_heading_and_raw_html(parsed):
    item = by_path(parsed, "river-report.en.md")
    assert item.title == "River levels keep rising"
    assert item.content is not None and "<em>above</em>" in item.content
    assert "<script>" in item.content  # kept raw: normalize sanitizes
    assert item.language == "en"


def test_plain_txt_reads_as_markdown(parsed):
    item = by_path(parsed, "harbour-notes.txt")
    assert item.title == "Notes from the harbour master"
    assert item.content is not None and item.content.count("<p>") == 2
    assert item.language is None


def test_latin1_file(parsed):
    item = by_path(parsed, "cafe-latin1.fr.txt")
    assert item.title == "Le café du port rouvre"
    assert item.content is not None and "saison d’été" in item.content  # cp1252 0x92


def test_utf16_and_bom(tmp_path):
    (tmp_path / "u16.md").write_bytes("# Été\n\nTexte.\n".encode("utf-16"))
    (tmp_path / "bom.md").write_bytes("\ufeff# Hiver\n\nTexte.\n".encode())
    feed = read_articles(tmp_path)
    assert [i.title for i in feed.items] == ["Hiver", "Été"]
    assert feed.problems == ()


def test_front_matter_edge_cases(tmp_path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: 1999\ndate: someday\ntags: a, b\nurl: https://x.example/a\n---\nText\n",
        encoding="utf-8",
    )
    (tmp_path / "b.md").write_text("---\ntitle: [unclosed\n---\nText\n", encoding="utf-8")
    (tmp_path / "c.md").write_text(
        "---\ntitle: Dated\ndate: 2024-05-06T10:00:00+02:00\nlang: en-US\n---\nText\n",
        encoding="utf-8",
    )
    feed = read_articles(tmp_path)
    a, c = feed.items
    assert a.title == "1999" and a.categories == ("a", "b") and a.link == "https://x.example/a"
    assert a.published is None
    assert c.published == datetime(2024, 5, 6, 8, 0, tzinfo=UTC)
    assert c.language == "en-US"
    assert feed.problems[0] == "a.md: front matter 'date': not a date ('someday'), ignored"
    assert feed.problems[1].startswith("b.md: bad front matter")


def test_too_large_file_is_a_problem(tmp_path):
    (tmp_path / "big.txt").write_bytes(b"# Big\n" + b"x" * MAX_ARTICLE_BYTES)
    feed = read_articles(tmp_path)
    assert feed.items == ()
    assert feed.problems[0].startswith("big.txt: too large")


def test_reference_format_without_title_text(tmp_path):
    (tmp_path / "t.txt").write_text("<section><p>No title line</p></section>", encoding="utf-8")
    feed = read_articles(tmp_path)
    # Markup first: read as HTML (feeds.parse.sniff), which names every way to a title.
    assert feed.problems == ("t.txt: no title (a <title> or <h1>, or a first line '# Title')",)


def test_read_article_raises_for_one_bad_file():
    with pytest.raises(ParseError, match="^empty.md: empty file$"):
        read_article(DATA / "empty.md", root=DATA)


def test_missing_folder(tmp_path):
    with pytest.raises(ParseError, match="not a folder"):
        read_articles(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ParseError):
        read_articles(tmp_path / "file.txt")


def test_empty_folder(tmp_path):
    feed = read_articles(tmp_path)
    assert feed.items == () and feed.problems == ()


def test_two_files_that_would_share_a_page_keep_the_first(tmp_path):
    (tmp_path / "story.html").write_text(
        "<html><head><title>One</title></head><body><p>a</p></body></html>"
    )
    (tmp_path / "story.md").write_text("# Two\n\nb\n")
    parsed = read_articles(tmp_path)
    assert [i.path for i in parsed.items] == ["story.html"]
    assert parsed.problems == (
        "story.md: skipped, it would share its page with story.html; rename one",
    )
