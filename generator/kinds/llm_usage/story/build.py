"""`write_story()`: from a week's facts (and the editor's notes) to the whole article."""

from __future__ import annotations

import math

from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.story.angles import candidate_angles, choose_angle, opening
from generator.kinds.llm_usage.story.causes import causes_section
from generator.kinds.llm_usage.story.outlook import ahead_section, developers_section, take_bullets
from generator.kinds.llm_usage.story.scope import DEAD_HEAT_PCT, Scope, dead_heat, within_rounding
from generator.kinds.llm_usage.story.sections import (
    arrivals_sentence,
    cost_section,
    declining_section,
    model_section,
    notable_models,
    rankings_section,
    regional_section,
    shown_models,
    technical_section,
)
from generator.ledger.numbers import ClaimBook
from generator.report import Report
from generator.story.model import Bullet, Meta, Section, Story, paragraph, plain
from generator.story.notes import Notes
from generator.story.phrases import (
    capitalise,
    change_noun,
    change_verb,
    ordinal_week,
    pct,
    pick,
    signed_pct,
    title_case,
    tokens,
    week_index,
    weeks_phrase,
)

WORDS_PER_MINUTE = 200



def _lede(facts: Facts, book: ClaimBook, source: str, kind: str, w: int) -> list[str]:
    total = facts.total
    scope = Scope.of(facts)
    first = opening(facts, kind, book, w)
    volume = tokens(book, "total.tokens", total.tokens, 1)
    week = book.num("week", facts.week, "date")
    second = pick([
        f"According to {source} data, {scope.models(book)} processed {volume} tokens in the "
        f"week of {week}",
        f"In the week of {week}, {source} counted {volume} tokens"
        + (f" for {scope.top(book)}" if scope.is_list else ""),
        f"{capitalise(scope.volume(book))} on {source} came to {volume} tokens in the week of "
        f"{week}",
    ], w)
    if facts.source.changed_this_week:
        second += (", a figure not comparable with earlier weeks because the source "
                   "changed how it reports")
    elif within_rounding(facts):
        second += ", no change beyond what the source's rounding allows"
    elif total.change_pct is not None:
        against = "last week's list" if scope.is_list else "the week before"
        second += f", {change_noun(book, 'total.change_pct', total.change_pct)} on {against}"
        streak = total.growth_streak_weeks
        if streak >= 2:
            # The variant is chosen before its figure is rendered: each renders it its own way.
            if pick((True, False), w, 1):
                second += f" and {ordinal_week(book, 'total.growth_streak_weeks', streak)} of growth"
            else:
                second += (", with growth now running for "
                           f"{weeks_phrase(book, 'total.growth_streak_weeks', streak, 'consecutive')}")
    return [first, book.sentence(second + ".")]


