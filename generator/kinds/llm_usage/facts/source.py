"""What the source published, week by week: coverage, and the weeks where its method changed.

A change of method makes weeks on either side of it incomparable: a leaderboard that starts
listing one more row, or starts rounding its figures, moves its sum without any change in use.
The facts mark such a week, and streaks and records start again from it.
"""

from __future__ import annotations

import datetime as dt

from generator.kinds.llm_usage.facts.model import CoverageKind, SourceFacts
from generator.kinds.llm_usage.snapshot import Snapshot, WeekProfile

# A list longer than any of this many weeks before it is a new list, not a week's flicker
# (real leaderboards publish 9 rows one week and 10 the next) ...
ROW_MEMORY = 8
# ... once the list has had a length for at least this many weeks.
ROW_SETTLED = 3


def coverage_kind(snapshot: Snapshot, profile: WeekProfile) -> CoverageKind:
    """`complete` when the week's rows cover the whole volume, `list` for a top-N list."""
    if snapshot.coverage in ("complete", "list"):
        return "complete" if snapshot.coverage == "complete" else "list"
    return "complete" if profile.long_tail else "list"


def _changes(snapshot: Snapshot, weeks: list[dt.date], i: int) -> tuple[str, ...]:
    if i == 0:
        return ()
    now, before = snapshot.profiles[weeks[i]], snapshot.profiles[weeks[i - 1]]
    found = []
    if coverage_kind(snapshot, now) != coverage_kind(snapshot, before):
        found.append("coverage")
    elif coverage_kind(snapshot, now) == "list":
        recent = [snapshot.profiles[w].rows for w in weeks[max(0, i - ROW_MEMORY):i]]
        if len(recent) >= ROW_SETTLED and now.rows > max(recent):
            found.append("rows")
    if (now.significant_figures is None) != (before.significant_figures is None):
        found.append("rounding")
    if now.source != before.source:
        found.append("source")
    return tuple(found)


def source_facts(
    snapshot: Snapshot, week: dt.date
) -> tuple[SourceFacts, CoverageKind, int | None]:
    """The source's shape in `week` and its last change of method; the week's coverage kind
    and, for a list, its length (the most rows published since that change)."""
    weeks = [w for w in snapshot.weeks if w <= week]
    i = len(weeks) - 1
    changes = _changes(snapshot, weeks, i)
    start = next((j for j in range(i, 0, -1) if _changes(snapshot, weeks, j)), 0)
    profile = snapshot.profiles[week]
    before = snapshot.profiles[weeks[i - 1]] if i else None
    kind = coverage_kind(snapshot, profile)
    segment = [snapshot.profiles[w].rows for w in weeks[start:]]
    facts = SourceFacts(
        label=profile.source,
        rows=profile.rows,
        prev_rows=before.rows if before else None,
        significant_figures=profile.significant_figures,
        changed_this_week=bool(changes),
        changes=changes,
        break_week=weeks[start].isoformat() if start else None,
        comparable_weeks=len(weeks) - start,
        rounding_tokens=profile.rounding_tokens,
    )
    return facts, kind, max(segment) if kind == "list" else None


def method_changes(snapshot: Snapshot, weeks: list[dt.date]) -> tuple[dt.date, ...]:
    """Of `weeks` (the weeks in the data up to an edition's, oldest first), those where the
    source changed its method; each reads only the weeks before it, so a later week never
    moves an earlier one."""
    return tuple(w for j, w in enumerate(weeks) if _changes(snapshot, weeks, j))
