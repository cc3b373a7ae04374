"""Loading usage: one file or a folder of weekly drops, validated, variants merged."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd

from generator.errors import InputError, display_path
from generator.kinds.llm_usage.load.variants import is_free_variant
from generator.kinds.llm_usage.snapshot import OTHERS, TOTAL, WeekProfile
from generator.load.tables import FILE, ROW, read_table, require_columns, usage_files
from generator.load.values import (
    check_ids,
    check_names,
    display_text,
    parse_counts,
    parse_texts,
    parse_weeks,
    where_of,
)

REQUIRED = ("week", "model", "tokens")
COUNTS = ("requests", "prompt_tokens", "completion_tokens")
TEXTS = ("name", "author", "country")
_ROUNDING = 10**6
# Figures with at most this many significant digits, in a week of at least _ROUNDED_ROWS
# figures of a million or more, are taken as rounded by the source.
_ROUNDED_DIGITS = 4
_ROUNDED_ROWS = 3
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Usage:
    """Validated usage with variants merged, and what the merge and checks found."""

    frame: pd.DataFrame
    sources: tuple[str, ...]
    merged_variants: tuple[tuple[str, str], ...]
    free_variant_tokens: dict[dt.date, int]
    looks_rounded: bool
    profiles: dict[dt.date, WeekProfile]




def load_usage(path: Path, resolve: Callable[[str], str]) -> Usage:
    """Read and validate usage, then count each id under the model `resolve` names."""
    frames = [_validated(read_table(p).frame) for p in usage_files(path)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    _refuse_duplicates(frame)
    frame = _totals_as_long_tail(frame)
    profiles = _profiles(frame)
    return _merge(frame, resolve, tuple(display_path(p) for p in usage_files(path)), profiles)


def _validated(frame: pd.DataFrame) -> pd.DataFrame:
    label = str(frame[FILE].iat[0])
    frame.columns = [str(c).strip() for c in frame.columns]
    require_columns(frame, label, REQUIRED)
    out = pd.DataFrame(
        {
            "week": parse_weeks(frame),
            "model": parse_texts(frame, "model"),
            "tokens": parse_counts(frame, "tokens"),
        }
    )
    for column in COUNTS:
        if column in frame.columns:
            out[column] = parse_counts(frame, column, optional=True)
    check_ids(frame, "model", out["model"])
    for column in TEXTS:
        if column in frame.columns:
            out[column] = frame[column].map(lambda v: display_text(v) if isinstance(v, str) else None)
            check_names(frame, column, out[column])
    if "country" in out.columns:
        _check_countries(frame, out["country"])
    if "source" in frame.columns:
        out["source"] = frame["source"].map(lambda v: display_text(v) if isinstance(v, str) else None)
    out[FILE] = frame[FILE]
    out[ROW] = frame[ROW]
    return out


def _check_countries(frame: pd.DataFrame, countries: pd.Series) -> None:
    for position, code in enumerate(countries.tolist()):
        if isinstance(code, str) and code and not _COUNTRY.match(code):
            raise InputError(
                f"expected an ISO 3166 alpha-2 country code such as CN or US, got {code!r}",
                where_of(frame, position, "country"),
            )


def _refuse_duplicates(frame: pd.DataFrame) -> None:
    repeated = frame.duplicated(["week", "model"], keep="first")
    if not repeated.any():
        return
    second = int(repeated.to_numpy().nonzero()[0][0])
    # The "week" column holds datetime.date values (parse_weeks).
    week, model = cast(dt.date, frame["week"].iat[second]), frame["model"].iat[second]
    first = int(((frame["week"] == week) & (frame["model"] == model)).to_numpy().nonzero()[0][0])
    earlier = where_of(frame, first)
    raise InputError(
        f"duplicate week {week.isoformat()} and model {model!r}; first given at {earlier}",
        where_of(frame, second, "model"),
    )


def _totals_as_long_tail(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn each week's declared `total` row into the `others` row it implies."""
    is_total = frame["model"] == TOTAL
    if not is_total.any():
        return frame
    week_of = frame["week"]
    listed = frame[~frame["model"].isin((TOTAL, OTHERS))].groupby("week")["tokens"].sum()
    with_others = set(week_of[frame["model"] == OTHERS])
    tails = []
    # The tokens column holds whole numbers (parse_counts).
    counts = cast("list[int]", frame["tokens"].tolist())
    for found in is_total.to_numpy().nonzero()[0]:
        position = int(found)
        week = cast(dt.date, week_of.iat[position])
        declared = counts[position]
        if week in with_others:
            raise InputError(f"week {week.isoformat()} has both a `total` and an `others` row; "
                             "expected one of them", where_of(frame, int(position), "model"))
        rest = declared - int(listed.get(week, 0))
        if rest < 0:
            raise InputError(
                f"the declared total {declared:,} is smaller than the {int(listed.get(week, 0)):,} "
                f"tokens of the models listed in week {week.isoformat()}",
                where_of(frame, position, "tokens"))
        tails.append(rest)
    out = frame.copy()
    out.loc[is_total, "model"] = OTHERS
    out.loc[is_total, "tokens"] = tails
    return out


