"""`send_edition()`: mail one built edition to every active subscriber not yet served.

One recipient's trouble is that recipient's alone: an address that cannot be mailed, a message that
cannot be built or an error in its SMTP conversation is recorded in the ledger and the send goes
on. Only what concerns every recipient stops it: bad configuration (InputError), or a server that
fails BREAKER connections in a row (the send stops, and the next run resumes from the ledger).
"""

from __future__ import annotations

import sqlite3
import sys
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr
from pathlib import Path
from typing import TextIO

from generator.delivery import addresses, ledger, subscribers
from generator.delivery.message import (
    EditionMail,
    attaches_pdf,
    build_message,
    load_edition_mail,
    message_id,
)
from generator.delivery.smtp import (
    OutcomeUnknown,
    PermanentFailure,
    SmtpConfig,
    SmtpSender,
    TemporaryFailure,
    deliver,
)
from generator.errors import InputError, StepFailed
from generator.locks import held
from generator.report import Report


@dataclass(frozen=True)
class SendResult:
    """What one pass over the subscribers did."""

    iso_week: str
    sent: int
    skipped: int
    failed: int
    dry_run: bool
    unknown: int = 0
    stopped: str = ""  # why the send stopped before the end (the server looks down), else ""

    def summary(self, slug: str) -> str:
        """One line for the log: counts of sent, skipped and failed (and unknown, if any)."""
        verb = "dry run, would send" if self.dry_run else "sent"
        unknown = f", unknown {self.unknown}" if self.unknown else ""
        return (f"{slug} {self.iso_week}: {verb} {self.sent}, skipped {self.skipped}, "
                f"failed {self.failed}{unknown}")


@dataclass(frozen=True)
class _Pass:
    """What every recipient of one pass shares."""

    report: Report
    edition: EditionMail
    secret: bytes
    from_addr: str
    conn: sqlite3.Connection
    sender: SmtpSender | None
    out: TextIO
    err: TextIO


def send_lock_path(slug: str) -> Path:
    """The lock file that keeps two senders of one report apart."""
    return subscribers.state_dir() / f"{slug}.send.lock"


def _fail(p: _Pass, email: str, mid: str, why: str, permanent: bool) -> str:
    if p.sender is not None:
        ledger.mark_failed(p.conn, p.edition.iso_week, email, mid, why, permanent)
    kind = "refused" if permanent else "failed (will retry on the next run)"
    print(f"weekly: {email}: {kind}: {why}", file=p.err)
    return "failed"


def _send_one(p: _Pass, email: str, refusals: int = 0) -> str:
    """Serve one recipient; return 'sent', 'failed' or 'unknown'. Raises only for what stops the send.

    `refusals`: the permanent refusals in a row the recipient has had so far (reset by a delivery).
    """
    iso_week = p.edition.iso_week
    mid = message_id(p.report, iso_week, email)
    try:
        subscribers.normalise_address(email)
    except InputError as exc:
        # Stored before addresses were checked this strictly: mailing it could go elsewhere.
        return _fail(p, email, mid, f"{exc.message} (remove it with `weekly subscribers remove`)", True)
    url = subscribers.unsubscribe_url(p.report.site_url, subscribers.token(p.secret, email))
    wire, _ = addresses.wire_address(email)
    try:
        msg = build_message(p.report, p.edition, wire, url)
    except InputError:
        raise
    except Exception as exc:  # this recipient's message only; the type says enough, the text may not
        return _fail(p, email, mid, f"could not build the message ({type(exc).__name__})", True)
    if p.sender is None:
        parts = [f"{len(p.edition.charts)} chart(s)"]
        if attaches_pdf(p.report, p.edition):
            parts.append("PDF")
        print(f"would send {iso_week} to {email}: {p.edition.headline!r} "
              f"({', '.join(parts)}; {len(msg.as_bytes())} bytes)", file=p.out)
        return "sent"
    ledger.mark_sending(p.conn, iso_week, email, mid)
    try:
        deliver(p.sender, msg, p.from_addr, wire)
    except TemporaryFailure as exc:
        return _fail(p, email, mid, str(exc), False)
    except PermanentFailure as exc:
        outcome = _fail(p, email, mid, str(exc), True)
        if subscribers.record_refusal(p.conn, email, str(exc)):
            print(f"weekly: {email}: marked bounced: never mailed again", file=p.err)
        return outcome
    except OutcomeUnknown as exc:
        ledger.mark_unknown(p.conn, iso_week, email, mid, str(exc))
        print(f"weekly: {email}: unknown (sent-maybe, not sent again): {exc}", file=p.err)
        return "unknown"
    except InputError:
        raise
    except Exception as exc:  # never let one conversation stop the others; its text may hold secrets
        p.sender.reset()
        return _fail(p, email, mid, f"unexpected {type(exc).__name__} while sending", False)
    ledger.mark_sent(p.conn, iso_week, email, mid)
    if refusals:
        subscribers.record_delivered(p.conn, email)
    return "sent"


