"""The body sections: notable models, the regional race, rankings, technical context, cost,
and the declining side. Each writer returns None when the week's data does not support it."""

from __future__ import annotations

from generator.kinds.llm_usage.facts.model import Facts, ModelFacts
from generator.kinds.llm_usage.story.causes import free_tier_clause
from generator.kinds.llm_usage.story.scope import ARRIVAL_LABELS, DEAD_HEAT_PCT, Scope, dead_heat
from generator.ledger.numbers import ClaimBook, article_for
from generator.story.model import Bullet, Section, Table, paragraph
from generator.story.phrases import (
    capitalise,
    change_noun,
    change_verb,
    join_list,
    pct,
    pick,
    plural,
    signed_pct,
    slugify,
    tie_decimals,
    tokens,
    weeks_phrase,
)


def _m(model: ModelFacts) -> str:
    return f"models.{model.rank - 1}"


def _catalogue_sentence(book: ClaimBook, model: ModelFacts, w: int,
                        named: bool = False) -> str | None:
    parts = []
    at = _m(model)
    if model.context_length:
        window = book.num(f"{at}.context_length", model.context_length, "ctx")
        parts.append(f"{article_for(window)} {window}-token "
                     "context window")
    if len(model.input_modalities) > 1:
        parts.append(f"{join_list(list(model.input_modalities))} input")
    if model.open_weights is not None:
        parts.append("open weights" if model.open_weights else "closed weights")
    if not parts and model.price_prompt is None:
        book.drop_pending()
        return None
    # After a sentence that already cites the catalogue, a second citation would only repeat it.
    # Salted by rank: the sections of one edition open their catalogue lines differently.
    opener = "It offers" if named else pick(
        ["The catalogue lists", "According to the catalogue, it offers",
         "Its catalogue entry shows"], w, model.rank)
    text = f"{opener} {join_list(parts)}" if parts else "The catalogue lists it"
    if model.price_prompt is not None and model.price_completion is not None:
        text += (f", priced at ${book.num(f'{at}.price_prompt', model.price_prompt, 'usd:2')} per "
                 f"million input tokens and "
                 f"${book.num(f'{at}.price_completion', model.price_completion, 'usd:2')} "
                 "per million output tokens")
    return book.sentence(text + ".")


