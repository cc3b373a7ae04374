"""The digest as an `EmailMessage`: text + (HTML with inline charts), the PDF attached, list headers."""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path

from generator.errors import InputError, Where, display_path
from generator.layout import CHARTS_DIR, EMAIL_CHART_SUFFIX
from generator.report import Report

PLACEHOLDER = "%%UNSUBSCRIBE_URL%%"
# Long enough that a List-Unsubscribe URL is never folded into encoded words (RFC 5322 allows 998).
POLICY = email.policy.default.clone(max_line_length=998)
_CID = re.compile(r"""cid:([A-Za-z0-9][A-Za-z0-9._-]*)""")


@dataclass(frozen=True)
class EditionMail:
    """What an edition folder holds for the email channel."""

    folder: Path
    iso_week: str
    headline: str
    summary: str
    html: str
    text: str
    charts: tuple[tuple[str, bytes], ...]  # (cid name, PNG bytes), in order of first use
    pdf: bytes | None


def load_edition_mail(folder: Path) -> EditionMail:
    """Read `email.html`, `email.txt`, `facts.json`, the charts they cite and `article.pdf`."""
    where = display_path(folder)
    needed = ("email.html", "email.txt", "facts.json")
    missing = [name for name in needed if not (folder / name).is_file()]
    if missing:
        raise InputError(f"expected a built edition with {', '.join(missing)} "
                         "(run `weekly build --to email,pdf`)", Where(where))
    try:
        facts = json.loads((folder / "facts.json").read_text(encoding="utf-8"))
        edition = facts.get("edition") or {}
        headline = str(edition["headline"]).strip()
        summary = str(edition.get("summary") or "").strip()
        iso_week = str(facts.get("iso_week") or folder.name)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"expected facts.json with edition.headline: {exc}", Where(where)) from None
    html = (folder / "email.html").read_text(encoding="utf-8")
    text = (folder / "email.txt").read_text(encoding="utf-8")
    charts: list[tuple[str, bytes]] = []
    for name in dict.fromkeys(_CID.findall(html)):
        # The email's own, lighter copy; an edition built before it existed has only the page's.
        png = folder / CHARTS_DIR / f"{name}{EMAIL_CHART_SUFFIX}"
        if not png.is_file():
            png = folder / CHARTS_DIR / f"{name}.png"
        if not png.is_file():
            raise InputError(f"email.html cites cid:{name} but charts/{name}.png is missing", Where(where))
        charts.append((name, png.read_bytes()))
    pdf_path = folder / "article.pdf"
    pdf = pdf_path.read_bytes() if pdf_path.is_file() else None
    return EditionMail(folder, iso_week, headline, summary, html, text, tuple(charts), pdf)


def sender_domain(report: Report) -> str:
    """The domain of the report's From address; InputError if it is not set."""
    _, addr = parseaddr(report.email.sender)
    if "@" not in addr:
        raise InputError("expected `email.from` in report.toml, e.g. \"Desk <desk@example.org>\"",
                         Where(display_path(report.folder / "report.toml")))
    return addr.rsplit("@", 1)[1].lower()


def message_id(report: Report, iso_week: str, recipient: str) -> str:
    """A Message-ID that is the same for the same edition and recipient, so a resend is recognisable."""
    digest = hashlib.sha256(f"{report.slug}\n{recipient.lower()}".encode()).hexdigest()[:16]
    return f"<{iso_week}.{digest}@{sender_domain(report)}>"


def attaches_pdf(report: Report, edition: EditionMail) -> bool:
    """Whether the message carries the PDF: on, built, and within `email.attach_max_kb` (0: any size).

    A larger PDF is not attached: the digest links to it on the site, and a big attachment is what
    gets a newsletter clipped or refused by the recipient's server.
    """
    limit = report.email.attach_max_kb
    return (report.email.attach_pdf and edition.pdf is not None
            and (not limit or len(edition.pdf) <= limit * 1024))


def list_id(report: Report) -> str:
    """The List-Id header (RFC 2919): the title, and `<report-slug>.<sender's domain>`."""
    return formataddr((report.title, f"{report.slug}.{sender_domain(report)}"))


def build_message(report: Report, edition: EditionMail, recipient: str, unsubscribe_url: str,
                  now: dt.datetime | None = None) -> EmailMessage:
    """The message for one recipient, with their own unsubscribe link in both parts and the headers."""
    if report.email.attach_pdf and edition.pdf is None:
        raise InputError("email.attach_pdf is on but article.pdf is missing (build with --to pdf)",
                         Where(display_path(edition.folder)))
    moment = now or dt.datetime.now(dt.UTC)
    # A non-ASCII mailbox goes in the To: header as UTF-8 (RFC 6532), sent with SMTPUTF8.
    msg = EmailMessage(policy=POLICY if recipient.isascii() else POLICY.clone(utf8=True))
    msg["From"] = report.email.sender
    if report.email.reply_to:
        msg["Reply-To"] = report.email.reply_to
    msg["To"] = recipient
    msg["Subject"] = edition.headline
    msg["Date"] = format_datetime(moment)
    msg["Message-ID"] = message_id(report, edition.iso_week, recipient)
    links = []
    if report.email.unsubscribe_mailto:
        links.append(f"<mailto:{report.email.unsubscribe_mailto}?subject=unsubscribe>")
    links.append(f"<{unsubscribe_url}>")
    msg["List-Unsubscribe"] = ", ".join(links)
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg["List-Id"] = list_id(report)
    msg.set_content(edition.text.replace(PLACEHOLDER, unsubscribe_url))
    msg.add_alternative(edition.html.replace(PLACEHOLDER, unsubscribe_url), subtype="html")
    html_part = list(msg.iter_parts())[1]
    assert isinstance(html_part, EmailMessage)
    for name, png in edition.charts:
        html_part.add_related(png, "image", "png", cid=f"<{name}>", filename=f"{name}.png",
                              disposition="inline")
    if attaches_pdf(report, edition) and edition.pdf is not None:
        msg.add_attachment(edition.pdf, "application", "pdf",
                           filename=f"{report.slug}-{edition.iso_week}.pdf")
    return msg
