"""A report: its folder, its `report.toml` read against the declared settings."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import InputError, Where, display_path
from generator.kinds.registry import require as require_kind
from generator.ledger.numbers import NumberStyle
from generator.resources import sample_report_dir
from generator.settings import SETTINGS, is_declared

CONFIG_NAME = "report.toml"

# Upper bounds on what a report may say about itself. A title runs in the page head, the feed
# and the PDF's running header; beyond a few hundred characters it is a mistake, and a
# 200,000-character one stalled the PDF layout for minutes (issue 14).
MAX_TITLE = 300
MAX_TEXT = 200
MAX_TOP_N = 100
_TEXTS = {"title": MAX_TITLE, "brand": MAX_TEXT, "category": MAX_TEXT, "author": MAX_TEXT,
          "source_name": MAX_TEXT, "language": 35}
# BCP 47 as an HTML `lang` wants it: "en", "pt-BR", "zh-Hant-TW".
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")
# Control characters, and bidi embeddings, overrides and isolates: never wanted in a setting.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class VariantRules:
    """How model-id variants are folded into their base model."""

    merge: tuple[str, ...] = (":free", ":beta", ":exacto", ":nitro", ":floor")
    dated_slugs: bool = False
    renames: tuple[tuple[str, str], ...] = ()
    catalogue_join: bool = True


@dataclass(frozen=True)
class Words:
    """The nouns a generic report's text uses (`[words]`)."""

    item: str = "item"
    items: str = "items"
    unit: str = "unit"
    units: str = "units"
    group: str = "group"
    groups: str = "groups"


COLUMN_FIELDS = ("week", "item", "value", "group", "name")


@dataclass(frozen=True)
class Schedule:
    """When the weekly run happens."""

    day: str = "monday"
    time: str = "09:00"
    timezone: str = "UTC"
    retry_minutes: int = 30


@dataclass(frozen=True)
class EmailSettings:
    """Sender identity of the digest."""

    sender: str = ""
    reply_to: str = ""
    attach_pdf: bool = True
    unsubscribe_mailto: str = ""


@dataclass(frozen=True)
class InputLimits:
    """How large an input may be before it is refused unread."""

    max_bytes: int = 50_000_000
    max_models: int = 20_000


@dataclass(frozen=True)
class Report:
    """A report's configuration, with paths resolved against its folder."""

    slug: str
    folder: Path
    title: str
    brand: str
    category: str
    author: str
    site_url: str
    source_name: str
    top_n: int
    language: str
    usage_path: Path
    models_path: Path | None
    authors_path: Path | None
    notes_dir: Path
    rounded: bool
    coverage: str = "auto"
    kind: str = "llm-usage"
    columns: tuple[tuple[str, str], ...] = ()
    words: Words = field(default_factory=Words)
    variants: VariantRules = field(default_factory=VariantRules)
    schedule: Schedule = field(default_factory=Schedule)
    email: EmailSettings = field(default_factory=EmailSettings)
    limits: InputLimits = field(default_factory=InputLimits)
    style: NumberStyle = field(default_factory=NumberStyle)

    @property
    def templates_dir(self) -> Path:
        """The report's own template folder, searched before the built-in one."""
        return self.folder / "templates"


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not is_declared(dotted):
            flat.update(_flatten(value, f"{dotted}."))
        else:
            flat[dotted] = value
    return flat


def load_report(path: Path | None = None) -> Report:
    """Read a report folder (or its `report.toml`); None means the bundled sample report."""
    folder = sample_report_dir() if path is None else Path(path)
    if folder.is_file():
        folder = folder.parent
    config = folder / CONFIG_NAME
    where = Where(display_path(config))
    if not config.is_file():
        raise InputError(f"expected a report folder holding {CONFIG_NAME}", where)
    try:
        raw = tomllib.loads(config.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"expected valid TOML: {exc}", where) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"expected UTF-8 text (byte {exc.start} is not)", where) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", where) from None
    values = {s.key: s.default for s in SETTINGS}
    for key, value in _flatten(raw).items():
        if not is_declared(key):
            raise InputError(f"unknown setting {key!r}; see `weekly settings`", where)
        default = values[key]
        if default is not None and not _same_kind(default, value):
            kind = type(default).__name__
            raise InputError(f"setting {key!r} expected a {kind}, got {value!r}", where)
        values[key] = value
    _check_values(values, where)
    return _build(folder, values)


def _check_values(v: dict[str, Any], where: Where) -> None:
    """Refuse values of the right type that would still publish nonsense, naming the setting."""
    for key, limit in _TEXTS.items():
        text = v[key]
        if len(text) > limit:
            raise InputError(f"setting {key!r} expected at most {limit} characters, got {len(text):,}",
                             where)
        if not text.strip():
            raise InputError(f"setting {key!r} expected text, got an empty one", where)
        if _CONTROLS.search(text):
            raise InputError(f"setting {key!r} expected text without control or direction "
                             f"characters, got {text!r}", where)
    if not 1 <= v["top_n"] <= MAX_TOP_N:
        raise InputError(f"setting 'top_n' expected a whole number from 1 to {MAX_TOP_N}, "
                         f"got {v['top_n']!r}", where)
    if not _LANGUAGE.fullmatch(v["language"]):
        raise InputError(f"setting 'language' expected a language tag such as 'en' or 'pt-BR', "
                         f"got {v['language']!r}", where)
    _check_site_url(v["site_url"], where)
    if not 0 <= v["style.decimals"] <= 2:
        raise InputError(f"setting 'style.decimals' expected a whole number from 0 to 2, "
                         f"got {v['style.decimals']!r}", where)
    merge = v["variants.merge"]
    if not all(isinstance(s, str) and s.strip() and len(s) <= MAX_TEXT for s in merge):
        raise InputError(f"setting 'variants.merge' expected a list of id suffixes such as "
                         f"':free', got {merge!r}", where)
    for old, new in v["variants.renames"].items():
        if not isinstance(new, str) or not new.strip() or not old.strip() \
                or len(old) > MAX_TEXT or len(new) > MAX_TEXT:
            raise InputError(f"setting 'variants.renames.{old}' expected a model id (text), "
                             f"got {new!r}", where)


