"""The methodology page's content, from the report's settings and its kind's definitions."""

from __future__ import annotations

from dataclasses import dataclass

from generator.kinds.registry import kind as kind_named
from generator.report import Report


@dataclass(frozen=True)
class Methodology:
    """What the methodology page says: each part a tuple of (term, text) or of sentences."""

    sources: tuple[tuple[str, str], ...]
    coverage: tuple[str, ...]
    definitions: tuple[tuple[str, str], ...]
    caveats: tuple[str, ...]
    checks: tuple[str, ...]


_COVERAGE = {
    "complete": "Each week's rows cover the whole platform: the long tail is one \u201cothers\u201d row.",
    "list": "Each week's rows are a top-N list: sums and shares are of the listed models only, "
            "never of the platform.",
    "auto": "A week with an \u201cothers\u201d or \u201ctotal\u201d row is read as the whole "
            "platform; a week without one as a top-N list, and its sums and shares are of the "
            "listed models only.",
}

CHECKS = (
    "Every figure in the text is computed from the data and recorded in the edition's "
    "facts.json with the fact it comes from (the claim ledger).",
    "Before an edition is published, `weekly check` reads back every text it wrote (web page, "
    "Markdown, PDF, email) and traces each number to that ledger; an edition with an untraced "
    "number is not published.",
    "Each chart's data is published beside it as CSV, with the values as computed.",
    "A correction is published as a dated note on the edition it corrects and listed on the "
    "corrections page; the edition is not mailed again.",
)


def methodology(report: Report) -> Methodology:
    """The page's content for a report."""
    kind = kind_named(report.kind)
    sources = [("Usage data", f"{report.source_name}: {report.usage_path.name}")]
    if report.models_path is not None:
        sources.append(("Model catalogue", report.models_path.name))
    if report.authors_path is not None:
        sources.append(("Makers and countries", report.authors_path.name))
    caveats = [
        "Usage on one platform is not the whole market.",
        f"The rankings show the top {report.top_n}.",
    ]
    if report.rounded:
        caveats.append("The source rounds its figures; no figure is shown more precisely "
                       "than the source gives it.")
    return Methodology(
        sources=tuple(sources),
        coverage=(_COVERAGE.get(report.coverage, _COVERAGE["auto"]),),
        definitions=kind.definitions,
        caveats=tuple(caveats),
        checks=CHECKS,
    )
