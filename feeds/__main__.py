"""``python -m feeds``: the same as the ``feeds`` command."""

from __future__ import annotations

from feeds.cli.main import main

main()
