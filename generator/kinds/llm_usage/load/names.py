"""Display names: one name per model in every format, whatever style the sources write."""

from __future__ import annotations

import re

from generator.kinds.llm_usage.load.variants import without_date_mark
from generator.load.values import display_text

# "Anthropic: Claude Sonnet 4": a maker prefix as catalogues and leaderboards write it.
_MAKER_PREFIX = re.compile(r"^[^:()]{1,40}:\s+(?=\S)")
_TRAILING_MARK = re.compile(r"\s*\(([^()]*)\)\s*$")


def clean_name(name: str, marks: tuple[str, ...]) -> str:
    """The name without a maker prefix or the marks of merged variants ("(free)")."""
    text = display_text(name)
    prefix = _MAKER_PREFIX.match(text)
    if prefix:
        text = text[prefix.end():]
    while (mark := _TRAILING_MARK.search(text)) and mark.group(1).strip().lower() in marks:
        text = text[:mark.start()]
    return text.strip() or display_text(name)


def name_from_id(model: str) -> str:
    """A last-resort name: the id after its maker, without a date mark."""
    return without_date_mark(model.split("/", 1)[-1])
