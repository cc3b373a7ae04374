"""The authors table: author slug → display name and country, built-in plus the report's."""

from __future__ import annotations

import re
from pathlib import Path

from generator.errors import InputError
from generator.load.tables import read_table, require_columns
from generator.load.values import where_of
from generator.resources import default_authors_file
from generator.snapshot import Author

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def read_authors(path: Path) -> dict[str, Author]:
    """Read one authors table (CSV or JSON records with author, name, country)."""
    table = read_table(path)
    frame = table.frame
    require_columns(frame, table.label, ("author", "country"))
    authors: dict[str, Author] = {}
    for i in range(len(frame)):
        slug = str(frame["author"].iat[i] or "").strip()
        if not slug:
            raise InputError("expected an author slug", where_of(frame, i, "author"))
        country = str(frame["country"].iat[i] or "").strip().upper() or None
        if country is not None and not _COUNTRY.match(country):
            raise InputError(
                f"expected an ISO 3166 alpha-2 country code such as CN or US, got {country!r}",
                where_of(frame, i, "country"),
            )
        name = frame["name"].iat[i] if "name" in frame.columns else None
        name = str(name).strip() if isinstance(name, str) and name.strip() else slug
        authors[slug] = Author(slug, name, country)
    return authors


def load_authors(extra: Path | None) -> dict[str, Author]:
    """The built-in table, extended and overridden by the report's own table when given."""
    authors = read_authors(default_authors_file())
    if extra is not None:
        authors.update(read_authors(extra))
    return authors