def model_section(facts: Facts, model: ModelFacts, book: ClaimBook, w: int) -> Section:
    """A section on one notable model: volume, change, rank history, catalogue."""
    at = _m(model)
    name = model.name
    maker = model.author_name or model.author or "its maker"
    scope = Scope.of(facts)
    sentences: list[str] = []
    if model.arrival == "launch":
        title = pick([f"{name} Makes Its Debut", f"A Strong Start for {name}"], w)
        if book.said(f"{at}.rank"):
            sentences.append(book.sentence(
                f"{name} from {maker} drew {tokens(book, f'{at}.tokens', model.tokens)} tokens "
                "in its first week on the platform."))
        else:
            rank = book.num(f"{at}.rank", model.rank, "int")
            volume = ("" if book.said(f"{at}.tokens") else
                      f", drawing {tokens(book, f'{at}.tokens', model.tokens)} tokens")
            sentences.append(book.sentence(pick([
                f"{name} from {maker} went straight to number {rank} in its first week on the "
                f"platform{volume}.",
                f"In its first week on the platform, {maker}'s {name} went straight to number "
                f"{rank}{volume}.",
            ], w)))
        if model.released:
            sentences.append(book.sentence(
                f"The catalogue dates its release to "
                f"{book.num(f'{at}.released', model.released, 'date')}."))
    elif model.arrival is not None:
        title, sentences = _entry(facts, model, book, scope, maker)
    elif model.rank == 1:
        level = dead_heat(facts)
        title = (f"{name} Edges Ahead by a Whisker" if level else
                 pick([f"{name} Leads the Pack", f"{name} Stays on Top"], w)
                 if model.weeks_at_rank > 1 else (f"{name} Takes the Lead" if model.prev_rank
                                                  else f"{name} Leads the Rankings"))
        if level:
            sentences.append(book.sentence(_dead_heat_sentence(facts, book, model, maker)))
        elif model.weeks_at_rank == 1:
            sentences.append(book.sentence(pick([
                f"{name} from {maker} is the most-used model{scope.among(book)} this week.",
                f"This week the most-used model{scope.among(book)} is {maker}'s {name}.",
            ], w)))
        if model.weeks_at_rank > 1 and not level and not book.said(f"{at}.weeks_at_rank"):
            held = weeks_phrase(book, f"{at}.weeks_at_rank", model.weeks_at_rank)
            sentences.append(book.sentence(pick([
                f"{name} from {maker} has been the most-used model{scope.among(book)} for {held}.",
                f"{maker}'s {name} has led{scope.among(book)} for {held}.",
            ], w) if maker != name else f"{name} has led{scope.among(book)} for {held}."))
        volume = tokens(book, f"{at}.tokens", model.tokens)
        share = pct(book, f"{at}.share_pct", model.share_pct)
        change = (change_noun(book, f"{at}.change_pct", model.change_pct)
                  if model.change_pct is not None else None)
        sentences.append(book.sentence(pick([
            f"It processed {volume} tokens, "
            + (f"{change} on the week before" if change else "with no comparable week before it")
            + f", and took {share} of {scope.whole(book)}.",
            f"Its {volume} tokens were {share} of {scope.whole(book)}"
            + (f", {change} on the week before." if change else "."),
        ], w, 1)))
    else:
        moved = _rank_move(model)
        title = f"{name} {moved}"
        rank = book.num(f"{at}.rank", model.rank, "int")
        volume = tokens(book, f"{at}.tokens", model.tokens)
        moved = (f", {change_verb(book, f'{at}.change_pct', model.change_pct)} on the week"
                 if model.change_pct is not None else "")
        sentences.append(book.sentence(pick([
            f"{name} from {maker} ranked number {rank} with {volume} tokens{moved}.",
            f"At number {rank}, {maker}'s {name} drew {volume} tokens{moved}."
            if maker != name else f"At number {rank}, {name} drew {volume} tokens{moved}.",
        ], w, model.rank)))
        if model.weeks_at_rank > 1:
            held = weeks_phrase(book, f"{at}.weeks_at_rank", model.weeks_at_rank)
            sentences.append(book.sentence(pick([
                f"It has held that place for {held}.",
                f"That is where it has stood for {held}.",
                f"Its rank has not changed in {held}.",
            ], w, model.rank)))
    catalogue = _catalogue_sentence(book, model, w,
                                    named=any("catalogue" in s for s in sentences))
    if catalogue:
        sentences.append(catalogue)
    return Section(id=slugify(model.model), title=book.sentence(title),
                   paragraphs=(paragraph(" ".join(sentences)),))


def _dead_heat_sentence(facts: Facts, book: ClaimBook, model: ModelFacts, maker: str) -> str:
    """Why a first place is no lead: the reason `dead_heat` found, with its figure."""
    second = facts.models[1].name
    first = f"{model.name} from {maker} finished first{Scope.of(facts).among(book)}"
    margin = facts.market.leader_margin_pct
    gap = model.tokens - facts.models[1].tokens
    if margin is not None and margin < DEAD_HEAT_PCT:
        return (f"{first}, but by too little to call it the leader: {second} is level with it "
                f"within {pct(book, 'market.leader_margin_pct', margin)}.")
    if gap < model.free_tokens and facts.market.leader_margin_tokens is not None:
        return (f"{first}, but its lead over {second}, "
                f"{tokens(book, 'market.leader_margin_tokens', facts.market.leader_margin_tokens)}"
                f" tokens, is smaller than the "
                f"{tokens(book, 'models.0.free_tokens', model.free_tokens)} tokens it drew on its "
                "free tier, volume a promotion's end would take away.")
    return f"{first}, level with {second} within the source's rounding."


