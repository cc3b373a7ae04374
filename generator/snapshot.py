"""The loaded inputs of a report: usage table, model catalogue and authors, validated."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

OTHERS = "others"


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


@dataclass(frozen=True)
class Snapshot:
    """Validated usage (one row per week and model, variants merged) plus reference tables.

    `usage` columns: week (datetime.date, a Monday), model (str), tokens (int64), and
    optionally requests, prompt_tokens, completion_tokens, name, author, country.
    """

    usage: pd.DataFrame
    catalogue: dict[str, CatalogueEntry]
    authors: dict[str, Author]
    sources: tuple[str, ...] = ()
    merged_variants: tuple[tuple[str, str], ...] = ()
    free_variant_tokens: dict[dt.date, int] = field(default_factory=dict)
    rounded_figures: bool = False

    @property
    def weeks(self) -> tuple[dt.date, ...]:
        """All weeks present in the data, oldest first."""
        return tuple(sorted(set(self.usage["week"])))
