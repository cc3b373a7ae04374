"""A build or a publish killed at any point leaves the previous edition and the site whole.

An edition is written into a hidden staging folder and renamed into place, so a SIGKILL can
leave a staging folder behind but never a half-written edition under its own name. The test
kills real `weekly build` and `weekly publish` processes at seeded points spread over their
duration, and checks after each kill what a reader of the site would see. The state database
(subscribers, send ledger, run steps) is SQLite in WAL mode with a transaction per step; a
kill in the middle of a send is tested in test_delivery.py (test_sigkill_mid_run_then_rerun).
A writer holds an flock on its temporaries; publish removes those whose lock is free.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import week, write_report

from generator.check import check_edition
from generator.cli import main

ROOT = Path(__file__).parent.parent
KILLS = 8
PUBLISH_KILLS = 4
ROWS = [(week(w), m, 1000 * (w + 1) + i) for w in range(3)
        for i, m in enumerate(("acme/a1", "bolt/b1", "crane/c1", "others"))]
FILES = {"facts.json", "index.html", "article.md", "article.pdf", "email.html", "email.txt"}


def tree_hash(folder: Path) -> str:
    """One hash over every file's path and bytes under `folder`."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") or ""
        if tag == "a" and href and "://" not in href and not href.startswith(("#", "mailto:")):
            self.targets.append(href)


def broken_links(site: Path) -> list[str]:
    """Relative links of the archive page that point at nothing."""
    parser = _Links()
    parser.feed((site / "index.html").read_text(encoding="utf-8"))
    assert parser.targets, "the archive links to no edition"
    return [t for t in parser.targets if not (site / t.split("#")[0]).exists()]


def _build_argv(folder: Path, out: Path, when: str) -> list[str]:
    return [sys.executable, "-m", "generator", "build", "--report", str(folder), "--out", str(out),
            "--week", when]


def test_killed_builds_and_publishes_leave_the_site_whole(tmp_path: Path) -> None:
    folder = write_report(tmp_path / "rep", ROWS)
    out = tmp_path / "out"
    site = out / "rep"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # The previous edition, built and published as a weekly run would; its build is timed only
    # to spread the kills over a build's length, nothing is asserted on the time.
    started = time.monotonic()
    subprocess.run(_build_argv(folder, out, week(1)), env=env, check=True, capture_output=True)
    length = time.monotonic() - started
    assert main(["publish", "--report", str(folder), "--out", str(out)]) == 0
    previous = site / "2026-W03"
    assert {p.name for p in previous.iterdir()} >= FILES
    before = tree_hash(previous)
    archive = {p.name: p.read_bytes() for p in site.iterdir() if p.is_file()}
    target = site / "2026-W04"

    rng = random.Random(7)
    delays = sorted(rng.uniform(0.05, 1.1) * length for _ in range(KILLS))
    outcomes = []
    for delay in delays:
        outcomes.append(_run_until(_build_argv(folder, out, week(2)), env, delay))
        assert tree_hash(previous) == before
        assert {p.name: p.read_bytes() for p in site.iterdir() if p.is_file()} == archive
        assert broken_links(site) == []
        if target.exists():
            # Under its own name an edition is whole: every format, and the check passes.
            assert {p.name for p in target.iterdir()} >= FILES
            assert check_edition(target).ok
    assert outcomes.count("killed") >= KILLS // 2, outcomes
    assert main(["build", "--report", str(folder), "--out", str(out), "--week", week(2)]) == 0
    assert check_edition(target).ok
    assert [p.name for p in site.iterdir() if p.name.startswith(".2026-W04")] == []
    # Publish killed part-way: each file of the site is replaced atomically, so every page
    # and feed is whole (old or new), and every link the archive holds resolves.
    publish = [sys.executable, "-m", "generator", "publish", "--report", str(folder), "--out", str(out)]
    started = time.monotonic()
    subprocess.run(publish, env=env, check=True, capture_output=True)
    length = time.monotonic() - started
    for delay in sorted(rng.uniform(0.1, 1.0) * length for _ in range(PUBLISH_KILLS)):
        outcomes.append(_run_until(publish, env, delay))
        assert broken_links(site) == []
        ET.parse(site / "feed.xml")
        ET.parse(site / "sitemap.xml")
        for edition in (previous, target):
            assert check_edition(edition).ok
            assert (edition / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert main(["publish", "--report", str(folder), "--out", str(out)]) == 0
    assert broken_links(site) == [] and "2026-W04/" in (site / "index.html").read_text()
    assert tree_hash(previous) != before  # publish relinked it to its successor, as it should
    # A build of another week killed while it writes its staging folder: the next publish
    # removes the leftover, which a deployment would otherwise upload with the site.
    child = subprocess.Popen(_build_argv(folder, out, week(0)), env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while child.poll() is None and not list(site.glob(".2026-W02.*.tmp")):
        time.sleep(0.005)
    if child.poll() is None:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
    assert list(site.glob(".2026-W02.*.tmp")), "the build ended before its staging folder was seen"
    assert main(["publish", "--report", str(folder), "--out", str(out)]) == 0
    assert [p for p in site.rglob(".*") if p.name.endswith((".tmp", ".part", ".old"))] == []
    print(f"crash: {outcomes.count('killed')} kills survived of {len(outcomes)} runs")


def _run_until(argv: list[str], env: dict[str, str], delay: float) -> str:
    """Run a command; SIGKILL it and its children after `delay` seconds unless it ended first."""
    child = subprocess.Popen(argv, env=env, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        child.wait(timeout=delay)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the command and the pdftotext it may be running
        child.wait()
    return "killed" if child.returncode == -signal.SIGKILL else "finished"


def test_state_database_is_in_wal_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # WAL survives a kill at any point: a half-written transaction is never seen, and readers
    # (the unsubscribe endpoint) are not blocked by a send. The mode is stored in the file.
    state = tmp_path / "state"
    monkeypatch.setenv("WEEKLY_STATE_DIR", str(state))
    folder = write_report(tmp_path / "rep", ROWS)
    assert main(["subscribers", "add", "reader@example.org", "--report", str(folder)]) == 0
    databases = sorted(state.glob("*.sqlite3"))
    assert [p.name for p in databases] == ["rep.sqlite3"]
    conn = sqlite3.connect(databases[0])
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    finally:
        conn.close()
    assert {"subscribers"} <= tables
