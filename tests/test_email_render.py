"""The email digest renderer: email.html (inlined, ≤ 600 px, cid: charts) and email.txt."""

from __future__ import annotations

import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from story_fixture import sample_content

from generator.check import check_edition
from generator.render import RENDERERS, render_all
from generator.render.email import UNSUBSCRIBE_PLACEHOLDER, text_table, wrap
from generator.story.model import Bullet, Span, Table

MAX_BYTES = 90 * 1024
HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> {{ 7*7 }} %%X%%"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))


def _tags(html: str) -> list[tuple[str, dict[str, str]]]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


@pytest.fixture(scope="module")
def email_html(sample_edition: Path) -> str:
    return (sample_edition / "email.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def email_txt(sample_edition: Path) -> str:
    return (sample_edition / "email.txt").read_text(encoding="utf-8")


def test_email_is_registered() -> None:
    assert "email" in RENDERERS
    assert RENDERERS["email"].description


def test_both_parts_are_written(sample_edition: Path) -> None:
    assert (sample_edition / "email.html").is_file()
    assert (sample_edition / "email.txt").is_file()


def test_html_is_small_and_has_no_stylesheet_links(sample_edition: Path, email_html: str) -> None:
    assert (sample_edition / "email.html").stat().st_size < MAX_BYTES
    assert not [a for t, a in _tags(email_html) if t == "link" and "stylesheet" in a.get("rel", "")]


def test_css_is_inlined_and_only_at_rules_stay(email_html: str) -> None:
    styled = [a for _, a in _tags(email_html) if "style" in a]
    assert len(styled) > 20
    head_styles = re.findall(r"<style[^>]*>(.*?)</style>", email_html, re.DOTALL)
    assert head_styles, "the @media rules must stay in a <style> block"
    kept = "".join(head_styles)
    assert "@media (prefers-color-scheme: dark)" in kept
    assert "Georgia" not in kept  # plain rules are inlined, not kept


def test_dark_mode_meta_tags(email_html: str) -> None:
    metas = {a.get("name"): a.get("content") for t, a in _tags(email_html) if t == "meta"}
    assert metas.get("color-scheme") == "light dark"
    assert metas.get("supported-color-schemes") == "light dark"


def test_images_have_alt_and_cid_sources_backed_by_chart_files(
    sample_edition: Path, email_html: str
) -> None:
    images = [a for t, a in _tags(email_html) if t == "img"]
    assert images
    for image in images:
        assert image.get("alt", "").strip()
        src = image.get("src", "")
        assert src.startswith("cid:"), src
        assert (sample_edition / "charts" / f"{src.removeprefix('cid:')}.png").is_file()
    assert {a["src"] for a in images} <= {"cid:total", "cid:top_models"}


def test_nothing_is_wider_than_600(email_html: str) -> None:
    tags = _tags(email_html)
    for _, attrs in tags:
        width = attrs.get("width", "")
        if width.isdigit():
            assert int(width) <= 600
    widths = [a.get("width") for t, a in tags if t == "table"]
    assert "600" in widths  # the outer content table
    assert not re.search(r"(?<![-\w])width:\s*(\d{4,}|[7-9]\d\d|6[1-9]\d|60[1-9])px", email_html)


def test_preheader_is_the_hidden_summary(email_html: str) -> None:
    tags = _tags(email_html)
    pre = [a for t, a in tags if "preheader" in a.get("class", "")]
    assert pre
    style = pre[0]["style"].replace(" ", "")
    assert "display:none" in style
    match = re.search(r'class="preheader"[^>]*>([^<]+)<', email_html)
    assert match and match.group(1).startswith("MiniMax-M3 drew")


def test_html_has_the_short_article_and_links(email_html: str) -> None:
    assert "MiniMax-M3 Makes the Strongest First Week in the Data" in email_html
    assert "Key Takeaways" in email_html
    assert "DeepSeek-V4-Flash" in email_html
    assert 'href="https://tokenledger.example.org/2026-W21/"' in email_html
    assert 'href="https://tokenledger.example.org/2026-W21/article.pdf"' in email_html
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in email_html
    assert "2026-W21" not in re.sub(r'href="[^"]*"', "", email_html)


def test_plain_text_part(email_txt: str) -> None:
    assert email_txt.startswith("MiniMax-M3 Makes the Strongest First Week in the Data\n===")
    for label in ("Market Leadership", "Growth Divergence", "Top Rankings", "Total Volume"):
        assert f"- {label}: " in email_txt
    assert "https://tokenledger.example.org/2026-W21/\n" in email_txt
    assert "https://tokenledger.example.org/2026-W21/article.pdf" in email_txt
    assert f"Unsubscribe: {UNSUBSCRIBE_PLACEHOLDER}" in email_txt
    assert not re.search(r"<[a-zA-Z/][^>]*>", email_txt)
    assert "&amp;" not in email_txt
    assert "| DeepSeek-V4-Flash " in email_txt
    table_lines = [line for line in email_txt.splitlines() if line.startswith("|")]
    assert len(table_lines) == 12  # header, rule, ten rows
    assert len({len(line) for line in table_lines}) == 1  # aligned
    prose = [line for line in email_txt.splitlines() if not line.startswith("|")]
    assert max(len(line) for line in prose) <= 72


def test_edition_check_reads_the_email_parts(sample_edition: Path) -> None:
    result = check_edition(sample_edition)
    assert result.ok, [str(p) for p in result.problems]
    assert {"email.html", "email.txt"} <= set(result.files)


def test_text_table_aligns_and_narrows() -> None:
    table = Table(
        caption="",
        columns=("Rank", "Model", "Maker", "Tokens"),
        rows=(("1", "A", "Maker of A", "3.69 trillion"), ("10", "B", "B Inc", "496 billion")),
        numeric=(True, False, False, True),
    )
    lines = text_table(table).splitlines()
    assert lines[0].startswith("| Rank | Model | Maker")
    assert lines[2].startswith("|    1 |")
    assert lines[3].endswith("|   496 billion |")
    wide = Table("", ("#", "Name", "Notes"), (("1", "x" * 40, "y" * 40),), (True, False, False))
    assert "Notes" not in text_table(wide)


def test_wrap_keeps_figures_together() -> None:
    text = "word " * 13 + "27.49\u00a0% rise and DeepSeek-V4-Flash-Super-Long-Name again"
    for line in wrap(text).splitlines():
        assert len(line) <= 72 or " " not in line
    assert "27.49\u00a0%" in wrap(text)
    assert "DeepSeek-V4-Flash-Super-Long-Name" in wrap(text)


def test_hostile_text_stays_inert(tmp_path: Path) -> None:
    content = sample_content(tmp_path / "in")
    story = content.story
    evil_table = Table(HOSTILE, ("Rank", HOSTILE, "Tokens"), (("1", HOSTILE, "3.69 T"),),
                       (True, False, True))
    sections = tuple(
        dataclasses.replace(s, table=evil_table) if s.id == "rankings" else s
        for s in story.sections
    )
    evil = dataclasses.replace(
        story,
        headline=HOSTILE,
        summary=(Span(HOSTILE), Span("click", href="javascript:alert(1)")),
        takeaways=(Bullet(HOSTILE, (Span(HOSTILE, strong=True),)), *story.takeaways),
        sections=sections,
    )
    out = tmp_path / "out"
    out.mkdir()
    render_all(dataclasses.replace(content, story=evil), out, ["email"])
    html = (out / "email.html").read_text(encoding="utf-8")
    tags = _tags(html)
    assert not [t for t, _ in tags if t == "script"]
    assert all(a.get("src", "").startswith("cid:") for t, a in tags if t == "img")
    assert not [k for _, a in tags for k in a if k.startswith("on")]
    assert not [a for _, a in tags if a.get("href", "").startswith("javascript")]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "{{ 7*7 }}" in html
    text = (out / "email.txt").read_text(encoding="utf-8")
    assert text.startswith(HOSTILE + "\n")  # literal: plain text is not markup
    assert "javascript:" not in text
    assert f"- {HOSTILE}: {HOSTILE}" in " ".join(text.split())


def test_the_digest_carries_the_lede_and_the_take(sample_edition: Path, email_html: str,
                                                  email_txt: str) -> None:
    # Issue 16, item 7: a reader of the digest alone gets the opening and the take, not only
    # the takeaways; both parts, in the article's order.
    flat_html = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", email_html)).replace("\u00a0", " ")
    flat_txt = re.sub(r"\s+", " ", email_txt).replace("\u00a0", " ")
    article = (sample_edition / "article.md").read_text(encoding="utf-8")
    # The lede's second paragraph: the total, after the opening sentence.
    before_takeaways = article.split("## Key Takeaways")[0].strip().split("\n\n")
    opening = before_takeaways[-1][:50]
    for flat in (flat_html, flat_txt):
        # ... and the week's largest cause, right after the lede.
        cause = flat.find("Why it moved: Without MiniMax-M3, total volume would have grown only")
        assert flat.find(opening) < cause < flat.lower().find("key takeaways"), cause
        lede = flat.find(opening)
        takeaways = flat.lower().find("key takeaways")
        take = flat.lower().find("ledger's take")
        advice = flat.find("Actionable Advice")
        assert -1 < lede < takeaways < take < advice, (lede, takeaways, take, advice)
