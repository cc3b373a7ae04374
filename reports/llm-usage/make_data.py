"""Write the sample report's data files: weekly token usage, model catalogue, extra authors.

The numbers are invented but shaped like a real weekly usage snapshot: each model follows a
smooth curve through a few anchor points (trillions of tokens per week), with a small wiggle
derived from a hash of its id and week, so the script is fully deterministic. A handful of
figures of the latest week (2026-05-18, ISO 2026-W21) and the week before are pinned to exact
integers, country totals of those two weeks are balanced on one model each, and the reserved
`others` row (the long tail) absorbs the difference to each week's total.

After writing, `verify` recomputes the published facts from the written rows (merging `:free`
and `:beta` variants, looking countries up in the package's default authors table overlaid by
this report's own) and fails loudly if any target is missed.

The package's default authors table (`generator/data/authors.csv`) is maintained by hand; this
script only reads it. Run: `python reports/llm-usage/make_data.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
DEFAULT_AUTHORS = HERE.parents[1] / "generator" / "data" / "authors.csv"

START = dt.date(2025, 10, 20)
WEEKS = 31
LATEST = WEEKS - 1
TRILLION = 1_000_000_000_000
OTHERS = "others"
MERGED_SUFFIXES = (":free", ":beta")

Row = tuple[str, str, int]

# --- exact figures of the latest week (index 30) and the one before (index 29) -------------
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
TOTAL_CURVE = ((0, 10.2), (8, 15.3), (9, 14.4), (10, 14.0), (11, 16.1), (16, 17.9), (21, 21.9))
# Holiday weeks: Christmas, New Year, Easter. Model curves are scaled by these factors.
SEASON = {9: 0.94, 10: 0.91, 23: 0.95}

# (row id, week index) -> exact tokens after merging variants into the base id.
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
# Country totals of the last two weeks are balanced on one model each.
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
    anchors: tuple[tuple[int, float], ...]
    gaps: tuple[int, ...] = ()

    @property
    def author(self) -> str:
        """The author slug, the part of the id before `/`."""
        return self.model.split("/", 1)[0]


@dataclass(frozen=True)
class Variant:
    """A `:free` or `:beta` row id whose tokens count under its base model."""

    model: str
    anchors: tuple[tuple[int, float], ...]


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

REPORT_AUTHORS = (
    ("kwaipilot", "Kwaipilot (Kuaishou)", "CN"),
    ("tencent", "Tencent Hunyuan", "CN"),
)


def week_date(index: int) -> dt.date:
    """Return the Monday of week `index` (0 = the first week of the data)."""
    return START + dt.timedelta(weeks=index)


def wiggle(key: str, index: int, spread: float = 0.04) -> float:
    """Return a deterministic factor in [1 - spread, 1 + spread] for an id and a week."""
    digest = hashlib.sha256(f"{key}|{index}".encode()).digest()
    unit = int.from_bytes(digest[:8], "big") / 2**64
    return 1 + spread * (2 * unit - 1)


def curve(anchors: tuple[tuple[int, float], ...], index: int) -> float | None:
    """Interpolate the anchors linearly at `index`; None outside the anchored weeks."""
    if index < anchors[0][0] or index > anchors[-1][0]:
        return None
    for (i0, v0), (i1, v1) in zip(anchors, anchors[1:], strict=False):
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


def countries() -> dict[str, str]:
    """Return author -> country from the default table overlaid by this report's own."""
    table = read_authors(DEFAULT_AUTHORS)
    table.update({slug: country for slug, _, country in REPORT_AUTHORS})
    return table


