"""A new output format is checked from its first build: renderers declare their files.

A throwaway renderer is installed the way a plugin would be (a distribution's entry point in
the `weekly.renderers` group, on the path of a fresh `weekly` process). Its file is read by the
check like the built-in formats: a figure in it that the ledger does not hold fails the build.
A file that no renderer declares fails the check too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.check import check_edition

PLUGIN = '''
from pathlib import Path

from generator.render.base import Renderer, TextOutput


def render(content, folder: Path):
    path = folder / "brief.txt"
    path.write_text(f"{content.story.headline}\\n\\n{BODY}\\n", encoding="utf-8")
    return (path,)


RENDERER = Renderer("brief", "a one-paragraph brief", render, (TextOutput("brief.txt", "text"),))
'''


def _install(site: Path, body: str) -> dict[str, str]:
    """Write the plugin module and its distribution metadata; return the environment to run in."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "brief_plugin.py").write_text(f"BODY = {body!r}\n" + PLUGIN, encoding="utf-8")
    info = site / "brief_plugin-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: brief-plugin\nVersion: 1.0\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text(
        "[weekly.renderers]\nbrief = brief_plugin:RENDERER\n", encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(site), env.get("PYTHONPATH", "")])
    return env


def _weekly(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], env=env, text=True,
                          capture_output=True, timeout=300, check=False)


def test_a_plugin_format_is_listed_and_its_file_checked(tmp_path: Path) -> None:
    env = _install(tmp_path / "site", "All of it was written by hand, with no figures.")
    out = tmp_path / "out"
    done = _weekly(env, "build", "--out", str(out), "--to", "md,brief")
    assert done.returncode == 0, done.stderr
    edition = out / "llm-usage" / "2026-W21"
    assert (edition / "brief.txt").is_file()
    assert "brief.txt" in _weekly(env, "check", str(edition)).stdout

    bad = _install(tmp_path / "bad", "Usage rose 99 % this week.")
    refused = _weekly(bad, "build", "--out", str(tmp_path / "out2"), "--to", "md,brief")
    assert refused.returncode == 1
    assert "brief.txt: '99'" in refused.stderr and "not traced" in refused.stderr
    assert not (tmp_path / "out2" / "llm-usage" / "2026-W21").exists()


def test_an_unknown_format_lists_the_plugins_too(tmp_path: Path) -> None:
    env = _install(tmp_path / "site", "Nothing.")
    done = _weekly(env, "build", "--out", str(tmp_path / "out"), "--to", "docx")
    assert done.returncode == 2
    assert "valid formats: html, md, pdf, email, brief" in done.stderr


@pytest.mark.parametrize("stray", ["notes.txt", "charts/extra.csv"])
def test_a_file_no_renderer_declares_fails_the_check(
    sample_edition: Path, tmp_path: Path, stray: str
) -> None:
    edition = tmp_path / "2026-W21"
    subprocess.run(["cp", "-r", str(sample_edition), str(edition)], check=True)
    (edition / stray).write_text("Usage rose 99 % this week.\n", encoding="utf-8")
    result = check_edition(edition)
    assert not result.ok
    assert [p.file for p in result.problems] == [stray]
