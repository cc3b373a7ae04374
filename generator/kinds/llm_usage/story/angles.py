"""Choosing the week's angle: score candidate facts, keep the strongest, write the headline.

Score = weight of the kind of fact × how unusual it is against its own history × how recent.
Every candidate writes its own headline and summary, so the headline always follows the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from generator.kinds.llm_usage.facts.model import Facts, ModelFacts
from generator.kinds.llm_usage.story.scope import Scope
from generator.ledger.numbers import ClaimBook, article_for
from generator.story.phrases import (
    capitalise,
    change_noun,
    pick,
    title_case,
    tokens,
    weeks_phrase,
)

HEADLINE_LIMIT = 72


@dataclass(frozen=True)
class Angle:
    """A candidate angle: its kind, score and the writers of its headline and summary."""

    kind: str
    score: float
    headline: Callable[[ClaimBook], str]
    summary: Callable[[ClaimBook], str]


def _adj(facts: Facts, code: str | None) -> str:
    region = facts.region(code) if code else None
    return region.adjective if region else (code or "")


def _lead_angles(facts: Facts, w: int) -> list[Angle]:
    lead = facts.lead
    if lead is None or lead.runner_up is None:
        return []
    a, b = _adj(facts, lead.leader), _adj(facts, lead.runner_up)
    out: list[Angle] = []
    if lead.streak_weeks == 0:
        out.append(Angle(
            "country_tie", 1.2,
            lambda book: f"{a} and {b} Models Draw Level in Weekly Usage",
            lambda book: book.sentence(
                f"{a} and {b} models drew exactly the same volume this week, "
                f"{tokens(book, 'regions.0.tokens', facts.regions[0].tokens)} tokens each."
            ),
        ))
    elif lead.changed_this_week:
        out.append(Angle(
            "lead_change", 1.0,
            lambda book: pick([f"{a} Models Overtake {b} Rivals {_where(facts, book)}",
                               f"{a} Models Pull Ahead of {b} Rivals {_where(facts, book)}"], w),
            lambda book: book.sentence(
                f"{a} models moved ahead of {b} ones this week with "
                f"{tokens(book, 'regions.0.tokens', facts.regions[0].tokens)} tokens against "
                f"{tokens(book, 'regions.1.tokens', facts.regions[1].tokens)}."
            ),
        ))
    elif lead.streak_weeks >= 2:
        unusual = min(1.0, lead.streak_weeks / 8) + 0.3

        def headline(book: ClaimBook) -> str:
            n = book.num("lead.streak_weeks", lead.streak_weeks, "ord")
            an = article_for(n)
            scope = Scope.of(facts)
            if scope.is_list:
                top = f"Top {book.num('coverage.list_size', scope.list_size, 'card')}"
                return pick([f"{a} Models Lead the {top} for {an} {n} Straight Week",
                             f"{a} Models Stay Ahead in the {top} for {an} {n} Consecutive Week"],
                            w)
            return pick([f"{a} Models Outpace {b} Rivals for {an} {n} Straight Week",
                         f"{a} Models Lead {b} Rivals for {an} {n} Consecutive Week"], w)

        def summary(book: ClaimBook) -> str:
            n = book.num("lead.streak_weeks", lead.streak_weeks, "card")
            return book.sentence(
                f"{a} models{Scope.of(facts).among(book)} have drawn more tokens than {b} ones "
                f"for {n} weeks running{_top_run_clause(facts, book)}."
            )

        out.append(Angle("lead_streak", 0.85 * unusual, headline, summary))
    return out


def _where(facts: Facts, book: ClaimBook) -> str:
    scope = Scope.of(facts)
    if not scope.is_list:
        return "in Weekly Usage"
    return f"in the Top {book.num('coverage.list_size', scope.list_size, 'card')}"


def _top_run_clause(facts: Facts, book: ClaimBook) -> str:
    run = facts.market.top_run_length
    if run < 2 or facts.lead is None or facts.market.top_run_country != facts.lead.leader:
        return ""
    top = facts.models[0].name
    return (f", and they hold the top {book.num('market.top_run_length', run, 'card')} places, "
            f"led by {top}")


def _leader_angles(facts: Facts, w: int) -> list[Angle]:
    if not facts.models:
        return []
    top = facts.models[0]
    out: list[Angle] = []
    second = facts.models[1] if len(facts.models) > 1 else None
    if second is not None and top.tokens == second.tokens:
        out.append(Angle(
            "model_tie", 1.2,
            lambda book: f"{top.name} and {second.name} Tie for the Top Spot",
            lambda book: book.sentence(
                f"{top.name} and {second.name} drew exactly "
                f"{tokens(book, 'models.0.tokens', top.tokens)} tokens each this week."
            ),
        ))
        return out
    if top.prev_rank is not None and top.prev_rank != 1:
        # A model at number one for the first time is bigger news than a return to the top.
        first_time = top.best_rank_before != 1
        out.append(Angle(
            "new_leader", 1.15 if first_time else 1.0,
            lambda book: pick([f"{top.name} Takes the Top Spot in Weekly Usage",
                               f"{top.name} Climbs to Number One in Weekly Usage"], w),
            lambda book: book.sentence(
                f"{top.name} became the most-used model{Scope.of(facts).among(book)} this week "
                f"with {tokens(book, 'models.0.tokens', top.tokens)} tokens"
                f"{_change(book, top)}."
            ),
        ))
    elif top.weeks_at_rank >= 2:
        out.append(Angle(
            "leader_streak", 0.6 * (0.4 + min(top.weeks_at_rank, 10) / 10),
            lambda book: f"{top.name} Holds the Top Spot for "
            f"{title_case(weeks_phrase(book, 'models.0.weeks_at_rank', top.weeks_at_rank))}",
            lambda book: book.sentence(
                f"{top.name} stayed the most-used model for "
                f"{weeks_phrase(book, 'models.0.weeks_at_rank', top.weeks_at_rank)}, with "
                f"{tokens(book, 'models.0.tokens', top.tokens)} tokens this week."
            ),
        ))
    return out


def _change(book: ClaimBook, model: ModelFacts) -> str:
    """', a 19.2% rise' for a model with a comparable week before, else nothing."""
    if model.change_pct is None:
        return ""
    return ", " + change_noun(book, f"models.{model.rank - 1}.change_pct", model.change_pct)


def _newcomer_angles(facts: Facts, w: int) -> list[Angle]:
    out: list[Angle] = []
    for model in facts.models[:3]:
        if model.arrival != "launch" or model.rank == 1:
            continue
        i = model.rank - 1
        out.append(Angle(
            "newcomer_top3", 0.9 * (1.0 - (model.rank - 1) * 0.1),
            # cast: mypy cannot infer a lambda whose default arguments (the loop's bindings) make
            # its signature differ from the expected Callable[[ClaimBook], str].
            cast("Callable[[ClaimBook], str]", lambda book, m=model, i=i: pick([
                f"{m.name} Debuts at Number {book.num(f'models.{i}.rank', m.rank, 'card')}",
                f"{m.name} Enters the Top {book.num(f'models.{i}.rank', m.rank, 'card')} "
                f"in Its First Week"], w)),
            cast("Callable[[ClaimBook], str]", lambda book, m=model, i=i: book.sentence(
                f"{m.name} entered at number {book.num(f'models.{i}.rank', m.rank, 'int')} in its "
                f"first week with {tokens(book, f'models.{i}.tokens', m.tokens)} tokens."
            )),
        ))
    return out


def _total_angles(facts: Facts, w: int) -> list[Angle]:
    total = facts.total
    scope = Scope.of(facts)
    out: list[Angle] = []
    if facts.source.changed_this_week:
        # A change of the source's method moves the total by itself: no rise or fall to tell.
        return out
    if total.change_pct is not None and total.change_pct <= -10:
        change: float = total.change_pct  # narrowed for the lambdas (TotalFacts is frozen)
        out.append(Angle(
            "sharp_fall", 0.9 * min(1.5, abs(total.change_pct) / 12),
            lambda book: f"{scope.headline_subject(book)} Falls "
            f"{book.percent(book.num('total.change_pct', change, f'pct:{book.change_decimals()}'))}",
            lambda book: book.sentence(
                f"{capitalise(scope.volume(book))} fell to "
                f"{tokens(book, 'total.tokens', total.tokens, 1)} tokens, "
                f"{change_noun(book, 'total.change_pct', change)} on the week."
            ),
        ))
    elif total.is_record and total.growth_streak_weeks >= 2:
        since = (", the most since the source changed its method in the week of "
                 if facts.source.break_week else "")

        def summary(book: ClaimBook) -> str:
            text = (f"{capitalise(scope.volume(book))} reached a record "
                    f"{tokens(book, 'total.tokens', total.tokens, 1)} tokens after "
                    f"{weeks_phrase(book, 'total.growth_streak_weeks', total.growth_streak_weeks)}"
                    " of growth")
            if since:
                text += since + book.num("source.break_week", facts.source.break_week, "date")
            return book.sentence(text + ".")

        out.append(Angle(
            "record_total", 0.7 * (0.5 + min(total.growth_streak_weeks, 10) / 20),
            lambda book: f"{scope.headline_subject(book)} Hits a Record "
            f"{title_case(tokens(book, 'total.tokens', total.tokens, 1))} Tokens",
            summary,
        ))
    return out


def _fallback(facts: Facts) -> Angle:
    total = facts.total
    scope = Scope.of(facts)
    return Angle(
        "total", 0.1,
        lambda book: (f"{scope.headline_subject(book)}: "
                      f"{title_case(tokens(book, 'total.tokens', total.tokens, 1))} Tokens in a Week"),
        lambda book: book.sentence(
            f"{capitalise(scope.models(book))} served "
            f"{tokens(book, 'total.tokens', total.tokens, 1)} tokens this week."
        ),
    )


def candidate_angles(facts: Facts, week_index: int) -> list[Angle]:
    """Every angle the week's facts support, strongest first."""
    found = [
        *_lead_angles(facts, week_index),
        *_leader_angles(facts, week_index),
        *_newcomer_angles(facts, week_index),
        *_total_angles(facts, week_index),
        _fallback(facts),
    ]
    return sorted(found, key=lambda a: -a.score)


