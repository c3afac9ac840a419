"""Insight: where good clients come from, and where the pipeline is slow or leaks.

Plain values in, plain values out. The store reads every card (archived ones too),
their stage events and their qualification answers (store/insight.py); everything
below is worked out from those, so nothing is stored twice.

Definitions (also the documented meaning of `pipeline-tui report`):

- *window*: the `window` days ending today, today included.
- *won*: a card won on the first day it reached the client stage (or was archived as
  won, if that came first). A card that came in as a client or repeat client was won
  before the pipeline knew it, so it is not counted as a close.
- *lost*: archived as lost or not a fit without having been won. Duplicates and
  "other" are not outcomes.
- *win rate* of a group (a source, warm or cold): won / (won + lost) among its cards
  closed (won or lost) during the window; *time to close*: the median days from a won
  card's first day in the pipeline to the day it was won.
- *archive reasons over time*: cards archived in the window, by reason, counted per
  week (per day in a window shorter than four weeks).
- *referral tree*: who referred whom, over all time. A referred card *converted* when
  it ever reached the client stage or was archived as won; a referrer's *value* is the
  clients won through them, directly and further down the tree, and its *worth* what
  those clients were won at (or are worth, while still on the board).
- *time in stage*: the median days of the stays in each stage that ended (the card
  moved or was archived) during the window; the *slowest* are the active cards that
  have been in their stage longest, leaving out those parked until a later day.
- *failing criteria*: of the qualification answers given or changed during the window,
  to the criteria in force, how many were "no", per criterion and per source.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import Decimal
from enum import StrEnum

from pipeline_tui.domain.activity import local_day
from pipeline_tui.domain.kinds import ArchiveReason, Market, TouchpointKind
from pipeline_tui.domain.nurture import is_nurturing
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.standup import MoveEvent, window_start

DEFAULT_WINDOW = 90
SLOWEST = 3
WEEKLY_FROM = 28
"""Windows of this many days or more are counted per week; shorter ones per day."""
UNKNOWN = "unknown"
_WON_STAGE = Stage.CLIENT
_LOST_REASONS = (ArchiveReason.LOST, ArchiveReason.NOT_A_FIT)
_ALWAYS_SHOWN_REASONS = (ArchiveReason.WON, ArchiveReason.LOST, ArchiveReason.NOT_A_FIT)


# What the store hands over ----------------------------------------------------------------


@dataclass(frozen=True)
class InsightCard:
    """A card, active or archived, with what the reports group it by."""

    id: int
    name: str
    organisation: str
    stage: Stage
    owner: str
    created_at: datetime
    source: TouchpointKind | None = None
    market: Market | None = None
    archived_at: datetime | None = None
    archive_reason: ArchiveReason | None = None
    referred_by: int | None = None
    value: Decimal | None = None
    """What the deal is worth (None: not known)."""
    won_value: Decimal | None = None
    """What it was won at, when it was archived as won."""
    nurture_until: date | None = None
    """Parked off the active board until this day (domain.nurture)."""

    @property
    def active(self) -> bool:
        return self.archived_at is None


@dataclass(frozen=True)
class AnswerRecord:
    """One card's current answer to one criterion, and when it was given."""

    card_id: int
    criterion: str
    answer: Answer
    updated_at: datetime


@dataclass(frozen=True)
class InsightData:
    cards: tuple[InsightCard, ...]
    events: tuple[MoveEvent, ...]
    """Every stage event of those cards (creation included)."""
    answers: tuple[AnswerRecord, ...] = ()
    criteria: tuple[str, ...] = ()
    """The qualification criteria in force."""


# Small maths --------------------------------------------------------------------------------


def median(values: Sequence[float]) -> float | None:
    """The median, or None for no values."""
    return float(statistics.median(values)) if values else None


def rate(part: int, whole: int) -> float | None:
    """part / whole, or None when there is nothing to divide."""
    return part / whole if whole else None


