"""The week-by-model table that every figure is read from, with missing weeks kept as gaps."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.errors import InputError, Where
from generator.kinds.llm_usage.snapshot import OTHERS, Snapshot
from generator.weeks import iso_label


@dataclass(frozen=True)
class Frames:
    """Wide tables over a continuous run of weeks ending at the edition's week.

    `tokens`: weeks × real models (NaN where a model has no row; all-NaN rows for weeks missing
    from the data). `others`: the long tail per week. `totals`: all tokens per week, NaN for a
    missing week. `ranks`: rank among models with volume, 1 = most, ties broken by id.
    `countries`: weeks × countries. `present`: whether the week is in the data. `listing`:
    weeks × models, how many ids each figure sums (it changes when a variant joins or leaves
    a list). `free`: weeks × models, the tokens of `:free` ids in each figure.
    """

    week: dt.date
    tokens: pd.DataFrame
    others: pd.Series
    totals: pd.Series
    ranks: pd.DataFrame
    countries: pd.DataFrame
    present: pd.Series
    listing: pd.DataFrame
    free: pd.DataFrame
    country_of: dict[str, str | None]
    author_of: dict[str, str | None]

    @functools.cached_property
    def listed_alike(self) -> frozenset[str]:
        """Models whose figure sums as many ids this week as the week before (see `comparable`);
        read once, as a model-by-model lookup costs a row of the table each time."""
        if len(self.listing) < 2:
            return frozenset()
        same = self.listing.iloc[-1].eq(self.listing.iloc[-2]).to_numpy()
        return frozenset(str(m) for m in self.listing.columns[same])


def require_week(snapshot: Snapshot, week: dt.date) -> None:
    """Fail with exit status 2 when the requested week is not in the data."""
    weeks = snapshot.weeks
    if week not in weeks:
        span = f"{iso_label(weeks[0])} ({weeks[0]}) to {iso_label(weeks[-1])} ({weeks[-1]})"
        raise InputError(
            f"week {iso_label(week)} ({week}) is not in the data; it holds {len(weeks)} weeks "
            f"from {span}",
            Where(", ".join(snapshot.sources)) if snapshot.sources else None,
        )


def build_frames(snapshot: Snapshot, week: dt.date) -> Frames:
    """Pivot the usage up to `week` into the wide tables."""
    usage = snapshot.usage[snapshot.usage["week"] <= week]
    first = min(usage["week"])
    index = pd.Index(
        [first + dt.timedelta(weeks=i) for i in range((week - first).days // 7 + 1)], name="week"
    )
    present = pd.Series(index.isin(set(usage["week"])), index=index)
    real = usage[usage["model"] != OTHERS]
    tokens = (
        real.pivot(index="week", columns="model", values="tokens")
        .reindex(index=index)
        .sort_index(axis=1)
        .astype("float64")
    )
    listing, free = (
        real.pivot(index="week", columns="model", values=column).reindex(index=index)
        .reindex(columns=tokens.columns).astype("float64")
        for column in ("listing", "free_tokens")
    )
    others = (
        usage[usage["model"] == OTHERS].set_index("week")["tokens"].reindex(index).astype("float64")
    )
    totals = tokens.sum(axis=1, min_count=1).add(others.fillna(0.0), fill_value=0.0)
    totals[~present.to_numpy()] = np.nan
    positive = tokens.where(tokens > 0)
    ranks = positive.rank(axis=1, method="first", ascending=False)
    author_of, country_of = _attribution(snapshot, real)
    country_cols = pd.Series({m: country_of.get(m) for m in tokens.columns}, dtype="object")
    known = country_cols.dropna()
    countries = (
        tokens[known.index].T.groupby(known.to_numpy()).sum(min_count=0).T
        if len(known)
        else pd.DataFrame(index=index)
    )
    countries[~present.to_numpy()] = np.nan
    return Frames(week, tokens, others, totals, ranks, countries, present, listing, free,
                  country_of, author_of)


def comparable(f: Frames, model: str, kind: str) -> bool:
    """Whether a model's figures of this week and the last measure the same thing: in a list,
    a variant that joined or left the list changes the figure without any change in use."""
    return kind != "list" or model in f.listed_alike


def _attribution(
    snapshot: Snapshot, real: pd.DataFrame
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """Author and country per model: usage columns first, then catalogue, then the id."""
    given = [c for c in ("author", "country") if c in real.columns]
    # Only the attribution columns are carried through the sort; without them, the ids alone.
    latest = (
        real.sort_values("week")[["model", *given]].groupby("model").last()
        if given
        else pd.DataFrame(index=pd.Index(sorted(real["model"].unique()), name="model"))
    )
    author_of: dict[str, str | None] = {}
    country_of: dict[str, str | None] = {}
    for model in latest.index:
        author = _value(latest, model, "author")
        entry = snapshot.catalogue.get(model)
        if author is None and entry is not None:
            author = entry.author
        if author is None and "/" in model:
            author = model.split("/", 1)[0]
        country = _value(latest, model, "country")
        if country is None and author is not None and author in snapshot.authors:
            country = snapshot.authors[author].country
        author_of[model] = author
        country_of[model] = country.upper() if country else None
    return author_of, country_of


def _value(frame: pd.DataFrame, model: str, column: str) -> str | None:
    if column not in frame.columns:
        return None
    value = frame.at[model, column]
    return value if isinstance(value, str) and value else None
