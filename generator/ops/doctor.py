"""`weekly doctor`: every configuration problem that would stop a run half-way, found before it starts.

Each check is a plain function from the report to its problems (one line each), registered in
CHECKS by name. `weekly run` and `weekly schedule` run them all first and do nothing when any
problem is found: a run must not build and publish, then fail at the send for a missing variable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parseaddr
from urllib.parse import urlsplit

from generator.delivery import subscribers
from generator.delivery.smtp import SmtpConfig, probe
from generator.errors import InputError, display_path
from generator.report import Report
from generator.settings import setting

MIN_SECRET = 16  # characters: a short key makes every unsubscribe link guessable
# The faces the PDF's stylesheet (templates/pdf/print.css) asks for; fontconfig finds them for Pango.
PDF_FONTS = ("Noto Sans", "Noto Serif", "Noto Color Emoji", "Noto Sans CJK SC")


def check_settings(report: Report) -> list[str]:
    """What the send needs of report.toml beyond what reading it checked."""
    _, sender = parseaddr(report.email.sender)
    if "@" not in sender:
        return ["email.from is not set: the digest needs a From address, e.g. "
                "\"Desk <desk@example.org>\""]
    return []


def check_secret(report: Report) -> list[str]:
    """WEEKLY_SECRET keys the unsubscribe links: set, and long enough."""
    secret = os.environ.get(subscribers.SECRET_ENV, "")
    if not secret:
        return [f"{subscribers.SECRET_ENV} is not set: it keys the unsubscribe links "
                "(set it to a long random text)"]
    if len(secret) < MIN_SECRET:
        return [f"{subscribers.SECRET_ENV} is shorter than {MIN_SECRET} characters: the unsubscribe "
                "links would be guessable"]
    return []


def check_smtp(report: Report) -> list[str]:
    """The SMTP variables, then a real connection with TLS and login as the send makes it."""
    try:
        config = SmtpConfig.from_env()
    except InputError as exc:
        return [exc.message]
    problem = probe(config)
    return [problem] if problem else []


def check_state(report: Report) -> list[str]:
    """The state folder exists, can be written, and holds this report's active subscribers."""
    folder = subscribers.state_dir()
    where = display_path(folder)
    how = (f"{subscribers.STATE_DIR_ENV}={os.environ[subscribers.STATE_DIR_ENV]}"
           if os.environ.get(subscribers.STATE_DIR_ENV) else
           f"{subscribers.STATE_DIR_ENV} unset: state/ in the current folder")
    if not folder.is_dir():
        return [f"state folder {where} does not exist ({how})"]
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as exc:
        return [f"state folder {where} cannot be written: {exc.strerror or type(exc).__name__}"]
    path = subscribers.state_path(report.slug)
    if not path.is_file():
        return [f"no subscriber database for {report.slug!r} in {where} ({how})"]
    conn = subscribers.connect(report.slug)
    try:
        tally = subscribers.counts(conn)
    finally:
        conn.close()
    if not tally["active"]:
        return [f"{display_path(path)} has no active subscriber ({tally['pending']} pending): "
                "nobody would receive the edition"]
    return []


def check_site_url(report: Report) -> list[str]:
    """Links in the mail and the feed go to site_url: a real https address, not the default."""
    if report.site_url == setting("site_url").default:
        return [f"site_url is the default {report.site_url}: set the address the site is published at"]
    if urlsplit(report.site_url).scheme != "https":
        return [f"site_url {report.site_url} is not https: one-click unsubscribe (RFC 8058) "
                "needs an https link"]
    return []


def check_fonts(report: Report) -> list[str]:
    """The faces the PDF is set in, as fontconfig (which WeasyPrint's Pango uses) finds them."""
    tool = shutil.which("fc-list")
    if tool is None:
        return ["fc-list not found: install fontconfig (WeasyPrint finds its fonts through it)"]
    listed = subprocess.run([tool, ":", "family"], capture_output=True, text=True, check=False,
                            timeout=60).stdout
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    missing = [font for font in PDF_FONTS if font not in families]
    if missing:
        return [f"fonts the PDF needs are missing: {', '.join(missing)} (Debian: fonts-noto-core, "
                "fonts-noto-color-emoji, fonts-noto-cjk)"]
    return []


CHECKS: tuple[tuple[str, Callable[[Report], list[str]]], ...] = (
    ("settings", check_settings),
    ("secret", check_secret),
    ("smtp", check_smtp),
    ("state", check_state),
    ("site_url", check_site_url),
    ("fonts", check_fonts),
)


@dataclass(frozen=True)
class Diagnosis:
    """The problems found, each with the name of its check."""

    problems: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        """True when no check found a problem."""
        return not self.problems

    def lines(self) -> list[str]:
        """One line per problem."""
        return [f"weekly: doctor: {name}: {text}" for name, text in self.problems]


def diagnose(report: Report) -> Diagnosis:
    """Run every check; the report's settings were checked already when it was read."""
    return Diagnosis(tuple((name, text) for name, check in CHECKS for text in check(report)))


def require_healthy(report: Report, doing: str) -> None:
    """Print each problem and raise InputError (exit 2) when any check fails; `doing` names the command."""
    found = diagnose(report)
    if found.ok:
        return
    for line in found.lines():
        print(line, file=sys.stderr)
    raise InputError(f"{doing}: `weekly doctor` found {len(found.problems)} problem(s); nothing done")