SPARK = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, ▁ (zero) to █ (the largest); all zero is all ▁."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK[0] * len(values)
    steps = len(SPARK) - 1
    return "".join(SPARK[0 if v <= 0 else max(1, math.ceil(v / top * steps))] for v in values)


# Outcomes: won and lost ----------------------------------------------------------------------


class Outcome(StrEnum):
    WON = "won"
    LOST = "lost"


@dataclass(frozen=True)
class Closed:
    card: InsightCard
    outcome: Outcome
    on: date
    days: int
    """Days from the card's first day in the pipeline to the day it closed."""


def card_events(events: Iterable[MoveEvent]) -> dict[int, list[MoveEvent]]:
    """Each card's events, oldest first."""
    by_card: dict[int, list[MoveEvent]] = {}
    for event in sorted(events, key=lambda e: e.at):
        by_card.setdefault(event.card_id, []).append(event)
    return by_card


def _stays(card: InsightCard, events: Sequence[MoveEvent]) -> list[tuple[Stage, datetime]]:
    """(stage, entered at) for each stage the card was in, oldest first; a card with no
    events (an old import) has been in its stage since it was added."""
    if not events:
        return [(card.stage, card.created_at)]
    return [(event.to_stage, event.at) for event in events]


def came_in_won(card: InsightCard, events: Sequence[MoveEvent]) -> bool:
    """The card was added at the client stage or later: won before the pipeline knew."""
    first_stage = _stays(card, events)[0][0]
    return first_stage.order >= _WON_STAGE.order


def ever_won(card: InsightCard, events: Sequence[MoveEvent]) -> bool:
    """Whether the card ever reached the client stage or was archived as won."""
    return (
        card.archive_reason is ArchiveReason.WON
        or any(stage.order >= _WON_STAGE.order for stage, _ in _stays(card, events))
        or card.stage.order >= _WON_STAGE.order
    )


def closing(card: InsightCard, events: Sequence[MoveEvent], tz: tzinfo | None) -> Closed | None:
    """How and when the card closed in the pipeline; None if it is still open (or was
    won before it came in)."""
    if came_in_won(card, events):
        return None
    stays = _stays(card, events)
    start = local_day(min(stays[0][1], card.created_at), tz)
    won_at = next((at for stage, at in stays if stage.order >= _WON_STAGE.order), None)
    if card.archive_reason is ArchiveReason.WON and card.archived_at is not None:
        won_at = card.archived_at if won_at is None else min(won_at, card.archived_at)
    if won_at is not None:
        on = local_day(won_at, tz)
        return Closed(card, Outcome.WON, on, max(0, (on - start).days))
    if card.archive_reason in _LOST_REASONS and card.archived_at is not None:
        on = local_day(card.archived_at, tz)
        return Closed(card, Outcome.LOST, on, max(0, (on - start).days))
    return None


@dataclass(frozen=True)
class GroupRate:
    """Closes of one group of cards (a source, warm or cold) in the window."""

    key: str
    won: int = 0
    lost: int = 0
    days_to_win: tuple[int, ...] = ()

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def rate(self) -> float | None:
        return rate(self.won, self.closed)

    @property
    def median_days(self) -> float | None:
        return median(self.days_to_win)


def group_rates(
    closed: Iterable[Closed], key: Callable[[InsightCard], str]
) -> tuple[GroupRate, ...]:
    """Win rate and time to close per group, the most closes first."""
    won: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    days: dict[str, list[int]] = {}
    for item in closed:
        group = key(item.card)
        if item.outcome is Outcome.WON:
            won[group] += 1
            days.setdefault(group, []).append(item.days)
        else:
            lost[group] += 1
    groups = set(won) | set(lost)
    rates = [GroupRate(g, won[g], lost[g], tuple(sorted(days.get(g, ())))) for g in groups]
    return tuple(sorted(rates, key=lambda r: (-r.closed, -r.won, r.key == UNKNOWN, r.key)))


