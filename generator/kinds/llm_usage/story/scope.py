"""What the week's rows let a sentence say about volume: the whole platform, or a top-N list.

A list's sum is the volume of the models in it, never the platform's; its shares are shares of
the listed volume. Every phrase that names the whole comes from here, so no sentence can speak
of "all tokens" when the data holds only the leading models. The list's length is a figure
like any other, recorded in the claim book with the sentence it stands in.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.kinds.llm_usage.facts.model import Facts
from generator.ledger.numbers import ClaimBook

# How a table or chart marks a model that was not listed the week before (facts' `arrival`).
ARRIVAL_LABELS = {"launch": "launch", "new": "entered", "return": "back"}


def within_rounding(facts: Facts) -> bool:
    """Whether the total's change is no larger than the source's rounding can make it."""
    change = facts.total.change_tokens
    bound = facts.source.rounding_tokens
    return change is not None and bound > 0 and abs(change) <= 2 * bound


def level_within_rounding(facts: Facts, first: int, second: int) -> bool:
    """Whether two figures of a rounding source could be in either order: their gap is no
    larger than half a unit in the last kept place of each."""
    digits = facts.source.significant_figures
    if digits is None:
        return False
    bound = sum(10 ** max(0, len(str(v)) - digits) // 2 for v in (first, second))
    return abs(first - second) <= bound


# A lead at the top smaller than this share of the runner-up's volume is a dead heat.
DEAD_HEAT_PCT = 1.0


def dead_heat(facts: Facts) -> bool:
    """Whether the top two models are closer than the figures' own uncertainty: under
    `DEAD_HEAT_PCT` apart, closer than the leader's free-tier volume (which a promotion's end
    would take away), or level within the source's rounding. No text then crowns one."""
    if len(facts.models) < 2:
        return False
    top, second = facts.models[0], facts.models[1]
    margin = facts.market.leader_margin_pct
    return (margin is not None and margin < DEAD_HEAT_PCT) or \
        top.tokens - second.tokens < top.free_tokens or \
        level_within_rounding(facts, top.tokens, second.tokens)


@dataclass(frozen=True)
class Scope:
    """The coverage of one week's data, as the text speaks of it."""

    list_size: int | None

    @classmethod
    def of(cls, facts: Facts) -> Scope:
        """The scope of a week's facts."""
        cov = facts.coverage
        return cls(cov.list_size if cov.kind == "list" else None)

    @property
    def is_list(self) -> bool:
        """True when the rows are only the leading models."""
        return self.list_size is not None

    def top(self, book: ClaimBook) -> str:
        """'the top 10' (a list only)."""
        return f"the {self.list_name(book)}"

    def list_name(self, book: ClaimBook) -> str:
        """'top 10' (a list only)."""
        return f"top {book.num('coverage.list_size', self.list_size, 'card')}"

    def whole(self, book: ClaimBook) -> str:
        """What a share is of: 'all tokens' or 'the top-10 volume'."""
        if not self.is_list:
            return "all tokens"
        return f"the top-{book.num('coverage.list_size', self.list_size, 'card')} volume"

    def among(self, book: ClaimBook) -> str:
        """A qualifier after a group of models: '' or ' in the top 10'."""
        return f" in {self.top(book)}" if self.is_list else ""

    def models(self, book: ClaimBook) -> str:
        """Who processed the week's volume: 'models on the platform' or 'the models in the
        top 10'."""
        return f"the models in {self.top(book)}" if self.is_list else "models on the platform"

    def volume(self, book: ClaimBook) -> str:
        """The week's total as a subject: 'total volume' or 'the volume of the top 10'."""
        return f"the volume of {self.top(book)}" if self.is_list else "total volume"

    def headline_subject(self, book: ClaimBook) -> str:
        """The week's total in a headline."""
        if not self.is_list:
            return "Weekly LLM Usage"
        return f"Top-{book.num('coverage.list_size', self.list_size, 'card')} Volume"

    def left_out(self, book: ClaimBook) -> str:
        """Where a model is when it has no row: 'out of the top 10' or 'out of the data'."""
        return f"out of {self.top(book)}" if self.is_list else "out of the figures broken out"
