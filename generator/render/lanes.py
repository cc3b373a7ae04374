"""Renderers that start early: each in a forked process, laying its pages out while this
process draws the charts, then taking the charts' PNGs through a pipe.

The PDF is the longest format to make and needs the charts only at its very end, so on two
cores an edition takes about as long as its longer half instead of the sum of both. A fork
(not a fresh interpreter) is what makes this pay: the child already has the libraries loaded
and the edition's content in memory, and nothing crosses the pipe but the PNGs and the outcome.
Where fork is missing, or only one core is usable, or in a backfill's workers (which keep each
core busy themselves), the same renderers run in this process once the charts are drawn, from
the same outline and the same PNGs.

A process that builds edition after edition (`weekly schedule`, the warm benchmark) forks
each renderer's process once instead (`StandingLanes`), and hands it every build's outline
through its pipe. A fork per build costs more than the fork: after it, each page of memory that
either process writes is copied, some 17,000 pages in this process and 21,000 in the child per
warm build here. Forked once, a worker's pages are its own after its first edition: a warm
edition took 1.03 to 1.06 s instead of 1.13 to 1.17 s (medians of 7 builds, three pairs in turn).
Workers are forked only between builds (`StandingLanes.refill`), never inside one: a process
forked there would inherit the locks the build holds (`weekly run`'s flock) and keep them for
good. A build whose worker has died forks a child of its own, as without standing lanes.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import Any

from generator import cores
from generator.errors import InputError
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
    # A standing worker's lane (see StandingLanes), and whether it answered this build in a
    # state fit for the next: with the files written, or with bad input refused.
    worker: _Worker | None = None
    reusable: bool = False


@dataclass(frozen=True)
class _Worker:
    """A renderer's process forked once, laying out the editions handed to it one at a time."""

    renderer: Renderer
    process: BaseProcess
    conn: Connection


class StandingLanes:
    """The early renderers' processes, forked once for a process that builds many editions.

    `start()` loads what they need (`preload`) and forks one process per renderer; a build
    given these lanes (`BuildRequest.lanes`) hands its outline to them instead of forking. A
    worker that dies, or whose build failed half-way, is stopped; `refill()`, between builds,
    forks it afresh. Where renderers cannot start early (no fork, one core), there are none, and
    builds run them in process as without.
    """

    def __init__(self, renderers: Iterable[Renderer] = ()) -> None:
        self._renderers = {r.name: r for r in renderers}
        self._workers: dict[str, _Worker] = {}

    @classmethod
    def start(cls, names: Iterable[str]) -> StandingLanes:
        """Preload the named renderers that start early, and fork a worker for each."""
        chosen = list(names)
        preload(chosen)
        lanes = cls(RENDERERS[n] for n in chosen
                    if RENDERERS[n].render_early is not None and can_start_early())
        lanes.refill()
        return lanes

    @property
    def names(self) -> tuple[str, ...]:
        """The renderers these lanes serve."""
        return tuple(self._renderers)

    def pid(self, name: str) -> int | None:
        """The process id of the renderer's worker, None when it has none running."""
        worker = self._workers.get(name)
        return worker.process.pid if worker is not None else None

    def refill(self) -> tuple[str, ...]:
        """Fork a worker for each renderer that has none alive; call it between builds, holding
        no lock a worker must not keep. Returns the renderers forked anew."""
        forked = []
        for name, renderer in self._renderers.items():
            if self._alive(name) is not None:
                continue
            dead = self._workers.get(name)
            if dead is not None:
                self._discard(dead)
            self._workers[name] = _fork(renderer, _serve, (), self._connections())
            forked.append(name)
        return tuple(forked)

    def close(self) -> None:
        """Let every worker go: each ends when its pipe closes (stopped if it does not)."""
        workers, self._workers = list(self._workers.values()), {}
        for worker in workers:
            worker.conn.close()
        for worker in workers:
            worker.process.join(timeout=5.0)
            _stop(worker.process, worker.conn)

    def __enter__(self) -> StandingLanes:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _alive(self, name: str) -> _Worker | None:
        worker = self._workers.get(name)
        return worker if worker is not None and worker.process.is_alive() else None

    def _connections(self) -> list[Connection]:
        # This process's ends of the workers' pipes, which a child forked later closes.
        return [w.conn for w in self._workers.values()]

    def _discard(self, worker: _Worker) -> None:
        # A worker in an unknown state (its build failed half-way) is stopped, not reused.
        if self._workers.get(worker.renderer.name) is worker:
            del self._workers[worker.renderer.name]
        _stop(worker.process, worker.conn)


