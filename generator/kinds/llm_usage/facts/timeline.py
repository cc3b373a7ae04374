"""What each week of the history was, row by row of the Frames: who led, whether the total
grew, which models launched or debuted, and where the source's method changed.

News memory, base rates and calls all read it, so that an earlier edition's view is
recomputed from the rows up to that edition (each row's values depend only on that row and
the ones before it) without computing that edition's whole facts again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import cast

import numpy as np

from generator.kinds.llm_usage.facts.frames import Frames
from generator.kinds.llm_usage.facts.launch import launched_in
from generator.kinds.llm_usage.facts.source import coverage_kind, method_changes
from generator.kinds.llm_usage.snapshot import Snapshot


@dataclass(frozen=True)
class Timeline:
    """Per row of the Frames (weeks, gaps included):

    `present`: the week is in the data. `starts`: the row of the last change of the source's
    method up to this row (0 when none): the row's comparable history begins there.
    `listed`: the week's coverage is a top-N list. `top_model`: the rank-1 model.
    `top_country`: the country strictly ahead of every other (None on a tie or without
    countries); `countries`: how many countries have volume. `grew`: the total rose on the
    row before beyond both weeks' rounding (None when either week is missing).
    `launches`: the models launched in that row (listed for the first time since the week
    before, with a catalogue date in the week), largest first. `debuts`: (model, row) of
    each model's first row, when the week before is in the data; in a list only launches.
    """

    weeks: tuple[dt.date, ...]
    present: tuple[bool, ...]
    starts: tuple[int, ...]
    listed: tuple[bool, ...]
    top_model: tuple[str | None, ...]
    top_country: tuple[str | None, ...]
    countries: tuple[int, ...]
    grew: tuple[bool | None, ...]
    launches: tuple[tuple[str, ...], ...]
    debuts: tuple[tuple[str, int], ...]


def build_timeline(snapshot: Snapshot, f: Frames, margins: list[float]) -> Timeline:
    """Read the per-row history of the Frames; `margins`: each row's rounding in tokens."""
    # The index holds the weeks as dates.
    weeks = tuple(cast(dt.date, w) for w in f.tokens.index)
    present = tuple(bool(p) for p in f.present)
    row_of = {w: i for i, w in enumerate(weeks)}
    starts, last = [], 0
    # The weeks in the data are the present rows (reading them from the snapshot costs more).
    changes = {row_of[w] for w in method_changes(
        snapshot, [w for w, here in zip(weeks, present, strict=True) if here])}
    for i in range(len(weeks)):
        last = i if i in changes else last
        starts.append(last)
    listed = tuple(bool(present[i]) and coverage_kind(snapshot, snapshot.profiles[w]) == "list"
                   if w in snapshot.profiles else False for i, w in enumerate(weeks))
    launches = _launches(snapshot, f, present, starts)
    return Timeline(
        weeks=weeks,
        present=present,
        starts=tuple(starts),
        listed=listed,
        top_model=_top_models(f),
        top_country=_top_countries(f),
        countries=tuple(int(n) for n in (f.countries.fillna(0.0) > 0).sum(axis=1)),
        grew=_grew(f, margins),
        launches=launches,
        debuts=_debuts(f, present, listed, launches),
    )


def _top_models(f: Frames) -> tuple[str | None, ...]:
    ranks = f.ranks.to_numpy(dtype=float)
    columns = [str(m) for m in f.ranks.columns]
    top: list[str | None] = [None] * len(ranks)
    # Ranks are distinct within a row (ties are broken by id): one rank 1 at most.
    for row, j in zip(*np.nonzero(ranks == 1), strict=True):
        top[int(row)] = columns[int(j)]
    return tuple(top)


def _top_countries(f: Frames) -> tuple[str | None, ...]:
    grid = np.nan_to_num(f.countries.to_numpy(dtype=float))
    columns = [str(c) for c in f.countries.columns]
    out: list[str | None] = []
    for row in grid:
        best = row.max() if len(row) else 0.0
        leaders = np.flatnonzero(row == best)
        # A tie is no lead.
        out.append(columns[int(leaders[0])] if best > 0 and len(leaders) == 1 else None)
    return tuple(out)


def _grew(f: Frames, margins: list[float]) -> tuple[bool | None, ...]:
    totals = f.totals.to_numpy(dtype=float)
    out: list[bool | None] = [None]
    for i in range(1, len(totals)):
        now, before = totals[i], totals[i - 1]
        if np.isnan(now) or np.isnan(before):
            out.append(None)
        else:
            # A rise no larger than the two weeks' rounding is no rise (as growth_streak).
            out.append(bool(now - before > margins[i] + margins[i - 1]))
    return tuple(out)


def _launches(snapshot: Snapshot, f: Frames, present: tuple[bool, ...],
              starts: list[int]) -> tuple[tuple[str, ...], ...]:
    grid = f.tokens.to_numpy(dtype=float)
    columns = [str(m) for m in f.tokens.columns]
    out: list[tuple[str, ...]] = [()]
    for i in range(1, len(grid)):
        # As compute_facts: no arrival without a comparable week before.
        if not (present[i] and present[i - 1]) or starts[i] == i:
            out.append(())
            continue
        arrived = np.flatnonzero(np.isnan(grid[i - 1]) & (np.nan_to_num(grid[i]) > 0))
        found = [j for j in arrived
                 if launched_in(snapshot.catalogue.get(columns[j]), f.tokens.index[i])]
        found.sort(key=lambda j: (-grid[i, j], columns[j]))
        out.append(tuple(columns[j] for j in found))
    return tuple(out)


def _debuts(f: Frames, present: tuple[bool, ...], listed: tuple[bool, ...],
            launches: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, int], ...]:
    grid = f.tokens.to_numpy(dtype=float)
    seen = ~np.isnan(grid)
    out = []
    for j, model in enumerate(str(m) for m in f.tokens.columns):
        if not seen[:, j].any():
            continue
        r = int(seen[:, j].argmax())
        # The data's first week, or a week after a gap, shows no debut: the model may be older.
        if r == 0 or not present[r - 1] or not grid[r, j] > 0:
            continue
        # In a list, entering the list is not a debut; only a launch is.
        if listed[r] and model not in launches[r]:
            continue
        out.append((model, r))
    return tuple(sorted(out, key=lambda d: (d[1], d[0])))
