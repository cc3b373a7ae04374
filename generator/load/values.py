"""Checking cells: whole token counts and weeks, with the first bad cell reported exactly."""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any, cast

import numpy as np
import pandas as pd

from generator.errors import InputError, Where
from generator.load.tables import FILE, ROW
from generator.weeks import WeekError, parse_week

_MAX_EXACT = 2**53


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def count_or_problem(value: Any) -> int | str:
    """Return a non-negative whole number from a cell, or a description of what is wrong."""
    if _is_blank(value):
        return "an empty cell"
    if isinstance(value, bool | np.bool_):
        return f"{value!r} (not a number)"
    if isinstance(value, int | np.integer):
        number = int(value)
        if number < 0:
            return f"a negative number {number}"
        return number if number <= _MAX_EXACT else _too_large(str(number))
    text = str(value).strip()
    if text.isdigit() and text.isascii():
        return int(text) if int(text) <= _MAX_EXACT else _too_large(text)
    try:
        # float() accepts "1_000" and non-ASCII digits; such a cell is not a number we trust.
        real = float(text) if "_" not in text and text.isascii() else math.nan
    except ValueError:
        return f"{text!r} (not a number)"
    if math.isnan(real) or math.isinf(real):
        return f"{text!r} (not a number)"
    if real < 0:
        return f"a negative number {text}"
    if not real.is_integer():
        return f"a fraction {text}"
    if real > _MAX_EXACT:
        return f"{text!r} (too large to be exact as written; write the whole number)"
    return int(real)


def _too_large(text: str) -> str:
    # The facts add counts up in float64, exact only up to 2**53; int64 would overflow later.
    return f"{text} (too large; at most {_MAX_EXACT} per row)"


def parse_counts(frame: pd.DataFrame, column: str, optional: bool = False) -> pd.Series:
    """Parse a column of token counts; blanks are allowed (as NA) only when optional."""
    values = frame[column]
    whole = pd.api.types.is_integer_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values)
    if whole and not ((values < 0).any() or (values > _MAX_EXACT).any()):
        return values.astype("int64")
    digits = _digit_strings(values)
    if digits is not None:
        return digits.astype("Int64") if optional else digits
    parsed = [count_or_problem(v) for v in values.tolist()]
    out: list[int | None] = []
    for position, item in enumerate(parsed):
        if isinstance(item, int):
            out.append(item)
        elif optional and item == "an empty cell":
            out.append(None)
        else:
            raise InputError(
                f"expected a non-negative whole number, got {item}", where_of(frame, position, column)
            )
    series = pd.Series(out, index=frame.index, dtype="Int64" if optional else "int64")
    return series


def _digit_strings(values: pd.Series) -> pd.Series | None:
    """The column as int64 when every cell is plain ASCII digits within range, else None."""
    # CSV is read as text, so this is the usual case; checked column-wise because a cell at a
    # time costs about 5 µs, 0.6 s on a 500-model, 5-year history. Anything else takes the
    # per-cell path, which names the first bad cell.
    if not pd.api.types.is_string_dtype(values) or values.isna().any():
        return None
    try:
        text = values.astype(str).str.strip()
    except (TypeError, ValueError):
        return None
    # At most 16 digits: int64 cannot overflow, and the range check below stays exact.
    if not text.str.fullmatch(r"[0-9]{1,16}").all():
        return None
    numbers = text.astype("int64")
    if (numbers > _MAX_EXACT).any():
        return None
    return numbers


def parse_weeks(frame: pd.DataFrame, column: str = "week") -> pd.Series:
    """Parse the week column into Monday dates, naming the first cell that is not a week."""
    values = frame[column]
    # Each distinct value is parsed once, in order of first appearance, so the first bad one
    # found is also the first bad cell of the file; a long history repeats each week hundreds
    # of times.
    cache: dict[Any, dt.date] = {}
    for value in pd.unique(values.to_numpy(dtype=object)):
        try:
            cache[value] = _week_of(value)
        except WeekError as exc:
            same = values.isna() if _is_blank(value) and not isinstance(value, str) else values == value
            position = int(np.argmax(same.to_numpy(dtype=bool)))
            raise InputError(str(exc), where_of(frame, position, column)) from None
    return values.map(cache)


