"""Where the built-in templates and the sample report are, in a checkout or a wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A checkout (or editable install) has the folder at the top of the repository; a wheel
    # carries it inside the package, under _bundled/.
    checkout = _PACKAGE.parent / name
    return checkout if checkout.is_dir() else _PACKAGE / "_bundled" / name


def templates_dir() -> Path:
    """The built-in template folder."""
    return _bundled("templates")


def sample_report_dir() -> Path:
    """The bundled sample report."""
    return _bundled("reports") / "llm-usage"


def default_authors_file() -> Path:
    """The authors table that ships with the package."""
    return _PACKAGE / "data" / "authors.csv"
