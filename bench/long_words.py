"""PDF build time against the length of one unbroken word: `python bench/long_words.py`.

Issue 14 found a long model id stalling the PDF build in time quadratic in its length. This
builds a small report (`--to pdf`, a fresh `weekly` process each time) whose leading model has
an id of each length, then one whose editor note holds a word of each length, and prints one
line per build: where the word stands, its length, the exit status and the wall time. An id
over the limit is refused (exit 2) before anything is drawn; a note's word is broken by the
render filters. Wall times are printed, never asserted.

    python bench/long_words.py [--lengths 200,1000,4000] [--where id,note] [--timeout 600]
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEEKLY = [sys.executable, "-m", "generator"]
MONDAY = dt.date(2026, 1, 5)


def word(length: int) -> str:
    """An id-shaped word with no break opportunity: letters and digits only."""
    stem = "".join(chr(ord("a") + i % 26) for i in range(length))
    return "acme/" + stem[: max(1, length - 5)]


def report(folder: Path, model: str, note: str) -> Path:
    """A two-week report whose top model is `model`, with `note` as the last week's note."""
    (folder / "notes").mkdir(parents=True)
    rows = ["week,model,tokens"]
    for k in range(2):
        monday = (MONDAY + dt.timedelta(weeks=k)).isoformat()
        rows += [f"{monday},{model},{900 + k * 50}", f"{monday},bolt/b1,{400 - k * 10}",
                 f"{monday},others,100"]
    (folder / "usage.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (folder / "report.toml").write_text('[data]\nusage = "usage.csv"\n', encoding="utf-8")
    if note:
        (folder / "notes" / "2026-W03.md").write_text(
            f"## Take: why it matters\n\nA word: {note} ends here.\n", encoding="utf-8")
    return folder


def measure(where: str, length: int, timeout: float) -> str:
    """Build once; return the printed line."""
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        long = word(length)
        folder = report(base / "r", long if where == "id" else "acme/a1",
                        long if where == "note" else "")
        started = time.perf_counter()
        try:
            done = subprocess.run([*WEEKLY, "build", "--report", str(folder), "--out",
                                   str(base / "out"), "--to", "pdf"], cwd=ROOT,
                                  capture_output=True, text=True, timeout=timeout)
            status = str(done.returncode)
        except subprocess.TimeoutExpired:
            status = "timeout"
        seconds = time.perf_counter() - started
        return f"{where:<5} {length:>7,} chars  exit {status:<7} {seconds:8.2f} s"


def main() -> None:
    """Parse the options and print one line per build."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", default="100,200,1000,2000,4000,8000")
    parser.add_argument("--where", default="id,note")
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    for where in args.where.split(","):
        for length in (int(n) for n in args.lengths.split(",")):
            print(measure(where, length, args.timeout), flush=True)


if __name__ == "__main__":
    main()
