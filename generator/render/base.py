"""The one interface every renderer meets, and what it is given."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from generator.charts.model import Chart
from generator.corrections import Correction
from generator.kinds.base import Digest, EditionFacts
from generator.report import Report
from generator.story.model import Story


@dataclass(frozen=True)
class EditionContent:
    """Everything a renderer may use: the report, the week's facts, its story and charts."""

    report: Report
    facts: EditionFacts
    story: Story
    charts: tuple[Chart, ...]
    published: str  # ISO 8601 date-time with offset, when the edition is dated
    with_pdf: bool = True  # whether this build writes article.pdf: no link may point at a missing file
    digest: Digest = field(default_factory=Digest)  # what the kind's email digest shows
    corrections: tuple[Correction, ...] = ()  # shown, dated, at the top of every format

    def chart(self, name: str) -> Chart | None:
        """Return a chart by name, or None."""
        return next((c for c in self.charts if c.name == name), None)


@dataclass(frozen=True)
class TextOutput:
    """A file a renderer writes that readers read, and how the check reads it back:
    `html`, `markdown`, `text` or `pdf` (see `generator.textblocks.READERS`)."""

    name: str
    reader: str


# Every chart's PNG by name: a renderer that starts early calls it once it needs the images,
# and it waits until they are drawn.
PngFeed = Callable[[], Mapping[str, bytes]]


@dataclass(frozen=True)
class Renderer:
    """A named output format: what it writes and the function that writes it.

    `render(content, folder)` writes its files into the edition folder (being staged) and
    returns the paths written. `outputs` declares every text file it writes; `weekly check`
    reads each of them, and refuses an edition file that no renderer declares (charts aside),
    so a new format is checked from its first build.

    A renderer with `render_early(content, folder, pngs)` lays its output out from the charts'
    words and sizes alone and asks `pngs()` for the images only at the end. The pipeline may
    then start it in a process of its own before the charts are drawn, with `content.charts`
    undrawn (see `generator.render.lanes`); `render` must do the same work in one go. In a
    process that builds many editions (`weekly schedule`), that process is forked once and
    runs `render_early` edition after edition, each `content` pickled to it, its charts without
    their `draw`: it must keep no state from one edition to the next.

    `preload()` loads into this process what `render_early` needs (its libraries, their
    first-use set-up), so that the processes forked from it later start with that done. A
    process that builds many editions calls it once (`generator.render.lanes.StandingLanes`
    does); a one-off build does not, as its child loads them while the charts are drawn.
    """

    name: str
    description: str
    render: Callable[[EditionContent, Path], tuple[Path, ...]]
    outputs: tuple[TextOutput, ...] = ()
    render_early: Callable[[EditionContent, Path, PngFeed], tuple[Path, ...]] | None = None
    preload: Callable[[], None] | None = None
