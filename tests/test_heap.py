"""The heap of a process that builds edition after edition (generator/heap.py).

Run in a fresh interpreter: what the collector keeps is a property of the whole process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Three editions in one process, settling after each; a cycle of garbage made just before each
# settle must still be freed (collected first, never frozen).
_SCRIPT = """
import gc, json, sys, weakref
from pathlib import Path
from generator.heap import settle_after_first_edition
from generator.pipeline import BuildRequest, build_edition
from generator.report import load_report

class Node:
    pass

report, rows = load_report(None), []
# The last two in every format: the PDF forked (where two cores allow) from a frozen heap.
for formats in (("md",), ("md",), (), ()):
    build_edition(BuildRequest(report=report, week="2026-W21", out=Path(sys.argv[1]),
                               formats=formats))
    loop = Node()
    loop.me = loop
    left = weakref.ref(loop)
    del loop
    settled = settle_after_first_edition()
    gc.collect()
    rows.append({"settled": settled, "frozen": gc.get_freeze_count(),
                 "tracked": len(gc.get_objects()), "freed": left() is None})
print(json.dumps(rows))
"""


def test_the_first_edition_freezes_the_heap_once_and_later_garbage_is_still_freed(
        tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path / "out")], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows[0]["settled"] == rows[0]["frozen"]
    assert [r["settled"] for r in rows[1:]] == [0, 0, 0]
    # What the first edition loaded (libraries, fonts, templates) is frozen once, for good;
    # nothing is frozen again (a frozen object that refcounting frees leaves the count).
    frozen = [r["frozen"] for r in rows]
    assert frozen[0] > 10_000 and frozen == sorted(frozen, reverse=True)
    assert frozen[-1] > frozen[0] * 0.9
    # Garbage is freed, not frozen, before and after: an edition like the one before leaves the
    # process no bigger (each one's charts alone make tens of thousands of objects).
    assert all(r["freed"] for r in rows)
    assert rows[1]["tracked"] - rows[0]["tracked"] < 1_000
    assert rows[3]["tracked"] - rows[2]["tracked"] < 1_000
    # A full collection now walks a fraction of the heap.
    assert rows[3]["tracked"] < frozen[0] / 10
