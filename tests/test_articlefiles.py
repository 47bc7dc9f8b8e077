"""feeds.decide.articles: what a scan of an article folder does to stored entries (pure)."""

from __future__ import annotations

from datetime import UTC, datetime

from feeds.decide.articles import KnownFile, content_key, plan_folder
from feeds.models import Entry

T0 = datetime(2026, 11, 25, tzinfo=UTC)


def entry(path: str, title: str) -> Entry:
    return Entry(
        id=f"tag:x,2024:desk/{path}", source="desk", title=title, link=f"http://x/{path}",
        summary="", content="", authors=(), published=T0, updated=T0, language="en",
    )  # fmt: skip


def known(path: str, title: str, text: str = "body", entry_id: str | None = None) -> KnownFile:
    e = entry(path, title)
    return KnownFile(path, entry_id or e.id, content_key(e, text))


def test_a_new_path_with_a_gone_file_s_content_keeps_its_id() -> None:
    read = [
        ("b.md", entry("b.md", "B"), "body", False),
        ("c.md", entry("c.md", "A"), "body", False),
    ]
    was = [known("a.md", "A"), known("b.md", "B")]
    plan = plan_folder(was, present=["b.md", "c.md"], complete=True, read=read)
    assert [e.id for e in plan.entries] == ["tag:x,2024:desk/b.md", "tag:x,2024:desk/a.md"]
    assert plan.renamed == (("a.md", "c.md"),) and plan.gone == ()
    assert {f.path: f.id for f in plan.files}["c.md"] == "tag:x,2024:desk/a.md"


def test_a_known_path_keeps_the_id_it_had_unless_the_file_states_one() -> None:
    was = [known("c.md", "A", entry_id="tag:x,2024:desk/a.md")]  # renamed from a.md once
    read = [("c.md", entry("c.md", "A, edited"), "other", False)]
    plan = plan_folder(was, present=["c.md"], complete=True, read=read)
    assert [e.id for e in plan.entries] == ["tag:x,2024:desk/a.md"] and plan.gone == ()
    own = [("c.md", entry("c.md", "A"), "body", True)]  # a front-matter id: it wins
    plan = plan_folder(was, present=["c.md"], complete=True, read=own)
    assert [e.id for e in plan.entries] == ["tag:x,2024:desk/c.md"]
    assert plan.gone == ("tag:x,2024:desk/a.md",)


def test_a_deleted_file_is_gone_an_unreadable_or_unlisted_one_is_not() -> None:
    was = [known("a.md", "A"), known("b.md", "B"), known("sub/c.md", "C")]
    plan = plan_folder(was, present=["b.md"], complete=True, read=[])
    assert plan.gone == ("tag:x,2024:desk/a.md", "tag:x,2024:desk/sub/c.md")
    assert [f.path for f in plan.files] == ["b.md"]  # found, not read: as it was
    plan = plan_folder(was, present=["b.md"], complete=False, read=[])
    assert plan.gone == () and len(plan.files) == 3
