"""Local feed files: a source's ``path`` to a feed file, read as bytes.

The edge of local feeds: this module opens the file and nothing else; what the bytes hold is
``feeds.parse``'s to say, and whether they changed is ``feeds.decide.sources``'s. It must not
parse, touch the store or decide.
"""

from __future__ import annotations

from pathlib import Path

from feeds.errors import ParseError

__all__ = ["read_feed_file"]


def read_feed_file(path: Path) -> bytes:
    """The bytes of the feed file at ``path``; ParseError (naming it) if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as e:
        raise ParseError(f"cannot read {path}: {e.strerror}") from e
