"""The HTTP side of the daemon: public/ as static files, ``/healthz`` and ``/metrics`` (and
the routes it is given: the search page, ``feeds.run.search_page``).

A Starlette app, served by uvicorn inside the daemon's event loop; and a second app with only
``/healthz`` and ``/metrics`` (``make_admin_app``) for a local port, when a static server
serves public/ instead. Until the daemon's first publish on a new store, files are answered
with 503 and ``Retry-After`` (never an empty feed). Static files are served
by hand rather than with ``StaticFiles`` so that the rules are ours and tested:

- media types a feed reader expects (``.atom`` is ``application/atom+xml``, ...);
- a strong ETag (a hash of the bytes; the gzipped variant gets its own, and ``Vary``),
  ``Last-Modified``, and 304 on ``If-None-Match`` / ``If-Modified-Since``;
- gzip when ``Accept-Encoding`` allows it; HEAD; GET and HEAD only (405 otherwise);
- 410 Gone for the page of a retracted article (``gone``, see ``feeds.publish.gone``), 404 for
  anything else missing;
- no directory listing (a folder serves its ``index.html`` or nothing), nothing outside
  public/ (``..``, encoded or not, and symlinks that lead out are 404), and never a dotfile:
  ``feeds.publish.files.write_atomic``'s temporary files are ``.<name>.tmp-*``.

``Serving`` runs the app with uvicorn as a task of the daemon's loop (uvicorn's own signal
handlers off: the daemon owns the signals) on a socket ``feeds.run.listen`` bound. This module
must not write anything, open the store or know about topics: it serves the folder it is
given and asks its callables for health, metrics and whether to wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import mimetypes
import os
import socket
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from functools import lru_cache
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from feeds.run.metrics import CONTENT_TYPE as METRICS_TYPE

#: Media types by suffix; the rest come from ``mimetypes`` or are octet streams.
MEDIA_TYPES = {
    ".atom": "application/atom+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".opml": "text/x-opml; charset=utf-8",
    ".xsl": "text/xsl; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
}
#: Worth compressing: text of some size.
_COMPRESSIBLE = ("text/", "application/atom", "application/rss", "application/feed+json",
                 "application/xml", "application/json", "image/svg")  # fmt: skip
_MIN_GZIP = 256
#: Feed types a browser would show as text rather than through the XSL stylesheet.
_FEED_TYPES = ("application/atom+xml", "application/rss+xml")
CACHE_CONTROL = "public, max-age=60"
ALLOWED = ["GET", "HEAD"]


@dataclass(frozen=True, slots=True)
class _File:
    """One file's bytes and validators, as read for one (path, inode, size, mtime)."""

    data: bytes
    etag: str
    mtime: float
    media_type: str


@lru_cache(maxsize=256)
def _load(path: str, inode: int, size: int, mtime_ns: int) -> _File:
    """The file's bytes and ETag; cached while inode, size and mtime stay the same."""
    with open(path, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()[:32]
    return _File(data, f'"{digest}"', mtime_ns / 1e9, media_type(path))


@lru_cache(maxsize=256)
def _gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=6, mtime=0)


def media_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under ``root`` that ``url_path`` (already percent-decoded) names, or None.

    None for: dot segments and dotfiles anywhere in the path, backslashes or NULs, anything
    whose real path (symlinks followed) leaves ``root``, and folders without index.html.
    """
    parts = [p for p in url_path.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return None
    real_root = root.resolve()
    try:
        target = real_root.joinpath(*parts).resolve(strict=True)
        if target.is_dir():
            target = (target / "index.html").resolve(strict=True)
        relative = target.relative_to(real_root)
    except (OSError, ValueError, RuntimeError):  # missing, outside root, symlink loop
        return None
    if any(p.startswith(".") for p in relative.parts):  # a symlink to a temp file
        return None
    return target


def accepts_gzip(header: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (``gzip;q=0`` does not; ``*`` does)."""
    if not header:
        return False
    quality: dict[str, float] = {}
    for item in header.lower().split(","):
        name, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        quality[name.strip()] = q
    return quality.get("gzip", quality.get("*", 0.0)) > 0


