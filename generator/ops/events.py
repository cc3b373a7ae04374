"""Structured log lines: one `key=value` line per event, with the week, step and outcome."""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

_BARE = re.compile(r"^[A-Za-z0-9_.,:+/@-]+$")


def quote_value(value: object) -> str:
    """A value as logfmt writes it: bare when safe, else double-quoted with escapes."""
    text = f"{value:.2f}" if isinstance(value, float) else str(value)
    if text and _BARE.match(text):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def event_line(moment: dt.datetime, fields: dict[str, object]) -> str:
    """`ts=... key=value ...` for one event; fields set to None are left out."""
    parts = [f"ts={moment.isoformat(timespec='seconds')}"]
    parts += [f"{key}={quote_value(value)}" for key, value in fields.items() if value is not None]
    return " ".join(parts)


def _now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class EventLog:
    """Where events go (stderr by default) and the clock that stamps them."""

    stream: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Callable[[], dt.datetime] = _now_utc
    report: str = ""

    def emit(self, **fields: object) -> None:
        """Write one event line and flush it, so that a kill loses no finished event."""
        line = event_line(self.clock(), {"report": self.report or None, **fields})
        print(line, file=self.stream, flush=True)
