"""The five charts, drawn from the facts in the house style; the words live in `__init__`."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Annotation
from matplotlib.ticker import FuncFormatter

from generator.charts import style
from generator.charts.style import (
    ACCENT,
    GAIN,
    GREY,
    INK,
    LABEL_PT,
    LOSS,
    MUTED_BAR,
    NEW,
    OTHER_AREA,
    SERIES,
    clip,
    short_tokens,
)
from generator.kinds.llm_usage.facts.model import Facts, ModelFacts, Mover, RegionFacts
from generator.kinds.llm_usage.story.scope import ARRIVAL_LABELS
from generator.ledger.numbers import UNITS, render, token_unit, unit_word

TITLES = {
    "total": "Total weekly volume",
    "regions": "Volume by country",
    "top_models": "Top models this week",
    "movers": "Biggest movers",
    "share": "Market share of the leading models",
}
REGION_LINES = 4
TOP_BARS = 10
MOVER_BARS = 5
SHARE_MODELS = 5
MIN_STREAK = 2
# Offset of a value label from the end of its bar, in points.
_LABEL_OFFSET_PT = 4.0
_LINE_PT = LABEL_PT * 1.45
# En and em spaces, not runs of spaces: SVG text collapses those into one.
GAP = "\u2002"
WIDE_GAP = "\u2003"




def change_label(model: ModelFacts) -> str:
    """'+19 %', 'new', 'entered', 'back', or '' when there is no week to compare with."""
    if model.arrival is not None:
        return ARRIVAL_LABELS[model.arrival]
    if model.change_pct is None:
        return ""
    return f"{render(model.change_pct, 'spct:0')}\u2009%"


def region_label(region: RegionFacts) -> str:
    """A country's name for a legend: 'the US' → 'US'."""
    name = region.name.removeprefix("the ")
    return name[:1].upper() + name[1:]


def top_countries(facts: Facts) -> tuple[RegionFacts, ...]:
    """The countries drawn in the regions chart: this week's largest."""
    return facts.regions[:REGION_LINES]


def share_models(facts: Facts) -> tuple[ModelFacts, ...]:
    """The models drawn in the share chart: this week's largest that have a history."""
    # The history only follows the report's top N; a smaller N leaves fewer models to draw.
    tracked = facts.history[-1].by_model if facts.history else {}
    count = 0
    for model in facts.models[:SHARE_MODELS]:
        if model.model not in tracked:
            break
        count += 1
    return facts.models[:count]


def share_series(facts: Facts) -> tuple[list[list[float]], list[float]]:
    """Each drawn model's share of each week's tokens, in percent, and the share of all other."""
    shares = [[p.by_model.get(m.model, 0) / p.tokens * 100 if p.tokens else 0.0
               for p in facts.history] for m in share_models(facts)]
    other = [max(100.0 - sum(col), 0.0) for col in zip(*shares, strict=True)]
    return shares, other


def mover_rows(facts: Facts) -> tuple[tuple[Mover, ...], tuple[Mover, ...]]:
    """The gains and the losses drawn in the movers chart."""
    return facts.movers.gainers[:MOVER_BARS], facts.movers.losers[:MOVER_BARS]


def streak_bars(facts: Facts) -> int:
    """How many of the latest bars belong to the growth streak (0 when there is no streak)."""
    streak = min(facts.total.growth_streak_weeks, len(facts.history) - 1)
    return streak if streak >= MIN_STREAK else 0


def _per_week(unit: str) -> str:
    return "Tokens" if unit == "N" else f"{unit_word(unit).capitalize()}s of tokens"


def _scope_words(facts: Facts) -> str:
    size = facts.coverage.list_size if facts.coverage.kind == "list" else None
    return "each week's listed models only" if size else "all models"


def _scale(values: Sequence[float]) -> tuple[str, float]:
    unit = token_unit(max(values, default=0.0))
    return unit, UNITS[unit][0]


def _plain_number(value: float, _pos: int | None = None) -> str:
    return f"{value:g}"


def _value_axis(ax: Axes) -> None:
    ax.grid(axis="y")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=2)
    ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))


def _offset_px(fig: Figure) -> float:
    return _LABEL_OFFSET_PT * fig.dpi / 72


