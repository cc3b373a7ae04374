"""The `llm-usage` kind: weekly tokens per LLM model, with a model catalogue and authors.

Its stages live in `generator.load` (inputs), `generator.facts` (figures), `generator.story`
(article) and `generator.charts` (charts); this module is the one place that joins them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.charts import make_charts
from generator.charts.model import Chart
from generator.facts.compute import compute_facts
from generator.facts.model import Facts
from generator.kinds.base import Digest, Kind
from generator.ledger import Claim, ClaimBook
from generator.load import load_snapshot
from generator.report import Report
from generator.snapshot import Snapshot
from generator.story.build import write_story
from generator.story.model import Story
from generator.story.notes import Notes


def _load(report: Report, usage: Path | None, catalogue: Path | None) -> Snapshot:
    return load_snapshot(report, usage, catalogue)


def _facts(data: Snapshot, week: dt.date, report: Report) -> Facts:
    return compute_facts(data, week, report.slug, report.top_n)


def _story(facts: Facts, report: Report, notes: Notes) -> Story:
    return write_story(facts, report, notes)


def _charts(facts: Facts, source: str) -> tuple[tuple[Chart, ...], tuple[Claim, ...]]:
    # Chart texts round like the story: no more precision than a rounding source gave.
    book = ClaimBook(prefix="g", significant=facts.source.significant_figures)
    charts = make_charts(facts, book, source=source)
    return charts, book.done()


KIND = Kind(
    name="llm-usage",
    description="tokens per LLM model per week, with a model catalogue and makers' countries",
    load=_load,
    facts=_facts,
    story=_story,
    charts=_charts,
    digest=Digest(charts=("total", "top_models"), table_section="rankings"),
)
