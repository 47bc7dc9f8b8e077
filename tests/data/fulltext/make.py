"""Writes the labelled article pages of tests/data/fulltext/: ``NN-slug.html`` (a page) and
``NN-slug.txt`` (its body text, one block a line: the label). Run it again after editing
bodies.py or a layout: ``python tests/data/fulltext/make.py``.

Each body (bodies.py) is laid out in one of eight page layouts, as sites are: semantic
news markup, a WordPress theme, class soup without semantic tags, a magazine with "read
also" boxes inside the article, an old table layout, a minimal page, a blog whose comments
outweigh the post, and a page whose body is an ``itemprop=articleBody`` among a sidebar and
a sitemap footer; four bodies again in two harder ones: related stories with teaser
paragraphs inside the article's text, and a live blog (each block an update with its time
and share bar). Around the body: navigation, breadcrumbs, related links with teasers,
share buttons, newsletter boxes, comments, cookie banners and footers, in the page's
language. The label is the body's blocks only (not the title, byline or captions).
"""

from __future__ import annotations

import html
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bodies import BODIES  # noqa: E402

Body = dict[str, object]

WORDS = {
    "en": {
        "nav": ["Home", "World", "Africa", "Business", "Science", "Sport", "Culture", "Opinion"],
        "related": "Related stories",
        "more": "Read also",
        "comments": "Comments",
        "share": ["Share on Facebook", "Share on X", "Send by email", "Print"],
        "newsletter": "Get the morning briefing in your inbox every day at seven.",
        "subscribe": "Subscribe",
        "cookies": "We use cookies to measure our audience and show you relevant ads. "
        "You can accept or refuse them at any time in the settings.",
        "footer": ["About us", "Contact", "Advertise", "Terms of use", "Privacy policy"],
        "rights": "© 2026 The Daily Courier. All rights reserved.",
        "by": "By our correspondent",
        "most": "Most read",
        "tags": "Topics",
    },
    "fr": {
        "nav": ["Accueil", "Monde", "Afrique", "Économie", "Sciences", "Sport", "Culture",
                "Débats"],  # fmt: skip
        "related": "Sur le même sujet",
        "more": "Lire aussi",
        "comments": "Commentaires",
        "share": ["Partager sur Facebook", "Partager sur X", "Envoyer par courriel",
                  "Imprimer"],  # fmt: skip
        "newsletter": "Recevez chaque matin à sept heures l’essentiel de l’actualité.",
        "subscribe": "S’inscrire",
        "cookies": "Nous utilisons des cookies pour mesurer l’audience et vous proposer des "
        "publicités adaptées. Vous pouvez les refuser à tout moment dans les paramètres.",
        "footer": ["Qui sommes-nous", "Contact", "Publicité", "Conditions d’utilisation",
                   "Données personnelles"],  # fmt: skip
        "rights": "© 2026 Le Courrier du jour. Tous droits réservés.",
        "by": "Par notre correspondant",
        "most": "Les plus lus",
        "tags": "Thèmes",
    },
}

COMMENTS = {
    "en": [
        ("Moussa K.", "About time. We have been asking for this for years in our district, "
         "let us hope it lasts longer than the last promise."),
        ("jbarry", "Does anyone know whether this applies outside the capital? The article "
         "does not say."),
        ("Fatou", "Thank you for the clear reporting. I shared it with my whole family."),
        ("oldreader", "The figures do not add up, the ministry said something else last week "
         "on the radio."),
    ],
    "fr": [
        ("Ibrahim", "Enfin une bonne nouvelle, mais on attend de voir sur la durée. Les "
         "promesses, on en a déjà entendu beaucoup."),
        ("Mariam D.", "Et pour les villages de l’intérieur, rien n’est prévu ? L’article "
         "n’en parle pas."),
        ("lecteur75", "Merci pour cet article précis, je l’ai partagé autour de moi."),
        ("Soumaïla", "Les chiffres ne correspondent pas à ceux annoncés la semaine dernière à "
         "la télévision."),
    ],
}


def blocks_html(body: Body) -> list[str]:
    out = []
    for kind, value in body["blocks"]:  # type: ignore[attr-defined]
        if kind == "ul":
            items = "".join(f"<li>{html.escape(v)}</li>" for v in value)
            out.append(f"<ul>{items}</ul>")
        elif kind == "quote":
            out.append(f"<blockquote><p>{html.escape(value)}</p></blockquote>")
        else:
            out.append(f"<{kind}>{html.escape(value)}</{kind}>")
    return out


def label(body: Body) -> str:
    lines: list[str] = []
    for kind, value in body["blocks"]:  # type: ignore[attr-defined]
        lines.extend(value if kind == "ul" else [value])
    return "\n".join(lines) + "\n"