def draw_total(facts: Facts, source: str, canvas: style.Canvas = style.WIDE) -> Figure:
    """Bars of the total weekly volume, the growth streak in the accent colour."""
    hist = facts.history
    weeks = [p.week for p in hist]
    xs = style.week_positions(weeks)
    unit, scale = _scale([p.tokens for p in hist])
    ys = [p.tokens / scale for p in hist]
    streak = streak_bars(facts)
    marked = max(streak, 1)  # without a streak the latest week alone stands out
    colours = [ACCENT if i >= len(hist) - marked else MUTED_BAR for i in range(len(hist))]
    fig, ax = style.new_figure(canvas)
    style.frame(fig, TITLES["total"],
                f"{_per_week(unit)} per week, {_scope_words(facts)}", source)
    width = 0.76
    ax.bar(xs, ys, width=width, color=colours, linewidth=0)
    top = max(ys)
    ax.set_xlim(xs[0] - 0.7, xs[-1] + 0.7)
    ax.set_ylim(0, top * (1.32 if streak else 1.12))
    _value_axis(ax)
    style.week_ticks(ax, weeks, canvas)
    _mark_source_change(ax, facts, weeks, xs, top)
    ax.annotate(short_tokens(hist[-1].tokens, 1), xy=(xs[-1], ys[-1]), xytext=(0, 3),
                textcoords="offset points", ha="center", va="bottom", fontsize=LABEL_PT,
                fontweight="bold", color=ACCENT)
    if streak:
        x0, x1 = xs[-streak] - width / 2, xs[-1] + width / 2
        y, tick = top * 1.13, top * 0.025
        ax.plot([x0, x0, x1, x1], [y - tick, y, y, y - tick], color=ACCENT, linewidth=1.0)
        # The streak may be longer than the history shown; the words tell all of it.
        words = f"{render(facts.total.growth_streak_weeks, 'card')} straight weeks of growth"
        ax.text(x1, y + top * 0.025, words[:1].upper() + words[1:], ha="right", va="bottom",
                fontsize=LABEL_PT, fontweight="bold", color=ACCENT)
    style.fit_axes(fig, ax)
    return fig


def _end_labels(
    fig: Figure, ax: Axes, x: float, items: Sequence[tuple[str, float, str]]
) -> None:
    """Label series at their right end (swatch, then text), spread so no two overlap."""
    pairs: list[tuple[Annotation, Annotation]] = []
    for text, y, colour in items:
        swatch = ax.annotate("\u25a0", xy=(x, y), xytext=(7, 0), textcoords="offset points",
                             ha="left", va="center", fontsize=LABEL_PT, color=colour,
                             annotation_clip=False)
        label = ax.annotate(text, xy=(x, y), xytext=(19, 0), textcoords="offset points",
                            ha="left", va="center", fontsize=LABEL_PT, color=INK,
                            annotation_clip=False)
        pairs.append((swatch, label))
    # Fit first with the labels where they are (their width is what matters), then spread
    # them by the axes height that the fit produced.
    style.fit_axes(fig, ax)
    _, height = style.axes_px(ax)
    low, high = ax.get_ylim()
    gap = _LINE_PT * fig.dpi / 72 / height * (high - low)
    placed = style.spread([y for _, y, _ in items], gap, low, high)
    for (swatch, label), y in zip(pairs, placed, strict=True):
        swatch.xy = (x, y)
        label.xy = (x, y)


def _mark_source_change(ax: Axes, facts: Facts, weeks: Sequence[str], xs: Sequence[float],
                        top: float) -> None:
    """A dashed line before the week the source changed its method, when it is in view:
    the jump at that line is the method, not the market."""
    change = facts.source.break_week
    if change is None or change not in weeks[1:]:
        return
    x = xs[weeks.index(change)] - 0.5
    ax.axvline(x, color=GREY, linewidth=0.9, linestyle=(0, (3, 2)))
    ax.text(x - 0.25, top * 1.02, "source changed", ha="right", va="bottom", fontsize=LABEL_PT,
            color=GREY)


