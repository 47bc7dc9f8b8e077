"""The HTTP side: static public/, validators, gzip, methods, and nothing outside public/.

Requests go straight to the ASGI app with the exact path a server would hand it (already
percent-decoded, dot segments kept), so traversal attempts are tested as they arrive; one
test goes through a real uvicorn on a free port, raw bytes on a socket.
"""

from __future__ import annotations

import asyncio
import gzip
import os
import socket
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from pathlib import Path

import pytest
import uvicorn

from feeds.run.serve import accepts_gzip, make_app, resolve

ATOM = b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">' + b"x" * 600 + b"</feed>"


class Reply:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


def call(
    app,
    path: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    client: str = "127.0.0.1",
) -> Reply:
    path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
        "query_string": query.encode(), "server": ("127.0.0.1", 8080), "client": (client, 1234),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }  # fmt: skip
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = sent[0]
    got = {k.decode().lower(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return Reply(start["status"], got, body)


@pytest.fixture
def public(tmp_path: Path) -> Path:
    root = tmp_path / "public"
    (root / "articles" / "2024").mkdir(parents=True)
    (root / "zebras.atom").write_bytes(ATOM)
    (root / "old.rss").write_bytes(b"<rss/>")
    (root / "zebras.json").write_bytes(b'{"version": "https://jsonfeed.org/version/1.1"}')
    (root / "feeds.opml").write_bytes(b"<opml/>")
    (root / "style.xsl").write_bytes(b"<xsl:stylesheet/>")
    (root / "index.html").write_bytes(b"<!doctype html><title>feeds</title>")
    (root / "articles" / "2024" / "index.html").write_bytes(b"<p>articles</p>")
    (root / "articles" / "2024" / "one.html").write_bytes(b"<p>one</p>")
    (root / ".zebras.atom.tmp-abc123").write_bytes(b"half a feed")
    (root / ".hidden").mkdir()
    (root / ".hidden" / "x.atom").write_bytes(ATOM)
    (tmp_path / "secret.txt").write_bytes(b"the secret")
    return root


@pytest.fixture
def app(public: Path):
    state = {"healthy": True}

    def health() -> tuple[bool, str]:
        return state["healthy"], "scheduler running" if state["healthy"] else "stale"

    app = make_app(public, health, lambda: b"# HELP feeds_x x\nfeeds_x 1.0\n")
    app.state.health = state
    return app


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/zebras.atom", "application/atom+xml; charset=utf-8"),
        ("/old.rss", "application/rss+xml; charset=utf-8"),
        ("/zebras.json", "application/feed+json; charset=utf-8"),
        ("/feeds.opml", "text/x-opml; charset=utf-8"),
        ("/style.xsl", "text/xsl; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/", "text/html; charset=utf-8"),
        ("/articles/2024/one.html", "text/html; charset=utf-8"),
    ],
)
def test_media_types(app, path: str, media_type: str) -> None:
    reply = call(app, path)
    assert reply.status == 200
    assert reply.headers["content-type"] == media_type
    assert reply.headers["cache-control"].startswith("public, max-age=")


def test_root_and_folders_serve_their_index_never_a_listing(app, public: Path) -> None:
    assert call(app, "/").body == (public / "index.html").read_bytes()
    assert call(app, "/articles/2024/").body == b"<p>articles</p>"
    assert call(app, "/articles/").status == 404  # a folder without index.html
    assert call(app, "/nothing.atom").status == 404


def test_etag_and_last_modified_revalidate_to_304(app, public: Path) -> None:
    first = call(app, "/zebras.atom")
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and etag.endswith('"')
    assert modified == formatdate((public / "zebras.atom").stat().st_mtime, usegmt=True)
    again = call(app, "/zebras.atom", headers={"If-None-Match": etag})
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    assert call(app, "/zebras.atom", headers={"If-None-Match": f'"x", W/{etag}'}).status == 304
    assert call(app, "/zebras.atom", headers={"If-None-Match": "*"}).status == 304
    assert call(app, "/zebras.atom", headers={"If-None-Match": '"other"'}).status == 200
    assert call(app, "/zebras.atom", headers={"If-Modified-Since": modified}).status == 304
    past = formatdate(time.time() - 86400 * 400, usegmt=True)
    assert call(app, "/zebras.atom", headers={"If-Modified-Since": past}).status == 200
    # If-None-Match wins over If-Modified-Since.
    both = {"If-None-Match": '"other"', "If-Modified-Since": modified}
    assert call(app, "/zebras.atom", headers=both).status == 200


