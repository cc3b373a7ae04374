"""Issue 17, item 6: with `[review] required = true` a run builds a preview and waits for `weekly approve`.

The sample report, a real loopback SMTP server (tests/mail_fixtures.py) and one subscriber.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mail_fixtures import PEOPLE, Store
from ops_fixtures import copy_sample

from generator.cli import main
from generator.delivery import subscribers
from generator.ops import review
from generator.report import Report, load_report

WEEK = "2026-W21"


@pytest.fixture(autouse=True)
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(folder))
    monkeypatch.setenv("WEEKLY_SECRET", "review-secret-0123456789")
    return folder


@pytest.fixture
def report(tmp_path: Path) -> Report:
    sample = copy_sample(tmp_path)
    config = sample.folder / "report.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[review]\nrequired = true\n",
                      encoding="utf-8")
    found = load_report(sample.folder)
    conn = subscribers.connect(found.slug)
    subscribers.add(conn, PEOPLE[0])
    conn.close()
    return found


def test_run_waits_for_approval_then_sends(report: Report, server: Store, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    argv = ["run", "--report", str(report.folder), "--out", str(out), "--week", WEEK]
    assert main(argv) == 0
    said = capsys.readouterr()
    assert f"llm-usage {WEEK}: build done, check done, publish awaiting approval" in said.out
    assert f"https://tokenledger.example.org/preview/llm-usage/{WEEK}/" in said.out
    preview = out / "llm-usage" / "preview" / "llm-usage" / WEEK
    assert (preview / "index.html").is_file() and (preview / "email.html").is_file()
    assert not (out / "llm-usage" / WEEK).exists()  # not in the archive's place
    assert not (out / "llm-usage" / "feed.xml").exists()  # nor in a feed
    assert server.messages == []

    assert main(argv) == 0  # again, unapproved: still waiting, still nothing mailed
    assert "publish awaiting approval" in capsys.readouterr().out and server.messages == []

    assert main(["diff", WEEK, "--report", str(report.folder), "--out", str(out)]) == 0
    diff = capsys.readouterr().out
    assert diff.startswith(f"{WEEK} against 2026-W20 (no built edition of 2026-W20)")
    assert "headline: " in diff and "top 10:" in diff and "#1" in diff and "moved most" in diff

    status = main(["approve", WEEK, "--report", str(report.folder), "--out", str(out), "--by", "editor"])
    assert status == 0 and f"approved {WEEK} by editor at " in capsys.readouterr().out

    assert main(argv) == 0
    said = capsys.readouterr()
    assert "build skipped, check skipped, publish done, send done" in said.out
    assert "approved by editor" in said.err
    assert (out / "llm-usage" / WEEK / "index.html").is_file() and not preview.exists()
    assert WEEK in (out / "llm-usage" / "feed.xml").read_text(encoding="utf-8")
    assert [r for rcpts, _, _ in server.messages for r in rcpts] == [PEOPLE[0]]


def test_approve_is_refused_without_review_or_edition(report: Report, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert main(["approve", WEEK, "--report", str(report.folder), "--out", str(out)]) == 2
    assert "no built edition for 2026-W21" in capsys.readouterr().err
    config = report.folder / "report.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("required = true", "required = false"),
                      encoding="utf-8")
    assert main(["approve", WEEK, "--report", str(report.folder), "--out", str(out)]) == 2
    assert "review.required is off" in capsys.readouterr().err
    assert review.approver()  # a login name, or the uid when there is no passwd entry
