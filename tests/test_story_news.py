"""Story depth scenarios (issue 16, items 1 and 2): each changes the data and checks that the
text names the cause or the real news, and that no heading contradicts the numbers.

The small market of `scenarios.py` is steady for eight weeks; each test shapes the weeks that
matter. Every story is also held to its ledger (`assert_claims_true`).
"""

from __future__ import annotations

import re
from pathlib import Path

from scenarios import LAST, Rows, all_text, history, last_week, make_report, story_for
from test_story import assert_claims_true

from generator.kinds.llm_usage.story.build import write_story
from generator.story.model import plain
from generator.story.notes import parse_notes

STEADY = {"cnlab__alpha": 330, "cnco__beta": 270, "uslab__gamma": 230, "usco__delta": 170,
          "frlab__epsilon": 66, "others": 440}


def _week(offset: int, **tokens_b: float) -> Rows:
    """Rows `offset` weeks before LAST (0 = LAST), in billions."""
    week = (LAST.toordinal() - 7 * offset)
    day = LAST.fromordinal(week).isoformat()
    return [(day, k.replace("__", "/"), int(v * 1e9)) for k, v in tokens_b.items()]


def test_a_free_tier_that_ends_is_named_as_the_cause_of_the_fall(tmp_path: Path) -> None:
    rows = [r for r in history() if not (r[0] == LAST.fromordinal(LAST.toordinal() - 7).isoformat()
                                        and r[1] == "uslab/gamma")]
    rows += _week(1, uslab__gamma=120, **{"uslab__gamma:free": 160})
    rows += last_week(**{**STEADY, "uslab__gamma": 140})
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.attribution.free_tiers and facts.attribution.free_tiers[0].event == "ended"
    assert re.search(r"Gamma's free tier ended|free tier of Gamma closed", text), text
    assert "most of it as its free tier ended" in text
    assert_claims_true(facts, story)


def test_a_launch_behind_most_of_the_growth_is_told_with_the_growth_without_it(
        tmp_path: Path) -> None:
    rows = history() + last_week(**{**STEADY, "cnlab__zeta": 150})
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    share = facts.attribution.launch_share_of_change_pct
    assert share is not None and share > 50
    assert re.search(r"Without Zeta, total volume would have (grown|fallen)|"
                     r"Zeta's launch brought ([\d.]+%|more than the whole) of the week's growth", text), text
    assert story.cause and "Zeta" in "".join(s.text for s in story.cause)
    assert_claims_true(facts, story)


def test_a_switch_within_a_family_is_told_beside_the_new_models_gain(tmp_path: Path) -> None:
    rows = history() + last_week(**{**STEADY, "cnlab__alpha": 180, "cnlab__zeta": 200})
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.attribution.switches
    assert re.search(r"Alpha (lost|shed) [\d.]+ billion tokens", text), text
    assert "within the family" in text
    assert_claims_true(facts, story)


def test_a_country_whose_models_all_fell_is_a_broad_move(tmp_path: Path) -> None:
    rows = history() + _week(0, cnlab__alpha=340, cnco__beta=280, uslab__gamma=150,
                             usco__delta=110, frlab__epsilon=66, others=440,
                             **{"usco__eta": 40, "uslab__theta": 30})
    rows += _week(1, usco__eta=60, uslab__theta=45)
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    move = facts.attribution.broad_moves[0]
    assert move.country == "US" and move.direction == "fell" and move.models == 4
    assert re.search(r"(all four US models|Every one of the four US models) with figures in "
                     r"both weeks", text), text
    assert_claims_true(facts, story)


def test_a_first_ever_country_lead_leads_the_story(tmp_path: Path) -> None:
    rows = history(cnlab__alpha=0.5, cnco__beta=0.5) + last_week(
        cnlab__alpha=420, cnco__beta=300, uslab__gamma=230, usco__delta=170,
        frlab__epsilon=66, others=440)
    facts, story = story_for(tmp_path, rows)
    assert facts.lead and facts.lead.first_time
    assert story.headline in ("Chinese Models Overtake US Rivals for the First Time",
                              "For the First Time, Chinese Models Lead US Rivals")
    assert_claims_true(facts, story)


