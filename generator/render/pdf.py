"""The downloadable PDF: the print template (which extends the web one) through WeasyPrint.

Charts are the bulk of the file, and WeasyPrint decodes and re-encodes every PNG it embeds,
always as full RGB. So each chart goes to WeasyPrint as a flat JPEG placeholder of its size,
which WeasyPrint embeds as it is (a PNG one it would decode and encode again, about 30 ms a
chart for nothing), named in a JPEG comment; a finisher then puts the rows of the chart's house PNG
(on a palette when that keeps it sharp, at full resolution) in the placeholder's place in the
PDF. The PDF is then about half the size, and a chart is still 1600 px across a 6.7-inch column
(about 240 dpi: sharp at 200 % zoom). A placeholder that is not recognised in the PDF stops the
render: none is ever published. Since the pages need only the charts' words and sizes, the
pipeline can lay them out while the charts are being drawn.
"""

from __future__ import annotations

import functools
import io
import mimetypes
import re
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, cast
from urllib.parse import urlsplit
from urllib.request import url2pathname

from PIL import Image

from generator.charts.style import compact_image, rgb_from_png
from generator.errors import InputError
from generator.layout import CHARTS_DIR, PDF
from generator.render.base import EditionContent, PngFeed, Renderer, TextOutput
from generator.render.environment import MissingLibrary, require
from generator.render.filters import breakable_html
from generator.render.html import html_page

PDF_VARIANT = "pdf/ua-1"
INSTALL = "pip install 'weasyprint>=68' (and the Pango/HarfBuzz system libraries: ./dev setup)"


class RefusedResource(InputError):
    """The print template asked for something outside the edition folder."""


