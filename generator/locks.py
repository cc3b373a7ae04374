"""Advisory locks that keep two processes off the same report's job (`flock`, released on exit or kill)."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from generator.errors import InputError, Where, display_path


class LockHeld(InputError):
    """Another live process holds the lock; the message names it."""

    exit_status = 3


@contextlib.contextmanager
def held(path: Path, what: str) -> Iterator[Path]:
    """Hold an exclusive lock on `path` for the block, or raise LockHeld at once.

    The kernel drops a `flock` when its holder dies, even by SIGKILL, so a stale lock
    file never blocks the next run; the pid written inside is only for the message.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "unknown"
            raise LockHeld(f"{what} is already running (pid {holder}); not starting a second one",
                           Where(display_path(path))) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
