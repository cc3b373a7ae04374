"""Atomic edition folders: recovery touches only the edition it is asked about."""

from __future__ import annotations

from pathlib import Path

from generator.edition_dir import recover, staged_folder
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
