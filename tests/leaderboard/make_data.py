"""Write a test report shaped like a scrape of a public weekly leaderboard, with its catalogue.

Real leaderboard data is not a usage snapshot of a whole platform. This script imitates what
a year of weekly scrapes of OpenRouter's public rankings looks like, next to a saved
`/api/v1/models` response, so that the tests can hold every sentence of an edition to it:

- only the week's leading rows are published (10 a week, 11 after the source change) and no
  long-tail row, so their sum is not the platform's volume;
- a model that falls out of the list has no row at all (its volume is unknown, not zero);
- ids are the catalogue's `canonical_slug`, often dated (`tencent/hy3-preview-20260421`,
  `moonshotai/kimi-k2.5-0127`, `qwen/qwen3.6-plus-04-02:free`), while the catalogue's `id`
  is undated; two GPT-4o snapshots are genuinely different models with dated ids of their own;
- names come in two styles, "Anthropic: Claude Sonnet 4" and "Claude Sonnet 4.6", with
  variant marks such as "(free)" and "(exacto)";
- a free variant is listed beside its base model in the same week;
- models enter the list weeks after their catalogue `created` date, leave it and come back;
- from the week of 2026-02-23 the source changes: one more row a week, figures rounded to
  three significant figures, and a larger measured volume (the listed total jumps by over a third).

The volumes come from smooth curves per model over a wider universe of models; each week's list
is that week's leading rows. Everything is deterministic. After writing, `verify` checks that
each of the shapes above is really in the data, so a change to the curves cannot quietly lose
one. Writes `data/usage.csv` and `data/models.json`. Run: `python tests/leaderboard/make_data.py`.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

START = dt.date(2025, 6, 2)
WEEKS = 52
SWITCH = 38  # 2026-02-23: one more row a week, rounded figures, a wider measurement
SCALE_AFTER_SWITCH = 1.3
BILLION = 1_000_000_000


def week_date(index: int) -> dt.date:
    """The Monday of week `index`."""
    return START + dt.timedelta(weeks=index)


def _unix(day: str) -> int:
    return int(dt.datetime.fromisoformat(day).replace(hour=15, tzinfo=dt.UTC).timestamp())


@dataclass(frozen=True)
class Listed:
    """One id as the leaderboard lists it, with its name there and its curve (billions)."""

    slug: str
    name: str
    curve: Callable[[int], float]


def _grow(start: int, first: float, rate: float, cap: float) -> Callable[[int], float]:
    return lambda w: 0.0 if w < start else min(cap, first * (1 + rate) ** (w - start))


def _fade(level: float, rate: float, after: int = 0, fast: float = 0.0) -> Callable[[int], float]:
    def volume(w: int) -> float:
        base = level * (1 - rate) ** w
        return base * (1 - fast) ** max(0, w - after) if fast else base
    return volume


def _wave(level: float, swing: float, period: float, phase: float = 0.0) -> Callable[[int], float]:
    return lambda w: level + swing * math.sin(2 * math.pi * (w + phase) / period)


def _steps(points: dict[int, float], start: int) -> Callable[[int], float]:
    """Given weeks, then held at the last value given."""
    def volume(w: int) -> float:
        if w < start:
            return 0.0
        known = [k for k in points if k <= w]
        return points[max(known)] if known else 0.0
    return volume


UNIVERSE: tuple[Listed, ...] = (
    Listed("anthropic/claude-4-sonnet-20250522", "Anthropic: Claude Sonnet 4",
           _fade(900, 0.012, after=37, fast=0.35)),
    Listed("google/gemini-2.5-flash", "Google: Gemini 2.5 Flash", _wave(330, 95, 9)),
    Listed("x-ai/grok-code-fast-1", "xAI: Grok Code Fast 1", _grow(0, 520, 0.035, 1100)),
    Listed("openai/gpt-oss-120b", "OpenAI: gpt-oss-120b", _wave(300, 80, 7, 2)),
    Listed("openai/gpt-4o-2024-11-20", "OpenAI: GPT-4o (2024-11-20)", _fade(470, 0.03)),
    Listed("openai/gpt-4o-2024-08-06", "OpenAI: GPT-4o (2024-08-06)", _fade(430, 0.03)),
    Listed("z-ai/glm-4.6", "Z.AI: GLM 4.6", _wave(380, 60, 26, -6)),
    Listed("deepseek/deepseek-chat-v3-0324", "DeepSeek: DeepSeek V3 0324", _fade(760, 0.025)),
    Listed("qwen/qwen3-coder", "Qwen: Qwen3 Coder 480B A35B", _wave(540, 40, 13)),
    Listed("mistralai/mistral-small-3.2-24b-instruct", "Mistral: Mistral Small 3.2 24B",
           _wave(260, 30, 11)),
    Listed("moonshotai/kimi-k2-0905", "MoonshotAI: Kimi K2 0905", _grow(14, 650, 0.01, 800)),
    Listed("moonshotai/kimi-k2-0905:exacto", "MoonshotAI: Kimi K2 0905 (exacto)",
           _grow(20, 330, 0.02, 470)),
    Listed("deepseek/deepseek-v3.2-20251201", "DeepSeek: DeepSeek V3.2",
           _grow(26, 640, 0.06, 1500)),
    Listed("openai/gpt-5.2-20251211", "OpenAI: GPT-5.2", _steps({27: 150, 28: 560}, 27)),
    Listed("google/gemini-3-flash-preview-20251217", "Google: Gemini 3 Flash Preview",
           _steps({28: 140, 29: 720, 34: 760, 40: 700}, 28)),
    Listed("moonshotai/kimi-k2.5-0127", "Kimi K2.5 0127",
           _steps({34: 150, 35: 210, 36: 260, 37: 690, 45: 820}, 34)),
    Listed("minimax/minimax-m2.5-20260211", "MiniMax: MiniMax M2.5",
           _steps({36: 90, 37: 420, 42: 520}, 36)),
    Listed("anthropic/claude-sonnet-4.6", "Claude Sonnet 4.6",
           _steps({37: 880, 39: 960, 44: 900}, 37)),
    Listed("qwen/qwen3.6-plus-preview-03-30:free", "Qwen: Qwen3.6 Plus Preview (free)",
           _steps({43: 160, 44: 520, 48: 380}, 43)),
    Listed("qwen/qwen3.6-plus-04-02:free", "Qwen: Qwen3.6 Plus (free)",
           _steps({43: 120, 44: 470, 49: 520}, 43)),
    Listed("tencent/hy3-preview-20260421:free", "Tencent: Hy3 Preview (free)",
           _steps({46: 1250, 48: 1350, 50: 1100}, 46)),
    Listed("tencent/hy3-preview-20260421", "Hy3 Preview", _steps({48: 380, 50: 600}, 48)),
    Listed("minimax/minimax-m3", "MiniMax: MiniMax M3", _steps({51: 1300}, 51)),
)


@dataclass(frozen=True)
class Entry:
    """One model of the catalogue, in the API's shape."""

    id: str
    canonical_slug: str
    name: str
    created: str
    context_length: int
    modalities: tuple[str, ...]
    hugging_face_id: str
    prompt: str
    completion: str

    def to_json(self) -> dict[str, object]:
        """The entry as `/api/v1/models` returns it."""
        return {
            "id": self.id,
            "canonical_slug": self.canonical_slug,
            "hugging_face_id": self.hugging_face_id,
            "name": self.name,
            "created": _unix(self.created),
            "description": f"{self.name}.",
            "context_length": self.context_length,
            "architecture": {"modality": "text->text", "input_modalities": list(self.modalities),
                             "output_modalities": ["text"], "tokenizer": "Other",
                             "instruct_type": None},
            "pricing": {"prompt": self.prompt, "completion": self.completion, "request": "0",
                        "image": "0"},
            "top_provider": {"context_length": self.context_length,
                             "max_completion_tokens": None, "is_moderated": False},
            "per_request_limits": None,
            "supported_parameters": ["max_tokens", "temperature", "tools"],
        }


