"""`weekly check`: trace every number in every text of an edition back to `facts.json`.

Two passes. First, each claim of the ledger is re-rendered from the fact it names and must
read exactly as written. Then every number in every text (page, Markdown, PDF, email parts)
must belong to a claim whose sentence holds the same words around it. Names of models and
makers are masked first, so the digits in "GPT-5.2" are not taken for figures.

Figures written as words ("six", "seventh") are traced too, where they stand in a sentence the
ledger records: such a word must read as its claim does, so "sixth" edited into "seventh" fails.
Outside claimed sentences the same words are plain prose ("in its first week").
"""

from __future__ import annotations

import bisect
import csv
import io
import json
import re
import subprocess
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.errors import InputError, Where, display_path
from generator.layout import CHART_SUFFIXES, CHARTS_DIR, FACTS, NARROW_SUFFIX
from generator.ledger.names import longest_name_pattern, names_with_digits
from generator.ledger.numbers import NUMBER_WORDS, render
from generator.render import RENDERERS
from generator.textblocks import LAID_OUT, READERS

NUMBER = re.compile(r"(?<![\w.])[+\u2212-]?\$?\d+(?:[.,]\d+)*(?:[KM](?![a-zA-Z]))?")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“'(])|\s+·\s+|\s+\|\s+")
NUMBER_WORD = re.compile(r"\b(?:" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MASK = "\u27e8\u27e9"
_WHOLE = re.compile(r"-?\d+")
_URL = re.compile(r"(?:https?|mailto):\S+")
_WORD = re.compile(r"\S+")
WINDOW_WORDS = 2
# The edition's own names; a kind lists the names in its facts in `edition.names`.
NAME_KEYS = {"title", "brand", "category", "author", "source_name", "postal_address"}


@dataclass(frozen=True)
class Problem:
    """A number that could not be traced, or a claim that does not match its fact."""

    file: str
    number: str
    context: str
    reason: str

    def __str__(self) -> str:
        if not self.number:
            return f"{self.file}: {self.reason}"
        return f"{self.file}: {self.number!r} in \"{self.context}\": {self.reason}"


@dataclass(frozen=True)
class CheckResult:
    """What the check found: how many numbers it traced, and the problems."""

    traced: int
    files: tuple[str, ...]
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        """True when nothing is untraced."""
        return not self.problems


# Direction marks are invisible and pdftotext drops them: they are not part of a name's words.
# Nor are zero-width spaces, which the PDF's page carries inside long words as break points.
_BIDI_MARKS = re.compile("[\u200b\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


def _normalise(text: str) -> str:
    text = _BIDI_MARKS.sub("", unicodedata.normalize("NFC", text))
    return re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()


def _words(text: str) -> str:
    """Lower-case words that hold a letter or digit: emoji and lone marks are not context."""
    return " ".join(w for w in text.lower().split() if any(c.isalnum() for c in w))


def resolve(facts: Any, path: str) -> Any:
    """The value at a dotted path of facts.json (list indexes as numbers)."""
    value = facts
    for part in path.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        elif isinstance(value, dict):
            value = value[part]
        else:
            raise KeyError(path)
    return value


def _names(facts: Any) -> list[str]:
    found = names_with_digits(facts, NAME_KEYS)
    edition = facts.get("edition")
    listed: list[Any] = []
    if isinstance(edition, dict) and isinstance(edition.get("names"), list):
        listed = edition["names"]
    found.update(n for n in listed if isinstance(n, str) and n)
    # A correction's words are the editor's, quoted as written (like a name): its date and text
    # may hold figures that are not facts of the week ("it said 31.6, not 36.1").
    corrections = edition.get("corrections") if isinstance(edition, dict) else None
    for c in corrections if isinstance(corrections, list) else ():
        if isinstance(c, dict):
            found.update(v for k in ("text", "date_text") if isinstance(v := c.get(k), str) and v)
    # A blank name would match everywhere, in either masker.
    return sorted((n for n in found if _normalise(n)), key=len, reverse=True)


# Shorter words are never broken, and must match whole: "a1" must not swallow the "a 1" of
# "a 100 % rise".
_BREAKABLE_WORD = 4


def _breakable(word: str) -> bool:
    # Punctuation alone ("}}") cannot be mistaken for a figure, so it may break anywhere too.
    return len(word) >= _BREAKABLE_WORD or not any(c.isalnum() for c in word)


def _across_lines(name: str) -> str:
    words = [r"\s?".join(map(re.escape, word)) if _breakable(word) else re.escape(word)
             for word in _normalise(name).split(" ")]
    return r"\s+".join(words)


class _Masker:
    """Replaces known names by a placeholder, in texts and claim sentences alike."""

    def __init__(self, names: list[str], *, wrapped: bool = False) -> None:
        self._pattern = longest_name_pattern(_normalise(n) for n in names)
        # `wrapped`: the text was laid out in lines (the PDF), where a word too long for its
        # line or table cell is broken, and comes back from pdftotext with a break inside (in
        # large type, also a space where glyphs stand apart).
        self._wrapped = (
            re.compile("|".join(map(_across_lines, names)), re.IGNORECASE)
            if wrapped and names else None
        )

    def __call__(self, text: str) -> str:
        if self._wrapped is not None:
            text = self._wrapped.sub(_MASK, _BIDI_MARKS.sub("", unicodedata.normalize("NFC", text)))
        normal = _normalise(text)
        return self._pattern.sub(_MASK, normal) if self._pattern else normal

    def names_back(self, text: str) -> str:
        """The text with each masked name shown as [name], for messages."""
        return text.replace(_MASK, "[name]")


def _claim_problems(facts: dict[str, Any]) -> list[Problem]:
    problems = []
    for claim in facts.get("claims", []):
        path, _, spec = claim["fact"].partition("|")
        try:
            expected = render(resolve(facts, path), spec)
        except (KeyError, IndexError, ValueError, TypeError) as exc:
            problems.append(Problem("facts.json", claim["value"], claim["text"],
                                    f"claim {claim['id']} names no usable fact {path!r} ({exc})"))
            continue
        if expected != claim["value"]:
            problems.append(Problem("facts.json", claim["value"], claim["text"],
                                    f"claim {claim['id']}: {path} reads {expected!r}"))
    return problems


_LABEL = re.compile(r"^([^.:]{1,60}):\s")


def _sentences(block: str) -> list[str]:
    """Sentences of a block; a leading bullet label ("Cost:") stands apart from its sentence."""
    label = _LABEL.match(block)
    head = [label.group(1)] if label else []
    return head + _SENTENCE_END.split(block[label.end():] if label else block)


def _windows(block: str, pattern: re.Pattern[str] = NUMBER) -> Iterable[tuple[str, str]]:
    """Each number of a block with the words around it, within its sentence."""
    for sentence in _sentences(block):
        words = [(m.start(), m.end()) for m in _WORD.finditer(sentence)]
        ends = [end for _, end in words]
        for match in pattern.finditer(sentence):
            # The first word ending after the number starts, the first ending where it ends.
            first = bisect.bisect_right(ends, match.start())
            last = bisect.bisect_left(ends, match.end())
            lo, hi = max(0, first - WINDOW_WORDS), min(len(words), last + WINDOW_WORDS + 1)
            yield match.group(), sentence[words[lo][0]: words[hi - 1][1]]


def _core(number: str) -> str:
    return number.lstrip("+\u2212-$").rstrip("KM")


def _blank_number_words(words: str) -> str:
    return NUMBER_WORD.sub("#", words)


class _Ledger:
    """Claims indexed by the numbers in their values, for the text pass."""

    def __init__(self, claims: list[dict[str, Any]], mask: _Masker) -> None:
        self.by_number: dict[str, list[str]] = {}
        self.word_sentences: list[str] = []
        # Claims share their sentence: a sentence with three figures is three claims.
        sentences: dict[str, str] = {}
        for claim in claims:
            text = claim["text"]
            if text not in sentences:
                sentences[text] = _words(mask(text))
            sentence = sentences[text]
            for match in NUMBER.finditer(_normalise(claim["value"])):
                self.by_number.setdefault(_core(match.group()), []).append(sentence)
            if NUMBER_WORD.fullmatch(claim["value"]):
                self.word_sentences.append(sentence)
        self.word_shapes = [_blank_number_words(s) for s in self.word_sentences]

    def traces_word(self, window: str) -> bool | None:
        """Whether a number word reads as its claim; None when it stands in no claimed sentence."""
        context = _words(window)
        shape = _blank_number_words(context)
        # A number word with no word beside it in its sentence ("Seventh" alone in a report's
        # own template) has nothing to tie it to a claim: its blank shape "#" lies in every
        # claimed sentence, so it would be taken for any of them.
        if not shape.replace("#", "").strip() or not any(shape in s for s in self.word_shapes):
            return None
        return any(context in s for s in self.word_sentences)

    def traces(self, number: str, window: str | None) -> bool:
        sentences = self.by_number.get(_core(number), [])
        if window is None:
            return bool(sentences)
        context = _words(window)
        return any(context in s for s in sentences)


def _file_readers() -> dict[str, Callable[[Path], list[str]]]:
    """Every text file any renderer declares, with the reader for its kind."""
    return {out.name: READERS[out.reader] for r in RENDERERS.values() for out in r.outputs}


def _laid_out() -> set[str]:
    # PDF text comes back laid out in lines and columns, so its numbers are matched to the
    # ledger without their neighbouring words; the page it is made from is checked with them.
    return {out.name for r in RENDERERS.values() for out in r.outputs if out.reader in LAID_OUT}


def _undeclared(folder: Path, readers: Iterable[str]) -> list[Problem]:
    """Files in the edition that no renderer declares: the check cannot vouch for them."""
    known = {FACTS, *readers}
    problems = []
    for path in sorted(folder.iterdir()):
        if path.name in known or (path.name == CHARTS_DIR and path.is_dir()):
            continue
        problems.append(Problem(path.name, "", "", "no renderer declares this file, so no "
                                "check reads it; remove it or declare it in a renderer's outputs"))
    charts = folder / CHARTS_DIR
    if charts.is_dir():
        problems += [Problem(f"{CHARTS_DIR}/{p.name}", "", "", "not a chart image or a chart's data")
                     for p in sorted(charts.iterdir()) if not _chart_file(p)]
    return problems


def _chart_file(path: Path) -> bool:
    # Every chart has its PNG; its SVGs (wide and narrow) and its CSV are named after it.
    if path.suffix not in CHART_SUFFIXES:
        return False
    if path.suffix == ".png":
        return True
    name = path.stem.removesuffix(NARROW_SUFFIX) if path.suffix == ".svg" else path.stem
    return (path.parent / f"{name}.png").is_file()


def _whole_numbers(value: Any) -> set[int]:
    if isinstance(value, bool):
        return set()
    if isinstance(value, int):
        return {value}
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return set().union(*(_whole_numbers(v) for v in value)) if value else set()
    return set()


def _csv_problems(folder: Path, facts: dict[str, Any]) -> list[Problem]:
    """A chart's CSV holds figures as computed: each whole number (tokens, ranks) must be one of
    facts.json's; shares and weeks are derived from them, and the tests compare them."""
    charts = folder / CHARTS_DIR
    if not charts.is_dir():
        return []
    # Zero is no volume (a country or model absent that week), not a figure to trace.
    known = _whole_numbers({k: v for k, v in facts.items() if k != "claims"}) | {0}
    problems = []
    for path in sorted(charts.glob("*.csv")):
        name = f"{CHARTS_DIR}/{path.name}"
        try:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        except (UnicodeDecodeError, csv.Error) as exc:
            problems.append(Problem(name, "", "", f"expected UTF-8 CSV: {exc}"))
            continue
        for row in rows[1:]:
            for cell in row:
                if _WHOLE.fullmatch(cell) and int(cell) not in known:
                    problems.append(Problem(name, cell, ",".join(row)[:160],
                                            "not traced to facts.json"))
    return problems


_CLAIM_FIELDS = ("id", "text", "value", "fact")


def _read_facts(path: Path) -> dict[str, Any]:
    """facts.json as a dict whose claims have the ledger's shape; else one line of bad input."""
    where = Where(display_path(path))
    try:
        facts = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", where) from None
    except json.JSONDecodeError as exc:
        raise InputError(f"expected JSON: {exc.msg} at line {exc.lineno}", where) from None
    except RecursionError:
        raise InputError("expected JSON: nested too deeply", where) from None
    if not isinstance(facts, dict):
        raise InputError(f"expected a JSON object, got {type(facts).__name__}", where)
    claims = facts.get("claims", [])
    if not isinstance(claims, list) or not all(
            isinstance(c, dict) and all(isinstance(c.get(k), str) for k in _CLAIM_FIELDS)
            for c in claims):
        raise InputError("expected 'claims' to be a list of objects with text fields "
                         f"{', '.join(_CLAIM_FIELDS)}", where)
    return facts


def _read_blocks(read: Callable[[Path], list[str]], path: Path) -> list[str]:
    where = Where(display_path(path))
    try:
        return read(path)
    except UnicodeDecodeError:
        raise InputError("expected UTF-8 text", where) from None
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip().splitlines()
        reason = detail[-1][:200] if detail else f"exit status {exc.returncode}"
        raise InputError(f"pdftotext cannot read the PDF: {reason}", where) from None


def check_edition(folder: Path) -> CheckResult:
    """Check every text of the edition in `folder` against its facts.json."""
    facts_path = folder / FACTS
    if not facts_path.is_file():
        raise InputError("expected an edition folder holding facts.json", Where(str(folder)))
    facts = _read_facts(facts_path)
    problems = _claim_problems(facts)
    names = _names(facts)
    mask = _Masker(names)
    ledger = _Ledger(facts.get("claims", []), mask)
    readers = _file_readers()
    loose = _laid_out()
    problems += _undeclared(folder, readers)
    problems += _csv_problems(folder, facts)
    masks = {name: _Masker(names, wrapped=True) if name in loose else mask for name in readers}
    traced = 0
    present = {name: folder / name for name in readers if (folder / name).is_file()}
    with ThreadPoolExecutor(max_workers=1) as pool:
        # pdftotext is a process of its own: started first, it reads the PDF on another core
        # while this thread reads the other texts.
        laid_out = {name: pool.submit(_read_blocks, readers[name], path)
                    for name, path in present.items() if name in loose}
        results: dict[str, tuple[int, list[Problem]] | InputError] = {}
        # The other texts first, so that pdftotext has the time they take; then the problems
        # (or the first file that cannot be read) are told in the renderers' order.
        for name in sorted(present, key=lambda n: n in laid_out):
            try:
                blocks = (laid_out[name].result() if name in laid_out
                          else _read_blocks(readers[name], present[name]))
            except InputError as exc:
                results[name] = exc
                continue
            results[name] = _trace_file(name, blocks, masks[name], ledger, laid_out=name in loose)
    for name in present:
        result = results[name]
        if isinstance(result, InputError):
            raise result
        traced += result[0]
        problems += result[1]
    return CheckResult(traced, tuple(present), tuple(problems))


def _trace_file(name: str, blocks: list[str], mask: _Masker, ledger: _Ledger, *,
                laid_out: bool) -> tuple[int, list[Problem]]:
    """How many numbers of one file's blocks trace to the ledger, and those that do not."""
    traced, problems = 0, []
    for block in blocks:
        # A link's address is not a figure: "…/2026-W21/" is the edition's permalink.
        masked = mask(_URL.sub("<url>", block))
        for number, window in _windows(masked):
            if ledger.traces(number, None if laid_out else window):
                traced += 1
            else:
                context = masked[:160] if laid_out else window
                problems.append(Problem(name, number, mask.names_back(context),
                                        "not traced to facts.json"))
        if laid_out:
            continue
        for word, window in _windows(masked, NUMBER_WORD):
            verdict = ledger.traces_word(window)
            if verdict:
                traced += 1
            elif verdict is not None:
                problems.append(Problem(name, word, mask.names_back(window),
                                        "number word not as in facts.json"))
    return traced, problems
