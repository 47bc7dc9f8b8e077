"""The fetcher: one polite, bounded HTTP client for the whole process.

An edge: it speaks HTTP (httpx) and nothing else. It sends conditional GETs, follows
redirects itself (to know which were permanent), limits concurrency globally and per host,
enforces connect/read/total timeouts and a body size counted *after* decompression, and
follows an HTML page to the feed it links to. It returns a FetchResult or raises FetchError.
It must not parse feeds, touch the store, read the config, or decide when to fetch
(feeds.decide.sources decides; the pipeline calls).

Requests, responses and errors are httpx's, but no httpx.AsyncClient sends them: the
Fetcher builds each httpx.Request itself and hands it to a ``Transport``
(feeds.sources.transport: by default AiohttpTransport, on one aiohttp.ClientSession), because
httpx's own stack, and even an AsyncClient on that same transport, cost more CPU per request
than the rest of a revalidation (bench/run_fetch.py; the figures are in docs/dev.md). The
transport keeps what httpx did for us: the same request headers, no cookies, no redirects
followed, the raw (still compressed) body for Inflater, TLS verification, proxies from the
environment, keep-alive. Settings and results are in feeds.sources.fetch_types.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import urlsplit

import httpx

from feeds.agent import user_agent as user_agent
from feeds.errors import FetchError
from feeds.sources.discover import find_feed_links, looks_like_html
from feeds.sources.fetch_errors import (
    REDIRECTS,
    check_status,
    network_message,
    one_line,
    timeout_message,
    too_big,
)
from feeds.sources.fetch_types import FetchResult, FetchSettings
from feeds.sources.hints import parse_max_age
from feeds.sources.inflate import Inflater
from feeds.sources.transport import AiohttpTransport, Transport

__all__ = [
    "ACCEPT",
    "ACCEPT_ENCODING",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "is_fetchable_url",
    "user_agent",
]

PERMANENT_REDIRECTS = frozenset({301, 308})
#: Feeds first, HTML last (for autodiscovery), anything rather than a 406.
ACCEPT = (
    "application/atom+xml, application/rss+xml, application/feed+json, "
    "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "application/json;q=0.8, text/html;q=0.5, */*;q=0.1"
)
#: Only what we decode ourselves, with a bound on the output (see feeds.sources.inflate).
ACCEPT_ENCODING = "gzip, deflate"
_SCHEMES = ("http", "https")
_NO_BODY = httpx.ByteStream(b"")


def is_fetchable_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL with a host: the only kind of remote source."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in _SCHEMES and bool(parts.hostname)


@dataclass(frozen=True, slots=True)
class _Hop:
    """One request's answer: status, headers (names in lower case), and the body of a 2xx."""

    status: int
    headers: Mapping[str, str]
    body: bytes | None


@dataclass(frozen=True, slots=True)
class _Answer:
    """The end of a redirect chain."""

    url: str
    permanent_url: str | None
    hop: _Hop


class _Budget:
    """Seconds left of the total timeout, spent across the hops of one fetch."""

    __slots__ = ("left",)

    def __init__(self, total: float) -> None:
        self.left = total


