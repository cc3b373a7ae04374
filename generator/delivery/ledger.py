"""The send ledger: one row per (edition, recipient), written before and after each SMTP call.

Protocol: mark 'sending' and commit BEFORE talking to the server, mark 'sent' after. A rerun skips
'sent' and permanently 'failed' rows; a row left in 'sending' by a crash is sent again, so at most
that one message can arrive twice. A message whose whole text reached the server without a reply
(the connection was lost after DATA) is 'unknown': it may have been delivered, so it is never sent
again.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from generator.delivery.subscribers import now_text


@dataclass(frozen=True)
class SendRow:
    """A ledger row."""

    edition: str
    recipient: str
    status: str
    message_id: str
    error: str
    permanent: bool


def get(conn: sqlite3.Connection, edition: str, recipient: str) -> SendRow | None:
    """The ledger row for one recipient of one edition, if any."""
    row = conn.execute(
        "SELECT edition, recipient, status, message_id, error, permanent FROM sends "
        "WHERE edition = ? AND recipient = ?",
        (edition, recipient),
    ).fetchone()
    return None if row is None else SendRow(row[0], row[1], row[2], row[3], row[4], bool(row[5]))


def rows(conn: sqlite3.Connection, edition: str) -> list[SendRow]:
    """Every ledger row of an edition, by recipient."""
    found = conn.execute(
        "SELECT edition, recipient, status, message_id, error, permanent FROM sends "
        "WHERE edition = ? ORDER BY recipient",
        (edition,),
    ).fetchall()
    return [SendRow(r[0], r[1], r[2], r[3], r[4], bool(r[5])) for r in found]


def is_done(row: SendRow | None) -> bool:
    """Whether a rerun must leave this recipient alone: sent (or maybe sent), or refused for good."""
    if row is None:
        return False
    return row.status in ("sent", "unknown") or (row.status == "failed" and row.permanent)


def _write(conn: sqlite3.Connection, edition: str, recipient: str, status: str,
           message_id: str, error: str = "", permanent: bool = False) -> None:
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO sends (edition, recipient, status, message_id, error, permanent, updated) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (edition, recipient) DO UPDATE SET "
            "status = excluded.status, message_id = excluded.message_id, error = excluded.error, "
            "permanent = excluded.permanent, updated = excluded.updated",
            (edition, recipient, status, message_id, error, int(permanent), now_text()),
        )


def mark_sending(conn: sqlite3.Connection, edition: str, recipient: str, message_id: str) -> None:
    """Record, durably, that the message is about to be handed to the server."""
    _write(conn, edition, recipient, "sending", message_id)


def mark_sent(conn: sqlite3.Connection, edition: str, recipient: str, message_id: str) -> None:
    """Record that the server accepted the message."""
    _write(conn, edition, recipient, "sent", message_id)


def mark_failed(conn: sqlite3.Connection, edition: str, recipient: str, message_id: str,
                error: str, permanent: bool) -> None:
    """Record a failure; a permanent one is not retried by a rerun."""
    _write(conn, edition, recipient, "failed", message_id, error, permanent)


def mark_unknown(conn: sqlite3.Connection, edition: str, recipient: str, message_id: str,
                 error: str) -> None:
    """Record that the server got the whole message but its answer was lost: sent, maybe."""
    _write(conn, edition, recipient, "unknown", message_id, error)