def others(i: int, lang: str, n: int = 4, start: int = 0) -> list[Body]:
    """Other bodies of the same language than body ``i``: related links, most read."""
    same = [b for b in BODIES if b["lang"] == lang and b is not BODIES[i]]
    return [same[(i + start + k) % len(same)] for k in range(n)]


def teaser(body: Body) -> str:
    """The first sentence of a body's first paragraph: what related-link boxes show."""
    first = next(v for k, v in body["blocks"] if k == "p")  # type: ignore[attr-defined]
    return first.split(". ")[0].rstrip(".") + "."


def head(body: Body) -> str:
    title = html.escape(str(body["title"]))
    return (
        f'<!DOCTYPE html>\n<html lang="{body["lang"]}"><head><meta charset="utf-8">'
        f"<title>{title} | Courier</title>"
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta property="og:title" content="{title}">'
        f"<script>window.dataLayer=[];function gtag(){{dataLayer.push(arguments)}}</script>"
        f"<style>body{{font-family:serif}} .ad{{height:250px}}</style></head>"
    )


def nav(lang: str) -> str:
    links = "".join(f'<li><a href="/{w.lower()}/">{w}</a></li>' for w in WORDS[lang]["nav"])
    return f'<nav class="main-menu"><ul>{links}</ul></nav>'


def related(i: int, lang: str, teasers: bool) -> str:
    items = []
    for b in others(i, lang):
        extra = f"<p>{html.escape(teaser(b))}</p>" if teasers else ""
        items.append(f'<li><a href="/{b["slug"]}">{html.escape(str(b["title"]))}</a>{extra}</li>')
    return f"<h3>{WORDS[lang]['related']}</h3><ul class=\"related\">{''.join(items)}</ul>"


def comments(lang: str, n: int = 4, long: bool = False) -> str:
    out = []
    for who, text in COMMENTS[lang][:n]:
        more = f"<p>{html.escape(text)} {html.escape(text)}</p>" if long else ""
        out.append(
            f'<li class="comment"><div class="comment-author">{who}</div>'
            f'<div class="comment-body"><p>{html.escape(text)}</p>{more}</div>'
            f'<a class="reply" href="#reply">Reply</a></li>'
        )
    return (
        f'<section id="comments"><h3>{WORDS[lang]["comments"]} ({n})</h3>'
        f'<ol class="comment-list">{"".join(out)}</ol>'
        f'<form><textarea name="c"></textarea><button>Post</button></form></section>'
    )


def footer(lang: str) -> str:
    w = WORDS[lang]
    links = " | ".join(f'<a href="/{k}">{t}</a>' for k, t in enumerate(w["footer"]))
    return f'<footer class="site-footer"><p>{links}</p><p>{w["rights"]}</p></footer>'


def share(lang: str) -> str:
    items = "".join(f'<li><a href="#s{k}">{t}</a></li>' for k, t in enumerate(WORDS[lang]["share"]))
    return f'<ul class="share">{items}</ul>'


def newsletter(lang: str) -> str:
    w = WORDS[lang]
    return (
        f'<div class="newsletter"><p>{w["newsletter"]}</p>'
        f'<input type="email"><button>{w["subscribe"]}</button></div>'
    )


def cookies(lang: str) -> str:
    return f'<div id="cookie-banner" class="cookies"><p>{WORDS[lang]["cookies"]}</p></div>'


def most_read(i: int, lang: str) -> str:
    items = "".join(
        f'<li><a href="/{b["slug"]}">{html.escape(str(b["title"]))}</a></li>'
        for b in others(i, lang, 3, start=2)
    )
    return f'<div class="widget"><h4>{WORDS[lang]["most"]}</h4><ol>{items}</ol></div>'


def title_block(body: Body) -> str:
    w = WORDS[str(body["lang"])]
    return (
        f"<h1>{html.escape(str(body['title']))}</h1>"
        f'<p class="byline">{w["by"]} · <time datetime="2026-11-20">20/11/2026</time></p>'
    )


# -- layouts ------------------------------------------------------------------------------


def news_semantic(i: int, body: Body) -> str:
    lang = str(body["lang"])
    return (
        f"{head(body)}<body>{cookies(lang)}<header><a class=\"logo\" href=\"/\">Courier</a>"
        f"{nav(lang)}</header><main><nav class=\"breadcrumb\"><a href=\"/\">"
        f"{WORDS[lang]['nav'][0]}</a> › <a href=\"/africa\">{WORDS[lang]['nav'][2]}</a></nav>"
        f"<article>{title_block(body)}{share(lang)}{''.join(blocks_html(body))}</article>"
        f"<aside>{related(i, lang, teasers=True)}</aside>{comments(lang)}</main>"
        f"{footer(lang)}</body></html>"
    )


