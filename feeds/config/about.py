"""A topic's ``about`` and ``min_similarity`` keys (#21), checked: ``about`` is a list of 1
to ``MAX_SENTENCES`` non-empty sentences, ``min_similarity`` a number between 0 and 1
(exclusive), and the encoder must be installed (the optional extra): else a ConfigError
naming the file and the key, and what to install.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from typing import Any

from feeds.config import values as check
from feeds.errors import ConfigError
from feeds.topics.about import ENCODER_MODULE, INSTALL

__all__ = ["ABOUT_KEYS", "MAX_SENTENCES", "read_about"]

ABOUT_KEYS = frozenset({"about", "min_similarity"})
MAX_SENTENCES = 50


def read_about(t: Mapping[str, Any], where: str, file: str) -> tuple[tuple[str, ...], float | None]:
    """``about`` and ``min_similarity`` of the topic table ``t`` (``where``: its key path)."""
    if "about" not in t:
        if "min_similarity" in t:
            raise ConfigError("is set, but the topic has no about", file=file,
                              key=f"{where}.min_similarity")  # fmt: skip
        return (), None
    key = f"{where}.about"
    value = t["about"]
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or len(value) > MAX_SENTENCES:
        raise ConfigError(f"must be a list of 1 to {MAX_SENTENCES} sentences", file=file, key=key)
    for i, sentence in enumerate(value):
        problem = (
            "must be a non-empty string"
            if not isinstance(sentence, str) or not sentence.strip()
            else check.text_problem(sentence)
        )
        if problem:
            raise ConfigError(problem, file=file, key=f"{key}[{i}]")
    if importlib.util.find_spec(ENCODER_MODULE) is None:
        raise ConfigError(f"topics by meaning need the optional encoder: {INSTALL}",
                          file=file, key=key)  # fmt: skip
    return tuple(s.strip() for s in value), _threshold(t, where, file)


def _threshold(t: Mapping[str, Any], where: str, file: str) -> float | None:
    if "min_similarity" not in t:
        return None
    value = t["min_similarity"]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value < 1:
        raise ConfigError(f"must be a number between 0 and 1, not {value!r}", file=file,
                          key=f"{where}.min_similarity")  # fmt: skip
    return float(value)