def generate() -> list[Row]:
    """Build the usage rows: curves, pins, country balancers, then the `others` long tail."""
    tokens: dict[tuple[int, str], int] = {}
    for model in MODELS:
        for index in range(WEEKS):
            value = curve(model.anchors, index)
            if value is not None and index not in model.gaps:
                scale = SEASON.get(index, 1.0) * wiggle(model.model, index)
                tokens[index, model.model] = round(value * TRILLION * scale)
    for variant in VARIANTS:
        for index in range(WEEKS):
            value = curve(variant.anchors, index)
            if value is not None:
                scale = SEASON.get(index, 1.0) * wiggle(variant.model, index, 0.08)
                tokens[index, variant.model] = round(value * TRILLION * scale)
    for (model, index), target in PINS.items():
        extra = sum(t for (i, m), t in tokens.items() if i == index and m != model
                    and base_model(m) == model)
        tokens[index, model] = target - extra
    country_of = countries()
    for (country, index), (model, target) in BALANCERS.items():
        rest = sum(t for (i, m), t in tokens.items() if i == index and m != model
                   and country_of.get(m.split("/", 1)[0]) == country)
        tokens[index, model] = target - rest
    for index in range(WEEKS):
        modelled = sum(t for (i, _), t in tokens.items() if i == index)
        total = TOTAL_PINS.get(index)
        if total is None:
            trend = curve(TOTAL_CURVE, index)
            assert trend is not None
            total = round(trend * TRILLION * wiggle(OTHERS, index, 0.015))
        tokens[index, OTHERS] = total - modelled
    rows = [(week_date(i).isoformat(), m, t) for (i, m), t in tokens.items()]
    return sorted(rows)


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
    catalogue = [
        (m.model, m.name, m.author, m.released, m.context_length, m.modalities,
         "true" if m.open_weights else "false", m.price_prompt, m.price_completion)
        for m in sorted(MODELS, key=lambda m: m.model)
    ]
    write_csv(
        DATA / "models.csv",
        ("model", "name", "author", "released", "context_length", "input_modalities",
         "open_weights", "price_prompt", "price_completion"),
        list(catalogue),
    )
    write_csv(DATA / "authors.csv", ("author", "name", "country"), list(REPORT_AUTHORS))


def _streak(flags: list[bool]) -> int:
    """Count the trailing run of True values."""
    count = 0
    for flag in reversed(flags):
        if not flag:
            break
        count += 1
    return count


def _pct(this: int, prev: int) -> float:
    """Return the change from `prev` to `this` in percent."""
    return (this - prev) / prev * 100


