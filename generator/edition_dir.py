"""Writing an edition folder atomically: built beside, then swapped into place.

Every temporary (a staging folder, a `.part` file) stays under an flock held by its writer
for as long as it carries its temporary name, and the kernel drops the lock when the writer
dies. A later run therefore tells what a killed writer left (hidden, not absent: a deployment
would upload it) from work still under way by trying the lock, whatever the writer's pid
namespace. A pid would not do: in a container every run may be pid 1.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# The names tempfile makes: the prefix, eight characters of its alphabet, the suffix.
_TEMPORARY = re.compile(r"\.(?P<name>.+)\.[a-z0-9_]{8}\.(?:tmp|part)")


@contextlib.contextmanager
def staged_folder(final: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces `final`, on error it vanishes.

    So do the folders made for it (`<out>/<report>/`) when they are left empty: a refused
    build writes nothing.
    """
    made = [p for p in (final.parent, *final.parent.parents) if not p.exists()]
    staging = _make_staging(final)
    lock = _hold(staging)
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a published folder must be readable
        yield staging
        _fsync_tree(staging)
        _swap(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        for folder in made:  # innermost first; one another build has filled stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        os.close(lock)


def _make_staging(final: Path) -> Path:
    # A parallel build that failed removes the report folder it made if it is empty; made
    # again here if that came between the mkdir and the mkdtemp.
    tries = 3
    while True:
        final.parent.mkdir(parents=True, exist_ok=True)
        try:
            return Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent))
        except FileNotFoundError:
            tries -= 1
            if not tries:
                raise


def write_atomic(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to a temporary file beside `path`, then move it into place."""
    descriptor, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    temporary = Path(name)
    try:
        # Locked until after the rename (the lock follows the file), so a sweep never takes it.
        # A sweep that comes between mkstemp and this line removes a file this run then fails
        # to rename: one failed run, never a lost file.
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        os.write(descriptor, text.encode("utf-8"))
        os.fsync(descriptor)
        os.fchmod(descriptor, 0o644)  # mkstemp makes it private; a published file must be readable
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        os.close(descriptor)


def recover(parent: Path, name: str | None = None) -> tuple[Path, ...]:
    """Put back editions whose swap was interrupted; drop (and return) abandoned staging folders.

    With `name`, only that edition is touched. A staging folder whose writer still runs (a
    parallel build, a backfill worker) is left alone, and so is a retired `.old` folder while
    its edition's swap is under way.
    """
    if not parent.is_dir():
        return ()
    for retired in parent.glob(f".{name or '*'}.old"):
        edition = retired.name[1:-4]
        final = parent / edition
        if final.exists():
            shutil.rmtree(retired, ignore_errors=True)
        elif not any(_in_use(p) for p in parent.glob(f".{edition}.*.tmp")):
            os.replace(retired, final)
    return tuple(folder for folder in parent.glob(f".{name or '*'}.*.tmp")
                 if _TEMPORARY.fullmatch(folder.name) and _remove_if_abandoned(folder))


def sweep_orphans(root: Path) -> tuple[Path, ...]:
    """Remove what killed writers left in a site: staging folders and `.part` files.

    Only the places this package writes are looked at (the site folder, and each folder in it:
    editions and posts), and only names shaped as tempfile makes them; `.well-known` and the
    like are never entered.
    """
    removed = list(recover(root))
    for folder in (root, *_subfolders(root)):
        for entry in _entries(folder):
            if _TEMPORARY.fullmatch(entry.name) and _remove_if_abandoned(Path(entry.path)):
                removed.append(Path(entry.path))
    return tuple(removed)


def _subfolders(root: Path) -> list[Path]:
    return [Path(e.path) for e in _entries(root)
            if not e.name.startswith(".") and e.is_dir(follow_symlinks=False)]


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    # A folder can vanish while it is listed: a build renames its staging folder into place.
    try:
        with os.scandir(folder) as listing:
            return list(listing)
    except (FileNotFoundError, NotADirectoryError):
        return []


def _hold(path: Path) -> int:
    """Open `path` and take its lock; the descriptor keeps it until it is closed."""
    descriptor = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


@contextlib.contextmanager
def _claimed(path: Path) -> Iterator[bool | None]:
    """Try the lock of `path`: True, held here; False, a live writer holds it; None, not openable."""
    try:
        # O_NOFOLLOW: a symlink is never ours (tempfile makes none), so it is never followed.
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        yield None
        return
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        yield False
        return
    try:
        yield True
    finally:
        os.close(descriptor)


def _in_use(path: Path) -> bool:
    """Whether a live writer holds the lock of `path`."""
    with _claimed(path) as claimed:
        return claimed is False


def _remove_if_abandoned(path: Path) -> bool:
    """Remove `path` (never through a symlink) if no live writer holds it; say if it went."""
    with _claimed(path) as claimed:
        if not claimed:
            return False
        # Removed while locked, so a writer cannot be starting on it meanwhile.
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        return not os.path.lexists(path)


def _swap(staging: Path, final: Path) -> None:
    # Two builds of the same edition (a hand run beside cron) may finish together; each swap
    # is three renames, and interleaved they pulled the old edition from under each other (a
    # FileNotFoundError for the loser). The folder holding the editions is locked for the
    # swap, so swaps take turns: the later one wins, and both end cleanly.
    lock = _hold(final.parent)
    try:
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
    finally:
        os.close(lock)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
