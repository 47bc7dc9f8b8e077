"""An httpx transport on aiohttp: how feeds.sources.http's requests reach the network.

httpx's own stack (client, httpcore, h11, anyio) cost more CPU per request than the rest of
a revalidation; aiohttp (C parser, lean pool) does the same exchange for a fraction of it
(bench/run_fetch.py). Requests, responses and errors stay httpx's, so
the Fetcher above does not know the difference. An edge: no policy here (limits, redirects,
decoding and size bounds are the Fetcher's), only the exchange.
"""

from __future__ import annotations

import functools
import os
import socket
import ssl
from collections.abc import AsyncIterator
from types import TracebackType
from typing import Any, Protocol
from urllib.request import getproxies, proxy_bypass

import aiohttp
import httpx
import yarl

from feeds.sources.transport_errors import describe

__all__ = ["AiohttpTransport", "Transport"]

_SCHEMES = ("http", "https")
#: The proxy settings httpx read from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY).
_PROXIED = frozenset({"http", "https", "all"})
#: Longest response header line (aiohttp's default: 8 KiB; httpx took 100 KiB of headers).
_MAX_HEADER = 64 * 1024


class Transport(Protocol):
    """What the Fetcher needs of a transport: one exchange, no policy (httpx's transport
    interface, which ``httpx.AsyncBaseTransport`` and httpx's test transports have too).

    The Fetcher hands requests to it directly rather than through an ``httpx.AsyncClient``:
    the client's per-request work (headers, auth, cookies, redirects, hooks, mounts), which
    the Fetcher does itself or does not want, cost more CPU per revalidation than the rest
    of it (bench/run_fetch.py); the Fetcher builds complete requests instead.
    """

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response: ...

    async def __aenter__(self) -> Any: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None = None,
        exc: BaseException | None = None,
        tb: TracebackType | None = None,
    ) -> None: ...


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx's transport interface on one ``aiohttp.ClientSession`` (HTTP/1.1, keep-alive).

    What httpx's own transport did for the Fetcher, at a fraction of the CPU: no cookie
    kept, no redirect followed, the body passed on as it came (still compressed: _Inflater
    decodes it with a bound), TLS verified with httpx's CA bundle, HTTP(S)_PROXY, ALL_PROXY
    and NO_PROXY honoured (read with urllib, as httpx read them), the URL's userinfo left
    to the caller (as httpcore did). Timeouts come from the request's ``timeout``
    extension (connect, read, pool; aiohttp has no write timeout); aiohttp's errors leave
    as the httpx errors that mean the same. The session is made at the first request,
    inside the running event loop.
    """

    def __init__(self, *, max_connections: int, per_host: int) -> None:
        self._max_connections = max_connections
        self._per_host = per_host
        self._proxies = {k: v for k, v in getproxies().items() if k in _PROXIED and v}
        for proxy in self._proxies.values():
            scheme = proxy.partition("://")[0].lower() if "://" in proxy else "http"
            if scheme not in _SCHEMES:  # e.g. socks5 (the URL may hold a password: not shown)
                raise ValueError(f"unsupported {scheme} proxy in the environment: use http(s)")
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self._max_connections,
            limit_per_host=self._per_host,
            keepalive_timeout=30.0,
            ssl=_ssl_context(),
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,  # proxies: see _proxy; and no ~/.netrc credentials
            max_line_size=_MAX_HEADER,
            max_field_size=_MAX_HEADER,
        )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._session or self._open()
        url = yarl.URL(str(request.url), encoded=True)  # the target exactly as httpx wrote it
        if request.url.userinfo:
            url = url.with_user(None)
        timeout = request.extensions.get("timeout", {})
        connect, pool = timeout.get("connect"), timeout.get("pool")
        try:
            answer = await session.request(
                request.method,
                url,
                headers=[
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                ],
                data=await request.aread() or None,
                allow_redirects=False,
                proxy=self._proxy(request.url),
                timeout=aiohttp.ClientTimeout(
                    total=None,
                    # aiohttp's connect covers the wait for a pooled connection and DNS too
                    connect=connect + pool if connect is not None and pool is not None else None,
                    sock_connect=connect,
                    sock_read=timeout.get("read"),
                ),
            )
        except (aiohttp.ClientError, TimeoutError) as e:
            raise _httpx_error(e, request) from e
        return httpx.Response(
            answer.status,
            headers=answer.raw_headers,
            stream=_AiohttpStream(answer, request),
            request=request,
            extensions={
                "http_version": b"HTTP/1.1",
                "reason_phrase": (answer.reason or "").encode("latin-1"),
            },
        )

    def _proxy(self, url: httpx.URL) -> str | None:
        proxy = self._proxies.get(url.scheme) or self._proxies.get("all")
        if proxy is None or proxy_bypass(url.host):
            return None
        return proxy if "://" in proxy else f"http://{proxy}"

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()


class _AiohttpStream(httpx.AsyncByteStream):
    """An aiohttp response's body, chunk by chunk as it arrives."""

    def __init__(self, answer: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._answer.content.iter_any():
                yield chunk
        except (aiohttp.ClientError, TimeoutError) as e:
            raise _httpx_error(e, self._request) from e

    async def aclose(self) -> None:
        # The connection goes back to the pool if the body was read to its end (a 304
        # has none); otherwise it is closed.
        self._answer.release()


@functools.cache
def _ssl_context() -> ssl.SSLContext:
    """httpx's default: verified, with certifi's CA bundle (or SSL_CERT_FILE/SSL_CERT_DIR).

    Made once per process: loading the bundle costs more CPU than many requests.
    """
    return httpx.create_ssl_context()


def _httpx_error(error: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx error that means what aiohttp's ``error`` means (our messages use the type).

    Inside the transport a TimeoutError is aiohttp's: the Fetcher's total timeout cancels
    the task, and becomes a TimeoutError only outside it.
    """
    kind: type[httpx.TransportError]
    if isinstance(error, aiohttp.ConnectionTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(error, aiohttp.ServerTimeoutError):  # sock_read
        kind = httpx.ReadTimeout
    elif isinstance(error, TimeoutError):
        kind = httpx.TimeoutException
    elif isinstance(error, aiohttp.ClientConnectorError):  # refused, DNS, TLS, proxy
        kind = httpx.ConnectError
    elif isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        kind = httpx.RemoteProtocolError
    elif isinstance(error, aiohttp.ClientResponseError):  # a response aiohttp cannot parse
        kind = httpx.RemoteProtocolError
    elif isinstance(error, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        kind = httpx.UnsupportedProtocol
    else:  # reset, broken pipe
        kind = httpx.ReadError
    return kind(_message(error), request=request)


def _message(error: Exception) -> str:
    """For a failed connection only its reason ("Connection refused", "Name or service not
    known"): the Fetcher says "cannot connect to <url>" already; else what went wrong."""
    if isinstance(error, aiohttp.ClientConnectorError) and not isinstance(
        error, aiohttp.ClientSSLError
    ):
        cause = error.os_error
        if isinstance(cause, socket.gaierror) and cause.strerror:
            return cause.strerror
        if cause.errno and cause.errno > 0:
            return os.strerror(cause.errno)
    return describe(error)  # in the project's words, not aiohttp's (#15 item 13)