def verify(rows: list[Row]) -> None:
    """Recompute the latest week's facts from the rows and assert every target; print them."""
    country_of = read_authors(DEFAULT_AUTHORS)
    country_of.update(read_authors(DATA / "authors.csv"))
    with (DATA / "models.csv").open(encoding="utf-8", newline="") as handle:
        catalogue = {row["model"]: row for row in csv.DictReader(handle)}

    assert rows == sorted(rows), "rows must be sorted by week then model"
    assert len({(w, m) for w, m, _ in rows}) == len(rows), "one row per week and model id"
    assert all(isinstance(t, int) and t >= 0 for _, _, t in rows), "tokens must be >= 0 ints"
    weeks = sorted({dt.date.fromisoformat(w) for w, _, _ in rows})
    assert all(w.weekday() == 0 for w in weeks), "weeks must be Mondays"
    assert weeks == [week_date(i) for i in range(WEEKS)], "weeks must be consecutive"
    assert weeks[-1] == dt.date(2026, 5, 18) and len(weeks) >= 30

    merged: dict[dt.date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for w, m, t in rows:
        merged[dt.date.fromisoformat(w)][base_model(m)] += t
    total = {w: sum(merged[w].values()) for w in weeks}
    by_country: dict[dt.date, dict[str, int]] = {}
    for w in weeks:
        sums: dict[str, int] = defaultdict(int)
        for m, t in merged[w].items():
            country = country_of.get(m.split("/", 1)[0]) if m != OTHERS else None
            if country:
                sums[country] += t
        by_country[w] = sums
    ranks: dict[dt.date, dict[str, int]] = {}
    for w in weeks:
        real = sorted(((t, m) for m, t in merged[w].items() if m != OTHERS), reverse=True)
        ranks[w] = {m: r for r, (_, m) in enumerate(real, start=1)}
    first_week: dict[str, dt.date] = {}
    for w in weeks:
        for m in merged[w]:
            first_week.setdefault(m, w)

    # Whole-data shape.
    models = {m for m in first_week if m != OTHERS}
    assert all(OTHERS in merged[w] and merged[w][OTHERS] > 0 for w in weeks), "others each week"
    assert len(models) >= 22, len(models)
    assert len({m.split("/", 1)[0] for m in models}) >= 10
    known = {country_of[m.split("/", 1)[0]] for m in models if m.split("/", 1)[0] in country_of}
    assert len(known) >= 5 and {"CN", "US", "FR", "CA", "IL", "KR"} <= known, known
    assert any(m.split("/", 1)[0] not in country_of for m in models), "an unknown-country model"
    assert models == set(catalogue), models ^ set(catalogue)
    for m in models:
        released = dt.date.fromisoformat(catalogue[m]["released"])
        assert first_week[m] >= released, f"{m} has rows before its release"
    assert any(
        len([w for w in weeks if m in merged[w]])
        < (weeks[-1] - first_week[m]).days // 7 + 1
        and m in merged[weeks[-1]]
        for m in models
    ), "a model that vanishes and returns"

    this, prev = weeks[-1], weeks[-2]
    facts: list[tuple[str, str]] = []

    growth = _streak([total[b] > total[a] for a, b in zip(weeks, weeks[1:], strict=False)])
    assert round(total[this] / TRILLION, 1) == 36.1
    assert round(_pct(total[this], total[prev]), 1) == 13.5
    assert growth == 7, growth
    facts += [("total", f"{total[this] / TRILLION:.4f}T"),
              ("total change", f"{_pct(total[this], total[prev]):+.2f}%"),
              ("growth streak", f"{growth} weeks")]

    cn, us = by_country[this]["CN"], by_country[this]["US"]
    assert round(cn / TRILLION, 2) == 14.19
    assert round(_pct(cn, by_country[prev]["CN"]), 2) == 27.49
    assert round(us / TRILLION, 1) == 3.2
    assert round(_pct(us, by_country[prev]["US"]), 2) == -24.53
    for w in weeks[-6:]:
        top = sorted(by_country[w].items(), key=lambda kv: kv[1], reverse=True)[:2]
        assert {c for c, _ in top} == {"CN", "US"}, (w, top)
    lead = _streak([by_country[w]["CN"] > by_country[w]["US"] for w in weeks])
    assert lead == 6, lead
    facts += [("CN", f"{cn / TRILLION:.4f}T {_pct(cn, by_country[prev]['CN']):+.2f}%"),
              ("US", f"{us / TRILLION:.4f}T {_pct(us, by_country[prev]['US']):+.2f}%"),
              ("CN ahead of US", f"{lead} weeks")]
    for c, t in sorted(by_country[this].items(), key=lambda kv: kv[1], reverse=True):
        facts.append((f"  country {c}", f"{t / TRILLION:.4f}T"))

    top4 = sorted(ranks[this], key=ranks[this].__getitem__)[:4]
    assert all(country_of[m.split("/", 1)[0]] == "CN" for m in top4), top4
    expect = {
        "deepseek/deepseek-v4-flash": (1, 3.69, 2, 19, 0),
        "tencent/hy3-preview": (2, 2.94, 2, -3, 0),
        "minimax/minimax-m3": (3, 2.5, 1, None, None),
    }
    for m, (rank, value, digits, change, change_digits) in expect.items():
        t = merged[this][m]
        assert ranks[this][m] == rank, (m, ranks[this][m])
        assert round(t / TRILLION, digits) == value, (m, t)
        if change is None:
            assert first_week[m] == this, f"{m} must be new this week"
        else:
            assert round(_pct(t, merged[prev][m]), change_digits) == change, m
    flash_rank1 = _streak([ranks[w].get("deepseek/deepseek-v4-flash") == 1 for w in weeks])
    assert flash_rank1 == 3, flash_rank1
    m3 = catalogue["minimax/minimax-m3"]
    assert m3["context_length"] == "1000000" and "image" in m3["input_modalities"].split("+")
    assert this <= dt.date.fromisoformat(m3["released"]) < this + dt.timedelta(days=7)

    for m in sorted(ranks[this], key=ranks[this].__getitem__)[:8]:
        t = merged[this][m]
        old = merged[prev].get(m)
        change = f"{_pct(t, old):+.2f}%" if old else "new"
        streak = _streak([ranks[w].get(m) == ranks[this][m] for w in weeks])
        facts.append((f"  #{ranks[this][m]} {m}", f"{t / TRILLION:.4f}T {change} "
                                                  f"({streak} wk at rank)"))
    facts.append(("others (long tail)", f"{merged[this][OTHERS] / TRILLION:.4f}T"))
    width = max(len(k) for k, _ in facts)
    print(f"Facts of {this.isoformat()} (ISO {this.isocalendar()[0]}-W{this.isocalendar()[1]})")
    for key, value in facts:
        print(f"{key:<{width}}  {value}")


def main() -> None:
    """Generate, write and verify the sample data."""
    rows = generate()
    write_all(rows)
    verify(rows)


if __name__ == "__main__":
    main()
