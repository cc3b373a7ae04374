"""Page, archive and email opened in headless Chromium: nothing wider than the screen, every image drawn."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_fixtures import copy_sample

from generator.cli import main
from generator.resources import sample_report_dir

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             shutil.which("google-chrome")) if p), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs headless Chromium (./dev setup installs it)")

# The harness page holds the page in an iframe as wide as the device: headless Chromium will not
# make its window narrower than 500 px, but an iframe is a viewport of its own, media queries included.
HARNESS = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%(src)s" style="border:0;width:%(width)dpx;height:20000px"></iframe>
<script>
document.getElementById("f").addEventListener("load", () => {
  const doc = document.getElementById("f").contentDocument;
  const width = doc.documentElement.clientWidth;
  const wide = [...doc.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest(".table-wrap"))
    .map(e => e.tagName + "." + e.className);
  const images = [...doc.images]
    .map(i => ({src: i.getAttribute("src"), ok: i.complete && i.naturalWidth > 0}));
  const box = selector => {
    const e = doc.querySelector(selector);
    if (!e) return null;
    const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom};
  };
  const boxes = {toc: box("#toc"), h1: box("h1"), summary: box(".summary"), article: box("#article")};
  const out = document.createElement("pre");
  out.id = "probe";
  out.textContent = JSON.stringify({width, scroll: doc.documentElement.scrollWidth, wide, images, boxes});
  document.body.appendChild(out);
});
</script></body></html>"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A folder served over HTTP on 127.0.0.1 (so the harness may read its iframe), and its URL."""
    root = tmp_path_factory.mktemp("served")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def probe(served: tuple[Path, str], page: Path, width: int, harness: str, name: str,
          dark: bool = False) -> Any:
    """Open `page` (inside the served folder) in `harness` in headless Chromium at `width` CSS px
    (in dark mode if asked); return what the harness wrote into its <pre id="probe">."""
    assert CHROMIUM is not None
    root, base = served
    # Lazy images would wait for a scroll that never comes in a one-shot dump: load them all.
    copy = page.with_name(f".probe-{page.name}")
    copy.write_text(page.read_text(encoding="utf-8").replace(' loading="lazy"', ""), encoding="utf-8")
    frame = root / f".{name}-{width}.html"
    frame.write_text(harness % {"src": "/" + copy.relative_to(root).as_posix(), "width": width},
                     encoding="utf-8")
    with tempfile.TemporaryDirectory() as profile:
        done = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             f"--user-data-dir={profile}", "--window-size=1200,900", "--virtual-time-budget=20000",
             *(["--force-dark-mode"] if dark else []), "--dump-dom", base + frame.name],
            capture_output=True, text=True, timeout=180)
    copy.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert found, done.stderr[-2000:]
    return json.loads(html.unescape(found.group(1)))


def measure(served: tuple[Path, str], page: Path, width: int) -> dict[str, Any]:
    """The layout probe of `page` at `width` CSS px: overflow, images, chart boxes."""
    data: dict[str, Any] = probe(served, page, width, HARNESS, "harness")
    return data


@pytest.fixture(scope="module")
def site(sample_edition: Path, served: tuple[Path, str]) -> Path:
    """A published copy of the sample edition in the served folder; returns the report's folder."""
    out = served[0]
    shutil.copytree(sample_edition, out / "llm-usage" / sample_edition.name)
    assert main(["publish", "--report", str(sample_report_dir()), "--out", str(out)]) == 0
    return out / "llm-usage"


@pytest.mark.parametrize("width", [375, 1000])
def test_edition_page_fits_and_draws_every_chart(site: Path, served: tuple[Path, str], width: int) -> None:
    seen = measure(served, site / "2026-W21" / "index.html", width)
    assert seen["width"] == width
    assert seen["scroll"] == width and seen["wide"] == [], seen["wide"]
    images = seen["images"]
    assert isinstance(images, list) and len(images) == 5
    assert all(i["ok"] for i in images), images


@pytest.mark.parametrize("width", [375, 1280, 1440])
def test_contents_follow_the_summary_or_stand_in_the_margin(site: Path, served: tuple[Path, str],
                                                           width: int) -> None:
    # Read first, the contents pushed the headline below a screenful on any screen narrower
    # than the margin layout; they belong after the summary, as in the print edition.
    boxes = measure(served, site / "2026-W21" / "index.html", width)["boxes"]
    toc, h1, summary, article = boxes["toc"], boxes["h1"], boxes["summary"], boxes["article"]
    if width >= 1320:  # the margin layout
        assert toc["right"] <= article["left"] and toc["top"] < h1["bottom"], boxes
    else:
        assert toc["top"] >= summary["bottom"] and toc["left"] >= article["left"], boxes


def test_archive_fits_a_phone(site: Path, served: tuple[Path, str]) -> None:
    seen = measure(served, site / "index.html", 375)
    assert seen["scroll"] == 375 and seen["wide"] == [], seen["wide"]


@pytest.mark.parametrize("width", [375, 600])
def test_email_fits_phone_and_desktop_clients(sample_edition: Path, served: tuple[Path, str],
                                             width: int) -> None:
    email = served[0] / "email.html"
    shutil.copy(sample_edition / "email.html", email)
    seen = measure(served, email, width)
    assert seen["scroll"] == width and seen["wide"] == [], seen["wide"]
    images = seen["images"]
    assert isinstance(images, list) and len(images) == 2
    assert all(str(i["src"]).startswith("cid:") for i in images)  # the mail client resolves them


def test_hostile_long_names_do_not_widen_the_page(served: tuple[Path, str], tmp_path: Path) -> None:
    # A 288-letter word in a model's name, and markup in the names, at the narrowest width.
    from helpers import week
    from test_hostile import LONG_WORD, hostile_report

    folder = hostile_report(tmp_path, served[1].rstrip("/"))
    out = served[0] / "hostile"
    assert main(["build", "--report", str(folder), "--out", str(out), "--to", "html",
                 "--week", week(3)]) == 0
    page = out / "rep" / "2026-W05" / "index.html"
    assert LONG_WORD in page.read_text(encoding="utf-8")
    seen = measure(served, page, 375)
    assert seen["scroll"] == 375 and seen["wide"] == [], seen["wide"]


def test_web_copy_of_the_email_loads_every_image(served: tuple[Path, str], tmp_path: Path) -> None:
    # Issue 17, item 5: the published web copy names its charts by absolute URL on site_url; here
    # site_url is the loopback server, so Chromium fetches each one as a reader's browser would.
    report = copy_sample(tmp_path)
    config = report.folder / "report.toml"
    site = f"{served[1]}web/llm-usage/"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'site_url = "https://tokenledger.example.org/"', f'site_url = "{site}"'), encoding="utf-8")
    out = served[0] / "web"
    assert main(["build", "--report", str(report.folder), "--out", str(out), "--to", "email"]) == 0
    page = out / "llm-usage" / "2026-W21" / "email-web.html"
    text = page.read_text(encoding="utf-8")
    assert "cid:" not in text and "%%" not in text and f'href="{site}subscribe"' in text
    seen = measure(served, page, 600)
    assert len(seen["images"]) >= 2
    assert all(image["ok"] and image["src"].startswith(site) for image in seen["images"]), seen["images"]
