"""Whether a week's first place is a lead at all: the one test that the story's dead heat and
the weekly call both read, so that no edition calls a tie a coronation in one place and bets on
the leader keeping its place in another."""

from __future__ import annotations

from generator.series import share_pct

# A lead at the top smaller than this share of the runner-up's volume is a dead heat.
DEAD_HEAT_PCT = 1.0


def level_within_rounding(digits: int | None, first: int, second: int) -> bool:
    """Whether two figures of a source rounding to `digits` significant figures could be in
    either order: their gap is no larger than half a unit in the last kept place of each."""
    if digits is None:
        return False
    bound = sum(10 ** max(0, len(str(v)) - digits) // 2 for v in (first, second))
    return abs(first - second) <= bound


def too_close_to_call(top: int, second: int, top_free: int, digits: int | None) -> bool:
    """Whether the first two are closer than the figures' own uncertainty: under
    `DEAD_HEAT_PCT` apart, closer than the leader's free-tier volume (which a promotion's end
    would take away), or level within the source's rounding."""
    gap = top - second
    # Against no runner-up volume at all there is no share to speak of.
    return (second > 0 and share_pct(gap, second) < DEAD_HEAT_PCT) or gap < top_free or \
        level_within_rounding(digits, top, second)
