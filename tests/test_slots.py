"""Unit tests of the daemon's source slots (feeds.decide.timing) and publish spacing, and a
real scheduler run of the slot trigger. Pure functions: no clock, no sleeps."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from feeds.decide.timing import (
    MAX_PUBLISH_GAP,
    PUBLISH_GAP,
    Debounce,
    first_slot,
    next_slot,
    phase,
    publish_gap,
    pushed_back,
    slot_at_or_after,
    sweep_due,
)
from feeds.run.slots import SourceTimers

NOW = 1_700_000_000.0
names = st.text(min_size=1, max_size=20)
intervals = st.floats(min_value=1.0, max_value=86400.0)


def on_grid(key: str, interval: float, t: float) -> bool:
    k = (t - phase(key, interval)) / interval
    return abs(k - round(k)) < 1e-6


def test_phases_are_stable_and_spread_sources_over_the_interval() -> None:
    keys = [f"source-{i}" for i in range(500)]
    assert [phase(k, 30.0) for k in keys] == [phase(k, 30.0) for k in keys]
    per_second = Counter(int(slot_at_or_after(k, 30.0, NOW)) for k in keys)
    # 500 sources over 30 s: about 17 a second, never hundreds at once
    assert len(per_second) >= 29 and max(per_second.values()) < 40


@given(names, intervals, st.floats(min_value=0, max_value=1e6))
def test_a_slot_is_on_the_grid_and_within_an_interval(key: str, interval: float, d: float) -> None:
    slot = slot_at_or_after(key, interval, NOW + d)
    assert NOW + d <= slot < NOW + d + interval + 1e-6
    assert on_grid(key, interval, slot)


def test_the_next_slot_comes_from_the_plan_not_from_when_the_run_ended() -> None:
    planned = slot_at_or_after("wire", 30.0, NOW)
    # ended 12 s late: still one interval after the plan
    assert next_slot("wire", 30.0, planned=planned, now=planned + 12.0) == planned + 30.0


def test_rounds_missed_are_skipped_not_made_up_in_a_burst() -> None:
    planned = slot_at_or_after("wire", 30.0, NOW)
    late = next_slot("wire", 30.0, planned=planned, now=planned + 95.0)
    assert late == planned + 120.0  # the first slot after now, on the grid


def test_backoff_goes_to_the_slot_nearest_its_due_time_and_retry_after_is_a_floor() -> None:
    planned = slot_at_or_after("wire", 30.0, NOW)
    assert next_slot("wire", 30.0, planned=planned, now=planned + 1, due=planned + 61) == (
        planned + 60.0
    )
    floor = planned + 100.0
    slot = next_slot("wire", 30.0, planned=planned, now=planned + 1, floor=floor)
    assert slot >= floor and on_grid("wire", 30.0, slot) and slot - floor < 30.0


def test_pushed_back_only_when_later_than_the_plan() -> None:
    scheduled = slot_at_or_after("wire", 30.0, NOW)
    assert pushed_back("wire", 30.0, scheduled=scheduled, due=None, floor=None) is None
    same = pushed_back("wire", 30.0, scheduled=scheduled, due=scheduled + 5.0, floor=None)
    assert same is None  # within half an interval: the planned slot
    assert pushed_back("wire", 30.0, scheduled=scheduled, due=scheduled + 70, floor=None) == (
        scheduled + 60.0
    )
    floor = scheduled + 1.0
    assert pushed_back("wire", 30.0, scheduled=scheduled, due=None, floor=floor) == (
        scheduled + 30.0
    )


@given(names, intervals, st.floats(min_value=0, max_value=1e6), st.booleans())
def test_first_slot_is_now_for_a_new_source_else_on_the_grid(
    key: str, interval: float, due: float, fetched: bool
) -> None:
    first = first_slot(key, interval, now=NOW, due=NOW - due, fetched=fetched)
    if not fetched:
        assert first == NOW
    else:
        assert NOW <= first < NOW + interval + 1e-6 and on_grid(key, interval, first)


def test_a_restart_in_backoff_waits_for_its_due_time_and_its_retry_after() -> None:
    first = first_slot("wire", 30.0, now=NOW, due=NOW + 600.0)
    assert NOW + 570.0 <= first < NOW + 600.0
    first = first_slot("wire", 30.0, now=NOW, due=None, floor=NOW + 100.0, fetched=False)
    assert first >= NOW + 100.0


def test_the_timers_run_a_source_at_once_then_at_the_slot_after_the_one_planned() -> None:
    ran: list[str] = []

    async def run(name: str) -> None:
        ran.append(name)

    async def scenario() -> None:
        timers = SourceTimers()
        now = time.time()
        timers.add("wire", 3600.0, run, first=now)
        timers.add("desk", 3600.0, run, first=now + 3000.0)
        while not ran:
            await asyncio.sleep(0.01)
        planned = timers.next_run("wire")
        assert planned == slot_at_or_after("wire", 3600.0, now + 3600.0)
        assert timers.next_run("desk") == now + 3000.0 and ran == ["wire"]
        timers.move("desk", now + 5000.0)
        assert timers.next_run("desk") == now + 5000.0
        timers.remove("desk")
        assert timers.next_run("desk") is None and list(timers.intervals()) == ["wire"]
        timers.pause()
        assert timers.handle is None

    asyncio.run(scenario())


def test_publishes_are_spaced_by_their_cost_so_more_changes_do_not_make_more_of_them() -> None:
    assert publish_gap(0.1) == 0.1 * PUBLISH_GAP and publish_gap(100.0) == MAX_PUBLISH_GAP
    trigger = Debounce(2.0).changed(100.0).published(101.0, cost=1.0).changed(101.5)
    assert trigger.next(101.5) == 101.0 + 1.0 * PUBLISH_GAP
    quick = Debounce(2.0).published(101.0, cost=0.001).changed(110.0)
    assert quick.next(110.0) == 112.0  # a cheap publish: the debounce alone


def test_a_sweep_is_due_at_first_and_then_every_so_often() -> None:
    assert sweep_due(None, 5.0)
    assert not sweep_due(100.0, 200.0, every=900.0)
    assert sweep_due(100.0, 1000.0, every=900.0)
