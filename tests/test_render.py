"""Renderers: registry, HTML page, Markdown post, PDF, escaping of hostile text."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from story_fixture import sample_content

from generator.errors import InputError
from generator.render import RENDERERS, chosen_renderers, render_all, renderer
from generator.render.base import EditionContent
from generator.render.environment import MissingLibrary
from generator.render.filters import md_cell, plain, spans_html, spans_md, spans_text, yaml_str
from generator.story.model import Bullet, Section, Span, Table

HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(1)> | * [x](javascript:alert(1)) {{ 7*7 }}"
TESTS = Path(__file__).parent


# ------------------------------------------------------------------ helpers


class Node:
    """A parsed element: tag, attributes, children (nodes and strings)."""

    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag, self.attrs = tag, attrs
        self.children: list[Node | str] = []

    def walk(self) -> Any:
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.walk()

    def text(self, skip: frozenset[str] = frozenset()) -> str:
        parts = []
        for child in self.children:
            if isinstance(child, Node):
                classes = {"." + c for c in child.attrs.get("class", "").split()}
                if child.tag not in skip and not classes & skip:
                    parts.append(child.text(skip))
            else:
                parts.append(child)
        return " ".join(parts)

    def find(self, tag: str, **attrs: str) -> Node | None:
        return next((n for n in self.walk() if n.tag == tag and all(
            n.attrs.get(k) == v for k, v in attrs.items())), None)


class _Tree(HTMLParser):
    VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                      "source", "track", "wbr"))

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in self.VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        while len(self.stack) > 1 and self.stack.pop().tag != tag:
            pass

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(markup: str) -> Node:
    """Parse HTML into a small tree."""
    tree = _Tree()
    tree.feed(markup)
    tree.close()
    return tree.root


def words(text: str) -> list[str]:
    """Whitespace-separated words, for comparing text across formats."""
    return text.split()


def front_matter(post: str) -> tuple[dict[str, Any], str]:
    """Split and strictly read the front matter (the subset of YAML the template writes)."""
    assert post.startswith("---\n")
    head, body = post[4:].split("\n---\n", 1)
    data: dict[str, Any] = {}
    key = None
    for line in head.splitlines():
        if m := re.fullmatch(r"  - (\".*\")", line):
            assert key is not None and isinstance(data[key], list), line
            data[key].append(json.loads(m.group(1)))
        elif m := re.fullmatch(r"([a-z_]+):(?: (.*))?", line):
            key, value = m.group(1), m.group(2)
            if value is None or value == "[]":
                data[key] = []
            elif value.startswith('"'):
                data[key] = json.loads(value)
            elif value in ("true", "false"):
                data[key] = value == "true"
            else:
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", value), line
                data[key] = value
        else:
            raise AssertionError(f"not valid front matter: {line!r}")
    try:
        import yaml
    except ImportError:
        pass
    else:
        assert yaml.safe_load(head)["title"] == data["title"]
    return data, body


def md_to_html(body: str) -> str:
    """Render a Markdown body as the static-site generators would."""
    import markdown

    return markdown.markdown(body, extensions=["tables"])


@pytest.fixture
def content(tmp_path: Path) -> EditionContent:
    return sample_content(tmp_path)


def hostile(content: EditionContent) -> EditionContent:
    """The sample edition with attack strings in a heading, a span, a table cell and a label."""
    story = content.story
    evil_table = Table(HOSTILE, ("Rank", HOSTILE, "Tokens"), (("1", HOSTILE, "3.69 T"),),
                       (True, False, True))
    sections = (
        Section(id=HOSTILE, title=HOSTILE, paragraphs=(
            (Span(HOSTILE), Span(HOSTILE, strong=True), Span("click", href="javascript:alert(1)")),
            (Span("- 1. " + HOSTILE),)),
            bullets=(Bullet(HOSTILE, (Span(HOSTILE),)),), table=evil_table),
        *story.sections,
    )
    evil = dataclasses.replace(story, headline=f'Title: "{HOSTILE}" #1', sections=sections,
                               take_title=HOSTILE, description=HOSTILE, tags=(HOSTILE, "a: b"))
    return dataclasses.replace(content, story=evil)


# ------------------------------------------------------------------ registry


def test_unknown_renderer_lists_the_valid_names(content: EditionContent, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="html, md, pdf"):
        renderer("docx")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError, match="docx"):
        render_all(content, out, ["html", "docx"])
    assert not any(out.iterdir())  # nothing written before the typo was found
    assert {"html", "md", "pdf"} <= set(RENDERERS)


def test_markdown_only_never_imports_weasyprint(tmp_path: Path) -> None:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path\n"
        "from story_fixture import sample_content\nfrom generator.render import render_all\n"
        "tmp = Path(sys.argv[2]); out = tmp / 'out'; out.mkdir()\n"
        "render_all(sample_content(tmp), out, ['md'])\n"
        "assert (out / 'article.md').is_file()\n"
        "assert 'weasyprint' not in sys.modules, 'weasyprint imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code, str(TESTS), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_missing_weasyprint_names_the_install_command(
    content: EditionContent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(MissingLibrary, match="pip install"):
        render_all(content, tmp_path, ["pdf"])


# ------------------------------------------------------------------ HTML


def test_html_page_head_and_structure(content: EditionContent, tmp_path: Path) -> None:
    paths = render_all(content, tmp_path, ["html"])
    assert tmp_path / "index.html" in paths
    root = parse((tmp_path / "index.html").read_text(encoding="utf-8"))
    story, page_url = content.story, "https://tokenledger.example.org/2026-W21/"
    metas = {m.attrs.get("property") or m.attrs.get("name"): m.attrs.get("content")
             for m in root.walk() if m.tag == "meta"}
    assert root.find("html", lang="en") is not None
    assert root.find("title").text().startswith(story.headline)
    assert metas["description"] == story.description
    assert metas["og:title"] == story.headline and metas["og:type"] == "article"
    assert metas["og:url"] == page_url
    assert metas["og:image"] == page_url + "charts/top-models.png"
    assert metas["twitter:card"] == "summary_large_image"
    assert root.find("link", rel="canonical").attrs["href"] == page_url
    assert [n.text() for n in root.walk() if n.tag == "h1"] == [story.headline]
    meta_line = " ".join(words(root.find("p", **{"class": "meta"}).text()))
    assert meta_line == "📅 Week of 18 May 2026 · 📁 Industry · ⏱️ 1 min read"
    assert "views" not in meta_line
    assert root.find("a", href="article.pdf").text() == "Download the PDF"


def test_toc_links_resolve_and_images_are_described(content: EditionContent, tmp_path: Path) -> None:
    render_all(content, tmp_path, ["html"])
    root = parse((tmp_path / "index.html").read_text(encoding="utf-8"))
    ids = [n.attrs["id"] for n in root.walk() if "id" in n.attrs]
    assert len(ids) == len(set(ids))
    toc = root.find("nav", id="toc")
    assert toc is not None and "Table of Contents" in toc.text()
    links = [a.attrs["href"] for a in toc.walk() if a.tag == "a"]
    assert len(links) == len(content.story.sections) + 2  # takeaways, sections, the take
    assert all(link.startswith("#") and link[1:] in ids for link in links)
    images = [n for n in root.walk() if n.tag == "img"]
    assert len(images) == 2
    for img in images:
        assert img.attrs["alt"].strip() and img.attrs["width"] and img.attrs["height"]
        assert (tmp_path / img.attrs["src"]).is_file()
    assert images[0].attrs["src"] == "charts/top-models.svg"  # SVG when the chart has one
    assert (tmp_path / "charts" / "top-models.png").is_file()
    cells = [n for n in root.walk() if n.tag == "td" and "num" in n.attrs.get("class", "")]
    assert cells and "3.69 T" in [c.text() for c in cells]


def test_hostile_text_is_literal_in_html(content: EditionContent, tmp_path: Path) -> None:
    render_all(hostile(content), tmp_path, ["html"])
    markup = (tmp_path / "index.html").read_text(encoding="utf-8")
    root = parse(markup)
    assert not [n for n in root.walk() if n.tag == "script"]
    assert all(n.attrs.get("src", "").startswith("charts/") for n in root.walk() if n.tag == "img")
    assert not [a for n in root.walk() for a in n.attrs if a.startswith("on")]
    assert not [n for n in root.walk() if n.attrs.get("href", "").startswith("javascript")]
    text = root.text()
    assert HOSTILE in text and "{{ 7*7 }}" in text
    assert root.find("a", href="#" + root.find("section").attrs["id"])


# ------------------------------------------------------------------ Markdown


def test_markdown_front_matter_and_round_trip(content: EditionContent, tmp_path: Path) -> None:
    render_all(content, tmp_path, ["html", "md"])
    data, body = front_matter((tmp_path / "article.md").read_text(encoding="utf-8"))
    story = content.story
    # Front matter is plain text for themes that print it raw (issue 18): no markup characters.
    assert data["title"] == plain(story.headline) and data["slug"] == story.slug
    assert data["date"] == "2026-05-25T08:00:00+01:00" and data["draft"] is False
    assert data["tags"] == list(story.tags) and data["categories"] == ["Industry"]
    assert data["week"] == "2026-W21" and data["pdf"] == "article.pdf"
    assert not body.lstrip().startswith("# ")  # the title lives in the front matter
    page = parse((tmp_path / "index.html").read_text(encoding="utf-8"))
    article, footer = page.find("article"), page.find("footer")
    assert article is not None and footer is not None
    # The web page's own links (full-size chart, its data, the site's pages) are not the article.
    navigation = frozenset({"nav", "details", ".chart-links", ".site-links"})
    html_words = words(article.text(skip=navigation | {"h1"}) + " " + footer.text(skip=navigation))
    md_words = words(parse(md_to_html(body)).text())
    assert md_words == html_words
    assert (tmp_path / "charts" / "regions.png").is_file()


def test_hostile_text_is_literal_in_markdown(content: EditionContent, tmp_path: Path) -> None:
    evil = hostile(content)
    render_all(evil, tmp_path, ["md"])
    post = (tmp_path / "article.md").read_text(encoding="utf-8")
    data, body = front_matter(post)
    assert data["title"] == plain(evil.story.headline) and data["tags"][0] == plain(HOSTILE)
    assert not re.search(r"[<>{}\[\]`]", data["title"] + data["tags"][0])
    assert "{{" not in body and "{%" not in body  # Liquid and Hugo shortcodes see nothing
    root = parse(md_to_html(body))
    assert not [n for n in root.walk() if n.tag in ("script", "img") and
                not n.attrs.get("src", "").startswith("charts/")]
    assert not [n for n in root.walk() if "javascript" in n.attrs.get("href", "")]
    tables = [n for n in root.walk() if n.tag == "table"]
    first_rows = [tr for tr in tables[0].walk() if tr.tag == "tr"]
    assert [len([c for c in tr.children if isinstance(c, Node)]) for tr in first_rows] == [3, 3]
    text = root.text()
    assert HOSTILE in text and "{{ 7*7 }}" in text and "- 1. " in text


# ------------------------------------------------------------------ filters


def test_filters_escape_and_keep_only_safe_links() -> None:
    para = (Span("a <b> & "), Span("bold", strong=True), Span(" x", href="javascript:alert(1)"),
            Span(" ok", href="https://example.org/?a=1&b=2"))
    assert spans_html(para) == ('a &lt;b&gt; &amp; <strong>bold</strong> x'
                                '<a href="https://example.org/?a=1&amp;b=2"> ok</a>')
    assert spans_md((Span("1. *x* | #"),)) == r"1\. \*x\* \| \#"
    assert spans_md((Span("- item"),)) == r"\- item"
    assert spans_md((Span(" bold ", strong=True),)) == "**bold**"
    assert spans_md((Span("go", href="https://e.org/a b(c)"),)) == "[go](https://e.org/a%20b%28c%29)"
    assert spans_md((Span("x", href="data:text/html,hi"),)) == "x"
    assert spans_text((Span("mail us", href="mailto:desk@e.org"),)) == "mail us (desk@e.org)"
    assert md_cell("a|b\nc") == r"a\|b c"
    for text in ('Title: "quoted" #1', "line\nbreak\u2028", "emoji 💡 and 混元", "\x7f"):
        quoted = yaml_str(text)
        assert quoted.startswith('"') and "\n" not in quoted and json.loads(quoted) == text


def test_report_templates_are_searched_first(content: EditionContent, tmp_path: Path) -> None:
    own = content.report.templates_dir / "md"
    own.mkdir(parents=True)
    (own / "article.md").write_text('{% extends "builtin/md/article.md" %}'
                                    "{% block source_note %}Own note.{% endblock %}\n",
                                    encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    render_all(content, out, ["md"])
    post = (out / "article.md").read_text(encoding="utf-8")
    assert "Own note." in post and "## Key Takeaways" in post


# ------------------------------------------------------------------ PDF

POPPLER = all(shutil.which(tool) for tool in ("pdfinfo", "pdffonts", "pdftotext"))


@pytest.fixture(scope="module")
def pdf(tmp_path_factory: pytest.TempPathFactory) -> tuple[EditionContent, Path]:
    pytest.importorskip("weasyprint")
    tmp = tmp_path_factory.mktemp("pdf")
    content = sample_content(tmp)
    out = tmp / "edition"
    out.mkdir()
    (path,) = render_all(content, out, ["pdf"])
    return content, path


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, timeout=60).stdout


@pytest.mark.skipif(not POPPLER, reason="poppler-utils not installed")
def test_pdf_metadata_text_and_fonts(pdf: tuple[EditionContent, Path]) -> None:
    content, path = pdf
    assert path.name == "article.pdf" and not (path.parent / "charts").exists()
    info = dict(re.findall(r"^([^:\n]+):\s*(.*)$", _run("pdfinfo", str(path)), re.M))
    assert "(A4)" in info["Page size"] and int(info["Pages"]) >= 1
    assert info["Title"] == content.story.headline
    assert info["Author"] == content.report.author
    text = " ".join(_run("pdftotext", "-enc", "UTF-8", str(path), "-").split())
    assert content.story.headline in text
    assert "Chinese volume rose 27.49 % on the week" in text
    assert "Page 1 of" in text and "混元" in text
    fonts = _run("pdffonts", str(path)).splitlines()[2:]
    assert fonts and all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column
    assert any("Emoji" in line for line in fonts)
    assert any("CJK" in line for line in fonts)


def test_pdf_refuses_resources_outside_the_folder(content: EditionContent, tmp_path: Path) -> None:
    pytest.importorskip("weasyprint")
    secret = tmp_path / "secret.png"
    secret.write_bytes(content.charts[0].png)
    for i, src in enumerate((secret.as_uri(), "../secret.png", "http://127.0.0.1:9/x.png")):
        content = sample_content(tmp_path / f"r{i}")
        own = content.report.templates_dir / "pdf"
        own.mkdir(parents=True)
        (own / "article.html").write_text(
            '{% extends "html/article.html" %}{% block toc %}<img src="' + src + '">'
            "{% endblock %}", encoding="utf-8")
        out = tmp_path / f"r{i}" / "out"
        out.mkdir()
        with pytest.raises(InputError, match="outside the edition folder"):
            render_all(content, out, ["pdf"])
        assert not (out / "article.pdf").exists()


def test_markdown_line_starts_and_parentheses() -> None:
    assert spans_md((Span("2) second (kept readable)"),)) == r"2\) second (kept readable)"
    assert spans_md((Span("[x](javascript:alert(1))"),)) == r"\[x\](javascript:alert(1))"
    html = md_to_html(spans_md((Span("[x](javascript:alert(1))"),)))
    assert "<a" not in html and "[x](javascript:alert(1))" in html


def test_chosen_renderers_defaults_to_all_and_dedupes() -> None:
    assert chosen_renderers([]) == tuple(RENDERERS)
    assert chosen_renderers(["pdf", " HTML", "pdf"]) == ("pdf", "html")
