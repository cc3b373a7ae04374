"""The check's name pattern: a tree of names that must match exactly what their plain
alternation, longest first, matches, case folding included."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.ledger.names import longest_name_pattern

# Letters whose case re folds specially (Kelvin sign, long s, dotted and dotless i), beside
# their ASCII fellows, punctuation and digits as model names have them.
LETTERS = [*"aAbBkKsSiI.-/ 25", "\u212a", "\u017f", "\u0130", "\u0131", "\u00e9", "\u00c9"]


def plain(names: list[str]) -> re.Pattern[str] | None:
    longest_first = sorted({n for n in names if n.strip()}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, longest_first)), re.IGNORECASE) if longest_first else None


def spans(pattern: re.Pattern[str] | None, text: str) -> list[tuple[int, int]]:
    return [] if pattern is None else [m.span() for m in pattern.finditer(text)]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.text(alphabet=LETTERS, min_size=1, max_size=6), max_size=8),
       st.text(alphabet=LETTERS, max_size=40))
def test_the_tree_matches_what_the_alternation_matches(names: list[str], text: str) -> None:
    assert spans(longest_name_pattern(names), text) == spans(plain(names), text)


def test_the_longest_name_that_reads_wins_in_any_case() -> None:
    pattern = longest_name_pattern(["GPT-5", "gpt-5.2", "GPT-5.2 Pro", "Claude 4"])
    assert pattern is not None
    text = "gpt-5.2 pro led, GPT-5.2 came second, gpt-5 third and CLAUDE 4 fourth; GPT-5.20"
    assert [m.group() for m in pattern.finditer(text)] == [
        "gpt-5.2 pro", "GPT-5.2", "gpt-5", "CLAUDE 4", "GPT-5.2"]


def test_no_names_no_pattern() -> None:
    assert longest_name_pattern([]) is None
    assert longest_name_pattern([""]) is None


def test_a_letter_that_folds_specially_does_not_cut_a_longer_name_short() -> None:
    # re takes the long s for an s: in the text "sab" both names read from its start, and the
    # longer must win, whichever was listed first.
    for names in (["\u017fa", "sab"], ["sab", "\u017fa"], ["\u212a1", "k12"]):
        text = "sab" if "sab" in names else "k12"
        assert spans(longest_name_pattern(names), text) == spans(plain(names), text) == [(0, 3)]


def test_a_name_longer_than_the_recursion_limit_is_matched() -> None:
    # A correction's text counts as a name, and may run to 2,000 characters.
    long = "Corrected: " + " ".join(f"model-{k}.5" for k in range(300))
    pattern = longest_name_pattern([long, long[:40], "model-1"])
    assert pattern is not None
    assert [m.group() for m in pattern.finditer(f"see {long.upper()} and model-1")] == [
        long.upper(), "model-1"]


def test_blank_names_are_left_out() -> None:
    assert longest_name_pattern([" ", "\u00a0"]) is None
    pattern = longest_name_pattern(["", " ", "a1"])
    assert pattern is not None and pattern.sub("#", "xa1 b") == "x# b"
