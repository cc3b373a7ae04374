"""Every computed figure on small hand-made tables, with exact expected values."""

from __future__ import annotations

import json

import pytest
from helpers import ReportFactory, Row, facts_of, monday, week

from generator.kinds.llm_usage.load import load_snapshot

A1, A2, B1, C1 = "acme/a1", "acme/a2", "bolt/b1", "crane/c1"  # CN, CN, US, FR
OTHERS = "others"

# Totals 400, 500, 700, 800. Ranks: W0 b1 a1 c1 · W1 a1 b1 c1 · W2 a1 b1 a2 c1 · W3 a1 a2 b1 c1.
BASE: list[Row] = [
    (week(0), A1, 100), (week(0), B1, 200), (week(0), C1, 50), (week(0), OTHERS, 50),
    (week(1), A1, 200), (week(1), B1, 150), (week(1), C1, 50), (week(1), OTHERS, 100),
    (week(2), A1, 300), (week(2), A2, 100), (week(2), B1, 120), (week(2), C1, 80),
    (week(2), OTHERS, 100),
    (week(3), A1, 330), (week(3), A2, 150), (week(3), B1, 90), (week(3), C1, 80),
    (week(3), OTHERS, 150),
]
CATALOGUE = [
    {"model": A1, "name": "Acme One", "open_weights": "true", "price_prompt": 1,
     "price_completion": 2, "context_length": 128000, "input_modalities": "text+image",
     "released": "2025-12-01"},
    {"model": A2, "open_weights": "false", "price_prompt": 3, "price_completion": 6},
    {"model": B1, "open_weights": "false", "price_prompt": 10, "price_completion": 30},
]


def test_total(report_factory: ReportFactory) -> None:
    facts = facts_of(report_factory(BASE), week(3))
    assert (facts.week, facts.iso_week, facts.prev_week) == (week(3), "2026-W05", week(2))
    t = facts.total
    assert (t.tokens, t.prev_tokens, t.change_tokens) == (800, 700, 100)
    assert t.change_pct == pytest.approx(100 / 7)
    assert (t.growth_streak_weeks, t.is_record, t.weeks_of_history) == (3, True, 4)


def test_total_below_the_record_after_a_fall(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 500), (week(1), A1, 400), (week(2), A1, 450)]
    t = facts_of(report_factory(rows), week(2)).total
    assert (t.growth_streak_weeks, t.is_record) == (1, False)
    assert t.change_pct == pytest.approx(12.5)


def test_regions(report_factory: ReportFactory) -> None:
    regions = facts_of(report_factory(BASE), week(3)).regions
    assert [r.country for r in regions] == ["CN", "US", "FR"]
    assert [(r.tokens, r.prev_tokens, r.models) for r in regions] == [
        (480, 400, 2), (90, 120, 1), (80, 80, 1)]
    assert [r.change_pct for r in regions] == pytest.approx([20.0, -25.0, 0.0])
    assert [r.share_pct for r in regions] == pytest.approx([60.0, 11.25, 10.0])
    assert (regions[0].name, regions[0].adjective) == ("China", "Chinese")


def test_lead_streak_and_change(report_factory: ReportFactory) -> None:
    report = report_factory(BASE)
    lead = facts_of(report, week(3)).lead
    assert lead is not None
    assert (lead.leader, lead.runner_up, lead.streak_weeks) == ("CN", "US", 3)
    assert (lead.changed_this_week, lead.previous_leader, lead.gap_tokens) == (False, "CN", 390)
    assert lead.ratio == pytest.approx(480 / 90)
    first = facts_of(report, week(1)).lead  # CN 200 > US 150 after US 200 > CN 100
    assert first is not None
    assert (first.leader, first.streak_weeks, first.changed_this_week) == ("CN", 1, True)
    assert first.previous_leader == "US"


