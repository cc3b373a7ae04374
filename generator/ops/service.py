"""`weekly schedule`: a long-running service that runs each week's edition at the report's day and time.

Built on the `schedule` package for the weekly trigger (in the report's time zone, through
pytz). Everything else is plain: a catch-up on start, a retry after a delay when a run fails, a
lock so that only one scheduler serves a report, and a stop flag checked between steps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.delivery import subscribers
from generator.heap import settle_after_first_edition
from generator.locks import held
from generator.ops import steps
from generator.ops.events import EventLog
from generator.ops.run import DataNotReady, last_complete_week, run_week
from generator.render import chosen_renderers
from generator.render.environment import MissingLibrary
from generator.render.lanes import StandingLanes
from generator.report import Report
from generator.weeks import iso_label, parse_week

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Service:
    """What the scheduler serves and how: report, output folder, retry delay, longest sleep,
    and whether the process is its own to freeze after its first edition (generator/heap.py)."""

    report: Report
    out: Path
    retry_delay: dt.timedelta
    max_sleep: float = 300.0  # wake at least this often, so a changed clock or a stop is noticed
    # For a process that serves for good (`weekly schedule`), not for a caller that borrows it.
    settle_heap: bool = False


def schedule_lock_path(slug: str) -> Path:
    """The lock that keeps a second scheduler of the same report from starting."""
    return subscribers.state_dir() / f"{slug}.schedule.lock"


def due_week(report: Report, now: dt.datetime) -> dt.date:
    """The newest week whose edition's scheduled time has come by `now`."""
    from generator.pipeline import published_at

    week = last_complete_week(now, report.schedule.timezone)
    while dt.datetime.fromisoformat(published_at(report, week)) > now:
        week -= dt.timedelta(weeks=1)
    return week


def pending_weeks(report: Report, now: dt.datetime) -> list[dt.date]:
    """Weeks due by `now` whose run is not complete: after the last completed one, up to the due one.

    A fresh install starts with the due week alone; older weeks are `weekly backfill`'s job.
    """
    due = due_week(report, now)
    conn = subscribers.connect(report.slug)
    try:
        completed = [parse_week(label) for label in steps.completed_editions(conn)]
    finally:
        conn.close()
    done_before = [week for week in completed if week <= due]
    if not done_before:
        return [due]
    weeks, week = [], max(done_before) + dt.timedelta(weeks=1)
    while week <= due:
        weeks.append(week)
        week += dt.timedelta(weeks=1)
    return weeks


def attempt(service: Service, log: EventLog, now: dt.datetime, should_stop: Callable[[], bool],
            lanes: StandingLanes | None = None) -> bool:
    """Run every pending week (only the newest is mailed); True when nothing is left to do."""
    pending = pending_weeks(service.report, now)
    if len(pending) > 1:
        log.emit(event="catch-up", weeks=",".join(iso_label(w) for w in pending))
    for week in pending:
        if should_stop():
            return True
        try:
            result = run_week(service.report, week, service.out, log, send=week == pending[-1],
                              should_stop=should_stop, lanes=lanes)
        except DataNotReady:
            return False  # run_week logged it as waiting: the data drop is late
        except Exception:  # run_week logged it with its cause; the loop must live on
            return False
        # After the first edition built here: before it, the libraries are not all loaded.
        frozen = settle_after_first_edition() if service.settle_heap and result.built else 0
        if frozen:
            log.emit(event="heap", frozen=frozen)
        if result.stopped:
            return True
        if result.awaiting:
            return False  # retried after retry_minutes: an approval in between lets it go out
    return True


def serve(service: Service, log: EventLog, clock: Clock, sleep: Callable[[float], object],
          should_stop: Callable[[], bool]) -> None:
    """Hold the report's scheduler lock and run editions on schedule until asked to stop."""
    import schedule

    report = service.report
    with held(schedule_lock_path(report.slug), f"weekly schedule for {report.slug}"), \
            contextlib.ExitStack() as stack:
        retry_at: list[dt.datetime | None] = [None]
        lanes: StandingLanes | None = None

        def job() -> None:
            if lanes is not None:
                # Between builds, outside the run lock: a worker forked inside a build would
                # keep that lock for good (generator/render/lanes.py).
                lanes.refill()
            ok = attempt(service, log, clock(), should_stop, lanes)
            retry_at[0] = None if ok else clock() + service.retry_delay
            if not ok:
                log.emit(event="retry", at=retry_at[0].isoformat(timespec="seconds") if retry_at[0] else None)

        trigger = schedule.Scheduler()
        every = getattr(trigger.every(), report.schedule.day.lower())
        every.at(report.schedule.time, report.schedule.timezone).do(job)
        # Every edition this process builds lays its PDF out in another process: load the
        # PDF's libraries here once and fork that process once (generator/render/lanes.py),
        # instead of for each build. A missing library is logged and the service starts all
        # the same: each week's build then fails with that same message, and is retried.
        try:
            lanes = stack.enter_context(StandingLanes.start(chosen_renderers(())))
            loaded, missing = lanes.names, ""
        except (MissingLibrary, OSError) as exc:  # OSError: no fork (out of memory, say)
            loaded, missing = (), str(exc)
        log.emit(event="start", day=report.schedule.day, time=report.schedule.time,
                 timezone=report.schedule.timezone, preloaded=",".join(loaded),
                 **({"preload_failed": missing} if missing else {}))
        job()  # catch up at once with whatever was missed while the service was down
        while not should_stop():
            trigger.run_pending()
            if should_stop():
                break
            if retry_at[0] is not None and clock() >= retry_at[0]:
                job()
                continue
            wait = trigger.idle_seconds or service.max_sleep
            if retry_at[0] is not None:
                wait = min(wait, (retry_at[0] - clock()).total_seconds())
            sleep(max(0.0, min(wait, service.max_sleep)))
        log.emit(event="stop")
