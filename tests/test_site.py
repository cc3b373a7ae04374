"""`weekly publish`: the archive page, the Atom feed and the sitemap around built editions."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.cli import main
from generator.report import load_report

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
WEEKS = ("2026-W19", "2026-W20", "2026-W21")
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SITE_FILES = ("index.html", "feed.xml", "sitemap.xml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three editions of the sample report, Markdown only (fast), not yet published."""
    out = tmp_path_factory.mktemp("site")
    for week in WEEKS:
        assert main(["build", "--to", "md", "--week", week, "--out", str(out)]) == 0
    return out


@pytest.fixture
def site(built: Path, tmp_path: Path) -> Path:
    """A published copy of the built editions; returns the report's folder."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    assert main(["publish", "--out", str(out)]) == 0
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


def test_second_publish_is_byte_identical(site: Path) -> None:
    before = {name: (site / name).read_bytes() for name in SITE_FILES}
    assert main(["publish", "--out", str(site.parent)]) == 0
    assert {name: (site / name).read_bytes() for name in SITE_FILES} == before
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


def test_archive_links_resolve(site: Path) -> None:
    links = _relative_links(_parse_index(site).links)
    assert links
    for link in links:
        assert (site / unquote(urlsplit(link).path)).exists(), link


def test_pdf_link_only_where_the_pdf_exists(site: Path) -> None:
    (site / "2026-W20" / "article.pdf").write_bytes(b"%PDF-1.4\n")
    assert main(["publish", "--out", str(site.parent)]) == 0
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
    assert main(["publish", "--out", str(site.parent)]) == 0
    entries = ET.parse(site / "feed.xml").getroot().findall(f"{ATOM}entry")
    assert len(entries) == len(WEEKS)


def test_publish_without_editions_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["publish", "--out", str(tmp_path)]) == 2
    assert "no editions" in capsys.readouterr().err
    assert not any(tmp_path.rglob("*.xml"))
