"""The Fetcher's aiohttp-backed httpx transport (feeds.sources.transport.AiohttpTransport), against
real
servers on 127.0.0.1: what goes on the wire, what comes back raw, what is never kept, and
which error each failure becomes.

tests/test_fetch.py covers the Fetcher's behaviour; this file covers what the transport
must keep from httpx's own transport (headers, no cookies, keep-alive, proxies from the
environment, TLS verification) and must not do (decompress, follow redirects).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest
from fetching import ETAG, LAST_MODIFIED, MB, SETTINGS, UA, fetch, fetch_error
from loopback import Exchange, Loopback, feed, gzip_bomb, redirect, respond

from feeds.sources import transport as transport_module
from feeds.sources.http import (
    ACCEPT,
    ACCEPT_ENCODING,
    Fetcher,
    FetchSettings,
)
from feeds.sources.transport import AiohttpTransport

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def fetch_all(urls: list[str], settings: FetchSettings = SETTINGS, **validators: Any) -> None:
    """One Fetcher, one fetch after the other (so one connection can serve them all)."""

    async def run() -> None:
        async with Fetcher(settings) as fetcher:
            for url in urls:
                await fetcher.fetch(url, **validators)

    asyncio.run(run())


# -- the wire --------------------------------------------------------------------------


def test_request_headers_are_exactly_those_httpx_sent(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, etag=ETAG, last_modified=LAST_MODIFIED))
    fetch_all([url], etag=ETAG, last_modified=LAST_MODIFIED)
    (sent,) = loopback.requests
    assert sent.headers == (
        ("Host", loopback.base_url.removeprefix("http://")),
        ("Connection", "keep-alive"),
        ("User-Agent", UA),
        ("Accept", ACCEPT),
        ("Accept-Encoding", ACCEPT_ENCODING),
        ("If-None-Match", ETAG),
        ("If-Modified-Since", LAST_MODIFIED),
    )


def test_credentials_in_the_url_become_basic_auth_as_with_httpx(loopback: Loopback) -> None:
    loopback.route("/feed.xml", feed(RSS))
    port = loopback.base_url.rsplit(":", 1)[1]
    assert fetch(f"http://us%C3%A9r:p%40ss@127.0.0.1:{port}/feed.xml").body == RSS
    (sent,) = loopback.requests
    expected = base64.b64encode("usér:p@ss".encode()).decode()
    assert sent.header("Authorization") == f"Basic {expected}"
    assert sent.header("Host") == f"127.0.0.1:{port}"


def client_ports(into: list[int], then: Callable[[Exchange], None]) -> Callable[[Exchange], None]:
    def behaviour(exchange: Exchange) -> None:
        into.append(exchange._handler.client_address[1])
        then(exchange)

    return behaviour


def test_one_kept_alive_connection_serves_200s_304s_and_redirects(loopback: Loopback) -> None:
    ports: list[int] = []
    loopback.route("/feed.xml", client_ports(ports, feed(RSS, etag=ETAG)))
    loopback.route("/old.xml", client_ports(ports, redirect("/feed.xml", 301)))
    url = loopback.url("/feed.xml")
    fetch_all([url, loopback.url("/old.xml")])
    fetch_all([url] * 5 + [loopback.url("/old.xml")], etag=ETAG)
    # the first Fetcher's connection, then the second's: a 304 or a redirect is read to its
    # end, so the connection goes back to the pool.
    assert len(ports) == 3 + 7 and len(set(ports[:3])) == 1 and len(set(ports[3:])) == 1


# -- bodies: raw, bounded --------------------------------------------------------------


def test_the_transport_passes_the_body_on_still_compressed(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS * 100, compress=True))

    async def raw() -> tuple[str | None, bytes]:
        async with AiohttpTransport(max_connections=2, per_host=2) as transport:
            request = httpx.Request("GET", url, headers={"Accept-Encoding": "gzip"})
            response = await transport.handle_async_request(request)
            try:
                body = b"".join([chunk async for chunk in response.aiter_raw()])
            finally:
                await response.aclose()
            return response.headers.get("content-encoding"), body

    encoding, body = asyncio.run(raw())
    assert encoding == "gzip" and body.startswith(b"\x1f\x8b")
    assert gzip.decompress(body) == RSS * 100


def test_a_gzip_bomb_is_an_error_not_an_out_of_memory(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", gzip_bomb(200 * MB))
    error = fetch_error(url, FetchSettings(user_agent=UA, max_body=MB))
    assert "more than 1,048,576 bytes" in error.message and error.status_code == 200


def test_a_declared_length_over_the_limit_is_refused_before_any_body_is_read(
    loopback: Loopback,
) -> None:
    def headers_then_silence(exchange: Exchange) -> None:
        exchange.start(200, [("Content-Length", str(50 * MB))], close=False)
        exchange.wait(30)  # reading the body would end at the read timeout

    url = loopback.route("/feed.xml", headers_then_silence)
    settings = FetchSettings(user_agent=UA, max_body=MB, read_timeout=5, total_timeout=10)
    assert "max_body" in fetch_error(url, settings).message


# -- what is never kept or followed ----------------------------------------------------


def test_a_cookie_set_on_a_redirect_is_not_sent_to_its_target(loopback: Loopback) -> None:
    cookie = [("Set-Cookie", "session=abc; Path=/")]
    loopback.route("/feed.xml", feed(RSS, headers=cookie))
    loopback.route("/login", respond(302, b"", [("Location", "/feed.xml"), *cookie]))
    fetch_all([loopback.url("/login"), loopback.url("/login")])
    assert [r.path for r in loopback.requests] == ["/login", "/feed.xml"] * 2
    assert [r.header("Cookie") for r in loopback.requests] == [None] * 4


def test_the_transport_returns_a_redirect_as_it_is(loopback: Loopback) -> None:
    url = loopback.route("/old.xml", redirect("/feed.xml", 301))

    async def once() -> int:
        async with AiohttpTransport(max_connections=2, per_host=2) as transport:
            response = await transport.handle_async_request(httpx.Request("GET", url))
            await response.aclose()
            return response.status_code

    assert asyncio.run(once()) == 301
    assert [r.path for r in loopback.requests] == ["/old.xml"]


# -- proxies from the environment, as httpx took them ----------------------------------


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


def test_http_proxy_from_the_environment_is_used(
    loopback: Loopback, no_proxy_env: pytest.MonkeyPatch
) -> None:
    no_proxy_env.setenv("HTTP_PROXY", loopback.base_url)
    loopback.route("http://feeds.invalid/feed.xml", feed(RSS))
    assert fetch("http://feeds.invalid/feed.xml").body == RSS
    (sent,) = loopback.requests
    assert sent.path == "http://feeds.invalid/feed.xml"  # absolute form: a proxy request
    assert sent.header("Host") == "feeds.invalid" and sent.header("User-Agent") == UA


def test_no_proxy_bypasses_the_proxy(loopback: Loopback, no_proxy_env: pytest.MonkeyPatch) -> None:
    with Loopback() as proxy:
        no_proxy_env.setenv("HTTP_PROXY", proxy.base_url)
        no_proxy_env.setenv("NO_PROXY", "localhost,127.0.0.1")
        assert fetch(loopback.route("/feed.xml", feed(RSS))).body == RSS
        assert proxy.requests == [] and len(loopback.requests) == 1


def test_a_socks_proxy_is_refused_at_once(no_proxy_env: pytest.MonkeyPatch) -> None:
    no_proxy_env.setenv("ALL_PROXY", "socks5://127.0.0.1:1080")
    with pytest.raises(ValueError, match="unsupported socks5 proxy"):
        Fetcher(SETTINGS)


# -- errors: each failure becomes the FetchError it was with httpx ---------------------


@pytest.fixture
def raw_server() -> Iterator[Callable[[bytes | None], str]]:
    """A server answering every connection with fixed bytes (None: close without a word)."""
    sockets: list[socket.socket] = []

    def start(answer: bytes | None) -> str:
        server = socket.create_server(("127.0.0.1", 0))
        sockets.append(server)

        def serve() -> None:
            while True:
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    if answer is not None:
                        conn.sendall(answer)

        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml"

    yield start
    for server in sockets:
        server.close()


@pytest.mark.parametrize(
    "answer",
    [
        None,  # connection closed before any response
        b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n<rss/>",  # unparseable
        b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n<rss/>",  # body cut short
        b"\x16\x03\x01 this is not HTTP\r\n\r\n",
    ],
)
def test_a_broken_response_is_a_broken_response(
    raw_server: Callable[[bytes | None], str], answer: bytes | None
) -> None:
    url = raw_server(answer)
    error = fetch_error(url)
    assert error.message.startswith(f"broken HTTP response from {url}: "), error.message
    assert error.status_code is None


CLOSED = "the server closed the connection before its response was complete"


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 500\r\n\r\n"
         b"<rss/>", "the body ended after 6 of the 500 bytes its Content-Length announced"),
        (None, CLOSED),
        (b"HTTP/1.1 200 OK\r\n", CLOSED),
        (b"HTCPCP/1.0 418 I'm a teapot\r\n\r\n", "its status line is not HTTP/1.x"),
        (b"\x00\x01 garbage\r\n\r\n", "its status line is not HTTP/1.x"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nNo Colon Here\r\n\r\nhello",
         "a header line is malformed"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\nhello",
         "its Content-Length header is not a number"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
         "it sent two Content-Length headers"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n",
         "its chunked body is malformed"),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nhel",
         "its chunked body ended before the last chunk"),
        (b"HTTP/1.1 200 OK\r\nX-Long: " + b"a" * 100_000 + b"\r\n\r\n",
         "a header line is longer than the limit"),
    ],
)  # fmt: skip
def test_a_broken_response_is_said_in_our_words(
    raw_server: Callable[[bytes | None], str], answer: bytes | None, said: str
) -> None:
    """Not aiohttp's internals: no "ContentLengthError: 400" when no server sent a 400
    (#15 item 13)."""
    url = raw_server(answer)
    assert fetch_error(url).message == f"broken HTTP response from {url}: {said}"


def test_connection_refused_is_cannot_connect_not_a_timeout() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    message = fetch_error(f"http://127.0.0.1:{port}/feed.xml").message
    # The reason alone after the URL, not aiohttp's "Cannot connect to host … [reason]".
    assert message == f"cannot connect to http://127.0.0.1:{port}/feed.xml: Connection refused"


def test_a_silent_server_is_a_read_timeout() -> None:
    server = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    with server:
        url = f"http://127.0.0.1:{server.getsockname()[1]}/feed.xml"
        settings = FetchSettings(user_agent=UA, read_timeout=0.3, total_timeout=10)
        message = fetch_error(url, settings).message
        assert message == f"read timeout: {url} sent nothing for 0.3 s"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (aiohttp.ConnectionTimeoutError("Connection timeout to host"), httpx.ConnectTimeout),
        (aiohttp.SocketTimeoutError("Timeout on reading data from socket"), httpx.ReadTimeout),
        (TimeoutError(), httpx.TimeoutException),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError),
        (aiohttp.ClientPayloadError("payload is not completed"), httpx.RemoteProtocolError),
        (aiohttp.ClientOSError(104, "Connection reset by peer"), httpx.ReadError),
        (aiohttp.InvalidUrlClientError("http://"), httpx.UnsupportedProtocol),
    ],
)
def test_aiohttp_errors_become_the_httpx_errors_of_the_same_meaning(
    error: Exception, kind: type[httpx.TransportError]
) -> None:
    mapped = transport_module._httpx_error(error, httpx.Request("GET", "http://h/"))
    assert type(mapped) is kind and str(mapped)


# -- TLS -------------------------------------------------------------------------------


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An HTTPS server on 127.0.0.1 with a self-signed certificate: (URL, certificate)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(RSS)))
            self.end_headers()
            self.wfile.write(RSS)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/feed.xml", cert
    finally:
        server.shutdown()
        server.server_close()


def test_tls_is_verified(tls_server: tuple[str, Path]) -> None:
    url, _ = tls_server
    message = fetch_error(url).message
    assert message == f"cannot connect to {url}: its TLS certificate is not trusted" + (
        " (self-signed certificate)"
    )


def test_tls_works_with_a_trusted_certificate(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_server
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # httpx's way to trust a CA bundle
    transport_module._ssl_context.cache_clear()
    try:
        assert fetch(url).body == RSS
    finally:
        transport_module._ssl_context.cache_clear()
