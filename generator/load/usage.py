"""Loading usage: one file or a folder of weekly drops, validated, variants merged."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pandas as pd

from generator.errors import InputError, Where, display_path
from generator.load.tables import FILE, FORMATS, ROW, read_table, require_columns
from generator.load.values import (
    check_ids,
    check_names,
    display_text,
    parse_counts,
    parse_texts,
    parse_weeks,
    where_of,
)
from generator.load.variants import base_model, is_free_variant
from generator.report import VariantRules
from generator.snapshot import OTHERS

REQUIRED = ("week", "model", "tokens")
COUNTS = ("requests", "prompt_tokens", "completion_tokens")
TEXTS = ("name", "author", "country")
_ROUNDING = 10**6
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True)
class Usage:
    """Validated usage with variants merged, and what the merge and checks found."""

    frame: pd.DataFrame
    sources: tuple[str, ...]
    merged_variants: tuple[tuple[str, str], ...]
    free_variant_tokens: dict[dt.date, int]
    looks_rounded: bool


def usage_files(path: Path) -> list[Path]:
    """Return the file, or the usage files of a folder of weekly drops in name order."""
    if path.is_dir():
        files = sorted(
            p for p in path.iterdir() if p.suffix.lower() in FORMATS and not p.name.startswith(".")
        )
        if not files:
            valid = ", ".join(sorted(FORMATS))
            raise InputError(f"expected usage files ({valid}) in the folder", Where(display_path(path)))
        for file in files:
            if file.is_dir():
                # Skipping it could silently drop a week's drop that was unpacked into a folder.
                raise InputError("expected a usage file, found a folder", Where(display_path(file)))
        return files
    if not path.exists():
        raise InputError("file not found", Where(display_path(path)))
    return [path]


def load_usage(path: Path, rules: VariantRules) -> Usage:
    """Read and validate usage, then merge variants into one row per week and model."""
    frames = [_validated(read_table(p).frame) for p in usage_files(path)]
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    _refuse_duplicates(frame)
    return _merge(frame, rules, tuple(display_path(p) for p in usage_files(path)))


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


def _merge(frame: pd.DataFrame, rules: VariantRules, sources: tuple[str, ...]) -> Usage:
    ids = frame["model"].unique()
    mapping = {m: base_model(m, rules) for m in ids}
    merged = tuple(sorted((m, b) for m, b in mapping.items() if m != b))
    # Decided once per distinct id, not once per row.
    free = frame[frame["model"].isin([m for m in ids if is_free_variant(m)])]
    free_tokens = {
        cast(dt.date, w): int(t) for w, t in free.groupby("week")["tokens"].sum().items()
    }
    frame = frame.assign(model=frame["model"].map(mapping))
    groups = frame.groupby(["week", "model"], sort=True)
    sums = [c for c in ("tokens", *COUNTS) if c in frame.columns]
    firsts = [c for c in TEXTS if c in frame.columns]
    # min_count=1: an optional count left blank stays unknown (NA) rather than becoming 0.
    parts = [groups[sums].sum(min_count=1), *([groups[firsts].first()] if firsts else [])]
    grouped = pd.concat(parts, axis=1).reset_index()
    grouped["tokens"] = grouped["tokens"].astype("int64")
    real = grouped.loc[grouped["model"] != OTHERS, "tokens"]
    nonzero = real[real > 0]
    looks_rounded = bool(len(nonzero) >= 10 and (nonzero % _ROUNDING == 0).all())
    return Usage(grouped, sources, merged, free_tokens, looks_rounded)
