"""The benchmark's smoke run: tiny sizes, every case, and its correctness checks must pass.

Timings are never asserted (they belong to ``make bench``); what is checked is that the
store and public/ come out byte-identical with and without feeds' optimizations.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
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