def _week_of(value: Any) -> dt.date:
    if _is_blank(value):
        raise WeekError("expected a week as YYYY-MM-DD (a Monday) or YYYY-Www, got an empty cell")
    if isinstance(value, pd.Timestamp | dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return parse_week(value.isoformat())
    return parse_week(str(value))


def parse_texts(frame: pd.DataFrame, column: str) -> pd.Series:
    """Check that a column holds non-empty text in every row."""
    values = frame[column]
    # Fast path for the usual case, whole columns at once: all text, none blank.
    if pd.api.types.is_string_dtype(values) and not values.isna().any():
        stripped = values.str.strip()
        if not (stripped == "").any():
            return stripped
    for position, value in enumerate(values.tolist()):
        if _is_blank(value) or not isinstance(value, str):
            got = "an empty cell" if _is_blank(value) else repr(value)
            raise InputError(f"expected text, got {got}", where_of(frame, position, column))
    return values.str.strip()


# Bidirectional embeddings, overrides and isolates (U+202A-E, U+2066-9) and other control
# characters. An unclosed right-to-left override in a model's name would display the rest of
# its sentence reversed, figures included ("12 %" read as "21 %"); it is never wanted in a name.
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def display_text(text: str) -> str:
    """A display name as it may be shown: bidi overrides and control characters removed."""
    return _CONTROLS.sub("", text).strip()


# Longest model id and display name accepted. Real ids are under 80 characters; an id of
# thousands stalled the PDF layout in time quadratic in its length (issue 14), and a name
# that long is no name. Both stand in table cells, headings and chart labels.
MAX_ID = 200
MAX_NAME = 200
# An id names the model wherever no name is given: no invisible or direction characters.
_ID_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def id_problem(model: str) -> str | None:
    """What is wrong with a model id, or None when it may be used."""
    if len(model) > MAX_ID:
        return f"a model id of at most {MAX_ID} characters, got {len(model):,}"
    if _ID_UNSAFE.search(model):
        return f"a model id without control, invisible or direction characters, got {model!r}"
    return None


def name_problem(name: str) -> str | None:
    """What is wrong with a display name (after `display_text`), or None."""
    if len(name) > MAX_NAME:
        return f"a name of at most {MAX_NAME} characters, got {len(name):,}"
    return None


def check_ids(frame: pd.DataFrame, column: str, ids: pd.Series) -> None:
    """Refuse the first id of a column that `id_problem` finds fault with, naming its cell."""
    # Column-wise first: a long history holds each id hundreds of times.
    bad = (ids.str.len() > MAX_ID) | ids.str.contains(_ID_UNSAFE)
    if bad.any():
        position = int(np.argmax(bad.to_numpy(dtype=bool)))
        raise InputError(f"expected {id_problem(str(ids.iat[position]))}",
                         where_of(frame, position, column))


def check_names(frame: pd.DataFrame, column: str, names: pd.Series) -> None:
    """Refuse the first display name of a column longer than MAX_NAME, naming its cell."""
    lengths = names.map(lambda v: len(v) if isinstance(v, str) else 0)
    bad = lengths > MAX_NAME
    if bad.any():
        position = int(np.argmax(bad.to_numpy(dtype=bool)))
        raise InputError(f"expected {name_problem(str(names.iat[position]))}",
                         where_of(frame, position, column))


def where_of(frame: pd.DataFrame, position: int, column: str | None = None) -> Where:
    """Return the place of a row (by position) of a frame read by `read_table`."""
    row = cast(int, frame[ROW].iat[position])  # the ROW column holds line numbers (int64)
    return Where(str(frame[FILE].iat[position]), int(row), column)
