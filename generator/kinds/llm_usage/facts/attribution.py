"""Attribution: the parts that explain a week's change.

Four kinds of part, each read from the wide tables of `frames.py`:

- launches: the volume of the models launched this week (`arrival == "launch"`), and the
  total's change without them;
- free tiers: a model's `:free` volume that started, ended, or moved by a material amount;
- switches: within one maker, an older model's material loss beside a newer model's material
  gain (the newer model may be a launch, counted from zero);
- broad moves: every model of one country (at least three) moved the same way.

Free tiers, switches and broad moves are read among the models with a figure in both weeks
(and, in a top-N list, of the models listed in both weeks whose figure sums the same ids:
`comparable`). A model missing from one of the two weeks has no known change: in a list its
volume is unknown, not zero, so leaving the list is neither a free tier ending nor a fall.

A move is material when it is at least `MATERIAL_OF_TOTAL` of last week's total, or at least
`MATERIAL_OF_MODEL` of the model's own volume last week while above `FLOOR_OF_TOTAL` of last
week's total (a large relative move on a tiny model is noise, not a cause).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from generator.kinds.llm_usage.countries import country_adjective
from generator.kinds.llm_usage.facts.frames import Frames, comparable
from generator.kinds.llm_usage.facts.model import (
    AttributionFacts,
    BroadMove,
    CoverageKind,
    FreeTierEvent,
    FreeTierPart,
    LaunchPart,
    ModelFacts,
    SwitchPart,
    TotalFacts,
)
from generator.kinds.llm_usage.snapshot import Author
from generator.series import change_pct

MATERIAL_OF_TOTAL = 0.01
MATERIAL_OF_MODEL = 0.25
FLOOR_OF_TOTAL = 0.001
# "All of a country's models fell" says little of one or two models.
BROAD_MIN_MODELS = 3


def attribution(
    f: Frames,
    models: tuple[ModelFacts, ...],
    total: TotalFacts,
    names: Mapping[str, str],
    authors: Mapping[str, Author],
    kind: CoverageKind,
) -> AttributionFacts:
    """The parts of this week's change; empty when there is no comparable previous week
    (`total.prev_tokens` is None then: no previous week, or the source changed its method)."""
    if total.prev_tokens is None or total.change_tokens is None:
        return AttributionFacts()
    prev_total = total.prev_tokens
    launches = tuple(sorted((LaunchPart(m.model, m.name, m.tokens)
                             for m in models if m.arrival == "launch"),
                            key=lambda p: (-p.tokens, p.model)))
    launch_tokens = sum(p.tokens for p in launches)
    changes = _changes(f, kind)
    launched = {p.model: p.tokens for p in launches}
    return AttributionFacts(
        change_tokens=total.change_tokens,
        launch_tokens=launch_tokens,
        launch_share_of_change_pct=(launch_tokens / total.change_tokens * 100.0
                                    if total.change_tokens > 0 else None),
        change_without_launches_pct=change_pct(total.tokens - launch_tokens, prev_total),
        launches=launches,
        free_tiers=_free_tiers(changes, names, prev_total),
        switches=_switches(f, changes, launched, names, authors, prev_total),
        broad_moves=_broad_moves(f, changes),
    )


@dataclass(frozen=True)
class _Move:
    """One model's figures in both weeks: all tokens and those of its `:free` ids."""

    model: str
    now: float
    before: float
    free_now: float
    free_before: float

    @property
    def change(self) -> float:
        return self.now - self.before


def _changes(f: Frames, kind: CoverageKind) -> tuple[_Move, ...]:
    """Models with a comparable figure in both weeks."""
    tokens = f.tokens.to_numpy(dtype=float)[-2:]
    free = f.free.to_numpy(dtype=float)[-2:]
    keep = ~np.isnan(tokens).any(axis=0)
    return tuple(_Move(str(m), tokens[1, j], tokens[0, j], free[1, j], free[0, j])
                 for j, m in enumerate(f.tokens.columns) if keep[j] and comparable(f, str(m), kind))