def _etag_matches(header: str, etag: str) -> bool:
    """``If-None-Match``: weak comparison, lists and ``*`` (RFC 9110, 13.1.2)."""
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return "*" in tags or etag in tags


def _not_modified(request: Request, etag: str, mtime: float) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:  # it wins over If-Modified-Since
        return _etag_matches(if_none_match, etag)
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return int(mtime) <= parsedate_to_datetime(since).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        return False


def wants_page(media: str, accept: str | None) -> bool:
    """A browser asking for a feed: it applies our XSL only to a generic XML type."""
    if not media.startswith(_FEED_TYPES) or not accept:
        return False
    return "text/html" in accept and not any(t in accept for t in _FEED_TYPES)


def _file_response(request: Request, file: _File) -> Response:
    compressible = file.media_type.startswith(_COMPRESSIBLE) and len(file.data) >= _MIN_GZIP
    body, etag, media = file.data, file.etag, file.media_type
    headers = {"Cache-Control": CACHE_CONTROL, "X-Content-Type-Options": "nosniff"}
    vary = ["Accept-Encoding"] if compressible else []
    if media.startswith(_FEED_TYPES):
        vary.append("Accept")
        if wants_page(media, request.headers.get("accept")):
            # Same bytes, another representation: its own ETag.
            media, etag = "application/xml; charset=utf-8", etag[:-1] + '-x"'
    if vary:
        headers["Vary"] = ", ".join(vary)
    if compressible:
        if accepts_gzip(request.headers.get("accept-encoding")):
            body, etag = _gzipped(file.data), etag[:-1] + '-gz"'
            headers["Content-Encoding"] = "gzip"
    headers["ETag"] = etag
    headers["Last-Modified"] = formatdate(file.mtime, usegmt=True)
    if _not_modified(request, etag, file.mtime):
        headers.pop("Content-Encoding", None)
        return Response(status_code=304, headers=headers)
    headers["Content-Length"] = str(len(body))
    content = b"" if request.method == "HEAD" else body
    return Response(content, headers=headers, media_type=media)


def _not_found() -> Response:
    return PlainTextResponse("not found\n", status_code=404, headers={"Cache-Control": "no-store"})


def _gone() -> Response:
    """A retracted article's page: 410, so that readers and crawlers drop the link."""
    return PlainTextResponse("gone: this article was withdrawn\n", status_code=410)


