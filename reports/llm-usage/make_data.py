"""Write the sample report's data files: weekly token usage, model catalogue, extra authors.

The numbers are invented but shaped like a real weekly usage snapshot. Each model follows a
smooth curve through a few anchor points (trillions of tokens per week), scaled down in holiday
weeks and given a small wiggle derived from a SHA-256 hash of its id and week, so the output
is fully deterministic. A handful of figures of the latest week (2026-05-18, ISO 2026-W21) and
the weeks before it are pinned to exact integers, the China and US totals of the last two weeks
are balanced on one model each, and the reserved `others` row (the long tail, not a model)
absorbs the difference to each week's total.

After writing, `verify` recomputes the published facts from the rows exactly as the package
does (merging `:free` and `:beta` variants into the base model, looking countries up in the
package's default authors table overlaid by this report's own) and raises `TargetMissed` if any
target is off.

Writes `data/usage.csv`, `data/models.csv` and `data/authors.csv` next to this script. The
package's default authors table, `generator/data/authors.csv`, is maintained by hand; this
script only reads it. Run: `python reports/llm-usage/make_data.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import itertools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEFAULT_AUTHORS = HERE.parents[1] / "generator" / "data" / "authors.csv"

START = dt.date(2025, 10, 20)
WEEKS = 31
TRILLION = 1_000_000_000_000
OTHERS = "others"
MERGED_SUFFIXES = (":free", ":beta")

Row = tuple[str, str, int]
Anchors = tuple[tuple[int, float], ...]

# --- exact figures of the latest week (index 30) and the week before (index 29) -------------
TOTAL_21 = 36_107_318_442_906
TOTAL_20 = round(TOTAL_21 / 1.135)
CN_21 = 14_192_406_871_335
CN_20 = round(CN_21 / 1.2749)
US_21 = 3_203_917_552_648
US_20 = round(US_21 / 0.7547)
FLASH_21 = 3_691_274_118_503
FLASH_20 = round(FLASH_21 / 1.19)
HY3_21 = 2_941_630_587_214
HY3_20 = round(HY3_21 / 0.97)

# Week totals from W13 (index 22) on are pinned: a dip in W14 (Easter), then seven rises.
TOTAL_PINS = {
    22: 22_913_882_104_557,
    23: 22_102_195_768_031,
    24: 23_417_640_392_118,
    25: 25_026_304_811_472,
    26: 26_618_775_049_263,
    27: 28_294_116_530_845,
    28: 30_016_492_887_604,
    29: TOTAL_20,
    30: TOTAL_21,
}
# Earlier week totals follow this curve (trillions), with a small wiggle.
TOTAL_CURVE: Anchors = (
    (0, 10.2),
    (8, 15.3),
    (9, 14.4),
    (10, 14.0),
    (11, 16.1),
    (16, 17.9),
    (21, 21.9),
)
# Holiday weeks (Christmas, New Year, Easter): model curves are scaled by these factors.
SEASON = {9: 0.94, 10: 0.91, 23: 0.95}

# (model id, week index) -> exact tokens after its `:free`/`:beta` variants are merged in.
PINS: dict[tuple[str, int], int] = {
    ("deepseek/deepseek-v4-flash", 27): 2_313_508_264_097,
    ("deepseek/deepseek-v4-flash", 28): 2_784_112_903_356,
    ("deepseek/deepseek-v4-flash", 29): FLASH_20,
    ("deepseek/deepseek-v4-flash", 30): FLASH_21,
    ("tencent/hy3-preview", 26): 2_352_840_117_690,
    ("tencent/hy3-preview", 27): 2_624_095_338_412,
    ("tencent/hy3-preview", 28): 2_713_387_045_926,
    ("tencent/hy3-preview", 29): HY3_20,
    ("tencent/hy3-preview", 30): HY3_21,
    ("minimax/minimax-m3", 30): 2_503_118_966_042,
    ("moonshotai/kimi-k3", 30): 2_196_447_805_319,
}
# (country, week index) -> (model whose tokens make up the difference, country total).
BALANCERS = {
    ("CN", 29): ("qwen/qwen3.6-plus", CN_20),
    ("CN", 30): ("qwen/qwen3.6-plus", CN_21),
    ("US", 29): ("anthropic/claude-sonnet-4.6", US_20),
    ("US", 30): ("anthropic/claude-sonnet-4.6", US_21),
}


@dataclass(frozen=True)
class Model:
    """One catalogue entry plus the anchor points of its weekly usage curve (trillions)."""

    model: str
    name: str
    released: str
    context_length: int
    modalities: str
    open_weights: bool
    price_prompt: str
    price_completion: str
    anchors: Anchors
    gaps: tuple[int, ...] = ()

    @property
    def author(self) -> str:
        """The author slug, the part of the id before `/`."""
        return author_of(self.model)


@dataclass(frozen=True)
class Variant:
    """A `:free` or `:beta` row id whose tokens count under its base model."""

    model: str
    anchors: Anchors


# fmt: off
MODELS: tuple[Model, ...] = (
    # --- China ---------------------------------------------------------------------------
    Model("deepseek/deepseek-v3.2", "DeepSeek-V3.2", "2025-09-29", 163840, "text", True,
          "0.28", "0.42",
          ((0, 0.55), (8, 0.95), (19, 1.05), (20, 0.7), (24, 0.32), (29, 0.18), (30, 0.15))),
    Model("deepseek/deepseek-v4-flash", "DeepSeek-V4-Flash", "2026-03-04", 1000000, "text",
          True, "0.14", "0.28",
          ((20, 0.45), (22, 0.75), (24, 1.0), (25, 1.35), (26, 1.75), (30, 3.3))),
    Model("deepseek/deepseek-v4-pro", "DeepSeek-V4-Pro", "2026-03-04", 1000000, "text", True,
          "0.55", "2.19",
          ((20, 0.15), (24, 0.3), (28, 0.38), (30, 0.46))),
    Model("tencent/hy3-preview", "Hy3 Preview", "2026-03-26", 262144, "text+image", False,
          "0.2", "0.8",
          ((23, 0.35), (24, 0.85), (25, 1.45), (30, 2.9))),
    Model("minimax/minimax-m2.5", "MiniMax-M2.5", "2026-01-14", 204800, "text", True,
          "0.3", "1.2",
          ((13, 0.2), (16, 0.5), (24, 0.62), (29, 0.72), (30, 0.31))),
    Model("minimax/minimax-m3", "MiniMax-M3", "2026-05-18", 1000000, "text+image", True,
          "0.4", "1.6",
          ((30, 2.5),)),
    Model("moonshotai/kimi-k2-thinking", "Kimi K2 Thinking", "2025-11-06", 262144, "text", True,
          "0.6", "2.5",
          ((3, 0.25), (6, 0.6), (14, 0.7), (15, 0.45), (20, 0.12), (30, 0.04))),
    Model("moonshotai/kimi-k3", "Kimi K3", "2026-01-27", 262144, "text+image", True,
          "0.6", "2.5",
          ((15, 0.4), (18, 0.8), (24, 1.05), (26, 1.25), (28, 1.5), (29, 1.78), (30, 2.2))),
    Model("qwen/qwen3-max", "Qwen3-Max", "2025-09-24", 262144, "text", False, "1.2", "6",
          ((0, 0.35), (10, 0.45), (17, 0.4), (19, 0.22), (24, 0.1), (30, 0.06))),
    Model("qwen/qwen3.6-plus", "Qwen3.6-Plus", "2026-02-16", 1000000, "text+image+video",
          False, "0.4", "1.2",
          ((17, 0.25), (20, 0.45), (24, 0.42), (28, 0.5), (30, 0.55))),
    Model("qwen/qwen3.6-coder", "Qwen3.6-Coder", "2026-03-18", 262144, "text", True,
          "0.22", "0.95",
          ((22, 0.15), (24, 0.22), (30, 0.3))),
    Model("z-ai/glm-4.6", "GLM-4.6", "2025-09-30", 202752, "text", True, "0.4", "1.75",
          ((0, 0.3), (10, 0.5), (15, 0.45), (17, 0.2), (24, 0.06), (30, 0.03))),
    Model("z-ai/glm-5", "GLM-5", "2026-02-11", 202752, "text", True, "0.6", "2.2",
          ((17, 0.25), (20, 0.42), (24, 0.4), (30, 0.5))),
    Model("xiaomi/mimo-v2", "MiMo-V2", "2025-12-16", 262144, "text", True, "0.1", "0.3",
          ((9, 0.06), (14, 0.12), (24, 0.14), (30, 0.18))),
    Model("kwaipilot/kat-coder-pro", "KAT-Coder-Pro", "2025-10-30", 262144, "text", False,
          "0.3", "1.2",
          ((2, 0.03), (12, 0.08), (24, 0.11), (30, 0.15))),
    # --- United States -------------------------------------------------------------------
    Model("anthropic/claude-sonnet-4.5", "Claude Sonnet 4.5", "2025-09-29", 1000000,
          "text+image", False, "3", "15",
          ((0, 1.55), (8, 1.85), (17, 1.7), (18, 1.0), (20, 0.45), (24, 0.16), (30, 0.04))),
    Model("anthropic/claude-sonnet-4.6", "Claude Sonnet 4.6", "2026-02-17", 1000000,
          "text+image", False, "3", "15",
          ((18, 0.95), (20, 1.6), (24, 1.9), (25, 1.65), (27, 1.3), (28, 1.15), (30, 0.85))),
    Model("anthropic/claude-opus-4.6", "Claude Opus 4.6", "2026-02-05", 200000, "text+image",
          False, "5", "25",
          ((16, 0.2), (20, 0.55), (24, 0.58), (29, 0.38), (30, 0.3))),
    Model("openai/gpt-5", "GPT-5", "2025-08-07", 400000, "text+image", False, "1.25", "10",
          ((0, 0.95), (7, 0.9), (8, 0.7), (12, 0.3), (20, 0.1), (30, 0.03))),
    Model("openai/gpt-5.2", "GPT-5.2", "2025-12-11", 400000, "text+image", False, "1.25",
          "10",
          ((8, 0.3), (12, 0.8), (20, 0.9), (24, 0.85), (29, 0.55), (30, 0.45))),
    Model("openai/gpt-5.2-mini", "GPT-5.2 Mini", "2025-12-11", 400000, "text+image", False,
          "0.25", "2",
          ((8, 0.15), (14, 0.45), (24, 0.5), (29, 0.36), (30, 0.3))),
    Model("google/gemini-2.5-flash", "Gemini 2.5 Flash", "2025-06-17", 1048576,
          "text+image+audio+video", False, "0.3", "2.5",
          ((0, 1.5), (10, 1.2), (14, 0.55), (24, 0.2), (30, 0.08))),
    Model("google/gemini-3-pro", "Gemini 3 Pro", "2025-11-18", 1048576,
          "text+image+audio+video", False, "2", "12",
          ((5, 0.45), (8, 0.7), (24, 0.42), (29, 0.26), (30, 0.2))),
    Model("google/gemini-3-flash", "Gemini 3 Flash", "2025-12-17", 1048576,
          "text+image+audio+video", False, "0.5", "3",
          ((9, 0.35), (13, 1.0), (24, 1.05), (29, 0.7), (30, 0.55))),
    Model("x-ai/grok-4.1-fast", "Grok 4.1 Fast", "2025-11-19", 2000000, "text+image", False,
          "0.2", "0.5",
          ((5, 0.3), (10, 0.55), (24, 0.5), (29, 0.28), (30, 0.2))),
    Model("x-ai/grok-code-fast-1", "Grok Code Fast 1", "2025-08-26", 256000, "text", False,
          "0.2", "1.5",
          ((0, 1.05), (10, 0.9), (20, 0.45), (29, 0.18), (30, 0.15))),
    Model("meta-llama/llama-5-maverick", "Llama 5 Maverick", "2026-04-08", 1048576,
          "text+image", True, "0.15", "0.6",
          ((25, 0.14), (27, 0.1), (30, 0.06))),
    # --- France, Canada, Israel, South Korea -----------------------------------------------
    Model("mistralai/mistral-medium-3.2", "Mistral Medium 3.2", "2025-12-02", 131072,
          "text+image", False, "0.4", "2",
          ((7, 0.2), (15, 0.45), (30, 0.7))),
    Model("mistralai/devstral-2", "Devstral 2", "2025-12-09", 262144, "text", True, "0.15",
          "0.6",
          ((8, 0.12), (12, 0.35), (30, 0.55))),
    Model("cohere/command-a-2", "Command A 2", "2026-01-20", 256000, "text", True, "2.5", "10",
          ((14, 0.05), (30, 0.2))),
    Model("ai21/jamba-2-large", "Jamba 2 Large", "2025-10-08", 256000, "text", True, "2", "8",
          ((0, 0.05), (30, 0.1)), gaps=(11, 12)),
    Model("upstage/solar-pro-3", "Solar Pro 3", "2026-02-24", 131072, "text", False, "0.25",
          "0.6",
          ((19, 0.04), (30, 0.15))),
    # --- author in neither authors table: unknown country ----------------------------------
    Model("sao10k/l3.5-euryale-70b", "L3.5 Euryale 70B", "2025-10-02", 131072, "text", True,
          "0.65", "0.75",
          ((0, 0.12), (30, 0.22))),
)

VARIANTS: tuple[Variant, ...] = (
    Variant("deepseek/deepseek-v4-flash:free", ((20, 0.25), (24, 0.3), (30, 0.35))),
    Variant("qwen/qwen3.6-coder:free", ((22, 0.12), (26, 0.2), (30, 0.16))),
    # Launch promotion, then a second free window that ended before the latest week.
    Variant("x-ai/grok-4.1-fast:free", ((5, 0.6), (9, 0.45))),
    Variant("x-ai/grok-4.1-fast:free", ((28, 0.35), (29, 0.42))),
    Variant("anthropic/claude-sonnet-4.5:beta", ((0, 0.08), (12, 0.03))),
)

# fmt: on

REPORT_AUTHORS = (
    ("kwaipilot", "Kwaipilot (Kuaishou)", "CN"),  # only in this report
    ("tencent", "Tencent Hunyuan", "CN"),  # overrides the default display name
)


class TargetMissed(AssertionError):
    """A generated figure misses the fact the sample report is meant to publish."""


def check(ok: bool, what: object) -> None:
    """Raise `TargetMissed` with `what` unless `ok` (unlike `assert`, survives `-O`)."""
    if not ok:
        raise TargetMissed(what)


def author_of(model: str) -> str:
    """Return the author slug of a model id, the part before `/`."""
    return model.split("/", 1)[0]


def week_date(index: int) -> dt.date:
    """Return the Monday of week `index` (0 = the first week of the data)."""
    return START + dt.timedelta(weeks=index)


def wiggle(key: str, index: int, spread: float = 0.04) -> float:
    """Return a deterministic factor in [1 - spread, 1 + spread] for an id and a week."""
    digest = hashlib.sha256(f"{key}|{index}".encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64
    return 1 + spread * (2 * unit - 1)


def curve(anchors: Anchors, index: int) -> float | None:
    """Interpolate the anchors linearly at `index`; None outside the anchored weeks."""
    if index < anchors[0][0] or index > anchors[-1][0]:
        return None
    for (i0, v0), (i1, v1) in itertools.pairwise(anchors):
        if i0 <= index <= i1:
            return v0 + (v1 - v0) * (index - i0) / (i1 - i0)
    return anchors[-1][1]


def base_model(model: str) -> str:
    """Return the id a row counts under after merging `:free` and `:beta` variants."""
    stem, sep, suffix = model.partition(":")
    return stem if sep and f":{suffix}" in MERGED_SUFFIXES else model


def read_authors(path: Path) -> dict[str, str]:
    """Read an authors CSV into author slug -> country."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["author"]: row["country"] for row in csv.DictReader(handle)}


