"""Review before send (`[review] required = true`): the preview, approvals, and `weekly diff`.

With review on, `weekly run` builds the edition into `<out>/<report>/preview/<report>/<YYYY-Www>/`:
inside the published site, so an editor can open it at `<site_url>preview/<report>/<week>/`, but
in no place the archive, the feed or the sitemap look (they list `<out>/<report>/<week>/` only).
The run then stops. `weekly approve WEEK` records who approved and when, in the state database;
the next run (or schedule tick) moves the preview into its place, publishes and sends it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.delivery.subscribers import now_text
from generator.errors import InputError, Where, display_path
from generator.layout import FACTS
from generator.report import Report
from generator.weeks import iso_label

PREVIEW = "preview"
DIFF_TOP = 10
DIFF_MOVERS = 5


@dataclass(frozen=True)
class Approval:
    """Who approved an edition, and when (UTC, ISO 8601)."""

    edition: str
    approved_by: str
    approved_at: str


def preview_root(report: Report, out: Path) -> Path:
    """The `out` folder the previews are built under (their editions are `<root>/<slug>/<week>`)."""
    return out / report.slug / PREVIEW


def preview_folder(report: Report, out: Path, week: dt.date) -> Path:
    """Where the preview of a week's edition is built."""
    return preview_root(report, out) / report.slug / iso_label(week)


def preview_url(report: Report, week: dt.date) -> str:
    """The preview's address on the site, unlisted."""
    return f"{report.site_url}{PREVIEW}/{report.slug}/{iso_label(week)}/"


def approval(conn: sqlite3.Connection, edition: str) -> Approval | None:
    """The approval of an edition, if any."""
    row = conn.execute("SELECT edition, approved_by, approved_at FROM approvals WHERE edition = ?",
                       (edition,)).fetchone()
    return None if row is None else Approval(*row)


def approve(conn: sqlite3.Connection, edition: str, by: str) -> Approval:
    """Record (or renew) the approval of an edition by `by`, now."""
    stamp = now_text()
    with conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO approvals (edition, approved_by, approved_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (edition) DO UPDATE SET approved_by = excluded.approved_by, "
                     "approved_at = excluded.approved_at", (edition, by, stamp))
    return Approval(edition, by, stamp)


def approver() -> str:
    """Who is approving: the login name of the person at the keyboard."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry for the uid (some containers)
        return f"uid {os.getuid()}"


def promote(report: Report, out: Path, week: dt.date) -> Path:
    """Move an approved preview to its place in the site (replacing an older build); return it."""
    preview = preview_folder(report, out, week)
    final = out / report.slug / iso_label(week)
    if not (preview / FACTS).is_file():
        return final  # promoted before (a rerun after a later step failed)
    final.parent.mkdir(parents=True, exist_ok=True)
    retired = final.with_name(f".{final.name}.old")
    if final.exists():
        shutil.rmtree(retired, ignore_errors=True)
        os.replace(final, retired)
    os.replace(preview, final)  # one rename on one file system: the edition appears whole
    shutil.rmtree(retired, ignore_errors=True)
    return final


# ---------------------------------------------------------------- weekly diff


def _facts(folder: Path) -> dict[str, Any]:
    try:
        data = json.loads((folder / FACTS).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {FACTS}: {exc}", Where(display_path(folder))) from None
    if not isinstance(data, dict):
        raise InputError(f"expected {FACTS} to hold an object", Where(display_path(folder)))
    return data


def _ranked(facts: dict[str, Any]) -> list[dict[str, Any]]:
    # `models` in llm-usage editions, `items` in usage ones; both carry rank, name and a value.
    rows = facts.get("models") or facts.get("items") or []
    return sorted((r for r in rows if isinstance(r, dict) and isinstance(r.get("rank"), int)),
                  key=lambda r: r["rank"])


def _value(row: dict[str, Any]) -> int:
    return int(row.get("tokens", row.get("value", 0)) or 0)


def _key(row: dict[str, Any]) -> str:
    return str(row.get("model") or row.get("item") or row.get("name"))


def _total(facts: dict[str, Any]) -> int | None:
    total = facts.get("total") or {}
    found = total.get("tokens", total.get("value")) if isinstance(total, dict) else None
    return int(found) if isinstance(found, (int, float)) else None


def edition_for_diff(report: Report, out: Path, week: dt.date) -> Path:
    """The edition to show: the preview when one waits, else the published one."""
    for folder in (preview_folder(report, out, week), out / report.slug / iso_label(week)):
        if (folder / FACTS).is_file():
            return folder
    raise InputError(f"no built edition for {iso_label(week)} (run `weekly run` or `weekly build`)",
                     Where(display_path(out / report.slug)))


def diff_lines(report: Report, out: Path, week: dt.date) -> list[str]:
    """What changed against the week before: the headline, the top 10, the figures that moved most."""
    now = _facts(edition_for_diff(report, out, week))
    previous_week = week - dt.timedelta(weeks=1)
    try:
        before = _facts(edition_for_diff(report, out, previous_week))
    except InputError:
        before = {}
    label, prev_label = iso_label(week), iso_label(previous_week)
    lines = [f"{label} against {prev_label}" + ("" if before else f" (no built edition of {prev_label})")]
    headline = str((now.get("edition") or {}).get("headline", ""))
    old_headline = str((before.get("edition") or {}).get("headline", "")) if before else ""
    lines.append(f"headline: {headline}")
    if old_headline:
        lines.append(f"  before: {old_headline}")
    total, old_total = _total(now), _total(before) if before else None
    if total is not None and old_total:
        lines.append(f"total: {old_total:,} -> {total:,} ({(total - old_total) / old_total * 100:+.1f}%)")
    old_ranks = {_key(r): r["rank"] for r in _ranked(before)} if before else {}
    old_values = {_key(r): _value(r) for r in _ranked(before)} if before else {}
    lines.append(f"top {DIFF_TOP}:")
    for row in _ranked(now)[:DIFF_TOP]:
        was = old_ranks.get(_key(row))
        move = "new" if was is None else ("=" if was == row["rank"] else f"was #{was}")
        name = row.get("name") or _key(row)
        lines.append(f"  #{row['rank']:<3} {name!s:<36} {_value(row):>20,}  {move}")
    moved = []
    for row in _ranked(now):
        old = old_values.get(_key(row), row.get("prev_tokens", row.get("prev_value")))
        if isinstance(old, (int, float)) and old > 0:
            moved.append(((_value(row) - old) / old * 100, row, int(old)))
    moved.sort(key=lambda m: abs(m[0]), reverse=True)
    lines.append(f"moved most (of {len(moved)} with a week before):")
    for pct, row, old in moved[:DIFF_MOVERS]:
        name = row.get("name") or _key(row)
        lines.append(f"  {name!s:<36} {old:>20,} -> {_value(row):>20,}  {pct:+.1f}%")
    return lines