def total_rate(closed: Iterable[Closed]) -> GroupRate:
    everything = group_rates(closed, lambda _: "all")
    return everything[0] if everything else GroupRate("all")


def source_key(card: InsightCard) -> str:
    return card.source.value if card.source is not None else UNKNOWN


def market_key(card: InsightCard) -> str:
    return card.market.value if card.market is not None else UNKNOWN


# Archive reasons over time -------------------------------------------------------------------


@dataclass(frozen=True)
class Buckets:
    """The window cut into `count` runs of `days` days, the last one ending today.

    The first run may begin before the window; only days inside the window count.
    """

    today: date
    window: int
    days: int
    count: int

    @classmethod
    def for_window(cls, today: date, window: int) -> Buckets:
        days = 7 if window >= WEEKLY_FROM else 1
        return cls(today, window, days, math.ceil(window / days))

    @property
    def start(self) -> date:
        return window_start(self.today, self.window)

    def index(self, day: date) -> int | None:
        """The bucket a day falls in, or None outside the window."""
        if not self.start <= day <= self.today:
            return None
        return self.count - 1 - (self.today - day).days // self.days

    def first_day(self, index: int) -> date:
        """The first day of bucket `index` inside the window."""
        end = self.today - timedelta(days=(self.count - 1 - index) * self.days)
        return max(self.start, end - timedelta(days=self.days - 1))

    @property
    def unit(self) -> str:
        return "week" if self.days == 7 else "day"


@dataclass(frozen=True)
class ReasonSeries:
    reason: ArchiveReason
    counts: tuple[int, ...]
    """Cards archived with this reason in each bucket, oldest first."""

    @property
    def total(self) -> int:
        return sum(self.counts)


def archive_series(
    cards: Iterable[InsightCard], buckets: Buckets, tz: tzinfo | None
) -> tuple[ReasonSeries, ...]:
    """Archived cards per reason and bucket: won, lost and not a fit always, the other
    reasons when any card has them."""
    counts: dict[ArchiveReason, list[int]] = {
        reason: [0] * buckets.count for reason in _ALWAYS_SHOWN_REASONS
    }
    for card in cards:
        if card.archived_at is None or card.archive_reason is None:
            continue
        index = buckets.index(local_day(card.archived_at, tz))
        if index is None:
            continue
        counts.setdefault(card.archive_reason, [0] * buckets.count)[index] += 1
    order = list(ArchiveReason)
    return tuple(
        ReasonSeries(reason, tuple(counts[reason])) for reason in sorted(counts, key=order.index)
    )


# The referral tree ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferralNode:
    card: InsightCard
    won: bool
    """This card ever became a client (or was archived as won)."""
    children: tuple[ReferralNode, ...] = ()

    @property
    def referred(self) -> int:
        return len(self.children)

    @property
    def converted(self) -> int:
        return sum(child.won for child in self.children)

    @property
    def rate(self) -> float | None:
        return rate(self.converted, self.referred)

    @property
    def value(self) -> int:
        """Clients won through this card: the people it referred who became clients,
        and theirs, all the way down."""
        return sum(child.won + child.value for child in self.children)

    @property
    def worth(self) -> Decimal:
        """What the clients won through this card are worth, all the way down: each
        one's won value, or its value while it is still a client on the board."""
        return sum(
            (
                (child.card.won_value or child.card.value or Decimal(0)) * child.won + child.worth
                for child in self.children
            ),
            Decimal(0),
        )

    def walk(self) -> Iterable[ReferralNode]:
        yield self
        for child in self.children:
            yield from child.walk()


