"""feeds.decide.publish: whether a topic is republished, how topics are shared, what goes.

Pure: no store, no public/ folder; what would cost a read is a callable that records it
was asked.
"""

from __future__ import annotations

import ast
from datetime import UTC, datetime
from pathlib import Path

import feeds
from feeds.decide.publish import (
    Due,
    Sharing,
    count_from_record,
    frozen_upto,
    key_moved,
    longest_first,
    new_record,
    published_at,
    remember,
    removed,
    republish,
    share,
    workers_to_start,
)

T0, T1 = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)


def test_a_topic_is_republished_unless_its_key_is_recorded_and_its_files_are_in_place():
    assert not republish("k", "k", True)
    assert republish("k", "k", False)  # public/ wiped
    assert republish("old", "k", True)
    assert republish(None, "k", True)  # never published


def test_workers_never_outnumber_the_other_topics_and_none_for_a_store_in_memory():
    assert workers_to_start(4, 3, in_memory=False) == 2
    assert workers_to_start(2, 10, in_memory=False) == 2
    assert workers_to_start(4, 1, in_memory=False) == 0
    assert workers_to_start(4, 10, in_memory=True) == 0


def _asked() -> tuple[list[str], object, object]:
    asked: list[str] = []

    def matches(sizes: dict[str, int]):
        return lambda: asked.append("matches") or sizes

    def fast(up: bool):
        return lambda: asked.append("fast") or up

    return asked, matches, fast


def test_a_first_publish_of_many_topics_over_many_matches_is_shared_by_their_matches():
    asked, matches, fast = _asked()
    due = [Due(f"t{k}", True) for k in range(4)]
    sizes = {f"t{k}": 3000 for k in range(4)}
    assert share(due, 2, matches=matches(sizes), fast_start=fast(False)) == sizes
    assert asked == ["matches"]


def test_few_matches_or_few_first_publishes_stay_here_unless_workers_start_quickly():
    asked, matches, fast = _asked()
    few = {f"t{k}": 10 for k in range(4)}
    first = [Due(f"t{k}", True) for k in range(4)]
    assert share(first, 2, matches=matches(few), fast_start=fast(True)) is None
    assert asked == ["matches"]  # too few topics due to ask whether workers start fast
    asked.clear()
    some = [Due(f"t{k}", k < 3) for k in range(8)]
    sizes = share(some, 1, matches=matches(few), fast_start=fast(True))
    assert sizes == {f"t{k}": 0 for k in range(8)} and asked == ["fast"]
    asked.clear()
    assert share(some, 1, matches=matches(few), fast_start=fast(False)) is None


def test_nothing_is_asked_without_workers_and_the_thresholds_can_be_set():
    asked, matches, fast = _asked()
    due = [Due(f"t{k}", True) for k in range(10)]
    assert share(due, 0, matches=matches({}), fast_start=fast(True)) is None
    assert asked == []
    small = Sharing(topics=2, matches=5, due=100)
    sizes = {"t0": 3, "t1": 3}
    assert share(due[:2], 1, matches=matches(sizes), fast_start=fast(True), sharing=small) == sizes


def test_the_longest_topics_are_sent_first():
    assert longest_first(["a", "b", "c", "d"], {"a": 1, "b": 5, "c": 1, "d": 9}) == [
        "d", "b", "a", "c",
    ]  # fmt: skip


def test_topics_no_longer_configured_are_removed_but_not_feeds_own():
    assert removed(["a", "_status", "b", "c"], ["b"]) == ["a", "c"]


def test_a_count_goes_on_from_the_record_only_for_the_same_basis_and_no_edit():
    assert count_from_record(3, 3, "b", "b")
    assert not count_from_record(3, 4, "b", "b")
    assert not count_from_record(None, 0, "b", "b")
    assert not count_from_record(3, 3, "a", "b")


def test_a_mark_is_remembered_only_when_the_record_did_not_vouch_for_it():
    assert remember(True, False, False)
    assert not remember(False, False, False)
    assert not remember(True, True, False)
    assert not remember(True, False, True)


def test_frozen_pages_hold_the_matches_up_to_the_last_one():
    assert frozen_upto(False, [10]) is None
    assert frozen_upto(True, []) == 0
    assert frozen_upto(True, [10, 20]) == 20
    assert key_moved(True, 3, 2) and not key_moved(True, 2, 2) and not key_moved(False, 3, 2)


def test_a_record_changes_with_the_bytes_or_the_count_and_same_bytes_keep_their_time():
    assert new_record(None, None, "d", 0)
    assert new_record("d", 1, "d", 2) and new_record("c", 1, "d", 1)
    assert not new_record("d", 1, "d", 1)
    assert published_at("d", T0, "d", T1) == T0
    assert published_at("c", T0, "d", T1) == T1
    assert published_at(None, None, "d", T1) == T1


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_the_decisions_import_no_io_and_the_publish_path_nothing_upstream():
    package = Path(feeds.__file__).parent
    decide = _imports(package / "decide" / "publish.py")
    assert not {m for m in decide if m.split(".")[0] in {"sqlite3", "httpx", "asyncio", "os"}}
    assert not {m for m in decide if m.startswith(("feeds.store", "feeds.publish"))}
    for path in (package / "publish").glob("*.py"):
        upstream = {
            m for m in _imports(path) if m.startswith(("feeds.sources", "feeds.ingest.flow"))
        }
        assert not upstream, path.name
