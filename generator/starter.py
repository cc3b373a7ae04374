"""`weekly init DIR [--kind K]`: a starter report that builds at once.

It writes `report.toml` with every setting present (the kind's own choices set, the rest
commented out at their defaults with their help), the kind's example data, an empty `notes/`
folder and a short README. An existing `report.toml` is never overwritten.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.errors import InputError, Where, display_path
from generator.kinds.base import Kind
from generator.report import CONFIG_NAME
from generator.settings import SETTINGS


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML form for {value!r}")


def starter_toml(kind: Kind, title: str) -> str:
    """The starter `report.toml`: what the kind sets, then every setting commented."""
    lines = [f"# A {kind.name} report made by `weekly init`. Every setting is listed below; "
             "uncomment one to change it.", f'kind = "{kind.name}"', f"title = {_toml(title)}"]
    lines += [line for line in kind.starter_settings.splitlines() if line.strip()]
    chosen = {line.split("=", 1)[0].strip() for line in lines if "=" in line and
              not line.startswith("#")}
    lines.append("")
    for setting in SETTINGS:
        if setting.key in chosen:
            continue
        lines.append(f"# {setting.help}")
        lines.append(f"# {setting.key} = {_toml(setting.default)}")
    return "\n".join(lines) + "\n"


README = """# {title}

A weekly report of the `{kind}` kind, made by `weekly init`.

- `report.toml`: the settings (`weekly settings` explains each one).
- `data/`: the example data; replace it with yours, same columns (or map yours with
  `[data.columns]`).
- `notes/`: editor notes, one `YYYY-Www.md` per week.

Build the latest week: `weekly build --report {folder}`; publish the site around it:
`weekly publish --report {folder}`.
"""


def write_starter(folder: Path, kind: Kind) -> list[Path]:
    """Write the starter report into `folder`; return the files written."""
    config = folder / CONFIG_NAME
    if config.exists():
        raise InputError(f"{CONFIG_NAME} exists already; expected a new or empty folder",
                         Where(display_path(config)))
    title = folder.resolve().name.replace("-", " ").replace("_", " ").title()
    written = []
    for name, text in ((CONFIG_NAME, starter_toml(kind, title)),
                       ("README.md", README.format(title=title, kind=kind.name, folder=folder)),
                       *kind.starter_files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    (folder / "notes").mkdir(exist_ok=True)
    return written
