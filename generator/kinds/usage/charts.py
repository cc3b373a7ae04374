"""The `usage` kind's charts: the weekly total, and this week's leading items."""

from __future__ import annotations

import functools

from matplotlib.figure import Figure

from generator.charts import style
from generator.charts.model import Chart, ChartData
from generator.charts.style import clip, short_tokens
from generator.kinds.usage.facts import UsageFacts
from generator.ledger import Claim, ClaimBook
from generator.report import Report, Words
from generator.story.phrases import capitalise, tokens

# The house red and grey, each 3:1 or more against white and the dark page (see style.py).
ACCENT = "#C8453B"
MUTED = style.MUTED_BAR
BARS = 10


def _total(facts: UsageFacts, words: Words, note: str, canvas: style.Canvas) -> Figure:
    weeks = [p.week for p in facts.history]
    xs = style.week_positions(weeks)
    values = [p.value for p in facts.history]
    fig, ax = style.new_figure(canvas)
    style.frame(fig, f"Weekly {words.units}", f"All {words.items} tracked, week by week", note)
    ax.bar(xs, values, width=0.76, color=[MUTED] * (len(xs) - 1) + [ACCENT], linewidth=0)
    ax.set_xlim(xs[0] - 0.7, xs[-1] + 0.7)
    ax.set_ylim(0, max(values) * 1.15)
    ax.grid(axis="y")
    ax.yaxis.set_major_formatter(lambda v, _pos: short_tokens(v, 1) if v else "0")
    ax.annotate(short_tokens(values[-1], 1), xy=(xs[-1], values[-1]), xytext=(0, 3),
                textcoords="offset points", ha="center", va="bottom", color=ACCENT,
                fontweight="bold")
    style.week_ticks(ax, weeks, canvas)
    style.fit_axes(fig, ax)
    return fig


def _top(facts: UsageFacts, words: Words, note: str, canvas: style.Canvas) -> Figure:
    shown = facts.items[:BARS]
    fig, ax = style.new_figure(canvas)
    style.frame(fig, f"Top {words.items} this week", f"{capitalise(words.units)} this week",
                note)
    ys = list(range(len(shown)))[::-1]
    ax.barh(ys, [m.value for m in shown], height=0.7, color=ACCENT, linewidth=0)
    ax.set_yticks(ys, [clip(m.name, canvas.name_chars) for m in shown])
    ax.xaxis.set_visible(False)
    for m, y in zip(shown, ys, strict=True):
        ax.annotate(short_tokens(m.value), xy=(m.value, y), xytext=(4, 0),
                    textcoords="offset points", va="center")
    style.fit_axes(fig, ax)
    return fig


def usage_charts(facts: UsageFacts, report: Report
                 ) -> tuple[tuple[Chart, ...], tuple[Claim, ...]]:
    """The two charts the data supports, undrawn, with captions and alt texts in the ledger."""
    book = ClaimBook(prefix="g", style=report.style)
    words = report.words
    note = f"Source: {report.source_name}"
    wanted = []
    if len(facts.history) >= 2:
        last = len(facts.history) - 1
        caption = book.sentence(f"{capitalise(words.units)} of all {words.items} tracked, each "
                                "week; the latest week is highlighted.")
        alt = book.sentence(
            f"Bar chart of weekly {words.units} from the week of "
            f"{book.num('history.0.week', facts.history[0].week, 'date')} to the week of "
            f"{book.num(f'history.{last}.week', facts.history[last].week, 'date')}; the latest "
            f"week has {tokens(book, 'total.value', facts.total.value, 1)}.")
        data = ChartData(
            columns=("week", words.units), rows=tuple((p.week, p.value) for p in facts.history),
            shown=tuple((p.week, f"{p.value:,}") for p in facts.history), numeric=(False, True),
            caption=f"{capitalise(words.units)} each week")
        wanted.append(("total", f"Weekly {words.units}", _total, caption, alt, data))
    if facts.items:
        top = facts.items[0]
        caption = book.sentence(f"{capitalise(words.units)} of this week's most-used "
                                f"{words.items}.")
        alt = book.sentence(
            f"Horizontal bar chart of this week's most-used {words.items}; {top.name} leads "
            f"with {tokens(book, 'items.0.value', top.value)}.")
        shown = facts.items[:BARS]
        data = ChartData(
            columns=("rank", "item", "name", words.units, "change_pct"),
            rows=tuple((m.rank, m.item, m.name, m.value, m.change_pct) for m in shown),
            shown=tuple((str(m.rank), m.item, m.name, f"{m.value:,}",
                         "" if m.change_pct is None else f"{m.change_pct:+.1f}%") for m in shown),
            numeric=(True, False, False, True, True),
            caption=f"This week's most-used {words.items}")
        wanted.append(("top_items", f"Top {words.items}", _top, caption, alt, data))
    charts = tuple(Chart(name=name, title=title, caption=caption, alt=alt, width_px=style.WIDTH_PX,
                         height_px=style.HEIGHT_PX, data=data,
                         draw=functools.partial(draw, facts, words, note))
                   for name, title, draw, caption, alt, data in wanted)
    return charts, book.done()
