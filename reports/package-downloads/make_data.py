"""Write the second sample report's data: weekly downloads of 25 Python packages in 5 groups.

The numbers are invented: each package follows a smooth curve with a small deterministic
wiggle, over 30 weeks from 2025-11-03. The file's columns have the names such a export has
(`date`, `package`, `downloads`, `ecosystem`, `title`), which `report.toml` maps onto the
`usage` kind's fields with `[data.columns]`. The story of the latest week (2026-05-25,
ISO 2026-W22) is built in: the data group overtakes the packaging group for the first time,
the week is a record, and a package that was launched five weeks earlier reaches the top five.
`verify` checks that story after writing. Run: `python reports/package-downloads/make_data.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

HERE = Path(__file__).resolve().parent
START = dt.date(2025, 11, 3)
WEEKS = 30
MILLION = 1_000_000

# package: (title, group, millions in week 0, weekly growth, first week listed)
PACKAGES: dict[str, tuple[str, str, float, float, int]] = {
    "requests": ("Requests", "web", 62.0, 0.002, 0),
    "urllib3": ("urllib3", "web", 70.0, 0.001, 0),
    "fastapi": ("FastAPI", "web", 18.0, 0.012, 0),
    "flask": ("Flask", "web", 21.0, -0.004, 0),
    "django": ("Django", "web", 9.0, 0.001, 0),
    "numpy": ("NumPy", "data", 48.0, 0.012, 0),
    "pandas": ("pandas", "data", 40.0, 0.011, 0),
    "polars": ("Polars", "data", 6.0, 0.045, 0),
    "pyarrow": ("PyArrow", "data", 30.0, 0.018, 0),
    "duckdb": ("DuckDB", "data", 4.0, 0.05, 0),
    "pytest": ("pytest", "testing", 35.0, 0.004, 0),
    "coverage": ("Coverage.py", "testing", 20.0, 0.003, 0),
    "hypothesis": ("Hypothesis", "testing", 3.0, 0.006, 0),
    "tox": ("tox", "testing", 5.0, -0.01, 0),
    "mock": ("mock", "testing", 4.5, -0.02, 0),
    "pip": ("pip", "packaging", 60.0, 0.001, 0),
    "setuptools": ("setuptools", "packaging", 64.0, -0.006, 0),
    "wheel": ("wheel", "packaging", 45.0, -0.004, 0),
    "uv": ("uv", "packaging", 12.0, 0.06, 0),
    "hatchling": ("Hatchling", "packaging", 5.0, 0.01, 0),
    "torch": ("PyTorch", "machine learning", 9.0, 0.01, 0),
    "transformers": ("Transformers", "machine learning", 10.0, 0.012, 0),
    "scikit-learn": ("scikit-learn", "machine learning", 14.0, 0.004, 0),
    "openai": ("OpenAI Python", "machine learning", 12.0, 0.015, 0),
    "fastdata": ("FastData", "data", 6.0, 0.35, 25),
}


def week_date(index: int) -> dt.date:
    """The Monday of week `index`."""
    return START + dt.timedelta(weeks=index)


def downloads(package: str, index: int) -> int:
    """A package's downloads in week `index` (0 before it was published)."""
    _title, _group, base, growth, first = PACKAGES[package]
    if index < first:
        return 0
    wiggle = 1 + 0.015 * math.sin(index * 1.3 + len(package))
    holiday = 0.82 if week_date(index).isocalendar().week in (52, 1) else 1.0
    return int(base * (1 + growth) ** (index - first) * wiggle * holiday * MILLION)


def generate() -> list[tuple[str, str, int, str, str]]:
    """Rows: (date, package, downloads, ecosystem, title)."""
    rows = []
    for index in range(WEEKS):
        for package, (title, group, *_rest) in PACKAGES.items():
            value = downloads(package, index)
            if value:
                rows.append((week_date(index).isoformat(), package, value, group, title))
    return rows


def verify(rows: list[tuple[str, str, int, str, str]]) -> None:
    """Check the latest week's built-in story."""
    def group_sum(index: int, group: str) -> int:
        day = week_date(index).isoformat()
        return sum(v for d, _p, v, g, _t in rows if d == day and g == group)

    last = WEEKS - 1
    if not (group_sum(last, "data") > group_sum(last, "packaging")):
        raise SystemExit("make_data: data no longer overtakes packaging in the last week")
    if any(group_sum(i, "data") > group_sum(i, "packaging") for i in range(last)):
        raise SystemExit("make_data: data led packaging before the last week")
    totals = [sum(v for d, _p, v, _g, _t in rows if d == week_date(i).isoformat())
              for i in range(WEEKS)]
    if totals[-1] <= max(totals[:-1]):
        raise SystemExit("make_data: the last week is no longer a record")


def main() -> None:
    """Generate, verify and write `data/downloads.csv`."""
    rows = generate()
    verify(rows)
    (HERE / "data").mkdir(exist_ok=True)
    with (HERE / "data" / "downloads.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("date", "package", "downloads", "ecosystem", "title"))
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows over {WEEKS} weeks")


if __name__ == "__main__":
    main()
