"""Shared helpers for the end-to-end tests: a scratch copy of the bundled config, the CLI."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

#: A loopback port nothing listens on: remote sources fail at once, as offline.
DEAD_URL = "http://127.0.0.1:9/"


def scratch_site(tmp_path: Path, store: str | None = None) -> Path:
    """Copy config/ into tmp_path with remote URLs pointed at a dead loopback port, and its
    store at ``store`` (a URL; None: SQLite in the data folder).

    Tests never reach the internet, even on a machine that could.
    """
    site = tmp_path / "site"
    shutil.copytree(ROOT / "config", site / "config")
    toml = site / "config" / "feeds.toml"
    text = re.sub(r'(?m)^url = "https?://[^"]*"', f'url = "{DEAD_URL}feed.xml"', toml.read_text())
    if store is not None:
        text = text.replace("[settings]\n", f'[settings]\nstore = "{store}"\n', 1)
    toml.write_text(text)
    return toml


def feeds(config: Path, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real `feeds` command in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "feeds", "--config", str(config), *args],
        capture_output=True,
        text=True,
        check=check,
        timeout=120,
    )
