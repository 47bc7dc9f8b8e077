"""RSS 2.0 takes URIs, not IRIs, wherever it takes a URL (#15 item 12).

The W3C validator reported ``UriNotIri`` on our RSS: links with non-ASCII paths, queries and
hosts were written as published. Here every URL-valued element and attribute of the RSS
sibling must be a URI (ASCII, with IDNA hosts and percent-escapes), pointing at the same
resource; Atom, which takes IRIs, keeps them.
"""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree
from test_publish import ENTRIES, SAHEL, SETTINGS, SOURCES, _replace

from feeds.models import Source
from feeds.normalize.uri import iri_to_uri
from feeds.publish.formats import render_rss

ATOM = "{http://www.w3.org/2005/Atom}"
#: RFC 3986: unreserved, reserved and percent-escapes, nothing else.
URI = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:/?#\[\]@]|%[0-9A-Fa-f]{2})+")
IRIS = {
    "path": "https://fr.example.net/2024/été/pluies à Niamey",
    "query": "https://fr.example.net/recherche?q=dégâts&lieu=Ségou",
    "host": "https://actualités.example/sahel/",
    "fragment": "https://fr.example.net/a#résumé",
    "all": "http://пример.испытание:8080/путь/%zz?ключ=значение#я",
}


def rss_urls(data: bytes) -> list[str]:
    """Every value RSS 2.0 requires to be a URI (enclosure and comments included)."""
    root = etree.fromstring(data)
    urls = [root.findtext("channel/link") or ""]
    urls += [a.get("href") or "" for a in root.iter(f"{ATOM}link")]
    for item in root.iter("item"):
        urls += [e.text or "" for e in item.findall("link") + item.findall("comments")]
        urls += [g.text or "" for g in item.findall("guid") if g.get("isPermaLink") == "true"]
        urls += [e.get("url") or "" for e in item.findall("enclosure") + item.findall("source")]
    return urls


@pytest.mark.parametrize("where", sorted(IRIS))
def test_rss_links_are_uris(where: str) -> None:
    iri = IRIS[where]
    entry = _replace(ENTRIES[0], link=iri)
    sources = {**SOURCES, "desk-fr": replace(SOURCES["desk-fr"], url=iri + "/rss")}
    settings = replace(SETTINGS, base_url="https://nouvelles.example/flux/été/")
    data = render_rss(SAHEL, [entry], settings=settings, sources=sources, hubs=(iri,))
    urls = rss_urls(data)
    assert all(URI.fullmatch(u) for u in urls), [u for u in urls if not URI.fullmatch(u)]
    root = etree.fromstring(data)
    link = root.findtext("channel/item/link")
    assert link == iri_to_uri(iri) and unquote(link) == unquote(iri).replace(  # same resource
        urlsplit(iri).hostname or "", urlsplit(link).hostname or ""
    )


def test_an_iri_link_that_is_the_id_is_a_permalink_uri() -> None:
    """The guid is the entry's id, published as a URI; the converted link is still it."""
    iri = IRIS["path"]
    entry = _replace(ENTRIES[0], id=iri, link=iri)
    root = etree.fromstring(render_rss(SAHEL, [entry], settings=SETTINGS, sources=SOURCES))
    guid = root.find("channel/item/guid")
    assert guid is not None and guid.text == iri_to_uri(iri) == root.findtext("channel/item/link")
    assert guid.get("isPermaLink") == "true"


@pytest.mark.parametrize(
    ("iri", "uri"),
    [
        ("https://fr.example/été", "https://fr.example/%C3%A9t%C3%A9"),
        ("http://Bücher.example:8080/a b", "http://xn--bcher-kva.example:8080/a%20b"),
        ("https://a.test/x?y=%C3%A9&z=100%", "https://a.test/x?y=%C3%A9&z=100%25"),
        ("https://a.test/already/%41?b=c#d", "https://a.test/already/%41?b=c#d"),
        ('https://a.test/"quoted"<x>', "https://a.test/%22quoted%22%3Cx%3E"),
    ],
)
def test_iri_to_uri(iri: str, uri: str) -> None:
    assert iri_to_uri(iri) == uri
    assert iri_to_uri(uri) == uri  # a URI is left as it is


@given(st.text(max_size=40))
def test_iri_to_uri_always_gives_a_uri(tail: str) -> None:
    for iri in (f"https://ex.test/{tail}", f"https://{tail}.example/", tail):
        uri = iri_to_uri(iri)
        assert uri == "" or URI.fullmatch(uri), (iri, uri)


def test_the_source_url_and_hubs_too() -> None:
    sources = {**SOURCES, "desk-fr": Source(name="desk-fr", kind="feed", url=IRIS["host"])}
    data = render_rss(SAHEL, ENTRIES, settings=SETTINGS, sources=sources, hubs=(IRIS["all"],))
    root = etree.fromstring(data)
    assert root.find("channel/item/source").get("url") == iri_to_uri(IRIS["host"])
    hubs = [a.get("href") for a in root.iter(f"{ATOM}link") if a.get("rel") == "hub"]
    assert hubs == [iri_to_uri(IRIS["all"])] and hubs[0].isascii()
