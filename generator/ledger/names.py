"""Names that hold digits ("GPT-5.2", "01.AI"): the check masks them before it reads figures."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def names_with_digits(data: Any, keys: Collection[str]) -> set[str]:
    """Every string with a digit in it, anywhere in `data`, whose key is one of `keys`
    (inside a list, the key of the list)."""
    found: set[str] = set()

    def walk(node: Any, key: str | None) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and key in keys and any(c.isdigit() for c in node):
            found.add(node)

    walk(data, None)
    return found