def _takeaways(facts: Facts, book: ClaimBook, top_n: int, w: int) -> list[Bullet]:
    out: list[Bullet] = []
    regions = facts.regions
    scope = Scope.of(facts)
    if facts.lead and len(regions) >= 2:
        a, b = regions[0], regions[1]
        ta, tb = tokens(book, "regions.0.tokens", a.tokens), tokens(book, "regions.1.tokens", b.tokens)
        if facts.lead.streak_weeks == 0:
            text = f"{a.adjective} and {b.adjective} models{scope.among(book)} drew {ta} tokens each."
        else:
            text = pick([f"{a.adjective} models{scope.among(book)} drew {ta} tokens and outdrew "
                         f"{b.adjective} models, which recorded {tb}.",
                         f"{a.adjective} models{scope.among(book)} took {ta} tokens against {tb} "
                         f"for {b.adjective} ones."], w)
        out.append(Bullet("Market Leadership", paragraph(book.sentence(text))))
        growth = _regional_growth(facts, book, scope, w)
        if growth is not None:
            out.append(growth)
    if facts.models:
        top = facts.models[0]
        run = facts.market.top_run_length
        if run >= 3 and facts.market.top_run_country:
            adjective = facts.region(facts.market.top_run_country)
            adj = adjective.adjective if adjective else facts.market.top_run_country
            count = book.num("market.top_run_length", run, "card")
            text = pick([f"The top {count} models are all {adj}, led by {top.name}.",
                         f"{adj} models fill the top {count} places, with {top.name} in front."], w)
        elif dead_heat(facts):
            second = facts.models[1]
            first = tokens(book, "models.0.tokens", top.tokens)
            other = tokens(book, "models.1.tokens", second.tokens)
            # "Level" only when the figures are close; a lead that is real in tokens but
            # smaller than the leader's free tier is told as exactly that.
            margin = facts.market.leader_margin_pct
            close = (margin is not None and margin < DEAD_HEAT_PCT) \
                or top.tokens - second.tokens >= top.free_tokens
            text = (f"{top.name} and {second.name} finished level at the top, "
                    + (f"each with {first} tokens as rounded here." if first == other else
                       f"with {first} and {other} tokens.") if close else
                    f"{top.name} finished first on {first} tokens to {other} for {second.name}, "
                    "a lead smaller than its own free-tier volume.")
        else:
            volume = tokens(book, "models.0.tokens", top.tokens)
            text = pick([f"{top.name} is the most-used model with {volume} tokens.",
                         f"{top.name} leads the rankings on {volume} tokens."], w)
        out.append(Bullet("Top Rankings", paragraph(book.sentence(text))))
    arrivals = [m for m in facts.models[:shown_models(facts, top_n)] if m.arrival is not None]
    if arrivals:
        out.append(Bullet("New Entrants", paragraph(book.sentence(
            arrivals_sentence(facts, arrivals[:3], book)))))
    total = facts.total
    volume = tokens(book, "total.tokens", total.tokens, 1)
    subject = (f"The models in {scope.top(book)} together processed" if scope.is_list
               else pick(["All models together processed", "The platform as a whole carried"], w))
    text = f"{subject} {volume} tokens"
    if total.change_pct is not None and not within_rounding(facts):
        text += f" ({signed_pct(book, 'total.change_pct', total.change_pct)} on the week)"
    out.append(Bullet("Total Volume", paragraph(book.sentence(text + "."))))
    if facts.models and scope.is_list and len(facts.models) > 3:
        # The list's share of itself is 100 % by construction; its concentration is not.
        out.append(Bullet("Competitive Landscape", paragraph(book.sentence(
            f"The leader took {pct(book, 'market.leader_share_pct', facts.market.leader_share_pct)}"
            f" of {scope.whole(book)}, and the top three together "
            f"{pct(book, 'market.top3_share_pct', facts.market.top3_share_pct)}."))))
    elif facts.models and not scope.is_list:
        n = book.num("market.top_n", facts.market.top_n, "card")
        top_share = pct(book, "market.top_n_share_pct", facts.market.top_n_share_pct)
        leader = pct(book, "market.leader_share_pct", facts.market.leader_share_pct)
        out.append(Bullet("Competitive Landscape", paragraph(book.sentence(pick([
            f"The top {n} models took {top_share} of all tokens, and the leader alone {leader}.",
            f"The leader alone held {leader} of all tokens and the top {n} together {top_share}.",
        ], w)))))
    gainers = facts.movers.gainers
    named = {m.model for m in arrivals[:3]}
    if gainers and len(out) < 7 and gainers[0].model not in named:
        # A gain that "New Entrants" already tells would be the same news twice.
        g = gainers[0]
        tail = ("more than any other model." if not scope.is_list else
                "the largest gain among the models listed in both weeks.")
        out.append(Bullet("Biggest Gain", paragraph(book.sentence(
            f"{g.name} added {tokens(book, 'movers.gainers.0.change_tokens', g.change_tokens)} "
            f"tokens, {tail}"))))
    return out[:7]


def _regional_growth(facts: Facts, book: ClaimBook, scope: Scope, w: int) -> Bullet | None:
    a, b = facts.regions[0], facts.regions[1]
    if facts.source.changed_this_week:
        return None
    if scope.is_list:
        # A country's listed volume moves with the list's membership, so its share of the
        # list is the figure that means something from week to week.
        if a.prev_share_pct is None:
            return None
        return Bullet("Share of the List", paragraph(book.sentence(
            f"{a.adjective} models held {pct(book, 'regions.0.share_pct', a.share_pct)} of "
            f"{scope.whole(book)}, against "
            f"{pct(book, 'regions.0.prev_share_pct', a.prev_share_pct)} of last week's.")))
    if a.change_pct is None or b.change_pct is None:
        return None
    diverging = (a.change_pct > 0) != (b.change_pct > 0)
    linker = "while" if diverging else "and"
    # The variant is chosen before the figures are rendered: a zero reads differently in each.
    if pick((True, False), w):
        text = (f"{a.adjective} usage saw {change_noun(book, 'regions.0.change_pct', a.change_pct)}"
                f" on the week, {linker} {b.adjective} usage saw "
                f"{change_noun(book, 'regions.1.change_pct', b.change_pct)}.")
    else:
        text = (f"On the week, {a.adjective} volume was "
                f"{change_verb(book, 'regions.0.change_pct', a.change_pct)} {linker} "
                f"{b.adjective} volume was "
                f"{change_verb(book, 'regions.1.change_pct', b.change_pct)}.")
    return Bullet("Growth Divergence" if diverging else "Regional Growth",
                  paragraph(book.sentence(text)))