class Fetcher:
    """One per process: owns the transport (connection pool) and the concurrency limits.

    Use as ``async with Fetcher(settings) as fetcher: await fetcher.fetch(url, ...)``.
    ``transport`` replaces the network (tests, benchmarks).
    """

    def __init__(self, settings: FetchSettings, *, transport: Transport | None = None) -> None:
        self._settings = settings
        self._global = asyncio.Semaphore(settings.max_connections)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        # What httpx.AsyncClient added to every request, in its order (after Host).
        self._headers = (
            ("Connection", "keep-alive"),
            ("User-Agent", settings.user_agent),
            ("Accept", ACCEPT),
            ("Accept-Encoding", ACCEPT_ENCODING),
        )
        timeout = httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        )
        self._extensions = {"timeout": timeout.as_dict()}
        self._transport: Transport = transport or AiohttpTransport(
            max_connections=settings.max_connections, per_host=settings.per_host
        )

    async def __aenter__(self) -> Fetcher:
        await self._transport.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._transport.__aexit__(exc_type, exc, tb)

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        body_hash: str | None = None,
        discover: bool = True,
    ) -> FetchResult:
        """GET ``url`` conditionally; follow redirects and, for an HTML page, its feed link
        (unless not ``discover``: a page source wants the page itself, and so do article
        pages and robots.txt).

        Raises FetchError for network errors, timeouts, 4xx/5xx (``gone`` on 410,
        ``retry_after`` on 429/503), redirect loops, limits, and pages without a feed.
        """
        target = _check_url(url)
        budget = _Budget(self._settings.total_timeout)
        answer = await self._follow(url, target, etag, last_modified, budget)
        body, content_type = answer.hop.body, answer.hop.headers.get("content-type")
        if body is None or not discover or not looks_like_html(body, content_type):
            return _result(url, answer, etag, last_modified, body_hash, None)
        links = find_feed_links(body, answer.url)
        if not links:
            raise FetchError(
                f"{answer.url} is an HTML page that links to no feed; configure the feed's URL",
                url=answer.url,
                status_code=answer.hop.status,
            )
        feed = await self._follow(links[0], _check_url(links[0]), etag, last_modified, budget)
        if feed.hop.body is not None and looks_like_html(
            feed.hop.body, feed.hop.headers.get("content-type")
        ):
            raise FetchError(
                f"the feed link {links[0]} of {answer.url} is another HTML page", url=feed.url
            )
        found = _Answer(feed.url, feed.permanent_url or links[0], feed.hop)
        result = _result(url, found, etag, last_modified, body_hash, answer.url)
        return replace(result, feed_links=links)

    async def _follow(
        self,
        url: str,
        target: httpx.URL,
        etag: str | None,
        last_modified: str | None,
        budget: _Budget,
    ) -> _Answer:
        """GET ``url`` (parsed: ``target``) and the redirects it leads to; the last answer
        and the permanent URL."""
        headers: dict[str, str] = {}
        if etag and _sendable(etag):
            headers["If-None-Match"] = etag
        if last_modified and _sendable(last_modified):
            headers["If-Modified-Since"] = last_modified
        chain = [url]
        permanent = True
        while True:
            hop = await self._exchange(chain[-1], target, headers, budget)
            if hop.status not in REDIRECTS:
                moved = chain[-1] if permanent and len(chain) > 1 else None
                return _Answer(chain[-1], moved, hop)
            permanent = permanent and hop.status in PERMANENT_REDIRECTS
            target = self._redirect_target(chain, target, hop)
            chain.append(str(target))

    def _redirect_target(self, chain: list[str], current_url: httpx.URL, hop: _Hop) -> httpx.URL:
        """Where a redirect points; FetchError for a loop, too many hops, a bad target."""
        current = chain[-1]
        location = hop.headers.get("location")
        if not location:
            raise FetchError(
                f"HTTP {hop.status} without a Location header for {current}",
                url=current,
                status_code=hop.status,
            )
        try:
            joined = current_url.join(location.strip()).copy_with(fragment=None)
        except (httpx.InvalidURL, ValueError) as e:
            raise FetchError(f"bad redirect from {current} to {location!r}", url=current) from e
        target = str(joined)
        if not is_fetchable_url(target):
            raise FetchError(f"redirect from {current} to a non-http(s) URL {target}", url=current)
        if target in chain:
            path = " -> ".join([*chain[chain.index(target) :], target])
            raise FetchError(f"redirect loop: {path}", url=chain[0], status_code=hop.status)
        if len(chain) > self._settings.max_redirects:
            raise FetchError(
                f"more than {self._settings.max_redirects} redirects from {chain[0]}",
                url=chain[0],
                status_code=hop.status,
            )
        return joined

    async def _exchange(
        self, url: str, target: httpx.URL, headers: dict[str, str], budget: _Budget
    ) -> _Hop:
        """One request, inside the host and global limits and what is left of the budget."""
        settings = self._settings
        async with self._host_limit(target.host), self._global:
            loop = asyncio.get_running_loop()
            started = loop.time()
            try:
                async with asyncio.timeout(max(budget.left, 0.0)):
                    return await self._send(url, target, headers)
            except TimeoutError as e:
                raise FetchError(
                    f"{url} took longer than the total timeout of {settings.total_timeout:g} s",
                    url=url,
                ) from e
            except httpx.TimeoutException as e:
                raise FetchError(timeout_message(url, e, settings), url=url) from e
            except httpx.HTTPError as e:
                raise FetchError(network_message(url, e), url=url) from e
            finally:
                budget.left -= loop.time() - started

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        semaphore = self._hosts.get(host)
        if semaphore is None:
            semaphore = self._hosts[host] = asyncio.Semaphore(self._settings.per_host)
        return semaphore

    async def _send(self, url: str, target: httpx.URL, headers: dict[str, str]) -> _Hop:
        # The transport is called directly (httpx's transport API): no AsyncClient, whose
        # per-request work (auth, cookies, redirects, hooks, mounts) we do not use.
        # Given a ``stream``, httpx adds no header itself: Host goes first, as it did.
        fields = [("Host", target.netloc.decode("ascii")), *self._headers, *headers.items()]
        if target.userinfo:  # http://user:password@host/: Basic auth, as httpx's client sent
            fields.append(("Authorization", _basic_auth(target)))
        request = httpx.Request(
            "GET", target, headers=fields, stream=_NO_BODY, extensions=self._extensions
        )
        response = await self._transport.handle_async_request(request)
        try:
            # One dict: a few lookups in it are cheaper than as many in httpx.Headers.
            answer = dict(response.headers.items())
            check_status(response, answer, url, conditional=bool(headers))
            ok = 200 <= response.status_code < 300
            body = await self._read(response, answer, url) if ok else None
        finally:
            # A body read to its end (a 304 has none) leaves the connection in the pool; an
            # unread one is dropped with its connection.
            await response.aclose()
        return _Hop(response.status_code, answer, body)

    async def _read(self, response: httpx.Response, headers: Mapping[str, str], url: str) -> bytes:
        """The decoded body, stopping as soon as it passes ``max_body`` (decoded bytes)."""
        limit = self._settings.max_body
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_big(url, limit, response.status_code)
        inflater = Inflater.for_encoding(headers.get("content-encoding"), url)
        chunks: list[bytes] = []
        size = 0
        async for raw in response.aiter_raw():
            data = inflater.feed(raw, limit - size)
            if data is None:
                raise too_big(url, limit, response.status_code)
            size += len(data)
            chunks.append(data)
        return b"".join(chunks)