def _e(id_: str, slug: str, name: str, created: str, ctx: int, hf: str, prompt: str,
       completion: str, modalities: tuple[str, ...] = ("text",)) -> Entry:
    return Entry(id_, slug, name, created, ctx, modalities, hf, prompt, completion)


TEXT_IMAGE = ("text", "image")
CATALOGUE: tuple[Entry, ...] = (
    _e("anthropic/claude-sonnet-4", "anthropic/claude-4-sonnet-20250522",
       "Anthropic: Claude Sonnet 4", "2025-05-22", 1_000_000, "", "0.000003", "0.000015",
       TEXT_IMAGE),
    _e("anthropic/claude-sonnet-4.6", "anthropic/claude-4.6-sonnet-20260217",
       "Anthropic: Claude Sonnet 4.6", "2026-02-17", 1_000_000, "", "0.000003", "0.000015",
       TEXT_IMAGE),
    _e("google/gemini-2.5-flash", "google/gemini-2.5-flash", "Google: Gemini 2.5 Flash",
       "2025-06-17", 1_048_576, "", "0.0000003", "0.0000025", TEXT_IMAGE),
    _e("google/gemini-3-flash-preview", "google/gemini-3-flash-preview-20251217",
       "Google: Gemini 3 Flash Preview", "2025-12-17", 1_048_576, "", "0.0000005", "0.000003",
       TEXT_IMAGE),
    _e("x-ai/grok-code-fast-1", "x-ai/grok-code-fast-1", "xAI: Grok Code Fast 1", "2025-08-26",
       256_000, "", "0.0000002", "0.0000015"),
    _e("openai/gpt-oss-120b", "openai/gpt-oss-120b", "OpenAI: gpt-oss-120b", "2025-08-05",
       131_072, "openai/gpt-oss-120b", "0.00000005", "0.00000025"),
    _e("openai/gpt-4o", "openai/gpt-4o", "OpenAI: GPT-4o", "2024-05-13", 128_000, "",
       "0.0000025", "0.00001", TEXT_IMAGE),
    _e("openai/gpt-4o-2024-11-20", "openai/gpt-4o-2024-11-20", "OpenAI: GPT-4o (2024-11-20)",
       "2024-11-20", 128_000, "", "0.0000025", "0.00001", TEXT_IMAGE),
    _e("openai/gpt-4o-2024-08-06", "openai/gpt-4o-2024-08-06", "OpenAI: GPT-4o (2024-08-06)",
       "2024-08-06", 128_000, "", "0.0000025", "0.00001", TEXT_IMAGE),
    _e("openai/gpt-5.2", "openai/gpt-5.2-20251211", "OpenAI: GPT-5.2", "2025-12-11", 400_000,
       "", "0.00000175", "0.000014", TEXT_IMAGE),
    _e("z-ai/glm-4.6", "z-ai/glm-4.6", "Z.AI: GLM 4.6", "2025-09-30", 202_752, "zai-org/GLM-4.6",
       "0.0000004", "0.00000175"),
    _e("deepseek/deepseek-chat-v3-0324", "deepseek/deepseek-chat-v3-0324",
       "DeepSeek: DeepSeek V3 0324", "2025-03-24", 163_840, "deepseek-ai/DeepSeek-V3-0324",
       "0.00000024", "0.00000084"),
    _e("deepseek/deepseek-v3.2", "deepseek/deepseek-v3.2-20251201", "DeepSeek: DeepSeek V3.2",
       "2025-12-01", 163_840, "deepseek-ai/DeepSeek-V3.2", "0.00000028", "0.00000042"),
    _e("qwen/qwen3-coder", "qwen/qwen3-coder-480b-a35b-07-25", "Qwen: Qwen3 Coder 480B A35B",
       "2025-07-23", 262_144, "Qwen/Qwen3-Coder-480B-A35B-Instruct", "0.00000022", "0.00000095"),
    _e("qwen/qwen3.6-plus", "qwen/qwen3.6-plus-04-02", "Qwen: Qwen3.6 Plus", "2026-04-02",
       1_000_000, "", "0.0000004", "0.0000024", TEXT_IMAGE),
    _e("qwen/qwen3.6-plus:free", "qwen/qwen3.6-plus-04-02", "Qwen: Qwen3.6 Plus (free)",
       "2026-04-02", 1_000_000, "", "0", "0", TEXT_IMAGE),
    _e("qwen/qwen3.6-plus-preview:free", "qwen/qwen3.6-plus-preview-03-30",
       "Qwen: Qwen3.6 Plus Preview (free)", "2026-03-30", 1_000_000, "", "0", "0", TEXT_IMAGE),
    _e("mistralai/mistral-small-3.2-24b-instruct", "mistralai/mistral-small-3.2-24b-instruct-2506",
       "Mistral: Mistral Small 3.2 24B", "2025-06-20", 131_072,
       "mistralai/Mistral-Small-3.2-24B-Instruct-2506", "0.00000006", "0.00000018", TEXT_IMAGE),
    _e("moonshotai/kimi-k2-0905", "moonshotai/kimi-k2-0905", "MoonshotAI: Kimi K2 0905",
       "2025-09-05", 262_144, "moonshotai/Kimi-K2-Instruct-0905", "0.0000004", "0.000002"),
    _e("moonshotai/kimi-k2-0905:exacto", "moonshotai/kimi-k2-0905",
       "MoonshotAI: Kimi K2 0905 (exacto)", "2025-09-05", 262_144,
       "moonshotai/Kimi-K2-Instruct-0905", "0.0000006", "0.0000025"),
    _e("moonshotai/kimi-k2.5", "moonshotai/kimi-k2.5-0127", "MoonshotAI: Kimi K2.5",
       "2026-01-27", 262_144, "moonshotai/Kimi-K2.5", "0.0000005", "0.0000028", TEXT_IMAGE),
    _e("minimax/minimax-m2.5", "minimax/minimax-m2.5-20260211", "MiniMax: MiniMax M2.5",
       "2026-02-11", 204_800, "MiniMaxAI/MiniMax-M2.5", "0.0000003", "0.0000012"),
    _e("minimax/minimax-m3", "minimax/minimax-m3-20260526", "MiniMax: MiniMax M3", "2026-05-26",
       1_000_000, "MiniMaxAI/MiniMax-M3", "0.0000004", "0.0000016", TEXT_IMAGE),
    _e("tencent/hy3-preview", "tencent/hy3-preview-20260421", "Tencent: Hy3 Preview",
       "2026-04-21", 262_144, "", "0.0000002", "0.0000008", TEXT_IMAGE),
    _e("tencent/hy3-preview:free", "tencent/hy3-preview-20260421", "Tencent: Hy3 Preview (free)",
       "2026-04-21", 262_144, "", "0", "0", TEXT_IMAGE),
)


