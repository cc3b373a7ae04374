"""`weekly aggregate --engine spark`: the same statements on Apache Spark, through PySpark.

Only SQL runs on the cluster (no Python function is shipped to the executors), so the
executors need Spark alone; the driver needs this package and PySpark. The summed table is
small (weeks × models): it comes back to the driver and is written by the same DuckDB writer
as the embedded engine's, so both engines write the same bytes.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.aggregate import query
from generator.aggregate.days import DayTable
from generator.aggregate.duck import duckdb_module, first_line, load_weekly, write_weekly
from generator.aggregate.flow import Aggregated, summarise
from generator.aggregate.inputs import Inputs
from generator.errors import InputError, Where

INSTALL = "pip install 'weekly-edition[spark]' (and a Java 17+ runtime)"
DEFAULT_MASTER = "local[*]"
# Large enough that no event file is split: the error path numbers a file's rows in one pass.
_WHOLE_FILES = str(1 << 40)
# Settings the run needs, restored afterwards on a session it did not start.
_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",  # a timestamp without an offset is UTC
    "spark.sql.ansi.enabled": "true",  # an overflowing sum fails rather than wraps
}


@dataclass(frozen=True)
class PySpark:
    """What is used of PySpark: the SQL module and the errors that mean unreadable input."""

    sql: Any
    errors: tuple[type[BaseException], ...]


def _pyspark() -> PySpark:
    """PySpark (the one guarded import of it, so that DuckDB runs never load it), or InputError."""
    try:
        import pyspark.sql
        from py4j.protocol import Py4JJavaError
        from pyspark.errors import PySparkException
    except ImportError:
        raise InputError(f"--engine spark needs PySpark; install it with `{INSTALL}`") from None
    # Spark's own errors, or the JVM's through Py4J.
    return PySpark(pyspark.sql, (PySparkException, Py4JJavaError))


@dataclass(frozen=True)
class SparkEngine:
    """A SparkSession behind the steps of `flow.summarise`."""

    spark: Any
    writer: Any  # a DuckDB connection: the summed rows go there to be written
    dialect: query.Dialect = query.SPARK

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        """Run one statement on Spark and bring its rows to the driver."""
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def types(self) -> dict[str, str]:
        """Column name to Spark's type name, for the view `events`."""
        return {str(name): str(kind) for name, kind in self.spark.table("events").dtypes}

    def load_days(self, table: DayTable) -> None:
        """A few thousand rows at most: a local relation, which Spark broadcasts to the join."""
        frame = self.spark.createDataFrame(list(zip(*table, strict=True)),
                                           "day BIGINT, week BIGINT, cut BIGINT, after BIGINT")
        frame.createOrReplaceTempView("days")

    def in_file_order(self) -> None:
        """Each file one partition, so monotonically_increasing_id() follows its rows."""
        self.spark.conf.set("spark.sql.files.maxPartitionBytes", _WHOLE_FILES)

    def keep(self, sql: str, columns: tuple[str, ...]) -> None:
        """Collect the small summed table into the DuckDB writer."""
        load_weekly(self.writer, columns, self.rows(sql))


def aggregate(inputs: Inputs, out: Path, zone: str, where: Where, master: str | None) -> Aggregated:
    """Sum the events per local week and model into `out` with Spark."""
    pyspark = _pyspark()
    duckdb = duckdb_module()
    with _session(pyspark.sql, master) as spark:
        writer = duckdb.connect()
        try:
            reader = spark.read
            if inputs.csv:
                # Every column as text, as DuckDB reads it; "" doubles a quote, as in RFC 4180.
                frame = reader.csv(list(inputs.names), header=True, inferSchema=False, escape='"')
            else:
                frame = reader.parquet(*inputs.names)
            frame.selectExpr("*", "_metadata.file_path AS filename",
                             "monotonically_increasing_id() AS seq").createOrReplaceTempView("events")
            events = summarise(SparkEngine(spark, writer), zone, where, inputs.csv)
            return write_weekly(writer, out, events)
        except pyspark.errors as exc:
            raise InputError(f"expected readable usage events: {first_line(exc)}", where) from None
        finally:
            writer.close()
            for view in ("events", "typed", "days"):
                spark.catalog.dropTempView(view)


@contextmanager
def _session(sql: Any, master: str | None) -> Iterator[Any]:
    """The running SparkSession (spark-submit's, a test's) or a new one, stopped after if new."""
    # A local session started here keeps its (never written) catalog out of the working folder,
    # where Spark would otherwise leave an empty spark-warehouse/; a cluster's setting is its own.
    with tempfile.TemporaryDirectory(prefix="weekly-spark-") as scratch:
        yield from _active_or_new(sql, master, Path(scratch))


def _active_or_new(sql: Any, master: str | None, scratch: Path) -> Iterator[Any]:
    active = sql.SparkSession.getActiveSession()
    if active is not None:
        spark, started = active, False
    else:
        builder = sql.SparkSession.builder.appName("weekly aggregate")
        # Under spark-submit the master is spark-submit's; elsewhere --master or local[*].
        if master is not None or "PYSPARK_GATEWAY_PORT" not in os.environ:
            builder = builder.master(master or DEFAULT_MASTER)
            if (master or DEFAULT_MASTER).startswith("local"):
                # Everything is in this process: listen on loopback, not on the host's address.
                builder = builder.config("spark.driver.host", "127.0.0.1").config(
                    "spark.driver.bindAddress", "127.0.0.1").config(
                    "spark.sql.warehouse.dir", scratch.as_uri())
        for key, value in _SETTINGS.items():
            builder = builder.config(key, value)
        spark, started = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate(), True
    before = {key: spark.conf.get(key, None) for key in (*_SETTINGS, "spark.sql.files.maxPartitionBytes")}
    for key, value in _SETTINGS.items():
        spark.conf.set(key, value)
    try:
        yield spark
    finally:
        if started:
            spark.stop()
        else:
            for key, value in before.items():
                if value is None:
                    spark.conf.unset(key)
                else:
                    spark.conf.set(key, value)
