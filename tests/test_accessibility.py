"""Headless Chromium: chart text at 375 px is 9 px or more, every chart has its data table and CSV
link, and axe-core finds no serious or critical violation on the edition page, the archive, the
site's pages and the email's HTML."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_browser import CHROMIUM, probe, served, site

__all__ = ["served", "site"]  # fixtures shared with test_browser.py

AXE = Path(__file__).resolve().parents[1] / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (./dev setup installs it)")
MIN_TEXT_PX = 9.0

# The page in an iframe as wide as a phone (Chromium's window is never narrower than 500 px):
# for each chart, the SVG it actually shows (currentSrc) is laid out inline at the width the
# image takes, and each text's font size is multiplied by the scale it is drawn at.
CHARTS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%(src)s" style="border:0;width:%(width)dpx;height:20000px"></iframe>
<script>
document.getElementById("f").addEventListener("load", async () => {
  const doc = document.getElementById("f").contentDocument;
  const charts = [];
  for (const figure of doc.querySelectorAll("figure.chart")) {
    const img = figure.querySelector("img");
    const width = img.getBoundingClientRect().width;
    const svgText = await (await fetch(img.currentSrc)).text();
    const box = document.createElement("div");
    box.style.width = width + "px";
    box.innerHTML = svgText;
    document.body.appendChild(box);
    const svg = box.querySelector("svg");
    svg.setAttribute("width", "100%%");
    svg.removeAttribute("height");
    const sizes = [...svg.querySelectorAll("text")].map(t => {
      const m = t.getScreenCTM();
      return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
    });
    box.remove();
    const csv = figure.querySelector("a.chart-csv");
    const csvText = csv ? await (await fetch(csv.href)).text() : "";
    const full = figure.querySelector("a.chart-full");
    const fullOk = full ? (await fetch(full.href)).ok : false;
    charts.push({
      id: figure.id, src: img.currentSrc, width, texts: sizes.length,
      min: Math.min(...sizes),
      csv: csv ? csv.textContent : null, csvHeader: csvText.split("\\r\\n")[0],
      rows: figure.querySelectorAll("details.chart-data tbody tr").length,
      summary: (figure.querySelector("details.chart-data summary") || {}).textContent || null,
      full: fullOk,
    });
  }
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify(charts);
  document.body.appendChild(out);
});
</script></body></html>"""

# axe-core injected into the page in the iframe, run there, its violations written out.
AXE_HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%(src)s" style="border:0;width:%(width)dpx;height:4000px"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {
  const frame = document.getElementById("f");
  const script = frame.contentDocument.createElement("script");
  script.src = "/.axe.min.js";
  script.onload = async () => {
    const result = await frame.contentWindow.axe.run(frame.contentDocument,
      {resultTypes: ["violations"]});
    const out = document.createElement("pre");
    out.id = "probe";
    out.textContent = JSON.stringify(result.violations.map(v => ({
      id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(" ")).slice(0, 5)})));
    document.body.appendChild(out);
  };
  frame.contentDocument.head.appendChild(script);
});
</script></body></html>"""


def test_chart_text_is_legible_at_375_px_and_each_chart_has_its_data(
        site: Path, served: tuple[Path, str]) -> None:
    charts = probe(served, site / "2026-W21" / "index.html", 375, CHARTS, "charts")
    assert len(charts) == 5
    for chart in charts:
        assert chart["src"].endswith("-narrow.svg"), chart  # the phone gets the narrow drawing
        assert chart["texts"] >= 5 and chart["min"] >= MIN_TEXT_PX, chart
        assert chart["csv"] == "Get the data" and chart["csvHeader"].count(",") >= 1, chart
        assert chart["rows"] >= 2 and chart["summary"].startswith("Data table: "), chart
        assert chart["full"], chart


def test_wide_screens_get_the_wide_chart(site: Path, served: tuple[Path, str]) -> None:
    charts = probe(served, site / "2026-W21" / "index.html", 1280, CHARTS, "charts")
    assert [c["src"].rsplit("/", 1)[-1] for c in charts] == [
        f"{c['id'].removeprefix('chart-')}.svg" for c in charts]
    assert all(c["min"] >= MIN_TEXT_PX for c in charts), charts


@pytest.mark.parametrize("width", [600, 760])
def test_chart_text_is_legible_on_a_small_tablet(site: Path, served: tuple[Path, str], width: int) -> None:
    charts = probe(served, site / "2026-W21" / "index.html", width, CHARTS, "charts")
    assert len(charts) == 5 and all(c["min"] >= MIN_TEXT_PX for c in charts), charts


@pytest.fixture(scope="module")
def axe(served: tuple[Path, str]) -> Path:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing at {AXE}: run ./dev setup")
    target = served[0] / ".axe.min.js"
    shutil.copy(AXE, target)
    return target


@pytest.mark.parametrize(("page", "width", "dark"), [
    ("2026-W21/index.html", 375, False), ("2026-W21/index.html", 1280, False),
    ("2026-W21/index.html", 1280, True), ("index.html", 1280, False),
    ("methodology/index.html", 1280, False), ("data/index.html", 1280, False),
    ("corrections/index.html", 1280, False), ("2026-W21/email.html", 1280, False),
    ("2026-W21/email-web.html", 375, False),
])
def test_axe_finds_no_serious_or_critical_violation(site: Path, served: tuple[Path, str], axe: Path,
                                                   page: str, width: int, dark: bool) -> None:
    violations = probe(served, site / page, width, AXE_HARNESS, "axe", dark)
    assert isinstance(violations, list)
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
