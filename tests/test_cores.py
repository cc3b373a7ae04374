"""How many cores and workers: the CPU quota of a container and the memory a worker needs."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import cores


def _cgroup(folder: Path, cpu_max: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if cpu_max is not None:
        (folder / "cpu.max").write_text(cpu_max + "\n", encoding="ascii")
    return folder


def _meminfo(path: Path, available_kib: int) -> Path:
    path.write_text(f"MemTotal:       99999999 kB\nMemAvailable:   {available_kib} kB\n",
                    encoding="ascii")
    return path


@pytest.mark.parametrize(("cpu_max", "quota"), [
    ("max 100000", None), ("150000 100000", 1), ("200000 100000", 2), ("50000 100000", 1),
    (None, None), ("garbage", None)])
def test_the_cpu_quota_bounds_the_usable_cores(cpu_max: str | None, quota: int | None,
                                               tmp_path: Path) -> None:
    free = cores.usable_cores(tmp_path / "none")
    found = cores.usable_cores(_cgroup(tmp_path / "cg", cpu_max))
    assert found == (free if quota is None else min(free, quota))


def test_default_jobs_fit_the_available_memory(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "usable_cores", lambda *_: 8)
    cgroup = tmp_path / "none"
    assert cores.default_jobs(cgroup, _meminfo(tmp_path / "a", 1536 * 1024)) == 3
    assert cores.default_jobs(cgroup, _meminfo(tmp_path / "b", 100 * 1024)) == 1
    assert cores.default_jobs(cgroup, _meminfo(tmp_path / "c", 64 * 1024 * 1024)) == 8
    assert cores.default_jobs(cgroup, tmp_path / "missing") == 8
