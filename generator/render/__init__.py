"""The renderers: one per output format, chosen by name (`--to html,md,pdf`).

Renderers are found in the `weekly.renderers` entry-point group: the built-in ones register
there like any plugin (see pyproject.toml), and are also named in `BUILTIN` so that a source
checkout that was never installed still has them. An entry point names a `Renderer` value
(`package.module:RENDERER`). Each renderer module imports its heavy libraries inside its
function, so that asking for Markdown never loads WeasyPrint.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from types import MappingProxyType

from generator.errors import InputError
from generator.render.base import EditionContent, Renderer, TextOutput
from generator.render.environment import report_template_error

GROUP = "weekly.renderers"
BUILTIN = (
    "generator.render.html:RENDERER",
    "generator.render.markdown:RENDERER",
    "generator.render.pdf:RENDERER",
    "generator.render.email:RENDERER",
)

__all__ = ["GROUP", "RENDERERS", "Renderer", "TextOutput", "chosen_renderers", "render_all",
           "render_one", "renderer", "renderers"]


def _load(target: str) -> Renderer:
    module, _, attribute = target.partition(":")
    found = getattr(importlib.import_module(module), attribute)
    if not isinstance(found, Renderer):
        raise TypeError(f"{target} is not a generator.render.base.Renderer")
    return found


@functools.cache
def renderers() -> Mapping[str, Renderer]:
    """Every renderer, built-ins first, then those of installed plugins; read once."""
    found: dict[str, Renderer] = {}
    targets = [*BUILTIN, *(ep.value for ep in entry_points(group=GROUP))]
    for target in dict.fromkeys(targets):
        r = _load(target)
        found.setdefault(r.name, r)
    return MappingProxyType(found)


RENDERERS = renderers()


def renderer(name: str) -> Renderer:
    """Return the renderer called `name`; an unknown name is an InputError listing the valid ones."""
    found = RENDERERS.get(name.strip().lower())
    if found is None:
        valid = ", ".join(RENDERERS)
        raise InputError(f"--to: unknown format {name!r}; valid formats: {valid}")
    return found


def chosen_renderers(names: Iterable[str]) -> tuple[str, ...]:
    """Validate format names (`--to`); none means every renderer, in registry order."""
    chosen = tuple(dict.fromkeys(renderer(n).name for n in names if n.strip()))
    return chosen or tuple(RENDERERS)


def render_all(content: EditionContent, folder: Path, names: Iterable[str]) -> tuple[Path, ...]:
    """Run the named renderers (all of them when none is named); return the paths written."""
    # Resolve every name first: a typo fails before anything is written.
    chosen = [RENDERERS[n] for n in chosen_renderers(names)]
    written: dict[Path, None] = {}
    for r in chosen:
        for path in render_one(content, folder, r.render):
            written[path] = None
    return tuple(written)


def render_one(content: EditionContent, folder: Path,
               render: Callable[[EditionContent, Path], tuple[Path, ...]]) -> tuple[Path, ...]:
    """Run one renderer's function; an error raised by the report's own template is bad input."""
    try:
        return render(content, folder)
    except InputError:
        raise  # already one line (a refused resource, a missing library)
    except Exception as exc:
        # Only errors raised while a report's own template ran (a broken tag, a division
        # by zero, a filter given the wrong thing) become bad input; any raised by our own
        # code alone keeps its traceback.
        bad_input = report_template_error(exc, content.report)
        if bad_input is None:
            raise
        raise bad_input from None
