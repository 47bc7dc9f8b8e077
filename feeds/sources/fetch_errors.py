"""The FetchErrors of feeds.sources.http, in words: statuses, timeouts, network failures.

What a failed exchange means to the operator ("HTTP 404 Not Found for <url>: check the
source's URL"), and which statuses fail a fetch at all. Must not fetch, touch the store or
decide when to fetch again (a Retry-After is passed on, as seconds, for feeds.decide).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

import httpx

from feeds.errors import FetchError
from feeds.sources.hints import parse_retry_after

if TYPE_CHECKING:
    from feeds.sources.http import FetchSettings

__all__ = [
    "REDIRECTS",
    "check_status",
    "network_message",
    "one_line",
    "timeout_message",
    "too_big",
]

REDIRECTS = frozenset({301, 302, 303, 307, 308})


def check_status(
    response: httpx.Response, headers: Mapping[str, str], url: str, *, conditional: bool
) -> None:
    """FetchError unless the status is a 2xx, a redirect, or the 304 of a conditional GET."""
    status = response.status_code
    if 200 <= status < 300 or status in REDIRECTS or (status == 304 and conditional):
        return
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(headers.get("retry-after"), _now())
    raise FetchError(
        _status_message(status, response.reason_phrase, url, retry_after),
        url=url,
        status_code=status,
        retry_after=retry_after,
        gone=status == 410,
    )


def _status_message(status: int, reason: str, url: str, retry_after: float | None) -> str:
    try:
        reason = reason or HTTPStatus(status).phrase
    except ValueError:
        reason = reason or "Unknown"
    message = f"HTTP {status} {reason} for {url}"
    if status == 410:
        return f"{message}: the feed is gone; the source is disabled (remove it from the config)"
    if status == 304:
        return f"{message}: the server answered 304 to a request that was not conditional"
    if status in (401, 403):
        return f"{message}: the server refuses us; check the URL or ask the site's owner"
    if status == 404:
        return f"{message}: check the source's URL"
    if retry_after is not None:
        return f"{message}: the server asks us to wait {retry_after:.0f} s"
    return message


def timeout_message(url: str, error: httpx.TimeoutException, settings: FetchSettings) -> str:
    if isinstance(error, httpx.ConnectTimeout):
        return f"connect timeout: {url} did not answer within {settings.connect_timeout:g} s"
    if isinstance(error, httpx.ReadTimeout):
        return f"read timeout: {url} sent nothing for {settings.read_timeout:g} s"
    return f"timeout for {url}: {one_line(error)}"


def network_message(url: str, error: httpx.HTTPError) -> str:
    if isinstance(error, httpx.ConnectError):
        return f"cannot connect to {url}: {one_line(error)}"
    if isinstance(error, httpx.RemoteProtocolError):
        return f"broken HTTP response from {url}: {one_line(error)}"
    if isinstance(error, httpx.UnsupportedProtocol):
        return f"invalid URL {url}: {one_line(error)}"
    return f"network error for {url}: {one_line(error)}"


def too_big(url: str, limit: int, status: int) -> FetchError:
    return FetchError(
        f"{url} sent more than {limit:,} bytes (the max_body limit)", url=url, status_code=status
    )


def one_line(error: BaseException) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _now() -> datetime:
    return datetime.now(UTC)
