"""The day table: for every UTC day, the local week it starts in and any week boundary inside it.

Each event's local week (Monday 00:00 in the report's time zone) comes from its UTC timestamp
by a join on its UTC day against this small table, computed here with zoneinfo. That keeps the
time-zone arithmetic off the per-row path (DuckDB's per-row ICU conversion is 3× slower, and
Spark's rules would be a second implementation to keep in step) and exact across
daylight-saving changes.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

# The day table spans these years; an event outside them is refused rather than misfiled.
FIRST_YEAR, LAST_YEAR = 1990, 2100
DAY_US = 86_400_000_000
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)

DayTable = tuple[list[int], list[int], list[int], list[int]]


def day_table(zone: str, first_day: int, last_day: int) -> DayTable:
    """For each UTC day (days since 1970) in the range: its week, a boundary instant, the week after.

    Weeks are named by the ordinal of their Monday. A day holding no week boundary has its own
    end as the boundary, so the CASE in the query never takes the "after" branch for it.
    """
    tz = ZoneInfo(zone)
    monday = _EPOCH.date() + dt.timedelta(days=first_day - 8)
    monday -= dt.timedelta(days=monday.weekday())
    starts: list[tuple[int, int]] = []  # (UTC microseconds of local Monday 00:00, Monday's ordinal)
    while not starts or starts[-1][0] < (last_day + 9) * DAY_US:
        local = dt.datetime.combine(monday, dt.time(), tzinfo=tz)
        starts.append((_us(local), monday.toordinal()))
        monday += dt.timedelta(days=7)
    days, weeks, cuts, afters = [], [], [], []
    i = 0
    for day in range(first_day, last_day + 1):
        day_start, day_end = day * DAY_US, (day + 1) * DAY_US
        while starts[i + 1][0] <= day_start:
            i += 1
        following = starts[i + 1]
        inside = following[0] < day_end
        days.append(day)
        weeks.append(starts[i][1])
        cuts.append(following[0] if inside else day_end)
        afters.append(following[1] if inside else starts[i][1])
    return days, weeks, cuts, afters


def year_start_us(year: int) -> int:
    """Microseconds since 1970 of 1 January of `year`, 00:00 UTC."""
    return _us(dt.datetime(year, 1, 1, tzinfo=dt.UTC))


def week_label(ordinal: int) -> str:
    """The ISO date of the Monday whose proleptic Gregorian ordinal this is."""
    return dt.date.fromordinal(ordinal).isoformat()


def _us(moment: dt.datetime) -> int:
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
