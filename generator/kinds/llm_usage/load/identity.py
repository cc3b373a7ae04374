"""Which model a usage id counts as: the report's variant rules, then the catalogue's links.

Feeds name one model in several ways. A leaderboard lists the catalogue's `canonical_slug`
(`anthropic/claude-4-sonnet-20250522`) where the catalogue's `id` is `anthropic/claude-sonnet-4`,
appends release dates (`moonshotai/kimi-k2.5-0127`), and lists a free variant beside its base.
An id is joined to a catalogue entry by its `id`, then its `canonical_slug`, then with a date
mark removed; ids that reach the same entry are one model, counted under the entry's id. Ids
the catalogue does not link stay as they are, so two different models are never merged on a
guess (two dated GPT-4o snapshots that the catalogue lists apart stay apart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from generator.kinds.llm_usage.load.variants import base_model, renamed, without_date_mark
from generator.kinds.llm_usage.snapshot import CatalogueEntry
from generator.report import VariantRules


@dataclass(frozen=True)
class Resolver:
    """Maps a usage id to the id it is counted under."""

    rules: VariantRules
    ids: frozenset[str]
    slugs: Mapping[str, str]

    def __call__(self, model: str) -> str:
        base = base_model(model, self.rules)
        if not self.rules.catalogue_join or not self.ids:
            return base
        linked = self._link(base)
        if linked is not None:
            return renamed(linked, self.rules)
        # An unmerged variant (`:thinking`) keeps its mark on the id its stem links to.
        stem, sep, suffix = base.partition(":")
        linked = self._link(stem) if sep else None
        return renamed(f"{linked}:{suffix}", self.rules) if linked is not None else base

    def _link(self, model: str) -> str | None:
        for candidate in dict.fromkeys((model, without_date_mark(model))):
            if candidate in self.ids:
                return candidate
            if candidate in self.slugs:
                return self.slugs[candidate]
        return None


def resolver(rules: VariantRules, catalogue: Mapping[str, CatalogueEntry]) -> Resolver:
    """A resolver over a catalogue keyed by base id (as `load_catalogue` returns it)."""
    slugs: dict[str, str] = {}
    for model, entry in sorted(catalogue.items()):
        if entry.canonical_slug and entry.canonical_slug not in catalogue:
            slugs.setdefault(entry.canonical_slug, model)
    return Resolver(rules, frozenset(catalogue), slugs)
