"""The aggregation's SQL: one text for every engine, so DuckDB and Spark can never drift apart.

Each statement is written once here. The few spellings the two dialects do not share (the
instant type, microseconds since 1970, integer division, a whole-string regular expression,
the order of rows within a file) are named in a `Dialect`, five short templates per engine,
filled in by the same functions. Everything else, which columns are read how, what counts as
a bad value, how an event finds its local week, what is summed, is the same text for both.

Timestamps are compared as microseconds since 1970 (UTC), so the bounds and the day table
are plain integers and no engine's time-zone rules take part: the local weeks come from the
day table, computed in Python with zoneinfo (`days.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.aggregate.days import DAY_US, FIRST_YEAR, LAST_YEAR, year_start_us

REQUIRED = ("timestamp", "model", "tokens")
OPTIONAL = ("prompt_tokens", "completion_tokens")
LOW_US, HIGH_US = year_start_us(FIRST_YEAR), year_start_us(LAST_YEAR + 1)

# ISO 8601 as both engines read it the same way; anything else is a bad timestamp. Without it
# each engine's own leniency would decide ("2026" is an instant to Spark, not to DuckDB).
ISO_INSTANT = ("[0-9]{4}-[0-9]{2}-[0-9]{2}"
               "([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,6})?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?")
# No backslash: Spark SQL would read it as an escape inside the string literal.
WHOLE = "[+]?[0-9]{1,18}"

# Column kinds, from each engine's type names (see `kind_of`).
TEXT, WHOLE_NUMBER, WIDE_NUMBER, FRACTION, INSTANT, OTHER = (
    "text", "whole", "wide", "fraction", "instant", "other")


@dataclass(frozen=True)
class Dialect:
    """The spellings an engine does not share with the other; `{}` marks the operand(s)."""

    name: str
    instant: str       # the SQL type of an absolute instant
    epoch_us: str      # microseconds since 1970 of an instant
    int_div: str       # whole-number division of two non-negative BIGINTs
    full_match: str    # does the whole text match the pattern
    file_order: str    # the window order that numbers a file's rows as they are in the file


DUCKDB = Dialect(
    name="duckdb",
    instant="TIMESTAMPTZ",
    epoch_us="epoch_us({})",
    int_div="({} // {})",
    full_match="regexp_full_match({}, '{}')",
    # DuckDB numbers rows in file order once preserve_insertion_order is on (the engine sets it
    # for this pass only).
    file_order="",
)
SPARK = Dialect(
    name="spark",
    instant="TIMESTAMP",  # with spark.sql.session.timeZone = UTC, an instant
    epoch_us="unix_micros({})",
    int_div="({} div {})",
    full_match="({} RLIKE '^(?:{})$')",
    # `seq` is monotonically_increasing_id(), which rises through a partition; the engine reads
    # each file as one partition for this pass.
    file_order="ORDER BY seq",
)


def kind_of(sql_type: str) -> str:
    """An engine's type name (DuckDB's or Spark's) as one of the column kinds above."""
    name = sql_type.strip().lower()
    if name in ("varchar", "string") or name.startswith(("varchar(", "char(")):
        return TEXT
    if name in ("tinyint", "smallint", "integer", "int", "bigint", "utinyint", "usmallint", "uinteger"):
        return WHOLE_NUMBER
    if name in ("ubigint", "hugeint", "uhugeint"):
        return WIDE_NUMBER
    if name in ("float", "double", "real") or name.startswith("decimal"):
        return FRACTION
    if name.startswith(("timestamp", "date")):
        return INSTANT
    return OTHER


def _microseconds(d: Dialect, kind: str) -> str:
    """SQL for the timestamp column as microseconds since 1970, NULL when it is not an instant."""
    if kind == TEXT:
        text = "trim(timestamp)"
        return (f"CASE WHEN {d.full_match.format(text, ISO_INSTANT)} "
                f"THEN {d.epoch_us.format(f'TRY_CAST({text} AS {d.instant})')} END")
    if kind == INSTANT:
        return d.epoch_us.format(f"CAST(timestamp AS {d.instant})")
    # Numbers are not taken as instants: the engines disagree on their unit.
    return "CAST(NULL AS BIGINT)"


