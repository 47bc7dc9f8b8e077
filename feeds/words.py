"""How messages count things: ``1 entry``, ``2 entries``, ``0 sources``.

Every log line, progress line and command output that says how many goes through ``count``,
so none says "1 entries". Pure: no I/O, no imports beyond the standard library.
"""

from __future__ import annotations


def plural(word: str) -> str:
    """The English plural of one of the nouns our messages count (entry, source, topic...)."""
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    if word.endswith(("s", "x", "ch", "sh")):
        return word + "es"
    return word + "s"


def count(n: int, word: str, words: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: ``count(1, "entry") == "1 entry"``.

    ``words`` is the plural when ``plural`` would get it wrong, or for a phrase whose first
    word takes the number (``count(2, "entry matches", "entries match")``).
    """
    return f"{n} {word if n == 1 else (words or plural(word))}"
