"""The benchmark's smoke run: tiny sizes, every case, and its correctness checks must pass.

Timings are never asserted (they belong to ``make bench``); what is checked is that the
store and public/ come out byte-identical with and without feeds' optimizations.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_bench_runs_and_its_checks_pass(tmp_path):
    args = [sys.executable, "-m", "bench", "--quick", "--workdir", str(tmp_path)]
    if importlib.util.find_spec("reader") is None:
        args.append("--no-reader")
    result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["problems"] == []
    cold = results["feeds"]["cold"]
    assert cold["new"] == 30 * 10 and not cold["failed"]
    assert results["feeds"]["revalidation"]["new"] == 0
    assert results["feeds"]["churn"]["new"] == 3 * 5  # feeds 0, 10 and 20 gain 5 entries
    assert results["fetch"]["revalidation"]["not_modified"] == 30
    assert "cold" in result.stdout and "history" in result.stdout
    full = results["full-text"]["cold"]  # 30 feeds of 3 teasers, every article page fetched
    assert (full["new"], full["pages"], full["failed"]) == (90, 90, [])
    assert "full text cold" in result.stdout


def test_a_sample_taken_before_a_phase_began_does_not_count_in_it(monkeypatch):
    """The monitor's thread may be reading /proc while a phase begins: what it read (an
    earlier child, say the digest's) must not become the new phase's peak."""
    import os
    import threading

    monkeypatch.syspath_prepend(str(ROOT))  # the bench is not part of the package
    from bench.measure import TreeMonitor

    reading, marked = threading.Event(), threading.Event()

    class Slow(TreeMonitor):
        calls = 0

        def _tree(self):
            Slow.calls += 1
            if Slow.calls == 1:  # the thread's first sample: 1 GB, seen before the phase
                reading.set()
                marked.wait(10)
                return {1: (0.0, 2**30)}
            return {os.getpid(): (0.0, 2**20)}

    monitor = Slow(os.getpid(), interval=0.01)
    try:
        assert reading.wait(10)
        start = monitor.mark()  # while the thread is still reading
        marked.set()
        deadline = time.monotonic() + 10
        while Slow.calls < 3 and time.monotonic() < deadline:  # the thread stored it and
            time.sleep(0.001)  # began its next sample (call 2 was mark()'s own)
        assert Slow.calls >= 3
        assert monitor.since(start).peak_rss == 2**20
    finally:
        monitor.stop()
