"""Atomic edition folders: recovery touches only the edition it is asked about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.edition_dir import recover, staged_folder, sweep_orphans, write_atomic
from generator.textblocks import WRAPPED_URL


def test_recover_one_edition_leaves_other_builds_alone(tmp_path: Path) -> None:
    for name in (".2026-W20.abc.tmp", ".2026-W21.def.tmp", ".2026-W19.old"):
        (tmp_path / name).mkdir()
    recover(tmp_path, "2026-W20")
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2026-W19.old", ".2026-W21.def.tmp"]
    recover(tmp_path, staging=False)  # publish: puts the interrupted swap back, keeps staging
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2026-W21.def.tmp", "2026-W19"]
    recover(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-W19"]


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


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_leftovers_of_dead_writers_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    dead, live = _dead_pid(), os.getpid()
    (tmp_path / f".2026-W20.{dead}.ab12cd.tmp").mkdir()
    (tmp_path / f".2026-W20.{dead}.ab12cd.tmp" / "facts.json").write_text("{}")
    (tmp_path / f".2026-W21.{live}.ef34gh.tmp").mkdir()
    (tmp_path / "2026-W19").mkdir()
    (tmp_path / "2026-W19" / f".index.html.{dead}.x9y8z7.part").write_text("<ht")
    (tmp_path / f".feed.xml.{live}.k1l2m3.part").write_text("<fe")
    (tmp_path / ".well-known").mkdir()  # hidden, but not ours: never touched
    swept = sweep_orphans(tmp_path)
    assert len(swept) == 2
    left = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert left == [f".2026-W21.{live}.ef34gh.tmp", f".feed.xml.{live}.k1l2m3.part", ".well-known",
                    "2026-W19"]


def test_temporary_names_carry_the_writer_pid(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    moved: list[str] = []
    real_replace = os.replace

    def spy(src: str | Path, dst: str | Path) -> None:
        moved.append(Path(src).name)
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    write_atomic(tmp_path / "index.html", "x")
    with staged_folder(tmp_path / "2026-W21"):
        pass
    assert [n.split(".")[-3] for n in moved] == [str(os.getpid())] * 2, moved
