"""Small wording helpers: changes, lists, plurals, variant choice, slugs."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from typing import TypeVar

from generator.ledger.numbers import UNITS, ClaimBook, article_for, render, token_unit, unit_word

T = TypeVar("T")


def week_index(week: str) -> int:
    """Weeks since 1970-01-05, the first Monday of the epoch: picks this week's wording."""
    return (dt.date.fromisoformat(week) - dt.date(1970, 1, 5)).days // 7


def pick(options: Sequence[T], week_index: int, salt: int = 0) -> T:
    """Choose a wording by the week's number, so consecutive weeks never share a variant."""
    return options[(week_index + salt) % len(options)]


def join_list(items: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun in the number that `count` asks for."""
    return singular if count == 1 else (plural_form or singular + "s")


def tokens(book: ClaimBook, path: str, value: int, decimals: int = 2) -> str:
    """'3.69 trillion' (unit chosen by size), recorded in the book."""
    unit = token_unit(abs(value))
    spec = f"tokens:{unit}:{token_decimals(value, decimals, book.significant)}"
    word = unit_word(unit)
    rendered = book.num(path, value, spec)
    return f"{rendered} {word}" if word else rendered


def token_decimals(value: float, wanted: int, significant: int | None = None) -> int:
    """Decimals for a token figure: as wanted in trillions, fewer for smaller units, and never
    more significant figures than a rounding source gave."""
    unit = token_unit(value)
    scaled = abs(value) / UNITS[unit][0]
    if unit == "N":
        decimals = 0
    elif unit == "T":
        decimals = wanted
    else:
        decimals = 0 if scaled >= 100 else 1
    if significant is not None:
        whole_digits = len(str(int(scaled))) if scaled >= 1 else 0
        decimals = min(decimals, max(0, significant - whole_digits))
    return decimals


def pct(book: ClaimBook, path: str, value: float, decimals: int | None = None) -> str:
    """'27.5%' (a share, absolute), recorded in the book in the house style (or with the
    `decimals` a column of ties needs, see `tie_decimals`)."""
    places = book.share_decimals() if decimals is None else decimals
    return book.percent(book.num(path, value, f"pct:{places}"))


def tie_decimals(book: ClaimBook, values: Sequence[float], most: int = 3) -> list[int]:
    """Decimals for each share of a ranked column: the house style's, or more for a value that
    would read the same as a different neighbour ("1.5%" beside "1.5%"): a tie needs more.
    Only the tied values get them, so the others read as they do in the text."""
    places = [book.share_decimals()] * len(values)
    for i in range(len(values) - 1):
        a, b = values[i], values[i + 1]
        while a != b and places[i] < most and \
                render(a, f"pct:{places[i]}") == render(b, f"pct:{places[i + 1]}"):
            places[i] = places[i + 1] = max(places[i], places[i + 1]) + 1
    return places


def signed_pct(book: ClaimBook, path: str, value: float) -> str:
    """'+13.5%' or '−3.2%', recorded in the book."""
    return book.percent(book.num(path, value, f"spct:{book.change_decimals()}"))


def change_noun(book: ClaimBook, path: str, value: float, up: str = "rise",
                down: str = "fall") -> str:
    """'a 27.5% rise', 'an 11% fall' or 'no change', recorded in the book."""
    rendered = book.num(path, value, f"pct:{book.change_decimals()}")
    if float(rendered) == 0:
        return book.as_words("no measurable change")
    noun = up if value > 0 else down
    return f"{article_for(rendered)} {book.percent(rendered)} {noun}"


def change_verb(book: ClaimBook, path: str, value: float) -> str:
    """'up 19.2%' / 'down 3.1%' / 'flat', recorded in the book."""
    rendered = book.num(path, value, f"pct:{book.change_decimals()}")
    if float(rendered) == 0:
        return book.as_words("flat")
    return f"{'up' if value > 0 else 'down'} {book.percent(rendered)}"


def weeks_phrase(book: ClaimBook, path: str, count: int, adjective: str = "straight") -> str:
    """'three straight weeks' / 'one week', recorded in the book."""
    qualifier = f"{adjective} " if count > 1 else ""
    return f"{book.num(path, count, 'card')} {qualifier}{plural(count, 'week')}"


def ordinal_week(book: ClaimBook, path: str, count: int, adjective: str = "consecutive") -> str:
    """'the sixth consecutive week', recorded in the book."""
    return f"the {book.num(path, count, 'ord')} {adjective} week"


def slugify(text: str) -> str:
    """An anchor-safe slug: lower case ASCII letters, digits and hyphens."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")
    return slug or "section"


def capitalise(text: str) -> str:
    """Upper-case the first letter only."""
    return text[:1].upper() + text[1:]


def title_case(text: str) -> str:
    """Headline case: capitalise words, leave short function words and odd-cased words."""
    small = {"a", "an", "and", "as", "at", "but", "by", "for", "in", "of", "on", "or", "the",
             "to", "vs", "with"}
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if word.lower() in small and 0 < i < len(words) - 1:
            out.append(word.lower())
        elif word[:1].islower() and word == word.lower():
            out.append(word[:1].upper() + word[1:])
        else:
            out.append(word)
    return " ".join(out)
