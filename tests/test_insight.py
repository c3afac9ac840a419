"""Insight: its maths on plain data (with property tests), the store's read on SQLite
and PostgreSQL, and `pipeline-tui report` in text, Markdown and JSON.

Set PIPELINE_TUI_UPDATE_GOLDEN=1 to rewrite tests/golden/report.* after an intended
change, then read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len

from pipeline_tui.cli import main
from pipeline_tui.domain.insight import (
    AnswerRecord,
    Buckets,
    InsightCard,
    InsightData,
    Outcome,
    build_insight,
    closing,
    median,
    referral_tree,
    sparkline,
    tree_lines,
)
from pipeline_tui.domain.kinds import ArchiveReason, Market, TouchpointKind
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.standup import MoveEvent
from pipeline_tui.insight_report import as_text, node_figures
from pipeline_tui.store import PipelineService, open_database
from tests.calls_data import seed_calls
from tests.conftest import NOW, TODAY, OpenSeeded, SeedFile

pytestmark = pytest.mark.both_backends

GOLDEN = Path(__file__).parent / "golden"
L, P, C, R = Stage.LEAD, Stage.PROSPECT, Stage.CLIENT, Stage.REPEAT


def at(days_ago: int) -> datetime:
    return datetime(2026, 11, 23, 10, tzinfo=UTC) - timedelta(days=days_ago)


def card(card_id: int, **fields: object) -> InsightCard:
    values: dict[str, object] = {
        "id": card_id,
        "name": f"Card {card_id}",
        "organisation": "",
        "stage": L,
        "owner": "sam",
        "created_at": at(60),
    }
    values.update(fields)
    return InsightCard(**values)  # type: ignore[arg-type]


def moves(card_id: int, *steps: tuple[Stage, int]) -> list[MoveEvent]:
    """Stage events: the first creates the card, each later one moves it."""
    events, previous = [], None
    for stage, days_ago in steps:
        events.append(MoveEvent(card_id, previous, stage, at(days_ago), "sam"))
        previous = stage
    return events


# Closing ----------------------------------------------------------------------------------


def test_a_card_is_won_the_day_it_first_reaches_client() -> None:
    c = card(1, stage=R, created_at=at(40))
    events = moves(1, (L, 40), (P, 30), (C, 10), (R, 2))
    closed = closing(c, events, UTC)
    assert closed is not None
    assert (closed.outcome, closed.on, closed.days) == (Outcome.WON, at(10).date(), 30)


def test_archived_as_won_before_reaching_client_counts_as_won_then() -> None:
    c = card(1, stage=P, archived_at=at(5), archive_reason=ArchiveReason.WON)
    closed = closing(c, moves(1, (L, 60), (P, 20)), UTC)
    assert closed is not None and (closed.outcome, closed.days) == (Outcome.WON, 55)


@pytest.mark.parametrize(
    ("reason", "outcome"),
    [
        (ArchiveReason.LOST, Outcome.LOST),
        (ArchiveReason.NOT_A_FIT, Outcome.LOST),
        (ArchiveReason.DUPLICATE, None),
        (ArchiveReason.OTHER, None),
    ],
)
def test_archive_reasons_that_close_a_deal(reason: ArchiveReason, outcome: Outcome | None) -> None:
    c = card(1, stage=P, archived_at=at(5), archive_reason=reason)
    closed = closing(c, moves(1, (L, 60), (P, 20)), UTC)
    assert (closed.outcome if closed else None) is outcome


def test_a_card_added_as_a_client_was_won_before_the_pipeline_knew() -> None:
    c = card(1, stage=C)
    assert closing(c, moves(1, (C, 30)), UTC) is None
    assert closing(card(2, stage=C), [], UTC) is None  # an old import with no events
    assert closing(card(3, stage=P), moves(3, (L, 30), (P, 3)), UTC) is None  # still open


def test_rates_by_source_and_market_with_the_median_days_to_win() -> None:
    cards = [
        card(1, source=TouchpointKind.REFERRAL, market=Market.WARM, stage=C),
        card(2, source=TouchpointKind.REFERRAL, market=Market.WARM, stage=C),
        card(3, source=TouchpointKind.EVENT, market=Market.COLD, stage=C),
        card(4, archived_at=at(3), archive_reason=ArchiveReason.LOST, market=Market.COLD),
        card(5, archived_at=at(200), archive_reason=ArchiveReason.LOST),  # before the window
    ]
    events = [
        *moves(1, (L, 60), (C, 50)),
        *moves(2, (L, 60), (C, 39)),
        *moves(3, (L, 60), (C, 20)),
        *moves(4, (L, 60)),
        *moves(5, (L, 260)),
    ]
    insight = build_insight(InsightData(tuple(cards), tuple(events)), TODAY, 90, UTC)
    by_source = {g.key: g for g in insight.by_source}
    assert list(by_source) == ["referral", "event", "unknown"]
    assert (by_source["referral"].won, by_source["referral"].median_days) == (2, 15.5)
    assert (by_source["unknown"].won, by_source["unknown"].lost) == (0, 1)
    by_market = {g.key: (g.won, g.lost) for g in insight.by_market}
    assert by_market == {"warm": (2, 0), "cold": (1, 1)}
    assert (insight.overall.won, insight.overall.lost, insight.overall.rate) == (3, 1, 0.75)
    assert insight.overall.median_days == 21


# Archive reasons over time ------------------------------------------------------------------


def test_buckets_are_weeks_ending_today_or_days_for_a_short_window() -> None:
    weeks = Buckets.for_window(TODAY, 90)
    assert (weeks.days, weeks.count, weeks.unit) == (7, 13, "week")
    assert weeks.index(TODAY) == 12 and weeks.index(TODAY - timedelta(days=6)) == 12
    assert weeks.index(TODAY - timedelta(days=7)) == 11
    assert weeks.index(weeks.start) == 0 and weeks.index(weeks.start - timedelta(days=1)) is None
    assert weeks.first_day(0) == weeks.start and weeks.first_day(12) == TODAY - timedelta(days=6)
    days = Buckets.for_window(TODAY, 7)
    assert (days.days, days.count, days.unit) == (1, 7, "day")


@given(st.integers(1, 400), st.lists(st.integers(0, 500)))
def test_every_day_of_the_window_has_one_bucket(window: int, offsets: list[int]) -> None:
    buckets = Buckets.for_window(TODAY, window)
    for offset in offsets:
        day = TODAY - timedelta(days=offset)
        index = buckets.index(day)
        if offset < window:
            assert index is not None and 0 <= index < buckets.count
            assert buckets.first_day(index) <= day
        else:
            assert index is None


@given(st.lists(st.integers(0, 120)), st.integers(1, 120))
def test_archive_series_count_each_card_archived_in_the_window_once(
    ages: list[int], window: int
) -> None:
    reasons = list(ArchiveReason)
    cards = tuple(
        card(n, archived_at=at(age), archive_reason=reasons[n % len(reasons)])
        for n, age in enumerate(ages)
    )
    insight = build_insight(InsightData(cards, ()), TODAY, window, UTC)
    assert sum(series.total for series in insight.archive) == sum(age < window for age in ages)
    assert [s.reason for s in insight.archive][:3] == [
        ArchiveReason.WON,
        ArchiveReason.LOST,
        ArchiveReason.NOT_A_FIT,
    ]


def test_sparklines_scale_to_the_largest_value() -> None:
    assert sparkline([0, 1, 2, 4]) == "▁▃▅█"
    assert sparkline([0, 0]) == "▁▁"
    assert sparkline([]) == ""


# The referral tree ---------------------------------------------------------------------------


def test_the_referral_tree_with_conversion_and_value_down_the_tree() -> None:
    cards = [
        card(1, name="Cara", stage=C),
        card(2, name="Jon", stage=C, referred_by=1, created_at=at(50)),
        card(3, name="Ben", stage=P, referred_by=1, created_at=at(40)),
        card(4, name="Ola", stage=C, referred_by=2),
        card(5, name="Lone"),
    ]
    (root,) = referral_tree(cards, {})
    assert root.card.name == "Cara"
    assert [child.card.name for child in root.children] == ["Jon", "Ben"]
    assert (root.referred, root.converted, root.rate, root.value) == (2, 1, 0.5, 2)
    lines = [(prefix, node.card.name) for prefix, node in tree_lines([root])]
    assert lines == [("", "Cara"), ("├─ ", "Jon"), ("│  └─ ", "Ola"), ("└─ ", "Ben")]


def test_a_referrer_is_worth_what_its_clients_were_won_at_down_the_tree() -> None:
    won = ArchiveReason.WON
    cards = [
        card(1, name="Cara", stage=C),
        # Won and archived: what it was won at, not the value edited since.
        card(
            2,
            stage=C,
            referred_by=1,
            archived_at=at(5),
            archive_reason=won,
            value=Decimal("9000"),
            won_value=Decimal("8000"),
        ),
        card(3, stage=C, referred_by=1, value=Decimal("1500.50")),  # a client on the board
        card(4, stage=P, referred_by=1, value=Decimal("99999")),  # not a client: not counted
        card(5, stage=C, referred_by=3, value=Decimal("500")),  # further down the tree
        card(6, stage=C, referred_by=1),  # a client with no value known
    ]
    (root,) = referral_tree(cards, {})
    assert root.worth == Decimal("10000.50")
    assert node_figures(root, Currency("GBP")) == (
        "referred 4, 3 became clients (75%), 4 clients in all, worth £10,000.50"
    )
    assert "worth" not in node_figures(referral_tree([card(1), card(2, referred_by=1)], {})[0])


def test_a_loop_of_referrals_still_shows_each_card_once() -> None:
    cards = [card(1, referred_by=2), card(2, referred_by=1)]
    roots = referral_tree(cards, {})
    assert sorted(n.card.id for root in roots for n in root.walk()) == [1, 2]


@st.composite
def forests(draw: st.DrawFn) -> list[InsightCard]:
    size = draw(st.integers(1, 25))
    cards = []
    for n in range(1, size + 1):
        parent = draw(st.one_of(st.none(), st.integers(1, size + 3)))
        cards.append(card(n, referred_by=parent, stage=draw(st.sampled_from(STAGES))))
    return cards


@given(forests())
def test_each_card_sits_once_in_the_referral_forest(cards: list[InsightCard]) -> None:
    roots = referral_tree(cards, {})
    seen = [node.card.id for root in roots for node in root.walk()]
    assert len(seen) == len(set(seen))
    ids = {c.id for c in cards}
    referred = {c.id for c in cards if c.referred_by in ids and c.referred_by != c.id}
    referrers = {c.referred_by for c in cards if c.id in referred}
    assert referrers <= set(seen)
    for root in roots:
        for node in root.walk():
            assert node.value >= node.converted >= 0
            assert node.rate is None or 0 <= node.rate <= 1


# Time in stage and failing criteria ----------------------------------------------------------


def test_time_in_stage_of_stays_ended_in_the_window_and_the_slowest_now() -> None:
    cards = [
        card(1, stage=P, name="Ann"),
        card(2, stage=L, name="Ben", created_at=at(40)),
        card(3, stage=L, name="Old", archived_at=at(200), archive_reason=ArchiveReason.LOST),
    ]
    events = [
        *moves(1, (L, 30), (P, 20)),
        *moves(2, (L, 40)),
        *moves(3, (L, 220)),
    ]
    insight = build_insight(InsightData(tuple(cards), tuple(events)), TODAY, 90, UTC)
    lead, prospect, *_ = insight.stages
    assert (lead.days, lead.median_days) == ((10,), 10)
    assert [(s.card.name, s.days) for s in lead.slowest] == [("Ben", 40)]
    assert [(s.card.name, s.days) for s in prospect.slowest] == [("Ann", 20)]
    assert prospect.median_days is None


def test_a_parked_lead_is_not_among_the_slowest_until_it_comes_back() -> None:
    """A lead parked until a later day waits by the rep's choice: listed as the slowest
    lead, it pushed out the leads that are stuck."""
    cards = [
        card(1, stage=L, name="Parked", nurture_until=TODAY + timedelta(days=30)),
        card(2, stage=L, name="Back", nurture_until=TODAY),  # comes back today
        card(3, stage=L, name="Stuck"),
    ]
    events = [*moves(1, (L, 80)), *moves(2, (L, 60)), *moves(3, (L, 50))]
    insight = build_insight(InsightData(tuple(cards), tuple(events)), TODAY, 90, UTC)
    lead = insight.stages[0]
    assert [(s.card.name, s.days) for s in lead.slowest] == [("Back", 60), ("Stuck", 50)]


def test_failing_criteria_overall_and_by_source() -> None:
    cards = (
        card(1, source=TouchpointKind.EVENT),
        card(2, source=TouchpointKind.EVENT),
        card(3, source=TouchpointKind.CONTENT),
    )
    a, b, c, d = DEFAULT_CRITERIA
    answers = (
        AnswerRecord(1, a, Answer.NO, at(3)),
        AnswerRecord(2, a, Answer.NO, at(3)),
        AnswerRecord(2, b, Answer.YES, at(3)),
        AnswerRecord(3, d, Answer.NO, at(3)),
        AnswerRecord(3, c, Answer.UNKNOWN, at(3)),
        AnswerRecord(3, b, Answer.NO, at(200)),  # before the window
        AnswerRecord(3, "an old criterion", Answer.NO, at(3)),
    )
    insight = build_insight(InsightData(cards, (), answers, DEFAULT_CRITERIA), TODAY, 90, UTC)
    assert [(f.criterion, f.no, f.answered) for f in insight.criteria] == [
        (a, 2, 2),
        (d, 1, 1),
        (b, 0, 1),
    ]
    worst = {s.source: s.worst.criterion for s in insight.criteria_by_source if s.worst}
    assert worst == {"event": a, "content": d}


@given(st.lists(st.integers(0, 1000)))
def test_the_median_lies_between_the_extremes(values: list[int]) -> None:
    middle = median(values)
    if not values:
        assert middle is None
    else:
        assert middle is not None and min(values) <= middle <= max(values)
        assert sum(v < middle for v in values) <= len(values) / 2


EVENT_STEPS = st.lists(st.tuples(st.sampled_from(STAGES), st.integers(0, 200)), max_size=4)


@given(
    st.lists(
        st.tuples(
            EVENT_STEPS,
            st.one_of(st.none(), st.integers(0, 200)),
            st.sampled_from(list(ArchiveReason)),
        ),
        max_size=15,
    ),
    st.integers(1, 200),
)
def test_rates_and_days_stay_in_range(
    specs: list[tuple[list[tuple[Stage, int]], int | None, ArchiveReason]], window: int
) -> None:
    cards, events = [], []
    for n, (steps, archived, reason) in enumerate(specs, start=1):
        ordered = sorted(steps, key=lambda s: -s[1])
        stage = ordered[-1][0] if ordered else L
        created = at(ordered[0][1] if ordered else 100)
        archived_at = at(min(archived, ordered[-1][1] if ordered else 100)) if archived else None
        cards.append(
            card(
                n,
                stage=stage,
                created_at=created,
                archived_at=archived_at,
                archive_reason=reason if archived_at else None,
            )
        )
        events += moves(n, *ordered)
    insight = build_insight(InsightData(tuple(cards), tuple(events)), TODAY, window, UTC)
    assert insight.overall.closed == len(insight.closed) <= len(cards)
    assert sum(g.closed for g in insight.by_source) == insight.overall.closed
    assert sum(g.closed for g in insight.by_market) == insight.overall.closed
    for item in insight.closed:
        assert item.days >= 0 and insight.window_start <= item.on <= TODAY
    for stage_time in insight.stages:
        assert all(d >= 0 for d in stage_time.days)
        assert all(s.days >= 0 and s.card.active for s in stage_time.slowest)


# The store and the command line ----------------------------------------------------------------


@pytest.fixture
def seeded(open_seeded: OpenSeeded) -> PipelineService:
    database, _ = open_seeded(seed_calls)
    return PipelineService(database, "sam", clock=lambda: NOW)


def test_insight_from_the_store(seeded: PipelineService) -> None:
    insight = seeded.insight(TODAY, 90)
    assert [(g.key, g.won, g.lost, g.median_days) for g in insight.by_source] == [
        ("referral", 2, 0, 17),  # most closes first, then most won
        ("event", 1, 1, 30),
        ("content", 0, 1, None),
    ]
    assert {g.key: (g.won, g.lost) for g in insight.by_market} == {
        "warm": (2, 0),
        "cold": (1, 2),
    }
    assert (insight.overall.won, insight.overall.lost, insight.overall.median_days) == (3, 2, 20)
    assert {s.reason: s.total for s in insight.archive} == {
        ArchiveReason.WON: 1,
        ArchiveReason.LOST: 1,
        ArchiveReason.NOT_A_FIT: 1,
        ArchiveReason.DUPLICATE: 1,
    }
    (cara,) = insight.referrals
    assert (cara.card.name, cara.referred, cara.converted, cara.value) == ("Cara Diaz", 2, 1, 1)
    lead, prospect, client, _ = insight.stages
    assert (lead.days, lead.median_days) == ((2, 2, 7, 10, 10, 15, 15), 10)
    assert (prospect.days, prospect.median_days) == ((7, 10, 13, 15), 11.5)
    assert client.days == (15,)
    assert [(s.card.name, s.days) for s in client.slowest] == [("Cara Diaz", 63), ("Jon Reyes", 39)]
    # A lead parked is read with its day: it leaves the slowest leads.
    slowest = lead.slowest[0].card
    summary = seeded.summary(slowest.id)
    assert summary is not None
    seeded.park(slowest.id, TODAY + timedelta(days=14), summary.version, today=TODAY)
    assert slowest.id not in [s.card.id for s in seeded.insight(TODAY, 90).stages[0].slowest]
    assert [(f.criterion, f.no, f.answered) for f in insight.criteria] == [
        ("can afford it", 2, 3),
        ("values and goals align", 1, 1),
        ("genuinely needs what we offer", 1, 2),
    ]
    # A shorter window leaves the older closes out.
    month = seeded.insight(TODAY, 30)
    assert (month.overall.won, month.overall.lost) == (0, 2)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def report_db(db_path: Path, monkeypatch: pytest.MonkeyPatch, seed_file: SeedFile) -> Path:
    seed_file(db_path, seed_calls)
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    return db_path


@pytest.mark.sqlite_only("the command line on a file")
@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_cli_report_matches_the_golden_file(
    capsys: pytest.CaptureFixture[str], report_db: Path, fmt: str, suffix: str
) -> None:
    code, out, err = run_cli(capsys, "report", "--db", str(report_db), "--format", fmt)
    assert (code, err) == (0, "")
    golden = GOLDEN / f"report.{suffix}"
    if os.environ.get("PIPELINE_TUI_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.sqlite_only("the command line on a file")
def test_cli_report_json_shape_and_windows(
    capsys: pytest.CaptureFixture[str], report_db: Path
) -> None:
    code, out, _ = run_cli(capsys, "report", "--db", str(report_db), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["version"] == 1
    assert list(data) == [
        "version",
        "today",
        "window_days",
        "window_start",
        "win_rates",
        "archived",
        "referrals",
        "time_in_stage",
        "failing_criteria",
    ]
    assert (data["window_days"], data["window_start"]) == (90, "2026-08-26")
    assert data["win_rates"]["all"]["rate"] == 0.6
    assert data["referrals"][0]["children"][0]["card"]["name"] == "Jon Reyes"
    for window in ("7", "30", "365"):
        code, out, _ = run_cli(capsys, "report", "--db", str(report_db), "--window", window)
        assert code == 0 and max(cell_len(line) for line in out.splitlines()) <= 80
    with pytest.raises(SystemExit) as refused:  # argparse's usage error
        run_cli(capsys, "report", "--db", str(report_db), "--window", "0")
    assert refused.value.code == 2
    assert "the window is 1 to 3660 days" in capsys.readouterr().err


@pytest.mark.sqlite_only("the command line on a file")
def test_cli_report_says_what_each_referrer_brought_in_the_configured_currency(
    capsys: pytest.CaptureFixture[str], report_db: Path, tmp_path: Path
) -> None:
    database = open_database(str(report_db))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    jon = service.find_card("Jon Reyes")
    service.set_value(jon.id, Decimal("24000"))
    database.close()
    config = tmp_path / "config.toml"
    config.write_text('[money]\ncurrency = "USD"\n', encoding="utf-8")
    code, out, _ = run_cli(capsys, "--config", str(config), "report", "--db", str(report_db))
    assert code == 0 and "worth $24,000" in out
    code, out, _ = run_cli(capsys, "report", "--db", str(report_db), "--format", "json")
    assert json.loads(out)["referrals"][0]["worth"] == 24000


def test_report_text_fits_80_cells_with_long_and_wide_names(seeded: PipelineService) -> None:
    from pipeline_tui.domain.cards import CardDraft

    client = seeded.add_card(CardDraft(name="李" * 50), Stage.CLIENT).card_id
    for n in range(3):
        seeded.refer(client, CardDraft(name=f"{'Wolfeschlegelstein' * 3} {n}"), TODAY)
    out = as_text(seeded.insight(TODAY, 90))
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert date(2026, 8, 26).strftime("%b %d") in out
