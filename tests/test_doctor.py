"""Issue 17, item 7: `weekly doctor` catches each misconfiguration, and `run`/`schedule` stop on it first.

The SMTP checks talk to a real aiosmtpd server on 127.0.0.1 with STARTTLS and login (tests/mail_fixtures.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import mail_fixtures
import pytest
from mail_fixtures import Store, free_port

from generator.cli import main
from generator.delivery import subscribers
from generator.ops import doctor
from generator.report import Report

report = mail_fixtures.report
state = mail_fixtures.state

Doctor = Callable[..., tuple[int, str, str]]


@pytest.fixture
def weekly(report: Report, capsys: pytest.CaptureFixture[str]) -> Doctor:
    def call(*argv: str) -> tuple[int, str, str]:
        status = main([*argv, "--report", str(report.folder)])
        captured = capsys.readouterr()
        return status, captured.out, captured.err
    return call


@pytest.fixture
def healthy(report: Report, server: Store) -> Report:
    conn = subscribers.connect(report.slug)
    subscribers.add(conn, "reader@example.org")
    conn.close()
    return report


def _one_problem(weekly: Doctor, *needles: str) -> None:
    status, _, err = weekly("doctor")
    lines = err.strip().splitlines()
    assert status == 2 and len(lines) == 1 and "Traceback" not in err, err
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_a_healthy_setup_passes(healthy: Report, weekly: Doctor) -> None:
    status, out, err = weekly("doctor")
    assert status == 0 and err == "" and out.startswith("ok: test-report: settings, secret, smtp")


def test_smtp_problems(healthy: Report, weekly: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_SMTP_PASSWORD", "wrong")
    _one_problem(weekly, "smtp:", "login refused", "WEEKLY_SMTP_PASSWORD")
    assert "wrong" not in weekly("doctor")[2]
    monkeypatch.setenv("WEEKLY_SMTP_PORT", str(free_port()))  # nobody listens
    _one_problem(weekly, "smtp:", "cannot reach the SMTP server 127.0.0.1")
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "tls")
    _one_problem(weekly, "WEEKLY_SMTP_TLS expected one of starttls, ssl, none")
    monkeypatch.delenv("WEEKLY_SMTP_HOST")
    _one_problem(weekly, "smtp:", "WEEKLY_SMTP_HOST is not set")


def test_plain_smtp_to_a_starttls_server_is_caught(healthy: Report, weekly: Doctor,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_SMTP_TLS", "none")  # the server requires STARTTLS before AUTH
    status, _, err = weekly("doctor")
    assert status == 2 and "smtp:" in err and len(err.strip().splitlines()) == 1


def test_secret_problems(healthy: Report, weekly: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_SECRET", "short")
    _one_problem(weekly, "secret:", "shorter than 16")
    monkeypatch.delenv("WEEKLY_SECRET")
    _one_problem(weekly, "secret:", "WEEKLY_SECRET is not set")


def test_state_problems(report: Report, server: Store, weekly: Doctor, tmp_path: Path,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "nowhere"))
    _one_problem(weekly, "state:", "does not exist", "WEEKLY_STATE_DIR=")
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "empty"))
    _one_problem(weekly, "state:", "no subscriber database for 'test-report'")
    conn = subscribers.connect(report.slug)
    subscribers.request_signup(conn, "later@example.org", "", "signup")
    conn.close()
    _one_problem(weekly, "state:", "no active subscriber (1 pending)")


def test_site_url_and_settings_problems(healthy: Report, weekly: Doctor) -> None:
    config = healthy.folder / "report.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('site_url = "https://news.example.org/"', ""), encoding="utf-8")
    _one_problem(weekly, "site_url:", "default https://example.com/")
    config.write_text(text.replace("https://news", "http://news"), encoding="utf-8")
    _one_problem(weekly, "site_url:", "not https")
    config.write_text(text.replace('from = "Test Ledger <edition@news.example.org>"', ""),
                      encoding="utf-8")
    _one_problem(weekly, "settings:", "email.from is not set")
    config.write_text(text + "top_n = -3\n", encoding="utf-8")
    _one_problem(weekly, "report.toml", "'email.top_n'", "did you mean 'top_n'")


def test_missing_fonts(healthy: Report, weekly: Doctor, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(doctor, "PDF_FONTS", (*doctor.PDF_FONTS, "No Such Face"))
    _one_problem(weekly, "fonts:", "No Such Face")


def test_run_and_schedule_check_first(report: Report, server: Store, weekly: Doctor, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEEKLY_SMTP_HOST")
    out = tmp_path / "out"
    for command in ("run", "schedule"):
        status, _, err = weekly(command, "--out", str(out))
        assert status == 2 and "doctor: smtp: WEEKLY_SMTP_HOST is not set" in err
        assert "doctor: state:" in err  # every problem, one line each
        assert f"{command}: `weekly doctor` found 2 problem(s); nothing done" in err
        assert not out.exists()  # nothing built, nothing published
