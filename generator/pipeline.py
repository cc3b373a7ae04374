"""`build_edition()`: the pipeline, read like a table of contents."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from generator.edition_dir import recover, staged_folder
from generator.errors import InputError
from generator.facts.compute import compute_facts
from generator.facts.model import Facts
from generator.load import load_snapshot
from generator.report import Report
from generator.snapshot import Snapshot
from generator.weeks import WeekError, iso_label, parse_week


@dataclass(frozen=True)
class BuildRequest:
    """What to build: which week, from which inputs, into which folder, in which formats."""

    report: Report
    week: str = "latest"
    usage: Path | None = None
    models: Path | None = None
    out: Path = Path("output")
    formats: tuple[str, ...] = ()


@dataclass(frozen=True)
class Edition:
    """A built edition: where it is and the facts it states."""

    folder: Path
    facts: Facts


def choose_week(snapshot: Snapshot, week: str) -> dt.date:
    """Resolve `latest`, a Monday or an ISO week against the data."""
    if week == "latest":
        return snapshot.weeks[-1]
    try:
        return parse_week(week)
    except WeekError as exc:
        raise InputError(f"--week: {exc}") from None


def edition_folder(out: Path, report: Report, week: dt.date) -> Path:
    """Where an edition lives: `<out>/<report>/<YYYY>-Www/`."""
    return out / report.slug / iso_label(week)


def build_edition(request: BuildRequest) -> Edition:
    """Load, compute the facts, render every requested format, check, and swap into place."""
    report = request.report
    snapshot = load_snapshot(report, request.usage, request.models)
    week = choose_week(snapshot, request.week)
    facts = compute_facts(snapshot, week, report.slug, report.top_n)
    folder = edition_folder(request.out, report, week)
    recover(folder.parent)
    with staged_folder(folder) as staging:
        write_facts(staging, facts)
    return Edition(folder, facts)


def write_facts(folder: Path, facts: Facts) -> Path:
    """Write `facts.json` (sorted keys, stable across machines)."""
    path = folder / "facts.json"
    text = json.dumps(facts.to_json(), indent=2, ensure_ascii=False, sort_keys=False)
    path.write_text(text + "\n", encoding="utf-8")
    return path
