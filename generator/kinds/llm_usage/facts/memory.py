"""News memory: what this week means against the report's own comparable history.

A first lead for a country, the longest lead before the current one, a model back at the top
after other weeks, a debut larger than every earlier debut. History counts only from the last
change of the source's method (`start`), like streaks and records.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from generator.kinds.llm_usage.facts.frames import Frames
from generator.kinds.llm_usage.facts.model import CoverageKind, LeadFacts, ModelFacts
from generator.kinds.llm_usage.facts.timeline import Timeline

# A record debut needs earlier debuts to beat: one or two prove nothing.
MIN_EARLIER_DEBUTS = 3


def remember_lead(lead: LeadFacts | None, t: Timeline) -> LeadFacts | None:
    """The lead with `first_time` and `longest_before_weeks` from the rows before this one."""
    if lead is None:
        return None
    now = len(t.weeks) - 1
    start = t.starts[now]
    before = [c for c in t.top_country[start:now] if c is not None]
    first_time = bool(lead.streak_weeks >= 1 and before and lead.leader not in before)
    # The current run is the leader's streak; every run before it ends by its first row.
    return dataclasses.replace(
        lead, first_time=first_time,
        longest_before_weeks=_longest_run(t, start, now - lead.streak_weeks))


def _longest_run(t: Timeline, start: int, stop: int) -> int:
    """The longest run of consecutive rows in [start, stop] led by one country."""
    longest = run = 0
    previous: str | None = None
    for i in range(start, stop + 1):
        leader = t.top_country[i] if t.present[i] else None
        run = run + 1 if leader is not None and leader == previous else int(leader is not None)
        previous = leader
        longest = max(longest, run)
    return longest


def remember_models(models: tuple[ModelFacts, ...], f: Frames, t: Timeline,
                    kind: CoverageKind) -> tuple[ModelFacts, ...]:
    """The models with `weeks_since_top` and `record_debut`."""
    now = len(t.weeks) - 1
    start = t.starts[now]
    grid = f.tokens.to_numpy(dtype=float)
    column = {str(m): j for j, m in enumerate(f.tokens.columns)}
    # First-week volumes of the earlier debuts in the comparable history (the week before
    # each must be comparable too).
    earlier = [grid[r, column[m]] for m, r in t.debuts if start + 1 <= r < now]
    best_debut = max(earlier) if len(earlier) >= MIN_EARLIER_DEBUTS else None
    out = []
    for m in models:
        debut = m.arrival == "launch" or (kind == "complete" and m.is_new)
        since = _weeks_since_top(m, t, start, now)
        record = bool(debut and best_debut is not None and m.tokens > best_debut)
        # Most models keep the defaults; a copy of each of hundreds would cost more than the rest.
        out.append(dataclasses.replace(m, weeks_since_top=since, record_debut=record)
                   if since is not None or record else m)
    return tuple(out)


def _weeks_since_top(m: ModelFacts, t: Timeline, start: int, now: int) -> int | None:
    if m.rank != 1 or now < 1 or t.top_model[now - 1] == m.model:
        return None
    held = np.flatnonzero([c == m.model for c in t.top_model[start:now - 1]])
    return now - (start + int(held[-1])) if len(held) else None
