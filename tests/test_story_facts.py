"""The facts the story reads for causes and news (issue 16): attribution, news memory, base
rates and the weekly call. Each scenario changes small hand-made data and checks the figure."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pytest
from helpers import ReportFactory, Row, facts_of, week

from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.report import load_report

SAMPLE = Path(__file__).parent.parent / "reports" / "llm-usage"
W21 = dt.date(2026, 5, 18)
# acme is Chinese, bolt American, crane French (tests/helpers.py).
A1, A2, A3, A4 = "acme/a1", "acme/a2", "acme/a3", "acme/a4"
B1, B2, C1 = "bolt/b1", "bolt/b2", "crane/c1"
OTHERS = "others"


@cache
def _sample(day: dt.date) -> Facts:
    return compute_facts(load_snapshot(load_report(SAMPLE)), day, "llm-usage", 10)


def _weeks(*weeks: dict[str, int]) -> list[Row]:
    """Rows from one {model: tokens} dict per week, in order from week 0."""
    return [(week(i), model, tokens) for i, w in enumerate(weeks) for model, tokens in w.items()]


# --- 1. attribution -------------------------------------------------------------------------

def test_sample_w21_attribution() -> None:
    a = _sample(W21).attribution
    # Grok 4.1 Fast: its free tier went from 389.4 billion to none, 81.5 % of its 477.5 loss.
    grok = next(p for p in a.free_tiers if p.model == "x-ai/grok-4.1-fast")
    assert (grok.event, grok.free_tokens, grok.prev_free_tokens) == ("ended", 0, 389421755558)
    assert grok.model_change_tokens == -477527389914
    assert grok.share_of_model_change_pct == pytest.approx(81.55, abs=0.01)
    # MiniMax-M3 launched with 2.5 trillion: 58.3 % of the growth; 5.6 % without it.
    assert [p.model for p in a.launches] == ["minimax/minimax-m3"]
    assert a.launch_tokens == 2503118966042
    assert a.launch_share_of_change_pct == pytest.approx(58.28, abs=0.01)
    assert a.change_without_launches_pct == pytest.approx(5.63, abs=0.01)
    # All twelve US models fell.
    us = [b for b in a.broad_moves if b.country == "US"]
    assert [(b.direction, b.models, b.adjective) for b in us] == [("fell", 12, "US")]
    # MiniMax's older model lost 409 billion beside its launch.
    assert [(s.from_model, s.to_model) for s in a.switches] == [
        ("minimax/minimax-m2.5", "minimax/minimax-m3")]
    assert a.switches[0].lost_tokens == 408980046334


def test_sample_attribution_is_in_facts_json() -> None:
    data = _sample(W21).to_json()["attribution"]
    assert data["free_tiers"][0]["event"] == "ended"
    assert data["broad_moves"][0]["models"] == 12


def test_a_free_tier_ending_explains_a_fall(report_factory: ReportFactory) -> None:
    steady = {A1: 1000, B1: 500, f"{B1}:free": 300, C1: 200, OTHERS: 500}
    last = {A1: 1000, B1: 450, C1: 200, OTHERS: 500}  # the free rows are gone
    facts = facts_of(report_factory(_weeks(steady, steady, last)), week(2))
    (part,) = facts.attribution.free_tiers
    assert (part.model, part.event, part.prev_free_tokens, part.free_tokens) == (B1, "ended", 300, 0)
    assert (part.change_tokens, part.model_change_tokens) == (-300, -350)
    assert part.share_of_model_change_pct == pytest.approx(300 / 350 * 100)


def test_a_free_tier_starting_while_the_model_falls_has_no_share(
        report_factory: ReportFactory) -> None:
    steady = {A1: 1000, B1: 800, C1: 200, OTHERS: 500}
    last = {A1: 1000, B1: 600, f"{B1}:free": 100, C1: 200, OTHERS: 500}
    part = facts_of(report_factory(_weeks(steady, last)), week(1)).attribution.free_tiers[0]
    assert (part.event, part.change_tokens, part.model_change_tokens) == ("started", 100, -100)
    assert part.share_of_model_change_pct is None


def test_a_small_free_tier_move_is_not_a_part(report_factory: ReportFactory) -> None:
    before = {A1: 10000, f"{A1}:free": 1000, B1: 5000, OTHERS: 5000}
    after = {A1: 10000, f"{A1}:free": 1050, B1: 5000, OTHERS: 5000}  # 50 of a 20000 total
    assert facts_of(report_factory(_weeks(before, after)), week(1)).attribution.free_tiers == ()


def test_a_family_switch(report_factory: ReportFactory) -> None:
    w0 = {A1: 1000, B1: 500, OTHERS: 500}
    w1 = {A1: 1000, A2: 100, B1: 500, OTHERS: 500}
    w2 = {A1: 600, A2: 550, B1: 500, OTHERS: 500}  # a1 loses 400, the newer a2 gains 450
    (s,) = facts_of(report_factory(_weeks(w0, w1, w2)), week(2)).attribution.switches
    assert (s.author, s.author_name, s.from_model, s.to_model) == ("acme", "Acme AI", A1, A2)
    assert (s.lost_tokens, s.gained_tokens) == (400, 450)


def test_an_older_model_gaining_is_no_switch(report_factory: ReportFactory) -> None:
    w0 = {A1: 1000, B1: 500, OTHERS: 500}
    w1 = {A1: 1000, A2: 800, B1: 500, OTHERS: 500}
    w2 = {A1: 1450, A2: 400, B1: 500, OTHERS: 500}  # the newer a2 loses to the older a1
    assert facts_of(report_factory(_weeks(w0, w1, w2)), week(2)).attribution.switches == ()


def test_a_launch_is_the_gainer_of_a_switch_and_a_part_of_growth(
        report_factory: ReportFactory) -> None:
    w0 = {A1: 1000, B1: 500, OTHERS: 500}
    w1 = {A1: 1000, B1: 500, OTHERS: 500}
    w2 = {A1: 700, A2: 600, B1: 500, OTHERS: 500}
    models = [{"model": A2, "released": week(2)}]
    a = facts_of(report_factory(_weeks(w0, w1, w2), models=models), week(2)).attribution
    assert [(p.model, p.tokens) for p in a.launches] == [(A2, 600)]
    assert (a.change_tokens, a.launch_tokens) == (300, 600)
    assert a.launch_share_of_change_pct == pytest.approx(200.0)
    assert a.change_without_launches_pct == pytest.approx(-300 / 2000 * 100)
    assert [(s.from_model, s.to_model, s.gained_tokens) for s in a.switches] == [(A1, A2, 600)]


def test_a_broad_move(report_factory: ReportFactory) -> None:
    w0 = {A1: 1000, A2: 800, A3: 600, B1: 500, C1: 100, OTHERS: 500}
    w1 = {A1: 900, A2: 700, A3: 590, B1: 700, C1: 100, OTHERS: 500}
    (move,) = facts_of(report_factory(_weeks(w0, w1)), week(1)).attribution.broad_moves
    assert (move.country, move.adjective, move.direction) == ("CN", "Chinese", "fell")
    assert (move.models, move.change_tokens) == (3, -210)
    w1[A3] = 600  # one model held still: not every model fell
    assert facts_of(report_factory(_weeks(w0, w1)), week(1)).attribution.broad_moves == ()


def test_nothing_is_attributed_without_a_previous_week(report_factory: ReportFactory) -> None:
    w0 = {A1: 1000, A2: 800, A3: 600, OTHERS: 500}
    report = report_factory([(week(0), m, t) for m, t in w0.items()]
                            + [(week(2), m, t // 2) for m, t in w0.items()])
    a = facts_of(report, week(2)).attribution  # week 1 is missing
    assert (a.change_tokens, a.launch_share_of_change_pct, a.broad_moves) == (None, None, ())


def test_leaving_a_list_is_neither_a_free_tier_ending_nor_a_fall(
        report_factory: ReportFactory) -> None:
    # A top-N list (no long tail): a4 and its free row leave the list; b1's free row leaves
    # it while b1 stays. Their volumes are unknown now, not zero.
    w0 = {A1: 900, A2: 800, A3: 700, A4: 600, f"{A4}:free": 500, B1: 400, f"{B1}:free": 300,
          C1: 250}
    w1 = {A1: 890, A2: 790, A3: 690, B1: 410, C1: 300}
    facts = facts_of(report_factory(_weeks(w0, w0, w1)), week(2))
    assert facts.coverage.kind == "list"
    a = facts.attribution
    assert a.free_tiers == ()
    assert [(b.country, b.models, b.change_tokens) for b in a.broad_moves] == [("CN", 3, -30)]


# --- 2. news memory -------------------------------------------------------------------------

def _race(*leaders: str) -> list[Row]:
    """One week per letter: C (acme, China) or U (bolt, US) has the most volume."""
    big, small = {"C": (A1, B1), "U": (B1, A1)}, 100
    return _weeks(*({big[c][0]: 300, big[c][1]: small, OTHERS: 50} for c in leaders))


def test_a_first_time_country_lead(report_factory: ReportFactory) -> None:
    report = report_factory(_race("U", "U", "U", "U", "C"))
    lead = facts_of(report, week(4)).lead
    assert lead is not None
    assert (lead.leader, lead.streak_weeks, lead.first_time) == ("CN", 1, True)
    assert lead.longest_before_weeks == 4
    before = facts_of(report, week(3)).lead
    assert before is not None and (before.first_time, before.longest_before_weeks) == (False, 0)


def test_a_lead_regained_is_not_a_first(report_factory: ReportFactory) -> None:
    lead = facts_of(report_factory(_race("U", "U", "C", "U", "U", "U", "C")), week(6)).lead
    assert lead is not None
    assert (lead.leader, lead.first_time, lead.longest_before_weeks) == ("CN", False, 3)


def test_a_return_to_the_top(report_factory: ReportFactory) -> None:
    # a1 tops weeks 0-1, b1 weeks 2-3, a1 again in week 4: three weeks after week 1.
    report = report_factory(_race("C", "C", "U", "U", "C"))
    top = facts_of(report, week(4)).models[0]
    assert (top.model, top.weeks_since_top) == (A1, 3)
    assert facts_of(report, week(2)).models[0].weeks_since_top is None  # never top before
    assert facts_of(report, week(1)).models[0].weeks_since_top is None  # top last week


def _debuts(last: int, earlier: int = 3) -> list[Row]:
    """Complete data: one debut a week of 100, 150, 120 ... then `last` in the final week."""
    firsts = [100, 150, 120, 110][:earlier]
    newcomers = [A2, A3, C1, B2][:earlier]
    weeks: list[dict[str, int]] = [{A1: 1000, B1: 800, OTHERS: 300}]
    for model, tokens in zip(newcomers, firsts, strict=True):
        weeks.append({**weeks[-1], model: tokens})
    weeks.append({**weeks[-1], A4: last})
    return _weeks(*weeks)


def test_a_record_debut(report_factory: ReportFactory) -> None:
    n = 4  # the final week's row
    debut = facts_of(report_factory(_debuts(151)), week(n)).model(A4)
    assert debut is not None and (debut.is_new, debut.record_debut) == (True, True)
    smaller = facts_of(report_factory(_debuts(149)), week(n)).model(A4)
    assert smaller is not None and not smaller.record_debut
    too_few = facts_of(report_factory(_debuts(500, earlier=2)), week(n - 1)).model(A4)
    assert too_few is not None and not too_few.record_debut  # only two debuts to beat


def test_a_record_says_how_many_weeks_it_beat(report_factory: ReportFactory) -> None:
    report = report_factory(_weeks({A1: 100}, {A1: 90}, {A1: 120}, {A1: 110}, {A1: 130}))
    assert facts_of(report, week(4)).total.record_weeks_before == 4
    assert facts_of(report, week(3)).total.record_weeks_before is None


def test_sample_memory() -> None:
    w16 = _sample(dt.date(2026, 4, 13)).lead  # China passes the US for the first time
    assert w16 is not None and (w16.leader, w16.first_time, w16.longest_before_weeks) == (
        "CN", True, 25)
    w21 = _sample(W21)
    assert [m.model for m in w21.models if m.record_debut] == ["minimax/minimax-m3"]
    back = _sample(dt.date(2026, 5, 4)).models[0]  # W19: DeepSeek-V4-Flash tops again
    assert (back.model, back.weeks_since_top) == ("deepseek/deepseek-v4-flash", 3)
    assert w21.total.record_weeks_before == 30


# --- 3. base rates --------------------------------------------------------------------------

# Totals 350 430 580 560 735 745: grew, grew, fell, grew, grew. Rank 1: b1 b1 a1 a1 b1 b1.
# Leading country: US US CN CN US US. Debuts: c1 (50 → 70), a2 (40 → 30), b2 (20 → 10).
HAND: list[dict[str, int]] = [
    {A1: 100, B1: 200, OTHERS: 50},
    {A1: 150, B1: 180, C1: 50, OTHERS: 50},
    {A1: 250, B1: 170, C1: 70, A2: 40, OTHERS: 50},
    {A1: 260, B1: 160, C1: 60, A2: 30, OTHERS: 50},
    {A1: 270, B1: 300, C1: 60, A2: 35, B2: 20, OTHERS: 50},
    {A1: 280, B1: 310, C1: 60, A2: 35, B2: 10, OTHERS: 50},
]


def _rates(facts: Facts) -> tuple[tuple[int, int], ...]:
    r = facts.base_rates
    return tuple((x.hits, x.of) for x in (r.debut_grew, r.leader_kept, r.lead_kept,
                                          r.growth_continued))


def test_base_rates_counted_by_hand(report_factory: ReportFactory) -> None:
    report = report_factory(_weeks(*HAND))
    assert _rates(facts_of(report, week(5))) == ((1, 3), (3, 5), (3, 5), (2, 3))
    # Known at week 3: b2 is not there yet, a2's second week is week 3 itself.
    assert _rates(facts_of(report, week(3))) == ((1, 2), (2, 3), (2, 3), (1, 2))
    assert _rates(facts_of(report, week(0))) == ((0, 0),) * 4


def test_base_rates_start_at_a_change_of_method(report_factory: ReportFactory) -> None:
    # A top-N list of 3 rows that becomes 4 rows long in week 4: counting starts again there.
    rows = _weeks(*({A1: 300 + i, B1: 200 + i, C1: 100 + i} for i in range(4)),
                  *({A1: 300 + i, B1: 200 + i, C1: 100 + i, A2: 50} for i in range(4, 6)))
    facts = facts_of(report_factory(rows), week(5))
    assert facts.source.break_week == week(4)
    assert _rates(facts) == ((0, 0), (1, 1), (1, 1), (0, 0))


def test_sample_base_rates() -> None:
    # The issue counted "21 of 23 debuts grew in their second week" by hand.
    assert _rates(_sample(W21)) == ((21, 23), (25, 30), (29, 30), (24, 26))


def test_an_edition_never_reads_a_later_week(tmp_path: Path) -> None:
    folder = tmp_path / "sample"
    data = folder / "data"
    data.mkdir(parents=True)
    for name in ("models.csv", "authors.csv"):
        (data / name).write_bytes((SAMPLE / "data" / name).read_bytes())
    lines = (SAMPLE / "data" / "usage.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith(W21.isoformat())]
    assert len(kept) < len(lines)
    (data / "usage.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    (folder / "report.toml").write_text(
        (SAMPLE / "report.toml").read_text(encoding="utf-8").replace('notes = "notes"\n', ""),
        encoding="utf-8")
    w20 = W21 - dt.timedelta(weeks=1)
    alone = compute_facts(load_snapshot(load_report(folder)), w20, "llm-usage", 10)
    assert alone.to_json() == _sample(w20).to_json()
    # The call W21 says last week made is the one W20 made.
    assert _sample(W21).calls.last_week == alone.calls.this_week


# --- 4. calls -------------------------------------------------------------------------------

def _steady(weeks: int, last: dict[str, int] | None = None) -> list[Row]:
    """b1 (US) tops every week and the total grows; `last` replaces the final week."""
    rows = [{B1: 500 + 10 * i, A1: 300 + 10 * i, OTHERS: 100} for i in range(weeks)]
    if last is not None:
        rows[-1] = last
    return _weeks(*rows)


def test_calls_are_made_rotated_and_graded(report_factory: ReportFactory) -> None:
    report = report_factory(_steady(7))
    # Row 4: b1 kept the top 4 of 4 times, the US led 4 of 4 (growth: only 3 cases yet).
    call = facts_of(report, week(4)).calls.this_week
    assert call is not None
    assert (call.kind, call.subject, call.name, call.week) == ("leader_keeps", B1, "b1", week(4))
    assert (call.rate.hits, call.rate.of) == (4, 4)
    # Row 5: the same kind gives way to an equally sure other one.
    calls = facts_of(report, week(5)).calls
    assert calls.this_week is not None and calls.last_week is not None
    assert (calls.this_week.kind, calls.this_week.subject) == ("lead_holds", "US")
    assert (calls.last_week.kind, calls.last_week_right, calls.right, calls.graded) == (
        "leader_keeps", True, 1, 1)
    calls = facts_of(report, week(6)).calls
    assert calls.this_week is not None and calls.this_week.kind == "leader_keeps"
    assert (calls.last_week_right, calls.right, calls.graded) == (True, 2, 2)


def test_a_wrong_call_and_the_running_record(report_factory: ReportFactory) -> None:
    # Week 7: a1 passes b1 (and China the US): row 6's call that b1 keeps the top fails.
    report = report_factory(_steady(8, last={B1: 500, A1: 700, OTHERS: 100}))
    calls = facts_of(report, week(7)).calls
    assert calls.last_week is not None
    assert (calls.last_week.kind, calls.last_week.subject) == ("leader_keeps", B1)
    assert (calls.last_week_right, calls.right, calls.graded) == (False, 2, 3)


def _seesaw(last_total: int) -> list[Row]:
    """Totals rise on odd weeks and fall on even ones; a1 (CN) and b1 (US) swap the top each
    week, so only the growth call stands: growth has never continued (0 of 4 by week 9)."""
    rows = []
    for i in range(11):
        total = 300 + 50 * i + 60 * (i % 2) if i < 10 else last_total
        top, other = (A1, B1) if i % 2 == 0 else (B1, A1)
        rows.append({top: total * 6 // 10, other: total * 3 // 10, OTHERS: total // 10})
    return _weeks(*rows)


@pytest.mark.parametrize(("last_total", "right"), [(800, True), (900, False)])
def test_a_growth_stops_call(report_factory: ReportFactory, last_total: int,
                             right: bool) -> None:
    report = report_factory(_seesaw(last_total))
    made = facts_of(report, week(9)).calls.this_week
    assert made is not None
    assert (made.kind, made.subject, made.name, made.rate.hits, made.rate.of) == (
        "growth_stops", "total", "", 0, 4)
    calls = facts_of(report, week(10)).calls
    assert calls.last_week == made
    assert (calls.last_week_right, calls.right, calls.graded) == (right, int(right), 1)


def _launches(last: dict[str, int]) -> tuple[list[Row], list[dict[str, str]]]:
    """A six-row top list: a1 (CN) and b1 (US) swap the top weekly; crane launches l1..l4 in
    weeks 1-4 (100, then 150), each growing; l5 launches in week 6; `last` is two of week 7's
    rows."""
    launched = [f"crane/l{k}" for k in range(1, 6)]
    fillers = [f"crane/f{k}" for k in range(1, 5)]
    weeks = []
    for i in range(7):
        top, other = (A1, B1) if i % 2 == 0 else (B1, A1)
        row = {top: 1000, other: 900}
        listed = launched[:min(i, 4)] if i < 6 else launched[1:5]
        row.update({m: 100 if launched.index(m) + 1 == i else 150 for m in listed})
        row.update({f: 50 for f in fillers[len(listed):]})
        if i == 6:
            row[launched[4]] = 100
        weeks.append(row)
    weeks.append({B1: 1000, A1: 900, **{m: 150 for m in launched[1:3]}, **last})
    catalogue = [{"model": m, "released": week(k + 1 if k < 4 else 6)}
                 for k, m in enumerate(launched)]
    return _weeks(*weeks), catalogue


@pytest.mark.parametrize(("last", "right"), [
    ({"crane/l5": 200, "crane/l1": 150}, True),
    ({"crane/l5": 80, "crane/l1": 150}, False),
    ({"crane/l1": 150, "crane/l4": 150}, None),  # l5 left the list: unknown, not graded
])
def test_a_debut_call_in_a_list(report_factory: ReportFactory, last: dict[str, int],
                                right: bool | None) -> None:
    rows, catalogue = _launches(last)
    report = report_factory(rows, models=catalogue)
    made = facts_of(report, week(6))
    assert made.coverage.kind == "list" and made.source.break_week is None
    call = made.calls.this_week
    assert call is not None
    assert (call.kind, call.subject, call.rate.hits, call.rate.of) == (
        "debut_grows", "crane/l5", 4, 4)
    after = facts_of(report, week(7))
    assert after.source.changed_this_week is False
    calls = after.calls
    assert calls.last_week == call
    # Row 5 called growth (4 of 4) and the total fell in row 6: one wrong call before.
    assert calls.last_week_right is right
    assert (calls.right, calls.graded) == (int(bool(right)), 1 + (right is not None))


def test_sample_calls() -> None:
    calls = _sample(W21).calls
    assert calls.this_week is not None and calls.last_week is not None
    # China led 29 of 30 times, but last week's call was that it would hold: the take moves on.
    assert (calls.last_week.kind, calls.last_week.subject, calls.last_week_right) == (
        "lead_holds", "CN", True)
    assert (calls.this_week.kind, calls.this_week.rate) == ("growth_continues",
                                                            calls.this_week.rate)
    assert (calls.this_week.rate.hits, calls.this_week.rate.of) == (24, 26)
    assert (calls.right, calls.graded) == (23, 26)
