"""The `llm-usage` kind: weekly tokens per LLM model, with a model catalogue and authors.

Its stages are the packages beside this module: `load` (usage, catalogue and authors into a
`Snapshot`), `facts` (the week's figures), `story` (the article) and `charts`; this module is
the one place that joins them into the `Kind` the engine finds by name.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.charts.model import Chart
from generator.kinds.base import Digest, Kind
from generator.kinds.llm_usage.charts import make_charts
from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.llm_usage.snapshot import Snapshot
from generator.kinds.llm_usage.story.build import write_story
from generator.ledger import Claim, ClaimBook
from generator.report import Report
from generator.story.model import Story
from generator.story.notes import Notes

# Six weeks of three models and the long tail: enough for changes, streaks and every chart.
STARTER_USAGE = """\
week,model,tokens
2026-04-06,deepseek/deepseek-v3.2,900000000000
2026-04-06,anthropic/claude-sonnet-4.6,1000000000000
2026-04-06,google/gemini-3-flash-preview,600000000000
2026-04-06,others,2500000000000
2026-04-13,deepseek/deepseek-v3.2,945000007919
2026-04-13,anthropic/claude-sonnet-4.6,1000000007919
2026-04-13,google/gemini-3-flash-preview,618000007919
2026-04-13,others,2550000007919
2026-04-20,deepseek/deepseek-v3.2,992250015838
2026-04-20,anthropic/claude-sonnet-4.6,1000000015838
2026-04-20,google/gemini-3-flash-preview,636540015838
2026-04-20,others,2601000015838
2026-04-27,deepseek/deepseek-v3.2,1041862523757
2026-04-27,anthropic/claude-sonnet-4.6,1000000023757
2026-04-27,google/gemini-3-flash-preview,655636223757
2026-04-27,others,2653020023757
2026-05-04,deepseek/deepseek-v3.2,1093955656676
2026-05-04,anthropic/claude-sonnet-4.6,1000000031676
2026-05-04,google/gemini-3-flash-preview,675305317676
2026-05-04,others,2706080431676
2026-05-11,deepseek/deepseek-v3.2,1148653445845
2026-05-11,anthropic/claude-sonnet-4.6,1000000039595
2026-05-11,google/gemini-3-flash-preview,695564484175
2026-05-11,others,2760202047595
"""


def _load(report: Report, usage: Path | None, catalogue: Path | None) -> Snapshot:
    return load_snapshot(report, usage, catalogue)


def _facts(data: Snapshot, week: dt.date, report: Report) -> Facts:
    return compute_facts(data, week, report.slug, report.top_n)


def _story(facts: Facts, report: Report, notes: Notes) -> Story:
    return write_story(facts, report, notes)


def _charts(facts: Facts, report: Report) -> tuple[tuple[Chart, ...], tuple[Claim, ...]]:
    # Chart texts round like the story: no more precision than a rounding source gave.
    book = ClaimBook(prefix="g", significant=facts.source.significant_figures,
                     style=report.style)
    charts = make_charts(facts, book, source=report.source_name)
    return charts, book.done()


KIND = Kind(
    name="llm-usage",
    description="tokens per LLM model per week, with a model catalogue and makers' countries",
    load=_load,
    facts=_facts,
    story=_story,
    charts=_charts,
    digest=Digest(charts=("total", "top_models"), table_section="rankings"),
    definitions=(
        ("Week", "Monday to Sunday; an edition is named by the ISO week (YYYY-Www) of its "
                 "Monday and is published after the week has ended."),
        ("Token", "The unit the source counts: prompt and completion tokens a model processed. "
                  "Models use different tokenizers, so the same text can count differently."),
        ("Model", "A model id as the source lists it; variants of one model (free, beta, "
                  "dated releases) are merged as the report's settings say."),
        ("Country", "The country of a model's maker (the author table). A model whose maker "
                    "has no known country is never counted for a country."),
        ("Change", "This week against the week before, in percent; none where there is no "
                   "comparable week before (a new model, or a change of the source's method)."),
        ("Streak", "Consecutive weeks of growth, of holding a rank, or of one country leading, "
                   "ending with this week."),
        ("New, entered, back", "A model launched this week (by the catalogue's release date), "
                               "new to the list, or back on it after weeks away."),
    ),
    starter_settings='data.usage = "data/usage.csv"',
    starter_files=(("data/usage.csv", STARTER_USAGE),),
)
