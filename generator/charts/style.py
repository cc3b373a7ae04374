"""House style of the charts: palette, fonts, frame, layout and byte-stable export.

Everything goes through `Figure` + `FigureCanvasAgg` (no pyplot, so no global figure state)
and every rcParam is applied through `house_style()`, an `rc_context`, never globally.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.artist import Artist
from matplotlib.axes import Axes

# The Agg canvas is attached to each figure by hand: no pyplot, no display, and no global
# backend switch that would surprise other code in the same process.
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, ImageChops

from generator.ledger.numbers import MINUS, render, token_unit
from generator.story.phrases import token_decimals

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Okabe–Ito hues, distinguishable under the common colour-vision deficiencies, with the light
# ones (orange, sky blue, reddish purple) darkened: every series colour keeps 3:1 against both
# the white of the PNGs and the dark page of the web's dark mode (`SERIES_BACKGROUNDS`;
# tests/test_chart_colours.py computes it). Their luminance must lie between about 0.12 and 0.30.
BLUE = "#0072B2"
ORANGE = "#B77A00"
GREEN = "#009E73"
VERMILLION = "#D55E00"
PURPLE = "#C0588F"
SKY = "#3A8FC8"
SERIES = (BLUE, ORANGE, GREEN, PURPLE, SKY, VERMILLION)
ACCENT = BLUE
GAIN = BLUE
LOSS = VERMILLION
NEW = ORANGE
# The muted bars and the "all other" area are series too: mid grey, not the light grey that
# vanished against white.
MUTED_BAR = "#8C8C8C"
OTHER_AREA = "#8C8C8C"
INK = "#222222"
GREY = "#666666"
GRID = "#E5E5E5"
EDGE = "#999999"
WHITE = "#FFFFFF"
# The page's dark-mode background (templates/html/style.css, --paper in dark mode).
DARK_PAPER = "#161614"
SERIES_BACKGROUNDS = (WHITE, DARK_PAPER)
COLOURS_OF_SERIES = (*SERIES, MUTED_BAR, OTHER_AREA)

# In the SVG (the web's charts, drawn on a transparent background) the colours of text and
# frame are CSS variables with a light and a dark value, so one file serves both schemes, as
# an <img> or inline. Series colours stay as drawn: they work on both backgrounds.
SVG_THEME = {
    INK: ("--chart-ink", "#ECEAE6"),
    GREY: ("--chart-muted", "#B5B2AC"),
    GRID: ("--chart-grid", "#3A3835"),
    EDGE: ("--chart-edge", "#8A8781"),
    WHITE: ("--chart-paper", DARK_PAPER),
}

DPI = 200
WIDTH_IN = 8.0
HEIGHT_IN = 4.5
WIDTH_PX = round(WIDTH_IN * DPI)
HEIGHT_PX = round(HEIGHT_IN * DPI)

TITLE_PT = 14.0
SUBTITLE_PT = 10.0
BASE_PT = 9.5
LABEL_PT = 9.0
SOURCE_PT = 7.5

# Room kept for the header (title, subtitle) and the footer (source), in inches.
_PAD_IN = 0.16
_HEADER_IN = 0.82
_FOOTER_IN = 0.36
_HEADER_GAP_IN = 0.19
_KEY_GAP_IN = 0.12
_HEADER_GID = "chart-header"

# DejaVu ships with matplotlib; Noto Sans CJK (when installed) covers Chinese model names:
# Agg falls back along this list glyph by glyph. The generic family at the end (with
# sans-serif narrowed to DejaVu) gives the SVG "'DejaVu Sans', 'Noto Sans CJK SC', sans-serif",
# so a browser with neither font still picks a sans-serif one.
FONTS = ["DejaVu Sans", "Noto Sans CJK SC", "sans-serif"]

_RC: dict[RcKeyType, Any] = {
    "font.family": FONTS,
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": BASE_PT,
    "text.color": INK,
    "axes.labelcolor": INK,
    "axes.edgecolor": EDGE,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.titlelocation": "left",
    "grid.color": GRID,
    "grid.linewidth": 0.8,
    "xtick.color": GREY,
    "ytick.color": GREY,
    "xtick.labelcolor": INK,
    "ytick.labelcolor": INK,
    "xtick.labelsize": LABEL_PT,
    "ytick.labelsize": LABEL_PT,
    "legend.frameon": False,
    "figure.dpi": DPI,
    "savefig.dpi": DPI,
    "savefig.facecolor": "white",
    "svg.hashsalt": "weekly-edition-charts",
    # Text stays text in the SVG: small, selectable, read by screen readers.
    "svg.fonttype": "none",
    "path.simplify": True,
    # Model names are data: a "$" in one must not start mathtext.
    "text.parse_math": False,
}


def house_style() -> AbstractContextManager[Any]:
    """The rc_context every chart is drawn and saved inside."""
    return matplotlib.rc_context(_RC)


@dataclass(frozen=True)
class Canvas:
    """The size a chart is drawn at, and how long a name may stay before it is cut."""

    width_in: float
    height_in: float
    name_chars: int
    tick_gap_weeks: int  # month ticks closer than this (in weeks) would run into each other
    labels_below: bool  # series labelled in a key under the plot, not at the lines' right ends


# The house size: every PNG (web, email, PDF) and the wide SVG. Longer names are cut in the
# image (the alt text and the data table keep them whole) so the bars keep their room.
WIDE = Canvas(WIDTH_IN, HEIGHT_IN, 30, 3, labels_below=False)
# The web's narrow SVG, for phones: drawn about as wide as a 375-px screen's column, so the
# same point sizes reach the reader at their own size (7.5 pt, the smallest, is 9 px or more).
NARROW = Canvas(3.6, 4.6, 18, 8, labels_below=True)
# Screens up to this width get the narrow SVG: below it the wide one would be drawn narrower
# than 691 px, where its 7.5-pt text falls under 9 px (templates/html/screen.css caps the
# narrow drawing's width at the same breakpoint).
NARROW_MAX_CSS_PX = 760


def new_figure(canvas: Canvas = WIDE) -> tuple[Figure, Axes]:
    """A blank chart of the canvas's size with one axes, attached to an Agg canvas."""
    fig = Figure(figsize=(canvas.width_in, canvas.height_in), dpi=DPI, facecolor="white")
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.15, 0.8, 0.65))
    return fig, ax


