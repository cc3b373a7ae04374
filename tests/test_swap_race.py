"""Two builds of the same edition that finish together: both end cleanly, the edition whole.

Issue 14: the loser of two builds racing at the final swap got a FileNotFoundError traceback
(the winner had moved the old edition aside under it). The swaps now take turns under a lock
on the folder that holds the editions. The race is real: two threads, each with its own
staging folder, released together by a barrier just before their swaps, many rounds.
"""

from __future__ import annotations

import threading
from pathlib import Path

from generator.edition_dir import staged_folder

ROUNDS = 60


def test_builds_swapping_together_both_end_cleanly(tmp_path: Path) -> None:
    final = tmp_path / "out" / "report" / "2026-W21"
    with staged_folder(final) as staging:
        (staging / "facts.json").write_text("first", encoding="utf-8")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def build(name: str) -> None:
        try:
            for round_ in range(ROUNDS):
                with staged_folder(final) as staging:
                    (staging / "facts.json").write_text(f"{name} {round_}", encoding="utf-8")
                    barrier.wait(timeout=30)
        except BaseException as exc:  # recorded, and the other thread let go
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=build, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, f"{type(errors[0]).__name__}: {errors[0]}"
    assert (final / "facts.json").read_text(encoding="utf-8") in {f"a {ROUNDS - 1}", f"b {ROUNDS - 1}"}
    # Nothing half-swapped is left beside it.
    assert sorted(p.name for p in final.parent.iterdir()) == ["2026-W21"]
