"""The report kinds, found by name: built-ins and plugins through one entry-point group.

A plugin package adds a kind by naming its `Kind` value in the `weekly.kinds` group, the entry
point's name being the kind's (`my-kind = "my_package.kind:KIND"`); a report chooses it with
`kind = "my-kind"` in `report.toml`. Names are known without importing any kind, so checking a
report's settings loads no domain code (and no pandas or matplotlib).
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from importlib.metadata import entry_points
from types import MappingProxyType
from typing import TYPE_CHECKING, cast

from generator.errors import InputError, Where

if TYPE_CHECKING:
    # Only for types: `generator.report` imports this registry, and `base` imports the report.
    from generator.kinds.base import Kind

GROUP = "weekly.kinds"
BUILTIN = MappingProxyType({"llm-usage": "generator.kinds.llm_usage:KIND",
                            "usage": "generator.kinds.usage:KIND"})

__all__ = ["GROUP", "available", "kind", "require"]


@functools.cache
def available() -> Mapping[str, str]:
    """Every kind's name and where its `Kind` value lives, built-ins first."""
    found = dict(BUILTIN)
    for ep in entry_points(group=GROUP):
        found.setdefault(ep.name, ep.value)
    return MappingProxyType(found)


def require(name: str, where: Where | None = None) -> str:
    """The name, when a kind of that name is installed; else one line listing the valid ones."""
    if name not in available():
        raise InputError(f"kind expected one of {', '.join(available())}, got {name!r}", where)
    return name


@functools.cache
def kind(name: str) -> Kind:
    """Load the kind called `name` (which `require` has accepted)."""
    module, _, attribute = available()[require(name)].partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if getattr(found, "name", None) != name:
        raise TypeError(f"{available()[name]} is not the generator.kinds.Kind named {name!r}")
    return cast("Kind", found)
