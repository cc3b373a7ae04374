"""Checks of one setting's value, declared next to the setting in `generator/settings.py`.

Each check is a frozen dataclass called with the value (already of the default's type) and the
key path; it returns None when the value is acceptable, or the text of the problem, which always
starts with "expected" so that the error reads `setting 'key' expected ..., got ...`. A check that
must say more (an entry of a table under its own key path, `variants.renames.acme/old`, or a
length instead of a long value) returns a whole Problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.languages import ISO_639_1

# Control characters, and bidi embeddings, overrides and isolates: never wanted in a setting.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# BCP 47 as an HTML `lang` wants it: "en", "pt-BR", "zh-Hant-TW".
_LANGUAGE = re.compile(r"([A-Za-z]{2,3})(?:-[A-Za-z0-9]{1,8})*")


class Check(Protocol):
    """A check of one value: None when it is good, else "expected ...". `key` is its key path."""

    def __call__(self, key: str, value: Any) -> str | Problem | None: ...


@dataclass(frozen=True)
class Problem:
    """One refused value: the key path and the whole complaint ("expected ..., got ...")."""

    key: str
    expected: str


def run_check(check: Check | None, key: str, value: Any) -> Problem | None:
    """Apply a check; return the problem, if any, under the key path it names."""
    if check is None:
        return None
    found = check(key, value)
    if found is None or isinstance(found, Problem):
        return found
    return Problem(key, f"{found}, got {value!r}")


@dataclass(frozen=True)
class IntRange:
    """A whole number from `low` to `high` (no upper bound when `high` is None)."""

    low: int
    high: int | None = None

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        if value < self.low:
            return self._expected()
        if self.high is not None and value > self.high:
            return self._expected()
        return None

    def _expected(self) -> str:
        if self.high is None:
            return f"expected at least {self.low:,}"
        return f"expected a whole number from {self.low} to {self.high}"


@dataclass(frozen=True)
class Text:
    """Text of at most `limit` characters without control characters; `empty` allows ""."""

    limit: int
    empty: bool = False

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        if len(value) > self.limit:
            return Problem(key, f"expected at most {self.limit} characters, got {len(value):,}")
        if not value.strip() and not self.empty:
            return "expected text, got an empty one"
        if CONTROLS.search(value):
            return "expected text without control or direction characters"
        return None


@dataclass(frozen=True)
class Word:
    """A plain word for the text: no markup characters, at most `limit` characters."""

    limit: int = 40

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        if not value.strip() or len(value) > self.limit or any(c in value for c in "<>{}[]*_`|\n"):
            return f"expected a plain word of at most {self.limit} characters"
        return None


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of texts (compared without case when `fold`)."""

    options: tuple[str, ...]
    fold: bool = False

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        text = value.strip().lower() if self.fold else value
        if text in self.options:
            return None
        return f"expected one of {', '.join(self.options)}"


@dataclass(frozen=True)
class Pattern:
    """Text matching a regular expression, described for the reader."""

    regex: str
    description: str

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        return None if re.fullmatch(self.regex, value.strip()) else f"expected {self.description}"


@dataclass(frozen=True)
class Url:
    """An absolute URL with one of `schemes` and a host name (feed links and mail links use it)."""

    schemes: tuple[str, ...] = ("http", "https")
    example: str = "https://example.com/news/"

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        try:
            parts = urlsplit(value.strip())
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in self.schemes or not parts.hostname \
                or CONTROLS.search(value) or any(c.isspace() for c in value.strip()):
            schemes = " or ".join(self.schemes)
            return f"expected an absolute {schemes} URL such as {self.example!r}"
        return None


@dataclass(frozen=True)
class Language:
    """A BCP 47 language tag whose primary subtag is a language code ("en", "pt-BR", "zh-Hant")."""

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        match = _LANGUAGE.fullmatch(value) if len(value) <= 35 else None
        # Three-letter codes (ISO 639-2/3) are too many to ship; two-letter ones are checked.
        if match is None or (len(match.group(1)) == 2 and match.group(1).lower() not in ISO_639_1):
            return "expected a language tag such as 'en' or 'pt-BR' (an ISO 639 language code)"
        return None


@dataclass(frozen=True)
class TimeZone:
    """An IANA time zone name that the tz database knows."""

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        try:
            ZoneInfo(value.strip())
        except (ValueError, ZoneInfoNotFoundError):
            return "expected an IANA time zone such as 'Europe/Paris'"
        return None


@dataclass(frozen=True)
class Mailbox:
    """An email address, optionally with a display name ("Desk <desk@example.org>"); "" allowed."""

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        if not value.strip():
            return None
        _, addr = parseaddr(value)
        local, _, domain = addr.rpartition("@")
        if not local or "." not in domain or CONTROLS.search(value):
            return "expected an email address such as \"Desk <desk@example.org>\""
        return None


@dataclass(frozen=True)
class ListOf:
    """A list whose every item passes `item`."""

    item: Check
    description: str

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        items: Sequence[Any] = value
        if all(isinstance(v, str) and self.item(key, v) is None for v in items):
            return None
        return f"expected a list of {self.description}"


@dataclass(frozen=True)
class TableOf:
    """A table whose keys are `keys` (any when empty) and whose values are texts passing `value`."""

    value: Check
    description: str
    keys: tuple[str, ...] = ()
    key_limit: int = 200

    def __call__(self, key: str, value: Any) -> str | Problem | None:
        table: Mapping[str, Any] = value
        for name, entry in table.items():
            path = f"{key}.{name}"
            if self.keys and name not in self.keys:
                return Problem(path, f"expected one of {', '.join(self.keys)} as a key, got {name!r}")
            if not name.strip() or len(name) > self.key_limit or not isinstance(entry, str) \
                    or self.value(path, entry) is not None:
                return Problem(path, f"expected {self.description}, got {entry!r}")
        return None