def draw_regions(facts: Facts, source: str, canvas: style.Canvas = style.WIDE) -> Figure:
    """Lines of weekly tokens by country, this week's largest countries only."""
    hist = facts.history
    weeks = [p.week for p in hist]
    xs = style.week_positions(weeks)
    countries = top_countries(facts)
    series = [[p.by_country.get(r.country, 0) for p in hist] for r in countries]
    unit, scale = _scale([v for s in series for v in s])
    fig, ax = style.new_figure(canvas)
    style.frame(fig, TITLES["regions"],
                f"{_per_week(unit)} per week, by the country of each "
                "model's maker", source)
    items = []
    for i, (region, values) in enumerate(zip(countries, series, strict=True)):
        colour = SERIES[i % len(SERIES)]
        ys = [v / scale for v in values]
        ax.plot(xs, ys, color=colour, linewidth=2.2, solid_capstyle="round",
                solid_joinstyle="round")
        ax.plot(xs[-1:], ys[-1:], marker="o", markersize=4.5, color=colour)
        items.append((f"{region_label(region)}{GAP}{short_tokens(values[-1])}", ys[-1], colour))
    ax.set_xlim(xs[0] - 0.3, xs[-1] + 0.3)
    ax.set_ylim(0, max(max(s) for s in series) / scale * 1.08 or 1.0)
    _value_axis(ax)
    style.week_ticks(ax, weeks, canvas)
    _end_labels(fig, ax, xs[-1] + 0.3, items)
    return fig


def _fit_bar_labels(ax: Axes, fig: Figure, ends: Sequence[float],
                    labels: Sequence[Annotation]) -> float:
    """The data width that lets every label sit past the end of its bar inside the axes."""
    width, _ = style.axes_px(ax)
    offset = _offset_px(fig)
    need = 0.0
    for end, label in zip(ends, labels, strict=True):
        room = width - offset - style.text_width_px(fig, label)
        need = max(need, end * width / max(room, 1.0))
    return need or 1.0


def draw_top_models(facts: Facts, source: str, canvas: style.Canvas = style.WIDE) -> Figure:
    """Horizontal bars of this week's largest models, labelled with tokens and change."""
    models = facts.models[:TOP_BARS]
    _, scale = _scale([m.tokens for m in models])
    fig, ax = style.new_figure(canvas)
    has_change = any(m.change_pct is not None or m.arrival is not None for m in models)
    style.frame(fig, TITLES["top_models"],
                "Tokens this week" + (" and change on the week before" if has_change else ""),
                source)
    n = len(models)
    ys = [n - 1 - i for i in range(n)]
    ends = [m.tokens / scale for m in models]
    ax.barh(ys, ends, height=0.7, color=[NEW if m.arrival is not None else ACCENT for m in models],
            linewidth=0)
    ax.set_yticks(ys, [clip(m.name, canvas.name_chars) for m in models])
    ax.set_ylim(-0.6, n - 0.4)
    ax.tick_params(axis="y", length=0, pad=6)
    ax.tick_params(axis="y", labelsize=style.BASE_PT)
    ax.xaxis.set_visible(False)
    ax.spines["bottom"].set_visible(False)
    labels = []
    for m, y, end in zip(models, ys, ends, strict=True):
        change = change_label(m)
        text = short_tokens(m.tokens) + (f"{WIDE_GAP}{change}" if change else "")
        label = ax.annotate(text, xy=(end, y), xytext=(_LABEL_OFFSET_PT, 0),
                            textcoords="offset points", ha="left", va="center",
                            fontsize=LABEL_PT, color=INK,
                            annotation_clip=False)
        label.set_in_layout(False)
        labels.append(label)
    style.fit_axes(fig, ax)
    ax.set_xlim(0, _fit_bar_labels(ax, fig, ends, labels))
    return fig


