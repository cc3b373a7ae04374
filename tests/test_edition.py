"""The sample edition end to end: the check, its failures, the PDF, and the golden Markdown."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.check import check_edition
from generator.cli import main

GOLDEN = Path(__file__).parent / "golden" / "llm-usage-2026-W21.md"
poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def _copy(edition: Path, tmp_path: Path) -> Path:
    target = tmp_path / "2026-W21"
    shutil.copytree(edition, target)
    return target


def test_sample_edition_passes_the_check(sample_edition: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(sample_edition)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("ok: ")
    assert all(n in out for n in ("index.html", "article.md", "article.pdf", "email.html", "email.txt"))
    names = {p.name for p in sample_edition.iterdir()}
    assert {"index.html", "article.md", "article.pdf", "facts.json", "charts"} <= names


def _claim(edition: Path, spec_kind: str, *, words: bool = False) -> tuple[str, str]:
    """A (sentence, figure) of the ledger whose figure has the given spec kind: the tests alter
    what the story says this week, not a wording they would have to follow."""
    facts = json.loads((edition / "facts.json").read_text(encoding="utf-8"))
    for claim in facts["claims"]:
        spec = claim["fact"].partition("|")[2]
        value = claim["value"]
        if (spec.startswith(spec_kind + ":") or spec == spec_kind) and \
                words == value.isalpha() and claim["text"].count(value) == 1 and len(value) > 1:
            return claim["text"], value
    raise AssertionError(f"no {spec_kind} claim in the ledger")


@pytest.mark.parametrize("name", ["article.md", "index.html"])
def test_one_altered_number_fails_the_check(
    sample_edition: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    edition = _copy(sample_edition, tmp_path)
    path = edition / name
    text = path.read_text(encoding="utf-8")
    sentence, figure = _claim(edition, "pct")
    start = sentence.index(figure)
    phrase = sentence[max(0, start - 12):start + len(figure) + 1]
    altered = phrase.replace(figure, "3.3", 1)
    shown = html.escape(phrase, quote=False) if name.endswith(".html") else phrase
    assert shown in text
    path.write_text(text.replace(shown, altered if name.endswith(".md") else
                                 html.escape(altered, quote=False), 1), encoding="utf-8")
    assert main(["check", str(edition)]) == 1
    err = capsys.readouterr().err
    assert f"{name}: '3.3'" in err


@pytest.mark.parametrize("name", ["index.html", "article.md", "email.txt"])
def test_an_altered_number_word_fails_the_check(
    sample_edition: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str],
) -> None:
    edition = _copy(sample_edition, tmp_path)
    path = edition / name
    text = path.read_text(encoding="utf-8")
    words = ("two", "three", "four", "five", "six", "seven", "eight")
    found = [c for c in json.loads((edition / "facts.json").read_text())["claims"]
             if c["value"] in words and f" {c['value']} " in c["text"]]
    plain = text if name != "index.html" else html.unescape(text)
    for claim in found:
        word = claim["value"]
        start = claim["text"].index(word)
        phrase = claim["text"][max(0, start - 15):start + len(word) + 6]
        if phrase in plain and html.escape(phrase, quote=False) in text:
            break
    else:
        raise AssertionError(f"no number word of the ledger is in {name}")
    other = words[(words.index(word) + 1) % len(words)]
    shown = html.escape(phrase, quote=False) if name == "index.html" else phrase
    path.write_text(text.replace(shown, shown.replace(word, other, 1), 1), encoding="utf-8")
    assert main(["check", str(edition)]) == 1
    err = capsys.readouterr().err
    assert f"{name}: '{other}'" in err and "number word not as in facts.json" in err


def test_an_altered_fact_fails_the_claim(sample_edition: Path, tmp_path: Path) -> None:
    edition = _copy(sample_edition, tmp_path)
    facts = edition / "facts.json"
    text = facts.read_text(encoding="utf-8")
    tokens = re.search(r'"total": \{\s*"tokens": (\d+)', text)
    assert tokens
    facts.write_text(text.replace(tokens.group(1), str(int(tokens.group(1)) + 2 * 10**11), 1))
    result = check_edition(edition)
    assert not result.ok
    assert any("total.tokens reads '36.3'" in p.reason for p in result.problems)


def test_a_number_in_the_notes_fails_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "llm-usage"
    shutil.copytree(Path(__file__).parent.parent / "reports" / "llm-usage", report)
    out = tmp_path / "out"
    assert main(["build", "--report", str(report), "--out", str(out), "--to", "md"]) == 0
    before = (out / "llm-usage" / "2026-W21" / "article.md").read_bytes()
    notes = report / "notes" / "2026-W21.md"
    notes.write_text(notes.read_text() + "\n## Take: advice\n\nExpect 42 new models.\n")
    assert main(["build", "--report", str(report), "--out", str(out), "--to", "md"]) == 1
    err = capsys.readouterr().err
    assert "'42'" in err and "Expect 42 new models." in err
    assert (out / "llm-usage" / "2026-W21" / "article.md").read_bytes() == before
    assert sorted(p.name for p in (out / "llm-usage").iterdir()) == ["2026-W21"]


def test_unknown_format_lists_the_valid_ones(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["build", "--to", "html,docx", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "docx" in err and "html" in err and "pdf" in err and "md" in err
    assert not any(tmp_path.iterdir())


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@poppler
def test_pdf_pages_fonts_text_and_metadata(sample_edition: Path) -> None:
    pdf = str(sample_edition / "article.pdf")
    info = _run("pdfinfo", pdf)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 3 <= pages <= 12
    front = (sample_edition / "article.md").read_text(encoding="utf-8")
    headline = json.loads(re.search(r'^title: (".*")$', front, re.M).group(1))  # type: ignore[union-attr]
    assert "A4" in info and f"Title:           {headline}" in info
    assert "Author:          The Token Ledger desk" in info
    fonts = _run("pdffonts", pdf).splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), "every font embedded"
    assert any("Emoji" in line for line in fonts)
    text = _run("pdftotext", "-enc", "UTF-8", pdf, "-")
    flat = " ".join(text.split())
    assert headline in flat
    assert re.search(r"Market Leadership: Chinese models [^.]*14\.19 trillion tokens", flat)
    assert "💡" in text and "🔥" in text and "⚠" in text
    assert re.search(r"Page 1 of \d+", text)


def test_markdown_matches_golden(sample_edition: Path, request: pytest.FixtureRequest) -> None:
    text = (sample_edition / "article.md").read_text(encoding="utf-8")
    if request.config.getoption("--update-golden"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.is_file(), "run ./dev golden to create the golden file"
    assert text == GOLDEN.read_text(encoding="utf-8"), "run ./dev golden and review the diff"
