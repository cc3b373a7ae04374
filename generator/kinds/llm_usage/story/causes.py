"""Why the week moved: the attribution's parts written as sentences, largest first.

Each part (a launch's share of the growth, a free tier that ended, a switch within a maker's
family, a country whose models all moved one way) is a sentence whose figures are claims of the
ledger; the section tells the largest four, and the largest of all is the digest's cause.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.kinds.llm_usage.facts.model import (
    AttributionFacts,
    BroadMove,
    Facts,
    FreeTierPart,
    SwitchPart,
)
from generator.kinds.llm_usage.story.scope import Scope
from generator.ledger.numbers import ClaimBook
from generator.story.model import Section, paragraph
from generator.story.phrases import join_list, pct, pick, plural, tokens

MOST_CAUSES = 4


@dataclass(frozen=True)
class Cause:
    """One part of the week's change: its size in tokens, and the writer of its sentence."""

    kind: str
    tokens: int
    write: Callable[[ClaimBook], str]


def causes(facts: Facts, w: int) -> list[Cause]:
    """Every part the attribution holds, largest first."""
    a = facts.attribution
    found = [*_launch(facts, a, w), *_free_tiers(facts, a, w), *_switches(facts, a, w),
             *_broad_moves(facts, a, w)]
    return sorted(found, key=lambda c: -c.tokens)


def causes_section(facts: Facts, book: ClaimBook, w: int) -> tuple[Section | None, str]:
    """The section of the week's largest causes, and the sentence of the largest one."""
    found = causes(facts, w)[:MOST_CAUSES]
    if not found:
        return None, ""
    sentences = [book.sentence(c.write(book)) for c in found]
    title = pick(["What Moved the Numbers", "Behind the Week's Figures", "Why the Figures Moved"],
                 w)
    return Section(id="causes", title=title, paragraphs=(paragraph(" ".join(sentences)),)), \
        sentences[0]


def _launch(facts: Facts, a: AttributionFacts, w: int) -> list[Cause]:
    share, without = a.launch_share_of_change_pct, a.change_without_launches_pct
    if not a.launches or share is None or without is None or share < 20 \
            or Scope.of(facts).is_list:
        # In a top-N list a launch takes a slot another model would have filled: the list's
        # volume without it is unknown, so no counterfactual is told.
        return []
    names = join_list([p.name for p in a.launches[:3]])
    one = len(a.launches) == 1
    scope = Scope.of(facts)

    def write(book: ClaimBook) -> str:
        rest = pct(book, "attribution.change_without_launches_pct", without)
        moved = "grown" if without > 0 else "fallen"
        whose = f"{names}'s launch" if one else f"This week's launches, {names},"
        it = "it" if one else "them"
        if share > 100:
            return (f"{whose} brought more than the whole of the week's growth: without {it}, "
                    f"{scope.volume(book)} would have {moved} {rest}.")
        part = pct(book, "attribution.launch_share_of_change_pct", share)
        if pick((True, False), w):
            return (f"{whose} brought {part} of the week's growth; without {it}, "
                    f"{scope.volume(book)} would have {moved} {rest}.")
        return (f"Without {names}, {scope.volume(book)} would have {moved} only {rest}: "
                f"{'its launch' if one else 'the launches'} supplied {part} of the rise."
                if without > 0 else
                f"Without {names}, {scope.volume(book)} would have {moved} {rest}; "
                f"{'its launch' if one else 'the launches'} supplied {part} of the change.")

    return [Cause("launch", a.launch_tokens, write)]


