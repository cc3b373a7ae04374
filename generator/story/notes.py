"""Editor notes: a Markdown file per week that adds to or replaces parts of the article.

Headings understood: `## Take: why it matters`, `## Take: risks`, `## Take: advice` (append to
that part of the take; add `(replace)` to replace the automatic text) and `## Section: <id>`
(a paragraph added to the section whose id or model id matches). Inline `**bold**` and
`[text](url)` are kept; links are kept only for http, https and mailto.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import InputError, Where, display_path
from generator.load.limits import check_size
from generator.load.values import display_text
from generator.report import InputLimits
from generator.story.model import Bullet, Paragraph, Span
from generator.story.phrases import slugify

SAFE_SCHEMES = ("http://", "https://", "mailto:")
TAKE_KEYS = {"why it matters": "why", "risks": "risks", "advice": "advice", "call": "call"}
_HEADING = re.compile(r"^##\s+(Take|Section)\s*:\s*(.+?)\s*$", re.IGNORECASE)
_INLINE = re.compile(r"\*\*(.+?)\*\*|\[([^\]]+)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Notes:
    """The parsed notes of one week."""

    take: dict[str, tuple[Paragraph, ...]] = field(default_factory=dict)
    replace: frozenset[str] = frozenset()
    sections: dict[str, tuple[Paragraph, ...]] = field(default_factory=dict)


def safe_href(url: str) -> str | None:
    """The URL when its scheme is allowed (http, https, mailto), else None."""
    return url if url.strip().lower().startswith(SAFE_SCHEMES) else None


def parse_inline(text: str) -> Paragraph:
    """Spans from one paragraph of note text: bold and safe links kept, the rest literal."""
    spans: list[Span] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            spans.append(Span(text[position:match.start()]))
        if match.group(1) is not None:
            spans.append(Span(match.group(1), strong=True))
        else:
            label, url = match.group(2), match.group(3)
            href = safe_href(url)
            spans.append(Span(label, href=href) if href else Span(f"{label} ({url})"))
        position = match.end()
    if position < len(text):
        spans.append(Span(text[position:]))
    return tuple(spans)


def parse_notes(text: str) -> Notes:
    """Parse the notes Markdown into take parts and section additions."""
    take: dict[str, list[Paragraph]] = {}
    sections: dict[str, list[Paragraph]] = {}
    replace: set[str] = set()
    target: list[Paragraph] | None = None
    buffer: list[str] = []

    def flush() -> None:
        if target is not None and buffer:
            target.append(parse_inline(" ".join(buffer)))
        buffer.clear()

    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading:
            flush()
            kind, name = heading.group(1).lower(), heading.group(2)
            wants_replace = name.lower().endswith("(replace)")
            name = name[: -len("(replace)")].strip() if wants_replace else name
            if kind == "take":
                key = TAKE_KEYS.get(name.lower())
                target = take.setdefault(key, []) if key else None
                if key and wants_replace:
                    replace.add(key)
            else:
                target = sections.setdefault(slugify(name), [])
        elif line.startswith("#"):
            flush()
            target = None
        elif not line.strip():
            flush()
        else:
            buffer.append(display_text(line))
    flush()
    return Notes(
        take={k: tuple(v) for k, v in take.items()},
        replace=frozenset(replace),
        sections={k: tuple(v) for k, v in sections.items()},
    )


def load_notes(folder: Path, iso_week: str, limits: InputLimits | None = None) -> Notes:
    """The notes for a week, or empty notes when there is no file; a file over the limit is refused."""
    path = folder / f"{iso_week}.md"
    if not path.is_file():
        return Notes()
    if limits is not None:
        check_size(path, limits)
    try:
        return parse_notes(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", Where(display_path(path))) from None


# The take's three parts, in order: (notes key, emoji, label).
TAKE_PARTS = (("why", "🔥", "Why This Matters"), ("risks", "⚠️", "Limitations & Risks"),
              ("advice", "💡", "Actionable Advice"), ("call", "🎯", "Our Call"))


def notes_cover(notes: Notes, part: str, cues: tuple[str, ...]) -> bool:
    """Whether the editor's notes for a take part already touch a topic (any of its cue words,
    case-insensitive): the machine's sentence on it then gives way, so nothing is said twice."""
    text = " ".join(span.text for paragraph in notes.take.get(part, ()) for span in paragraph)
    lowered = text.lower()
    return any(cue.lower() in lowered for cue in cues)


def take_with_notes(auto: dict[str, list[str]], notes: Notes) -> tuple[Bullet, ...]:
    """The take: each part's machine sentences, then the editor's notes for it (which replace
    the machine's when the note says so); a part left empty is left out."""
    bullets = []
    for key, emoji, label in TAKE_PARTS:
        body: list[Span] = [] if key in notes.replace else [Span(" ".join(auto.get(key, ())))]
        for note in notes.take.get(key, ()):
            if body:
                body.append(Span(" "))
            body.extend(note)
        if body:
            bullets.append(Bullet(label, tuple(body), emoji))
    return tuple(bullets)
