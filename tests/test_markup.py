"""Plain text in the published documents (feeds.publish.markup; #15, W3C validator warnings).

An Atom text construct of ``type="text"`` never holds what readers that guess take for HTML
(an end tag, a character or entity reference: the validator's ``ContainsUndeclaredHTML``):
such a text is ``type="html"``, escaped once more, and reads back as the same text. RSS
writes ``&``, ``<`` and ``>`` as hexadecimal references (``CharacterData``), the same
document. Checked on our output with lxml and feedparser, not with the validator.
"""

from __future__ import annotations

import html
import re

import feedparser
import pytest
from atomcheck import NS, assert_valid_atom, parse_xml
from test_publish import ENTRIES, SETTINGS, SOURCES, _replace

from feeds.models import Source, Topic
from feeds.publish.atom import render_atom
from feeds.publish.formats import render_rss
from feeds.publish.markup import hex_references, holds_markup, text_form

#: Plain texts: what they are, whether a guessing reader would take them for markup.
TITLES = {
    "JSON <b>markup</b> & more": True,
    "Entities &eacute;t&eacute; and &amp;": True,
    "Typographic &#8217; and &#x2019;": True,
    "A </p> stray end tag": True,
    "Fish & chips < 5 > 4": False,
    "AT&T's results": False,
    "Mali: humanitarian update <May>": False,
    "خبر عاجل: النيجر": False,
}
TOPIC = Topic(
    slug="odd", title="Tips & <b>tricks</b>", query="x", description="All &eacute;t&eacute;"
)
ODD_SOURCES = {**SOURCES, "relief": Source(name="relief", kind="feed", title="R&#233;lief</i>")}


def _entries():
    base = ENTRIES[0]
    entries = [
        _replace(base, id=f"tag:example.org,2024:odd/{i}", title=title)
        for i, title in enumerate(TITLES)
    ]
    # A link-only entry gets its title as summary, a text construct too.
    entries.append(_replace(ENTRIES[1], title="Only <i>a</i> link", summary="", content=""))
    return entries


def _atom() -> bytes:
    return render_atom(TOPIC, _entries(), settings=SETTINGS, sources=ODD_SOURCES)


def _text_constructs(root):
    paths = ["a:title", "a:subtitle", "a:entry/a:title", "a:entry/a:summary"]
    paths.append("a:entry/a:source/a:title")
    return [el for path in paths for el in root.findall(path, NS)]


@pytest.mark.parametrize(("text", "markup"), TITLES.items())
def test_holds_markup_is_what_guessing_readers_take_for_html(text, markup):
    assert holds_markup(text) is markup
    kind, value = text_form(text)
    assert kind == ("html" if markup else "text")
    assert (html.unescape(value) if markup else value) == text


def test_no_atom_text_construct_of_type_text_looks_like_html():
    root = assert_valid_atom(_atom())
    constructs = _text_constructs(root)
    assert len(constructs) >= len(TITLES) + 4
    for element in constructs:
        text = element.text or ""
        if element.get("type", "text") == "text":
            assert not re.search(r"</\w+>", text), text  # the validator's end-tag check
            assert not holds_markup(text), text
        else:
            assert element.get("type") == "html"
    html_titles = {html.unescape(e.text) for e in constructs if e.get("type") == "html"}
    assert "JSON <b>markup</b> & more" in html_titles
    assert "Tips & <b>tricks</b>" in html_titles  # the feed's own title
    assert "R&#233;lief</i>" in html_titles  # atom:source title
    assert "Only <i>a</i> link" in html_titles  # the link-only entry's summary


def test_atom_titles_read_back_as_the_same_plain_text():
    parsed = feedparser.parse(_atom())
    got = []
    for entry in parsed.entries:
        detail = entry.title_detail
        got.append(html.unescape(detail.value) if detail.type == "text/html" else detail.value)
    assert got == [e.title for e in _entries()]
    assert html.unescape(parsed.feed.title) == TOPIC.title


def test_rss_writes_hex_references_for_the_same_text():
    data = render_rss(TOPIC, _entries(), settings=SETTINGS, sources=ODD_SOURCES)
    outside_cdata = re.sub(rb"<!\[CDATA\[.*?\]\]>", b"", data, flags=re.S)
    assert not re.search(rb"&(amp|lt|gt);", outside_cdata)
    assert b"Fish &#x26; chips &#x3C; 5 &#x3E; 4" in data
    root = parse_xml(data)
    assert [t.text for t in root.iterfind("channel/item/title")] == [e.title for e in _entries()]
    assert root.findtext("channel/title") == TOPIC.title


def test_hex_references_leave_cdata_and_other_escapes():
    data = b'<a x="&amp;&quot;">&lt;b&gt; &amp;<![CDATA[&amp; <b>]]>&#13;</a>'
    assert hex_references(data) == (
        b'<a x="&#x26;&quot;">&#x3C;b&#x3E; &#x26;<![CDATA[&amp; <b>]]>&#13;</a>'
    )
    assert parse_xml(hex_references(data)).text == parse_xml(data).text


def test_names_and_terms_holding_markup_are_published_as_their_text():
    entry = _replace(
        ENTRIES[0], authors=("Ann &lt;/b&gt; B&eacute;", "Ann </b> Bé", "AT&T desk"),
        categories=("R&amp;D", "<i>Sahel</i>", "Sahel"),
    )  # fmt: skip
    root = assert_valid_atom(render_atom(TOPIC, [entry], settings=SETTINGS, sources=SOURCES))
    names = [n.text for n in root.iterfind("a:entry/a:author/a:name", NS)]
    terms = [c.get("term") for c in root.iterfind("a:entry/a:category", NS)]
    assert names == ["Ann Bé", "AT&T desk"]  # the first was escaped twice
    assert terms == ["R&D", "Sahel"]
    rss = parse_xml(render_rss(TOPIC, [entry], settings=SETTINGS, sources=SOURCES))
    creators = [c.text for c in rss.iterfind("channel/item/{*}creator")]
    assert creators == names


def test_atom_writes_ampersands_as_references():
    data = _atom()
    assert b"&amp;" not in data
    assert b"Fish &#x26; chips &lt; 5 &gt; 4" in data
