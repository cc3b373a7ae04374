"""Bad input ends `weekly build` with status 2, one clear line and no output; good input loads."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import Row, facts_of, tree_bytes, usage_csv, week, write_report

from generator.cli import main
from generator.kinds.llm_usage.load import load_snapshot
from generator.report import load_report

ROWS: list[Row] = [
    (week(0), "acme/a1", 300), (week(0), "bolt/b1", 200), (week(0), "others", 50),
    (week(1), "acme/a1", 330), (week(1), "bolt/b1", 180), (week(1), "crane/c1", 40),
    (week(1), "others", 60),
]
HEADER = "week,model,tokens\n"


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A good report folder `demo/` in a fresh working directory (messages show short paths)."""
    monkeypatch.chdir(tmp_path)
    return write_report(tmp_path / "demo", ROWS)


def refused(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    """Run `weekly build` on the folder; check status 2, one line, no trace, no output."""
    out = folder.parent / "out"
    status = main(["build", "--report", str(folder), "--out", str(out), *extra])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert status == 2, captured.err
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err
    assert lines[0].startswith("weekly: error: ")
    assert not out.exists() or list(out.rglob("*")) == []  # no edition folder, not even empty
    return lines[0]


def assert_mentions(line: str, *needles: str) -> None:
    """Every needle occurs in the error line."""
    for needle in needles:
        assert needle in line, f"{needle!r} not in {line!r}"


BAD_USAGE = {
    "missing column": (
        "week,model\n2026-01-05,acme/a1\n",
        ("demo/usage.csv, row 1", "column 'tokens' is missing", "expected columns week, model, tokens"),
    ),
    "non-numeric tokens": (
        HEADER + "2026-01-05,acme/a1,5\n2026-01-05,bolt/b1,lots\n",
        ("demo/usage.csv, row 3, column tokens", "expected a non-negative whole number", "'lots'"),
    ),
    "negative tokens": (
        HEADER + "2026-01-05,acme/a1,-5\n",
        ("demo/usage.csv, row 2, column tokens", "expected a non-negative whole number", "-5"),
    ),
    "fractional tokens": (
        HEADER + "2026-01-05,acme/a1,12.5\n",
        ("demo/usage.csv, row 2, column tokens", "whole number", "fraction 12.5"),
    ),
    "tokens too large to hold": (
        HEADER + "2026-01-05,acme/a1,99999999999999999999999\n",
        ("demo/usage.csv, row 2, column tokens", "whole number", "too large"),
    ),
    "row longer than the header": (
        HEADER + "2026-01-05,acme/a1,5\n2026-01-05,bolt/b1,5,7\n",
        ("demo/usage.csv, row 3", "expected at most 3 fields as in the header, got 4"),
    ),
    "first row longer than the header": (
        # pandas would take the first field as an index and shift every column to the left.
        HEADER + "2026-01-05,acme/a1,5,7\n2026-01-05,bolt/b1,5\n",
        ("demo/usage.csv, row 2", "expected at most 3 fields as in the header, got 4"),
    ),
    "empty file": ("", ("demo/usage.csv", "empty", "expected a header")),
    "header only": (HEADER, ("demo/usage.csv", "no rows of data")),
    "unparsable week": (
        HEADER + "2026-01-05,acme/a1,5\nnext week,acme/a1,5\n",
        ("demo/usage.csv, row 3, column week", "expected a week as YYYY-MM-DD", "'next week'"),
    ),
    "week not a Monday": (
        HEADER + "2026-01-06,acme/a1,5\n",
        ("demo/usage.csv, row 2, column week", "expected a Monday", "2026-01-05"),
    ),
    "empty week": (
        HEADER + ",acme/a1,5\n",
        ("demo/usage.csv, row 2, column week", "empty cell"),
    ),
    "empty model": (HEADER + "2026-01-05,,5\n", ("row 2, column model", "expected text")),
    "bad country in usage": (
        "week,model,tokens,country\n2026-01-05,acme/a1,5,CN\n2026-01-05,bolt/b1,5,China\n",
        ("demo/usage.csv, row 3, column country", "ISO 3166 alpha-2", "'China'"),
    ),
    "duplicate week and model": (
        HEADER + "2026-01-05,acme/a1,5\n2026-01-05,bolt/b1,5\n2026-W02,acme/a1,7\n",
        ("demo/usage.csv, row 4, column model", "duplicate week 2026-01-05", "'acme/a1'",
         "first given at demo/usage.csv, row 2"),
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_USAGE))
def test_bad_usage(case: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, needles = BAD_USAGE[case]
    (folder / "usage.csv").write_text(text, encoding="utf-8")
    assert_mentions(refused(folder, capsys), *needles)


def test_duplicate_across_drops_names_both_files(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    drops = folder / "drops"
    drops.mkdir()
    (drops / "2026-W02.csv").write_text(usage_csv(ROWS[:3]), encoding="utf-8")
    (drops / "2026-W03.csv").write_text(usage_csv([ROWS[1], *ROWS[3:]]), encoding="utf-8")
    line = refused(folder, capsys, "--usage", str(drops))
    assert_mentions(line, "demo/drops/2026-W03.csv, row 2", "demo/drops/2026-W02.csv, row 3",
                    "'bolt/b1'", "duplicate")


@pytest.mark.parametrize("value", ["2026-03-02", "2026-W10"])
def test_week_not_in_the_data(value: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(folder, capsys, "--week", value)
    assert_mentions(line, "2026-W10", "not in the data", "2026-W02", "2026-W03")


def test_week_argument_not_a_monday(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_mentions(refused(folder, capsys, "--week", "2026-01-07"), "--week", "Monday")


def test_unknown_usage_format(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "usage.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    line = refused(folder, capsys, "--usage", str(folder / "usage.xlsx"))
    assert_mentions(line, "demo/usage.xlsx", "unknown format '.xlsx'", ".csv", ".parquet",
                    ".jsonl", ".json")


def test_missing_usage_file(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "usage.csv").unlink()
    assert_mentions(refused(folder, capsys), "demo/usage.csv", "file not found")


def test_bad_catalogue_value(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, models=[
        {"model": "acme/a1", "context_length": 128000},
        {"model": "bolt/b1", "context_length": "lots"},
    ])
    assert_mentions(refused(folder, capsys), "demo/models.csv, row 3, column context_length",
                    "expected a non-negative whole number", "'lots'")


def test_bad_country_code(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, authors=[("acme", "Acme", "CN"), ("bolt", "Bolt", "China")])
    assert_mentions(refused(folder, capsys), "demo/authors.csv, row 3, column country",
                    "expected an ISO 3166 alpha-2 country code")


def test_unknown_setting(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, settings='colour = "red"')
    assert_mentions(refused(folder, capsys), "demo/report.toml", "unknown setting 'colour'")


def test_setting_of_the_wrong_kind(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_report(folder, ROWS, settings='top_n = "ten"')
    assert_mentions(refused(folder, capsys), "demo/report.toml", "'top_n'", "expected a int")


def test_missing_report_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = refused(tmp_path / "nowhere", capsys)
    assert_mentions(line, "nowhere/report.toml", "expected a report folder")


@pytest.mark.parametrize("failure", ["bad tokens", "absent week"])
def test_failed_build_keeps_the_previous_edition(
    failure: str, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = folder.parent / "out"
    previous = out / "demo" / "2026-W20"
    previous.mkdir(parents=True)
    (previous / "facts.json").write_text('{"week": "2026-05-11"}\n', encoding="utf-8")
    (previous / "index.html").write_text("<p>last week</p>\n", encoding="utf-8")
    before = (tree_bytes(out), sorted(out.rglob("*")))
    extra: list[str] = []
    if failure == "bad tokens":
        (folder / "usage.csv").write_text(HEADER + "2026-01-05,acme/a1,x\n", encoding="utf-8")
    else:
        extra = ["--week", "2026-W30"]
    status = main(["build", "--report", str(folder), "--out", str(out), *extra])
    assert status == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert (tree_bytes(out), sorted(out.rglob("*"))) == before


# ---------------------------------------------------------------- good input, other shapes


def test_csv_with_bom_and_trailing_blank_line(folder: Path) -> None:
    expected = facts_of(load_report(folder), week(1)).to_json()
    (folder / "usage.csv").write_bytes(("\ufeff" + usage_csv(ROWS) + "\n").encode("utf-8"))
    assert facts_of(load_report(folder), week(1)).to_json() == expected


def _write_usage(path: Path, fmt: str) -> None:
    """Write ROWS as JSON Lines, a JSON array or Parquet (week as text or as a date)."""
    records = [{"week": w, "model": m, "tokens": t} for w, m, t in ROWS]
    if fmt == "jsonl":
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    elif fmt == "json":
        path.write_text(json.dumps(records), encoding="utf-8")
    else:
        frame = pd.DataFrame.from_records(records)
        if fmt == "parquet-dates":
            frame["week"] = pd.to_datetime(frame["week"])
        frame.to_parquet(path, index=False)


@pytest.mark.parametrize("fmt", ["jsonl", "json", "parquet", "parquet-dates"])
def test_other_formats_give_identical_facts(fmt: str, folder: Path) -> None:
    expected = facts_of(load_report(folder), week(1)).to_json()
    name = "usage." + fmt.split("-")[0]
    _write_usage(folder / name, fmt)
    write_report(folder, ROWS, usage_name=name)
    (folder / "usage.csv").unlink()
    assert facts_of(load_report(folder), week(1)).to_json() == expected


def test_folder_of_weekly_drops_merges(folder: Path) -> None:
    expected = facts_of(load_report(folder), week(1)).to_json()
    drops = folder / "drops"
    drops.mkdir()
    (drops / "2026-W02.csv").write_text(usage_csv(ROWS[:3]), encoding="utf-8")
    (drops / "all.jsonl").write_text(
        "".join(json.dumps({"week": w, "model": m, "tokens": t}) + "\n" for w, m, t in ROWS[3:]),
        encoding="utf-8",
    )
    (drops / "README.txt").write_text("not a drop\n", encoding="utf-8")
    write_report(folder, ROWS, usage_name="drops")
    snapshot = load_snapshot(load_report(folder))
    assert [Path(s).name for s in snapshot.sources] == ["2026-W02.csv", "all.jsonl"]
    assert facts_of(load_report(folder), week(1)).to_json() == expected


def test_openrouter_models_response(folder: Path) -> None:
    created = 1767571200  # 2026-01-05 00:00 UTC
    data = {"data": [
        {"id": "acme/a1", "name": "Acme: A1 Large", "created": created, "context_length": 1000000,
         "architecture": {"input_modalities": ["text", "image"]},
         "pricing": {"prompt": "0.0000003", "completion": "0.0000012"},
         "hugging_face_id": "acme/A1-Large"},
        {"id": "acme/a1:free", "name": "Acme: A1 Large (free)", "created": created,
         "context_length": 32000, "pricing": {"prompt": "0", "completion": "0"},
         "hugging_face_id": "acme/A1-Large"},
        {"id": "bolt/b1", "name": "Bolt: B1", "created": created, "context_length": 200000,
         "architecture": {"input_modalities": ["text"]},
         "pricing": {"prompt": "0.000003", "completion": "0.000015"}, "hugging_face_id": ""},
    ]}
    path = folder / "openrouter.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    snapshot = load_snapshot(load_report(folder), models_path=path)
    a1 = snapshot.catalogue["acme/a1"]
    assert (a1.name, a1.author, a1.released.isoformat() if a1.released else None) == (
        "A1 Large", "acme", "2026-01-05")
    assert (a1.price_prompt, a1.price_completion, a1.context_length) == (0.3, 1.2, 1000000)
    assert (a1.input_modalities, a1.open_weights) == (("text", "image"), True)
    b1 = snapshot.catalogue["bolt/b1"]
    assert (b1.price_prompt, b1.price_completion, b1.open_weights) == (3.0, 15.0, False)
    assert "acme/a1:free" not in snapshot.catalogue


def test_authors_as_json_with_missing_cells(folder: Path) -> None:
    (folder / "authors.json").write_text(json.dumps([
        {"author": "acme", "name": "Acme", "country": "cn"}, {"author": "bolt", "name": "Bolt"},
    ]), encoding="utf-8")
    text = (folder / "report.toml").read_text(encoding="utf-8")
    (folder / "report.toml").write_text(text.replace("authors.csv", "authors.json"), "utf-8")
    facts = facts_of(load_report(folder), week(1))
    assert [(m.model, m.country) for m in facts.models][:2] == [("acme/a1", "CN"), ("bolt/b1", None)]


@pytest.mark.parametrize(
    ("name", "content", "needles"),
    [
        ("usage.jsonl", b'{"week": "2026-01-05", "model": "acme/a1", "tokens": 5}\n'
         b'{"week": "2026-01-05", "model": "acme/\xff\xfe", "tokens": 5}\n',
         ("demo/usage.jsonl, row 2", "expected UTF-8 text")),
        ("usage.jsonl", b"[" * 100_000 + b"\n", ("demo/usage.jsonl, row 1", "nested too deeply")),
        ("usage.json", b"[" * 100_000, ("demo/usage.json", "nested too deeply")),
    ],
)
def test_undecodable_json_is_one_line(
    name: str, content: bytes, needles: tuple[str, ...], folder: Path,
    capsys: pytest.CaptureFixture[str]
) -> None:
    # Both once escaped as a traceback: a text-mode file raising UnicodeDecodeError, and
    # json's recursion limit.
    (folder / name).write_bytes(content)
    assert_mentions(refused(folder, capsys, "--usage", str(folder / name)), *needles)
