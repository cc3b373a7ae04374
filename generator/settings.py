"""Every report setting, declared once with its default, help text and check.

A report's `report.toml` may set any of these; `weekly settings` prints this table and a test
checks that each one is documented in the README. A value must have the default's type, then
pass the setting's check (`generator/validate.py`): a new setting is one line here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.validate import (
    Check,
    Choice,
    IntRange,
    Language,
    ListOf,
    Mailbox,
    Pattern,
    TableOf,
    Text,
    TimeZone,
    Url,
    Word,
)

# Upper bounds on what a report may say about itself. A title runs in the page head, the feed
# and the PDF's running header; beyond a few hundred characters it is a mistake, and a
# 200,000-character one stalled the PDF layout for minutes (issue 14).
MAX_TITLE = 300
MAX_TEXT = 200
MAX_TOP_N = 100
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
COVERAGES = ("auto", "complete", "list")
COLUMN_FIELDS = ("week", "item", "value", "group", "name")


@dataclass(frozen=True)
class Setting:
    """One setting of `report.toml`: dotted key, default, what it does, and what it accepts."""

    key: str
    default: Any
    help: str
    check: Check | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("kind", "llm-usage",
            "The report's kind: its inputs, figures, story and charts (`weekly kinds` lists the "
            "installed ones).", Text(MAX_TEXT)),
    Setting("title", "Weekly LLM Usage", "Publication title shown on the site and in the feed.",
            Text(MAX_TITLE)),
    Setting("brand", "Weekly", "Short brand name, used in the take's heading (\"<brand>'s Take\").",
            Text(MAX_TEXT)),
    Setting("category", "Industry", "Category shown in the article's meta line and front matter.",
            Text(MAX_TEXT)),
    Setting("author", "The editors", "Byline: the PDF's author metadata and the feed's author.",
            Text(MAX_TEXT)),
    Setting("site_url", "https://example.com/", "Absolute base URL of the published site (http or https).",
            Url()),
    Setting("source_name", "the usage platform", "Where the data comes from, named in the text.",
            Text(MAX_TEXT)),
    Setting("top_n", 10, "How many models the rankings and the top-N table show (1 to 100).",
            IntRange(1, MAX_TOP_N)),
    Setting("language", "en",
            "Language of the edition (HTML lang, feed): a BCP 47 tag such as `en` or `pt-BR`.",
            Language()),
    Setting("data.usage", "data/usage.csv", "Usage file or folder of weekly drops, relative to the report."),
    Setting("data.models", "", "Model catalogue (CSV, JSON or saved OpenRouter response)."),
    Setting("data.authors", "", "Authors table extending or overriding the built-in one."),
    Setting("data.notes", "notes", "Folder of editor notes, one `YYYY-Www.md` per week."),
    Setting("data.max_bytes", 50_000_000, "Largest input file accepted, in bytes; a bigger one is refused.",
            IntRange(1)),
    Setting("data.max_models", 20_000, "Most distinct models a usage table or catalogue may hold.",
            IntRange(1)),
    Setting("data.rounded", False, "Declare that the source rounds its figures (adds a caveat)."),
    Setting("data.coverage", "auto",
            "What a week's rows cover: `complete` (the whole platform), `list` (only the leading "
            "models, a top-N list) or `auto`: complete when the week has an `others` or `total` "
            "row, a list otherwise.", Choice(COVERAGES)),
    Setting("data.columns", {},
            "For the `usage` kind: the file's column for each field (`week`, `item`, `value`, "
            "`group`, `name`), e.g. `{ item = \"package\", value = \"downloads\" }`.",
            TableOf(Text(MAX_TEXT), "a column name", keys=COLUMN_FIELDS)),
    Setting("words.item", "item", "For the `usage` kind: what one item is called (\"package\").",
            Word()),
    Setting("words.items", "items", "Its plural (\"packages\").", Word()),
    Setting("words.unit", "unit", "What the value counts, singular (\"download\").", Word()),
    Setting("words.units", "units", "Its plural (\"downloads\").", Word()),
    Setting("words.group", "group", "What a group of items is called (\"ecosystem\").", Word()),
    Setting("words.groups", "groups", "Its plural (\"ecosystems\").", Word()),
    Setting("variants.merge", [":free", ":beta", ":exacto", ":nitro", ":floor"],
            "Id suffixes merged into their base model.",
            ListOf(Text(MAX_TEXT), "id suffixes such as ':free'")),
    Setting("variants.dated_slugs", False, "Merge dated slugs such as `-20260423` into the base."),
    Setting("variants.renames", {}, "Table old id → new id for renamed models.",
            TableOf(Text(MAX_TEXT), "a model id (text)")),
    Setting("variants.catalogue_join", True,
            "Join usage ids to the catalogue by `id`, then `canonical_slug`, then with a date mark "
            "removed, and count ids that reach one entry as one model."),
    Setting("style.percent_space", False,
            "House style: `false` writes \"13.5%\"; `true` puts a no-break space before the sign."),
    Setting("style.decimals", 1,
            "House style: decimals of every share and change, in text and tables alike (0 to 2); "
            "changes between rounded source figures are always whole percents.", IntRange(0, 2)),
    Setting("schedule.day", "monday", "Weekday on which `weekly schedule` runs the edition.",
            Choice(WEEKDAYS, fold=True)),
    Setting("schedule.time", "09:00", "Local time (HH:MM) of the weekly run.",
            Pattern(r"([01]\d|2[0-3]):[0-5]\d", "HH:MM (24-hour)")),
    Setting("schedule.timezone", "UTC", "IANA time zone of the schedule and of week boundaries.",
            TimeZone()),
    Setting("schedule.retry_minutes", 30, "After a failed run or a late data drop, retry this much later.",
            IntRange(1, 7 * 24 * 60)),
    Setting("email.from", "", "From address of the digest.", Mailbox()),
    Setting("email.reply_to", "", "Reply-To address of the digest.", Mailbox()),
    Setting("email.attach_pdf", True, "Attach the PDF to the digest."),
    Setting("email.unsubscribe_mailto", "", "Mailto address for List-Unsubscribe.", Mailbox()),
    Setting("email.postal_address", "",
            "Postal address of the sender, printed in the digest's footer (anti-spam laws ask for one).",
            Text(MAX_TEXT, empty=True)),
    Setting("email.attach_max_kb", 0,
            "Attach the PDF only when it is at most this many KB, and link it otherwise; 0: no limit.",
            IntRange(0)),
    Setting("review.required", False,
            "Hold each edition of `weekly run` and `weekly schedule` as an unlisted preview until "
            "`weekly approve WEEK`; the next run then publishes and sends it."),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    """Return the declared setting for a dotted key (KeyError when undeclared)."""
    return _BY_KEY[key]


def is_declared(key: str) -> bool:
    """Tell whether a dotted key is a declared setting."""
    return key in _BY_KEY
