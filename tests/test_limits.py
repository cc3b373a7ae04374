"""Inputs too big to hold are refused before parsing, in one line and in bounded memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from helpers import week, write_report

from generator.cli import main

ROWS = [(week(0), "acme/a1", 300), (week(0), "bolt/b1", 200), (week(1), "acme/a1", 330),
        (week(1), "bolt/b1", 180)]
MIB = 1024 * 1024
# The child imports pandas, pyarrow and matplotlib (about 150 MiB); parsing a 1 GiB file or a
# million rows would take several times that.
RSS_BOUND = 400 * MIB
# Runs the CLI, then writes the peak RSS of its own address space (VmHWM, in kB). Not
# ru_maxrss: Linux carries the parent's peak across fork and exec into it, and the parent
# here is a pytest process that may have grown large on other tests.
_MEASURED = (
    "import os, re, sys\n"
    "from generator.cli import main\n"
    "status = main(sys.argv[1:])\n"
    "peak = re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)\n"
    "with open(os.environ['RSS_FILE'], 'w') as f:\n"
    "    f.write(peak)\n"
    "sys.exit(status)\n"
)


def build_measured(folder: Path, tmp_path: Path) -> tuple[int, list[str], int]:
    """Run `weekly build` in a child; return its status, stderr lines and peak RSS in bytes."""
    rss_file = tmp_path / "rss"
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "build", "--report", str(folder), "--out", str(out)],
        capture_output=True, text=True, env={**os.environ, "RSS_FILE": str(rss_file)},
        timeout=300,
    )
    assert not out.exists() or list(out.rglob("*")) == []
    return done.returncode, done.stderr.strip().splitlines(), int(rss_file.read_text()) * 1024


def test_a_one_gigabyte_file_is_refused_unread(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "demo", ROWS)
    usage = folder / "usage.csv"
    with usage.open("r+b") as handle:
        handle.truncate(1024 * MIB)  # sparse: a gigabyte by size, nothing on disk
    status, lines, rss = build_measured(folder, tmp_path)
    assert status == 2, lines
    assert len(lines) == 1 and "Traceback" not in lines[0]
    assert "usage.csv" in lines[0] and "1,073,741,824 bytes" in lines[0]
    assert "data.max_bytes" in lines[0]
    assert rss < RSS_BOUND, f"peak RSS {rss / MIB:.0f} MiB"


def test_a_million_models_are_refused_in_bounded_memory(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "demo", ROWS)
    lines = "".join(f"{week(0)},m/model-{i:07d},1000\n" for i in range(1_000_000))
    (folder / "usage.csv").write_text("week,model,tokens\n" + lines, encoding="utf-8")
    assert (folder / "usage.csv").stat().st_size < 50_000_000  # under the size limit
    status, err, rss = build_measured(folder, tmp_path)
    assert status == 2, err
    assert len(err) == 1 and "Traceback" not in err[0]
    assert "more than 20,000 distinct models" in err[0] and "data.max_models" in err[0]
    assert rss < RSS_BOUND, f"peak RSS {rss / MIB:.0f} MiB"


def refused_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Build in-process; require status 2, one line, nothing written; return the line."""
    out = folder.parent / "out"
    status = main(["build", "--report", str(folder), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2, err
    assert len(err) == 1, err
    assert not out.exists() or list(out.rglob("*")) == []
    return err[0]


def limited(tmp_path: Path, max_bytes: int = 50_000_000, max_models: int = 20_000, **options: object
            ) -> Path:
    """A report folder whose report.toml sets the two limits."""
    folder = write_report(tmp_path / "demo", ROWS, **options)  # type: ignore[arg-type]
    toml = (folder / "report.toml").read_text(encoding="utf-8")
    toml = toml.replace("[data]\n", f"[data]\nmax_bytes = {max_bytes}\nmax_models = {max_models}\n")
    (folder / "report.toml").write_text(toml, encoding="utf-8")
    return folder


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """Write the frame in the format its file name names."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True)
    elif path.suffix == ".json":
        frame.to_json(path, orient="records")
    else:
        frame.to_parquet(path, index=False)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "json", "parquet"])
def test_model_limit_counts_distinct_models_in_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = limited(tmp_path, max_models=2, usage_name=f"usage.{fmt}")
    rows = [*ROWS, (week(1), "crane/c1", 40)]
    path = folder / f"usage.{fmt}"
    write_table(pd.DataFrame(rows, columns=["week", "model", "tokens"]), path)
    line = refused_line(folder, capsys)
    assert f"usage.{fmt}" in line and "more than 2 distinct models" in line
    # Two distinct models over four rows are within a limit of two: rows are not models.
    write_table(pd.DataFrame(ROWS, columns=["week", "model", "tokens"]), path)
    assert main(["build", "--report", str(folder), "--out", str(tmp_path / "out"), "--to", "md"]) == 0


def test_catalogue_over_the_model_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = limited(tmp_path, max_models=2)
    (folder / "models.json").write_text(json.dumps(
        {"data": [{"id": f"acme/m{i}", "pricing": {}} for i in range(3)]}), encoding="utf-8")
    toml = (folder / "report.toml").read_text(encoding="utf-8")
    (folder / "report.toml").write_text(toml.replace("[data]\n", '[data]\nmodels = "models.json"\n'))
    line = refused_line(folder, capsys)
    assert "models.json" in line and "data.max_models" in line


def test_authors_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = limited(tmp_path, max_bytes=200)
    (folder / "authors.csv").write_text("author,name,country\n" + "acme,Acme AI,CN\n" * 20)
    line = refused_line(folder, capsys)
    assert "authors.csv" in line and "at most 200 are accepted" in line


def test_a_limit_below_one_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused_line(limited(tmp_path, max_models=0), capsys)
    assert "setting 'data.max_models' expected at least 1" in line


@pytest.mark.parametrize(("content", "needle"), [
    (b"## Take: advice\n\n" + b"x" * 300, "at most 200 are accepted"),
    (b"## Take: advice\n\nna\xefve\xff\n", "expected UTF-8 text"),
])
def test_editor_notes_too_big_or_not_utf8(
    content: bytes, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The notes were read whole and decoded unchecked: a traceback on bad UTF-8.
    folder = limited(tmp_path, max_bytes=200)
    (folder / "notes").mkdir()
    (folder / "notes" / "2026-W03.md").write_bytes(content)
    line = refused_line(folder, capsys)
    assert "notes/2026-W03.md" in line and needle in line
