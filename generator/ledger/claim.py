"""A claim: one figure as a text states it, with the fact it was rendered from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    """One number stated in a text, with the fact it comes from (`path|spec`)."""

    id: str
    text: str
    value: float | int | str
    fact: str