def _whole(d: Dialect, column: str, kind: str) -> str:
    """SQL for a column as a whole number: NULL when empty, -1 (refused later) when not whole."""
    if kind == TEXT:
        # A cast would round "1.5" to 2 (DuckDB) or fail (Spark); trim() also keeps DuckDB from
        # pushing a strict cast into the CSV reader, which would fail on "ten" instead of
        # marking the row.
        text = f"trim({column})"
        return (f"CASE WHEN {column} IS NULL OR {text} = '' THEN NULL "
                f"WHEN {d.full_match.format(text, WHOLE)} THEN CAST({text} AS BIGINT) ELSE -1 END")
    if kind == FRACTION:
        # Whole when it survives the round trip; one engine rounds, the other truncates, and
        # either way 1.5 does not come back as 1.5.
        return (f"CASE WHEN TRY_CAST({column} AS BIGINT) = {column} THEN TRY_CAST({column} AS BIGINT) "
                f"WHEN {column} IS NOT NULL THEN -1 END")
    if kind == WHOLE_NUMBER:
        # Always fits; for a BIGINT column (the usual Parquet case) the cast costs nothing.
        return f"CAST({column} AS BIGINT)"
    if kind == WIDE_NUMBER:
        return f"CASE WHEN {column} IS NOT NULL THEN coalesce(TRY_CAST({column} AS BIGINT), -1) END"
    return f"CASE WHEN {column} IS NOT NULL THEN -1 END"


def typed_view(d: Dialect, kinds: dict[str, str], optional: tuple[str, ...]) -> str:
    """The view `typed` over the engine's view `events`: one row per event, values checked."""
    columns = [
        "filename",
        *(["seq"] if d.file_order else []),
        f"{_microseconds(d, kinds['timestamp'])} AS us",
        "CAST(model AS STRING) AS model",
        *(f"{_whole(d, c, kinds[c])} AS {c}" for c in ("tokens", *optional)),
    ]
    return f"CREATE OR REPLACE TEMPORARY VIEW typed AS SELECT {', '.join(columns)} FROM events"


def survey(d: Dialect, optional: tuple[str, ...]) -> str:
    """First pass, ungrouped and cheap: the count, the span in UTC days, whether a value is bad.

    One row: events, first day, last day, then one flag per checked column (in CHECKED order).
    """
    flags = [f"coalesce(count(us) < count(*) OR min(us) < {LOW_US} OR max(us) >= {HIGH_US}, false)",
             "coalesce(count(model) < count(*) OR min(length(trim(model))) = 0, false)",
             "coalesce(count(tokens) < count(*) OR min(tokens) < 0, false)",
             *(f"coalesce(min({c}) < 0, false)" for c in optional)]
    return (f"SELECT count(*), {d.int_div.format('min(us)', DAY_US)}, "
            f"{d.int_div.format('max(us)', DAY_US)}, {', '.join(flags)} FROM typed")


def checked(optional: tuple[str, ...]) -> tuple[str, ...]:
    """The columns whose flags `survey` returns, in its order."""
    return ("timestamp", "model", "tokens", *optional)


BAD = {
    "timestamp": f"us IS NULL OR us < {LOW_US} OR us >= {HIGH_US}",
    "model": "model IS NULL OR trim(model) = ''",
    "tokens": "tokens IS NULL OR tokens < 0",
    "prompt_tokens": "prompt_tokens < 0",
    "completion_tokens": "completion_tokens < 0",
}
EXPECTED = {
    "timestamp": f"a timestamp between {FIRST_YEAR} and {LAST_YEAR} (ISO 8601; UTC without an offset)",
    "model": "a model id",
    "tokens": "a non-negative whole number",
    "prompt_tokens": "a non-negative whole number or nothing",
    "completion_tokens": "a non-negative whole number or nothing",
}


def first_bad_row(d: Dialect, column: str) -> str:
    """Only on the error path: the file, the 1-based row within it and the count of bad rows."""
    return (f"SELECT filename, n, count(*) OVER () FROM ("
            f"SELECT row_number() OVER (PARTITION BY filename {d.file_order}) AS n, * FROM typed) numbered "
            f"WHERE {BAD[column]} ORDER BY filename, n LIMIT 1")


def weekly(d: Dialect, optional: tuple[str, ...]) -> str:
    """Second pass: each event into its local week by its UTC day, then one grouped sum.

    `days` is the engine's small table (day, week, cut, after); the week is the ordinal of its
    Monday. Sums are BIGINT in both engines (DuckDB would widen them to HUGEINT).
    """
    sums = "".join(f", CAST(sum(t.{c}) AS BIGINT) AS {c}" for c in optional)
    return (f"SELECT CASE WHEN t.us >= d.cut THEN d.after ELSE d.week END AS week, "
            f"t.model AS model, CAST(sum(t.tokens) AS BIGINT) AS tokens, count(*) AS requests{sums} "
            f"FROM typed t JOIN days d ON d.day = {d.int_div.format('t.us', DAY_US)} "
            f"GROUP BY 1, 2")