def round_sig(value: int, digits: int = 3) -> int:
    """`value` rounded to `digits` significant figures, as the changed source publishes it."""
    if value == 0:
        return 0
    step = 10 ** (len(str(value)) - digits)
    return (value + step // 2) // step * step if step > 1 else value


def list_length(index: int) -> int:
    """How many rows the source publishes in week `index`."""
    return 11 if index >= SWITCH else 10


def generate() -> list[tuple[str, str, str, int]]:
    """Each week's published rows: (week, slug, name, tokens), largest first."""
    rows = []
    for w in range(WEEKS):
        scale = SCALE_AFTER_SWITCH if w >= SWITCH else 1.0
        volumes = []
        for item in UNIVERSE:
            billions = item.curve(w)
            if billions > 0:
                # A small deterministic wiggle so no two weeks are exactly alike.
                wiggle = 1 + 0.01 * math.sin(w * 1.7 + len(item.slug))
                tokens = int(billions * wiggle * scale * BILLION) + (w * 7919 + len(item.slug))
                volumes.append((tokens, item))
        volumes.sort(key=lambda pair: (-pair[0], pair[1].slug))
        for tokens, item in volumes[:list_length(w)]:
            shown = round_sig(tokens) if w >= SWITCH else tokens
            rows.append((week_date(w).isoformat(), item.slug, item.name, shown))
    return rows


def write_all(rows: list[tuple[str, str, str, int]]) -> None:
    """Write the usage table and the catalogue."""
    DATA.mkdir(parents=True, exist_ok=True)
    with (DATA / "usage.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("week", "model", "name", "tokens"))
        writer.writerows(rows)
    models = {"data": [entry.to_json() for entry in CATALOGUE]}
    (DATA / "models.json").write_text(json.dumps(models, indent=1) + "\n", encoding="utf-8")


def listed_weeks(rows: list[tuple[str, str, str, int]], slug: str) -> list[int]:
    """Week indexes in which `slug` has a row."""
    days = sorted({week_date(i).isoformat(): i for i in range(WEEKS)}.items())
    index = dict(days)
    return sorted(index[w] for w, s, _n, _t in rows if s == slug)


def check(ok: bool, what: str) -> None:
    """Stop when the data lost one of the shapes it exists to have."""
    if not ok:
        raise SystemExit(f"make_data: the data no longer has: {what}")


def verify(rows: list[tuple[str, str, str, int]]) -> None:
    """Check that the data has every shape the tests rely on."""
    by_week: dict[str, list[tuple[str, int]]] = {}
    for week, slug, _name, tokens in rows:
        by_week.setdefault(week, []).append((slug, tokens))
    counts = [len(by_week[week_date(i).isoformat()]) for i in range(WEEKS)]
    check(set(counts[:SWITCH]) == {10} and set(counts[SWITCH:]) == {11}, "10 rows, then 11")
    totals = [sum(t for _s, t in by_week[week_date(i).isoformat()]) for i in range(WEEKS)]
    jump = totals[SWITCH] / totals[SWITCH - 1] - 1
    check(0.35 < jump < 0.55, f"a jump of about 44 % at the switch (got {jump:.1%})")
    check(all(round_sig(t) == t for w, _s, _n, t in rows if w >= week_date(SWITCH).isoformat()),
          "rounded figures after the switch")
    check(all(round_sig(t) != t for w, _s, _n, t in rows if w < week_date(SWITCH).isoformat()),
          "exact figures before the switch")
    gemini = listed_weeks(rows, "google/gemini-2.5-flash")
    gaps = [b for a, b in itertools.pairwise(gemini) if b - a > 1]
    check(bool(gaps), "a model that leaves the list and re-enters it")
    sonnet = listed_weeks(rows, "anthropic/claude-4-sonnet-20250522")
    check(sonnet[0] == 0 and sonnet[-1] < WEEKS - 1, "a model that leaves the list for good")
    kimi = listed_weeks(rows, "moonshotai/kimi-k2.5-0127")
    check(kimi[0] == 37, "Kimi K2.5 enters the list three weeks after its catalogue date")
    hy3 = set(listed_weeks(rows, "tencent/hy3-preview-20260421"))
    hy3_free = set(listed_weeks(rows, "tencent/hy3-preview-20260421:free"))
    check(bool(hy3 & hy3_free), "a free variant listed beside its base model")
    check(listed_weeks(rows, "minimax/minimax-m3") == [WEEKS - 1], "a launch in the last week")
    both_4o = set(listed_weeks(rows, "openai/gpt-4o-2024-11-20")) & set(
        listed_weeks(rows, "openai/gpt-4o-2024-08-06"))
    check(bool(both_4o), "two dated snapshots of one family listed in the same week")
    qwen = listed_weeks(rows, "qwen/qwen3.6-plus-04-02:free")
    preview = listed_weeks(rows, "qwen/qwen3.6-plus-preview-03-30:free")
    check(qwen[0] == preview[0], "two newcomers in one week")
    exacto = set(listed_weeks(rows, "moonshotai/kimi-k2-0905:exacto"))
    check(bool(exacto & set(listed_weeks(rows, "moonshotai/kimi-k2-0905"))),
          "a routing variant (exacto) listed beside its base model")


def main() -> None:
    """Generate, write and verify."""
    rows = generate()
    verify(rows)
    write_all(rows)
    print(f"wrote {len(rows)} rows over {WEEKS} weeks and {len(CATALOGUE)} catalogue entries")


if __name__ == "__main__":
    main()
