"""The Markdown post: `article.md` with YAML front matter for Hugo, Jekyll and MkDocs."""

from __future__ import annotations

from pathlib import Path

from generator.layout import ARTICLE
from generator.render.base import EditionContent, Renderer, TextOutput
from generator.render.environment import edition_context, environment
from generator.render.html import write_charts


def markdown_post(content: EditionContent) -> str:
    """Render the Markdown post (front matter and body) to a string."""
    env = environment(content.report)
    return env.get_template("md/article.md").render(edition_context(content, use_svg=False))


def render_markdown(content: EditionContent, folder: Path) -> tuple[Path, ...]:
    """Write `article.md` and the chart PNGs it links to into the edition folder."""
    post = folder / ARTICLE
    text = markdown_post(content)
    charts = write_charts(content, folder, svg=False)
    post.write_text(text, encoding="utf-8")
    return (post, *charts)


RENDERER = Renderer("md", "Markdown post article.md with YAML front matter", render_markdown,
                    (TextOutput(ARTICLE, "markdown"),))
