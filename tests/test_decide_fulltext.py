"""The full-text decisions (feeds.decide.fulltext): the "auto" rule, which entries want
their page, when a page is fetched again; and the extraction's bounds on hostile pages."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from feeds.decide.fulltext import (
    SHORT_WORDS,
    TRIES,
    looks_truncated,
    plan,
    tried,
    wants_article,
)
from feeds.errors import ArticleError
from feeds.models import Entry
from feeds.parse.article import extract_article

NOW = datetime(2026, 11, 25, tzinfo=UTC)
LONG = " ".join(["word"] * SHORT_WORDS)


def entry(summary: str = "", content: str = "", link: str = "https://x.test/1") -> Entry:
    return Entry(
        id="urn:1", source="wire", title="T", link=link, summary=summary, content=content,
        authors=(), published=NOW, updated=NOW, language="en", hash="h1",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("summary", "content", "truncated"),
    [
        ("", "", True),  # nothing at all
        ("<p>One sentence.</p>", "", True),  # short
        (f"<p>{LONG}</p>", "", False),  # long enough, no mark
        (f"<p>{LONG} and then…</p>", "", True),  # an ellipsis
        (f"<p>{LONG} and then...</p>", "", True),
        (f"<p>{LONG} [&#8230;]</p>", "", True),  # WordPress's excerpt mark
        (f"<p>{LONG}</p><p><a href='/x'>Read more</a></p>", "", True),
        (f"<p>{LONG}</p><p><a href='/x'>Continue reading →</a></p>", "", True),
        (f"<p>{LONG}</p><p><a href='/x'>Lire la suite</a></p>", "", True),
        ("<p>One sentence.</p>", f"<p>{LONG}</p>", False),  # the content counts, not the summary
        (f"<p>{LONG}</p>", "<p>Short content.</p>", True),
        (f"<p>{LONG}... more words after the dots</p>", "", False),  # a mark inside
    ],
)
def test_the_auto_rule(summary, content, truncated):
    assert looks_truncated(summary, content) is truncated


def test_which_entries_want_their_page():
    short, whole = entry("<p>Teaser…</p>"), entry(f"<p>{LONG}</p>")
    assert [wants_article(m, short) for m in (False, True, "auto")] == [False, True, True]
    assert [wants_article(m, whole) for m in (False, True, "auto")] == [False, True, False]
    assert not wants_article(True, entry(link="tag:x.test,2024:wire/1"))  # no page to fetch


def test_fetched_once_then_again_only_when_the_entry_changes():
    e = entry()
    assert plan(None, e.hash) == "fetch"
    done = tried(None, e, NOW, content="<p>Body</p>", etag='"v"')
    assert (done.tries, done.content, done.etag) == (1, "<p>Body</p>", '"v"')
    assert plan(done, e.hash) == "reuse"
    assert plan(done, "h2") == "fetch"
    again = tried(done, replace(e, hash="h2"), NOW, content="<p>Body</p>")
    assert again.tries == 1 and again.feed_hash == "h2"


def test_failures_are_tried_again_a_few_times_unless_they_cannot_pass():
    e = entry()
    record = tried(None, e, NOW, failure="HTTP 503")
    assert record.content == "" and record.etag is None
    for n in range(2, TRIES + 1):
        assert plan(record, e.hash) == "fetch"
        record = tried(record, e, NOW, failure="HTTP 503")
        assert record.tries == n
    assert plan(record, e.hash) == "keep"
    refused = tried(None, e, NOW, failure="robots.txt disallows it", permanent=True)
    assert plan(refused, e.hash) == "keep"
    assert plan(refused, "h2") == "fetch"  # the feed changed the entry: one more try


def test_a_deeply_nested_page_is_bounded():
    deep = b"<html><body>" + b"<div>" * 50_000 + b"<p>text</p>" + b"</div>" * 50_000
    with pytest.raises(ArticleError) as caught:
        extract_article(deep, "https://x.test/deep")
    assert caught.value.permanent


def test_a_page_without_text_is_a_permanent_failure():
    app = b"<html><body><div id='app'></div><script>render('#app')</script></body></html>"
    with pytest.raises(ArticleError, match="no article text") as caught:
        extract_article(app, "https://x.test/empty")
    assert caught.value.permanent
