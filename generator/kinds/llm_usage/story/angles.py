"""Choosing the week's angle: score candidate facts, keep the strongest, write the headline.

Score = weight of the kind of fact × how unusual it is against the report's own history. Firsts,
records, returns and broad moves score high; a streak retires from the headline after
`STREAK_NEWS_WEEKS` weeks unless it is itself a record; a lead smaller than its own uncertainty
(under `DEAD_HEAT_PCT`, or within the source's rounding) is a dead heat, never a coronation.
Every candidate writes its own headline and summary, so the headline always follows the data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from generator.kinds.llm_usage.facts.model import Facts, ModelFacts
from generator.kinds.llm_usage.story.scope import Scope, dead_heat
from generator.ledger.numbers import ClaimBook, article_for
from generator.story.phrases import (
    capitalise,
    change_noun,
    join_list,
    pct,
    pick,
    title_case,
    tokens,
    weeks_phrase,
)

HEADLINE_LIMIT = 72
# A streak is news for its first weeks; after that it is the background, not the headline.
STREAK_NEWS_WEEKS = 3
# A country whose models all moved one way is headline news from this many models.
BROAD_HEADLINE_MODELS = 5


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
    elif lead.changed_this_week and lead.first_time:
        out.append(Angle(
            "first_lead", 1.5,
            lambda book: pick([f"{a} Models Overtake {b} Rivals for the First Time",
                               f"For the First Time, {a} Models Lead {b} Rivals"], w),
            lambda book: book.sentence(
                f"For the first time in this data, {a} models drew more tokens than {b} ones: "
                f"{tokens(book, 'regions.0.tokens', facts.regions[0].tokens)} against "
                f"{tokens(book, 'regions.1.tokens', facts.regions[1].tokens)}."
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
        record = lead.streak_weeks > lead.longest_before_weeks > 0
        # A streak retires from the headline after its first weeks, unless it is a record.
        unusual = (min(1.0, lead.streak_weeks / 8) + 0.3 if lead.streak_weeks <= STREAK_NEWS_WEEKS
                   else 1.2 if record else 0.05)

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
    if second is not None and top.prev_rank is not None and dead_heat(facts):
        # Ahead by less than the figures' own uncertainty: no coronation, a dead heat.
        out.append(Angle(
            "dead_heat", 0.9,
            lambda book: pick([f"{top.name} and {second.name} Finish Neck and Neck at the Top",
                               f"Too Close to Call: {top.name} and {second.name} Share the Top"],
                              w),
            lambda book: book.sentence(
                f"{top.name} and {second.name} drew "
                f"{tokens(book, 'models.0.tokens', top.tokens)} and "
                f"{tokens(book, 'models.1.tokens', second.tokens)} tokens, too close to call "
                "a leader."
            ),
        ))
        return out
    if top.prev_rank is not None and top.prev_rank != 1 and top.weeks_since_top is not None:
        since = top.weeks_since_top
        out.append(Angle(
            "return_to_top", 1.05,
            lambda book: f"{top.name} Regains the Top Spot It Last Held "
            f"{title_case(book.num('models.0.weeks_since_top', since, 'card'))} Weeks Ago"
            if since > 1 else f"{top.name} Takes Back the Top Spot After a Week",
            lambda book: book.sentence(
                f"{top.name} is the most-used model{Scope.of(facts).among(book)} again, with "
                f"{tokens(book, 'models.0.tokens', top.tokens)} tokens{_change(book, top)}."
            ),
        ))
    elif top.prev_rank is not None and top.prev_rank != 1:
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
        fresh = top.weeks_at_rank <= STREAK_NEWS_WEEKS
        out.append(Angle(
            "leader_streak", 0.6 * (0.4 + min(top.weeks_at_rank, 10) / 10) if fresh else 0.05,
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
        if model.record_debut:
            out.append(Angle(
                "record_debut", 1.3,
                cast("Callable[[ClaimBook], str]", lambda book, m=model: pick([
                    f"{m.name} Posts the Biggest Debut in the Data",
                    f"{m.name} Makes the Strongest First Week in the Data"], w)),
                cast("Callable[[ClaimBook], str]", lambda book, m=model, i=i: book.sentence(
                    f"{m.name} drew {tokens(book, f'models.{i}.tokens', m.tokens)} tokens in "
                    f"its launch week, more than any model before it in its first week."
                )),
            ))
            continue
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


def _cause_angles(facts: Facts, w: int) -> list[Angle]:
    """Angles from the week's causes: a launch behind most of the growth, a broad move."""
    a = facts.attribution
    out: list[Angle] = []
    share = a.launch_share_of_change_pct
    if a.launches and share is not None and 50 <= share <= 100 and not Scope.of(facts).is_list:
        names = a.launches[0].name if len(a.launches) == 1 else "New Models"
        out.append(Angle(
            "launch_growth", 1.0,
            lambda book: pick([f"{names} Supplies Most of the Week's Growth",
                               f"A Launch Drives the Week: {names} Brings Most of the Rise"], w)
            if len(a.launches) == 1 else "New Models Supply Most of the Week's Growth",
            lambda book: book.sentence(
                f"This week's launches supplied "
                f"{pct(book, 'attribution.launch_share_of_change_pct', share)} of the rise in "
                f"{Scope.of(facts).volume(book)}."
            ),
        ))
    if a.broad_moves and a.broad_moves[0].models >= BROAD_HEADLINE_MODELS:
        move = a.broad_moves[0]
        verb = "Lose Ground" if move.direction == "fell" else "Gain Ground"
        listed = Scope.of(facts).is_list
        out.append(Angle(
            # Below a fresh streak: a country's models can fall together week after week.
            "broad_move", 0.55,
            lambda book: f"All "
            f"{title_case(book.num('attribution.broad_moves.0.models', move.models, 'card'))} "
            f"{'Listed ' if listed else ''}{move.adjective} Models {verb}",
            lambda book: book.sentence(
                f"Every {move.adjective} model {'listed' if listed else 'with a figure'} in both "
                "weeks "
                f"{'fell' if move.direction == 'fell' else 'grew'}, "
                f"{tokens(book, 'attribution.broad_moves.0.change_tokens', move.change_tokens)}"
                " tokens between them."
            ),
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
        fresh = total.growth_streak_weeks <= STREAK_NEWS_WEEKS
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
            # A record in every week of a long run of growth is the run's background.
            "record_total", 0.7 * (0.5 + min(total.growth_streak_weeks, 10) / 20) if fresh else 0.3,
            lambda book: f"{scope.headline_subject(book)} Hits a Record "
            f"{title_case(tokens(book, 'total.tokens', total.tokens, 1))} Tokens",
            summary,
        ))
    return out


