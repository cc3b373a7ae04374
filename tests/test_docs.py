"""Every setting, command, facts key and extension point is documented in the README (the test
fails otherwise)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from generator.cli import _parser
from generator.kinds.base import Kind
from generator.kinds.llm_usage.facts import model
from generator.render.base import Renderer
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


def test_every_facts_key_is_documented() -> None:
    # facts.json is read by other tools: each key of each stage's dataclass must be explained.
    section = README.split("## `facts.json`", 1)[1].split("\n## ", 1)[0]
    kinds = [c for c in vars(model).values()
             if dataclasses.is_dataclass(c) and isinstance(c, type) and c.__module__ == model.__name__]
    missing = sorted({f"{c.__name__}.{f.name}" for c in kinds if c is not model.WeekPoint
                      for f in dataclasses.fields(c)
                      if f"`{f.name}`" not in section and f"`{f.name}[]`" not in section})
    assert kinds and not missing, f"facts.json keys missing from README: {missing}"


def test_every_extension_point_is_documented() -> None:
    # What a plugin fills in: each field of a renderer and of a kind is named in the README.
    missing = [f"{cls.__name__}.{f.name}" for cls in (Renderer, Kind) for f in dataclasses.fields(cls)
               if f"`{cls.__name__}.{f.name}`" not in README
               and f"`{cls.__name__}.{f.name}(" not in README]
    assert not missing, f"extension points missing from README: {missing}"
