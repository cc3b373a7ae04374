"""The renderers: one per output format, chosen by name (`--to html,md,pdf`).

Each renderer module imports its heavy libraries inside its function, so that asking for
Markdown never loads WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from generator.errors import InputError
from generator.render.base import EditionContent, Renderer
from generator.render.email import render_email
from generator.render.environment import report_template_error
from generator.render.html import render_html
from generator.render.markdown import render_markdown
from generator.render.pdf import render_pdf

RENDERERS: dict[str, Renderer] = {
    "html": Renderer("html", "web page index.html, charts in charts/", render_html),
    "md": Renderer("md", "Markdown post article.md with YAML front matter", render_markdown),
    "pdf": Renderer("pdf", "downloadable PDF article.pdf (WeasyPrint)", render_pdf),
    "email": Renderer(
        "email", "email digest email.html (inlined CSS, charts as cid:) and email.txt", render_email
    ),
}


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
        try:
            paths = r.render(content, folder)
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
        for path in paths:
            written[path] = None
    return tuple(written)
