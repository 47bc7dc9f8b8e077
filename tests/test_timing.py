"""Unit tests of feeds.decide.timing: when the debounced publish fires. No clock, no sleeps."""

from __future__ import annotations

from feeds.decide.timing import MAX_WAIT_DELAYS, RETRY_PUBLISH, Debounce


def test_nothing_pending_fires_never() -> None:
    assert Debounce(2.0).next(100.0) is None
    assert Debounce(2.0).changed(100.0).published().next(200.0) is None


def test_one_change_fires_a_delay_after_it() -> None:
    trigger = Debounce(2.0).changed(100.0)
    assert trigger.next(100.0) == 102.0
    assert trigger.next(101.5) == 102.0


def test_each_change_pushes_the_publish_back() -> None:
    trigger = Debounce(2.0).changed(100.0).changed(101.0).changed(102.5)
    assert trigger.next(102.5) == 104.5
    assert trigger.first == 100.0 and trigger.last == 102.5


def test_changes_that_keep_coming_fire_at_most_max_delays_after_the_first() -> None:
    trigger = Debounce(2.0).changed(100.0)
    for at in (101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 108.5, 109.5):
        trigger = trigger.changed(at)
    assert trigger.next(109.5) == 100.0 + 2.0 * MAX_WAIT_DELAYS == 110.0


def test_never_before_now() -> None:
    trigger = Debounce(2.0).changed(100.0)
    assert trigger.next(150.0) == 150.0  # overdue: at once
    assert Debounce(0.0).changed(100.0).next(100.0) == 100.0


def test_a_failed_publish_is_retried_and_keeps_its_first_change() -> None:
    trigger = Debounce(2.0).changed(100.0).failed(102.0)
    assert trigger.next(102.0) == 102.0 + RETRY_PUBLISH
    assert trigger.first == 100.0  # still unpublished since 100
    assert Debounce(2.0).failed(10.0, retry=5.0).next(10.0) == 15.0  # nothing pending too


def test_a_change_during_a_retry_wait_fires_as_a_change_does() -> None:
    trigger = Debounce(2.0).changed(100.0).failed(102.0).changed(103.0)
    assert trigger.retry_at is None
    assert trigger.next(103.0) == 105.0
    late = Debounce(2.0).changed(100.0).failed(102.0).changed(120.0)
    assert late.next(120.0) == 120.0  # the first change waited more than the bound


def test_published_clears_all_but_the_delay() -> None:
    trigger = Debounce(3.0, max_delays=2).changed(1.0).failed(2.0).published()
    assert trigger == Debounce(3.0, max_delays=2)
