"""The garbage collector in a process that builds edition after edition.

Such a process (`weekly schedule`, a backfill's worker) keeps what its first edition loaded
for good: the libraries, their fonts and caches, the templates, well over 100,000 objects. A
full collection walks every one of them, each time (0.07 s here, one build in two), to free the
few thousand objects that a later edition's charts leave in cycles. Moved once into the
collector's permanent generation, they are skipped: a full collection then walks only what
later editions made. Nothing is frozen per build, so each later edition's garbage is still
freed. What is frozen is never collected: an object alive at the freeze that later dies in a
cycle stays (a report template edited while `weekly schedule` runs keeps its first compiled
version, for one), once, which is why the freeze waits for the first edition's own objects to
be let go, and is done once.
"""

from __future__ import annotations

import gc


def settle_after_first_edition() -> int:
    """Once per process, after its first edition: collect, then freeze what is still alive.

    Returns how many objects it froze now, 0 when an earlier edition froze them. Call it where
    the edition's own objects are already let go (its caller's result dropped): whatever is
    alive at that moment stays for the life of the process.
    """
    if gc.get_freeze_count():
        return 0
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