def test_lead_tie_has_no_streak(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 50), (week(0), B1, 80), (week(1), A1, 100), (week(1), B1, 100)]
    lead = facts_of(report_factory(rows), week(1)).lead
    assert lead is not None
    assert (lead.streak_weeks, lead.changed_this_week, lead.gap_tokens) == (0, False, 0)
    assert {lead.leader, lead.runner_up} == {"CN", "US"}


def test_models(report_factory: ReportFactory) -> None:
    facts = facts_of(report_factory(BASE, models=CATALOGUE), week(3))
    got = [(m.rank, m.model, m.tokens, m.prev_tokens, m.prev_rank, m.weeks_at_rank, m.best_rank)
           for m in facts.models]
    assert got == [
        (1, A1, 330, 300, 1, 3, 1),
        (2, A2, 150, 100, 3, 1, 2),
        (3, B1, 90, 120, 2, 1, 1),
        (4, C1, 80, 80, 4, 2, 3),
    ]
    assert [m.change_pct for m in facts.models] == pytest.approx([10.0, 50.0, -25.0, 0.0])
    assert [m.share_pct for m in facts.models] == pytest.approx([41.25, 18.75, 11.25, 10.0])
    assert [m.first_week for m in facts.models] == ["2026-W02", "2026-W04", "2026-W02", "2026-W02"]
    assert [m.weeks_in_data for m in facts.models] == [4, 2, 4, 4]
    assert not any(m.is_new or m.tied or m.new_in_top_n for m in facts.models)
    a1 = facts.models[0]
    assert (a1.name, a1.author, a1.author_name, a1.country) == ("Acme One", "acme", "Acme AI", "CN")
    assert (a1.context_length, a1.input_modalities, a1.released) == (
        128000, ("text", "image"), "2025-12-01")
    assert facts.models[3].name == "c1"  # no catalogue entry: the id without its author


def test_is_new_and_new_in_top_n(report_factory: ReportFactory) -> None:
    report = report_factory(BASE)
    a2 = facts_of(report, week(2)).model(A2)
    assert a2 is not None
    # Not listed the week before and not dated to this week by a catalogue: its earlier volume
    # is unknown, not zero.
    assert (a2.is_new, a2.prev_tokens, a2.change_pct, a2.prev_rank) == (True, None, None, None)
    assert a2.arrival == "new"
    assert (a2.new_in_top_n, a2.weeks_at_rank, a2.best_rank) == (True, 1, 3)
    top2 = facts_of(report, week(3), top_n=2)
    assert [(m.model, m.new_in_top_n) for m in top2.models[:2]] == [(A1, False), (A2, True)]


def test_movers(report_factory: ReportFactory) -> None:
    mv = facts_of(report_factory(BASE), week(3)).movers
    assert [(m.model, m.change_tokens, m.rank) for m in mv.gainers] == [(A2, 50, 2), (A1, 30, 1)]
    assert [(m.model, m.change_tokens) for m in mv.losers] == [(B1, -30)]
    assert [m.model for m in mv.gainers_pct] == [A2, A1]
    assert [m.change_pct for m in mv.gainers_pct] == pytest.approx([50.0, 10.0])
    assert [(m.model, m.change_pct) for m in mv.losers_pct] == [(B1, pytest.approx(-25.0))]
    assert (mv.dropped_out, mv.growing_models, mv.declining_models) == ((), 2, 1)


def test_movers_dropped_out_and_tiny_base(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 9000), (week(0), B1, 990), (week(0), C1, 10),
            (week(1), A1, 9000), (week(1), C1, 100)]
    mv = facts_of(report_factory(rows), week(1)).movers
    # b1 has no row this week: it left the data, and its volume is unknown rather than zero.
    assert [(m.model, m.prev_tokens, m.prev_rank) for m in mv.dropped_out] == [(B1, 990, 2)]
    assert mv.losers == mv.losers_pct == ()
    # c1 grew tenfold from 0.1 % of last week's total: a gain, but too small a base to rank by %.
    assert [m.model for m in mv.gainers] == [C1]
    assert mv.gainers_pct == ()


