"""`send_edition()`: mail one built edition to every active subscriber not yet served."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import TextIO

from generator.delivery import ledger, subscribers
from generator.delivery.message import build_message, load_edition_mail, message_id
from generator.delivery.smtp import PermanentFailure, SmtpConfig, SmtpSender, TemporaryFailure, deliver
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

    def summary(self, slug: str) -> str:
        """One line for the log: counts of sent, skipped and failed."""
        verb = "dry run, would send" if self.dry_run else "sent"
        return f"{slug} {self.iso_week}: {verb} {self.sent}, skipped {self.skipped}, failed {self.failed}"


def send_lock_path(slug: str) -> Path:
    """The lock file that keeps two senders of one report apart."""
    return subscribers.state_dir() / f"{slug}.send.lock"


def send_edition(report: Report, folder: Path, dry_run: bool = False,
                 config: SmtpConfig | None = None, log: TextIO | None = None) -> SendResult:
    """Send the edition in `folder` to each active subscriber the ledger has not served.

    A lock keeps a second sender of the same report out: the ledger's `sending` rows are
    only safe to retry when no other live process may be mid-conversation with them.
    """
    out = log or sys.stdout
    err = log or sys.stderr
    edition = load_edition_mail(folder)
    secret = subscribers.secret_from_env()
    if not dry_run and config is None:
        config = SmtpConfig.from_env()
    from_addr = parseaddr(report.email.sender)[1]
    sent = skipped = failed = 0
    with held(send_lock_path(report.slug), f"weekly send for {report.slug}"):
        conn = subscribers.connect(report.slug)
        sender = SmtpSender(config) if (config is not None and not dry_run) else None
        try:
            for sub in subscribers.active(conn):
                row = ledger.get(conn, edition.iso_week, sub.email)
                if ledger.is_done(row):
                    skipped += 1
                    continue
                url = subscribers.unsubscribe_url(report.site_url, subscribers.token(secret, sub.email))
                msg = build_message(report, edition, sub.email, url)
                mid = message_id(report, edition.iso_week, sub.email)
                if sender is None:
                    parts = [f"{len(edition.charts)} chart(s)"]
                    if report.email.attach_pdf:
                        parts.append("PDF")
                    print(f"would send {edition.iso_week} to {sub.email}: {edition.headline!r} "
                          f"({', '.join(parts)}; {len(msg.as_bytes())} bytes)", file=out)
                    sent += 1
                    continue
                ledger.mark_sending(conn, edition.iso_week, sub.email, mid)
                try:
                    deliver(sender, msg, from_addr, sub.email)
                except (TemporaryFailure, PermanentFailure) as exc:
                    permanent = isinstance(exc, PermanentFailure)
                    ledger.mark_failed(conn, edition.iso_week, sub.email, mid, str(exc), permanent)
                    kind = "refused" if permanent else "failed (will retry on the next run)"
                    print(f"weekly: {sub.email}: {kind}: {exc}", file=err)
                    failed += 1
                    continue
                ledger.mark_sent(conn, edition.iso_week, sub.email, mid)
                sent += 1
        finally:
            if sender is not None:
                sender.close()
            conn.close()
    return SendResult(edition.iso_week, sent, skipped, failed, dry_run)
