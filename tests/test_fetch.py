"""Integration tests of feeds.sources.http against a real HTTP server on 127.0.0.1
(tests/loopback.py).

Each test scripts the server, fetches, and asserts both what the client sent (the server's
request log) and what the FetchResult / FetchError carries for the store. No timed
assertions: slow behaviours only make small timeouts fire.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import feedparser
import pytest
from fetching import ETAG, LAST_MODIFIED, MB, SETTINGS, UA, fetch, fetch_error
from loopback import (
    Loopback,
    endless,
    feed,
    gzip_bomb,
    huge,
    redirect,
    respond,
    retry_after,
    sequence,
    slow,
)

from feeds import __version__
from feeds.sources.discover import find_feed_links, looks_like_html
from feeds.sources.http import Fetcher, FetchResult, FetchSettings, is_fetchable_url, user_agent

RSS = (
    b'<?xml version="1.0" encoding="utf-8"?>'
    b'<rss version="2.0"><channel><title>t</title></channel></rss>'
)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- what we send ----------------------------------------------------------------------


def test_user_agent_names_feeds_its_version_and_the_operator() -> None:
    assert UA == f"feeds/{__version__} (+https://operator.example/about)"
    assert user_agent() == f"feeds/{__version__}"


def test_first_fetch_sends_identity_and_no_validators(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, etag=ETAG, last_modified=LAST_MODIFIED))
    result = fetch(url)
    (sent,) = loopback.requests
    assert sent.method == "GET"
    assert sent.header("User-Agent") == UA
    assert sent.header("Accept-Encoding") == "gzip, deflate"
    assert "application/atom+xml" in (sent.header("Accept") or "")
    assert sent.header("If-None-Match") is None and sent.header("If-Modified-Since") is None
    assert result.status_code == 200 and not result.not_modified
    assert result.body == RSS and result.body_hash == sha256(RSS)
    assert (result.etag, result.last_modified) == (ETAG, LAST_MODIFIED)
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.url == result.final_url == url
    assert result.permanent_url is None and result.discovered_from is None


# -- conditional GET -------------------------------------------------------------------


def test_etag_only_is_sent_back_and_a_304_costs_nothing(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, etag=ETAG))
    first = fetch(url)
    assert (first.etag, first.last_modified) == (ETAG, None)
    second = fetch(url, etag=first.etag, body_hash=first.body_hash)
    sent = loopback.requests[1]
    assert sent.header("If-None-Match") == ETAG
    assert sent.header("If-Modified-Since") is None
    assert second.status_code == 304 and second.not_modified
    assert second.body is None and second.etag == ETAG


def test_last_modified_only_is_sent_back(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, last_modified=LAST_MODIFIED))
    first = fetch(url)
    assert (first.etag, first.last_modified) == (None, LAST_MODIFIED)
    second = fetch(url, last_modified=first.last_modified)
    sent = loopback.requests[1]
    assert sent.header("If-Modified-Since") == LAST_MODIFIED
    assert sent.header("If-None-Match") is None
    assert second.status_code == 304 and second.not_modified and second.body is None
    assert second.last_modified == LAST_MODIFIED


def test_both_validators_are_sent_back(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, etag=ETAG, last_modified=LAST_MODIFIED))
    first = fetch(url)
    second = fetch(url, etag=first.etag, last_modified=first.last_modified)
    sent = loopback.requests[1]
    assert (sent.header("If-None-Match"), sent.header("If-Modified-Since")) == (
        ETAG,
        LAST_MODIFIED,
    )
    assert second.not_modified and (second.etag, second.last_modified) == (ETAG, LAST_MODIFIED)


def test_no_validators_an_unchanged_body_is_not_modified_by_its_hash(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS))
    first = fetch(url)
    assert (first.etag, first.last_modified) == (None, None)
    second = fetch(url, body_hash=first.body_hash)
    assert loopback.requests[1].header("If-None-Match") is None
    assert second.status_code == 200 and second.not_modified
    assert second.body is None and second.body_hash == first.body_hash


def test_a_stale_etag_gets_the_new_body(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS + b" ", etag='"v2"'))
    result = fetch(url, etag=ETAG, body_hash=sha256(RSS))
    assert result.status_code == 200 and not result.not_modified
    assert result.body == RSS + b" " and result.etag == '"v2"'


def test_a_304_to_an_unconditional_request_is_an_error(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", respond(304))
    assert fetch_error(url).status_code == 304


def test_cache_control_max_age_is_a_hint(loopback: Loopback) -> None:
    url = loopback.route(
        "/feed.xml", feed(RSS, headers=[("Cache-Control", "public, max-age=7200")])
    )
    assert fetch(url).max_age == 7200


# -- redirects -------------------------------------------------------------------------


def test_301_then_200_gives_the_permanent_url(loopback: Loopback) -> None:
    new = loopback.route("/new.xml", feed(RSS))
    old = loopback.route("/old.xml", redirect("/new.xml", 301))
    result = fetch(old)
    assert (result.url, result.final_url, result.permanent_url) == (old, new, new)
    assert [r.path for r in loopback.requests] == ["/old.xml", "/new.xml"]
    assert loopback.requests[1].header("User-Agent") == UA


def test_validators_follow_the_redirect(loopback: Loopback) -> None:
    loopback.route("/new.xml", feed(RSS, etag=ETAG))
    old = loopback.route("/old.xml", redirect("/new.xml", 308))
    result = fetch(old, etag=ETAG)
    assert result.not_modified and result.permanent_url == loopback.url("/new.xml")
    assert loopback.requests_to("/new.xml")[0].header("If-None-Match") == ETAG


@pytest.mark.parametrize("codes", [(302,), (307,), (303,), (301, 302), (302, 301)])
def test_a_temporary_hop_keeps_the_url(loopback: Loopback, codes: tuple[int, ...]) -> None:
    loopback.route("/feed.xml", feed(RSS))
    targets = [f"/hop{i + 1}" for i in range(len(codes) - 1)] + ["/feed.xml"]
    for i, (code, target) in enumerate(zip(codes, targets, strict=True)):
        loopback.route(f"/hop{i}", redirect(loopback.url(target), code))
    result = fetch(loopback.url("/hop0"))
    assert result.final_url == loopback.url("/feed.xml")
    assert result.permanent_url is None and result.body == RSS


def test_a_redirect_loop_is_an_error(loopback: Loopback) -> None:
    loopback.route("/a", redirect("/b", 301))
    loopback.route("/b", redirect("/a", 302))
    error = fetch_error(loopback.url("/a"))
    assert "redirect loop" in error.message and error.url == loopback.url("/a")
    assert len(loopback.requests) == 2


def test_too_many_redirects_is_an_error(loopback: Loopback) -> None:
    for i in range(10):
        loopback.route(f"/r{i}", redirect(f"/r{i + 1}", 302))
    error = fetch_error(loopback.url("/r0"), FetchSettings(user_agent=UA, max_redirects=3))
    assert "more than 3 redirects" in error.message
    assert len(loopback.requests) == 4


def test_a_redirect_to_another_scheme_is_an_error(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", redirect("file:///etc/passwd", 301))
    assert "non-http(s)" in fetch_error(url).message


@pytest.mark.parametrize("url", ["ftp://example.org/feed.xml", "file:///etc/passwd", "feed.xml"])
def test_only_http_and_https_are_fetched(url: str) -> None:
    assert not is_fetchable_url(url)
    assert "only http and https" in fetch_error(url).message


# -- statuses --------------------------------------------------------------------------


def test_410_gone_disables_the_source(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", respond(410))
    error = fetch_error(url)
    assert error.gone and error.status_code == 410 and error.url == url
    assert error.message.startswith(f"HTTP 410 Gone for {url}")


def test_429_retry_after_seconds(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", retry_after("120", 429))
    error = fetch_error(url)
    assert (error.status_code, error.retry_after, error.gone) == (429, 120.0, False)
    assert "wait 120 s" in error.message


def test_503_retry_after_http_date(loopback: Loopback) -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    url = loopback.route("/feed.xml", retry_after(later, 503))
    error = fetch_error(url)
    assert error.status_code == 503
    assert error.retry_after is not None and 3000 < error.retry_after <= 3600


@pytest.mark.parametrize(("status", "words"), [(500, "Internal Server Error"), (404, "Not Found")])
def test_errors_are_failures(loopback: Loopback, status: int, words: str) -> None:
    url = loopback.route("/feed.xml", respond(status))
    error = fetch_error(url)
    assert error.message.startswith(f"HTTP {status} {words} for {url}")
    assert (error.status_code, error.retry_after, error.gone) == (status, None, False)


def test_connection_refused_is_an_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed.xml")
    assert error.message.startswith("cannot connect to") and error.status_code is None


# -- limits ----------------------------------------------------------------------------


def test_a_body_that_never_ends_stops_at_the_limit(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", endless())
    error = fetch_error(url, FetchSettings(user_agent=UA, max_body=MB))
    assert "more than 1,048,576 bytes" in error.message


def test_a_trickling_body_stops_at_the_total_timeout(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", endless(b"<", interval=0.05))
    settings = FetchSettings(user_agent=UA, read_timeout=5, total_timeout=0.5)
    assert "total timeout of 0.5 s" in fetch_error(url, settings).message


def test_a_slow_server_hits_the_read_timeout(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", slow(30, feed(RSS)))
    settings = FetchSettings(user_agent=UA, read_timeout=0.3, total_timeout=10)
    assert fetch_error(url, settings).message.startswith("read timeout")


def test_a_50_mb_body_fails_at_the_limit_without_being_read(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", huge(50 * MB, declare_length=False))
    error = fetch_error(url, FetchSettings(user_agent=UA, max_body=MB))
    assert "max_body" in error.message and error.status_code == 200
    assert loopback.bytes_sent("/feed.xml") < 25 * MB  # what socket buffers took, at most


def test_a_declared_50_mb_body_is_refused_before_reading(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", huge(50 * MB))
    assert "max_body" in fetch_error(url, FetchSettings(user_agent=UA, max_body=MB)).message


def test_a_gzip_bomb_stops_at_the_limit(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", gzip_bomb(100 * MB))
    error = fetch_error(url, FetchSettings(user_agent=UA, max_body=MB))
    assert "more than 1,048,576 bytes" in error.message


def test_a_gzipped_body_is_decoded_and_hashed_decoded(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS * 100, compress=True))
    result = fetch(url)
    assert result.body == RSS * 100 and result.body_hash == sha256(RSS * 100)
    assert loopback.bytes_sent("/feed.xml") < len(RSS * 100)


def test_a_body_exactly_at_the_limit_is_accepted(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(b"x" * 1000, compress=True))
    assert fetch(url, FetchSettings(user_agent=UA, max_body=1000)).body == b"x" * 1000
    assert "max_body" in fetch_error(url, FetchSettings(user_agent=UA, max_body=999)).message


def test_a_wrong_charset_is_left_to_the_parser(loopback: Loopback) -> None:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>Été à l’Élysée</title>'
    body += "</channel></rss>"
    content_type = "application/rss+xml; charset=iso-8859-1"  # the body is UTF-8
    url = loopback.route("/feed.xml", feed(body.encode(), content_type=content_type))
    result = fetch(url)
    assert result.body == body.encode() and result.content_type == content_type
    assert result.body is not None
    parsed = feedparser.parse(result.body, response_headers={"content-type": content_type})
    assert parsed.feed.title == "Été à l’Élysée"


def test_cookies_are_not_kept(loopback: Loopback) -> None:
    headers = [("Set-Cookie", "session=abc; Path=/")]
    url = loopback.route("/feed.xml", feed(RSS, headers=headers))

    async def twice() -> None:
        async with Fetcher(SETTINGS) as fetcher:
            await fetcher.fetch(url)
            await fetcher.fetch(url)

    asyncio.run(twice())
    assert [r.header("Cookie") for r in loopback.requests] == [None, None]


# -- concurrency -----------------------------------------------------------------------


def fetch_many(urls: list[str], settings: FetchSettings) -> list[FetchResult]:
    async def many() -> list[FetchResult]:
        async with Fetcher(settings) as fetcher:
            return list(await asyncio.gather(*(fetcher.fetch(u) for u in urls)))

    return asyncio.run(many())


def test_never_more_than_two_requests_in_flight_to_one_host(loopback: Loopback) -> None:
    loopback.route("/feed.xml", slow(0.1, feed(RSS)))
    urls = [loopback.url(f"/feed.xml?n={n}") for n in range(10)]
    results = fetch_many(urls, FetchSettings(user_agent=UA, per_host=2))
    assert [r.body for r in results] == [RSS] * 10
    assert len(loopback.requests) == 10
    assert loopback.max_in_flight == 2


def test_the_global_limit_holds_across_hosts(loopback: Loopback) -> None:
    loopback.route("/feed.xml", slow(0.1, feed(RSS)))
    urls = [loopback.url(f"/feed.xml?n={n}") for n in range(9)]
    fetch_many(urls, FetchSettings(user_agent=UA, per_host=10, max_connections=3))
    assert loopback.max_in_flight == 3


# -- autodiscovery ---------------------------------------------------------------------

PAGE = b"""<!DOCTYPE html><html><head><title>A blog</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="Posts" href="feed/posts.xml">
<link rel="alternate" type="application/atom+xml" href="/comments.atom">
</head><body><p>Hello</p></body></html>"""


def test_an_html_page_is_followed_to_its_feed(loopback: Loopback) -> None:
    feed_url = loopback.route("/blog/feed/posts.xml", feed(RSS, etag=ETAG))
    page_url = loopback.route("/blog/", respond(200, PAGE, content_type="text/html"))
    result = fetch(page_url)
    assert result.body == RSS and result.etag == ETAG
    assert (result.url, result.final_url) == (page_url, feed_url)
    assert result.discovered_from == page_url and result.permanent_url == feed_url
    assert [r.path for r in loopback.requests] == ["/blog/", "/blog/feed/posts.xml"]


def test_an_html_page_without_a_feed_link_is_an_error(loopback: Loopback) -> None:
    page = b"<html><head><title>x</title></head><body>no feed</body></html>"
    url = loopback.route("/", respond(200, page, content_type="text/html; charset=utf-8"))
    error = fetch_error(url)
    assert "links to no feed" in error.message and error.url == url


def test_a_feed_served_as_html_is_still_a_feed(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS, content_type="text/html"))
    result = fetch(url)
    assert result.body == RSS and result.discovered_from is None


def test_the_response_log_records_every_hop_of_discovery_with_sequence(
    loopback: Loopback,
) -> None:
    page = respond(200, PAGE, content_type="text/html")
    loopback.route("/blog/", sequence(page, respond(500)))
    loopback.route("/blog/feed/posts.xml", feed(RSS))
    assert fetch(loopback.url("/blog/")).discovered_from == loopback.url("/blog/")
    assert fetch_error(loopback.url("/blog/")).status_code == 500
    assert [r.path for r in loopback.requests_to("/blog/")] == ["/blog/", "/blog/"]
    assert loopback.errors == []


def test_a_junk_validator_is_not_sent_back(loopback: Loopback) -> None:
    url = loopback.route("/feed.xml", feed(RSS))
    assert fetch(url, etag='"caf\u00e9"', last_modified="x\r\nInjected: 1").body == RSS
    sent = loopback.requests[0]
    assert sent.header("If-None-Match") is None and sent.header("Injected") is None


@pytest.mark.parametrize("wrap", [zlib.compress, lambda b: zlib.compress(b)[2:-4]])
def test_deflate_zlib_or_raw_is_decoded(loopback: Loopback, wrap: Any) -> None:
    body = wrap(RSS)
    headers = [("Content-Encoding", "deflate")]
    url = loopback.route("/feed.xml", respond(200, body, headers, "application/rss+xml"))
    assert fetch(url).body == RSS


def test_an_unknown_content_encoding_is_an_error(loopback: Loopback) -> None:
    headers = [("Content-Encoding", "br")]
    url = loopback.route("/feed.xml", respond(200, b"\x0b\x02", headers, "application/rss+xml"))
    assert "unsupported Content-Encoding 'br'" in fetch_error(url).message


def test_corrupt_gzip_is_an_error(loopback: Loopback) -> None:
    headers = [("Content-Encoding", "gzip")]
    url = loopback.route("/feed.xml", respond(200, b"\x1f\x8bnot gzip at all", headers))
    assert "corrupt gzip body" in fetch_error(url).message


# -- discover (pure) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        (PAGE, "text/html", True),
        (PAGE, None, True),
        (PAGE, "text/plain", True),
        (RSS, "text/html", False),
        (
            b"\xef\xbb\xbf  <!-- hi --><feed xmlns='http://www.w3.org/2005/Atom'/>",
            "text/html",
            False,
        ),
        (b"<rdf:RDF xmlns:rdf='x'/>", "text/html; charset=utf-8", False),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "text/html", False),
        (b"<p>just a fragment</p>", "text/html", True),
        (b"<p>just a fragment</p>", "application/xml", False),
    ],
)
def test_looks_like_html(body: bytes, content_type: str | None, expected: bool) -> None:
    assert looks_like_html(body, content_type) is expected


def test_find_feed_links_resolves_against_base_and_skips_non_feeds() -> None:
    page = b"""<html><head><base href="https://cdn.example/b/">
    <link rel="alternate" type="text/html" href="/other">
    <link rel="Alternate Feed" type="application/feed+json" href="f.json">
    <link rel="alternate" type="application/atom+xml" href="javascript:alert(1)">
    <link rel="alternate" type="application/atom+xml; charset=utf-8" href="//x.example/a">
    <link rel="alternate" type="application/feed+json" href="f.json">
    </head></html>"""
    assert find_feed_links(page, "https://site.example/") == (
        "https://cdn.example/b/f.json",
        "https://x.example/a",
    )
    assert find_feed_links(b"", "https://site.example/") == ()
    assert find_feed_links(PAGE, "http://h/blog/") == (
        "http://h/blog/feed/posts.xml",
        "http://h/comments.atom",
    )
