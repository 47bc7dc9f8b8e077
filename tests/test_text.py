"""feeds.normalize.text: the plain text of sanitized HTML, worked out without parsing it again, is
the
text html_to_text finds by parsing it (normalize relies on it for every entry)."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.normalize.entry import _paragraph
from feeds.normalize.sanitize import sanitize_html
from feeds.normalize.text import (
    collapse_spaces,
    first_paragraph,
    html_to_text,
    sanitized_text,
    truncate_text,
)

#: Pieces of HTML, good and bad: quotes and ">" inside attributes, entities (also escaped
#: ones), comments, CDATA, script/style/template/noscript, raw-text elements, stray "<".
PIECES = (
    "<p>", "</p>", '<a href="x>y">', "<a href='q\"r'>", "</a>", "<br>", "<b>", "</b>",
    "<table>", "<tr>", "<td>", "</table>", "&amp;", "&lt;", "&gt;", "&nbsp;", "&#39;",
    "&quot;", "&amp;lt;", " ", "\n", "x", "é", "<", ">", '"', "'",
    '<img alt="A>B" src="/i.png">', "<!-- c -->", "<script>s</script>", "<style>t</style>",
    "<noscript>n</noscript>", "<title>T</title>", "<pre>  a  b </pre>", "<li>", "<ul>",
    "</ul>", "<h1>", "</h1>", '<div class="a">', "</div>", '<q cite="http://a/?b=1&c=2">',
    "</q>", '<abbr title="a > b">', "\x00", "\u2028", "<![CDATA[x]]>",
    "<svg><text>s</text></svg>", "<math>m</math>", "<template>t</template>",
    "<iframe>i</iframe>", "<textarea>ta</textarea>", "<select><option>o</option></select>",
    "<xmp>x</xmp>", "<plaintext>", "<P>", "</P>", "<BR>", '<DIV CLASS="b">', "</Div>",
)  # fmt: skip
HTMLISH = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=30).map(
    "".join
)
BASES = st.sampled_from([None, "http://h.example/a/"])
#: Every character Unicode or ``re`` counts as a space, and some that are not.
SPACES = "".join(c for c in map(chr, range(0x3100)) if c.isspace()) + "\u200b\ufeffx"


def test_strip_illegal_removes_exactly_what_xml_forbids_on_every_code_point():
    from feeds.normalize.text import _ILLEGAL, strip_illegal

    for code in range(0x110000):
        c = chr(code)
        assert strip_illegal(f"a{c}b") == _ILLEGAL.sub("", f"a{c}b"), hex(code)
    assert strip_illegal("Sahel\x00 \ud800é\uffff\n") == "Sahel é\n"


def test_collapse_spaces_is_the_regular_expression_it_replaces():
    pattern = re.compile(r"\s+")
    for c in map(chr, range(0x110000)):  # split() and \s agree on every character
        assert (pattern.fullmatch(c) is not None) == (collapse_spaces(f"a{c}b") == "a b")


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(SPACES)))
def test_collapse_spaces_on_runs(text):
    assert collapse_spaces(text) == re.sub(r"\s+", " ", text).strip()


@settings(max_examples=2000, suppress_health_check=list(HealthCheck), deadline=None)
@given(HTMLISH, BASES)
def test_text_of_sanitized_html_is_the_text_of_parsing_it(fragment, base):
    clean = sanitize_html(fragment, base)
    assert sanitized_text(clean) == html_to_text(clean)


@settings(max_examples=1000, suppress_health_check=list(HealthCheck), deadline=None)
@given(HTMLISH, BASES)
def test_text_of_a_derived_summary_is_the_text_of_parsing_it(fragment, base):
    clean = sanitize_html(fragment, base)
    summary = first_paragraph(clean) or _paragraph(truncate_text(sanitized_text(clean), 400))
    assert sanitized_text(summary) == html_to_text(summary)


@settings(max_examples=1000, suppress_health_check=list(HealthCheck), deadline=None)
@given(HTMLISH, BASES)
def test_first_paragraph_of_sanitized_html_is_the_one_lxml_finds(fragment, base):
    from feeds.normalize.text import _first_paragraph_by_lxml, strip_illegal

    clean = sanitize_html(fragment, base)
    assert first_paragraph(clean) == _first_paragraph_by_lxml(strip_illegal(clean))


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.text(), HTMLISH)
def test_a_plain_first_paragraph_is_what_lxml_serializes(text, rest):
    """The bare-text paragraph read from the string, on any text (all of Unicode, spaces,
    controls, surrogates) and anything after it, is the paragraph lxml finds and writes."""
    from feeds.normalize.text import _first_paragraph_by_lxml, strip_illegal

    html = f"<p>{text}</p>{rest}"
    assert first_paragraph(html) == _first_paragraph_by_lxml(strip_illegal(html))


def test_first_paragraph_reads_a_plain_paragraph_from_the_string(monkeypatch):
    import feeds.normalize.text

    def no_parsing(html):
        raise AssertionError(f"parsed {html!r}")

    monkeypatch.setattr(feeds.normalize.text, "_first_paragraph_by_lxml", no_parsing)
    assert first_paragraph("<p>L’armée « a » dit</p><p>b</p>") == "<p>L’armée « a » dit</p>"


def test_sanitized_text_reads_quoted_angle_brackets_and_escaped_entities():
    html = '<p>a <a href="http://x/?q=1&amp;r=&gt;">b &amp;lt; c</a></p><p>d&nbsp;e</p>'
    assert sanitized_text(html) == html_to_text(html) == "a b &lt; c d e"