def wordpress(i: int, body: Body) -> str:
    lang = str(body["lang"])
    w = WORDS[lang]
    prev_next = others(i, lang, 2)
    return (
        f'{head(body)}<body class="single-post"><div id="page" class="site">'
        f'<header id="masthead" class="site-header"><p class="site-title">Courier blog</p>'
        f"{nav(lang)}</header><div id=\"content\" class=\"site-content\"><div id=\"primary\">"
        f'<div class="post"><h1 class="entry-title">{html.escape(str(body["title"]))}</h1>'
        f'<div class="entry-meta">{w["by"]}</div><div class="entry-content">'
        f"{''.join(blocks_html(body))}<div class=\"sharedaddy\">{share(lang)}</div></div>"
        f'<nav class="post-navigation"><a href="/p">« {html.escape(str(prev_next[0]["title"]))}'
        f'</a> <a href="/n">{html.escape(str(prev_next[1]["title"]))} »</a></nav>'
        f"{comments(lang, 3)}</div></div><div id=\"secondary\" class=\"widget-area\">"
        f"{most_read(i, lang)}<div class=\"widget\"><h4>{w['tags']}</h4><p>Sahel · Niger · "
        f"Mali · {w['nav'][3]} · {w['nav'][4]}</p></div>{newsletter(lang)}</div></div>"
        f"{footer(lang)}</div></body></html>"
    )


def div_soup(i: int, body: Body) -> str:
    lang = str(body["lang"])
    w = WORDS[lang]
    parts = blocks_html(body)
    box = (
        f'<div class="c9"><b>{w["more"]}</b> <a href="/{others(i, lang, 1)[0]["slug"]}">'
        f"{html.escape(str(others(i, lang, 1)[0]['title']))}</a></div>"
    )
    middle = len(parts) // 2
    text = "".join(parts[:middle]) + box + "".join(parts[middle:])
    menu = "".join(f'<div class="m1"><a href="/{k}">{t}</a></div>' for k, t in enumerate(w["nav"]))
    return (
        f'{head(body)}<body><div class="wrap"><div class="top">{menu}</div>'
        f'<div class="row"><div class="col-l">{most_read(i, lang)}</div><div class="col-c">'
        f'<div class="ttl">{html.escape(str(body["title"]))}</div><div class="txt">{text}</div>'
        f'<div class="rel">{related(i, lang, teasers=False)}</div></div>'
        f'<div class="col-r"><div class="ad">Ad</div>{newsletter(lang)}</div></div>'
        f'<div class="bottom">{w["rights"]} · {" · ".join(w["footer"])}</div></div></body></html>'
    )


def magazine(i: int, body: Body) -> str:
    lang = str(body["lang"])
    w = WORDS[lang]
    parts = blocks_html(body)
    read_also = others(i, lang, 2)
    inline = [
        f'<aside class="read-also"><span>{w["more"]}</span> <a href="/{b["slug"]}">'
        f"{html.escape(str(b['title']))}</a></aside>"
        for b in read_also
    ]
    text = parts[:2] + inline[:1] + parts[2:4] + inline[1:] + parts[4:]
    cards = "".join(
        f'<div class="card"><a href="/{b["slug"]}"><h3>{html.escape(str(b["title"]))}</h3></a>'
        f"<p>{html.escape(teaser(b))}</p></div>"
        for b in others(i, lang, 3, start=1)
    )
    return (
        f"{head(body)}<body>{cookies(lang)}<header>{nav(lang)}</header><main>"
        f'<article class="story"><figure class="hero"><img src="/img/{body["slug"]}.jpg" alt="">'
        f"<figcaption>Photo: Courier</figcaption></figure>{title_block(body)}"
        f"{''.join(text)}<div class=\"tags\">{w['tags']}: <a href=\"/t/1\">Sahel</a>"
        f' <a href="/t/2">{w["nav"][3]}</a></div></article>{newsletter(lang)}'
        f'<section class="more-stories"><h2>{w["related"]}</h2>{cards}</section></main>'
        f"{footer(lang)}</body></html>"
    )


def table_layout(i: int, body: Body) -> str:
    lang = str(body["lang"])
    w = WORDS[lang]
    menu = "<br>".join(f'<a href="/{k}">{t}</a>' for k, t in enumerate(w["nav"]))
    return (
        f'{head(body)}<body><table width="100%"><tr><td colspan="2" class="banner">'
        f"<font size=\"5\">Courier</font></td></tr><tr><td width=\"180\" valign=\"top\">{menu}"
        f"<hr>{most_read(i, lang)}</td><td valign=\"top\"><font face=\"Arial\">"
        f"<h1>{html.escape(str(body['title']))}</h1>{''.join(blocks_html(body))}</font>"
        f"<hr>{related(i, lang, teasers=False)}</td></tr><tr><td colspan=\"2\">"
        f"<small>{w['rights']}</small></td></tr></table></body></html>"
    )


