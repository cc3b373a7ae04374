"""`weekly aggregate`: raw per-request usage events into the weekly usage table, with DuckDB.

The events are read in one streaming pass. Each event's local week (Monday 00:00 in the report's
time zone) comes from its UTC timestamp by a join on its UTC day: a small table, computed here
with zoneinfo, says for every day the week it starts in and, if a week boundary falls inside it,
the exact instant and the week after. That keeps the time-zone arithmetic off the per-row path
(DuckDB's per-row ICU conversion is 3× slower) and exact across daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from generator.errors import InputError, Where, display_path

INSTALL = "pip install 'duckdb>=1.1'"
REQUIRED = ("timestamp", "model", "tokens")
OPTIONAL = ("prompt_tokens", "completion_tokens")
# The day table spans these years; an event outside them is refused rather than misfiled.
FIRST_YEAR, LAST_YEAR = 1990, 2100
_DAY_US = 86_400_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Aggregated:
    """What `aggregate_events` wrote: the file, its rows, and the events and weeks it covers."""

    path: Path
    rows: int
    events: int
    weeks: tuple[str, ...]


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise InputError(f"weekly aggregate needs DuckDB; install it with `{INSTALL}`") from None
    return duckdb


def _source(path: Path) -> str:
    """The DuckDB table function reading the events file (or a folder of them)."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if _kind(p) is not None and not p.name.startswith("."))
        if not files:
            raise InputError("expected .csv, .csv.gz or .parquet event files in the folder",
                             Where(display_path(path)))
        kinds = {_kind(p) for p in files}
        if len(kinds) > 1:
            raise InputError("expected event files of one kind (CSV or Parquet), not both",
                             Where(display_path(path)))
        kind, names = kinds.pop(), [str(p) for p in files]
    elif path.is_file():
        kind, names = _kind(path), [str(path)]
        if kind is None:
            raise InputError("expected a .csv, .csv.gz or .parquet events file", Where(display_path(path)))
    else:
        raise InputError("no such events file or folder", Where(display_path(path)))
    # Views cannot take prepared parameters, so the names go in as quoted SQL literals.
    listed = "[" + ", ".join(f"'{_sql_path(n)}'" for n in names) + "]"
    if kind == "parquet":
        return f"read_parquet({listed}, filename = true)"
    # Every column as text: the checks below name the bad row instead of DuckDB guessing types.
    return f"read_csv({listed}, header = true, all_varchar = true, filename = true)"


