"""`weekly backfill`: every week of the sample in worker processes, a site listing them, resumable."""

from __future__ import annotations

import gc
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import pytest
from ops_fixtures import copy_sample

from generator.cli import main
from generator.kinds.llm_usage.load import load_snapshot
from generator.ops import backfill as backfill_module
from generator.ops.backfill import Outcome
from generator.report import Report
from generator.weeks import iso_label

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return copy_sample(tmp_path)


def _editions(out: Path) -> list[str]:
    return sorted(p.name for p in (out / "llm-usage").iterdir()
                  if not p.name.startswith(".") and (p / "facts.json").is_file())


def test_every_sample_week_is_built_and_published(report: Report, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    weeks = [iso_label(w) for w in load_snapshot(report).weeks]
    assert len(weeks) >= 30  # the whole sample history, not a convenient slice of it
    out = tmp_path / "out"
    args = ["backfill", "--report", str(report.folder), "--out", str(out),
            "--from", weeks[0], "--to", weeks[-1]]
    assert main([*args, "--jobs", "2"]) == 0, capsys.readouterr().err
    captured = capsys.readouterr()
    err = captured.err
    assert f"built {len(weeks)}, skipped 0, failed 0" in captured.out
    assert _editions(out) == weeks
    assert len(re.findall(r"^backfill \d+/\d+ \S+ built \d+\.\d+s$", err, re.MULTILINE)) == len(weeks)
    assert not [p for p in (out / "llm-usage").iterdir() if p.name.startswith(".")]
    # The first week has no earlier week to draw a history from: its story stands without that chart.
    first = (out / "llm-usage" / weeks[0] / "index.html").read_text(encoding="utf-8")
    assert "charts/regions" not in first and "charts/total" not in first
    assert "charts/regions" in (out / "llm-usage" / weeks[-1] / "index.html").read_text(encoding="utf-8")

    assert main(["publish", "--report", str(report.folder), "--out", str(out)]) == 0
    archive = (out / "llm-usage" / "index.html").read_text(encoding="utf-8")
    feed = (out / "llm-usage" / "feed.xml").read_text(encoding="utf-8")
    for week in weeks:
        assert f'href="{week}/"' in archive
    assert feed.count("<entry>") == len(weeks)

    capsys.readouterr()
    assert main([*args, "--jobs", "2"]) == 0  # a second run finds everything built
    assert f"built 0, skipped {len(weeks)}, failed 0" in capsys.readouterr().out


def test_an_interrupted_backfill_resumes_where_it_stopped(report: Report, tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    weeks = [iso_label(w) for w in load_snapshot(report).weeks][-4:]
    out = tmp_path / "out"
    args = ["backfill", "--report", str(report.folder), "--out", str(out),
            "--from", weeks[0], "--to", weeks[-1]]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-m", "generator", *args], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not ((out / "llm-usage").is_dir() and len(_editions(out)) >= 2
                   and any((out / "llm-usage").glob(".*.tmp"))):  # two done, the third under way
            if time.monotonic() > deadline or child.poll() is not None:
                pytest.fail(f"backfill never got going: {child.communicate(timeout=30)[1]!r}")
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    done = _editions(out)
    assert 2 <= len(done) < 4 and done == weeks[:len(done)]

    assert main([*args, "--jobs", "2"]) == 0, capsys.readouterr().err
    assert f"built {4 - len(done)}, skipped {len(done)}, failed 0" in capsys.readouterr().out
    assert _editions(out) == weeks
    assert not [p for p in (out / "llm-usage").iterdir() if p.name.startswith(".")]


def test_each_worker_freezes_its_heap_after_its_first_edition(
        report: Report, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The workers are processes of the backfill's own: each is asked to settle its heap
    # (generator/heap.py), whatever the caller asked for its own process.
    asked: list[dict[str, object]] = []

    class InlinePool:
        def __init__(self, **options: object) -> None:
            pass

        def __enter__(self) -> InlinePool:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def submit(self, fn: Callable[..., Outcome], *args: object, **options: object) -> Future[Outcome]:
            asked.append(options)
            done: Future[Outcome] = Future()
            done.set_result(Outcome(iso_label(args[1]), "built", 0.0))  # type: ignore[arg-type]
            return done

    monkeypatch.setattr(backfill_module, "ProcessPoolExecutor", InlinePool)
    weeks = load_snapshot(report).weeks[-3:]
    result = backfill_module.backfill(report, list(weeks), tmp_path / "out", jobs=2,
                                      stream=io.StringIO())
    assert [o.status for o in result.outcomes] == ["built"] * 3
    assert asked == [{"settle": True}] * 3


def test_force_rebuilds_and_bad_ranges_are_refused(report: Report, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    args = ["backfill", "--report", str(report.folder), "--out", str(out)]
    assert gc.get_freeze_count() == 0
    assert main([*args, "--from", "2026-W21", "--to", "2026-W21"]) == 0
    # One edition, built in this process: the command froze what it loaded (generator/heap.py).
    assert gc.get_freeze_count() > 10_000
    facts = out / "llm-usage" / "2026-W21" / "facts.json"
    inode = facts.stat().st_ino
    assert main([*args, "--from", "2026-W21", "--to", "2026-W21"]) == 0
    assert facts.stat().st_ino == inode  # skipped: not rewritten
    assert main([*args, "--from", "2026-W21", "--to", "2026-W21", "--force"]) == 0
    assert facts.stat().st_ino != inode  # rebuilt and swapped into place
    capsys.readouterr()

    assert main([*args, "--from", "2026-W21", "--to", "2026-W20"]) == 2
    assert capsys.readouterr().err.strip() == "weekly: error: --to 2026-W20 is before --from 2026-W21"
    assert main([*args, "--from", "2027-W01", "--to", "2027-W05"]) == 2
    assert "no usage data between 2027-W01 and 2027-W05" in capsys.readouterr().err
    assert main([*args, "--from", "2026-W20", "--to", "2026-W21", "--jobs", "0"]) == 2
    assert "--jobs expected at least 1, got 0" in capsys.readouterr().err
