"""Errors that end a command with exit status 2 and one clear line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Where:
    """A place in an input: file, and optionally row and column."""

    file: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


class InputError(Exception):
    """Bad input or bad arguments: reported in one line, exit status 2."""

    exit_status = 2

    def __init__(self, message: str, where: Where | None = None) -> None:
        self.where = where
        self.message = message
        super().__init__(f"{where}: {message}" if where else message)


def display_path(path: Path | str) -> str:
    """Return the path as the user would recognise it: relative to the cwd when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p)


class CheckFailed(Exception):
    """A built text holds a number the facts cannot vouch for: nothing is published (exit 1)."""

    exit_status = 1

    def __init__(self, result: Any) -> None:
        self.result = result
        first = result.problems[0]
        more = len(result.problems) - 1
        super().__init__(f"check failed: {first}" + (f" (and {more} more)" if more else ""))


class StepFailed(Exception):
    """A step of `weekly run` did not complete; the ledger holds the cause and a rerun retries it (exit 1)."""

    exit_status = 1
