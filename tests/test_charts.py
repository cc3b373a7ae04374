"""Charts: which are drawn, valid and repeatable images, and words whose numbers are claims."""

from __future__ import annotations

import dataclasses
import io
import re
import warnings

import matplotlib
import pytest
from conftest import ReportFactory
from helpers import AUTHORS, facts_of, monday, week
from PIL import Image

from generator.charts.drawing import draw_charts
from generator.charts.model import Chart
from generator.kinds.llm_usage.charts import make_charts
from generator.kinds.llm_usage.facts.model import Facts
from generator.ledger.numbers import ClaimBook

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ALL = ("total", "regions", "top_models", "movers", "share")
WEEKS = 12
CJK_NAME = "通义千问 Max"
CATALOGUE = [
    {"model": "acme/one", "name": "Acme 3 Turbo"},
    {"model": "acme/two", "name": CJK_NAME},
    {"model": "bolt/sky", "name": "Bolt 5"},
]
Rows = list[tuple[str, str, int]]


def market(weeks: int = WEEKS) -> Rows:
    """A market that grows every week, with a US model in decline and a newcomer at the end."""
    rows: Rows = []
    for i in range(weeks):
        w = week(i)
        rows += [
            (w, "acme/one", int((300 + 40 * i) * 1e9)),
            (w, "acme/two", int((120 + 25 * i) * 1e9)),
            (w, "bolt/sky", int((400 - 10 * i) * 1e9)),
            (w, "bolt/air", int((90 + 3 * i) * 1e9)),
            (w, "crane/nine", int((60 + 5 * i) * 1e9)),
            (w, "dune/x", int((20 + i) * 1e9)),
            (w, "mystery/m", int(35e9)),
            (w, "others", int((500 + 20 * i) * 1e9)),
        ]
    rows.append((week(weeks - 1), "acme/fresh", int(150e9)))
    return rows


def charts_of(facts: Facts, svg: bool = False) -> tuple[tuple[Chart, ...], ClaimBook]:
    """The charts of the facts, drawn, with the fresh claim book they wrote into."""
    book = ClaimBook()
    return draw_charts(make_charts(facts, book), svg=svg), book


@pytest.fixture
def facts(report_factory: ReportFactory) -> Facts:
    """The last week of `market()`, with a Korean author and a catalogue of names."""
    report = report_factory(market(), authors=(*AUTHORS, ("dune", "Dune", "KR")),
                            models=CATALOGUE)
    return facts_of(report, monday(WEEKS - 1))


def test_five_charts_in_order_as_valid_pngs(facts: Facts) -> None:
    charts, _ = charts_of(facts)
    assert tuple(c.name for c in charts) == ALL
    for chart in charts:
        assert chart.png.startswith(PNG_SIGNATURE)
        with Image.open(io.BytesIO(chart.png)) as image:
            assert image.format == "PNG"
            assert image.size == (chart.width_px, chart.height_px) == (1600, 900)
        assert chart.svg is None
        assert chart.alt.strip() and chart.caption.strip()
        assert not re.search(r"\d", chart.title)
        assert chart.png_name == f"{chart.name}.png"


def test_png_carries_no_text_chunks(facts: Facts) -> None:
    charts, _ = charts_of(facts)
    for chart in charts:
        assert b"tEXt" not in chart.png and b"tIME" not in chart.png
        assert b"Software" not in chart.png


def test_same_facts_same_bytes(facts: Facts) -> None:
    first, _ = charts_of(facts, svg=True)
    second, _ = charts_of(facts, svg=True)
    assert [c.png for c in first] == [c.png for c in second]
    assert [c.svg for c in first] == [c.svg for c in second]
    for chart in first:
        assert chart.svg is not None and chart.svg.startswith(b"<?xml")
        assert b"<dc:date>" not in chart.svg


_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUMBER_WORDS = re.compile(
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|first|second|third|fourth|fifth|"
    r"sixth|seventh|eighth|ninth)\b", re.IGNORECASE)


def _figures(text: str, names: set[str]) -> list[str]:
    # Model names are masked, as the edition check does: "Acme 3 Turbo" is not a figure.
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "\u2022")
    return _NUMBER.findall(text) + [w.lower() for w in _NUMBER_WORDS.findall(text)]


