"""The hostile and odd feed corpus (tests/data/hostile/cases.toml), through the real command.

Every file is one source read from disk and one fetched from a loopback server, all in one
config with a good source; one `feeds update` must ingest each as expected or record its
one-line error, publish the good source's entries, read no local file and request nothing
but the feeds themselves (the server records every request). The parser is also run over
every body in a child process under an address-space limit: a bomb fails there, not here.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from atomcheck import assert_valid_atom
from loopback import Loopback, Request, feed, respond

from feeds.errors import ParseError
from feeds.models import Source
from feeds.normalize.entry import normalize
from feeds.parse import parse_feed
from feeds.store.sqlite.store import Store

HOSTILE = Path(__file__).parent / "data" / "hostile"
CASES: dict[str, dict] = tomllib.loads((HOSTILE / "cases.toml").read_text())
SECRET = "TOPSECRET-7f3a zebra"
#: What the traps would answer, were they ever asked (they must not be).
TRAPS = {
    "/evil.dtd": b'<!ENTITY fromdtd "FROM-DTD">',
    "/parameter.dtd": b'<!ENTITY exfil "FROM-DTD">',
    "/xxe-entity": b"REMOTE-ENTITY",
    "/xinclude": b"<p>XINCLUDED</p>",
}
#: Address space of the child that parses every body (a bomb would need far more).
PARSE_MEMORY = 1536 * 1024 * 1024
ITEM = "<item><guid>http://example.org/gen/{n}</guid><title>{title}</title><link>http://example.org/gen/{n}</link><description>{desc}</description></item>"  # noqa: E501
RSS = '<?xml version="1.0" encoding="utf-8"?>\n{doctype}<rss version="2.0"><channel><title>Generated</title><link>http://example.org/</link><description>d</description>{items}</channel></rss>'  # noqa: E501


def _rss(items: str, doctype: str = "") -> bytes:
    return RSS.format(items=items, doctype=doctype).encode()


def _quadratic() -> bytes:
    """One 40 kB entity referenced 40,000 times: 1.6 GB if expanded."""
    doctype = '<!DOCTYPE rss [<!ENTITY a "' + "a" * 40_000 + '">]>\n'
    return _rss(ITEM.format(n=1, title="Zebra quadratic", desc="&a;" * 40_000), doctype)


def _deep_xml() -> bytes:
    deep = "<x>" * 100_000 + "</x>" * 100_000
    return _rss(
        ITEM.format(n=2, title="Zebra deep", desc="zebra").replace("</item>", deep + "</item>")
    )  # noqa: E501


def _deep_html() -> bytes:
    """100,000 nested <div>s inside a description: minutes of html5ever without a guard."""
    desc = "&lt;div&gt;" * 100_000 + "zebra" + "&lt;/div&gt;" * 100_000
    return _rss(ITEM.format(n=3, title="Zebra deep HTML", desc=desc))


def _unclosed_tags() -> bytes:
    desc = "&lt;a&lt;b" * 200_000 + "&lt;li&gt;&lt;p&gt;" * 50_000
    return _rss(ITEM.format(n=4, title="Zebra unclosed", desc=desc))


def _huge_attribute() -> bytes:
    title = '<title lang="' + "A" * 5_000_000 + '">Zebra huge attribute</title>'
    return _rss(ITEM.format(n=5, title="x", desc="zebra").replace("<title>x</title>", title))


def _many_attributes() -> bytes:
    attrs = " ".join(f'a{i}="{i}"' for i in range(100_000))
    return _rss(
        ITEM.format(n=6, title="Zebra attributes", desc="zebra").replace(
            "<item>", f"<item {attrs}>"
        )
    )  # noqa: E501


GENERATED: dict[str, tuple[Callable[[], bytes], dict]] = {
    "gen-quadratic-blowup.xml": (_quadratic, {"entries": 1}),
    "gen-deep-nesting.xml": (_deep_xml, {"entries": 1}),
    "gen-deep-html.xml": (_deep_html, {"entries": 1}),
    "gen-unclosed-tags.xml": (_unclosed_tags, {"entries": 1}),
    "gen-huge-attribute.xml": (_huge_attribute, {"entries": 1}),
    "gen-many-attributes.xml": (_many_attributes, {"error": "more than 1000 attributes"}),
    "gen-deep-json.json": (
        lambda: (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}"
        ),
        {"error": "unreadable JSON"},
    ),
    "gen-huge-number.json": (
        lambda: (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": '
            + b"9" * 10_000
            + b', "content_text": "zebra"}]}'
        ),
        {"error": "unreadable JSON"},
    ),
}
ALL = {**CASES, **{name: expect for name, (_, expect) in GENERATED.items()}}
MEDIA = {".json": "application/feed+json", ".html": "text/html; charset=utf-8"}


def source_name(file: str, mode: str) -> str:
    return f"{re.sub(r'[^A-Za-z0-9]+', '-', file)}-{mode}"


def body_of(name: str, loopback_url: str, secret_uri: str) -> bytes:
    data = GENERATED[name][0]() if name in GENERATED else (HOSTILE / name).read_bytes()
    return data.replace(b"@LOOPBACK@", loopback_url.encode()).replace(
        b"@SECRET@", secret_uri.encode()
    )


@dataclass
class CorpusRun:
    site: Path
    #: One `feeds update` per mode: every file as a `path` source, or as a `url` source.
    procs: dict[str, subprocess.CompletedProcess[str]]
    requests: list[Request]
    feed_paths: set[str]
    #: mode → source name → state (with its entry count).
    states: dict[str, dict]
    titles: dict[str, list[str]]


def _config(site: Path, mode: str, locations: dict[str, str]) -> Path:
    """One site per mode: the same entry ids from a file and a URL would share rows."""
    lines = [
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\n',
        '[[sources]]\nname = "good"\nkind = "articles"\npath = "../articles"\nlanguage = "en"\n',
    ]
    key = "url" if mode == "http" else "path"
    for name, location in locations.items():
        lines.append(f'[[sources]]\nname = "{source_name(name, mode)}"\n{key} = "{location}"\n')
    lines.append('[[topics]]\nslug = "zebras"\ntitle = "Zebras"\nquery = "zebra OR zebras"\n')
    (site / mode).mkdir()
    config = site / mode / "feeds.toml"
    config.write_text("\n".join(lines))
    return config


def _good_articles(site: Path) -> None:
    (site / "articles").mkdir(parents=True)
    for n in (1, 2):
        (site / "articles" / f"good-{n}.txt").write_text(
            f"# Good zebra story {n}\n<p>The zebras of the good source, part {n}.</p>\n"
        )


def _update(config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), "update"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> CorpusRun:
    site = tmp_path_factory.mktemp("hostile")
    secret = site / "secret.txt"
    secret.write_text(SECRET)
    _good_articles(site)
    (site / "bodies").mkdir()
    with Loopback() as server:
        for path, data in TRAPS.items():
            server.route(path, respond(200, data, content_type="application/xml-dtd"))
        urls: dict[str, str] = {}
        for name in ALL:
            data = body_of(name, server.base_url, secret.as_uri())
            (site / "bodies" / name).write_bytes(data)
            media = MEDIA.get(Path(name).suffix, "application/xml")
            urls[name] = server.route(f"/feeds/{name}", feed(data, content_type=media))
        paths = {name: str(site / "bodies" / name) for name in ALL}
        procs = {
            "file": _update(_config(site, "file", paths)),
            "http": _update(_config(site, "http", urls)),
        }
        requests = server.requests
    states, titles = {}, {}
    for mode in procs:
        with Store(site / mode / "data" / "feeds.sqlite3") as store:
            states[mode] = store.source_states()
            titles.update({s: [e.title for e in store.entries(source=s)] for s in states[mode]})
    return CorpusRun(site, procs, requests, {f"/feeds/{n}" for n in ALL}, states, titles)


@pytest.mark.parametrize("mode", ["file", "http"])
def test_update_finishes_and_names_each_failed_source(corpus: CorpusRun, mode: str) -> None:
    proc = corpus.procs[mode]
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    for name, expect in ALL.items():
        if "error" in expect:
            assert f"source {source_name(name, mode)}: " in proc.stderr


@pytest.mark.parametrize("mode", ["file", "http"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_each_case_is_ingested_or_rejected_as_expected(corpus: CorpusRun, name, mode) -> None:
    expect = ALL[name]
    state = corpus.states[mode][source_name(name, mode)]
    if "error" in expect:
        assert state.status == "error"
        assert re.search(expect["error"], state.message or ""), state.message
        assert "\n" not in (state.message or "")
        assert state.entries == 0
    else:
        assert state.status == "ok", state.message
        assert state.entries == expect["entries"], corpus.titles[state.name]
    for text in expect.get("absent", []):
        assert not any(text in t for t in corpus.titles[state.name])


@pytest.mark.parametrize("mode", ["file", "http"])
def test_the_good_source_still_publishes(corpus: CorpusRun, mode: str) -> None:
    assert corpus.states[mode]["good"].entries == 2
    root = assert_valid_atom((corpus.site / mode / "public" / "zebras.atom").read_bytes())
    titles = [t.text for t in root.iter("{http://www.w3.org/2005/Atom}title")]
    assert "Good zebra story 1" in titles and "Good zebra story 2" in titles


def test_nothing_is_requested_but_the_feeds(corpus: CorpusRun) -> None:
    asked = {r.path for r in corpus.requests}
    assert asked <= corpus.feed_paths, asked - corpus.feed_paths
    assert not set(TRAPS) & asked


def test_no_local_file_is_read(corpus: CorpusRun) -> None:
    written = [p for p in corpus.site.glob("*/public/**/*") if p.is_file()]
    written += list(corpus.site.glob("*/data/feeds.sqlite3*"))
    assert len(written) > 4
    for path in written:
        data = path.read_bytes()
        assert b"TOPSECRET" not in data, path
        assert b"root:x:0:0" not in data, path
        for marker in (b"FROM-DTD", b"REMOTE-ENTITY", b"XINCLUDED"):
            assert marker not in data, (path, marker)


_CHILD = """
import json, resource, sys, time
from pathlib import Path
from feeds.errors import ParseError
from feeds.parse import parse_feed
results = {}
for path in sorted(Path(sys.argv[1]).iterdir()):
    started = time.process_time()
    try:
        outcome = len(parse_feed(path.read_bytes(), url="http://127.0.0.1:9/f").items)
    except ParseError as e:
        outcome = str(e)
    results[path.name] = [outcome, time.process_time() - started]
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"results": results, "peak": peak}))
"""


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (PARSE_MEMORY, PARSE_MEMORY))


def test_every_body_parses_within_bounded_memory(corpus: CorpusRun) -> None:
    """All bodies, one child, an address-space limit: a bomb would be a MemoryError there."""
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(corpus.site / "bodies")],
        capture_output=True, text=True, timeout=300, preexec_fn=_limit_memory,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert set(report["results"]) == set(ALL)
    assert report["peak"] < 768 * 1024 * 1024, report


def _entries(body: bytes, now: datetime) -> list:
    source = Source(name="s", kind="feed", url="http://127.0.0.1:9/f")
    parsed = parse_feed(body, url="http://127.0.0.1:9/f")
    return [
        normalize(
            i,
            source=source,
            now=now,
            id_authority="example.org",
            languages=("en",),
            site_base="http://127.0.0.1:8080/",
        )  # fmt: skip
        for i in parsed.items
    ]


@pytest.mark.parametrize("name", sorted(n for n, e in CASES.items() if "entries" in e))
def test_ids_are_stable_and_titles_plain(name: str) -> None:
    body = body_of(name, "http://127.0.0.1:9", "file:///nonexistent")
    first = _entries(body, datetime(2025, 1, 1, tzinfo=UTC))
    later = _entries(body, datetime(2025, 6, 1, tzinfo=UTC))
    assert [e.id for e in first] == [e.id for e in later]
    for entry in first:
        assert entry.title and "<" not in entry.title.replace("<not a tag>", "")
        assert entry.link.startswith("http")


def test_parse_errors_are_one_line() -> None:
    for name in (n for n, e in CASES.items() if "error" in e):
        try:
            parse_feed((HOSTILE / name).read_bytes(), url="http://127.0.0.1:9/f")
        except ParseError as e:
            assert "\n" not in str(e), name
