"""A correction in the report's notes: dated and visible in every format of its edition, the feed
entry's `updated` moved, listed on the corrections page, and not mailed again."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.cli import main
from generator.corrections import FILE, load_corrections
from generator.errors import InputError
from generator.resources import sample_report_dir

ATOM = "{http://www.w3.org/2005/Atom}"
# Figures that are not facts of the week: the check must read them as the editor's words.
TEXT = "An earlier version put Tencent's model at 2.49 trillion tokens, not 2.94 trillion."
CORRECTION = f'[[correction]]\nweek = "2026-W21"\ndate = 2026-05-28\ntext = "{TEXT}"\n'


def _feed_updated(site: Path) -> dict[str, str]:
    feed = ET.parse(site / "feed.xml").getroot()
    return {e.findtext(f"{ATOM}id") or "": e.findtext(f"{ATOM}updated") or ""
            for e in feed.findall(f"{ATOM}entry")}


@pytest.fixture(scope="module")
def corrected(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], dict[str, str]]:
    """The sample's W21 built and published, then corrected, rebuilt and published again."""
    root = tmp_path_factory.mktemp("corrected")
    report, out = root / "report", root / "out"
    shutil.copytree(sample_report_dir(), report, ignore=shutil.ignore_patterns("make_data.py"))
    build = ["build", "--report", str(report), "--out", str(out), "--to", "html,md,pdf,email"]
    assert main([*build, "--week", "2026-W21"]) == 0
    assert main(["publish", "--report", str(report), "--out", str(out)]) == 0
    site = out / report.name  # a report's slug is its folder's name
    before = _feed_updated(site)
    (report / "notes" / FILE).write_text(CORRECTION, encoding="utf-8")
    assert main([*build, "--week", "2026-W21"]) == 0
    assert main(["publish", "--report", str(report), "--out", str(out)]) == 0
    return site, before, _feed_updated(site)


Corrected = tuple[Path, dict[str, str], dict[str, str]]


def test_correction_shows_dated_in_every_format(corrected: Corrected) -> None:
    edition = corrected[0] / "2026-W21"
    page = (edition / "index.html").read_text(encoding="utf-8")
    assert ('<aside class="correction" role="note"><strong>Correction, '
            '<time datetime="2026-05-28">May 28, 2026</time>:</strong>') in page
    assert "Tencent&#39;s model at 2.49 trillion" in page
    article = (edition / "article.md").read_text(encoding="utf-8")
    assert "> **Correction, May 28, 2026:** An earlier version" in article
    assert 'lastmod: "2026-05-28"' in article
    assert "Correction, May 28, 2026:" in (edition / "email.html").read_text(encoding="utf-8")
    assert "CORRECTION, May 28, 2026: An earlier" in (edition / "email.txt").read_text(encoding="utf-8")
    if shutil.which("pdftotext"):
        pdf = subprocess.run(["pdftotext", str(edition / "article.pdf"), "-"], capture_output=True,
                             text=True, check=True).stdout
        assert "Correction, May 28, 2026:" in " ".join(pdf.split())
    facts = json.loads((edition / "facts.json").read_text(encoding="utf-8"))
    assert facts["edition"]["corrections"] == [
        {"date": "2026-05-28", "date_text": "May 28, 2026", "text": TEXT}]


def test_correction_moves_the_feed_entry_and_is_listed(corrected: Corrected) -> None:
    site, before, after = corrected
    (url,) = before
    assert before[url] == "2026-05-26T08:00:00+01:00"
    assert after[url] == "2026-05-28T00:00:00+01:00"
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.findtext(f"{ATOM}updated") == after[url]
    page = (site / "corrections" / "index.html").read_text(encoding="utf-8")
    assert "May 28, 2026" in page and "2.49 trillion" in page and 'href="../2026-W21/"' in page


def test_a_bad_corrections_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / FILE).write_text('[[correction]]\nweek = "2026-W21"\ndate = "soon"\ntext = "x"\n',
                                 encoding="utf-8")
    with pytest.raises(InputError, match="correction 1: expected date as YYYY-MM-DD"):
        load_corrections(tmp_path)
    (tmp_path / FILE).write_text('[[correction]]\nweek = "2026-W21"\n', encoding="utf-8")
    with pytest.raises(InputError, match="expected exactly the keys week, date and text"):
        load_corrections(tmp_path)
