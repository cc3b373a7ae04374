"""Issue 17, items 8 and 9: every bad setting is refused naming its key path; which report a command uses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main, version
from generator.report import load_report
from generator.settings import SETTINGS

# (settings before [data], tables after it, key path named, words of the complaint)
BAD = {
    "top_n negative": ("top_n = -3", "", "'top_n'", "from 1 to 100"),
    "top_n a float": ("top_n = 2.5", "", "'top_n'", "expected a int"),
    "site_url without scheme": ('site_url = "example.com/news/"', "", "'site_url'", "http or https"),
    "site_url ftp": ('site_url = "ftp://example.com/"', "", "'site_url'", "http or https"),
    "language klingon": ('language = "klingon"', "", "'language'", "ISO 639"),
    "language unknown code": ('language = "xx"', "", "'language'", "ISO 639"),
    "title empty": ('title = " "', "", "'title'", "empty"),
    "schedule day": ("", '[schedule]\nday = "funday"', "'schedule.day'", "monday"),
    "schedule time": ("", '[schedule]\ntime = "25:00"', "'schedule.time'", "HH:MM"),
    "schedule zone": ("", '[schedule]\ntimezone = "Mars/Olympus"', "'schedule.timezone'", "IANA"),
    "schedule retry": ("", "[schedule]\nretry_minutes = 0", "'schedule.retry_minutes'", "from 1"),
    "coverage": ("", 'coverage = "most"', "'data.coverage'", "auto, complete, list"),
    "table name typo": ("", '[emial]\nfrom = "a@b.org"', "'emial.from'", "did you mean 'email.from'"),
    "email from": ("", '[email]\nfrom = "nobody"', "'email.from'", "email address"),
    "column field": ("", '[data.columns]\nitems = "x"', "'data.columns.items'", "as a key"),
    "renames": ("", '[variants.renames]\n"a/b" = 3', "'variants.renames.a/b'", "model id"),
    "typo with a suggestion": ('tilte = "x"', "", "'tilte'", "did you mean 'title'"),
    "table typo": ("", '[email]\nform = "a@b.org"', "'email.form'", "did you mean 'email.from'"),
}


def _write(folder: Path, top: str, tables: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.toml").write_text(f'{top}\n[data]\nusage = "u.csv"\n{tables}\n', encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_setting_is_refused_with_its_key(case: str, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    top, tables, key, words = BAD[case]
    folder = _write(tmp_path / "demo", top, tables)
    assert main(["build", "--report", str(folder), "--to", "md", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert "report.toml" in err and key in err and words in err, err


def test_good_values_pass_and_every_default_passes_its_own_check(tmp_path: Path) -> None:
    folder = _write(tmp_path / "ok", 'language = "zh-Hant-TW"\ntop_n = 100\n'
                    'site_url = "http://news.example.org/x"', '[schedule]\nday = "Friday"\n'
                    '[email]\nfrom = "Desk <desk@example.org>"')
    report = load_report(folder)
    assert report.schedule.day == "friday" and report.language == "zh-Hant-TW"
    for s in SETTINGS:
        assert s.check is None or s.check(s.key, s.default) is None, s.key


def test_only_build_falls_back_to_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEEKLY_REPORT", raising=False)
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))
    for argv in (["send"], ["run"], ["schedule"], ["subscribers", "list"], ["publish"], ["serve"],
                 ["unsubscribe-server"], ["doctor"], ["bounces", "x.eml"], ["approve", "2026-W21"]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert "pass --report PATH, set WEEKLY_REPORT" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "state").exists()  # nothing made on the way out


def test_report_from_the_environment_then_the_current_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    env_report = _write(tmp_path / "from-env", 'title = "From env"', "")
    here = _write(tmp_path / "here", 'title = "Here"', "")
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.chdir(here)
    monkeypatch.setenv("WEEKLY_REPORT", str(env_report))
    assert main(["subscribers", "add", "a@example.org"]) == 0
    assert (tmp_path / "state" / "from-env.sqlite3").is_file()
    monkeypatch.delenv("WEEKLY_REPORT")
    assert main(["subscribers", "add", "b@example.org"]) == 0
    assert (tmp_path / "state" / "here.sqlite3").is_file()
    capsys.readouterr()


def test_send_from_the_wrong_folder_says_where_it_looked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    folder = _write(tmp_path / "demo", "", "")
    edition = tmp_path / "out" / "demo" / "2026-W21"
    edition.mkdir(parents=True)
    (edition / "email.html").write_text("<p>x</p>", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WEEKLY_STATE_DIR", raising=False)
    assert main(["send", "--report", str(folder), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "no subscriber database" in err and "WEEKLY_STATE_DIR unset" in err
    assert not (tmp_path / "state").exists()


def test_version() -> None:
    done = subprocess.run([sys.executable, "-m", "generator", "--version"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and done.stdout.strip() == f"weekly {version()}"


def test_help_shows_defaults_and_the_environment() -> None:
    done = subprocess.run([sys.executable, "-m", "generator", "send", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0
    assert "(default: output)" in done.stdout and "(default: latest)" in done.stdout
    assert "environment: WEEKLY_REPORT, WEEKLY_STATE_DIR, WEEKLY_SECRET, WEEKLY_SMTP_HOST" in done.stdout
    inner = subprocess.run([sys.executable, "-m", "generator", "subscribers", "add", "--help"],
                           capture_output=True, text=True, check=False)
    assert "environment: WEEKLY_REPORT, WEEKLY_STATE_DIR" in inner.stdout
