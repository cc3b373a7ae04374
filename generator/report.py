"""A report: its folder, its `report.toml` read against the declared settings."""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from generator.errors import InputError, Where, display_path
from generator.kinds.registry import require as require_kind
from generator.ledger.numbers import NumberStyle
from generator.resources import sample_report_dir
from generator.settings import SETTINGS, WEEKDAYS, is_declared, setting
from generator.validate import run_check

CONFIG_NAME = "report.toml"

ENV_REPORT = "WEEKLY_REPORT"
# The help of `--report` on every command but `build`, which alone may fall back to the sample.
REPORT_HELP = f"report folder (default: ${ENV_REPORT}, else ./report.toml; required)"


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
    postal_address: str = ""
    attach_max_kb: int = 0  # 0: attach the PDF whatever its size


@dataclass(frozen=True)
class Review:
    """Whether an edition waits for an editor's approval before it is published and sent."""

    required: bool = False


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
    review: Review = field(default_factory=Review)

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
            raise InputError(f"unknown setting {key!r}{_did_you_mean(key)}; see `weekly settings`",
                             where)
        default = values[key]
        if default is not None and not _same_kind(default, value):
            kind = type(default).__name__
            raise InputError(f"setting {key!r} expected a {kind}, got {value!r}", where)
        problem = run_check(setting(key).check, key, value)
        if problem is not None:
            raise InputError(f"setting {problem.key!r} {problem.expected}", where)
        values[key] = value
    return _build(folder, values)


def _did_you_mean(key: str) -> str:
    # A key put under the wrong table (`top_n` below `[email]`) or a typo is the usual cause:
    # name the declared key with the same last part, else the nearest one.
    keys = [s.key for s in SETTINGS]
    tail = key.rsplit(".", 1)[-1]
    close = [k for k in keys if k.rsplit(".", 1)[-1] == tail][:1]
    close = close or difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choose_report(path: Path | None, *, sample: bool = False) -> Report:
    """The report a command works on: `--report`, else WEEKLY_REPORT, else ./report.toml.

    Only `build` passes `sample=True` and may fall back to the bundled sample report: a command
    that publishes or mails must never act on the sample because no report was named.
    """
    if path is not None:
        return load_report(path)
    named = os.environ.get(ENV_REPORT, "").strip()
    if named:
        return load_report(Path(named))
    if Path(CONFIG_NAME).is_file():
        return load_report(Path.cwd())
    if sample:
        return load_report(None)
    raise InputError(f"no report named: pass --report PATH, set {ENV_REPORT}, or run from a folder "
                     f"holding {CONFIG_NAME}")


def _same_kind(default: Any, value: Any) -> bool:
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, type(default))


def _optional_path(folder: Path, value: str) -> Path | None:
    return folder / value if value else None


def _schedule(v: dict[str, Any]) -> Schedule:
    # Checked by the settings' schema when read, not when the service first fires.
    day = str(v["schedule.day"]).strip().lower()
    assert day in WEEKDAYS
    return Schedule(day=day, time=str(v["schedule.time"]).strip(),
                    timezone=str(v["schedule.timezone"]).strip(),
                    retry_minutes=v["schedule.retry_minutes"])


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
        coverage=v["data.coverage"],
        kind=require_kind(v["kind"], Where(display_path(folder / CONFIG_NAME))),
        columns=tuple(sorted((k, c.strip()) for k, c in v["data.columns"].items())),
        words=Words(**{name: v[f"words.{name}"].strip()
                       for name in ("item", "items", "unit", "units", "group", "groups")}),
        variants=VariantRules(
            merge=tuple(v["variants.merge"]),
            dated_slugs=bool(v["variants.dated_slugs"]),
            renames=tuple(sorted(v["variants.renames"].items())),
            catalogue_join=bool(v["variants.catalogue_join"]),
        ),
        schedule=_schedule(v),
        style=NumberStyle(percent_space=bool(v["style.percent_space"]),
                          decimals=int(v["style.decimals"])),
        email=EmailSettings(
            sender=v["email.from"],
            reply_to=v["email.reply_to"],
            attach_pdf=bool(v["email.attach_pdf"]),
            unsubscribe_mailto=v["email.unsubscribe_mailto"],
            postal_address=v["email.postal_address"].strip(),
            attach_max_kb=v["email.attach_max_kb"],
        ),
        limits=InputLimits(max_bytes=v["data.max_bytes"], max_models=v["data.max_models"]),
        review=Review(required=v["review.required"]),
    )
