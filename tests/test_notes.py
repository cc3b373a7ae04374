"""Editor notes: parts of the take added or replaced, paragraphs added to sections."""

from __future__ import annotations

from pathlib import Path

from generator.story.model import Span
from generator.story.notes import load_notes, parse_inline, parse_notes

NOTES = """## Take: why it matters

First paragraph of **why**.

## Take: risks (replace)

Only this risk.

## Section: vendor/model-x

An added paragraph with [a link](https://example.org) and [a trap](javascript:alert(1)).

## Unrelated heading

Ignored text.
"""


def test_parse_take_and_sections() -> None:
    notes = parse_notes(NOTES)
    assert notes.take["why"] == ((Span("First paragraph of "), Span("why", strong=True), Span(".")),)
    assert notes.replace == frozenset({"risks"})
    paragraph = notes.sections["vendor-model-x"][0]
    links = [s for s in paragraph if s.href]
    assert [s.href for s in links] == ["https://example.org"]
    assert "javascript:alert(1)" in "".join(s.text for s in paragraph)
    assert all(s.href is None or not s.href.startswith("javascript") for s in paragraph)
    assert "Ignored" not in str(notes)


def test_only_safe_schemes_become_links() -> None:
    spans = parse_inline("[m](mailto:a@b.c) [d](data:text/html,x) [h](http://x.y)")
    assert [s.href for s in spans if s.href] == ["mailto:a@b.c", "http://x.y"]


def test_missing_notes_file_means_no_notes(tmp_path: Path) -> None:
    notes = load_notes(tmp_path, "2026-W21")
    assert not notes.take and not notes.sections


def test_notes_replace_the_take(tmp_path: Path) -> None:
    from generator.kinds.llm_usage.story.build import write_story
    from tests.scenarios import history, last_week, make_report

    rows = history() + last_week(cnlab__alpha=420, cnco__beta=300, uslab__gamma=180,
                                 usco__delta=120, frlab__epsilon=60, others=450)
    report = make_report(tmp_path, rows)
    from generator.kinds.llm_usage.facts.compute import compute_facts
    from generator.kinds.llm_usage.load import load_snapshot

    facts = compute_facts(load_snapshot(report), load_snapshot(report).weeks[-1], "t")
    story = write_story(facts, report, parse_notes(NOTES.replace("vendor/model-x", "cnlab/alpha")))
    risks = next(b for b in story.take if b.emoji == "⚠️")
    assert "".join(s.text for s in risks.body) == "Only this risk."
    why = "".join(s.text for s in next(b for b in story.take if b.emoji == "🔥").body)
    assert why.endswith("First paragraph of why.") and len(why) > len("First paragraph of why.")
    alpha = next(s for s in story.sections if s.id == "cnlab-alpha")
    assert "An added paragraph" in "".join(s.text for p in alpha.paragraphs for s in p)
