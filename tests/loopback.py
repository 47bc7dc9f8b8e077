"""A scripted HTTP/1.1 server on 127.0.0.1 for integration tests.

A real server (``http.server.ThreadingHTTPServer`` on a free port, one thread per
connection) whose routes are *behaviours* registered per test. It logs every request's
method, path and headers, so a test asserts what the client sent as well as what it got::

    from loopback import Loopback, feed, redirect

    with Loopback() as server:                       # or the ``loopback`` pytest fixture
        url = server.route("/feed.xml", feed(b"<rss/>", etag='"v1"'))
        server.route("/old", redirect("/feed.xml", status=301))
        ...                                          # fetch server.url("/old")
        assert server.requests_to("/feed.xml")[0].header("If-None-Match") == '"v1"'
        assert server.max_in_flight <= 2

A behaviour is any callable taking an ``Exchange`` (the request, and ways to answer). The
factories here cover the usual cases: ``feed`` (validators and 304s), ``respond`` (a fixed
status), ``redirect``, ``retry_after``, ``slow``, ``endless`` (fast or trickling),
``huge``, ``gzip_bomb``, ``sequence`` (one behaviour per request, in turn), ``recording``
(keeps request bodies, e.g. a WebSub hub's form-encoded pings).

Long-running behaviours stop when the client goes away or the server stops; the server
stops without waiting for them. Unexpected exceptions in a behaviour are answered with a
500 and kept in ``Loopback.errors``.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

Headers = Iterable[tuple[str, str]]
Behaviour = Callable[["Exchange"], None]

#: What a client that went away looks like to a server thread.
_GONE = (BrokenPipeError, ConnectionResetError, ConnectionAbortedError)
_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class Request:
    """One request as the server received it."""

    method: str
    #: The request target: path and query.
    path: str
    #: In the order received, names as sent.
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive), or None."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


class Exchange:
    """One request being answered: what came in, and ways to answer it."""

    def __init__(self, handler: _Handler, server: Loopback, request: Request) -> None:
        self.request = request
        self._handler = handler
        self._server = server

    def send(self, status: int, body: bytes = b"", headers: Headers = ()) -> None:
        """A complete response; Content-Length is added unless given."""
        headers = list(headers)
        if not any(k.lower() == "content-length" for k, _ in headers):
            headers.append(("Content-Length", str(len(body))))
        self.start(status, headers, close=False)
        if self.request.method != "HEAD" and body:
            self.write(body)

    def start(self, status: int, headers: Headers = (), *, close: bool = True) -> None:
        """Status line and headers only; with ``close``, the body then ends with the connection."""
        self._handler.send_response(status)
        for name, value in headers:
            self._handler.send_header(name, value)
        if close:
            self._handler.send_header("Connection", "close")
            self._handler.close_connection = True
        self._handler.end_headers()

    def write(self, data: bytes) -> None:
        """Body bytes; raises an OSError once the client has gone away."""
        self._handler.wfile.write(data)
        self._handler.wfile.flush()
        self._server._count_sent(self.request.path, len(data))

    def body(self) -> bytes:
        """The request body (``Content-Length`` bytes); read it at most once."""
        length = int(self.request.header("Content-Length") or 0)
        return self._handler.rfile.read(length) if length else b""

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds``; False (at once) if the server is stopping."""
        return not self._server._stopping.wait(seconds)

    @property
    def stopping(self) -> bool:
        return self._server._stopping.is_set()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real feed servers do
    timeout = 10  # an idle keep-alive connection does not hold its thread for ever
    server: _Server

    def do_GET(self) -> None:
        self.server.loopback._handle(self)

    do_HEAD = do_GET
    do_POST = do_GET

    def log_message(self, format: str, *args: object) -> None:
        pass  # the request log is Loopback.requests


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # stopping never waits for a slow or endless behaviour
    loopback: Loopback

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # errors are recorded by Loopback._handle; the rest are clients going away