def _with_notes(section: Section, notes: Notes, model_id: str | None = None) -> Section:
    extra = notes.sections.get(section.id, ())
    if not extra:
        return section
    return Section(section.id, section.title, section.paragraphs + extra, section.bullets,
                   section.chart, section.table)


def _words(parts: list[str]) -> int:
    return sum(len(p.split()) for p in parts)


def write_story(facts: Facts, report: Report, notes: Notes) -> Story:
    """Write the article for one week; every figure goes through the claim book."""
    book = ClaimBook(significant=facts.source.significant_figures, style=report.style)
    w = week_index(facts.week)
    angle = choose_angle(facts, w)
    others = [a for a in candidate_angles(facts, w) if a.kind != angle.kind]
    with book.aside():
        headline = book.sentence(title_case(angle.headline(book)))
        subtitle = (book.sentence(title_case(others[0].headline(book)))
                    if others and others[0].score > 0.3 else "")
        summary = angle.summary(book)
    # The body is written first and says each figure once; the takeaways, written last, sum it
    # up and are the only second mention a figure gets.
    lede = _lede(facts, book, report.source_name, angle.kind, w)
    why, cause = causes_section(facts, book, w)
    sections: list[Section] = [] if why is None else [why]
    sections += [model_section(facts, m, book, w) for m in notable_models(facts, report.top_n)]
    for writer in (
        lambda: regional_section(facts, book, w),
        lambda: rankings_section(facts, book, report.top_n, w),
        lambda: technical_section(facts, book, w),
        lambda: cost_section(facts, book, w),
        lambda: declining_section(facts, book, w),
        lambda: developers_section(facts, book, w),
        lambda: ahead_section(facts, book, w),
    ):
        section = writer()
        if section is not None:
            sections.append(section)
    sections = [_with_notes(s, notes) for s in sections]
    if facts.total.growth_streak_weeks or facts.total.prev_tokens is not None:
        sections = _attach_total_chart(sections)
    take, call = take_bullets(facts, book, notes, report.source_name, w)
    takeaways = _takeaways(facts, book, report.top_n, w)
    texts = [headline, summary, *lede, *(plain(b.body) for b in takeaways), *(
        plain(p) for s in sections for p in s.paragraphs), *(
        plain(b.body) for s in sections for b in s.bullets), *(plain(b.body) for b in take)]
    words = _words(texts)
    minutes = max(1, math.ceil(words / WORDS_PER_MINUTE))
    date_text = f"Week of {book.num('week', facts.week, 'date')}"
    book.sentence(date_text)
    book.num("edition.reading_minutes", minutes, "int")
    book.sentence(f"{minutes} min read")
    return Story(
        headline=headline,
        slug=facts.iso_week.lower(),
        summary=paragraph(summary),
        subtitle=subtitle,
        meta=Meta(facts.week, date_text, report.category, minutes, words),
        lede=tuple(paragraph(p) for p in lede),
        takeaways=tuple(takeaways),
        sections=tuple(sections),
        take_title=f"{report.brand}'s Take",
        take=take,
        description=summary,
        tags=_tags(facts, report),
        angle=angle.kind,
        claims=book.done(),
        source_note=f"weekly token counts per model from {report.source_name}",
        cause=paragraph(cause) if cause else (),
        call=call,
    )


def _attach_total_chart(sections: list[Section]) -> list[Section]:
    # The total-volume chart belongs with the first section; the share chart with the rankings.
    out = []
    for i, s in enumerate(sections):
        chart = s.chart
        if i == 0 and chart is None:
            chart = "total"
        out.append(Section(s.id, s.title, s.paragraphs, s.bullets, chart, s.table))
    rankings = next((i for i, s in enumerate(out) if s.id == "rankings"), None)
    tech = next((i for i, s in enumerate(out) if s.id == "technical-context"), None)
    if rankings is not None and tech is not None and out[tech].chart is None:
        t = out[tech]
        out[tech] = Section(t.id, t.title, t.paragraphs, t.bullets, "share", t.table)
    return out


def _tags(facts: Facts, report: Report) -> tuple[str, ...]:
    tags = ["LLM usage", report.category]
    tags += [r.name.removeprefix("the ") for r in facts.regions[:2]]
    tags += [m.name for m in facts.models[:3]]
    seen: dict[str, None] = {}
    for tag in tags:
        seen.setdefault(capitalise(tag), None)
    return tuple(seen)