def generate() -> list[Row]:
    """Build the usage rows: curves, pins, country balancers, then the `others` long tail."""
    tokens: dict[tuple[int, str], int] = {}
    series = [(m.model, m.anchors, m.gaps, 0.04) for m in MODELS]
    series += [(v.model, v.anchors, (), 0.08) for v in VARIANTS]
    for model_id, anchors, gaps, spread in series:
        for index in range(WEEKS):
            value = curve(anchors, index)
            if value is not None and index not in gaps:
                scale = SEASON.get(index, 1.0) * wiggle(model_id, index, spread)
                tokens[index, model_id] = round(value * TRILLION * scale)
    for (model_id, index), target in PINS.items():
        variants = sum(
            t
            for (i, m), t in tokens.items()
            if i == index and m != model_id and base_model(m) == model_id
        )
        tokens[index, model_id] = target - variants
    country_of = read_authors(DEFAULT_AUTHORS)
    country_of.update({slug: country for slug, _, country in REPORT_AUTHORS})
    for (country, index), (model_id, target) in BALANCERS.items():
        rest = sum(
            t
            for (i, m), t in tokens.items()
            if i == index and m != model_id and country_of.get(author_of(m)) == country
        )
        tokens[index, model_id] = target - rest
    for index in range(WEEKS):
        modelled = sum(t for (i, _), t in tokens.items() if i == index)
        total = TOTAL_PINS.get(index)
        if total is None:
            trend = curve(TOTAL_CURVE, index)
            check(trend is not None, f"no total for week {index}")
            total = round((trend or 0.0) * TRILLION * wiggle(OTHERS, index, 0.015))
        tokens[index, OTHERS] = total - modelled
    return sorted((week_date(i).isoformat(), m, t) for (i, m), t in tokens.items())


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[object, ...]]) -> None:
    """Write a UTF-8 CSV with `\\n` line endings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_all(rows: list[Row]) -> None:
    """Write usage.csv, models.csv and the report's authors.csv."""
    write_csv(DATA / "usage.csv", ("week", "model", "tokens"), list(rows))
    catalogue: list[tuple[object, ...]] = [
        (
            m.model,
            m.name,
            m.author,
            m.released,
            m.context_length,
            m.modalities,
            "true" if m.open_weights else "false",
            m.price_prompt,
            m.price_completion,
        )
        for m in sorted(MODELS, key=lambda m: m.model)
    ]
    header = (
        "model",
        "name",
        "author",
        "released",
        "context_length",
        "input_modalities",
        "open_weights",
        "price_prompt",
        "price_completion",
    )
    write_csv(DATA / "models.csv", header, catalogue)
    write_csv(DATA / "authors.csv", ("author", "name", "country"), list(REPORT_AUTHORS))


