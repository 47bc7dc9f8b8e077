"""Every `feeds ...` example of README.md runs, in order, against a scratch copy of config/.

The examples are the lines of the ```sh blocks that start with ``feeds `` (and the ``mkdir``
lines that prepare them). Skipped by rule, because a test cannot run them: ``feeds run``
(serves until stopped) and commands naming a URL on the internet (tests stay offline).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from helpers import ROOT, scratch_site

from feeds.cli.main import cli, main

README = ROOT / "README.md"
_BLOCK = re.compile(r"^```sh\n(.*?)^```", re.DOTALL | re.MULTILINE)


def examples(text: str) -> list[list[str]]:
    """The argument lists of the README's shell examples, comments removed."""
    found = []
    for block in _BLOCK.findall(text):
        for line in block.splitlines():
            if line.startswith(("feeds ", "mkdir ")):
                found.append(shlex.split(line, comments=True))
    return found


def skipped(args: list[str]) -> str | None:
    """Why a test cannot run this example, or None."""
    if args[0] == "feeds" and "run" in args[1:]:
        return "serves until stopped"
    for arg in args:
        parts = urlsplit(arg)
        if parts.scheme in ("http", "https") and parts.hostname not in ("127.0.0.1", "localhost"):
            return "needs the internet"
    return None


def test_the_readme_shows_every_command():
    text = README.read_text()
    # A feature's own page (docs/, linked from the README) may be where a command is shown.
    documented = text + "".join(p.read_text() for p in (README.parent / "docs").glob("*.md"))
    assert all(f"feeds {name}" in documented for name in cli.commands)
    used = {args[1] for args in examples(text) if args[0] == "feeds"}
    assert {"init", "add", "update", "status", "search", "explain", "run"} <= used


def test_every_readme_example_runs(tmp_path, monkeypatch, capsys):
    config = scratch_site(tmp_path)
    site = config.parent.parent
    monkeypatch.chdir(site)  # the examples use the default config/feeds.toml
    monkeypatch.delenv("FEEDS_CONFIG", raising=False)
    failures, ran = [], 0
    for args in examples(README.read_text()):
        if skipped(args):
            continue
        if args[0] == "mkdir":
            for folder in (a for a in args[1:] if not a.startswith("-")):
                Path(folder).mkdir(parents=True, exist_ok=True)
            continue
        with pytest.raises(SystemExit) as exit_info:
            main(args[1:])
        code = exit_info.value.code or 0
        out, err = capsys.readouterr()
        ran += 1
        if code not in (0, 1) or "Traceback" in err:
            failures.append(f"{shlex.join(args)} -> exit {code}\n{out}{err}")
    assert ran >= 20
    assert not failures, "\n\n".join(failures)
