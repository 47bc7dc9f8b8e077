"""Hostile HTML in entries comes out of every published file sanitized, links absolute.

One fragment (tests/data/hostile/html/fragment.html: script, style, iframes, event handlers,
javascript:/data:/vbscript: URLs, <base>, SVG and MathML with script, broken markup, entity
tricks) is put in the titles, summaries and content of an RSS, an Atom and a JSON feed and
in article files; after a real `feeds update`, every file of public/ is parsed, the escaped
HTML inside feeds unescaped and parsed again, and nothing active may be left anywhere.
"""

from __future__ import annotations

import html
import json
import subprocess
import sys
from pathlib import Path

import lxml.html
import pytest
from atomcheck import assert_valid_atom, parse_xml
from lxml import etree

FRAGMENT = (Path(__file__).parent / "data" / "hostile" / "html" / "fragment.html").read_text()
TITLE = (
    '<b>Zebra</b> <script>alert("t")</script><img src=x onerror=alert(1)> &lt;i&gt;tricky&lt;/i&gt;'  # noqa: E501
)
ACTIVE_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "base", "form",
               "input", "button", "meta", "link", "frame", "frameset", "noscript", "template",
               "applet", "details"}  # fmt: skip
#: JSON Feed titles are plain text: this one must read as written, escaped in every format.
JSON_TITLE = "Zebra & <friends> in plain text"
#: Active elements of HTML that are also harmless names in RSS/Atom (<link>, <source>).
XML_ACTIVE_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "base"}
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "srcset", "xlink:href", "background"}
#: Atom/RSS elements whose text is HTML.
HTML_ELEMENTS = {
    "summary",
    "content",
    "description",
    "{http://purl.org/rss/1.0/modules/content/}encoded",
}  # noqa: E501

RSS = f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>RSS</title><link>http://rss.example/</link><description>d</description>
<item><guid>http://rss.example/1</guid><link>http://rss.example/posts/1</link>
<title>{html.escape(TITLE)}</title><description>{html.escape(FRAGMENT)}</description>
<content:encoded>{html.escape("<div>" + FRAGMENT + "</div> zebra extra")}</content:encoded></item>
</channel></rss>"""
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom</title><id>http://atom.example/</id>
<updated>2024-01-02T00:00:00Z</updated>
<entry xml:base="javascript:alert(99)//"><id>http://atom.example/1</id>
<title type="html">{html.escape(TITLE)}</title><updated>2024-01-02T00:00:00Z</updated>
<link href="http://atom.example/posts/1"/><summary type="html">{html.escape(FRAGMENT)}</summary>
<content type="html">{html.escape(f"<section>{FRAGMENT}</section> zebra more")}</content>
</entry>
<entry xml:base="http://atom.example/base/"><id>http://atom.example/2</id><title>Zebra two</title>
<updated>2024-01-02T00:00:00Z</updated><link href="two"/>
<content type="html">{html.escape(FRAGMENT)}</content></entry>
</feed>"""
JSON_FEED = {
    "version": "https://jsonfeed.org/version/1.1", "title": "JSON",
    "home_page_url": "http://json.example/",
    "items": [{"id": "http://json.example/1", "url": "http://json.example/posts/1",
               "title": JSON_TITLE, "summary": FRAGMENT, "content_html": FRAGMENT + " zebra json"}],
}  # fmt: skip
ARTICLE_HTML = f"""<!DOCTYPE html><html><head><title>Zebra article {TITLE}</title>
<base href="http://evil.example/"><script>alert("head")</script>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head>
<body onload="alert(2)"><h1>Zebra article</h1>{FRAGMENT}</body></html>"""
ARTICLE_TXT = f"# Zebra <script>alert('title')</script> reference\n<section>{FRAGMENT}</section>\n"


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    site = tmp_path_factory.mktemp("hostile-html")
    (site / "feed.rss").write_text(RSS)
    (site / "feed.atom").write_text(ATOM)
    (site / "feed.json").write_text(json.dumps(JSON_FEED))
    (site / "articles").mkdir()
    (site / "articles" / "evil.html").write_text(ARTICLE_HTML)
    (site / "articles" / "evil-reference.txt").write_text(ARTICLE_TXT)
    sources = "".join(
        f'[[sources]]\nname = "{n}"\npath = "{p}"\nlanguage = "en"\n'
        for n, p in (("rss", "feed.rss"), ("atom", "feed.atom"), ("json", "feed.json"))
    )
    (site / "feeds.toml").write_text(
        '[settings]\nbase_url = "http://127.0.0.1:8080/"\npublic_dir = "public"\n'
        'data_dir = "data"\nlanguages = ["en"]\ndedupe = false\n\n' + sources
        + '[[sources]]\nname = "desk"\nkind = "articles"\npath = "articles"\nlanguage = "en"\n'
        + '[[topics]]\nslug = "zebras"\ntitle = "Zebras"\nquery = "zebra"\n'
    )  # fmt: skip
    proc = subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(site / "feeds.toml"), "update"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return site / "public"


