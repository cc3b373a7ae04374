"""Leaderboard-shaped data (tests/leaderboard): a year of weekly top-N lists told truthfully.

The data imitates scrapes of a public weekly ranking: only the leading rows, dated slugs,
names in two styles, a free variant beside its base, models leaving and coming back, and a
change of the source's method with rounded figures. Every sentence must hold for that shape.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from helpers import ReportFactory, facts_of
from helpers import week as scenario_week
from scenarios import all_text

from generator.check import check_edition
from generator.cli import main
from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.llm_usage.snapshot import Snapshot
from generator.kinds.llm_usage.story.angles import candidate_angles
from generator.kinds.llm_usage.story.build import write_story
from generator.ledger import ClaimBook
from generator.report import load_report
from generator.story.notes import Notes
from generator.textblocks import html_blocks, markdown_blocks, pdf_blocks, text_blocks

HERE = Path(__file__).parent / "leaderboard"
SWITCH = dt.date(2026, 2, 23)
LAUNCH_WEEK = dt.date(2026, 2, 16)  # Claude Sonnet 4.6 launches; Kimi K2.5 is only new to the list
LAST = dt.date(2026, 5, 25)  # MiniMax M3 launches; Qwen3 Coder is back; two models drop out
poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")

# Sentences the product wrote on such data before it knew the data's shape; each is false here.
FALSEHOODS = (
    re.compile(r"models on the platform processed", re.I),
    re.compile(r"All models together", re.I),
    re.compile(r"of all tokens", re.I),
    re.compile(r"100\.0\s%"),
    re.compile(r"[−-]100(\.0)?\s%"),
    re.compile(r"drew no tokens"),
    re.compile(r"\b0 (million|billion|trillion|thousand)\b"),
    re.compile(r"\b(Anthropic|Google|OpenAI|Tencent|Qwen|MoonshotAI|MiniMax|DeepSeek|xAI|Z\.AI)"
               r":\s"),
    re.compile(r"\((free|exacto)\)"),
    re.compile(r"K2\.5 0127"),
    re.compile(r"\band\b[^.;]*\bkeeps its place"),
    re.compile(r"Weekly LLM Usage"),
    re.compile(r"platform's traffic"),
)


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("leaderboard_data", HERE / "make_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up by name while the class is made.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@cache
def _snapshot() -> Snapshot:
    return load_snapshot(load_report(HERE))


@cache
def _facts(week: dt.date) -> Facts:
    return compute_facts(_snapshot(), week, "leaderboard", 10)


def _story_text(week: dt.date) -> str:
    return all_text(write_story(_facts(week), load_report(HERE), Notes()))


def test_committed_data_is_what_the_script_writes(tmp_path: Path) -> None:
    data = _module()
    rows = data.generate()
    data.verify(rows)
    lines = ["week,model,name,tokens", *(",".join(map(str, r)) for r in rows)]
    assert (HERE / "data" / "usage.csv").read_text(encoding="utf-8").splitlines() == lines
    models = json.loads((HERE / "data" / "models.json").read_text(encoding="utf-8"))
    assert models == {"data": [e.to_json() for e in data.CATALOGUE]}


def test_dated_slugs_and_variants_join_their_catalogue_entry() -> None:
    snapshot = _snapshot()
    merged = dict(snapshot.merged_variants)
    assert merged["anthropic/claude-4-sonnet-20250522"] == "anthropic/claude-sonnet-4"  # slug
    assert merged["moonshotai/kimi-k2.5-0127"] == "moonshotai/kimi-k2.5"
    assert merged["qwen/qwen3.6-plus-04-02:free"] == "qwen/qwen3.6-plus"
    assert merged["tencent/hy3-preview-20260421:free"] == "tencent/hy3-preview"
    assert merged["tencent/hy3-preview-20260421"] == "tencent/hy3-preview"
    assert merged["moonshotai/kimi-k2-0905:exacto"] == "moonshotai/kimi-k2-0905"
    models = set(snapshot.usage["model"])
    # Two dated snapshots that the catalogue lists as models of their own stay apart.
    assert {"openai/gpt-4o-2024-11-20", "openai/gpt-4o-2024-08-06"} <= models
    assert "openai/gpt-4o" not in models
    # Every listed model now finds its entry: context windows, prices and dates reach the text.
    assert models <= set(snapshot.catalogue)


def test_a_free_variant_listed_beside_its_base_is_one_model() -> None:
    usage = _snapshot().usage
    week = usage[(usage["week"] == LAST) & (usage["model"] == "tencent/hy3-preview")]
    raw = [line.split(",") for line in
           (HERE / "data" / "usage.csv").read_text(encoding="utf-8").splitlines()[1:]]
    both = [int(t) for w, m, _n, t in raw if w == LAST.isoformat() and m.startswith("tencent/")]
    assert len(both) == 2 and int(week["tokens"].iat[0]) == sum(both)


def test_one_model_has_one_clean_name() -> None:
    names = {m.model: m.name for w in (LAUNCH_WEEK, SWITCH, LAST) for m in _facts(w).models}
    assert names["anthropic/claude-sonnet-4"] == "Claude Sonnet 4"
    assert names["anthropic/claude-sonnet-4.6"] == "Claude Sonnet 4.6"
    assert names["moonshotai/kimi-k2.5"] == "Kimi K2.5"
    assert names["tencent/hy3-preview"] == "Hy3 Preview"
    assert names["moonshotai/kimi-k2-0905"] == "Kimi K2 0905"
    assert names["openai/gpt-4o-2024-11-20"] != names["openai/gpt-4o-2024-08-06"] \
        if "openai/gpt-4o-2024-08-06" in names else True


def test_coverage_is_a_list_and_the_source_change_is_marked() -> None:
    weeks = _snapshot().weeks
    for week in weeks:
        facts = _facts(week)
        assert facts.coverage.kind == "list"
        assert facts.coverage.list_size == (11 if week >= SWITCH else 10)
        assert facts.coverage.others_tokens == 0
        assert facts.source.changed_this_week == (week == SWITCH), week
        if week >= SWITCH:
            assert facts.source.break_week == SWITCH.isoformat()
            assert facts.source.significant_figures == 3
            # No streak or record reaches across the change.
            assert facts.total.growth_streak_weeks < facts.source.comparable_weeks
        else:
            assert facts.source.break_week is None and facts.source.significant_figures is None
    switch = _facts(SWITCH)
    assert switch.source.changes == ("rows", "rounding")
    assert (switch.prev_week, switch.total.change_pct, switch.total.is_record) == (None, None, False)
    assert switch.movers.gainers == switch.movers.losers == switch.movers.dropped_out == ()


def test_arrivals_are_launches_only_when_the_catalogue_dates_them() -> None:
    launch = {m.model: m for m in _facts(LAUNCH_WEEK).models}
    assert launch["anthropic/claude-sonnet-4.6"].arrival == "launch"
    kimi = launch["moonshotai/kimi-k2.5"]  # created 2026-01-27, listed from 2026-02-16
    assert (kimi.arrival, kimi.is_new, kimi.prev_tokens, kimi.change_pct) == ("new", True, None, None)
    last = {m.model: m for m in _facts(LAST).models}
    assert last["minimax/minimax-m3"].arrival == "launch"
    assert last["minimax/minimax-m3"].prev_tokens == 0
    coder = last["qwen/qwen3-coder"]
    assert (coder.arrival, coder.is_new, coder.prev_tokens) == ("return", False, None)
    # Released on a Friday, first listed the Monday after: still its launch week.
    k2 = _facts(dt.date(2025, 9, 8)).model("moonshotai/kimi-k2-0905")
    assert k2 is not None and k2.arrival == "launch"


def test_leaving_the_list_is_not_falling_to_zero() -> None:
    movers = _facts(LAST).movers
    gone = {d.model: d for d in movers.dropped_out}
    assert set(gone) == {"minimax/minimax-m2.5", "qwen/qwen3.6-plus"}
    assert gone["minimax/minimax-m2.5"].prev_tokens == 681_000_000_000
    assert not {m.model for m in movers.losers} & set(gone)
    assert all(m.tokens > 0 for m in movers.losers)


@pytest.mark.parametrize("week", [pytest.param(w, id=w.isoformat()) for w in (
    dt.date(2025, 6, 2) + dt.timedelta(weeks=i) for i in range(52))])
def test_no_edition_states_what_the_data_cannot_support(week: dt.date) -> None:
    text = _story_text(week)
    for pattern in FALSEHOODS:
        assert not pattern.search(text), (pattern.pattern, pattern.search(text))
    facts = _facts(week)
    for model in facts.models:
        if model.arrival in ("new", "return"):
            sentences = [s for s in re.split(r"(?<=[.:;])\s|\n", text) if model.name in s]
            assert not [s for s in sentences if re.search(r"debut|first week|launch", s, re.I)], \
                model.name
    if facts.source.changed_this_week:
        assert not re.search(r"a record|new high|weeks? of growth|growing for|"
                             r"% (rise|fall) on", text, re.I)
        assert "source changed its method this week" in text


def test_rounded_figures_are_never_shown_more_precisely() -> None:
    for week in (SWITCH, LAST):
        text = _story_text(week)
        for figure in re.findall(r"(\d[\d.]*) (?:trillion|billion|million|thousand)", text):
            assert len(figure.replace(".", "").lstrip("0")) <= 3, figure
        assert not re.search(r"\d\.\d+\s%\s(rise|fall)|[+−]\d+\.\d+\s%", text)


def test_a_declared_coverage_is_obeyed(tmp_path: Path) -> None:
    folder = tmp_path / "complete"
    shutil.copytree(HERE, folder, ignore=shutil.ignore_patterns("make_data.py", "__pycache__"))
    config = folder / "report.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        '[data]\n', '[data]\ncoverage = "complete"\n'), encoding="utf-8")
    facts = compute_facts(load_snapshot(load_report(folder)), LAST, "complete", 10)
    assert (facts.coverage.kind, facts.coverage.list_size) == ("complete", None)
    text = all_text(write_story(facts, load_report(folder), Notes()))
    assert "of all tokens" in text and "top 11" not in text


def _format_texts(edition: Path) -> dict[str, str]:
    texts = {
        "index.html": html_blocks((edition / "index.html").read_text(encoding="utf-8")),
        "article.md": markdown_blocks((edition / "article.md").read_text(encoding="utf-8")),
        "email.html": html_blocks((edition / "email.html").read_text(encoding="utf-8")),
        "email.txt": text_blocks((edition / "email.txt").read_text(encoding="utf-8")),
        "article.pdf": pdf_blocks(edition / "article.pdf"),
    }
    return {name: re.sub(r"\s+", " ", " ".join(blocks)) for name, blocks in texts.items()}


@poppler
@pytest.mark.parametrize("week", [LAUNCH_WEEK, SWITCH, LAST], ids=str)
def test_every_format_reads_true(week: dt.date, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["build", "--report", str(HERE), "--out", str(out), "--week",
                 week.isoformat()]) == 0
    editions = list((out / "leaderboard").iterdir())
    assert len(editions) == 1 and check_edition(editions[0]).ok
    texts = _format_texts(editions[0])
    for name, text in texts.items():
        for pattern in FALSEHOODS:
            assert not pattern.search(text), (name, pattern.pattern, pattern.search(text))
    for name, text in texts.items():
        # Entering a list is not a launch; a changed method is no record.
        assert not re.search(r"(Kimi K2\.5|Qwen3 Coder 480B A35B)[^.;]*(first week|debut)",
                             text), name
        if week == SWITCH:
            assert not re.search(r"Hits a Record|a record|new high", text), name
    if week == LAST:
        for name in ("index.html", "article.md", "article.pdf"):
            assert "dropped out of the top 11" in texts[name], name
            assert re.search(r"Qwen3 Coder 480B A35B[^.]* back in the top 11", texts[name]), name
            assert "MiniMax M3 entered at number 3 in its first week" in texts[name], name
        assert "Kimi K2.5" in texts["email.txt"]
    if week == LAUNCH_WEEK:
        for name in ("index.html", "article.md", "article.pdf"):
            assert re.search(r"Kimi K2\.5 is new in the top 10", texts[name]), name
            assert "Claude Sonnet 4.6 entered at number 4 in its first week" in texts[name], name


def test_a_variant_joining_or_leaving_the_list_makes_the_change_unknown() -> None:
    # The exacto row of Kimi K2 0905 left the list this week; Hy3's paid row joined its free one.
    for week, model in ((dt.date(2026, 4, 6), "moonshotai/kimi-k2-0905"),
                        (dt.date(2026, 5, 18), "tencent/hy3-preview")):
        facts = _facts(week)
        found = facts.model(model)
        assert found is not None and found.arrival is None
        assert (found.prev_tokens, found.change_pct, found.change_tokens) == (None, None, None)
        movers = facts.movers
        assert model not in {m.model for m in (*movers.gainers, *movers.losers)}


def test_counts_of_gainers_and_losers_are_of_models_listed_in_both_weeks() -> None:
    facts = _facts(LAST)
    both = [m for m in facts.models if m.change_pct is not None and m.arrival is None]
    assert facts.movers.growing_models + facts.movers.declining_models == len(both)


def test_free_variant_tokens_cost_nothing_in_average_prices() -> None:
    facts = _facts(dt.date(2026, 4, 20))
    china = facts.region("CN")
    assert china is not None and china.avg_price_prompt is not None
    usage = _snapshot().usage
    week = usage[usage["week"] == dt.date(2026, 4, 20)]
    catalogue = _snapshot().catalogue
    cn = [r for r in week.itertuples() if facts.model(r.model) and facts.model(r.model).country == "CN"]
    paid = sum((r.tokens - r.free_tokens) * catalogue[r.model].price_prompt for r in cn)
    assert china.avg_price_prompt == pytest.approx(paid / sum(r.tokens for r in cn))
    assert sum(r.free_tokens for r in cn) > 0  # Hy3 Preview is all free that week


def test_a_rise_within_the_rounding_is_no_growth() -> None:
    facts = _facts(dt.date(2026, 3, 9))
    assert facts.source.rounding_tokens > 0
    assert facts.total.change_tokens is not None
    assert 0 < facts.total.change_tokens <= 2 * facts.source.rounding_tokens
    assert facts.total.growth_streak_weeks == 0
    assert "no change beyond what the source's rounding allows" in _story_text(dt.date(2026, 3, 9))


def test_nothing_is_compared_across_the_change_of_method() -> None:
    facts = _facts(SWITCH)
    assert all(m.prev_rank is None and m.weeks_at_rank == 1 for m in facts.models)
    assert facts.lead is not None and not facts.lead.changed_this_week
    assert facts.lead.streak_weeks == 1
    text = _story_text(SWITCH)
    assert not re.search(r"Slips|Climbs|Loses Ground|up from number|moved ahead|Overtake|Pull Ahead",
                         text)


def test_a_lead_within_the_rounding_is_a_dead_heat(report_factory: ReportFactory) -> None:
    rows = [(scenario_week(i), model, tokens) for i in range(4) for model, tokens in (
        ("acme/a1", 1_240_000_000_000), ("bolt/b1", 1_230_000_000_000 - i * 10_000_000_000),
        ("crane/c1", 455_000_000_000))]
    rows[-2] = (scenario_week(3), "bolt/b1", 1_230_000_000_000)  # a gap of 10 billion: within ±10 billion
    report = report_factory(rows)
    facts = facts_of(report, scenario_week(3))
    assert facts.source.significant_figures == 3
    text = all_text(write_story(facts, report, Notes()))
    assert "are level within the source's rounding" in text
    assert not re.search(r"\bleads .{1,40} by .{1,20} tokens, a gap of", text)


def test_a_small_record_is_told_in_its_own_unit(report_factory: ReportFactory) -> None:
    # Issue 14's "Hits a Record 0 Trillion Tokens": the unit follows the figure.
    rows = [(scenario_week(i), model, int(tokens * (1 + 0.1 * i)))
            for i in range(4) for model, tokens in (("acme/a1", 3_000_000_000),
                                                   ("bolt/b1", 2_000_000_000),
                                                   ("others", 1_000_000_000))]
    facts = facts_of(report_factory(rows), scenario_week(3))
    assert facts.total.is_record and facts.total.growth_streak_weeks == 3
    record = next(a for a in candidate_angles(facts, 0) if a.kind == "record_total")
    headline = record.headline(ClaimBook())
    assert "Hits a Record 7.8 Billion Tokens" in headline, headline
