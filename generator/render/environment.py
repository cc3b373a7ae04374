"""The Jinja environment shared by the renderers, and the guard for optional libraries."""

from __future__ import annotations

import functools
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import quote

import jinja2
import jinja2.sandbox

from generator.charts.model import Chart, ChartData
from generator.charts.style import DPI, NARROW, NARROW_MAX_CSS_PX
from generator.errors import InputError, Where, display_path
from generator.layout import (
    CHARTS_DIR,
    CORRECTIONS_PAGE,
    DATA_PAGE,
    FACTS,
    FEED,
    METHODOLOGY_PAGE,
    PDF,
    RSS,
)
from generator.render import filters
from generator.render.base import EditionContent
from generator.report import Report
from generator.resources import templates_dir
from generator.story.model import Section, Table

BUILTIN_PREFIX = "builtin"
# A table of up to this many rows never breaks across pages in print; a longer one may, but
# never leaves a single row alone at either end.
SHORT_TABLE_ROWS = 12
SITE_LINKS = {
    "archive": "../",
    "feed": f"../{FEED}",
    "rss": f"../{RSS}",
    "data": "../" + DATA_PAGE.removesuffix("index.html"),
    "methodology": "../" + METHODOLOGY_PAGE.removesuffix("index.html"),
    "corrections": "../" + CORRECTIONS_PAGE.removesuffix("index.html"),
}
# Anchors the article template uses itself; section ids must not take them.
RESERVED_ANCHORS = ("top", "toc", "key-takeaways", "take", "article", "footer")

# Autoescape by extension: markup formats are escaped by Jinja, text formats by their filter.
_ESCAPED = ("html", "htm", "xml")


class MissingLibrary(InputError):
    """An optional library that a requested format needs is not installed."""


def require(module: str, install: str, purpose: str) -> ModuleType:
    """Import `module`, or raise MissingLibrary naming the command that installs it."""
    try:
        return importlib.import_module(module)
    except (ImportError, OSError) as exc:  # OSError: WeasyPrint without Pango/HarfBuzz
        raise MissingLibrary(
            f"{purpose} needs the {module!r} library ({type(exc).__name__}: {exc}); "
            f"install it with `{install}`"
        ) from None


def report_template_error(exc: Exception, report: Report) -> InputError | None:
    """The error as bad input naming the report's own template and line, or None when it arose elsewhere.

    A report's templates are written by its editors, so a typo there (an undefined variable,
    a broken tag, a division by zero, an include of itself, an attribute the sandbox refuses)
    is reported like bad data, in one line; in a built-in template it is a fault of the
    program and keeps its traceback.
    """
    own = report.templates_dir.resolve()
    place: tuple[str, int | None] | None = None
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        place = (exc.filename, exc.lineno)
    else:
        # Jinja rewrites the traceback so that template frames carry the template's file/line.
        tb = exc.__traceback__
        while tb is not None:
            if Path(tb.tb_frame.f_code.co_filename).resolve().is_relative_to(own):
                place = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
            tb = tb.tb_next
    if place is None or not Path(place[0]).resolve().is_relative_to(own):
        return None
    line = f"line {place[1]}: " if place[1] else ""
    return InputError(f"{line}template error: {_describe(exc)}", Where(display_path(place[0])))


def _describe(exc: Exception) -> str:
    if isinstance(exc, jinja2.sandbox.SecurityError):
        return f"refused by the template sandbox: {exc.message or exc}"
    if isinstance(exc, jinja2.TemplateError):
        return str(exc.message or exc)
    if isinstance(exc, RecursionError):
        return "templates include or extend each other without end"
    return f"{type(exc).__name__}: {exc}"[:300]


def template_folders(report: Report) -> tuple[Path, ...]:
    """The folders searched for templates: the report's own first, then the built-in one."""
    own = report.templates_dir
    built_in = templates_dir()
    return (own, built_in) if own.is_dir() else (built_in,)


def environment(report: Report) -> jinja2.Environment:
    """Return the Jinja environment for a report's templates."""
    return _environment(template_folders(report))


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> jinja2.Environment:
    # Cached per folder list: compiling templates is the slow part, and an Environment whose
    # loaders and filters never change after creation is safe to share.
    loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader(str(d)) for d in folders]
    # "builtin/..." always names the shipped template, so that a report's own template of
    # the same name can extend it instead of itself.
    loaders.append(jinja2.PrefixLoader({BUILTIN_PREFIX: jinja2.FileSystemLoader(str(folders[-1]))}))
    # Sandboxed: a report's own templates are edited by people who must not reach the
    # process (`cycler.__init__.__globals__.os.environ` would print WEEKLY_SMTP_PASSWORD;
    # `lipsum.__globals__["os"].popen` would run commands). The built-in templates need
    # nothing the sandbox refuses.
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=_ESCAPED, default=False),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        spans_html=filters.spans_html,
        spans_md=filters.spans_md,
        spans_text=filters.spans_text,
        md_text=filters.md_text,
        md_cell=filters.md_cell,
        md_url=filters.md_url,
        md_italic=filters.md_italic,
        yaml_str=filters.yaml_str,
        yaml_date=filters.yaml_date,
        yaml_plain=filters.yaml_plain,
        rfc822=filters.rfc822,
    )
    return env


