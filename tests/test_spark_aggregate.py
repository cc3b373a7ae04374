"""`weekly aggregate --engine spark` on local Spark writes the same files and refuses the same rows.

One SparkSession (local[2]) serves the whole module: starting the JVM is most of the cost.
The engine finds it active and uses it rather than starting its own.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname
from zoneinfo import ZoneInfo

import pytest

from generator.aggregate import spark as spark_engine
from generator.cli import main

pyspark_sql = pytest.importorskip("pyspark.sql")
pq = pytest.importorskip("pyarrow.parquet")
pa = pytest.importorskip("pyarrow")
UTC = dt.UTC
ZONES = ("Europe/London", "America/St_Johns")  # a daylight-saving change; a half-hour offset


def _java() -> bool:
    java = shutil.which("java")
    return java is not None and subprocess.run([java, "-version"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not _java():
        pytest.skip("no Java runtime (./dev setup installs one)")
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("weekly tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               # Not spark-warehouse/ in the repository.
               .config("spark.sql.warehouse.dir", tmp_path_factory.mktemp("warehouse").as_uri())
               # Loopback only: local mode needs no other interface.
               .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.ui.showConsoleProgress", "false").getOrCreate())
    yield session
    session.stop()


def _moments(rng: random.Random) -> list[dt.datetime]:
    """Events spread over 30 weeks, and dense within 90 minutes of each local Monday midnight."""
    start = dt.datetime(2025, 9, 1, tzinfo=UTC)
    moments = [start + dt.timedelta(seconds=rng.randrange(210 * 86_400)) for _ in range(600)]
    for zone in ZONES:
        for k in range(30):
            monday = dt.datetime.combine(dt.date(2025, 9, 1) + dt.timedelta(weeks=k), dt.time(),
                                         tzinfo=ZoneInfo(zone))
            moments += [(monday + dt.timedelta(seconds=rng.randint(-5400, 5400))).astimezone(UTC)
                        for _ in range(6)]
    return moments


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same events twice: a CSV with offsets written three ways, and a Parquet folder."""
    rng = random.Random(19)
    folder = tmp_path_factory.mktemp("events")
    moments = _moments(rng)
    models = [f"lab-{rng.randrange(3)}/model-{rng.randrange(9)}" for _ in moments]
    prompts = [rng.randrange(6000) for _ in moments]
    completions = [rng.randrange(900) for _ in moments]
    with (folder / "events.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "model", "tokens", "prompt_tokens", "completion_tokens"])
        for i, moment in enumerate(moments):
            style = i % 3
            text = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") if style == 0 else
                    moment.astimezone(dt.timezone(dt.timedelta(hours=-3, minutes=-30))).isoformat()
                    if style == 1 else moment.strftime("%Y-%m-%d %H:%M:%S"))
            writer.writerow([text, models[i], prompts[i] + completions[i], prompts[i], completions[i]])
    lake = folder / "lake"
    lake.mkdir()
    half = len(moments) // 2
    for part, (a, b) in enumerate(((0, half), (half, len(moments)))):
        pq.write_table(pa.table({
            "timestamp": pa.array(moments[a:b], pa.timestamp("us", tz="UTC")),
            "model": models[a:b],
            "tokens": [p + c for p, c in zip(prompts[a:b], completions[a:b], strict=True)],
        }), lake / f"part-{part}.parquet")
    return {"csv": folder / "events.csv", "parquet": lake}


@pytest.mark.parametrize("zone", ZONES)
def test_both_engines_write_identical_files(spark: Any, events: dict[str, Path], tmp_path: Path,
                                            zone: str, capsys: pytest.CaptureFixture[str]) -> None:
    for source, suffix in (("csv", ".csv"), ("parquet", ".parquet")):
        written = {}
        for engine in ("duckdb", "spark"):
            out = tmp_path / f"{source}-{engine}{suffix}"
            flags = ["--engine", engine] + (["--master", "local[2]"] if engine == "spark" else [])
            assert main(["aggregate", str(events[source]), "--out", str(out), "--timezone", zone,
                         *flags]) == 0, capsys.readouterr().err
            written[engine] = out.read_bytes()
        assert written["spark"] == written["duckdb"], (source, zone)
        summary = [line.rsplit(" in ", 1)[0] for line in capsys.readouterr().out.splitlines()]
        assert len(summary) == 2 and summary[0] == summary[1]
    # Not two empty files: weeks of both kinds of local Monday, and every event counted.
    table = pq.read_table(tmp_path / "parquet-spark.parquet").to_pylist()
    assert len({r["week"] for r in table}) >= 30
    assert sum(r["requests"] for r in table) == len(_moments(random.Random(19)))
    assert {dt.date.fromisoformat(r["week"]).weekday() for r in table} == {0}
    rows = list(csv.DictReader((tmp_path / "csv-spark.csv").open(encoding="utf-8")))
    assert set(rows[0]) == {"week", "model", "tokens", "requests", "prompt_tokens", "completion_tokens"}


