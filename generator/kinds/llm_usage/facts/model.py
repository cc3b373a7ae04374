"""The facts of one week: frozen dataclasses that serialise to `facts.json`.

Percentages are stored unrounded; each text rounds them as it shows them, and the check
compares at the precision shown. `None` means "no previous week to compare with".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from generator.ledger.claim import Claim
from generator.ledger.names import names_with_digits

CoverageKind = Literal["complete", "list"]
# The keys whose values are names, not figures.
NAME_KEYS = frozenset({"name", "model", "author", "author_name", "unknown_country_models",
                       "from_model", "from_name", "to_model", "to_name", "subject"})
# How a model came to be listed this week when it was not listed the week before: launched
# this week (the catalogue dates it), new to the data, or back after an absence.
Arrival = Literal["launch", "new", "return"]


@dataclass(frozen=True)
class TotalFacts:
    """All tokens of the week, `others` included."""

    tokens: int
    prev_tokens: int | None
    change_pct: float | None
    change_tokens: int | None
    growth_streak_weeks: int
    is_record: bool
    weeks_of_history: int
    # When a record: how many comparable weeks it beat.
    record_weeks_before: int | None = None


@dataclass(frozen=True)
class RegionFacts:
    """Tokens of the models whose author is from one country."""

    country: str
    name: str
    adjective: str
    tokens: int
    prev_tokens: int | None
    change_pct: float | None
    share_pct: float
    prev_share_pct: float | None
    models: int
    avg_price_prompt: float | None
    avg_price_completion: float | None


@dataclass(frozen=True)
class LeadFacts:
    """The country race between the two countries with the most volume."""

    leader: str
    runner_up: str | None
    streak_weeks: int
    gap_tokens: int | None
    ratio: float | None
    changed_this_week: bool
    previous_leader: str | None
    # The leader never led before in the comparable history, and another country did.
    first_time: bool = False
    # The longest run of weeks one country led before the current run (comparable history).
    longest_before_weeks: int = 0


@dataclass(frozen=True)
class ModelFacts:
    """One model's week: volume, rank and history, with what the catalogue says."""

    rank: int
    model: str
    name: str
    author: str | None
    author_name: str | None
    country: str | None
    tokens: int
    prev_tokens: int | None
    change_pct: float | None
    change_tokens: int | None
    share_pct: float
    prev_rank: int | None
    is_new: bool
    weeks_at_rank: int
    tied: bool
    first_week: str
    weeks_in_data: int
    new_in_top_n: bool
    best_rank: int
    best_rank_before: int | None
    released: str | None
    context_length: int | None
    input_modalities: tuple[str, ...]
    open_weights: bool | None
    price_prompt: float | None
    price_completion: float | None
    arrival: Arrival | None
    last_listed: str | None
    # At rank 1 again after other weeks: weeks since its last week at rank 1, else None.
    weeks_since_top: int | None = None
    # A debut larger than every earlier debut's first week (at least three earlier ones).
    record_debut: bool = False
    # The tokens of its `:free` ids this week, inside `tokens` (0 without a free variant): volume
    # a promotion can take away, so a lead smaller than it is no lead.
    free_tokens: int = 0


@dataclass(frozen=True)
class Mover:
    """A model's change on the week, for the movers lists."""

    model: str
    name: str
    rank: int | None
    tokens: int
    prev_tokens: int
    change_tokens: int
    change_pct: float | None


@dataclass(frozen=True)
class Departure:
    """A model listed last week with no row this week: its volume now is unknown, not zero."""

    model: str
    name: str
    prev_rank: int | None
    prev_tokens: int


@dataclass(frozen=True)
class MoversFacts:
    """Largest gains and losses among models with a figure in both weeks (a launch counts
    from zero), and the models that dropped out of the data."""

    gainers: tuple[Mover, ...]
    losers: tuple[Mover, ...]
    gainers_pct: tuple[Mover, ...]
    losers_pct: tuple[Mover, ...]
    dropped_out: tuple[Departure, ...]
    declining_models: int
    growing_models: int


