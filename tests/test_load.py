"""The loader's parts: cells, weeks, tables, variants, catalogue rows and the report file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from helpers import ReportFactory, facts_of, usage_csv, week, write_report

from generator.errors import InputError
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.llm_usage.load.catalogue import load_catalogue
from generator.kinds.llm_usage.load.identity import resolver
from generator.kinds.llm_usage.load.names import clean_name, name_from_id
from generator.kinds.llm_usage.load.usage import load_usage
from generator.kinds.llm_usage.load.variants import base_model
from generator.kinds.llm_usage.snapshot import CatalogueEntry, WeekProfile
from generator.load.tables import read_table
from generator.load.values import count_or_problem
from generator.report import VariantRules, load_report
from generator.weeks import WeekError, iso_label, parse_week


@pytest.mark.parametrize(("cell", "count"), [
    ("42", 42), (" 7 ", 7), ("1e12", 10**12), ("3.0", 3), ("+5", 5), (np.int64(9), 9), (0, 0),
    (2**53, 2**53),
])
def test_counts_accepted(cell: object, count: int) -> None:
    assert count_or_problem(cell) == count


@pytest.mark.parametrize(("cell", "problem"), [
    ("", "an empty cell"), (None, "an empty cell"), (float("nan"), "an empty cell"),
    ("-3", "a negative number -3"), (-3, "a negative number -3"), ("2.5", "a fraction 2.5"),
    ("1_000", "not a number"), ("1,000", "not a number"), ("inf", "not a number"),
    ("nan", "not a number"), (True, "not a number"), ("\u0663", "not a number"),
    ("1e300", "too large"), (2**53 + 1, "too large"), ("9" * 30, "too large"),
])
def test_counts_refused(cell: object, problem: str) -> None:
    result = count_or_problem(cell)
    assert isinstance(result, str) and problem in result


@pytest.mark.parametrize(("text", "monday"), [
    ("2026-05-18", dt.date(2026, 5, 18)), ("2026-W21", dt.date(2026, 5, 18)),
    ("2026W21", dt.date(2026, 5, 18)), (" 2026-01-05 ", dt.date(2026, 1, 5)),
    ("2026-W53", dt.date(2026, 12, 28)), ("2021-W01", dt.date(2021, 1, 4)),
])
def test_weeks_accepted(text: str, monday: dt.date) -> None:
    assert parse_week(text) == monday


@pytest.mark.parametrize(("text", "message"), [
    ("2026-05-19", "expected a Monday, got '2026-05-19' (a Tuesday; its week starts 2026-05-18)"),
    ("2025-W53", "an ISO week YYYY-Www that exists"), ("2026-02-30", "a date YYYY-MM-DD"),
    ("2026-5-18", "YYYY-MM-DD (a Monday) or YYYY-Www"), ("latest", "YYYY-Www"),
])
def test_weeks_refused(text: str, message: str) -> None:
    with pytest.raises(WeekError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_week(text)


def test_iso_label_across_the_year_end() -> None:
    assert [iso_label(dt.date(2025, 12, 29)), iso_label(dt.date(2026, 12, 28))] == [
        "2026-W01", "2026-W53"]


def test_csv_rows_are_line_numbers_even_with_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_text("week,model,tokens\n\n2026-01-05,a/x,1\n , , \n2026-01-05,b/y,2\n\n")
    frame = read_table(path).frame
    assert frame["_row"].tolist() == [3, 5]
    assert frame["model"].tolist() == ["a/x", "b/y"]


def test_jsonl_rows_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "u.jsonl"
    path.write_text('{"week": "2026-01-05"}\n\n{"week": "2026-01-12"}\n')
    assert read_table(path).frame["_row"].tolist() == [1, 3]
    path.write_text('{"week": "2026-01-05"}\n{"week": \n')
    with pytest.raises(InputError, match=r"u.jsonl, row 2: expected a JSON object per line"):
        read_table(path)
    path.write_text('{"week": "2026-01-05"}\n[1, 2]\n')
    with pytest.raises(InputError, match="row 2: expected a JSON object per line"):
        read_table(path)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("u.json", '{"week": 1}', "expected an array of records"),
    ("u.json", '[{"week": 1}, 7]', r"u.json, row 2: expected a JSON object"),
    ("u.json", "[{", "expected JSON"),
    ("u.json", "[]", "no rows of data"),
    ("u.parquet", "not parquet", "expected a Parquet file"),
    ("u.csv", 'week,model,tokens\n"2026-01-05,a,1\n', "expected UTF-8 CSV"),
])
def test_damaged_tables(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message) as caught:
        read_table(path)
    assert "\n" not in str(caught.value)


def test_csv_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "u.csv"
    path.write_bytes("week,model,tokens\n2026-01-05,caf\u00e9,1\n".encode("utf-16"))
    with pytest.raises(InputError, match="expected UTF-8 CSV"):
        read_table(path)


def test_base_model_rules() -> None:
    default = VariantRules()
    assert base_model("a/x:free", default) == "a/x"
    assert base_model("a/x:beta", default) == "a/x"
    assert base_model("a/x:thinking", default) == "a/x:thinking"
    assert base_model("a/x-20260423", default) == "a/x-20260423"
    dated = VariantRules(dated_slugs=True)
    assert base_model("a/x-20260423", dated) == "a/x"
    assert base_model("a/x-2026-04-23:free", dated) == "a/x"
    assert base_model("a/x-v2", dated) == "a/x-v2"
    renames = VariantRules(renames=(("a/old", "a/mid"), ("a/mid", "a/new"), ("b/p", "b/q"),
                                    ("b/q", "b/p")))
    assert base_model("a/old:free", renames) == "a/new"
    assert base_model("b/p", renames) in {"b/p", "b/q"}  # a cycle ends, it does not hang


def test_catalogue_csv_fields(tmp_path: Path) -> None:
    path = tmp_path / "models.csv"
    path.write_text(
        "model,name,released,context_length,input_modalities,open_weights,price_prompt,"
        "price_completion\n"
        "a/x,X,2026-01-05,128000,text+image,yes,0.5,-1\n"
        "a/x:free,X (free),,32000,text,yes,0,0\n"
        "b/y,,,,\"text, image ,audio\",,,\n"
    )
    catalogue = load_catalogue(path, VariantRules())
    x, y = catalogue["a/x"], catalogue["b/y"]
    assert (x.name, x.released, x.context_length) == ("X", dt.date(2026, 1, 5), 128000)
    assert (x.input_modalities, x.open_weights) == (("text", "image"), True)
    assert (x.price_prompt, x.price_completion) == (0.5, None)  # -1: variable, no price
    assert (y.name, y.context_length, y.open_weights, y.price_prompt) == (None, None, None, None)
    assert y.input_modalities == ("text", "image", "audio")
    assert set(catalogue) == {"a/x", "b/y"}


@pytest.mark.parametrize(("column", "value", "message"), [
    ("released", "soon", "expected a date YYYY-MM-DD, got 'soon'"),
    ("open_weights", "maybe", "expected true or false, got 'maybe'"),
    ("price_prompt", "cheap", "expected a price in USD, got 'cheap'"),
    ("context_length", "1.5", "expected a non-negative whole number, got '1.5'"),
])
def test_catalogue_bad_cells(tmp_path: Path, column: str, value: str, message: str) -> None:
    path = tmp_path / "models.csv"
    path.write_text(f"model,{column}\na/x,\nb/y,{value}\n")
    with pytest.raises(InputError, match=f"models.csv, row 3, column {column}: {message}"):
        load_catalogue(path, VariantRules())


def test_openrouter_bad_cells(tmp_path: Path) -> None:
    path = tmp_path / "models.json"
    path.write_text(json.dumps({"data": [{"id": "a/x", "created": "yesterday", "pricing": {}}]}))
    with pytest.raises(InputError, match="row 1, column created: expected a Unix time"):
        load_catalogue(path, VariantRules())
    path.write_text(json.dumps({"models": []}))
    with pytest.raises(InputError, match="an object with a 'data' array"):
        load_catalogue(path, VariantRules())


def test_usage_columns_optional_and_trimmed(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "r")
    (folder / "usage.csv").write_text(
        " week , model ,tokens,requests,author,country\n"
        f"{week(0)}, zeta/z1 ,10,,zeta,jp\n2026-W02,others,5,3,,\n"
    )
    usage = load_snapshot(load_report(folder)).usage
    assert usage["model"].tolist() == ["others", "zeta/z1"]
    assert usage["requests"].isna().tolist() == [False, True]
    assert usage["week"].tolist() == [dt.date(2026, 1, 5)] * 2


def test_rounded_figures_are_noticed(tmp_path: Path) -> None:
    rows = [(week(0), f"acme/m{i}", (i + 1) * 10**9) for i in range(10)]
    assert load_snapshot(load_report(write_report(tmp_path / "r", rows))).rounded_figures
    rows[0] = (week(0), "acme/m0", 10**9 + 1)
    assert not load_snapshot(load_report(write_report(tmp_path / "s", rows))).rounded_figures


def test_report_settings(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "my-report", settings='title = "T"\ntop_n = 5',
                          tables='[variants]\ndated_slugs = true\n[variants.renames]\n"a/o" = "a/n"')
    report = load_report(folder / "report.toml")
    assert (report.slug, report.title, report.top_n) == ("my-report", "T", 5)
    assert report.variants == VariantRules(VariantRules().merge, True, (("a/o", "a/n"),))
    assert (report.usage_path, report.models_path) == (folder / "usage.csv", None)
    (folder / "report.toml").write_text("title = \n")
    with pytest.raises(InputError, match=r"report\.toml: expected valid TOML"):
        load_report(folder)


def test_usage_file_and_folder_errors(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "r", usage_name="drops")
    (folder / "drops").mkdir()
    (folder / "drops" / "notes.txt").write_text("x")
    with pytest.raises(InputError, match=r"drops: expected usage files \(.csv"):
        load_snapshot(load_report(folder))
    (folder / "drops" / "2026-W02.csv").write_text(usage_csv([(week(0), "acme/a1", 1)]))
    assert len(load_snapshot(load_report(folder)).usage) == 1


def test_a_declared_total_becomes_the_long_tail(report_factory: ReportFactory) -> None:
    rows = [(w, m, t) for i in range(3) for w in [week(i)]
            for m, t in (("acme/a1", 100 + i), ("bolt/b1", 50), ("total", 400))]
    facts = facts_of(report_factory(rows), week(2))
    assert (facts.coverage.kind, facts.coverage.list_size) == ("complete", None)
    assert (facts.total.tokens, facts.coverage.others_tokens) == (400, 400 - 102 - 50)
    # Without the total the same rows are a list of two, and say so.
    listed = facts_of(report_factory([r for r in rows if r[1] != "total"]), week(2))
    assert (listed.coverage.kind, listed.coverage.list_size, listed.total.tokens) == ("list", 2, 152)


def test_a_declared_total_must_hold_the_listed_models(report_factory: ReportFactory) -> None:
    small = report_factory([(week(0), "acme/a1", 100), (week(0), "total", 90)])
    with pytest.raises(InputError, match=r"row 3, column tokens: the declared total 90 is smaller "
                                         r"than the 100 tokens"):
        load_snapshot(small)
    both = report_factory([(week(0), "acme/a1", 100), (week(0), "total", 190),
                           (week(0), "others", 90)])
    with pytest.raises(InputError, match="has both a `total` and an `others` row"):
        load_snapshot(both)


def test_display_names_lose_maker_prefix_and_merged_marks() -> None:
    marks = ("free", "exacto")
    assert clean_name("Anthropic: Claude Sonnet 4", marks) == "Claude Sonnet 4"
    assert clean_name("Tencent: Hy3 Preview (free)", marks) == "Hy3 Preview"
    assert clean_name("MoonshotAI: Kimi K2 0905 (exacto)", marks) == "Kimi K2 0905"
    # A mark that names a model kept apart, and a date that tells two snapshots apart, stay.
    assert clean_name("DeepSeek: R1 (thinking)", marks) == "R1 (thinking)"
    assert clean_name("OpenAI: GPT-4o (2024-11-20)", marks) == "GPT-4o (2024-11-20)"
    assert name_from_id("moonshotai/kimi-k2.5-0127") == "kimi-k2.5"


def test_catalogue_links_join_ids_and_keep_unlinked_ones_apart() -> None:
    entries = {"a/x": CatalogueEntry("a/x", canonical_slug="a/x-20260101"),
               "a/y-2024-05-01": CatalogueEntry("a/y-2024-05-01")}
    resolve = resolver(VariantRules(), entries)
    assert resolve("a/x-20260101") == "a/x"           # by canonical slug
    assert resolve("a/x-20260101:free") == "a/x"      # merged variant of a slug
    assert resolve("a/x-0315") == "a/x"               # date mark removed
    assert resolve("a/x:thinking") == "a/x:thinking"  # an unmerged variant keeps its mark
    assert resolve("a/y-2024-05-01") == "a/y-2024-05-01"
    assert resolve("a/z-20260101") == "a/z-20260101"  # nothing links it: left as it is
    off = resolver(VariantRules(catalogue_join=False), entries)
    assert off("a/x-20260101") == "a/x-20260101"


def test_week_profiles_read_rounding_rows_long_tail_and_source_labels(tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_text(
        "week,model,tokens,source\n"
        # Three figures of a million or more, each to 3 significant digits: rounded to 3.
        "2026-05-04,lab/a,1230000,OpenRouter\n2026-05-04,lab/b,45600000,OpenRouter\n"
        "2026-05-04,lab/c,7890000000,\n2026-05-04,others,999,\n"
        # Only two figures of a million or more: no rounding read, whatever they look like.
        "2026-05-11,lab/a,1234567,B\n2026-05-11,lab/b,2000000,A\n2026-05-11,lab/c,500,B\n"
        # Four significant digits at most, and no label.
        "2026-05-18,lab/a,12340000,\n2026-05-18,lab/b,10000000,\n2026-05-18,lab/c,99990000,\n"
        "2026-05-18,lab/d,5,\n"
        # A declared total is the long tail too, once the rows listed are taken from it.
        "2026-05-25,lab/a,3000000,\n2026-05-25,total,10000000,\n", encoding="utf-8")
    profiles = load_usage(path, lambda model: model).profiles
    first, second, third, fourth = (profiles[dt.date(2026, 5, day)] for day in (4, 11, 18, 25))
    # Half a unit in the last kept place of each: 5,000 + 50,000 + 5,000,000.
    assert first == WeekProfile(rows=3, significant_figures=3, rounding_tokens=5_055_000,
                                source="OpenRouter", long_tail=True)
    assert second == WeekProfile(rows=3, significant_figures=None, rounding_tokens=0,
                                 source="A + B", long_tail=False)
    assert third == WeekProfile(rows=4, significant_figures=4, rounding_tokens=15_000,
                                source=None, long_tail=False)
    assert fourth == WeekProfile(rows=1, significant_figures=None, rounding_tokens=0,
                                 source=None, long_tail=True)
