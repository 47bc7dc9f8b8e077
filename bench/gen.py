"""Deterministic generators for the benchmark: feed bodies, article files, topics, config.

Everything here is a pure function of its arguments (a seeded ``random.Random`` per feed or
article), so two runs, or the server and a checker, produce the same bytes. Feed ``i`` is
RSS 2.0 when ``i`` is even and Atom 1.0 when odd; about 1 KB per entry (~52 KB per feed of
50 entries). Feeds with ``i % 10 == 0`` are the "churn" feeds: at generation ``g`` they show
entries ``5g .. 5g+49`` (5 new ones per generation, 5 old ones gone); the others never change.
"""

from __future__ import annotations

import html
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

BASE = datetime(2024, 1, 1, tzinfo=UTC)
CHURN_EVERY = 10
CHURN_STEP = 5

#: Words the topics look for, and filler around them.
TOPICAL = (
    "sahel niger mali chad burkina troops military coup junta wagner election vote "
    "parliament climate drought flood heatwave satellite orbit launch rocket telescope "
    "vaccine outbreak hospital inflation bank currency oil pipeline solar wind battery "
    "football league court ruling strike union railway port shipping"
).split()
FILLER_EN = (
    "the a of and to in is was for on that with as by at from it be this have are "
    "said report officials week year government city people new after more most "
    "local state region country world plan agency minister statement sources told"
).split()
FILLER_FR = (
    "le la les de des du et à en un une est pour dans que qui sur par avec au aux "
    "selon rapport gouvernement ville pays année semaine ministre région déclaré "
    "été très après plus nouvelle État l’armée d’après «  » français côté"
).split()
TOPIC_WORDS = [
    ("sahel-security", "(sahel OR niger OR mali OR chad) (troop* OR military OR coup OR junta)"),
    ("elections", "election* OR vote OR parliament"),
    ("climate", "climate OR drought OR flood OR heatwave"),
    ("space", "satellite* OR orbit OR rocket OR telescope"),
    ("health", "vaccine* OR outbreak OR hospital"),
    ("economy", "inflation OR bank OR currency"),
    ("energy", "oil OR pipeline OR solar OR wind OR battery"),
    ("sport", "football OR league"),
    ("justice", "court ruling"),
    ("labour", "strike OR union"),
    ("transport", "railway OR port OR shipping"),
    ("wagner", "wagner"),
    ("launches", '"rocket launch" OR "launch rocket"'),
    ("coups", "coup -football"),
    ("floods-fr", "flood OR drought"),
    ("titles-mali", "title:mali"),
    ("energy-en", "solar OR battery"),
    ("markets", "bank OR oil OR inflation"),
    ("niger-troops", "niger troops"),
    ("everything-junta", "junta OR wagner OR coup"),
]
_TOPIC_LANGS = {"floods-fr": ("fr",), "energy-en": ("en",)}


def feed_language(i: int) -> str:
    return "fr" if i % 3 == 0 else "en"


def declares_language(i: int) -> bool:
    """One feed in four declares no language: normalize detects it (lingua)."""
    return i % 4 != 0


def is_churned(i: int) -> bool:
    return i % CHURN_EVERY == 0


def window(i: int, entries: int, generation: int) -> range:
    """Which entries feed ``i`` shows at ``generation`` (oldest first)."""
    start = generation * CHURN_STEP if is_churned(i) else 0
    return range(start, start + entries)


