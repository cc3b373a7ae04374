"""The claim ledger: how a figure is written (`render` by a spec) and the book that records
every figure with its sentence. It is the bottom layer: stories, charts and the check use it,
and it uses nothing of theirs."""

from generator.ledger.claim import Claim
from generator.ledger.numbers import ClaimBook, render

__all__ = ["Claim", "ClaimBook", "render"]