def test_the_two_zones_file_boundary_events_differently(spark: Any, events: dict[str, Path],
                                                        tmp_path: Path) -> None:
    # Guards the test above: the zone reaches Spark's weeks (else both files could agree by luck).
    outs = []
    for zone in ZONES:
        out = tmp_path / f"{zone.replace('/', '-')}.csv"
        assert main(["aggregate", str(events["csv"]), "--out", str(out), "--timezone", zone,
                     "--engine", "spark"]) == 0
        outs.append(out.read_text(encoding="utf-8"))
    assert outs[0] != outs[1]


GOOD = ("2026-05-12T09:00:00Z", "a/m", "7", "4", "3")
BAD_ROWS = [
    (("2026-05-12T10:00:00Z", "a/m", "-5", "", ""), "tokens"),
    (("2026-05-12T10:00:00Z", "a/m", "1.5", "", ""), "tokens"),
    (("2026-05-12T10:00:00Z", "a/m", "ten", "", ""), "tokens"),
    (("yesterday", "a/m", "5", "", ""), "timestamp"),
    (("2026", "a/m", "5", "", ""), "timestamp"),  # an instant to Spark's own cast, not to DuckDB's
    (("1812-05-12T10:00:00Z", "a/m", "5", "", ""), "timestamp"),
    (("2026-05-12T10:00:00Z", "  ", "5", "", ""), "model"),
    (("2026-05-12T10:00:00Z", "a/m", "5", "-1", ""), "prompt_tokens"),
]


def test_bad_rows_give_the_same_one_line_error(spark: Any, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for k, (bad, column) in enumerate(BAD_ROWS):
        folder = tmp_path / f"case-{k}"
        folder.mkdir()
        with (folder / "e.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["timestamp", "model", "tokens", "prompt_tokens", "completion_tokens"])
            writer.writerows([GOOD, GOOD, bad, GOOD, bad])
        errors = {}
        for engine in ("duckdb", "spark"):
            out = folder / f"{engine}.csv"
            assert main(["aggregate", str(folder / "e.csv"), "--out", str(out), "--timezone", "UTC",
                         "--engine", engine]) == 2
            errors[engine] = capsys.readouterr().err.strip().splitlines()
            assert not out.exists()
        assert len(errors["duckdb"]) == 1 and errors["spark"] == errors["duckdb"], bad
        assert f"e.csv, row 4, column {column}: expected " in errors["spark"][0]
        assert "(2 such rows)" in errors["spark"][0]


def test_missing_columns_and_no_events_read_the_same(spark: Any, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for k, content in enumerate(("timestamp,model\n2026-05-12T10:00:00Z,a/m\n", "timestamp,model,tokens\n")):
        events = tmp_path / f"e{k}.csv"
        events.write_text(content, encoding="utf-8")
        errors = []
        for engine in ("duckdb", "spark"):
            assert main(["aggregate", str(events), "--out", str(tmp_path / "u.csv"),
                         "--engine", engine]) == 2
            errors.append(capsys.readouterr().err)
        assert errors[0] == errors[1] and len(errors[0].strip().splitlines()) == 1


def test_master_is_for_spark_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = tmp_path / "e.csv"
    events.write_text("timestamp,model,tokens\n2026-05-12T10:00:00Z,a/m,5\n", encoding="utf-8")
    assert main(["aggregate", str(events), "--out", str(tmp_path / "u.csv"), "--master", "local[2]"]) == 2
    assert main(["aggregate", "s3a://lake/events/", "--out", str(tmp_path / "u.csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "--master: only with --engine spark" in err[0] and "--engine spark only" in err[1]



class _Builder:
    """SparkSession.builder as far as `weekly aggregate` uses it, recording the settings."""

    def __init__(self) -> None:
        self.settings: dict[str, str] = {}
        self.stopped = False

    def appName(self, name: str) -> _Builder:
        return self

    def master(self, url: str) -> _Builder:
        return self

    def config(self, key: str, value: str) -> _Builder:
        self.settings[key] = value
        return self

    def getOrCreate(self) -> Any:
        conf = SimpleNamespace(get=lambda key, default=None: default, set=lambda key, value: None,
                               unset=lambda key: None)
        return SimpleNamespace(conf=conf, stop=lambda: setattr(self, "stopped", True))


def test_a_session_of_its_own_keeps_its_catalog_out_of_the_working_folder() -> None:
    # Started by `weekly aggregate` itself, a session would leave an empty spark-warehouse/
    # wherever the command was run (seen with a real one before the fix): its catalog goes
    # to a folder of its own, removed with the session.
    builder = _Builder()
    sql = SimpleNamespace(SparkSession=SimpleNamespace(getActiveSession=lambda: None, builder=builder))
    with spark_engine._session(sql, "local[1]"):
        warehouse = Path(url2pathname(urlsplit(builder.settings["spark.sql.warehouse.dir"]).path))
        assert warehouse.is_dir() and warehouse.is_relative_to(tempfile.gettempdir())
    assert builder.stopped and not warehouse.exists()
