"""The `usage` kind's facts: a week's total, items ranked by value, and the race of groups."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from functools import partial
from typing import Any, cast

import pandas as pd

from generator.kinds.usage.load import UsageData
from generator.ledger import Claim
from generator.ledger.names import names_with_digits
from generator.report import Report
from generator.series import change_pct, growth_streak, share_pct, streak
from generator.weeks import iso_label

HISTORY_WEEKS = 26
MOVERS = 3
NAME_KEYS = frozenset({"item", "name", "group", "leader", "runner_up"})


@dataclass(frozen=True)
class Total:
    """The sum of every item's value this week."""

    value: int
    prev_value: int | None
    change_pct: float | None
    change_value: int | None
    growth_streak_weeks: int
    is_record: bool
    weeks_of_history: int


@dataclass(frozen=True)
class Item:
    """One item's week."""

    rank: int
    item: str
    name: str
    group: str | None
    value: int
    prev_value: int | None
    change_pct: float | None
    change_value: int | None
    share_pct: float
    prev_rank: int | None
    is_new: bool
    weeks_at_rank: int


@dataclass(frozen=True)
class Group:
    """The items of one group, added up."""

    group: str
    value: int
    prev_value: int | None
    change_pct: float | None
    share_pct: float
    items: int


@dataclass(frozen=True)
class Lead:
    """The race between the two largest groups."""

    leader: str
    runner_up: str
    streak_weeks: int
    changed_this_week: bool
    gap_value: int


@dataclass(frozen=True)
class Move:
    """An item's change on the week."""

    item: str
    name: str
    rank: int
    change_value: int
    change_pct: float | None


@dataclass(frozen=True)
class Point:
    """One week of the history the charts draw."""

    week: str
    value: int


