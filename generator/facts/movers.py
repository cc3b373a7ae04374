"""Movers: the largest gains and losses on the week, absolute and relative."""

from __future__ import annotations

import math

from generator.facts.frames import Frames
from generator.facts.model import Mover, MoversFacts
from generator.facts.series import change_pct

LIST_LENGTH = 5
# A relative change on a tiny base says little; only models above this share of last week's
# total are ranked by percentage.
MIN_BASE_SHARE = 0.005


def movers(f: Frames, has_prev: bool, names: dict[str, str]) -> MoversFacts:
    """Rank the week-over-week changes of every model present in either week."""
    if not has_prev:
        return MoversFacts((), (), (), (), (), 0, 0)
    now = f.tokens.iloc[-1].fillna(0.0)
    before = f.tokens.iloc[-2].fillna(0.0)
    ranks = f.ranks.iloc[-1]
    rows = []
    for model in f.tokens.columns:
        a, b = int(now[model]), int(before[model])
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
        dropped_out=tuple(r for r in rows if r.tokens == 0 and r.prev_tokens > 0),
        declining_models=sum(1 for r in rows if r.change_tokens < 0),
        growing_models=sum(1 for r in rows if r.change_tokens > 0),
    )
