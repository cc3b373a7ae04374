"""Issue 17: subscriber statuses, bounces (at SMTP time and from DSN files), test sends, double opt-in.

Every message goes to a real aiosmtpd server on 127.0.0.1 (tests/mail_fixtures.py).
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import mail_fixtures
import pytest
from mail_fixtures import Store, aiosmtpd_controller, free_port
from ops_fixtures import copy_sample

from generator.cli import main
from generator.delivery import ledger, schema, subscribers
from generator.report import Report

out = mail_fixtures.out
report = mail_fixtures.report
run = mail_fixtures.run
state = mail_fixtures.state

WEEK = mail_fixtures.WEEK
NEXT = "2026-W22"


def _next_edition(out: Path, report: Report) -> None:
    """A second edition, a week later, made from the first."""
    first = out / report.slug / WEEK
    second = out / report.slug / NEXT
    shutil.copytree(first, second)
    facts = json.loads((second / "facts.json").read_text(encoding="utf-8"))
    facts["iso_week"] = NEXT
    (second / "facts.json").write_text(json.dumps(facts), encoding="utf-8")


def _refuse_with(store: Store, replies: dict[str, str]) -> None:
    """Make the server refuse each address of `replies` at RCPT with that reply."""
    async def handle_rcpt(server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in replies:
            return replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"
    store.handle_RCPT = handle_rcpt  # type: ignore[method-assign]


def _statuses(report: Report) -> dict[str, str]:
    conn = subscribers.connect(report.slug)
    try:
        return {s.email: s.status for s in subscribers.all_subscribers(conn)}
    finally:
        conn.close()


def _mailed(store: Store) -> list[str]:
    return [rcpt for rcpts, _, _ in store.messages for rcpt in rcpts]


def test_hard_bounces_at_smtp_time(server: Store, run: Any, out: Path, report: Report) -> None:
    for person in ("ok@example.org", "gone@example.org", "policy@example.org"):
        assert run("subscribers", "add", person)[0] == 0
    _refuse_with(server, {"gone@example.org": "550 5.1.1 no such user",
                          "policy@example.org": "554 5.7.1 refused by policy"})
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 1 and "sent 1, skipped 0, failed 2" in stdout
    assert "gone@example.org: marked bounced" in stderr and "policy@example.org: marked" not in stderr
    assert _statuses(report) == {"ok@example.org": "active", "gone@example.org": "bounced",
                                 "policy@example.org": "active"}
    _next_edition(out, report)
    status, stdout, stderr = run("send", "--out", str(out), "--week", NEXT)
    assert "policy@example.org: marked bounced" in stderr  # the second 5xx in a row
    assert _statuses(report)["policy@example.org"] == "bounced"
    assert _mailed(server).count("gone@example.org") == 0  # refused at RCPT, never delivered
    # A third edition: neither bounced address is even tried.
    server.messages.clear()
    _refuse_with(server, {})
    shutil.copytree(out / report.slug / NEXT, out / report.slug / "2026-W23")
    facts = out / report.slug / "2026-W23" / "facts.json"
    facts.write_text(facts.read_text(encoding="utf-8").replace(NEXT, "2026-W23"), encoding="utf-8")
    status, stdout, _ = run("send", "--out", str(out), "--week", "2026-W23")
    assert status == 0 and "sent 1, skipped 0, failed 0" in stdout
    assert _mailed(server) == ["ok@example.org"]


def test_a_delivery_in_between_resets_the_count(server: Store, run: Any, out: Path,
                                                report: Report) -> None:
    assert run("subscribers", "add", "flaky@example.org")[0] == 0
    _refuse_with(server, {"flaky@example.org": "552 5.2.2 mailbox full"})
    assert run("send", "--out", str(out))[0] == 1
    _refuse_with(server, {})
    _next_edition(out, report)
    assert run("send", "--out", str(out), "--week", NEXT)[0] == 0
    conn = subscribers.connect(report.slug)
    try:
        assert subscribers.all_subscribers(conn)[0].hard_failures == 0
    finally:
        conn.close()


DSN = """\
From: Mail Delivery System <MAILER-DAEMON@mx.example.com>
To: edition@news.example.org
Subject: Undelivered Mail Returned to Sender
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain

The message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.com
Arrival-Date: Mon, 25 May 2026 09:00:00 +0000

Final-Recipient: rfc822; {hard}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

