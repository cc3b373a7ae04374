"""The `usage` kind's input: one row per week and item, its columns named by `[data.columns]`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from generator.errors import InputError
from generator.load.limits import check_models
from generator.load.tables import FILE, ROW, read_table, require_columns, usage_files
from generator.load.values import (
    check_ids,
    check_names,
    display_text,
    parse_counts,
    parse_texts,
    parse_weeks,
    where_of,
)
from generator.report import Report

REQUIRED = ("week", "item", "value")
OPTIONAL = ("group", "name")


@dataclass(frozen=True)
class UsageData:
    """Validated rows: week (a Monday), item, value (int64), group and name (or None)."""

    frame: pd.DataFrame
    sources: tuple[str, ...]

    @property
    def weeks(self) -> tuple[dt.date, ...]:
        """The weeks in the data, oldest first."""
        return tuple(sorted(set(self.frame["week"])))


def load_usage_data(report: Report, usage: Path | None, _catalogue: Path | None) -> UsageData:
    """Read the report's usage file or folder, its columns mapped to the kind's fields."""
    path = usage or report.usage_path
    columns = {field: field for field in (*REQUIRED, *OPTIONAL)} | dict(report.columns)
    files = usage_files(path)
    check_models(files, (columns["item"],), report.limits)
    frames = [_validated(read_table(p).frame, columns) for p in files]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    repeated = frame.duplicated(["week", "item"], keep="first")
    if repeated.any():
        second = int(repeated.to_numpy().nonzero()[0][0])
        raise InputError(f"duplicate week {frame['week'].iat[second]} and "
                         f"{columns['item']} {frame['item'].iat[second]!r}",
                         where_of(frame, second, columns["item"]))
    return UsageData(frame.drop(columns=[FILE, ROW]),
                     tuple(str(p) for p in files))


def _validated(raw: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    raw.columns = [str(c).strip() for c in raw.columns]
    label = str(raw[FILE].iat[0])
    require_columns(raw, label, tuple(columns[f] for f in REQUIRED))
    out = pd.DataFrame({
        "week": parse_weeks(raw, columns["week"]),
        "item": parse_texts(raw, columns["item"]),
        "value": parse_counts(raw, columns["value"]),
    })
    # The same limits as every id and name: a long or invisible one would stall or spoof a page.
    check_ids(raw, columns["item"], out["item"])
    for field in OPTIONAL:
        column = columns[field]
        out[field] = (raw[column].map(lambda v: display_text(v) if isinstance(v, str) and v.strip()
                                      else None) if column in raw.columns else None)
        if column in raw.columns:
            check_names(raw, column, out[field])
    out[FILE], out[ROW] = raw[FILE], raw[ROW]
    return out
