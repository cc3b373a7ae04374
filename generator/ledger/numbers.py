"""Numbers as a reader expects them, and the claim book that records every one of them.

Every figure that reaches a text goes through `render(value, spec)`; the check re-renders the
fact from `facts.json` with the same spec and compares. Specs:

    tokens:U:D  absolute value in unit U (T, B, M, K, or N for plain whole tokens), at most D
                decimals, trailing zeros dropped
    pct:D       absolute percentage with D decimals ("27.49"); the words carry the sign
    spct:D      signed percentage ("+13.5", "−3"); zero has no sign
    int         whole number with thousands separators ("1,204")
    card        cardinal: words for one to nine, digits from 10 ("six", "12")
    ord         ordinal: words to ninth, then digits ("sixth", "23rd")
    usd:D       US dollars with D decimals, no symbol ("0.14")
    ctx         context window ("1M", "128K", "1.05M")
    date        a date written out ("May 18, 2026")
    week        an ISO week label ("2026-W21")
    zero:D:W    the words W for a percentage that is 0 at D decimals ("flat"); any other value
                does not render, so the check catches a "flat" that has stopped being true
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from generator.ledger.claim import Claim

MINUS = "\u2212"
NBSP = "\u00a0"
UNITS = {"T": (1e12, "trillion"), "B": (1e9, "billion"), "M": (1e6, "million"),
         "K": (1e3, "thousand"), "N": (1.0, "")}
_CARDINALS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_ORDINALS = (
    "zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
)


NUMBER_WORDS = _CARDINALS + _ORDINALS  # the figures `card` and `ord` write as words


def _fixed(value: float, decimals: int) -> str:
    # Decimal rounding of the shortest repr: 0.125 → "0.13" as a reader expects, not "0.12".
    from decimal import ROUND_HALF_UP, Decimal

    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def _strip(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def token_unit(value: float) -> str:
    """The unit a token count reads best in: T, B, M, K, or N below a thousand (so a small
    figure is never "0 million")."""
    magnitude = abs(value)
    for unit in ("T", "B", "M", "K"):
        if magnitude >= UNITS[unit][0]:
            return unit
    return "N"


def _ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def render(value: Any, spec: str) -> str:
    """Render a fact's value by a spec (see the module docstring)."""
    kind, _, rest = spec.partition(":")
    if kind == "tokens":
        unit, _, decimals = rest.partition(":")
        scaled = abs(float(value)) / UNITS[unit][0]
        return _strip(_fixed(scaled, int(decimals or 2)))
    if kind == "pct":
        return _fixed(abs(float(value)), int(rest or 1))
    if kind == "spct":
        text = _fixed(abs(float(value)), int(rest or 1))
        if float(text) == 0:
            return text
        return ("+" if value > 0 else MINUS) + text
    if kind == "int":
        return f"{int(value):,}"
    if kind == "card":
        n = int(value)
        return _CARDINALS[n] if 0 <= n < 10 else f"{n:,}"
    if kind == "ord":
        n = int(value)
        return _ORDINALS[n] if 0 <= n < 10 else f"{n}{_ordinal_suffix(n)}"
    if kind == "usd":
        return _fixed(float(value), int(rest or 2))
    if kind == "ctx":
        n = int(value)
        if n >= 1_000_000:
            return _strip(_fixed(n / 1e6, 2)) + "M"
        return f"{round(n / 1000)}K"
    if kind == "date":
        day = dt.date.fromisoformat(str(value))
        return f"{day.strftime('%B')} {day.day}, {day.year}"
    if kind == "week":
        return str(value)
    if kind == "zero":
        decimals, _, words = rest.partition(":")
        if float(_fixed(abs(float(value)), int(decimals))) != 0:
            raise ValueError(f"{value} is not zero at {decimals} decimals")
        return words
    raise ValueError(f"unknown number spec {spec!r}")


def unit_word(unit: str) -> str:
    """The word of a token unit: T → trillion."""
    return UNITS[unit][1]


