"""Atomic edition folders: recovery touches only the edition it is asked about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator.edition_dir import recover, staged_folder, sweep_orphans
from generator.textblocks import WRAPPED_URL


def test_recover_one_edition_leaves_other_builds_alone(tmp_path: Path) -> None:
    for name in (".2026-W20.abcd1234.tmp", ".2026-W21.efgh5678.tmp", ".2026-W19.old"):
        (tmp_path / name).mkdir()
    recover(tmp_path, "2026-W20")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2026-W19.old", ".2026-W21.efgh5678.tmp"]
    recover(tmp_path)  # no writer holds the W21 folder: abandoned
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W19"]


def test_recover_leaves_a_live_build_and_its_swap_alone(tmp_path: Path) -> None:
    final = tmp_path / "2026-W21"
    final.mkdir()
    with staged_folder(final) as staging:
        # As if this build were between its two renames, seen by a publish in another process.
        final.rename(tmp_path / ".2026-W21.old")
        recover(tmp_path)
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".2026-W21.old", staging.name])
        assert sweep_orphans(tmp_path) == ()
        (tmp_path / ".2026-W21.old").rename(final)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W21"]


def test_staged_folder_replaces_the_old_edition_whole(tmp_path: Path) -> None:
    final = tmp_path / "2026-W21"
    final.mkdir()
    (final / "old.txt").write_text("old")
    with staged_folder(final) as staging:
        (staging / "new.txt").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W21"]
    assert [p.name for p in final.iterdir()] == ["new.txt"]


def test_an_address_wrapped_by_the_pdf_is_read_as_one() -> None:
    text = "Web edition: https://\nexample.org/2026-W01/\n\nIndustry https://a.org/x-\ny and https://a.org/x\nNext"
    assert WRAPPED_URL.sub(r"\1", text) == (
        "Web edition: https://example.org/2026-W01/\n\nIndustry https://a.org/x-y and https://a.org/x\nNext")


# A writer killed in the middle: real temporary names, left with their locks dropped.
_KILLED_WRITER = """
import os, sys
from pathlib import Path
from generator.edition_dir import staged_folder, write_atomic
site = Path(sys.argv[1])
real = os.replace
def killed(src, dst):
    if str(src).endswith(".part"):
        os._exit(0)
    real(src, dst)
os.replace = killed
with staged_folder(site / "2026-W20") as staging:
    (staging / "facts.json").write_text("{}")
    write_atomic(site / "2026-W19" / "index.html", "<html>")
"""


def test_what_a_killed_writer_left_is_swept_and_live_work_kept(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "2026-W19").mkdir(parents=True)
    (site / ".well-known").mkdir()
    (site / ".well-known" / ".cache.abcd1234.part").write_text("not ours")
    (site / ".notes.20261128.draft.tmp").write_text("not a tempfile name")
    (site / ".link.abcd1234.tmp").symlink_to(site / "2026-W19")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parent.parent)}
    subprocess.run([sys.executable, "-c", _KILLED_WRITER, str(site)], env=env, check=True)
    left = sorted(p.name for p in site.rglob(".*") if p.name.endswith((".tmp", ".part")))
    assert [n.split(".")[1] for n in left] == ["2026-W20", "cache", "index", "link", "notes"], left
    with staged_folder(site / "2026-W21") as live:
        swept = sweep_orphans(site)
        assert sorted(p.name.split(".")[1] for p in swept) == ["2026-W20", "index"]
        assert live.is_dir()
    after = sorted(p.relative_to(site).as_posix() for p in site.rglob("*"))
    assert after == [".link.abcd1234.tmp", ".notes.20261128.draft.tmp", ".well-known",
                     ".well-known/.cache.abcd1234.part", "2026-W19", "2026-W21"]
