"""Subscribers of a report, in `WEEKLY_STATE_DIR/<report-slug>.sqlite3` (WAL, a transaction per change)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import os
import re
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.delivery import schema
from generator.delivery.addresses import check_name, normalise_address
from generator.errors import InputError, Where, display_path

STATE_DIR_ENV = "WEEKLY_STATE_DIR"
SECRET_ENV = "WEEKLY_SECRET"

MAX_IMPORT_BYTES = 64 * 1024 * 1024  # a list of a million subscribers is about 40 MB
MAX_FIELD = 1024  # longer than any address or name accepted; csv's own limit is 128 KB
TOKEN_FINGERPRINT = b"weekly-edition unsubscribe token digests"
# pending: signed up, not confirmed; active: mailed; unsubscribed: asked to stop; bounced: refused.
STATUSES = ("pending", "active", "unsubscribed", "bounced")
# Permanent refusals in a row (over sends) after which an address is bounced; an enhanced status
# 5.1.x (bad mailbox or domain, RFC 3463) bounces it at the first.
BOUNCE_AFTER = 2
_BAD_MAILBOX = re.compile(r"(?<![\d.])5\.1\.\d{1,3}(?![\d.])")


@dataclass(frozen=True)
class Subscriber:
    """One row of the subscriber table."""

    email: str
    name: str
    status: str
    hard_failures: int = 0


def now_text() -> str:
    """The current UTC time as ISO 8601 text, for `added`/`updated` columns."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def state_dir() -> Path:
    """The folder of state files: `WEEKLY_STATE_DIR`, default `state/`."""
    return Path(os.environ.get(STATE_DIR_ENV) or "state")


def state_path(slug: str) -> Path:
    """The report's SQLite state file."""
    return state_dir() / f"{slug}.sqlite3"


def require_state(slug: str) -> Path:
    """The report's state file, which must exist: InputError saying where it was looked for.

    Commands that only read subscribers (send, list, remove, unsubscribe) call this first, so
    that one run from the wrong folder says so instead of making an empty `state/` and
    reporting "sent 0".
    """
    path = state_path(slug)
    if path.is_file():
        return path
    chosen = os.environ.get(STATE_DIR_ENV)
    how = f"{STATE_DIR_ENV}={chosen}" if chosen else f"{STATE_DIR_ENV} unset: state/ in the current folder"
    raise InputError(f"no subscriber database for {slug!r} at {display_path(path)} ({how}); "
                     f"set {STATE_DIR_ENV} to the folder that holds it, or add subscribers first")


def connect(slug: str, shared: bool = False) -> sqlite3.Connection:
    """Open (creating if needed) the report's state database in WAL mode.

    `shared`: the connection may be handed from thread to thread (never used by two at once).
    """
    path = state_path(slug)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=30, isolation_level=None,  # explicit transactions below
                           check_same_thread=not shared)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    schema.ensure(conn)
    return conn


def add(conn: sqlite3.Connection, address: str, name: str = "", source: str = "cli") -> str:
    """Add (or re-activate, even after a bounce) a subscriber; return the normalised address.

    Whoever adds an address by hand vouches for its consent: the time and `source` are recorded.
    """
    email = normalise_address(address)
    name = check_name(name)
    stamp = now_text()
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            "INSERT INTO subscribers (email, name, status, added, updated, source, consent_at) "
            "VALUES (?, ?, 'active', ?, ?, ?, ?) "
            "ON CONFLICT (email) DO UPDATE SET status = 'active', name = "
            "CASE WHEN excluded.name != '' THEN excluded.name ELSE subscribers.name END, "
            "updated = excluded.updated, source = excluded.source, consent_at = excluded.consent_at, "
            "consent_ip = '', confirm_hash = NULL, hard_failures = 0, bounce = ''",
            (email, name, stamp, stamp, source, stamp),
        )
    return email


def remove(conn: sqlite3.Connection, address: str) -> str | None:
    """Delete a subscriber; return the address removed, or None if there was none.

    An address that is no longer accepted (stored before the checks were tightened) can still be
    removed by its exact text.
    """
    try:
        email = normalise_address(address)
    except InputError:
        email = str(address).strip()
        if conn.execute("SELECT 1 FROM subscribers WHERE email = ?", (email,)).fetchone() is None:
            raise
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute("DELETE FROM subscribers WHERE email = ?", (email,))
    return email if cur.rowcount > 0 else None


