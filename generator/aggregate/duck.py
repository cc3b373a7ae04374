"""The embedded engine: DuckDB reads the events in streaming passes, and writes every usage table.

Both engines hand their summed table to `write_weekly` here, so a Spark run and a DuckDB run of
the same events write the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.aggregate import query
from generator.aggregate.days import DayTable, week_label
from generator.aggregate.flow import Aggregated, summarise
from generator.aggregate.inputs import Inputs
from generator.errors import InputError, Where

INSTALL = "pip install 'duckdb>=1.1'"
_CHUNK = 5000  # rows per INSERT ... VALUES statement


def duckdb_module() -> Any:
    """The duckdb module, or InputError saying how to install it."""
    try:
        import duckdb
    except ImportError:
        raise InputError(f"weekly aggregate needs DuckDB; install it with `{INSTALL}`") from None
    return duckdb


@dataclass(frozen=True)
class DuckEngine:
    """DuckDB behind the steps of `flow.summarise`."""

    con: Any
    dialect: query.Dialect = query.DUCKDB

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one statement; DuckDB wants every result consumed before the next."""
        return list(self.con.execute(sql).fetchall())

    def types(self) -> dict[str, str]:
        """Column name to DuckDB type name, for the view `events`."""
        return {str(r[0]): str(r[1]) for r in self.rows("DESCRIBE SELECT * FROM events")}

    def load_days(self, table: DayTable) -> None:
        """The day table, as plain VALUES: registering an Arrow table would import pandas (0.4 s)."""
        self.rows("CREATE OR REPLACE TEMP TABLE days (day BIGINT, week BIGINT, cut BIGINT, after BIGINT)")
        insert(self.con, "days", list(zip(*table, strict=True)))

    def in_file_order(self) -> None:
        """Only on this error path: an ordered pass, so that row_number() follows the file."""
        self.rows("SET preserve_insertion_order = true")

    def keep(self, sql: str, columns: tuple[str, ...]) -> None:
        """The summed table stays in this connection for `write_weekly`."""
        self.rows(f"CREATE OR REPLACE TEMP TABLE weekly AS {sql}")


def aggregate(inputs: Inputs, out: Path, zone: str, where: Where, memory_limit: str,
              threads: int) -> Aggregated:
    """Sum the events per local week and model into `out` with DuckDB."""
    duckdb = duckdb_module()
    listed = "[" + ", ".join(f"'{sql_text(n)}'" for n in inputs.names) + "]"
    if inputs.kind == "parquet":
        source = f"read_parquet({listed}, filename = true)"
    else:
        # Every column as text: the checks name the bad row instead of DuckDB guessing types.
        source = f"read_csv({listed}, header = true, all_varchar = true, filename = true)"
    with tempfile.TemporaryDirectory(prefix="weekly-aggregate-") as spill:
        con = duckdb.connect(config={"threads": threads, "memory_limit": memory_limit,
                                     "temp_directory": spill, "preserve_insertion_order": False})
        try:
            engine = DuckEngine(con)
            engine.rows("SET TimeZone = 'UTC'")  # a timestamp without an offset is UTC
            engine.rows("SET enable_progress_bar = false")
            # Views cannot take prepared parameters, so the names go in as quoted SQL literals.
            engine.rows(f"CREATE TEMP VIEW events AS SELECT * FROM {source}")
            events = summarise(engine, zone, where, inputs.csv)
            return write_weekly(con, out, events)
        except duckdb.Error as exc:
            raise InputError(f"expected readable usage events: {first_line(exc)}", where) from None
        finally:
            con.close()


def load_weekly(con: Any, columns: tuple[str, ...], rows: Sequence[Sequence[Any]]) -> None:
    """Another engine's summed rows as the table `weekly`, with the types DuckDB's own has."""
    types = ", ".join(f"{c} {'VARCHAR' if c == 'model' else 'BIGINT'}" for c in columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE weekly ({types})").fetchall()
    insert(con, "weekly", rows)


def write_weekly(con: Any, out: Path, events: int) -> Aggregated:
    """Write the table `weekly` to `out` (CSV, or Parquet by its extension), atomically."""
    columns = [str(r[0]) for r in con.execute("DESCRIBE weekly").fetchall()]
    weeks = tuple(week_label(int(r[0])) for r in
                  con.execute("SELECT DISTINCT week FROM weekly ORDER BY 1").fetchall())
    count = con.execute("SELECT count(*) FROM weekly").fetchall()[0][0]
    day = "strftime(DATE '0001-01-01' + CAST(week - 1 AS INTEGER), '%Y-%m-%d')"
    select = ", ".join(f"{day} AS week" if c == "week" else c for c in columns)
    out.parent.mkdir(parents=True, exist_ok=True)
    fmt = "PARQUET" if out.name.lower().endswith(".parquet") else "CSV, HEADER true"
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        # The model breaks ties, so the order (and the file) is the same whatever the engine.
        con.execute(f"COPY (SELECT {select} FROM weekly ORDER BY 1, tokens DESC, model) "
                    f"TO '{sql_text(tmp)}' (FORMAT {fmt})").fetchall()
        os.replace(tmp, out)  # a reader never sees half a table
    finally:
        Path(tmp).unlink(missing_ok=True)
    return Aggregated(out, int(count), events, weeks)


def insert(con: Any, table: str, rows: Sequence[Sequence[Any]]) -> None:
    """Rows into a table as literal VALUES, a few thousand to a statement."""
    for start in range(0, len(rows), _CHUNK):
        values = ", ".join("(" + ", ".join(_literal(v) for v in row) + ")"
                           for row in rows[start:start + _CHUNK])
        con.execute(f"INSERT INTO {table} VALUES {values}").fetchall()


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return f"'{sql_text(value)}'"
    return str(int(value))


def sql_text(text: str) -> str:
    """Text inside a single-quoted SQL literal."""
    return text.replace("'", "''")


def first_line(exc: BaseException) -> str:
    """The first line of an engine's error, short enough for one line of output."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