def assert_inert(root: etree._Element, where: str, *, absolute: bool = True) -> None:
    """No active element, no event handler, no script URL, every link absolute."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = etree.QName(el).localname.lower()
        assert tag not in ACTIVE_TAGS, (where, tag)
        for name, value in el.attrib.items():
            name = etree.QName(name).localname.lower() if name.startswith("{") else name.lower()
            assert not name.startswith("on"), (where, tag, name)
            assert name != "style", (where, tag)
            if name in URL_ATTRIBUTES:
                squashed = "".join(value.split()).lower()
                assert not squashed.startswith(BAD_SCHEMES), (where, tag, value)
                if absolute:
                    assert squashed.startswith(("http://", "https://", "mailto:")), (where, value)


def assert_inert_fragment(text: str, where: str) -> None:
    if not text.strip():
        return
    assert_inert(lxml.html.fragment_fromstring(text, create_parent="div"), where)


def test_feeds_were_published(public: Path) -> None:
    names = {p.name for p in public.iterdir()}
    assert "zebras.atom" in names and "index.html" in names
    entries = assert_valid_atom((public / "zebras.atom").read_bytes()).findall(
        "{http://www.w3.org/2005/Atom}entry"
    )
    assert len(entries) >= 6
    assert list((public / "articles").rglob("*.html"))


def _xml_files(public: Path) -> list[Path]:
    return [p for p in public.rglob("*") if p.suffix in (".atom", ".rss", ".opml", ".xml")]


def test_every_xml_file_is_inert(public: Path) -> None:
    for path in _xml_files(public):
        root = parse_xml(path.read_bytes())
        for el in root.iter():
            if not isinstance(el.tag, str):
                continue
            tag = etree.QName(el).localname
            assert tag not in XML_ACTIVE_TAGS, (path.name, tag)
            name = el.tag if el.tag.startswith("{http://purl") else tag
            if name in HTML_ELEMENTS and el.get("type", "html") == "html":
                assert_inert_fragment(el.text or "", f"{path.name} {tag}")
            elif tag == "title":  # plain text everywhere; as escaped HTML when it holds markup
                assert len(el) == 0 and el.get("type", "text") in {"text", "html"}, path.name
                if el.get("type") == "html":
                    assert "<" not in (el.text or ""), path.name  # text, not one element
                    assert_inert_fragment(el.text or "", f"{path.name} {tag}")
        assert b"<script" not in path.read_bytes().lower(), path.name


def test_json_feeds_are_inert(public: Path) -> None:
    for path in public.rglob("*.json"):
        document = json.loads(path.read_bytes())
        for item in document.get("items", []):
            # JSON Feed's summary is plain text: a source's markup in it is only text.
            assert_inert_fragment(item.get("content_html") or "", f"{path.name} content")
            assert isinstance(item.get("title", ""), str)


def test_html_pages_are_inert(public: Path) -> None:
    pages = list(public.rglob("*.html"))
    assert len(pages) >= 3
    for path in pages:
        doc = lxml.html.document_fromstring(path.read_bytes())
        body = doc.find("body")
        assert body is not None
        _drop_our_controls(body, path.name)
        assert_inert(body, path.name, absolute=False)
        for article in body.iter("article"):  # what came from a source: links absolute
            assert_inert(article, path.name)
        head_tags = {el.tag for el in doc.find("head")}
        assert "script" not in head_tags and "base" not in head_tags, path.name
        for el in doc.find("head"):
            assert not any(a.startswith("on") for a in el.attrib), path.name
        for title in [*doc.iter("title"), *doc.iter("h1")]:
            assert len(title) == 0, (path.name, lxml.html.tostring(title))


def _drop_our_controls(body: etree._Element, where: str) -> None:
    """Take out the controls of our own (a topic page's subscribe box and its copy script):
    no text of a source is in them, and the rest of the page must be inert."""
    for box in body.xpath('//section[@class="subscribe"]'):
        values = [i.get("value") for i in box.iter("input")]
        assert all(v.startswith("http://127.0.0.1:8080/") for v in values), (where, values)
        box.getparent().remove(box)
    for script in body.xpath("//script"):
        assert script.get("src") == "copy.js" and not (script.text or "").strip(), where
        script.getparent().remove(script)


def test_plain_text_titles_read_as_written(public: Path) -> None:
    root = assert_valid_atom((public / "zebras.atom").read_bytes())
    titles = [  # as a reader reads them: type="html" is the HTML that shows the text
        html.unescape(t.text or "") if t.get("type") == "html" else t.text
        for t in root.iter("{http://www.w3.org/2005/Atom}title")
    ]
    # An HTML title (Atom type="html") loses its markup; the text of entities stays text.
    assert "Zebra <i>tricky</i>" in titles
    # feedparser reads an RSS title with escaped markup as text: it stays text, never a tag.
    assert TITLE in titles
    # Plain-text titles (JSON Feed, an article's title line) read exactly as written.
    assert JSON_TITLE in titles
    assert "Zebra <script>alert('title')</script> reference" in titles
    for path in (public / "articles").rglob("*.html"):
        assert b"<script>alert(" not in path.read_bytes()  # only &lt;script&gt; as text


def test_relative_links_were_made_absolute(public: Path) -> None:
    atom = (public / "zebras.atom").read_text()
    assert "http://rss.example/posts/relative/page.html" in html.unescape(atom)
    assert "http://atom.example/base/relative/page.html" in html.unescape(atom)
    assert "http://evil.example/relative" not in html.unescape(atom)