def _material(change: float, model_before: float, prev_total: float) -> bool:
    size = abs(change)
    if size >= MATERIAL_OF_TOTAL * prev_total:
        return True
    return size >= MATERIAL_OF_MODEL * model_before and size >= FLOOR_OF_TOTAL * prev_total


def _free_tiers(changes: tuple[_Move, ...], names: Mapping[str, str],
                prev_total: int) -> tuple[FreeTierPart, ...]:
    parts = []
    for move in changes:
        model, now, before = move.model, move.free_now, move.free_before
        if math.isnan(now) or math.isnan(before) or now == before:
            continue
        free_change = now - before
        if not _material(free_change, move.before, prev_total):
            continue
        event: FreeTierEvent = ("ended" if now == 0 else "started" if before == 0
                                else "fell" if free_change < 0 else "rose")
        model_change = move.change
        same_way = model_change != 0 and np.sign(model_change) == np.sign(free_change)
        parts.append(FreeTierPart(
            model=model,
            name=names[model],
            event=event,
            free_tokens=int(now),
            prev_free_tokens=int(before),
            change_tokens=int(free_change),
            model_change_tokens=int(model_change),
            share_of_model_change_pct=(abs(free_change) / abs(model_change) * 100.0
                                       if same_way else None),
        ))
    return tuple(sorted(parts, key=lambda p: (-abs(p.change_tokens), p.model)))


def _first_rows(f: Frames) -> dict[str, int]:
    """Each model's first row with a figure: a larger row is a newer model."""
    seen = f.tokens.notna().to_numpy()
    return {str(m): int(seen[:, j].argmax()) for j, m in enumerate(f.tokens.columns)}


def _switches(
    f: Frames,
    changes: tuple[_Move, ...],
    launched: Mapping[str, int],
    names: Mapping[str, str],
    authors: Mapping[str, Author],
    prev_total: int,
) -> tuple[SwitchPart, ...]:
    """Pair each maker's material losers with its newer material gainers, largest loss first,
    each model in one pair at most (a gain told twice would be counted twice)."""
    moves = {m.model: (m.change, m.before) for m in changes}
    # A launch gains its whole first week from nothing.
    moves.update({m: (float(t), 0.0) for m, t in launched.items()})
    material = {m: c for m, (c, b) in moves.items() if c and _material(c, b, prev_total)}
    first = _first_rows(f)
    parts = []
    by_author: dict[str, list[str]] = {}
    for model in material:
        author = f.author_of.get(model)
        if author is not None:
            by_author.setdefault(author, []).append(model)
    for author, members in sorted(by_author.items()):
        losers = sorted((m for m in members if material[m] < 0), key=lambda m: (material[m], m))
        gainers = sorted((m for m in members if material[m] > 0), key=lambda m: (-material[m], m))
        for loser in losers:
            gainer = next((g for g in gainers if first[g] > first[loser]), None)
            if gainer is None:
                continue
            gainers.remove(gainer)
            parts.append(SwitchPart(
                author=author,
                author_name=authors[author].name if author in authors else None,
                from_model=loser,
                from_name=names[loser],
                lost_tokens=int(-material[loser]),
                to_model=gainer,
                to_name=names[gainer],
                gained_tokens=int(material[gainer]),
            ))
    # The volume that can have moved between the two is the smaller of the two moves.
    return tuple(sorted(parts, key=lambda p: (-min(p.lost_tokens, p.gained_tokens),
                                              p.from_model)))


def _broad_moves(f: Frames, changes: tuple[_Move, ...]) -> tuple[BroadMove, ...]:
    by_country: dict[str, list[float]] = {}
    for move in changes:
        country = f.country_of.get(move.model)
        # A model without a country is never counted for one.
        if country is not None:
            by_country.setdefault(country, []).append(move.change)
    moves = []
    for code, group in sorted(by_country.items()):
        if len(group) < BROAD_MIN_MODELS:
            continue
        direction: Literal["rose", "fell"] | None = (
            "rose" if all(c > 0 for c in group) else "fell" if all(c < 0 for c in group)
            else None)
        if direction is not None:
            moves.append(BroadMove(code, country_adjective(code), direction, len(group),
                                   int(sum(group))))
    return tuple(sorted(moves, key=lambda b: (-abs(b.change_tokens), b.country)))
