"""The closing parts: what it means for developers, looking ahead, and the take with its
automatic caveats, merged with the editor's notes."""

from __future__ import annotations

from typing import cast

from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.story.calls import (
    call_record,
    debut_rate_sentence,
    leader_rate_sentence,
)
from generator.kinds.llm_usage.story.scope import Scope, dead_heat, level_within_rounding
from generator.ledger.numbers import ClaimBook
from generator.story.model import Bullet, CallRecord, Section, paragraph
from generator.story.notes import Notes, notes_cover, take_with_notes
from generator.story.phrases import capitalise, join_list, pct, pick, tokens, weeks_phrase


def developers_section(facts: Facts, book: ClaimBook, w: int) -> Section | None:
    """Bullets for developers, each drawn from a figure the article has already given: advice
    points back to it in words instead of stating it again."""
    bullets: list[Bullet] = []
    priced = [r for r in facts.regions[:2] if r.avg_price_prompt is not None]
    if len(priced) == 2:
        cheap, dear = sorted(priced, key=lambda r: r.avg_price_prompt or 0.0)
        if (cheap.avg_price_prompt or 0) < (dear.avg_price_prompt or 0):
            bullets.append(Bullet("Cost", paragraph(book.sentence(pick([
                f"Input tokens on the {cheap.adjective} models in use cost less on average than "
                f"on {dear.adjective} ones, so the price gap is worth testing on your own "
                "workloads.",
                f"The {cheap.adjective} models in use are the cheaper ones per input token; "
                "measure what that saving buys on your own tasks before it decides anything.",
            ], w)))))
    top = [m for m in facts.models[:5] if m.context_length]
    if top:
        window = max(m.context_length or 0 for m in top)
        longest = [m.name for m in top if m.context_length == window]
        # A shared maximum is told as shared: "has the longest" would crown one of a tie.
        bullets.append(Bullet("Long Context", paragraph(book.sentence(pick([
            f"{longest[0]} has the longest context window among the five most-used models, "
            "enough to pass whole repositories or long contracts in one request.",
            f"Of the five most-used models, {longest[0]} takes the longest input, which "
            "matters for whole-repository and long-document work.",
        ], w) if len(longest) == 1 else pick([
            f"{join_list(longest)} share the longest context window among the five most-used "
            "models, enough to pass whole repositories or long contracts in one request.",
            f"Of the five most-used models, {join_list(longest)} take the longest input, which "
            "matters for whole-repository and long-document work.",
        ], w)))))
    scope = Scope.of(facts)
    open_share = facts.market.open_weights_share_pct
    if open_share is not None and facts.market.open_weights_tokens and \
            (open_share >= 40 or open_share < 15):
        bullets.append(Bullet("Open Weights", paragraph(book.sentence(pick([
            "Open-weight models carry a large part of the volume, so self-hosting remains a "
            "real option for teams with data-residency rules.",
            "With so much of the traffic on open weights, running a model on your own "
            "hardware is a tested path, not an experiment.",
        ], w) if open_share >= 40 else pick([
            "Open-weight models carry only a small part of the volume; self-hosting is "
            "possible but off the beaten path.",
            "Few of the tokens go to open weights, so a self-hosted model means leaving the "
            "crowd.",
        ], w)))))
    if facts.models:
        # The variant is chosen first: only the first renders the list's size.
        text = (f"With one model holding the largest share of {scope.whole(book)}, a fallback "
                "from another maker keeps an outage or a price change from stopping your product."
                if pick((True, False), w) else
                "Keep a second model from another maker wired in: a single provider's outage or "
                "price change should not stop your product.")
        bullets.append(Bullet("Concentration", paragraph(book.sentence(text))))
    if not bullets:
        return None
    return Section(id="developers", title="What This Means for Developers",
                   bullets=tuple(bullets))


