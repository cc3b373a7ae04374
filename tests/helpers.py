"""Building tiny report folders in code (datasette style) and computing their facts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.report import Report, load_report

Row = tuple[str, str, int]
# The `report_factory` fixture: make(rows, **write_report options) -> Report.
ReportFactory = Callable[..., Report]
AuthorRow = tuple[str, str, str]

FIRST_MONDAY = dt.date(2026, 1, 5)
# Three authors with a country; anyone else (e.g. `mystery`) is in neither table.
AUTHORS: tuple[AuthorRow, ...] = (
    ("acme", "Acme AI", "CN"),
    ("bolt", "Bolt Labs", "US"),
    ("crane", "Crane Research", "FR"),
)


def week(i: int) -> str:
    """Return the i-th Monday (0-based) of the test calendar as `YYYY-MM-DD`."""
    return (FIRST_MONDAY + dt.timedelta(weeks=i)).isoformat()


def monday(i: int) -> dt.date:
    """Return the i-th Monday (0-based) of the test calendar as a date."""
    return FIRST_MONDAY + dt.timedelta(weeks=i)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Return a CSV document with a header line and one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def usage_csv(rows: Iterable[Row]) -> str:
    """Return a usage CSV from (week, model, tokens) tuples."""
    return csv_text(("week", "model", "tokens"), rows)


def catalogue_csv(entries: Sequence[Mapping[str, Any]]) -> str:
    """Return a catalogue CSV from dicts (the header is the union of their keys, model first)."""
    header = ["model", *sorted({k for e in entries for k in e} - {"model"})]
    return csv_text(header, ([e.get(k, "") for k in header] for e in entries))


def write_report(
    folder: Path,
    rows: Iterable[Row] = (),
    *,
    authors: Sequence[AuthorRow] = AUTHORS,
    models: Sequence[Mapping[str, Any]] | None = None,
    settings: str = "",
    tables: str = "",
    usage_name: str = "usage.csv",
) -> Path:
    """Write report.toml, usage.csv, authors.csv (and models.csv) into `folder`; return it.

    `settings` goes before `[data]` (top-level keys), `tables` after it (e.g. `[variants]`).
    """
    folder.mkdir(parents=True, exist_ok=True)
    data = f'[data]\nusage = "{usage_name}"\nauthors = "authors.csv"\n'
    if models is not None:
        data += 'models = "models.csv"\n'
        (folder / "models.csv").write_text(catalogue_csv(models), encoding="utf-8")
    (folder / "report.toml").write_text(f"{settings}\n{data}\n{tables}\n", encoding="utf-8")
    (folder / "authors.csv").write_text(
        csv_text(("author", "name", "country"), authors), encoding="utf-8"
    )
    if usage_name.endswith(".csv"):
        (folder / usage_name).write_text(usage_csv(rows), encoding="utf-8")
    return folder


def make_report(folder: Path, rows: Iterable[Row] = (), **options: Any) -> Report:
    """Write a report folder (see `write_report`) and load its configuration."""
    return load_report(write_report(folder, rows, **options))


def facts_of(report: Report, when: dt.date | str, top_n: int = 10) -> Facts:
    """Load the report's snapshot and compute the facts of one week."""
    day = dt.date.fromisoformat(when) if isinstance(when, str) else when
    return compute_facts(load_snapshot(report), day, "t", top_n)


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Return every file under `folder` (relative path → content); empty when it is absent."""
    if not folder.exists():
        return {}
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
