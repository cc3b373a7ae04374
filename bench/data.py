"""Deterministic benchmark inputs: a long sample-like report, a wide history, raw events.

Every figure comes from a hash of its coordinates, never from a clock or a random state, so
two runs on two machines measure the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "reports" / "llm-usage"
LAST_WEEK = dt.date(2026, 5, 18)  # the sample's latest week (2026-W21)


def _unit(*parts: object) -> float:
    """A number in [0, 1) fixed by the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def long_report(folder: Path, weeks: int) -> Path:
    """The sample report with its usage stretched to `weeks` weeks ending at the sample's last."""
    target = folder / f"llm-usage-{weeks}w"
    if (target / "data" / "usage.csv").is_file():
        return target
    shutil.copytree(SAMPLE, target, ignore=shutil.ignore_patterns("notes", "__pycache__"))
    (target / "notes").mkdir(exist_ok=True)
    with (SAMPLE / "data" / "models.csv").open(encoding="utf-8", newline="") as handle:
        models = [row["model"] for row in csv.DictReader(handle)]
    rows = []
    for k in range(weeks):
        week = LAST_WEEK - dt.timedelta(weeks=weeks - 1 - k)
        trend = 1.0 + 1.5 * k / max(1, weeks - 1)
        for i, model in enumerate(models):
            base = 2e12 / (1 + i) ** 0.9
            tokens = round(base * trend * (0.8 + 0.4 * _unit(model, week)))
            rows.append((week.isoformat(), model, tokens))
        rows.append((week.isoformat(), "others", round(9e12 * trend)))
    _write_csv(target / "data" / "usage.csv", ("week", "model", "tokens"), rows)
    return target


def wide_history(folder: Path, models: int, weeks: int) -> Path:
    """A report of `models` models over `weeks` weeks, with a catalogue naming each one."""
    target = folder / f"history-{models}x{weeks}"
    if (target / "usage.csv").is_file():
        return target
    (target / "notes").mkdir(parents=True, exist_ok=True)
    authors = ["openai", "anthropic", "google", "deepseek", "qwen", "moonshotai", "mistralai", "x-ai"]
    names = [f"{authors[i % len(authors)]}/bench-model-{i}" for i in range(models)]
    catalogue = [(name, f"Bench Model {i}", name.split("/")[0], "2024-01-01", 128000, "text",
                  "true", 1, 2) for i, name in enumerate(names)]
    _write_csv(target / "models.csv", ("model", "name", "author", "released", "context_length",
                                       "input_modalities", "open_weights", "price_prompt",
                                       "price_completion"), catalogue)
    rows = []
    for k in range(weeks):
        week = (LAST_WEEK - dt.timedelta(weeks=weeks - 1 - k)).isoformat()
        for i, name in enumerate(names):
            rows.append((week, name, round(1e12 / (1 + i) * (0.5 + _unit(name, week)))))
    _write_csv(target / "usage.csv", ("week", "model", "tokens"), rows)
    report = (SAMPLE / "report.toml").read_text(encoding="utf-8")
    report = report.replace('usage = "data/usage.csv"', 'usage = "usage.csv"')
    report = report.replace('models = "data/models.csv"', 'models = "models.csv"')
    report = report.replace('authors = "data/authors.csv"\n', "")
    (target / "report.toml").write_text(report, encoding="utf-8")
    return target


def raw_events(folder: Path, rows: int) -> Path:
    """`rows` request events over three weeks, as Parquet, written by DuckDB from hashes."""
    import duckdb

    target = folder / f"events-{rows}.parquet"
    if target.is_file():
        return target
    partial = target.with_suffix(".tmp")
    con = duckdb.connect()
    try:
        con.execute(_events_copy(0, int(rows), partial)).fetchall()
    finally:
        con.close()
    partial.replace(target)
    return target


def lake_events(folder: Path, rows: int, files: int = 10) -> Path:
    """`rows` request events over three weeks, as a folder of `files` Parquet files (a data lake's
    drop), the same rows as `raw_events` would write as one file."""
    import duckdb

    target = folder / f"lake-{rows}"
    if (target / "done").is_file():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    con = duckdb.connect(config={"threads": 2})
    try:
        con.execute("SET enable_progress_bar = false").fetchall()
        step = -(-rows // files)
        for part, start in enumerate(range(0, rows, step)):
            con.execute(_events_copy(start, min(rows, start + step),
                                     target / f"part-{part:03d}.parquet")).fetchall()
    finally:
        con.close()
    (target / "done").write_text(f"{rows}\n", encoding="utf-8")
    return target


def _events_copy(start: int, stop: int, target: Path) -> str:
    """The COPY statement that writes events `start` to `stop` (one per hash of its number, so
    a folder of parts holds the same rows as one file) as Parquet to `target`."""
    return f"""
        COPY (
          SELECT TIMESTAMPTZ '2026-05-04 00:00:00+00'
                   + to_microseconds(CAST(hash(i, 1) % CAST(1814400000000 AS UBIGINT) AS BIGINT))
                   AS timestamp,
                 'lab' || (hash(i, 2) % 40) || '/model-' || (hash(i, 3) % 500) AS model,
                 CAST(100 + hash(i, 4) % 20000 AS BIGINT) AS prompt_tokens,
                 CAST(10 + hash(i, 5) % 4000 AS BIGINT) AS completion_tokens,
                 prompt_tokens + completion_tokens AS tokens
          FROM range({start}, {stop}) t(i)
        ) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)
    """


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


if __name__ == "__main__":
    # Generating in a process of its own keeps DuckDB's memory out of the harness: a child
    # forked from a large harness would report the harness's size as its own peak.
    import sys

    generators = {"raw_events": raw_events, "lake_events": lake_events}
    print(generators[sys.argv[1]](Path(sys.argv[2]), int(sys.argv[3])))
