"""The double opt-in mail: one short message with the confirmation link, sent through the same SMTP."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

from generator.delivery.addresses import wire_address
from generator.delivery.message import POLICY, sender_domain
from generator.delivery.smtp import (
    OutcomeUnknown,
    PermanentFailure,
    SmtpConfig,
    SmtpSender,
    TemporaryFailure,
    deliver,
)
from generator.report import Report

CONFIRM_PATH = "/confirm/"


def confirm_url(site_url: str, tok: str) -> str:
    """The confirmation page of a pending subscriber on the report's site."""
    return f"{site_url.rstrip('/')}{CONFIRM_PATH}{tok}"


def confirmation_message(report: Report, recipient: str, url: str) -> EmailMessage:
    """The message asking a new subscriber to confirm; it says how to ignore it too."""
    msg = EmailMessage(policy=POLICY if recipient.isascii() else POLICY.clone(utf8=True))
    msg["From"] = report.email.sender
    msg["To"] = recipient
    msg["Subject"] = f"Confirm your subscription to {report.title}"
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    # Random, not derived like the digest's: two sign-ups are two different messages.
    msg["Message-ID"] = make_msgid(secrets.token_hex(8), domain=sender_domain(report))
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(
        f"Someone, probably you, asked to receive {report.title} by email at this address.\n\n"
        f"To confirm, open this link and press the button:\n\n{url}\n\n"
        "If it was not you, ignore this message: nothing will be sent unless you confirm.\n")
    return msg


def send_confirmations(report: Report, pairs: Iterable[tuple[str, str]],
                       config: SmtpConfig) -> tuple[int, int]:
    """Mail each (address, token) its confirmation link; return (sent, failed). One session for all."""
    _, from_addr = parseaddr(report.email.sender)
    sent = failed = 0
    with SmtpSender(config) as sender:
        for address, tok in pairs:
            wire, _ = wire_address(address)
            msg = confirmation_message(report, wire, confirm_url(report.site_url, tok))
            try:
                deliver(sender, msg, from_addr, wire)
            except (TemporaryFailure, PermanentFailure, OutcomeUnknown):
                failed += 1
                continue
            sent += 1
    return sent, failed