def test_every_number_in_words_is_a_claim(facts: Facts) -> None:
    charts, book = charts_of(facts)
    claims = book.done()
    names = {m.name for m in facts.models}
    names |= {m.name for m in (*facts.movers.gainers, *facts.movers.losers)}
    for chart in charts:
        for text in (chart.alt, chart.caption):
            values = [str(c.value).lower() for c in claims if c.text == text]
            for figure in _figures(text, names):
                assert any(figure in v for v in values), (chart.name, figure, text)
    assert any(c.fact == "total.growth_streak_weeks|ord" for c in claims)
    assert all(c.fact.split("|")[0] for c in claims)


def test_alt_text_tells_the_key_figures(facts: Facts) -> None:
    charts, _ = charts_of(facts)
    alt = {c.name: c.alt for c in charts}
    assert "straight week of growth" in alt["total"]
    assert alt["top_models"].count("trillion") + alt["top_models"].count("billion") >= 3
    assert "China" in alt["regions"]
    assert "%" in alt["share"]


def test_single_week_draws_only_this_weeks_chart(report_factory: ReportFactory) -> None:
    rows = [r for r in market() if r[0] == week(0)]
    charts, book = charts_of(facts_of(report_factory(rows), monday(0)), svg=True)
    assert tuple(c.name for c in charts) == ("top_models",)
    assert "new" not in charts[0].alt
    book.done()


def test_gap_before_this_week_means_no_movers(report_factory: ReportFactory) -> None:
    rows = [r for r in market(4) if r[0] != week(2)]
    charts, book = charts_of(facts_of(report_factory(rows), monday(3)))
    assert tuple(c.name for c in charts) == ("total", "regions", "top_models", "share")
    book.done()


def test_no_countries_no_regions_chart(report_factory: ReportFactory) -> None:
    nobody = (("zeta", "Zeta Labs", "DE"),)  # no model of the market is theirs
    charts, _ = charts_of(facts_of(report_factory(market(3), authors=nobody), monday(2)))
    assert "regions" not in {c.name for c in charts}
    assert "total" in {c.name for c in charts}


def test_a_falling_week_has_losses_only(report_factory: ReportFactory) -> None:
    rows = market(3)
    rows = [(w, m, t // 2) if w == week(2) else (w, m, t) for w, m, t in rows
            if m != "acme/fresh"]
    charts, _ = charts_of(facts_of(report_factory(rows), monday(2)))
    names = [c.name for c in charts]
    assert names == list(ALL)
    total = charts[0]
    assert "down" in total.alt and "growth" not in total.alt
    movers = next(c for c in charts if c.name == "movers")
    assert "gained" not in movers.alt and "fell the most" in movers.alt


def test_share_keeps_to_the_models_with_a_history(report_factory: ReportFactory) -> None:
    facts = facts_of(report_factory(market(4)), monday(3), top_n=3)
    charts, _ = charts_of(facts)
    share = next(c for c in charts if c.name == "share")
    assert share.alt.count("%") == 3


def test_global_rc_params_are_left_alone(facts: Facts) -> None:
    before = dict(matplotlib.rcParams)
    charts_of(facts, svg=True)
    assert dict(matplotlib.rcParams) == before


def _has_cjk_font() -> bool:
    from matplotlib import font_manager

    try:
        font_manager.findfont("Noto Sans CJK SC", fallback_to_default=False)
    except ValueError:
        return False
    return True


@pytest.mark.skipif(not _has_cjk_font(), reason="Noto Sans CJK is not installed")
def test_chinese_names_have_glyphs(facts: Facts) -> None:
    assert any(m.name == CJK_NAME for m in facts.models[:10])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        charts_of(facts)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_a_chart_drawn_by_its_kind_is_kept_as_it_is(facts: Facts) -> None:
    # A kind may hand over images it made itself: they are kept, and fed like the others.
    charts, _ = charts_of(facts)
    own = dataclasses.replace(charts[0], draw=None)
    fed: dict[str, bytes] = {}
    drawn = draw_charts([own, *make_charts(facts, ClaimBook())[1:]], svg=False, on_pngs=fed.update)
    assert drawn[0] is own
    assert fed[own.name] == own.png and set(fed) == {c.name for c in drawn}
    assert all(c.images is not None for c in drawn)
