"""The PDF laid out in a forked process while the charts are drawn (generator/render/lanes.py).

Each test builds for real: the child is a real fork running WeasyPrint, fed the real PNGs
through a real pipe. What must hold: the same files as a build done in one process; the PDF
really laid out elsewhere, before any chart exists; and any failure on either side ends the
build cleanly, with the last good edition intact and no process left behind.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType

import pytest

import generator.pipeline as pipeline
import generator.render as render
import generator.render.lanes as lanes
from generator import cores
from generator.cli import main
from generator.errors import InputError
from generator.pipeline import BuildRequest, build_edition
from generator.render.base import EditionContent, PngFeed
from generator.report import load_report
from tests.helpers import week, write_report

needs_two_cores = pytest.mark.skipif(not lanes.can_start_early(),
                                     reason="needs fork and two usable cores")


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    # A build that hangs (a child that ignores SIGTERM, say) fails the test instead of the suite.
    def expired(signum: int, frame: object) -> None:
        raise TimeoutError("the build hung")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(240)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _gone(pid: int) -> bool:
    """Whether the process has ended (a zombie has ended too: only its exit status is left)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _wait_gone(pid: int, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _gone(pid):
            return True
        time.sleep(0.05)
    return False


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _pdf_text(path: Path) -> str:
    done = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True, timeout=120)
    return done.stdout


@pytest.fixture
def pdf_wrapped(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mapping[str, object]]:
    """Wrap the PDF renderer's early start; the test fills `seen` with what it observed."""
    seen: dict[str, object] = {}
    original = render.RENDERERS["pdf"]
    assert original.render_early is not None
    early = original.render_early

    def wrapped(content: EditionContent, folder: Path, pngs: PngFeed) -> tuple[Path, ...]:
        (folder / ".." / "pdf-pid").resolve().write_text(str(os.getpid()), encoding="utf-8")
        (folder / ".." / "pdf-nice").resolve().write_text(str(os.nice(0)), encoding="utf-8")
        undrawn = all(chart.images is None for chart in content.charts)
        (folder / ".." / "pdf-undrawn").resolve().write_text(str(undrawn), encoding="utf-8")
        # A standing worker was forked before the test chose: it reads its orders from a file.
        orders = (folder / ".." / "pdf-action").resolve()
        action = orders.read_text(encoding="utf-8") if orders.exists() else seen.get("action")
        if action == "die":
            os._exit(7)
        if action == "refuse":
            raise InputError("templates/pdf/article.html: refused for the test")
        if action == "crash":
            raise RuntimeError("the renderer's own bug, for the test")
        return early(content, folder, pngs)

    replaced = dataclasses.replace(original, render_early=wrapped)
    table = MappingProxyType({**render.RENDERERS, "pdf": replaced})
    monkeypatch.setattr(render, "RENDERERS", table)
    monkeypatch.setattr(lanes, "RENDERERS", table)
    yield seen


@needs_two_cores
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (./dev setup)")
def test_overlapped_and_serial_builds_write_the_same_edition(tmp_path: Path) -> None:
    report = load_report(None)
    together = build_edition(BuildRequest(report=report, week="2026-W21", out=tmp_path / "a"))
    apart = build_edition(BuildRequest(report=report, week="2026-W21", out=tmp_path / "b",
                                       overlap=False))
    first, second = _files(together.folder), _files(apart.folder)
    assert first.keys() == second.keys()
    assert "article.pdf" in first and "charts/total.png" in first
    for name in first:
        if name != "article.pdf":
            assert first[name] == second[name], name
    assert _pdf_text(together.folder / "article.pdf") == _pdf_text(apart.folder / "article.pdf")
    # Same pages, same charts: the PDFs differ in their creation time and ids at most.
    assert abs(len(first["article.pdf"]) - len(second["article.pdf"])) < 200