def _entry(facts: Facts, model: ModelFacts, book: ClaimBook, scope: Scope,
           maker: str) -> tuple[str, list[str]]:
    """A model that was not listed last week and did not launch this week."""
    at = _m(model)
    name = model.name
    back = model.arrival == "return"
    where = (f"the Top {book.num('coverage.list_size', scope.list_size, 'card')}"
             if scope.is_list else "the Rankings")
    title = f"{name} {'Returns to' if back else 'Breaks Into'} {where}"
    sentences = [book.sentence(
        f"{name} from {maker} {'is back in' if back else 'entered'} "
        f"{scope.top(book) if scope.is_list else 'the figures broken out per model'} at number "
        f"{book.num(f'{at}.rank', model.rank, 'int')}, with "
        f"{tokens(book, f'{at}.tokens', model.tokens)} tokens.")]
    if back and model.last_listed:
        sentences.append(book.sentence(
            f"It was last listed in the week of "
            f"{book.num(f'{at}.last_listed', model.last_listed, 'date')}."))
    elif model.released:
        sentences.append(book.sentence(
            f"It is not a new model: the catalogue dates it to "
            f"{book.num(f'{at}.released', model.released, 'date')}."))
    return title, sentences


def _rank_move(model: ModelFacts) -> str:
    """The heading's verb: the rank's move, and never against the volume's."""
    change = model.change_pct
    if model.prev_rank is None:
        return "in the Rankings"
    if model.prev_rank > model.rank:
        return "Climbs Despite a Dip" if change is not None and change < 0 else \
            "Climbs the Rankings"
    if model.prev_rank < model.rank:
        moved = "Slips a Place" if model.prev_rank == model.rank - 1 else "Loses Ground"
        return f"{moved} Despite Growth" if change is not None and change > 0 else moved
    if model.change_pct is not None and model.change_pct < 0:
        return "Holds Its Place Despite a Dip"
    return "Holds Its Place"


def arrivals_sentence(facts: Facts, arrivals: list[ModelFacts], book: ClaimBook) -> str:
    """One sentence on the models listed this week that were not listed the week before."""
    scope = Scope.of(facts)
    parts = []
    for m in arrivals:
        rank = book.num(f"{_m(m)}.rank", m.rank, "int")
        if m.arrival == "launch":
            parts.append(f"{m.name} entered at number {rank} in its first week")
        elif m.arrival == "return":
            parts.append(f"{m.name} is back{scope.among(book)} at number {rank}")
        else:
            parts.append(f"{m.name} is new{scope.among(book) or ' to the figures'} at number "
                         f"{rank}")
    # Semicolons keep each model's clause apart: a launch and a mere entry never blur.
    return "; ".join(parts) + "."


def notable_models(facts: Facts, top_n: int) -> list[ModelFacts]:
    """The leader, the newcomers in the top N, and the biggest mover of the top N, in rank order."""
    chosen: dict[str, ModelFacts] = {}
    if facts.models:
        chosen[facts.models[0].model] = facts.models[0]
    for model in facts.models[:3]:
        chosen.setdefault(model.model, model)
    for model in facts.models[:top_n]:
        if model.arrival == "launch":
            chosen.setdefault(model.model, model)
    for mover in facts.movers.gainers[:1] + facts.movers.losers[:1]:
        found = facts.model(mover.model)
        if found is not None and found.rank <= top_n:
            chosen.setdefault(found.model, found)
    return sorted(chosen.values(), key=lambda m: m.rank)[:5]


