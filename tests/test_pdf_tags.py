"""The PDF is tagged (PDF/UA-1): a screen reader gets headings, tables with header cells and the
five charts with their alt text."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

from generator.layout import PAGE, PDF

pytestmark = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils missing")


def _structure(pdf: Path) -> Counter[str]:
    """How many structure elements of each type `pdfinfo -struct` lists."""
    tree = subprocess.run(["pdfinfo", "-struct", str(pdf)], capture_output=True, text=True,
                          check=True).stdout
    return Counter(m.group(1) for m in re.finditer(r"^\s*([A-Za-z][A-Za-z0-9]*)\b", tree, re.M))


def _pdf_string(raw: bytes) -> str:
    if raw.startswith(b"<"):
        return bytes.fromhex(raw[1:-1].decode()).decode("utf-16")
    body = raw[1:-1]
    # Literal strings escape parentheses and backslashes.
    return re.sub(rb"\\(.)", rb"\1", body).decode("latin-1")


def _alt_texts(pdf: Path) -> list[str]:
    """The /Alt entries of the structure tree (pdfinfo does not print them), stream by stream."""
    data = pdf.read_bytes()
    found = []
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            chunk = zlib.decompressobj().decompress(data[start.end():])
        except zlib.error:
            continue
        found += [_pdf_string(m.group(1)) for m in
                  re.finditer(rb"/Alt\s*(<[0-9a-fA-F]+>|\((?:\\.|[^\\)])*\))", chunk)]
    return found


def test_pdf_is_tagged_with_headings_tables_and_figures(sample_edition: Path) -> None:
    pdf = sample_edition / PDF
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M), info
    kinds = _structure(pdf)
    page = (sample_edition / PAGE).read_text(encoding="utf-8")
    assert kinds["H1"] == 1
    assert kinds["H2"] == page.count("<h2"), kinds
    tables = len(re.findall(r"<table\b", page.split('id="article"')[1].split("</article>")[0]))
    assert kinds["Table"] >= 2 and kinds["TH"] >= 2 * kinds["Table"], kinds
    assert kinds["Figure"] == 5, kinds
    assert tables >= 2


def test_every_pdf_figure_carries_the_charts_alt_text(sample_edition: Path) -> None:
    page = (sample_edition / PAGE).read_text(encoding="utf-8")
    alts = [html.unescape(a) for a in re.findall(r'<img [^>]*alt="([^"]+)"', page)]
    assert len(alts) == 5
    assert sorted(_alt_texts(sample_edition / PDF)) == sorted(alts)


def test_pdf_declares_its_language(sample_edition: Path) -> None:
    data = (sample_edition / PDF).read_bytes()
    chunks = [data]
    for start in re.finditer(rb"stream\r?\n", data):
        try:
            chunks.append(zlib.decompressobj().decompress(data[start.end():]))
        except zlib.error:
            continue
    assert any(re.search(rb"/Lang\s*\(en", c) for c in chunks)
