"""The bundled sample report's latest week has the reference article's facts, found in data."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest

from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts, ModelFacts
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.llm_usage.snapshot import OTHERS, Snapshot
from generator.report import Report, load_report

REPO = Path(__file__).resolve().parent.parent
LATEST = dt.date(2026, 5, 18)
# The sample's headline figures: no code or template may hold them; the data must yield them.
LITERALS = ("14.19", "27.49", "24.53", "3.69", "2.94")


@pytest.fixture(scope="module")
def sample() -> tuple[Report, Snapshot]:
    """The bundled sample report and its loaded snapshot."""
    report = load_report(None)
    return report, load_snapshot(report)


@pytest.fixture(scope="module")
def facts(sample: tuple[Report, Snapshot]) -> Facts:
    """The facts of the sample's latest week."""
    report, snapshot = sample
    return compute_facts(snapshot, LATEST, report.slug, report.top_n)


def trillions(tokens: int, digits: int) -> float:
    """Tokens in trillions, rounded as the article shows them."""
    return round(tokens / 1e12, digits)


def ranked(facts: Facts, rank: int) -> ModelFacts:
    """The model at a rank."""
    return facts.models[rank - 1]


def test_latest_week(sample: tuple[Report, Snapshot], facts: Facts) -> None:
    assert sample[1].weeks[-1] == LATEST
    assert (facts.week, facts.iso_week, facts.prev_week) == ("2026-05-18", "2026-W21", "2026-05-11")


def test_total(facts: Facts) -> None:
    t = facts.total
    assert trillions(t.tokens, 1) == 36.1
    assert t.change_pct is not None and round(t.change_pct, 1) == 13.5
    assert t.growth_streak_weeks == 7


def test_regions(facts: Facts) -> None:
    cn, us = facts.region("CN"), facts.region("US")
    assert cn is not None and us is not None
    assert facts.regions[0] == cn
    assert trillions(cn.tokens, 2) == 14.19
    assert cn.change_pct is not None and round(cn.change_pct, 2) == 27.49
    assert trillions(us.tokens, 1) == 3.2
    assert us.change_pct is not None and round(us.change_pct, 2) == -24.53


def test_lead(facts: Facts) -> None:
    assert facts.lead is not None
    assert (facts.lead.leader, facts.lead.runner_up, facts.lead.streak_weeks) == ("CN", "US", 6)


def test_top_four_are_chinese(facts: Facts) -> None:
    assert [m.country for m in facts.models[:4]] == ["CN"] * 4
    assert facts.market.top_run_country == "CN"
    assert facts.market.top_run_length >= 4


def test_number_one(facts: Facts) -> None:
    top = ranked(facts, 1)
    assert top.model == "deepseek/deepseek-v4-flash"
    assert trillions(top.tokens, 2) == 3.69
    assert top.change_pct is not None and round(top.change_pct) == 19
    assert top.weeks_at_rank == 3


def test_number_two(facts: Facts) -> None:
    second = ranked(facts, 2)
    assert second.model == "tencent/hy3-preview"
    assert trillions(second.tokens, 2) == 2.94
    assert second.change_pct is not None and round(second.change_pct) == -3


def test_number_three_is_new(facts: Facts) -> None:
    third = ranked(facts, 3)
    assert third.model == "minimax/minimax-m3"
    assert trillions(third.tokens, 1) == 2.5
    assert (third.is_new, third.prev_tokens, third.change_pct) == (True, 0, None)
    assert third.context_length == 1_000_000
    assert "text" in third.input_modalities and len(third.input_modalities) > 1
    assert third.released is not None
    assert dt.date.fromisoformat(third.released) >= LATEST - dt.timedelta(days=7)


def test_data_shape(sample: tuple[Report, Snapshot], facts: Facts) -> None:
    report, snapshot = sample
    usage = snapshot.usage
    models = set(usage["model"]) - {OTHERS}
    assert len(snapshot.weeks) >= 26
    assert len(models) >= 20
    assert len({m.split("/", 1)[0] for m in models}) >= 8
    assert len(facts.regions) >= 4
    assert ((usage["week"] == LATEST) & (usage["model"] == OTHERS)).any()
    assert facts.coverage.others_tokens > 0
    assert report.models_path is not None and snapshot.catalogue
    assert (report.notes_dir / "2026-W21.md").is_file()


def code_of(path: Path) -> str:
    """A file's text; for Python, its code without comments and docstrings (examples there)."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    if path.suffix != ".py":
        return text
    tree = ast.parse(text)
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        value = first.value if isinstance(first, ast.Expr) else None
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            body[0] = ast.Pass()
    return ast.unparse(tree)


def test_no_code_or_template_holds_the_figures() -> None:
    found = []
    for top in ("generator", "templates"):
        for path in sorted((REPO / top).rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            code = code_of(path)
            found += [f"{path.relative_to(REPO)}: {x}" for x in LITERALS if x in code]
    assert found == []
