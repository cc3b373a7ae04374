"""`weekly backfill`: build a range of past editions in worker processes, resumably, with progress."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import sys
import time
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from generator.errors import InputError
from generator.heap import settle_after_first_edition
from generator.layout import FACTS
from generator.report import Report
from generator.weeks import iso_label


@dataclass(frozen=True)
class Outcome:
    """One week of a backfill: built, skipped (already there) or failed, with the reason."""

    week: str
    status: str
    seconds: float = 0.0
    detail: str = ""


@dataclass(frozen=True)
class BackfillResult:
    """Every week's outcome, oldest first, and the wall time of the whole backfill."""

    outcomes: tuple[Outcome, ...]
    seconds: float

    def count(self, status: str) -> int:
        """How many weeks ended with `status`."""
        return sum(o.status == status for o in self.outcomes)


def weeks_to_build(report: Report, first: dt.date, last: dt.date, usage: Path | None = None) -> list[dt.date]:
    """The weeks in [first, last] that the report's data holds; an empty range is bad input."""
    from generator.kinds.registry import kind

    if last < first:
        raise InputError(f"--to {iso_label(last)} is before --from {iso_label(first)}")
    weeks = [w for w in kind(report.kind).load(report, usage, None).weeks if first <= w <= last]
    if not weeks:
        raise InputError(f"no usage data between {iso_label(first)} and {iso_label(last)}")
    return weeks


def _build_one(report: Report, week: dt.date, out: Path, usage: Path | None, *,
               settle: bool) -> Outcome:
    # Runs in a worker process: everything it returns must pickle, so errors become text.
    outcome = _build(report, week, out, usage)
    # Once an edition is built (a failed one may not have loaded everything), and its objects,
    # an error's traceback among them, are let go.
    if settle and outcome.status == "built":
        settle_after_first_edition()
    return outcome


def _build(report: Report, week: dt.date, out: Path, usage: Path | None) -> Outcome:
    from generator.errors import CheckFailed
    from generator.pipeline import BuildRequest, build_edition

    started = time.monotonic()
    try:
        # One core per worker: `--jobs` says how many a backfill may keep busy.
        build_edition(BuildRequest(report=report, week=iso_label(week), usage=usage, out=out,
                                   overlap=False))
    except (InputError, CheckFailed) as exc:
        return Outcome(iso_label(week), "failed", time.monotonic() - started, str(exc))
    except Exception as exc:  # a bug in one week must not abort the others' builds
        detail = f"internal error: {type(exc).__name__}: {exc}"
        return Outcome(iso_label(week), "failed", time.monotonic() - started, detail)
    return Outcome(iso_label(week), "built", time.monotonic() - started)


class Progress:
    """A progress bar on a terminal, one plain line per edition elsewhere (logs stay readable)."""

    def __init__(self, total: int, stream: TextIO) -> None:
        self.total, self.done, self.stream = total, 0, stream
        self.tty = stream.isatty()

    def step(self, outcome: Outcome) -> None:
        """Count one finished week and show it."""
        self.done += 1
        if self.tty:
            filled = round(30 * self.done / self.total)
            bar = "#" * filled + "." * (30 - filled)
            end = "\n" if self.done == self.total else ""
            print(f"\r[{bar}] {self.done}/{self.total} {outcome.week} {outcome.status}   ",
                  end=end, file=self.stream, flush=True)
        else:
            seconds = f" {outcome.seconds:.1f}s" if outcome.status == "built" else ""
            print(f"backfill {self.done}/{self.total} {outcome.week} {outcome.status}{seconds}",
                  file=self.stream, flush=True)


def backfill(report: Report, weeks: list[dt.date], out: Path, jobs: int = 1, force: bool = False,
             usage: Path | None = None, stream: TextIO | None = None,
             settle_heap: bool = False) -> BackfillResult:
    """Build each week's edition not yet built (all of them with `force`) on `jobs` processes.

    Each edition is swapped into place whole, so an interrupted backfill resumes by skipping
    the editions that exist. The workers freeze their heap after their first edition
    (`generator.heap`); with `settle_heap`, so does this process when it builds the editions
    itself (one job): a command that owns its process says so, a library caller need not.
    """
    from generator.pipeline import edition_folder

    started = time.monotonic()
    outcomes: dict[str, Outcome] = {}
    todo = []
    for week in weeks:
        if not force and (edition_folder(out, report, week) / FACTS).is_file():
            outcomes[iso_label(week)] = Outcome(iso_label(week), "skipped", detail="already built")
        else:
            todo.append(week)
    progress = Progress(len(weeks), stream or sys.stderr)
    for outcome in outcomes.values():
        progress.step(outcome)
    if jobs <= 1 or len(todo) <= 1:
        for week in todo:
            outcome = _build_one(report, week, out, usage, settle=settle_heap)
            outcomes[outcome.week] = outcome
            progress.step(outcome)
    else:
        # spawn, not fork: matplotlib and WeasyPrint keep state a forked child should not inherit.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
            futures: list[Future[Outcome]] = [pool.submit(_build_one, report, w, out, usage,
                                                       settle=True) for w in todo]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes[outcome.week] = outcome
                progress.step(outcome)
    ordered = tuple(outcomes[iso_label(w)] for w in weeks)
    return BackfillResult(ordered, time.monotonic() - started)