@needs_two_cores
def test_the_pdf_is_laid_out_in_another_process_before_the_charts_are_drawn(
        tmp_path: Path, pdf_wrapped: dict[str, object]) -> None:
    build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=tmp_path / "out"))
    folder = tmp_path / "out" / "llm-usage"
    child = int((folder / "pdf-pid").read_text())
    assert child != os.getpid()
    # It gives way to the parent's lane, the critical path, when both want the cores.
    assert int((folder / "pdf-nice").read_text()) == min(os.nice(0) + lanes.CHILD_NICENESS, 19)
    assert (folder / "pdf-undrawn").read_text() == "True"
    assert (folder / "2026-W21" / "article.pdf").stat().st_size > 10_000
    assert _gone(child)


@pytest.mark.parametrize("why", ["one core", "turned off"])
def test_otherwise_the_pdf_is_made_in_process_from_the_same_outline(
        why: str, tmp_path: Path, pdf_wrapped: dict[str, object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The same input either way (undrawn charts, then the PNGs), so a report's own print
    # template cannot work in one path and fail in the other.
    if why == "one core":
        monkeypatch.setattr(cores, "usable_cores", lambda *_: 1)
    build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=tmp_path / "out",
                               overlap=why != "turned off"))
    folder = tmp_path / "out" / "llm-usage"
    assert int((folder / "pdf-pid").read_text()) == os.getpid()
    assert (folder / "pdf-undrawn").read_text() == "True"
    assert (folder / "2026-W21" / "article.pdf").is_file()


@pytest.mark.parametrize("overlap", [True, False])
def test_the_pdf_alone_is_the_pdf_alone(overlap: bool, tmp_path: Path) -> None:
    built = build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=tmp_path,
                                       formats=("pdf",), overlap=overlap))
    assert sorted(_files(built.folder)) == ["article.pdf", "facts.json"]


@needs_two_cores
@pytest.mark.parametrize("action", ["die", "refuse"])
def test_a_failing_child_fails_the_build_and_keeps_the_last_edition(
        action: str, tmp_path: Path, pdf_wrapped: dict[str, object]) -> None:
    report = load_report(None)
    out = tmp_path / "out"
    good = build_edition(BuildRequest(report=report, week="2026-W21", out=out, overlap=False))
    before = _files(good.folder)
    pdf_wrapped["action"] = action
    expected: type[Exception] = lanes.ChildFailed if action == "die" else InputError
    with pytest.raises(expected) as caught:
        build_edition(BuildRequest(report=report, week="2026-W21", out=out))
    if action == "die":
        assert "exit code 7" in str(caught.value)
    else:
        assert str(caught.value).endswith("refused for the test")
    assert _files(good.folder) == before
    assert sorted(p.name for p in good.folder.parent.iterdir() if p.is_dir()) == ["2026-W21"]
    assert _gone(int((good.folder.parent / "pdf-pid").read_text()))


@needs_two_cores
@pytest.mark.parametrize("where", ["drawing", "email"])
def test_a_failure_in_the_parent_stops_the_child_even_under_the_scheduler(
        where: str, tmp_path: Path, pdf_wrapped: dict[str, object],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # `weekly schedule` turns SIGTERM into a flag; the child must not inherit that, or the
    # build would wait for it forever.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: None)
    try:
        if where == "drawing":
            def broken_drawing(*args: object, **kwargs: object) -> None:
                # Fail once the child is laying the PDF out, so that it must be stopped.
                started = tmp_path / "out" / "llm-usage" / "pdf-pid"
                deadline = time.monotonic() + 60
                while not started.exists() and time.monotonic() < deadline:
                    time.sleep(0.02)
                raise InputError("charts: refused for the test")

            monkeypatch.setattr(pipeline, "draw_charts", broken_drawing)
        else:
            def broken(content: EditionContent, folder: Path) -> tuple[Path, ...]:
                raise InputError("email: refused for the test")

            table = MappingProxyType({**render.RENDERERS, "email": dataclasses.replace(
                render.RENDERERS["email"], render=broken)})
            monkeypatch.setattr(render, "RENDERERS", table)
            monkeypatch.setattr(lanes, "RENDERERS", table)
        out = tmp_path / "out"
        with pytest.raises(InputError, match="refused for the test"):
            build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=out))
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert _gone(int((out / "llm-usage" / "pdf-pid").read_text()))
    assert not (out / "llm-usage" / "2026-W21").exists()
    assert not any(p.is_dir() for p in (out / "llm-usage").iterdir())


