"""feeds.publish.window, the pure decisions of #15 item 14: where the entries a current feed keeps
whatever their date start, and which stories it shows under ``feed_max``."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta

from feeds.models import Entry
from feeds.normalize.grouping import Story
from feeds.publish.window import Start, kept_from, pick

T0 = datetime(2024, 5, 1, tzinfo=UTC)
DAY = timedelta(days=1)


def arrivals(*offsets: float) -> list[tuple[int, datetime]]:
    """Rowids 1..n first seen ``offsets`` days after T0, given oldest first; latest first."""
    return [(i, T0 + d * DAY) for i, d in reversed(list(enumerate(offsets, 1)))]


def test_the_window_is_anchored_on_the_newest_arrival_not_the_clock():
    found = kept_from(arrivals(0, 1, 5, 5.5, 6), window=2 * DAY, cap=10, archived_upto=None)
    assert found == Start(3)  # 5, 5.5 and 6 days: within two days of the newest (6)
    nothing = kept_from([], window=2 * DAY, cap=10, archived_upto=None)
    assert nothing == Start(None)


def test_a_window_of_zero_keeps_only_what_no_archive_page_holds():
    latest = arrivals(0, 1, 2, 3)
    assert kept_from(latest, window=timedelta(0), cap=10, archived_upto=None) == Start(None)
    assert kept_from(latest, window=timedelta(0), cap=10, archived_upto=2) == Start(3)
    assert kept_from(latest, window=DAY, cap=10, archived_upto=1) == Start(2)


def test_more_arrivals_within_the_window_than_the_cap_keeps_the_latest():
    burst = arrivals(*[0.0] * 6)  # read: cap + 1
    assert kept_from(burst, window=DAY, cap=5, archived_upto=None) == Start(2, capped=True)


def test_a_clock_that_stepped_back_keeps_a_suffix_of_arrivals():
    # Rowid 3 was stored with an earlier time than rowid 2: it is kept with those around it.
    found = kept_from(arrivals(0, 5, 4.5, 6), window=DAY, cap=10, archived_upto=None)
    assert found == Start(2)


def story(n: int) -> Story:
    when = T0 + n * DAY
    e = Entry(id=f"e{n}", source="s", title="t", link="", summary="", content="",
              authors=(), published=when, updated=when, language="en")  # fmt: skip
    return Story(e)


def test_pick_shows_feed_size_and_the_kept_then_the_latest_arrivals_under_the_cap():
    stories = [story(n) for n in range(10, 0, -1)]  # newest first
    kept = {"e2": 50, "e3": 60, "e1": 40, "e9": 70}
    shown, dropped = pick(stories, kept, size=3, cap=10)
    assert [s.entry.id for s in shown] == ["e10", "e9", "e8", "e3", "e2", "e1"] and not dropped
    shown, dropped = pick(stories, kept, size=3, cap=5)  # e1 arrived earliest: left out
    assert [s.entry.id for s in shown] == ["e10", "e9", "e8", "e3", "e2"] and dropped


def test_window_imports_no_edges():
    code = (
        "import sys, feeds.publish.window; print(sorted({'httpx', 'sqlite3'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