def test_coverage(report_factory: ReportFactory) -> None:
    c = facts_of(report_factory(BASE), week(3)).coverage
    assert (c.others_tokens, c.attributed_tokens, c.unknown_country_tokens) == (150, 650, 0)
    assert (c.attributed_share_pct, c.others_share_pct) == pytest.approx((81.25, 18.75))
    assert (c.unknown_country_models, c.free_variant_tokens) == ((), 0)


def test_coverage_unknown_country_and_free_variants(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 600), (week(0), "acme/a1:free", 100), (week(0), "mystery/m1", 200),
            (week(0), OTHERS, 100)]
    facts = facts_of(report_factory(rows), week(0))
    c = facts.coverage
    assert (c.unknown_country_tokens, c.unknown_country_models) == (200, ("mystery/m1",))
    assert c.unknown_country_share_pct == pytest.approx(20.0)
    assert (c.attributed_tokens, c.attributed_share_pct) == (700, pytest.approx(70.0))
    assert c.free_variant_tokens == 100
    assert [(r.country, r.tokens) for r in facts.regions] == [("CN", 700)]
    m1 = facts.model("mystery/m1")
    assert m1 is not None
    assert (m1.rank, m1.author, m1.country, m1.author_name) == (2, "mystery", None, None)


def test_market(report_factory: ReportFactory) -> None:
    facts = facts_of(report_factory(BASE, models=CATALOGUE), week(3), top_n=2)
    mk = facts.market
    assert (mk.models_tracked, mk.authors, mk.countries, mk.top_n) == (4, 3, 3, 2)
    assert (mk.top_n_share_pct, mk.leader_share_pct) == pytest.approx((60.0, 41.25))
    assert mk.open_weights_share_pct == pytest.approx(330 / 570 * 100)
    assert mk.open_weights_tokens == 330
    assert mk.avg_price_prompt == pytest.approx((330 * 1 + 150 * 3 + 90 * 10) / 570)
    assert mk.avg_price_completion == pytest.approx((330 * 2 + 150 * 6 + 90 * 30) / 570)
    assert (mk.top_run_country, mk.top_run_length) == ("CN", 2)
    assert mk.leader_margin_tokens == 180
    assert mk.leader_margin_pct == pytest.approx(120.0)
    cn, us, fr = facts.regions
    assert (cn.avg_price_prompt, cn.avg_price_completion) == pytest.approx((780 / 480, 3.25))
    assert (us.avg_price_prompt, us.avg_price_completion) == (10.0, 30.0)
    assert (fr.avg_price_prompt, fr.avg_price_completion) == (None, None)


def test_market_without_catalogue(report_factory: ReportFactory) -> None:
    mk = facts_of(report_factory(BASE), week(3)).market
    assert (mk.open_weights_share_pct, mk.avg_price_prompt, mk.avg_price_completion) == (
        None, None, None)


def test_gap_breaks_streaks_and_comparisons(report_factory: ReportFactory) -> None:
    rows = [(week(i), A1, 100 * (i + 1)) for i in (0, 1, 3, 4)]
    rows += [(week(i), B1, 50 + 10 * i) for i in (0, 1, 3, 4)]
    report = report_factory(rows)
    after_gap = facts_of(report, week(3))
    assert (after_gap.prev_week, after_gap.total.prev_tokens, after_gap.total.change_pct) == (
        None, None, None)
    assert (after_gap.total.growth_streak_weeks, after_gap.total.weeks_of_history) == (0, 3)
    assert after_gap.lead is not None
    assert (after_gap.lead.streak_weeks, after_gap.lead.changed_this_week) == (1, False)
    assert all(r.prev_tokens is None and r.change_pct is None for r in after_gap.regions)
    a1 = after_gap.model(A1)
    assert a1 is not None
    assert (a1.weeks_at_rank, a1.prev_rank, a1.prev_tokens, a1.change_pct) == (1, None, None, None)
    assert (a1.is_new, a1.weeks_in_data) == (False, 3)
    assert (after_gap.movers.gainers, after_gap.movers.growing_models) == ((), 0)
    next_week = facts_of(report, week(4))
    assert next_week.prev_week == week(3)
    assert next_week.total.change_pct == pytest.approx((590 - 480) / 480 * 100)
    assert next_week.total.growth_streak_weeks == 1
    assert next_week.lead is not None and next_week.lead.streak_weeks == 2
    assert [m.weeks_at_rank for m in next_week.models] == [2, 2]


