"""The web page: `index.html` with inline CSS, and its charts as files in `charts/`."""

from __future__ import annotations

from pathlib import Path

from generator.layout import CHARTS_DIR, PAGE
from generator.render.base import EditionContent, Renderer, TextOutput
from generator.render.environment import edition_context, environment


def html_page(
    content: EditionContent, template: str = "html/article.html", use_svg: bool = True
) -> str:
    """Render an article template of the HTML family to a string."""
    env = environment(content.report)
    return env.get_template(template).render(edition_context(content, use_svg=use_svg))


def write_charts(content: EditionContent, folder: Path, svg: bool) -> tuple[Path, ...]:
    """Write every chart as `charts/NAME.png`, its data as `NAME.csv`, and with `svg` its
    vector copies `NAME.svg` and `NAME-narrow.svg` when drawn."""
    if not content.charts:
        return ()
    target = folder / CHARTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    for chart in content.charts:
        files[chart.png_name] = chart.png
        if chart.data is not None:
            files[chart.csv_name] = chart.data.csv_text().encode("utf-8")
        if svg and chart.svg is not None:
            files[chart.svg_name] = chart.svg
        if svg and chart.svg_narrow is not None:
            files[chart.svg_narrow_name] = chart.svg_narrow
    written = []
    for name, data in files.items():
        path = target / name
        path.write_bytes(data)
        written.append(path)
    return tuple(written)


def render_html(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    """Write `index.html` and the charts it shows into the edition folder."""
    page = folder / PAGE
    text = html_page(content)
    charts = write_charts(content, folder, svg=True)
    page.write_text(text, encoding="utf-8")
    return (page, *charts)


RENDERER = Renderer("html", "web page index.html, charts in charts/", render_html,
                    (TextOutput(PAGE, "html"),))
