"""Shared fixtures. Builders of report folders live in `helpers.py`; fixtures wrap them."""

from __future__ import annotations

import gc
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import ReportFactory, make_report
from mail_fixtures import certificate, server

from generator.report import Report

__all__ = ["ReportFactory", "certificate", "report_factory", "server"]


@pytest.fixture(autouse=True)
def _collector_thawed() -> Iterator[None]:
    """A command under test may freeze this process's heap (generator/heap.py), as it does its
    own process's: the next test starts with a collector that walks every object again."""
    yield
    if gc.get_freeze_count():
        gc.unfreeze()


@pytest.fixture
def report_factory(tmp_path: Path) -> ReportFactory:
    """Return `make(rows, **options) -> Report`, each call in a fresh folder under tmp_path."""
    counter = itertools.count(1)

    def make(rows: Any = (), **options: Any) -> Report:
        return make_report(tmp_path / f"report{next(counter)}", rows, **options)

    return make


def pytest_addoption(parser: pytest.Parser) -> None:
    """`--update-golden` rewrites the golden files from the current output (./dev golden)."""
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/*")


@pytest.fixture(scope="session")
def sample_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample's latest edition, built once in all formats."""
    from generator.cli import main

    out = tmp_path_factory.mktemp("out")
    assert main(["build", "--out", str(out)]) == 0
    return out / "llm-usage" / "2026-W21"