Final-Recipient: rfc822; {soft}
Action: delayed
Status: 4.4.1

--BOUNDARY--
"""


def test_dsn_files_mark_hard_bounces(server: Store, run: Any, out: Path, report: Report,
                                     tmp_path: Path) -> None:
    people = ("a@example.org", "b@example.org", "c@example.org", "d@example.org")
    for person in people:
        assert run("subscribers", "add", person)[0] == 0
    eml = tmp_path / "bounce.eml"
    eml.write_text(DSN.format(hard="a@example.org", soft="b@example.org"), encoding="utf-8")
    status, stdout, _ = run("bounces", str(eml))
    assert status == 0 and "1 notification(s): 1 hard bounce(s), marked 1 bounced" in stdout
    assert "1 soft or delayed ignored" in stdout
    mbox = tmp_path / "bounces.mbox"
    mbox.write_text("".join(
        f"From MAILER-DAEMON Mon May 25 09:00:00 2026\n{DSN.format(hard=hard, soft='b@example.org')}\n"
        for hard in ("c@example.org", "a@example.org", "stranger@example.org")), encoding="utf-8")
    status, stdout, _ = run("bounces", str(mbox))
    assert status == 0 and "3 notification(s): 3 hard bounce(s), marked 1 bounced, 1 already " \
                           "bounced, 1 not subscribers" in stdout
    assert _statuses(report) == {"a@example.org": "bounced", "b@example.org": "active",
                                 "c@example.org": "bounced", "d@example.org": "active"}
    status, stdout, _ = run("send", "--out", str(out))
    assert status == 0 and "sent 2" in stdout
    assert sorted(_mailed(server)) == ["b@example.org", "d@example.org"]
    plain = tmp_path / "plain.eml"
    plain.write_text("Subject: hello\n\nnot a bounce\n", encoding="utf-8")
    status, _, stderr = run("bounces", str(plain))
    assert status == 2 and "found none" in stderr and len(stderr.strip().splitlines()) == 1


def test_test_send_goes_outside_the_ledger(server: Store, run: Any, out: Path, report: Report) -> None:
    assert run("subscribers", "add", "reader@example.org")[0] == 0
    status, stdout, stderr = run("send", "--out", str(out), "--to", "Editor@Example.org")
    assert status == 0, stderr
    assert "sent a test copy of 2026-W21 to Editor@example.org" in stdout
    got = server.received()
    assert list(got) == ["Editor@example.org"]
    assert got["Editor@example.org"][0]["Subject"] == "[TEST] China leads for a sixth week"
    conn = subscribers.connect(report.slug)
    try:
        assert ledger.rows(conn, WEEK) == []
    finally:
        conn.close()
    status, stdout, _ = run("send", "--out", str(out))  # the real send is untouched by the test
    assert status == 0 and "sent 1, skipped 0" in stdout
    assert run("send", "--out", str(out), "--to", "not an address")[0] == 2


def test_import_with_confirm_mails_the_double_opt_in(server: Store, run: Any, out: Path,
                                                     report: Report, tmp_path: Path) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email,name\nnew@example.org,New\nbusy@example.org,\n", encoding="utf-8")
    status, stdout, stderr = run("subscribers", "import", str(people), "--confirm")
    assert status == 0, stderr
    assert "mailed 2 confirmation link(s)" in stdout
    assert _statuses(report) == {"new@example.org": "pending", "busy@example.org": "pending"}
    status, stdout, _ = run("send", "--out", str(out))
    assert "sent 0" in stdout  # pending addresses get no edition
    mail = server.received()["new@example.org"][0]
    body = mail.get_content()
    link = re.search(r"https://news\.example\.org/confirm/(\S+)", body)
    assert link is not None and mail["Subject"].startswith("Confirm your subscription")
    conn = subscribers.connect(report.slug)
    try:
        assert subscribers.confirm(conn, link.group(1), "192.0.2.7") == "new@example.org"
        assert subscribers.confirm(conn, link.group(1), "192.0.2.7") is None  # used once
        consent = subscribers.consent_of(conn, "new@example.org")
        assert consent is not None and consent.consent_ip == "192.0.2.7"
        assert consent.source == "import:people.csv" and consent.consent_at
    finally:
        conn.close()
    server.messages.clear()
    status, stdout, _ = run("send", "--out", str(out))
    assert status == 0 and "sent 1" in stdout and _mailed(server) == ["new@example.org"]


def test_list_id_and_the_attachment_limit(server: Store, run: Any, out: Path, report: Report) -> None:
    config = report.folder / "report.toml"
    config.write_text(config.read_text(encoding="utf-8") + "attach_max_kb = 1\n", encoding="utf-8")
    pdf = out / report.slug / WEEK / "article.pdf"
    assert run("subscribers", "add", "reader@example.org")[0] == 0
    assert run("send", "--out", str(out), "--to", "small@example.org")[0] == 0
    pdf.write_bytes(pdf.read_bytes() + b"%" * 2048)  # now over 1 KB: linked, not attached
    assert run("send", "--out", str(out))[0] == 0
    got = server.received()
    small, large = got["small@example.org"][0], got["reader@example.org"][0]
    assert small["List-Id"] == "Test Ledger <test-report.news.example.org>"
    assert large["List-Id"] == small["List-Id"]
    assert [p.get_content_type() for p in small.iter_attachments()] == ["application/pdf"]
    assert [p.get_content_type() for p in large.iter_attachments()] == []


def test_postal_address_in_both_parts_and_the_web_copy(tmp_path: Path) -> None:
    sample = copy_sample(tmp_path)
    config = sample.folder / "report.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "[email]\n", '[email]\npostal_address = "Token Ledger, 1 Rue Exemple, Paris"\n'), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "--report", str(sample.folder), "--out", str(out), "--to", "email"]) == 0
    edition = out / "llm-usage" / WEEK
    for name in ("email.html", "email.txt", "email-web.html"):
        assert "Token Ledger, 1 Rue Exemple, Paris" in (edition / name).read_text(encoding="utf-8"), name
    assert "email-web.html" in (edition / "email.html").read_text(encoding="utf-8")  # view in browser
    assert "email-web.html" in (edition / "email.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("smtputf8", [True, False])
def test_internationalised_addresses(smtputf8: bool, run: Any, out: Path, report: Report,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    port = free_port()
    controller = aiosmtpd_controller.Controller(store, hostname="127.0.0.1", port=port,
                                                enable_SMTPUTF8=smtputf8)
    controller.start()
    monkeypatch.setenv("WEEKLY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WEEKLY_SMTP_PORT", str(port))
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "none")
    try:
        for address in ("jürgen@bücher.de", "Ada@Bücher.DE", "plain@example.org"):
            assert run("subscribers", "add", address)[0] == 0, address
        assert run("subscribers", "add", "jürgen@bücher")[0] == 2  # no dot in the domain
        status, stdout, stderr = run("send", "--out", str(out))
    finally:
        controller.stop()
    got = store.received()
    # An ASCII local part goes as plain ASCII, the domain in its IDNA form; no SMTPUTF8 needed.
    assert got["Ada@xn--bcher-kva.de"][0]["To"] == "Ada@xn--bcher-kva.de"
    assert "plain@example.org" in got
    if smtputf8:
        assert status == 0 and "sent 3" in stdout
        assert got["jürgen@bücher.de"][0]["To"] == "jürgen@bücher.de"
    else:  # that recipient alone is refused: the server cannot carry the address
        assert status == 1 and "sent 2, skipped 0, failed 1" in stdout
        assert "jürgen@bücher.de: refused: 553 5.6.7" in stderr and "jürgen@bücher.de" not in got


def test_each_migration_runs_once_in_order(report: Report, state: Path) -> None:
    # A database left at version 2 (statuses, no approvals) by an older release.
    state.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(state / f"{report.slug}.sqlite3", isolation_level=None)
    for statement in schema._BASE.split(";"):
        if statement.strip():
            old.execute(statement)
    for statements in schema.MIGRATIONS[:2]:
        for statement in statements:
            old.execute(statement)
    old.execute("PRAGMA user_version = 2")
    old.execute("INSERT INTO subscribers (email, status, added, updated, source) "
                "VALUES ('p@example.org', 'pending', 't', 't', 'signup')")
    old.close()
    conn = subscribers.connect(report.slug)
    try:
        assert schema.version(conn) == schema.VERSION == len(schema.MIGRATIONS) == 3
        assert subscribers.status_of(conn, "p@example.org") == "pending"
        assert conn.execute("SELECT COUNT(*) FROM approvals").fetchone() == (0,)
    finally:
        conn.close()
