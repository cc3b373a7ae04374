"""The data behind each chart, as a table (page) and as CSV (download): the same values drawn."""

from __future__ import annotations

from collections.abc import Sequence

from generator.charts.model import Cell, ChartData
from generator.kinds.llm_usage.charts import draw
from generator.kinds.llm_usage.facts.model import Facts
from generator.ledger.numbers import UNITS, token_unit, unit_word

# Shares in the CSV keep this many decimals: enough to add up to 100 within rounding.
SHARE_DECIMALS = 4


def _unit(values: Sequence[float]) -> tuple[str, float]:
    unit = token_unit(max((abs(v) for v in values), default=0.0))
    return unit, UNITS[unit][0]


def _heading(unit: str, what: str = "tokens") -> str:
    return f"{what.capitalize()} ({unit_word(unit)}s)" if unit != "N" else what.capitalize()


def _scaled(value: float | None, scale: float) -> str:
    return "" if value is None else f"{value / scale:,.2f}"


def _pct(value: float | None, decimals: int = 1) -> str:
    return "" if value is None else f"{value:+.{decimals}f}%"


def total_data(facts: Facts) -> ChartData:
    """Week and total tokens, the whole history drawn."""
    hist = facts.history
    unit, scale = _unit([p.tokens for p in hist])
    return ChartData(
        columns=("week", "tokens"),
        rows=tuple((p.week, p.tokens) for p in hist),
        shown=tuple((p.week, _scaled(p.tokens, scale)) for p in hist),
        numeric=(False, True),
        caption=f"Weekly tokens, in {unit_word(unit) or 'token'}s",
    )


def regions_data(facts: Facts) -> ChartData:
    """Week and tokens of each country drawn."""
    countries = draw.top_countries(facts)
    hist = facts.history
    values = [[p.by_country.get(r.country, 0) for r in countries] for p in hist]
    unit, scale = _unit([v for row in values for v in row])
    return ChartData(
        columns=("week", *(r.country for r in countries)),
        rows=tuple((p.week, *row) for p, row in zip(hist, values, strict=True)),
        shown=tuple((p.week, *(_scaled(v, scale) for v in row))
                    for p, row in zip(hist, values, strict=True)),
        numeric=(False, *(True for _ in countries)),
        caption=f"Weekly tokens by the country of each model's maker, in {unit_word(unit)}s: "
                + ", ".join(f"{r.country} {draw.region_label(r)}" for r in countries),
    )


def top_models_data(facts: Facts) -> ChartData:
    """Rank, model, tokens and change of the bars drawn."""
    models = facts.models[:draw.TOP_BARS]
    unit, scale = _unit([m.tokens for m in models])
    rows: list[tuple[Cell, ...]] = [(m.rank, m.model, m.name, m.tokens, m.prev_tokens,
                                     m.change_pct) for m in models]
    return ChartData(
        columns=("rank", "model", "name", "tokens", "prev_tokens", "change_pct"),
        rows=tuple(rows),
        shown=tuple((str(m.rank), m.model, m.name, _scaled(m.tokens, scale),
                     _scaled(m.prev_tokens, scale), _pct(m.change_pct))
                    for m in models),
        numeric=(True, False, False, True, True, True),
        caption=f"This week's most-used models; tokens in {unit_word(unit)}s",
    )


def movers_data(facts: Facts) -> ChartData:
    """The gains and losses drawn, with the week before and this week."""
    gains, losses = draw.mover_rows(facts)
    rows = (*gains, *losses)
    unit, scale = _unit([m.change_tokens for m in rows])
    return ChartData(
        columns=("model", "name", "prev_tokens", "tokens", "change_tokens"),
        rows=tuple((m.model, m.name, m.prev_tokens, m.tokens, m.change_tokens) for m in rows),
        shown=tuple((m.model, m.name, _scaled(m.prev_tokens, scale), _scaled(m.tokens, scale),
                     ("+" if m.change_tokens > 0 else "") + _scaled(m.change_tokens, scale))
                    for m in rows),
        numeric=(False, False, True, True, True),
        caption=f"Largest gains and losses on the week; tokens in {unit_word(unit)}s",
    )


def share_data(facts: Facts) -> ChartData:
    """Week and the share of each model drawn, then of all other volume."""
    models = draw.share_models(facts)
    shares, other = draw.share_series(facts)
    # One row per week: the series come per model, the table reads across them.
    weeks = [(p.week, [s[i] for s in shares], other[i]) for i, p in enumerate(facts.history)]
    return ChartData(
        columns=("week", *(m.model for m in models), "all_other"),
        rows=tuple((week, *(round(s, SHARE_DECIMALS) for s in shares),
                    round(other, SHARE_DECIMALS)) for week, shares, other in weeks),
        shown=tuple((week, *(f"{s:.1f}%" for s in shares), f"{other:.1f}%")
                    for week, shares, other in weeks),
        numeric=(False, *(True for _ in models), True),
        caption="Share of weekly tokens, in percent: "
                + ", ".join(f"{m.model} {m.name}" for m in models),
    )


DATA = {"total": total_data, "regions": regions_data, "top_models": top_models_data,
        "movers": movers_data, "share": share_data}
