"""`build_edition()`: the pipeline, read like a table of contents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from generator.charts.drawing import draw_charts
from generator.check import CheckResult, check_edition
from generator.corrections import corrections_for
from generator.edition_dir import recover, staged_folder
from generator.errors import CheckFailed, InputError, display_path
from generator.kinds.base import Data
from generator.kinds.registry import kind as kind_named
from generator.layout import FACTS
from generator.load.limits import check_note
from generator.render.base import EditionContent
from generator.report import WEEKDAYS, Report
from generator.story.model import Story
from generator.story.notes import load_notes
from generator.weeks import WeekError, iso_label, parse_week

if TYPE_CHECKING:
    from generator.render.lanes import StandingLanes


@dataclass(frozen=True)
class BuildRequest:
    """What to build: which week, from which inputs, into which folder, in which formats."""

    report: Report
    week: str = "latest"
    usage: Path | None = None
    models: Path | None = None
    out: Path = Path("output")
    formats: tuple[str, ...] = ()
    # Lay the PDF out in a forked process while the charts are drawn, where two cores allow.
    # A backfill's workers turn it off: they keep every core busy with editions already.
    overlap: bool = True
    # Processes forked once for the early renderers, in a process that builds many editions
    # (`weekly schedule`); without them each build forks its own.
    lanes: StandingLanes | None = None


@dataclass(frozen=True)
class Edition:
    """A built edition: where it is, what it holds, and what the check traced."""

    folder: Path
    content: EditionContent
    check: CheckResult


def choose_week(data: Data, week: str) -> dt.date:
    """Resolve `latest`, a Monday or an ISO week against the data."""
    if week == "latest":
        return data.weeks[-1]
    try:
        return parse_week(week)
    except WeekError as exc:
        raise InputError(f"--week: {exc}") from None


def edition_folder(out: Path, report: Report, week: dt.date) -> Path:
    """Where an edition lives: `<out>/<report>/<YYYY>-Www/`."""
    return out / report.slug / iso_label(week)


def published_at(report: Report, week: dt.date) -> str:
    """The edition's date: the report's weekly run time after the week has ended."""
    day = week + dt.timedelta(weeks=1)
    target = WEEKDAYS.index(report.schedule.day.lower())
    day += dt.timedelta(days=(target - day.weekday()) % 7)
    hour, minute = (int(x) for x in report.schedule.time.split(":"))
    moment = dt.datetime(day.year, day.month, day.day, hour, minute,
                         tzinfo=ZoneInfo(report.schedule.timezone))
    return moment.isoformat()


def build_edition(request: BuildRequest) -> Edition:
    """Load, compute the facts, write the story, draw, render, check, swap into place."""
    from generator.render import chosen_renderers, render_all
    from generator.render.lanes import early_renderers

    report = request.report
    kind = kind_named(report.kind)
    formats = chosen_renderers(request.formats)
    check_out(request.out)
    data = kind.load(report, request.usage, request.models)
    week = choose_week(data, request.week)
    facts = kind.facts(data, week, report)
    check_note(report.notes_dir / f"{facts.iso_week}.md", report.limits)
    story = kind.story(facts, report, load_notes(report.notes_dir, facts.iso_week, report.limits))
    charts, chart_claims = kind.charts(facts, report)
    story = without_undrawn_charts(story, {chart.name for chart in charts})
    facts = facts.with_claims(story.claims + chart_claims)
    # The content with its charts' words but not their images: enough to lay a PDF out.
    outline = EditionContent(report, facts, story, charts, published_at(report, week),
                             with_pdf="pdf" in formats, digest=kind.digest,
                             corrections=corrections_for(report.notes_dir, facts.iso_week,
                                                         report.limits))
    folder = edition_folder(request.out, report, week)
    recover(folder.parent, folder.name)
    with staged_folder(folder) as staging:
        with early_renderers(outline, staging, formats, enabled=request.overlap,
                             standing=request.lanes) as early:
            # The web page alone shows the SVGs.
            drawn = draw_charts(charts, svg="html" in formats, on_pngs=early.feed)
            content = dataclasses.replace(outline, charts=drawn)
            write_facts(staging, content)
            rest = [f for f in formats if f not in early.names]
            if rest:  # none named means every format to render_all
                render_all(content, staging, rest)
            early.finish()
        result = check_edition(staging)
        if not result.ok:
            raise CheckFailed(result)
    return Edition(folder, content, result)


def check_out(out: Path) -> None:
    """Refuse an output folder that is a file or lies inside one, before any work is done."""
    for place in (out, *out.parents):
        if place.exists():
            if not place.is_dir():
                raise InputError(f"--out: expected a folder, but {display_path(place)} is a file")
            return


def without_undrawn_charts(story: Story, drawn: set[str]) -> Story:
    """The story with no section pointing at a chart the data could not support.

    The story names each section's chart before drawing; the first weeks of a history, for
    one, have too little data for the regions chart, and that section then stands without it.
    """
    sections = tuple(s if s.chart is None or s.chart in drawn else dataclasses.replace(s, chart=None)
                     for s in story.sections)
    return dataclasses.replace(story, sections=sections)


def write_facts(folder: Path, content: EditionContent) -> Path:
    """Write `facts.json`: the figures, the edition's own figures, and the claim ledger."""
    data = content.facts.to_json()
    story = content.story
    data["edition"] = {
        "kind": content.report.kind,
        # Names holding digits ("GPT-5.2"), which the check masks before it reads figures.
        "names": list(content.facts.names()),
        "title": content.report.title,
        "brand": content.report.brand,
        # The words of the settings the texts show, so that `weekly check` masks a digit in
        # them ("Platform 3") as it does in a model's name.
        "category": content.report.category,
        "author": content.report.author,
        "source_name": content.report.source_name,
        # The digest's footer prints it, street number and postcode included (issue 17).
        "postal_address": content.report.email.postal_address,
        "headline": story.headline,
        "subtitle": story.subtitle,
        "summary": story.description,
        "angle": story.angle,
        "published": content.published,
        "reading_minutes": story.meta.reading_minutes,
        "words": story.meta.words,
        # Dated corrections: the site's feeds and corrections page read them, and the check
        # reads their words as the editor's, as it does a name.
        "corrections": [c.to_json() for c in content.corrections],
        # The take's call, for the archive's running record (empty texts where there is none).
        "call": dataclasses.asdict(story.call),
    }
    claims = data.pop("claims")
    data["claims"] = claims
    path = folder / FACTS
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