def _check_site_url(url: str, where: Where) -> None:
    # Feed links, the sitemap and the unsubscribe link are built on it: it must be absolute.
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname \
            or _CONTROLS.search(url) or any(c.isspace() for c in url.strip()):
        raise InputError(f"setting 'site_url' expected an absolute http or https URL such as "
                         f"'https://example.com/news/', got {url!r}", where)


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _optional_path(folder: Path, value: str) -> Path | None:
    return folder / value if value else None


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _schedule(folder: Path, v: dict[str, Any]) -> Schedule:
    # Checked here, not when the service first fires: a typo must stop `weekly schedule` at once.
    where = Where(display_path(folder / CONFIG_NAME))
    day, time = str(v["schedule.day"]).strip().lower(), str(v["schedule.time"]).strip()
    zone = str(v["schedule.timezone"]).strip()
    if day not in WEEKDAYS:
        raise InputError(f"schedule.day expected a weekday name, got {v['schedule.day']!r}", where)
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", time)
    if match is None:
        raise InputError(f"schedule.time expected HH:MM (24-hour), got {time!r}", where)
    require_zone(zone, "schedule.timezone", where)
    retry = v["schedule.retry_minutes"]
    if retry < 1:
        raise InputError(f"schedule.retry_minutes expected at least 1, got {retry!r}", where)
    return Schedule(day=day, time=time, timezone=zone, retry_minutes=retry)


def require_zone(zone: str, label: str, where: Where | None = None) -> None:
    """Refuse, in one line, a time zone name the tz database does not know."""
    try:
        ZoneInfo(zone)
    except (ValueError, ZoneInfoNotFoundError):
        raise InputError(f"{label} expected an IANA time zone, got {zone!r}", where) from None


def _build(folder: Path, v: dict[str, Any]) -> Report:
    return Report(
        slug=folder.resolve().name,
        folder=folder,
        title=v["title"],
        brand=v["brand"],
        category=v["category"],
        author=v["author"],
        site_url=v["site_url"].rstrip("/") + "/",
        source_name=v["source_name"],
        top_n=int(v["top_n"]),
        language=v["language"],
        usage_path=folder / v["data.usage"],
        models_path=_optional_path(folder, v["data.models"]),
        authors_path=_optional_path(folder, v["data.authors"]),
        notes_dir=folder / v["data.notes"],
        rounded=bool(v["data.rounded"]),
        coverage=_coverage(folder, v["data.coverage"]),
        kind=require_kind(v["kind"], Where(display_path(folder / CONFIG_NAME))),
        columns=_columns(folder, v["data.columns"]),
        words=Words(**{name: _word(folder, name, v[f"words.{name}"])
                       for name in ("item", "items", "unit", "units", "group", "groups")}),
        variants=VariantRules(
            merge=tuple(v["variants.merge"]),
            dated_slugs=bool(v["variants.dated_slugs"]),
            renames=tuple(sorted(v["variants.renames"].items())),
            catalogue_join=bool(v["variants.catalogue_join"]),
        ),
        schedule=_schedule(folder, v),
        style=NumberStyle(percent_space=bool(v["style.percent_space"]),
                          decimals=int(v["style.decimals"])),
        email=EmailSettings(
            sender=v["email.from"],
            reply_to=v["email.reply_to"],
            attach_pdf=bool(v["email.attach_pdf"]),
            unsubscribe_mailto=v["email.unsubscribe_mailto"],
        ),
        limits=_limits(folder, v),
    )


def _columns(folder: Path, table: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    where = Where(display_path(folder / CONFIG_NAME))
    for key, value in table.items():
        if key not in COLUMN_FIELDS:
            raise InputError(f"data.columns.{key}: expected one of {', '.join(COLUMN_FIELDS)}",
                             where)
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"data.columns.{key} expected a column name, got {value!r}", where)
    return tuple(sorted((k, v.strip()) for k, v in table.items()))


def _word(folder: Path, name: str, value: str) -> str:
    if not value.strip() or len(value) > 40 or any(c in value for c in "<>{}[]*_`|\n"):
        raise InputError(f"words.{name} expected a plain word of at most 40 characters, "
                         f"got {value!r}", Where(display_path(folder / CONFIG_NAME)))
    return value.strip()


COVERAGES = ("auto", "complete", "list")


def _coverage(folder: Path, value: str) -> str:
    if value not in COVERAGES:
        raise InputError(f"data.coverage expected one of {', '.join(COVERAGES)}, got {value!r}",
                         Where(display_path(folder / CONFIG_NAME)))
    return value


def _limits(folder: Path, v: dict[str, Any]) -> InputLimits:
    where = Where(display_path(folder / CONFIG_NAME))
    for key in ("data.max_bytes", "data.max_models"):
        if v[key] < 1:
            raise InputError(f"{key} expected at least 1, got {v[key]!r}", where)
    return InputLimits(max_bytes=v["data.max_bytes"], max_models=v["data.max_models"])
