"""When a model counts as launched: the week its catalogue date falls in."""

from __future__ import annotations

import datetime as dt

from generator.kinds.llm_usage.snapshot import CatalogueEntry

# A model is launched in the week its catalogue date falls in, or a week whose Monday follows
# that date by at most this many days (a Friday release first shows in the next week's list).
LAUNCH_LEAD_DAYS = 3


def launched_in(entry: CatalogueEntry | None, week: dt.date) -> bool:
    """Whether the catalogue dates the model's release to `week` (a Monday)."""
    released = entry.released if entry is not None else None
    return released is not None and \
        week - dt.timedelta(days=LAUNCH_LEAD_DAYS) <= released < week + dt.timedelta(weeks=1)
