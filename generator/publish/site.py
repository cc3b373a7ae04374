"""The site around the editions: `index.html` (archive), `feed.xml` (Atom), `rss.xml` (RSS 2.0),
`sitemap.xml`, and the pages `data/`, `methodology/` and `corrections/`."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin

from generator.corrections import Correction
from generator.edition_dir import sweep_orphans, write_atomic
from generator.errors import InputError, Where, display_path
from generator.layout import CHARTS_DIR, FACTS, FEED, PAGE, PDF, RSS, SITE_FILES, SITE_PAGES
from generator.publish.links import link_editions
from generator.publish.methodology import methodology
from generator.publish.posts import export_posts
from generator.render.environment import environment, report_template_error
from generator.report import Report
from generator.weeks import day_text

_WEEK_FOLDER = re.compile(r"^\d{4}-W\d{2}$")


@dataclass(frozen=True)
class SiteEntry:
    """One edition as the archive, the feed and the sitemap show it."""

    iso_week: str
    headline: str
    summary: str
    published: str
    date_text: str
    lastmod: str
    url: str
    has_pdf: bool
    updated: str = ""  # the latest of published and the edition's corrections
    tags: tuple[str, ...] = ()
    content: str = ""  # the article as HTML with absolute links, for the feeds
    pdf_bytes: int = 0
    data_files: tuple[str, ...] = ()  # charts/NAME.csv files, relative to the edition
    corrections: tuple[Correction, ...] = ()
    # The take's call (facts.json `edition.call`), for the archive's running record.
    call_graded: str = ""
    call_record: str = ""
    call_expectation: str = ""
    call_tally: str = ""

    @property
    def pdf_name(self) -> str:
        """The PDF's file name, relative to the edition page."""
        return quote(PDF)

    @property
    def href(self) -> str:
        """The edition page, relative to the report's folder."""
        return f"{quote(self.iso_week)}/"

    @property
    def pdf_href(self) -> str:
        """The edition's PDF, relative to the report's folder."""
        return f"{quote(self.iso_week)}/{quote(PDF)}"


@dataclass(frozen=True)
class SiteResult:
    """What `publish_site` wrote: the report's folder, editions (newest first), files, links, posts."""

    folder: Path
    entries: tuple[SiteEntry, ...]
    files: tuple[Path, ...]
    linked: tuple[Path, ...] = ()  # edition pages whose previous/next links changed
    posts: tuple[Path, ...] = ()  # Markdown posts under posts/


def date_text(moment: dt.datetime) -> str:
    """A date as the archive shows it, e.g. "May 26, 2026" (in the moment's own offset)."""
    return day_text(moment)


def _parse_published(value: Any, where: Where) -> dt.datetime:
    if not isinstance(value, str):
        raise InputError("expected edition.published as an ISO 8601 date-time", where)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"expected edition.published as ISO 8601, got {value!r}", where) from None
    if moment.tzinfo is None:
        raise InputError(f"expected edition.published with a UTC offset, got {value!r}", where)
    return moment


def _text(edition: dict[str, Any], key: str, where: Where) -> str:
    value = edition.get(key)
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"expected a non-empty edition.{key}", where)
    return value.strip()


def _corrections(edition: dict[str, Any], week: str, where: Where) -> tuple[Correction, ...]:
    listed = edition.get("corrections", [])
    if not isinstance(listed, list) or not all(
            isinstance(c, dict) and isinstance(c.get("date"), str) and isinstance(c.get("text"), str)
            for c in listed):
        raise InputError("expected edition.corrections as a list of {date, text}", where)
    try:
        return tuple(Correction(week, dt.date.fromisoformat(c["date"]).isoformat(), c["text"])
                     for c in listed)
    except ValueError:
        raise InputError("expected each correction's date as YYYY-MM-DD", where) from None


def _call(edition: dict[str, Any]) -> dict[str, str]:
    """The call's three sentences, or none for an edition (or a kind) without a call."""
    call = edition.get("call")
    if not isinstance(call, dict):
        return {}
    return {f"call_{key}": value for key in ("graded", "record", "expectation", "tally")
            if isinstance(value := call.get(key), str) and value}


