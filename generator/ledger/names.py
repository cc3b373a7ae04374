"""Names that hold digits ("GPT-5.2", "01.AI"): the check masks them before it reads figures."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
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


def longest_name_pattern(names: Iterable[str]) -> re.Pattern[str] | None:
    """A case-insensitive pattern that finds, at the leftmost place where any of `names` starts,
    the longest of them that reads there; None when there are no names.

    It matches what the plain alternation of the names, longest first, matches, but is built
    as a tree of their shared beginnings. The alternation tries every name at every character
    of a text; the tree tries one character per distinct beginning, which took the check's
    masking of a sample edition from 14 to 4 ms. Blank names are left out (an empty name would
    match everywhere).
    """
    root: _Node = {}
    for name in names:
        if not name.strip():
            continue
        node = root
        for char in name:
            # ASCII letters match their other case and nothing else does: one branch for both.
            node = node.setdefault(char.lower() if char.isascii() else char, {})
        node[_END] = {}
    return re.compile(_pattern(root), re.IGNORECASE) if root else None


# A tree of names by their characters; the key _END marks a name that ends there.
_Node = dict[str, "_Node"]
_END = ""


def _pattern(root: _Node) -> str:
    # Each node's pattern from its children's, deepest first; with a stack of our own, since a
    # name (a correction's text) can be longer than Python's recursion allows.
    done: dict[int, str] = {}
    stack: list[tuple[_Node, bool]] = [(root, False)]
    while stack:
        node, ready = stack.pop()
        if _folds_specially(node):
            done[id(node)] = _listed(node)
        elif not ready:
            stack.append((node, True))
            stack.extend((child, False) for char, child in node.items() if char != _END)
        else:
            # A name ending here is tried last, so that a longer one reading on wins.
            parts = [re.escape(char) + done[id(child)] for char, child in node.items() if char != _END]
            if _END in node:
                parts.append("")
            done[id(node)] = _group(parts)
    return done[id(root)]


def _folds_specially(node: _Node) -> bool:
    # Where a character outside ASCII branches, its case may match more than one branch (re
    # folds some letters specially): below it the names are listed whole, as the plain
    # alternation would list them.
    return any(not char.isascii() for char in node)


def _listed(node: _Node) -> str:
    suffixes, stack = [], [(node, "")]
    while stack:
        at, prefix = stack.pop()
        for char, child in at.items():
            if char == _END:
                suffixes.append(prefix)
            else:
                stack.append((child, prefix + char))
    return _group([re.escape(s) for s in sorted(suffixes, key=len, reverse=True)])


def _group(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"
