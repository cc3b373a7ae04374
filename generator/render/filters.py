"""Template filters: story text escaped for HTML, Markdown, plain text and YAML.

Story text is never markup; these functions are the one place where it becomes markup, so a
hostile model name shows up literally in every format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import quote, urlsplit

from markupsafe import Markup, escape

from generator.story.model import Paragraph

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})

# Characters that Markdown (CommonMark, Python-Markdown, kramdown, Goldmark) would read as
# syntax. Those every processor accepts a backslash before are escaped that way; the others
# become HTML entities, which every processor passes through and browsers show as the
# character. `{` and `}` are entities so Liquid (Jekyll) and Hugo shortcodes never see `{{`.
# Parentheses stay bare: with `[` and `]` escaped they can never close a link, and the post
# stays readable ("(+13.5 % on the week)"); a leading "1)" is guarded like "1.".
_MD_BACKSLASHED = frozenset("\\`*_[]#|")
_MD_ENTITIES = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    "{": "&#123;",
    "}": "&#125;",
    "~": "&#126;",
}
_LINE_START = re.compile(r"^(?:(?P<mark>[-+=])|(?P<digits>\d+)[.)])")
_WHITESPACE = re.compile(r"\s+")
_ENTITY_LIKE = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")

# YAML double-quoted scalars may hold only printable characters; JSON leaves a few others raw,
# and YAML 1.1 readers (Jekyll) treat U+2028/U+2029 as line breaks.
_YAML_UNSAFE = re.compile("[\x7f-\x84\x86-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def safe_href(href: str | None) -> str | None:
    """Return the link target when its scheme is http, https or mailto, else None."""
    if not href:
        return None
    target = href.strip()
    if not target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    try:
        scheme = urlsplit(target).scheme.lower()
    except ValueError:
        return None
    return target if scheme in SAFE_SCHEMES else None


def spans_html(paragraph: Paragraph) -> Markup:
    """Render a paragraph's spans as escaped HTML with <strong> and safe links."""
    parts: list[Markup] = []
    for span in paragraph:
        piece = escape(span.text)
        if span.strong:
            piece = Markup("<strong>%s</strong>") % piece
        href = safe_href(span.href)
        if href is not None:
            piece = Markup('<a href="%s">%s</a>') % (href, piece)
        parts.append(piece)
    return Markup("").join(parts)


def spans_text(paragraph: Paragraph) -> str:
    """Render a paragraph as plain text; a safe link shows its target in parentheses."""
    parts: list[str] = []
    for span in paragraph:
        href = safe_href(span.href)
        shown = href.removeprefix("mailto:") if href else None
        if shown and shown != span.text.strip():
            parts.append(f"{span.text} ({shown})")
        else:
            parts.append(span.text)
    return "".join(parts)


def md_text(text: str) -> str:
    """Escape text so that Markdown shows it literally, on one line."""
    line = str(text)
    if "\n" in line or "\r" in line:
        line = _WHITESPACE.sub(" ", line)
    out: list[str] = []
    for i, char in enumerate(line):
        if char in _MD_BACKSLASHED:
            out.append("\\" + char)
        elif char == "&" and not _ENTITY_LIKE.match(line, i):
            # Only "&name;" or "&#123;" is an entity reference: a bare "&" shows as itself in
            # every processor, and "&amp;" would leak into the Markdown that people read.
            out.append(char)
        else:
            out.append(_MD_ENTITIES.get(char, char))
    return "".join(out)


def md_cell(text: str) -> str:
    """Escape text for a pipe-table cell: literal, one line, `|` escaped."""
    return md_text(_WHITESPACE.sub(" ", str(text)).strip())


def md_italic(text: str) -> str:
    """Escape text and set it in italics, or return "" for empty text."""
    inner = md_text(_WHITESPACE.sub(" ", str(text)).strip())
    return f"*{inner}*" if inner else ""


def md_url(href: str) -> str:
    """Percent-encode what would end a Markdown link destination early."""
    return quote(href, safe=":/?#@!$&'*+,;=%-._~")