def choose_angle(facts: Facts, week_index: int) -> Angle:
    """The strongest angle whose headline fits the length limit."""
    for angle in candidate_angles(facts, week_index):
        probe = ClaimBook()
        if len(angle.headline(probe)) <= HEADLINE_LIMIT:
            return angle
    return _fallback(facts)


def opening(facts: Facts, kind: str, book: ClaimBook, w: int = 0) -> str:
    """The lede's first sentence for the chosen angle, worded apart from the summary line."""
    lead = facts.lead
    top = facts.models[0] if facts.models else None
    scope = Scope.of(facts)
    if kind == "lead_streak" and lead is not None:
        a, b = _adj(facts, lead.leader), _adj(facts, lead.runner_up)
        n = book.num("lead.streak_weeks", lead.streak_weeks, "ord")
        head = pick([
            f"{a} large language models{scope.among(book)} handled more tokens than their "
            f"{b} counterparts for the {n} consecutive week",
            f"For the {n} week in a row, {a} models{scope.among(book)} out-used {b} ones",
        ], w)
        a_pct, b_pct = facts.regions[0].share_pct, facts.regions[1].share_pct
        prev_a, prev_b = facts.regions[0].prev_share_pct, facts.regions[1].prev_share_pct
        widened = (prev_a is not None and prev_b is not None and not facts.source.changed_this_week
                   and a_pct - b_pct > prev_a - prev_b)
        return book.sentence(head + (pick([", and the gap between the two camps widened.",
                                           ", by a wider margin than a week earlier."], w)
                                     if widened else "."))
    if kind == "lead_change" and lead is not None:
        a, b = _adj(facts, lead.leader), _adj(facts, lead.runner_up)
        return book.sentence(pick([
            f"{a} models overtook {b} ones in weekly token volume, the first week of a new order "
            "at the top of the country race.",
            f"The country race has a new leader: {a} models drew more tokens than {b} ones this "
            "week.",
        ], w))
    if kind == "new_leader" and top is not None and top.prev_rank is not None:
        rank = book.num("models.0.prev_rank", top.prev_rank, "int")
        return book.sentence(pick([
            f"{top.name} is the most-used model{scope.among(book) or ' on the platform'} this "
            f"week, up from number {rank} the week before.",
            f"A week after ranking number {rank}, {top.name} now leads every other model"
            f"{scope.among(book)}.",
        ], w))
    if kind == "newcomer_top3":
        newcomer = next(m for m in facts.models[:3] if m.arrival == "launch")
        volume = tokens(book, f"models.{newcomer.rank - 1}.tokens", newcomer.tokens)
        return book.sentence(pick([
            f"A model that did not exist a week ago now ranks among the three most used: "
            f"{newcomer.name} drew {volume} tokens in its first week.",
            f"{newcomer.name} needed only its launch week to reach the top three, with {volume} "
            "tokens.",
        ], w))
    if kind == "sharp_fall":
        fall = change_noun(book, "total.change_pct", facts.total.change_pct or 0.0)
        return book.sentence(pick([
            f"Demand cooled sharply this week: {scope.volume(book)} saw {fall}.",
            f"This was a weak week: {scope.volume(book)} saw {fall}.",
        ], w))
    if kind in ("model_tie", "country_tie"):
        return book.sentence("For once the data has no single winner: the week ended in a tie.")
    if kind == "leader_streak" and top is not None:
        held = weeks_phrase(book, "models.0.weeks_at_rank", top.weeks_at_rank)
        return book.sentence(pick([
            f"{top.name} kept its hold on the top spot, where it has now been for {held}.",
            f"No model has displaced {top.name}, the most used for {held}.",
        ], w))
    if kind == "record_total":
        high = tokens(book, "total.tokens", facts.total.tokens, 1)
        return book.sentence(pick([
            f"{capitalise(scope.volume(book))} reached a new high of {high} this week.",
            f"Never before in this data has {scope.volume(book)} been as high as this week's "
            f"{high}.",
        ], w))
    week = book.num("week", facts.week, "date")
    if scope.is_list:
        return book.sentence(pick([f"Here is how {scope.top(book)} stood in the week of {week}.",
                                   f"This is the state of {scope.top(book)} for the week of "
                                   f"{week}."], w))
    return book.sentence(pick([f"Here is where the platform's traffic went in the week of {week}.",
                               f"This is where the platform's tokens went in the week of {week}."],
                              w))
