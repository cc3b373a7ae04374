"""The loaded inputs of a report: usage table, model catalogue and authors, validated."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import pandas as pd

OTHERS = "others"
# A row that declares the week's whole volume; the loader turns it into the `others` row.
TOTAL = "total"


@dataclass(frozen=True)
class Author:
    """An author (model maker): slug, display name and ISO 3166 alpha-2 country."""

    slug: str
    name: str
    country: str | None


@dataclass(frozen=True)
class CatalogueEntry:
    """What the catalogue says of one model; prices are USD per million tokens."""

    model: str
    name: str | None = None
    author: str | None = None
    released: dt.date | None = None
    context_length: int | None = None
    input_modalities: tuple[str, ...] = ()
    open_weights: bool | None = None
    price_prompt: float | None = None
    price_completion: float | None = None
    canonical_slug: str | None = None


@dataclass(frozen=True)
class WeekProfile:
    """What the source published for one week, read before variants are merged.

    `rows`: rows naming a model (not `others` or `total`). `significant_figures`: the most
    significant digits any figure of the week carries, when the figures are visibly rounded
    (at most four), else None. `source`: the week's `source` column, when the data has one.
    `long_tail`: the week has an `others` or `total` row, so its rows cover the whole volume.
    `rounding_tokens`: how far the week's sum may be from the exact one because of the
    rounding (half a unit in the last kept place, summed over the rows); 0 when exact.
    """

    rows: int
    significant_figures: int | None
    source: str | None
    long_tail: bool
    rounding_tokens: int = 0


@dataclass(frozen=True)
class Snapshot:
    """Validated usage (one row per week and model, variants merged) plus reference tables.

    `usage` columns: week (datetime.date, a Monday), model (str), tokens (int64), listing
    (how many ids the row sums), free_tokens (of `:free` ids), and
    optionally requests, prompt_tokens, completion_tokens, name, author, country.
    """

    usage: pd.DataFrame
    catalogue: dict[str, CatalogueEntry]
    authors: dict[str, Author]
    sources: tuple[str, ...] = ()
    merged_variants: tuple[tuple[str, str], ...] = ()
    free_variant_tokens: dict[dt.date, int] = field(default_factory=dict)
    rounded_figures: bool = False
    profiles: dict[dt.date, WeekProfile] = field(default_factory=dict)
    coverage: str = "auto"
    name_marks: tuple[str, ...] = ()

    @functools.cached_property
    def weeks(self) -> tuple[dt.date, ...]:
        """All weeks present in the data, oldest first (read once: the table is not changed)."""
        return tuple(sorted(set(self.usage["week"])))
