"""The weekly call: one falsifiable expectation per edition, backed by a base rate and graded
by the next edition.

Selection. The candidates are those whose condition holds in the edition's week, in this
order (the order breaks ties):

1. `debut_grows`: a model launched this week within the top N; the largest such launch;
2. `leader_keeps`: the rank-1 model;
3. `lead_holds`: the leading country, when a runner-up exists;
4. `growth_continues` when the total grew this week and growth continued at least half the
   time, else `growth_stops`.

Each needs its base rate (as known that week) over at least `MIN_OF` outcomes; the first three
only expect that the thing will happen, so they need it to have happened in at least
`MIN_DECISIVE` of the cases. The candidate with the most decisive rate (the larger of p and
1 − p) is chosen; but when last week's call was of the same kind and another candidate's rate
is at least `MIN_DECISIVE` decisive, the best such other one is chosen, so the take varies.

Grading, on the next week: `debut_grows` – the model's volume rose (not graded when it has no
figure then); `leader_keeps` – the same model is rank 1; `lead_holds` – the same country leads;
`growth_continues` / `growth_stops` – the total grew / did not grow. A call is not graded when
the next week is missing or the source changed its method in it.

Every earlier edition's call is recomputed from the rows up to that edition (the Timeline and
the base-rate events), so the record costs one pass over the weeks.
"""

from __future__ import annotations

import math
from fractions import Fraction

from generator.kinds.llm_usage.countries import country_adjective
from generator.kinds.llm_usage.facts.base_rates import Events, base_rates
from generator.kinds.llm_usage.facts.frames import Frames
from generator.kinds.llm_usage.facts.model import BaseRates, Call, CallKind, CallsFacts, Rate
from generator.kinds.llm_usage.facts.timeline import Timeline

MIN_OF = 4
MIN_DECISIVE = Fraction(3, 5)
ORDER: tuple[CallKind, ...] = ("debut_grows", "leader_keeps", "lead_holds", "growth_continues",
                               "growth_stops")


def calls(f: Frames, t: Timeline, found: Events, names: dict[str, str],
          top_n: int) -> CallsFacts:
    """This week's call, last week's graded, and the record of all earlier graded calls."""
    ranks = f.ranks.to_numpy(dtype=float)
    column = {str(m): j for j, m in enumerate(f.ranks.columns)}
    # A launch within the top N, per row, largest first.
    top_launches = [tuple(m for m in launched if ranks[row, column[m]] <= top_n)
                    for row, launched in enumerate(t.launches)]
    made: list[Call | None] = []
    for row in range(len(t.weeks)):
        before = made[row - 1] if row else None
        made.append(_call(t, found, names, top_launches[row], row, before)
                    if t.present[row] else None)
    now = len(t.weeks) - 1
    grades = [_grade(f, t, call, row + 1) for row, call in enumerate(made[:-1])]
    known = [g for g in grades if g is not None]
    last = made[now - 1] if now >= 1 else None
    return CallsFacts(
        this_week=made[now],
        last_week=last,
        last_week_right=grades[now - 1] if now >= 1 else None,
        right=sum(known),
        graded=len(known),
    )


def _decisive(rate: Rate) -> Fraction:
    p = Fraction(rate.hits, rate.of)
    return max(p, 1 - p)


def _candidates(t: Timeline, rates: BaseRates, names: dict[str, str],
                launched: tuple[str, ...], row: int) -> list[Call]:
    week = t.weeks[row].isoformat()
    found = []
    if launched:
        found.append(Call(week, "debut_grows", launched[0], names[launched[0]], rates.debut_grew))
    leader = t.top_model[row]
    if leader is not None:
        found.append(Call(week, "leader_keeps", leader, names[leader], rates.leader_kept))
    country = t.top_country[row]
    if country is not None and t.countries[row] >= 2:
        found.append(Call(week, "lead_holds", country, country_adjective(country),
                          rates.lead_kept))
    # Growth this week counts only against a comparable week before.
    if t.grew[row] and t.starts[row] < row:
        growth = rates.growth_continued
        kind: CallKind = ("growth_continues" if growth.of and 2 * growth.hits >= growth.of
                          else "growth_stops")
        found.append(Call(week, kind, "total", "", growth))
    # Calls that expect a thing to happen stand only on a rate that says it mostly does.
    return [c for c in found if c.rate.of >= MIN_OF and (
        c.kind.startswith("growth") or Fraction(c.rate.hits, c.rate.of) >= MIN_DECISIVE)]


def _call(t: Timeline, found: Events, names: dict[str, str], launched: tuple[str, ...],
          row: int, before: Call | None) -> Call | None:
    rates = base_rates(found, t.starts[row], row)
    candidates = _candidates(t, rates, names, launched, row)
    if not candidates:
        return None

    def best(pool: list[Call]) -> Call:
        return max(pool, key=lambda c: (_decisive(c.rate), -ORDER.index(c.kind)))

    chosen = best(candidates)
    if before is not None and chosen.kind == before.kind:
        others = [c for c in candidates
                  if c.kind != before.kind and _decisive(c.rate) >= MIN_DECISIVE]
        if others:
            chosen = best(others)
    return chosen


def _grade(f: Frames, t: Timeline, call: Call | None, row: int) -> bool | None:
    """Whether the call made at `row - 1` came true at `row`; None when it cannot be told."""
    if call is None or row >= len(t.weeks) or not t.present[row] or t.starts[row] == row:
        return None
    if call.kind == "debut_grows":
        series = f.tokens[call.subject]
        now, before = float(series.iloc[row]), float(series.iloc[row - 1])
        return None if math.isnan(now) else now > before
    if call.kind == "leader_keeps":
        return t.top_model[row] == call.subject
    if call.kind == "lead_holds":
        return t.top_country[row] == call.subject
    grew = t.grew[row]
    if grew is None:
        return None
    return grew if call.kind == "growth_continues" else not grew

