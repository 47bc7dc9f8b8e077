"""The alert decisions (feeds.decide.notify), with ``now`` passed in: no store, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from feeds.decide.notify import (
    MAX_RETRY,
    Delivery,
    TargetState,
    condition,
    due_at,
    new_stories,
    next_delivery,
    retry_at,
    target_key,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_a_story_is_new_only_if_every_copy_arrived_after_the_baseline_and_none_was_seen():
    positions = {"a": 5, "b": 11, "c": 12, "d": 13, "e": 14}
    stories = [["a", "b"], ["c"], ["d", "e"]]
    fresh, quiet = new_stories(stories, positions, baseline=10, seen={"d"})
    assert fresh == [1]  # "a" is older than the baseline; "d" was delivered already
    assert sorted(quiet) == ["b", "e"]  # copies of old stories: never alerted alone later


def test_a_story_copy_of_a_story_already_seen_is_quiet():
    fresh, quiet = new_stories([["x", "y"]], {"x": 20, "y": 21}, baseline=10, seen={"x"})
    assert fresh == [] and quiet == ["y"]


def test_instant_is_due_now_and_a_digest_at_the_end_of_its_window():
    assert due_at(None, T0, T0 + timedelta(minutes=7)) == T0 + timedelta(minutes=7)
    hour = timedelta(hours=1)
    assert due_at(hour, T0, T0 + timedelta(minutes=7)) == T0 + hour
    assert due_at(hour, T0, T0 + timedelta(minutes=61)) == T0 + 2 * hour
    assert due_at(hour, T0, T0 + hour) == T0 + 2 * hour  # a window ends where the next starts


def test_backoff_doubles_up_to_its_limit():
    waits = [retry_at(n, T0) - T0 for n in (1, 2, 3, 4)]
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8)]
    assert retry_at(50, T0) - T0 == MAX_RETRY


def _delivery(id_: str, *, created: datetime, due: datetime, frozen: bool = False) -> Delivery:
    return Delivery(id_, "t", "k", "alert", created, due, frozen=frozen)


def test_the_frozen_delivery_goes_first_then_the_open_one_once_due():
    state = TargetState("t", "k", 0, T0)
    frozen = _delivery("old", created=T0, due=T0, frozen=True)
    open_ = _delivery("new", created=T0 + timedelta(minutes=1), due=T0 + timedelta(hours=1))
    assert next_delivery([open_, frozen], state, T0) == frozen
    assert next_delivery([open_], state, T0) is None  # its window is not over
    assert next_delivery([open_], state, T0 + timedelta(hours=1)) == open_


def test_a_failing_target_waits_for_its_next_try():
    state = TargetState("t", "k", 0, T0, failures=3, next_try=T0 + timedelta(minutes=4))
    frozen = _delivery("old", created=T0, due=T0, frozen=True)
    assert next_delivery([frozen], state, T0 + timedelta(minutes=3)) is None
    assert next_delivery([frozen], state, T0 + timedelta(minutes=4)) == frozen
    assert condition(state.failures) == "failing" and condition(1) == "ok"


def test_a_target_key_names_the_url_without_holding_it():
    key = target_key("mailto://bob:hunter2@mail.example.org")
    assert "hunter2" not in key and key == target_key("mailto://bob:hunter2@mail.example.org")
    assert key != target_key("mailto://bob:other@mail.example.org")


@given(
    st.lists(st.lists(st.sampled_from("abcdefgh"), min_size=1, max_size=3, unique=True)),
    st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 20)),
    st.integers(0, 20),
    st.sets(st.sampled_from("abcdefgh")),
)
def test_a_new_story_has_no_copy_seen_or_older_than_the_baseline(stories, positions, base, seen):
    flat = [i for story in stories for i in story]
    assume(len(flat) == len(set(flat)))  # grouping puts each entry in one story
    fresh, quiet = new_stories(stories, positions, baseline=base, seen=seen)
    for index in fresh:
        assert not set(stories[index]) & seen
        assert all(positions.get(i, 0) > base for i in stories[index])
    assert not set(quiet) & seen
    assert not {i for index in fresh for i in stories[index]} & set(quiet)
