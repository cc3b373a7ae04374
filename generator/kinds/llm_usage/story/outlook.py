"""The closing parts: what it means for developers, looking ahead, and the take with its
automatic caveats, merged with the editor's notes."""

from __future__ import annotations

from typing import cast

from generator.kinds.llm_usage.facts.model import Facts
from generator.kinds.llm_usage.story.scope import Scope, level_within_rounding
from generator.ledger.numbers import ClaimBook
from generator.story.model import Bullet, Section, paragraph
from generator.story.notes import Notes, take_with_notes
from generator.story.phrases import capitalise, join_list, pct, pick, tokens, weeks_phrase


def developers_section(facts: Facts, book: ClaimBook, w: int) -> Section | None:
    """Bullets for developers, each grounded in a figure of the week."""
    bullets: list[Bullet] = []
    priced = [(i, r) for i, r in enumerate(facts.regions[:2]) if r.avg_price_prompt is not None]
    if len(priced) == 2:
        (i, cheap), (j, dear) = sorted(priced, key=lambda p: p[1].avg_price_prompt or 0.0)
        if (cheap.avg_price_prompt or 0) < (dear.avg_price_prompt or 0):
            bullets.append(Bullet("Cost", paragraph(book.sentence(
                f"Input tokens on the {cheap.adjective} models in use cost "
                f"${book.num(f'regions.{i}.avg_price_prompt', cheap.avg_price_prompt, 'usd:2')} "
                f"per million on average, against "
                f"${book.num(f'regions.{j}.avg_price_prompt', dear.avg_price_prompt, 'usd:2')} "
                f"for {dear.adjective} ones, so the price gap is worth testing on your own "
                "workloads."))))
    top = [m for m in facts.models[:5] if m.context_length]
    if top:
        longest = max(top, key=lambda m: (m.context_length or 0, -m.rank))
        bullets.append(Bullet("Long Context", paragraph(book.sentence(
            f"{longest.name} brings a "
            f"{book.num(f'models.{longest.rank - 1}.context_length', longest.context_length, 'ctx')}"
            + pick(["-token window to the leading group, enough to pass whole repositories or long "
                    "contracts in one request.",
                    "-token window, the longest among the five most-used models, to the "
                    "leading group."], w)))))
    scope = Scope.of(facts)
    open_share = facts.market.open_weights_share_pct
    if open_share is not None and facts.market.open_weights_tokens and open_share < 100:
        bullets.append(Bullet("Open Weights", paragraph(book.sentence(
            f"Open-weight models carried "
            f"{pct(book, 'market.open_weights_share_pct', open_share)}"
            f" of the {'listed ' if scope.is_list else ''}volume with a known licence, so "
            "self-hosting remains a real option for teams with data-residency rules."))))
    if facts.models:
        bullets.append(Bullet("Concentration", paragraph(book.sentence(
            f"The leader alone took "
            f"{pct(book, 'market.leader_share_pct', facts.market.leader_share_pct)} of "
            f"{scope.whole(book)}; a fallback model from another maker keeps an outage or a "
            "price change from stopping your product."))))
    if not bullets:
        return None
    return Section(id="developers", title="What This Means for Developers",
                   bullets=tuple(bullets))


def ahead_section(facts: Facts, book: ClaimBook) -> Section | None:
    """What next week could bring: streaks that could extend or end, gaps that could close."""
    sentences: list[str] = []
    lead = facts.lead
    if lead and lead.runner_up and lead.streak_weeks >= 2:
        a, b = facts.regions[0], facts.regions[1]
        sentences.append(book.sentence(
            f"Next week will show whether {a.adjective} models extend a lead over {b.adjective} "
            f"ones that has lasted {weeks_phrase(book, 'lead.streak_weeks', lead.streak_weeks)}."))
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
        else:
            sentences.append(book.sentence(
                f"{top.name} leads {second.name} by "
            f"{tokens(book, 'market.leader_margin_tokens', facts.market.leader_margin_tokens)} "
                f"tokens, a gap of "
                f"{pct(book, 'market.leader_margin_pct', margin_pct)} "
                f"of {second.name}'s volume."))
    scope = Scope.of(facts)
    newcomers = [m.name for m in facts.models[:10] if m.arrival is not None]
    if newcomers:
        one = len(newcomers) == 1
        sentences.append(book.sentence(
            f"The second week will tell whether {join_list(newcomers)} "
            f"{'holds its place' if one else 'hold their places'}"
            f"{scope.among(book)}."))
    growth = facts.total.growth_streak_weeks
    if growth >= 2:
        sentences.append(book.sentence(
            f"{capitalise(scope.volume(book))} has grown for "
            f"{weeks_phrase(book, 'total.growth_streak_weeks', growth)}; a week without growth "
            "would end the run."))
    elif facts.total.change_pct is not None and facts.total.change_pct < 0 and not scope.is_list:
        sentences.append(book.sentence(
            "After a weaker week, the question is whether demand recovers or the fall "
            "becomes a trend."))
    if not sentences:
        return None
    return Section(id="looking-ahead", title="Looking Ahead", paragraphs=(paragraph(" ".join(sentences)),))


def caveats(facts: Facts, book: ClaimBook, source: str, w: int) -> list[str]:
    """Automatic limitations: one platform, tokenizers, free tiers, unattributed volume,
    rounded figures; each only when it applies."""
    out = [book.sentence(pick([
        f"The figures cover traffic on {source} only, not usage that goes to the model makers "
        "directly.",
        f"Only traffic routed through {source} is counted; requests sent directly to the model "
        "makers never appear here."], w))]
    if facts.market.authors > 1:
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
    if cov.free_variant_tokens:
        out.append(book.sentence(
            f"Free variants contributed "
            f"{tokens(book, 'coverage.free_variant_tokens', cov.free_variant_tokens)} tokens, "
            "volume that can vanish when a promotion ends."))
    unattributed = cov.others_tokens + cov.unknown_country_tokens
    if unattributed and not scope.is_list:
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
) -> tuple[Bullet, ...]:
    """The take: 🔥 why it matters, ⚠️ limitations and risks, 💡 advice."""
    why_auto: list[str] = []
    lead = facts.lead
    if lead and lead.runner_up and lead.streak_weeks >= 1 and len(facts.regions) > 1:
        a, b = facts.regions[0].adjective, facts.regions[1].adjective
        why_auto.append(book.sentence(pick([
            f"Where developers send their tokens is a vote with their budgets, and this week "
            f"{a} models won more of it than {b} ones.",
            f"Token volume is the clearest trace of what developers actually run, and this week "
            f"it favoured {a} models over {b} ones."], w)))
    elif facts.models:
        why_auto.append(book.sentence(
            f"Usage shows which models developers rely on in production, and this week "
            f"{facts.models[0].name} carried the most of it."))
    names = [m.name for m in facts.models[:3] if m.arrival == "launch" or m.rank == 1]
    listed = join_list(names) or "the leaders"
    advice_auto = [book.sentence(pick([
        f"Benchmark {listed} against the models you use today on your own tasks, especially "
        "coding and long documents, before moving traffic.",
        f"Put {listed} through your own evaluation set, on the tasks that cost you most, and "
        "compare quality per dollar before switching."], w))]
    return take_with_notes({"why": why_auto, "risks": caveats(facts, book, source, w),
                            "advice": advice_auto}, notes)
