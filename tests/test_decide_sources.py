"""Unit tests of feeds.decide.sources' state decisions: skip, unchanged, after a success or a
failure. No clock, no store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from feeds.decide import sources as decide
from feeds.errors import FetchError, ParseError
from feeds.models import SourceState

NOW = datetime(2024, 5, 6, 10, 0, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_skip_reason_gone_and_retry_after() -> None:
    assert decide.skip_reason(SourceState("a"), NOW) is None
    assert "410 Gone" in (decide.skip_reason(SourceState("a", status="gone"), NOW) or "")
    later = SourceState("a", retry_after=NOW + HOUR)
    assert (
        decide.skip_reason(later, NOW)
        == "skipped: the server asked to wait until 2024-05-06 11:00Z"
    )
    assert decide.skip_reason(SourceState("a", retry_after=NOW - HOUR), NOW) is None


def test_unchanged_and_after_read() -> None:
    state = SourceState("a", body_hash="h")
    assert decide.unchanged("h", state) and not decide.unchanged("g", state)
    assert decide.after_read(state, "g").body_hash == "g"
    assert decide.after_read(state, "g", unreadable=True).body_hash is None


def test_after_fetch_keeps_what_the_server_did_not_say() -> None:
    state = SourceState("a", url="u", etag="e", last_modified="m", body_hash="h")
    same = decide.after_fetch(
        state, permanent_url=None, etag=None, last_modified=None, body_hash=None
    )
    assert same == state
    new = decide.after_fetch(state, permanent_url="v", etag="f", last_modified="n", body_hash="i")
    assert (new.url, new.etag, new.last_modified, new.body_hash) == ("v", "f", "n", "i")


def test_succeeded_resets_failures_and_honours_hints() -> None:
    state = SourceState("a", status="error", failures=3, message="old", retry_after=NOW)
    ok = decide.succeeded(state, NOW, HOUR, changed=True, problems=("x: odd",), hints=(None, 7200))
    assert (ok.status, ok.failures, ok.message, ok.retry_after) == ("ok", 0, "x: odd", None)
    assert ok.last_attempt == ok.last_success == NOW
    assert ok.next_due is not None and ok.next_due >= NOW + 2 * HOUR
    bad = decide.succeeded(state, NOW, HOUR, changed=True, failed_files=True)
    assert bad.status == "error" and bad.message is None


def test_success_message_unchanged_keeps_an_ok_sources_message() -> None:
    assert decide.success_message(SourceState("a", message="m"), changed=False, problems=()) is None
    ok = SourceState("a", status="ok", message="m")
    assert decide.success_message(ok, changed=False, problems=()) == "m"
    assert decide.success_message(ok, changed=True, problems=()) is None


def test_failed_backs_off_and_honours_retry_after_and_gone() -> None:
    state = SourceState("a", failures=1)
    failed = decide.failed(state, NOW, HOUR, ParseError("broken"))
    assert (failed.status, failed.failures, failed.message) == ("error", 2, "broken")
    assert failed.retry_after is None and failed.next_due is not None
    assert failed.next_due >= NOW + 4 * HOUR
    wait = decide.failed(state, NOW, HOUR, FetchError("slow down", retry_after=600))
    assert wait.retry_after == NOW + timedelta(seconds=600)
    gone = decide.failed(state, NOW, HOUR, FetchError("gone", gone=True))
    assert gone.status == "gone"
