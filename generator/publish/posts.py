"""`posts/`: each edition's Markdown post, named and linked to drop into a Hugo or Jekyll content folder."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from generator.edition_dir import write_atomic
from generator.layout import ARTICLE, POSTS_DIR

if TYPE_CHECKING:  # site.py imports this module at run time
    from generator.publish.site import SiteEntry

_FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
# Links and images whose target is relative (no scheme, not an anchor): ](charts/x.png)
_LINK = re.compile(r"\]\((?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)\s]+)\)")
_ASSET_KEY = re.compile(r'^(pdf|image): "([^"]+)"$', re.M)


def post_name(entry: SiteEntry, slug: str) -> str:
    """Jekyll's `_posts` naming, `YYYY-MM-DD-slug.md` (Hugo takes any name and reads `slug`)."""
    day = dt.datetime.fromisoformat(entry.published).date().isoformat()
    return f"{day}-{slug}.md"


def post_text(article: str, page_url: str) -> str:
    """The edition's Markdown with relative asset links made absolute and both sites' permalink keys.

    In a content folder the post is far from its charts and PDF, so they are linked on the
    published site; `url` (Hugo) and `permalink` (Jekyll) keep the site's `/<YYYY>-Www/` address.
    """
    match = _FRONT.match(article)
    if match is None:
        raise ValueError("expected YAML front matter between --- lines")
    path = urlsplit(page_url).path
    front = _ASSET_KEY.sub(lambda m: f'{m.group(1)}: "{urljoin(page_url, m.group(2))}"', match.group(1))
    front += f'\nurl: "{path}"\npermalink: "{path}"'
    body = _LINK.sub(lambda m: f"]({urljoin(page_url, m.group(1))})", article[match.end():])
    return f"---\n{front}\n---\n{body}"


def _slug(article: str, fallback: str) -> str:
    found = re.search(r'^slug: "([^"]+)"$', article, re.M)
    return found.group(1) if found else fallback.lower()


def export_posts(root: Path, entries: tuple[SiteEntry, ...]) -> tuple[Path, ...]:
    """Write `posts/<date>-<slug>.md` for every edition with a Markdown post; drop posts of removed ones."""
    folder = root / POSTS_DIR
    written: list[Path] = []
    for entry in entries:
        source = root / entry.iso_week / ARTICLE
        if not source.is_file():
            continue
        article = source.read_text(encoding="utf-8")
        target = folder / post_name(entry, _slug(article, entry.iso_week))
        text = post_text(article, entry.url)
        folder.mkdir(exist_ok=True)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            write_atomic(target, text)
        written.append(target)
    if folder.is_dir():
        for stale in folder.glob("*.md"):
            if stale not in written:
                stale.unlink()
    return tuple(written)