def all_subscribers(conn: sqlite3.Connection) -> list[Subscriber]:
    """Every subscriber, active or not, by address."""
    rows = conn.execute("SELECT email, name, status, hard_failures FROM subscribers "
                        "ORDER BY email").fetchall()
    return [Subscriber(*row) for row in rows]


def active(conn: sqlite3.Connection) -> list[Subscriber]:
    """The subscribers who receive the digest: neither pending, unsubscribed nor bounced."""
    return [s for s in all_subscribers(conn) if s.status == "active"]


def status_of(conn: sqlite3.Connection, address: str) -> str | None:
    """The status of an address, or None when it is not in the table."""
    row = conn.execute("SELECT status FROM subscribers WHERE email = ?", (address,)).fetchone()
    return None if row is None else str(row[0])


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many subscribers have each status (every status named, zero included)."""
    found = dict(conn.execute("SELECT status, COUNT(*) FROM subscribers GROUP BY status").fetchall())
    return {status: int(found.get(status, 0)) for status in STATUSES}


# ---------------------------------------------------------------- bounces


def mark_bounced(conn: sqlite3.Connection, address: str, reason: str) -> bool:
    """Mark a subscriber bounced (never mailed again); True when it changed an existing row."""
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        cur = conn.execute("UPDATE subscribers SET status = 'bounced', bounce = ?, updated = ? "
                           "WHERE email = ? AND status != 'bounced'",
                           (reason[:500], now_text(), address))
    return cur.rowcount > 0


def is_bad_mailbox(reply: str) -> bool:
    """Whether an SMTP reply carries an enhanced status 5.1.x: no such mailbox, domain or address."""
    return bool(_BAD_MAILBOX.search(reply))


def record_refusal(conn: sqlite3.Connection, address: str, reply: str) -> bool:
    """Count a permanent (5xx) refusal; bounce the address at 5.1.x or the BOUNCE_AFTER-th in a row.

    Returns True when the address is now bounced.
    """
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE subscribers SET hard_failures = hard_failures + 1, updated = ? "
                     "WHERE email = ?", (now_text(), address))
        row = conn.execute("SELECT hard_failures FROM subscribers WHERE email = ?", (address,)).fetchone()
    if row is None:
        return False
    if is_bad_mailbox(reply) or row[0] >= BOUNCE_AFTER:
        mark_bounced(conn, address, reply)
        return True
    return False


def record_delivered(conn: sqlite3.Connection, address: str) -> None:
    """A message went through: permanent refusals are no longer "in a row"."""
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE subscribers SET hard_failures = 0 WHERE email = ? AND hard_failures > 0",
                     (address,))


# ---------------------------------------------------------------- double opt-in


def _new_confirmation() -> tuple[str, str]:
    tok = secrets.token_urlsafe(32)
    return tok, token_digest(tok)


def request_signup(conn: sqlite3.Connection, address: str, name: str, source: str) -> str | None:
    """Record a sign-up as pending; return the confirmation token to mail, or None to mail nothing.

    An active subscriber stays as they are (and is told nothing: the answer to the form is the same
    either way). Anyone else (new, pending, unsubscribed, bounced) becomes pending with a new token,
    which replaces any earlier one.
    """
    email = normalise_address(address)
    name = check_name(name)
    tok, digest = _new_confirmation()
    stamp = now_text()
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        row = conn.execute("SELECT status FROM subscribers WHERE email = ?", (email,)).fetchone()
        if row is not None and row[0] == "active":
            return None
        conn.execute(
            "INSERT INTO subscribers (email, name, status, added, updated, source, confirm_hash) "
            "VALUES (?, ?, 'pending', ?, ?, ?, ?) "
            "ON CONFLICT (email) DO UPDATE SET status = 'pending', name = "
            "CASE WHEN excluded.name != '' THEN excluded.name ELSE subscribers.name END, "
            "updated = excluded.updated, source = excluded.source, confirm_hash = excluded.confirm_hash",
            (email, name, stamp, stamp, source, digest),
        )
    return tok


def pending_for(conn: sqlite3.Connection, tok: str) -> str | None:
    """The pending address a confirmation token belongs to (one index look-up), else None."""
    row = conn.execute("SELECT email FROM subscribers WHERE confirm_hash = ? AND status = 'pending'",
                       (token_digest(tok),)).fetchone()
    return None if row is None else str(row[0])


def confirm(conn: sqlite3.Connection, tok: str, ip: str) -> str | None:
    """Activate the pending subscriber of a confirmation token; record consent time and IP.

    Returns the address, or None when the token is unknown or already used.
    """
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        email = pending_for(conn, tok)
        if email is None:
            return None
        stamp = now_text()
        conn.execute("UPDATE subscribers SET status = 'active', confirm_hash = NULL, consent_at = ?, "
                     "consent_ip = ?, hard_failures = 0, bounce = '', updated = ? WHERE email = ?",
                     (stamp, ip[:64], stamp, email))
    return email


@dataclass(frozen=True)
class Consent:
    """What the table records of a subscriber's consent."""

    status: str
    source: str
    consent_at: str
    consent_ip: str


