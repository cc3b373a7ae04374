"""Number rendering and the small words around numbers: articles, zero said in words."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import InputError
from generator.ledger.numbers import ClaimBook, NumberStyle, article_for, render
from generator.report import load_report
from generator.story.phrases import change_noun, change_verb, tie_decimals


@pytest.mark.parametrize(("rendered", "article"), [
    ("11", "an"), ("11th", "an"), ("18.5", "an"), ("8K", "an"), ("80,000", "an"), ("eighth", "an"),
    ("19", "a"), ("128K", "a"), ("1.05M", "a"), ("110", "a"), ("second", "a"), ("+11", "an"),
])
def test_article_follows_how_the_number_is_read(rendered: str, article: str) -> None:
    assert article_for(rendered) == article


def test_zero_change_is_recorded_as_the_words_that_say_it() -> None:
    book = ClaimBook()
    assert change_verb(book, "models.0.change_pct", 0.04) == "flat"
    book.sentence("Alpha was flat on the week.")
    assert change_noun(book, "models.1.change_pct", -0.004) == "no measurable change"
    book.sentence("Beta saw no measurable change.")
    assert change_verb(book, "models.2.change_pct", 0.05) == "up 0.1%"
    book.sentence("Gamma was up 0.1\u00a0% on the week.")
    claims = book.done()
    assert [(c.value, c.fact) for c in claims] == [
        ("flat", "models.0.change_pct|zero:1:flat"),
        ("no measurable change", "models.1.change_pct|zero:1:no measurable change"),
        ("0.1", "models.2.change_pct|pct:1"),
    ]


def test_a_flat_claim_stops_rendering_once_the_fact_moves() -> None:
    assert render(0.049, "zero:1:flat") == "flat"
    with pytest.raises(ValueError, match="not zero at 1 decimals"):
        render(0.05, "zero:1:flat")


def test_house_style_sets_the_percent_sign_and_the_decimals() -> None:
    plain = ClaimBook()
    assert change_noun(plain, "total.change_pct", 13.4567) == "a 13.5% rise"
    plain.sentence("a 13.5% rise")
    spaced = ClaimBook(style=NumberStyle(percent_space=True, decimals=2))
    assert change_noun(spaced, "total.change_pct", 13.4567) == "a 13.46\u00a0% rise"
    spaced.sentence("a 13.46\u00a0% rise")
    # A source that rounds its figures gets whole percents, whatever the house style.
    rounded = ClaimBook(significant=3, style=NumberStyle(decimals=2))
    assert change_noun(rounded, "total.change_pct", 13.4567) == "a 13% rise"
    rounded.sentence("a 13% rise")


def test_a_report_sets_its_house_style(tmp_path: Path) -> None:
    (tmp_path / "report.toml").write_text("[style]\npercent_space = true\ndecimals = 2\n")
    assert load_report(tmp_path).style == NumberStyle(percent_space=True, decimals=2)
    (tmp_path / "report.toml").write_text("[style]\ndecimals = 5\n")
    with pytest.raises(InputError, match=r"style\.decimals"):
        load_report(tmp_path)


def test_a_ranked_tie_gets_more_decimals_and_only_the_tie() -> None:
    book = ClaimBook()
    assert tie_decimals(book, [10.22, 1.53, 1.51, 1.44, 1.37]) == [1, 2, 2, 2, 2]
    assert tie_decimals(book, [2.04, 1.53]) == [1, 1]
    assert tie_decimals(book, [1.5, 1.5]) == [1, 1]  # equal values are a true tie
    assert tie_decimals(book, [1.5001, 1.5]) == [3, 3]  # never beyond three decimals
