"""How many cores this process may keep busy: whether an edition can lay its PDF out beside the
drawing, and how many workers a backfill starts by default."""

from __future__ import annotations

import os
from pathlib import Path

CGROUP = Path("/sys/fs/cgroup")
MEMINFO = Path("/proc/meminfo")
# A backfill worker's peak resident memory is about 400 MiB (bench/results/full.json).
WORKER_MIB = 512


def usable_cores(cgroup: Path = CGROUP) -> int:
    """The cores this process may run on: its CPU affinity, within its container's CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    quota = _cpu_quota(cgroup)
    return max(1, min(cores, quota)) if quota is not None else cores


def default_jobs(cgroup: Path = CGROUP, meminfo: Path = MEMINFO) -> int:
    """A backfill's workers when `--jobs` is not given: one per usable core, as many as the
    available memory holds."""
    available = _available_mib(meminfo)
    by_memory = max(1, available // WORKER_MIB) if available is not None else None
    cores = usable_cores(cgroup)
    return min(cores, by_memory) if by_memory is not None else cores


def _cpu_quota(cgroup: Path) -> int | None:
    # cgroup v2 `cpu.max`: "max 100000" (no quota) or "150000 100000" (1.5 cores: 1 kept busy,
    # as a second would be throttled half the time).
    try:
        fields = (cgroup / "cpu.max").read_text(encoding="ascii").split()
    except OSError:
        return None
    if len(fields) != 2 or not fields[0].isdigit() or not fields[1].isdigit() or int(fields[1]) == 0:
        return None
    return max(1, int(fields[0]) // int(fields[1]))


def _available_mib(meminfo: Path) -> int | None:
    try:
        lines = meminfo.read_text(encoding="ascii").splitlines()
    except OSError:
        return None
    for line in lines:
        name, _, rest = line.partition(":")
        kib = rest.split()[:1]
        if name == "MemAvailable" and kib and kib[0].isdigit():
            return int(kib[0]) // 1024
    return None
