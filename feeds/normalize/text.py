"""Plain-text helpers over HTML: the text of a fragment, its first paragraph, truncation.

Pure string functions used by normalize (titles, summaries, language detection) and by the
store (the FTS body). They must not sanitize for display (that is normalize's job with nh3),
fetch anything or touch the file system.

``html_to_text`` strips tags with an nh3 pass that allows no tag, then decodes entities. It
was measured against lxml fragment parsing on the reference article: nh3 is no slower, and
it never raises on broken markup or characters lxml refuses (NUL, lone
surrogates are removed first).
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import lxml.etree
import lxml.html
import nh3

__all__ = [
    "body_text",
    "first_paragraph",
    "html_to_text",
    "sanitized_text",
    "strip_illegal",
    "tame_nesting",
    "truncate_text",
]

#: Characters XML 1.0 does not allow: C0 controls except tab/LF/CR, lone surrogates,
#: U+FFFE and U+FFFF.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|caption|dd|div|dl|dt|figcaption|figure|footer|"
    "h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul"
)
#: The start of a block-level tag (opening or closing): a space goes before it, so that
#: "<p>a</p><p>b</p>" reads "a b", not "ab".
_BLOCK_START = re.compile(rf"<(?=/?(?:{_BLOCK_TAGS})\b)", re.IGNORECASE)
#: The same in serialized HTML, whose tag names html5ever and lxml write in lower case.
_SERIALIZED_BLOCK_START = re.compile(rf"<(?=/?(?:{_BLOCK_TAGS})\b)")
_NO_CONTENT = {"script", "style", "template", "noscript", "title"}
_ELLIPSIS = "…"
#: Nesting deeper than this is an attack, not an article: html5ever (nh3) takes time quadratic
#: in the depth, so such HTML is reduced to its text.
MAX_DEPTH = 1000
#: A start or end tag; ``[^<>]`` keeps the scan linear even on "<a<a<a…" without any ">".
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
_ANY_TAG = re.compile(r"<[^<>]*>")
#: Void elements and elements whose end is implied by a sibling: they do not nest.
_NO_NESTING = frozenset(
    "p li dd dt tr td th option optgroup rb rt rp thead tbody tfoot colgroup caption area "
    "base br col embed hr img input link meta source track wbr".split()
)


def strip_illegal(text: str) -> str:
    """Remove the characters XML 1.0 does not allow (they would make a feed invalid)."""
    if text.isprintable():  # none of them is printable: half the cost of the search
        return text
    return _ILLEGAL.sub("", text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of whitespace to one space and strip both ends.

    ``str.split()`` splits on exactly the characters ``\\s`` matches in a ``re`` pattern
    (``str.isspace``), at a third of the cost of ``re.sub``."""
    return " ".join(text.split())


def too_deep(html_text: str) -> bool:
    """Whether the tags of ``html_text`` nest deeper than MAX_DEPTH (a linear scan)."""
    if html_text.count("<") <= MAX_DEPTH:
        return False
    depth = 0
    for match in _TAG.finditer(html_text):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _NO_NESTING:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        if depth > MAX_DEPTH:
            return True
    return False


def tame_nesting(html_text: str) -> str:
    """``html_text`` as it is, unless it nests absurdly deep: then one ``<p>`` of its text."""
    if not too_deep(html_text):
        return html_text
    text = collapse_spaces(html.unescape(_ANY_TAG.sub(" ", html_text)))
    return f"<p>{html.escape(text, quote=False)}</p>"


def html_to_text(html_text: str) -> str:
    """The plain text of an HTML fragment.

    Tags are removed (the content of script/style too), entities decoded, block elements
    separated by a space, whitespace collapsed. Robust to any input string.
    """
    if "<" not in html_text and "&" not in html_text:
        return collapse_spaces(strip_illegal(html_text))
    spaced = _BLOCK_START.sub(" <", strip_illegal(tame_nesting(html_text)))
    bare = _text_cleaner().clean(spaced)
    # nh3 escapes &, < and > in what it returns; decode once to get the text back.
    return collapse_spaces(strip_illegal(html.unescape(bare)))


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    """An nh3 cleaner that keeps no tag, built once (``nh3.clean`` builds one per call)."""
    return nh3.Cleaner(tags=set(), clean_content_tags=_NO_CONTENT)


#: A serialized tag: attribute values in double quotes (nh3 escapes ">" in them; the pattern
#: does not count on it, for lxml's serialization of a first paragraph).
_SERIALIZED_TAG = re.compile(r'<[^>"]*(?:"[^"]*"[^>"]*)*>')


def sanitized_text(html_text: str) -> str:
    """``html_to_text`` of HTML that ``feeds.normalize.sanitize.sanitize_html`` wrote, without
    parsing it again: its tags are well formed (lower-case names, double-quoted attributes, no
    comments, no script or style), its text escaped, so removing the tags and decoding the
    entities is enough."""
    if "<" not in html_text and "&" not in html_text:
        return collapse_spaces(html_text)
    bare = _SERIALIZED_TAG.sub("", _SERIALIZED_BLOCK_START.sub(" <", html_text))
    return collapse_spaces(strip_illegal(html.unescape(bare)))


def body_text(summary: str, content: str) -> str:
    """The plain text of an entry's summary and content: what full-text search reads."""
    return html_to_text(summary + " " + content)


#: A fragment that opens with a paragraph of bare text: no markup, no entity, no ">" (lxml
#: writes "&gt;"), no carriage return. lxml would serialize that paragraph as it is written.
_PLAIN_FIRST_PARAGRAPH = re.compile(r"<p>([^<>&\r]*)</p>")


def first_paragraph(html_text: str) -> str | None:
    """The HTML of the first ``<p>`` that has some text (the element itself), else None.

    Most sanitized content opens with a paragraph of bare text: that one is read from the
    string, at a seventh of the cost of parsing it (tests/test_text.py compares both ways)."""
    if "<p" not in html_text and "<P" not in html_text:
        return None
    html_text = strip_illegal(html_text)
    plain = _PLAIN_FIRST_PARAGRAPH.match(html_text)
    if plain is not None and plain[1].strip():
        return plain[0]
    return _first_paragraph_by_lxml(html_text)


def _first_paragraph_by_lxml(html_text: str) -> str | None:
    """``first_paragraph`` by parsing (``html_text`` without XML-illegal characters)."""
    try:
        root = lxml.html.fragment_fromstring(html_text, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return None
    for p in root.iter("p"):
        if p.text_content().strip():
            result = lxml.html.tostring(p, encoding="unicode", with_tail=False)
            return str(result).strip()
    return None


def truncate_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a word boundary, with "…" if cut."""
    text = collapse_spaces(text)
    if len(text) <= limit:
        return text
    if limit <= 1:
        return _ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    # Cut at the last word boundary unless that throws away most of the text.
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + _ELLIPSIS