def regional_section(facts: Facts, book: ClaimBook, w: int) -> Section | None:
    """The country race, the regions table and what has no country."""
    lead = facts.lead
    if lead is None or lead.runner_up is None or len(facts.regions) < 2:
        return None
    a, b = facts.regions[0], facts.regions[1]
    scope = Scope.of(facts)
    sentences = []
    if lead.streak_weeks == 0:
        sentences.append(book.sentence(
            f"{a.adjective} and {b.adjective} models are level at "
            f"{tokens(book, 'regions.0.tokens', a.tokens)} tokens each."))
    elif scope.is_list:
        # A country's listed volume moves with the list's membership; its change would say
        # more about who made the list than about use.
        sentences.append(book.sentence(
            f"{a.adjective} models{scope.among(book)} drew "
            f"{tokens(book, 'regions.0.tokens', a.tokens)} tokens and {b.adjective} models "
            f"{tokens(book, 'regions.1.tokens', b.tokens)}."))
    else:
        ta, tb = tokens(book, "regions.0.tokens", a.tokens), tokens(book, "regions.1.tokens", b.tokens)
        ca = (f", {change_noun(book, 'regions.0.change_pct', a.change_pct)}"
              if a.change_pct is not None else "")
        cb = (f", {change_noun(book, 'regions.1.change_pct', b.change_pct)}"
              if b.change_pct is not None else "")
        sentences.append(book.sentence(pick([
            f"{a.adjective} models drew {ta} tokens{ca}, while {b.adjective} models drew {tb}{cb}.",
            f"The {a.adjective} total came to {ta} tokens{ca}; the {b.adjective} one to {tb}{cb}.",
        ], w)))
        if lead.streak_weeks > 1 and not book.said("lead.streak_weeks"):
            sentences.append(book.sentence(
                f"That puts {a.name} ahead of {b.name} for "
                f"{_ordinal(book, lead.streak_weeks)}."))
        elif lead.changed_this_week and not book.said("lead.streak_weeks"):
            sentences.append(book.sentence(f"{capitalise(a.name)} moved ahead of {b.name} this week."))
    sa, sb = pct(book, "regions.0.share_pct", a.share_pct), pct(book, "regions.1.share_pct", b.share_pct)
    sentences.append(book.sentence(pick([
        f"Together they account for {sa} and {sb} of {scope.whole(book)}, respectively.",
        f"Their shares of {scope.whole(book)} are {sa} and {sb}, respectively.",
    ], w, 1)))
    rest = facts.regions[2:5]
    if rest:
        listed = [f"{r.name} ({tokens(book, f'regions.{i + 2}.tokens', r.tokens)})"
                  for i, r in enumerate(rest)]
        verb = "comes" if len(listed) == 1 else "come"
        sentences.append(book.sentence(pick([
            f"Further back {verb} {join_list(listed)}.",
            f"Behind them {'is' if len(listed) == 1 else 'are'} {join_list(listed)}.",
        ], w)))
    cov = facts.coverage
    if cov.others_tokens == 0 and cov.unknown_country_tokens:
        sentences.append(book.sentence(
            f"Models whose maker's country is unknown hold "
            f"{pct(book, 'coverage.unknown_country_share_pct', cov.unknown_country_share_pct)}"
            f" of {scope.whole(book)} and count for no country."))
    elif cov.others_tokens:
        attributed = pct(book, "coverage.attributed_share_pct", cov.attributed_share_pct)
        tail = pct(book, "coverage.others_share_pct", cov.others_share_pct)
        unknown = (", and models whose maker's country is unknown hold "
                   + pct(book, "coverage.unknown_country_share_pct", cov.unknown_country_share_pct)
                   if cov.unknown_country_tokens else "")
        sentences.append(book.sentence(pick([
            f"Only {attributed} of the volume can be given a country: the long tail that the "
            f"data does not break out per model holds {tail}{unknown}.",
            f"These country figures cover {attributed} of the volume; the long tail, which the "
            f"data does not break out per model, holds {tail}{unknown}.",
        ], w)))
    title = pick(["The Regional Race", "Where the Tokens Come From"], w)
    return Section(id="regional-race", title=title, paragraphs=(paragraph(" ".join(sentences)),),
                   chart="regions", table=_regions_table(facts, book))


def _ordinal(book: ClaimBook, weeks: int) -> str:
    return f"the {book.num('lead.streak_weeks', weeks, 'ord')} consecutive week"


def _regions_table(facts: Facts, book: ClaimBook) -> Table:
    listed = Scope.of(facts).is_list
    rows = []
    places = tie_decimals(book, [r.share_pct for r in facts.regions[:6]])
    for i, r in enumerate(facts.regions[:6]):
        if listed:
            # A list's country volume moves with its membership: its share is compared instead.
            moved = (pct(book, f"regions.{i}.prev_share_pct", r.prev_share_pct)
                     if r.prev_share_pct is not None else "n/a")
        else:
            moved = (signed_pct(book, f"regions.{i}.change_pct", r.change_pct)
                     if r.change_pct is not None else "n/a")
        cells = (
            r.name.removeprefix("the "),
            tokens(book, f"regions.{i}.tokens", r.tokens),
            pct(book, f"regions.{i}.share_pct", r.share_pct, places[i]) if listed else moved,
            moved if listed else pct(book, f"regions.{i}.share_pct", r.share_pct, places[i]),
        )
        book.sentence(" · ".join(cells), prose=False)
        rows.append(cells)
    columns = (("Country", "Tokens", "Share", "Share last week") if listed else
               ("Country", "Tokens", "Change", "Share"))
    return Table("Tokens by country of the model's maker", columns, tuple(rows),
                 (False, True, True, True))


