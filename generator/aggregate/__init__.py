"""`weekly aggregate`: raw per-request usage events into the weekly usage table.

DuckDB is the embedded engine (`duck.py`); Spark (`spark.py`) runs the same statements on a
cluster. Both take their SQL from `query.py` and their steps from `flow.py`, and both write
through the same DuckDB writer, so they give the same file for the same events.
"""

from __future__ import annotations

from pathlib import Path

from generator.aggregate import duck, spark
from generator.aggregate.days import FIRST_YEAR, LAST_YEAR, day_table
from generator.aggregate.flow import Aggregated
from generator.aggregate.inputs import check_arguments, is_uri, list_inputs
from generator.errors import InputError, Where, display_path

ENGINES = ("duckdb", "spark")

__all__ = ["ENGINES", "FIRST_YEAR", "LAST_YEAR", "Aggregated", "aggregate_events", "check_arguments",
           "day_table"]


def aggregate_events(events: Path | str, out: Path, zone: str, memory_limit: str = "400MB",
                     threads: int = 2, engine: str = "duckdb", master: str | None = None) -> Aggregated:
    """Sum the events per local week and model into `out` (CSV, or Parquet by its extension)."""
    name = str(events)
    if engine not in ENGINES:
        raise InputError(f"--engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if master is not None and engine != "spark":
        raise InputError("--master: only with --engine spark")
    if is_uri(name) and engine != "spark":
        raise InputError(f"{name}: a storage URI is read by --engine spark only")
    check_arguments(name, out, memory_limit, threads)
    inputs = list_inputs(name)
    where = Where(name if is_uri(name) else display_path(name))
    if engine == "spark":
        return spark.aggregate(inputs, out, zone, where, master)
    return duck.aggregate(inputs, out, zone, where, memory_limit, threads)
