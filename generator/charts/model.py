"""A chart as a value: image bytes, the words that stand for it, and the data it shows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from generator.layout import NARROW_SUFFIX

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
class Chart:
    """One drawn chart; renderers decide how to carry it (file, cid: part, PDF image).

    `svg` is the web's vector copy at the house size, `svg_narrow` the same chart drawn for a
    phone's column; `data` is the table a reader can read instead, and download.
    """

    name: str
    title: str
    caption: str
    alt: str
    png: bytes
    svg: bytes | None
    width_px: int
    height_px: int
    svg_narrow: bytes | None = None
    data: ChartData | None = None

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