@dataclass(frozen=True)
class CoverageFacts:
    """What the rows cover, and how much of the volume can be told apart and given a country.

    `kind` is `complete` (the rows, with a long tail, are the whole volume) or `list` (only the
    leading models; every total and share is then of the listed volume). `list_size` is the
    list's length N for a top-N list, else None.
    """

    kind: CoverageKind
    list_size: int | None
    listed_models: int
    attributed_share_pct: float
    attributed_tokens: int
    others_tokens: int
    others_share_pct: float
    unknown_country_tokens: int
    unknown_country_share_pct: float
    unknown_country_models: tuple[str, ...]
    free_variant_tokens: int
    rounded_figures: bool


@dataclass(frozen=True)
class MarketFacts:
    """Structure of the market this week."""

    models_tracked: int
    authors: int
    countries: int
    top_n: int
    top_n_share_pct: float
    top3_share_pct: float
    leader_share_pct: float
    open_weights_share_pct: float | None
    open_weights_tokens: int
    avg_price_prompt: float | None
    avg_price_completion: float | None
    top_run_country: str | None
    top_run_length: int
    leader_margin_tokens: int | None
    leader_margin_pct: float | None


@dataclass(frozen=True)
class SourceFacts:
    """What the source published this week, and where its method last changed.

    `changes` names what changed this week: `rows` (a longer list than any recent week),
    `rounding` (figures start or stop being rounded), `source` (the `source` column) or
    `coverage` (list ↔ complete). `break_week` is the last week with a change, up to this one;
    streaks and records count only from it. `comparable_weeks` counts the weeks from it.
    `rounding_tokens`: how far this week's total may be from the exact sum because the source
    rounds its figures (0 when it does not); a smaller change or lead is within the rounding.
    """

    label: str | None
    rows: int
    prev_rows: int | None
    significant_figures: int | None
    changed_this_week: bool
    changes: tuple[str, ...]
    break_week: str | None
    comparable_weeks: int
    rounding_tokens: int


@dataclass(frozen=True)
class LaunchPart:
    """A model launched this week (`arrival == "launch"`) and its first week's volume."""

    model: str
    name: str
    tokens: int


FreeTierEvent = Literal["started", "ended", "fell", "rose"]


@dataclass(frozen=True)
class FreeTierPart:
    """A model whose `:free` volume started, ended, or moved by a material amount.

    `change_tokens` is the signed change of the free part; `model_change_tokens` the whole
    model's (None when not comparable); `share_of_model_change_pct` is the free change's part
    of the model's change, when both moved the same way, else None.
    """

    model: str
    name: str
    event: FreeTierEvent
    free_tokens: int
    prev_free_tokens: int
    change_tokens: int
    model_change_tokens: int | None
    share_of_model_change_pct: float | None


@dataclass(frozen=True)
class SwitchPart:
    """Within one maker, an older model's material loss beside a newer model's material gain
    (the gainer's first week in the data is later than the loser's). Both figures positive."""

    author: str
    author_name: str | None
    from_model: str
    from_name: str
    lost_tokens: int
    to_model: str
    to_name: str
    gained_tokens: int


@dataclass(frozen=True)
class BroadMove:
    """Every model of one country with a figure in both weeks moved the same way (3 or more)."""

    country: str
    adjective: str
    direction: Literal["rose", "fell"]
    models: int
    change_tokens: int