def send_edition(report: Report, folder: Path, dry_run: bool = False,
                 config: SmtpConfig | None = None, log: TextIO | None = None) -> SendResult:
    """Send the edition in `folder` to each active subscriber the ledger has not served.

    A lock keeps a second sender of the same report out: the ledger's `sending` rows are
    only safe to retry when no other live process may be mid-conversation with them.
    """
    edition = load_edition_mail(folder)
    secret = subscribers.secret_from_env()
    if not dry_run and config is None:
        config = SmtpConfig.from_env()
    from_addr = parseaddr(report.email.sender)[1]
    counts = {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0}
    stopped = ""
    with held(send_lock_path(report.slug), f"weekly send for {report.slug}"):
        conn = subscribers.connect(report.slug)
        subscribers.index_tokens(conn, secret)  # new subscribers' links then work at the first request
        sender = SmtpSender(config) if (config is not None and not dry_run) else None
        p = _Pass(report, edition, secret, from_addr, conn, sender, log or sys.stdout, log or sys.stderr)
        try:
            everyone = subscribers.active(conn)
            for number, sub in enumerate(everyone):
                if ledger.is_done(ledger.get(conn, edition.iso_week, sub.email)):
                    counts["skipped"] += 1
                    continue
                counts[_send_one(p, sub.email, sub.hard_failures)] += 1
                if sender is not None and sender.tripped:
                    left = len(everyone) - number - 1
                    stopped = (f"SMTP server {sender.config.describe()} failed {sender.connection_failures} "
                               f"connections in a row: send stopped with {left} recipient(s) not tried; "
                               "the next run resumes from the ledger")
                    break
        finally:
            if sender is not None:
                sender.close()
            conn.close()
    return SendResult(edition.iso_week, counts["sent"], counts["skipped"], counts["failed"], dry_run,
                      counts["unknown"], stopped)


def send_test(report: Report, folder: Path, address: str, config: SmtpConfig | None = None) -> str:
    """Mail one test copy of the edition to `address`: "[TEST]" before the subject, outside the ledger.

    The copy is the message a subscriber gets, with the address's own unsubscribe link (which
    unsubscribes nobody unless the address is a subscriber). Returns the subject sent.
    """
    email = subscribers.normalise_address(address)
    edition = load_edition_mail(folder)
    secret = subscribers.secret_from_env()
    config = config or SmtpConfig.from_env()
    url = subscribers.unsubscribe_url(report.site_url, subscribers.token(secret, email))
    wire, _ = addresses.wire_address(email)
    msg = build_message(report, edition, wire, url)
    subject = f"[TEST] {edition.headline}"
    msg.replace_header("Subject", subject)
    # Its own Message-ID: the subscriber copy's is derived from edition and address, and a test
    # must not look like (or be threaded as) the real one.
    msg.replace_header("Message-ID", make_msgid("test", domain=message_id(report, edition.iso_week,
                                                                          email).rsplit("@", 1)[1][:-1]))
    with SmtpSender(config) as sender:
        try:
            deliver(sender, msg, parseaddr(report.email.sender)[1], wire)
        except (TemporaryFailure, PermanentFailure, OutcomeUnknown) as exc:
            raise StepFailed(f"test copy to {email} not sent: {exc}") from None
    return subject
