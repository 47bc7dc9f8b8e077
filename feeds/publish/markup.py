"""Text and markup in the published documents: which form a plain text takes so that every
reader reads it back as itself.

Entries hold plain text (titles, names) and HTML (summaries, content). A plain text that an
HTML reader could take for markup ("JSON <b>tips</b>", "&eacute;", "&#8217;") is ambiguous in
an Atom ``type="text"`` construct to readers that guess (the W3C Feed Validator warns:
``ContainsUndeclaredHTML``), so it is published as the HTML that shows it, escaped once more,
with ``type="html"``, which every Atom reader reads back as the text; any other text stays
``type="text"`` as it is. RSS has no type: its titles are plain text (the RSS Advisory Board's
advice; newsboat shows them literally, so escaping them once more would show the escapes),
written once escaped with ``&``, ``<`` and ``>`` as hexadecimal character references
(``&#x26;``), the form its profile recommends for plain text (the validator's
``CharacterData``). Names and category terms have no type in either format: one that holds
markup is HTML a source put there, published as its text; and Atom documents write ``&`` as
``&#x26;`` too, so that a name such as "R&D2" is not taken for a reference either (the
validator looks for ``&#x`` on the line).

Pure string functions: no I/O, nothing else of publish imported.
"""

from __future__ import annotations

import html
import html.entities
import re
from collections.abc import Iterable

from lxml import etree

from feeds.normalize.text import collapse_spaces, html_to_text, strip_illegal

__all__ = [
    "clean",
    "esc",
    "hex_references",
    "holds_markup",
    "names",
    "set_text_construct",
    "text_form",
]

#: An end tag ("</b>"): what readers that guess take for HTML (feedparser, the validator).
_END_TAG = re.compile(r"</\w+>")
#: A reference ("&#8217", "&eacute"): markup when numeric or a known entity name.
_REFERENCE = re.compile(r"&(#?\w+)")
_ENTITIES = frozenset(name.rstrip(";") for name in html.entities.html5)
#: The escapes lxml writes in text and attribute values, as character references.
_HEX = {b"&amp;": b"&#x26;", b"&lt;": b"&#x3C;", b"&gt;": b"&#x3E;"}
_ESCAPE = re.compile(rb"&(?:amp|lt|gt);")
_AMPERSAND = re.compile(rb"&amp;")
#: A CDATA section, left as it is (its text is not escaped: there is nothing to change).
_CDATA = re.compile(rb"(<!\[CDATA\[.*?\]\]>)", re.S)


def clean(text: str | None) -> str:
    """``text`` without the characters that cannot appear in XML (``None`` gives "")."""
    return strip_illegal(text) if text else ""


def esc(text: str | None) -> str:
    """``text`` cleaned and escaped for HTML (quotes too: safe in an attribute)."""
    return html.escape(clean(text), quote=True)


def holds_markup(text: str) -> bool:
    """Whether a reader guessing HTML would read ``text`` as something other than itself: it
    holds an end tag or a character or entity reference ("AT&T" and "<May>" do not)."""
    if _END_TAG.search(text):
        return True
    return any(not name.isalpha() or name in _ENTITIES for name in _REFERENCE.findall(text))


def names(values: Iterable[str]) -> list[str]:
    """Names or terms as published: cleaned, stripped, non-empty, first occurrence kept. One
    that holds markup is the HTML a source put there ("Ann &lt;/b&gt;", "&eacute;"): its text.
    (Atom names are no text construct: no type can say it, and the validator warns.)"""
    plain = (clean(v).strip() for v in values)
    return list(dict.fromkeys(v for v in (_plain(p) for p in plain) if v))


def _plain(value: str) -> str:
    """``value`` decoded as HTML while it holds markup (a source may escape it twice)."""
    for _ in range(3):
        if not holds_markup(value):
            break
        value, before = collapse_spaces(html_to_text(value)), value
        if value == before:  # "R&D2": a reference to nothing, that stays
            break
    return value


def text_form(text: str) -> tuple[str, str]:
    """An Atom text construct of the plain ``text``: (``type``, element text)."""
    if holds_markup(text):
        return "html", html.escape(text, quote=False)
    return "text", text


def set_text_construct(element: etree._Element, text: str) -> None:
    """Make ``element`` the Atom text construct of the plain ``text`` (``type="html"`` if it
    holds markup; else its type attribute, whose default is text, is left as it is)."""
    kind, value = text_form(text)
    element.text = value
    if kind == "html":
        element.set("type", kind)


def hex_references(xml: bytes, *, ampersands_only: bool = False) -> bytes:
    """Serialized XML with ``&amp;``, ``&lt;`` and ``&gt;`` (or ``&amp;`` only) written
    ``&#x26;``, ``&#x3C;`` and ``&#x3E;`` outside CDATA sections: the same document,
    character for character."""
    escape = _AMPERSAND if ampersands_only else _ESCAPE
    parts = _CDATA.split(xml)
    for i in range(0, len(parts), 2):  # even parts are outside CDATA
        parts[i] = escape.sub(lambda m: _HEX[m.group()], parts[i])
    return b"".join(parts)