@needs_two_cores
def test_a_child_whose_parent_dies_ends_too(tmp_path: Path) -> None:
    # The parent is killed while the child waits for the PNGs: the child must see it and go,
    # not wait for ever holding the parent's files (its locks among them).
    script = textwrap.dedent(f"""
        import multiprocessing, os, pathlib
        import generator.pipeline as pipeline
        from generator.report import load_report

        def die(*args, **kwargs):
            (child,) = multiprocessing.active_children()
            pathlib.Path({str(tmp_path / "child")!r}).write_text(str(child.pid))
            os._exit(3)

        pipeline.draw_charts = die
        pipeline.build_edition(pipeline.BuildRequest(report=load_report(None), week="2026-W21",
                                                     out=pathlib.Path({str(tmp_path / "out")!r})))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 3, done.stderr
    assert _wait_gone(int((tmp_path / "child").read_text()))


@pytest.mark.parametrize("overlap", [pytest.param(True, marks=needs_two_cores), False])
def test_a_print_template_error_is_one_line_either_way(
        overlap: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # The same bad-input line whether the PDF was laid out in the child or in the process.
    if not overlap:
        monkeypatch.setattr(cores, "usable_cores", lambda *_: 1)
    rows = [(week(0), "acme/a1", 300), (week(1), "acme/a1", 330), (week(1), "bolt/b1", 20)]
    folder = write_report(tmp_path / "rep", rows)
    own = folder / "templates" / "pdf"
    own.mkdir(parents=True)
    (own / "article.html").write_text(
        '{% extends "builtin/pdf/article.html" %}{% block toc %}{{ no_such_thing }}{% endblock %}',
        encoding="utf-8")
    out = tmp_path / "out"
    status = main(["build", "--report", str(folder), "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1, err
    assert "line 1: template error: 'no_such_thing' is undefined" in err[0]
    assert "article.html" in err[0]
    assert not (out / "rep" / "2026-W02").exists()


def test_preload_loads_what_a_forked_renderer_needs_and_only_where_it_forks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = render.RENDERERS["pdf"]
    table = MappingProxyType({**render.RENDERERS,
                              "pdf": dataclasses.replace(original, preload=lambda: calls.append("pdf"))})
    monkeypatch.setattr(lanes, "RENDERERS", table)
    monkeypatch.setattr(lanes, "can_start_early", lambda: True)
    # Formats that never start early (the web page, Markdown) have nothing to preload.
    assert lanes.preload(["html", "md", "pdf", "email"]) == ("pdf",)
    assert calls == ["pdf"]
    # In process (one core, no fork) the first build loads them where they are used.
    monkeypatch.setattr(lanes, "can_start_early", lambda: False)
    assert lanes.preload(["pdf"]) == ()
    assert calls == ["pdf"]


@needs_two_cores
def test_after_preload_a_pdf_imports_nothing_more(tmp_path: Path) -> None:
    # A fresh interpreter: this one has imported WeasyPrint long ago. Without the preload, each
    # PDF process forked from a parent that never made a PDF imported about 270 modules anew.
    script = textwrap.dedent("""
        import sys
        from generator.render.lanes import preload
        assert "weasyprint" not in sys.modules
        assert preload(["pdf"]) == ("pdf",)
        loaded = set(sys.modules)
        import weasyprint
        weasyprint.HTML(string="<html lang='fr'><title>t</title><h2>Semaine</h2><p><em>a</em> "
                        "<strong>b</strong></p><ul><li>c</li></ul></html>").write_pdf(pdf_variant="pdf/ua-1")
        print(sorted(set(sys.modules) - loaded))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


@pytest.fixture
def standing(pdf_wrapped: dict[str, object]) -> Iterator[lanes.StandingLanes]:
    """The PDF's standing worker, forked once with the wrapped renderer (see `pdf_wrapped`)."""
    with lanes.StandingLanes.start(["html", "md", "pdf", "email"]) as started:
        assert started.names == ("pdf",)
        yield started


def _built_by(out: Path) -> int:
    return int((out / "llm-usage" / "pdf-pid").read_text())


def _order(out: Path, action: str | None) -> None:
    # What the wrapped PDF renderer does next, in whichever process it runs (see `pdf_wrapped`).
    orders = out / "llm-usage" / "pdf-action"
    if action is None:
        orders.unlink()
        return
    orders.parent.mkdir(parents=True, exist_ok=True)
    orders.write_text(action, encoding="utf-8")


@needs_two_cores
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (./dev setup)")
def test_a_standing_worker_lays_out_edition_after_edition(
        tmp_path: Path, standing: lanes.StandingLanes) -> None:
    report = load_report(None)
    worker = standing.pid("pdf")
    assert worker is not None and worker != os.getpid()
    out = tmp_path / "out"
    for label in ("2026-W20", "2026-W21", "2026-W21"):
        built = build_edition(BuildRequest(report=report, week=label, out=out, lanes=standing))
        assert _built_by(out) == worker
        # The same edition as one whose PDF had a process of its own.
        alone = build_edition(BuildRequest(report=report, week=label, out=tmp_path / label))
        assert _built_by(tmp_path / label) not in (worker, os.getpid())
        assert _files(built.folder).keys() == _files(alone.folder).keys()
        assert _pdf_text(built.folder / "article.pdf") == _pdf_text(alone.folder / "article.pdf")
    assert standing.pid("pdf") == worker and not _gone(worker)
    standing.close()
    assert _gone(worker) and standing.pid("pdf") is None


@needs_two_cores
@pytest.mark.parametrize("how", ["killed between builds", "died in a build"])
def test_a_standing_worker_that_dies_is_forked_afresh(
        how: str, tmp_path: Path, standing: lanes.StandingLanes) -> None:
    report = load_report(None)
    out = tmp_path / "out"
    first = standing.pid("pdf")
    assert first is not None
    if how == "killed between builds":
        os.kill(first, signal.SIGKILL)
        assert _wait_gone(first)
    else:
        _order(out, "die")
        with pytest.raises(lanes.ChildFailed, match="exit code 7"):
            build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
        assert _gone(first)
        _order(out, None)
    # Within a build nothing standing is forked (it would keep the build's locks): the build
    # forks a child of its own, and the worker comes back between builds.
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) not in (first, os.getpid())
    assert standing.refill() == ("pdf",) and standing.refill() == ()
    second = standing.pid("pdf")
    assert second not in (None, first)
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) == second
    assert (out / "llm-usage" / "2026-W21" / "article.pdf").stat().st_size > 10_000


