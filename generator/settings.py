"""Every report setting, declared once with its default and help text.

A report's `report.toml` may set any of these; `weekly settings` prints this table and a test
checks that each one is documented in the README.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One setting of `report.toml`: dotted key, default, and what it does."""

    key: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("kind", "llm-usage",
            "The report's kind: its inputs, figures, story and charts (`weekly kinds` lists the "
            "installed ones)."),
    Setting("title", "Weekly LLM Usage", "Publication title shown on the site and in the feed."),
    Setting("brand", "Weekly", "Short brand name, used in the take's heading (\"<brand>'s Take\")."),
    Setting("category", "Industry", "Category shown in the article's meta line and front matter."),
    Setting("author", "The editors", "Byline: the PDF's author metadata and the feed's author."),
    Setting("site_url", "https://example.com/", "Absolute base URL of the published site."),
    Setting("source_name", "the usage platform", "Where the data comes from, named in the text."),
    Setting("top_n", 10, "How many models the rankings and the top-N table show."),
    Setting("language", "en", "Language of the edition (HTML lang, feed)."),
    Setting("data.usage", "data/usage.csv", "Usage file or folder of weekly drops, relative to the report."),
    Setting("data.models", "", "Model catalogue (CSV, JSON or saved OpenRouter response)."),
    Setting("data.authors", "", "Authors table extending or overriding the built-in one."),
    Setting("data.notes", "notes", "Folder of editor notes, one `YYYY-Www.md` per week."),
    Setting("data.max_bytes", 50_000_000, "Largest input file accepted, in bytes; a bigger one is refused."),
    Setting("data.max_models", 20_000, "Most distinct models a usage table or catalogue may hold."),
    Setting("data.rounded", False, "Declare that the source rounds its figures (adds a caveat)."),
    Setting("data.coverage", "auto",
            "What a week's rows cover: `complete` (the whole platform), `list` (only the leading "
            "models, a top-N list) or `auto`: complete when the week has an `others` or `total` "
            "row, a list otherwise."),
    Setting("data.columns", {},
            "For the `usage` kind: the file's column for each field (`week`, `item`, `value`, "
            "`group`, `name`), e.g. `{ item = \"package\", value = \"downloads\" }`."),
    Setting("words.item", "item", "For the `usage` kind: what one item is called (\"package\")."),
    Setting("words.items", "items", "Its plural (\"packages\")."),
    Setting("words.unit", "unit", "What the value counts, singular (\"download\")."),
    Setting("words.units", "units", "Its plural (\"downloads\")."),
    Setting("words.group", "group", "What a group of items is called (\"ecosystem\")."),
    Setting("words.groups", "groups", "Its plural (\"ecosystems\")."),
    Setting("variants.merge", [":free", ":beta", ":exacto", ":nitro", ":floor"],
            "Id suffixes merged into their base model."),
    Setting("variants.dated_slugs", False, "Merge dated slugs such as `-20260423` into the base."),
    Setting("variants.renames", {}, "Table old id → new id for renamed models."),
    Setting("variants.catalogue_join", True,
            "Join usage ids to the catalogue by `id`, then `canonical_slug`, then with a date mark "
            "removed, and count ids that reach one entry as one model."),
    Setting("style.percent_space", False,
            "House style: `false` writes \"13.5%\"; `true` puts a no-break space before the sign."),
    Setting("style.decimals", 1,
            "House style: decimals of every share and change, in text and tables alike (0 to 2); "
            "changes between rounded source figures are always whole percents."),
    Setting("schedule.day", "monday", "Weekday on which `weekly schedule` runs the edition."),
    Setting("schedule.time", "09:00", "Local time (HH:MM) of the weekly run."),
    Setting("schedule.timezone", "UTC", "IANA time zone of the schedule and of week boundaries."),
    Setting("schedule.retry_minutes", 30, "After a failed run or a late data drop, retry this much later."),
    Setting("email.from", "", "From address of the digest."),
    Setting("email.reply_to", "", "Reply-To address of the digest."),
    Setting("email.attach_pdf", True, "Attach the PDF to the digest."),
    Setting("email.unsubscribe_mailto", "", "Mailto address for List-Unsubscribe."),
)

_BY_KEY = {s.key: s for s in SETTINGS}


def setting(key: str) -> Setting:
    """Return the declared setting for a dotted key (KeyError when undeclared)."""
    return _BY_KEY[key]


def is_declared(key: str) -> bool:
    """Tell whether a dotted key is a declared setting."""
    return key in _BY_KEY