def shown_models(facts: Facts, top_n: int) -> int:
    """How many models the rankings show: the report's top N, or the whole of a list a little
    longer than that (a top-11 list is shown whole, not cut at 10)."""
    if Scope.of(facts).is_list and len(facts.models) <= 2 * top_n:
        return max(top_n, len(facts.models))
    return top_n


def rankings_section(facts: Facts, book: ClaimBook, top_n: int, w: int = 0) -> Section | None:
    """The top N table, with its chart."""
    if not facts.models:
        return None
    rows = []
    shown = facts.models[:shown_models(facts, top_n)]
    places = tie_decimals(book, [m.share_pct for m in shown])
    for model, share_places in zip(shown, places, strict=True):
        at = _m(model)
        change = (ARRIVAL_LABELS[model.arrival] if model.arrival is not None else
                  signed_pct(book, f"{at}.change_pct", model.change_pct)
                  if model.change_pct is not None else "n/a")
        cells = (
            book.num(f"{at}.rank", model.rank, "int"),
            model.name,
            model.author_name or model.author or "unknown",
            tokens(book, f"{at}.tokens", model.tokens),
            change,
            pct(book, f"{at}.share_pct", model.share_pct, share_places),
        )
        book.sentence(" · ".join(cells), prose=False)
        rows.append(cells)
    tracked = facts.market.models_tracked
    makers = (f"{book.num('market.models_tracked', tracked, 'card')} {plural(tracked, 'model')} "
              f"from {book.num('market.authors', facts.market.authors, 'card')} "
              f"{plural(facts.market.authors, 'maker')}")
    if Scope.of(facts).is_list:
        published = facts.source.rows
        merged = (f"; its {book.num('source.rows', published, 'card')} rows include variants "
                  "counted with their model" if published > tracked else "")
        text = book.sentence(pick([f"This week's list names {makers}{merged}.",
                                   f"The list this week holds {makers}{merged}."], w))
    else:
        # The concentration figure belongs to the takeaways; here, how wide the field is.
        verb = "is" if tracked == 1 else "are"
        text = book.sentence(pick([
            f"This week {makers} {verb} broken out; the rest of the volume is the long tail.",
            f"The data breaks out {makers} this week, with everything else in the long tail.",
        ], w))
    table = Table("The most-used models this week",
                  ("Rank", "Model", "Maker", "Tokens", "Change", "Share"), tuple(rows),
                  (True, False, False, True, True, True))
    return Section(id="rankings", title="The Rankings", paragraphs=(paragraph(text),),
                   chart="top_models", table=table)


def technical_section(facts: Facts, book: ClaimBook, w: int = 0) -> Section | None:
    """Context windows and modalities of the leaders."""
    top = [m for m in facts.models[:5] if m.context_length]
    if len(top) < 2:
        return None
    windows = [f"{m.name} ({book.num(f'{_m(m)}.context_length', m.context_length, 'ctx')})"
               for m in top]
    sentences = [book.sentence(pick([
        f"The context windows of the most-used models are {join_list(windows)} tokens.",
        f"By context window, in tokens, the leading group reads {join_list(windows)}.",
    ], w))]
    multimodal = [m.name for m in facts.models[:5] if len(m.input_modalities) > 1]
    if multimodal:
        some = len(multimodal) < len(facts.models[:5])
        verb = "accepts" if len(multimodal) == 1 else "accept"
        sentences.append(book.sentence(pick([
            f"{join_list(multimodal)} {verb} more than text as input; the rest of the leading "
            "group is text-only." if some else
            "All of the leading group accept more than text as input.",
            f"Images as well as text go into {join_list(multimodal)}; the others in the group "
            "take text alone." if some else
            "Every model in the leading group takes more than text as input.",
        ], w)))
    share = facts.market.open_weights_share_pct
    if share is not None:
        listed = "listed " if Scope.of(facts).is_list else ""
        open_share = pct(book, "market.open_weights_share_pct", share)
        sentences.append(book.sentence(pick([
            f"Models with open weights carried {open_share} of the {listed}tokens whose licence "
            "the catalogue records.",
            f"Where the catalogue records a licence, open-weight models took {open_share} of the "
            f"{listed}tokens.",
        ], w)))
    return Section(id="technical-context", title="Technical Context",
                   paragraphs=(paragraph(" ".join(sentences)),))


