"""Movers: the largest gains and losses on the week, absolute and relative."""

from __future__ import annotations

import math

from generator.kinds.llm_usage.facts.frames import Frames, comparable
from generator.kinds.llm_usage.facts.model import Departure, Mover, MoversFacts
from generator.series import change_pct

LIST_LENGTH = 5
# A relative change on a tiny base says little; only models above this share of last week's
# total are ranked by percentage.
MIN_BASE_SHARE = 0.005


def movers(f: Frames, has_prev: bool, names: dict[str, str], launched: set[str],
           listed: bool = False) -> MoversFacts:
    """Rank the week-over-week changes of the models with a figure in both weeks.

    A model with no row in one of the two weeks has no known change: one that left is a
    departure, one that arrived is only counted (from zero) when it launched this week. In a
    list (`listed`), a model whose figure counts other ids than last week's (a variant joined or
    left the list) has no known change either, and the counts of growing and declining models
    are of the models listed in both weeks, launches aside.
    """
    if not has_prev:
        return MoversFacts((), (), (), (), (), 0, 0)
    now = f.tokens.iloc[-1]
    before = f.tokens.iloc[-2]
    ranks = f.ranks.iloc[-1]
    prev_ranks = f.ranks.iloc[-2]
    rows = []
    departures = []
    for model in f.tokens.columns:
        if math.isnan(now[model]) and not math.isnan(before[model]):
            prev_rank = prev_ranks[model]
            departures.append(Departure(str(model), names[str(model)],
                                        None if math.isnan(prev_rank) else int(prev_rank),
                                        int(before[model])))
            continue
        if math.isnan(before[model]) and str(model) not in launched:
            continue
        if not math.isnan(before[model]) and not comparable(f, str(model),
                                                            "list" if listed else "complete"):
            continue
        a = 0 if math.isnan(now[model]) else int(now[model])
        b = 0 if math.isnan(before[model]) else int(before[model])
        if a == 0 and b == 0:
            continue
        rank = ranks[model]
        rows.append(
            Mover(
                model=str(model),
                name=names[str(model)],
                rank=None if math.isnan(rank) else int(rank),
                tokens=a,
                prev_tokens=b,
                change_tokens=a - b,
                change_pct=change_pct(a, b),
            )
        )
    counted = [r for r in rows if not (listed and r.model in launched)]
    base = MIN_BASE_SHARE * float(f.totals.iloc[-2])
    relative = [r for r in rows if r.change_pct is not None and r.prev_tokens >= base]
    return MoversFacts(
        gainers=tuple(sorted((r for r in rows if r.change_tokens > 0),
                             key=lambda r: (-r.change_tokens, r.model))[:LIST_LENGTH]),
        losers=tuple(sorted((r for r in rows if r.change_tokens < 0),
                            key=lambda r: (r.change_tokens, r.model))[:LIST_LENGTH]),
        gainers_pct=tuple(sorted((r for r in relative if r.change_tokens > 0),
                                 key=lambda r: (-(r.change_pct or 0), r.model))[:LIST_LENGTH]),
        losers_pct=tuple(sorted((r for r in relative if r.change_tokens < 0),
                                key=lambda r: ((r.change_pct or 0), r.model))[:LIST_LENGTH]),
        dropped_out=tuple(sorted(departures, key=lambda d: (-d.prev_tokens, d.model))),
        declining_models=sum(1 for r in counted if r.change_tokens < 0),
        growing_models=sum(1 for r in counted if r.change_tokens > 0),
    )
