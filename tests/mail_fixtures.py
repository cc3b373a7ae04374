"""Shared set-up of the delivery tests: a real SMTP server on 127.0.0.1 (aiosmtpd, STARTTLS with a
throwaway CA's certificate, AUTH), a test report with a hand-made edition for the email
channel, and the delivery commands run as `weekly` would run them.

`certificate` and `server` are everyone's (tests/conftest.py registers them); `report`, `out`,
`run` and `state` (autouse) belong to the modules that bind them (test_delivery and
test_delivery_faults), since other modules have a `report` of their own.
"""

from __future__ import annotations

import asyncio
import dataclasses
import email
import io
import json
import socket
import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from generator.cli import _Parser
from generator.delivery import smtp
from generator.delivery.commands import add_commands
from generator.delivery.message import PLACEHOLDER
from generator.errors import InputError
from generator.report import Report, load_report

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
aiosmtpd_smtp = pytest.importorskip("aiosmtpd.smtp")

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "pa55-W0rd-never-print-me"
USER = "mailer"
SECRET = "test-secret-0123456789"
SITE = "https://news.example.org/"
WEEK = "2026-W21"
PEOPLE = ("ada@example.org", "bob@example.net", "cy@example.com")

REPORT_TOML = f"""\
title = "Test Ledger"
site_url = "{SITE}"
[email]
from = "Test Ledger <edition@news.example.org>"
reply_to = "desk@news.example.org"
attach_pdf = true
unsubscribe_mailto = "unsubscribe@news.example.org"
"""

HTML = f"""<html><body><h1>Big week</h1>
<img src="cid:top_models" alt="top"><img src="cid:regions" alt="regions"><img src="cid:top_models">
<a href="{PLACEHOLDER}">Unsubscribe</a></body></html>"""
TEXT = f"Big week\n\nUnsubscribe: {PLACEHOLDER}\n"


def png(color: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), color).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def report(tmp_path: Path) -> Report:
    folder = tmp_path / "test-report"
    folder.mkdir()
    (folder / "report.toml").write_text(REPORT_TOML, encoding="utf-8")
    return load_report(folder)


@pytest.fixture
def out(tmp_path: Path, report: Report) -> Path:
    """An output folder holding one hand-made edition with everything the email channel reads."""
    out = tmp_path / "out"
    folder = out / report.slug / WEEK
    (folder / "charts").mkdir(parents=True)
    (folder / "email.html").write_text(HTML, encoding="utf-8")
    (folder / "email.txt").write_text(TEXT, encoding="utf-8")
    (folder / "article.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    (folder / "charts" / "top_models.png").write_bytes(png("red"))
    (folder / "charts" / "regions.png").write_bytes(png("blue"))
    facts = {"iso_week": WEEK, "edition": {"headline": "China leads for a sixth week",
                                           "summary": "A summary."}}
    (folder / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    return out


@dataclasses.dataclass(frozen=True)
class Certificate:
    """A test CA's certificate, and a server certificate chain and key it issued for loopback."""

    ca: Path
    chain: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side TLS context presenting the loopback certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(self.chain), str(self.key))
        return context


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Certificate:
    """A certificate for 127.0.0.1 from a throwaway CA (trustme), so every run uses real TLS."""
    import trustme

    folder = tmp_path_factory.mktemp("tls")
    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1", "localhost")
    found = Certificate(folder / "ca.pem", folder / "chain.pem", folder / "key.pem")
    ca.cert_pem.write_to_path(str(found.ca))
    issued.private_key_pem.write_to_path(str(found.key))
    for blob in issued.cert_chain_pems:
        blob.write_to_path(str(found.chain), append=True)
    return found


class Store:
    """An aiosmtpd handler that keeps every message and can refuse, defer or stall on cue."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes, bool]] = []
        self.refuse: set[str] = set()
        self.defer: dict[str, int] = {}
        self.slow_on: int | None = None
        self.started = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user here"
        if self.defer.get(address, 0) > 0:
            self.defer[address] -= 1
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content), bool(session.authenticated)))
        if self.slow_on is not None and len(self.messages) == self.slow_on:
            self.started.set()
            for _ in range(400):
                if self.release.is_set():
                    break
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def received(self) -> dict[str, list[EmailMessage]]:
        by_rcpt: dict[str, list[EmailMessage]] = {}
        for rcpts, content, _ in self.messages:
            msg = email.message_from_bytes(content, policy=default_policy)
            assert isinstance(msg, EmailMessage)
            for rcpt in rcpts:
                by_rcpt.setdefault(rcpt, []).append(msg)
        return by_rcpt


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> Any:
    ok = (isinstance(auth_data, aiosmtpd_smtp.LoginPassword)
          and auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode())
    return aiosmtpd_smtp.AuthResult(success=ok, handled=False)


@pytest.fixture
def server(certificate: Certificate, tmp_path: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A real SMTP server on 127.0.0.1 in a thread, and the WEEKLY_* environment pointing at it."""
    store = Store()
    port = free_port()
    options: dict[str, Any] = {"authenticator": authenticator}
    options.update(tls_context=certificate.server_context(), require_starttls=True,
                   auth_require_tls=True)
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "starttls")
    monkeypatch.setenv("WEEKLY_SMTP_CAFILE", str(certificate.ca))
    controller = aiosmtpd_controller.Controller(store, hostname="127.0.0.1", port=port, **options)
    controller.start()
    monkeypatch.setenv("WEEKLY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WEEKLY_SMTP_PORT", str(port))
    monkeypatch.setenv("WEEKLY_SMTP_USER", USER)
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setattr(smtp, "RETRY_DELAYS", (0.0, 0.0))
    try:
        yield store
    finally:
        store.release.set()
        controller.stop()


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(folder))
    monkeypatch.setenv("WEEKLY_SECRET", SECRET)
    for name in ("WEEKLY_SMTP_HOST", "WEEKLY_SMTP_PORT", "WEEKLY_SMTP_USER", "WEEKLY_SMTP_PASSWORD",
                 "WEEKLY_SMTP_TLS", "WEEKLY_SMTP_CAFILE"):
        monkeypatch.delenv(name, raising=False)
    return folder


def weekly(*argv: str) -> int:
    """Run the delivery sub-commands as `weekly` would: InputError is one line and status 2."""
    parser = _Parser(prog="weekly")
    add_commands(parser.add_subparsers(dest="command", parser_class=_Parser))
    try:
        args = parser.parse_args(list(argv))
        run: Callable[[Any], int] = args.run
        return run(args)
    except InputError as exc:
        print(f"weekly: error: {exc}", file=sys.stderr)
        return exc.exit_status


@pytest.fixture
def run(report: Report, capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """`run(*argv)` -> (status, stdout, stderr), with --report added."""
    def call(*argv: str) -> tuple[int, str, str]:
        status = weekly(*argv, "--report", str(report.folder))
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    return call
