"""The steps of an aggregation, the same for every engine: survey, refuse or sum, write.

An engine (DuckDB here, Spark in `spark.py`) only says how to run a statement, what types its
view `events` has, how to load the day table and how to number a file's rows; the statements
come from `query.py` and the order of the steps from here, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from generator.aggregate import query
from generator.aggregate.days import DayTable, day_table
from generator.errors import InputError, Where, display_path


@dataclass(frozen=True)
class Aggregated:
    """What `aggregate_events` wrote: the file, its rows, and the events and weeks it covers."""

    path: Path
    rows: int
    events: int
    weeks: tuple[str, ...]


class Engine(Protocol):
    """What the steps need of an engine that has a view `events` over the input."""

    @property
    def dialect(self) -> query.Dialect:
        """The engine's spellings of the shared SQL."""
        ...

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one statement and return all its rows."""
        ...

    def types(self) -> dict[str, str]:
        """Column name to the engine's type name, for the view `events`."""
        ...

    def load_days(self, table: DayTable) -> None:
        """Make `days` (day, week, cut, after: all BIGINT) a table the statements can join."""
        ...

    def in_file_order(self) -> None:
        """From now on, number a file's rows as they stand in the file (the error path only)."""
        ...

    def keep(self, sql: str, columns: tuple[str, ...]) -> None:
        """Run the summing statement and keep its result as the DuckDB table `weekly`."""
        ...


def summarise(engine: Engine, zone: str, where: Where, csv: bool) -> int:
    """Check every event and sum them per local week and model into `weekly`; return the count.

    InputError on a bad row, naming the first one.
    """
    kinds = {name: query.kind_of(kind) for name, kind in engine.types().items()}
    missing = [c for c in query.REQUIRED if c not in kinds]
    if missing:
        raise InputError(f"expected columns {', '.join(query.REQUIRED)}; missing {', '.join(missing)}",
                         Where(where.file, column=missing[0]))
    optional = tuple(c for c in query.OPTIONAL if c in kinds)
    d = engine.dialect
    engine.rows(query.typed_view(d, kinds, optional))
    found = engine.rows(query.survey(d, optional))
    events = int(found[0][0]) if found and found[0][0] else 0
    if not events:
        raise InputError("expected at least one usage event", where)
    for name, bad in zip(query.checked(optional), found[0][3:], strict=True):
        if bad:
            _refuse_first_bad_row(engine, name, where, csv)
    engine.load_days(day_table(zone, int(found[0][1]), int(found[0][2])))
    engine.keep(query.weekly(d, optional), ("week", "model", "tokens", "requests", *optional))
    return events


def _refuse_first_bad_row(engine: Engine, name: str, where: Where, csv: bool) -> None:
    """Raise the one-line error naming the first row whose `name` value is bad."""
    engine.in_file_order()
    found = engine.rows(query.first_bad_row(engine.dialect, name))
    if not found:  # unreachable unless the file changed between passes
        raise InputError(f"expected {query.EXPECTED[name]}", Where(where.file, column=name))
    file, row, count = found[0]
    many = f" ({count:,} such rows)" if count > 1 else ""
    raise InputError(f"expected {query.EXPECTED[name]}{many}",
                     Where(display_path(local_name(str(file))), row=int(row) + (1 if csv else 0),
                           column=name))


def local_name(name: str) -> str:
    """A file name as an engine reports it, as a path when it is a local file (Spark gives URIs)."""
    parts = urlsplit(name)
    if parts.scheme == "file" and parts.netloc in ("", "localhost"):
        return unquote(parts.path)
    return name