def test_a_new_version_gets_a_new_etag(app, public: Path) -> None:
    before = call(app, "/zebras.atom").headers["etag"]
    path = public / "zebras.atom"
    temp = public / ".zebras.atom.tmp-new"
    temp.write_bytes(ATOM.replace(b"xxxx", b"yyyy", 1))
    os.replace(temp, path)  # as write_atomic does
    after = call(app, "/zebras.atom")
    assert after.headers["etag"] != before
    assert b"yyyy" in after.body


def test_gzip_when_accepted_with_its_own_etag(app) -> None:
    plain = call(app, "/zebras.atom")
    zipped = call(app, "/zebras.atom", headers={"Accept-Encoding": "br, gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body == ATOM
    assert zipped.headers["etag"] != plain.headers["etag"]
    assert plain.headers["vary"] == zipped.headers["vary"] == "Accept-Encoding, Accept"
    assert "content-encoding" not in plain.headers
    revalidated = call(
        app, "/zebras.atom",
        headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]},
    )  # fmt: skip
    assert revalidated.status == 304
    refused = call(app, "/zebras.atom", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "content-encoding" not in refused.headers


def test_accepts_gzip() -> None:
    assert accepts_gzip("gzip")
    assert accepts_gzip("deflate, gzip;q=0.5")
    assert accepts_gzip("*")
    assert not accepts_gzip(None)
    assert not accepts_gzip("br")
    assert not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("*, gzip;q=0")


def test_head_has_the_headers_and_no_body(app) -> None:
    get = call(app, "/zebras.atom")
    head = call(app, "/zebras.atom", method="HEAD")
    assert head.status == 200 and head.body == b""
    assert head.headers["content-length"] == str(len(get.body))
    assert head.headers["etag"] == get.headers["etag"]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_and_head(app, method: str) -> None:
    reply = call(app, "/zebras.atom", method=method)
    assert reply.status == 405
    assert set(reply.headers["allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/articles/../../secret.txt",
        "/articles/2024/../../../secret.txt",
        "/..\\secret.txt",
        "/./zebras.atom",
        "/.zebras.atom.tmp-abc123",
        "/.hidden/x.atom",
        "/zebras.atom\0",
    ],
)
def test_nothing_outside_public_and_no_dotfiles(app, path: str) -> None:
    reply = call(app, path)
    assert reply.status == 404
    assert b"secret" not in reply.body and b"half" not in reply.body


def test_symlinks_out_of_public_are_refused(app, public: Path, tmp_path: Path) -> None:
    (public / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (public / "outside").symlink_to(tmp_path)
    (public / "temp.atom").symlink_to(public / ".zebras.atom.tmp-abc123")
    (public / "alias.atom").symlink_to(public / "zebras.atom")
    assert call(app, "/leak.txt").status == 404
    assert call(app, "/outside/secret.txt").status == 404
    assert call(app, "/temp.atom").status == 404
    assert call(app, "/alias.atom").body == ATOM


def test_resolve(public: Path, tmp_path: Path) -> None:
    assert resolve(public, "zebras.atom") == (public / "zebras.atom").resolve()
    assert resolve(public, "") == (public / "index.html").resolve()
    assert resolve(public, "../secret.txt") is None
    assert resolve(public, "a/../../secret.txt") is None
    assert resolve(public, str(tmp_path / "secret.txt")) is None  # absolute: still under root


def test_healthz_and_metrics(app) -> None:
    ok = call(app, "/healthz")
    assert ok.status == 200 and ok.body.startswith(b"ok")
    assert ok.headers["cache-control"] == "no-store"
    app.state.health["healthy"] = False
    bad = call(app, "/healthz")
    assert bad.status == 503 and b"stale" in bad.body
    metrics = call(app, "/metrics")
    assert metrics.status == 200
    assert metrics.headers["content-type"].startswith("text/plain; version=")
    assert b"feeds_x 1.0" in metrics.body
    assert call(app, "/metrics", method="POST").status == 405


# -- through a real server ------------------------------------------------------------------


@pytest.fixture
def server(app) -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert srv.started
    yield port
    srv.should_exit = True
    thread.join(timeout=5)


def raw_get(port: int, target: str) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/articles/%2e%2e/%2e%2e/secret.txt",
        "/%2ezebras.atom.tmp-abc123",
    ],
)
def test_real_server_refuses_traversal(server: int, target: str) -> None:
    reply = raw_get(server, target)
    assert reply.startswith((b"HTTP/1.1 404", b"HTTP/1.1 400")), reply[:80]
    assert b"the secret" not in reply and b"half a feed" not in reply


