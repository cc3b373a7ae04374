"""Hostile text from the data and the editor shows up literally, and harmlessly, in every format.

One report carries markup, Markdown syntax, Jinja syntax, direction marks and a very long word
in its model names, maker names, editor notes, title and byline; it is built in all formats and
published, and each file is read back the way its reader would.
"""

from __future__ import annotations

import http.server
import re
import subprocess
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
from helpers import week, write_report
from test_render import Node, front_matter, md_to_html, parse

from generator.cli import main

LONG_WORD = "Pneumonoultramicroscopic" * 6  # 144 letters, no break: wider than a line, within MAX_NAME
RLM = "\u200f"
RLO = "\u202e"
# Model and maker names are masked before the number check, so they may carry digits.
NAMES = {
    "acme/a1": "Ajax <script>alert(1)</script> {{ 7*7 }}",
    "bolt/b1": "Bravo <img src=x onerror=alert(1)> | *x* [l](javascript:alert(1))",
    "crane/c1": f"{{% if true %}}X{{% endif %}} {RLM}RTL{RLM} {LONG_WORD}",
}
MAKER = "Acme | **Labs** <b>7</b> {{ 7*7 }}"
SPOOFED = f"Bolt {RLO}sbal"  # an unclosed override would turn the rest of a sentence around
TITLE = "Weekly <script>x</script> & {{ 7*7 }} | *News*"
# An editor's note must not hold digits (the check refuses an untraceable figure).
NOTE = ("<script>alert('x')</script> <img src=x onerror=alert('x')> a | b *c* "
        "{{ seven*seven }} {% if true %}shown{% endif %}")
BAD_LINK = "[click](javascript:alert('x'))"
HOSTILE = [*NAMES.values(), MAKER, TITLE, NOTE]
# A word of each hostile string that would survive its being mangled: where the word shows,
# the whole string must show as written.
MARKERS = dict(zip(HOSTILE, ["Ajax", "Bravo", "Pneumono", "Labs", "News", "seven"], strict=True))
# The email digest has no take, so no editor's note; its text part names no makers.
EXPECTED = {fmt: set(HOSTILE) for fmt in ("index.html", "article.md", "article.pdf")} | {
    "email.html": set(HOSTILE) - {NOTE},
    "email.txt": set(HOSTILE) - {NOTE, MAKER},
    "feed.xml": {MAKER, TITLE},  # title, byline, headline and summary only
}
FORMATS = ("index.html", "article.md", "article.pdf", "email.html", "email.txt", "feed.xml")


class Counter(http.server.BaseHTTPRequestHandler):
    """Counts every request that reaches the loopback server."""

    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        """Record the request and answer with a one-pixel PNG's worth of nothing."""
        Counter.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1; yields its base URL."""
    Counter.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def hostile_report(root: Path, elsewhere: str) -> Path:
    """Write the hostile report (notes point images at `elsewhere`); its edition is week(3)."""
    rows = []
    for i in range(4):
        rows += [(week(i), "acme/a1", 3000 + 100 * i), (week(i), "bolt/b1", 2000 - 10 * i),
                 (week(i), "crane/c1", 500 + 5 * i), (week(i), "others", 100)]
    authors = (("acme", MAKER, "CN"), ("bolt", SPOOFED, "US"), ("crane", "Crane", "FR"))
    models = [{"model": m, "name": n, "author": m.split("/")[0]} for m, n in NAMES.items()]
    settings = f"title = {_toml(TITLE)}\nauthor = {_toml(MAKER)}\n"
    folder = write_report(root / "rep", rows, authors=authors, models=models, settings=settings)
    notes = folder / "notes"
    notes.mkdir()
    (notes / "2026-W05.md").write_text(
        f"## Take: why it matters\n\n{NOTE} {BAD_LINK}\n\n"
        f"![pixel]({elsewhere}/pixel.png) <img src=\"{elsewhere}/raw.png\"> "
        f"<link rel=stylesheet href=\"{elsewhere}/x.css\">\n",
        encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, loopback: str) -> dict[str, str]:
    """Build and publish the hostile report; return each format's text, read as its reader does."""
    root = tmp_path_factory.mktemp("hostile")
    folder = hostile_report(root, loopback)
    out = root / "out"
    assert main(["build", "--report", str(folder), "--out", str(out), "--week", week(3)]) == 0
    assert main(["publish", "--report", str(folder), "--out", str(out)]) == 0
    edition = out / "rep" / "2026-W05"
    assert main(["check", str(edition)]) == 0
    texts = {name: (edition / name).read_text(encoding="utf-8") for name in FORMATS
             if name not in ("article.pdf", "feed.xml")}
    texts["article.pdf"] = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(edition / "article.pdf"), "-"],
        check=True, capture_output=True, text=True).stdout
    texts["feed.xml"] = (out / "rep" / "feed.xml").read_text(encoding="utf-8")
    return texts


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _flat(text: str) -> str:
    # Lines wrap anywhere in the PDF (inside the long word too): compare without whitespace.
    return re.sub(r"\s+", "", text.replace(RLM, ""))


