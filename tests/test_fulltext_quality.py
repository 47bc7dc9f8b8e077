"""How well full text finds an article's body: the labelled pages of tests/data/fulltext/
(made by make.py there: twenty bodies, French and English, in ten layouts among
navigation, related links, comments and footers), extracted as ingest does
(feeds.sources.article.page_content), scored over word tokens against the labels.

``python tests/test_fulltext_quality.py`` prints precision, recall and F1 per page and over
all of them (tokens counted with their repeats: a word the extractor keeps twice counts
twice).
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from functools import cache
from pathlib import Path

from feeds.normalize.text import html_to_text
from feeds.sources.article import page_content

DATA = Path(__file__).parent / "data" / "fulltext"
#: The target of issue 19.
TARGET_F1 = 0.9
_WORD = re.compile(r"\w+")


def tokens(text: str) -> Counter[str]:
    return Counter(w.lower() for w in _WORD.findall(text))


def pages() -> list[Path]:
    return sorted(DATA.glob("*.html"))


@cache
def score(page: Path) -> tuple[int, int, int]:
    """(tokens in common, tokens extracted, tokens labelled) for one page."""
    got = tokens(
        html_to_text(page_content(page.read_bytes(), f"https://courier.test/{page.stem}", None))
    )
    want = tokens(page.with_suffix(".txt").read_text(encoding="utf-8"))
    return sum((got & want).values()), sum(got.values()), sum(want.values())


def totals() -> tuple[float, float, float]:
    common = extracted = labelled = 0
    for page in pages():
        c, e, w = score(page)
        common, extracted, labelled = common + c, extracted + e, labelled + w
    precision, recall = common / extracted, common / labelled
    return precision, recall, 2 * precision * recall / (precision + recall)


def test_the_labelled_set_is_varied() -> None:
    found = pages()
    assert len(found) >= 24
    languages = {re.search(r'lang="(\w+)"', p.read_text(encoding="utf-8"))[1] for p in found}
    assert languages == {"en", "fr"}


def test_body_text_f1_reaches_the_target() -> None:
    precision, recall, f1 = totals()
    assert f1 >= TARGET_F1, (precision, recall, f1)


def test_no_page_loses_most_of_its_body() -> None:
    recalls = {p.stem: score(p)[0] / score(p)[2] for p in pages()}
    assert min(recalls.values()) >= 0.6, recalls


def main() -> None:
    print(f"{'page':32} {'precision':>9} {'recall':>7} {'F1':>6}")
    for page in pages():
        c, e, w = score(page)
        p, r = c / e if e else 0.0, c / w
        print(f"{page.stem:32} {p:9.3f} {r:7.3f} {2 * p * r / (p + r) if p + r else 0:6.3f}")
    precision, recall, f1 = totals()
    print(f"{'all (micro)':32} {precision:9.3f} {recall:7.3f} {f1:6.3f}")
    bodies = [p.read_bytes() for p in pages()]
    started = time.process_time()
    for _ in range(5):
        for page, body in zip(pages(), bodies, strict=True):
            page_content(body, f"https://courier.test/{page.stem}", None)
    per_page = (time.process_time() - started) / (5 * len(bodies))
    print(f"extraction: {per_page * 1000:.1f} ms CPU per page ({len(bodies)} pages x 5)")


if __name__ == "__main__":
    main()
    sys.exit(0)
