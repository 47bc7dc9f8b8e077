"""The specifics of a story: the numbers and names that tell near-identical texts apart.

Templated reports ("Attack in Ménaka kills 12", "Attack in Gao kills 7"), daily bulletins
and price reports share most of their words, so their shingles call them one story (#15
item 5). What tells them apart is what changed in place: a number for another number or
for words, a place or a person for another. :func:`agree` answers whether two texts that
are already near-identical tell the same story by that measure. A copy that adds or drops
a dateline, an attribution or a sentence, or says "TV" for "television", still agrees.

A *name* is a word the text capitalizes other than first in a sentence, and never writes in
lower case ("Gao", "Bazoum", "AFP"; not "The" or "Soldiers" of a title when the text says
"the", "soldiers"), or a French
day or month ("lundi", "mars"). Numbers are compared without their separators ("3,000",
"3 000" and "3000" are one number).

Pure; no I/O. Only the few pairs grouping finds near-identical get here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher

#: A number (digits with "." "," or, before three digits, a space between them), or a word.
_TOKEN = re.compile(r"\d+(?:(?:[.,]|\s(?=\d{3}(?!\d)))\d+)*|\w+")
_NOT_DIGIT = re.compile(r"\D")
#: What ends a sentence (or a title's first part: "Niger : ...").
_STOP = re.compile(r"[.!?:;]")
#: Words that open sentences and headlines: capitalized there, never names.
_COMMON = frozenset(
    "the this that these those after before when while with from about over under into "
    "une les des ces cet cette dans pour avec sans selon apres avant lors quand sur sous "
    "par mais elle ils elles nous vous".split()
)

#: Days and months tell bulletins and reports apart too; French writes them in lower case.
_CALENDAR = frozenset(
    "lundi mardi mercredi jeudi vendredi samedi dimanche janvier fevrier mars avril mai juin "
    "juillet aout septembre octobre novembre decembre".split()
)


@dataclass(frozen=True, slots=True)
class Specifics:
    """A text as the words it is compared by, and which of them are numbers and names."""

    #: The words of its title and of its text: case folded, accents removed, numbers
    #: without separators.
    title: tuple[str, ...]
    text: tuple[str, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    #: Every word of the title and text.
    vocabulary: frozenset[str]


def specifics(title: str, text: str) -> Specifics:
    """The words, numbers and names of an entry's ``title`` and plain ``text``."""
    numbers: set[str] = set()
    capitalized: set[str] = set()
    lower: set[str] = set()
    words: list[list[str]] = [[], []]
    for part, found in zip((title, text), words, strict=True):
        plain = unicodedata.normalize("NFKD", part)
        if not plain.isascii():  # accents off, one distinct mark at a time (as story_words)
            for mark in {c for c in plain if unicodedata.combining(c)}:
                plain = plain.replace(mark, "")
        end = 0
        for match in _TOKEN.finditer(plain):
            token = match.group()
            # A title's or a sentence's first word is capitalized whatever it is.
            initial = end == 0 or _STOP.search(plain, end, match.start()) is not None
            end = match.end()
            if token[0].isdigit():
                word = _NOT_DIGIT.sub("", token).lstrip("0") or "0"
                numbers.add(word)
            else:
                word = token.casefold()
                if not token[0].isupper():
                    lower.add(word)
                elif not initial:
                    capitalized.add(word)
            found.append(word)
    vocabulary = frozenset(words[0] + words[1])
    names = {w for w in capitalized - lower if len(w) > 1 and w not in _COMMON}
    names.update(vocabulary & _CALENDAR)
    return Specifics(tuple(words[0]), tuple(words[1]), frozenset(numbers), frozenset(names),
                     vocabulary)  # fmt: skip


def agree(a: Specifics, b: Specifics) -> bool:
    """Whether two near-identical texts tell the same story: no number of one was changed
    for another in the other, and no passage puts a number, or another name, in place of
    what the other says there (a passage of one that is not in the other is no conflict).

    A title written anew names in its own way what the text says: a name in its place is
    a conflict only when the other's title or text gives neither name."""
    if (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return False  # a number that only one has, on each side: a number changed
    for was, now, strict in ((a.title, b.title, False), (a.text, b.text, True)):
        if was == now:
            continue
        matcher = SequenceMatcher(None, was, now, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op == "replace" and _conflict(a, was[i1:i2], b, now[j1:j2], strict=strict):
                return False
    return True


def _conflict(
    a: Specifics, was: tuple[str, ...], b: Specifics, now: tuple[str, ...], *, strict: bool
) -> bool:
    """Whether a passage of ``a`` (``was``) and what ``b`` says in its place (``now``) tell
    different specifics: a number of either side that the other never gives, or, on each
    side, a name the other passage does not give (``strict``: names that change places,
    "Stade Malien beat Djoliba", "Djoliba beat Stade Malien"), else that the other never
    gives."""
    if any(w in a.numbers and w not in b.vocabulary for w in was):
        return True
    if any(w in b.numbers and w not in a.vocabulary for w in now):
        return True
    theirs, ours = (set(now), set(was)) if strict else (b.vocabulary, a.vocabulary)
    gone = any(w in a.names and w not in theirs for w in was)
    return gone and any(w in b.names and w not in ours for w in now)
