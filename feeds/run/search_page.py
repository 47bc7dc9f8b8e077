"""The live query page of ``feeds run``: ``/search?q=…&topic=slug``, and the search box it
puts into the pages it serves.

Safe on a public server: the store is opened read-only for each search with a budget of
SQLite steps (``feeds.store.open_readonly``), the query's size is bounded
(``feeds.run.search_results``), at most ``CONCURRENT`` searches run at once, each client
(its address) has a token bucket (``feeds.decide.ratelimit``), every text is escaped by the
templates, and no message names a path or the store: a store error is logged and the page
says only that search is unavailable.

The static pages carry a comment where the box goes (``feeds.publish.templating``'s
``SEARCH_MARK``; a topic's page names its slug); ``box`` puts the form there when the
daemon serves a page, so public/ served by any other server has no search box and the
files stay byte for byte what publish wrote. Must not write anything.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from feeds.decide.ratelimit import Bucket, Limit, take, wait
from feeds.errors import QuerySyntaxError, QueryTooCostly, StoreError
from feeds.models import Config, Topic
from feeds.publish.templating import environment, render
from feeds.run.search_results import MAX_QUERY, Results, search
from feeds.store import open_readonly

log = logging.getLogger("feeds")

#: Searches running at once; one more is answered 503 at once rather than queued.
CONCURRENT = 2
#: SQLite virtual machine steps one query of a search may take (about six per match
#: counted), and its time in seconds (see docs/web.md for what they were measured on).
BUDGET, SECONDS = 3_000_000, 1.0
#: Clients whose buckets are kept (the least recently seen go first).
CLIENTS = 10_000
_MARK = re.compile(rb"<!--feeds:search(?::([a-z0-9-]{1,64}))?-->")
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
}


class SearchPage:
    """The ``/search`` route and the search box, for the config ``config()`` gives now."""

    def __init__(
        self,
        config: Callable[[], Config],
        *,
        limit: Limit | None = None,
        clock: Callable[[], float] = time.monotonic,
        budget: int = BUDGET,
    ) -> None:
        self.config, self.limit, self.clock = config, limit or Limit(), clock
        self.budget = budget
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._running = threading.BoundedSemaphore(CONCURRENT)

    def routes(self) -> list[Route]:
        return [Route("/search", self.endpoint, methods=["GET", "HEAD"])]

    def allowed(self, client: str) -> tuple[bool, int]:
        """Whether ``client`` may search now; else the seconds to wait."""
        with self._lock:
            ok, bucket = take(self._buckets.pop(client, None), self.clock(), self.limit)
            self._buckets[client] = bucket
            while len(self._buckets) > CLIENTS:
                self._buckets.popitem(last=False)
        return ok, 0 if ok else wait(bucket, self.limit)

    def endpoint(self, request: Request) -> Response:
        """Sync on purpose: Starlette runs it in a thread, so a search never stalls the loop."""
        client = request.client.host if request.client else "?"
        ok, seconds = self.allowed(client)
        if not ok:
            page = self.page(request, message="Too many searches: wait a little and try again.")
            return _html(page, 429, {"Retry-After": str(seconds)})
        if not self._running.acquire(blocking=False):
            page = self.page(request, message="The server is busy: try again in a moment.")
            return _html(page, 503, {"Retry-After": "5"})
        try:
            return self.answer(request)
        finally:
            self._running.release()

    def answer(self, request: Request) -> Response:
        config = self.config()
        slug = request.query_params.get("topic", "")
        topic = next((t for t in config.topics if t.slug == slug), None)
        if slug and topic is None:
            return _html(self.page(request, message="There is no such topic."), 404)
        q = request.query_params.get("q", "")
        if not q.strip() and topic is not None:
            q = topic.query
        if not q.strip():
            return _html(self.page(request, q=q, topic=topic), 200)
        try:
            with open_readonly(config.settings, budget=self.budget, seconds=SECONDS) as store:
                sources = {s.name: s for s in config.sources}
                found = search(store, q, topic, settings=config.settings, sources=sources)
        except QuerySyntaxError as e:
            return _html(self.page(request, q=q, topic=topic, error=e), 400)
        except QueryTooCostly:
            message = "This query costs too much to run here: make it narrower."
            return _html(self.page(request, q=q, topic=topic, message=message), 400)
        except StoreError as e:
            log.error("search: %s", e)  # the operator's log; the page names nothing
            message = "Search is not available right now."
            return _html(self.page(request, q=q, topic=topic, message=message), 503)
        return _html(self.page(request, q=q, topic=topic, found=found), 200)

    def page(
        self,
        request: Request,
        *,
        q: str = "",
        topic: Topic | None = None,
        error: QuerySyntaxError | None = None,
        message: str | None = None,
        found: Results | None = None,
    ) -> bytes:
        config = self.config()
        return render(
            "search.html.j2", settings=config.settings, topics=config.topics, q=q[:MAX_QUERY],
            topic=topic, error=error, pointer=error.pointer() if error else "",
            message=message, found=found, root="", page="search", lang="en",
            title=f"Search · {config.settings.title}", max_query=MAX_QUERY,
        )  # fmt: skip

    def box(self, data: bytes) -> bytes:
        """``data`` (a page of public/) with the search box where its comment says."""
        slugs = frozenset(t.slug for t in self.config().topics)
        return _boxed(data, slugs)


@lru_cache(maxsize=256)
def _boxed(data: bytes, slugs: frozenset[str]) -> bytes:
    def form(match: re.Match[bytes]) -> bytes:
        slug = match.group(1).decode("ascii") if match.group(1) else ""
        template = environment().get_template("search_box.html.j2")
        html = template.render(root="", q="", topic=slug if slug in slugs else "",
                               max_query=MAX_QUERY)  # fmt: skip
        return html.rstrip("\n").encode("utf-8")

    return _MARK.sub(form, data, count=1)


def _html(page: bytes, status: int, headers: dict[str, str] | None = None) -> Response:
    return Response(page, status_code=status, headers={**HEADERS, **(headers or {})},
                    media_type="text/html; charset=utf-8")  # fmt: skip
