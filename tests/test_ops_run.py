"""`weekly run`: build, check, publish, send, each step recorded; twice is harmless; a kill resumes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mail_fixtures import PEOPLE, Store
from ops_fixtures import copy_sample

from generator.cli import main
from generator.delivery import subscribers
from generator.ops import steps
from generator.ops.run import last_complete_week
from generator.report import Report

ROOT = Path(__file__).resolve().parent.parent
WEEK = "2026-W21"


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(folder))
    monkeypatch.setenv("WEEKLY_SECRET", "ops-secret-0123456789")
    for name in ("WEEKLY_SMTP_HOST", "WEEKLY_SMTP_PORT", "WEEKLY_SMTP_USER", "WEEKLY_SMTP_PASSWORD",
                 "WEEKLY_SMTP_TLS", "WEEKLY_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.fixture
def report(tmp_path: Path) -> Report:
    return copy_sample(tmp_path)


@pytest.fixture
def ready(report: Report, server: Store) -> Report:
    """What `weekly doctor` asks of a run (issue 17): a working SMTP server and a subscriber."""
    conn = subscribers.connect(report.slug)
    subscribers.add(conn, PEOPLE[0])
    conn.close()
    return report


def _ledger(report: Report) -> dict[str, str]:
    conn = subscribers.connect(report.slug)
    try:
        return {step: row.status for step, row in steps.get(conn, WEEK).items()}
    finally:
        conn.close()


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_last_complete_week_in_the_report_time_zone() -> None:
    import datetime as dt

    sunday_night_utc = dt.datetime(2026, 5, 24, 22, 30, tzinfo=dt.UTC)  # 23:30 in London, Monday in Tokyo
    assert last_complete_week(sunday_night_utc, "Europe/London").isoformat() == "2026-05-11"
    assert last_complete_week(sunday_night_utc, "Asia/Tokyo").isoformat() == "2026-05-18"


def test_run_twice_the_second_does_nothing(ready: Report, report: Report, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["run", "--report", str(report.folder), "--out", str(out), "--week", WEEK]
    assert main(argv) == 0
    first = capsys.readouterr()
    assert f"llm-usage {WEEK}: build done, check done, publish done, send done" in first.out
    for step in steps.STEPS:
        assert f"week={WEEK} step={step} outcome=done" in first.err
    assert _ledger(report) == dict.fromkeys(steps.STEPS, "done")
    site = out / "llm-usage"
    assert (site / WEEK / "article.pdf").is_file() and (site / "feed.xml").is_file()
    before = _tree(site)

    assert main(argv) == 0
    second = capsys.readouterr()
    assert "build skipped, check skipped, publish skipped, send skipped" in second.out
    assert "outcome=done" not in second.err
    assert _tree(site) == before  # not a byte rewritten, not a file replaced


def test_week_without_data_exits_4_and_writes_nothing(ready: Report, report: Report, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["run", "--report", str(report.folder), "--out", str(out), "--week", "2026-W22"]) == 4
    err = capsys.readouterr().err
    lines = [ln for ln in err.splitlines() if ln.startswith("weekly:")]
    assert lines == ["weekly: error: no usage data for 2026-W22 yet "
                     "(the newest week in the data is 2026-W21); nothing built or published"]
    assert "step=build outcome=waiting" in err
    assert not out.exists()


def test_a_failed_step_is_recorded_and_retried(ready: Report, report: Report, server: Store,
                                               tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["run", "--report", str(report.folder), "--out", str(out), "--week", WEEK]
    server.defer = {PEOPLE[0]: 99}  # the server keeps answering 451: the send cannot complete
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "step=send outcome=failed" in err and "not served yet" in err
    assert _ledger(report) == {"build": "done", "check": "done", "publish": "done", "send": "failed"}
    server.defer = {}
    assert main(argv) == 0  # the rerun retries the failed step alone
    assert "build skipped, check skipped, publish skipped, send done" in capsys.readouterr().out
    assert _ledger(report) == dict.fromkeys(steps.STEPS, "done")


def _child(report: Report, out: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-m", "generator", "run", "--report", str(report.folder), "--out", str(out),
            "--week", WEEK]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(condition: object, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def _kill(child: subprocess.Popen[str]) -> None:
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_killed_while_building_then_rerun_completes(ready: Report, report: Report, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    child = _child(report, out)
    try:
        # The build writes into a hidden staging folder; kill it there, half-way.
        _wait_for(lambda: any((out / "llm-usage").glob(f".{WEEK}.*.tmp/charts")))
        _kill(child)
    finally:
        if child.poll() is None:
            child.kill()
    assert not (out / "llm-usage" / WEEK).exists()  # nothing half-made at the edition's place
    assert "build" not in _ledger(report)
    assert main(["run", "--report", str(report.folder), "--out", str(out), "--week", WEEK]) == 0
    assert "build done, check done, publish done, send done" in capsys.readouterr().out
    assert not list((out / "llm-usage").glob(".*"))  # the stale staging folder was cleared
    assert main(["check", str(out / "llm-usage" / WEEK)]) == 0


def test_killed_while_sending_then_rerun_resumes(server: Store, report: Report, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    conn = subscribers.connect(report.slug)
    for person in PEOPLE:
        subscribers.add(conn, person)
    conn.close()
    server.slow_on = 2  # the second message stalls on the server: the kill lands mid-send
    child = _child(report, out)
    try:
        assert server.started.wait(120), "the send never started"
        _kill(child)
    finally:
        if child.poll() is None:
            child.kill()
    server.release.set()
    assert _ledger(report) == {"build": "done", "check": "done", "publish": "done"}
    built = _tree(out / "llm-usage" / WEEK)
    server.slow_on = None
    assert main(["run", "--report", str(report.folder), "--out", str(out), "--week", WEEK]) == 0
    assert "build skipped, check skipped, publish skipped, send done" in capsys.readouterr().out
    assert _tree(out / "llm-usage" / WEEK) == built
    got = server.received()
    assert sorted(got) == sorted(PEOPLE)  # nobody skipped
    assert sum(len(m) - 1 for m in got.values()) <= 1  # at most the message in flight twice
    assert _ledger(report) == dict.fromkeys(steps.STEPS, "done")
    with sqlite3.connect(subscribers.state_path(report.slug)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
