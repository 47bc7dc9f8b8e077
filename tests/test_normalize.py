"""normalize: ids, links, sanitizing, dates, language, summary; plus property tests."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.models import RawItem, Source
from feeds.normalize.entry import entry_hash, normalize, with_hash
from feeds.normalize.language import canonical_language
from feeds.normalize.links import clean_link
from feeds.normalize.sanitize import sanitize_html
from feeds.normalize.text import first_paragraph, html_to_text, truncate_text
from feeds.parse import parse_feed
from feeds.sources.articles import read_articles

DATA = Path(__file__).parent / "data"
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
SITE = "http://127.0.0.1:8080/"
FEED = Source(name="desk", kind="feed", url="http://desk.example.net/feed.xml", title="Desk")
DESK = Source(name="local", kind="articles", path=DATA / "articles")
ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def norm(item, source=FEED, now=NOW, languages=("en", "fr")):
    return normalize(
        item, source=source, now=now, id_authority="example.org", languages=languages,
        site_base=SITE,
    )  # fmt: skip


# --- ids ---------------------------------------------------------------------------------


def test_guid_uri_is_the_id():
    entry = norm(RawItem(guid="urn:uuid:1234", title="x"))
    assert entry.id == "urn:uuid:1234"
    assert norm(RawItem(guid="https://a.example/é", title="x")).id == "https://a.example/é"
    assert norm(RawItem(guid='tag:a.example,2024:"q"')).id == "tag:a.example,2024:%22q%22"
    # Whitespace means it is not a URI (e.g. "Breaking: news"): the guid becomes a key.
    spaced = norm(RawItem(guid="https://a.example/p 1", title="x")).id
    assert spaced == "tag:example.org,2024:desk/guid:https://a.example/p%201"


@pytest.mark.parametrize("guid", ["1234", "desk-1001", "http:", "C:\\x", "urn:", "http:/nohost"])
def test_non_uri_guid_gives_a_tag_id(guid):
    entry = norm(RawItem(guid=guid, link="http://desk.example.net/a"))
    assert entry.id == "tag:example.org,2024:desk/http://desk.example.net/a"
    assert norm(RawItem(guid=guid)).id.startswith("tag:example.org,2024:desk/guid:")


def test_article_id_from_path_and_stable_under_edits():
    item = RawItem(title="Titre", content="<p>Texte</p>", path="sub/é t.fr.txt")
    entry = norm(item, source=DESK)
    assert entry.id == "tag:example.org,2024:local/sub/%C3%A9%20t.fr.txt"
    edited = replace(item, title="Nouveau titre", content="<p>Autre texte</p>")
    assert norm(edited, source=DESK).id == entry.id
    assert norm(edited, source=DESK).hash != entry.hash


def test_link_id_ignores_tracking_and_title_edits():
    a = norm(RawItem(title="A", link="http://x.example/p?utm_source=rss"))
    b = norm(RawItem(title="B", link="http://x.example/p"))
    assert a.id == b.id == "tag:example.org,2024:desk/http://x.example/p"


def test_last_resort_id_is_deterministic():
    item = RawItem(title="Only a title")
    assert norm(item).id == norm(item, now=NOW + timedelta(days=1)).id
    assert norm(item).id != norm(RawItem(title="Other")).id
    assert re.fullmatch(r"tag:example\.org,2024:desk/sha256:[0-9a-f]{64}", norm(item).id)


def test_same_input_same_entry():
    item = RawItem(title="T", link="http://x.example/", content="<p>c</p>")
    assert norm(item) == norm(item)


# --- links -------------------------------------------------------------------------------


def test_tracking_parameters_removed_fragment_kept():
    url = "https://x.example/a?id=3&utm_source=a&UTM_Medium=b&fbclid=1&gclid=2&mc_cid=3&q=ok#sec"
    assert clean_link(url) == "https://x.example/a?id=3&q=ok#sec"
    assert clean_link("https://x.example/a?utm_source=a") == "https://x.example/a"
    assert clean_link("javascript:alert(1)") is None
    assert clean_link("ftp://x.example/f") is None
    assert clean_link("../b", "http://x.example/a/c") == "http://x.example/b"
    assert clean_link("http://[broken") is None


def test_relative_link_resolved_against_base_then_source():
    entry = norm(RawItem(title="t", link="stories/1", base="http://b.example/world/"))
    assert entry.link == "http://b.example/world/stories/1"
    assert norm(RawItem(title="t", link="/p")).link == "http://desk.example.net/p"


def test_item_without_link_gets_the_source_url():
    assert norm(RawItem(title="t")).link == FEED.url


def test_article_link_and_page():
    entry = norm(RawItem(title="t", content="<p>x</p>", path="a/b.fr.txt"), source=DESK)
    assert entry.link == SITE + "articles/local/a/b.fr.html"
    assert entry.page == "articles/local/a/b.fr.html"
    outside = replace(DESK, link_base="https://cdn.example.com/news")
    entry = norm(RawItem(title="t", path="../../x.md"), source=outside)
    assert (entry.link, entry.page) == ("https://cdn.example.com/news/x.html", None)
    own = norm(RawItem(title="t", path="y.md", link="https://own.example/y"), source=DESK)
    assert (own.link, own.page) == ("https://own.example/y", None)


# --- HTML --------------------------------------------------------------------------------


def test_sanitization():
    dirty = (
        '<p onclick="x()">Hi <a href="javascript:alert(1)">j</a> <a href="data:text/html,x">d</a>'
        '<img src="x.png" onerror="alert(1)"></p><script>alert(1)</script>'
        "<style>p{color:red}</style><iframe src='http://evil.example/'>in</iframe>"
    )
    clean = sanitize_html(dirty, "http://b.example/dir/")
    for bad in ("script", "style", "iframe", "onclick", "onerror", "javascript:", "data:", "alert"):
        assert bad not in clean
    assert '<img src="http://b.example/dir/x.png">' in clean
    assert 'rel="noopener noreferrer"' in clean


def test_threads_sanitizing_at_once_each_resolve_against_their_own_base():
    # The cleaner is built once per process; the base is per thread (the main process
    # parses while its other threads may too).
    from concurrent.futures import ThreadPoolExecutor

    def links(n: int) -> bool:
        base = f"http://site{n}.example/dir/"
        fragment = "".join(
            f'<p><a href="p{k}.html">{k}</a><img src="i{k}.png"></p>' for k in range(50)
        )
        clean = sanitize_html(fragment, base)
        return clean.count(base) == 100 and clean.count("http://") == 100

    with ThreadPoolExecutor(8) as pool:
        assert all(pool.map(links, range(400)))
    assert "href" not in sanitize_html('<a href="x.html">x</a>')  # no base: no relative link


def test_relative_links_in_content_made_absolute():
    feed = parse_feed((DATA / "parse" / "rss20.xml").read_bytes(), url="http://f.example/")
    entry = norm(feed.items[0])
    assert 'href="http://desk.example.net/maps/north.html"' in entry.content
    assert 'src="http://desk.example.net/img/convoy.jpg"' in entry.content
    assert "<script>" not in entry.content
    assert entry.link == "http://desk.example.net/world/stories/northern-base?page=2"
    assert entry.authors == ("Sam Okafor", "Lea Brandt")
    assert entry.language == "en-US"


def test_summary_from_first_paragraph():
    entry = norm(
        RawItem(title="t", content="<h2>Head</h2><p> </p><p>First <b>one</b>.</p><p>2</p>")
    )
    assert entry.summary == "<p>First <b>one</b>.</p>"
    assert entry.content.startswith("<h2>Head</h2>")


def test_summary_only_item_has_empty_content():
    entry = norm(RawItem(title="t", summary="<p>Just this.</p>"))
    assert (entry.summary, entry.content) == ("<p>Just this.</p>", "")
    entry = norm(RawItem(title="t", content="<p>Just this.</p>"))
    assert (entry.summary, entry.content) == ("<p>Just this.</p>", "")


def test_title_plain_text_and_fallbacks():
    assert norm(RawItem(title="Niamey &amp; <em>Agadez</em>\n  nord")).title == (
        "Niamey & Agadez nord"
    )
    long_text = "<p>" + "mot " * 60 + "</p>"
    derived = norm(RawItem(content=long_text)).title
    assert derived.endswith("…") and len(derived) <= 80
    assert norm(RawItem(link="http://x.example/")).title == "(untitled)"


def test_control_characters_removed():
    entry = norm(
        RawItem(
            title="a\x00b\x1fc\ufffe", summary="<p>x\x0by</p>", authors=("Ann\x07",),
            categories=("c\x01at",), link="http://x.example/\x00p", guid="urn:x\x02y",
        )
    )  # fmt: skip
    assert (entry.title, entry.summary, entry.authors) == ("abc", "<p>xy</p>", ("Ann",))
    assert entry.categories == ("cat",) and entry.id == "urn:xy"
    assert entry.link == "http://x.example/p"


def test_authors_and_categories():
    entry = norm(
        RawItem(title="t", authors=(" Ann ", "Ann", ""), categories=(" Mali", "mali", "B"))
    )
    assert entry.authors == ("Ann",) and entry.categories == ("Mali", "B")
    assert norm(RawItem(title="t")).authors == ("Desk",)
    assert norm(RawItem(title="t"), source=replace(FEED, author="Ed")).authors == ("Ed",)
    assert norm(RawItem(title="t"), source=DESK).authors == ("local",)


# --- dates -------------------------------------------------------------------------------


def test_a_date_before_1990_counts_as_none():
    """The Unix epoch (a zero) or a file unpacked with a zero mtime is no date (the W3C
    validator: ImplausibleDate); the next date the item has is taken, else the time seen."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    assert norm(RawItem(title="t", published=epoch)).published == NOW
    assert norm(RawItem(title="t", published=epoch, updated=epoch)).updated == NOW
    dated = norm(RawItem(title="t", published=epoch, updated=NOW - timedelta(1)))
    assert dated.published == dated.updated == NOW - timedelta(1)
    filed = norm(RawItem(title="t", path="a.txt", file_time=datetime(1980, 5, 1, tzinfo=UTC)))
    assert filed.published == NOW
    kept = datetime(1990, 1, 1, tzinfo=UTC)
    assert norm(RawItem(title="t", published=kept)).published == kept


