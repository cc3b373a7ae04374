"""Issue 14's delivery cases: hostile addresses, one recipient's failure, and SMTP servers that misbehave.

Every send here goes to a real aiosmtpd server on 127.0.0.1 (tests/mail_fixtures.py), made
to hang up after DATA, die in the middle of a run, stall, or expect a non-ASCII password.
"""

from __future__ import annotations

import datetime as dt
import io
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mail_fixtures
import pytest
from mail_fixtures import (
    SECRET,
    USER,
    WEEK,
    Certificate,
    Store,
    aiosmtpd_controller,
    authenticator,
    free_port,
)

from generator.delivery import ledger, schema, send, smtp, subscribers
from generator.errors import InputError
from generator.ops import steps
from generator.ops.events import EventLog
from generator.ops.run import run_week
from generator.report import Report

# The delivery tests' own fixtures (see mail_fixtures; certificate and server come from conftest).
out = mail_fixtures.out
report = mail_fixtures.report
run = mail_fixtures.run
state = mail_fixtures.state

HOSTILE = ("=?utf-8?q?a=0D=0ABcc=3A_evil=40z.org?=@x.org", "=?utf-8?q?x=0A?=@x.org",
           "=?utf-8?q?x?=@x.org", "=?utf-8?b?eA==?=@x.org", "=?utf-8?q?ceo=40bank.example?=@x.org")
PEOPLE = tuple(f"p{n}@example.org" for n in range(1, 7))


def _rows(report: Report) -> dict[str, ledger.SendRow]:
    conn = subscribers.connect(report.slug)
    try:
        return {r.recipient: r for r in ledger.rows(conn, WEEK)}
    finally:
        conn.close()


def _subscribe(run: Any, people: tuple[str, ...] = PEOPLE) -> None:
    for person in people:
        assert run("subscribers", "add", person)[0] == 0