def _wrapped(text: str, width_in: float, points: float, bold: bool = False) -> str:
    # An estimate of DejaVu's mean advance (0.56 em, 0.62 bold): a line of the wide chart never
    # wraps, a narrow chart's title and subtitle take two lines where they need them.
    per_char = points * (0.62 if bold else 0.56) / 72
    return "\n".join(textwrap.wrap(text, max(int((width_in - 2 * _PAD_IN) / per_char), 10)))


def frame(fig: Figure, title: str, subtitle: str, source: str) -> None:
    """Title and subtitle at the top left, the source note at the bottom left."""
    width_in, height_in = (float(v) for v in fig.get_size_inches())
    x = _PAD_IN / width_in
    head = fig.text(x, 1 - _PAD_IN / height_in, _wrapped(title, width_in, TITLE_PT, bold=True),
                    ha="left", va="top", fontsize=TITLE_PT, fontweight="bold", color=INK,
                    gid=_HEADER_GID)
    # One line of title leaves the subtitle where the house style has it; more push it down.
    lines = head.get_text().count("\n")
    fig.text(x, 1 - (_PAD_IN + 0.3 + lines * 0.26) / height_in,
             _wrapped(subtitle, width_in, SUBTITLE_PT), ha="left", va="top",
             fontsize=SUBTITLE_PT, color=GREY, gid=_HEADER_GID)
    fig.text(x, (_PAD_IN - 0.04) / height_in, source, ha="left", va="bottom",
             fontsize=SOURCE_PT, color=GREY)


def _canvas(fig: Figure) -> FigureCanvasAgg:
    canvas = fig.canvas
    if not isinstance(canvas, FigureCanvasAgg):
        raise TypeError("charts are drawn on an Agg canvas; use new_figure()")
    return canvas


def fit_axes(fig: Figure, ax: Axes) -> None:
    """Place the axes so its ticks, labels and legend fill the space between header and footer.

    One measuring pass instead of tight_layout's loop: the overhang of tick labels does not
    depend on the axes size, so a single correction is exact enough and much cheaper.
    """
    renderer = _canvas(fig).get_renderer()
    tight = ax.get_tightbbox(renderer)
    box = ax.get_window_extent(renderer)
    if tight is None:
        return
    w, h = fig.bbox.width, fig.bbox.height
    pad = _PAD_IN * fig.dpi
    left = pad + (box.x0 - tight.x0)
    right = w - pad - (tight.x1 - box.x1)
    bottom = _FOOTER_IN * fig.dpi + (box.y0 - tight.y0)
    # A header wrapped onto more lines (narrow charts) needs more than the house's room.
    header_bottom = min((t.get_window_extent(renderer).y0 for t in fig.texts
                         if t.get_gid() == _HEADER_GID), default=h)
    header = max(_HEADER_IN * fig.dpi, h - header_bottom + _HEADER_GAP_IN * fig.dpi)
    top = h - header - (tight.y1 - box.y1)
    ax.set_position((left / w, bottom / h, max(right - left, 10) / w, max(top - bottom, 10) / h))


