"""A local feed file is read exactly as the same bytes fetched over HTTP (#15 item 11).

Each odd-but-valid feed is ingested twice in one run: from a file (``path = ...``) and from a
loopback URL serving the same bytes. The two sources must end the same way: same success,
same number of entries, and a valid feed with no entries is "0 entries", never "not a feed".
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from loopback import respond

from feeds.config.loader import parse_config
from feeds.ingest.flow import ingest
from feeds.store.sqlite.store import Store

XML = b'<?xml version="1.0" encoding="utf-8"?>\n'
ODD_FEEDS = {
    "rss-empty-channel": XML + b'<rss version="2.0"><channel></channel></rss>',
    "rss-empty-title": XML
    + b'<rss version="2.0"><channel><title></title><link>http://example.test/</link>'
    b"<description></description></channel></rss>",
    "rss-0.91-minimal": XML
    + b'<rss version="0.91"><channel><title></title><link>http://example.test/</link>'
    b"<description>d</description><language>en</language></channel></rss>",
    "rss-1.0-minimal": XML + b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
    b'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="http://example.test/">'
    b"<title></title><link>http://example.test/</link><description></description>"
    b"</channel></rdf:RDF>",
    "atom-no-entries": XML
    + b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:1</id><title></title>'
    b"<updated>2026-01-01T00:00:00Z</updated></feed>",
    "atom-no-title-one-entry": XML + b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:2</id>'
    b"<updated>2026-01-01T00:00:00Z</updated><entry><id>urn:x:2:1</id><title>One</title>"
    b"<updated>2026-01-01T00:00:00Z</updated></entry></feed>",
    "json-feed-no-items": b'{"version": "https://jsonfeed.org/version/1.1", "title": "",'
    b' "items": []}',
    "rss-no-title-one-item": b'<rss version="2.0"><channel><item><guid>urn:x:3</guid>'
    b"<description>only a description</description></item></channel></rss>",
}


@pytest.mark.parametrize(
    "content_type",
    ["application/xml", "text/xml", "text/plain", "application/rss+xml; charset=iso-8859-1", None],
)
def test_a_local_file_and_the_same_bytes_over_http_end_the_same(
    loopback, tmp_path: Path, content_type: str | None
) -> None:
    sources = []
    for name, body in ODD_FEEDS.items():
        (tmp_path / f"{name}.feed").write_bytes(body)
        url = loopback.route(f"/{name}", respond(200, body, content_type=content_type))
        sources += [{"name": f"{name}-file", "path": f"{name}.feed"}]
        sources += [{"name": f"{name}-http", "url": url}]
    data = {"settings": {"data_dir": "data"}, "sources": sources, "topics": []}
    config = parse_config(data, path=tmp_path / "feeds.toml")
    with Store(tmp_path / "feeds.sqlite3") as store:
        reports = {r.source: r for r in asyncio.run(ingest(config, store))}
    for name, body in ODD_FEEDS.items():
        local, remote = reports[f"{name}-file"], reports[f"{name}-http"]
        assert local.ok, (name, local.message)
        # Both carry the same ids: the second to store them may count them as changed.
        read = (local.ok, local.new + local.changed), (remote.ok, remote.new + remote.changed)
        assert read[0] == read[1], (name, local, remote)
        assert read[0][1] == (1 if b"<item>" in body or b"<entry>" in body else 0), name