def test_ties_keep_ranks_a_permutation(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 100), (week(0), B1, 100), (week(0), C1, 50), (week(0), A2, 100)]
    models = facts_of(report_factory(rows), week(0)).models
    assert sorted(m.rank for m in models) == [1, 2, 3, 4]
    assert [(m.model, m.tied) for m in models] == [(A1, True), (A2, True), (B1, True), (C1, False)]


def test_single_week(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 100), (week(0), B1, 50), (week(0), OTHERS, 10)]
    facts = facts_of(report_factory(rows), week(0))
    assert facts.prev_week is None
    t = facts.total
    assert (t.prev_tokens, t.change_pct, t.growth_streak_weeks, t.is_record) == (None, None, 0, False)
    assert all(r.change_pct is None and r.prev_tokens is None for r in facts.regions)
    for m in facts.models:
        assert (m.change_pct, m.prev_tokens, m.prev_rank, m.is_new) == (None, None, None, False)
        assert (m.weeks_at_rank, m.new_in_top_n, m.best_rank) == (1, False, m.rank)
    # The leader has been ahead for the one week there is; it did not change "this week".
    assert facts.lead is not None
    assert (facts.lead.streak_weeks, facts.lead.changed_this_week) == (1, False)
    assert facts.lead.previous_leader is None
    assert facts.movers.gainers == facts.movers.losers == facts.movers.dropped_out == ()


def test_model_that_vanishes_and_returns(report_factory: ReportFactory) -> None:
    rows = [(week(i), A1, 100) for i in range(4)]
    rows += [(week(0), C1, 50), (week(1), C1, 60), (week(3), C1, 70)]
    report = report_factory(rows)
    gone = facts_of(report, week(2))
    assert gone.model(C1) is None
    assert [(m.model, m.prev_tokens) for m in gone.movers.dropped_out] == [(C1, 60)]
    back = facts_of(report, week(3)).model(C1)
    assert back is not None
    assert (back.is_new, back.first_week, back.weeks_in_data) == (False, "2026-W02", 3)
    assert (back.rank, back.weeks_at_rank, back.prev_rank, back.best_rank) == (2, 1, None, 2)
    assert (back.prev_tokens, back.change_pct, back.change_tokens) == (None, None, None)
    assert (back.arrival, back.last_listed) == ("return", week(1))


def test_zero_previous_volume_gives_no_change(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 100), (week(0), B1, 40), (week(1), A1, 0), (week(1), B1, 0),
            (week(2), A1, 50), (week(2), B1, 20)]
    report = report_factory(rows)
    empty = facts_of(report, week(1))
    assert (empty.total.tokens, empty.models, empty.regions, empty.lead) == (0, (), (), None)
    assert empty.total.change_pct == pytest.approx(-100.0)
    # Rows of zero are figures: a fall to zero, not a departure from the data.
    assert empty.movers.dropped_out == ()
    assert {m.model for m in empty.movers.losers} == {A1, B1}
    facts = facts_of(report, week(2))
    assert (facts.total.prev_tokens, facts.total.change_pct) == (0, None)
    assert facts.total.growth_streak_weeks == 1
    assert [(r.prev_tokens, r.change_pct) for r in facts.regions] == [(0, None), (0, None)]
    assert [(m.prev_tokens, m.change_pct, m.prev_rank) for m in facts.models] == [
        (0, None, None), (0, None, None)]
    json.dumps(facts.to_json(), allow_nan=False)
    json.dumps(empty.to_json(), allow_nan=False)


