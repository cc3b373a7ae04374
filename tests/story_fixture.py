"""A hand-made edition for the renderer tests: report, facts, story and two charts.

The story is written by hand (not by the story engine) so the renderer tests do not move when
the engine's wording does. Its figures are made up and match the tiny usage file only loosely.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

from generator.charts.model import Chart, ChartImages
from generator.kinds.llm_usage.facts.compute import compute_facts
from generator.kinds.llm_usage.load import load_snapshot
from generator.kinds.registry import kind
from generator.render.base import EditionContent
from generator.report import Report, load_report
from generator.story.model import Bullet, Meta, Paragraph, Section, Span, Story, Table, plain

PUBLISHED = "2026-05-25T08:00:00+01:00"

REPORT_TOML = """\
title = "The Token Ledger"
brand = "Ledger"
category = "Industry"
author = "The Token Ledger desk"
site_url = "https://tokenledger.example.org/"
source_name = "OpenRouter"
top_n = 5
language = "en"

[data]
usage = "usage.csv"
"""

USAGE = {  # model -> tokens per week, oldest first (in billions)
    "deepseek/deepseek-v4-flash": (2610, 3100, 3690),
    "tencent/hy3-preview": (2890, 3030, 2940),
    "minimax/minimax-m3": (0, 0, 2500),
    "anthropic/claude-sonnet-4.6": (1500, 1420, 1210),
    "others": (18000, 20200, 21700),
}
WEEKS = ("2026-05-04", "2026-05-11", "2026-05-18")


def p(*parts: str | Span) -> Paragraph:
    """Build a paragraph from plain strings and spans."""
    return tuple(Span(x) if isinstance(x, str) else x for x in parts)


def b(text: str) -> Span:
    """A strong span."""
    return Span(text, strong=True)


def write_report(folder: Path) -> Report:
    """Write a minimal report folder with a tiny usage file and load it."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.toml").write_text(REPORT_TOML, encoding="utf-8")
    lines = ["week,model,tokens"]
    for model, series in USAGE.items():
        for week, billions in zip(WEEKS, series, strict=True):
            if billions:
                lines.append(f"{week},{model},{billions * 10**9}")
    (folder / "usage.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_report(folder)


def draw_chart(name: str, title: str, labels: list[str], values: list[float],
               svg: bool = False) -> Chart:
    """Draw a small horizontal bar chart with matplotlib (no pyplot state)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.2, 3.6), dpi=200)
    ax = fig.add_subplot()
    ax.barh(labels[::-1], values[::-1], color="#b4302a")
    ax.set_xlabel("tokens (trillions)")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    png = io.BytesIO()
    fig.savefig(png, format="png")
    vector = None
    if svg:
        out = io.BytesIO()
        fig.savefig(out, format="svg")
        vector = out.getvalue()
    return Chart(
        name=name,
        title=title,
        caption="Tokens processed in the week of 18 May 2026, in trillions. Source: OpenRouter.",
        alt="Bar chart: " + ", ".join(
            f"{label} {value} trillion" for label, value in zip(labels, values, strict=True)
        ) + ".",
        images=ChartImages(png=png.getvalue(), svg=vector),
        width_px=1440,
        height_px=720,
    )


def sample_story() -> Story:
    """A realistic article with every part the renderers show."""
    takeaways = (
        Bullet("Market Leadership", p("Chinese models drew ", b("14.19 trillion"),
                                      " tokens, more than four times the 3.2 trillion of US models.")),
        Bullet("Growth Divergence", p("Chinese volume rose 27.49 % on the week while US volume "
                                      "fell 24.53 %.")),
        Bullet("Top Rankings", p("All four of the most-used models come from Chinese labs, "
                                 "with DeepSeek-V4-Flash first.")),
        Bullet("New Entrants", p("MiniMax-M3 reached third place with 2.5 trillion tokens "
                                 "in its first week.")),
        Bullet("Total Volume", p("All models together processed 36.1 trillion tokens, up 13.5 %.")),
        Bullet("Competitive Landscape", p("The top five models took 38.4 % of all tokens.")),
    )
    sections = (
        Section(
            id="deepseek-deepseek-v4-flash",
            title="DeepSeek-V4-Flash Stays on Top",
            paragraphs=(
                p("DeepSeek-V4-Flash was the most-used model for a ", b("third straight week"),
                  ", with 3.69 trillion tokens, 19 % more than the week before."),
                p("Its price of $0.14 per million input tokens keeps it among the cheapest of "
                  "the leaders; see the ", Span("model page", href="https://openrouter.ai/"),
                  " for details."),
            ),
            chart="top-models",
        ),
        Section(
            id="tencent-hy3-preview",
            title="Tencent 混元 Hy3 Preview Holds Second",
            paragraphs=(
                p("Tencent's 混元 Hy3 Preview handled 2.94 trillion tokens, 3 % fewer than a "
                  "week earlier, and kept second place for the fourth week."),
            ),
        ),
        Section(
            id="rankings",
            title="The Rankings",
            paragraphs=(p("The five most-used models of the week, by tokens:"),),
            table=Table(
                caption="Top models, week of 18 May 2026",
                columns=("Rank", "Model", "Tokens", "Change"),
                rows=(
                    ("1", "DeepSeek-V4-Flash", "3.69 T", "+19.0 %"),
                    ("2", "混元 Hy3 Preview", "2.94 T", "−3.0 %"),
                    ("3", "MiniMax-M3", "2.50 T", "new"),
                    ("4", "Claude Sonnet 4.6", "1.21 T", "−14.8 %"),
                ),
                numeric=(True, False, True, True),
            ),
        ),
        Section(
            id="regional-race",
            title="China Extends Its Lead Over the US",
            paragraphs=(
                p("Chinese models led US models for the ", b("sixth consecutive week"),
                  ". The gap widened to 10.99 trillion tokens."),
            ),
            chart="regions",
        ),
        Section(
            id="developers",
            title="What This Means for Developers",
            paragraphs=(p("Three points stand out for teams choosing a model:"),),
            bullets=(
                Bullet("Cost", p("Input tokens on Chinese models cost $0.21 per million on "
                                 "average, against $1.85 for US models.")),
                Bullet("Long Context", p("MiniMax-M3 reads up to 1M tokens of context.")),
                Bullet("Open Weights", p("Open-weight models carried 41.2 % of the volume.")),
            ),
        ),
    )
    take = (
        Bullet("Why This Matters", p("The top of the table changed hands in a single release "
                                     "cycle; switching costs between providers are low."), "🔥"),
        Bullet("Limitations & Risks", p("The figures cover one routing platform only, and "
                                        "tokenizers differ between model families."), "⚠️"),
        Bullet("Actionable Advice", p("Benchmark the two leaders on your own prompts before "
                                      "the next price change."), "💡"),
    )
    summary = p("Chinese models led weekly usage for a sixth week as DeepSeek-V4-Flash "
                "stayed at #1 with 3.69 trillion tokens.")
    lede = (
        p("Models from Chinese labs drew more tokens than US models for the sixth week in a "
          "row, according to weekly figures from ",
          Span("OpenRouter", href="https://openrouter.ai/rankings"), "."),
        p("All models together processed ", b("36.1 trillion tokens"), ", 13.5 % more than "
          "the week before and the seventh weekly rise in a row."),
    )
    texts = [plain(summary), *(plain(x) for x in lede), *(plain(t.body) for t in takeaways),
             *(plain(x) for s in sections for x in s.paragraphs)]
    words = sum(len(t.split()) for t in texts)
    return Story(
        headline="DeepSeek-V4-Flash Holds #1 as Chinese Models Lead for a Sixth Week",
        slug="2026-w21",
        summary=summary,
        subtitle="MiniMax-M3 Enters the Top Three in Its First Week",
        meta=Meta("2026-05-18", "Week of 18 May 2026", "Industry", max(1, words // 220), words),
        lede=lede,
        takeaways=takeaways,
        sections=sections,
        take_title="Ledger's Take",
        take=take,
        description=plain(summary),
        tags=("llm", "token usage", "deepseek", "china"),
        angle="lead-streak",
        claims=(),
        source_note="weekly token counts per model from OpenRouter",
    )


def sample_charts() -> tuple[Chart, ...]:
    """Two charts: one with an SVG twin, one PNG only."""
    return (
        draw_chart("top-models", "Most-used models",
                   ["DeepSeek-V4-Flash", "Hy3 Preview", "MiniMax-M3", "Claude Sonnet 4.6"],
                   [3.69, 2.94, 2.5, 1.21], svg=True),
        draw_chart("regions", "Tokens by model origin", ["China", "United States"],
                   [14.19, 3.2]),
    )


def sample_content(tmp_path: Path, story: Story | None = None) -> EditionContent:
    """The whole edition content, built in `tmp_path/report`."""
    report = write_report(tmp_path / "report")
    snapshot = load_snapshot(report)
    facts = compute_facts(snapshot, dt.date.fromisoformat(WEEKS[-1]), report.slug, report.top_n)
    return EditionContent(
        report=report,
        facts=facts,
        story=story or sample_story(),
        charts=sample_charts(),
        published=PUBLISHED,
        digest=kind("llm-usage").digest,
    )
