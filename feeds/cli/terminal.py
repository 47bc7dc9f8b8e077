"""Terminal output of the ``feeds`` command: highlighted matches, tables, progress.

Text in, text out: ``highlight`` marks the words a query matched (bold and underlined on a
terminal, ``[brackets]`` otherwise), ``table`` lays out rows in columns that fit the
terminal, ``Progress`` shows a bar on a terminal and plain log lines elsewhere. This module
must not read the config or the store, nor decide what matches (``feeds.topics.query`` does).
"""

from __future__ import annotations

import logging
import shutil
import sys
from collections.abc import Iterable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import click

from feeds.cli.logs import PROGRESS, held
from feeds.models import IngestReport
from feeds.topics.highlight import match_spans, window
from feeds.topics.parser import Leaf

_ELLIPSIS = "…"


# -- highlighting -----------------------------------------------------------------------------


def mark(text: str, spans: Sequence[tuple[int, int]], *, color: bool) -> str:
    """``text`` with each span bold+underlined (``color``) or in ``[brackets]``."""
    out: list[str] = []
    position = 0
    for start, end in spans:
        out.append(text[position:start])
        word = text[start:end]
        out.append(click.style(word, bold=True, underline=True) if color else f"[{word}]")
        position = end
    out.append(text[position:])
    return "".join(out)


def highlight(text: str, leaves: Iterable[Leaf], *, color: bool, title: bool = True) -> str:
    """``text`` with the words ``leaves`` match marked (see ``mark``)."""
    return mark(text, match_spans(text, leaves, title=title), color=color)


def snippet(text: str, leaves: Iterable[Leaf], *, color: bool, width: int = 100) -> str:
    """About ``width`` characters of ``text`` around its first match, marked; "" if none."""
    spans = match_spans(text, leaves, title=False)
    if not spans:
        return ""
    start, end = window(text, spans, width)
    piece = text[start:end]
    shifted = [(a - start, b - start) for a, b in spans if a >= start and b <= end]
    prefix = _ELLIPSIS if start else ""
    suffix = _ELLIPSIS if end < len(text) else ""
    return prefix + mark(piece, shifted, color=color) + suffix


# -- tables -----------------------------------------------------------------------------------


def when(value: datetime | None, never: str = "never") -> str:
    """A UTC time as ``2026-11-25 10:00Z``."""
    return value.strftime("%Y-%m-%d %H:%MZ") if value else never


def clip(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: max(0, width - 1)] + _ELLIPSIS


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, width: int | None = None
) -> str:
    """Rows in aligned columns under upper-case headers; the last column is cut to fit."""
    if width is None:  # piped: no terminal to fit, keep the text whole (within reason)
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 200
    cols = len(headers)
    sizes = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]
    fixed = sum(sizes[:-1]) + 2 * (cols - 1)
    sizes[-1] = max(len(headers[-1]), min(sizes[-1], width - fixed))
    lines = []
    for row in [[h.upper() for h in headers], *rows]:
        cells = [clip(c, sizes[i]).ljust(sizes[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# -- progress ---------------------------------------------------------------------------------


def _shown(name: str | None) -> str | None:
    return name


class Progress:
    """Per-source progress of an ingest: a bar on a terminal, else one log line per source.

    ``with Progress(total, bar=...) as progress: ... progress(report)`` after each source.
    """

    def __init__(self, total: int, *, bar: bool, label: str = "ingesting") -> None:
        self.total = total
        self.done = 0
        self._log = logging.getLogger(PROGRESS)
        self._bar: Any = None
        self._held = held()
        if bar and total > 1:
            # click types length-only bars as items of int; ours show the source's name.
            make: Any = click.progressbar
            self._bar = make(
                length=total,
                label=label,
                file=sys.stderr,
                show_pos=True,
                item_show_func=_shown,
            )

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._held.__enter__()
            self._bar.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.__exit__(kind, exc, tb)
            self._held.__exit__(kind, exc, tb)

    def to(self, done: int, total: int) -> None:
        """Move the bar to ``done`` of ``total`` (a pass whose total is known as it goes)."""
        if self._bar is not None:
            self._bar.length = max(total, done)
            self._bar.update(done - self.done)
        self.done = done

    def __call__(self, report: IngestReport) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(1, report.source)
            return
        if logging.getLogger("feeds").isEnabledFor(logging.INFO):
            return  # -v: the pipeline's own line for this source says it all
        # A failure's reason is already in the pipeline's error line just above.
        outcome = f"{report.new} new, {report.changed} changed" if report.ok else "failed"
        self._log.info(
            "source %s: %s (%d/%d)", report.source, outcome, self.done, self.total,
            extra={"source": report.source},
        )  # fmt: skip
