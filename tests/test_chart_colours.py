"""Chart colours: every series keeps 3:1 against the light and the dark background, and the web's
SVG switches its text and frame colours with the reader's colour scheme."""

from __future__ import annotations

import re

import pytest

from generator.charts import style
from generator.kinds.usage import charts as usage_charts


@pytest.mark.parametrize("background", style.SERIES_BACKGROUNDS)
@pytest.mark.parametrize("colour", [*style.COLOURS_OF_SERIES, usage_charts.ACCENT,
                                    usage_charts.MUTED])
def test_every_series_colour_meets_3_to_1(colour: str, background: str) -> None:
    assert style.contrast_ratio(colour, background) >= 3.0, (colour, background)


def test_contrast_ratio_matches_wcag_examples() -> None:
    assert style.contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert style.contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", [style.INK, style.GREY])
def test_svg_text_colours_keep_4_5_to_1_in_both_schemes(colour: str) -> None:
    variable, dark = style.SVG_THEME[colour]
    assert style.contrast_ratio(colour, style.WHITE) >= 4.5
    assert style.contrast_ratio(dark, style.DARK_PAPER) >= 4.5, variable


def test_svg_is_transparent_and_themed() -> None:
    with style.house_style():
        fig, ax = style.new_figure()
        style.frame(fig, "Title", "Subtitle", "Source")
        ax.bar([0, 1], [1, 2], color=style.MUTED_BAR)
        svg = style.svg_bytes(fig).decode()
    assert "prefers-color-scheme: dark" in svg
    assert re.search(r"fill: var\(--chart-ink, #222222\)", svg)
    # No opaque background rectangle: the page's own background shows through.
    assert not re.search(r"fill: ?#ffffff", svg, re.I)
    # Every themed colour is a variable wherever it fills or strokes, in either case.
    for colour in style.SVG_THEME:
        assert not re.search(rf"(fill|stroke): ?{colour}\b", svg, re.I), colour
    assert style.themed_svg('<svg><path style="stroke:#222222; fill: #FFFFFF"/></svg>').endswith(
        '<path style="stroke: var(--chart-ink, #222222); fill: var(--chart-paper, #FFFFFF)"/></svg>')