def referral_tree(
    cards: Sequence[InsightCard], events: Mapping[int, Sequence[MoveEvent]]
) -> tuple[ReferralNode, ...]:
    """Every card that referred someone, as the root of the tree of whom it brought in
    (a referrer referred in turn sits inside its own referrer's tree). Roots with the
    most value first; each card appears once, even if the links loop."""
    by_id = {card.id: card for card in cards}
    children: dict[int, list[InsightCard]] = {}
    for card in cards:
        if card.referred_by is not None and card.referred_by in by_id:
            children.setdefault(card.referred_by, []).append(card)
    seen: set[int] = set()

    def node(card: InsightCard) -> ReferralNode:
        seen.add(card.id)
        kids = sorted(children.get(card.id, ()), key=lambda c: (c.created_at, c.id))
        return ReferralNode(
            card,
            ever_won(card, events.get(card.id, ())),
            tuple(node(kid) for kid in kids if kid.id not in seen),
        )

    roots: list[ReferralNode] = []
    for card in sorted(cards, key=lambda c: c.id):
        top = card.referred_by is None or card.referred_by not in by_id
        if card.id in children and top and card.id not in seen:
            roots.append(node(card))
    for card in sorted(cards, key=lambda c: c.id):  # loops have no top: start at one
        if card.id in children and card.id not in seen:
            roots.append(node(card))
    return tuple(
        sorted(roots, key=lambda n: (-n.value, -n.referred, n.card.name.casefold(), n.card.id))
    )


def tree_lines(roots: Iterable[ReferralNode]) -> list[tuple[str, ReferralNode]]:
    """Each node with the box-drawing prefix that places it in its tree."""
    lines: list[tuple[str, ReferralNode]] = []

    def add(node: ReferralNode, prefix: str, last: bool, top: bool) -> None:
        lines.append(("" if top else prefix + ("└─ " if last else "├─ "), node))
        inner = "" if top else prefix + ("   " if last else "│  ")
        for n, child in enumerate(node.children):
            add(child, inner, n == len(node.children) - 1, False)

    for root in roots:
        add(root, "", True, True)
    return lines


# Time in stage -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlowCard:
    card: InsightCard
    days: int
    since: date


@dataclass(frozen=True)
class StageTime:
    stage: Stage
    days: tuple[int, ...] = ()
    """The length of each stay in this stage that ended during the window."""
    slowest: tuple[SlowCard, ...] = ()

    @property
    def stays(self) -> int:
        return len(self.days)

    @property
    def median_days(self) -> float | None:
        return median(self.days)


def time_in_stage(
    cards: Iterable[InsightCard],
    events: Mapping[int, Sequence[MoveEvent]],
    today: date,
    window: int,
    tz: tzinfo | None,
    slowest: int = SLOWEST,
) -> tuple[StageTime, ...]:
    start = window_start(today, window)
    ended: dict[Stage, list[int]] = {stage: [] for stage in STAGES}
    waiting: dict[Stage, list[SlowCard]] = {stage: [] for stage in STAGES}
    for card in cards:
        stays = _stays(card, events.get(card.id, ()))
        for n, (stage, entered) in enumerate(stays):
            began = local_day(entered, tz)
            if n + 1 < len(stays):
                left: datetime | None = stays[n + 1][1]
            else:
                left = card.archived_at
            if left is None:
                # A parked lead waits by the rep's choice, not because it is stuck.
                if not is_nurturing(card.nurture_until, today):
                    waiting[stage].append(SlowCard(card, max(0, (today - began).days), began))
                continue
            end = local_day(left, tz)
            if start <= end <= today:
                ended[stage].append(max(0, (end - began).days))
    return tuple(
        StageTime(
            stage,
            tuple(sorted(ended[stage])),
            tuple(
                sorted(waiting[stage], key=lambda s: (-s.days, s.card.name.casefold(), s.card.id))[
                    :slowest
                ]
            ),
        )
        for stage in STAGES
    )


# Failing criteria ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionFailures:
    criterion: str
    no: int
    answered: int
    """Answered yes or no (unknown is not an answer)."""

    @property
    def rate(self) -> float | None:
        return rate(self.no, self.answered)


