"""Reading a table file (CSV, Parquet, JSON Lines, JSON array) into strings-or-values rows.

Every frame comes back with a `_row` column holding the row number a person would look for:
the line in a CSV or JSON Lines file (header is line 1), the 1-based record in JSON or Parquet.
"""

from __future__ import annotations

import csv
import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from generator.errors import InputError, Where, display_path

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
}
ROW = "_row"
FILE = "_file"


@dataclass(frozen=True)
class Table:
    """One input file read as a frame, with its display name and row numbers."""

    label: str
    frame: pd.DataFrame
    raw_json: Any = None


def table_format(path: Path) -> str:
    """Return the format name of a file from its extension, or fail with the valid ones."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        valid = ", ".join(sorted(FORMATS))
        raise InputError(
            f"unknown format {path.suffix or '(no extension)'!r}; expected one of {valid}",
            Where(display_path(path)),
        )
    return fmt


def read_table(path: Path, json_records_key: str | None = None) -> Table:
    """Read one file; `json_records_key` names a key whose list holds the records (e.g. data)."""
    label = display_path(path)
    where = Where(label)
    if not path.exists():
        raise InputError("file not found", where)
    if path.is_dir():
        raise InputError("expected a file, found a folder", where)
    fmt = table_format(path)
    if path.stat().st_size == 0:
        raise InputError("the file is empty; expected a header and rows of data", where)
    raw: Any = None
    if fmt == "csv":
        frame = _read_csv(path, where)
        frame[ROW] = range(2, len(frame) + 2)
        frame = _without_blank_lines(frame)
    elif fmt == "parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises many kinds for a damaged file
            raise InputError(f"expected a Parquet file: {exc}", where) from None
        frame[ROW] = range(1, len(frame) + 1)
    elif fmt == "jsonl":
        frame = _read_jsonl(path, where)
    else:
        raw = _read_json(path, where)
        frame = _records_frame(raw, json_records_key, where)
    if frame.empty:
        raise InputError("the file has no rows of data", where)
    frame[FILE] = label
    return Table(label, frame, raw)


def _read_csv(path: Path, where: Where) -> pd.DataFrame:
    try:
        with warnings.catch_warnings():
            # index_col=False: without it, rows one field longer than the header would silently
            # shift every column under the next name; pandas warns instead, and that is an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            return pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                skip_blank_lines=False,
                encoding="utf-8-sig",
                index_col=False,
            )
    except pd.errors.ParserWarning:
        raise _long_row(path, where) from None
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty; expected a header and rows of data", where) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        if "fields in line" in str(exc):  # pandas' own words for a row longer than the first
            raise _long_row(path, where) from None
        raise InputError(f"expected UTF-8 CSV: {str(exc).strip()}", where) from None


def _long_row(path: Path, where: Where) -> InputError:
    """The first row with more fields than the header, named by its line."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        width = len(next(reader, []))
        for row in reader:
            if len(row) > width:
                return InputError(f"expected at most {width} fields as in the header, got "
                                  f"{len(row)}", Where(where.file, reader.line_num))
    return InputError("expected as many fields per row as in the header", where)


def _without_blank_lines(frame: pd.DataFrame) -> pd.DataFrame:
    # Blank lines are kept while reading so that row numbers stay line numbers; then dropped,
    # as JSON Lines skips them: a trailing empty line is not a row with an empty week.
    if frame.empty:
        return frame
    cells = frame.drop(columns=[ROW]).fillna("").astype(str)
    blank = cells.apply(lambda column: column.str.strip().eq("")).all(axis=1)
    return frame[~blank.to_numpy(dtype=bool)].reset_index(drop=True)


def _read_jsonl(path: Path, where: Where) -> pd.DataFrame:
    records: list[dict[str, Any]] = []
    lines: list[int] = []
    with path.open("rb") as handle:
        # Lines are decoded one by one (not by a text-mode file) so that bad UTF-8 is reported
        # with its line number instead of escaping as a UnicodeDecodeError.
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise InputError("expected UTF-8 text", Where(where.file, number)) from None
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"expected a JSON object per line: {exc.msg}", Where(where.file, number)
                ) from None
            except RecursionError:
                raise InputError("expected a JSON object per line: nested too deeply",
                                 Where(where.file, number)) from None
            if not isinstance(record, dict):
                raise InputError("expected a JSON object per line", Where(where.file, number))
            records.append(record)
            lines.append(number)
    frame = pd.DataFrame.from_records(records)
    frame[ROW] = lines
    return frame


def _read_json(path: Path, where: Where) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        raise InputError(f"expected JSON: {exc.msg} at line {exc.lineno}", where) from None
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", where) from None
    except RecursionError:
        raise InputError("expected JSON: nested too deeply", where) from None


def _records_frame(raw: Any, key: str | None, where: Where) -> pd.DataFrame:
    records = raw.get(key) if key and isinstance(raw, dict) else raw
    if not isinstance(records, list):
        expected = f"an array of objects or an object with a {key!r} array" if key else "an array"
        raise InputError(f"expected {expected} of records", where)
    for index, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            raise InputError("expected a JSON object", Where(where.file, index))
    frame = pd.DataFrame.from_records(records)
    frame[ROW] = range(1, len(frame) + 1)
    return frame


def require_columns(frame: pd.DataFrame, label: str, required: tuple[str, ...]) -> None:
    """Fail with the first required column that the table lacks."""
    for column in required:
        if column not in frame.columns:
            present = ", ".join(c for c in frame.columns if not c.startswith("_")) or "none"
            raise InputError(
                f"column {column!r} is missing; expected columns {', '.join(required)} "
                f"(found {present})",
                Where(label, 1),
            )

def usage_files(path: Path) -> list[Path]:
    """Return the file, or the usage files of a folder of weekly drops in name order."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in FORMATS and not p.name.startswith(".")
        )
        if not files:
            valid = ", ".join(sorted(FORMATS))
            raise InputError(f"expected usage files ({valid}) in the folder", Where(display_path(path)))
        for file in files:
            if file.is_dir():
                # Skipping it could silently drop a week's drop that was unpacked into a folder.
                raise InputError("expected a usage file, found a folder", Where(display_path(file)))
        return files
    if not path.exists():
        raise InputError("file not found", Where(display_path(path)))
    return [path]
