"""Process accounting from /proc for the benchmarks: CPU of a process tree, peak RSS, other load."""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
CORES = len(os.sched_getaffinity(0))
SAMPLE_SECONDS = 0.05


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat from field 3 (state) on; None if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def tree_cpu_seconds(pid: int) -> float:
    """utime + stime of ``pid`` plus those of every child it has reaped (cutime + cstime)."""
    fields = _stat_fields(pid)
    if fields is None:
        raise RuntimeError(f"process {pid} is gone")
    return sum(int(v) for v in fields[11:15]) / CLK_TCK


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent not idle since boot (from /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    steal = values[7] if len(values) > 7 else 0
    return (sum(values[:8]) - idle - steal) / CLK_TCK


def descendants(root: int) -> set[int]:
    """Every live process below ``root`` (not ``root`` itself)."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class RssSampler(threading.Thread):
    """Peak summed RSS of a process tree, sampled from /proc every SAMPLE_SECONDS."""

    def __init__(self, root: int, include_root: bool) -> None:
        super().__init__(daemon=True)
        self.root, self.include_root = root, include_root
        self.peak = 0
        self.peak_single = 0
        self.halt = threading.Event()

    def run(self) -> None:
        while True:
            pids = descendants(self.root)
            if self.include_root:
                pids.add(self.root)
            sizes = [rss_bytes(p) for p in pids]
            self.peak = max(self.peak, sum(sizes))
            self.peak_single = max([self.peak_single, *sizes])
            if self.halt.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> int:
        self.halt.set()
        self.join()
        return self.peak


class Contention:
    """How much CPU the rest of the machine used during a measured run."""

    def __init__(self) -> None:
        self.busy0, self.t0 = machine_busy_seconds(), time.monotonic()

    def others(self, own_cpu: float) -> float:
        """Cores' worth of CPU used by other processes (0 on an otherwise idle machine)."""
        wall = time.monotonic() - self.t0
        return max(0.0, (machine_busy_seconds() - self.busy0 - own_cpu) / wall) if wall > 0 else 0.0


def wait_for_quiet(max_wait: float, threshold: float = 0.3, window: float = 2.0) -> tuple[float, float]:
    """Wait until the rest of the machine uses at most ``threshold`` cores (or ``max_wait`` passes).

    Returns (load seen in the last window, seconds waited). Other people's
    test suites on a shared 2-core machine would otherwise decide the result.
    """
    started = time.monotonic()
    while True:
        busy = machine_busy_seconds()
        time.sleep(window)
        load = (machine_busy_seconds() - busy) / window
        waited = time.monotonic() - started
        if load <= threshold or waited >= max_wait:
            return load, waited


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def renice(pid: int, nice: int) -> None:
    """What run_ffmpeg does to its child: make it ``nice`` nicer than us."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, min(19, os.getpriority(os.PRIO_PROCESS, pid) + nice))
    except OSError:
        pass