def ahead_section(facts: Facts, book: ClaimBook, w: int = 0) -> Section | None:
    """What next week could bring: streaks that could extend or end, gaps that could close."""
    sentences: list[str] = []
    lead = facts.lead
    if lead and lead.runner_up and lead.streak_weeks >= 2:
        a, b = facts.regions[0], facts.regions[1]
        sentences.append(book.sentence(pick([
            f"Next week will show whether {a.adjective} models extend their run ahead of "
            f"{b.adjective} ones.",
            f"The open question for next week is whether the {a.adjective} lead over "
            f"{b.adjective} models survives another seven days.",
        ], w)))
    if len(facts.models) > 1 and facts.market.leader_margin_tokens is not None:
        top, second = facts.models[0], facts.models[1]
        # Set together with leader_margin_tokens (facts/compute.py), so not None here.
        margin_pct = cast(float, facts.market.leader_margin_pct)
        if level_within_rounding(facts, top.tokens, second.tokens):
            sentences.append(book.sentence(
                f"{top.name} and {second.name} are level within the source's rounding, at "
                f"{tokens(book, 'models.0.tokens', top.tokens)} and "
                f"{tokens(book, 'models.1.tokens', second.tokens)} tokens, so next week's "
                "order is open."))
        elif dead_heat(facts):
            gap = tokens(book, "market.leader_margin_tokens", facts.market.leader_margin_tokens)
            sentences.append(book.sentence(
                f"Next week will show which of {top.name} and {second.name} pulls clear: "
                f"{gap} tokens separate them now."))
        else:
            gap = tokens(book, "market.leader_margin_tokens", facts.market.leader_margin_tokens)
            gap_pct = pct(book, "market.leader_margin_pct", margin_pct)
            sentences.append(book.sentence(pick([
                f"{top.name} leads {second.name} by {gap} tokens, a gap of {gap_pct} of "
                f"{second.name}'s volume.",
                f"{second.name} would need {gap} more tokens, {gap_pct} on its volume, to "
                f"draw level with {top.name}.",
            ], w)))
            kept = leader_rate_sentence(facts, book)
            if kept:
                sentences.append(kept)
    scope = Scope.of(facts)
    newcomers = [m.name for m in facts.models[:10] if m.arrival is not None]
    if newcomers:
        one = len(newcomers) == 1
        sentences.append(book.sentence(pick([
            f"The second week will tell whether {join_list(newcomers)} "
            f"{'holds its place' if one else 'hold their places'}{scope.among(book)}.",
            f"A second week{scope.among(book)} will show whether {join_list(newcomers)} "
            f"{'has' if one else 'have'} staying power.",
        ], w)))
        debut = debut_rate_sentence(facts, book)
        if debut:
            sentences.append(debut)
    growth = facts.total.growth_streak_weeks
    if growth >= 2 and not book.said("total.growth_streak_weeks"):
        sentences.append(book.sentence(
            f"{capitalise(scope.volume(book))} has grown for "
            f"{weeks_phrase(book, 'total.growth_streak_weeks', growth)}; a week without growth "
            "would end the run."))
    elif facts.total.change_pct is not None and facts.total.change_pct < 0 and not scope.is_list:
        sentences.append(book.sentence(pick([
            "After a weaker week, the question is whether demand recovers or the fall "
            "becomes a trend.",
            "One soft week is not a trend; the next will show whether demand picks up again.",
        ], w)))
    if not sentences:
        return None
    return Section(id="looking-ahead", title="Looking Ahead",
                   paragraphs=(paragraph(" ".join(sentences)),))


# Cue words of each automatic caveat: an editor's risks note that uses one already covers it.
PLATFORM_CUES = ("directly", "slice of the market", "only traffic")
TOKENIZER_CUES = ("tokenizer",)
FREE_CUES = ("free tier", "free variant", "promotion")
COUNTRY_CUES = ("country", "long tail")


def caveats(facts: Facts, book: ClaimBook, source: str, w: int,
            notes: Notes | None = None) -> list[str]:
    """Automatic limitations: one platform, tokenizers, free tiers, unattributed volume,
    rounded figures; each only when it applies, and none that the editor's notes cover."""
    notes = notes or Notes()
    out = [] if notes_cover(notes, "risks", PLATFORM_CUES) else [book.sentence(pick([
        f"The figures cover traffic on {source} only, not usage that goes to the model makers "
        "directly.",
        f"Only traffic routed through {source} is counted; requests sent directly to the model "
        "makers never appear here."], w))]
    if facts.market.authors > 1 and not notes_cover(notes, "risks", TOKENIZER_CUES):
        out.append(book.sentence(pick([
            "Models count tokens with different tokenizers, so the same text can be a different "
            "number of tokens on two models and volumes are not strictly comparable.",
            "Each maker's tokenizer splits text its own way, so a token on one model is not "
            "exactly a token on another and cross-model volumes are approximate."], w)))
    cov = facts.coverage
    scope = Scope.of(facts)
    if scope.is_list:
        out.append(book.sentence(
            f"{source} publishes only its weekly {scope.list_name(book)}, so every total and share here "
            f"is of the listed models, and a model outside the list has no figure at all."))
    change = source_change_sentence(facts, book)
    if change:
        out.append(change)
    if cov.free_variant_tokens and not notes_cover(notes, "risks", FREE_CUES):
        free = tokens(book, "coverage.free_variant_tokens", cov.free_variant_tokens)
        out.append(book.sentence(pick([
            f"Free variants contributed {free} tokens, volume that can vanish when a promotion "
            "ends.",
            f"Of this week's volume, {free} tokens ran on free variants, which a provider can "
            "withdraw at any time.",
        ], w)))
    unattributed = cov.others_tokens + cov.unknown_country_tokens
    if unattributed and not scope.is_list and not book.said("coverage.attributed_share_pct") \
            and not notes_cover(notes, "risks", COUNTRY_CUES):
        out.append(book.sentence(
            f"A country could be given to "
            f"{pct(book, 'coverage.attributed_share_pct', cov.attributed_share_pct)} of the "
            "volume; the rest sits in the long tail or with makers of unknown origin and is left "
            "out of the country totals."))
    if cov.rounded_figures and not facts.source.changed_this_week:
        out.append(book.sentence(
            "The source rounds its figures, so small changes may be rounding rather than "
            "movement."))
    return out