_STARTING_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="{wait}">
<title>Starting</title></head><body><p>The feeds are being read for the first time; this
page reloads in {wait} seconds.</p></body></html>
"""


def starting(request: Request, wait: int) -> Response:
    """503 while nothing is published yet: a reader retries later rather than storing an
    empty feed; a browser gets a page that reloads itself."""
    headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}
    if "text/html" in request.headers.get("accept", ""):
        page = _STARTING_PAGE.format(wait=wait)
        return Response(page, status_code=503, headers=headers, media_type=MEDIA_TYPES[".html"])
    text = f"starting: the first publish is due within {wait} s; retry then\n"
    return PlainTextResponse(text, status_code=503, headers=headers)


def _admin_routes(
    health: Callable[[], tuple[bool, str]], metrics: Callable[[], bytes]
) -> list[Route]:
    async def healthz(request: Request) -> Response:
        ok, message = health()
        body = f"{'ok' if ok else 'unhealthy'}: {message}\n"
        return PlainTextResponse(
            body, status_code=200 if ok else 503, headers={"Cache-Control": "no-store"}
        )

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics(), media_type=METRICS_TYPE, headers={"Cache-Control": "no-store"})

    return [
        Route("/healthz", healthz, methods=ALLOWED),
        Route("/metrics", metrics_endpoint, methods=ALLOWED),
    ]


def make_admin_app(
    health: Callable[[], tuple[bool, str]], metrics: Callable[[], bytes]
) -> Starlette:
    """Only ``/healthz`` and ``/metrics`` (``feeds run --admin-port``); anything else 404."""

    def nothing(request: Request) -> Response:
        return _not_found()

    routes = [*_admin_routes(health, metrics), Route("/{path:path}", nothing, methods=ALLOWED)]
    return Starlette(routes=routes)


def make_app(
    public_dir: Path,
    health: Callable[[], tuple[bool, str]],
    metrics: Callable[[], bytes],
    wait: Callable[[], int | None] = lambda: None,
    gone: Callable[[str], bool] = lambda path: False,
    *,
    routes: Sequence[Route] = (),
    pages: Callable[[bytes], bytes] | None = None,
) -> Starlette:
    """The app: ``/healthz``, ``/metrics``, ``routes`` (the search page), and every other
    GET/HEAD a file of public_dir.

    While ``wait()`` gives a number of seconds (nothing published yet), files are a 503 with
    that ``Retry-After`` instead, whatever public/ holds from an earlier life. A missing file
    for which ``gone(path)`` is true (a retracted article's page) is a 410. ``pages`` makes
    an HTML file's served bytes from its bytes on disk (the search box; its own ETag).
    """
    root = Path(public_dir)

    def static(request: Request) -> Response:
        if (seconds := wait()) is not None:
            return starting(request, seconds)
        # Sync on purpose: Starlette runs it in a thread, so disk reads never stall the loop.
        target = resolve(root, request.path_params["path"])
        if target is None:
            return _gone() if gone(request.path_params["path"]) else _not_found()
        try:
            st = target.stat()
            if not stat.S_ISREG(st.st_mode):
                return _not_found()
            file = _load(str(target), st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:  # replaced or removed between resolve and read
            return _not_found()
        if pages is not None and file.media_type.startswith("text/html"):
            file = _served(file, pages)
        return _file_response(request, file)

    every = [*_admin_routes(health, metrics), *routes]
    return Starlette(routes=[*every, Route("/{path:path}", static, methods=ALLOWED)])


@lru_cache(maxsize=256)
def _served(file: _File, pages: Callable[[bytes], bytes]) -> _File:
    """``file`` as ``pages`` serves it: the same if it keeps the bytes, else its own ETag."""
    data = pages(file.data)
    if data == file.data:
        return file
    return _File(data, f'"{hashlib.sha256(data).hexdigest()[:32]}"', file.mtime, file.media_type)


# -- running it inside the daemon's loop -----------------------------------------------------


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers (the daemon's own handlers stop it) and without
    its 10-per-second timer (an idle daemon must not wake up): ``exit()`` stops it."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._exit = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    async def main_loop(self) -> None:
        # uvicorn ticks every 0.1 s to refresh its Date header and to notice should_exit;
        # the Date header comes from _dated instead, and exit() wakes this up.
        if not await self.on_tick(0):
            await self._exit.wait()

    def exit(self) -> None:
        self.should_exit = True
        self._exit.set()


def _dated(app: ASGIApp) -> ASGIApp:
    """``app`` with a Date header on every response (uvicorn's own, switched off, is
    refreshed by a timer)."""

    async def dated(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)

        async def send_dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                date = formatdate(usegmt=True).encode()
                message["headers"] = [(b"date", date), *message.get("headers", [])]
            await send(message)

        return await app(scope, receive, send_dated)

    return dated


@dataclass(frozen=True, slots=True)
class Serving:
    """uvicorn serving an app as a task of the running loop."""

    server: _Server
    task: asyncio.Task[None]

    @classmethod
    def start(cls, app: Starlette, sock: socket.socket) -> Serving:
        # Keep-alive 75 s (as nginx): publishing runs in this loop, and a connection whose
        # 5 s keep-alive timer fires while the loop is busy is closed under a request the
        # client already sent ("server disconnected without sending a response").
        config = uvicorn.Config(_dated(app), log_level="warning", log_config=None,
                                lifespan="off", access_log=False, server_header=False,
                                date_header=False, timeout_keep_alive=75)  # fmt: skip
        server = _Server(config)
        return cls(server, asyncio.create_task(server.serve(sockets=[sock])))

    async def stop(self, timeout: float) -> None:
        """Stop accepting, let requests in flight finish for ``timeout`` s, then cut them."""
        self.server.exit()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout)
        except TimeoutError:
            self.server.force_exit = True
            await asyncio.wait([self.task], timeout=1.0)
