"""Reading the texts of an edition back as blocks of plain text, format by format."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

from generator.errors import InputError

_BLOCKS = {
    "p", "li", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "figcaption", "div", "title",
    "blockquote", "dt", "dd", "caption", "section", "article", "header", "footer", "nav", "tr",
    "table", "ul", "ol", "figure", "summary", "pre", "br", "hr", "body", "main", "aside",
}
_DATA_TABLE = "chart-data"  # the class of a chart's <details> data table on the web page
_META = {"description", "og:title", "og:description", "twitter:title", "twitter:description"}


class _Blocks(HTMLParser):
    """Collect visible text as blocks, plus alt texts and descriptive meta contents."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._data = 0  # depth inside a chart's data table
        self._in_head = False

    def _flush(self) -> None:
        text = "".join(self._current).strip()
        if text:
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "details" and (self._data or _DATA_TABLE in values.get("class", "").split()):
            # A chart's data table repeats the chart's CSV, which holds the figures as computed
            # (tests/test_chart_data.py compares them with facts.json); its cells are data, not
            # prose, and are left out of the text pass, as the chart's own image text is.
            self._data += 1
        if tag in ("script", "style", "template"):
            self._skip += 1
        elif tag == "head":
            self._in_head = True
        elif tag == "meta":
            key = values.get("name") or values.get("property") or ""
            if key in _META and values.get("content"):
                self.blocks.append(values["content"])
        elif tag == "img" and values.get("alt"):
            self._flush()
            self.blocks.append(values["alt"])
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "details" and self._data:
            self._data -= 1
        if tag in ("script", "style", "template"):
            self._skip = max(0, self._skip - 1)
        elif tag == "head":
            self._in_head = False
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._skip or self._data or (self._in_head and not self._title_open()):
            return
        self._current.append(data)

    def _title_open(self) -> bool:
        return self.lasttag == "title"


def html_blocks(html: str) -> list[str]:
    """Visible text blocks of an HTML document (with alt texts and descriptive meta tags)."""
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.blocks


_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)


# The front-matter fields a site shows readers as prose (page title, meta description).
_SHOWN_FIELD = re.compile(r'^(?:title|description): (".*")$', re.MULTILINE)


def markdown_blocks(text: str) -> list[str]:
    """Text blocks of a Markdown post read as a Markdown renderer would, plus its shown front matter."""
    import markdown

    head = _FRONT_MATTER.match(text)
    shown = [_unquote(m.group(1)) for m in _SHOWN_FIELD.finditer(head.group())] if head else []
    body = text[head.end():] if head else text
    return shown + html_blocks(markdown.markdown(body, extensions=["tables"]))


def _unquote(value: str) -> str:
    try:
        loaded = json.loads(value)
    except ValueError:
        return value.strip('"')
    return loaded if isinstance(loaded, str) else value


def text_blocks(text: str) -> list[str]:
    """Paragraph blocks of a plain-text file."""
    return [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]


PAGE_FOOTER = re.compile(r"^\s*Page \d+ of \d+\s*$", re.MULTILINE)
# Contents entries end in dotted leaders and a page number: page furniture, not figures.
TOC_ENTRY = re.compile(r"^.*(?:\s?\.){4,}\s*\d+\s*$", re.MULTILINE)
# A web address wrapped at the end of a line ("https://" then the host below) is one address.
WRAPPED_URL = re.compile(r"(https?://(?:\S*[/:.\-])?)\n(?=\S)")


def pdf_blocks(path: Path) -> list[str]:
    """Text of a PDF by poppler's pdftotext, page by page, page footers removed."""
    if shutil.which("pdftotext") is None:
        raise InputError(
            "cannot read the PDF's text: pdftotext is missing "
            "(install it with: apt-get install poppler-utils)"
        )
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],
        check=True, capture_output=True, text=True,
    )
    pages = result.stdout.split("\f")
    return [TOC_ENTRY.sub("", PAGE_FOOTER.sub("", WRAPPED_URL.sub(r"\1", _without_contents(page))))
            .strip() for page in pages if page.strip()]


def _read_html(path: Path) -> list[str]:
    return html_blocks(path.read_text(encoding="utf-8"))


def _read_markdown(path: Path) -> list[str]:
    return markdown_blocks(path.read_text(encoding="utf-8"))


def _read_text(path: Path) -> list[str]:
    return text_blocks(path.read_text(encoding="utf-8"))


# How `weekly check` reads back each kind of text a renderer declares (`TextOutput.reader`).
READERS: dict[str, Callable[[Path], list[str]]] = {
    "html": _read_html,
    "markdown": _read_markdown,
    "text": _read_text,
    "pdf": pdf_blocks,
}
# Text laid out in lines and columns, whose numbers are matched without their neighbours.
LAID_OUT = frozenset({"pdf"})


def _without_contents(page: str) -> str:
    # The table of contents repeats the headings, which are read where they stand. An entry
    # longer than a line wraps, and only its last line has the leaders that TOC_ENTRY knows;
    # so the whole list goes, from its title to its last entry.
    lines = page.split("\n")
    title = next((i for i, line in enumerate(lines) if line.strip().endswith("Table of Contents")), None)
    if title is None:
        return page
    entries = [i for i, line in enumerate(lines) if i > title and TOC_ENTRY.fullmatch(line)]
    if not entries:
        return page
    return "\n".join(lines[:title] + lines[entries[-1] + 1:])
