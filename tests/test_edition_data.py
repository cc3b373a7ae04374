"""The data behind an edition: each chart's CSV against facts.json, the site's feeds, data,
methodology and corrections pages, autodiscovery on every page, and front matter with no markup."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from generator.check import check_edition
from generator.cli import main
from generator.layout import ARTICLE, CHARTS_DIR, FACTS, FEED, PAGE, RSS, SITE_PAGES
from generator.render.filters import plain, yaml_plain
from generator.resources import sample_report_dir

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"


def _csv(edition: Path, name: str) -> list[dict[str, str]]:
    text = (edition / CHARTS_DIR / f"{name}.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def facts(sample_edition: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((sample_edition / FACTS).read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="module")
def site(sample_edition: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    shutil.copytree(sample_edition, out / "llm-usage" / sample_edition.name)
    assert main(["publish", "--report", str(sample_report_dir()), "--out", str(out)]) == 0
    return out / "llm-usage"


def test_every_chart_has_its_csv_linked_with_a_data_table(sample_edition: Path) -> None:
    page = (sample_edition / PAGE).read_text(encoding="utf-8")
    figures = re.findall(r'<figure id="chart-([a-z_]+)".*?</figure>', page, re.S)
    assert len(figures) == 5
    for name in figures:
        block = re.search(rf'<figure id="chart-{name}".*?</figure>', page, re.S)
        assert block is not None
        assert f'href="charts/{name}.csv" download>Get the data</a>' in block.group()
        assert '<details class="chart-data">' in block.group() and "<table>" in block.group()
        rows = len(_csv(sample_edition, name))
        assert block.group().count("<tr>") == rows + 1  # the header row and one per CSV row


def test_total_and_regions_csv_match_the_history(sample_edition: Path, facts: dict[str, Any]) -> None:
    history = facts["history"]
    total = _csv(sample_edition, "total")
    assert [(r["week"], int(r["tokens"])) for r in total] == [(h["week"], h["tokens"]) for h in history]
    regions = _csv(sample_edition, "regions")
    countries = [r["country"] for r in facts["regions"][:4]]
    assert list(regions[0]) == ["week", *countries]
    for row, point in zip(regions, history, strict=True):
        assert [int(row[c]) for c in countries] == [point["by_country"].get(c, 0) for c in countries]


def test_model_csvs_match_the_rankings_and_movers(sample_edition: Path, facts: dict[str, Any]) -> None:
    top = _csv(sample_edition, "top_models")
    for row, model in zip(top, facts["models"], strict=False):
        assert (int(row["rank"]), row["model"], int(row["tokens"])) == (
            model["rank"], model["model"], model["tokens"])
        assert row["change_pct"] == ("" if model["change_pct"] is None else str(model["change_pct"]))
    movers = _csv(sample_edition, "movers")
    expected = [*facts["movers"]["gainers"][:5], *facts["movers"]["losers"][:5]]
    assert [(r["model"], int(r["change_tokens"])) for r in movers] == [
        (m["model"], m["change_tokens"]) for m in expected]


def test_share_csv_adds_up_and_matches_the_history(sample_edition: Path, facts: dict[str, Any]) -> None:
    share = _csv(sample_edition, "share")
    models = [c for c in share[0] if c not in ("week", "all_other")]
    assert models == [m["model"] for m in facts["models"][:len(models)]]
    for row, point in zip(share, facts["history"], strict=True):
        for m in models:
            # A model absent from a week of the history (not yet launched) holds no share of it.
            expected = point["by_model"].get(m, 0) / point["tokens"] * 100
            assert float(row[m]) == pytest.approx(expected, abs=1e-4)
        assert sum(float(row[c]) for c in (*models, "all_other")) == pytest.approx(100, abs=1e-3)


def test_both_feeds_parse_with_full_content_categories_and_the_pdf(site: Path) -> None:
    atom = ET.parse(site / FEED).getroot()
    entry = atom.find(f"{ATOM}entry")
    assert entry is not None
    content = entry.find(f"{ATOM}content")
    assert content is not None and content.get("type") == "html"
    assert "<h2>Key Takeaways</h2>" in (content.text or "")
    # The entry's title is the headline: the content does not repeat it, nor the page's table
    # of contents (in-page links), which the edition page itself keeps.
    page = (site / "2026-W21" / PAGE).read_text(encoding="utf-8")
    headline = entry.findtext(f"{ATOM}title") or ""
    assert "<h1>" in page and 'class="toc"' in page and headline
    assert "<h1>" not in (content.text or "") and 'class="toc"' not in (content.text or "")
    assert "page-only" not in (content.text or "")
    # Links in the content are absolute: a feed reader has no page to resolve them against.
    assert 'src="charts/' not in (content.text or "")
    assert [c.get("term") for c in entry.findall(f"{ATOM}category")]
    enclosure = [link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert len(enclosure) == 1 and enclosure[0].get("type") == "application/pdf"
    assert int(enclosure[0].get("length") or 0) == (site / "2026-W21" / "article.pdf").stat().st_size
    rss = ET.parse(site / RSS).getroot()
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    item = rss.find("channel/item")
    assert item is not None
    assert item.findtext("link") == entry.findtext(f"{ATOM}id")
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}", item.findtext("pubDate") or "")
    assert item.findall("category") and item.find(f"{CONTENT}encoded") is not None
    rss_enclosure = item.find("enclosure")
    assert rss_enclosure is not None and rss_enclosure.get("url", "").endswith("/article.pdf")


def test_every_page_announces_both_feeds(site: Path) -> None:
    pages = [site / PAGE, site / "2026-W21" / PAGE, *(site / p for p in SITE_PAGES)]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for kind, name in (("atom", "feed"), ("rss", "rss")):
            link = rf'<link rel="alternate" type="application/{kind}\+xml"[^>]*href="(\.\./)?{name}\.xml"'
            assert re.search(link, text), (page, kind)


def test_data_methodology_and_corrections_pages(site: Path) -> None:
    data = (site / "data" / PAGE).read_text(encoding="utf-8")
    assert 'href="../2026-W21/facts.json"' in data
    assert data.count('href="../2026-W21/charts/') == 5
    method = (site / "methodology" / PAGE).read_text(encoding="utf-8")
    for heading in ("Sources", "Coverage", "Definitions", "Caveats", "How every figure is checked"):
        assert f"<h2>{heading}</h2>" in method
    assert "<dt>Token</dt>" in method and "OpenRouter" in method
    assert (site / "corrections" / PAGE).is_file()
    edition = (site / "2026-W21" / PAGE).read_text(encoding="utf-8")
    for link in ('href="facts.json"', 'href="../methodology/"', 'href="../data/"',
                 'href="../corrections/"'):
        assert link in edition


def test_front_matter_has_no_markup_characters(sample_edition: Path) -> None:
    front = (sample_edition / ARTICLE).read_text(encoding="utf-8").split("---\n")[1]
    for line in front.splitlines():
        if line.startswith(("title:", "description:", "  - ", "author:")):
            assert not re.search(r"[<>{}\[\]`]", line.split(":", 1)[-1]), line
    assert plain('<script>alert("x")</script> {{ site.x }} [a](b)') == \
        "script alert(\u201dx\u201d) /script site.x a (b)"
    assert yaml_plain("Model's <b>") == '"Model\u2019s b"'


def test_the_check_traces_each_csv_figure_and_refuses_stray_chart_files(
        sample_edition: Path, tmp_path: Path) -> None:
    edition = tmp_path / "2026-W21"
    shutil.copytree(sample_edition, edition)
    assert check_edition(edition).ok
    total = edition / CHARTS_DIR / "total.csv"
    lines = total.read_text(encoding="utf-8").splitlines()
    week, tokens = lines[1].split(",")
    lines[1] = f"{week},{int(tokens) + 1}"
    total.write_text("\r\n".join(lines), encoding="utf-8")
    (edition / CHARTS_DIR / "nothing-narrow.svg").write_text("<svg/>", encoding="utf-8")
    problems = check_edition(edition).problems
    assert [(p.file, p.number) for p in problems] == [
        ("charts/nothing-narrow.svg", ""), ("charts/total.csv", str(int(tokens) + 1))]
