"""Every setting and every command is documented in the README (the test fails otherwise)."""

from __future__ import annotations

from pathlib import Path

from generator.cli import _parser
from generator.settings import SETTINGS

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_documented() -> None:
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_every_command_is_documented() -> None:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    commands = list(sub.choices)  # type: ignore[arg-type]
    missing = [c for c in commands if f"weekly {c}" not in README]
    assert commands and not missing, f"commands missing from README: {missing}"
