"""Authors and contributors in the fast path, as feedparser's author handlers build them.

Pure: no I/O; imports only lxml and the fast path's common pieces.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from feeds.parse.fast.common import Declined, Fields, _attrs, _Doc, _finish, _leaf, _text

#: feedparser's e-mail pattern in RSS <author> (mixin._sync_author_detail).
_EMAIL: Final = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""  # noqa: E501
)


def _read_author(doc: _Doc, fields: Fields, el: etree._Element) -> None:
    """An author into an entry's or the feed's fields: feedparser runs the same handlers in
    either context."""
    fields.setdefault("authors", []).append({})
    if len(el):
        pieces = [el.text or ""]
        for child in el:
            _author_part(doc, fields, child)
            pieces.append(child.tail or "")
        text = _finish("".join(pieces).strip())
    else:
        text = _text(doc, el)
    fields["author"] = text
    _sync_author(fields)


def _author_part(doc: _Doc, fields: Fields, el: etree._Element) -> None:
    name = doc.name(el)
    _attrs(el)
    if name in ("name", "email"):
        value = _leaf(el)  # feedparser pushes these "not expecting text": only stripped
    elif name in ("uri", "url", "homepage"):
        name, value = "href", _text(doc, el, relative=True)
    else:
        raise Declined(f"<{el.tag}> in an author")
    # feedparser's _save_author. Its "author_detail" may be an earlier author's dict (see
    # _sync_author): writing to it rewrites that author.
    fields.setdefault("author_detail", {})[name] = value
    _sync_author(fields)
    fields["authors"][-1][name] = value


def _sync_author(fields: Fields) -> None:
    """feedparser's _sync_author_detail: the author string from the last author's details,
    or (no details yet) the details from the author string."""
    detail = fields["authors"][-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            fields["author"] = f"{name} ({email})"
        elif name:
            fields["author"] = name
        elif email:
            fields["author"] = email
        return
    author = fields.get("author")
    if not author:
        return
    email = None
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        fields.setdefault("author_detail", detail)  # this very dict, not a copy
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def _person(doc: _Doc, el: etree._Element) -> None:
    """An author or contributor whose details feed.py does not read (name, email, uri)."""
    for child in el:
        if doc.name(child) not in ("name", "email", "uri", "url", "homepage"):
            raise Declined(f"<{child.tag}> in <{el.tag}>")
        _attrs(child)
        _leaf(child)