def render_pdf(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    """Write `article.pdf` into the edition folder, the charts being drawn already."""
    return lay_out_pdf(content, folder, lambda: {chart.name: chart.png for chart in content.charts})


def lay_out_pdf(content: EditionContent, folder: Path, pngs: PngFeed) -> tuple[Path, ...]:
    """Write `article.pdf`, laying the pages out before asking `pngs()` for the charts' images."""
    weasyprint = require("weasyprint", INSTALL, "--to pdf")
    if not hasattr(weasyprint, "URLFetcher"):
        raise MissingLibrary(f"--to pdf needs WeasyPrint 68 or newer; install it with `{INSTALL}`")
    # PNG only: WeasyPrint's SVG support is not a browser's, and the PNG bytes are at hand.
    page = breakable_html(html_page(content, "pdf/article.html", use_svg=False))
    charts = content.charts
    in_memory = {f"{CHARTS_DIR}/{chart.png_name}": _placeholder(chart.width_px, chart.height_px, k)
                 for k, chart in enumerate(charts)}
    fetcher = _fetcher(weasyprint, folder, in_memory)
    target = folder / PDF
    document = weasyprint.HTML(string=page, base_url=folder.resolve().as_uri() + "/",
                               url_fetcher=fetcher)

    def finish(_document: Any, pdf: Any) -> None:
        drawn = pngs()
        _swap(pdf, [_embedded(drawn[chart.name]) for chart in charts])

    try:
        # PDF/UA-1: a tagged PDF (language, title, headings, table header cells, figures with
        # their alt text) that a screen reader can walk; about 4 % larger than an untagged one.
        document.write_pdf(target, pdf_variant=PDF_VARIANT, finisher=finish)
    except weasyprint.urls.FatalURLFetchingError as exc:
        target.unlink(missing_ok=True)
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        raise RefusedResource(f"PDF not written: {cause}") from None
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return (target,)


# The comment every placeholder carries, followed by its chart's number.
_MARK = b"weekly chart placeholder "
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Embedded:
    """A chart as the PDF carries it: PNG-predicted Flate rows, and their colour space."""

    width: int
    height: int
    bits: int
    palette: bytes | None  # RGB triples, or None for RGB pixels
    rows: bytes  # the PNG's IDAT data: zlib of filtered scanlines, as PDF's Flate takes it


@functools.cache
def _placeholder(width: int, height: int, number: int) -> bytes:
    """A flat JPEG of the chart's size whose comment says which chart it stands for."""
    out = io.BytesIO()
    Image.new("L", (width, height), 128).save(out, format="JPEG", quality=10,
                                             comment=_MARK + str(number).encode("ascii"))
    return out.getvalue()


def _placeholder_number(data: bytes) -> int | None:
    # The comment segment sits in the JPEG's header, before any image data.
    at = data.find(_MARK, 0, 512)
    if not data.startswith(b"\xff\xd8") or at < 0:
        return None
    digits = re.match(rb"\d+", data[at + len(_MARK):])
    return int(digits.group()) if digits else None


def _embedded(png: bytes) -> Embedded:
    """The chart's PNG taken apart into what a PDF image needs; a house PNG (palette or RGB,
    drawn by `generator.charts.drawing`) is used as it is, anything else made compact first."""
    if not png.startswith(_PNG_SIGNATURE):
        raise ValueError("expected a PNG")
    chunks, rows = _chunks(png)
    width, height, bits, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    if colour not in (2, 3) or interlace:
        chunks, rows = _chunks(compact_image(rgb_from_png(png)))
        width, height, bits, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    return Embedded(width, height, bits, chunks[b"PLTE"] if colour == 3 else None, rows)


def _chunks(data: bytes) -> tuple[dict[bytes, bytes], bytes]:
    # A PNG's chunks by type, and its IDAT data joined (zlib of filtered scanlines).
    at, chunks, rows = len(_PNG_SIGNATURE), {}, []
    while at < len(data):
        (length,) = struct.unpack(">I", data[at:at + 4])
        kind, body = data[at + 4:at + 8], data[at + 8:at + 8 + length]
        if kind == b"IDAT":
            rows.append(body)
        else:
            chunks[kind] = body
        at += 12 + length
    return chunks, b"".join(rows)


def _swap(pdf: Any, compact: Sequence[Embedded]) -> None:
    """Put each chart's compact data where WeasyPrint wrote its placeholder.

    Every image the PDF holds is looked at, so no placeholder can be left in to print as a
    grey box: it is either replaced or the render stops."""
    pydyf = _pydyf()
    sizes = {(chart.width, chart.height) for chart in compact}
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if not isinstance(obj, pydyf.Stream) or not extra or extra.get("Subtype") != "/Image":
            continue
        data = _stream_bytes(obj)
        number = _placeholder_number(data)
        if number is None:
            # One that lost its comment (re-encoded on the way) would print as a grey box.
            if (extra.get("Width"), extra.get("Height")) in sizes and _flat_jpeg(data):
                raise RuntimeError("a chart placeholder was left in the PDF")
            continue
        if number >= len(compact):
            raise RuntimeError("a chart placeholder in the PDF stands for no chart")
        chart = compact[number]
        if (extra.get("Width"), extra.get("Height")) != (chart.width, chart.height):
            raise RuntimeError("a chart placeholder was resized in the PDF")
        obj.stream = [chart.rows]
        extra["Filter"] = "/FlateDecode"
        extra.pop("Decode", None)
        extra["BitsPerComponent"] = chart.bits
        extra["DecodeParms"] = pydyf.Dictionary({
            "Predictor": 15, "Colors": 1 if chart.palette else 3, "BitsPerComponent": chart.bits,
            "Columns": chart.width})
        extra["ColorSpace"] = "/DeviceRGB" if chart.palette is None else pydyf.Array(
            ["/Indexed", "/DeviceRGB", len(chart.palette) // 3 - 1,
             b"<" + chart.palette.hex().encode("ascii") + b">"])


def _flat_jpeg(data: bytes) -> bool:
    if not data.startswith(b"\xff\xd8"):
        return False
    with Image.open(io.BytesIO(data)) as image:
        # One band, so a (min, max) pair of levels.
        low, high = cast("tuple[int, int]", image.convert("L").getextrema())
    return high - low <= 2


def _stream_bytes(obj: Any) -> bytes:
    return b"".join(p if isinstance(p, bytes) else p.data for p in obj.stream)


def _pydyf() -> Any:
    # WeasyPrint's own PDF writer; it is there whenever WeasyPrint is.
    return require("pydyf", INSTALL, "--to pdf")


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
                        # Not a file: URL, or WeasyPrint would read the file of that name on
                        # disk (the page's chart) instead of these bytes.
                        return response(f"memory:{relative}", in_memory[relative], {"Content-Type": kind})
                    if path.is_file():
                        return response(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError(f"refused {url[:200]}: outside the edition folder")

    return EditionFetcher(fail_on_errors=True, allowed_protocols=("data", "file"))


def preload_pdf() -> None:
    """Import WeasyPrint (and the font and PDF libraries it imports): about 0.6 s, which every
    PDF process forked from this one is then spared. Making a small PDF here as well showed no
    further gain in the children (measured within the noise), so it is not done."""
    # Named for what needs it: `weekly schedule` preloads with no --to of its own.
    require("weasyprint", INSTALL, "the PDF (article.pdf)")


RENDERER = Renderer("pdf", "downloadable PDF article.pdf (WeasyPrint)", render_pdf,
                    (TextOutput(PDF, "pdf"),), render_early=lay_out_pdf, preload=preload_pdf)