def draw_movers(facts: Facts, source: str, canvas: style.Canvas = style.WIDE) -> Figure:
    """Diverging bars of the largest absolute gains and losses on the week."""
    gains, losses = mover_rows(facts)
    rows = [*gains, *losses]
    _, scale = _scale([abs(m.change_tokens) for m in rows])
    # Gains from the top, then a half-row gap, then losses with the largest at the bottom.
    ys = [-float(i) for i in range(len(gains))]
    ys += [-(len(gains) + 0.5 * bool(gains) + j) for j in range(len(losses))]
    values = [m.change_tokens / scale for m in rows]
    fig, ax = style.new_figure(canvas)
    style.frame(fig, TITLES["movers"],
                "Largest gains and losses in tokens, this week against the week before", source)
    ax.barh(ys, values, height=0.7, color=[GAIN if v > 0 else LOSS for v in values],
            linewidth=0)
    ax.axvline(0, color=GREY, linewidth=0.8)
    ax.set_yticks(ys, [clip(m.name, canvas.name_chars) for m in rows])
    ax.set_ylim(min(ys) - 0.6, 0.6)
    ax.tick_params(axis="y", length=0, pad=6, labelsize=style.BASE_PT)
    ax.xaxis.set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    labels = []
    for m, y, v in zip(rows, ys, values, strict=True):
        text = short_tokens(m.change_tokens, signed=True)
        if m.prev_tokens == 0:
            text += f"{WIDE_GAP}new"
        sign = 1 if v > 0 else -1
        label = ax.annotate(text, xy=(v, y), xytext=(sign * _LABEL_OFFSET_PT, 0),
                            textcoords="offset points", ha="left" if v > 0 else "right",
                            va="center", fontsize=LABEL_PT, color=INK, annotation_clip=False)
        label.set_in_layout(False)
        labels.append(label)
    style.fit_axes(fig, ax)
    width, _ = style.axes_px(ax)
    offset = _offset_px(fig)
    right_px = max((style.text_width_px(fig, t) + offset for t, v in zip(labels, values,
                    strict=True) if v > 0), default=0.0)
    left_px = max((style.text_width_px(fig, t) + offset for t, v in zip(labels, values,
                   strict=True) if v < 0), default=0.0)
    gain = max((v for v in values if v > 0), default=0.0)
    loss = -min((v for v in values if v < 0), default=0.0)
    # Pixels per data unit such that the widest bar plus its label fits on each side.
    per = max(width - right_px - left_px, 10.0) / max(gain + loss, 1e-9)
    ax.set_xlim(-(loss + left_px / per), gain + right_px / per)
    return fig


def draw_share(facts: Facts, source: str, canvas: style.Canvas = style.WIDE) -> Figure:
    """Stacked areas of the leading models' share of each week's total, the rest in grey."""
    hist = facts.history
    weeks = [p.week for p in hist]
    xs = style.week_positions(weeks)
    models = share_models(facts)
    shares, other = share_series(facts)
    colours = [SERIES[i % len(SERIES)] for i in range(len(models))]
    fig, ax = style.new_figure(canvas)
    style.frame(fig, TITLES["share"],
                ("Share of all tokens each week" if facts.coverage.kind == "complete" else
                 "Share of each week's listed volume") + ", for this week's largest models",
                source)
    ax.stackplot(xs, *shares, other, colors=[*colours, OTHER_AREA], edgecolor=style.WHITE,
                 linewidth=0.6)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(0, 100)
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}\u2009%"))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0, pad=2)
    style.week_ticks(ax, weeks, canvas)
    items = []
    base = 0.0
    for m, series, colour in zip(models, shares, colours, strict=True):
        items.append((f"{clip(m.name, canvas.name_chars)}{GAP}{render(series[-1], 'pct:1')}\u2009%",
                      base + series[-1] / 2, colour))
        base += series[-1]
    items.append((f"All other{GAP}{render(other[-1], 'pct:1')}\u2009%", base + other[-1] / 2,
                  OTHER_AREA))
    if canvas.labels_below:
        _labels_below(fig, ax, items)
    else:
        _end_labels(fig, ax, xs[-1], items)
    return fig


def _labels_below(fig: Figure, ax: Axes, items: Sequence[tuple[str, float, str]]) -> None:
    """A key under the plot, top of the stack first: on a narrow chart, labels at the right end
    would leave the plot a third of the width."""
    handles = [Patch(facecolor=colour, edgecolor="none", label=text)
               for text, _, colour in reversed(items)]
    style.fit_axes(fig, ax)
    style.key_below(fig, ax, handles)