def test_dates():
    assert (norm(RawItem(title="t")).published, norm(RawItem(title="t")).updated) == (NOW, NOW)
    future = norm(RawItem(title="t", published=NOW + timedelta(days=3)))
    assert future.published == future.updated == NOW
    plus2 = timezone(timedelta(hours=2))
    entry = norm(RawItem(title="t", published=datetime(2024, 1, 1, 10, tzinfo=plus2)))
    assert entry.published == datetime(2024, 1, 1, 8, tzinfo=UTC) == entry.updated
    assert entry.published.tzinfo is UTC
    back = norm(RawItem(title="t", published=NOW - timedelta(1), updated=NOW - timedelta(2)))
    assert back.updated == back.published == NOW - timedelta(1)
    only_updated = norm(RawItem(title="t", updated=NOW - timedelta(5)))
    assert only_updated.published == NOW - timedelta(5)
    naive = norm(RawItem(title="t", published=datetime(2024, 1, 1)))
    assert naive.published == datetime(2024, 1, 1, tzinfo=UTC)


def test_article_date_from_file_time():
    file_time = datetime(2024, 2, 2, tzinfo=UTC)
    entry = norm(RawItem(title="t", path="a.txt", file_time=file_time), source=DESK)
    assert entry.published == entry.updated == file_time


