"""Reading an edition's Markdown as an editor does: its prose, its sentence skeletons, and how
often each figure of the ledger is stated in it.

Prose is every sentence a reader reads as text: the lede, the takeaways, the sections' paragraphs
and bullets and the take. Headings, the meta and summary lines, tables, captions, chart images
and the footer are not prose. A skeleton is a sentence with its numbers, number words and names
blanked, so two weeks that say the same thing about other figures share one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.kinds.registry import kind
from generator.ledger.numbers import NUMBER_WORDS
from generator.pipeline import published_at, without_undrawn_charts
from generator.render.base import EditionContent
from generator.render.markdown import markdown_post
from generator.report import Report, load_report
from generator.story.notes import load_notes

_NOT_PROSE = re.compile(r"^(#|\||!\[|📅|💡|---|\[Download|Source:|\*[^*].*\*$)")
_LABEL = re.compile(r"^- (?:\S+ )?\*\*[^*]+:\*\* ")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")
_NUMBER = re.compile(r"[+\u2212\-]?\$?\d[\d,.]*(?:st|nd|rd|th|%|K|M)?")
_WORDS = re.compile(r"\b(?:" + "|".join((*NUMBER_WORDS, "ten", "eleven", "twelve")) + r")\b",
                    re.IGNORECASE)


@dataclass(frozen=True)
class Edition:
    """One week's Markdown and what the test needs of its facts."""

    week: str
    markdown: str
    headline: str
    names: tuple[str, ...]
    claims: tuple[tuple[str, str], ...]  # (fact path, sentence) of every story claim
    content: EditionContent | None = None


def editions(report_dir: Path | None, weeks: Iterable[str] | None = None) -> list[Edition]:
    """Write the Markdown of each week (all weeks when `weeks` is None), without charts."""
    report = load_report(report_dir)
    stages = kind(report.kind)
    data = stages.load(report, None, None)
    wanted = set(weeks) if weeks is not None else None
    out = []
    for week in data.weeks:
        if wanted is not None and week.isoformat() not in wanted:
            continue
        out.append(_edition(report, stages, data, week))
    return out


def _edition(report: Report, stages: Any, data: Any, week: dt.date) -> Edition:
    facts = stages.facts(data, week, report)
    notes = load_notes(report.notes_dir, facts.iso_week, report.limits)
    story = without_undrawn_charts(stages.story(facts, report, notes), set())
    content = EditionContent(report, facts.with_claims(story.claims), story, (),
                             published_at(report, week), with_pdf=False, digest=stages.digest)
    return Edition(week.isoformat(), markdown_post(content), story.headline,
                   _names(facts.to_json()),
                   tuple((c.fact.partition("|")[0], c.text) for c in story.claims), content)


def _names(tree: Any) -> tuple[str, ...]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("name", "adjective", "author_name", "from_name", "to_name") \
                        and isinstance(value, str):
                    found.add(value.removeprefix("the "))
                elif key != "claims":
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(tree)
    return tuple(sorted(found, key=len, reverse=True))


def prose(markdown: str) -> list[str]:
    """The sentences of the Markdown's prose, unescaped."""
    body = markdown.split("\n---\n", 1)[1] if markdown.startswith("---\n") else markdown
    sentences: list[str] = []
    for line in body.splitlines():
        line = line.strip()
        if not line or _NOT_PROSE.match(line):
            continue
        line = _LABEL.sub("", line).removeprefix("- ")
        line = re.sub(r"\\(.)", r"\1", line).replace("**", "")
        sentences += [s for s in _SENTENCE_END.split(line) if s]
    return sentences


def skeleton(sentence: str, names: Iterable[str]) -> str:
    """The sentence with its names, numbers and number words blanked."""
    text = sentence
    for name in names:
        if name:
            text = text.replace(name, "NAME")
    text = _NUMBER.sub("#", text)
    text = _WORDS.sub("#", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def skeletons(edition: Edition) -> set[str]:
    return {skeleton(s, edition.names) for s in prose(edition.markdown)}


def overlap(this: Edition, last: Edition) -> float:
    """Share of this edition's prose skeletons that last week's edition also had."""
    mine = skeletons(this)
    return len(mine & skeletons(last)) / len(mine) if mine else 0.0


def mentions(edition: Edition) -> Counter[str]:
    """How many prose sentences state each figure of the story's ledger."""
    sentences = prose(edition.markdown)
    counted: Counter[str] = Counter()
    seen: set[tuple[str, str]] = set()
    for fact, text in edition.claims:
        if (fact, text) in seen or fact in ("week",):
            continue
        seen.add((fact, text))
        plain_text = text.replace("**", "")
        counted[fact] += sum(1 for s in sentences if s in plain_text or plain_text in s)
    return counted


def title_shape(edition: Edition) -> str:
    """The headline's skeleton: its shape with the names and figures blanked."""
    return skeleton(edition.headline, edition.names)
