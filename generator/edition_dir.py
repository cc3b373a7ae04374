"""Writing an edition folder atomically: built beside, then swapped into place."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `final`, on error it vanishes."""
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_owned(final.name), suffix=".tmp", dir=final.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a published folder must be readable
    try:
        yield staging
        _fsync_tree(staging)
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# Temporary names carry the writer's pid, so that a later run can tell the leftovers of a
# killed process (which a deployment would otherwise upload: they are hidden, not absent)
# from the work of a process still writing.
_ORPHAN = re.compile(r"^\..+\.(\d+)\.[^.]+\.(?:tmp|part)$")


def _owned(name: str) -> str:
    return f".{name}.{os.getpid()}."


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def sweep_orphans(root: Path) -> tuple[Path, ...]:
    """Remove staging folders and temporary files under `root` whose writer no longer runs."""
    if not root.is_dir():
        return ()
    removed: list[Path] = []
    # Listed first, deepest last: a folder removed here takes its contents with it.
    for path in sorted(root.rglob(".*"), key=lambda p: len(p.parts)):
        found = _ORPHAN.match(path.name)
        if found is None or _alive(int(found.group(1))) or not path.exists():
            continue
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return tuple(removed)


def _swap(staging: Path, final: Path) -> None:
    if not final.exists():
        os.replace(staging, final)
        return
    # rename(2) cannot replace a non-empty folder; move the old one aside first, so that
    # at every instant either the old or the new edition is complete at some path.
    retired = final.with_name(f".{final.name}.old")
    if retired.exists():
        shutil.rmtree(retired)
    os.replace(final, retired)
    os.replace(staging, final)
    shutil.rmtree(retired, ignore_errors=True)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def recover(parent: Path, name: str | None = None, *, staging: bool = True) -> None:
    """Put back editions whose swap was interrupted and drop their stale staging folders.

    With `name`, only that edition is touched: parallel builds share `parent`, and one build
    must not delete the folder another is writing. `staging=False` leaves staging folders alone,
    for callers (publish) that may run while a build is under way.
    """
    if not parent.is_dir():
        return
    for retired in parent.glob(f".{name or '*'}.old"):
        final = parent / retired.name[1:-4]
        if final.exists():
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.replace(retired, final)
    if staging:
        for folder in parent.glob(f".{name or '*'}.*.tmp"):
            shutil.rmtree(folder, ignore_errors=True)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to a temporary file beside `path`, then move it into place."""
    descriptor, name = tempfile.mkstemp(prefix=_owned(path.name), suffix=".part", dir=path.parent)
    temporary = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        temporary.chmod(0o644)  # mkstemp makes it private; a published file must be readable
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
