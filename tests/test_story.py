"""The story follows the data: scenarios change the facts and the text must change with them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.check import resolve
from generator.kinds.llm_usage.facts.model import Facts
from generator.ledger.numbers import render
from generator.story.model import Story
from tests.scenarios import all_text, history, last_week, story_for

UP = re.compile(r"\b(rise|up|gain|grew|growth|growing)\b")
DOWN = re.compile(r"\b(fall|down|decline|dip|fell|lost)\b")


def assert_claims_true(facts: Facts, story: Story) -> None:
    """Every claim re-renders from its fact, and change words agree with the sign."""
    data = facts.to_json()
    data["edition"] = {"reading_minutes": story.meta.reading_minutes}
    for claim in story.claims:
        path, _, spec = claim.fact.partition("|")
        value = resolve(data, path)
        assert render(value, spec) == claim.value, claim
        if path.endswith("change_pct") and spec.startswith("pct"):
            # The direction word sits next to its figure ("up 15%", "a 15% rise"); a second
            # figure further on may carry the other direction.
            at = claim.text.find(claim.value)
            near = claim.text[max(0, at - 8):at + len(claim.value) + 8]
            if value > 0:
                assert not DOWN.search(near), claim.text
            elif value < 0:
                assert not UP.search(near), claim.text


def test_sample_like_china_ahead(tmp_path: Path) -> None:
    rows = history() + last_week(cnlab__alpha=420, cnco__beta=300, uslab__gamma=180,
                                 usco__delta=120, frlab__epsilon=60, others=450)
    facts, story = story_for(tmp_path, rows)
    assert facts.lead and facts.lead.leader == "CN"
    # A nine-week lead is told in the body; the headline goes to the week's largest move.
    assert "puts China ahead of the US for the ninth consecutive week" in all_text(story)
    assert story.headline in ("Alpha Adds the Most Tokens in a Quiet Week",
                              "Alpha Posts the Week's Largest Gain")
    assert_claims_true(facts, story)


def test_us_ahead_instead_of_china(tmp_path: Path) -> None:
    rows = history(cnlab__alpha=0.5, cnco__beta=0.5, uslab__gamma=2, usco__delta=2) + last_week(
        cnlab__alpha=150, cnco__beta=120, uslab__gamma=520, usco__delta=400, frlab__epsilon=60,
        others=450)
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.lead and facts.lead.leader == "US" and facts.lead.streak_weeks >= 2
    # A nine-week lead is the background, not the headline (it retires after three weeks);
    # the body still tells it, the right way round.
    assert not story.headline.startswith(("Chinese", "US Models Lead", "US Models Outpace"))
    assert "Chinese models have drawn more" not in text
    assert "puts the US ahead of China for the ninth consecutive week" in text
    assert_claims_true(facts, story)


def test_no_newcomer_in_top_three(tmp_path: Path) -> None:
    rows = history() + last_week(cnlab__alpha=420, cnco__beta=300, uslab__gamma=180,
                                 usco__delta=120, frlab__epsilon=60, others=450)
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert not any(m.is_new for m in facts.models)
    assert "first week" not in text and "New Entrants" not in text and "Debut" not in text


def test_newcomer_in_top_three(tmp_path: Path) -> None:
    rows = history() + last_week(cnlab__alpha=420, cnco__beta=300, cnlab__zeta=280,
                                 uslab__gamma=180, usco__delta=120, frlab__epsilon=60, others=450)
    facts, story = story_for(tmp_path, rows)
    zeta = facts.model("cnlab/zeta")
    assert zeta and zeta.is_new and zeta.rank == 3
    assert "Zeta entered at number 3 in its first week" in all_text(story)
    assert_claims_true(facts, story)


def test_leader_loses_its_place(tmp_path: Path) -> None:
    # US and China close, so the country race is no story; the new #1 is.
    rows = history(uslab__gamma=1.2, usco__delta=2.5) + last_week(
        cnlab__alpha=330, cnco__beta=420, uslab__gamma=500, usco__delta=390, frlab__epsilon=60,
        others=450)
    facts, story = story_for(tmp_path, rows)
    top = facts.models[0]
    assert top.model == "uslab/gamma" and top.prev_rank != 1
    assert "Gamma" in story.headline and ("Top Spot" in story.headline or "One" in story.headline)
    assert "has been the most-used model for" not in all_text(story)
    assert_claims_true(facts, story)


def test_total_falling(tmp_path: Path) -> None:
    rows = history() + last_week(cnlab__alpha=200, cnco__beta=150, uslab__gamma=150,
                                 usco__delta=100, frlab__epsilon=40, others=250)
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.total.change_pct is not None and facts.total.change_pct < -10
    assert "Falls" in story.headline
    assert facts.total.growth_streak_weeks == 0
    assert "of growth" not in text and "growing for" not in text
    assert_claims_true(facts, story)


def test_only_one_week_of_history(tmp_path: Path) -> None:
    rows = last_week(cnlab__alpha=420, cnco__beta=300, uslab__gamma=180, usco__delta=120,
                     frlab__epsilon=60, others=450)
    facts, story = story_for(tmp_path, rows)
    text = all_text(story)
    assert facts.total.change_pct is None and not any(m.is_new for m in facts.models)
    for word in ("consecutive", "straight", "rise", "fall", "first week", "on the week"):
        assert not re.search(rf"\b{word}\b", text), word
    assert story.sections and story.takeaways
    assert_claims_true(facts, story)


@pytest.mark.parametrize("level", ["models", "countries"])
def test_tie(tmp_path: Path, level: str) -> None:
    if level == "models":
        last = last_week(cnlab__alpha=400, uslab__gamma=400, cnco__beta=200, usco__delta=100,
                         frlab__epsilon=60, others=450)
    else:
        last = last_week(cnlab__alpha=400, cnco__beta=200, uslab__gamma=450, usco__delta=150,
                         frlab__epsilon=60, others=450)
    facts, story = story_for(tmp_path, history() + last)
    text = all_text(story)
    if level == "models":
        assert facts.models[0].tied and "Tie" in story.headline
    else:
        assert facts.lead and facts.lead.streak_weeks == 0
        assert "Level" in story.headline
        assert "ahead of" not in text.split("Looking Ahead")[0].replace("Looking Ahead", "")
    assert_claims_true(facts, story)


def test_takeaways_count_and_headline_length(tmp_path: Path) -> None:
    rows = history() + last_week(cnlab__alpha=420, cnco__beta=300, cnlab__zeta=280,
                                 uslab__gamma=180, usco__delta=120, frlab__epsilon=60, others=450)
    _, story = story_for(tmp_path, rows)
    assert 5 <= len(story.takeaways) <= 7
    assert len(story.headline) <= 72
    assert all(b.label for b in story.takeaways)
    # Why, risks, advice, and the call (the history holds enough weeks for a base rate).
    assert [b.emoji for b in story.take] == ["🔥", "⚠️", "💡", "🎯"]


def _sample_stories() -> list[tuple[Facts, Story]]:
    from generator.kinds.llm_usage.facts.compute import compute_facts
    from generator.kinds.llm_usage.load import load_snapshot
    from generator.kinds.llm_usage.story.build import write_story
    from generator.report import load_report
    from generator.story.notes import load_notes

    report = load_report(None)
    snapshot = load_snapshot(report)
    out = []
    for week in snapshot.weeks[-2:]:
        facts = compute_facts(snapshot, week, report.slug, report.top_n)
        out.append((facts, write_story(facts, report, load_notes(report.notes_dir, facts.iso_week))))
    return out


def test_sample_edition_states_the_design_facts() -> None:
    (_, _), (facts, story) = _sample_stories()
    text = all_text(story)
    for phrase in (
        # The design's figures in the house style: "13.5%", one decimal for changes.
        "36.1 trillion", "a 13.5% rise", "seventh consecutive week of growth",
        "14.19 trillion", "27.5% rise", "3.2 trillion", "24.5% fall",
        "sixth consecutive week", "top four", "DeepSeek-V4-Flash", "3.69 trillion",
        "a 19.0% rise", "three straight weeks", "2.94 trillion", "down 3.0%",
        "MiniMax-M3 entered at number 3 in its first week", "2.5 trillion", "1M-token",
    ):
        # A run may be told as "consecutive", "straight" or "in a row": the same fact.
        pattern = re.escape(phrase).replace("consecutive\\ week", "(consecutive|straight) week")
        alternative = phrase.replace("consecutive week", "week in a row")
        assert re.search(pattern, text) or alternative in text, phrase
    # The six-week lead is told in the body; the headline goes to the week's real news.
    assert story.headline == "MiniMax-M3 Makes the Strongest First Week in the Data"
    assert_claims_true(facts, story)


def test_consecutive_weeks_share_no_sentence() -> None:
    (_, before), (_, after) = _sample_stories()

    def sentences(story: Story) -> set[str]:
        found = set()
        for line in all_text(story).splitlines():
            found |= {s for s in re.split(r"(?<=[.!?])\s+", line) if len(s.split()) > 6}
        return found

    assert not sentences(before) & sentences(after)


def test_reading_time_follows_words() -> None:
    (_, _), (_, story) = _sample_stories()
    assert story.meta.reading_minutes == -(-story.meta.words // 200)
    assert story.meta.words > 600


def test_a_flat_model_is_said_in_words_and_still_traced(tmp_path: Path) -> None:
    # The week before LAST has every model at 1.14 × its base: repeat alpha's exactly.
    rows = history() + last_week(cnlab__alpha=342, cnco__beta=330, uslab__gamma=250, usco__delta=190,
                                 frlab__epsilon=70, others=470)
    facts, story = story_for(tmp_path, rows)
    alpha = next(m for m in facts.models if m.model == "cnlab/alpha")
    assert alpha.change_pct == 0
    path = f"models.{facts.models.index(alpha)}.change_pct|"
    specs = {c.fact.removeprefix(path): c.value for c in story.claims if c.fact.startswith(path)}
    # Prose says it in words (and records them); the table's signed column still shows 0 %.
    assert all(re.fullmatch(r"zero:\d:(flat|no measurable change)|spct:\d", s) for s in specs)
    assert any(spec.startswith("zero:") for spec in specs)
    assert_claims_true(facts, story)
