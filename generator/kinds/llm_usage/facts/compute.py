"""The facts engine: every figure of one week, computed from the snapshot."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import cast

import numpy as np
import pandas as pd

from generator.kinds.llm_usage.countries import country_adjective, country_name
from generator.kinds.llm_usage.facts.attribution import attribution
from generator.kinds.llm_usage.facts.base_rates import base_rates, events
from generator.kinds.llm_usage.facts.calls import calls
from generator.kinds.llm_usage.facts.frames import Frames, build_frames, comparable, require_week
from generator.kinds.llm_usage.facts.launch import launched_in
from generator.kinds.llm_usage.facts.memory import remember_lead, remember_models
from generator.kinds.llm_usage.facts.model import (
    Arrival,
    CoverageFacts,
    CoverageKind,
    Facts,
    LeadFacts,
    MarketFacts,
    ModelFacts,
    RegionFacts,
    TotalFacts,
    WeekPoint,
)
from generator.kinds.llm_usage.facts.movers import movers
from generator.kinds.llm_usage.facts.source import source_facts
from generator.kinds.llm_usage.facts.timeline import build_timeline
from generator.kinds.llm_usage.load.names import clean_name, name_from_id
from generator.kinds.llm_usage.snapshot import CatalogueEntry, Snapshot
from generator.series import change_pct, growth_streak, share_pct, streak
from generator.weeks import iso_label

HISTORY_WEEKS = 26


def compute_facts(snapshot: Snapshot, week: dt.date, report: str, top_n: int = 10) -> Facts:
    """Compute the facts of `week` from the data up to and including it."""
    require_week(snapshot, week)
    f = build_frames(snapshot, week)
    prev = week - dt.timedelta(weeks=1)
    source, kind, list_size = source_facts(snapshot, week)
    # The week before is only comparable when the source kept its method: a longer list or a
    # new rounding moves every figure by itself.
    has_prev = bool(len(f.present) > 1 and f.present.iloc[-2]) and not source.changed_this_week
    # Streaks start again at a change of method: `start` is its row in the wide tables.
    weeks = list(f.tokens.index)
    start = weeks.index(dt.date.fromisoformat(source.break_week)) if source.break_week else 0
    margins = [float(snapshot.profiles[w].rounding_tokens) if w in snapshot.profiles else 0.0
               for w in weeks]
    total = _total(f, has_prev, start, margins)
    names = _names(snapshot, f)
    timeline = build_timeline(snapshot, f, margins)
    found = events(f, timeline)
    model_facts = remember_models(
        _models(f, snapshot, names, has_prev, top_n, total.tokens, start, kind), f, timeline, kind)
    regions = _regions(f, snapshot, has_prev, total.tokens)
    launched = {m.model for m in model_facts if m.arrival == "launch"}
    return Facts(
        week=week.isoformat(),
        iso_week=iso_label(week),
        report=report,
        prev_week=prev.isoformat() if has_prev else None,
        total=total,
        regions=regions,
        lead=remember_lead(_lead(f, regions, has_prev, start), timeline),
        models=model_facts,
        coverage=_coverage(f, snapshot, total.tokens, kind, list_size),
        source=source,
        movers=movers(f, has_prev, names, launched, kind == "list"),
        market=_market(f, snapshot, model_facts, regions, top_n, total.tokens),
        history=_history(f, model_facts[:top_n]),
        attribution=attribution(f, model_facts, total, names, snapshot.authors, kind),
        base_rates=base_rates(found, start, len(weeks) - 1),
        calls=calls(f, timeline, found, names, top_n),
    )


def _int(value: float) -> int | None:
    return None if value is None or math.isnan(value) else int(value)


def _total(f: Frames, has_prev: bool, start: int, margins: list[float]) -> TotalFacts:
    tokens = int(f.totals.iloc[-1])
    prev = _int(f.totals.iloc[-2]) if has_prev else None
    # Streaks and records do not reach across a change of the source's method, and a rise
    # smaller than the source's rounding is no rise.
    comparable = f.totals.iloc[start:]
    earlier = comparable.iloc[:-1].dropna()
    is_record = bool(len(earlier) and tokens - earlier.max() > 2 * margins[-1])
    return TotalFacts(
        tokens=tokens,
        prev_tokens=prev,
        change_pct=change_pct(tokens, prev),
        change_tokens=tokens - prev if prev is not None else None,
        growth_streak_weeks=growth_streak(comparable.tolist(), margins[start:]),
        is_record=is_record,
        weeks_of_history=int(f.present.sum()),
        record_weeks_before=len(earlier) if is_record else None,
    )


def _names(snapshot: Snapshot, f: Frames) -> dict[str, str]:
    """One display name per model: the catalogue's, else the usage file's, else from the id."""
    names: dict[str, str] = {}
    usage_names = {}
    if "name" in snapshot.usage.columns:
        # The latest name given up to this week: later weeks must not change an earlier edition.
        usage = snapshot.usage[snapshot.usage["week"] <= f.week]
        named = usage[usage["name"].map(lambda n: isinstance(n, str) and bool(n))]
        usage_names = dict(zip(named["model"], named["name"], strict=False))
    for model in f.tokens.columns:
        entry = snapshot.catalogue.get(model)
        given = (entry.name if entry and entry.name else None) or usage_names.get(model)
        names[model] = (clean_name(given, snapshot.name_marks) if given else None) \
            or name_from_id(model)
    return names


def _arrival(entry: CatalogueEntry, week: dt.date, listed_before: bool) -> Arrival:
    if launched_in(entry, week):
        return "launch"
    return "return" if listed_before else "new"


def _models(
    f: Frames,
    snapshot: Snapshot,
    names: dict[str, str],
    has_prev: bool,
    top_n: int,
    total: int,
    start: int,
    kind: CoverageKind,
) -> tuple[ModelFacts, ...]:
    ranks = f.ranks
    now = ranks.iloc[-1].dropna().sort_values()
    tokens_now = f.tokens.iloc[-1]
    counts = tokens_now.value_counts()
    had_history = bool(f.present.iloc[:-1].any())
    # Plain arrays (weeks × models), read by column index: a pandas lookup per model and week
    # costs more than everything else here for a history of hundreds of models.
    rank_grid = ranks.to_numpy(dtype=float)
    token_grid = f.tokens.to_numpy(dtype=float)
    rank_col = {str(m): j for j, m in enumerate(ranks.columns)}
    token_col = {str(m): j for j, m in enumerate(f.tokens.columns)}
    weeks = list(f.tokens.index)
    out: list[ModelFacts] = []
    for model, rank_value in now.items():
        model = str(model)
        rank = int(rank_value)
        column = rank_grid[:, rank_col[model]]
        series = token_grid[:, token_col[model]]
        seen = ~np.isnan(series)
        first = cast(dt.date, weeks[int(seen.argmax())])  # the index holds the weeks as dates
        tokens = int(series[-1])
        prev = _int(series[-2]) if has_prev and comparable(f, model, kind) else None
        entry = snapshot.catalogue.get(model) or CatalogueEntry(model)
        listed_before = bool(seen[:-1].any())
        arrival = (_arrival(entry, f.week, listed_before)
                   if has_prev and had_history and math.isnan(series[-2]) else None)
        # Not listed last week: its volume then is unknown, unless it did not exist yet.
        if arrival == "launch":
            prev = 0
        prev_rank = _int(column[-2]) if has_prev else None
        before = column[:-1]
        earlier_best = float(np.nanmin(before)) if (~np.isnan(before)).any() else math.nan
        last_seen = np.flatnonzero(seen[:-1])
        author = f.author_of.get(model)
        out.append(
            ModelFacts(
                rank=rank,
                model=model,
                name=names[model],
                author=author,
                author_name=snapshot.authors[author].name if author in snapshot.authors else None,
                country=f.country_of.get(model),
                tokens=tokens,
                prev_tokens=prev,
                change_pct=change_pct(tokens, prev),
                change_tokens=tokens - prev if prev is not None else None,
                share_pct=share_pct(tokens, total),
                prev_rank=prev_rank,
                is_new=bool(had_history and first == f.week),
                # cast: mypy cannot infer a lambda whose default arguments bind the loop's values.
                weeks_at_rank=streak(
                    len(column) - start,
                    cast("Callable[[int], bool]", lambda i, c=column[start:], r=rank: c[i] == r),
                ),
                tied=bool(counts.get(tokens_now[model], 0) > 1),
                first_week=iso_label(first),
                weeks_in_data=int(seen.sum()),
                new_in_top_n=bool(
                    had_history and rank <= top_n and not (earlier_best <= top_n)
                ),
                best_rank=int(min(rank, earlier_best)) if not math.isnan(earlier_best) else rank,
                best_rank_before=None if math.isnan(earlier_best) else int(earlier_best),
                released=entry.released.isoformat() if entry.released else None,
                context_length=entry.context_length,
                input_modalities=entry.input_modalities,
                open_weights=entry.open_weights,
                price_prompt=entry.price_prompt,
                price_completion=entry.price_completion,
                arrival=arrival,
                last_listed=(cast(dt.date, weeks[int(last_seen[-1])]).isoformat()
                             if len(last_seen) else None),
                free_tokens=_int(f.free.iloc[-1][model]) or 0,
            )
        )
    return tuple(out)


def _weighted_price(
    tokens: pd.Series, free: pd.Series, snapshot: Snapshot, attribute: str
) -> float | None:
    """The volume-weighted catalogue price; tokens of `:free` ids cost nothing."""
    weight = 0.0
    amount = 0.0
    for model, value in tokens.items():
        entry = snapshot.catalogue.get(str(model))
        price = getattr(entry, attribute) if entry is not None else None
        if price is None or math.isnan(value) or value <= 0:
            continue
        free_part = free.get(model, 0.0)
        paid = value - (0.0 if math.isnan(free_part) else free_part)
        weight += value
        amount += paid * price
    return amount / weight if weight else None


def _regions(
    f: Frames, snapshot: Snapshot, has_prev: bool, total: int
) -> tuple[RegionFacts, ...]:
    now = f.countries.iloc[-1]
    tokens_now = f.tokens.iloc[-1]
    regions = []
    free_now = f.free.iloc[-1]
    prev_total = _int(f.totals.iloc[-2]) if has_prev else None
    for country, value in now.items():
        code = str(country)
        if not value or math.isnan(value):
            continue
        members = tokens_now[[m for m, c in f.country_of.items() if c == code]].dropna()
        members = members[members > 0]
        prev = _int(f.countries[code].iloc[-2]) if has_prev else None
        regions.append(
            RegionFacts(
                country=code,
                name=country_name(code),
                adjective=country_adjective(code),
                tokens=int(value),
                prev_tokens=prev,
                change_pct=change_pct(int(value), prev),
                share_pct=share_pct(value, total),
                prev_share_pct=(share_pct(prev, prev_total)
                                if prev is not None and prev_total else None),
                models=len(members),
                avg_price_prompt=_weighted_price(members, free_now, snapshot, "price_prompt"),
                avg_price_completion=_weighted_price(members, free_now, snapshot,
                                                     "price_completion"),
            )
        )
    regions.sort(key=lambda r: (-r.tokens, r.country))
    return tuple(regions)


def _lead(f: Frames, regions: tuple[RegionFacts, ...], has_prev: bool,
          start: int) -> LeadFacts | None:
    if not regions:
        return None
    leader = regions[0].country
    runner = regions[1].country if len(regions) > 1 else None
    if runner is None:
        return LeadFacts(leader, None, 0, None, None, False, None)
    a, b = f.countries[leader], f.countries[runner]

    def ahead(i: int) -> bool:
        return i >= start and bool(f.present.iloc[i]) and a.iloc[i] > b.iloc[i]

    length = streak(len(a), ahead)
    previous_leader = None
    if has_prev:
        prev_row = f.countries.iloc[-2].dropna()
        prev_row = prev_row[prev_row > 0]
        if len(prev_row):
            previous_leader = str(prev_row.sort_index().idxmax())
    gap = regions[0].tokens - regions[1].tokens
    return LeadFacts(
        leader=leader,
        runner_up=runner,
        streak_weeks=length,
        gap_tokens=gap,
        ratio=regions[0].tokens / regions[1].tokens if regions[1].tokens else None,
        changed_this_week=bool(length == 1 and has_prev),
        previous_leader=previous_leader,
    )


def _coverage(f: Frames, snapshot: Snapshot, total: int, kind: CoverageKind,
              list_size: int | None) -> CoverageFacts:
    now = f.tokens.iloc[-1].dropna()
    unknown = [m for m in now.index if f.country_of.get(m) is None and now[m] > 0]
    unknown_tokens = int(now[unknown].sum()) if unknown else 0
    others = _int(f.others.iloc[-1]) or 0
    attributed = total - others - unknown_tokens
    return CoverageFacts(
        kind=kind,
        list_size=list_size,
        listed_models=int((now > 0).sum()),
        attributed_share_pct=share_pct(attributed, total),
        attributed_tokens=attributed,
        others_tokens=others,
        others_share_pct=share_pct(others, total),
        unknown_country_tokens=unknown_tokens,
        unknown_country_share_pct=share_pct(unknown_tokens, total),
        unknown_country_models=tuple(sorted(unknown)),
        free_variant_tokens=int(snapshot.free_variant_tokens.get(f.week, 0)),
        rounded_figures=snapshot.rounded_figures,
    )


def _market(
    f: Frames,
    snapshot: Snapshot,
    models: tuple[ModelFacts, ...],
    regions: tuple[RegionFacts, ...],
    top_n: int,
    total: int,
) -> MarketFacts:
    known = [m for m in models if m.open_weights is not None]
    open_tokens = sum(m.tokens for m in known if m.open_weights)
    known_tokens = sum(m.tokens for m in known)
    run_country = models[0].country if models else None
    run = 0
    for m in models:
        if run_country is None or m.country != run_country:
            break
        run += 1
    tokens_now = f.tokens.iloc[-1]
    margin = models[0].tokens - models[1].tokens if len(models) > 1 and models[1].tokens else None
    return MarketFacts(
        models_tracked=len(models),
        authors=len({m.author for m in models if m.author}),
        countries=len(regions),
        top_n=min(top_n, len(models)),
        top_n_share_pct=share_pct(sum(m.tokens for m in models[:top_n]), total),
        top3_share_pct=share_pct(sum(m.tokens for m in models[:3]), total),
        leader_share_pct=models[0].share_pct if models else 0.0,
        open_weights_share_pct=share_pct(open_tokens, known_tokens) if known_tokens else None,
        open_weights_tokens=open_tokens,
        avg_price_prompt=_weighted_price(tokens_now, f.free.iloc[-1], snapshot, "price_prompt"),
        avg_price_completion=_weighted_price(tokens_now, f.free.iloc[-1], snapshot,
                                             "price_completion"),
        top_run_country=run_country,
        top_run_length=run,
        leader_margin_tokens=margin,
        leader_margin_pct=share_pct(margin, models[1].tokens) if margin is not None else None,
    )


def _history(f: Frames, top: tuple[ModelFacts, ...]) -> tuple[WeekPoint, ...]:
    points = []
    # The index holds the weeks as datetime.date.
    weeks = [cast(dt.date, w) for w, here in f.present.items() if here][-HISTORY_WEEKS:]
    for week in weeks:
        # One week's row of float64 frames: a Series of floats, and float cells.
        row = cast("pd.Series[float]", f.countries.loc[week])
        by_country = {str(c): int(v) for c, v in row.items() if not math.isnan(v) and v}
        by_model = {
            m.model: int(cast(float, f.tokens.at[week, m.model]))
            for m in top
            if not math.isnan(cast(float, f.tokens.at[week, m.model]))
        }
        points.append(WeekPoint(week.isoformat(), int(f.totals[week]), by_country, by_model))
    return tuple(points)
