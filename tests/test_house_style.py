"""House style (issue 16, item 6, in part): no sentence of prose opens with a numeral.

Every week of the three reports the suite ships (the LLM sample, the leaderboard-shaped data,
the generic sample) is written and read sentence by sentence; headlines, table rows and
captions are not prose and are left out.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.kinds.registry import kind
from generator.report import load_report
from generator.story.model import Story, plain
from generator.story.notes import load_notes

ROOT = Path(__file__).resolve().parents[1]
REPORTS = {"llm-usage": None, "leaderboard": ROOT / "tests" / "leaderboard",
           "package-downloads": ROOT / "reports" / "package-downloads"}
NUMERAL_START = re.compile(r"^[+\u2212\-$]?\d")


def _prose(story: Story) -> list[str]:
    paragraphs = [story.summary, *story.lede, *(b.body for b in story.takeaways),
                  *(p for s in story.sections for p in s.paragraphs),
                  *(b.body for s in story.sections for b in s.bullets),
                  *(b.body for b in story.take)]
    return [s for p in paragraphs for s in re.split(r"(?<=[.!?;])\s+", plain(p)) if s]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_no_sentence_opens_with_a_numeral(name: str) -> None:
    report = load_report(REPORTS[name])
    stages = kind(report.kind)
    data = stages.load(report, None, None)
    for week in data.weeks:
        facts = stages.facts(data, week, report)
        story = stages.story(facts, report, load_notes(report.notes_dir, facts.iso_week,
                                                       report.limits))
        bad = [s for s in _prose(story) if NUMERAL_START.match(s)]
        assert not bad, (str(week), bad)
