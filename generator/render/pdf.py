"""The downloadable PDF: the print template (which extends the web one) through WeasyPrint."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from generator.errors import InputError
from generator.layout import CHARTS_DIR, PDF
from generator.render.base import EditionContent, Renderer, TextOutput
from generator.render.environment import MissingLibrary, require
from generator.render.filters import breakable_html
from generator.render.html import html_page

PDF_VARIANT = "pdf/ua-1"
INSTALL = "pip install 'weasyprint>=68' (and the Pango/HarfBuzz system libraries: ./dev setup)"


class RefusedResource(InputError):
    """The print template asked for something outside the edition folder."""


def render_pdf(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    """Write `article.pdf` into the edition folder."""
    weasyprint = require("weasyprint", INSTALL, "--to pdf")
    if not hasattr(weasyprint, "URLFetcher"):
        raise MissingLibrary(f"--to pdf needs WeasyPrint 68 or newer; install it with `{INSTALL}`")
    # PNG only: WeasyPrint's SVG support is not a browser's, and the PNG bytes are at hand.
    page = breakable_html(html_page(content, "pdf/article.html", use_svg=False))
    # Charts come from memory, so the PDF needs no other renderer to have run first.
    in_memory = {f"{CHARTS_DIR}/{chart.png_name}": chart.png for chart in content.charts}
    fetcher = _fetcher(weasyprint, folder, in_memory)
    target = folder / PDF
    document = weasyprint.HTML(string=page, base_url=folder.resolve().as_uri() + "/",
                               url_fetcher=fetcher)
    try:
        # PDF/UA-1: a tagged PDF (language, title, headings, table header cells, figures with
        # their alt text) that a screen reader can walk; about 4 % larger than an untagged one.
        document.write_pdf(target, pdf_variant=PDF_VARIANT)
    except weasyprint.urls.FatalURLFetchingError as exc:
        target.unlink(missing_ok=True)
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        raise RefusedResource(f"PDF not written: {cause}") from None
    return (target,)


def _fetcher(weasyprint: ModuleType, root: Path, in_memory: dict[str, bytes]) -> Any:
    # Defined here because the base class only exists once WeasyPrint is imported.
    base: Any = weasyprint.URLFetcher
    response: Any = weasyprint.urls.URLFetcherResponse
    top = root.resolve()

    class EditionFetcher(base):
        """Serve `data:` URLs and files inside the edition folder; refuse everything else."""

        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
            """Return the resource at `url`, or raise when it lies outside the folder."""
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            if scheme == "data":
                return super().fetch(url, headers)
            if scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(url2pathname(parts.path)).resolve()
                if path.is_relative_to(top):
                    relative = path.relative_to(top).as_posix()
                    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    if relative in in_memory:
                        return response(url, in_memory[relative], {"Content-Type": kind})
                    if path.is_file():
                        return response(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"refused {url[:200]}: outside the edition folder")

    return EditionFetcher(fail_on_errors=True, allowed_protocols=("data", "file"))


RENDERER = Renderer("pdf", "downloadable PDF article.pdf (WeasyPrint)", render_pdf,
                    (TextOutput(PDF, "pdf"),))