@dataclass(frozen=True)
class SourceCriteria:
    source: str
    criteria: tuple[CriterionFailures, ...]

    @property
    def worst(self) -> CriterionFailures | None:
        """The criterion answered "no" most often for this source (None: never no)."""
        return self.criteria[0] if self.criteria and self.criteria[0].no else None


def _failures(
    answers: Iterable[tuple[str, Answer]], criteria: Sequence[str]
) -> tuple[CriterionFailures, ...]:
    no: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    for criterion, answer in answers:
        if answer is Answer.UNKNOWN:
            continue
        answered[criterion] += 1
        no[criterion] += answer is Answer.NO
    order = {c: n for n, c in enumerate(criteria)}
    result = [CriterionFailures(c, no[c], answered[c]) for c in criteria if answered[c]]
    return tuple(sorted(result, key=lambda f: (-f.no, -(f.rate or 0), order[f.criterion])))


def failing_criteria(
    cards: Iterable[InsightCard],
    answers: Iterable[AnswerRecord],
    criteria: Sequence[str],
    today: date,
    window: int,
    tz: tzinfo | None,
) -> tuple[tuple[CriterionFailures, ...], tuple[SourceCriteria, ...]]:
    """Criteria by how often they were answered "no", overall and per source."""
    start = window_start(today, window)
    by_id = {card.id: card for card in cards}
    wanted = set(criteria)
    recent = [
        a
        for a in answers
        if a.criterion in wanted
        and a.card_id in by_id
        and start <= local_day(a.updated_at, tz) <= today
    ]
    overall = _failures(((a.criterion, a.answer) for a in recent), criteria)
    per_source: dict[str, list[tuple[str, Answer]]] = {}
    for a in recent:
        per_source.setdefault(source_key(by_id[a.card_id]), []).append((a.criterion, a.answer))
    sources = [
        SourceCriteria(source, _failures(items, criteria)) for source, items in per_source.items()
    ]
    sources = [s for s in sources if s.criteria]
    return overall, tuple(
        sorted(
            sources,
            key=lambda s: (-(s.worst.no if s.worst else 0), s.source == UNKNOWN, s.source),
        )
    )


# The whole report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Insight:
    today: date
    window: int
    closed: tuple[Closed, ...] = ()
    overall: GroupRate = field(default_factory=lambda: GroupRate("all"))
    by_source: tuple[GroupRate, ...] = ()
    by_market: tuple[GroupRate, ...] = ()
    buckets: Buckets | None = None
    archive: tuple[ReasonSeries, ...] = ()
    referrals: tuple[ReferralNode, ...] = ()
    stages: tuple[StageTime, ...] = ()
    criteria: tuple[CriterionFailures, ...] = ()
    criteria_by_source: tuple[SourceCriteria, ...] = ()

    @property
    def window_start(self) -> date:
        return window_start(self.today, self.window)


def build_insight(
    data: InsightData, today: date, window: int = DEFAULT_WINDOW, tz: tzinfo | None = None
) -> Insight:
    start = window_start(today, window)
    events = card_events(data.events)
    closed = tuple(
        sorted(
            (
                item
                for card in data.cards
                if (item := closing(card, events.get(card.id, ()), tz)) is not None
                and start <= item.on <= today
            ),
            key=lambda c: (c.on, c.card.id),
        )
    )
    buckets = Buckets.for_window(today, window)
    failing, failing_by_source = failing_criteria(
        data.cards, data.answers, data.criteria, today, window, tz
    )
    return Insight(
        today=today,
        window=window,
        closed=closed,
        overall=total_rate(closed),
        by_source=group_rates(closed, source_key),
        by_market=group_rates(closed, market_key),
        buckets=buckets,
        archive=archive_series(data.cards, buckets, tz),
        referrals=referral_tree(data.cards, events),
        stages=time_in_stage(data.cards, events, today, window, tz),
        criteria=failing,
        criteria_by_source=failing_by_source,
    )
