"""The specifics of a story: the numbers and names that tell near-identical texts apart.

Templated reports ("Attack in Ménaka kills 12", "Attack in Gao kills 7"), daily bulletins
and price reports share most of their words, so their shingles call them one story (#15
item 5). What tells them apart is what changed in place: a number for another number or
for words, a place or a person for another. :func:`agree` answers whether two texts that
are already near-identical tell the same story by that measure. A copy that adds or drops
a dateline, an attribution or a sentence, or says "TV" for "television", still agrees.

A *name* is a capitalized word that the text never writes in lower case ("Gao", "Bazoum",
"AFP"; not "The" or "Soldiers" of a title when the text says "the", "soldiers"). Numbers are
compared without their separators ("3,000", "3 000" and "3000" are one number).

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
#: Words that open sentences and headlines: capitalized there, never names.
_COMMON = frozenset(
    "the this that these those after before when while with from about over under into "
    "une les des ces cet cette dans pour avec sans selon apres avant lors quand sur sous "
    "par mais elle ils elles nous vous".split()
)


@dataclass(frozen=True, slots=True)
class Specifics:
    """A text as the words it is compared by, and which of them are numbers and names."""

    #: Its words, case folded, accents removed; numbers without separators.
    words: tuple[str, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    #: ``set(words)``.
    vocabulary: frozenset[str]


def specifics(text: str) -> Specifics:
    """The words, numbers and names of ``text`` (a title and the entry's plain text)."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words: list[str] = []
    numbers: set[str] = set()
    capitalized: set[str] = set()
    lower: set[str] = set()
    for token in _TOKEN.findall(plain):
        if token[0].isdigit():
            word = _NOT_DIGIT.sub("", token).lstrip("0") or "0"
            numbers.add(word)
        else:
            word = token.casefold()
            (capitalized if token[0].isupper() else lower).add(word)
        words.append(word)
    names = {w for w in capitalized - lower if len(w) > 1 and w not in _COMMON}
    return Specifics(tuple(words), frozenset(numbers), frozenset(names), frozenset(words))


def agree(a: Specifics, b: Specifics) -> bool:
    """Whether two near-identical texts tell the same story: no number of one was changed
    for another in the other, and no passage puts a number, or another name, in place of
    what the other says there (a passage of one that is not in the other is no conflict)."""
    if (a.numbers - b.numbers) and (b.numbers - a.numbers):
        return False  # a number that only one has, on each side: a number changed
    if a.words == b.words:
        return True
    matcher = SequenceMatcher(None, a.words, b.words, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "replace" and _conflict(a, a.words[i1:i2], b, b.words[j1:j2]):
            return False
    return True


def _conflict(a: Specifics, was: tuple[str, ...], b: Specifics, now: tuple[str, ...]) -> bool:
    """Whether a passage of ``a`` (``was``) and what ``b`` says in its place (``now``) tell
    different specifics: a number of either side that the other text never gives, or a
    name on each side that the other text never gives."""
    if any(w in a.numbers and w not in b.vocabulary for w in was):
        return True
    if any(w in b.numbers and w not in a.vocabulary for w in now):
        return True
    gone = any(w in a.names and w not in b.vocabulary for w in was)
    return gone and any(w in b.names and w not in a.vocabulary for w in now)
