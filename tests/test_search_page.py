"""The live query page of ``feeds run`` (#20): what a topic with a query would publish,
matches marked, the explain verdict, a query error with its caret; bounded, escaped,
rate-limited, read-only, and silent about paths and the store. Through the real app on a
real store (the site of tests/webpages.py)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import quote

import lxml.html
import pytest
from test_serve import call
from webpages import assert_valid_html, make_site

from feeds.decide.ratelimit import Bucket, Limit, take, wait
from feeds.errors import QueryTooCostly, StoreError
from feeds.models import Config, SourceState
from feeds.run.search_page import SearchPage
from feeds.run.search_results import MAX_QUERY
from feeds.run.serve import make_app
from feeds.store import open_readonly
from feeds.topics.selection import select


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Config:
    return make_site(tmp_path_factory.mktemp("search"))


def _app(config: Config, **options: object):
    search = SearchPage(lambda: config, **options)  # type: ignore[arg-type]
    return make_app(config.settings.public_dir, lambda: (True, "ok"), lambda: b"",
                    routes=search.routes(), pages=search.box)  # fmt: skip


def _get(app, q: str | None = None, topic: str | None = None, client: str = "10.0.0.1"):
    params = [f"{k}={quote(v)}" for k, v in (("q", q), ("topic", topic)) if v is not None]
    reply = call(app, "/search?" + "&".join(params), client=client)
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert_valid_html(reply.body, "/search")
    return reply, lxml.html.fromstring(reply.body)


def test_results_are_marked_and_explained(site: Config) -> None:
    reply, doc = _get(_app(site), "troops OR rocket")
    assert reply.status == 200
    assert reply.headers["cache-control"] == "no-store"
    assert "default-src 'none'" in reply.headers["content-security-policy"]
    titles = [h.text_content() for h in doc.xpath('//ol[@class="results"]//h3')]
    assert "Rocket reaches orbit" in titles
    assert "Sahel: troops leave Ménaka after the attack" in titles
    marks = {m.text for m in doc.xpath("//h3//mark")}
    assert marks == {"troops", "Rocket"}
    assert "matched: troops" in doc.xpath("//p[@class='verdict']/text()")
    assert doc.xpath("//h2")[0].text_content() == "3 entries match"


def test_a_topic_s_exclude_and_languages_apply(site: Config) -> None:
    app = _app(site)
    _, every = _get(app, "sahel football")
    assert [h.text_content() for h in every.xpath("//ol//h3")] == ["Sahel football final"]
    reply, doc = _get(app, "sahel football", topic="sahel")
    assert reply.status == 200 and doc.xpath("//h2")[0].text_content() == "No entry matches"
    assert doc.xpath("//select/option[@selected]/@value") == ["sahel"]
    # No query: the topic's own, ready to edit.
    _, own = _get(app, topic="sahel")
    assert own.xpath('//input[@name="q"]/@value') == ["sahel"]
    assert own.xpath("//h2")[0].text_content() == "16 entries match"


def test_a_query_error_is_shown_with_its_caret(site: Config) -> None:
    reply, doc = _get(_app(site), "sahel (OR troops")
    assert reply.status == 400
    alert = doc.xpath('//div[@role="alert"]')[0]
    assert "position 8" in alert.text_content()
    assert alert.xpath(".//pre")[0].text_content() == "sahel (OR troops\n       ^"
    assert doc.xpath('//input[@name="q"]/@aria-invalid') == ["true"]


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("sahel " * (MAX_QUERY // 6 + 1), f"longer than {MAX_QUERY} characters"),
        (" OR ".join(f"w{n}" for n in range(30)), "more than 24 terms"),
        ("s* mali", "two letters"),
    ],
)
def test_queries_are_bounded(site: Config, q: str, words: str) -> None:
    reply, doc = _get(_app(site), q)
    assert reply.status == 400 and words in doc.xpath('//div[@role="alert"]')[0].text_content()


def test_output_is_escaped(site: Config) -> None:
    reply, doc = _get(_app(site), '"<script>alert(1)</script>" OR quotes')
    assert b"<script>alert" not in reply.body and not doc.xpath("//script")
    assert doc.xpath('//input[@name="q"]/@value') == ['"<script>alert(1)</script>" OR quotes']
    titles = [h.text_content() for h in doc.xpath("//ol//h3")]
    assert titles == ['Sahel <script>alert("x")</script> & "quotes" ']


def test_an_unknown_topic_is_a_404(site: Config) -> None:
    reply, doc = _get(_app(site), "sahel", topic="nope")
    assert reply.status == 404 and "no such topic" in doc.text_content()


def test_each_client_has_a_rate_limit(site: Config) -> None:
    app = _app(site, limit=Limit(rate=0.01, burst=2), clock=lambda: 100.0)
    assert [_get(app, "sahel")[0].status for _ in range(2)] == [200, 200]
    reply, doc = _get(app, "sahel")
    assert reply.status == 429 and reply.headers["retry-after"] == "100"
    assert "Too many searches" in doc.text_content()
    assert _get(app, "sahel", client="10.0.0.2")[0].status == 200  # another client


def test_the_token_bucket() -> None:
    limit = Limit(rate=0.5, burst=2)
    ok, bucket = take(None, 0.0, limit)
    assert ok and bucket == Bucket(1.0, 0.0)
    ok, bucket = take(bucket, 0.0, limit)
    assert ok and bucket.tokens == 0.0
    ok, bucket = take(bucket, 1.0, limit)
    assert not ok and bucket.tokens == 0.5 and wait(bucket, limit) == 1
    assert take(bucket, 2.0, limit)[0]  # a token came back
    assert take(Bucket(0.0, 10.0), 5.0, limit) == (False, Bucket(0.0, 5.0))  # clock went back
    assert take(Bucket(0.0, 0.0), 1e9, limit)[1].tokens == 1.0  # never past the burst


def test_a_costly_query_is_cut_at_its_budget(site: Config) -> None:
    with open_readonly(site.settings, budget=20) as store:
        with pytest.raises(QueryTooCostly):
            store.count(select("sahel OR report OR troops"))
    reply, doc = _get(_app(site, budget=20), "sahel OR report OR troops")
    assert reply.status == 400 and "costs too much" in doc.text_content()


def test_the_store_is_opened_read_only(site: Config) -> None:
    path = site.settings.data_dir / "feeds.sqlite3"
    before = path.read_bytes()
    with open_readonly(site.settings, budget=10**9) as store:
        assert store.count(select("sahel")) == 17
        with pytest.raises(StoreError):
            store.save_source_state(SourceState(name="x"), configured_url=None)
    assert path.read_bytes() == before


def test_no_path_or_store_detail_is_shown(site: Config, tmp_path: Path) -> None:
    nowhere = replace(site, settings=replace(site.settings, data_dir=tmp_path / "no-store"))
    reply, doc = _get(_app(nowhere), "sahel")
    assert reply.status == 503 and "not available" in doc.text_content()
    for secret in (str(tmp_path), "sqlite", "no-store", "store "):
        assert secret not in reply.body.decode()
    assert not (tmp_path / "no-store").exists()  # read-only: nothing created