def entry_date(i: int, j: int) -> datetime:
    return BASE + timedelta(hours=j, minutes=i % 60, seconds=i // 60)


@dataclass(frozen=True, slots=True)
class GenEntry:
    guid: str
    title: str
    link: str
    html: str
    author: str
    categories: tuple[str, ...]
    date: datetime


def _words(rng: random.Random, filler: list[str], n: int) -> str:
    picks = [rng.choice(TOPICAL) if rng.random() < 0.006 else rng.choice(filler) for _ in range(n)]
    return " ".join(picks)


def make_entry(i: int, j: int) -> GenEntry:
    rng = random.Random(i * 1_000_003 + j)
    filler = FILLER_FR if feed_language(i) == "fr" else FILLER_EN
    title = _words(rng, filler, 8).capitalize()
    paragraphs = [_words(rng, filler, 33) for _ in range(3)]
    body = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    body += f'<p>More: <a href="/tags/{rng.choice(TOPICAL)}">related &amp; more</a></p>'
    tracking = "?utm_source=rss&id=" + str(j) if j % 7 == 0 else ""
    return GenEntry(
        guid=f"https://news{i}.example/{i}/entries/{j}",
        title=title,
        link=f"https://news{i}.example/{i}/{j}.html{tracking}",
        html=body,
        author=f"Reporter {rng.randrange(20)}",
        categories=(rng.choice(TOPICAL), rng.choice(("World", "Africa", "Science"))),
        date=entry_date(i, j),
    )


def _rss_item(e: GenEntry) -> str:
    cats = "".join(f"<category>{c}</category>" for c in e.categories)
    return (
        f"<item><title>{html.escape(e.title)}</title><link>{html.escape(e.link)}</link>"
        f'<guid isPermaLink="false">{e.guid}</guid><author>{e.author}</author>'
        f"<pubDate>{format_datetime(e.date, usegmt=True)}</pubDate>{cats}"
        f"<description>{html.escape(e.html)}</description></item>\n"
    )


def _atom_entry(e: GenEntry) -> str:
    cats = "".join(f'<category term="{c}"/>' for c in e.categories)
    return (
        f"<entry><id>{e.guid}</id><title>{html.escape(e.title)}</title>"
        f'<link rel="alternate" href="{html.escape(e.link)}"/>'
        f"<author><name>{e.author}</name></author>"
        f"<published>{e.date.isoformat()}</published><updated>{e.date.isoformat()}</updated>"
        f'{cats}<content type="html">{html.escape(e.html)}</content></entry>\n'
    )


def feed_body(i: int, entries: int, generation: int = 0) -> bytes:
    """The body of feed ``i`` at ``generation``: newest entry first."""
    items = [make_entry(i, j) for j in reversed(window(i, entries, generation))]
    lang = feed_language(i)
    newest = items[0].date if items else BASE
    if i % 2 == 0:
        lang_el = f"<language>{lang}</language>" if declares_language(i) else ""
        head = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>Bench feed {i}</title><link>https://news{i}.example/</link>"
            f"<description>Generated feed {i}</description>{lang_el}\n"
        )
        return (head + "".join(map(_rss_item, items)) + "</channel></rss>\n").encode()
    lang_attr = f' xml:lang="{lang}"' if declares_language(i) else ""
    head = (
        f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"'
        f"{lang_attr}><title>Bench feed {i}</title><id>urn:bench:feed:{i}</id>"
        f'<link href="https://news{i}.example/"/><updated>{newest.isoformat()}</updated>\n'
    )
    return (head + "".join(map(_atom_entry, items)) + "</feed>\n").encode()


def validators(i: int, generation: int) -> tuple[str, str]:
    """(ETag, Last-Modified) of feed ``i`` at ``generation``."""
    g = generation if is_churned(i) else 0
    modified = BASE + timedelta(days=g, seconds=i)
    return f'"f{i}-g{g}"', format_datetime(modified, usegmt=True)


# --- articles ------------------------------------------------------------------------------


def article_text(k: int) -> str:
    """One article in the reference format (``# Title`` then HTML sections)."""
    rng = random.Random(7_000_001 + k)
    filler = FILLER_FR if k % 2 else FILLER_EN
    sections = []
    for _ in range(3):
        paras = "".join(
            f"<p>{html.escape(_words(rng, filler, 45), quote=False)}</p>\n" for _ in "ab"
        )
        sections.append(f"<section>\n<h2>{_words(rng, filler, 6)}</h2>\n{paras}</section>\n")
    return f"# {_words(rng, filler, 9).capitalize()}\n" + "".join(sections)


def write_articles(folder: Path, count: int) -> None:
    """``count`` article files under ``folder`` (100 per subfolder), fixed mtimes."""
    for k in range(count):
        sub = folder / f"batch{k // 100:03d}"
        sub.mkdir(parents=True, exist_ok=True)
        path = sub / f"article-{k:05d}.txt"
        path.write_text(article_text(k), encoding="utf-8")
        stamp = (BASE + timedelta(minutes=k)).timestamp()
        os.utime(path, (stamp, stamp))


# --- config --------------------------------------------------------------------------------


def _toml_str(value: str) -> str:
    return "'" + value + "'"


def config_text(base_url: str, feeds: int, *, articles: Path | None = None) -> str:
    """A feeds.toml for ``feeds`` loopback feeds (or one article folder) and the 20 topics."""
    lines = [
        "[settings]",
        'base_url = "http://bench.example/"',
        'public_dir = "public"',
        'data_dir = "data"',
        "feed_size = 50",
        'languages = ["en", "fr"]',
        'id_authority = "bench.example"',
        "",
    ]
    if articles is not None:
        lines += [
            "[[sources]]",
            'name = "desk"',
            'kind = "articles"',
            f"path = {_toml_str(str(articles))}",
            "",
        ]
    for i in range(feeds):
        lines += [
            "[[sources]]",
            f'name = "f{i:04d}"',
            'kind = "feed"',
            f'url = "{base_url}/f/{i}"',
            "",
        ]
    for slug, query in TOPIC_WORDS:
        lines += [
            "[[topics]]",
            f'slug = "{slug}"',
            f'title = "{slug}"',
            f"query = {_toml_str(query)}",
        ]
        if slug in _TOPIC_LANGS:
            lines.append(f"languages = {list(_TOPIC_LANGS[slug])!r}".replace("'", '"'))
        if slug == "sport":
            lines.append("exclude = 'court'")
        lines.append("")
    return "\n".join(lines)