def consent_of(conn: sqlite3.Connection, address: str) -> Consent | None:
    """The consent record of an address, or None when it is not in the table."""
    row = conn.execute("SELECT status, source, consent_at, consent_ip FROM subscribers WHERE email = ?",
                       (address,)).fetchone()
    return None if row is None else Consent(*row)


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    added: int
    kept_unsubscribed: int
    to_confirm: tuple[tuple[str, str], ...] = ()  # (address, confirmation token) to mail


def _decode(data: bytes, where: str) -> str:
    """The file's text: UTF-8 (with or without a BOM) or UTF-16 with its BOM; InputError otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError("expected UTF-16 text after the UTF-16 byte-order mark", Where(where)) from None
    if b"\x00" in data:
        raise InputError("expected UTF-8 text, found NUL bytes (UTF-16 without a byte-order mark? "
                         "save the file as UTF-8)", Where(where))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(f"expected UTF-8 text, byte 0x{data[exc.start]:02x} is not UTF-8 "
                         "(Latin-1 or Windows-1252? save the file as UTF-8)", Where(where, line)) from None


def _records(reader: csv.DictReader[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Each record with the line it starts on (a quoted field can hold line breaks)."""
    start = reader.line_num + 1
    for record in reader:
        yield start, record
        start = reader.line_num + 1


def read_csv(path: Path) -> tuple[list[tuple[str, str]], list[str]]:
    """Read `email[,name]` rows; return (rows, problems) where each problem names its row."""
    where = display_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_BYTES:
            raise InputError(f"expected at most {MAX_IMPORT_BYTES // 2**20} MiB, the file has "
                             f"{size / 2**20:,.0f} MiB", Where(where))
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", Where(where)) from None
    # csv splits the lines itself: str.splitlines() would also break at U+2028, U+0085 and others
    # inside a quoted field, and the characters would vanish from the address read.
    reader = csv.DictReader(io.StringIO(_decode(data, where), newline=""))
    rows: list[tuple[str, str]] = []
    problems: list[str] = []
    seen: set[str] = set()
    try:
        fields = [f.strip().lower() for f in reader.fieldnames or []]
        if "email" not in fields:
            raise InputError("expected a header row with a column `email` (and optionally `name`)",
                             Where(where))
        reader.fieldnames = fields
        for number, record in _records(reader):
            too_long = [k for k, v in record.items() if isinstance(v, str) and len(v) > MAX_FIELD]
            if too_long:
                problems.append(str(InputError(f"expected at most {MAX_FIELD:,} characters",
                                               Where(where, number, too_long[0]))))
                continue
            try:
                email = normalise_address(record.get("email") or "")
            except InputError as exc:
                problems.append(str(InputError(exc.message, Where(where, number, "email"))))
                continue
            try:
                name = check_name(record.get("name") or "")
            except InputError as exc:
                problems.append(str(InputError(exc.message, Where(where, number, "name"))))
                continue
            if email.lower() in seen:
                duplicate = InputError(f"duplicate address {email!r}", Where(where, number, "email"))
                problems.append(str(duplicate))
                continue
            seen.add(email.lower())
            rows.append((email, name))
    except csv.Error as exc:
        # e.g. a field over csv's 128 KB limit: the reader cannot go on past it.
        raise InputError(f"not a readable CSV row: {exc}", Where(where, reader.line_num + 1)) from None
    return rows, problems


