"""The benchmark's table: one row per case, feeds' figures and its ratios to the others."""

from __future__ import annotations

import argparse
from typing import Any

_HEADER = (
    f"{'case':<34}{'wall s':>8}{'CPU s':>8}{'RSS MB':>8}{'rate':>16}"
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
    if case == "full text cold":
        return f"{phase.get('pages', 0) / wall:,.0f} pages/s"
    return ""


def _versus(other: dict[str, Any] | None, wall: float) -> tuple[str, str]:
    if not other:
        return "—", "—"
    return f"{other['wall']:.2f}", f"{other['wall'] / max(wall, 1e-9):.1f}×"


def rows(results: dict[str, Any]) -> list[tuple[str, dict[str, Any], str]]:
    """(case name, feeds' phase, the key of the same phase in reader/naive results)."""
    out = [(p, results["feeds"][p], p) for p in ("cold", "revalidation", "churn")
           if "feeds" in results]  # fmt: skip
    out += [(f"feeds, optimizations off: {p}", results["feeds-reference"][p], p)
            for p in ("cold", "churn") if "feeds-reference" in results]  # fmt: skip
    for key in (k for k in results if k.startswith("history-")):
        size = int(key.split("-")[1])
        for phase, value in results[key].items():
            out.append((f"history {size:,}: {phase}", value, ""))
    for phase, value in results.get("articles", {}).items():
        out.append((f"articles {phase}", value, ""))
    if "full-text" in results:
        out.append(("full text cold", results["full-text"]["cold"], ""))
        out.append(("full text off: same feeds cold", results["full-text"]["cold without"], ""))
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
            f"{case:<34}{phase['wall']:>8.2f}{phase['cpu']:>8.2f}{phase['rss_mb']:>8.0f}"
            f"{_rate(case, phase, args):>16}{r_wall:>10}{r_ratio:>9}{n_wall:>9}{n_ratio:>8}"
        )
    for name in ("reader", "naive"):
        for phase, value in results.get(name, {}).items():
            print(f"  {name} {phase}: wall {value['wall']:.2f} s, CPU {value['cpu']:.2f} s, "
                  f"peak RSS {value['rss_mb']:.0f} MB")  # fmt: skip
    if "full-text" in results:
        cold, alone = results["full-text"]["cold"], results["full-text"]["extraction"]
        print(f"  full text: {args.feeds} feeds × {args.full_text_entries} teasers, "
              f"{cold.get('pages', 0):,} article pages fetched, {cold['new']:,} entries; "
              f"{1000 * cold['cpu'] / max(cold.get('pages', 0), 1):.1f} ms CPU per article "
              f"in all (fetch, robots.txt, extraction, store, publish)")  # fmt: skip
        extra = cold["cpu"] - results["full-text"]["cold without"]["cpu"]
        print(f"  full text's own cost: {extra:.1f} s CPU more than the same feeds without, "
              f"{1000 * extra / max(cold.get('pages', 0), 1):.1f} ms per article")  # fmt: skip
        print(f"  extraction alone: {alone['ms_per_page']:.1f} ms CPU per page "
              f"({alone['pages']} pages of {alone['page_kb']:.0f} KB, "
              f"{alone['kept_kb']:.1f} KB kept)")  # fmt: skip
    if "semantic" in results:
        from bench.semantic import lines

        print("\n".join(lines(results["semantic"])))
    for key, value in results.items():
        if key.startswith("history-"):
            walls = ", ".join(f"{w:.3f}" for w in value["republish"]["rounds"])
            print(f"  {key.replace('-', ' ')} republish, each round (the median counts): {walls} s")


def _check(name: str, value: float, limit: float, unit: str, *, at_least: bool) -> str:
    met = value >= limit if at_least else value <= limit
    sign = "≥" if at_least else "≤"
    verdict = "met " if met else "MISS"
    return f"  {verdict}  {name}: {value:.2f}{unit} (target {sign} {limit:g}{unit})"


def targets(results: dict[str, Any]) -> list[str]:
    """Issue 7's (and issue 3's fetch) targets, each with the measured value: met or not."""
    if "feeds" not in results:
        return []
    feeds, reader = results["feeds"], results.get("reader", {})
    lines = []
    if reader:
        for phase, limit in (("cold", 4.0), ("revalidation", 2.0)):
            ratio = reader[phase]["wall"] / max(feeds[phase]["wall"], 1e-9)
            lines.append(_check(f"{phase} × reader (wall)", ratio, limit, "×", at_least=True))
    cold_cpu = max(feeds["cold"]["cpu"], 1e-9)
    share = 100 * feeds["revalidation"]["cpu"] / cold_cpu
    lines.append(_check("revalidation CPU / cold CPU", share, 5, "%", at_least=False))
    churn = 100 * feeds["churn"]["wall"] / max(feeds["cold"]["wall"], 1e-9)
    lines.append(_check("churn wall / cold wall", churn, 20, "%", at_least=False))
    sizes = sorted(int(k.split("-")[1]) for k in results if k.startswith("history-"))
    if len(sizes) >= 2:
        small = results[f"history-{sizes[0]}"]["republish"]["wall"]
        large = results[f"history-{sizes[-1]}"]["republish"]["wall"]
        name = f"republish {sizes[-1]:,} / {sizes[0]:,}"
        lines.append(_check(name, large / max(small, 1e-9), 1.5, "×", at_least=False))
    peak = max(feeds[p]["rss_mb"] for p in ("cold", "revalidation", "churn"))
    lines.append(_check("peak RSS, cold to churn", peak, 150, " MB", at_least=False))
    fetch = results.get("fetch")
    if fetch:
        ratio = fetch["cold"]["cpu"] / max(fetch["revalidation"]["cpu"], 1e-9)
        lines.append(_check("fetcher alone: cold CPU / all-304 CPU", ratio, 10, "×", at_least=True))
    ingest = feeds["cold"]["cpu"] / max(feeds["revalidation"]["cpu"], 1e-9)
    lines.append(_check("fetch + ingest: cold CPU / all-304 CPU", ingest, 10, "×", at_least=True))
    return lines


def print_targets(results: dict[str, Any]) -> None:
    print("\ntargets (issue 7; the fetch rows: issue 3)")
    for line in targets(results):
        print(line)
