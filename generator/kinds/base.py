"""What a report kind is to the engine: its stages, as plain functions, behind one value.

The engine (settings, edition layout, claim ledger, renderers, check, publish, delivery,
operations) knows nothing of any domain. A kind brings the input schema and loader, the facts,
the story and the charts, and says what the digest shows. Kinds are found by name in the
`weekly.kinds` entry-point group (`generator.kinds`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from generator.charts.model import Chart
from generator.ledger import Claim
from generator.report import Report
from generator.story.model import Story
from generator.story.notes import Notes


class Data(Protocol):
    """A kind's loaded inputs: whatever it needs, with the weeks they hold."""

    @property
    def weeks(self) -> tuple[dt.date, ...]:
        """The weeks in the data, oldest first."""
        ...


class EditionFacts(Protocol):
    """What the engine reads of a kind's facts: the week, the ledger, and the JSON form."""

    @property
    def week(self) -> str:
        """The Monday of the week, `YYYY-MM-DD`."""
        ...

    @property
    def iso_week(self) -> str:
        """The ISO week, `YYYY-Www`: the edition's folder and permalink."""
        ...

    @property
    def claims(self) -> tuple[Claim, ...]:
        """The ledger of every figure the edition states."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The plain JSON form written to `facts.json`."""
        ...

    def with_claims(self, claims: tuple[Claim, ...]) -> EditionFacts:
        """The same facts holding the edition's whole ledger."""
        ...

    def names(self) -> tuple[str, ...]:
        """Names in the facts that hold digits ("GPT-5.2"): the check masks them."""
        ...


@dataclass(frozen=True)
class Digest:
    """What the email digest shows besides the takeaways: charts by name, in order, and the
    section whose table it carries."""

    charts: tuple[str, ...] = ()
    table_section: str | None = None


@dataclass(frozen=True)
class Kind:
    """A kind of report: its name in `report.toml` and its stages.

    `load(report, usage, catalogue)` reads the inputs (paths given override the report's);
    `facts(data, week, report)` computes one week; `story(facts, report, notes)` writes the
    article, every figure through the claim book; `charts(facts, report)` writes the week's
    charts' captions and alt texts and says how to draw each (`Chart.draw`), and returns them,
    undrawn, with the claims of those texts: the engine draws them, so the PDF can be laid out
    from the words while they are drawn.
    """

    name: str
    description: str
    load: Callable[[Report, Path | None, Path | None], Data]
    facts: Callable[[Any, dt.date, Report], EditionFacts]
    story: Callable[[Any, Report, Notes], Story]
    charts: Callable[[Any, Report], tuple[tuple[Chart, ...], tuple[Claim, ...]]]
    digest: Digest = field(default_factory=Digest)
    # The methodology page's definitions: (term, what it means), in the kind's own words.
    definitions: tuple[tuple[str, str], ...] = ()
    # For `weekly init`: settings the starter report sets (TOML lines) and its example files
    # (path relative to the report, text).
    starter_settings: str = ""
    starter_files: tuple[tuple[str, str], ...] = ()