def spans_md(paragraph: Paragraph) -> str:
    """Render a paragraph as one Markdown line: escaped text, **strong**, safe [links](url)."""
    parts: list[str] = []
    for span in paragraph:
        piece = md_text(span.text)
        if span.strong and piece.strip():
            # `** x**` is not bold: keep the spaces outside the markers.
            core = piece.strip()
            lead = piece[: len(piece) - len(piece.lstrip())]
            trail = piece[len(piece.rstrip()) :]
            piece = f"{lead}**{core}**{trail}"
        href = safe_href(span.href)
        if href is not None:
            piece = f"[{piece}]({md_url(href)})"
            if parts and parts[-1].endswith("!"):
                # "!" before a link makes it an image, fetched by every reader of the post.
                parts[-1] = parts[-1][:-1] + "\\!"
        parts.append(piece)
    return _guard_line_start("".join(parts).strip())


def _guard_line_start(line: str) -> str:
    # A line starting with `-`, `+`, `1.`, `1)` would become a list; `=` could underline a
    # heading.
    match = _LINE_START.match(line)
    if match is None:
        return line
    if match.group("mark"):
        return "\\" + line
    digits = match.group("digits")
    return f"{digits}\\{line[len(digits):]}"


# A break opportunity after every BREAK_EVERY characters of an unbroken word, in the page the
# PDF is made from. WeasyPrint lays a paragraph out line by line, and for each line it lays
# out only the start of the remaining text when that start holds a break opportunity, else
# the whole remainder: a word of n characters with none cost time quadratic in n (a
# 32,000-character word in a note took three minutes). Zero-width spaces give it one every
# few characters and show nothing; `weekly check` reads them as nothing too.
BREAK_EVERY = 20
ZERO_WIDTH_SPACE = "\u200b"
_SKIPPED = re.compile(r"(<(?:style|script|head)\b.*?</(?:style|script|head)>|<[^>]*>)", re.S | re.I)
# A character of a word: an entity counts as one, so none is cut in two.
_WORD_UNIT = re.compile(r"&#?\w+;|[^\s<&\u200b]")
_LONG_RUN = re.compile(rf"(?:&#?\w+;|[^\s<&\u200b]){{{BREAK_EVERY + 1},}}")


def breakable_html(page: str) -> str:
    """The page with a zero-width space every BREAK_EVERY characters of a longer word.

    Only text between tags is touched, never a tag, an attribute, a stylesheet or the head.
    """
    pieces = _SKIPPED.split(page)
    # split() with one group alternates text, markup, text, ...
    return "".join(piece if i % 2 else _LONG_RUN.sub(_break_run, piece)
                   for i, piece in enumerate(pieces))


def _break_run(match: re.Match[str]) -> str:
    units = _WORD_UNIT.findall(match.group())
    return ZERO_WIDTH_SPACE.join("".join(units[i:i + BREAK_EVERY])
                                 for i in range(0, len(units), BREAK_EVERY))


def yaml_str(value: object) -> str:
    """Quote a value as a YAML double-quoted string that every YAML reader accepts."""
    text = json.dumps(str(value), ensure_ascii=False)
    return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def yaml_date(value: str) -> str:
    """Return an ISO 8601 date-time (with its offset) as a plain YAML timestamp."""
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"expected an ISO 8601 date-time, got {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"expected a date-time with an offset, got {value!r}")
    return moment.isoformat()


def rfc822(value: str) -> str:
    """An ISO 8601 date-time with its offset as RSS 2.0 writes dates (RFC 822, English names)."""
    moment = dt.datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError(f"expected a date-time with an offset, got {value!r}")
    day = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[moment.weekday()]
    month = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
             "Dec")[moment.month - 1]
    return f"{day}, {moment.day:02d} {month} {moment.year} {moment:%H:%M:%S %z}"


# Characters that a theme printing front matter raw would read as markup (HTML, Liquid, Hugo
# shortcodes, Markdown links): a title, tag or description holds none of them.
# Quotes and the ampersand become their typographic forms, so "the model's maker" still reads.
_MARKUP_CHARS = re.compile(r"[<>`{}\[\]]+")
_TYPOGRAPHIC = str.maketrans({"'": "\u2019", '"': "\u201d", "&": "+"})


def plain(value: object) -> str:
    """Text with every markup character dropped and its spaces collapsed, for front matter."""
    text = _MARKUP_CHARS.sub(" ", str(value)).translate(_TYPOGRAPHIC)
    return _WHITESPACE.sub(" ", text).strip()


def yaml_plain(value: object) -> str:
    """`plain` text as a YAML double-quoted string."""
    return yaml_str(plain(value))