def _free_tiers(facts: Facts, a: AttributionFacts, w: int) -> list[Cause]:
    out = []
    for i, part in enumerate(a.free_tiers[:2]):
        at = f"attribution.free_tiers.{i}"

        def write(book: ClaimBook, part: FreeTierPart = part, at: str = at) -> str:
            share = part.share_of_model_change_pct
            whole = "loss" if part.change_tokens < 0 else "gain"
            if share is None:
                of_change = ""
            elif share > 100:
                # The free part moved more than the model: its paid part went the other way.
                of_change = f", more than the model's whole {whole}"
            else:
                of_change = (f", {pct(book, f'{at}.share_of_model_change_pct', share)} of the "
                             f"model's whole {whole}")
            if part.event == "started":
                now = tokens(book, f"{at}.free_tokens", part.free_tokens)
                return (f"{part.name} opened a free tier that drew {now} tokens in its first "
                        f"week{of_change}.")
            before = tokens(book, f"{at}.prev_free_tokens", part.prev_free_tokens)
            if part.event == "ended":
                return pick([
                    f"{part.name}'s free tier ended: its free volume went from {before} tokens "
                    f"to none{of_change}.",
                    f"The free tier of {part.name} closed, taking away the {before} free tokens "
                    f"it drew a week earlier{of_change}.",
                ], w)
            now = tokens(book, f"{at}.free_tokens", part.free_tokens)
            verb = "fell" if part.event == "fell" else "rose"
            return (f"The free tier of {part.name} {verb} from {before} to {now} "
                    f"tokens{of_change}.")

        out.append(Cause("free_tier", abs(part.change_tokens), write))
    return out


def _switches(facts: Facts, a: AttributionFacts, w: int) -> list[Cause]:
    out = []
    launched = {p.model for p in a.launches}
    for i, part in enumerate(a.switches[:1]):
        at = f"attribution.switches.{i}"
        maker = part.author_name or part.author

        def write(book: ClaimBook, part: SwitchPart = part, at: str = at,
                  maker: str = maker) -> str:
            lost = tokens(book, f"{at}.lost_tokens", part.lost_tokens)
            if part.to_model in launched:
                # The launch's own volume is told elsewhere: here, only what the old model lost.
                return pick([
                    f"Some of that traffic came from inside the family: {maker}'s "
                    f"{part.from_name} lost {lost} tokens in the week its successor arrived.",
                    f"{maker}'s older {part.from_name} shed {lost} tokens as {part.to_name} "
                    "arrived, so part of the newcomer's volume is users switching within the "
                    "family.",
                ], w)
            gained = tokens(book, f"{at}.gained_tokens", part.gained_tokens)
            return (f"Within {maker}'s line-up, {part.from_name} lost {lost} tokens while the "
                    f"newer {part.to_name} gained {gained}, which points to users moving from one "
                    "to the other.")

        out.append(Cause("switch", part.lost_tokens, write))
    return out


def _broad_moves(facts: Facts, a: AttributionFacts, w: int) -> list[Cause]:
    out = []
    scope = Scope.of(facts)
    for i, move in enumerate(a.broad_moves[:2]):
        at = f"attribution.broad_moves.{i}"

        def write(book: ClaimBook, move: BroadMove = move, at: str = at) -> str:
            count = book.num(f"{at}.models", move.models, "card")
            amount = tokens(book, f"{at}.change_tokens", move.change_tokens)
            both = "listed in both weeks" if scope.is_list else "with figures in both weeks"
            noun = plural(move.models, "model")
            if move.direction == "fell":
                return pick([
                    f"The weakness was broad on the {move.adjective} side: all {count} "
                    f"{move.adjective} {noun} {both} lost volume, {amount} tokens between them.",
                    f"Every one of the {count} {move.adjective} {noun} {both} fell, for a "
                    f"combined loss of {amount} tokens.",
                ], w)
            return pick([
                f"The strength was broad on the {move.adjective} side: all {count} "
                f"{move.adjective} {noun} {both} gained, {amount} tokens between them.",
                f"Every one of the {count} {move.adjective} {noun} {both} grew, adding "
                f"{amount} tokens together.",
            ], w)

        out.append(Cause("broad_move", abs(move.change_tokens), write))
    return out


def free_tier_clause(facts: Facts, model: str) -> str:
    """', as its free tier ended' for a model whose fall is mostly its free tier, else ''."""
    for part in facts.attribution.free_tiers:
        if part.model == model and part.event in ("ended", "fell") and \
                (part.share_of_model_change_pct or 0) >= 50:
            return ", most of it as its free tier " + ("ended" if part.event == "ended"
                                                       else "shrank")
    return ""