def minimal(i: int, body: Body) -> str:
    lang = str(body["lang"])
    return (
        f"{head(body)}<body><header><a href=\"/\">Courier</a></header><article>"
        f"{title_block(body)}{''.join(blocks_html(body))}</article>{footer(lang)}</body></html>"
    )


def comments_heavy(i: int, body: Body) -> str:
    lang = str(body["lang"])
    return (
        f"{head(body)}<body><header>{nav(lang)}</header><div class=\"container\">"
        f'<div class="post-content">{title_block(body)}{"".join(blocks_html(body))}</div>'
        f"{share(lang)}{comments(lang, 4, long=True)}{related(i, lang, teasers=True)}</div>"
        f"{footer(lang)}</body></html>"
    )


def article_body(i: int, body: Body) -> str:
    lang = str(body["lang"])
    w = WORDS[lang]
    sitemap = "".join(
        f"<div class=\"col\"><h5>{t}</h5><ul>{''.join(f'<li><a href=/x>{s}</a></li>' for s in w['nav'])}"
        f"</ul></div>"
        for t in w["nav"][:4]
    )
    return (
        f'{head(body)}<body>{cookies(lang)}<div class="header">{nav(lang)}</div>'
        f'<div class="layout"><div class="main" itemscope itemtype="https://schema.org/NewsArticle">'
        f'<h1 itemprop="headline">{html.escape(str(body["title"]))}</h1>'
        f'<div class="meta">{w["by"]}</div><div itemprop="articleBody">'
        f"{''.join(blocks_html(body))}</div>{share(lang)}</div>"
        f'<div class="sidebar">{most_read(i, lang)}{related(i, lang, teasers=True)}</div></div>'
        f'<div class="footer"><div class="sitemap">{sitemap}</div>{footer(lang)}</div>'
        f"</body></html>"
    )


def inline_teasers(i: int, body: Body) -> str:
    """Related stories *inside* the article, as paragraphs with a teaser sentence each."""
    lang = str(body["lang"])
    w = WORDS[lang]
    parts = blocks_html(body)
    boxes = [
        f'<div class="related-inline"><p><strong>{w["more"]}</strong> '
        f'<a href="/{b["slug"]}">{html.escape(str(b["title"]))}</a></p>'
        f"<p>{html.escape(teaser(b))}</p></div>"
        for b in others(i, lang, 2, start=3)
    ]
    text = parts[:1] + boxes[:1] + parts[1:3] + boxes[1:] + parts[3:]
    return (
        f"{head(body)}<body>{cookies(lang)}<header>{nav(lang)}</header><main>"
        f'<div class="article-wrapper">{title_block(body)}{share(lang)}'
        f'<div class="article-text">{"".join(text)}</div>{newsletter(lang)}</div>'
        f"{comments(lang, 2)}</main>{footer(lang)}</body></html>"
    )


def live_updates(i: int, body: Body) -> str:
    """The body as a live blog: each block its own update, with a time and a share bar."""
    lang = str(body["lang"])
    updates = "".join(
        f'<div class="update"><time datetime="2026-11-20T{8 + k:02d}:00">{8 + k}:00</time>'
        f'<div class="update-body">{part}</div>{share(lang)}</div>'
        for k, part in enumerate(blocks_html(body))
    )
    return (
        f"{head(body)}<body><header>{nav(lang)}</header><div class=\"live\">"
        f"{title_block(body)}<div class=\"updates\">{updates}</div></div>"
        f"<aside>{most_read(i, lang)}{related(i, lang, teasers=True)}</aside>"
        f"{footer(lang)}</body></html>"
    )


LAYOUTS: list[Callable[[int, Body], str]] = [
    news_semantic, wordpress, div_soup, magazine, table_layout, minimal, comments_heavy,
    article_body,
]  # fmt: skip


#: Pages past the twenty: bodies laid out again in the two harder layouts.
AGAIN: list[tuple[int, Callable[[int, Body], str]]] = [
    (0, inline_teasers), (1, inline_teasers), (10, live_updates), (13, live_updates),
]  # fmt: skip


def main() -> None:
    pages = [(i, LAYOUTS[i % len(LAYOUTS)]) for i in range(len(BODIES))] + AGAIN
    for n, (i, layout) in enumerate(pages):
        body = BODIES[i]
        stem = f"{n + 1:02d}-{body['slug']}"
        (HERE / f"{stem}.html").write_text(layout(i, body), encoding="utf-8")
        (HERE / f"{stem}.txt").write_text(label(body), encoding="utf-8")
        print(stem, layout.__name__)


if __name__ == "__main__":
    main()