@dataclass(frozen=True)
class AttributionFacts:
    """The parts that explain the week's change: launches, free tiers, switches within a
    maker's family, and broad moves of one country. Empty when there is no comparable
    previous week.

    Free tiers, switches and broad moves are of the models with a figure in both weeks: in a
    top-N list, of the models listed in both weeks whose figure sums the same ids
    (`frames.comparable`), since a model missing from the list has an unknown volume, not
    zero. `launch_share_of_change_pct` is only set when the total rose.
    """

    change_tokens: int | None = None
    launch_tokens: int = 0
    launch_share_of_change_pct: float | None = None
    change_without_launches_pct: float | None = None
    launches: tuple[LaunchPart, ...] = ()
    free_tiers: tuple[FreeTierPart, ...] = ()
    switches: tuple[SwitchPart, ...] = ()
    broad_moves: tuple[BroadMove, ...] = ()


CallKind = Literal["debut_grows", "leader_keeps", "lead_holds", "growth_continues",
                   "growth_stops"]


@dataclass(frozen=True)
class Rate:
    """How often something happened: `hits` times out of `of`."""

    hits: int
    of: int


@dataclass(frozen=True)
class BaseRates:
    """How often things happened in the report's own comparable history, up to this week.

    `debut_grew`: debuts (a model's first week, when the week before is in the data; in a list
    only launches) followed by a listed second week, and how many grew in it. `leader_kept`:
    pairs of consecutive weeks, how often the rank-1 model stayed rank 1. `lead_kept`: how
    often the leading country still led the next week. `growth_continued`: of the weeks whose
    total grew, how often the next week grew too (beyond the source's rounding).
    """

    debut_grew: Rate = Rate(0, 0)
    leader_kept: Rate = Rate(0, 0)
    lead_kept: Rate = Rate(0, 0)
    growth_continued: Rate = Rate(0, 0)


@dataclass(frozen=True)
class Call:
    """One falsifiable expectation an edition makes for the next week, and its base rate.

    `subject`: a model id, a country code, or "total"; `name`: the model's name, the
    country's adjective, or "". `rate`: the base rate behind it as known that week.
    """

    week: str
    kind: CallKind
    subject: str
    name: str
    rate: Rate


@dataclass(frozen=True)
class CallsFacts:
    """This edition's call, last edition's call graded on this week, and the running record
    of every earlier call that could be graded."""

    this_week: Call | None = None
    last_week: Call | None = None
    last_week_right: bool | None = None
    right: int = 0
    graded: int = 0


@dataclass(frozen=True)
class WeekPoint:
    """One week of the history series used by charts and streaks."""

    week: str
    tokens: int
    by_country: dict[str, int]
    by_model: dict[str, int]


@dataclass(frozen=True)
class Facts:
    """Every figure computed for one week of one report."""

    week: str
    iso_week: str
    report: str
    prev_week: str | None
    total: TotalFacts
    regions: tuple[RegionFacts, ...]
    lead: LeadFacts | None
    models: tuple[ModelFacts, ...]
    coverage: CoverageFacts
    source: SourceFacts
    movers: MoversFacts
    market: MarketFacts
    history: tuple[WeekPoint, ...]
    attribution: AttributionFacts = field(default_factory=AttributionFacts)
    base_rates: BaseRates = field(default_factory=BaseRates)
    calls: CallsFacts = field(default_factory=CallsFacts)
    claims: tuple[Claim, ...] = ()

    def model(self, model_id: str) -> ModelFacts | None:
        """Return the facts of one model, or None when it has no volume this week."""
        return next((m for m in self.models if m.model == model_id), None)

    def region(self, country: str) -> RegionFacts | None:
        """Return the facts of one country, or None."""
        return next((r for r in self.regions if r.country == country), None)

    def to_json(self) -> dict[str, Any]:
        """Return the plain JSON form written to `facts.json`."""
        return _plain(dataclasses.asdict(self))

    def with_claims(self, claims: tuple[Claim, ...]) -> Facts:
        """The same facts holding the edition's whole ledger."""
        return dataclasses.replace(self, claims=claims)

    def names(self) -> tuple[str, ...]:
        """Names of models, ids and makers that hold digits ("GPT-5.2", "01.AI")."""
        return tuple(sorted(names_with_digits(self.to_json(), NAME_KEYS)))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
