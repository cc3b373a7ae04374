"""Links between editions: `weekly publish` writes them into each edition page between two markers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from generator.edition_dir import write_atomic
from generator.layout import PAGE

if TYPE_CHECKING:  # site.py imports this module at run time
    from generator.publish.site import SiteEntry

# The build writes the markers with a link to the archive between them; only that span is replaced.
_SPAN = re.compile(r"(<!--weekly:edition-nav-->)(.*?)(<!--/weekly:edition-nav-->)", re.S)


def neighbours(entries: tuple[SiteEntry, ...]) -> dict[str, tuple[SiteEntry | None, SiteEntry | None]]:
    """For each edition (entries newest first): its older and its newer neighbour."""
    result: dict[str, tuple[SiteEntry | None, SiteEntry | None]] = {}
    for i, entry in enumerate(entries):
        newer = entries[i - 1] if i > 0 else None
        older = entries[i + 1] if i + 1 < len(entries) else None
        result[entry.iso_week] = (older, newer)
    return result


def with_nav(page: str, nav: str) -> str | None:
    """The page with its navigation span replaced by `nav`; None when the page has no markers."""
    if not _SPAN.search(page):
        return None
    return _SPAN.sub(lambda m: f"{m.group(1)}{nav}{m.group(3)}", page, count=1)


def link_editions(root: Path, entries: tuple[SiteEntry, ...], template: jinja2.Template) -> tuple[Path, ...]:
    """Fill every edition page's navigation; return the pages that changed."""
    changed = []
    for week, (older, newer) in neighbours(entries).items():
        page = root / week / PAGE
        if not page.is_file():
            continue  # a Markdown-only edition has no page to link from
        before = page.read_text(encoding="utf-8")
        after = with_nav(before, template.render(older=older, newer=newer).strip())
        if after is not None and after != before:
            write_atomic(page, after)
            changed.append(page)
    return tuple(changed)
