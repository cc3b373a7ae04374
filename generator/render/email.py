"""The email digest: `email.html` (tables, inlined CSS, charts as cid: parts), `email.txt`, and
`email-web.html`, its web copy (charts by absolute URL, no placeholder), linked from each message.

The digest is a shorter form of the article: headline, meta line, summary, Key Takeaways, the
rankings table, one or two charts, links to the full post and the PDF. Its texts are the
story's own, so `weekly check` traces them like the page's. The sender attaches each chart
named here as `charts/NAME.email.png` with the Content-ID `<NAME>`, and replaces the literal
`%%UNSUBSCRIBE_URL%%` with each recipient's own link. The email's copy of a chart is 1200 px
wide (a 600-px column at 2×) and on a palette when that keeps it sharp: a third of the page's
PNG, which is sent to every subscriber.
"""

from __future__ import annotations

import re
import textwrap
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.charts.model import Chart
from generator.charts.style import compact_png
from generator.layout import (
    CHARTS_DIR,
    EMAIL_CHART_SUFFIX,
    EMAIL_CHART_WIDTH,
    EMAIL_HTML,
    EMAIL_TEXT,
    EMAIL_WEB,
    PDF,
)
from generator.render.base import EditionContent, Renderer, TextOutput
from generator.render.environment import edition_context, environment, require
from generator.story.model import Table

HTML_TEMPLATE = "email/digest.html"
TEXT_TEMPLATE = "email/digest.txt"
UNSUBSCRIBE_PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
CONTENT_WIDTH = 600
IMAGE_WIDTH = 560
TEXT_COLUMNS = 72
# Only ASCII white space: a no-break space keeps "27.49 %" together.
_ASCII_SPACE = re.compile(r"[ \t\r\n\f\v]+")


@dataclass(frozen=True)
class InlineImage:
    """A chart as the digest carries it: a cid: reference and its size in the message."""

    cid: str
    alt: str
    caption: str
    width: int
    height: int


def render_email(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    """Write `email.html` and `email.txt` (and the chart PNGs they reference)."""
    css_inline = require("css_inline", "pip install css-inline", "The email digest")
    env = environment(content.report)
    context = digest_context(content)
    html = env.get_template(HTML_TEMPLATE).render(context)
    inliner = css_inline.CSSInliner(
        inline_style_tags=True,
        keep_style_tags=False,
        keep_at_rules=True,  # @media (dark mode, narrow screens) stays in a <style> in head
        keep_link_tags=False,
        load_remote_stylesheets=False,
    )
    html = inliner.inline(html)
    text = env.get_template(TEXT_TEMPLATE).render(context)
    # The web copy: the same digest for a browser, charts by absolute URL and no recipient's
    # link, so that it can be published with the edition and each message can link to it.
    web = inliner.inline(env.get_template(HTML_TEMPLATE).render(web_context(context)))
    written = [*_write_charts(content, folder)]
    html_path, text_path, web_path = folder / EMAIL_HTML, folder / EMAIL_TEXT, folder / EMAIL_WEB
    html_path.write_text(html, encoding="utf-8")
    text_path.write_text(text, encoding="utf-8")
    web_path.write_text(web, encoding="utf-8")
    return (html_path, text_path, web_path, *written)


def web_context(context: dict[str, Any]) -> dict[str, Any]:
    """The digest's variables for its web copy: absolute chart URLs, a sign-up link instead of the
    unsubscribe placeholder, and no link to itself."""
    page_url = context["page_url"]
    # The email's own chart files (charts/NAME.email.png), which this renderer always writes.
    return {**context, "image_base": f"{page_url}{CHARTS_DIR}/", "image_suffix": EMAIL_CHART_SUFFIX,
            "web_url": None,
            "unsubscribe_url": None, "subscribe_url": f"{context['report'].site_url}subscribe"}


def digest_charts(content: EditionContent) -> tuple[Chart, ...]:
    """The charts the digest shows, in order, among those the edition drew."""
    # The kind names the charts, in order; those the edition did not draw are passed over.
    found = (content.chart(name) for name in content.digest.charts)
    return tuple(c for c in found if c is not None)


def rankings_table(content: EditionContent) -> Table | None:
    """The rankings section's table, or None when the story has none."""
    for section in content.story.sections:
        if section.id == content.digest.table_section and section.table is not None:
            return section.table
    return None


def digest_context(content: EditionContent) -> dict[str, Any]:
    """The variables both digest templates see (the article's, plus the digest's own)."""
    context = edition_context(content, use_svg=False)
    table = rankings_table(content)
    context.update(
        pdf_url=f"{context['page_url']}{PDF}" if content.with_pdf else None,
        unsubscribe_url=UNSUBSCRIBE_PLACEHOLDER,
        web_url=f"{context['page_url']}{EMAIL_WEB}",
        image_base=None,
        images=tuple(_image(c) for c in digest_charts(content)),
        table=table,
        text_table=text_table(table) if table is not None else "",
        content_width=CONTENT_WIDTH,
        wrap=wrap,
    )
    return context


def wrap(text: str, first: str = "", rest: str = "") -> str:
    """Wrap a paragraph at 72 columns; names and figures are never broken across lines."""
    return textwrap.fill(
        _ASCII_SPACE.sub(" ", str(text)).strip(),
        width=TEXT_COLUMNS,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )


def text_table(table: Table) -> str:
    """The table as aligned monospace lines, cells between `|` (numbers right-aligned)."""
    every = [tuple(_ASCII_SPACE.sub(" ", c).strip() for c in row) for row in (table.columns, *table.rows)]
    keep = list(range(len(table.columns)))
    if _table_width(every) > TEXT_COLUMNS:
        # Too wide for a text mail: text columns after the second go (as on narrow screens).
        keep = [i for i in keep if i < 2 or table.numeric[i]]
    rows = [tuple(row[i] for i in keep) for row in every]
    numeric = [table.numeric[i] for i in keep]
    widths = [max(len(row[i]) for row in rows) for i in range(len(keep))]

    def line(row: tuple[str, ...], header: bool = False) -> str:
        cells = [
            cell.rjust(w) if numeric[i] and not header else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return ("| " + " | ".join(cells) + " |").rstrip()

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(rows[0], header=True), rule, *(line(r) for r in rows[1:])])


def _table_width(rows: list[tuple[str, ...]]) -> int:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return sum(widths) + 3 * len(widths) + 1


def _image(chart: Chart) -> InlineImage:
    height = round(chart.height_px * IMAGE_WIDTH / chart.width_px) if chart.width_px else 0
    return InlineImage(chart.name, chart.alt, chart.caption, IMAGE_WIDTH, height)


def _write_charts(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    # The sender attaches these; write them even when the web page is not built.
    charts = digest_charts(content)
    if not charts:
        return ()
    target = folder / CHARTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    # Pillow releases the GIL while it resizes and compresses: one chart per core.
    with ThreadPoolExecutor(max_workers=2) as pool:
        pngs = list(pool.map(lambda c: compact_png(c.png, EMAIL_CHART_WIDTH), charts))
    written = []
    for chart, data in zip(charts, pngs, strict=True):
        png = target / f"{chart.name}{EMAIL_CHART_SUFFIX}"
        png.write_bytes(data)
        written.append(png)
    return tuple(written)


RENDERER = Renderer(
    "email", "email digest email.html (inlined CSS, charts as cid:) and email.txt", render_email,
    (TextOutput(EMAIL_HTML, "html"), TextOutput(EMAIL_TEXT, "text"), TextOutput(EMAIL_WEB, "html")),
)
