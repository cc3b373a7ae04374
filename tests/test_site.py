"""`weekly publish`: the archive page, the Atom feed and the sitemap around built editions."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from test_render import front_matter

from generator.cli import main
from generator.report import load_report
from generator.resources import sample_report_dir

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WEEKS = ("2026-W19", "2026-W20", "2026-W21")
# Only `weekly build` falls back to the bundled sample; `publish` is told which report (issue 17).
SAMPLE = str(sample_report_dir())
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SITE_FILES = ("index.html", "feed.xml", "rss.xml", "sitemap.xml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three editions of the sample report, page and Markdown (no PDF: fast), not yet published."""
    out = tmp_path_factory.mktemp("site")
    for week in WEEKS:
        assert main(["build", "--to", "md,html", "--week", week, "--out", str(out)]) == 0
    return out


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A published copy of the built editions; returns the report's folder."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert main(["publish", "--report", SAMPLE, "--out", str(out)]) == 0
    return out / load_report().slug


def _rfc3339(value: str | None) -> dt.datetime:
    assert value is not None and RFC3339.match(value), value
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert moment.tzinfo is not None
    return moment


def _folder_of(url: str, site: Path) -> Path:
    base = load_report().site_url
    assert url.startswith(base), url
    return site / unquote(url[len(base):])


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.headlines: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k in ("href", "src") and v]
        if tag == "h2":
            self._in_h2 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data: str) -> None:
        if self._in_h2 and data.strip():
            self.headlines.append(data.strip())


def _parse_index(site: Path) -> _Links:
    parser = _Links()
    parser.feed((site / "index.html").read_text(encoding="utf-8"))
    return parser


def _relative_links(links: list[str]) -> list[str]:
    return [link for link in links if not urlsplit(link).scheme and not link.startswith(("#", "//"))]


def test_feed_is_atom_with_absolute_stable_ids(site: Path) -> None:
    report = load_report()
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    assert root.findtext(f"{ATOM}id") == f"{report.site_url}feed.xml"
    assert root.findtext(f"{ATOM}title") == report.title
    assert root.findtext(f"{ATOM}author/{ATOM}name") == report.author
    links = {link.get("rel"): link.get("href") for link in root.findall(f"{ATOM}link")}
    assert links == {"self": f"{report.site_url}feed.xml", "alternate": report.site_url}
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == len(WEEKS)
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert ids == [f"{report.site_url}{w}/" for w in sorted(WEEKS, reverse=True)]
    published = []
    for entry in entries:
        links_of = entry.findall(f"{ATOM}link")
        (href,) = [link.get("href") for link in links_of if link.get("rel") == "alternate"]
        assert href is not None and urlsplit(href).scheme in ("http", "https")
        folder = _folder_of(href, site)
        assert (folder / "facts.json").is_file()
        moment = _rfc3339(entry.findtext(f"{ATOM}published"))
        assert _rfc3339(entry.findtext(f"{ATOM}updated")) == moment
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        published.append(entry.findtext(f"{ATOM}published"))
    newest = max(published, key=lambda p: _rfc3339(p))
    assert root.findtext(f"{ATOM}updated") == newest
    _rfc3339(root.findtext(f"{ATOM}updated"))


