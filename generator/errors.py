"""Errors that end a command with exit status 2 and one clear line."""

from __future__ import annotations

import errno
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
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop
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


# What a person can do about each file system condition; the rest say only what happened.
_HINTS = {
    errno.ENOSPC: "the disk is full; nothing was replaced",
    errno.EDQUOT: "the disk quota is used up; nothing was replaced",
    errno.EROFS: "the file system is read-only",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.ELOOP: "too many levels of symbolic links (a loop?)",
}


def file_problem(exc: OSError) -> str:
    """One line for an error the file system reported about a named file."""
    place = display_path(exc.filename) if exc.filename is not None else "a file"
    what = _HINTS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return f"{place}: {what}"
