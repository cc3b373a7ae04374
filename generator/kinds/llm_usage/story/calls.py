"""The take's call: last week's expectation graded, the running record, and this week's
expectation with the base rate behind it. Also the base-rate sentences of "Looking Ahead".

A generalisation is only written with its count from the report's own history ("21 of 23
debuts grew in their second week"), never as a rule of thumb.
"""

from __future__ import annotations

from generator.kinds.llm_usage.facts.model import Call, CallKind, Facts, Rate
from generator.kinds.llm_usage.story.scope import Scope
from generator.ledger.numbers import ClaimBook
from generator.story.model import CallRecord
from generator.story.phrases import pick

# What each kind of call expects, as the clause after "we expected" / "we expect".
_EXPECT: dict[CallKind, str] = {
    "debut_grows": "{name} to grow in its second week",
    "leader_keeps": "{name} to keep the top spot",
    "lead_holds": "{name} models to stay ahead",
    "growth_continues": "{volume} to grow again",
    "growth_stops": "{volume}'s run of growth to end",
}
# The base rate behind each kind, with {hits} and {of} for its two counts.
_RATE: dict[CallKind, str] = {
    "debut_grows": "{hits} of {of} debuts grew in their second week",
    "leader_keeps": "the most-used model kept its place in {hits} of {of} weeks",
    "lead_holds": "the leading country stayed ahead in {hits} of {of} weeks",
    "growth_continues": "a week of growth was followed by another in {hits} of {of} cases",
    "growth_stops": "a week of growth was followed by another in only {hits} of {of} cases",
}
_OUTCOME: dict[CallKind, tuple[str, str]] = {  # (it happened, it did not)
    "debut_grows": ("it did", "it did not"),
    "leader_keeps": ("it did", "it lost it"),
    "lead_holds": ("they did", "they did not"),
    "growth_continues": ("it did", "it did not"),
    "growth_stops": ("it did", "the run went on"),
}


def rate_clause(book: ClaimBook, kind: CallKind, rate: Rate, path: str) -> str:
    """'21 of 23 debuts grew in their second week', recorded in the book."""
    return _RATE[kind].format(hits=book.num(f"{path}.hits", rate.hits, "card"),
                              of=book.num(f"{path}.of", rate.of, "card"))


def _expect(facts: Facts, book: ClaimBook, call: Call) -> str:
    template = _EXPECT[call.kind]
    # The volume's words may render the list's size: only when the sentence says them.
    volume = Scope.of(facts).volume(book) if "{volume}" in template else ""
    return template.format(name=call.name, volume=volume)


def call_record(facts: Facts, book: ClaimBook, w: int) -> CallRecord:
    """Last week's call graded, the record so far, and this week's call."""
    calls = facts.calls
    graded_text = record = expectation = tally = ""
    last = calls.last_week
    if last is not None and calls.last_week_right is not None:
        happened, missed = _OUTCOME[last.kind]
        graded_text = book.sentence(
            f"Last week we expected {_expect(facts, book, last)}; "
            f"{happened if calls.last_week_right else missed}.")
        if calls.graded:
            right = book.num("calls.right", calls.right, "card")
            graded = book.num("calls.graded", calls.graded, "card")
            record = book.sentence(pick([
                f"That makes {right} right of the {graded} calls graded so far.",
                f"Our record now stands at {right} of {graded}.",
            ], w))
            tally = f"{right} of {graded} right"
    now = calls.this_week
    if now is not None:
        rate = rate_clause(book, now.kind, now.rate, "calls.this_week.rate")
        expectation = book.sentence(pick([
            f"This week we expect {_expect(facts, book, now)}: in this data, {rate}.",
            f"For next week we expect {_expect(facts, book, now)}, since in this data {rate}.",
        ], w))
    return CallRecord(graded_text, record, expectation, tally)


def rate_sentence(facts: Facts, book: ClaimBook, kind: CallKind, rate: Rate,
                  path: str) -> str | None:
    """'In this data, …' for a base rate with enough cases, unless this week's call (which
    states its own rate) is of the same kind."""
    if rate.of < 4 or (facts.calls.this_week is not None
                       and facts.calls.this_week.kind == kind):
        return None
    return book.sentence(f"In this data, {rate_clause(book, kind, rate, path)}.")


def debut_rate_sentence(facts: Facts, book: ClaimBook) -> str | None:
    """How often a debut grew in its second week."""
    return rate_sentence(facts, book, "debut_grows", facts.base_rates.debut_grew,
                         "base_rates.debut_grew")


def leader_rate_sentence(facts: Facts, book: ClaimBook) -> str | None:
    """How often the most-used model kept its place."""
    return rate_sentence(facts, book, "leader_keeps", facts.base_rates.leader_kept,
                         "base_rates.leader_kept")
