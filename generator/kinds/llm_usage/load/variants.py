"""Folding model-id variants (`:free`, `:beta`, dated slugs, renames) into their base model."""

from __future__ import annotations

import re

from generator.report import VariantRules

_DATED = re.compile(r"-(?:20\d{2}-?\d{2}-?\d{2})$")
# Date marks that feeds append to a slug: -20260421, -2026-04-21, -0127 (MMDD), -04-02 (MM-DD).
# Looser than _DATED, so it is only ever used to find an id the catalogue already knows.
_DATE_MARK = re.compile(r"-(?:20\d{2}-?(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01])"
                        r"|(?:0[1-9]|1[0-2])-?(?:0[1-9]|[12]\d|3[01]))$")


def base_model(model: str, rules: VariantRules) -> str:
    """Return the id that `model` is counted under, following the report's rules."""
    base = model
    if ":" in base:
        stem, _, suffix = base.partition(":")
        if f":{suffix}" in rules.merge:
            base = stem
    if rules.dated_slugs:
        base = _DATED.sub("", base)
    return renamed(base, rules)


def renamed(model: str, rules: VariantRules) -> str:
    """Follow the report's renames from an old id to the newest one."""
    renames = dict(rules.renames)
    seen: set[str] = set()
    while model in renames and model not in seen:
        seen.add(model)
        model = renames[model]
    return model


def without_date_mark(model: str) -> str:
    """The id with a trailing date mark removed (`a/x-0127` → `a/x`), or the id as it is."""
    return _DATE_MARK.sub("", model)


def is_free_variant(model: str) -> bool:
    """Tell whether an id is a free-tier variant, whose volume the take warns about."""
    return model.endswith(":free")


def variant_marks(rules: VariantRules) -> tuple[str, ...]:
    """The words that name a merged variant in a display name: `:free` → `free`."""
    return tuple(suffix.lstrip(":").lower() for suffix in rules.merge)