def visible(fmt: str, text: str) -> str:
    """What a reader of the format sees as text."""
    if fmt in ("index.html", "email.html"):
        return parse(text).text()
    if fmt == "article.md":
        return parse(md_to_html(front_matter(text)[1])).text()
    if fmt == "feed.xml":
        # An entry's <content type="html"> holds the article as escaped HTML: a reader renders it.
        root = ET.fromstring(text)
        parts = []
        for element in root.iter():
            if element.tag == "{http://www.w3.org/2005/Atom}content":
                parts.append(parse(element.text or "").text())
            elif element.text:
                parts.append(element.text)
        return " ".join(parts)
    return text


def test_no_request_leaves_the_build(built: dict[str, str]) -> None:
    # The note points images and a stylesheet at the loopback server; WeasyPrint and every
    # renderer must have left it alone.
    assert Counter.hits == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_text_is_literal(fmt: str, built: dict[str, str]) -> None:
    seen = visible(fmt, built[fmt])
    flat = _flat(seen)
    shown = {s for s in HOSTILE if _flat(s) in flat}
    assert shown >= EXPECTED[fmt], f"missing from {fmt}: {EXPECTED[fmt] - shown}"
    mangled = {s for s in HOSTILE if MARKERS[s] in seen and s not in shown}
    assert not mangled, f"mangled in {fmt}: {mangled}"
    # Jinja never evaluated the data: the name is there as written, never with 49 for 7*7.
    assert "alert(1)</script>49" not in flat
    assert "X{%endif%}" in flat or fmt == "feed.xml"
    assert RLO not in built[fmt]
    if fmt in ("index.html", "email.html", "email.txt", "article.md"):
        assert f"{RLM}RTL{RLM}" in seen and LONG_WORD in seen


@pytest.mark.parametrize("fmt", ["index.html", "email.html", "article.md"])
def test_no_markup_is_made_from_data(fmt: str, built: dict[str, str]) -> None:
    text = built[fmt]
    root = parse(md_to_html(front_matter(text)[1]) if fmt == "article.md" else text)
    nodes = list(root.walk())
    assert not [n for n in nodes if n.tag in ("script", "b", "iframe", "object")]
    assert not [(n.tag, a) for n in nodes for a in n.attrs if a.startswith("on")]
    images = [n.attrs.get("src", "") for n in nodes if n.tag == "img"]
    assert all(src.startswith(("charts/", "cid:")) for src in images), images
    hrefs = [n.attrs.get("href", "") for n in nodes if n.tag in ("a", "link")]
    assert not [h for h in hrefs if h.lower().startswith(("javascript", "data"))], hrefs
    # The loopback address is only ever the target of the note's link, never a resource.
    assert [h for h in hrefs if "127.0.0.1" in h] == [h for h in hrefs if h.endswith("/pixel.png")]
    # The note's javascript: link is shown as text, never made a link.
    assert "click (javascript:alert('x'))" in root.text() or fmt == "email.html"


