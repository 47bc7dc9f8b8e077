"""Published ids are URIs in the normalized form RFC 4287 §4.2.6.1 asks of ``atom:id``
(feeds.normalize.uri.canonical_uri through feeds.publish.atom.entry_id; #15, the W3C
validator's ``NonCanonicalURI``): scheme and host in lower case, an IDNA host, no default
port, no dot-segments, "/" for an empty path, escapes only where needed, NFC.
"""

from __future__ import annotations

import unicodedata

import pytest
from atomcheck import NS, assert_valid_atom
from hypothesis import given
from hypothesis import strategies as st
from test_publish import ENTRIES, _replace, render

from feeds.normalize.uri import canonical_uri
from feeds.publish.atom import entry_id

CASES = {
    "HTTP://Example.ORG:80/a/../b": "http://example.org/b",
    "http://example.net": "http://example.net/",
    "https://example.net:443?q": "https://example.net/?q",
    "http://example.net:8080/x": "http://example.net:8080/x",
    "http://example.org/caf%c3%a9/%7Euser/%41": "http://example.org/caf%C3%A9/~user/A",
    "http://例え.jp/エントリ/1": "http://xn--r8jz45g.jp/%E3%82%A8%E3%83%B3%E3%83%88%E3%83%AA/1",
    "http://%E4%BE%8B%E3%81%88.jp/1": "http://xn--r8jz45g.jp/1",
    "http://example.org/a/./b/.": "http://example.org/a/b/",
    "http://example.org/%2F%3a?x=%2f#%3F": "http://example.org/%2F%3A?x=%2F#%3F",
    "http://example.org./a": "http://example.org/a",
    "tag:127.0.0.1,2024:desk/café naïve.md": "tag:127.0.0.1,2024:desk/caf%C3%A9%20na%C3%AFve.md",
    "tag:127.0.0.1,2024:odd/http://example.org/w?a=1&b=2": (
        "tag:127.0.0.1,2024:odd/http://example.org/w?a=1&b=2"
    ),
    "urn:uuid:60A76C80-d399-11d9": "urn:uuid:60A76C80-d399-11d9",
}


@pytest.mark.parametrize(("stored", "published"), CASES.items())
def test_entry_id_is_the_normalized_uri(stored, published):
    assert entry_id(stored) == published
    assert entry_id(published) == published  # a normalized id is published as it is


def test_decomposed_text_is_published_composed():
    decomposed = unicodedata.normalize("NFD", "tag:x.org,2024:desk/été.md")
    assert entry_id(decomposed) == "tag:x.org,2024:desk/%C3%A9t%C3%A9.md"


def test_atom_ids_in_the_feed_are_normalized():
    entries = [_replace(ENTRIES[0], id="HTTP://Example.ORG:80/a/../b")]
    root = assert_valid_atom(render(entries))
    assert root.findtext("a:entry/a:id", namespaces=NS) == "http://example.org/b"


_PIECES = [*"aB/.%?#=&:@!'()~-_éエ ", "..", "%7E", "%3A", "%2F", "%41", "%e9", "%C3%A9"]
_ID_TEXT = st.lists(st.sampled_from(_PIECES), max_size=12).map("".join)


_PREFIXES = st.sampled_from(["http://a.org", "HTTPS://Ex.ORG:443", "http://例え.jp", "tag:a,2024:"])


@given(_PREFIXES, _ID_TEXT)
def test_normalizing_twice_changes_nothing(prefix, rest):
    published = entry_id(prefix + "/" + rest)
    assert canonical_uri(published) == published
