"""The script to hand `spark-submit`: `weekly aggregate --engine spark` with the arguments after it.

spark-submit runs a Python file, not a console command; the master, the executors and the
storage settings are spark-submit's (README: "Raw events: `weekly aggregate`").
"""

from __future__ import annotations

import sys

from generator.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["aggregate", "--engine", "spark", *sys.argv[1:]]))