class EarlyRenderers:
    """The renderers that lay their output out from an edition's outline, for one build.

    Forked ones run while the charts are drawn; the others (no fork, one core, or turned off)
    run in this process at `finish()`. Both get the same input: the outline, then the PNGs.
    """

    def __init__(self, content: EditionContent, folder: Path, inline: list[Renderer],
                 standing: StandingLanes | None = None) -> None:
        self._content, self._folder = content, folder
        self._lanes: list[_Lane] = []
        self._inline = inline
        self._pngs: Mapping[str, bytes] | None = None
        self._standing = standing

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
            # A worker that refused bad input is as it was; after any other failure it may
            # not be (memory, a renderer's own state), and the next build gets a fresh one.
            lane.reusable = (error is None and not text) or isinstance(error, InputError)
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
        if self._standing is not None and self._hand(renderer, self._standing):
            return
        inherited = [*(lane.conn for lane in self._lanes),
                     *(self._standing._connections() if self._standing is not None else ())]
        child = _fork(renderer, _child, (self._content, self._folder), inherited)
        self._lanes.append(_Lane(renderer, child.process, child.conn))

    def _hand(self, renderer: Renderer, standing: StandingLanes) -> bool:
        # False when the build must fork a child of its own: no worker alive (a fork here
        # would keep the build's locks), or an outline that does not pickle (a plugin's chart
        # drawn by a lambda, say; nothing was sent, the worker is as it was).
        worker = standing._alive(renderer.name)
        if worker is None:
            return False
        job = (_JOB, _portable(self._content), self._folder)
        try:
            payload = ForkingPickler.dumps(job)
        except (pickle.PicklingError, TypeError, AttributeError):
            return False
        try:
            worker.conn.send_bytes(payload)
        except OSError:
            standing._discard(worker)  # it died since the last build
            return False
        except BaseException:
            standing._discard(worker)  # a message cut short (Ctrl-C) would poison its pipe
            raise
        self._lanes.append(_Lane(renderer, worker.process, worker.conn, worker=worker))
        return True

    def close(self) -> None:
        """Stop any child still running (the build failed elsewhere) and reap them all; a
        standing worker that answered cleanly stays for the next build."""
        for lane in self._lanes:
            if lane.sender is not None:
                lane.sender.join(timeout=1.0)
            if lane.worker is None:
                _stop(lane.process, lane.conn)
                lane.process.close()
            elif self._standing is not None and (
                    not lane.reusable or (lane.sender is not None and lane.sender.is_alive())):
                # Still writing its PNGs, the pipe is not free for the next build's outline.
                self._standing._discard(lane.worker)


@contextmanager
def early_renderers(content: EditionContent, folder: Path, names: Iterable[str],
                    enabled: bool = True,
                    standing: StandingLanes | None = None) -> Iterator[EarlyRenderers]:
    """The named renderers that can start early, each started now in another process where
    that can help and `enabled` (a standing worker of `standing`, else a fork of its own), else
    run at `finish()`; `content` holds the charts undrawn."""
    wanted = [RENDERERS[n] for n in names if RENDERERS[n].render_early is not None]
    fork = enabled and can_start_early()
    early = EarlyRenderers(content, folder, [] if fork else wanted, standing)
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


# What goes to a child, tagged: a build's outline (to a standing worker), then its PNGs.
_JOB, _PNGS = "job", "pngs"


def _send(conn: Connection, payload: Mapping[str, bytes]) -> None:
    # A child already gone breaks the pipe: finish() says why, from its outcome or exit code.
    with contextlib.suppress(OSError):
        conn.send((_PNGS, payload))


def _early(renderer: Renderer) -> Callable[[EditionContent, Path, PngFeed], tuple[Path, ...]]:
    if renderer.render_early is None:
        raise ValueError(f"renderer {renderer.name!r} cannot start early")
    return renderer.render_early