# --- language ----------------------------------------------------------------------------


def test_canonical_language():
    assert canonical_language("EN_us") == "en-US"
    assert canonical_language("fr") == "fr"
    assert canonical_language("zh-hant-tw") == "zh-Hant-TW"
    assert canonical_language("English") is None and canonical_language("") is None


def test_language_declared_then_source_then_detected():
    assert norm(RawItem(title="Hello", language="fr-fr")).language == "fr-FR"
    assert norm(RawItem(title="Hello"), source=replace(FEED, language="de")).language == "de"
    fr = "Les éleveurs partent plus loin avec leurs troupeaux pendant la saison sèche."
    en = "The harbour master posted the new tide tables on the office door this morning."
    assert norm(RawItem(title=fr)).language == "fr"
    assert norm(RawItem(title=en)).language == "en"
    assert norm(RawItem(title="12345")).language == "en"  # undecided: the first language
    assert norm(RawItem(title=fr), languages=("de",)).language == "de"


def test_articles_end_to_end():
    feed = read_articles(DATA / "articles")
    entries = {i.path: norm(replace(i, language=None), source=DESK) for i in feed.items}
    assert entries["sahel-elevage.fr.txt"].language == "fr"
    assert entries["harbour-notes.txt"].language == "en"
    assert entries["elections/bamako.md"].language == "fr"
    sahel = entries["sahel-elevage.fr.txt"]
    assert sahel.summary.startswith("<p>Dans le nord du Burkina Faso")
    assert entries["port-strike.html"].link == "https://news.example.com/2024/port-strike"
    assert "<script>" not in entries["river-report.en.md"].content


