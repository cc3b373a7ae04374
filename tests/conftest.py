"""Shared fixtures. Builders of report folders live in `helpers.py`; fixtures wrap them."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from helpers import ReportFactory, make_report

from generator.report import Report

__all__ = ["ReportFactory", "report_factory"]


@pytest.fixture
def report_factory(tmp_path: Path) -> ReportFactory:
    """Return `make(rows, **options) -> Report`, each call in a fresh folder under tmp_path."""
    counter = itertools.count(1)

    def make(rows: Any = (), **options: Any) -> Report:
        return make_report(tmp_path / f"report{next(counter)}", rows, **options)

    return make
