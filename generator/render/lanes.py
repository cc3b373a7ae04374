"""Renderers that start early: each in a forked process, laying its pages out while this
process draws the charts, then taking the charts' PNGs through a pipe.

The PDF is the longest format to make and needs the charts only at its very end, so on two
cores an edition takes about as long as its longer half instead of the sum of both. A fork
(not a fresh interpreter) is what makes this pay: the child already has the libraries loaded
and the edition's content in memory, and nothing crosses the pipe but the PNGs and the outcome.
Where fork is missing, or only one core is usable, nothing starts early and every renderer runs
after the drawing, as it does in a backfill's workers (which keep each core busy themselves).
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import pickle
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from generator import cores
from generator.render import RENDERERS, render_one
from generator.render.base import EditionContent, Renderer

# A child that has said nothing for this long is stuck (a lock inherited in a held state, say).
CHILD_TIMEOUT_S = 600.0


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
    """The renderers started early for one edition: fed the PNGs once drawn, then waited for."""

    def __init__(self, lanes: list[_Lane]) -> None:
        self._lanes = lanes

    @property
    def names(self) -> frozenset[str]:
        """The formats being made early (the pipeline renders the others itself)."""
        return frozenset(lane.renderer.name for lane in self._lanes)

    def feed(self, pngs: Mapping[str, bytes]) -> None:
        """Hand every chart's PNG to each early renderer, without waiting for it to read them."""
        payload = dict(pngs)
        for lane in self._lanes:
            # A pipe holds 64 KiB: the send would block until the child reads, at its end.
            lane.sender = threading.Thread(target=_send, args=(lane.conn, payload), daemon=True)
            lane.sender.start()

    def finish(self) -> tuple[Path, ...]:
        """Wait for each early renderer; return the paths written, or raise what it raised."""
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
        return tuple(written)

    def close(self) -> None:
        """Stop any child still running (the build failed elsewhere) and reap them all."""
        for lane in self._lanes:
            if lane.process.is_alive():
                lane.process.terminate()
            lane.process.join()
            if lane.sender is not None:
                lane.sender.join(timeout=1.0)
            lane.conn.close()


@contextmanager
def early_renderers(content: EditionContent, folder: Path, names: Iterable[str],
                    enabled: bool = True) -> Iterator[EarlyRenderers]:
    """Start the named renderers that can start early, each in a forked child; `content`
    holds the charts undrawn. Nothing starts when `enabled` is false or forking cannot help."""
    lanes: list[_Lane] = []
    wanted = [RENDERERS[n] for n in names if RENDERERS[n].render_early is not None]
    early = EarlyRenderers(lanes)
    try:
        if enabled and wanted and can_start_early():
            context = multiprocessing.get_context("fork")
            # Else the child's collections walk (and so copy) the parent's heap: over 12 warm
            # builds, the PDF's process took 1.75 s of CPU instead of 1.53 s.
            gc.freeze()
            try:
                for renderer in wanted:
                    # Unflushed output would be written twice: once by the child as it exits.
                    sys.stdout.flush()
                    sys.stderr.flush()
                    ours, theirs = context.Pipe()
                    process = context.Process(target=_child, args=(renderer, content, folder, theirs),
                                              name=f"weekly-{renderer.name}", daemon=True)
                    process.start()
                    theirs.close()
                    lanes.append(_Lane(renderer, process, ours))
            finally:
                gc.unfreeze()
        yield early
    finally:
        early.close()


def _send(conn: Connection, payload: Mapping[str, bytes]) -> None:
    # A child already gone breaks the pipe: finish() says why, from its outcome or exit code.
    with contextlib.suppress(OSError):
        conn.send(payload)


class _Abandoned(Exception):
    """The parent closed the pipe before sending the PNGs: its build failed."""


def _child(renderer: Renderer, content: EditionContent, folder: Path, conn: Connection) -> None:
    # Runs in the forked child: lay the pages out, wait for the PNGs, send back the outcome.
    def pngs() -> Mapping[str, bytes]:
        try:
            got: Mapping[str, bytes] = conn.recv()
        except EOFError:
            raise _Abandoned from None
        return got

    early = renderer.render_early
    if early is None:
        raise ValueError(f"renderer {renderer.name!r} cannot start early")
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
