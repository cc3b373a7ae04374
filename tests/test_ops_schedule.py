"""`weekly schedule` driven through weeks by an injected clock (freezegun moves time only when it sleeps)."""

from __future__ import annotations

import datetime as dt
import fcntl
import gc
import io
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from freezegun import freeze_time
from mail_fixtures import Store
from ops_fixtures import copy_sample, restore_usage

from generator.cli import main
from generator.delivery import subscribers
from generator.locks import LockHeld, held
from generator.ops import service as service_module
from generator.ops import steps
from generator.ops.events import EventLog
from generator.ops.run import RunResult, run_lock_path
from generator.ops.service import Service, schedule_lock_path, serve
from generator.render import lanes as lanes_module
from generator.render.environment import MissingLibrary
from generator.render.lanes import can_start_early
from generator.report import Report

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("WEEKLY_SECRET", "ops-secret-0123456789")
    # `schedule` keeps its next run as naive local time: pin the machine's zone for the test.
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _run_service(report: Report, out: Path, start: str, until: str,
                 on_sleep: Callable[[dt.datetime], None] = lambda now: None,
                 settle_heap: bool = False) -> list[str]:
    """Serve from `start` to `until` (UTC) on a frozen clock; return the log lines."""
    stream = io.StringIO()
    with freeze_time(_utc(start)) as frozen:
        def clock() -> dt.datetime:
            return dt.datetime.now(dt.UTC)

        def sleep(seconds: float) -> None:
            frozen.tick(dt.timedelta(seconds=seconds))
            on_sleep(clock())

        serve(Service(report, out, dt.timedelta(minutes=report.schedule.retry_minutes),
                      settle_heap=settle_heap),
              EventLog(stream, clock, report.slug), clock, sleep, lambda: clock() >= _utc(until))
    return stream.getvalue().splitlines()


def _completed(report: Report) -> list[str]:
    conn = subscribers.connect(report.slug)
    try:
        return steps.completed_editions(conn)
    finally:
        conn.close()


def _line(lines: list[str], *parts: str) -> str:
    found = [ln for ln in lines if all(p in ln for p in parts)]
    assert len(found) == 1, (parts, lines)
    return found[0]


