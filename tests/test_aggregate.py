"""`weekly aggregate`: raw events into the weekly usage table, checked against a plain-Python sum."""

from __future__ import annotations

import csv
import datetime as dt
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from generator.aggregate import aggregate_events
from generator.cli import main
from generator.kinds.llm_usage.load import load_snapshot
from generator.report import load_report

pytest.importorskip("duckdb")
UTC = dt.UTC


def _write_events(path: Path, rows: list[tuple[str, str, object, object, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", "model", "tokens", "prompt_tokens", "completion_tokens"])
        writer.writerows(rows)
    return path


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _local_monday(moment: dt.datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return (local.date() - dt.timedelta(days=local.weekday())).isoformat()


@pytest.mark.parametrize("zone", ["Europe/London", "America/St_Johns", "Asia/Kathmandu",
                                  "Australia/Lord_Howe", "UTC"])
def test_sums_match_a_reference_across_daylight_saving_changes(tmp_path: Path, zone: str) -> None:
    rng = random.Random(11)
    start = dt.datetime(2025, 9, 1, tzinfo=UTC)
    span = int(dt.timedelta(days=240).total_seconds())
    # Dense near each local Monday midnight, where a wrong offset would misfile an event.
    mondays = [dt.datetime.combine(dt.date(2025, 9, 1) + dt.timedelta(weeks=k), dt.time(),
                                   tzinfo=ZoneInfo(zone)) for k in range(34)]
    moments = [start + dt.timedelta(seconds=rng.randrange(span)) for _ in range(1500)]
    moments += [(m + dt.timedelta(seconds=rng.randint(-5400, 5400))).astimezone(UTC)
                for m in mondays for _ in range(20)]
    expected: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    rows = []
    for moment in moments:
        model = f"lab/model-{rng.randrange(7)}"
        prompt, completion = rng.randrange(5000), rng.randrange(900)
        # Offsets written three ways: Z, a fixed +hh:mm, and none (read as UTC).
        style = rng.randrange(3)
        text = (moment.strftime("%Y-%m-%dT%H:%M:%SZ") if style == 0 else
                moment.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30))).isoformat() if style == 1
                else moment.strftime("%Y-%m-%d %H:%M:%S"))
        rows.append((text, model, prompt + completion, prompt, completion))
        sums = expected[(_local_monday(moment, zone), model)]
        sums[0] += prompt + completion
        sums[1] += 1
        sums[2] += prompt
        sums[3] += completion
    events = _write_events(tmp_path / "events.csv", rows)
    done = aggregate_events(events, tmp_path / "usage.csv", zone)
    got = {(r["week"], r["model"]): [int(r["tokens"]), int(r["requests"]), int(r["prompt_tokens"]),
                                     int(r["completion_tokens"])] for r in _read(done.path)}
    assert got == dict(expected)
    assert done.events == len(rows) and done.rows == len(expected)
    assert all(dt.date.fromisoformat(w).weekday() == 0 for w, _ in got)


def test_the_boundary_is_local_midnight_on_both_sides_of_a_clock_change(tmp_path: Path) -> None:
    rows = [
        ("2026-03-29T22:59:59Z", "a/m", 1, "", ""),   # Sunday 23:59:59 BST: the week of 23 March
        ("2026-03-29T23:00:00Z", "a/m", 2, "", ""),   # Monday 00:00 BST: the week of 30 March
        ("2026-01-04T23:59:59Z", "a/m", 4, "", ""),   # Sunday 23:59:59 GMT
        ("2026-01-05T00:00:00Z", "a/m", 8, "", ""),   # Monday 00:00 GMT
        ("2026-05-18T00:30:00+01:00", "a/m", 16, "", ""),
    ]
    done = aggregate_events(_write_events(tmp_path / "e.csv", rows), tmp_path / "u.csv", "Europe/London")
    got = {r["week"]: int(r["tokens"]) for r in _read(done.path)}
    assert got == {"2026-03-23": 1, "2026-03-30": 2, "2025-12-29": 4, "2026-01-05": 8, "2026-05-18": 16}


def test_parquet_folder_in_parquet_out_and_the_loader_reads_it(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    folder = tmp_path / "events"
    folder.mkdir()
    base = dt.datetime(2026, 5, 11, 6, tzinfo=UTC)
    for part in range(2):
        stamps = [base + dt.timedelta(hours=h + 200 * part) for h in range(150)]
        pq.write_table(pa.table({"timestamp": stamps, "model": ["x/a", "x/b", "others"] * 50,
                                 "tokens": [1000 + h for h in range(150)]}), folder / f"part-{part}.parquet")
    done = aggregate_events(folder, tmp_path / "usage.parquet", "Europe/London")
    table = pq.read_table(done.path).to_pylist()
    assert sum(r["tokens"] for r in table) == 2 * sum(1000 + h for h in range(150))
    assert sum(r["requests"] for r in table) == 300
    assert set(table[0]) == {"week", "model", "tokens", "requests"}
    snapshot = load_snapshot(load_report(None), done.path)
    assert [w.isoformat() for w in snapshot.weeks] == list(done.weeks)


def test_command_line_prints_a_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events = _write_events(tmp_path / "e.csv", [("2026-05-12T10:00:00Z", "a/m", 5, 3, 2)])
    assert main(["aggregate", str(events), "--out", str(tmp_path / "u.csv")]) == 0
    out = capsys.readouterr().out
    assert "aggregated 1 events into 1 rows (1 week(s), 2026-05-11" in out and "Europe/London" in out


def test_timezone_flag_sets_the_weeks_instead_of_the_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Sunday 20:00 UTC: still Sunday in London (21:00), already Monday in Tokyo (05:00).
    events = _write_events(tmp_path / "e.csv", [("2026-05-17T20:00:00Z", "a/m", 5, "", "")])
    for zone, monday in (("Europe/London", "2026-05-11"), ("Asia/Tokyo", "2026-05-18")):
        out = tmp_path / f"{zone.replace('/', '-')}.csv"
        assert main(["aggregate", str(events), "--out", str(out), "--timezone", zone]) == 0
        assert out.read_text(encoding="utf-8").splitlines()[1].startswith(f"{monday},a/m,5,")
        assert zone in capsys.readouterr().out
    assert main(["aggregate", str(events), "--out", str(tmp_path / "x.csv"),
                 "--timezone", "Mars/Olympus"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "expected an IANA time zone" in err[0] and "'Mars/Olympus'" in err[0]
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(("row", "column", "expected"), [
    (("2026-05-12T10:00:00Z", "a/m", -5, "", ""), "tokens", "non-negative whole number"),
    (("2026-05-12T10:00:00Z", "a/m", "1.5", "", ""), "tokens", "non-negative whole number"),
    (("2026-05-12T10:00:00Z", "a/m", "ten", "", ""), "tokens", "non-negative whole number"),
    (("yesterday", "a/m", 5, "", ""), "timestamp", "a timestamp"),
    (("1812-05-12T10:00:00Z", "a/m", 5, "", ""), "timestamp", "a timestamp between 1990"),
    (("2026-05-12T10:00:00Z", "  ", 5, "", ""), "model", "a model id"),
    (("2026-05-12T10:00:00Z", "a/m", 5, -1, ""), "prompt_tokens", "non-negative"),
])
def test_a_bad_row_is_one_line_naming_file_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], row: tuple[str, str, object, object, object],
    column: str, expected: str,
) -> None:
    good = ("2026-05-12T09:00:00Z", "a/m", 7, 4, 3)
    events = _write_events(tmp_path / "e.csv", [good, good, row, good])
    out = tmp_path / "u.csv"
    out.write_text("week,model,tokens\n2026-05-04,a/m,1\n", encoding="utf-8")
    assert main(["aggregate", str(events), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert f"e.csv, row 4, column {column}: expected " in err and expected in err
    # The previous table stays as it was, and no temporary file is left beside it.
    assert out.read_text(encoding="utf-8") == "week,model,tokens\n2026-05-04,a/m,1\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e.csv", "u.csv"]


@pytest.mark.parametrize(("content", "expected"), [
    ("timestamp,model\n2026-05-12T10:00:00Z,a/m\n",
     "column tokens: expected columns timestamp, model, tokens"),
    ("timestamp,model,tokens\n", "expected at least one usage event"),
    ("", "expected columns timestamp, model, tokens"),
])
def test_missing_columns_and_empty_files(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         content: str, expected: str) -> None:
    events = tmp_path / "e.csv"
    events.write_text(content, encoding="utf-8")
    assert main(["aggregate", str(events), "--out", str(tmp_path / "u.csv")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and expected in err
    assert not (tmp_path / "u.csv").exists()


def test_absent_and_unknown_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["aggregate", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "u.csv")]) == 2
    (tmp_path / "e.xlsx").write_bytes(b"PK")
    assert main(["aggregate", str(tmp_path / "e.xlsx"), "--out", str(tmp_path / "u.csv")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "no such events file or folder" in err[0] and "expected a .csv" in err[1]


def test_the_command_loads_no_library_it_does_not_use(tmp_path: Path) -> None:
    events = _write_events(tmp_path / "e.csv", [("2026-05-12T10:00:00Z", "a/m", 5, 3, 2)])
    code = (
        "import sys\n"
        "from generator.cli import main\n"
        f"assert main(['aggregate', {str(events)!r}, '--out', {str(tmp_path / 'u.csv')!r}]) == 0\n"
        "heavy = [m for m in ('pandas', 'matplotlib', 'weasyprint', 'pyarrow') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
