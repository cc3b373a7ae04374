"""What `weekly aggregate` reads and writes: the event files, and arguments refused up front."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.errors import InputError, Where, display_path

MAX_THREADS = 256
# DuckDB's own size syntax: a number and a unit ("400MB", "1.5 GiB").
_MEMORY = re.compile(r"\s*\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)\s*", re.IGNORECASE)
# scheme://... : storage only a cluster engine reads (s3a://, hdfs://, abfss://, gs://).
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class Inputs:
    """The event files to read, all of one kind."""

    kind: str  # "csv" or "parquet"
    names: tuple[str, ...]  # local paths, or one URI (a file or a folder) for Spark to list

    @property
    def csv(self) -> bool:
        """True for CSV, whose row numbers count the header line."""
        return self.kind == "csv"


def is_uri(events: str) -> bool:
    """True for a storage URI (s3a://bucket/events/) rather than a local path."""
    return bool(_URI.match(events))


def list_inputs(events: str) -> Inputs:
    """The event files: a file, or a folder's .csv/.csv.gz/.parquet files; a URI as it is."""
    if is_uri(events):
        # Spark lists it; a URI that names no file kind is a folder of Parquet, as in a lake.
        return Inputs(_kind(events.rstrip("/")) or "parquet", (events,))
    path = Path(events)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if _kind(p.name) is not None and not p.name.startswith("."))
        if not files:
            raise InputError("expected .csv, .csv.gz or .parquet event files in the folder",
                             Where(display_path(path)))
        kinds = {_kind(p.name) for p in files}
        if len(kinds) > 1:
            raise InputError("expected event files of one kind (CSV or Parquet), not both",
                             Where(display_path(path)))
        return Inputs(str(kinds.pop()), tuple(str(p) for p in files))
    if path.is_file():
        kind = _kind(path.name)
        if kind is None:
            raise InputError("expected a .csv, .csv.gz or .parquet events file", Where(display_path(path)))
        return Inputs(kind, (str(path),))
    raise InputError("no such events file or folder", Where(display_path(path)))


def _kind(name: str) -> str | None:
    lower = name.lower()
    if lower.endswith(".parquet"):
        return "parquet"
    if lower.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


def check_arguments(events: str, out: Path, memory_limit: str, threads: int) -> None:
    """Refuse, before anything is read, options DuckDB would fail on or an `out` that is the input."""
    if not 1 <= threads <= MAX_THREADS:
        raise InputError(f"--threads: expected a whole number from 1 to {MAX_THREADS}, got {threads}")
    if not _MEMORY.fullmatch(memory_limit):
        raise InputError(f"--memory-limit: expected a size such as 400MB or 2GB, got {memory_limit!r}")
    for place in out.parents:
        if place.exists():
            if not place.is_dir():
                raise InputError(f"--out: expected a file in a folder, but {display_path(place)} "
                                 "is a file")
            break
    if out.is_dir():
        raise InputError(f"--out: expected a file, but {display_path(out)} is a folder")
    if is_uri(events):
        return
    # The events are read while the table is written: writing over them would replace the
    # raw data with its sum, with nothing to tell.
    source_path = Path(events)
    target, source = out.resolve(), source_path.resolve()
    same = out.is_file() and source_path.is_file() and out.samefile(source_path)  # a hard link too
    if same or target == source or (source_path.is_dir() and target.is_relative_to(source)):
        raise InputError(f"--out: {display_path(out)} would overwrite the events it is made from; "
                         "write the usage table elsewhere")