def _entry(report: Report, folder: Path) -> tuple[dt.datetime, SiteEntry]:
    path = folder / FACTS
    where = Where(display_path(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"expected readable JSON: {exc}", where) from None
    edition = data.get("edition") if isinstance(data, dict) else None
    if not isinstance(edition, dict):
        raise InputError("expected an 'edition' object", where)
    iso_week = edition.get("iso_week") or data.get("iso_week") or folder.name
    if iso_week != folder.name:
        raise InputError(f"expected iso_week {folder.name!r} (the folder's name), got {iso_week!r}", where)
    moment = _parse_published(edition.get("published"), where)
    page = folder / PAGE
    text = page.read_text(encoding="utf-8") if page.is_file() else ""
    url = f"{report.site_url}{quote(folder.name)}/"
    pdf = folder / PDF
    charts = folder / CHARTS_DIR
    corrections = _corrections(edition, folder.name, where)
    # A correction moves the entry's `updated` (to the start of its day, in the edition's offset),
    # so that feed readers show the corrected edition again.
    updated = max([moment, *(dt.datetime.combine(dt.date.fromisoformat(c.date), dt.time(),
                                                 moment.tzinfo) for c in corrections)])
    entry = SiteEntry(
        iso_week=folder.name,
        headline=_text(edition, "headline", where),
        summary=_text(edition, "summary", where),
        published=moment.isoformat(),
        date_text=date_text(moment),
        lastmod=updated.date().isoformat(),
        url=url,
        has_pdf=pdf.is_file(),
        updated=updated.isoformat(),
        corrections=corrections,
        **_call(edition),
        tags=tuple(html.unescape(t) for t in _TAG.findall(text)),
        content=article_html(text, url),
        pdf_bytes=pdf.stat().st_size if pdf.is_file() else 0,
        data_files=tuple(f"{CHARTS_DIR}/{p.name}" for p in sorted(charts.glob("*.csv")))
        if charts.is_dir() else (),
    )
    return moment, entry


_TAG = re.compile(r'<meta property="article:tag" content="([^"]*)">')
_ARTICLE = re.compile(r'<article class="article" id="article">(.*?)</article>', re.S)
# What the edition page marks as its own (the headline, the table of contents): the feeds'
# entries have their title already, and in-page links are no use in a feed reader.
_PAGE_ONLY = re.compile(r"<!--weekly:page-only-->.*?<!--/weekly:page-only-->", re.S)
_RELATIVE = re.compile(r'\b(src|href|srcset)="(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^"]*)"')


def article_html(page: str, url: str) -> str:
    """The article of an edition page with its links made absolute, for a feed's full content."""
    found = _ARTICLE.search(page)
    if found is None:
        return ""
    article = _PAGE_ONLY.sub("", found.group(1))
    return _RELATIVE.sub(lambda m: f'{m.group(1)}="{urljoin(url, m.group(2))}"', article)


def scan_editions(report: Report, out: Path) -> tuple[SiteEntry, ...]:
    """The report's built editions under `out/<slug>/`, newest first."""
    root = out / report.slug
    if not root.is_dir():
        return ()
    found = []
    for folder in root.iterdir():
        if folder.name.startswith(".") or not _WEEK_FOLDER.match(folder.name):
            continue
        if folder.is_dir() and (folder / FACTS).is_file():
            found.append(_entry(report, folder))
    found.sort(key=lambda pair: (pair[0], pair[1].iso_week), reverse=True)
    return tuple(entry for _, entry in found)


def publish_site(report: Report, out: Path) -> SiteResult:
    """Write the archive, the Atom feed and the sitemap of a report's built editions."""
    root = out / report.slug
    # What a killed build or publish left would be uploaded with the site; a build under way
    # holds its staging folder's lock and is left alone.
    sweep_orphans(root)
    entries = scan_editions(report, out)
    if not entries:
        raise InputError(f"no editions to publish in {display_path(root)}; run `weekly build` first")
    env = environment(report)
    context: dict[str, Any] = {
        "report": report,
        "entries": entries,
        "updated": max(entries, key=lambda e: dt.datetime.fromisoformat(e.updated)).updated,
        "feed_url": f"{report.site_url}{FEED}",
        "feed_name": FEED,
        "rss_url": f"{report.site_url}{RSS}",
        "rss_name": RSS,
        "pages": {page: page.removesuffix("index.html") for page in SITE_PAGES},
        "methodology": methodology(report),
    }
    try:
        # Every site file is rendered before any is written: a broken template changes nothing.
        texts = {name: env.get_template(f"site/{name}").render(context)
                 for name in (*SITE_FILES, *SITE_PAGES)}
        linked = link_editions(root, entries, env.get_template("site/edition_nav.html"))
    except InputError:
        raise
    except Exception as exc:
        bad_input = report_template_error(exc, report)  # only a report's own template's fault
        if bad_input is None:
            raise
        raise bad_input from None
    posts = export_posts(root, entries)
    written = []
    for name, text in texts.items():
        path = root / name
        path.parent.mkdir(exist_ok=True)
        write_atomic(path, text)
        written.append(path)
    return SiteResult(root, entries, tuple(written), linked, posts)
