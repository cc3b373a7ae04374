"""`weekly run`: one week's build, check, publish and send, each recorded and skipped once done."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from generator.delivery import ledger, subscribers
from generator.errors import CheckFailed, InputError, StepFailed
from generator.layout import FACTS
from generator.locks import held
from generator.ops import review, steps
from generator.ops.events import EventLog
from generator.report import Report
from generator.weeks import iso_label, monday_of

if TYPE_CHECKING:
    from generator.render.lanes import StandingLanes

SUPERSEDED = "not sent: a newer edition went out instead"
AWAITING = "awaiting approval"


class AwaitingApproval(Exception):
    """Review is required and the edition is not approved yet: the run stops before publishing."""


class DataNotReady(InputError):
    """The week's usage data has not arrived: nothing was built or published (exit status 4)."""

    exit_status = 4


@dataclass(frozen=True)
class RunResult:
    """What one `run` did: the edition, and each step's outcome (done, skipped, stopped)."""

    iso_week: str
    folder: Path
    outcomes: tuple[tuple[str, str], ...]

    @property
    def stopped(self) -> bool:
        """True when a stop request ended the run before every step was done."""
        return any(outcome == "stopped" for _, outcome in self.outcomes)

    @property
    def built(self) -> bool:
        """True when this run built the edition (not skipped as built before, nor stopped)."""
        return ("build", "done") in self.outcomes

    @property
    def awaiting(self) -> bool:
        """True when the run built a preview and waits for `weekly approve`."""
        return any(outcome == AWAITING for _, outcome in self.outcomes)


def last_complete_week(now: dt.datetime, timezone: str) -> dt.date:
    """The Monday of the last week that has ended, in the report's time zone."""
    local = now.astimezone(ZoneInfo(timezone)).date()
    return monday_of(local) - dt.timedelta(weeks=1)


def run_lock_path(slug: str) -> Path:
    """The lock that keeps two runs of one report (cron and a hand, say) apart."""
    return subscribers.state_dir() / f"{slug}.run.lock"


def _edition_folder(report: Report, out: Path, week: dt.date) -> Path:
    from generator.pipeline import edition_folder

    return edition_folder(out, report, week)


def _require_data(report: Report, week: dt.date, usage: Path | None) -> None:
    from generator.kinds.registry import kind

    weeks = kind(report.kind).load(report, usage, None).weeks
    if week not in weeks:
        latest = iso_label(weeks[-1]) if weeks else "none"
        raise DataNotReady(f"no usage data for {iso_label(week)} yet (the newest week in the data is "
                           f"{latest}); nothing built or published")


def _build(report: Report, week: dt.date, out: Path, usage: Path | None,
           lanes: StandingLanes | None) -> str:
    from generator.pipeline import BuildRequest, build_edition

    _require_data(report, week, usage)
    edition = build_edition(BuildRequest(report=report, week=iso_label(week), usage=usage, out=out,
                                         lanes=lanes))
    return f"{edition.check.traced} numbers traced"


def _check(folder: Path) -> str:
    from generator.check import check_edition

    result = check_edition(folder)
    if not result.ok:
        raise CheckFailed(result)
    return f"{result.traced} numbers traced"


def _publish(report: Report, out: Path, week: dt.date, conn: sqlite3.Connection) -> str:
    from generator.publish import publish_site

    approved = ""
    if report.review.required:
        found = review.approval(conn, iso_label(week))
        if found is None:
            raise AwaitingApproval(f"preview at {review.preview_url(report, week)}; `weekly approve "
                                   f"{iso_label(week)}` lets the next run publish and send it")
        review.promote(report, out, week)
        approved = f"; approved by {found.approved_by} at {found.approved_at}"
    site = publish_site(report, out)
    return f"{len(site.entries)} editions in the archive{approved}"


def _send(report: Report, folder: Path, label: str) -> str:
    from generator.delivery.send import send_edition

    conn = subscribers.connect(report.slug)
    try:
        active = subscribers.active(conn)
    finally:
        conn.close()
    if not active:
        return "no subscribers"
    result = send_edition(report, folder)
    if result.stopped:
        raise StepFailed(result.stopped)
    conn = subscribers.connect(report.slug)
    try:
        waiting = [s.email for s in subscribers.active(conn)
                   if not ledger.is_done(ledger.get(conn, label, s.email))]
    finally:
        conn.close()
    if waiting:
        raise StepFailed(f"{len(waiting)} recipient(s) not served yet (temporary failures)")
    return f"sent {result.sent}, already served {result.skipped}, refused {result.failed}"


def run_week(report: Report, week: dt.date, out: Path, log: EventLog, *, send: bool = True,
             usage: Path | None = None, should_stop: Callable[[], bool] = lambda: False,
             lanes: StandingLanes | None = None) -> RunResult:
    """Run the steps of one week's edition not yet done; raise on the first that fails.

    `lanes`: the standing processes of a service that builds week after week (see
    `generator.render.lanes.StandingLanes`); without them the build forks its own."""
    label = iso_label(week)
    folder = _edition_folder(report, out, week)
    preview = review.preview_folder(report, out, week)

    def current() -> Path:
        # Under review, the edition is the preview until an approved run moves it into place.
        if report.review.required and not (folder / FACTS).is_file():
            return preview
        return folder

    build_out = review.preview_root(report, out) if report.review.required else out
    outcomes: list[tuple[str, str]] = []
    with held(run_lock_path(report.slug), f"weekly run for {report.slug}"):
        conn = subscribers.connect(report.slug)
        actions: dict[str, Callable[[], str]] = {
            "build": lambda: _build(report, week, build_out, usage, lanes),
            "check": lambda: _check(current()),
            "publish": lambda: _publish(report, out, week, conn),
            "send": (lambda: _send(report, folder, label)) if send else (lambda: SUPERSEDED),
        }
        try:
            for step in steps.STEPS:
                built = step != "build" or (current() / FACTS).is_file()
                if built and steps.is_done(conn, label, step):
                    log.emit(week=label, step=step, outcome="skipped", detail="done before")
                    outcomes.append((step, "skipped"))
                    continue
                if should_stop():
                    log.emit(week=label, step=step, outcome="stopped", detail="stop requested")
                    outcomes.append((step, "stopped"))
                    break
                started = time.monotonic()
                try:
                    detail = actions[step]()
                except DataNotReady as exc:
                    log.emit(week=label, step=step, outcome="waiting", detail=exc.message)
                    raise
                except AwaitingApproval as exc:
                    log.emit(week=label, step=step, outcome="waiting", detail=f"{AWAITING}: {exc}")
                    outcomes.append((step, AWAITING))
                    break
                except Exception as exc:
                    cause = f"{type(exc).__name__}: {exc}"
                    steps.record(conn, label, step, "failed", cause)
                    log.emit(week=label, step=step, outcome="failed",
                             seconds=time.monotonic() - started, detail=cause)
                    raise
                steps.record(conn, label, step, "done", detail)
                log.emit(week=label, step=step, outcome="done", seconds=time.monotonic() - started,
                         detail=detail)
                outcomes.append((step, "done"))
        finally:
            conn.close()
    return RunResult(label, folder, tuple(outcomes))
