"""IRIs to URIs (RFC 3987 §3.1), for the formats that require URIs.

Atom takes IRIs, so entries keep their links as published (``https://fr.example/été``); RSS 2.0
requires URIs wherever it takes a URL (the W3C validator says ``UriNotIri``). ``iri_to_uri``
maps one to the other: the host to IDNA (punycode), every other character that a URI cannot
hold as such (non-ASCII, space, quotes, a ``%`` that starts no escape) to UTF-8
percent-escapes; reserved characters and existing escapes stay as they are, so a URI comes
back unchanged. Pure: no I/O.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

__all__ = ["iri_to_uri"]

#: What a URI may hold as such: unreserved, reserved (gen-delims, sub-delims) and escapes.
_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:/?#\[\]@]|%[0-9A-Fa-f]{2})*")
#: One character that is not one of those (a "%" counts when no two hex digits follow).
_NOT_URI = re.compile(r"%(?![0-9A-Fa-f]{2})|[^A-Za-z0-9\-._~!$&'()*+,;=:/?#\[\]@%]")


def iri_to_uri(iri: str) -> str:
    """``iri`` as a URI: IDNA host, percent-encoded UTF-8 elsewhere; a URI is returned as is."""
    if _URI_CHARS.fullmatch(iri):
        return iri
    return _NOT_URI.sub(_escape, _ascii_host(iri))


def _escape(match: re.Match[str]) -> str:
    return quote(match.group(), safe="")


def _ascii_host(iri: str) -> str:
    """``iri`` with a non-ASCII host in IDNA form (left for percent-encoding if it has none)."""
    try:
        netloc = urlsplit(iri).netloc
    except ValueError:  # e.g. an unclosed "[" of an IPv6 host
        return iri
    userinfo, at, hostport = netloc.rpartition("@")
    host, colon, port = hostport.partition(":")
    if host.isascii() or not host:
        return iri
    try:
        ascii_host = host.encode("idna").decode("ascii")
    except UnicodeError:  # a label too long for DNS: percent-encoding is still a URI
        return iri
    # The netloc comes first after "scheme://", and no ASCII scheme can hold its non-ASCII.
    return iri.replace(netloc, f"{userinfo}{at}{ascii_host}{colon}{port}", 1)
