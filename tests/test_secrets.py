"""The SMTP login and the unsubscribe secret come only from the environment and leak nowhere.

A week is produced end to end (`weekly run`: build, check, publish, send through a real SMTP
server on 127.0.0.1 with login), subscribers are managed and one unsubscribes, and the
failure paths are taken (wrong password, a server that is not there, a bad setting). Every
line printed or logged, and every byte written under the output, state and report folders,
is then searched for the user name, the password and the secret.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path
from typing import Any

import mail_fixtures
import pytest
from helpers import week, write_report
from mail_fixtures import Store, free_port

from generator.cli import main
from generator.delivery import subscribers
from generator.delivery.endpoint import make_app
from generator.report import load_report
from generator.settings import SETTINGS

USER = "u53r-weekly-bot-7f3a"
PASSWORD = "pw-Zq8!never-shown-4b1c"
SECRET = "unsub-secret-9d2e-keep-me-hidden"
ROWS = [(week(w), m, 1000 * (w + 1) + i) for w in range(2)
        for i, m in enumerate(("acme/a1", "bolt/b1", "crane/c1"))]
SETTINGS_TOML = ('site_url = "https://news.example.org/"\n'
                 '[email]\nfrom = "Desk <desk@news.example.org>"\n'
                 'unsubscribe_mailto = "leave@news.example.org"\n')


@pytest.fixture
def secrets(server: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The loopback SMTP server expecting our login, and the environment holding it."""
    monkeypatch.setattr(mail_fixtures, "USER", USER)  # read by the server's authenticator
    monkeypatch.setattr(mail_fixtures, "PASSWORD", PASSWORD)
    monkeypatch.setenv("WEEKLY_SMTP_USER", USER)
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("WEEKLY_SECRET", SECRET)
    state = tmp_path / "state"
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(state))
    return state


def test_secrets_appear_in_no_output_log_or_file(
    secrets: Path, server: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    folder = write_report(tmp_path / "rep", ROWS, settings=SETTINGS_TOML)
    out = tmp_path / "out"
    report = ["--report", str(folder)]
    statuses = []

    def weekly(*argv: str) -> int:
        statuses.append(main(list(argv)))
        return statuses[-1]

    for person in ("ada@example.org", "bob@example.net"):
        assert weekly("subscribers", "add", person, *report) == 0
    assert weekly("run", *report, "--out", str(out), "--week", week(1)) == 0
    assert len(server.messages) == 2 and all(authenticated for *_, authenticated in server.messages)
    assert weekly("subscribers", "list", "--all", *report) == 0
    tok = subscribers.token(SECRET.encode(), "bob@example.net")
    assert weekly("unsubscribe", tok, *report) == 0
    assert weekly("unsubscribe", "0" * 64, *report) != 0  # a forged token
    _endpoint_post(load_report(folder), subscribers.token(SECRET.encode(), "ada@example.org"))

    # Failure paths: every message they print is searched below.
    assert weekly("subscribers", "add", "cy@example.com", *report) == 0
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", "not-" + PASSWORD[:6])
    assert weekly("send", *report, "--out", str(out), "--week", week(1)) == 2
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("WEEKLY_SMTP_PORT", str(free_port()))  # nobody listens
    assert weekly("send", *report, "--out", str(out), "--week", week(1)) != 0
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "plaintext-please")
    assert weekly("send", *report, "--out", str(out), "--week", week(1)) == 2
    monkeypatch.delenv("WEEKLY_SMTP_USER")
    assert weekly("send", *report, "--out", str(out), "--week", week(1)) == 2
    monkeypatch.delenv("WEEKLY_SECRET")
    assert weekly("send", *report, "--out", str(out), "--week", week(1)) == 2

    captured = capsys.readouterr()
    printed = captured.out + captured.err + caplog.text
    assert "WEEKLY_SMTP_USER and WEEKLY_SMTP_PASSWORD" in printed  # the login failure said so
    assert "WEEKLY_SECRET" in printed
    for name, value in (("user", USER), ("password", PASSWORD), ("secret", SECRET)):
        assert value not in printed, f"the SMTP {name} was printed or logged"
        for path in _files(out, secrets, folder):
            assert value.encode() not in path.read_bytes(), f"the {name} is in {path}"
    assert len(list(_files(out, secrets, folder))) > 20


def _files(*folders: Path) -> Any:
    for folder in folders:
        yield from (p for p in sorted(folder.rglob("*")) if p.is_file())


def _endpoint_post(report: Any, tok: str) -> None:
    # The one-click unsubscribe of RFC 8058, as a mail client sends it.
    app = make_app(report, SECRET.encode())
    body = b"List-Unsubscribe=One-Click"
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/unsubscribe", "QUERY_STRING": f"token={tok}",
               "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body)}
    replies: list[str] = []
    page = b"".join(app(environ, lambda status, headers, *exc: replies.append(status)))
    assert replies and replies[0].startswith("200"), replies
    assert SECRET.encode() not in page


def test_no_report_setting_can_hold_a_credential(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # Report folders are shared and committed; credentials belong to the environment only.
    words = ("password", "secret", "smtp", "user", "token", "credential")
    assert not [s.key for s in SETTINGS if any(w in s.key.lower() for w in words)]
    folder = write_report(tmp_path / "rep", ROWS, tables=f'[smtp]\npassword = "{PASSWORD}"\n')
    assert main(["build", "--report", str(folder), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown setting 'smtp.password'" in err and PASSWORD not in err