def test_weeks_on_time_then_a_gap_caught_up_on_restart(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    report = copy_sample(tmp_path)  # Tuesdays 08:00 Europe/London (07:00 UTC in summer)
    out = tmp_path / "out"
    forked: list[lanes_module._Worker] = []
    fork = lanes_module._fork

    def counted(*args: object) -> lanes_module._Worker:
        forked.append(fork(*args))
        return forked[-1]

    monkeypatch.setattr(lanes_module, "_fork", counted)
    # A fresh install on Tuesday 5 May, after the hour: the week due now (W18) is made at once.
    first = _run_service(report, out, "2026-05-05 09:30", "2026-05-13 00:00")
    assert _line(first, "week=2026-W18", "step=build", "outcome=done").startswith("ts=2026-05-05T09:30:00")
    # The next Tuesday at 08:00 London: W19, on the minute.
    assert _line(first, "week=2026-W19", "step=publish", "outcome=done").startswith("ts=2026-05-12T07:00:00")
    assert _completed(report) == ["2026-W18", "2026-W19"]
    assert "event=stop" in first[-1]
    # Each edition lays its PDF out beside this long-lived process: WeasyPrint is loaded here
    # once, and the PDF's process forked once for both editions, and let go at the stop.
    start = _line(first, "event=start")
    assert ("preloaded=pdf" in start) == can_start_early()
    assert len(forked) == (1 if can_start_early() else 0)
    assert all(worker.process.exitcode is not None for worker in forked)
    # A caller that only borrows the process keeps its collector as it was.
    assert gc.get_freeze_count() == 0

    # Down for two weeks; on restart both missed editions are made, only the newest mailed.
    # `weekly schedule` owns its process: after the first edition it builds, what it loaded is frozen.
    second = _run_service(report, out, "2026-05-26 10:00", "2026-05-26 12:00", settle_heap=True)
    assert gc.get_freeze_count() > 10_000
    assert re.search(r"event=heap frozen=\d{5,}$", _line(second, "event=heap"))
    assert "event=catch-up weeks=2026-W20,2026-W21" in _line(second, "event=catch-up")
    superseded = _line(second, "week=2026-W20", "step=send")
    assert 'detail="not sent: a newer edition went out instead"' in superseded
    assert "superseded" not in _line(second, "week=2026-W21", "step=send")
    assert _completed(report) == ["2026-W18", "2026-W19", "2026-W20", "2026-W21"]
    feed = (out / "llm-usage" / "feed.xml").read_text(encoding="utf-8")
    assert all(f"/2026-W{n}/" in feed for n in (18, 19, 20, 21))


def test_a_late_data_drop_is_retried_after_the_delay(tmp_path: Path) -> None:
    report = copy_sample(tmp_path, drop_weeks_from="2026-05-18")  # W21's data has not come
    out = tmp_path / "out"
    conn = subscribers.connect(report.slug)
    for step in steps.STEPS:  # last week's edition went out
        steps.record(conn, "2026-W20", step, "done")
    conn.close()
    arrived: list[dt.datetime] = []

    def data_arrives(now: dt.datetime) -> None:
        if now >= _utc("2026-05-26 07:10") and not arrived:
            restore_usage(report)
            arrived.append(now)

    lines = _run_service(report, out, "2026-05-26 06:50", "2026-05-26 08:00", data_arrives)
    waiting = _line(lines, "week=2026-W21", "outcome=waiting")
    assert waiting.startswith("ts=2026-05-26T07:00:00") and "no usage data for 2026-W21" in waiting
    assert _line(lines, "event=retry").endswith("at=2026-05-26T07:30:00+00:00")
    assert _line(lines, "week=2026-W21", "step=build", "outcome=done").startswith("ts=2026-05-26T07:30:00")
    assert _completed(report) == ["2026-W20", "2026-W21"]


def test_a_job_that_raises_is_logged_and_retried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    report = copy_sample(tmp_path)
    calls: list[dt.datetime] = []

    def flaky(report: Report, week: dt.date, out: Path, log: EventLog, **options: object) -> RunResult:
        calls.append(dt.datetime.now(dt.UTC))
        if len(calls) == 1:
            log.emit(week="2026-W21", step="build", outcome="failed", detail="OSError: disk full")
            raise OSError("disk full")
        conn = subscribers.connect(report.slug)
        for step in steps.STEPS:
            steps.record(conn, "2026-W21", step, "done")
        conn.close()
        return RunResult("2026-W21", out, tuple((s, "done") for s in steps.STEPS))

    monkeypatch.setattr(service_module, "run_week", flaky)
    lines = _run_service(report, tmp_path / "out", "2026-05-26 07:05", "2026-05-26 09:00")
    assert [c.isoformat() for c in calls] == ["2026-05-26T07:05:00+00:00", "2026-05-26T07:35:00+00:00"]
    assert "disk full" in _line(lines, "outcome=failed") and "event=stop" in lines[-1]


def test_a_library_that_cannot_be_preloaded_is_logged_and_the_service_starts(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(names: object) -> tuple[str, ...]:
        raise MissingLibrary("the PDF needs the 'weasyprint' library (OSError: no Pango)")

    ran: list[str] = []

    def week_run(report: Report, week: dt.date, out: Path, log: EventLog, **options: object) -> RunResult:
        ran.append(week.isoformat())
        return RunResult("2026-W21", out, tuple((s, "done") for s in steps.STEPS))

    monkeypatch.setattr(lanes_module, "preload", missing)
    monkeypatch.setattr(service_module, "run_week", week_run)
    lines = _run_service(copy_sample(tmp_path), tmp_path / "out", "2026-05-26 07:05", "2026-05-26 07:10")
    start = _line(lines, "event=start")
    assert 'preloaded=""' in start
    assert "preload_failed=" in start and "no Pango" in start
    # The weeks are still run: each build reports the missing library itself.
    assert ran == ["2026-05-18"]


def test_the_heap_is_frozen_once_after_an_edition_is_built_here_not_before(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Before a build, the libraries an edition loads are not all loaded yet: a start that finds
    # the week built already, or its data late, must not freeze what little is there.
    build = ["skipped"]

    def week_run(report: Report, week: dt.date, out: Path, log: EventLog, **options: object) -> RunResult:
        return RunResult("2026-W21", out, (("build", build[0]),
                                           *((s, "done") for s in steps.STEPS if s != "build")))

    monkeypatch.setattr(service_module, "run_week", week_run)
    report = copy_sample(tmp_path)
    lines = _run_service(report, tmp_path / "out", "2026-05-26 07:05", "2026-05-26 07:10",
                         settle_heap=True)
    assert not [ln for ln in lines if "event=heap" in ln] and gc.get_freeze_count() == 0
    build[0] = "done"
    lines = _run_service(report, tmp_path / "out", "2026-05-26 07:05", "2026-05-26 07:10",
                         settle_heap=True)
    assert re.search(r"event=heap frozen=\d+$", _line(lines, "event=heap"))
    assert gc.get_freeze_count() > 0


def _reader(report: Report) -> None:
    """One active subscriber: `weekly schedule` checks that it has someone to mail (issue 17)."""
    conn = subscribers.connect(report.slug)
    subscribers.add(conn, "reader@example.org")
    conn.close()


def test_a_second_scheduler_finds_the_lock_held(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                server: Store) -> None:
    report = copy_sample(tmp_path)
    _reader(report)
    with held(schedule_lock_path(report.slug), "a scheduler"):
        with pytest.raises(LockHeld, match="weekly schedule for llm-usage is already running"):
            _run_service(report, tmp_path / "out", "2026-05-26 07:05", "2026-05-26 09:00")
        assert main(["schedule", "--report", str(report.folder), "--out", str(tmp_path / "out")]) == 3
    assert f"(pid {os.getpid()})" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_sigterm_finishes_the_step_then_exits_cleanly(tmp_path: Path, server: Store) -> None:
    report = copy_sample(tmp_path)
    _reader(report)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The child's clock starts just after the sample's last scheduled edition and runs on from there.
    start = ("import sys; import pandas, matplotlib.pyplot, weasyprint; from freezegun import freeze_time; "
             "from generator.cli import main; "
             "freeze_time('2026-05-26 07:05:00', tick=True).start(); sys.exit(main(sys.argv[1:]))")
    child = subprocess.Popen([sys.executable, "-c", start, "schedule", "--report", str(report.folder),
                              "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 90
        while not any((out / "llm-usage").glob(".*.tmp/charts")):  # mid-build of the catch-up week
            if time.monotonic() > deadline or child.poll() is not None:
                pytest.fail(f"the scheduler never reached the build: {child.communicate(timeout=30)[1]}")
            time.sleep(0.02)
        child.send_signal(signal.SIGTERM)
        _, err = child.communicate(timeout=90)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 0, err
    assert "SIGTERM: stopping after the current step" in err
    assert "step=build outcome=done" in err and "step=check outcome=stopped" in err and "event=stop" in err
    assert re.search(r"event=heap frozen=\d{5,}", err)  # the command owns its process
    edition = next(p for p in (out / "llm-usage").iterdir() if not p.name.startswith("."))
    assert (edition / "facts.json").is_file()  # the step under way was finished, whole
    # Nothing of the service outlives it: its PDF worker (a fork, so the same command line) too.
    assert _wait_until(lambda: not _running_with(str(report.folder))), "a process of the service lives on"


def _running_with(argument: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and argument in (entry / "cmdline").read_bytes().decode(errors="replace"):
                status = (entry / "status").read_text(encoding="ascii")
                if "\nState:\tZ" not in status:
                    found.append(int(entry.name))
        except OSError:
            continue
    return found


def _wait_until(done: Callable[[], bool], seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif(not can_start_early(), reason="needs fork and two usable cores")
def test_a_pdf_worker_that_dies_is_forked_again_between_weeks_not_inside_a_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Forked inside a week's run, a worker would inherit that run's lock and keep it: every
    # later week would then find the report's run lock held.
    report = copy_sample(tmp_path)
    standing: list[tuple[lanes_module._Worker, bool]] = []
    fork = lanes_module._fork

    def recorded(renderer: object, target: object, *rest: object) -> lanes_module._Worker:
        worker = fork(renderer, target, *rest)  # type: ignore[arg-type]
        if target is lanes_module._serve:
            standing.append((worker, _run_lock_held(report)))
        return worker

    run = service_module.run_week

    def killed_first(*args: object, **options: object) -> RunResult:
        # The worker dies as the week's run begins: its build finds none alive.
        worker, _ = standing[-1]
        os.kill(worker.process.pid or 0, signal.SIGKILL)
        worker.process.join(timeout=30)
        return run(*args, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(lanes_module, "_fork", recorded)
    monkeypatch.setattr(service_module, "run_week", killed_first)
    lines = _run_service(report, tmp_path / "out", "2026-05-05 09:30", "2026-05-20 00:00")
    assert _completed(report) == ["2026-W18", "2026-W19", "2026-W20"]
    assert not [ln for ln in lines if "outcome=failed" in ln]
    # One at the start, and one again before each later week, none while a run held its lock.
    assert [inside for _, inside in standing] == [False, False, False]


def _run_lock_held(report: Report) -> bool:
    with open(run_lock_path(report.slug), "a+") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False