def key_below(fig: Figure, ax: Axes, handles: Sequence[Artist]) -> None:
    """A key of the series just above the source note, the axes (already fitted) raised above it."""
    width_in, height_in = (float(v) for v in fig.get_size_inches())
    key = fig.legend(handles=handles, loc="lower left",
                     bbox_to_anchor=(_PAD_IN / width_in, _FOOTER_IN / height_in), ncol=1,
                     fontsize=LABEL_PT, handlelength=0.9, handleheight=0.9, borderaxespad=0.0,
                     borderpad=0.0, labelspacing=0.35, frameon=False)
    renderer = _canvas(fig).get_renderer()
    raise_by = (key.get_window_extent(renderer).height + _KEY_GAP_IN * fig.dpi) / fig.bbox.height
    box = ax.get_position()
    ax.set_position((box.x0, box.y0 + raise_by, box.width, max(box.height - raise_by, 0.05)))


def text_width_px(fig: Figure, text: Text) -> float:
    """Width of a text artist as drawn, in pixels."""
    renderer = _canvas(fig).get_renderer()
    return float(text.get_window_extent(renderer).width)


def axes_px(ax: Axes) -> tuple[float, float]:
    """Width and height of the axes box, in pixels."""
    box = ax.get_window_extent()
    return float(box.width), float(box.height)


def week_positions(weeks: Sequence[str]) -> list[float]:
    """x positions of ISO dates in weeks since the first, so a missing week leaves a gap."""
    first = dt.date.fromisoformat(weeks[0])
    return [(dt.date.fromisoformat(w) - first).days / 7 for w in weeks]


def week_ticks(ax: Axes, weeks: Sequence[str], canvas: Canvas = WIDE) -> None:
    """Tick a weekly time axis: every week when short, else the first week of each month."""
    xs = week_positions(weeks)
    days = [dt.date.fromisoformat(w) for w in weeks]
    ticks: list[float] = []
    labels: list[str] = []
    if len(days) <= 8:
        for i, (x, day) in enumerate(zip(xs, days, strict=True)):
            ticks.append(x)
            year = f"\n{day.year}" if i == 0 or day.year != days[i - 1].year else ""
            labels.append(f"{day.strftime('%b')} {day.day}{year}")
    else:
        kept: list[tuple[float, dt.date]] = []
        for i, (x, day) in enumerate(zip(xs, days, strict=True)):
            if i and (day.year, day.month) == (days[i - 1].year, days[i - 1].month):
                continue
            if kept and x - kept[-1][0] < canvas.tick_gap_weeks:
                # A month that the history enters late would crowd the next one: drop it.
                if kept[-1][1] != days[0]:
                    continue
                kept.pop()
            kept.append((x, day))
        for k, (x, day) in enumerate(kept):
            new_year = k == 0 or day.year != kept[k - 1][1].year
            ticks.append(x)
            labels.append(day.strftime("%b") + (f"\n{day.year}" if new_year else ""))
    ax.set_xticks(ticks, labels)
    ax.tick_params(axis="x", length=3)


