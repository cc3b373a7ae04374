"""Small functions over weekly series: streaks and safe percentage changes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence


def change_pct(current: float | None, previous: float | None) -> float | None:
    """Percentage change, or None when there is nothing (or zero) to compare with."""
    if current is None or previous is None or _missing(previous) or _missing(current):
        return None
    if previous == 0:
        return None
    return (current - previous) / previous * 100.0


def _missing(value: float) -> bool:
    return isinstance(value, float) and math.isnan(value)


def streak(length: int, holds: Callable[[int], bool]) -> int:
    """Count consecutive positions ending at the last one (index length-1) where `holds` is true."""
    count = 0
    for index in range(length - 1, -1, -1):
        if not holds(index):
            break
        count += 1
    return count


def growth_streak(values: Sequence[float], margins: Sequence[float] | None = None) -> int:
    """Consecutive rises ending with the last value; a NaN (missing week) breaks the run.

    `margins`: how far each value may be off (a rounding source); a rise no larger than the
    two weeks' margins together is no rise.
    """
    def rose(i: int) -> bool:
        if i == 0:
            return False
        now, before = values[i], values[i - 1]
        slack = (margins[i] + margins[i - 1]) if margins is not None else 0.0
        return not (_missing(now) or _missing(before)) and now - before > slack

    return streak(len(values), rose)


def share_pct(part: float, whole: float) -> float:
    """Part of a whole in percent; 0 when the whole is 0."""
    return part / whole * 100.0 if whole else 0.0