def test_real_server_serves_a_feed(server: int) -> None:
    reply = raw_get(server, "/zebras.atom")
    assert reply.startswith(b"HTTP/1.1 200")
    assert b"content-type: application/atom+xml; charset=utf-8" in reply
    assert reply.endswith(ATOM)


def test_a_browser_gets_feeds_as_generic_xml_so_the_xsl_applies(tmp_path):
    """Chromium applies an xml-stylesheet only to application/xml or text/xml documents."""
    import asyncio

    import httpx

    from feeds.run.serve import make_app

    (tmp_path / "t.atom").write_bytes(
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>'
    )
    app = make_app(tmp_path, lambda: (True, "ok"), lambda: b"")
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

    async def get(accept: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            return await client.get("/t.atom", headers={"Accept": accept})

    page = asyncio.run(get(browser))
    reader = asyncio.run(get("application/atom+xml, */*;q=0.5"))
    plain = asyncio.run(get("*/*"))
    assert page.headers["content-type"].startswith("application/xml")
    assert reader.headers["content-type"].startswith("application/atom+xml")
    assert plain.headers["content-type"].startswith("application/atom+xml")
    assert page.content == reader.content
    assert page.headers["etag"] != reader.headers["etag"]
    assert "Accept" in page.headers["vary"]


def test_before_the_first_publish_every_file_is_a_503_with_retry_after(public: Path) -> None:
    """Whatever public/ holds from an earlier life, nothing is served until the daemon has
    published (issue 15, item 6); /healthz and /metrics still answer."""
    wait: dict[str, int | None] = {"seconds": 42}
    app = make_app(public, lambda: (True, "starting"), lambda: b"m 1\n", lambda: wait["seconds"])
    for path in ("/zebras.atom", "/feeds.opml", "/", "/no-such.atom", "/../secret.txt"):
        reply = call(app, path)
        assert reply.status == 503, path
        assert reply.headers["retry-after"] == "42"
        assert reply.headers["cache-control"] == "no-store"
    page = call(app, "/", headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.headers["content-type"].startswith("text/html")
    assert b'<meta http-equiv="refresh" content="42">' in page.body
    assert call(app, "/healthz").status == 200
    assert call(app, "/metrics").body == b"m 1\n"
    wait["seconds"] = None
    assert call(app, "/zebras.atom").body == ATOM


def test_the_admin_app_serves_health_and_metrics_and_no_file(public: Path) -> None:
    from feeds.run.serve import make_admin_app

    app = make_admin_app(lambda: (False, "stale"), lambda: b"m 1\n")
    health = call(app, "/healthz")
    assert health.status == 503 and health.body == b"unhealthy: stale\n"
    assert call(app, "/metrics").body == b"m 1\n"
    assert call(app, "/zebras.atom").status == 404
    assert call(app, "/").status == 404
    assert call(app, "/metrics", method="POST").status == 405
