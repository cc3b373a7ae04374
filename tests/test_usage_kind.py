"""The generic `usage` kind: the second sample report, column mapping, words, `weekly init`.

The same engine builds, checks and publishes both bundled reports; the generic one must speak
only with its report's own nouns, in every format a reader sees.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.check import check_edition
from generator.cli import main
from generator.textblocks import html_blocks, markdown_blocks, pdf_blocks, text_blocks

SAMPLE = Path(__file__).resolve().parents[1] / "reports" / "package-downloads"
# Words of the LLM kind that a generic report must never print.
LLM_WORDS = re.compile(r"\b(tokens?|models?|makers?|LLM|context windows?|open weights|"
                       r"open-weight|prices?|priced|OpenRouter|catalogue)\b", re.IGNORECASE)
poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package-downloads sample built in every format and published."""
    out = tmp_path_factory.mktemp("pd")
    assert main(["build", "--report", str(SAMPLE), "--out", str(out)]) == 0
    assert main(["publish", "--report", str(SAMPLE), "--out", str(out)]) == 0
    return out / "package-downloads"


def _texts(site: Path) -> dict[str, str]:
    edition = site / "2026-W22"
    texts = {
        "index.html": html_blocks((edition / "index.html").read_text(encoding="utf-8")),
        "article.md": markdown_blocks((edition / "article.md").read_text(encoding="utf-8")),
        "email.html": html_blocks((edition / "email.html").read_text(encoding="utf-8")),
        "email.txt": text_blocks((edition / "email.txt").read_text(encoding="utf-8")),
        "archive": html_blocks((site / "index.html").read_text(encoding="utf-8")),
        "feed.xml": [" ".join(ET.fromstring((site / "feed.xml").read_text(encoding="utf-8"))
                              .itertext())],
    }
    if shutil.which("pdftotext"):
        texts["article.pdf"] = pdf_blocks(edition / "article.pdf")
    # The Markdown's front matter (tags and all) is read whole, as a site generator would.
    texts["front matter"] = [(edition / "article.md").read_text(encoding="utf-8").split("---")[1]]
    return {name: " ".join(blocks) for name, blocks in texts.items()}


def test_the_generic_sample_builds_checks_and_speaks_its_own_words(site: Path) -> None:
    assert check_edition(site / "2026-W22").ok
    for name, text in _texts(site).items():
        found = LLM_WORDS.search(text)
        assert found is None, (name, found.group(), text[max(0, found.start() - 80):found.end() + 80])
        assert "downloads" in text or name == "front matter", name


def test_the_sample_tells_its_news(site: Path) -> None:
    text = _texts(site)["article.md"]
    assert "Data Overtakes Packaging" in text
    assert "moved ahead of packaging" in text
    assert re.search(r"drew \d+ million downloads in the week of May 25, 2026", text)
    # Both samples share the engine: the LLM one still builds beside it.
    assert (site.parent / "package-downloads" / "2026-W22" / "charts" / "top_items.png").is_file()


def test_columns_with_other_names_are_mapped(tmp_path: Path) -> None:
    folder = tmp_path / "visits"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "v.csv").write_text(
        "day,page,hits,area\n" + "".join(
            f"2026-05-{d:02d},{page},{hits + 10 * i},{area}\n"
            for i, d in enumerate((4, 11, 18)) for page, hits, area in
            (("/a", 500, "docs"), ("/b", 300, "blog"), ("/c", 200, "docs"))),
        encoding="utf-8")
    (folder / "report.toml").write_text(
        'kind = "usage"\ntitle = "Visits"\n[data]\nusage = "data/v.csv"\n'
        '[data.columns]\nweek = "day"\nitem = "page"\nvalue = "hits"\ngroup = "area"\n'
        '[words]\nitem = "page"\nitems = "pages"\nunit = "visit"\nunits = "visits"\n'
        'group = "area"\ngroups = "areas"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--report", str(folder), "--out", str(out), "--to", "md"]) == 0
    text = (out / "visits" / "2026-W21" / "article.md").read_text(encoding="utf-8")
    assert "The docs area" in text and "visits" in text and "/a" in text


def test_a_missing_mapped_column_is_one_line(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "bad"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "v.csv").write_text("day,page\n2026-05-04,/a\n", encoding="utf-8")
    (folder / "report.toml").write_text(
        'kind = "usage"\n[data]\nusage = "data/v.csv"\n[data.columns]\nweek = "day"\n'
        'item = "page"\nvalue = "hits"\n', encoding="utf-8")
    assert main(["build", "--report", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "hits" in err and "Traceback" not in err


@pytest.mark.parametrize("setting", ['kind = "widgets"', '[data.columns]\nitems = "x"',
                                     '[words]\nitem = "<b>"'])
def test_bad_kind_columns_and_words_are_refused(
    tmp_path: Path, setting: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "report.toml").write_text(setting + "\n", encoding="utf-8")
    assert main(["build", "--report", str(tmp_path), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and re.search(r"kind|data\.columns|words\.", err)


@pytest.mark.parametrize("kind", ["usage", "llm-usage"])
def test_init_writes_a_report_that_builds_at_once(tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "mine"
    assert main(["init", str(folder), "--kind", kind]) == 0
    config = (folder / "report.toml").read_text(encoding="utf-8")
    assert f'kind = "{kind}"' in config and "# schedule.timezone" in config
    assert (folder / "notes").is_dir() and (folder / "README.md").is_file()
    assert main(["build", "--report", str(folder), "--out", str(tmp_path / "out"),
                 "--to", "md"]) == 0
    assert main(["init", str(folder)]) == 2  # never over an existing report


def test_committed_sample_data_is_what_its_script_writes() -> None:
    spec = importlib.util.spec_from_file_location("package_downloads_data",
                                                  SAMPLE / "make_data.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    rows = module.generate()
    module.verify(rows)
    lines = ["date,package,downloads,ecosystem,title", *(",".join(map(str, r)) for r in rows)]
    assert (SAMPLE / "data" / "downloads.csv").read_text(encoding="utf-8").splitlines() == lines


def test_an_overlong_item_is_refused_like_a_model_id(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "long"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "usage.csv").write_text(
        f"week,item,value\n2026-05-04,{'x' * 5000},10\n", encoding="utf-8")
    (folder / "report.toml").write_text('kind = "usage"\n', encoding="utf-8")
    assert main(["build", "--report", str(folder), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "usage.csv, row 2, column item" in err and "at most" in err