def _mover_angles(facts: Facts, w: int) -> list[Angle]:
    """A quiet week's news: the model that moved the most tokens, either way."""
    gainer = facts.movers.gainers[0] if facts.movers.gainers else None
    loser = facts.movers.losers[0] if facts.movers.losers else None
    if gainer is None and loser is None:
        return []
    if loser is None or (gainer is not None and gainer.change_tokens >= -loser.change_tokens):
        assert gainer is not None
        g = gainer
        return [Angle(
            "top_gainer", 0.12,
            lambda book: pick([f"{g.name} Adds the Most Tokens in a Quiet Week",
                               f"{g.name} Posts the Week's Largest Gain"], w),
            lambda book: book.sentence(
                f"{g.name} gained "
                f"{tokens(book, 'movers.gainers.0.change_tokens', g.change_tokens)} tokens, "
                "more than any other model this week."),
        )]
    lost = loser
    return [Angle(
        "top_loser", 0.12,
        lambda book: pick([f"{lost.name} Loses the Most Ground This Week",
                           f"{lost.name} Posts the Week's Largest Fall"], w),
        lambda book: book.sentence(
            f"{lost.name} lost "
            f"{tokens(book, 'movers.losers.0.change_tokens', lost.change_tokens)} tokens, "
            "more than any other model this week."),
    )]


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
        *_cause_angles(facts, week_index),
        *_mover_angles(facts, week_index),
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
    if kind == "first_lead" and lead is not None:
        a, b = _adj(facts, lead.leader), _adj(facts, lead.runner_up)
        return book.sentence(pick([
            f"{a} models drew more tokens than {b} ones this week, something the data had not "
            "shown before.",
            f"A first in this data: {a} models out-used {b} ones over a whole week.",
        ], w))
    if kind == "dead_heat" and len(facts.models) > 1:
        top, second = facts.models[0], facts.models[1]
        return book.sentence(pick([
            f"At the top, {top.name} and {second.name} ended the week too close to call.",
            f"No model clearly led this week: {top.name} and {second.name} finished all but "
            "level.",
        ], w))
    if kind == "return_to_top" and top is not None:
        return book.sentence(pick([
            f"{top.name} is back at number one{scope.among(book)}.",
            f"The top spot{scope.among(book)} has changed hands again, back to {top.name}.",
        ], w))
    if kind == "record_debut":
        # The summary line gives its volume; the lede gives its place.
        newcomer = next(m for m in facts.models[:3] if m.record_debut)
        rank = book.num(f"models.{newcomer.rank - 1}.rank", newcomer.rank, "int")
        return book.sentence(pick([
            f"No model has started as strongly in this data as {newcomer.name}, which went "
            f"straight to number {rank} in its launch week.",
            f"{newcomer.name} reached number {rank} in its launch week, the strongest first "
            "week this data has seen.",
        ], w))
    if kind == "launch_growth" and facts.attribution.launches:
        names = join_list([p.name for p in facts.attribution.launches[:3]])
        return book.sentence(pick([
            f"The week's growth came mostly from something new: {names}.",
            f"Most of this week's rise traces back to one event, the arrival of {names}.",
        ], w) if len(facts.attribution.launches) == 1 else
            f"Most of this week's rise came from models that launched in it: {names}.")
    if kind == "broad_move" and facts.attribution.broad_moves:
        move = facts.attribution.broad_moves[0]
        went = "lost volume" if move.direction == "fell" else "gained volume"
        both = "listed in both weeks" if scope.is_list else "with figures in both weeks"
        return book.sentence(pick([
            f"This was a week for {move.adjective} models to forget: every one {both} {went}."
            if move.direction == "fell" else
            f"This was a strong week for {move.adjective} models: every one {both} {went}.",
            f"The {move.adjective} side moved as one this week: every model {both} {went}.",
        ], w))
    if kind in ("top_gainer", "top_loser"):
        return book.sentence(pick([
            "No record fell and no leader changed this week; the movement was in the ranks "
            "below.",
            "It was a week without a change at the top; the news is further down the table.",
        ], w))
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