@dataclass(frozen=True)
class Figure:
    """A chart as a page shows it: file names relative to the page, words, intrinsic size,
    and (on the web) the narrow drawing, the data table and the CSV."""

    src: str
    png: str
    alt: str
    title: str
    caption: str
    width: int
    height: int
    name: str = ""
    narrow: str | None = None  # the narrow SVG, for screens up to NARROW_MAX_CSS_PX
    narrow_width: int = 0
    narrow_height: int = 0
    narrow_max: int = NARROW_MAX_CSS_PX
    csv: str | None = None
    data: ChartData | None = None


@dataclass(frozen=True)
class Part:
    """A section with the anchor it gets on the page (unique, URL-safe) and its figure."""

    anchor: str
    section: Section
    figure: Figure | None


def edition_context(content: EditionContent, use_svg: bool) -> dict[str, Any]:
    """The variables every article template sees."""
    report, facts, story = content.report, content.facts, content.story
    page_url = f"{report.site_url}{quote(facts.iso_week)}/"
    first = _lead_chart(content)
    return {
        "content": content,
        "report": report,
        "facts": facts,
        "story": story,
        "published": content.published,
        "parts": _parts(content, use_svg),
        "page_url": page_url,
        "og_image": f"{page_url}charts/{quote(first.png_name)}" if first else None,
        "og_chart": first,
        "pdf_name": PDF if content.with_pdf else None,
        "facts_name": FACTS,
        "short_table_rows": SHORT_TABLE_ROWS,
        # The site's own pages and feeds, relative to an edition page (`weekly publish` writes them).
        "site": SITE_LINKS,
    }


def _lead_chart(content: EditionContent) -> Chart | None:
    # The social card shows the article's first figure, or any chart when none is placed.
    for section in content.story.sections:
        chart = content.chart(section.chart) if section.chart else None
        if chart is not None:
            return chart
    return content.charts[0] if content.charts else None


def _parts(content: EditionContent, use_svg: bool) -> tuple[Part, ...]:
    taken = set(RESERVED_ANCHORS)
    parts = []
    for section in content.story.sections:
        anchor = _anchor(section.id, taken)
        taken.add(anchor)
        if section.table is not None:
            _check_table(section.id, section.table)
        parts.append(Part(anchor, section, _figure(content, section, use_svg)))
    return tuple(parts)


def _check_table(section_id: str, table: Table) -> None:
    # A ragged table would shift columns silently in Markdown and misalign numbers in HTML.
    width = len(table.columns)
    if len(table.numeric) != width or any(len(row) != width for row in table.rows):
        raise ValueError(f"section {section_id!r}: table rows and alignment must have {width} cells")


def _anchor(wanted: str, taken: set[str]) -> str:
    # Ids come from model slugs ("deepseek/deepseek-v4-flash"); keep them readable in a URL.
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", wanted).strip("-") or "section"
    anchor, n = base, 2
    while anchor in taken:
        anchor, n = f"{base}-{n}", n + 1
    return anchor


def _figure(content: EditionContent, section: Section, use_svg: bool) -> Figure | None:
    if section.chart is None:
        return None
    chart = content.chart(section.chart)
    if chart is None:
        raise ValueError(f"section {section.id!r} names chart {section.chart!r}, which was not drawn")
    vector = use_svg and chart.svg is not None
    src = f"{CHARTS_DIR}/{chart.svg_name if vector else chart.png_name}"
    narrow = use_svg and chart.svg_narrow is not None
    return Figure(
        src=quote(src),
        png=quote(f"{CHARTS_DIR}/{chart.png_name}"),
        alt=chart.alt,
        title=chart.title,
        caption=chart.caption,
        width=chart.width_px,
        height=chart.height_px,
        name=chart.name,
        narrow=quote(f"{CHARTS_DIR}/{chart.svg_narrow_name}") if narrow else None,
        narrow_width=round(NARROW.width_in * DPI) if narrow else 0,
        narrow_height=round(NARROW.height_in * DPI) if narrow else 0,
        # The data goes with the web page only: the PDF and the email carry the PNG alone.
        csv=quote(f"{CHARTS_DIR}/{chart.csv_name}") if use_svg and chart.data else None,
        data=chart.data if use_svg else None,
    )