@pytest.mark.parametrize("fmt", ["index.html", "article.md", "article.pdf", "email.html"])
def test_direction_overrides_are_removed_from_names(fmt: str, built: dict[str, str]) -> None:
    # "Bolt \u202esbal" would show as "Bolt labs" and turn the figures after it around too;
    # the override is dropped at load, the maker's name stays otherwise as written.
    seen = visible(fmt, built[fmt]).replace("\xa0", " ")
    assert RLO not in seen and "Bolt sbal" in seen


def test_markdown_tables_keep_their_columns(built: dict[str, str]) -> None:
    root = parse(md_to_html(front_matter(built["article.md"])[1]))
    tables = [n for n in root.walk() if n.tag == "table"]
    assert tables
    for table in tables:
        rows = [n for n in table.walk() if n.tag == "tr"]
        widths = {len([c for c in row.children if isinstance(c, Node)]) for row in rows}
        assert len(widths) == 1, widths
    names_in_cells = " ".join(n.text() for t in tables for n in t.walk() if n.tag == "td")
    assert NAMES["bolt/b1"] in names_in_cells  # the pipe stayed inside its cell


def test_feed_is_well_formed_and_literal(built: dict[str, str]) -> None:
    feed = ET.fromstring(built["feed.xml"])
    ns = "{http://www.w3.org/2005/Atom}"
    assert feed.findtext(f"{ns}title") == TITLE
    assert feed.findtext(f"{ns}author/{ns}name") == MAKER
    assert not [e for e in feed.iter() if not e.tag.startswith(ns)]  # no element from the data


@pytest.mark.parametrize("where", ["loopback", "outside"])
def test_pdf_fetches_nothing_outside_the_edition(
    where: str, tmp_path: Path, loopback: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Even a report's own print template cannot make WeasyPrint reach the network or a file
    # outside the edition folder: the build stops in one line and the server hears nothing.
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    url = f"{loopback}/template.css" if where == "loopback" else secret.as_uri()
    rows = [(week(0), "acme/a1", 300), (week(1), "acme/a1", 330), (week(1), "bolt/b1", 20)]
    folder = write_report(tmp_path / "rep", rows)
    own = folder / "templates" / "pdf"
    own.mkdir(parents=True)
    (own / "article.html").write_text(
        '{% extends "builtin/pdf/article.html" %}{% block toc %}'
        f'<link rel="stylesheet" href="{url}"><img src="{url}">{{% endblock %}}', encoding="utf-8")
    hits = len(Counter.hits)
    out = tmp_path / "out"
    status = main(["build", "--report", str(folder), "--out", str(out), "--to", "pdf"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1, err
    assert "outside the edition folder" in err[0]
    assert len(Counter.hits) == hits
    assert not (out / "rep" / "2026-W02").exists()


@pytest.mark.parametrize(
    ("template", "needle"),
    [("{{ no_such_thing }}", "line 1: template error: 'no_such_thing' is undefined"),
     ("{% if %}", "line 1: template error:")],
)
def test_a_report_template_error_is_one_line(
    template: str, needle: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Templates render with undefined variables as errors (StrictUndefined), never as "".
    rows = [(week(0), "acme/a1", 300), (week(1), "acme/a1", 330), (week(1), "bolt/b1", 20)]
    folder = write_report(tmp_path / "rep", rows)
    own = folder / "templates" / "md"
    own.mkdir(parents=True)
    (own / "article.md").write_text(
        '{% extends "builtin/md/article.md" %}{% block source_note %}' + template + "{% endblock %}",
        encoding="utf-8")
    out = tmp_path / "out"
    status = main(["build", "--report", str(folder), "--out", str(out), "--to", "md"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1, err
    assert "templates/md/article.md" in err[0] and needle in err[0]
    assert [p for p in out.rglob("*") if p.is_file() or p.name.startswith(".")] == []