# --- hash --------------------------------------------------------------------------------


def test_hash_leaves_out_dates_and_id():
    item = RawItem(title="t", link="http://x.example/", published=NOW - timedelta(1))
    a = norm(item)
    b = norm(replace(item, published=NOW - timedelta(2), guid="urn:other"))
    assert a.hash == b.hash == entry_hash(a)
    assert with_hash(replace(a, hash="")) == a
    assert norm(replace(item, title="u")).hash != a.hash


# --- text helpers ------------------------------------------------------------------------


def test_text_helpers():
    assert html_to_text("<p>a</p><p>b &amp; c<br>d</p><script>x</script>") == "a b & c d"
    assert html_to_text("a < b") == "a < b"
    assert first_paragraph("<div>no p</div>") is None
    assert first_paragraph("<p></p><p>x</p>") == "<p>x</p>"
    assert truncate_text("one two three four", 10) == "one two…"
    assert truncate_text("short", 10) == "short"


# --- properties --------------------------------------------------------------------------

texts = st.one_of(st.none(), st.text(), st.text(alphabet="<>&/=\"' apbhrefsc:\x00\ud800"))
times = st.one_of(
    st.none(), st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))]))
)
items = st.builds(
    RawItem,
    guid=texts, title=texts, link=texts, summary=texts, content=texts,
    authors=st.lists(st.text(), max_size=3).map(tuple),
    published=times, updated=times, language=texts,
    categories=st.lists(st.text(), max_size=3).map(tuple),
    base=texts, path=st.one_of(st.none(), st.text(min_size=1)), file_time=times,
)  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items)
def test_normalize_never_raises_and_is_deterministic(item):
    entry = norm(item)
    assert entry == norm(item)
    fields = [entry.id, entry.title, entry.link, entry.summary, entry.content, entry.language]
    for value in [*fields, *entry.authors, *entry.categories]:
        assert not ILLEGAL.search(value)
    assert entry.title and entry.link.startswith(("http://", "https://"))
    assert entry.published <= entry.updated <= NOW
    assert entry.published.tzinfo is UTC and entry.updated.tzinfo is UTC
    assert entry.hash == entry_hash(entry)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_html_to_text_never_raises(text):
    result = html_to_text(text)
    assert not ILLEGAL.search(result) and result == result.strip()


# --- plain URLs skip urllib: the same results ----------------------------------------------

