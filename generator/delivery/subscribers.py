"""Subscribers of a report, in `WEEKLY_STATE_DIR/<report-slug>.sqlite3` (WAL, a transaction per change)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import os
import re
import sqlite3
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path

from generator.errors import InputError, Where, display_path

STATE_DIR_ENV = "WEEKLY_STATE_DIR"
SECRET_ENV = "WEEKLY_SECRET"

# Conservative: dot-atom local part, a dotted host name with a letter-only top-level label.
_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_ADDRESS = re.compile(rf"^{_LOCAL}@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscribers (
    email   TEXT PRIMARY KEY COLLATE NOCASE,
    name    TEXT NOT NULL DEFAULT '',
    status  TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed')),
    added   TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
    edition    TEXT NOT NULL,
    recipient  TEXT NOT NULL COLLATE NOCASE,
    status     TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
    message_id TEXT NOT NULL DEFAULT '',
    error      TEXT NOT NULL DEFAULT '',
    permanent  INTEGER NOT NULL DEFAULT 0,
    updated    TEXT NOT NULL,
    PRIMARY KEY (edition, recipient)
);
"""


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscriber table."""

    email: str
    name: str
    status: str


def now_text() -> str:
    """The current UTC time as ISO 8601 text, for `added`/`updated` columns."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def state_dir() -> Path:
    """The folder of state files: `WEEKLY_STATE_DIR`, default `state/`."""
    return Path(os.environ.get(STATE_DIR_ENV) or "state")


def state_path(slug: str) -> Path:
    """The report's SQLite state file."""
    return state_dir() / f"{slug}.sqlite3"


def connect(slug: str) -> sqlite3.Connection:
    """Open (creating if needed) the report's state database in WAL mode."""
    path = state_path(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None)  # explicit transactions below
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.executescript(_SCHEMA)
    return conn


def normalise_address(text: str) -> str:
    """Return the address with its domain in lower case; raise InputError if it is not acceptable."""
    raw = str(text).strip()
    _, addr = parseaddr(raw)
    if not addr or addr != raw or not _ADDRESS.match(addr) or len(addr) > 254:
        raise InputError(f"expected an email address like name@example.org, got {raw!r}")
    local, domain = addr.rsplit("@", 1)
    if len(local) > 64:
        raise InputError(f"expected a local part of at most 64 characters, got {raw!r}")
    return f"{local}@{domain.lower()}"


def add(conn: sqlite3.Connection, address: str, name: str = "") -> str:
    """Add (or re-activate) a subscriber; return the normalised address."""
    email = normalise_address(address)
    stamp = now_text()
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO subscribers (email, name, status, added, updated) VALUES (?, ?, 'active', ?, ?) "
            "ON CONFLICT (email) DO UPDATE SET status = 'active', name = "
            "CASE WHEN excluded.name != '' THEN excluded.name ELSE subscribers.name END, "
            "updated = excluded.updated",
            (email, name, stamp, stamp),
        )
    return email


def remove(conn: sqlite3.Connection, address: str) -> bool:
    """Delete a subscriber; return whether there was one."""
    email = normalise_address(address)
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute("DELETE FROM subscribers WHERE email = ?", (email,))
    return cur.rowcount > 0


def all_subscribers(conn: sqlite3.Connection) -> list[Subscriber]:
    """Every subscriber, active or not, by address."""
    rows = conn.execute("SELECT email, name, status FROM subscribers ORDER BY email").fetchall()
    return [Subscriber(*row) for row in rows]


def active(conn: sqlite3.Connection) -> list[Subscriber]:
    """The subscribers who receive the digest."""
    return [s for s in all_subscribers(conn) if s.status == "active"]


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    kept_unsubscribed: int


def read_csv(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Read `email[,name]` rows; return (rows, problems) where each problem names its row."""
    where = display_path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Where(where)) from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        raise InputError("expected a header row with a column `email` (and optionally `name`)", Where(where))
    reader.fieldnames = fields
    rows: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, record in enumerate(reader, start=2):
        try:
            email = normalise_address(record.get("email") or "")
        except InputError as exc:
            problems.append(str(InputError(exc.message, Where(where, number, "email"))))
            continue
        if email.lower() in seen:
            problems.append(str(InputError(f"duplicate address {email!r}", Where(where, number, "email"))))
            continue
        seen.add(email.lower())
        rows.append((email, (record.get("name") or "").strip()))
    return rows, problems


def import_rows(conn: sqlite3.Connection, rows: list[tuple[str, str]]) -> ImportResult:
    """Add every row in one transaction; someone who unsubscribed stays unsubscribed."""
    stamp = now_text()
    added = kept = 0
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        for email, name in rows:
            row = conn.execute("SELECT status FROM subscribers WHERE email = ?", (email,)).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO subscribers (email, name, status, added, updated) "
                    "VALUES (?, ?, 'active', ?, ?)",
                    (email, name, stamp, stamp),
                )
                added += 1
            elif row[0] == "unsubscribed":
                kept += 1
    return ImportResult(added, kept)


def secret_from_env() -> bytes:
    """The HMAC secret for unsubscribe tokens; InputError naming the variable when it is missing."""
    secret = os.environ.get(SECRET_ENV, "")
    if not secret:
        raise InputError(f"{SECRET_ENV} is not set: it keys the unsubscribe tokens "
                         "(set it to a long random text)")
    return secret.encode("utf-8")


def token(secret: bytes, address: str) -> str:
    """The subscriber's unsubscribe token: HMAC-SHA256 of the lower-cased address, hex."""
    return hmac.new(secret, address.strip().lower().encode("utf-8"), hashlib.sha256).hexdigest()


def unsubscribe_url(site_url: str, tok: str) -> str:
    """The one-click unsubscribe link on the report's site."""
    return f"{site_url}unsubscribe?token={tok}"


def unsubscribe(conn: sqlite3.Connection, secret: bytes, tok: str) -> tuple[str, bool] | None:
    """Mark the subscriber whose token this is unsubscribed; return (address, changed) or None."""
    tok = tok.strip().lower()
    for sub in all_subscribers(conn):
        if hmac.compare_digest(token(secret, sub.email), tok):
            if sub.status == "unsubscribed":
                return sub.email, False
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute(
                    "UPDATE subscribers SET status = 'unsubscribed', updated = ? WHERE email = ?",
                    (now_text(), sub.email),
                )
            return sub.email, True
    return None
