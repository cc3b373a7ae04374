"""Scenario data for story tests: a small market whose last week is shaped per test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.llm_usage.story.build import write_story
from generator.report import Report, load_report
from generator.story.model import Story, plain
from generator.story.notes import Notes

AUTHORS = (
    "author,name,country\ncnlab,CN Lab,CN\ncnco,CN Co,CN\nuslab,US Lab,US\nusco,US Co,US\n"
    "frlab,FR Lab,FR\n"
)
CATALOGUE = (
    "model,name,author,released,context_length,input_modalities,open_weights,price_prompt,"
    "price_completion\n"
    "cnlab/alpha,Alpha,cnlab,2025-01-06,1000000,text+image,true,0.2,0.8\n"
    "cnco/beta,Beta,cnco,2025-01-06,262144,text,true,0.3,1.2\n"
    "uslab/gamma,Gamma,uslab,2025-01-06,200000,text+image,false,3,15\n"
    "usco/delta,Delta,usco,2025-01-06,128000,text,false,1.25,10\n"
    "frlab/epsilon,Epsilon,frlab,2025-01-06,128000,text,true,0.4,2\n"
    "cnlab/zeta,Zeta,cnlab,2026-05-18,1000000,text+image,true,0.4,1.6\n"
)
LAST = dt.date(2026, 5, 18)
Rows = list[tuple[str, str, int]]


def history(weeks: int = 8, **scale: float) -> Rows:
    """A steady market for `weeks` weeks ending at LAST, before the scenario's last week."""
    base = {"cnlab/alpha": 300, "cnco/beta": 250, "uslab/gamma": 200, "usco/delta": 150,
            "frlab/epsilon": 60, "others": 400}
    rows: Rows = []
    for i in range(weeks):
        week = LAST - dt.timedelta(weeks=weeks - i)
        for model, units in base.items():
            growth = 1 + 0.02 * i
            factor = scale.get(model.replace("/", "__"), 1)
            rows.append((week.isoformat(), model, int(units * growth * factor * 1e9)))
    return rows


def last_week(**tokens_b: float) -> Rows:
    """Rows of LAST from billions per model (keys use __ for / : cnlab__alpha)."""
    return [(LAST.isoformat(), k.replace("__", "/"), int(v * 1e9)) for k, v in tokens_b.items()]


def make_report(folder: Path, rows: Rows) -> Report:
    """Write a report folder for the rows and load it."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["week,model,tokens", *(f"{w},{m},{t}" for w, m, t in rows)]
    (folder / "usage.csv").write_text("\n".join(lines) + "\n")
    (folder / "authors.csv").write_text(AUTHORS)
    (folder / "models.csv").write_text(CATALOGUE)
    (folder / "report.toml").write_text(
        'title = "Scenario"\nbrand = "Desk"\nsource_name = "TestRouter"\n'
        '[data]\nusage = "usage.csv"\nauthors = "authors.csv"\nmodels = "models.csv"\n'
    )
    return load_report(folder)


def story_for(folder: Path, rows: Rows, week: dt.date = LAST) -> tuple[Facts, Story]:
    """Facts and story of `week` for the rows."""
    report = make_report(folder, rows)
    facts = compute_facts(load_snapshot(report), week, report.slug, report.top_n)
    return facts, write_story(facts, report, Notes())


def all_text(story: Story) -> str:
    """Every sentence of the story, one block per line."""
    parts = [story.headline, story.subtitle, plain(story.summary), *map(plain, story.lede)]
    parts += [f"{b.label}: {plain(b.body)}" for b in story.takeaways]
    for section in story.sections:
        parts.append(section.title)
        parts += [plain(p) for p in section.paragraphs]
        parts += [f"{b.label}: {plain(b.body)}" for b in section.bullets]
        if section.table:
            parts += [" · ".join(row) for row in section.table.rows]
    parts += [f"{b.label}: {plain(b.body)}" for b in story.take]
    return "\n".join(parts)