class _Abandoned(Exception):
    """The parent went away, or closed the pipe, before sending the PNGs: its build failed."""


def _fork(renderer: Renderer, target: Callable[..., None], args: tuple[Any, ...],
          inherited: list[Connection]) -> _Worker:
    # Unflushed output would be written twice: once more by the child as it exits.
    sys.stdout.flush()
    sys.stderr.flush()
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    # The child closes every parent end it inherits, so that it sees its parent go away.
    process = context.Process(target=target, name=f"weekly-{renderer.name}", daemon=True,
                              args=(renderer, *args, theirs, [*inherited, ours]))
    process.start()
    theirs.close()
    return _Worker(renderer, process, ours)


def _stop(process: BaseProcess, conn: Connection) -> None:
    conn.close()
    if process.is_alive():
        process.terminate()
        process.join(timeout=5.0)
    if process.is_alive():
        process.kill()
    process.join()


def _become_child(parents: list[Connection]) -> None:
    # Its collections leave the parent's objects alone (walking them would copy their pages).
    gc.freeze()
    # The parent's handlers are not the child's (`weekly schedule` only sets a flag on
    # SIGTERM): the parent stops the child with SIGTERM, and handles Ctrl-C for both.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(CHILD_NICENESS)
    for inherited in parents:
        inherited.close()


def _child(renderer: Renderer, content: EditionContent, folder: Path, conn: Connection,
           parents: list[Connection]) -> None:
    # Runs in the forked child: lay the pages out, wait for the PNGs, send back the outcome.
    _become_child(parents)
    _lay_out(renderer, content, folder, conn)


def _serve(renderer: Renderer, conn: Connection, parents: list[Connection]) -> None:
    # Runs in a standing worker: one build's outline after another, until the pipe closes.
    _become_child(parents)
    served = 0
    while (message := _receive(conn)) is not None:
        if message[0] != _JOB:
            continue  # the PNGs of a build whose renderer failed before it asked for them
        if not _serve_one(renderer, message, conn):
            return
        served += 1
        if served == 1:
            # As a process that builds many editions does (generator/heap.py): what its first
            # edition loaded (fonts, caches) is kept for good, and no longer walked; that
            # edition's own objects went with _serve_one's frame.
            del message
            gc.collect()
            gc.freeze()


def _serve_one(renderer: Renderer, message: tuple[str, EditionContent, Path], conn: Connection) -> bool:
    _, content, folder = message
    return _lay_out(renderer, content, folder, conn)


def _portable(content: EditionContent) -> EditionContent:
    # What a standing worker is sent: the charts' words without their drawing, which a
    # renderer that starts early never calls and which a kind may write as a lambda.
    charts = tuple(dataclasses.replace(chart, draw=None) for chart in content.charts)
    return dataclasses.replace(content, charts=charts)


def _receive(conn: Connection) -> Any:
    # The next message, or None when the parent has gone or closed the pipe.
    parent = multiprocessing.parent_process()
    watched: list[Any] = [conn] if parent is None else [conn, parent.sentinel]
    if conn not in multiprocessing.connection.wait(watched):
        return None
    try:
        return conn.recv()
    except EOFError:
        return None


def _lay_out(renderer: Renderer, content: EditionContent, folder: Path, conn: Connection) -> bool:
    # Lay the pages out, wait for the PNGs, send back the outcome; False when the parent went
    # away, or closed the pipe, before sending the PNGs (its build failed).
    def pngs() -> Mapping[str, bytes]:
        message = _receive(conn)
        if message is None:
            raise _Abandoned
        if message[0] != _PNGS:
            raise RuntimeError(f"expected the charts' PNGs, got a {message[0]!r} message")
        got: Mapping[str, bytes] = message[1]
        return got

    early = _early(renderer)
    try:
        paths = render_one(content, folder, lambda c, f: early(c, f, pngs))
    except _Abandoned:
        return False
    except BaseException as exc:
        # The exception itself when it survives pickling (bad input keeps its one line), and
        # the child's traceback as text either way.
        text = "".join(traceback.format_exception(exc))
        conn.send(((), exc if _pickles(exc) else None, text))
        return True
    conn.send((paths, None, ""))
    return True


def _pickles(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return False
    return True