def _copies(*stores: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for store in stores:
        for rcpts, _, _ in store.messages:
            for rcpt in rcpts:
                counts[rcpt] = counts.get(rcpt, 0) + 1
    return counts


# ---------------------------------------------------------------- addresses


@pytest.mark.parametrize("address", HOSTILE)
def test_encoded_word_addresses_are_refused_in_one_line(run: Any, address: str, tmp_path: Path) -> None:
    status, stdout, stderr = run("subscribers", "add", address)
    assert status == 2 and stdout == ""
    assert len(stderr.strip().splitlines()) == 1 and "encoded word" in stderr
    rows = tmp_path / "rows.csv"
    rows.write_text(f"email,name\nok@example.org,Ok\n{address},Eve\n", encoding="utf-8")
    status, _, stderr = run("subscribers", "import", str(rows))
    assert status == 2 and "row 3, column email" in stderr and "nothing imported" in stderr
    assert run("subscribers", "list")[1] == ""


@pytest.mark.parametrize("address", ["a\x00b@x.org", "a\tb@x.org", "ab@x.org\rBcc: e@x.org", "a\u2028b@x.org",
                                     "a\x85b@x.org"])
def test_control_characters_are_refused(run: Any, address: str) -> None:
    status, _, stderr = run("subscribers", "add", address)
    assert status == 2 and len(stderr.strip().splitlines()) == 1


def test_names_with_line_breaks_or_too_long_are_refused(run: Any) -> None:
    assert run("subscribers", "add", "a@example.org", "--name", "Eve\nBcc: x")[0] == 2
    status, _, stderr = run("subscribers", "add", "a@example.org", "--name", "n" * 201)
    assert status == 2 and "at most 200 characters" in stderr


def _insert_raw(report: Report, *addresses: str) -> None:
    """Rows as an older version accepted them, straight into the table."""
    conn = subscribers.connect(report.slug)
    try:
        with conn:
            conn.executemany("INSERT INTO subscribers (email, name, status, added, updated) "
                             "VALUES (?, '', 'active', 'then', 'then')", [(a,) for a in addresses])
    finally:
        conn.close()


def test_bad_rows_already_stored_do_not_stop_a_send(server: Store, run: Any, out: Path,
                                                    report: Report) -> None:
    _insert_raw(report, *HOSTILE)
    _subscribe(run, ("x@x.org", "zed@example.org"))
    status, stdout, stderr = run("send", "--out", str(out))
    assert "Traceback" not in stderr
    assert status == 1 and "sent 2, skipped 0, failed 5" in stdout
    assert _copies(server) == {"x@x.org": 1, "zed@example.org": 1}  # one copy for x, not three
    for msg in (m for ms in server.received().values() for m in ms):
        assert msg["To"] in ("x@x.org", "zed@example.org")
    rows = _rows(report)
    for address in HOSTILE:
        assert rows[address].status == "failed" and rows[address].permanent
        assert f"weekly: {address}: refused:" in stderr
    # a refused row is not retried; the operator can remove it by its exact text
    assert "sent 0, skipped 7, failed 0" in run("send", "--out", str(out))[1]
    assert run("subscribers", "remove", HOSTILE[0]) == (0, f"removed {HOSTILE[0]}\n", "")


def test_a_message_that_cannot_be_built_is_recorded_and_the_rest_go(
        server: Store, run: Any, out: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    _subscribe(run, PEOPLE[:3])
    real = send.build_message

    def build(report: Report, edition: Any, recipient: str, url: str) -> Any:
        if recipient == PEOPLE[0]:
            raise ValueError("secret-ish detail that must not be stored")
        return real(report, edition, recipient, url)

    monkeypatch.setattr(send, "build_message", build)
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 1 and "sent 2, skipped 0, failed 1" in stdout
    row = _rows(report)[PEOPLE[0]]
    assert row.status == "failed" and row.error == "could not build the message (ValueError)"
    assert "secret-ish" not in stderr + row.error
    assert sorted(_copies(server)) == list(PEOPLE[1:3])


def test_an_unexpected_error_in_one_conversation_does_not_stop_the_others(
        server: Store, run: Any, out: Path, report: Report, monkeypatch: pytest.MonkeyPatch) -> None:
    _subscribe(run, PEOPLE[:3])
    real = smtp.SmtpSender.send_once

    def once(self: smtp.SmtpSender, msg: Any, sender: str, recipient: str) -> None:
        if recipient == PEOPLE[1]:
            raise RuntimeError("boom")
        real(self, msg, sender, recipient)

    monkeypatch.setattr(smtp.SmtpSender, "send_once", once)
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 1 and "sent 2, skipped 0, failed 1" in stdout and "Traceback" not in stderr
    assert _rows(report)[PEOPLE[1]].error == "unexpected RuntimeError while sending"
    monkeypatch.setattr(smtp.SmtpSender, "send_once", real)
    assert "sent 1, skipped 2, failed 0" in run("send", "--out", str(out))[1]  # retried next run


# ---------------------------------------------------------------- servers that misbehave


class HangUpAfterData(Store):
    """Keeps the whole message, then drops the connection without a reply; can die after the n-th."""

    def __init__(self, die_after: int | None = None) -> None:
        super().__init__()
        self.die_after = die_after
        self.controller: Any = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((list(envelope.rcpt_tos), bytes(envelope.content), bool(session.authenticated)))
        if self.die_after is None or len(self.messages) == self.die_after:
            if self.die_after is not None:
                self.controller.server.close()  # no one can connect any more: the server is gone
            server.transport.abort()
        return "250 accepted"


def _start(store: Store, certificate: Certificate, port: int) -> Any:
    controller = aiosmtpd_controller.Controller(
        store, hostname="127.0.0.1", port=port, authenticator=authenticator,
        tls_context=certificate.server_context(), require_starttls=True, auth_require_tls=True)
    controller.start()
    return controller


@pytest.fixture
def other_port(monkeypatch: pytest.MonkeyPatch, server: Store) -> Iterator[int]:
    """The `server` fixture's environment (TLS, login), pointed at a fresh port for a server of our own."""
    port = free_port()
    monkeypatch.setenv("WEEKLY_SMTP_PORT", str(port))
    yield port


def test_hang_up_after_data_is_never_retried(certificate: Certificate, other_port: int, run: Any,
                                             out: Path, report: Report) -> None:
    store = HangUpAfterData()
    controller = _start(store, certificate, other_port)
    try:
        _subscribe(run, PEOPLE[:3])
        status, stdout, stderr = run("send", "--out", str(out))
        assert status == 0 and "sent 0, skipped 0, failed 0, unknown 3" in stdout, stderr
        assert _copies(store) == dict.fromkeys(PEOPLE[:3], 1)  # once each: before the fix, three times
        assert {r.status for r in _rows(report).values()} == {"unknown"}
        assert "unknown (sent-maybe, not sent again)" in stderr
        assert "sent 0, skipped 3, failed 0" in run("send", "--out", str(out))[1]
        assert len(store.messages) == 3
    finally:
        controller.stop()


def test_a_server_that_dies_trips_the_breaker_and_the_next_run_resumes(
        certificate: Certificate, other_port: int, run: Any, out: Path, report: Report,
        monkeypatch: pytest.MonkeyPatch) -> None:
    tries: list[str] = []
    real = smtp.SmtpSender.send_once

    def counted(self: smtp.SmtpSender, msg: Any, sender: str, recipient: str) -> None:
        tries.append(recipient)
        real(self, msg, sender, recipient)

    monkeypatch.setattr(smtp.SmtpSender, "send_once", counted)
    dying = HangUpAfterData(die_after=2)
    dying.controller = _start(dying, certificate, other_port)
    try:
        _subscribe(run)
        status, stdout, stderr = run("send", "--out", str(out))
    finally:
        dying.controller.stop()
    assert status == 1 and "sent 1, skipped 0, failed 2, unknown 1" in stdout
    assert "failed 5 connections in a row: send stopped with 2 recipient(s) not tried" in stderr
    assert "Traceback" not in stderr
    # p1 sent, p2 hung up after DATA, p3 three tries, p4 two: BREAKER tries, then nobody else
    assert tries == [PEOPLE[0], PEOPLE[1]] + [PEOPLE[2]] * 3 + [PEOPLE[3]] * 2
    rows = _rows(report)
    assert [rows[p].status for p in PEOPLE[:4]] == ["sent", "unknown", "failed", "failed"]
    assert PEOPLE[4] not in rows and PEOPLE[5] not in rows

    revived = Store()
    controller = _start(revived, certificate, other_port)
    try:
        status, stdout, stderr = run("send", "--out", str(out))
    finally:
        controller.stop()
    assert status == 0 and "sent 4, skipped 2, failed 0" in stdout, stderr
    assert _copies(dying, revived) == dict.fromkeys(PEOPLE, 1)


def test_a_server_that_stalls_after_data_gets_the_message_once(server: Store, run: Any, out: Path,
                                                                report: Report,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smtp, "TIMEOUT", 2.0)
    _subscribe(run, PEOPLE[:3])
    server.slow_on = 2  # the second message: the server holds its reply past the client's timeout
    status, stdout, stderr = run("send", "--out", str(out))
    server.release.set()
    assert status == 0 and "sent 2, skipped 0, failed 0, unknown 1" in stdout, stderr
    assert _copies(server) == dict.fromkeys(PEOPLE[:3], 1)
    assert _rows(report)[PEOPLE[1]].status == "unknown"


def test_a_server_that_never_greets_stops_the_send(other_port: int, run: Any, out: Path, report: Report,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(smtp, "TIMEOUT", 0.5)
    _subscribe(run)
    with socket.socket() as silent:  # accepts connections (the backlog) and never says a word
        silent.bind(("127.0.0.1", other_port))
        silent.listen(16)
        status, stdout, stderr = run("send", "--out", str(out))
    assert status == 1 and "sent 0, skipped 0, failed 2" in stdout
    assert "send stopped with 4 recipient(s) not tried" in stderr
    assert len(stderr.strip().splitlines()) == 3  # p1 and p2 failed, then the stop line
    assert sorted(_rows(report)) == list(PEOPLE[:2])


def test_a_missing_cafile_is_a_configuration_error(server: Store, run: Any, out: Path, report: Report,
                                                   tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _subscribe(run, PEOPLE[:2])
    monkeypatch.setenv("WEEKLY_SMTP_CAFILE", "/nonexistent")
    status, stdout, stderr = run("send", "--out", str(out))
    assert (status, stdout) == (2, "")
    assert stderr == ("weekly: error: WEEKLY_SMTP_CAFILE: cannot read /nonexistent: "
                      "No such file or directory\n")
    not_pem = tmp_path / "ca.pem"
    not_pem.write_text("hello\n", encoding="utf-8")
    monkeypatch.setenv("WEEKLY_SMTP_CAFILE", str(not_pem))
    status, _, stderr = run("send", "--out", str(out))
    assert status == 2 and "holds no CA certificate" in stderr
    assert server.messages == [] and _rows(report) == {}


# ---------------------------------------------------------------- a non-ASCII password

UMLAUT_PASSWORD = "pa55-W0rd-never-print-mä-1"


def test_a_non_ascii_password_logs_in_as_utf8(server: Store, run: Any, out: Path, report: Report,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mail_fixtures, "PASSWORD", UMLAUT_PASSWORD)  # the server's authenticator
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", UMLAUT_PASSWORD)
    _subscribe(run, PEOPLE[:2])
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 0 and "sent 2, skipped 0, failed 0" in stdout, stderr
    assert all(authenticated for _, _, authenticated in server.messages)

    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", "wrong-ä-" + UMLAUT_PASSWORD)
    run("subscribers", "add", PEOPLE[2])
    status, stdout, stderr = run("send", "--out", str(out))
    assert status == 2 and stderr.startswith("weekly: error: SMTP login refused by 127.0.0.1 (535)")
    everything = stdout + stderr + repr(list(_rows(report).values()))
    for leak in ("ä", "\\xe4", "position", "codec", UMLAUT_PASSWORD):
        assert leak not in everything


def test_a_non_ascii_login_without_auth_plain_is_refused_without_a_leak() -> None:
    class NoPlain:
        def __init__(self) -> None:
            self.esmtp_features = {"auth": "CRAM-MD5 LOGIN"}

        def ehlo_or_helo_if_needed(self) -> None:
            pass

    with pytest.raises(smtp.InputError) as caught:
        smtp._login(NoPlain(), USER, UMLAUT_PASSWORD)  # type: ignore[arg-type]
    assert "ä" not in str(caught.value) and "offers no AUTH PLAIN" in str(caught.value)


def test_ledger_migration_keeps_old_rows(report: Report, state: Path) -> None:
    """A database of the first schema (no token digests, no `unknown` status) is migrated in place."""
    state.mkdir(parents=True, exist_ok=True)
    old = sqlite3.connect(state / f"{report.slug}.sqlite3")
    old.executescript("""
        CREATE TABLE subscribers (email TEXT PRIMARY KEY COLLATE NOCASE, name TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'unsubscribed')),
            added TEXT NOT NULL, updated TEXT NOT NULL);
        CREATE TABLE sends (edition TEXT NOT NULL, recipient TEXT NOT NULL COLLATE NOCASE,
            status TEXT NOT NULL CHECK (status IN ('sending', 'sent', 'failed')),
            message_id TEXT NOT NULL DEFAULT '', error TEXT NOT NULL DEFAULT '',
            permanent INTEGER NOT NULL DEFAULT 0, updated TEXT NOT NULL, PRIMARY KEY (edition, recipient));
        INSERT INTO subscribers VALUES ('ada@example.org', 'Ada', 'active', 't', 't');
        INSERT INTO sends VALUES ('2026-W20', 'ada@example.org', 'sent', '<m>', '', 0, 't');
    """)
    old.close()
    conn = subscribers.connect(report.slug)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.VERSION
        assert [r.status for r in ledger.rows(conn, "2026-W20")] == ["sent"]
        ledger.mark_unknown(conn, WEEK, "ada@example.org", "<m2>", "lost")
        tok = subscribers.token(SECRET.encode(), "ada@example.org")
        assert subscribers.unsubscribe(conn, SECRET.encode(), tok) == ("ada@example.org", True)
    finally:
        conn.close()


# ---------------------------------------------------------------- subscriber files


def _import(run: Any, tmp_path: Path, data: bytes) -> tuple[int, str, str]:
    path = tmp_path / "people.csv"
    path.write_bytes(data)
    return run("subscribers", "import", str(path))


def test_import_of_latin1_is_one_line(run: Any, tmp_path: Path) -> None:
    status, stdout, stderr = _import(run, tmp_path, "email,name\na@example.org,Ana\nb@example.org,Zoë\n"
                                     .encode("latin-1"))
    assert (status, stdout) == (2, "")
    assert stderr == (f"weekly: error: {tmp_path / 'people.csv'}, row 3: expected UTF-8 text, byte 0xeb "
                      "is not UTF-8 (Latin-1 or Windows-1252? save the file as UTF-8)\n")


def test_import_of_utf16_with_its_mark_is_read(run: Any, tmp_path: Path) -> None:
    text = "email,name\na@example.org,Zoë\n"
    status, stdout, stderr = _import(run, tmp_path, text.encode("utf-16"))
    assert status == 0 and "imported 1 new of 1 row(s)" in stdout, stderr
    assert run("subscribers", "list")[1] == "a@example.org\tactive\tZoë\n"
    status, _, stderr = _import(run, tmp_path, text.encode("utf-16-le"))  # no mark: cannot be told
    assert status == 2 and len(stderr.splitlines()) == 1 and "NUL bytes" in stderr


def test_import_with_a_field_over_128_kb_is_one_line(run: Any, tmp_path: Path) -> None:
    big = "n" * 200_000
    status, _, stderr = _import(run, tmp_path, f"email,name\na@example.org,A\nb@example.org,{big}\n".encode())
    assert status == 2 and len(stderr.splitlines()) == 1
    assert "people.csv, row 3: not a readable CSV row: field larger than field limit" in stderr
    status, _, stderr = _import(run, tmp_path, f"email,name\nb@example.org,{big[:5000]}\n".encode())
    assert status == 2 and "row 2, column name: expected at most 1,024 characters" in stderr
    assert big[:1000] not in stderr
    assert run("subscribers", "list")[1] == ""


def test_a_non_ascii_password_leaks_nothing_into_weekly_run(server: Store, run: Any, out: Path,
                                                            report: Report,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The run's event log and its run_steps table, where issue 14 found the codec error's text."""
    monkeypatch.setattr(mail_fixtures, "PASSWORD", UMLAUT_PASSWORD)
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", "wrong-ä-" + UMLAUT_PASSWORD)
    _subscribe(run, PEOPLE[:2])
    conn = subscribers.connect(report.slug)
    try:
        for step in ("build", "check", "publish"):  # only the send is left to do
            steps.record(conn, WEEK, step, "done", "")
    finally:
        conn.close()
    events = io.StringIO()
    with pytest.raises(InputError):
        run_week(report, dt.date(2026, 5, 18), out, EventLog(events, report=report.slug))
    conn = subscribers.connect(report.slug)
    try:
        detail = steps.get(conn, WEEK)["send"].detail
    finally:
        conn.close()
    assert detail.startswith("InputError: SMTP login refused by 127.0.0.1 (535)")
    for leak in ("ä", "\\xe4", "position", "codec", UMLAUT_PASSWORD):
        assert leak not in events.getvalue() + detail

    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", UMLAUT_PASSWORD)  # the right one: the run completes
    result = run_week(report, dt.date(2026, 5, 18), out, EventLog(io.StringIO(), report=report.slug))
    assert ("send", "done") in result.outcomes
    assert sorted(_copies(server)) == list(PEOPLE[:2])
