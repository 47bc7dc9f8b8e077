"""``python -m feeds``: the same as the ``feeds`` command."""

from __future__ import annotations

from .cli import main

main()
