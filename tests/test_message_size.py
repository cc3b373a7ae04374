"""Lighter messages: the email's charts at 1200 px on a palette, the PDF's charts compact and intact."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pydyf
import pytest
from PIL import Image, ImageChops

from generator.charts.style import compact_image
from generator.delivery.message import build_message, load_edition_mail
from generator.layout import EMAIL_CHART_SUFFIX, EMAIL_CHART_WIDTH
from generator.render import pdf
from generator.report import load_report

KB = 1024
NOW = dt.datetime(2026, 5, 25, 8, tzinfo=dt.UTC)


def _message_bytes(folder: Path, attach_pdf: bool) -> int:
    report = load_report(None)
    report = dataclasses.replace(report, email=dataclasses.replace(report.email, attach_pdf=attach_pdf))
    msg = build_message(report, load_edition_mail(folder), "reader@example.org",
                        "https://news.example.org/u/token", now=NOW)
    return len(msg.as_bytes())


def _off_pixels(a: Image.Image, b: Image.Image, tolerance: int = 8) -> int:
    """Pixels where some channel differs by more than `tolerance` levels."""
    difference = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    return sum(difference.convert("L").histogram()[tolerance + 1:])


def test_the_sample_message_is_light(sample_edition: Path) -> None:
    assert _message_bytes(sample_edition, attach_pdf=False) <= 150 * KB
    assert (sample_edition / "article.pdf").stat().st_size <= 300 * KB
    assert _message_bytes(sample_edition, attach_pdf=True) <= 450 * KB


def test_the_email_carries_its_own_1200_px_charts(sample_edition: Path) -> None:
    mail = load_edition_mail(sample_edition)
    assert [name for name, _ in mail.charts] == ["total", "top_models"]
    for name, png in mail.charts:
        assert png == (sample_edition / "charts" / f"{name}{EMAIL_CHART_SUFFIX}").read_bytes()
        small = Image.open(io.BytesIO(png))
        page = Image.open(sample_edition / "charts" / f"{name}.png")
        assert small.width == EMAIL_CHART_WIDTH and small.mode == "P"
        assert abs(small.height / small.width - page.height / page.width) < 0.002
        # The same picture as the page's chart, averaged down: nothing lost but resolution.
        reference = page.convert("RGB").resize(small.size, Image.Resampling.BOX)
        assert _off_pixels(small, reference) <= 0.001 * small.width * small.height
        # At a 1200-px width and compressed harder than the page's chart (itself on a palette).
        assert len(png) < 0.75 * (sample_edition / "charts" / f"{name}.png").stat().st_size


@pytest.mark.skipif(shutil.which("pdfimages") is None, reason="needs poppler-utils (./dev setup)")
def test_the_pdf_charts_are_the_charts_at_full_resolution(sample_edition: Path, tmp_path: Path) -> None:
    # Every chart the PDF shows is a page chart pixel for pixel (within the palette's tolerance),
    # so no placeholder and no blurred copy can slip through.
    subprocess.run(["pdfimages", "-png", str(sample_edition / "article.pdf"), str(tmp_path / "img")],
                   check=True, capture_output=True, timeout=120)
    charts = {p.stem: Image.open(p).convert("RGB") for p in (sample_edition / "charts").glob("*.png")
              if not p.name.endswith(EMAIL_CHART_SUFFIX)}
    found = set()
    for path in sorted(tmp_path.glob("img-*.png")):
        image = Image.open(path)
        if image.width < 1000:  # the emoji glyphs
            continue
        assert image.size == (1600, 900)
        matches = [name for name, chart in charts.items() if _off_pixels(image, chart) == 0]
        assert matches, f"{path.name} is none of the charts"
        found.update(matches)
    assert found == set(charts)


def test_the_page_charts_are_quantised_once_and_the_pdf_embeds_them_as_they_are(
        sample_edition: Path) -> None:
    # The house PNG is made on a palette when the chart is drawn; the PDF then carries its
    # rows byte for byte instead of quantising and compressing the chart again.
    pdf = (sample_edition / "article.pdf").read_bytes()
    for path in (sample_edition / "charts").glob("*.png"):
        if path.name.endswith(EMAIL_CHART_SUFFIX):
            continue
        with Image.open(path) as image:
            assert image.mode == "P" and image.size == (1600, 900)
        assert _idat(path.read_bytes()) in pdf, f"{path.name}: its rows are not in the PDF as they are"


def _idat(png: bytes) -> bytes:
    at, rows = 8, []
    while at < len(png):
        length = int.from_bytes(png[at:at + 4], "big")
        if png[at + 4:at + 8] == b"IDAT":
            rows.append(png[at + 8:at + 8 + length])
        at += 12 + length
    return b"".join(rows)


def test_no_chart_placeholder_reaches_the_pdf(sample_edition: Path) -> None:
    # WeasyPrint embeds the JPEG placeholders as they are, comment and all: had one been left
    # in, its mark would be in the file.
    assert pdf._MARK not in (sample_edition / "article.pdf").read_bytes()


def _image_stream(data: bytes, width: int, height: int) -> pydyf.Stream:
    return pydyf.Stream([data], pydyf.Dictionary({"Type": "/XObject", "Subtype": "/Image", "Width": width,
                                                  "Height": height, "Filter": "/DCTDecode"}))


def test_a_placeholder_is_swapped_for_its_charts_rows_or_the_pdf_is_refused() -> None:
    page = Image.new("RGB", (32, 18), (0, 114, 178))
    chart = pdf._embedded(compact_image(page))
    placeholder = pdf._placeholder(32, 18, 0)
    assert placeholder.startswith(b"\xff\xd8") and pdf._placeholder_number(placeholder) == 0
    stream = _image_stream(placeholder, 32, 18)
    pdf._swap(SimpleNamespace(objects=[stream]), [chart])
    assert stream.stream == [chart.rows] and stream.extra["Filter"] == "/FlateDecode"
    # One numbered past the charts, or laid out at another size, stops the render.
    with pytest.raises(RuntimeError, match="stands for no chart"):
        pdf._swap(SimpleNamespace(objects=[_image_stream(pdf._placeholder(32, 18, 1), 32, 18)]), [chart])
    with pytest.raises(RuntimeError, match="resized"):
        pdf._swap(SimpleNamespace(objects=[_image_stream(pdf._placeholder(16, 9, 0), 16, 9)]), [chart])
    # One that lost its comment on the way (re-encoded) is still found, by its size and flatness.
    bare = io.BytesIO()
    Image.new("L", (32, 18), 128).save(bare, format="JPEG")
    with pytest.raises(RuntimeError, match="left in"):
        pdf._swap(SimpleNamespace(objects=[_image_stream(bare.getvalue(), 32, 18)]), [chart])
    # A JPEG of the page's own (a photo, say), even of a chart's size, is left alone.
    own = io.BytesIO()
    photo = page.copy()
    photo.paste((230, 159, 0), (0, 0, 16, 18))
    photo.save(own, format="JPEG")
    logo = _image_stream(own.getvalue(), 32, 18)
    pdf._swap(SimpleNamespace(objects=[logo]), [chart])
    assert logo.stream == [own.getvalue()] and logo.extra["Filter"] == "/DCTDecode"