def article_for(rendered: str) -> str:
    """'a' or 'an' before a number as it is read aloud: an 11 % rise, an 18 % fall, a 19 % rise."""
    digits = rendered.lstrip("+" + MINUS).replace(",", "")
    # Only the leading whole number is read first: "11th", "8K" and "18.5" sound like 11, 8, 18.
    head = digits[:len(digits) - len(digits.lstrip("0123456789"))]
    if not head:
        return "an" if digits[:1].lower() in "aeiou" else "a"
    n = int(head)
    if head.startswith("8") or n in (11, 18) or (len(head) in (5, 6) and head[:2] in ("11", "18")):
        return "an"
    return "a"



@dataclass(frozen=True)
class NumberStyle:
    """The house style of percentages (report settings `style.*`)."""

    # "13.5%" as the reference article writes it; True gives "13.5 %" with a no-break space.
    percent_space: bool = False
    # Decimals of shares and changes, in text and tables alike.
    decimals: int = 1

    @property
    def percent_sign(self) -> str:
        return f"{NBSP}%" if self.percent_space else "%"


@dataclass
class ClaimBook:
    """Collects the claims of one story as it is written: numbers first, then their sentence.

    Mutable on purpose and short-lived: one book per story build, never shared.
    """

    prefix: str = "c"
    # The significant figures the source's figures carry when it rounds them (None: exact);
    # no token count is then shown more precisely, and changes are shown in whole percents.
    significant: int | None = None
    style: NumberStyle = field(default_factory=NumberStyle)
    claims: list[Claim] = field(default_factory=list)
    _pending: list[tuple[str, str, str, Any]] = field(default_factory=list)
    # How many prose sentences have stated each fact so far: a writer checks it before saying a
    # figure again (tables, headings and the summary are not prose and do not count).
    _prose: dict[str, int] = field(default_factory=dict)
    _aside: bool = False

    def num(self, fact: str, value: Any, spec: str) -> str:
        """Render a figure from the fact at path `fact` and hold it for the next sentence."""
        rendered = render(value, spec)
        self._pending.append((fact, spec, rendered, value))
        return rendered

    def change_decimals(self) -> int:
        """Decimals for a percentage change: whole percents between rounded figures."""
        return 0 if self.significant is not None else self.style.decimals

    def share_decimals(self) -> int:
        """Decimals for a share of a total."""
        return self.style.decimals

    def percent(self, rendered: str) -> str:
        """A rendered percentage with the house style's sign: "13.5%"."""
        return rendered + self.style.percent_sign

    def sentence(self, text: str, prose: bool = True) -> str:
        """Attach the held figures to this sentence and return it unchanged; `prose=False` for
        a heading, a table row or the summary line."""
        for fact in {fact for fact, *_ in self._pending} if prose and not self._aside else ():
            self._prose[fact] = self._prose.get(fact, 0) + 1
        for fact, spec, rendered, _value in self._pending:
            if rendered.lower() not in text.lower():
                raise ValueError(f"figure {rendered!r} ({fact}) is not in its sentence {text!r}")
            claim_id = f"{self.prefix}{len(self.claims) + 1}"
            self.claims.append(Claim(claim_id, text, rendered, f"{fact}|{spec}"))
        self._pending.clear()
        return text

    @contextmanager
    def aside(self) -> Iterator[None]:
        """Within it, sentences are not prose: the headline, the summary line."""
        self._aside = True
        try:
            yield
        finally:
            self._aside = False

    def said(self, fact: str) -> int:
        """How many prose sentences so far state the fact at path `fact`."""
        return self._prose.get(fact, 0)

    def as_words(self, words: str) -> str:
        """Record the figure held last as `words` that say it is zero ("flat"), and return them."""
        fact, spec, _rendered, value = self._pending.pop()
        decimals = spec.partition(":")[2]
        return self.num(fact, value, f"zero:{decimals}:{words}")

    def drop_pending(self) -> None:
        """Forget figures rendered for a sentence that was not used."""
        self._pending.clear()

    def done(self) -> tuple[Claim, ...]:
        """Return the claims; fails if a rendered figure never found its sentence."""
        if self._pending:
            raise ValueError(f"figures without a sentence: {self._pending}")
        return tuple(self.claims)