@dataclass(frozen=True)
class UsageFacts:
    """Every figure of one week of a generic usage report."""

    week: str
    iso_week: str
    report: str
    prev_week: str | None
    total: Total
    items: tuple[Item, ...]
    groups: tuple[Group, ...]
    lead: Lead | None
    gainers: tuple[Move, ...]
    losers: tuple[Move, ...]
    history: tuple[Point, ...]
    leader_margin: int | None
    claims: tuple[Claim, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The plain JSON form written to `facts.json`."""
        return dataclasses.asdict(self)

    def with_claims(self, claims: tuple[Claim, ...]) -> UsageFacts:
        """The same facts holding the edition's whole ledger."""
        return dataclasses.replace(self, claims=claims)

    def names(self) -> tuple[str, ...]:
        """Names of items and groups that hold digits."""
        return tuple(sorted(names_with_digits(self.to_json(), NAME_KEYS)))


def _int(value: float) -> int | None:
    return None if value is None or math.isnan(value) else int(value)


def compute_usage_facts(data: UsageData, week: dt.date, report: Report) -> UsageFacts:
    """The facts of `week`, from the data up to it."""
    frame = data.frame[data.frame["week"] <= week]
    first = min(frame["week"])
    index = pd.Index([first + dt.timedelta(weeks=i) for i in range((week - first).days // 7 + 1)])
    present = pd.Series(index.isin(set(frame["week"])), index=index)
    values = frame.pivot(index="week", columns="item", values="value").reindex(index)
    values = values.astype("float64")
    totals = values.sum(axis=1, min_count=1)
    totals[~present.to_numpy()] = math.nan
    has_prev = bool(len(index) > 1 and present.iloc[-2])
    latest = frame.sort_values("week").groupby("item").last()
    group_of = {str(i): (g if isinstance(g, str) else None) for i, g in latest["group"].items()}
    name_of = {str(i): (n if isinstance(n, str) else str(i)) for i, n in latest["name"].items()}
    total_now = int(totals.iloc[-1])
    prev_total = _int(totals.iloc[-2]) if has_prev else None
    ranks = values.where(values > 0).rank(axis=1, method="first", ascending=False)
    items = _items(values, ranks, has_prev, name_of, group_of, total_now)
    groups = _groups(values, group_of, has_prev, total_now, prev_total)
    gainers, losers = _movers(items)
    earlier = totals.iloc[:-1].dropna()
    return UsageFacts(
        week=week.isoformat(),
        iso_week=iso_label(week),
        report=report.slug,
        prev_week=(week - dt.timedelta(weeks=1)).isoformat() if has_prev else None,
        total=Total(total_now, prev_total, change_pct(total_now, prev_total),
                    total_now - prev_total if prev_total is not None else None,
                    growth_streak(totals.tolist()),
                    bool(len(earlier) and total_now > earlier.max()), int(present.sum())),
        items=items,
        groups=groups,
        lead=_lead(values, group_of, groups, present, has_prev),
        gainers=gainers,
        losers=losers,
        # The index holds the weeks as datetime.date.
        history=tuple(Point(cast(dt.date, w).isoformat(), int(t))
                      for w, t in totals.dropna().items())[-HISTORY_WEEKS:],
        leader_margin=items[0].value - items[1].value if len(items) > 1 else None,
    )


def _items(values: pd.DataFrame, ranks: pd.DataFrame, has_prev: bool, name_of: dict[str, str],
           group_of: dict[str, str | None], total: int) -> tuple[Item, ...]:
    out = []
    had_history = len(values) > 1 and bool(values.iloc[:-1].notna().any().any())
    for item, rank in ranks.iloc[-1].dropna().sort_values().items():
        key = str(item)
        series = values[key]
        value = int(series.iloc[-1])
        prev = _int(series.iloc[-2]) if has_prev else None
        column = ranks[key].tolist()
        out.append(Item(
            rank=int(rank), item=key, name=name_of[key], group=group_of.get(key), value=value,
            prev_value=prev, change_pct=change_pct(value, prev),
            change_value=value - prev if prev is not None else None,
            share_pct=share_pct(value, total),
            prev_rank=_int(ranks[key].iloc[-2]) if has_prev else None,
            is_new=bool(had_history and series.iloc[:-1].isna().all()),
            weeks_at_rank=streak(len(column), partial(_at, column, rank)),
        ))
    return tuple(out)


def _at(column: list[float], rank: float, i: int) -> bool:
    return column[i] == rank


def _groups(values: pd.DataFrame, group_of: dict[str, str | None], has_prev: bool, total: int,
            prev_total: int | None) -> tuple[Group, ...]:
    names = sorted({g for g in group_of.values() if g})
    out = []
    for name in names:
        members = [i for i, g in group_of.items() if g == name]
        now = values[members].iloc[-1]
        value = int(now.sum())
        if not value:
            continue
        prev = _int(values[members].iloc[-2].sum(min_count=1)) if has_prev else None
        out.append(Group(name, value, prev, change_pct(value, prev), share_pct(value, total),
                         int((now > 0).sum())))
    return tuple(sorted(out, key=lambda g: (-g.value, g.group)))


def _lead(values: pd.DataFrame, group_of: dict[str, str | None], groups: tuple[Group, ...],
          present: pd.Series, has_prev: bool) -> Lead | None:
    if len(groups) < 2:
        return None
    a, b = groups[0].group, groups[1].group

    def total(name: str) -> pd.Series:
        return values[[i for i, g in group_of.items() if g == name]].sum(axis=1, min_count=1)

    sums_a, sums_b = total(a), total(b)

    def ahead(i: int) -> bool:
        return bool(present.iloc[i]) and bool(sums_a.iloc[i] > sums_b.iloc[i])

    length = streak(len(values), ahead)
    return Lead(a, b, length, bool(has_prev and length == 1), groups[0].value - groups[1].value)


def _movers(items: tuple[Item, ...]) -> tuple[tuple[Move, ...], tuple[Move, ...]]:
    known = [m for m in items if m.change_value is not None]
    moves = [Move(m.item, m.name, m.rank, m.change_value or 0, m.change_pct) for m in known]
    gainers = sorted((m for m in moves if m.change_value > 0), key=lambda m: (-m.change_value, m.item))
    losers = sorted((m for m in moves if m.change_value < 0), key=lambda m: (m.change_value, m.item))
    return tuple(gainers[:MOVERS]), tuple(losers[:MOVERS])