class Loopback:
    """The server. Start and stop it with ``with``; register routes with ``route``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: dict[str, Behaviour] = {}
        self._requests: list[Request] = []
        self._sent: dict[str, int] = {}
        self._in_flight = 0
        self.max_in_flight = 0
        self.errors: list[str] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Loopback:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.loopback = self
        # A short poll interval: shutdown() waits up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash)."""
        assert self._server is not None, "the server is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    def route(self, path: str, behaviour: Behaviour) -> str:
        """Answer requests for ``path`` (query ignored) with ``behaviour``; its full URL."""
        with self._lock:
            self._routes[path] = behaviour
        return self.url(path)

    @property
    def requests(self) -> list[Request]:
        """Every request so far, in the order received."""
        with self._lock:
            return list(self._requests)

    def requests_to(self, path: str) -> list[Request]:
        """The requests for ``path`` (query ignored)."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def bytes_sent(self, path: str) -> int:
        """Body bytes written for ``path`` so far (all requests)."""
        with self._lock:
            return self._sent.get(path, 0)

    def _count_sent(self, target: str, size: int) -> None:
        path = target.split("?", 1)[0]
        with self._lock:
            self._sent[path] = self._sent.get(path, 0) + size

    def _handle(self, handler: _Handler) -> None:
        request = Request(handler.command, handler.path, tuple(handler.headers.items()))
        path = request.path.split("?", 1)[0]
        with self._lock:
            self._requests.append(request)
            behaviour = self._routes.get(path, _not_found)
            self._in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self._in_flight)
        exchange = Exchange(handler, self, request)
        try:
            behaviour(exchange)
        except _GONE:
            handler.close_connection = True
        except Exception as e:  # a bug in a behaviour: make it visible to the test
            self.errors.append(f"{request.method} {request.path}: {e!r}")
            handler.close_connection = True
        finally:
            with self._lock:
                self._in_flight -= 1


def _not_found(exchange: Exchange) -> None:
    exchange.send(404, b"no such route\n", [("Content-Type", "text/plain")])


# -- behaviours ------------------------------------------------------------------------


def respond(
    status: int = 200, body: bytes = b"", headers: Headers = (), content_type: str | None = None
) -> Behaviour:
    """Always the same response."""
    fixed = list(headers)
    if content_type:
        fixed.append(("Content-Type", content_type))

    def behaviour(exchange: Exchange) -> None:
        exchange.send(status, body, fixed)

    return behaviour


def feed(
    body: bytes,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    content_type: str = "application/rss+xml; charset=utf-8",
    headers: Headers = (),
    compress: bool = False,
) -> Behaviour:
    """A document with optional validators, answering conditional requests with 304.

    ``If-None-Match`` (weak comparison, lists, ``*``) wins over ``If-Modified-Since``, as
    RFC 9110 says. With ``compress``, the body is gzipped when the client accepts gzip.
    """
    validators = [(k, v) for k, v in (("ETag", etag), ("Last-Modified", last_modified)) if v]
    extra = list(headers)

    def behaviour(exchange: Exchange) -> None:
        if _not_modified(exchange.request, etag, last_modified):
            exchange.send(304, b"", [*validators, *extra])
            return
        payload, encoding = body, []
        if compress and "gzip" in (exchange.request.header("Accept-Encoding") or ""):
            payload, encoding = gzip.compress(body), [("Content-Encoding", "gzip")]
        exchange.send(
            200, payload, [("Content-Type", content_type), *validators, *encoding, *extra]
        )

    return behaviour


def _not_modified(request: Request, etag: str | None, last_modified: str | None) -> bool:
    if_none_match = request.header("If-None-Match")
    if if_none_match is not None:
        if etag is None:
            return False
        tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.header("If-Modified-Since")
    if since is None or last_modified is None:
        return False
    try:
        return parsedate_to_datetime(last_modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def redirect(location: str, status: int = 301) -> Behaviour:
    """A redirect to ``location`` (absolute, or relative to the request)."""
    return respond(status, b"", [("Location", location)])


def retry_after(value: str, status: int = 429) -> Behaviour:
    """``status`` with a ``Retry-After: value`` header (seconds or an HTTP-date)."""
    return respond(status, b"slow down\n", [("Retry-After", value)], "text/plain")


def slow(delay: float, then: Behaviour) -> Behaviour:
    """Wait ``delay`` seconds before answering at all, then behave as ``then``."""

    def behaviour(exchange: Exchange) -> None:
        if exchange.wait(delay):
            then(exchange)

    return behaviour


def endless(chunk: bytes = b"x" * _CHUNK, interval: float = 0.0) -> Behaviour:
    """A 200 whose body never ends: ``chunk`` after ``chunk``, ``interval`` seconds apart."""

    def behaviour(exchange: Exchange) -> None:
        exchange.start(200, [("Content-Type", "application/rss+xml")])
        while not exchange.stopping:
            exchange.write(chunk)
            if interval and not exchange.wait(interval):
                return

    return behaviour


def huge(size: int, *, declare_length: bool = True) -> Behaviour:
    """A 200 with a ``size``-byte body, sent in 64 KiB chunks as long as the client reads."""

    def behaviour(exchange: Exchange) -> None:
        headers = [("Content-Type", "application/rss+xml")]
        if declare_length:
            headers.append(("Content-Length", str(size)))
        exchange.start(200, headers, close=not declare_length)
        left = size
        while left > 0 and not exchange.stopping:
            exchange.write(b"x" * min(_CHUNK, left))
            left -= _CHUNK

    return behaviour


def gzip_bomb(inflated: int = 100 * 1024 * 1024) -> Behaviour:
    """A small gzip body (about 1/1000 of ``inflated``) that inflates to ``inflated`` zeros."""

    def behaviour(exchange: Exchange) -> None:
        headers = [("Content-Type", "application/rss+xml"), ("Content-Encoding", "gzip")]
        exchange.send(200, _bomb(inflated), headers)

    return behaviour


@functools.lru_cache(maxsize=4)
def _bomb(inflated: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1024 * 1024)
    parts = [compressor.compress(zeros) for _ in range(inflated // len(zeros))]
    parts.append(compressor.compress(bytes(inflated % len(zeros))))
    parts.append(compressor.flush())
    return b"".join(parts)


def sequence(*behaviours: Behaviour) -> Behaviour:
    """The n-th request gets the n-th behaviour; the last one repeats."""
    lock = threading.Lock()
    served = itertools.count()

    def behaviour(exchange: Exchange) -> None:
        with lock:
            index = next(served)
        behaviours[min(index, len(behaviours) - 1)](exchange)

    return behaviour


def recording(into: list[bytes], then: Behaviour) -> Behaviour:
    """Append each request's body to ``into`` (e.g. a WebSub hub's pings), then ``then``."""

    def behaviour(exchange: Exchange) -> None:
        into.append(exchange.body())
        then(exchange)

    return behaviour