def streak(flags: list[bool]) -> int:
    """Count the trailing run of True values."""
    return len(list(itertools.takewhile(bool, reversed(flags))))


def pct(this: int, prev: int) -> float:
    """Return the change from `prev` to `this` in percent."""
    return (this - prev) / prev * 100


def trillions(tokens: int) -> str:
    """Format tokens in trillions with four decimals."""
    return f"{tokens / TRILLION:.4f}T"


def verify(rows: list[Row]) -> None:
    """Recompute the latest week's facts from the rows, check every target, print the facts."""
    country_of = read_authors(DEFAULT_AUTHORS)
    country_of.update(read_authors(DATA / "authors.csv"))
    with (DATA / "models.csv").open(encoding="utf-8", newline="") as handle:
        catalogue = {entry["model"]: entry for entry in csv.DictReader(handle)}

    # Shape of the table.
    check(rows == sorted(rows), "rows must be sorted by week then model")
    check(len({(w, m) for w, m, _ in rows}) == len(rows), "one row per week and model id")
    check(all(isinstance(t, int) and t >= 0 for _, _, t in rows), "tokens must be ints >= 0")
    weeks = sorted({dt.date.fromisoformat(w) for w, _, _ in rows})
    check(weeks == [week_date(i) for i in range(WEEKS)], "weeks must be consecutive Mondays")
    check(all(w.weekday() == 0 for w in weeks), "weeks must be Mondays")
    check(weeks[-1] == dt.date(2026, 5, 18) and len(weeks) >= 30, "history must end in W21")

    # Merge variants, then derive totals, country sums, ranks and first weeks.
    merged: dict[dt.date, dict[str, int]] = {w: defaultdict(int) for w in weeks}
    for week_text, model_id, tokens in rows:
        merged[dt.date.fromisoformat(week_text)][base_model(model_id)] += tokens
    total = {w: sum(merged[w].values()) for w in weeks}
    by_country: dict[dt.date, dict[str, int]] = {w: defaultdict(int) for w in weeks}
    ranks: dict[dt.date, dict[str, int]] = {}
    first_week: dict[str, dt.date] = {}
    for w in weeks:
        for model_id, tokens in merged[w].items():
            first_week.setdefault(model_id, w)
            country = None if model_id == OTHERS else country_of.get(author_of(model_id))
            if country:
                by_country[w][country] += tokens
        real = sorted(((t, m) for m, t in merged[w].items() if m != OTHERS), reverse=True)
        ranks[w] = {m: rank for rank, (_, m) in enumerate(real, start=1)}
    models = set(first_week) - {OTHERS}
    authors = {author_of(m) for m in models}

    # Whole-history requirements.
    check(all(merged[w].get(OTHERS, 0) > 0 for w in weeks), "an `others` row every week")
    check(len(models) >= 22, f"only {len(models)} models")
    check(len(authors) >= 10, f"only {len(authors)} authors")
    known = {country_of[a] for a in authors if a in country_of}
    check({"CN", "US", "FR", "CA", "IL", "KR"} <= known, f"countries {sorted(known)}")
    check(any(a not in country_of for a in authors), "an author of unknown country")
    check(models == set(catalogue), f"catalogue mismatch: {sorted(models ^ set(catalogue))}")
    for m in models:
        released = dt.date.fromisoformat(catalogue[m]["released"])
        check(first_week[m] >= released, f"{m} has rows before its release")
    returning = [
        m
        for m in models
        if m in merged[weeks[-1]]
        and sum(m in merged[w] for w in weeks) < (weeks[-1] - first_week[m]).days // 7 + 1
    ]
    check(bool(returning), "a model that vanishes for a while and returns")

    this, prev = weeks[-1], weeks[-2]
    facts: list[tuple[str, str]] = []

    growth = streak([total[b] > total[a] for a, b in itertools.pairwise(weeks)])
    check(round(total[this] / TRILLION, 1) == 36.1, ("total", total[this]))
    check(round(pct(total[this], total[prev]), 1) == 13.5, ("total change", total[prev]))
    check(growth == 7, ("growth streak", growth))
    facts += [
        ("total tokens", f"{trillions(total[this])} {pct(total[this], total[prev]):+.2f}%"),
        ("growth streak", f"{growth} weeks"),
    ]

    race = sorted(by_country[this], key=by_country[this].__getitem__, reverse=True)[:2]
    check(race == ["CN", "US"], ("country race", race))
    for w in weeks[-6:]:
        top = sorted(by_country[w], key=by_country[w].__getitem__, reverse=True)[:2]
        check(set(top) == {"CN", "US"}, (w, top))
    cn, us = by_country[this]["CN"], by_country[this]["US"]
    cn_pct, us_pct = pct(cn, by_country[prev]["CN"]), pct(us, by_country[prev]["US"])
    check(round(cn / TRILLION, 2) == 14.19, ("CN", cn))
    check(round(cn_pct, 2) == 27.49, ("CN change", cn_pct))
    check(round(us / TRILLION, 1) == 3.2, ("US", us))
    check(round(us_pct, 2) == -24.53, ("US change", us_pct))
    lead = streak([by_country[w]["CN"] > by_country[w]["US"] for w in weeks])
    check(lead == 6, ("CN lead streak", lead))
    facts += [
        ("China (CN)", f"{trillions(cn)} {cn_pct:+.2f}%"),
        ("United States (US)", f"{trillions(us)} {us_pct:+.2f}%"),
        ("CN ahead of US", f"{lead} weeks"),
    ]
    for country, tokens in sorted(by_country[this].items(), key=lambda kv: -kv[1])[2:]:
        facts.append((f"  {country}", trillions(tokens)))
    unknown = sum(
        t for m, t in merged[this].items() if m != OTHERS and author_of(m) not in country_of
    )
    facts.append(("  unknown country", trillions(unknown)))

    order = sorted(ranks[this], key=ranks[this].__getitem__)
    check(all(country_of.get(author_of(m)) == "CN" for m in order[:4]), ("top four", order[:4]))
    expected = {  # model: (rank, trillions, digits, change %, digits or None if new)
        "deepseek/deepseek-v4-flash": (1, 3.69, 2, 19, 0),
        "tencent/hy3-preview": (2, 2.94, 2, -3, 0),
        "minimax/minimax-m3": (3, 2.5, 1, None, None),
    }
    for m, (rank, value, digits, change, change_digits) in expected.items():
        tokens = merged[this][m]
        check(ranks[this][m] == rank, (m, "rank", ranks[this][m]))
        check(round(tokens / TRILLION, digits) == value, (m, "tokens", tokens))
        if change is None:
            check(first_week[m] == this, f"{m} must be new this week")
        else:
            check(round(pct(tokens, merged[prev][m]), change_digits) == change, (m, "change"))
    at_top = streak([ranks[w].get("deepseek/deepseek-v4-flash") == 1 for w in weeks])
    check(at_top == 3, ("weeks at rank 1", at_top))
    m3 = catalogue["minimax/minimax-m3"]
    check(m3["context_length"] == "1000000", "MiniMax-M3 context")
    check({"text", "image"} <= set(m3["input_modalities"].split("+")), "MiniMax-M3 modalities")
    launch = dt.date.fromisoformat(m3["released"])
    check(this <= launch < this + dt.timedelta(days=7), "MiniMax-M3 released in W21")

    for m in order[:8]:
        tokens, old = merged[this][m], merged[prev].get(m)
        moved = f"{pct(tokens, old):+.2f}%" if old else "new"
        held = streak([ranks[w].get(m) == ranks[this][m] for w in weeks])
        country = country_of.get(author_of(m), "??")
        facts.append(
            (
                f"  #{ranks[this][m]} {m} ({country})",
                f"{trillions(tokens)} {moved}, {held} wk at this rank",
            )
        )
    facts.append(("others (long tail)", trillions(merged[this][OTHERS])))

    year, number, _ = this.isocalendar()
    print(f"Verified facts of {this.isoformat()} ({year}-W{number:02d}):")
    width = max(len(key) for key, _ in facts)
    for key, text in facts:
        print(f"{key:<{width}}  {text}")


def main() -> None:
    """Generate, write and verify the sample data."""
    rows = generate()
    write_all(rows)
    verify(rows)


if __name__ == "__main__":
    main()