def spread(targets: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Move label positions apart by at least `gap`, keeping them within [low, high]."""
    order = sorted(range(len(targets)), key=lambda i: targets[i])
    placed = [targets[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    if placed and placed[-1] > high:
        placed[-1] = high
        for k in range(len(placed) - 2, -1, -1):
            placed[k] = min(placed[k], placed[k + 1] - gap)
    if placed and placed[0] < low:
        shift = low - placed[0]
        placed = [p + shift for p in placed]
    out = [0.0] * len(targets)
    for k, i in enumerate(order):
        out[i] = placed[k]
    return out


def rgb_image(fig: Figure) -> Image.Image:
    """The chart drawn by Agg, as an RGB image of its own (the figure can then be dropped)."""
    # Without the alpha channel (the background is white anyway): the PNG is a tenth smaller
    # than savefig's RGBA for the same time.
    canvas = _canvas(fig)
    canvas.draw()
    width, height = canvas.get_width_height(physical=True)
    image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    return image.convert("RGB")


# A palette keeps a chart sharp when at most this share of its pixels moves by more than
# PALETTE_TOLERANCE levels in a channel (anti-aliased edges; the flat colours stay exact).
PALETTE_TOLERANCE = 8
PALETTE_MAX_OFF = 0.0005
# House colours, their anti-aliasing blends and the greys fit in 256 colours with room to spare.
PALETTE_COLOURS = 256
# zlib level of the house PNG (which the PDF embeds as it is): 6 is a tenth larger than 9 and a
# sixth of its time.
CHART_COMPRESS_LEVEL = 6


def rgb_from_png(png: bytes) -> Image.Image:
    """A chart's PNG bytes as an RGB image."""
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB")


def sized(image: Image.Image, width: int) -> Image.Image:
    """The chart at `width` pixels (same aspect); an area average, so thin lines stay even."""
    if image.width == width:
        return image
    height = max(1, round(image.height * width / image.width))
    return image.resize((width, height), Image.Resampling.BOX)


def palette_image(image: Image.Image) -> Image.Image | None:
    """The chart on a palette of at most 256 colours, or None when that would blur it."""
    # MAXCOVERAGE is near-lossless here (flat colours plus their blends) at a third of
    # MEDIANCUT's time; no dithering, which would speckle the flat areas.
    palette = image.quantize(colors=PALETTE_COLOURS, method=Image.Quantize.MAXCOVERAGE,
                             dither=Image.Dither.NONE)
    off = ImageChops.difference(image, palette.convert("RGB")).convert("L").histogram()
    if sum(off[PALETTE_TOLERANCE + 1:]) > PALETTE_MAX_OFF * image.width * image.height:
        return None
    return palette


def compact_png(png: bytes, width: int | None = None, compress_level: int = 9) -> bytes:
    """A chart's PNG for a message: at `width` pixels if given, on a palette if sharp.

    Level 9 is worth its time (a tenth of the bytes, 0.05 s a chart) for what is sent to every
    subscriber.
    """
    image = rgb_from_png(png)
    if width is not None:
        image = sized(image, width)
    return compact_image(image, compress_level)


def compact_image(image: Image.Image, compress_level: int = CHART_COMPRESS_LEVEL) -> bytes:
    """An RGB image as PNG bytes: on a palette when that keeps it sharp, else as it is.

    This is the house PNG (`charts/NAME.png`): quantised once, when the chart is drawn, so the
    PDF embeds its rows as they are and no format quantises the full-size chart again.
    """
    palette = palette_image(image)
    out = io.BytesIO()
    (palette or image).save(out, format="PNG", compress_level=compress_level, dpi=(DPI, DPI))
    return out.getvalue()


def svg_bytes(fig: Figure) -> bytes:
    """The chart as SVG for the web: transparent, themed for light and dark, bytes that repeat.

    No date or creator and a fixed hash salt, so the same chart gives the same bytes.
    """
    out = io.BytesIO()
    fig.savefig(out, format="svg", metadata={"Date": None, "Creator": None},
                facecolor="none", transparent=True)
    return themed_svg(out.getvalue().decode("utf-8")).encode("utf-8")


def themed_svg(svg: str) -> str:
    """Frame and text colours as CSS variables, light by default, dark under prefers-color-scheme."""
    svg = _THEMED.sub(_themed_colour, svg)
    light = "".join(f"{v}:{c};" for c, (v, _) in SVG_THEME.items())
    dark = "".join(f"{v}:{d};" for v, d in SVG_THEME.values())
    sheet = (f"<style>svg{{{light}}}"
             f"@media (prefers-color-scheme: dark){{svg{{{dark}}}}}</style>")
    opening = re.search(r"<svg\b[^>]*>", svg)
    if opening is None:
        raise ValueError("expected an <svg> element")
    return svg[:opening.end()] + sheet + svg[opening.end():]


# Every themed colour in one pass (matplotlib writes them in lower case, the theme in upper).
_THEMED = re.compile(r"(fill|stroke): ?(" + "|".join(map(re.escape, SVG_THEME)) + r")\b", re.I)
_THEME_BY_CASE = {colour.lower(): colour for colour in SVG_THEME}


def _themed_colour(match: re.Match[str]) -> str:
    colour = _THEME_BY_CASE[match.group(2).lower()]
    return f"{match.group(1)}: var({SVG_THEME[colour][0]}, {colour})"


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a #RRGGBB colour."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #RRGGBB colours (1 to 21)."""
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)

def clip(name: str, limit: int) -> str:
    """A name cut to `limit` characters with an ellipsis (the alt text keeps it whole)."""
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "\u2026"


def short_tokens(value: float, decimals: int = 2, signed: bool = False) -> str:
    """'3.69T', '876B', '+2.5T': the figure as the text rounds it, with the unit's letter."""
    unit = token_unit(value)
    figure = render(abs(value), f"tokens:{unit}:{token_decimals(value, decimals)}")
    text = figure + (unit if unit != "N" else "")
    if signed and float(figure) != 0:
        return ("+" if value > 0 else MINUS) + text
    return text
