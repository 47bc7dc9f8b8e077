"""CPU and memory of a contender's whole process tree, sampled from /proc.

A contender may start helpers (feeds' parse workers, a forkserver) that its own rusage does
not count, since they are not its reaped children. So a thread samples, every 20 ms or
more, every process descended from the contender: CPU is the sum of each process's
utime+stime (the last value seen, so a worker that exits between samples loses at most one
interval), memory the sum of their proportional set sizes (PSS: pages a forkserver shares
with its workers count once; RSS where smaps_rollup is missing) at one instant, and the peak
is the largest such sum.

Sampling is not free: the kernel walks a process's page tables for its PSS, ~1 ms per
100 MB, so a tree of four such processes sampled every 20 ms took a fifth of a core, taken
from a contender that uses both cores and hardly from one that uses one. The interval is
stretched so that sampling takes at most BUDGET of a core (measured on its own thread).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

_TICK = os.sysconf("SC_CLK_TCK")
#: The share of one core the sampling thread may take.
BUDGET = 0.03
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float, int] | None:
    """(ppid, cpu seconds, rss bytes) of ``pid``, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read()
    except OSError:
        return None
    fields = data[data.rfind(b")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK, int(fields[21]) * _PAGE


def _pss(pid: int, rss: int) -> int:
    """Proportional set size: pages shared with a forkserver or a sibling count once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss


@dataclass
class Sample:
    cpu: float
    peak_rss: int


class TreeMonitor:
    """Samples the tree under ``root`` until ``stop()``; ``mark()``/``since()`` per phase."""

    def __init__(self, root: int, interval: float = 0.02) -> None:
        self.root = root
        self.interval = interval
        self.cpu: dict[int, float] = {}
        self.peak = 0
        #: Bumped by mark(): a sample taken before it does not count in the new phase.
        self._phase = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> dict[int, tuple[float, int]]:
        stats = {}
        for name in os.listdir("/proc"):
            if name.isdigit():
                s = _stat(int(name))
                if s is not None:
                    stats[int(name)] = s
        members, frontier = {self.root}, [self.root]
        children: dict[int, list[int]] = {}
        for pid, (ppid, _, _) in stats.items():
            children.setdefault(ppid, []).append(pid)
        while frontier:
            for child in children.get(frontier.pop(), []):
                if child not in members:
                    members.add(child)
                    frontier.append(child)
        return {p: (stats[p][1], _pss(p, stats[p][2])) for p in members if p in stats}

    def sample(self) -> None:
        with self._lock:
            phase = self._phase
        tree = self._tree()
        with self._lock:
            for pid, (cpu, _) in tree.items():
                self.cpu[pid] = max(cpu, self.cpu.get(pid, 0.0))
            if phase == self._phase:  # else it saw processes of before the phase began
                self.peak = max(self.peak, sum(rss for _, rss in tree.values()))

    def _run(self) -> None:
        while not self._stop.is_set():
            began = time.thread_time()
            self.sample()
            cost = time.thread_time() - began
            self._stop.wait(max(self.interval, cost / BUDGET - cost))

    def mark(self) -> dict[int, float]:
        """Start a phase: CPU so far per process, and the peak starts over."""
        self.sample()
        with self._lock:
            self._phase += 1
            self.peak = 0
            return dict(self.cpu)

    def since(self, start: dict[int, float]) -> Sample:
        self.sample()
        with self._lock:
            cpu = sum(v - start.get(pid, 0.0) for pid, v in self.cpu.items())
            return Sample(cpu, self.peak)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