def import_rows(conn: sqlite3.Connection, rows: list[tuple[str, str]], source: str = "import",
                pending: bool = False) -> ImportResult:
    """Add every new row in one transaction; return what was done and the tokens to mail.

    Someone who unsubscribed or bounced stays so. Without `pending` the importer vouches for
    consent and the rows are active at once, with `source` recorded; with it they are pending,
    and the (address, confirmation token) pairs of `to_confirm` are to be mailed the double opt-in.
    """
    stamp = now_text()
    added = kept = 0
    to_confirm: list[tuple[str, str]] = []
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        for email, name in rows:
            row = conn.execute("SELECT status FROM subscribers WHERE email = ?", (email,)).fetchone()
            if row is None:
                tok, digest = _new_confirmation() if pending else ("", None)
                conn.execute(
                    "INSERT INTO subscribers (email, name, status, added, updated, source, consent_at, "
                    "confirm_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (email, name, "pending" if pending else "active", stamp, stamp, source,
                     "" if pending else stamp, digest),
                )
                added += 1
                if pending:
                    to_confirm.append((email, tok))
            elif row[0] in ("unsubscribed", "bounced"):
                kept += 1
    return ImportResult(added, kept, tuple(to_confirm))


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


def token_digest(tok: str) -> str:
    """What the database keeps of a token: its SHA-256, so that the table holds no usable link."""
    return hashlib.sha256(tok.strip().lower().encode("utf-8", "replace")).hexdigest()


def unsubscribe_url(site_url: str, tok: str) -> str:
    """The one-click unsubscribe link on the report's site."""
    return f"{site_url}unsubscribe?token={tok}"


def index_tokens(conn: sqlite3.Connection, secret: bytes) -> int:
    """Store the token digest of every subscriber who has none yet (all of them after a key change).

    Cheap when nothing is missing (two indexed look-ups), so each user of the tokens calls it.
    Returns how many digests were written.
    """
    fingerprint = hmac.new(secret, TOKEN_FINGERPRINT, hashlib.sha256).hexdigest()
    stored = conn.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()
    missing = conn.execute("SELECT 1 FROM subscribers WHERE token_hash IS NULL LIMIT 1").fetchone()
    if stored is not None and stored[0] == fingerprint and missing is None:
        return 0
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        stored = conn.execute("SELECT value FROM meta WHERE key = 'token_key'").fetchone()
        if stored is None or stored[0] != fingerprint:
            conn.execute("UPDATE subscribers SET token_hash = NULL")
            conn.execute("INSERT INTO meta (key, value) VALUES ('token_key', ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (fingerprint,))
        emails = [r[0] for r in conn.execute("SELECT email FROM subscribers WHERE token_hash IS NULL")]
        conn.executemany("UPDATE subscribers SET token_hash = ? WHERE email = ?",
                         [(token_digest(token(secret, e)), e) for e in emails])
    return len(emails)


def unsubscribe(conn: sqlite3.Connection, secret: bytes, tok: str) -> tuple[str, bool] | None:
    """Mark the subscriber whose token this is unsubscribed; return (address, changed) or None.

    The token is found through the index of digests, then checked against the key: a forged token
    costs one hash and one index look-up, whatever the number of subscribers.
    """
    tok = tok.strip().lower()
    index_tokens(conn, secret)
    row = conn.execute("SELECT email, status FROM subscribers WHERE token_hash = ?",
                       (token_digest(tok),)).fetchone()
    if row is None or not hmac.compare_digest(token(secret, row[0]), tok):
        return None
    email, status = row
    if status == "unsubscribed":
        return email, False
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("UPDATE subscribers SET status = 'unsubscribed', updated = ? WHERE email = ?",
                     (now_text(), email))
    return email, True
