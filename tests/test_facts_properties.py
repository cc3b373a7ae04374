"""Properties of the facts over random small usage tables (hypothesis)."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

from helpers import Row, make_report, monday, week
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot

# Three authors with a country (helpers.AUTHORS), one in no table, and the long tail.
POOL = (
    "acme/a1", "acme/a2", "acme/a3", "bolt/b1", "bolt/b2", "bolt/b3", "crane/c1", "mystery/m1",
)
TOKENS = st.integers(min_value=0, max_value=10**13)


@st.composite
def usage_tables(draw: st.DrawFn) -> tuple[list[Row], list[int]]:
    """Draw 1–8 weeks (gaps allowed) × 1–8 models (+ maybe others); return rows and weeks."""
    weeks = sorted(draw(st.sets(st.integers(0, 7), min_size=1, max_size=8)))
    models = draw(st.lists(st.sampled_from(POOL), min_size=1, max_size=8, unique=True))
    with_others = draw(st.booleans())
    rows: list[Row] = []
    for i in weeks:
        here = draw(st.lists(st.sampled_from(models), min_size=1, unique=True))
        rows += [(week(i), m, draw(TOKENS)) for m in here]
        if with_others:
            rows.append((week(i), "others", draw(TOKENS)))
    return rows, weeks


def facts_by_week(rows: list[Row], weeks: list[int], top_n: int) -> list[Facts]:
    """Write the table as a report in a temporary folder; return the facts of each week."""
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = load_snapshot(make_report(Path(tmp) / "r", rows))
        return [compute_facts(snapshot, monday(i), "t", top_n) for i in weeks]


def close(a: float, b: float) -> bool:
    """Tell whether two percentages agree to floating-point noise."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def agrees(change: float | None, tokens: int, prev: int | None) -> bool:
    """Tell whether a change_pct matches tokens/prev, None exactly when prev is None or 0."""
    if prev is None or prev == 0:
        return change is None
    return change is not None and close(change, (tokens - prev) / prev * 100)


def check_shares(facts: Facts) -> None:
    """Region, unknown and others shares make 100 %; so do model and others shares."""
    total = facts.total.tokens
    if total == 0:
        assert facts.models == () and facts.regions == ()
        return
    c = facts.coverage
    regions = sum(r.share_pct for r in facts.regions)
    assert close(regions + c.unknown_country_share_pct + c.others_share_pct, 100.0)
    assert close(sum(m.share_pct for m in facts.models) + c.others_share_pct, 100.0)
    assert sum(r.tokens for r in facts.regions) == c.attributed_tokens
    assert close(c.attributed_share_pct, regions)


def check_changes(facts: Facts) -> None:
    """Every change_pct agrees with its tokens and previous tokens."""
    t = facts.total
    assert agrees(t.change_pct, t.tokens, t.prev_tokens)
    assert (t.prev_tokens is None) == (facts.prev_week is None)
    for r in facts.regions:
        assert agrees(r.change_pct, r.tokens, r.prev_tokens)
        assert (r.prev_tokens is None) == (facts.prev_week is None)
    for m in facts.models:
        assert agrees(m.change_pct, m.tokens, m.prev_tokens)


def check_ranks_and_streaks(facts: Facts) -> None:
    """Ranks are 1..n in order; streaks stay within the weeks there are."""
    assert [m.rank for m in facts.models] == list(range(1, len(facts.models) + 1))
    assert all(m.tokens > 0 and m.model != "others" for m in facts.models)
    assert [m.tokens for m in facts.models] == sorted((m.tokens for m in facts.models), reverse=True)
    history = facts.total.weeks_of_history
    assert 0 <= facts.total.growth_streak_weeks <= history - 1
    for m in facts.models:
        assert 1 <= m.weeks_at_rank <= m.weeks_in_data <= history
        assert m.best_rank <= m.rank
    if facts.lead is not None:
        assert 0 <= facts.lead.streak_weeks <= history


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(table=usage_tables(), top_n=st.integers(1, 10))
def test_facts_properties(table: tuple[list[Row], list[int]], top_n: int) -> None:
    rows, weeks = table
    for facts in facts_by_week(rows, weeks, top_n):
        check_shares(facts)
        check_changes(facts)
        check_ranks_and_streaks(facts)
        json.dumps(facts.to_json(), allow_nan=False)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(table=usage_tables())
def test_a_week_ignores_the_weeks_after_it(table: tuple[list[Row], list[int]]) -> None:
    rows, weeks = table
    cut = weeks[len(weeks) // 2]
    earlier = [r for r in rows if r[0] <= week(cut)]
    assert facts_by_week(rows, [cut], 5)[0].to_json() == facts_by_week(earlier, [cut], 5)[0].to_json()
