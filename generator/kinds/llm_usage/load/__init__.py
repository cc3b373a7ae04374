"""Loading a report's inputs into a validated `Snapshot`."""

from __future__ import annotations

from pathlib import Path

from generator.kinds.llm_usage.load.authors import load_authors
from generator.kinds.llm_usage.load.catalogue import load_catalogue
from generator.kinds.llm_usage.load.identity import resolver
from generator.kinds.llm_usage.load.usage import load_usage
from generator.kinds.llm_usage.load.variants import variant_marks
from generator.kinds.llm_usage.snapshot import Snapshot
from generator.load.limits import check_models, check_size
from generator.load.tables import usage_files
from generator.report import Report


def load_snapshot(
    report: Report, usage_path: Path | None = None, models_path: Path | None = None
) -> Snapshot:
    """Load usage, catalogue and authors for a report; paths given here override the report's."""
    usage_path = usage_path or report.usage_path
    catalogue_path = models_path or report.models_path
    # Limits first: a table too big to hold is refused before pandas tries to hold it.
    check_models(usage_files(usage_path), ("model",), report.limits)
    if catalogue_path is not None:
        check_models((catalogue_path,), ("model", "id"), report.limits)
    if report.authors_path is not None:
        check_size(report.authors_path, report.limits)
    catalogue = (
        load_catalogue(catalogue_path, report.variants)
        if catalogue_path is not None
        else {}
    )
    usage = load_usage(usage_path, resolver(report.variants, catalogue))
    return Snapshot(
        usage=usage.frame,
        catalogue=catalogue,
        authors=load_authors(report.authors_path),
        sources=usage.sources,
        merged_variants=usage.merged_variants,
        free_variant_tokens=usage.free_variant_tokens,
        rounded_figures=report.rounded or usage.looks_rounded,
        profiles=usage.profiles,
        coverage=report.coverage,
        name_marks=variant_marks(report.variants),
    )
