"""Shared set-up of the operations tests: a private copy of the sample report and its state folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from generator.report import Report, load_report
from generator.resources import sample_report_dir


def copy_sample(tmp_path: Path, drop_weeks_from: str | None = None) -> Report:
    """The sample report copied under tmp_path (same slug); optionally without weeks >= a date."""
    folder = tmp_path / "reports" / "llm-usage"
    shutil.copytree(sample_report_dir(), folder, ignore=shutil.ignore_patterns("make_data.py"))
    if drop_weeks_from is not None:
        usage = folder / "data" / "usage.csv"
        lines = usage.read_text(encoding="utf-8").splitlines(keepends=True)
        usage.write_text("".join([lines[0]] + [ln for ln in lines[1:] if ln.split(",")[0] < drop_weeks_from]),
                         encoding="utf-8")
    return load_report(folder)


def restore_usage(report: Report) -> None:
    """Put the full sample usage back: the late data drop arrives."""
    shutil.copy(sample_report_dir() / "data" / "usage.csv", report.folder / "data" / "usage.csv")
