"""Delivery-status notifications (RFC 3464) read from a `.eml` file or an mbox: `weekly bounces FILE`.

A bounce that comes back after the SMTP conversation (the relay accepted the message, the
recipient's server refused it later) arrives as a DSN in the sender's mailbox. Each per-recipient
block with `Action: failed` and a `Status: 5.x.x` is a hard bounce; `delayed`, `delivered`,
`relayed` and 4.x.x are not, and are only counted.
"""

from __future__ import annotations

import email
import email.policy
import mailbox
import sqlite3
from dataclasses import dataclass
from email.message import EmailMessage, Message
from email.utils import parseaddr
from pathlib import Path

from generator.delivery import subscribers
from generator.errors import InputError, Where, display_path

MAX_BYTES = 256 * 1024 * 1024  # a bounce mailbox of a large list; beyond it, split the file
DSN_TYPE = "message/delivery-status"


@dataclass(frozen=True)
class Bounce:
    """One per-recipient block of a DSN."""

    recipient: str
    action: str
    status: str
    diagnostic: str

    @property
    def hard(self) -> bool:
        """A failure that will not go away: action `failed` with a permanent (5.x.x) status."""
        return self.action == "failed" and self.status.startswith("5")


@dataclass(frozen=True)
class BounceResult:
    """What reading a file did."""

    notifications: int
    hard: int
    soft: int
    marked: int
    already: int
    unknown: int

    def summary(self) -> str:
        """One line for the operator."""
        return (f"{self.notifications} notification(s): {self.hard} hard bounce(s), marked "
                f"{self.marked} bounced, {self.already} already bounced, {self.unknown} not "
                f"subscribers; {self.soft} soft or delayed ignored")


def _messages(path: Path) -> list[Message]:
    where = Where(display_path(path))
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(f"expected at most {MAX_BYTES // 2**20} MiB, the file has "
                             f"{size / 2**20:,.0f} MiB", where)
        with path.open("rb") as handle:
            head = handle.read(5)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where) from None
    if head == b"From ":  # an mbox: each message starts with a "From " line
        box = mailbox.mbox(path, create=False)
        try:
            return [email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
                    for key in box.iterkeys()]
        finally:
            box.close()
    return [email.message_from_bytes(path.read_bytes(), policy=email.policy.default)]


def _blocks(msg: Message) -> list[Bounce]:
    found: list[Bounce] = []
    for part in msg.walk():
        if part.get_content_type() != DSN_TYPE:
            continue
        payload = part.get_payload()
        if not isinstance(payload, list):
            continue
        for block in payload[1:]:  # the first block is about the message, the rest per recipient
            if not isinstance(block, (Message, EmailMessage)):
                continue
            recipient = str(block.get("Final-Recipient") or block.get("Original-Recipient") or "")
            address = parseaddr(recipient.split(";", 1)[-1].strip())[1]
            if "@" not in address:
                continue
            found.append(Bounce(address, str(block.get("Action") or "").strip().lower(),
                                str(block.get("Status") or "").strip(),
                                str(block.get("Diagnostic-Code") or "").strip()))
    return found


def read_bounces(path: Path) -> tuple[int, list[Bounce]]:
    """The number of DSNs in the file and their per-recipient blocks; InputError when it has none."""
    notifications = 0
    bounces: list[Bounce] = []
    for msg in _messages(path):
        blocks = _blocks(msg)
        if blocks:
            notifications += 1
            bounces.extend(blocks)
    if not notifications:
        raise InputError("expected delivery-status notifications (RFC 3464, multipart/report with "
                         "a message/delivery-status part), as one .eml or an mbox; found none",
                         Where(display_path(path)))
    return notifications, bounces


def apply_bounces(conn: sqlite3.Connection, notifications: int, bounces: list[Bounce]) -> BounceResult:
    """Mark each hard-bounced subscriber bounced; count the rest."""
    hard = [b for b in bounces if b.hard]
    marked = already = unknown = 0
    for bounce in hard:
        status = subscribers.status_of(conn, bounce.recipient)
        if status is None:
            unknown += 1
        elif status == "bounced":
            already += 1
        else:
            reason = f"DSN {bounce.status} {bounce.diagnostic}".strip()
            marked += subscribers.mark_bounced(conn, bounce.recipient, reason)
    return BounceResult(notifications, len(hard), len(bounces) - len(hard), marked, already, unknown)
