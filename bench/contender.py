"""One contender process, driven one phase at a time over stdin/stdout (JSON lines).

The process prints a JSON line when it is ready; each phase is one command line in, one
JSON line out. ``phase()`` measures the process tree (bench.measure) around it; ``ask()``
runs an unmeasured command (a digest, setup).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from types import TracebackType
from typing import Any

from bench.measure import TreeMonitor

ROOT = Path(__file__).resolve().parent.parent


class Contender:
    def __init__(self, argv: list[str], env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self.monitor = TreeMonitor(self.proc.pid)
        self._read()  # ready

    def _read(self) -> dict[str, Any]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.proc.args!r} exited with {self.proc.wait()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def ask(self, command: str) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self._read()

    def phase(self, command: str) -> dict[str, Any]:
        start = self.monitor.mark()
        result = self.ask(command)
        sample = self.monitor.since(start)
        result["cpu"] = sample.cpu
        result["rss_mb"] = sample.peak_rss / 2**20
        return result

    def __enter__(self) -> Contender:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.proc.stdin is not None:
            self.proc.stdin.close()  # quits at end of input
        self.proc.wait(timeout=60)
        self.monitor.stop()
