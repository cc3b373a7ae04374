"""A chart as a value: the words that stand for it, the data it shows, and its images once drawn."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.layout import NARROW_SUFFIX

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from generator.charts.style import Canvas

# How a kind draws one chart on a canvas (the house size, or a phone's column).
Drawer = Callable[["Canvas"], "Figure"]

Cell = str | int | float | None


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, as a table: `rows` hold the values as computed (the CSV), `shown`
    the same cells as the page's data table prints them; `numeric` says which columns are
    numbers (right-aligned)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    shown: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    caption: str

    def __post_init__(self) -> None:
        width = len(self.columns)
        if len(self.numeric) != width or len(self.shown) != len(self.rows) or any(
                len(r) != width for r in (*self.rows, *self.shown)):
            raise ValueError(f"chart data rows must have {width} cells")

    def csv_text(self) -> str:
        """The rows as CSV (RFC 4180, a header line, empty cells for missing values)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.columns)
        writer.writerows(["" if c is None else c for c in row] for row in self.rows)
        return out.getvalue()


@dataclass(frozen=True)
class ChartImages:
    """A chart as drawn: the PNG every format can carry (on a palette when that keeps it sharp),
    and the web's vector copies, wide and narrow, when they were drawn."""

    png: bytes
    svg: bytes | None = None
    svg_narrow: bytes | None = None


@dataclass(frozen=True)
class Chart:
    """One chart: its words, size and data first, its images once drawn.

    A kind returns charts undrawn, with `draw` (how to draw the chart on a canvas); the engine
    draws them (`generator.charts.drawing`). Everything but the images is known before that, so
    a format that lays its pages out from the words (the PDF) can start before the charts exist.
    `svg` is the web's vector copy at the house size, `svg_narrow` the same chart drawn for a
    phone's column; `data` is the table a reader can read instead, and download.
    """

    name: str
    title: str
    caption: str
    alt: str
    width_px: int
    height_px: int
    data: ChartData | None = None
    draw: Drawer | None = field(default=None, compare=False, repr=False)
    images: ChartImages | None = None

    @property
    def drawn(self) -> ChartImages:
        """The images; asking before the chart is drawn is a bug in the caller."""
        if self.images is None:
            raise ValueError(f"chart {self.name!r} is not drawn yet")
        return self.images

    @property
    def png(self) -> bytes:
        """The PNG bytes (house size)."""
        return self.drawn.png

    @property
    def svg(self) -> bytes | None:
        """The wide SVG, or None when it was not drawn."""
        return self.drawn.svg

    @property
    def svg_narrow(self) -> bytes | None:
        """The narrow SVG, or None when it was not drawn."""
        return self.drawn.svg_narrow

    @property
    def png_name(self) -> str:
        """File name of the PNG in an edition's charts/ folder."""
        return f"{self.name}.png"

    @property
    def svg_name(self) -> str:
        """File name of the wide SVG in an edition's charts/ folder."""
        return f"{self.name}.svg"

    @property
    def svg_narrow_name(self) -> str:
        """File name of the narrow SVG in an edition's charts/ folder."""
        return f"{self.name}{NARROW_SUFFIX}.svg"

    @property
    def csv_name(self) -> str:
        """File name of the chart's data in an edition's charts/ folder."""
        return f"{self.name}.csv"
