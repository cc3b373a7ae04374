"""Renderers that start early: each in a forked process, laying its pages out while this
process draws the charts, then taking the charts' PNGs through a pipe.

The PDF is the longest format to make and needs the charts only at its very end, so on two
cores an edition takes about as long as its longer half instead of the sum of both. A fork
(not a fresh interpreter) is what makes this pay: the child already has the libraries loaded
and the edition's content in memory, and nothing crosses the pipe but the PNGs and the outcome.
Where fork is missing, or only one core is usable, or in a backfill's workers (which keep each
core busy themselves), the same renderers run in this process once the charts are drawn, from
the same outline and the same PNGs.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import multiprocessing.connection
import os
import pickle
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from generator import cores
from generator.render import RENDERERS, render_one
from generator.render.base import EditionContent, PngFeed, Renderer

# A child that has said nothing for this long is stuck (a lock inherited in a held state, say).
CHILD_TIMEOUT_S = 600.0
# How much lower the child's priority is than its parent's. The parent's lane (the drawing, the
# other formats, the check) is the critical path and the child's has slack, so the child gives
# way when both want the cores: a warm edition took 1.22 to 1.34 s instead of 1.41 to 1.51 s
# (medians of 12 builds, three pairs in turn); a cold one the same (2.65 against 2.64 s).
CHILD_NICENESS = 10


class ChildFailed(RuntimeError):
    """An early renderer's process ended without an outcome (killed, or it crashed)."""


class _RemoteTraceback(Exception):
    """The traceback of an exception raised in the child, as text: the cause of the one raised here."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text


def can_start_early() -> bool:
    """Whether renderers may run in a forked process of their own here."""
    return "fork" in multiprocessing.get_all_start_methods() and cores.usable_cores() >= 2


@dataclass
class _Lane:
    renderer: Renderer
    process: BaseProcess
    conn: Connection
    sender: threading.Thread | None = None


class EarlyRenderers:
    """The renderers that lay their output out from an edition's outline, for one build.

    Forked ones run while the charts are drawn; the others (no fork, one core, or turned off)
    run in this process at `finish()`. Both get the same input: the outline, then the PNGs.
    """

    def __init__(self, content: EditionContent, folder: Path, inline: list[Renderer]) -> None:
        self._content, self._folder = content, folder
        self._lanes: list[_Lane] = []
        self._inline = inline
        self._pngs: Mapping[str, bytes] | None = None

    @property
    def names(self) -> frozenset[str]:
        """The formats made here, forked or not (the pipeline renders the others itself)."""
        return frozenset(r.name for r in (*self._inline, *(lane.renderer for lane in self._lanes)))

    def feed(self, pngs: Mapping[str, bytes]) -> None:
        """Hand every chart's PNG to each early renderer, without waiting for it to read them."""
        self._pngs = dict(pngs)
        for lane in self._lanes:
            # A pipe holds 64 KiB: the send would block until the child reads, at its end.
            lane.sender = threading.Thread(target=_send, args=(lane.conn, self._pngs), daemon=True)
            lane.sender.start()

    def finish(self) -> tuple[Path, ...]:
        """Wait for each forked renderer and run the others; return the paths written, or
        raise what a renderer raised."""
        written: list[Path] = []
        for lane in self._lanes:
            if not lane.conn.poll(CHILD_TIMEOUT_S):
                raise ChildFailed(f"the {lane.renderer.name} renderer gave no answer in "
                                  f"{CHILD_TIMEOUT_S:.0f} s")
            try:
                paths, error, text = lane.conn.recv()
            except EOFError:
                lane.process.join()
                raise ChildFailed(f"the {lane.renderer.name} renderer's process ended with "
                                  f"exit code {lane.process.exitcode}") from None
            if error is not None:
                raise error from _RemoteTraceback(text)
            if text:
                raise RuntimeError(f"the {lane.renderer.name} renderer failed in its process:\n{text}")
            written.extend(paths)
        for renderer in self._inline:
            written.extend(render_one(self._content, self._folder, self._inline_render(renderer)))
        return tuple(written)

    def _inline_render(self, renderer: Renderer) -> Callable[[EditionContent, Path], tuple[Path, ...]]:
        early, pngs = _early(renderer), self._pngs
        if pngs is None:
            raise ValueError("finish() before feed(): the charts are not drawn")
        return lambda content, folder: early(content, folder, lambda: pngs)

    def _start(self, renderer: Renderer) -> None:
        # Unflushed output would be written twice: once more by the child as it exits.
        sys.stdout.flush()
        sys.stderr.flush()
        context = multiprocessing.get_context("fork")
        ours, theirs = context.Pipe()
        # The child closes every parent end it inherits, so that it sees its parent go away.
        parents = [*(lane.conn for lane in self._lanes), ours]
        process = context.Process(target=_child, name=f"weekly-{renderer.name}", daemon=True,
                                  args=(renderer, self._content, self._folder, theirs, parents))
        process.start()
        theirs.close()
        self._lanes.append(_Lane(renderer, process, ours))

    def close(self) -> None:
        """Stop any child still running (the build failed elsewhere) and reap them all."""
        for lane in self._lanes:
            lane.conn.close()
            if lane.process.is_alive():
                lane.process.terminate()
                lane.process.join(timeout=5.0)
            if lane.process.is_alive():
                lane.process.kill()
            lane.process.join()
            lane.process.close()
            if lane.sender is not None:
                lane.sender.join(timeout=1.0)


