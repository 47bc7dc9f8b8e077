"""The daemon benchmark's loopback feed server: many small feeds, churn over time, failures.

``python -m bench.steady_server --feeds 500 --entries 20 --interval 30`` prints ``PORT <n>``
when ready and serves until stdin closes or SIGTERM:

- ``GET /f/<i>``: feed ``i`` (RSS 2.0, ``entries`` items of bench.gen's text, ETag and
  Last-Modified; a matching conditional request gets a 304). What feed ``i`` is
  (``kind(i)``): ``failing`` answers 500, ``limited`` 429 with ``Retry-After``, ``churn``
  gains one item per ``interval`` seconds while churn is on (each at its own offset within
  the interval, so changes do not all land at once), ``still`` never changes.
- ``GET /_churn?on=1`` (or ``0``): churn on or off.
- ``GET /_stats``: JSON of the ``/f/`` requests since the last call (answers by status,
  the time each started, Unix seconds, and how many each feed got), then starts over.

A bare asyncio protocol (as bench.server) so that the server costs the daemon little CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from email.utils import format_datetime
from html import escape

from bench import gen
from bench.server import RequestProtocol, response, serve_until_stopped

#: Of every 100 feeds: which fail (500) and which are rate-limited (429).
FAILING, LIMITED = (99,), (98,)
CHURN_EVERY = 10
RETRY_AFTER = 120


def kind(i: int) -> str:
    if i % 100 in FAILING:
        return "failing"
    if i % 100 in LIMITED:
        return "limited"
    return "churn" if i % CHURN_EVERY == 0 else "still"


def body(i: int, entries: int, generation: int) -> bytes:
    """Feed ``i`` at ``generation``: items ``generation .. generation+entries-1``, newest first."""
    items = []
    for j in reversed(range(generation, generation + entries)):
        e = gen.make_entry(i, j)
        items.append(
            f"<item><title>{escape(e.title)}</title><link>{escape(e.link)}</link>"
            f'<guid isPermaLink="false">{e.guid}</guid>'
            f"<pubDate>{format_datetime(e.date, usegmt=True)}</pubDate>"
            f"<description>{escape(e.html)}</description></item>\n"
        )
    head = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Steady feed {i}</title><link>https://news{i}.example/</link>"
        f"<description>Generated feed {i}</description><language>en</language>\n"
    )
    return (head + "".join(items) + "</channel></rss>\n").encode()


class State:
    def __init__(self, feeds: int, entries: int, interval: float) -> None:
        self.feeds, self.entries, self.interval = feeds, entries, interval
        self.churn_since: float | None = None
        self.base = 0  # generations gained in earlier churn periods
        self.bodies: dict[int, tuple[int, bytes]] = {}
        self.starts: list[float] = []
        self.by_status: dict[int, int] = {}
        self.per_feed: dict[int, int] = {}

    def generation(self, i: int) -> int:
        if kind(i) != "churn" or self.churn_since is None:
            return self.base
        offset = (i * 0.6180339887) % 1.0
        return self.base + int((time.time() - self.churn_since) / self.interval + offset)

    def churn(self, on: bool) -> None:
        if on and self.churn_since is None:
            self.churn_since = time.time()
        elif not on and self.churn_since is not None:
            self.base = self.generation(0)
            self.churn_since = None

    def feed(self, i: int) -> tuple[int, bytes]:
        g = self.generation(i)
        cached = self.bodies.get(i)
        if cached is None or cached[0] != g:
            cached = self.bodies[i] = (g, body(i, self.entries, g))
        return cached


class _Protocol(RequestProtocol):
    def __init__(self, state: State) -> None:
        super().__init__()
        self.state = state

    def _route(self, target: str, headers: dict[str, str]) -> bytes:
        state = self.state
        path, _, query = target.partition("?")
        if path.startswith("/f/") and path[3:].isdigit() and int(path[3:]) < state.feeds:
            state.starts.append(time.time())
            state.per_feed[int(path[3:])] = state.per_feed.get(int(path[3:]), 0) + 1
            status, answer = self._feed(int(path[3:]), headers)
            state.by_status[status] = state.by_status.get(status, 0) + 1
            return answer
        if path == "/_churn":
            state.churn(query == "on=1")
            return response("200 OK", [("Content-Type", "text/plain")], b"ok\n")
        if path == "/_stats":
            text = json.dumps(
                {"status": state.by_status, "starts": state.starts, "per_feed": state.per_feed}
            ).encode()
            state.starts, state.by_status, state.per_feed = [], {}, {}
            return response("200 OK", [("Content-Type", "application/json")], text)
        return response("404 Not Found", [("Content-Type", "text/plain")], b"no\n")

    def _feed(self, i: int, headers: dict[str, str]) -> tuple[int, bytes]:
        what = kind(i)
        plain = [("Content-Type", "text/plain")]
        if what == "failing":
            return 500, response("500 Internal Server Error", plain, b"broken\n")
        if what == "limited":
            wait = [("Retry-After", str(RETRY_AFTER)), *plain]
            return 429, response("429 Too Many Requests", wait, b"slow down\n")
        g, data = self.state.feed(i)
        etag = f'"s{i}-g{g}"'
        modified = format_datetime(gen.entry_date(i, g + self.state.entries), usegmt=True)
        validators = [("ETag", etag), ("Last-Modified", modified)]
        if headers.get("if-none-match") == etag:
            return 304, response("304 Not Modified", validators, b"")
        kind_header = [("Content-Type", "application/rss+xml"), *validators]
        return 200, response("200 OK", kind_header, data)


async def serve(feeds: int, entries: int, interval: float) -> None:
    state = State(feeds, entries, interval)
    await serve_until_stopped(lambda: _Protocol(state))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--entries", type=int, default=20)
    parser.add_argument("--interval", type=float, default=30.0)
    args = parser.parse_args()
    asyncio.run(serve(args.feeds, args.entries, args.interval))


if __name__ == "__main__":
    main()