def test_a_return_to_the_top_says_when_it_was_last_held(tmp_path: Path) -> None:
    rows = history(weeks=4) + _week(3, cnlab__alpha=400, cnco__beta=300)
    for offset in (2, 1):
        rows += _week(offset, cnlab__alpha=300, cnco__beta=380, uslab__gamma=200,
                      usco__delta=150, frlab__epsilon=60, others=400)
    rows += last_week(**{**STEADY, "cnlab__alpha": 420, "cnco__beta": 330})
    rows = _dedupe(rows)
    facts, story = story_for(tmp_path, rows)
    top = facts.models[0]
    assert top.name == "Alpha" and top.weeks_since_top == 3
    assert story.headline == "Alpha Regains the Top Spot It Last Held Three Weeks Ago"
    assert_claims_true(facts, story)


def test_a_lead_under_one_percent_is_a_dead_heat_not_a_coronation(tmp_path: Path) -> None:
    rows = history() + last_week(**{**STEADY, "cnlab__alpha": 300, "cnco__beta": 301.5})
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.models[0].name == "Beta" and (facts.market.leader_margin_pct or 0) < 1
    for crowning in ("Takes the Top Spot", "Climbs to Number One", "Takes the Lead",
                     "is the most-used model", "leads the rankings"):
        assert crowning not in text, crowning
    assert "finished level at the top" in text
    assert re.search(r"Neck and Neck|Too Close to Call", story.headline + story.subtitle)
    assert_claims_true(facts, story)


def test_a_lead_smaller_than_the_leaders_free_tier_is_a_dead_heat(tmp_path: Path) -> None:
    # Beta leads by 20 billion, but 60 billion of its volume is a free tier a promotion can end.
    rows = history() + last_week(**{**STEADY, "cnlab__alpha": 300, "cnco__beta": 260,
                                    "cnco__beta:free": 60})
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.models[0].name == "Beta" and facts.models[0].free_tokens == 60 * 10**9
    assert (facts.market.leader_margin_pct or 0) > 1
    assert re.search(r"Neck and Neck|Too Close to Call", story.headline + story.subtitle)
    assert "is smaller than the 60 billion tokens it drew on its free tier" in text
    assert "is the most-used model" not in text
    # 320 against 300 billion is no tie: the takeaway says first, with why it is no lead.
    assert "finished level" not in text
    assert "Beta finished first on 320 billion tokens to 300 billion for Alpha, a lead smaller " \
        "than its own free-tier volume." in text
    assert_claims_true(facts, story)


def test_a_long_streak_retires_from_the_headline(tmp_path: Path) -> None:
    # China has led all eight weeks of the history: the run is the background, not the news.
    rows = history() + last_week(**STEADY)
    facts, story = story_for(tmp_path, rows)
    assert facts.lead and facts.lead.streak_weeks == 9
    assert not re.search(r"Straight Week|Consecutive Week", story.headline)
    assert "ninth consecutive week" in all_text(story)


def test_a_heading_never_contradicts_the_volume(tmp_path: Path) -> None:
    # Beta loses a place while growing 30 %; Gamma climbs while shrinking.
    rows = history() + last_week(cnlab__alpha=600, cnco__beta=350, uslab__gamma=300,
                                 usco__delta=100, frlab__epsilon=66, others=440)
    facts, story = story_for(tmp_path, rows)
    titles = {s.title for s in story.sections}
    for section_title in titles:
        if "Slips" in section_title or "Loses Ground" in section_title:
            assert "Despite Growth" in section_title, section_title
    assert_claims_true(facts, story)


def _dedupe(rows: Rows) -> Rows:
    """The last row for each (week, model) wins: a scenario overrides the steady history."""
    seen: dict[tuple[str, str], int] = {}
    for week, model, value in rows:
        seen[(week, model)] = value
    return [(w, m, v) for (w, m), v in seen.items()]


def test_an_editor_note_replaces_the_machine_sentence_it_overlaps(tmp_path: Path) -> None:
    rows = history() + last_week(**STEADY)
    facts, story = story_for(tmp_path, rows)
    risks = next(plain(b.body) for b in story.take if b.emoji == "⚠️")
    assert "tokenizer" in risks
    notes = parse_notes("## Take: risks\n\nEvery tokenizer counts differently; compare with "
                        "care.\n")
    report = make_report(tmp_path / "again", rows)
    edited = write_story(facts, report, notes)
    risks = next(plain(b.body) for b in edited.take if b.emoji == "⚠️")
    assert risks.count("tokenizer") == 1 and risks.endswith("compare with care.")
    assert "splits text its own way" not in risks and "different tokenizers" not in risks
