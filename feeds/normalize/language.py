"""Languages for normalize: BCP 47 tags in canonical case, and lingua's detection among the
configured languages when an item declares none.

Pure: no I/O (no network, files or store); the lingua detectors it caches are pure functions
of the configured languages.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetector, LanguageDetectorBuilder

from feeds.models import RawItem, Source
from feeds.normalize.text import strip_illegal

__all__ = ["canonical_language", "detect_language", "item_language", "warm_language_models"]

#: Characters of text lingua looks at: its time grows with the length, and past a sentence
#: or two more text does not change the answer (measured on man pages in six languages, twice
#: this many characters were right no more often; the misses are English passages in French
#: pages).
_DETECT_CHARS = 200
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def canonical_language(tag: str | None) -> str | None:
    """A BCP 47 tag in canonical case ("en_us" → "en-US"), or None if it is not one."""
    value = strip_illegal(tag or "").strip().replace("_", "-")
    if not _LANGUAGE.match(value):
        return None
    primary, *rest = value.split("-")
    parts = [primary.lower()]
    for sub in rest:
        if len(sub) == 2 and sub.isalpha():
            parts.append(sub.upper())  # region
        elif len(sub) == 4 and sub.isalpha():
            parts.append(sub.title())  # script
        else:
            parts.append(sub.lower())
    return "-".join(parts)


def item_language(
    item: RawItem, source: Source, languages: tuple[str, ...], title: str, text: str
) -> str:
    """The declared language, else the one of ``languages`` that title and ``text`` (plain)
    are written in."""
    declared = canonical_language(item.language) or canonical_language(source.language)
    if declared:
        return declared
    choices = _choices(languages)
    if not choices:
        return "und"
    if len(choices) == 1:
        return choices[0]
    text = f"{title} {text}"[:_DETECT_CHARS]
    return detect_language(text, choices) or choices[0]


def _choices(languages: tuple[str, ...]) -> tuple[str, ...]:
    """The configured languages detection chooses from (canonical tags, invalid ones out)."""
    return tuple(c for c in (canonical_language(x) for x in languages) if c)


#: Over 120 characters lingua reads trigrams only, the models every longer text needs.
_WARM_TEXT = (
    "Le gouvernement a annoncé mardi un nouveau plan pour la région. The government "
    "announced a new plan for the region on Tuesday, officials said in a statement."
)


def warm_language_models(languages: tuple[str, ...]) -> None:
    """Build the detector ``normalize`` uses for ``languages`` and load its trigram models
    (lingua loads them on first use), so that processes forked afterwards share them."""
    choices = _choices(languages)
    if len(choices) > 1:
        detect_language(_WARM_TEXT, choices)


def detect_language(text: str, languages: tuple[str, ...]) -> str | None:
    """The one of ``languages`` that ``text`` is written in, or None if lingua can't tell."""
    detector = _detector(languages)
    if detector is None or not text.strip():
        return None
    found = detector.detect_language_of(text)
    if found is None:
        return None
    code = found.iso_code_639_1.name.lower()
    return next((c for c in languages if c.split("-")[0].lower() == code), None)


@lru_cache(maxsize=16)
def _detector(languages: tuple[str, ...]) -> LanguageDetector | None:
    """One lingua detector per set of configured languages (building one loads models)."""
    codes = []
    for tag in languages:
        try:
            codes.append(IsoCode639_1.from_str(tag.split("-")[0].lower()))
        except ValueError:
            continue  # a language lingua does not know cannot be detected
    if not codes:
        return None
    return LanguageDetectorBuilder.from_iso_codes_639_1(*dict.fromkeys(codes)).build()
