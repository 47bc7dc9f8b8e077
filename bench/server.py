"""The benchmark's loopback feed server: a separate process on 127.0.0.1.

``python -m bench.server --feeds 1000 --entries 50`` pre-renders every body, prints
``PORT <n>`` on stdout when ready, and serves until stdin closes or SIGTERM:

- ``GET /f/<i>``: feed ``i`` (see bench.gen) with ETag and Last-Modified; a conditional
  request whose validators match gets a 304 (If-None-Match wins over If-Modified-Since).
- ``GET /_control?generation=<g>``: switch to generation ``g`` (the churn feeds gain 5
  entries per generation); bodies are rendered before it answers.
- ``GET /_stats``: requests served so far, as ``<200s> <304s>``.
- The full-text case (bench.gen, "full text"): ``GET /t/<i>``, feed ``i`` of teasers
  (``--full-text-entries`` items) linking to ``GET /a/<i>/<j>``, article pages of a news
  site's size; ``GET /robots.txt``; ``GET /_pages``: article pages served so far.

A bare asyncio protocol (HTTP/1.1, keep-alive, no chunking) so that the server costs the
contenders as little of the machine's CPU as possible.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from email.utils import parsedate_to_datetime

from bench import gen


class _State:
    def __init__(self, feeds: int, entries: int, full_text_entries: int = 10) -> None:
        self.feeds = feeds
        self.entries = entries
        self.full_text_entries = full_text_entries
        self.teasers: dict[int, bytes] = {}
        self.pages = 0
        self.generation = 0
        self.bodies: dict[tuple[int, int], bytes] = {}
        self.ok = 0
        self.not_modified = 0
        self.render(0)

    def render(self, generation: int) -> None:
        for i in range(self.feeds):
            g = generation if gen.is_churned(i) else 0
            if (i, g) not in self.bodies:
                self.bodies[(i, g)] = gen.feed_body(i, self.entries, g)
        self.generation = generation

    def feed(self, i: int) -> tuple[bytes, str, str]:
        g = self.generation if gen.is_churned(i) else 0
        etag, modified = gen.validators(i, self.generation)
        return self.bodies[(i, g)], etag, modified


def _not_modified(headers: dict[str, str], etag: str, modified: str) -> bool:
    match = headers.get("if-none-match")
    if match is not None:
        return etag in {t.strip().removeprefix("W/") for t in match.split(",")}
    since = headers.get("if-modified-since")
    if since is None:
        return False
    try:
        return parsedate_to_datetime(modified) <= parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False


def response(status: str, headers: list[tuple[str, str]], body: bytes) -> bytes:
    """An HTTP/1.1 response, whole."""
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}"]
    lines += [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


class RequestProtocol(asyncio.Protocol):
    """One loopback connection: each request's head is read and answered with ``route``
    (what a subclass says); ``Connection: close`` closes it after the answer."""

    def __init__(self) -> None:
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self._answer(head.decode("latin-1"))

    def _answer(self, head: str) -> None:
        assert self.transport is not None
        request_line, *rest = head.split("\r\n")
        headers = {}
        for line in rest:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        parts = request_line.split(" ")
        target = parts[1] if len(parts) > 1 else "/"
        self.transport.write(self._route(target, headers))
        if headers.get("connection", "").lower() == "close":
            self.transport.close()

    def _route(self, target: str, headers: dict[str, str]) -> bytes:
        raise NotImplementedError


class _Protocol(RequestProtocol):
    def __init__(self, state: _State) -> None:
        super().__init__()
        self.state = state

    def _route(self, target: str, headers: dict[str, str]) -> bytes:
        state = self.state
        path, _, query = target.partition("?")
        if path.startswith("/f/") and path[3:].isdigit() and int(path[3:]) < state.feeds:
            body, etag, modified = state.feed(int(path[3:]))
            validators = [("ETag", etag), ("Last-Modified", modified)]
            if _not_modified(headers, etag, modified):
                state.not_modified += 1
                return response("304 Not Modified", validators, b"")
            state.ok += 1
            kind = "application/rss+xml" if int(path[3:]) % 2 == 0 else "application/atom+xml"
            return response("200 OK", [("Content-Type", kind), *validators], body)
        if path.startswith(("/t/", "/a/", "/robots.txt", "/_pages")):
            return _full_text_route(state, path, headers)
        if path == "/_control" and query.startswith("generation="):
            state.render(int(query.split("=", 1)[1]))
            return response("200 OK", [("Content-Type", "text/plain")], b"ok\n")
        if path == "/_stats":
            text = f"{state.ok} {state.not_modified}\n".encode()
            state.ok = state.not_modified = 0
            return response("200 OK", [("Content-Type", "text/plain")], text)
        return response("404 Not Found", [("Content-Type", "text/plain")], b"no\n")


def _full_text_route(state: _State, path: str, headers: dict[str, str]) -> bytes:
    """The full-text case's routes (see the module docstring)."""
    html, parts = [("Content-Type", "text/html; charset=utf-8")], path.split("/")
    if path == "/robots.txt":
        return response("200 OK", [("Content-Type", "text/plain")], gen.ROBOTS)
    if path == "/_pages":
        text, state.pages = f"{state.pages}\n".encode(), 0
        return response("200 OK", [("Content-Type", "text/plain")], text)
    if len(parts) == 3 and parts[1] == "t" and parts[2].isdigit() and int(parts[2]) < state.feeds:
        i = int(parts[2])
        if i not in state.teasers:
            base = f"http://{headers.get('host', '127.0.0.1')}"
            state.teasers[i] = gen.truncated_feed_body(i, state.full_text_entries, base)
        kind = [("Content-Type", "application/rss+xml"), ("ETag", f'"t{i}"')]
        return response("200 OK", kind, state.teasers[i])
    if len(parts) == 4 and parts[1] == "a" and parts[2].isdigit() and parts[3].isdigit():
        state.pages += 1
        etag = [("ETag", f'"a{parts[2]}-{parts[3]}"')]
        return response("200 OK", html + etag, gen.article_page(int(parts[2]), int(parts[3])))
    return response("404 Not Found", [("Content-Type", "text/plain")], b"no\n")


async def serve(feeds: int, entries: int, port: int, full_text_entries: int = 10) -> None:
    state = _State(feeds, entries, full_text_entries)
    await serve_until_stopped(lambda: _Protocol(state), port)


async def serve_until_stopped(protocol: Callable[[], asyncio.Protocol], port: int = 0) -> None:
    """Serve ``protocol`` on 127.0.0.1 (``port`` 0: any), print ``PORT n``, and stop on SIGTERM
    or when stdin closes (the benchmark that started it is gone)."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(protocol, "127.0.0.1", port, backlog=1024)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_reader(sys.stdin.fileno(), lambda: stop.set() if not sys.stdin.read(1) else None)
    async with server:
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--full-text-entries", type=int, default=10)
    args = parser.parse_args()
    asyncio.run(serve(args.feeds, args.entries, args.port, args.full_text_entries))


if __name__ == "__main__":
    main()
