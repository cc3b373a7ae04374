"""The story of an edition: structured text that every renderer escapes for its own format.

Text is never pre-formatted markup: a paragraph is a tuple of spans, and each renderer (HTML,
Markdown, plain text, PDF) escapes the span text itself. That keeps hostile model names inert.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.ledger.claim import Claim


@dataclass(frozen=True)
class Span:
    """A run of text: plain, strong, or a link (http, https or mailto only)."""

    text: str
    strong: bool = False
    href: str | None = None


Paragraph = tuple[Span, ...]


@dataclass(frozen=True)
class Bullet:
    """A list item with a bold label ("Market Leadership") and its sentence."""

    label: str
    body: Paragraph
    emoji: str = ""


@dataclass(frozen=True)
class Table:
    """A small table of figures; cells are already-formatted strings."""

    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Section:
    """One headed part of the article, with an id for anchors and editor notes."""

    id: str
    title: str
    paragraphs: tuple[Paragraph, ...] = ()
    bullets: tuple[Bullet, ...] = ()
    chart: str | None = None
    table: Table | None = None


@dataclass(frozen=True)
class Meta:
    """The meta line: date, category, reading time."""

    date_iso: str
    date_text: str
    category: str
    reading_minutes: int
    words: int


@dataclass(frozen=True)
class CallRecord:
    """The take's call, sentence by sentence, for the archive's running record: last week's
    call graded, the record so far, and this week's expectation ("" where there is none)."""

    graded: str = ""
    record: str = ""
    expectation: str = ""
    # The record as the archive states it on its own: "23 of 26 right".
    tally: str = ""


@dataclass(frozen=True)
class Story:
    """The whole article, ready to render."""

    headline: str
    slug: str
    summary: Paragraph
    subtitle: str
    meta: Meta
    lede: tuple[Paragraph, ...]
    takeaways: tuple[Bullet, ...]
    sections: tuple[Section, ...]
    take_title: str
    take: tuple[Bullet, ...]
    description: str
    tags: tuple[str, ...]
    angle: str
    claims: tuple[Claim, ...]
    # What the data is and where it comes from, for the footer: "weekly token counts per model
    # from OpenRouter". The templates add the publisher.
    source_note: str = ""
    # The week's largest cause in one sentence, for the digest ("" when the data holds none).
    cause: Paragraph = ()
    call: CallRecord = CallRecord()


def paragraph(text: str) -> Paragraph:
    """A paragraph of one plain span."""
    return (Span(text),)


def plain(paragraph: Paragraph) -> str:
    """The paragraph as plain text."""
    return "".join(span.text for span in paragraph)
