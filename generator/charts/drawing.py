"""Drawing a kind's charts: every PNG first (a format may be waiting for them), then the SVGs.

Kinds say what each chart shows and how to draw it (`Chart.draw`); drawing, house style and
export live here, once for every kind.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor

from generator.charts import style
from generator.charts.model import Chart, ChartImages, Drawer

# Called with every chart's PNG (by name) as soon as the last one is made, before the SVGs.
PngsReady = Callable[[Mapping[str, bytes]], None]


def draw_charts(charts: Sequence[Chart], *, svg: bool = True,
                on_pngs: PngsReady | None = None) -> tuple[Chart, ...]:
    """The charts with their images: the house PNG, and with `svg` the web's wide and narrow SVG."""
    # Quantising and compressing run on a thread while the next chart is drawn: Pillow
    # releases the GIL for both, so most of it hides behind the drawing on a second core.
    with ThreadPoolExecutor(max_workers=1) as encoder, style.house_style():
        figures = []
        for chart in charts:
            fig = _drawer(chart)(style.WIDE)
            figures.append((chart, fig, encoder.submit(style.compact_image, style.rgb_image(fig))))
        pngs = {chart.name: png.result() for chart, _, png in figures}
        if on_pngs is not None:
            on_pngs(pngs)
        drawn = []
        for chart, fig, _ in figures:
            vector = narrow = None
            if svg:
                vector = style.svg_bytes(fig)
                narrow = style.svg_bytes(_drawer(chart)(style.NARROW))
            drawn.append(dataclasses.replace(chart, images=ChartImages(pngs[chart.name], vector, narrow)))
    return tuple(drawn)


def _drawer(chart: Chart) -> Drawer:
    if chart.draw is None:
        raise ValueError(f"chart {chart.name!r} has no drawing")
    return chart.draw