@contextmanager
def early_renderers(content: EditionContent, folder: Path, names: Iterable[str],
                    enabled: bool = True) -> Iterator[EarlyRenderers]:
    """The named renderers that can start early, each started now in a forked child where
    that can help and `enabled`, else run at `finish()`; `content` holds the charts undrawn."""
    wanted = [RENDERERS[n] for n in names if RENDERERS[n].render_early is not None]
    fork = enabled and can_start_early()
    early = EarlyRenderers(content, folder, [] if fork else wanted)
    try:
        for renderer in wanted if fork else ():
            early._start(renderer)
        yield early
    finally:
        early.close()


def preload(names: Iterable[str]) -> tuple[str, ...]:
    """Load what the named renderers need before they start early, where they will be forked:
    for a process that builds edition after edition (`weekly schedule`), whose children would
    otherwise each load the PDF's libraries anew, the parent never having used them. Returns
    the names of the renderers preloaded."""
    if not can_start_early():
        return ()  # they run in this process, and the first build loads what they need
    done = []
    for renderer in (RENDERERS[n] for n in names):
        if renderer.render_early is not None and renderer.preload is not None:
            renderer.preload()
            done.append(renderer.name)
    return tuple(done)


def _send(conn: Connection, payload: Mapping[str, bytes]) -> None:
    # A child already gone breaks the pipe: finish() says why, from its outcome or exit code.
    with contextlib.suppress(OSError):
        conn.send(payload)


def _early(renderer: Renderer) -> Callable[[EditionContent, Path, PngFeed], tuple[Path, ...]]:
    if renderer.render_early is None:
        raise ValueError(f"renderer {renderer.name!r} cannot start early")
    return renderer.render_early


class _Abandoned(Exception):
    """The parent went away, or closed the pipe, before sending the PNGs: its build failed."""


def _child(renderer: Renderer, content: EditionContent, folder: Path, conn: Connection,
           parents: list[Connection]) -> None:
    # Runs in the forked child: lay the pages out, wait for the PNGs, send back the outcome.
    # Its collections leave the parent's objects alone (walking them would copy their pages).
    gc.freeze()
    # The parent's handlers are not the child's (`weekly schedule` only sets a flag on
    # SIGTERM): the parent stops the child with SIGTERM, and handles Ctrl-C for both.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(CHILD_NICENESS)
    for inherited in parents:
        inherited.close()
    parent = multiprocessing.parent_process()

    def pngs() -> Mapping[str, bytes]:
        watched: list[Any] = [conn] if parent is None else [conn, parent.sentinel]
        if conn not in multiprocessing.connection.wait(watched):
            raise _Abandoned
        try:
            got: Mapping[str, bytes] = conn.recv()
        except EOFError:
            raise _Abandoned from None
        return got

    early = _early(renderer)
    try:
        paths = render_one(content, folder, lambda c, f: early(c, f, pngs))
    except _Abandoned:
        return
    except BaseException as exc:
        # The exception itself when it survives pickling (bad input keeps its one line), and
        # the child's traceback as text either way.
        text = "".join(traceback.format_exception(exc))
        conn.send(((), exc if _pickles(exc) else None, text))
        return
    conn.send((paths, None, ""))


def _pickles(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True
