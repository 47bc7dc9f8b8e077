"""Which format an article file is in, decided from its text alone, never from its name.

Pure: one function over a string, no I/O. Editors name files as they please (the reference
format arrives as ``.txt``, ``.html``, ``.md`` or with no extension at all), so a name only
says whether a file is a candidate (``feeds.parse.articles``); what it holds decides how it
is read (#15 item 1). The rule, first match wins, after leading blank lines:

1. **reference**: a first line ``# Title`` followed by HTML markup (the format of
   ``../shared/samples/``: ``<section>``s with ``<h2>`` and ``<p>``);
2. **markdown**: YAML front matter (a first line ``---``);
3. **html**: a document or fragment that starts with markup (a doctype, ``<html>``, an XML
   declaration, a comment or any tag);
4. **markdown**: anything else. A file with no extension is an article only when its text
   says so (``recognizable``): a README or LICENSE beside the articles is not one.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Format", "article_format", "recognizable", "strip_leading_blank_lines"]

Format = Literal["reference", "html", "markdown"]

#: Markup at the start of a text: a comment, a doctype or XML declaration, or a tag.
_MARKUP_START = re.compile(r"\s*<(?:!--|!doctype[\s>]|\?xml[\s?]|[a-z][a-z0-9-]*[\s/>])", re.I)
_TITLE_LINE = re.compile(r"# +\S")
_FRONT_MATTER = re.compile(r"---[ \t]*\r?\n")
_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n)+")


def strip_leading_blank_lines(text: str) -> str:
    """``text`` without the empty or blank lines before its first line of text."""
    match = _BLANK_LINES.match(text)
    return text[match.end() :] if match else text


def article_format(text: str) -> Format:
    """The format ``text`` (a decoded article file) is written in; see the module rule."""
    text = strip_leading_blank_lines(text)
    first, _, rest = text.partition("\n")
    if _TITLE_LINE.match(first) and _MARKUP_START.match(rest):
        return "reference"
    if _FRONT_MATTER.match(text):
        return "markdown"
    if _MARKUP_START.match(text):
        return "html"
    return "markdown"


def recognizable(text: str) -> bool:
    """Whether ``text`` says by itself that it is an article (for files without an
    extension): the reference format, front matter, markup, or a first line ``# Title``."""
    text = strip_leading_blank_lines(text)
    if article_format(text) != "markdown":
        return True
    return bool(_FRONT_MATTER.match(text) or _TITLE_LINE.match(text))
