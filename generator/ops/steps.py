"""The run ledger: which steps of which week's run are done, in the report's state database."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from generator.delivery.subscribers import now_text

STEPS = ("build", "check", "publish", "send")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS run_steps (
    edition TEXT NOT NULL,
    step TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    detail TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    updated TEXT NOT NULL,
    PRIMARY KEY (edition, step)
)
"""


@dataclass(frozen=True)
class StepRow:
    """One step of one edition's run as the ledger holds it."""

    edition: str
    step: str
    status: str
    detail: str
    attempts: int


def ensure(conn: sqlite3.Connection) -> None:
    """Create the ledger's table when it is missing."""
    with conn:
        conn.execute(_SCHEMA)


def get(conn: sqlite3.Connection, edition: str) -> dict[str, StepRow]:
    """The recorded steps of an edition's run, by step name."""
    ensure(conn)
    cursor = conn.execute(
        "SELECT edition, step, status, detail, attempts FROM run_steps WHERE edition = ?", (edition,))
    return {row[1]: StepRow(*row) for row in cursor}


def is_done(conn: sqlite3.Connection, edition: str, step: str) -> bool:
    """Tell whether a step of an edition's run has completed."""
    row = get(conn, edition).get(step)
    return row is not None and row.status == "done"


def complete(conn: sqlite3.Connection, edition: str) -> bool:
    """Tell whether every step of an edition's run has completed."""
    rows = get(conn, edition)
    return all(step in rows and rows[step].status == "done" for step in STEPS)


def completed_editions(conn: sqlite3.Connection) -> list[str]:
    """Editions whose every step is done, oldest first."""
    ensure(conn)
    cursor = conn.execute(
        "SELECT edition FROM run_steps WHERE status = 'done' GROUP BY edition HAVING COUNT(*) = ? "
        "ORDER BY edition", (len(STEPS),))
    return [row[0] for row in cursor]


def record(conn: sqlite3.Connection, edition: str, step: str, status: str, detail: str = "") -> None:
    """Record a step's outcome in its own transaction (a kill leaves the previous state whole)."""
    ensure(conn)
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO run_steps (edition, step, status, detail, attempts, updated) "
            "VALUES (?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (edition, step) DO UPDATE SET status = excluded.status, detail = excluded.detail, "
            "attempts = run_steps.attempts + 1, updated = excluded.updated",
            (edition, step, status, detail, now_text()),
        )
