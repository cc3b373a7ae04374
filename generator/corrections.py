"""Corrections: `notes/corrections.toml` in a report's folder, one `[[correction]]` per fix.

```toml
[[correction]]
week = "2026-W21"        # the edition corrected (YYYY-Www, or its Monday as YYYY-MM-DD)
date = "2026-05-27"      # when it was corrected
text = "An earlier version of this edition named the wrong runner-up."
```
A correction shows, dated, at the top of its edition in every format; it moves the feed
entry's `updated`, and it is listed on the site's corrections page. Rebuilding the week
publishes it; `weekly send` mails an edition once, so a correction is never mailed again.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import InputError, Where, display_path
from generator.load.limits import check_size
from generator.report import InputLimits
from generator.weeks import WeekError, day_text, iso_label, parse_week

FILE = "corrections.toml"
MAX_TEXT = 2000  # characters: a correction is a sentence or two, not an article


@dataclass(frozen=True)
class Correction:
    """One correction of one edition."""

    week: str  # the edition's ISO week, YYYY-Www
    date: str  # ISO date of the correction
    text: str

    @property
    def date_text(self) -> str:
        """The date as readers see it: "May 27, 2026"."""
        return day_text(dt.date.fromisoformat(self.date))

    def to_json(self) -> dict[str, str]:
        """As facts.json keeps it (edition.corrections)."""
        return {"date": self.date, "date_text": self.date_text, "text": self.text}


def load_corrections(notes_dir: Path, limits: InputLimits | None = None) -> tuple[Correction, ...]:
    """Every correction in the report's notes, oldest first; none when there is no file."""
    path = notes_dir / FILE
    if not path.is_file():
        return ()
    if limits is not None:
        check_size(path, limits)
    where = Where(display_path(path))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", where) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"expected TOML: {exc}", where) from None
    entries = data.get("correction", [])
    if not isinstance(entries, list) or set(data) - {"correction"}:
        raise InputError("expected only [[correction]] tables", where)
    found = [_correction(entry, i, where) for i, entry in enumerate(entries)]
    return tuple(sorted(found, key=lambda c: (c.date, c.week)))


def corrections_for(notes_dir: Path, iso_week: str,
                    limits: InputLimits | None = None) -> tuple[Correction, ...]:
    """The corrections of one edition, oldest first."""
    return tuple(c for c in load_corrections(notes_dir, limits) if c.week == iso_week)


def _correction(entry: Any, index: int, where: Where) -> Correction:
    at = f"correction {index + 1}"
    if not isinstance(entry, dict) or set(entry) != {"week", "date", "text"}:
        raise InputError(f"{at}: expected exactly the keys week, date and text", where)
    week, date, text = entry["week"], entry["date"], entry["text"]
    try:
        label = iso_label(parse_week(str(week)))
    except WeekError as exc:
        raise InputError(f"{at}: week: {exc}", where) from None
    if isinstance(date, dt.datetime):
        date = date.date()
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            raise InputError(f"{at}: expected date as YYYY-MM-DD, got {date!r}", where) from None
    if not isinstance(date, dt.date):
        raise InputError(f"{at}: expected date as YYYY-MM-DD", where)
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT:
        raise InputError(f"{at}: expected text of 1 to {MAX_TEXT} characters", where)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InputError(f"{at}: expected text without control characters", where)
    return Correction(label, date.isoformat(), " ".join(text.split()))
