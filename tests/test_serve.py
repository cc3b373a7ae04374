"""Issue 17, item 1: `weekly serve`'s WSGI app on a real server on 127.0.0.1, mailing through aiosmtpd.

sign-up → confirmation mail → GET (a button, nothing changes) → POST (active, consent recorded)
→ the next send delivers; the same answer whatever the address's state; the rate limit per client;
bodies with a bad Content-Length; tokens found through an index; `generator.wsgi:application`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mail_fixtures
import pytest
from mail_fixtures import SECRET, Store

from generator.delivery import subscribers
from generator.delivery.endpoint import make_endpoint_server
from generator.delivery.smtp import SmtpConfig
from generator.delivery.web import Outbox, PublicApp, RateLimiter
from generator.report import Report

out = mail_fixtures.out
report = mail_fixtures.report
run = mail_fixtures.run
state = mail_fixtures.state

ROOT = Path(__file__).resolve().parent.parent


def _app(report: Report, limit: int = 50) -> PublicApp:
    return PublicApp(report, SECRET.encode(), Outbox(report, SmtpConfig.from_env()),
                     RateLimiter(limit=limit))


@pytest.fixture
def served(report: Report, server: Store) -> Iterator[tuple[str, PublicApp]]:
    """`weekly serve`'s server and app on 127.0.0.1, the app's outbox mailing the loopback server."""
    conn = subscribers.connect(report.slug)
    conn.close()
    app = _app(report)
    http = make_endpoint_server(report, "127.0.0.1", 0, app=app)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{http.server_port}", app
    finally:
        http.shutdown()
        http.server_close()
        thread.join(10)


def _call(url: str, body: bytes | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body)
    if body is not None:
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def _status(report: Report, address: str) -> str | None:
    conn = subscribers.connect(report.slug)
    try:
        return subscribers.status_of(conn, address)
    finally:
        conn.close()


def test_sign_up_confirm_then_the_next_send_delivers(served: tuple[str, PublicApp], server: Store,
                                                      run: Any, out: Path, report: Report) -> None:
    base, app = served
    status, form = _call(f"{base}/subscribe")
    assert status == 200 and 'name="email"' in form
    status, page = _call(f"{base}/subscribe", b"email=New%40Example.org&name=Nia")
    assert status == 200 and "Check your inbox" in page
    assert _status(report, "New@example.org") == "pending"
    app.outbox.join()  # type: ignore[union-attr]
    mail = server.received()["New@example.org"][0]
    link = re.search(r"https://news\.example\.org(/confirm/\S+)", mail.get_content())
    assert link is not None
    status, page = _call(base + link.group(1))  # a link scanner's GET changes nothing
    assert status == 200 and "<button" in page and _status(report, "New@example.org") == "pending"
    assert run("send", "--out", str(out))[1].count("sent 0") == 1  # pending: no edition yet
    status, page = _call(base + link.group(1), b"")
    assert status == 200 and "Subscribed" in page
    conn = subscribers.connect(report.slug)
    try:
        consent = subscribers.consent_of(conn, "New@example.org")
    finally:
        conn.close()
    assert consent is not None and consent.status == "active" and consent.source == "signup"
    assert consent.consent_ip == "127.0.0.1" and consent.consent_at
    assert _call(base + link.group(1), b"")[0] == 404  # used once
    server.messages.clear()
    status, stdout, _ = run("send", "--out", str(out))
    assert status == 0 and "sent 1" in stdout
    assert [r for rcpts, _, _ in server.messages for r in rcpts] == ["New@example.org"]


def test_the_answer_is_the_same_whatever_the_address(served: tuple[str, PublicApp], server: Store,
                                                     report: Report) -> None:
    base, app = served
    conn = subscribers.connect(report.slug)
    try:
        subscribers.add(conn, "active@example.org")
        subscribers.add(conn, "left@example.org")
        subscribers.unsubscribe(conn, SECRET.encode(), subscribers.token(SECRET.encode(), "left@example.org"))
    finally:
        conn.close()
    answers = {_call(f"{base}/subscribe", f"email={who}%40example.org".encode())
               for who in ("new", "new", "active", "left")}
    assert len(answers) == 1 and next(iter(answers))[0] == 200
    app.outbox.join()  # type: ignore[union-attr]
    mailed = sorted(r for rcpts, _, _ in server.messages for r in rcpts)
    assert mailed == ["left@example.org", "new@example.org", "new@example.org"]  # not the active one
    assert _status(report, "active@example.org") == "active"
    assert _status(report, "left@example.org") == "pending"  # re-consent needed


def test_sign_ups_are_limited_per_client(report: Report, server: Store) -> None:
    app = _app(report, limit=2)
    seen = []
    for _ in range(3):
        answer: list[str] = []
        body = b"email=x%40example.org"
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/subscribe", "REMOTE_ADDR": "192.0.2.1",
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": _Input(body)}
        app(environ, lambda status, headers, into=answer: into.append(status))
        seen.append(answer[0])
    assert seen == ["200 OK", "200 OK", "429 Too Many Requests"]
    other = _app(report, limit=2)  # the limiter's state belongs to its app
    assert other.limiter.allow("192.0.2.1") and app.limiter.allow("192.0.2.2")
    app.outbox.join()  # type: ignore[union-attr]


class _Input:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        return self.data[:size]


@pytest.mark.parametrize(("length", "status"), [(None, 411), ("-1", 400), ("abc", 400), ("99999", 413)])
def test_bad_content_length_on_sign_up(report: Report, server: Store, length: str | None,
                                       status: int) -> None:
    app = _app(report)
    environ: dict[str, Any] = {"REQUEST_METHOD": "POST", "PATH_INFO": "/subscribe",
                               "REMOTE_ADDR": "192.0.2.9", "wsgi.input": _Input(b"email=a%40b.org")}
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    answer: list[str] = []
    app(environ, lambda s, headers: answer.append(s))
    assert answer[0].startswith(str(status))


def test_bad_address_and_unknown_confirmation(report: Report, server: Store) -> None:
    app = _app(report)
    for path, body, expected in (("/subscribe", b"email=not-an-address", "400"),
                                 ("/confirm/" + "A" * 43, b"", "404"), ("/confirm/x'<", b"", "404")):
        answer: list[str] = []
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "REMOTE_ADDR": "192.0.2.3",
                   "CONTENT_LENGTH": str(len(body)), "wsgi.input": _Input(body)}
        app(environ, lambda s, headers, into=answer: into.append(s))
        assert answer[0].startswith(expected), path


def test_tokens_are_found_through_an_index(report: Report) -> None:
    conn = subscribers.connect(report.slug)
    try:
        for column in ("confirm_hash", "token_hash"):
            plan = " ".join(str(row) for row in conn.execute(
                f"EXPLAIN QUERY PLAN SELECT email FROM subscribers WHERE {column} = ?", ("x",)))
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan, plan
    finally:
        conn.close()


def test_module_level_application(report: Report, tmp_path: Path) -> None:
    conn = subscribers.connect(report.slug)
    conn.close()
    code = ("import io; from generator.wsgi import application as app; seen = []; "
            "body = app({'REQUEST_METHOD': 'GET', 'PATH_INFO': '/subscribe', 'wsgi.input': io.BytesIO()}, "
            "lambda s, h: seen.append(s)); print(seen[0], b'name=\"email\"' in b''.join(body))")
    env = {**os.environ, "WEEKLY_REPORT": str(report.folder), "PYTHONPATH": str(ROOT)}
    env.pop("WEEKLY_SMTP_HOST", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0 and done.stdout.strip() == "200 OK True", done.stderr
