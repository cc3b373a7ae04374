"""Print rules, checked page by page with poppler: a short table never breaks across pages, no
heading is the last thing on a page, and no table row is left alone."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.layout import PAGE, PDF
from generator.render.environment import SHORT_TABLE_ROWS

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")


def _pages(pdf: Path) -> list[list[str]]:
    """Each page's lines, whitespace collapsed, without the running head and foot."""
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    pages = []
    for n in range(1, count + 1):
        text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", "-f", str(n), "-l", str(n),
                               str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        # The first line is the running head (or the cover's), the last the foot with "Page n of m".
        assert re.search(rf"Page {n} of {count}$", lines[-1]), lines[-1]
        pages.append(lines[1:-1])
    return pages


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _tables(page: str) -> list[list[str]]:
    """The article's tables (not the web's chart data), each as its rows' texts (cells joined by a
    space)."""
    article = re.sub(r'<details class="chart-data">.*?</details>', "", page.split('id="article"')[1],
                     flags=re.S)
    wrap = r'<div class="table-wrap(?: long)?" tabindex="0" role="region"[^>]*>\s*<table>.*?</table>'
    found = re.findall(wrap, article, re.S)
    return [[_text(row) for row in re.findall(r"<tbody>.*?</tbody>", table, re.S)[0].split("</tr>")
             if _text(row)] for table in found]


@pytest.fixture(scope="module")
def pages(sample_edition: Path) -> list[list[str]]:
    return _pages(sample_edition / PDF)


def test_short_tables_stay_on_one_page(sample_edition: Path, pages: list[list[str]]) -> None:
    tables = _tables((sample_edition / PAGE).read_text(encoding="utf-8"))
    assert len(tables) >= 2
    for rows in tables:
        where = {i for row in rows for i, lines in enumerate(pages) if any(row in line for line in lines)}
        assert where, rows[0]
        if len(rows) <= SHORT_TABLE_ROWS:
            assert len(where) == 1, (rows[0], sorted(where))
        else:
            # A long table may break, but each page holds at least two of its rows.
            for i in where:
                assert sum(any(row in line for line in pages[i]) for row in rows) >= 2


def test_no_heading_is_last_on_a_page(sample_edition: Path, pages: list[list[str]]) -> None:
    page = (sample_edition / PAGE).read_text(encoding="utf-8")
    headings = [_text(h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.S)]
    assert len(headings) >= 10
    for n, lines in enumerate(pages[:-1], start=1):
        last = lines[-1]
        # A heading that wraps ends on its last line: compare the page's last line with each
        # heading's end as well as the whole.
        assert not any(last == h or (len(last) > 8 and h.endswith(last)) for h in headings), (n, last)