def _profiles(frame: pd.DataFrame) -> dict[dt.date, WeekProfile]:
    """Per week: rows, visible rounding, source label and long tail, before any merging.

    Whole columns at once (a wide history holds hundreds of thousands of rows), then one short
    pass over the weeks."""
    codes, weeks = pd.factorize(frame["week"], sort=True)
    count = len(weeks)
    named = (frame["model"] != OTHERS).to_numpy()
    tokens = frame["tokens"].to_numpy(dtype="int64")
    large = named & (tokens >= 10**6)
    big, week_of_big = tokens[large], codes[large]
    length = _digit_counts(big)
    digits = np.full(count, -1)
    np.maximum.at(digits, week_of_big, length - _trailing_zeros(big))
    larges = np.bincount(week_of_big, minlength=count)
    rounded = np.where((larges >= _ROUNDED_ROWS) & (digits >= 0) & (digits <= _ROUNDED_DIGITS), digits, 0)
    # Half a unit in the last place each figure of a rounded week keeps.
    kept = rounded[week_of_big]
    half = np.where(kept > 0, 10 ** np.clip(length - kept, 0, None) // 2, 0)
    bounds = np.zeros(count, dtype="int64")
    np.add.at(bounds, week_of_big, half)
    rows = np.bincount(codes, weights=named, minlength=count)
    listed = np.bincount(codes, minlength=count)
    labels = _source_labels(frame, codes)
    return {cast(dt.date, week): WeekProfile(
        rows=int(rows[k]), significant_figures=int(rounded[k]) or None, rounding_tokens=int(bounds[k]),
        source=labels.get(k), long_tail=int(rows[k]) < int(listed[k])) for k, week in enumerate(weeks)}


def _digit_counts(values: np.ndarray) -> np.ndarray:
    # len(str(v)) for positive whole numbers, compared exactly rather than through log10.
    return 1 + sum((values >= 10**k).astype("int64") for k in range(1, 19))


def _trailing_zeros(values: np.ndarray) -> np.ndarray:
    zeros, rest = np.zeros(len(values), dtype="int64"), values
    for _ in range(18):
        ends = (rest % 10 == 0) & (rest != 0)
        if not ends.any():
            break
        zeros += ends
        rest = np.where(ends, rest // 10, rest)
    return zeros


def _source_labels(frame: pd.DataFrame, codes: np.ndarray) -> dict[int, str]:
    """Per week (by code), the distinct source labels its rows carry, joined."""
    if "source" not in frame.columns:
        return {}
    labels: dict[int, set[str]] = {}
    for code, value in zip(codes.tolist(), frame["source"].tolist(), strict=True):
        if isinstance(value, str) and value:
            labels.setdefault(code, set()).add(value)
    return {code: " + ".join(sorted(values)) for code, values in labels.items()}


def _merge(frame: pd.DataFrame, resolve: Callable[[str], str], sources: tuple[str, ...],
           profiles: dict[dt.date, WeekProfile]) -> Usage:
    ids = frame["model"].unique()
    mapping = {m: (m if m == OTHERS else resolve(m)) for m in ids}
    merged = tuple(sorted((m, b) for m, b in mapping.items() if m != b))
    # Decided once per distinct id, not once per row.
    free = frame[frame["model"].isin([m for m in ids if is_free_variant(m)])]
    free_tokens = {
        cast(dt.date, w): int(t) for w, t in free.groupby("week")["tokens"].sum().items()
    }
    # How many ids each model's figure sums: a variant that joins or leaves a list changes it
    # (a rename, one id for another, does not).
    is_free = frame["model"].map({m: is_free_variant(m) for m in ids})
    frame = frame.assign(
        listing=1,
        free_tokens=frame["tokens"].where(is_free, 0).astype("int64"),
        model=frame["model"].map(mapping),
    )
    groups = frame.groupby(["week", "model"], sort=True)
    sums = [c for c in ("tokens", "listing", "free_tokens", *COUNTS) if c in frame.columns]
    firsts = [c for c in TEXTS if c in frame.columns]
    # min_count=1: an optional count left blank stays unknown (NA) rather than becoming 0.
    parts = [groups[sums].sum(min_count=1), *([groups[firsts].first()] if firsts else [])]
    grouped = pd.concat(parts, axis=1).reset_index()
    grouped["tokens"] = grouped["tokens"].astype("int64")
    real = grouped.loc[grouped["model"] != OTHERS, "tokens"]
    nonzero = real[real > 0]
    looks_rounded = bool(len(nonzero) >= 10 and (nonzero % _ROUNDING == 0).all())
    return Usage(grouped, sources, merged, free_tokens, looks_rounded, profiles)
