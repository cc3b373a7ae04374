"""Base rates: how often things happened in the report's own history, so that a general line
("most debuts grow in their second week") is a count, not a platitude.

Each outcome is an event spanning rows `first`..`last` of the Frames; the rate of an edition
counts the events inside its comparable history (from its last change of method) up to its own
row, so it never reads a later week.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from generator.kinds.llm_usage.facts.frames import Frames
from generator.kinds.llm_usage.facts.model import BaseRates, Rate
from generator.kinds.llm_usage.facts.timeline import Timeline


@dataclass(frozen=True)
class Event:
    """One outcome: it needs the rows `first` to `last`, and it happened or not."""

    first: int
    last: int
    hit: bool


class Outcomes:
    """Outcomes of one kind as arrays, so that a rate over any span of rows is one pass of
    numpy (an edition's record reads a rate for every earlier week)."""

    def __init__(self, found: list[Event]) -> None:
        self.first = np.array([e.first for e in found], dtype=np.int64)
        self.last = np.array([e.last for e in found], dtype=np.int64)
        self.hit = np.array([e.hit for e in found], dtype=bool)

    def rate(self, start: int, row: int) -> Rate:
        """The outcomes wholly inside rows `start`..`row`."""
        inside = (self.first >= start) & (self.last <= row)
        return Rate(int((inside & self.hit).sum()), int(inside.sum()))


@dataclass(frozen=True)
class Events:
    """The outcomes behind each base rate, over the whole Frames."""

    debut_grew: Outcomes
    leader_kept: Outcomes
    lead_kept: Outcomes
    growth_continued: Outcomes


def events(f: Frames, t: Timeline) -> Events:
    """Every outcome in the rows of the Frames."""
    grid = f.tokens.to_numpy(dtype=float)
    column = {str(m): j for j, m in enumerate(f.tokens.columns)}
    rows = range(1, len(t.weeks))
    debut = []
    for model, r in t.debuts:
        if r + 1 < len(t.weeks):
            first, second = grid[r, column[model]], grid[r + 1, column[model]]
            # Not listed in its second week: its volume is unknown, so no outcome.
            if not math.isnan(second):
                debut.append(Event(r - 1, r + 1, bool(second > first)))
    leader = [Event(i - 1, i, t.top_model[i] == t.top_model[i - 1])
              for i in rows if t.present[i] and t.top_model[i - 1] is not None]
    lead = [Event(i - 1, i, t.top_country[i] == t.top_country[i - 1])
            for i in rows if t.present[i] and t.top_country[i - 1] is not None]
    growth = [Event(i - 2, i, bool(t.grew[i]))
              for i in range(2, len(t.weeks)) if t.grew[i - 1] and t.grew[i] is not None]
    return Events(Outcomes(debut), Outcomes(leader), Outcomes(lead), Outcomes(growth))


def base_rates(found: Events, start: int, row: int) -> BaseRates:
    """The rates known at `row`, counted from `start` (its last change of method)."""
    return BaseRates(
        debut_grew=found.debut_grew.rate(start, row),
        leader_kept=found.leader_kept.rate(start, row),
        lead_kept=found.lead_kept.rate(start, row),
        growth_continued=found.growth_continued.rate(start, row),
    )