def test_others_never_ranked_nor_given_a_country(report_factory: ReportFactory) -> None:
    report = report_factory()
    report.usage_path.write_text(
        "week,model,tokens,author,country\n"
        f"{week(0)},{A1},100,acme,CN\n{week(0)},{B1},50,bolt,US\n{week(0)},others,900,acme,CN\n",
        encoding="utf-8",
    )
    facts = facts_of(report, week(0))
    assert [m.model for m in facts.models] == [A1, B1]
    assert facts.model(OTHERS) is None
    assert [(r.country, r.tokens) for r in facts.regions] == [("CN", 100), ("US", 50)]
    assert (facts.total.tokens, facts.coverage.others_tokens) == (1050, 900)
    assert facts.market.top_run_length == 1


def test_names_from_usage_as_of_the_week(report_factory: ReportFactory) -> None:
    report = report_factory()
    report.usage_path.write_text(
        f"week,model,tokens,name\n{week(0)},{A1},100,A One\n{week(1)},{A1},100,A One Renamed\n"
        f"{week(2)},{A1},100,\n", encoding="utf-8")
    names = [facts_of(report, week(i)).models[0].name for i in range(3)]
    assert names == ["A One", "A One Renamed", "A One Renamed"]


def test_variants_free_and_beta_merged_thinking_kept(report_factory: ReportFactory) -> None:
    rows = [(week(0), A1, 100), (week(0), f"{A1}:free", 20), (week(0), f"{A1}:beta", 5),
            (week(0), f"{A1}:thinking", 30)]
    default = report_factory(rows)
    snapshot = load_snapshot(default)
    assert snapshot.merged_variants == ((f"{A1}:beta", A1), (f"{A1}:free", A1))
    facts = facts_of(default, week(0))
    assert [(m.model, m.tokens, m.country) for m in facts.models] == [
        (A1, 125, "CN"), (f"{A1}:thinking", 30, "CN")]
    assert facts.coverage.free_variant_tokens == 20
    merged = report_factory(rows, tables='[variants]\nmerge = [":free", ":beta", ":thinking"]')
    assert [(m.model, m.tokens) for m in facts_of(merged, week(0)).models] == [(A1, 155)]


def test_dated_slugs_merged_only_when_configured(report_factory: ReportFactory) -> None:
    # A long tail makes the rows complete: in a top-N list the change would be unknown, since
    # this week's figure sums ids that last week's did not.
    rows = [(week(0), f"{A1}-20260101", 100), (week(1), A1, 120), (week(1), f"{A1}-2026-04-23", 30),
            (week(0), OTHERS, 10), (week(1), OTHERS, 10)]
    plain = facts_of(report_factory(rows), week(1))
    assert sorted(m.model for m in plain.models) == [A1, f"{A1}-2026-04-23"]
    dated = facts_of(report_factory(rows, tables="[variants]\ndated_slugs = true"), week(1))
    assert [(m.model, m.tokens, m.prev_tokens) for m in dated.models] == [(A1, 150, 100)]
    assert dated.models[0].change_pct == pytest.approx(50.0)


def test_renames(report_factory: ReportFactory) -> None:
    rows = [(week(0), "acme/old", 100), (week(1), A1, 150)]
    report = report_factory(rows, tables='[variants.renames]\n"acme/old" = "acme/a1"')
    m = facts_of(report, week(1)).model(A1)
    assert m is not None
    assert (m.prev_tokens, m.first_week, m.is_new, m.weeks_at_rank) == (100, "2026-W02", False, 2)
    assert m.change_pct == pytest.approx(50.0)


def test_earlier_week_ignores_later_weeks(report_factory: ReportFactory) -> None:
    later = [(week(4), A1, 10), (week(4), "bolt/b9", 10**6), (week(4), OTHERS, 7)]
    full = facts_of(report_factory(BASE + later, models=CATALOGUE), monday(2))
    cut = facts_of(report_factory(BASE[:13], models=CATALOGUE), monday(2))
    assert full.to_json() == cut.to_json()
    assert full.model("bolt/b9") is None