def _snapshot(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_second_publish_is_byte_identical(site: Path) -> None:
    before = _snapshot(site)
    assert main(["publish", "--report", SAMPLE, "--out", str(site.parent)]) == 0
    assert _snapshot(site) == before
    assert not [p.name for p in site.iterdir() if p.name.startswith(".")]  # no temp files left


def test_archive_lists_editions_newest_first(site: Path) -> None:
    parser = _parse_index(site)
    feed = ET.parse(site / "feed.xml").getroot()
    headlines = [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")]
    assert parser.headlines == headlines
    text = (site / "index.html").read_text(encoding="utf-8")
    positions = [text.index(f'href="{w}/"') for w in sorted(WEEKS, reverse=True)]
    assert positions == sorted(positions)
    assert "May 26, 2026" in text and text.index("May 26, 2026") < text.index("May 12, 2026")
    assert text.startswith("<!DOCTYPE html>") and "<style>" in text
    assert "article.pdf" not in text  # built without PDFs


def test_every_link_in_the_site_resolves_to_a_file(site: Path) -> None:
    base = load_report().site_url
    pages = sorted(site.rglob("*.html"))
    assert [p.relative_to(site).as_posix() for p in pages] == [
        "2026-W19/index.html", "2026-W20/index.html", "2026-W21/index.html", "corrections/index.html",
        "data/index.html", "index.html", "methodology/index.html"]
    checked = 0
    for page in pages:
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith(base):  # canonical and social links name the published site
                link = "/" + link[len(base):]
                target = site / unquote(urlsplit(link).path).lstrip("/")
            elif urlsplit(link).scheme or link.startswith("#"):
                continue
            else:
                target = page.parent / unquote(urlsplit(link).path)
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(site)}: {link}"
            checked += 1
    assert checked >= 30  # pages, charts, archive and neighbour links: the walk is not vacuous
    for post in (site / "posts").glob("*.md"):
        for url in re.findall(r"\]\((https?://[^)]+)\)", post.read_text(encoding="utf-8")):
            assert (site / unquote(url[len(base):])).is_file(), f"{post.name}: {url}"


class _Nav(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, tuple[str, str]] = {}
        self._in_nav = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "nav" and "edition-nav" in values.get("class", ""):
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.links[values["class"]] = (values["href"], values.get("rel", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav":
            self._in_nav = False


def _nav(site: Path, week: str) -> dict[str, tuple[str, str]]:
    parser = _Nav()
    parser.feed((site / week / "index.html").read_text(encoding="utf-8"))
    return parser.links


def _headline(site: Path, week: str) -> str:
    return str(json.loads((site / week / "facts.json").read_text(encoding="utf-8"))["edition"]["headline"])


def test_each_page_links_to_the_previous_and_next_edition(site: Path) -> None:
    assert _nav(site, "2026-W19") == {"all": ("../", ""), "newer": ("../2026-W20/", "next")}
    assert _nav(site, "2026-W20") == {"older": ("../2026-W19/", "prev"), "all": ("../", ""),
                                      "newer": ("../2026-W21/", "next")}
    assert _nav(site, "2026-W21") == {"older": ("../2026-W20/", "prev"), "all": ("../", "")}
    page = (site / "2026-W20" / "index.html").read_text(encoding="utf-8")
    assert f'title="{escape(_headline(site, "2026-W21"))}"' in page
    for week in WEEKS:  # the links carry no figure, so every number still traces
        assert main(["check", str(site / week)]) == 0


def test_a_new_edition_relinks_its_neighbours(built: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(built, out)
    site = out / load_report().slug
    shutil.rmtree(site / "2026-W20")
    assert main(["publish", "--report", SAMPLE, "--out", str(out)]) == 0
    assert _nav(site, "2026-W19")["newer"] == ("../2026-W21/", "next")
    shutil.copytree(built / load_report().slug / "2026-W20", site / "2026-W20")
    assert main(["publish", "--report", SAMPLE, "--out", str(out)]) == 0
    assert _nav(site, "2026-W19")["newer"] == ("../2026-W20/", "next")
    assert _nav(site, "2026-W21")["older"] == ("../2026-W20/", "prev")


def test_posts_ready_for_a_hugo_or_jekyll_content_folder(site: Path) -> None:
    base = load_report().site_url
    posts = sorted(p.name for p in (site / "posts").iterdir())
    assert posts == ["2026-05-12-2026-w19.md", "2026-05-19-2026-w20.md", "2026-05-26-2026-w21.md"]
    text = (site / "posts" / posts[-1]).read_text(encoding="utf-8")
    data, body = front_matter(text)
    original, original_body = front_matter((site / "2026-W21" / "article.md").read_text(encoding="utf-8"))
    assert data["url"] == data["permalink"] == "/2026-W21/"
    assert data["image"] == f"{base}2026-W21/{original['image']}"
    assert data["date"] == original["date"] and data["title"] == original["title"]
    assert {k: v for k, v in data.items() if k not in ("url", "permalink", "image")} == {
        k: v for k, v in original.items() if k != "image"}
    assert body == original_body.replace("](charts/", f"]({base}2026-W21/charts/")
    assert "](charts/" not in body and f"]({base}2026-W21/charts/total.png)" in body


def test_posts_of_removed_editions_are_dropped(site: Path) -> None:
    shutil.rmtree(site / "2026-W19")
    assert main(["publish", "--report", SAMPLE, "--out", str(site.parent)]) == 0
    assert len(list((site / "posts").iterdir())) == 2


def test_pdf_link_only_where_the_pdf_exists(site: Path) -> None:
    (site / "2026-W20" / "article.pdf").write_bytes(b"%PDF-1.4\n")
    assert main(["publish", "--report", SAMPLE, "--out", str(site.parent)]) == 0
    links = _relative_links(_parse_index(site).links)
    pdfs = [link for link in links if link.endswith("article.pdf")]
    assert pdfs == ["2026-W20/article.pdf"]
    for link in links:
        assert (site / unquote(urlsplit(link).path)).exists(), link


def test_sitemap_lists_site_and_editions(site: Path) -> None:
    report = load_report()
    root = ET.parse(site / "sitemap.xml").getroot()
    assert root.tag == f"{SITEMAP}urlset"
    urls = root.findall(f"{SITEMAP}url")
    locs = [u.findtext(f"{SITEMAP}loc") for u in urls]
    assert locs[0] == report.site_url
    assert sorted(locs[1:]) == sorted(f"{report.site_url}{w}/" for w in WEEKS)
    for url in urls:
        dt.date.fromisoformat(url.findtext(f"{SITEMAP}lastmod") or "")


def test_hidden_and_other_folders_are_ignored(site: Path) -> None:
    shutil.copytree(site / "2026-W21", site / ".2026-W22.abc.tmp")
    shutil.copytree(site / "2026-W21", site / "drafts")
    assert main(["publish", "--report", SAMPLE, "--out", str(site.parent)]) == 0
    entries = ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(entries) == len(WEEKS)


def test_publish_without_editions_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--report", SAMPLE, "--out", str(tmp_path)]) == 2
    assert "no editions" in capsys.readouterr().err
    assert not any(tmp_path.rglob("*.xml"))


def test_the_archive_keeps_the_running_record_of_calls(site: Path) -> None:
    # Issue 16, item 5: each edition's call, graded by the edition after it, and the record.
    facts = {w: json.loads((site / w / "facts.json").read_text(encoding="utf-8"))["edition"]
             for w in WEEKS}
    newest, older = sorted(WEEKS)[-1], sorted(WEEKS)[-2]
    text = html.unescape((site / "index.html").read_text(encoding="utf-8"))
    tally = facts[newest]["call"]["tally"]
    assert re.fullmatch(r"\w+ of \w+ right", tally), tally
    right, graded = tally.split()[0], tally.split()[2]
    assert right in facts[newest]["call"]["record"] and graded in facts[newest]["call"]["record"]
    assert f"Our weekly calls so far: {tally}." in text
    # The older edition's call stands beside the newer edition's verdict on it.
    expectation = facts[older]["call"]["expectation"]
    verdict = facts[newest]["call"]["graded"]
    assert expectation and verdict.startswith("Last week we expected")
    assert f"{expectation} <em>{verdict}</em>" in text
