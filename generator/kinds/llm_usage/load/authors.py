"""The authors table: author slug → display name and country, built-in plus the report's."""

from __future__ import annotations

import math
import re
from pathlib import Path

from generator.errors import InputError
from generator.kinds.llm_usage.snapshot import Author
from generator.load.tables import read_table, require_columns
from generator.load.values import display_text, name_problem, where_of
from generator.resources import default_authors_file

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def read_authors(path: Path) -> dict[str, Author]:
    """Read one authors table (CSV or JSON records with author, name, country)."""
    table = read_table(path)
    frame = table.frame
    require_columns(frame, table.label, ("author", "country"))
    authors: dict[str, Author] = {}
    for i in range(len(frame)):
        slug = _text(frame["author"].iat[i])
        if not slug:
            raise InputError("expected an author slug", where_of(frame, i, "author"))
        written = _text(frame["country"].iat[i])
        country = written.upper() or None
        if country is not None and not _COUNTRY.match(country):
            raise InputError(
                f"expected an ISO 3166 alpha-2 country code such as CN or US, got {written!r}",
                where_of(frame, i, "country"),
            )
        name = display_text(_text(frame["name"].iat[i])) if "name" in frame.columns else ""
        for column, text in (("author", slug), ("name", name)):
            problem = name_problem(text)
            if problem is not None:
                raise InputError(f"expected {problem}", where_of(frame, i, column))
        authors[slug] = Author(slug, name or slug, country)
    return authors


def _text(value: object) -> str:
    # A JSON table gives None or NaN for a missing key; a CSV gives "" for an empty cell.
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def load_authors(extra: Path | None) -> dict[str, Author]:
    """The built-in table, extended and overridden by the report's own table when given."""
    authors = read_authors(default_authors_file())
    if extra is not None:
        authors.update(read_authors(extra))
    return authors
