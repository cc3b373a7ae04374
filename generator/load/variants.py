"""Folding model-id variants (`:free`, `:beta`, dated slugs, renames) into their base model."""

from __future__ import annotations

import re

from generator.report import VariantRules

_DATED = re.compile(r"-(?:20\d{2}-?\d{2}-?\d{2})$")


def base_model(model: str, rules: VariantRules) -> str:
    """Return the id that `model` is counted under, following the report's rules."""
    base = model
    if ":" in base:
        stem, _, suffix = base.partition(":")
        if f":{suffix}" in rules.merge:
            base = stem
    if rules.dated_slugs:
        base = _DATED.sub("", base)
    renames = dict(rules.renames)
    seen: set[str] = set()
    while base in renames and base not in seen:
        seen.add(base)
        base = renames[base]
    return base


def is_free_variant(model: str) -> bool:
    """Tell whether an id is a free-tier variant, whose volume the take warns about."""
    return model.endswith(":free")
