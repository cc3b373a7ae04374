"""Input limits, checked before a table is parsed: a huge file is refused unread.

pandas holds a whole table in memory, several times its size on disk, so an input with no
bound could exhaust the machine of an unattended weekly run. The size of each file is checked
first (a stat, nothing read); then the distinct models are counted by streaming the file,
holding at most `max_models + 1` ids, and the count stops as soon as it is over the limit.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from generator.errors import InputError, Where, display_path
from generator.load.tables import table_format
from generator.report import InputLimits

_BATCH_ROWS = 65_536


def check_size(path: Path, limits: InputLimits) -> None:
    """Refuse a file larger than `data.max_bytes` without reading it."""
    if not path.is_file():
        return  # a missing file is reported by the reader, with its own message
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise InputError(
            f"the file is {size:,} bytes; at most {limits.max_bytes:,} are accepted "
            "(setting data.max_bytes)",
            Where(display_path(path)),
        )


# Longest editor's note accepted, in characters: about 3,000 words, far more than a week's
# take and sections hold. A 200,000-word note made the reading time a four-digit figure.
MAX_NOTE_CHARS = 20_000


def check_note(path: Path, limits: InputLimits) -> None:
    """Refuse an editor's note longer than MAX_NOTE_CHARS; a missing note is no note."""
    if not path.is_file():
        return
    check_size(path, limits)
    where = Where(display_path(path))
    # UTF-8 takes at most 4 bytes a character: a file this large is too long unread.
    size = path.stat().st_size
    length = size if size > 4 * MAX_NOTE_CHARS else len(
        path.read_bytes().decode("utf-8-sig", errors="replace"))
    if length > MAX_NOTE_CHARS:
        raise InputError(f"the note is {length:,} characters long; at most {MAX_NOTE_CHARS:,} "
                         "are accepted", where)


def check_models(paths: Iterable[Path], columns: tuple[str, ...], limits: InputLimits) -> None:
    """Refuse inputs that name more than `data.max_models` distinct models, reading as a stream.

    `columns` are the names the model id may have (`model`, or `id` in an OpenRouter response);
    the first one a file has is counted. Files are size-checked first.
    """
    seen: set[str] = set()
    for path in paths:
        check_size(path, limits)
        if not path.is_file():
            continue
        for model in _model_ids(path, columns):
            seen.add(model)
            if len(seen) > limits.max_models:
                raise InputError(
                    f"more than {limits.max_models:,} distinct models; "
                    "at most that many are accepted (setting data.max_models)",
                    Where(display_path(path)),
                )


def _model_ids(path: Path, columns: tuple[str, ...]) -> Iterator[str]:
    # Unreadable or malformed files yield what they can: the full reader reports the fault
    # with its row and column, which a counter cannot do as well.
    try:
        fmt = table_format(path)
    except InputError:
        return
    try:
        if fmt == "csv":
            yield from _csv_ids(path, columns)
        elif fmt == "jsonl":
            yield from _jsonl_ids(path, columns)
        elif fmt == "parquet":
            yield from _parquet_ids(path, columns)
        else:
            yield from _json_ids(path, columns)
    except (UnicodeDecodeError, csv.Error, ValueError, OSError, RecursionError):
        return  # ValueError covers json's errors and pyarrow's ArrowInvalid


def _csv_ids(path: Path, columns: tuple[str, ...]) -> Iterator[str]:
    import pandas as pd

    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = [name.strip() for name in next(csv.reader(handle), [])]
    index = next((header.index(c) for c in columns if c in header), None)
    if index is None:
        return
    # pandas' C parser in chunks of one column: bounded memory, and about 4 times faster than
    # the csv module on a long history. Each chunk's distinct ids are enough for the count.
    # Short rows read as "", which is no model (the full reader refuses the empty cell).
    with pd.read_csv(path, usecols=[index], dtype=str, keep_default_na=False, index_col=False,
                     encoding="utf-8-sig", chunksize=_BATCH_ROWS) as chunks:
        for chunk in chunks:
            for model in chunk.iloc[:, 0].unique():
                if stripped := str(model).strip():
                    yield stripped


def _jsonl_ids(path: Path, columns: tuple[str, ...]) -> Iterator[str]:
    with path.open(encoding="utf-8-sig") as handle:
        for line in handle:
            if line.strip():
                yield from _record_id(json.loads(line), columns)


def _json_ids(path: Path, columns: tuple[str, ...]) -> Iterator[str]:
    # A JSON document cannot be streamed with the standard library; its size is bounded by
    # data.max_bytes already, so parsing it whole is bounded too.
    raw = json.loads(path.read_text(encoding="utf-8-sig"))
    records = raw.get("data") if isinstance(raw, dict) else raw
    if isinstance(records, list):
        for record in records:
            yield from _record_id(record, columns)


def _record_id(record: Any, columns: tuple[str, ...]) -> Iterator[str]:
    if isinstance(record, dict):
        for column in columns:
            if column in record:
                yield str(record[column]).strip()
                return


def _parquet_ids(path: Path, columns: tuple[str, ...]) -> Iterator[str]:
    import pyarrow.parquet as pq

    # Parquet compresses well enough that a small file can hold a billion rows: read the one
    # column in batches rather than the table.
    parquet = pq.ParquetFile(path)
    names = parquet.schema_arrow.names
    column = next((c for c in columns if c in names), None)
    if column is None:
        return
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, columns=[column]):
        for value in batch.column(0).to_pylist():
            yield str(value).strip()