def _kind(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith((".csv", ".csv.gz")):
        return "csv"
    return None


def day_table(zone: str, first_day: int, last_day: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """For each UTC day (days since 1970) in the range: its week, a boundary instant, the week after.

    Weeks are named by the ordinal of their Monday. A day holding no week boundary has its own
    end as the boundary, so the CASE in the query never takes the "after" branch for it.
    """
    tz = ZoneInfo(zone)
    monday = _EPOCH.date() + dt.timedelta(days=first_day - 8)
    monday -= dt.timedelta(days=monday.weekday())
    starts: list[tuple[int, int]] = []  # (UTC microseconds of local Monday 00:00, Monday's ordinal)
    while not starts or starts[-1][0] < (last_day + 9) * _DAY_US:
        local = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
        starts.append((_us(local), monday.toordinal()))
        monday += dt.timedelta(days=7)
    days, weeks, cuts, afters = [], [], [], []
    i = 0
    for day in range(first_day, last_day + 1):
        day_start, day_end = day * _DAY_US, (day + 1) * _DAY_US
        while starts[i + 1][0] <= day_start:
            i += 1
        following = starts[i + 1]
        inside = following[0] < day_end
        days.append(day)
        weeks.append(starts[i][1])
        cuts.append(following[0] if inside else day_end)
        afters.append(following[1] if inside else starts[i][1])
    return days, weeks, cuts, afters


def _us(moment: dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


# DuckDB's own size syntax: a number and a unit ("400MB", "1.5 GiB").
_MEMORY = re.compile(r"\s*\d+(?:\.\d+)?\s*(?:[KMGT]i?B|B)\s*", re.IGNORECASE)
MAX_THREADS = 256


def check_arguments(events: Path, out: Path, memory_limit: str, threads: int) -> None:
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
    # The events are read while the table is written: writing over them would replace the
    # raw data with its sum, with nothing to tell.
    target, source = out.resolve(), events.resolve()
    same = out.is_file() and events.is_file() and out.samefile(events)  # a hard link too
    if same or target == source or (events.is_dir() and target.is_relative_to(source)):
        raise InputError(f"--out: {display_path(out)} would overwrite the events it is made from; "
                         "write the usage table elsewhere")


def aggregate_events(events: Path, out: Path, zone: str, memory_limit: str = "400MB",
                     threads: int = 2) -> Aggregated:
    """Sum the events per local week and model into `out` (CSV, or Parquet by its extension)."""
    check_arguments(events, out, memory_limit, threads)
    duckdb = _duckdb()
    source = _source(events)
    where = Where(display_path(events))
    with tempfile.TemporaryDirectory(prefix="weekly-aggregate-") as spill:
        con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit,
                                     "temp_directory": spill, "preserve_insertion_order": False})
        try:
            _do(con, "SET TimeZone = 'UTC'")  # a timestamp without an offset is UTC
            _do(con, "SET enable_progress_bar = false")
            columns = _columns(con, source, where)
            return _run(con, source, columns, out, zone, where)
        except duckdb.Error as exc:
            raise InputError(f"expected readable usage events: {_first_line(exc)}", where) from None
        finally:
            con.close()


def _columns(con: Any, source: str, where: Where) -> dict[str, str]:
    described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    types = {str(row[0]): str(row[1]).upper() for row in described}
    missing = [c for c in REQUIRED if c not in types]
    if missing:
        raise InputError(f"expected columns {', '.join(REQUIRED)}; missing {', '.join(missing)}",
                         Where(where.file, column=missing[0]))
    return types


def _whole(column: str, kind: str) -> str:
    """SQL for a column as a whole number: NULL when empty, -1 (refused later) when not whole."""
    if kind == "VARCHAR":
        # A cast would round "1.5" to 2; trim() also keeps DuckDB from pushing a strict cast
        # into the CSV reader, which would fail on "ten" instead of marking the row.
        return (f"CASE WHEN {column} IS NULL OR trim({column}) = '' THEN NULL "
                f"WHEN regexp_full_match(trim({column}), '\\+?[0-9]{{1,18}}') "
                f"THEN CAST(trim({column}) AS BIGINT) ELSE -1 END AS {column}")
    if kind in ("FLOAT", "DOUBLE") or kind.startswith("DECIMAL"):
        return (f"CASE WHEN {column} = floor({column}) THEN TRY_CAST({column} AS BIGINT) "
                f"WHEN {column} IS NOT NULL THEN -1 END AS {column}")
    return f"TRY_CAST({column} AS BIGINT) AS {column}"


def _moment(kind: str) -> str:
    """SQL for the timestamp column as an instant, NULL when it is not one."""
    if kind == "VARCHAR":
        return "TRY_CAST(trim(timestamp) AS TIMESTAMPTZ) AS ts"
    return "TRY_CAST(timestamp AS TIMESTAMPTZ) AS ts"


def _register_days(con: Any, zone: str, first: int, last: int) -> None:
    days = day_table(zone, first, last)
    # Plain VALUES rather than a registered Arrow table: registering one imports pandas (0.4 s).
    _do(con, "CREATE TEMP TABLE days (day BIGINT, week BIGINT, cut BIGINT, after BIGINT)")
    for start in range(0, len(days[0]), 5000):
        rows = ", ".join(f"({d}, {w}, {c}, {a})" for d, w, c, a in
                         zip(*(column[start:start + 5000] for column in days), strict=True))
        _do(con, f"INSERT INTO days VALUES {rows}")


_BOUNDS = (f"TIMESTAMPTZ '{FIRST_YEAR}-01-01'", f"TIMESTAMPTZ '{LAST_YEAR + 1}-01-01'")
_CHECKS = {
    "timestamp": f"ts IS NULL OR ts < {_BOUNDS[0]} OR ts >= {_BOUNDS[1]}",
    "model": "model IS NULL OR trim(model) = ''",
    "tokens": "tokens IS NULL OR tokens < 0",
    "prompt_tokens": "prompt_tokens < 0",
    "completion_tokens": "completion_tokens < 0",
}
_EXPECTED = {
    "timestamp": f"a timestamp between {FIRST_YEAR} and {LAST_YEAR} (ISO 8601; UTC without an offset)",
    "model": "a model id",
    "tokens": "a non-negative whole number",
    "prompt_tokens": "a non-negative whole number or nothing",
    "completion_tokens": "a non-negative whole number or nothing",
}


def _run(con: Any, source: str, columns: dict[str, str], out: Path, zone: str,
         where: Where) -> Aggregated:
    optional = [c for c in OPTIONAL if c in columns]
    typed = ", ".join([
        "filename",
        _moment(columns["timestamp"]),
        "CAST(model AS VARCHAR) AS model",
        *(_whole(c, columns[c]) for c in ("tokens", *optional)),
    ])
    # The whole-number casts refuse "1.5" and text alike; NULL marks a bad value.
    _do(con, f"CREATE TEMP VIEW typed AS SELECT {typed} FROM {source}")
    # First pass, ungrouped and cheap: the time span, and whether any value is bad.
    low, high = _BOUNDS
    bad_optional = "".join(f", coalesce(min({c}) < 0, false)" for c in optional)
    found = _one(con, f"""
        SELECT count(*), epoch_us(min(ts)) // {_DAY_US}, epoch_us(max(ts)) // {_DAY_US},
               count(ts) < count(*) OR min(ts) < {low} OR max(ts) >= {high},
               count(model) < count(*) OR min(length(trim(model))) = 0,
               count(tokens) < count(*) OR min(tokens) < 0 {bad_optional}
        FROM typed
    """)
    events = int(found[0]) if found else 0
    if not found or not events:
        raise InputError("expected at least one usage event", where)
    for name, bad in zip(("timestamp", "model", "tokens", *optional), found[3:], strict=True):
        if bad:
            _refuse_first_bad_row(con, name, where, csv=source.startswith("read_csv"))
    _register_days(con, zone, int(found[1]), int(found[2]))
    # Second pass: each event into its local week by its UTC day, then one grouped sum.
    sums = "".join(f", sum({c}) AS {c}" for c in optional)
    _do(con, f"""
        CREATE TEMP TABLE weekly AS
        SELECT CASE WHEN epoch_us(t.ts) >= d.cut THEN d.after ELSE d.week END AS week,
               t.model, sum(t.tokens) AS tokens, count(*) AS requests{sums}
        FROM typed t JOIN days d ON d.day = epoch_us(t.ts) // {_DAY_US}
        GROUP BY ALL
    """)
    day = "strftime(DATE '0001-01-01' + CAST(week - 1 AS INTEGER), '%Y-%m-%d')"
    weeks = tuple(str(r[0]) for r in con.execute(f"SELECT DISTINCT {day} FROM weekly ORDER BY 1").fetchall())
    rows = _one(con, "SELECT count(*) FROM weekly")
    select = ", ".join([f"{day} AS week", "model", "tokens", "requests", *optional])
    _write(con, f"SELECT {select} FROM weekly ORDER BY week, tokens DESC, model", out)
    return Aggregated(out, int(rows[0]) if rows else 0, events, weeks)


def _refuse_first_bad_row(con: Any, name: str, where: Where, csv: bool) -> None:
    """Raise the one-line error naming the first row whose `name` value is bad."""
    rule = _CHECKS[name]
    # Only on this error path: a second, ordered pass to name the row.
    _do(con, "SET preserve_insertion_order = true")
    found = _one(
        con, f"SELECT filename, n, count(*) OVER () FROM ("
        f"SELECT row_number() OVER (PARTITION BY filename) AS n, * FROM typed) "
        f"WHERE {rule} ORDER BY filename, n LIMIT 1")
    if not found:  # unreachable unless the file changed between passes
        raise InputError(f"expected {_EXPECTED[name]}", Where(where.file, column=name))
    count = _one(con, f"SELECT count(*) FROM typed WHERE {rule}")
    many = f" ({count[0]:,} such rows)" if count and count[0] > 1 else ""
    raise InputError(f"expected {_EXPECTED[name]}{many}",
                     Where(display_path(found[0]), row=int(found[1]) + (1 if csv else 0), column=name))


def _write(con: Any, query: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "PARQUET" if out.name.lower().endswith(".parquet") else "CSV, HEADER true"
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        _do(con, f"COPY ({query}) TO '{_sql_path(tmp)}' (FORMAT {fmt})")
        os.replace(tmp, out)  # a reader never sees half a table
    finally:
        Path(tmp).unlink(missing_ok=True)


def _do(con: Any, sql: str) -> None:
    # DuckDB wants every result consumed before the connection's next statement.
    con.execute(sql).fetchall()


def _one(con: Any, sql: str) -> Any:
    rows = con.execute(sql).fetchall()
    return rows[0] if rows else None


def _sql_path(path: str) -> str:
    return path.replace("'", "''")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
