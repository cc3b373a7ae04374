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
    """The charts with their images: the house PNG, and with `svg` the web's wide and narrow SVG.

    A chart that already has its images (a kind that draws its own) is kept as it is.
    """
    # Quantising and compressing run on a thread while the next chart is drawn: Pillow
    # releases the GIL for both, so most of it hides behind the drawing on a second core.
    with ThreadPoolExecutor(max_workers=1) as encoder, style.house_style():
        figures = {}
        for chart in charts:
            if chart.images is None:  # a kind may hand over charts it drew itself
                fig = _drawer(chart)(style.WIDE)
                figures[chart.name] = (fig, encoder.submit(style.compact_image, style.rgb_image(fig)))
        pngs = {chart.name: figures[chart.name][1].result() if chart.name in figures else chart.png
                for chart in charts}
        if on_pngs is not None:
            on_pngs(pngs)
        drawn = []
        for chart in charts:
            if chart.name not in figures:
                drawn.append(chart)
                continue
            vector = narrow = None
            if svg:
                vector = style.svg_bytes(figures[chart.name][0])
                narrow = style.svg_bytes(_drawer(chart)(style.NARROW))
            drawn.append(dataclasses.replace(chart, images=ChartImages(pngs[chart.name], vector, narrow)))
    return tuple(drawn)


def _drawer(chart: Chart) -> Drawer:
    if chart.draw is None:
        raise ValueError(f"chart {chart.name!r} has no drawing")
    return chart.draw
