"""The `usage` kind's article, worded with the report's own nouns (`[words]`) and nothing else.

Headline logic: a new #1, a group overtaking another, a record week, a long lead; else the
week's total. Every figure goes through the claim book, as in every kind.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from generator.kinds.usage.facts import Item, UsageFacts
from generator.ledger import ClaimBook
from generator.report import Report, Words
from generator.story.model import Bullet, Meta, Section, Story, Table, paragraph, plain
from generator.story.notes import Notes, take_with_notes
from generator.story.phrases import (
    capitalise,
    change_noun,
    join_list,
    pct,
    pick,
    signed_pct,
    slugify,
    title_case,
    tokens,
    week_index,
    weeks_phrase,
)

WORDS_PER_MINUTE = 200


@dataclass(frozen=True)
class _Angle:
    kind: str
    score: float
    headline: Callable[[ClaimBook], str]
    summary: Callable[[ClaimBook], str]


def _amount(book: ClaimBook, path: str, value: int, words: Words) -> str:
    """'1.2 million downloads'."""
    return f"{tokens(book, path, value)} {words.unit if value == 1 else words.units}"


def _angles(facts: UsageFacts, words: Words, w: int) -> list[_Angle]:
    out: list[_Angle] = []
    top = facts.items[0] if facts.items else None
    if top is not None and top.prev_rank is not None and top.prev_rank != 1:
        out.append(_Angle(
            "new_leader", 1.1,
            lambda book: pick([f"{top.name} Takes the Top Spot",
                               f"{top.name} Becomes the Most-Used {capitalise(words.item)}"], w),
            lambda book: book.sentence(
                f"{top.name} became the most-used {words.item} this week with "
                f"{_amount(book, 'items.0.value', top.value, words)}.")))
    lead = facts.lead
    if lead is not None and lead.changed_this_week:
        out.append(_Angle(
            "group_overtakes", 1.0,
            lambda book: f"{capitalise(lead.leader)} Overtakes {capitalise(lead.runner_up)}",
            lambda book: book.sentence(
                f"The {lead.leader} {words.group} moved ahead of {lead.runner_up} this week with "
                f"{_amount(book, 'groups.0.value', facts.groups[0].value, words)} against "
                f"{tokens(book, 'groups.1.value', facts.groups[1].value)}.")))
    total = facts.total
    if total.is_record and total.change_pct is not None:
        out.append(_Angle(
            "record", 0.8,
            lambda book: f"A Record Week: {title_case(tokens(book, 'total.value', total.value, 1))} "
            f"{capitalise(words.units)}",
            lambda book: book.sentence(
                f"The {words.items} drew a record "
                f"{_amount(book, 'total.value', total.value, words)} this week, "
                f"{change_noun(book, 'total.change_pct', total.change_pct or 0.0)} on the "
                "week before.")))
    if top is not None and top.weeks_at_rank >= 2:
        out.append(_Angle(
            "leader_streak", 0.3 + min(top.weeks_at_rank, 10) / 20,
            lambda book: f"{top.name} Leads for "
            f"{title_case(weeks_phrase(book, 'items.0.weeks_at_rank', top.weeks_at_rank))}",
            lambda book: book.sentence(
                f"{top.name} has been the most-used {words.item} for "
                f"{weeks_phrase(book, 'items.0.weeks_at_rank', top.weeks_at_rank)}.")))
    out.append(_Angle(
        "total", 0.1,
        lambda book: f"The Week in {capitalise(words.items)}: "
        f"{title_case(tokens(book, 'total.value', total.value, 1))} {capitalise(words.units)}",
        lambda book: book.sentence(
            f"The {words.items} drew {_amount(book, 'total.value', total.value, words)} this "
            "week.")))
    return sorted(out, key=lambda a: -a.score)


def _lede(facts: UsageFacts, book: ClaimBook, report: Report) -> list[str]:
    words, total = report.words, facts.total
    text = (f"According to {report.source_name}, the {words.items} tracked here drew "
            f"{_amount(book, 'total.value', total.value, words)} in the week of "
            f"{book.num('week', facts.week, 'date')}")
    if total.change_pct is not None:
        text += f", {change_noun(book, 'total.change_pct', total.change_pct)} on the week before"
        if total.growth_streak_weeks >= 2:
            text += (f" and a rise for "
                     f"{weeks_phrase(book, 'total.growth_streak_weeks', total.growth_streak_weeks)}")
    out = [book.sentence(text + ".")]
    if len(facts.groups) >= 2:
        a, b = facts.groups[0], facts.groups[1]
        out.append(book.sentence(
            f"The {a.group} {words.group} accounted for "
            f"{pct(book, 'groups.0.share_pct', a.share_pct)} of them and {b.group} for "
            f"{pct(book, 'groups.1.share_pct', b.share_pct)}."))
    return out


def _takeaways(facts: UsageFacts, book: ClaimBook, words: Words) -> list[Bullet]:
    out: list[Bullet] = []
    if facts.items:
        top = facts.items[0]
        out.append(Bullet("Top " + capitalise(words.item), paragraph(book.sentence(
            f"{top.name} drew {_amount(book, 'items.0.value', top.value, words)}, "
            f"{pct(book, 'items.0.share_pct', top.share_pct)} of the total."))))
    lead = facts.lead
    if lead is not None:
        verb = "overtook" if lead.changed_this_week else "stayed ahead of"
        out.append(Bullet(capitalise(words.group) + " Race", paragraph(book.sentence(
            f"The {lead.leader} {words.group} {verb} {lead.runner_up}, by "
            f"{_amount(book, 'lead.gap_value', lead.gap_value, words)}."))))
    new = [(i, m) for i, m in enumerate(facts.items[:10]) if m.is_new]
    if new:
        parts = [f"{m.name} at number {book.num(f'items.{i}.rank', m.rank, 'int')}"
                 for i, m in new]
        out.append(Bullet("New Entries", paragraph(book.sentence(
            f"New this week: {join_list(parts)}."))))
    if facts.gainers:
        g = facts.gainers[0]
        out.append(Bullet("Biggest Gain", paragraph(book.sentence(
            f"{g.name} added {_amount(book, 'gainers.0.change_value', g.change_value, words)}, "
            f"more than any other {words.item}."))))
    if facts.losers:
        lo = facts.losers[0]
        out.append(Bullet("Biggest Fall", paragraph(book.sentence(
            f"{lo.name} lost {_amount(book, 'losers.0.change_value', lo.change_value, words)}."
        ))))
    return out


def _item_sentence(book: ClaimBook, m: Item, i: int, words: Words) -> str:
    text = (f"{m.name} ranked number {book.num(f'items.{i}.rank', m.rank, 'int')} with "
            f"{_amount(book, f'items.{i}.value', m.value, words)}")
    if m.change_pct is not None:
        text += f", {change_noun(book, f'items.{i}.change_pct', m.change_pct)} on the week"
    return book.sentence(text + ".")


def _leader_section(facts: UsageFacts, book: ClaimBook, words: Words) -> Section | None:
    if not facts.items:
        return None
    top = facts.items[0]
    sentences = [_item_sentence(book, top, 0, words)]
    if top.weeks_at_rank >= 2:
        sentences.append(book.sentence(
            f"It has led for "
            f"{weeks_phrase(book, 'items.0.weeks_at_rank', top.weeks_at_rank)}."))
    if top.group:
        sentences.append(book.sentence(f"It belongs to the {top.group} {words.group}."))
    return Section(slugify(top.item), book.sentence(f"{top.name} at the Top"),
                   (paragraph(" ".join(sentences)),), chart="total")


def _groups_section(facts: UsageFacts, book: ClaimBook, words: Words) -> Section | None:
    if len(facts.groups) < 2:
        return None
    rows = []
    for i, g in enumerate(facts.groups[:6]):
        cells = (capitalise(g.group), tokens(book, f"groups.{i}.value", g.value),
                 signed_pct(book, f"groups.{i}.change_pct", g.change_pct)
                 if g.change_pct is not None else "n/a",
                 pct(book, f"groups.{i}.share_pct", g.share_pct))
        book.sentence(" · ".join(cells), prose=False)
        rows.append(cells)
    a, b = facts.groups[0], facts.groups[1]
    text = book.sentence(
        f"The {a.group} {words.group} drew {_amount(book, 'groups.0.value', a.value, words)} "
        f"across {book.num('groups.0.items', a.items, 'card')} "
        f"{words.item if a.items == 1 else words.items}, and {b.group} "
        f"{tokens(book, 'groups.1.value', b.value)}.")
    table = Table(f"{capitalise(words.units)} by {words.group}",
                  (capitalise(words.group), capitalise(words.units), "Change", "Share"),
                  tuple(rows), (False, True, True, True))
    return Section("groups", f"The {capitalise(words.group)} Race", (paragraph(text),),
                   table=table)


def _rankings_section(facts: UsageFacts, book: ClaimBook, report: Report) -> Section | None:
    if not facts.items:
        return None
    words = report.words
    rows = []
    for i, m in enumerate(facts.items[:report.top_n]):
        change = ("new" if m.is_new else signed_pct(book, f"items.{i}.change_pct", m.change_pct)
                  if m.change_pct is not None else "n/a")
        cells = (book.num(f"items.{i}.rank", m.rank, "int"), m.name,
                 capitalise(m.group or ""), tokens(book, f"items.{i}.value", m.value), change,
                 pct(book, f"items.{i}.share_pct", m.share_pct))
        book.sentence(" · ".join(cells), prose=False)
        rows.append(cells)
    table = Table(f"The most-used {words.items} this week",
                  ("Rank", capitalise(words.item), capitalise(words.group),
                   capitalise(words.units), "Change", "Share"), tuple(rows),
                  (True, False, False, True, True, True))
    text = book.sentence(f"The table lists this week's most-used {words.items} by {words.units}.")
    return Section("rankings", "The Rankings", (paragraph(text),), chart="top_items", table=table)


def _ahead_section(facts: UsageFacts, book: ClaimBook, words: Words) -> Section | None:
    sentences = []
    if len(facts.items) > 1:
        a, b = facts.items[0], facts.items[1]
        sentences.append(book.sentence(
            f"{a.name} leads {b.name} by "
            f"{_amount(book, 'leader_margin', a.value - b.value, words)}."))
    if facts.lead is not None:
        sentences.append(book.sentence(
            f"Next week will show whether the {facts.lead.leader} {words.group} keeps its lead "
            f"over {facts.lead.runner_up}."))
    if not sentences:
        return None
    return Section("looking-ahead", "Looking Ahead", (paragraph(" ".join(sentences)),))


def _take(facts: UsageFacts, book: ClaimBook, report: Report, notes: Notes) -> tuple[Bullet, ...]:
    words = report.words
    auto = {
        "why": [book.sentence(
            f"Week-by-week {words.units} show which {words.items} people reach for now, not "
            "which ones they would name.")],
        "risks": [book.sentence(
            f"The figures count {words.units} as {report.source_name} records them; automated "
            f"traffic and mirrors can move them without any change in use.")],
        "advice": [book.sentence(
            "Treat a single week as a signal to watch, and look for a move that lasts before "
            "acting on it.")],
    }
    return take_with_notes(auto, notes)


def write_usage_story(facts: UsageFacts, report: Report, notes: Notes) -> Story:
    """The article of one week."""
    book = ClaimBook(style=report.style)
    words = report.words
    w = week_index(facts.week)
    angles = _angles(facts, words, w)
    angle = angles[0]
    headline = book.sentence(angle.headline(book))
    subtitle = book.sentence(angles[1].headline(book)) if len(angles) > 1 and \
        angles[1].score > 0.3 else ""
    summary = angle.summary(book)
    lede = _lede(facts, book, report)
    takeaways = _takeaways(facts, book, words)
    sections = [s for s in (_leader_section(facts, book, words),
                            _groups_section(facts, book, words),
                            _rankings_section(facts, book, report),
                            _ahead_section(facts, book, words)) if s is not None]
    sections = [Section(s.id, s.title, s.paragraphs + notes.sections.get(s.id, ()), s.bullets,
                        s.chart, s.table) for s in sections]
    take = _take(facts, book, report, notes)
    texts = [headline, summary, *lede, *(plain(b.body) for b in takeaways),
             *(plain(p) for s in sections for p in s.paragraphs), *(plain(b.body) for b in take)]
    words_count = sum(len(t.split()) for t in texts)
    minutes = max(1, math.ceil(words_count / WORDS_PER_MINUTE))
    date_text = book.sentence(f"Week of {book.num('week', facts.week, 'date')}")
    book.num("edition.reading_minutes", minutes, "int")
    book.sentence(f"{minutes} min read")
    tags = tuple(dict.fromkeys([report.category, capitalise(words.items),
                                *(capitalise(g.group) for g in facts.groups[:3])]))
    return Story(
        headline=headline, slug=facts.iso_week.lower(), summary=paragraph(summary),
        subtitle=subtitle, meta=Meta(facts.week, date_text, report.category, minutes, words_count),
        lede=tuple(paragraph(p) for p in lede), takeaways=tuple(takeaways),
        sections=tuple(sections), take_title=f"{report.brand}'s Take", take=take,
        description=summary, tags=tags, angle=angle.kind, claims=book.done(),
        source_note=f"weekly {words.units} per {words.item} from {report.source_name}",
    )