_CHANGE_WORDS = {
    "rows": "it lists more models a week",
    "rounding": "its figures are rounded",
    "source": "the data comes from another source",
    "coverage": "the rows cover another share of the volume",
}
_UNROUNDED_WORDS = "its figures are no longer rounded"


def source_change_sentence(facts: Facts, book: ClaimBook) -> str | None:
    """The caveat for a change of the source's method, this week or since a recent week."""
    source = facts.source
    if source.break_week is None:
        return None
    if source.changed_this_week:
        what = [(_UNROUNDED_WORDS if c == "rounding" and source.significant_figures is None
                 else _CHANGE_WORDS[c]) for c in source.changes]
        rounding = (f" to {book.num('source.significant_figures', source.significant_figures, 'card')}"
                    " significant figures" if "rounding" in source.changes
                    and source.significant_figures is not None else "")
        return book.sentence(
            f"The source changed its method this week ({join_list(what)}{rounding}), so this "
            "week's totals are not comparable with earlier ones, and no growth streak or record "
            "reaches across the change.")
    return book.sentence(
        f"The source changed its method in the week of "
        f"{book.num('source.break_week', source.break_week, 'date')}; growth streaks and records "
        "here count only from that week.")


def take_bullets(
    facts: Facts, book: ClaimBook, notes: Notes, source: str, w: int
) -> tuple[tuple[Bullet, ...], CallRecord]:
    """The take: 🔥 why it matters, ⚠️ limitations and risks, 💡 advice, 🎯 the call. An
    editor's note for the why or the advice replaces the machine's line on the same ground."""
    why_auto: list[str] = []
    lead = facts.lead
    editor_why = bool(notes.take.get("why"))
    if not editor_why and lead and lead.runner_up and lead.streak_weeks >= 1 \
            and len(facts.regions) > 1:
        a, b = facts.regions[0].adjective, facts.regions[1].adjective
        why_auto.append(book.sentence(pick([
            f"Where developers send their tokens is a vote with their budgets, and this week "
            f"{a} models won more of it than {b} ones.",
            f"Token volume is the clearest trace of what developers actually run, and this week "
            f"it favoured {a} models over {b} ones.",
            f"Developers pay for what they use, so a lead in tokens is a lead in real work "
            f"done, and {a} models hold it over {b} ones.",
        ], w)))
    elif not editor_why and facts.models:
        why_auto.append(book.sentence(
            f"Usage shows which models developers rely on in production, and this week "
            f"{facts.models[0].name} carried the most of it."))
    names = [m.name for m in facts.models[:3] if m.arrival == "launch" or m.rank == 1]
    listed = join_list(names) or "the leaders"
    advice_auto = [] if notes_cover(notes, "advice", ADVICE_CUES) else [book.sentence(pick([
        f"Benchmark {listed} against the models you use today on your own tasks, especially "
        "coding and long documents, before moving traffic.",
        f"Put {listed} through your own evaluation set, on the tasks that cost you most, and "
        "compare quality per dollar before switching.",
        f"Before this week's ranking changes your stack, rerun your own tests on {listed} and "
        "judge them on the work you actually send.",
    ], w))]
    call = call_record(facts, book, w)
    said = [s for s in (call.graded, call.record, call.expectation) if s]
    return take_with_notes({"why": why_auto, "risks": caveats(facts, book, source, w, notes),
                            "advice": advice_auto, "call": said}, notes), call


ADVICE_CUES = ("evaluation", "benchmark", "your own test")
