"""Loading a report's inputs into a validated `Snapshot`."""

from __future__ import annotations

from pathlib import Path

from generator.load.authors import load_authors
from generator.load.catalogue import load_catalogue
from generator.load.usage import load_usage
from generator.report import Report
from generator.snapshot import Snapshot


def load_snapshot(
    report: Report, usage_path: Path | None = None, models_path: Path | None = None
) -> Snapshot:
    """Load usage, catalogue and authors for a report; paths given here override the report's."""
    usage = load_usage(usage_path or report.usage_path, report.variants)
    catalogue_path = models_path or report.models_path
    catalogue = (
        load_catalogue(catalogue_path, report.variants)
        if catalogue_path is not None
        else {}
    )
    return Snapshot(
        usage=usage.frame,
        catalogue=catalogue,
        authors=load_authors(report.authors_path),
        sources=usage.sources,
        merged_variants=usage.merged_variants,
        free_variant_tokens=usage.free_variant_tokens,
        rounded_figures=report.rounded or usage.looks_rounded,
    )
