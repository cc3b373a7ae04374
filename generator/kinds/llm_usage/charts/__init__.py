"""Charts of one week: `make_charts` writes the caption and alt text of each, and says how to draw it.

Every figure in a caption or alt text goes through the claim book, so the check can trace it
to `facts.json` like any figure of the story. Titles carry no figures at all.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from matplotlib.figure import Figure

from generator.charts import style
from generator.charts.model import Chart
from generator.kinds.llm_usage.charts import draw
from generator.kinds.llm_usage.charts.data import DATA
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.story.scope import ARRIVAL_LABELS, Scope
from generator.ledger.numbers import ClaimBook
from generator.story.phrases import (
    change_verb,
    join_list,
    pct,
    signed_pct,
    tokens,
)

__all__ = ["Chart", "make_charts"]

Words = tuple[str, str]  # (caption, alt)
ARRIVAL_WORDS = {"launch": "launched this week", "new": "new to the list",
                 "return": "back on the list"}
ARRIVAL_KEY = {a: f"\u201c{ARRIVAL_LABELS[a]}\u201d marks {what}" for a, what in (
    ("launch", "a model released this week"), ("new", "a model new to the list"),
    ("return", "a model back on the list"))}
DrawWeek = Callable[[Facts, str, style.Canvas], Figure]  # Chart.draw, before the facts and note are bound
Writer = Callable[[Facts, ClaimBook], Words]


def make_charts(facts: Facts, book: ClaimBook, *, source: str | None = None) -> tuple[Chart, ...]:
    """The week's charts, undrawn, skipping those the data cannot support, each with its words
    and data and how to draw it (the engine draws them: `generator.charts.drawing`)."""
    note = f"Source: {source or facts.report} usage data"
    history = len(facts.history) >= 2 and facts.history[-1].tokens > 0
    gains, losses = draw.mover_rows(facts)
    wanted: list[tuple[str, bool, DrawWeek, Writer]] = [
        ("total", history, draw.draw_total, _total_words),
        ("regions", history and bool(draw.top_countries(facts)), draw.draw_regions,
         _regions_words),
        ("top_models", bool(facts.models) and facts.models[0].tokens > 0, draw.draw_top_models,
         _top_words),
        ("movers", facts.prev_week is not None and bool(gains or losses), draw.draw_movers,
         _movers_words),
        ("share", history and bool(draw.share_models(facts)), draw.draw_share, _share_words),
    ]
    charts = []
    for name, supported, draw_one, words in wanted:
        if not supported:
            continue
        caption, alt = words(facts, book)
        charts.append(Chart(name=name, title=draw.TITLES[name], caption=caption, alt=alt,
                            width_px=style.WIDTH_PX, height_px=style.HEIGHT_PX,
                            data=DATA[name](facts), draw=functools.partial(draw_one, facts, note)))
    return tuple(charts)


def _span(facts: Facts, book: ClaimBook) -> str:
    last = len(facts.history) - 1
    return (f"from the week of {book.num('history.0.week', facts.history[0].week, 'date')} "
            f"to the week of {book.num(f'history.{last}.week', facts.history[last].week, 'date')}")


def _total_words(facts: Facts, book: ClaimBook) -> Words:
    total = facts.total
    streak = draw.streak_bars(facts)
    scope = Scope.of(facts)
    caption = book.sentence(
        ("Tokens processed each week across all models; " if not scope.is_list else
         f"Tokens processed each week by the models in that week's {scope.list_name(book)}; ")
        + ("the highlighted bars mark the current run of weekly growth."
           if streak else "the latest week is highlighted."))
    alt = (f"Bar chart of {'listed' if scope.is_list else 'total'} weekly tokens "
           f"{_span(facts, book)}; the latest week, "
           f"{tokens(book, 'total.tokens', total.tokens, 1)}")
    if streak:
        alt += (f", is the {book.num('total.growth_streak_weeks', total.growth_streak_weeks, 'ord')}"
                " straight week of growth.")
    elif total.change_pct is not None:
        alt += f", is {change_verb(book, 'total.change_pct', total.change_pct)} on the week before."
    else:
        alt += "."
    return caption, book.sentence(alt)


def _regions_words(facts: Facts, book: ClaimBook) -> Words:
    countries = draw.top_countries(facts)
    caption = book.sentence(
        "Weekly tokens of the models whose maker is from each country, for this week's "
        "largest countries; volume with no known country is left out.")
    alt = (f"Line chart of weekly tokens by the country of each model's maker {_span(facts, book)}"
           f", for {join_list([r.name for r in countries])}; {countries[0].name} leads this week "
           f"with {tokens(book, 'regions.0.tokens', countries[0].tokens)} tokens")
    if len(countries) > 1:
        alt += (f", ahead of {countries[1].name} with "
                f"{tokens(book, 'regions.1.tokens', countries[1].tokens)}")
    return caption, book.sentence(alt + ".")


def _model_change(facts: Facts, book: ClaimBook, i: int) -> str:
    m = facts.models[i]
    if m.arrival is not None:
        return f" ({ARRIVAL_WORDS[m.arrival]})"
    if m.change_pct is None:
        return ""
    return f" ({signed_pct(book, f'models.{i}.change_pct', m.change_pct)} on the week)"


def _top_words(facts: Facts, book: ClaimBook) -> Words:
    shown = facts.models[:draw.TOP_BARS]
    marks = sorted({m.arrival for m in shown if m.arrival is not None})
    caption = book.sentence(
        "Tokens each model processed this week"
        + (", with the change on the week before" if facts.prev_week else "")
        + "".join(f"; {ARRIVAL_KEY[a]}" for a in marks) + ".")
    count = (f"{book.num('market.top_n', facts.market.top_n, 'card')} "
             if facts.market.top_n == len(shown) else "")
    parts = [f"Horizontal bar chart of this week's {count}most-used models by tokens; "
             f"{shown[0].name} leads with {tokens(book, 'models.0.tokens', shown[0].tokens)}"
             + _model_change(facts, book, 0)]
    parts += [f"{shown[i].name} has {tokens(book, f'models.{i}.tokens', shown[i].tokens)}"
              + _model_change(facts, book, i) for i in range(1, min(3, len(shown)))]
    return caption, book.sentence("; ".join(parts) + ".")


def _movers_words(facts: Facts, book: ClaimBook) -> Words:
    gains, losses = draw.mover_rows(facts)
    caption = book.sentence(
        "Change in tokens between last week and this week for the models that gained "
        "and lost the most.")
    parts = []
    if gains:
        g = gains[0]
        parts.append(f"{g.name} gained the most, "
                     f"{tokens(book, 'movers.gainers.0.change_tokens', g.change_tokens)} tokens")
    if losses:
        lo = losses[0]
        # The fall is told as from-to so every figure is a positive fact as stored.
        parts.append(f"{lo.name} fell the most, from "
                     f"{tokens(book, 'movers.losers.0.prev_tokens', lo.prev_tokens)} tokens to "
                     + (f"{tokens(book, 'movers.losers.0.tokens', lo.tokens)} tokens"
                        if lo.tokens else "none"))
    alt = ("Diverging bar chart of the largest week-over-week gains and losses in tokens; "
           + "; ".join(parts) + ".")
    return caption, book.sentence(alt)


def _share_words(facts: Facts, book: ClaimBook) -> Words:
    models = draw.share_models(facts)
    listed = Scope.of(facts).is_list
    caption = book.sentence(
        "Each model's share of each week's listed volume, for this week's largest models; "
         "the rest of the list is grouped as all other." if listed else
         "Each model's share of all tokens week by week, for this week's largest models; "
         "everything else is grouped as all other.")
    shares = join_list([f"{m.name} {pct(book, f'models.{i}.share_pct', m.share_pct)}"
                        for i, m in enumerate(models)])
    alt = (f"Stacked area chart of the share of weekly tokens held by this week's leading "
           f"models {_span(facts, book)}; this week's shares are {shares}.")
    return caption, book.sentence(alt)
