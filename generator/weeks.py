"""Weeks: parsing `YYYY-MM-DD` (a Monday) or `YYYY-Www`, and their labels."""

from __future__ import annotations

import datetime as dt
import re

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# Weeks the product can label (`YYYY-Www`, four digits) and count on from: an edition is
# dated the week after its own, and year 9999's last week has no week after it.
FIRST_YEAR = 1000
LAST_YEAR = 9998


# Fixed English month names: dates in the site and in corrections must not depend on the locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def day_text(day: dt.date) -> str:
    """A date as readers see it, e.g. "May 26, 2026" (a date-time in its own offset)."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


class WeekError(ValueError):
    """A text that is not a week we accept; the message says what was expected."""


def _in_range(monday: dt.date, text: str) -> dt.date:
    if not FIRST_YEAR <= monday.year <= LAST_YEAR:
        raise WeekError(f"expected a week in the years {FIRST_YEAR} to {LAST_YEAR}, got {text!r}")
    return monday


def parse_week(text: str) -> dt.date:
    """Parse a Monday `YYYY-MM-DD` or an ISO week `YYYY-Www` into the Monday that starts it."""
    s = str(text).strip()
    m = _ISO_WEEK.match(s)
    if m:
        year, week = int(m.group(1)), int(m.group(2))
        try:
            return _in_range(dt.date.fromisocalendar(year, week, 1), s)
        except WeekError:
            raise
        except ValueError as exc:
            raise WeekError(f"expected an ISO week YYYY-Www that exists, got {s!r}") from exc
    if _DATE.match(s):
        try:
            day = dt.date.fromisoformat(s)
        except ValueError as exc:
            raise WeekError(f"expected a date YYYY-MM-DD, got {s!r}") from exc
        if day.weekday() != 0:
            raise WeekError(
                f"expected a Monday, got {s!r} (a {day.strftime('%A')}; "
                f"its week starts {monday_of(day).isoformat()})"
            )
        return _in_range(day, s)
    raise WeekError(f"expected a week as YYYY-MM-DD (a Monday) or YYYY-Www, got {s!r}")


def monday_of(day: dt.date) -> dt.date:
    """Return the Monday of the ISO week holding `day`."""
    return day - dt.timedelta(days=day.weekday())


def iso_label(monday: dt.date) -> str:
    """Return the ISO week label, e.g. `2026-W21`."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def previous(monday: dt.date, weeks: int = 1) -> dt.date:
    """Return the Monday `weeks` weeks before."""
    return monday - dt.timedelta(weeks=weeks)
