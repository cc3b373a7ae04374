"""Email delivery against a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS or TLS, and AUTH)."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import mail_fixtures
import pytest
from mail_fixtures import (
    HTML,
    PASSWORD,
    PEOPLE,
    ROOT,
    SECRET,
    SITE,
    USER,
    WEEK,
    Certificate,
    Store,
    aiosmtpd_controller,
    authenticator,
    free_port,
)

from generator.delivery import ledger, smtp, subscribers
from generator.delivery.message import PLACEHOLDER, build_message, load_edition_mail
from generator.errors import InputError
from generator.report import Report

# The fixtures this module asks for (see mail_fixtures; certificate and server come from conftest).
out = mail_fixtures.out
report = mail_fixtures.report
run = mail_fixtures.run
state = mail_fixtures.state


def _subscribe_all(run: Callable[..., tuple[int, str, str]]) -> None:
    for person in PEOPLE:
        assert run("subscribers", "add", person)[0] == 0


def _url(address: str) -> str:
    return subscribers.unsubscribe_url(SITE, subscribers.token(SECRET.encode(), address))


# ---------------------------------------------------------------- sending


def test_send_to_three_then_nothing_twice(server: Store, run: Any, out: Path, report: Report) -> None:
    _subscribe_all(run)
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 0, stderr
    assert "sent 3, skipped 0, failed 0" in stdout
    got = server.received()
    assert sorted(got) == sorted(PEOPLE)
    assert all(authenticated for _, _, authenticated in server.messages)
    for person in PEOPLE:
        [msg] = got[person]
        assert msg["To"] == person
        assert msg["From"] == "Test Ledger <edition@news.example.org>"
        assert msg["Reply-To"] == "desk@news.example.org"
        assert msg["Subject"] == "China leads for a sixth week"
        assert msg["Date"] is not None and msg["Date"].datetime is not None
        digest = hashlib.sha256(f"{report.slug}\n{person}".encode()).hexdigest()[:16]
        assert msg["Message-ID"] == f"<{WEEK}.{digest}@news.example.org>"
        url = _url(person)
        mailto = "<mailto:unsubscribe@news.example.org?subject=unsubscribe>"
        assert msg["List-Unsubscribe"] == f"{mailto}, <{url}>"
        assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert msg.get_content_type() == "multipart/mixed"
        text = msg.get_body(("plain",))
        html = msg.get_body(("html",))
        assert text is not None and html is not None
        for part in (text.get_content(), html.get_content()):
            assert url in part and PLACEHOLDER not in part
            for other in set(PEOPLE) - {person}:
                assert subscribers.token(SECRET.encode(), other) not in part
        alternative = next(p for p in msg.walk() if p.get_content_type() == "multipart/alternative")
        related = next(p for p in alternative.iter_parts() if p.get_content_type() == "multipart/related")
        images = {p["Content-ID"]: p for p in related.iter_parts() if p.get_content_maintype() == "image"}
        assert set(images) == {"<top_models>", "<regions>"}
        for cid in ("top_models", "regions"):
            assert f"cid:{cid}" in html.get_content()
            data = images[f"<{cid}>"].get_content()
            assert data == (out / report.slug / WEEK / "charts" / f"{cid}.png").read_bytes()
        [pdf] = list(msg.iter_attachments())
        assert pdf.get_content_type() == "application/pdf"
        assert pdf.get_filename() == f"{report.slug}-{WEEK}.pdf"
        assert pdf.get_content().startswith(b"%PDF-1.4")
    conn = subscribers.connect(report.slug)
    assert {r.recipient: r.status for r in ledger.rows(conn, WEEK)} == dict.fromkeys(PEOPLE, "sent")
    conn.close()

    status, stdout, _ = run("send", "--out", str(out), "--week", WEEK)
    assert status == 0
    assert "sent 0, skipped 3, failed 0" in stdout
    assert len(server.messages) == 3


def test_permanent_refusal_is_recorded_and_the_rest_delivered(server: Store, run: Any, out: Path,
                                                               report: Report) -> None:
    _subscribe_all(run)
    server.refuse.add("bob@example.net")
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 1
    assert "sent 2, skipped 0, failed 1" in stdout
    assert "bob@example.net: refused: 550" in stderr
    assert sorted(server.received()) == ["ada@example.org", "cy@example.com"]
    conn = subscribers.connect(report.slug)
    row = ledger.get(conn, WEEK, "bob@example.net")
    conn.close()
    assert row is not None and row.status == "failed" and row.permanent and row.error.startswith("550")
    # A refused address is not tried again; a 5.1.1 refusal also made it bounced (issue 17).
    status, stdout, _ = run("send", "--out", str(out))
    assert "sent 0, skipped 2, failed 0" in stdout and status == 0
    assert len(server.messages) == 2


def test_temporary_failures_are_retried(server: Store, run: Any, out: Path, report: Report) -> None:
    _subscribe_all(run)
    server.defer = {"ada@example.org": 2, "cy@example.com": 5}
    status, stdout, stderr = run("send", "--out", str(out))
    assert "sent 2, skipped 0, failed 1" in stdout, stderr  # ada after two retries; cy gives out
    assert "cy@example.com: failed (will retry on the next run): 451" in stderr
    assert sorted(server.received()) == ["ada@example.org", "bob@example.net"]
    server.defer = {}
    status, stdout, _ = run("send", "--out", str(out))  # a temporary failure is tried again
    assert status == 0 and "sent 1, skipped 2, failed 0" in stdout
    assert sorted(server.received()) == sorted(PEOPLE)


def test_deliver_waits_the_injected_delays() -> None:
    calls: list[str] = []
    waits: list[float] = []

    class Flaky:
        def send_once(self, msg: EmailMessage, sender: str, recipient: str) -> None:
            calls.append(recipient)
            if len(calls) < 3:
                raise smtp.TemporaryFailure("421 busy")

    smtp.deliver(Flaky(), EmailMessage(), "a@example.org", "b@example.org",  # type: ignore[arg-type]
                 delays=(0.5, 1.5), sleep=waits.append)
    assert calls == ["b@example.org"] * 3 and waits == [0.5, 1.5]
    calls.clear()
    with pytest.raises(smtp.TemporaryFailure):
        smtp.deliver(Flaky(), EmailMessage(), "a@example.org", "b@example.org",  # type: ignore[arg-type]
                     delays=(0.0,), sleep=waits.append)


def test_dry_run_sends_nothing(server: Store, run: Any, out: Path, report: Report) -> None:
    _subscribe_all(run)
    status, stdout, _ = run("send", "--out", str(out), "--dry-run")
    assert status == 0
    for person in PEOPLE:
        assert f"would send {WEEK} to {person}" in stdout
    assert "dry run, would send 3, skipped 0, failed 0" in stdout
    assert server.messages == []
    conn = subscribers.connect(report.slug)
    assert ledger.rows(conn, WEEK) == []
    conn.close()


def test_unsubscribed_receive_nothing(server: Store, run: Any, out: Path) -> None:
    _subscribe_all(run)
    token = subscribers.token(SECRET.encode(), "bob@example.net")
    status, stdout, _ = run("unsubscribe", token)
    assert status == 0 and "unsubscribed bob@example.net" in stdout
    assert "already unsubscribed" in run("unsubscribe", token)[1]
    run("send", "--out", str(out))
    assert sorted(server.received()) == ["ada@example.org", "cy@example.com"]


def test_password_never_printed_or_logged(server: Store, run: Any, out: Path,
                                          caplog: pytest.LogCaptureFixture,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)
    _subscribe_all(run)
    server.refuse.add("cy@example.com")
    seen = [run("send", "--out", str(out)), run("send", "--out", str(out), "--dry-run")]
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", "wrong-" + PASSWORD)
    run("subscribers", "add", "dee@example.org")
    bad = run("send", "--out", str(out))
    assert bad[0] == 2 and "WEEKLY_SMTP_PASSWORD" in bad[2]
    seen.append(bad)
    assert repr(smtp.SmtpConfig.from_env()).count(PASSWORD) == 0
    everything = caplog.text + "".join(o + e for _, o, e in seen)
    assert "connecting to 127.0.0.1" in caplog.text and "with login" in caplog.text
    assert PASSWORD not in everything


# ---------------------------------------------------------------- a crash in the middle

CHILD = textwrap.dedent("""
    import sys
    from generator.cli import _Parser
    from generator.delivery.commands import add_commands
    from generator.errors import InputError
    parser = _Parser(prog="weekly")
    add_commands(parser.add_subparsers(dest="command", parser_class=_Parser))
    try:
        args = parser.parse_args(sys.argv[1:])
        sys.exit(args.run(args))
    except InputError as exc:
        print(f"weekly: error: {exc}", file=sys.stderr)
        sys.exit(2)
