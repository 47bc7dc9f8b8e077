"""IRIs to URIs (RFC 3987 §3.1), for the formats that require URIs.

Atom takes IRIs, so entries keep their links as published (``https://fr.example/été``); RSS 2.0
requires URIs wherever it takes a URL (the W3C validator says ``UriNotIri``). ``iri_to_uri``
maps one to the other: the host to IDNA (punycode), every other character that a URI cannot
hold as such (non-ASCII, space, quotes, a ``%`` that starts no escape) to UTF-8
percent-escapes; reserved characters and existing escapes stay as they are, so a URI comes
back unchanged.

``canonical_uri`` gives a URI the normalized form RFC 4287 §4.2.6.1 asks of ``atom:id``
(RFC 3986 §6.2.2 and §6.2.3): scheme and host in lower case (a percent-encoded host in
IDNA), no default or empty port, no dot-segments, "/" for an empty path after an authority,
percent-encoding only where it is needed (unreserved characters decoded, upper-case hex
digits elsewhere) and encoded text in NFC. Two ids that differ only in such ways are the
same resource, and the W3C validator says ``NonCanonicalURI`` of the other forms. Pure: no
I/O.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, unquote_to_bytes, urlsplit

__all__ = ["canonical_uri", "iri_to_uri"]

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


#: RFC 3986 appendix B, the parts of a URI reference.
_PARTS = re.compile(r"(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_SUB_DELIMS = "!$&'()*+,;="
#: What a path segment holds as such besides unreserved characters (RFC 3986 ``pchar``).
_PCHAR = _SUB_DELIMS + ":@"
_RESERVED = ":/?#[]@" + _SUB_DELIMS
#: One octet: a literal character or a percent-escape.
_OCTET = re.compile(r"%[0-9A-Fa-f]{2}|.", re.S)
_DEFAULT_PORTS = {"ftp": "21", "http": "80", "https": "443", "nntp": "119", "news": "119"}


def canonical_uri(uri: str) -> str:
    """``uri`` (a URI, as :func:`iri_to_uri` or ``quote`` leave it) in normalized form."""
    parts = _PARTS.fullmatch(uri)
    if parts is None:  # pragma: no cover - the pattern matches every string
        return uri
    scheme, authority, path, query, fragment = parts.groups()
    out = f"{scheme.lower()}:" if scheme is not None else ""
    if authority is not None:
        out += "//" + _authority(authority, _DEFAULT_PORTS.get((scheme or "").lower()))
        path = _without_dot_segments(path) or "/"
    elif path.startswith("/"):
        path = _without_dot_segments(path)
    out += "/".join(_encoded(segment, _PCHAR) for segment in path.split("/"))
    if query is not None:
        out += "?" + _encoded(query, _PCHAR + "/?")
    if fragment is not None:
        out += "#" + _encoded(fragment, _PCHAR + "/?")
    return out


def _authority(authority: str, default_port: str | None) -> str:
    userinfo, at, hostport = authority.rpartition("@")
    host, port = hostport, ""
    if not hostport.endswith("]") and ":" in hostport:  # not the end of an IPv6 literal
        host, _, port = hostport.rpartition(":")
    if "%" in host and not host.startswith("["):
        host = _ascii_host(f"//{unquote(host)}")[2:]  # a percent-encoded name: IDNA
    host = host.lower()
    if host.endswith(".") and "." in host[:-1]:  # the root label of a DNS name
        host = host[:-1]
    kept_port = f":{port}" if port and port != default_port else ""
    return f"{userinfo}{at}{host}{kept_port}"


def _without_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4 for an absolute path: "/a/./b/../c" is "/a/c"."""
    kept: list[str] = []
    segments = path.split("/")[1:]
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
        if last and segment in {".", ".."}:
            kept.append("")
    return "/" + "/".join(kept) if segments else path


def _encoded(component: str, safe: str) -> str:
    """``component`` with escapes only where needed. A reserved character keeps its form
    (literal or escaped: the two differ in meaning); runs of anything else are decoded,
    put in NFC and encoded again."""
    out: list[str] = []
    run: list[str] = []
    for octet in _OCTET.findall(component):
        char = unquote(octet) if len(octet) == 3 else octet
        if char in _RESERVED and char in safe:
            out.append(_requoted("".join(run), safe))
            out.append(octet.upper())
            run = []
        else:
            run.append(octet)
    out.append(_requoted("".join(run), safe))
    return "".join(out)


def _requoted(run: str, safe: str) -> str:
    try:
        text = unquote_to_bytes(run).decode("utf-8")
    except UnicodeDecodeError:  # not UTF-8: leave the octets, upper-case the escapes
        return _OCTET.sub(lambda m: m.group().upper() if len(m.group()) == 3 else m.group(), run)
    return quote(unicodedata.normalize("NFC", text), safe=safe)
