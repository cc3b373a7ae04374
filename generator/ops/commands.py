"""The `run`, `schedule` and `backfill` sub-commands; `add_commands(sub)` plugs them into the CLI."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from generator.cores import WORKER_MIB, default_jobs
from generator.delivery import subscribers
from generator.errors import InputError
from generator.ops import review
from generator.ops.doctor import require_healthy
from generator.ops.events import EventLog
from generator.report import REPORT_HELP, choose_report
from generator.weeks import WeekError, iso_label, parse_week


def _week(text: str, flag: str) -> dt.date:
    try:
        return parse_week(text)
    except WeekError as exc:
        raise InputError(f"{flag}: {exc}") from None


def _cmd_run(args: argparse.Namespace) -> int:
    from generator.ops.run import last_complete_week, run_week

    report = choose_report(args.report)
    require_healthy(report, "run")
    if args.week == "last":
        week = last_complete_week(dt.datetime.now(dt.UTC), report.schedule.timezone)
    else:
        week = _week(args.week, "--week")
    result = run_week(report, week, args.out, EventLog(report=report.slug), usage=args.usage)
    summary = ", ".join(f"{step} {outcome}" for step, outcome in result.outcomes)
    print(f"{report.slug} {result.iso_week}: {summary}")
    if result.awaiting:
        print(f"preview: {review.preview_url(report, week)} (built in "
              f"{review.preview_folder(report, args.out, week)}); approve it with "
              f"`weekly approve {result.iso_week}`, then run again")
    return 0


def _cmd_approve(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    if not report.review.required:
        raise InputError("approve: review.required is off for this report: its editions go out "
                         "without approval (set `[review] required = true` in report.toml)")
    week = _week(args.week, "WEEK")
    review.edition_for_diff(report, args.out, week)  # there must be something to approve
    by = args.by or review.approver()
    conn = subscribers.connect(report.slug)
    try:
        done = review.approve(conn, iso_label(week), by)
    finally:
        conn.close()
    print(f"approved {done.edition} by {done.approved_by} at {done.approved_at}; the next "
          "`weekly run` (or schedule tick) publishes and sends it")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    report = choose_report(args.report)
    for line in review.diff_lines(report, args.out, _week(args.week, "WEEK")):
        print(line)
    return 0


def _cmd_schedule(args: argparse.Namespace) -> int:
    from generator.ops.service import Service, serve

    report = choose_report(args.report)
    require_healthy(report, "schedule")
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        # Finish the step under way, then leave: the ledger lets the next start resume.
        print(f"weekly schedule: {signal.Signals(signum).name}: stopping after the current step",
              file=sys.stderr, flush=True)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    service = Service(report, args.out, dt.timedelta(minutes=report.schedule.retry_minutes),
                      settle_heap=True)
    serve(service, EventLog(report=report.slug), clock=lambda: dt.datetime.now(dt.UTC),
          sleep=stop.wait, should_stop=stop.is_set)
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from generator.ops.doctor import CHECKS, diagnose

    report = choose_report(args.report)
    found = diagnose(report)
    for line in found.lines():
        print(line, file=sys.stderr)
    if not found.ok:
        return 2
    print(f"ok: {report.slug}: settings, " + ", ".join(name for name, _ in CHECKS if name != "settings"))
    return 0


def _cmd_backfill(args: argparse.Namespace) -> int:
    from generator.ops.backfill import backfill, weeks_to_build

    report = choose_report(args.report)
    jobs = default_jobs() if args.jobs is None else args.jobs
    if jobs < 1:
        raise InputError(f"--jobs expected at least 1, got {jobs}")
    weeks = weeks_to_build(report, _week(args.from_week, "--from"), _week(args.to_week, "--to"), args.usage)
    # The command owns this process: with one job it builds here, edition after edition.
    result = backfill(report, weeks, args.out, jobs=jobs, force=args.force, usage=args.usage,
                      settle_heap=True)
    for outcome in result.outcomes:
        if outcome.status == "failed":
            print(f"weekly: {outcome.week}: {outcome.detail}", file=sys.stderr)
    print(f"backfill {iso_label(weeks[0])}..{iso_label(weeks[-1])}: built {result.count('built')}, "
          f"skipped {result.count('skipped')}, failed {result.count('failed')} "
          f"in {result.seconds:.1f} s with {jobs} job(s)")
    return 1 if result.count("failed") else 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg,unused-ignore]
    """Add `run`, `schedule` and `backfill` to the CLI's sub-parsers."""
    run = sub.add_parser("run", help="build, check, publish and send one week, resuming where it stopped")
    run.add_argument("--report", type=Path, help=REPORT_HELP)
    run.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    run.add_argument("--week", default="last",
                     help="YYYY-MM-DD (a Monday), YYYY-Www, or last: the last complete week (default)")
    run.add_argument("--usage", type=Path, help="usage file or folder (overrides the report's)")
    run.set_defaults(run=_cmd_run)

    service = sub.add_parser("schedule", help="run each week's edition at the report's day and time")
    service.add_argument("--report", type=Path, help=REPORT_HELP)
    service.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    service.set_defaults(run=_cmd_schedule)

    doctor = sub.add_parser("doctor", help="check settings, secret, SMTP (a real login), state folder, "
                                           "site_url and the PDF's fonts; one line per problem")
    doctor.add_argument("--report", type=Path, help=REPORT_HELP)
    doctor.set_defaults(run=_cmd_doctor)

    approve = sub.add_parser("approve", help="approve a previewed edition (`[review] required`): "
                                             "the next run publishes and sends it")
    approve.add_argument("week", metavar="WEEK", help="YYYY-MM-DD (a Monday) or YYYY-Www")
    approve.add_argument("--report", type=Path, help=REPORT_HELP)
    approve.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    approve.add_argument("--by", default="", help="who approves (default: the login name)")
    approve.set_defaults(run=_cmd_approve)

    diff = sub.add_parser("diff", help="what changed against the week before: headline, top 10, "
                                       "the figures that moved most")
    diff.add_argument("week", metavar="WEEK", help="YYYY-MM-DD (a Monday) or YYYY-Www")
    diff.add_argument("--report", type=Path, help=REPORT_HELP)
    diff.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    diff.set_defaults(run=_cmd_diff)

    fill = sub.add_parser("backfill", help="build a range of past editions in parallel (no email)")
    fill.add_argument("--report", type=Path, help=REPORT_HELP)
    fill.add_argument("--out", type=Path, default=Path("output"), help="output folder")
    fill.add_argument("--from", dest="from_week", required=True, metavar="WEEK", help="first week")
    fill.add_argument("--to", dest="to_week", required=True, metavar="WEEK", help="last week")
    fill.add_argument("--jobs", type=int, default=None,
                      help="worker processes, each building one edition at a time "
                           "(default: one per core this process may use, as many as the "
                           f"available memory holds at about {WORKER_MIB} MiB each)")
    fill.add_argument("--force", action="store_true", help="rebuild editions that are already built")
    fill.add_argument("--usage", type=Path, help="usage file or folder (overrides the report's)")
    fill.set_defaults(run=_cmd_backfill)