# --- full text -----------------------------------------------------------------------------
# Feeds whose items carry one sentence and link to article pages on the same server, of a
# news site's size (~100 KB: inline styles and scripts, navigation, the body of ~750 words,
# related stories with teasers, comments, a sitemap footer); ``/robots.txt`` disallows
# ``/private/`` only, so every article is fetched.

ROBOTS = b"User-agent: *\nDisallow: /private/\n"
#: Page templates: sites share one for all their pages, as real ones do.
TEMPLATES = 20


def truncated_feed_body(i: int, entries: int, base_url: str) -> bytes:
    """Feed ``i`` of the full-text case: RSS, each item one sentence and a link to
    ``/a/<i>/<j>``."""
    rng = random.Random(5_000_011 + i)
    filler = FILLER_FR if feed_language(i) == "fr" else FILLER_EN
    items = []
    for j in reversed(range(entries)):
        link = f"{base_url}/a/{i}/{j}"
        title = html.escape(_words(rng, filler, 8).capitalize())
        teaser = html.escape(_words(rng, filler, 18).capitalize() + "…")
        date = format_datetime(entry_date(i, j), usegmt=True)
        items.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{date}</pubDate><description>{teaser}</description></item>\n"
        )
    lang = feed_language(i)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>Full-text feed {i}</title><link>{base_url}/</link>"
        f"<description>Teasers {i}</description><language>{lang}</language>\n"
        + "".join(items)
        + "</channel></rss>\n"
    ).encode()


def _template(t: int) -> tuple[str, str]:
    """The parts of template ``t`` around an article: (before the body, after the body)."""
    rng = random.Random(9_100_003 + t)
    css = "".join(
        f".c{t}-{n}{{margin:{n % 17}px {n % 5}px;padding:{n % 9}px;"
        f"color:#{rng.randrange(4096):03x};font-size:{12 + n % 8}px}}\n"
        for n in range(700)
    )
    js = "".join(
        f"window.t{n}=function(e){{return e&&e.dataset?e.dataset.k{n % 13}:"
        f"{rng.randrange(999)}}};\n"
        for n in range(450)
    )
    nav = "".join(
        f'<li><a href="/section/{n}">{_words(rng, FILLER_EN, 2)}</a></li>' for n in range(60)
    )
    footer = "".join(
        f'<li><a href="/site/{n}">{_words(rng, FILLER_EN, 3)}</a></li>' for n in range(90)
    )
    before = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Site {t}</title>'
        f"<style>{css}</style><script>{js}</script></head><body>"
        f'<div id="cookie"><p>{_words(rng, FILLER_EN, 30)}</p><button>OK</button></div>'
        f'<header><a class="logo" href="/">Site {t}</a><nav><ul>{nav}</ul></nav></header>'
        f'<main class="page"><div class="ad-slot" data-ad="top"></div>'
    )
    after = (
        f'</main><footer><ul class="sitemap">{footer}</ul><p>© 2026 Site {t}</p></footer>'
        f"<script>{js[: len(js) // 3]}</script></body></html>"
    )
    return before, after


_TEMPLATE_CACHE: dict[int, tuple[str, str]] = {}


def article_page(i: int, j: int) -> bytes:
    """Article ``j`` of feed ``i``: its body among its site's template (~100 KB)."""
    t = i % TEMPLATES
    if t not in _TEMPLATE_CACHE:
        _TEMPLATE_CACHE[t] = _template(t)
    before, after = _TEMPLATE_CACHE[t]
    rng = random.Random(i * 7_919 + j)
    filler = FILLER_FR if feed_language(i) == "fr" else FILLER_EN
    paragraphs = "".join(
        f"<p>{html.escape(_words(rng, filler, 60), quote=False)}</p>" for _ in range(12)
    )
    related = "".join(
        f'<div class="card"><a href="/a/{i}/{(j + n) % 50}"><h3>{_words(rng, filler, 7)}</h3>'
        f"</a><p>{_words(rng, filler, 20)}</p></div>"
        for n in range(1, 9)
    )
    comments = "".join(
        f'<li class="comment"><b>reader{n}</b><p>{_words(rng, filler, 25)}</p></li>'
        for n in range(12)
    )
    body = (
        f'<article><h1>{_words(rng, filler, 9).capitalize()}</h1><p class="byline">'
        f"Reporter {rng.randrange(20)}</p>{paragraphs}</article>"
        f'<aside class="related"><h2>Related</h2>{related}</aside>'
        f'<section id="comments"><h2>Comments</h2><ol>{comments}</ol></section>'
    )
    return (before + body + after).encode()


def full_text_config(base_url: str, feeds: int, full_text: bool = True) -> str:
    """``config_text`` for the full-text case: the truncated feeds, ``full_text = true`` (or
    false: the same feeds without their pages, the baseline)."""
    text = config_text(base_url, feeds).replace(f'url = "{base_url}/f/', f'url = "{base_url}/t/')
    setting = f"full_text = {str(full_text).lower()}\n"
    return text.replace("feed_size = 50\n", "feed_size = 50\n" + setting, 1)