def cost_section(facts: Facts, book: ClaimBook, w: int = 0) -> Section | None:
    """Token-weighted average prices by region, from the catalogue."""
    priced = [(i, r) for i, r in enumerate(facts.regions[:4]) if r.avg_price_prompt is not None]
    if len(priced) < 2:
        return None
    # Two prices a sentence: one sentence carrying eight prices is unreadable.
    volume = "listed volume" if Scope.of(facts).is_list else "volume"
    sentences = []
    for k, (i, r) in enumerate(priced):
        if r.avg_price_completion is None:
            continue
        prompt = book.num(f"regions.{i}.avg_price_prompt", r.avg_price_prompt, "usd:2")
        completion = book.num(f"regions.{i}.avg_price_completion", r.avg_price_completion, "usd:2")
        if k == 0:
            sentences.append(book.sentence(pick([
                f"Weighted by this week's {volume}, {r.adjective} models averaged ${prompt} per "
                f"million input tokens and ${completion} per million output tokens.",
                f"Per million tokens and weighted by this week's {volume}, {r.adjective} models "
                f"cost ${prompt} for input and ${completion} for output on average.",
            ], w)))
        else:
            sentences.append(book.sentence(pick([
                f"{r.adjective} models averaged ${prompt} and ${completion}.",
                f"For {r.adjective} models the averages were ${prompt} and ${completion}.",
            ], w, k)))
    return Section(id="cost", title="What the Tokens Cost",
                   paragraphs=(paragraph(" ".join(sentences)),))


def declining_section(facts: Facts, book: ClaimBook, w: int = 0) -> Section | None:
    """Who lost volume, and how much; and who left the figures, with their last figure."""
    losers = facts.movers.losers
    departures = facts.movers.dropped_out
    if not losers and not departures:
        return None
    scope = Scope.of(facts)
    bullets = []
    for i, mover in enumerate(losers[:4]):
        at = f"movers.losers.{i}"
        lost = tokens(book, f"{at}.change_tokens", mover.change_tokens)
        change = (f" ({signed_pct(book, f'{at}.change_pct', mover.change_pct)})"
                  if mover.change_pct is not None else "")
        rank = book.num(f"{at}.rank", mover.rank, "int") if mover.rank is not None else None
        change += free_tier_clause(facts, mover.model)
        text = book.sentence(pick([
            f"lost {lost} tokens{change}"
            + (f" and now ranks number {rank}." if rank else " and drew no tokens this week."),
            f"down {lost} tokens{change}"
            + (f", now at number {rank}." if rank else ", with no tokens this week."),
        ], w))
        bullets.append(Bullet(mover.name, paragraph(text)))
    for i, gone in enumerate(departures[:3]):
        at = f"movers.dropped_out.{i}"
        rank = (f" at number {book.num(f'{at}.prev_rank', gone.prev_rank, 'int')}"
                if gone.prev_rank is not None else "")
        bullets.append(Bullet(gone.name, paragraph(book.sentence(
            f"dropped {scope.left_out(book)}; last week it was listed{rank} with "
            f"{tokens(book, f'{at}.prev_tokens', gone.prev_tokens)} tokens, and its volume "
            "this week is not published."))))
    m = facts.movers
    declining = book.num("movers.declining_models", m.declining_models, "card")
    # House style: no sentence opens with a numeral ("21 models lost ...").
    counted = (f"Of the models listed in both weeks, {declining}" if scope.is_list else
               pick([f"This week {declining} {plural(m.declining_models, 'model')}",
                     f"Across the models broken out, {declining}"], w))
    intro = book.sentence(
        f"{counted} lost volume{'' if not scope.is_list else ' this week'} and "
        f"{book.num('movers.growing_models', m.growing_models, 'card')} gained."
        + (" The largest falls, and the models that left:" if departures and losers else
           " The largest falls:" if losers else " The models that left:"))
    return Section(id="declining", title="The Declining Side", paragraphs=(paragraph(intro),),
                   bullets=tuple(bullets), chart="movers" if losers or m.gainers else None)