def _check_url(url: str) -> httpx.URL:
    """``url`` parsed; FetchError unless it is a well-formed http(s) URL."""
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL as e:
        raise FetchError(f"invalid URL {url}: {one_line(e)}", url=url) from e
    if not is_fetchable_url(url):
        raise FetchError(f"cannot fetch {url}: only http and https URLs can be fetched", url=url)
    return parsed


def _result(
    url: str,
    answer: _Answer,
    etag: str | None,
    last_modified: str | None,
    body_hash: str | None,
    discovered_from: str | None,
) -> FetchResult:
    hop = answer.hop
    headers = hop.headers
    digest = hashlib.sha256(hop.body).hexdigest() if hop.body is not None else None
    unchanged = hop.status == 304 or (digest is not None and digest == body_hash)
    fresh = parse_max_age(
        headers.get("cache-control"), headers.get("expires"), headers.get("date"), _now()
    )
    return FetchResult(
        url=url,
        final_url=answer.url,
        permanent_url=answer.permanent_url,
        status_code=hop.status,
        not_modified=unchanged,
        body=None if unchanged else hop.body,
        body_hash=digest,
        etag=headers.get("etag") or (etag if hop.status == 304 else None),
        last_modified=headers.get("last-modified")
        or (last_modified if hop.status == 304 else None),
        content_type=headers.get("content-type"),
        max_age=fresh,
        discovered_from=discovered_from,
    )


def _basic_auth(url: httpx.URL) -> str:
    credentials = f"{url.username}:{url.password}".encode()
    return f"Basic {base64.b64encode(credentials).decode('ascii')}"


def _sendable(value: str) -> bool:
    """Whether a stored validator can go back in a header (a hostile server may send junk)."""
    return value.isascii() and value.isprintable() and len(value) <= 1024


def _now() -> datetime:
    return datetime.now(UTC)