""")


def test_sigkill_mid_run_then_rerun(server: Store, run: Any, out: Path, report: Report) -> None:
    _subscribe_all(run)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", CHILD, "send", "--out", str(out), "--report", str(report.folder)]
    server.slow_on = 2
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert server.started.wait(60), "the second message never reached the server"
        os.kill(child.pid, signal.SIGKILL)
        first_out, first_err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == -signal.SIGKILL
    server.release.set()
    conn = subscribers.connect(report.slug)
    assert sorted(r.status for r in ledger.rows(conn, WEEK)) == ["sending", "sent"]
    conn.close()

    server.slow_on = None
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert "sent 2, skipped 1, failed 0" in again.stdout
    got = server.received()
    assert sorted(got) == sorted(PEOPLE)  # everyone at least once
    duplicates = sum(len(msgs) - 1 for msgs in got.values())
    assert duplicates <= 1
    assert len(server.messages) == 3 + duplicates
    conn = subscribers.connect(report.slug)
    assert [r.status for r in ledger.rows(conn, WEEK)] == ["sent"] * 3
    conn.close()
    output = first_out.decode() + first_err.decode() + again.stdout + again.stderr
    assert PASSWORD not in output


def test_a_second_sender_finds_the_lock_held(server: Store, run: Any, out: Path, report: Report) -> None:
    _subscribe_all(run)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", CHILD, "send", "--out", str(out), "--report", str(report.folder)]
    server.slow_on = 2
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert server.started.wait(60), "the second message never reached the server"
        # The first sender holds a `sending` row: a second one must not retry it under its feet.
        status, stdout, stderr = run("send", "--out", str(out))
        assert status == 3, stderr
        assert f"weekly send for {report.slug} is already running" in stderr
        assert f"(pid {child.pid})" in stderr and stdout == ""
        server.release.set()
        first_out, first_err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert child.returncode == 0, first_err
    assert "sent 3, skipped 0, failed 0" in first_out
    assert sorted(server.received()) == sorted(PEOPLE) and len(server.messages) == 3
    status, stdout, _ = run("send", "--out", str(out))  # the lock went with its holder
    assert status == 0 and "sent 0, skipped 3, failed 0" in stdout


def test_implicit_tls_with_login(certificate: Certificate, run: Any, out: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    store = Store()
    port = free_port()
    controller = aiosmtpd_controller.Controller(
        store, hostname="127.0.0.1", port=port, ssl_context=certificate.server_context(),
        authenticator=authenticator, auth_require_tls=False, server_hostname="localhost")
    controller.start()
    try:
        for name, value in (("WEEKLY_SMTP_HOST", "127.0.0.1"), ("WEEKLY_SMTP_PORT", str(port)),
                            ("WEEKLY_SMTP_USER", USER), ("WEEKLY_SMTP_PASSWORD", PASSWORD),
                            ("WEEKLY_SMTP_TLS", "ssl"), ("WEEKLY_SMTP_CAFILE", str(certificate.ca))):
            monkeypatch.setenv(name, value)
        _subscribe_all(run)
        status, stdout, stderr = run("send", "--out", str(out))
        assert status == 0, stderr
        assert "sent 3, skipped 0, failed 0" in stdout
        assert sorted(store.received()) == sorted(PEOPLE)
        assert all(authenticated for _, _, authenticated in store.messages)
        monkeypatch.setenv("WEEKLY_SMTP_CAFILE", "")  # an unknown issuer is refused, not ignored
        run("subscribers", "add", "dee@example.org")
        status, _, stderr = run("send", "--out", str(out))
        assert status == 2 and "TLS with 127.0.0.1 failed: CERTIFICATE_VERIFY_FAILED" in stderr, stderr
        assert len(store.messages) == 3
    finally:
        controller.stop()


# ---------------------------------------------------------------- subscribers and tokens


@pytest.mark.parametrize("address", ["ada@example.org", "first.last+tag@mail.example.co.uk",
                                     "X_Y-Z@Sub.Example.ORG"])
def test_valid_addresses(address: str) -> None:
    local, domain = address.split("@")
    assert subscribers.normalise_address(f"  {address} ") == f"{local}@{domain.lower()}"


@pytest.mark.parametrize("address", ["", "ada", "ada@", "@example.org", "ada@example", "ada@@example.org",
                                     "ada @example.org", "Ada <ada@example.org>",
                                     "a@example.org, b@example.org",
                                     "ada@-bad.example.org", "ada@example.o", "ada..b@example.org",
                                     "ada@example.org\nBcc: eve@example.org", "\"q\"@example.org"])
def test_invalid_addresses(address: str) -> None:
    with pytest.raises(InputError, match="expected an email address"):
        subscribers.normalise_address(address)


def test_subscriber_commands(run: Any, tmp_path: Path, state: Path, report: Report) -> None:
    assert run("subscribers", "add", "ada@Example.ORG", "--name", "Ada")[1] == "subscribed ada@example.org\n"
    status, _, stderr = run("subscribers", "add", "not-an-address")
    assert status == 2 and stderr.strip() == "weekly: error: expected an email address like " \
        "name@example.org, got 'not-an-address'"
    assert len(stderr.strip().splitlines()) == 1
    assert run("subscribers", "add", "ADA@example.org")[0] == 0  # same person, case aside
    assert (state / f"{report.slug}.sqlite3").is_file()
    conn = subscribers.connect(report.slug)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()

    good = tmp_path / "good.csv"
    good.write_text("email,name\nbob@example.net,Bob\ncy@example.com,\nada@example.org,Ada\n",
                    encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("Email,Name\ndee@example.org,Dee\nnope,X\neve@example.org,Eve\n@x.org,\n",
                   encoding="utf-8")
    status, _, stderr = run("subscribers", "import", str(bad))
    assert status == 2
    assert "row 3, column email: expected an email address" in stderr
    assert "row 5, column email" in stderr
    assert "2 bad row(s); nothing imported" in stderr
    status, stdout, _ = run("subscribers", "list")
    assert stdout == "ada@example.org\tactive\tAda\n"  # nothing from the bad file
    status, stdout, _ = run("subscribers", "import", str(good))
    assert status == 0 and "imported 2 new of 3 row(s)" in stdout
    assert run("subscribers", "list")[1].split() == [
        "ada@example.org", "active", "Ada", "bob@example.net", "active", "Bob", "cy@example.com", "active"]
    assert run("subscribers", "remove", "cy@example.com")[1] == "removed cy@example.com\n"
    status, _, stderr = run("subscribers", "remove", "cy@example.com")
    assert status == 2 and "no subscriber 'cy@example.com'" in stderr
    no_header = tmp_path / "no_header.csv"
    no_header.write_text("address\nbob@example.net\n", encoding="utf-8")
    assert "expected a header row with a column `email`" in run("subscribers", "import", str(no_header))[2]
    assert run("subscribers")[0] == 2


def test_unsubscribe_token(run: Any, report: Report) -> None:
    a = subscribers.token(b"k1", "ada@example.org")
    assert a == subscribers.token(b"k1", "ADA@example.org ")
    assert a != subscribers.token(b"k2", "ada@example.org")
    assert a != subscribers.token(b"k1", "bob@example.org")
    assert len(a) == 64
    _subscribe_all(run)
    status, _, stderr = run("unsubscribe", "0" * 64)
    assert status == 2 and "no subscriber has this unsubscribe token" in stderr
    token = subscribers.token(SECRET.encode(), "cy@example.com")
    assert run("unsubscribe", token)[0] == 0
    listed = run("subscribers", "list", "--all")[1]
    assert "cy@example.com\tunsubscribed" in listed
    assert "cy@example.com" not in run("subscribers", "list")[1]
    # an import does not bring back someone who unsubscribed; an explicit add does
    conn = subscribers.connect(report.slug)
    assert subscribers.import_rows(conn, [("cy@example.com", "")]).kept_unsubscribed == 1
    conn.close()
    assert "cy@example.com" not in run("subscribers", "list")[1]
    run("subscribers", "add", "cy@example.com")
    assert "cy@example.com" in run("subscribers", "list")[1]


def test_missing_secret_and_smtp_settings(run: Any, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _subscribe_all(run)
    monkeypatch.delenv("WEEKLY_SECRET")
    for argv in (("send", "--out", str(out)), ("unsubscribe", "abc")):
        status, _, stderr = run(*argv)
        assert status == 2 and "WEEKLY_SECRET is not set" in stderr
    monkeypatch.setenv("WEEKLY_SECRET", SECRET)
    status, _, stderr = run("send", "--out", str(out))
    assert status == 2 and "WEEKLY_SMTP_HOST is not set" in stderr
    monkeypatch.setenv("WEEKLY_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "tls13")
    assert "WEEKLY_SMTP_TLS expected one of starttls, ssl, none" in run("send", "--out", str(out))[2]
    status, _, stderr = run("send", "--out", str(out), "--week", "2026-W30")
    assert status == 2 and "no such edition" in stderr
    assert "expected a week" in run("send", "--out", str(out), "--week", "soon")[2]


def test_message_without_pdf_or_mailto(report: Report, out: Path) -> None:
    edition = load_edition_mail(out / report.slug / WEEK)
    assert [name for name, _ in edition.charts] == ["top_models", "regions"]
    plain = Report(**{**report.__dict__, "email": type(report.email)(
        sender="desk@news.example.org", reply_to="", attach_pdf=False, unsubscribe_mailto="")})
    msg = build_message(plain, edition, "ada@example.org", _url("ada@example.org"))
    assert msg["List-Unsubscribe"] == f"<{_url('ada@example.org')}>"
    assert msg["Reply-To"] is None
    assert list(msg.iter_attachments()) == []
    (out / report.slug / WEEK / "charts" / "regions.png").unlink()
    with pytest.raises(InputError, match=r"cid:regions but charts/regions.png is missing"):
        load_edition_mail(out / report.slug / WEEK)


def test_a_corrected_edition_is_not_mailed_again(server: Store, run: Any, out: Path,
                                                report: Report) -> None:
    # Issue 18: a correction rebuilds the week (new email parts, a correction in facts.json);
    # the subscribers who had the edition do not get it twice.
    _subscribe_all(run)
    assert "sent 3, skipped 0, failed 0" in run("send", "--out", str(out), "--week", WEEK)[1]
    folder = out / report.slug / WEEK
    (folder / "email.html").write_text(HTML.replace("Big week", "Big week. Correction, May 28, 2026"),
                                       encoding="utf-8")
    facts = json.loads((folder / "facts.json").read_text(encoding="utf-8"))
    facts["edition"]["corrections"] = [{"date": "2026-05-28", "date_text": "May 28, 2026",
                                        "text": "A figure was wrong."}]
    (folder / "facts.json").write_text(json.dumps(facts), encoding="utf-8")
    status, stdout, _ = run("send", "--out", str(out), "--week", WEEK)
    assert status == 0 and "sent 0, skipped 3, failed 0" in stdout
    assert len(server.messages) == 3
