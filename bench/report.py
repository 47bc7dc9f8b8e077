"""The benchmark's table: one row per case, feeds' figures and its ratios to the others."""

from __future__ import annotations

import argparse
from typing import Any

_HEADER = (
    f"{'case':<26}{'wall s':>8}{'CPU s':>8}{'RSS MB':>8}{'rate':>16}"
    f"{'reader s':>10}{'×reader':>9}{'naive s':>9}{'×naive':>8}"
)


def _rate(case: str, phase: dict[str, Any], args: argparse.Namespace) -> str:
    wall = max(phase["wall"], 1e-9)
    if case == "cold":
        return f"{args.feeds * args.entries / wall:,.0f} entries/s"
    if case in ("revalidation", "churn", "fetch cold", "fetch revalidation"):
        return f"{args.feeds / wall:,.0f} feeds/s"
    if case.startswith("articles"):
        return f"{args.articles / wall:,.0f} files/s"
    return ""


def _versus(other: dict[str, Any] | None, wall: float) -> tuple[str, str]:
    if not other:
        return "—", "—"
    return f"{other['wall']:.2f}", f"{other['wall'] / max(wall, 1e-9):.1f}×"


def rows(results: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(case name, feeds' phase, the key of the same phase in reader/naive results)."""
    out = [(p, results["feeds"][p], p) for p in ("cold", "revalidation", "churn")]
    out += [(f"feeds (no pool) {p}", results["feeds-reference"][p], p)
            for p in ("cold", "churn")]  # fmt: skip
    for key in (k for k in results if k.startswith("history-")):
        size = int(key.split("-")[1])
        for phase, value in results[key].items():
            out.append((f"history {size:,}: {phase}", value, ""))
    for phase, value in results["articles"].items():
        out.append((f"articles {phase}", value, ""))
    for phase, value in results.get("fetch", {}).items():
        out.append((f"fetch {phase}", value, ""))
    return out


def print_table(results: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"\n{args.feeds} feeds × {args.entries} entries, 20 topics; {args.articles} articles")
    print(_HEADER)
    for case, phase, key in rows(results):
        reader = results.get("reader", {}).get(key) if key else None
        naive = results.get("naive", {}).get(key) if key else None
        r_wall, r_ratio = _versus(reader, phase["wall"])
        n_wall, n_ratio = _versus(naive, phase["wall"])
        print(
            f"{case:<26}{phase['wall']:>8.2f}{phase['cpu']:>8.2f}{phase['rss_mb']:>8.0f}"
            f"{_rate(case, phase, args):>16}{r_wall:>10}{r_ratio:>9}{n_wall:>9}{n_ratio:>8}"
        )
    for name in ("reader", "naive"):
        for phase, value in results.get(name, {}).items():
            print(f"  {name} {phase}: wall {value['wall']:.2f} s, CPU {value['cpu']:.2f} s, "
                  f"peak RSS {value['rss_mb']:.0f} MB")  # fmt: skip