@needs_two_cores
def test_a_standing_worker_whose_renderer_refuses_stays_for_the_next_build(
        tmp_path: Path, standing: lanes.StandingLanes) -> None:
    report = load_report(None)
    out = tmp_path / "out"
    worker = standing.pid("pdf")
    _order(out, "refuse")
    with pytest.raises(InputError, match="refused for the test"):
        build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert not (out / "llm-usage" / "2026-W21").exists()
    _order(out, None)
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) == worker == standing.pid("pdf")


@needs_two_cores
def test_a_build_that_fails_in_the_parent_stops_its_standing_worker(
        tmp_path: Path, standing: lanes.StandingLanes, monkeypatch: pytest.MonkeyPatch) -> None:
    # Half-way through a build the worker's state is unknown (PNGs on their way, an answer
    # nobody will read): it is stopped, and the next build forks a child of its own.
    report = load_report(None)
    out = tmp_path / "out"
    first = standing.pid("pdf")
    assert first is not None
    drawing = pipeline.draw_charts

    def broken_drawing(*args: object, **kwargs: object) -> None:
        started = out / "llm-usage" / "pdf-pid"
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        raise InputError("charts: refused for the test")

    monkeypatch.setattr(pipeline, "draw_charts", broken_drawing)
    with pytest.raises(InputError, match="refused for the test"):
        build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _gone(first)
    monkeypatch.setattr(pipeline, "draw_charts", drawing)
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) not in (first, os.getpid())