_SCHEMES = ["http", "https", "HTTP", "Https", "ftp", "mailto", "h", ""]
_HOSTS = ["a.example", "A.B-c", "[::1]", "[::1", "::1]", "x_y", "é.fr", "", "a:80", "a:", "a:x",
          "u@h", "h h", "h\t", "0"]  # fmt: skip
_PATHS = ["", "/", "/a", "b", "/a;p", "/a;", "/%20", "/a b", "/..", "/./c", "//d", "/é", "/a:b@c",
          "/~u/(x)*+,=!$'", "/a\\b", '/"q"', "/<x>"]  # fmt: skip
_QUERIES = ["", "?", "?q", "?utm_source=x", "?a=1&utm_medium=y", "?a=1&&b", "?;x", "?é", "?a=b?c",
            "?fbclid=1", "?UTM_x=1&k", "?a=%20", "?a b"]  # fmt: skip
_FRAGMENTS = ["", "#", "#f", "#a#b"]
_URLS = st.one_of(
    st.tuples(
        st.sampled_from(["", " ", "\x00", "\n"]), st.sampled_from(_SCHEMES),
        st.sampled_from(["://", ":", ":/", ""]), st.sampled_from(_HOSTS),
        st.sampled_from(_PATHS), st.sampled_from(_QUERIES), st.sampled_from(_FRAGMENTS),
        st.sampled_from(["", " ", "\x0b"]),
    ).map("".join),
    st.tuples(  # mostly plain ones
        st.sampled_from(["http://", "https://"]), st.sampled_from(["a.example", "b-2.c", "a:80"]),
        st.sampled_from(["", "/", "/a/b.html", "/a;", "/~x/%41"]),
        st.sampled_from(["", "?id=3", "?utm_source=x", "?a=1&utm_medium=y&b", "?"]),
    ).map("".join),
    st.tuples(  # paths from the root
        st.sampled_from(["/", "//", "/a", "/a/b.html", "/.", "/..", "/a/../b", "/./x", "/.well",
                         "/a//b", "/a/", "/tags/junta", "/é", "/a b", "/a;p", "/_x-~%41/(1)",
                         "//h.example/x"]),
        st.sampled_from(["", "?q", "?utm_source=x"]), st.sampled_from(["", "#f"]),
    ).map("".join),
    st.text(max_size=30),
)  # fmt: skip
_BASES = st.sampled_from(
    [None, "", "http://b.example/dir/x", "https://b.example", "http://[::1/", "ftp://x/y/",
     " http://c.example/ ", "HTTP://d/", "\x00http://e/", "http://b.example:8080/a/b/c",
     "https://b.example?x=1", "http://b.example/dir/?q=1", "https://b.example/x#f",
     "http://127.0.0.1:41231/f/0"]
)  # fmt: skip


@settings(max_examples=3000, deadline=None)
@given(_URLS, _BASES)
def test_plain_urls_come_out_as_urllib_makes_them(url, base):
    from feeds.normalize import entry as n
    from feeds.normalize import links
    from feeds.normalize.text import strip_illegal

    expected = links._clean_link_by_urllib(strip_illegal(url).strip(), base) if url else None
    assert clean_link(url, base) == expected
    if base is None or base == strip_illegal(base).strip():  # as normalize gives them
        assert links._absolute_url(url, base) == links._absolute_url_by_urllib(url.strip(), base)
    assert n._is_absolute_uri(url) == n._is_absolute_uri_by_urllib(url)


def test_the_plain_url_pattern_takes_the_common_links():
    from feeds.normalize.links import PLAIN_URL

    for url in ["https://news.example/2024/07/niger.html", "http://a.example:8080/x?id=3&utm_source=rss",
                "https://h.example", "https://h.example/a%20b/(1)"]:  # fmt: skip
        assert PLAIN_URL.fullmatch(url)
    for url in ["https://h.example/a;p", "https://h.example/x#top", "https://h.example/?",
                "HTTPS://h.example/", "https://[::1]/", "https://h.example/é"]:  # fmt: skip
        assert not PLAIN_URL.fullmatch(url)
