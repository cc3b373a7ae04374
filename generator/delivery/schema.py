"""The state database's tables, and the migrations between their versions (`PRAGMA user_version`).

Version 1 adds an indexed digest of each subscriber's unsubscribe token (so that a token is found
by one index lookup, not by an HMAC per subscriber), a `meta` table for the key fingerprint the
digests were made with, and the ledger status `unknown`: the server received the whole message
but its reply was lost, so it may have been delivered and is never sent again.

Version 2 adds the statuses `pending` (signed up, not yet confirmed) and `bounced`, the record of
consent (when, from where: `cli`, `import:<file>`, `signup`, and the IP of a confirmation), the
indexed digest of a pending subscriber's confirmation token, and the count of permanent refusals
in a row that turns an address into `bounced` at the second. Version 3 adds the `approvals` of
editions held for review.

Each migration is a numbered list of statements, applied in order in one transaction with the
new number written to `PRAGMA user_version`: a new change is a new entry in MIGRATIONS.
"""

from __future__ import annotations

import sqlite3

_BASE = """
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

# SQLite cannot change a CHECK constraint in place: the ledger is copied into a new table.
_TO_1 = (
    "ALTER TABLE subscribers ADD COLUMN token_hash TEXT",
    "CREATE INDEX IF NOT EXISTS subscribers_token_hash ON subscribers (token_hash)",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE sends_1 (
        edition    TEXT NOT NULL,
        recipient  TEXT NOT NULL COLLATE NOCASE,
        status     TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed', 'unknown')),
        message_id TEXT NOT NULL DEFAULT '',
        error      TEXT NOT NULL DEFAULT '',
        permanent  INTEGER NOT NULL DEFAULT 0,
        updated    TEXT NOT NULL,
        PRIMARY KEY (edition, recipient)
    )""",
    "INSERT INTO sends_1 SELECT edition, recipient, status, message_id, error, permanent, updated FROM sends",
    "DROP TABLE sends",
    "ALTER TABLE sends_1 RENAME TO sends",
)


# SQLite cannot change a CHECK constraint in place either: the table is copied.
_TO_2 = (
    """CREATE TABLE subscribers_2 (
        email          TEXT PRIMARY KEY COLLATE NOCASE,
        name           TEXT NOT NULL DEFAULT '',
        status         TEXT NOT NULL DEFAULT 'active'
                       CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
        added          TEXT NOT NULL,
        updated        TEXT NOT NULL,
        token_hash     TEXT,
        source         TEXT NOT NULL DEFAULT '',
        consent_at     TEXT NOT NULL DEFAULT '',
        consent_ip     TEXT NOT NULL DEFAULT '',
        confirm_hash   TEXT,
        hard_failures  INTEGER NOT NULL DEFAULT 0,
        bounce         TEXT NOT NULL DEFAULT ''
    )""",
    "INSERT INTO subscribers_2 (email, name, status, added, updated, token_hash, source) "
    "SELECT email, name, status, added, updated, token_hash, 'before consent records' FROM subscribers",
    "DROP TABLE subscribers",
    "ALTER TABLE subscribers_2 RENAME TO subscribers",
    "CREATE INDEX subscribers_token_hash ON subscribers (token_hash)",
    "CREATE UNIQUE INDEX subscribers_confirm_hash ON subscribers (confirm_hash)",
)

# Version 3: who approved which edition, and when (`[review] required = true`).
_TO_3 = (
    """CREATE TABLE approvals (
        edition     TEXT PRIMARY KEY,
        approved_by TEXT NOT NULL,
        approved_at TEXT NOT NULL
    )""",
)

# Version n is reached by applying MIGRATIONS[n - 1] to a database at version n - 1.
MIGRATIONS: tuple[tuple[str, ...], ...] = (_TO_1, _TO_2, _TO_3)
VERSION = len(MIGRATIONS)


def version(conn: sqlite3.Connection) -> int:
    """The schema version the database file records."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def ensure(conn: sqlite3.Connection) -> None:
    """Create the tables, or bring an older database up to VERSION, in one transaction."""
    if version(conn) >= VERSION:
        return
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        start = version(conn)  # another process may have migrated while we waited for the lock
        if start >= VERSION:
            return
        if start == 0:
            for statement in _BASE.split(";"):
                if statement.strip():
                    conn.execute(statement)
        for statements in MIGRATIONS[start:]:
            for statement in statements:
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {VERSION}")
