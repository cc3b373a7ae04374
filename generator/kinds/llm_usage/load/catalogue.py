"""Loading the model catalogue: CSV, JSON, or a saved OpenRouter `/api/v1/models` response."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from generator.errors import InputError, Where
from generator.kinds.llm_usage.load.names import clean_name
from generator.kinds.llm_usage.load.variants import base_model, variant_marks
from generator.kinds.llm_usage.snapshot import CatalogueEntry
from generator.load.tables import FILE, ROW, read_table, require_columns
from generator.load.values import display_text, id_problem, name_problem
from generator.report import VariantRules

_TRUE = {"true", "yes", "1", "y", "t"}
_FALSE = {"false", "no", "0", "n", "f"}
PER_MILLION = 1_000_000


def load_catalogue(path: Path, rules: VariantRules) -> dict[str, CatalogueEntry]:
    """Read a catalogue file into entries keyed by base model id."""
    table = read_table(path, json_records_key="data")
    frame = table.frame
    rows = _rows(frame)
    if _is_openrouter(frame):
        entries = [_from_openrouter(row) for row in rows]
    else:
        require_columns(frame, table.label, ("model",))
        entries = [_from_row(row) for row in rows]
    marks = variant_marks(rules)
    catalogue: dict[str, CatalogueEntry] = {}
    for entry in entries:
        if entry.name:
            entry = dataclasses.replace(entry, name=clean_name(entry.name, marks))
        base = base_model(entry.model, rules)
        # The base model's own entry wins over a variant's (a :free entry has price 0).
        if base not in catalogue or entry.model == base:
            catalogue[base] = _with_model(entry, base)
    return catalogue


def _with_model(entry: CatalogueEntry, model: str) -> CatalogueEntry:
    if entry.model == model:
        return entry
    fields = {**entry.__dict__, "model": model}
    return CatalogueEntry(**fields)


def _is_openrouter(frame: pd.DataFrame) -> bool:
    return "id" in frame.columns and "pricing" in frame.columns


@dataclass(frozen=True)
class _Row:
    """One catalogue row as plain values, and where it came from (for messages)."""

    cells: dict[str, Any]
    file: str
    line: int

    def where(self, column: str) -> Where:
        """The place of one of this row's cells."""
        return Where(self.file, self.line, column)


def _rows(frame: pd.DataFrame) -> list[_Row]:
    # Whole columns to Python lists once: reading a frame cell by cell costs tens of
    # microseconds a cell, seconds for a catalogue of a few thousand models.
    columns = [str(c) for c in frame.columns if c not in (FILE, ROW)]
    values = [frame[c].tolist() for c in columns]
    files, lines = frame[FILE].tolist(), frame[ROW].tolist()
    return [_Row(dict(zip(columns, cells, strict=True)), str(files[i]), int(lines[i]))
            for i, cells in enumerate(zip(*values, strict=True))]


def _cell(row: _Row, column: str) -> Any:
    value = row.cells.get(column)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value.strip() if isinstance(value, str) else value


def _from_row(row: _Row) -> CatalogueEntry:
    where = row.where
    model = _model_id(row, "model")
    return CatalogueEntry(
        model=model,
        name=_name(row, "name"),
        author=_name(row, "author"),
        released=_date(_cell(row, "released"), where("released")),
        context_length=_whole(_cell(row, "context_length"), where("context_length")),
        input_modalities=_modalities(_cell(row, "input_modalities")),
        open_weights=_flag(_cell(row, "open_weights"), where("open_weights")),
        price_prompt=_price(_cell(row, "price_prompt"), where("price_prompt"), 1),
        price_completion=_price(_cell(row, "price_completion"), where("price_completion"), 1),
        canonical_slug=_slug(_cell(row, "canonical_slug")),
    )


def _from_openrouter(row: _Row) -> CatalogueEntry:
    where = row.where
    model = _model_id(row, "id")
    pricing = _table(row, "pricing")
    architecture = _table(row, "architecture")
    created = _cell(row, "created")
    name = _name(row, "name")
    has_hf = "hugging_face_id" in row.cells
    hf_id = _cell(row, "hugging_face_id") if has_hf else None
    return CatalogueEntry(
        model=model,
        name=name,
        author=model.split("/", 1)[0] if "/" in model else None,
        released=_unix_date(created, where("created")),
        context_length=_whole(_cell(row, "context_length"), where("context_length")),
        input_modalities=_modalities(architecture.get("input_modalities")),
        open_weights=(bool(hf_id) if has_hf else None),
        price_prompt=_price(pricing.get("prompt"), where("pricing.prompt"), PER_MILLION),
        price_completion=_price(
            pricing.get("completion"), where("pricing.completion"), PER_MILLION
        ),
        canonical_slug=_slug(_cell(row, "canonical_slug")),
    )


def _slug(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _model_id(row: _Row, column: str) -> str:
    model = _cell(row, column)
    if not isinstance(model, str):
        raise InputError("expected a model id", row.where(column))
    problem = id_problem(model)
    if problem is not None:
        raise InputError(f"expected {problem}", row.where(column))
    return model


def _name(row: _Row, column: str) -> str | None:
    name = _text(_cell(row, column))
    problem = name_problem(name) if name else None
    if problem is not None:
        raise InputError(f"expected {problem}", row.where(column))
    return name


def _table(row: _Row, column: str) -> dict[str, Any]:
    # An OpenRouter response nests these as objects; anything else is not that response.
    value = _cell(row, column)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InputError(f"expected an object, got {value!r}"[:200], row.where(column))
    return value


def _text(value: Any) -> str | None:
    return display_text(str(value)) if value is not None else None


def _date(value: Any, where: Where) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise InputError(f"expected a date YYYY-MM-DD, got {value!r}", where) from None


def _unix_date(value: Any, where: Where) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.datetime.fromtimestamp(float(value), tz=dt.UTC).date()
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"expected a Unix time in seconds, got {value!r}", where) from None


def _whole(value: Any, where: Where) -> int | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or number < 0 or not number.is_integer():
        raise InputError(f"expected a non-negative whole number, got {value!r}", where)
    return int(number)


def _price(value: Any, where: Where, scale: float) -> float | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if math.isnan(number) or math.isinf(number):
        raise InputError(f"expected a price in USD, got {value!r}", where)
    if number < 0:
        # OpenRouter marks "variable pricing" routers with -1; that is no price at all.
        return None
    return round(number * scale, 6)


def _flag(value: Any, where: Where) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise InputError(f"expected true or false, got {value!r}", where)


def _modalities(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip().lower() for v in value if str(v).strip())
    if hasattr(value, "tolist"):
        return _modalities(value.tolist())
    for separator in ("+", ",", ";", "|"):
        if separator in str(value):
            return tuple(p.strip().lower() for p in str(value).split(separator) if p.strip())
    return (str(value).strip().lower(),)