@needs_two_cores
def test_a_standing_worker_whose_parent_dies_ends_too(tmp_path: Path) -> None:
    script = textwrap.dedent(f"""
        import os, pathlib
        from generator.render.lanes import StandingLanes

        lanes = StandingLanes.start(["pdf"])
        pathlib.Path({str(tmp_path / "worker")!r}).write_text(str(lanes.pid("pdf")))
        os._exit(3)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=180, check=False)
    assert done.returncode == 3, done.stderr
    assert _wait_gone(int((tmp_path / "worker").read_text()))


def test_no_standing_worker_where_renderers_cannot_start_early(
        tmp_path: Path, pdf_wrapped: dict[str, object], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores, "usable_cores", lambda *_: 1)
    with lanes.StandingLanes.start(["pdf"]) as standing:
        assert standing.names == () and standing.pid("pdf") is None
        build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=tmp_path,
                                   lanes=standing))
    assert _built_by(tmp_path) == os.getpid()


@needs_two_cores
def test_a_standing_worker_whose_renderer_crashes_is_not_reused(
        tmp_path: Path, standing: lanes.StandingLanes) -> None:
    # Bad input leaves a worker as it was; a bug in the renderer may not (its state, memory).
    report = load_report(None)
    out = tmp_path / "out"
    worker = standing.pid("pdf")
    assert worker is not None
    _order(out, "crash")
    with pytest.raises(RuntimeError, match="own bug, for the test"):
        build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _gone(worker) and standing.pid("pdf") is None
    _order(out, None)
    standing.refill()
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) == standing.pid("pdf") != worker


@needs_two_cores
def test_an_outline_that_does_not_pickle_gets_a_child_of_its_own(
        tmp_path: Path, standing: lanes.StandingLanes, monkeypatch: pytest.MonkeyPatch) -> None:
    report = load_report(None)
    out = tmp_path / "out"
    worker = standing.pid("pdf")
    portable = lanes._portable

    def unpicklable(content: EditionContent) -> EditionContent:
        return dataclasses.replace(portable(content), digest=lambda: None)  # type: ignore[arg-type]

    monkeypatch.setattr(lanes, "_portable", unpicklable)
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) not in (worker, os.getpid())
    # Nothing reached the worker: it serves the next build as it was.
    monkeypatch.setattr(lanes, "_portable", portable)
    build_edition(BuildRequest(report=report, week="2026-W21", out=out, lanes=standing))
    assert _built_by(out) == worker == standing.pid("pdf")


def test_a_worker_is_sent_the_charts_words_without_their_drawing(tmp_path: Path) -> None:
    # A kind may draw a chart with a lambda; a renderer that starts early never draws.
    built = build_edition(BuildRequest(report=load_report(None), week="2026-W21", out=tmp_path,
                                       formats=("md",)))
    content = dataclasses.replace(built.content, charts=tuple(
        dataclasses.replace(chart, draw=lambda canvas: None) for chart in built.content.charts))
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        pickle.dumps(content)
    sent = pickle.loads(pickle.dumps(lanes._portable(content)))
    assert [c.name for c in sent.charts] == [c.name for c in content.charts]
    assert all(c.draw is None and c.alt for c in sent.charts)
