"""What the fetcher is told (FetchSettings) and what it answers (FetchResult): plain values.

Imported through feeds.sources.http, whose Fetcher takes and returns them. Must not import
httpx, aiohttp, the store or anything that does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FetchResult", "FetchSettings"]


@dataclass(frozen=True, slots=True)
class FetchSettings:
    #: Sent with every request; build it with ``user_agent(contact_url)``.
    user_agent: str
    #: Largest body accepted, in bytes, counted after decompression.
    max_body: int = 10 * 1024 * 1024
    connect_timeout: float = 10.0
    #: Longest silence while waiting for bytes.
    read_timeout: float = 30.0
    #: Longest time one fetch may spend talking to servers (all hops, autodiscovery
    #: included; waiting for a free connection slot is not counted).
    total_timeout: float = 60.0
    #: Requests in flight at once, over all hosts.
    max_connections: int = 20
    #: Requests in flight at once to one host.
    per_host: int = 2
    max_redirects: int = 5


@dataclass(frozen=True, slots=True)
class FetchResult:
    #: The URL asked for.
    url: str
    #: The URL the body came from, after redirects (and autodiscovery).
    final_url: str
    #: The URL to fetch from now on: set when every redirect was permanent (301/308), or
    #: when autodiscovery found the feed an HTML page links to.
    permanent_url: str | None
    #: 200 (or another 2xx) or 304.
    status_code: int
    #: A 304, or a 2xx whose body hash equals the ``body_hash`` given: nothing to parse.
    not_modified: bool
    #: None when not_modified.
    body: bytes | None
    #: sha256 (hex) of the body; None on a 304.
    body_hash: str | None
    #: Validators to store and send next time (on a 304: the server's, else the ones sent).
    etag: str | None
    last_modified: str | None
    content_type: str | None
    #: Freshness from Cache-Control max-age / Expires, in seconds: a hint for the schedule.
    max_age: float | None
    #: The HTML page the feed was discovered from, if the URL was a page.
    discovered_from: str | None
    #: Every feed that page links to, in document order (the first is the one fetched).
    feed_links: tuple[str, ...] = ()
