"""The stand-up: its maths on plain data, the store's reads, and the CLI's three formats.

Set PIPELINE_TUI_UPDATE_GOLDEN=1 to rewrite tests/golden/standup.* after an intended
change, then read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline_tui.cli import main
from pipeline_tui.domain.kinds import ArchiveReason, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.standup import (
    Conversion,
    MoveEvent,
    SinceError,
    StandupCard,
    StandupData,
    build_standup,
    conversion,
    last_working_day,
    parse_since,
    stale,
    window_start,
)
from pipeline_tui.standup_report import as_text, bar, moved_label
from pipeline_tui.store import Database, open_database
from pipeline_tui.store.standup import load_standup, read_standup
from tests.conftest import TODAY, SeedFile
from tests.standup_data import seed_team

pytestmark = pytest.mark.both_backends


GOLDEN = Path(__file__).parent / "golden"
L, P, C, R = Stage.LEAD, Stage.PROSPECT, Stage.CLIENT, Stage.REPEAT


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def card(card_id: int, stage: Stage = L, **fields: object) -> StandupCard:
    values: dict[str, object] = {
        "id": card_id,
        "name": f"Card {card_id}",
        "organisation": "",
        "stage": stage,
        "owner": "sam",
        "created_at": at("2026-11-01T09:00"),
    }
    values.update(fields)
    return StandupCard(**values)  # type: ignore[arg-type]


def event(card_id: int, when: str, to: Stage, frm: Stage | None = None) -> MoveEvent:
    return MoveEvent(card_id, frm, to, at(when), "sam")


# Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 20)),  # Monday -> Friday
        (date(2026, 11, 24), date(2026, 11, 23)),  # Tuesday -> Monday
        (date(2026, 11, 20), date(2026, 11, 19)),  # Friday -> Thursday
        (date(2026, 11, 21), date(2026, 11, 20)),  # Saturday -> Friday
        (date(2026, 11, 22), date(2026, 11, 20)),  # Sunday -> Friday
        (date(2026, 6, 1), date(2026, 5, 29)),  # Monday 1 June -> Friday in May
        (date(2026, 12, 1), date(2026, 11, 30)),  # Tuesday 1 December -> Monday 30 Nov
        (date(2027, 1, 4), date(2027, 1, 1)),  # first Monday of a year -> Friday 1 Jan
        (date(2027, 1, 1), date(2026, 12, 31)),  # Friday 1 Jan -> Thursday, last year
    ],
)
def test_last_working_day(today: date, expected: date) -> None:
    assert last_working_day(today) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", date(2026, 11, 20)),
        ("today", date(2026, 11, 23)),
        ("yesterday", date(2026, 11, 22)),
        ("fri", date(2026, 11, 20)),
        ("Monday", date(2026, 11, 16)),  # a weekday is always before today
        ("3d", date(2026, 11, 20)),
        ("-2w", date(2026, 11, 9)),
        ("2026-10-31", date(2026, 10, 31)),
    ],
)
def test_parse_since(text: str, expected: date) -> None:
    assert parse_since(text, TODAY) == expected


@pytest.mark.parametrize("text", ["tomorrow", "2026-11-24", "soon", "+3d"])
def test_parse_since_refuses_the_future_and_nonsense(text: str) -> None:
    with pytest.raises(SinceError):
        parse_since(text, TODAY)


def test_window_includes_today() -> None:
    assert window_start(TODAY, 7) == date(2026, 11, 17)
    assert window_start(TODAY, 30) == date(2026, 10, 25)
    assert window_start(date(2026, 3, 1), 7) == date(2026, 2, 23)


# The maths on plain data -------------------------------------------------------------------


def test_empty_pipeline() -> None:
    standup = build_standup(StandupData((), (), date(2026, 11, 17)), TODAY)
    assert standup.is_quiet
    assert standup.since == date(2026, 11, 20)
    assert [(f.cards, f.reached) for f in standup.stages] == [(0, 0)] * 4
    assert [c.rate for c in standup.conversion] == [None, None, None]
    assert "Nothing overdue." in as_text(standup)


def test_overdue_oldest_first_and_due_today() -> None:
    cards = [
        card(1, next_action_due=date(2026, 11, 20), name="Zed"),
        card(2, next_action_due=date(2026, 11, 2), name="Amy"),
        card(3, next_action_due=TODAY),
        card(4, next_action_due=date(2026, 11, 24)),
        card(5),
    ]
    standup = build_standup(StandupData(tuple(cards), (), date(2026, 11, 17)), TODAY)
    assert [c.id for c in standup.overdue] == [2, 1]
    assert [c.id for c in standup.due_today] == [3]


def test_moved_since_friday_on_a_monday_includes_the_weekend() -> None:
    cards = tuple(card(n) for n in range(1, 5))
    events = (
        event(1, "2026-11-19T23:59", P, L),  # Thursday night: before the stand-up's day
        event(2, "2026-11-20T00:00", P, L),  # Friday, first moment
        event(3, "2026-11-22T12:00", C, P),  # Sunday
        event(3, "2026-11-23T08:00", R, C),  # and again this morning: one line, two moves
        event(4, "2026-11-21T10:00", L),  # created on Saturday: new, not moved
        event(9, "2026-11-21T10:00", C, P),  # an archived card is not listed
    )
    standup = build_standup(StandupData(cards, events, date(2026, 11, 17)), TODAY)
    assert [(m.card.id, m.from_stage, m.to_stage, m.moves) for m in standup.moved] == [
        (2, L, P, 1),
        (3, P, R, 2),
    ]
    assert [c.id for c in standup.new_leads] == [4]


def test_a_card_moved_on_and_back_since_the_last_stand_up_says_so() -> None:
    """Lead → Prospect → Lead: one line, which read "Lead → Lead (2 moves)"."""
    events = (
        event(1, "2026-11-23T08:00", P, L),
        event(1, "2026-11-23T09:00", L, P),
        event(2, "2026-11-23T08:30", C, P),
    )
    standup = build_standup(StandupData((card(1), card(2, C)), events, date(2026, 11, 17)), TODAY)
    assert [moved_label(m) for m in standup.moved] == [
        "Prospect → Client",
        "back in Lead (2 moves)",  # its last move is the later one
    ]


def test_on_a_sunday_since_is_friday_and_on_a_tuesday_it_is_monday() -> None:
    cards = (card(1), card(2))
    events = (event(1, "2026-11-20T10:00", P, L), event(2, "2026-11-23T10:00", P, L))
    sunday = build_standup(StandupData(cards, events, date(2026, 11, 1)), date(2026, 11, 22))
    assert [m.card.id for m in sunday.moved] == [1]
    tuesday = build_standup(StandupData(cards, events, date(2026, 11, 1)), date(2026, 11, 24))
    assert tuesday.since == date(2026, 11, 23)
    assert [m.card.id for m in tuesday.moved] == [2]


def test_stale_uses_the_latest_touchpoint_note_or_move_against_the_stage_limit() -> None:
    cards = (
        card(1, L, created_at=at("2026-11-09T09:00")),  # 14 days: at the limit, not stale
        card(2, L, created_at=at("2026-11-08T09:00")),  # 15 days: stale by 1
        card(3, P, last_touchpoint=date(2026, 11, 10)),  # 13 days, limit 7
        card(4, P, last_touchpoint=date(2026, 11, 1), last_note_at=at("2026-11-20T09:00")),
        card(5, C, created_at=at("2026-09-01T09:00"), last_move_at=at("2026-10-01T09:00")),
        card(6, R, created_at=at("2026-08-01T09:00")),  # 114 days, limit 90
    )
    found = stale(cards, TODAY)
    assert [(s.card.id, s.idle_days, s.limit_days, s.days_over) for s in found] == [
        (6, 114, 90, 24),
        (5, 53, 30, 23),
        (3, 13, 7, 6),
        (2, 15, 14, 1),
    ]
    limits = {L: 30, P: 30, C: 30, R: 30}
    assert [s.card.id for s in stale(cards, TODAY, limits)] == [6, 5]


def test_conversion_counts_entries_in_the_window_that_moved_on() -> None:
    events = (
        event(1, "2026-11-10T09:00", L),  # entered lead before the 7-day window
        event(1, "2026-11-18T09:00", P, L),
        event(2, "2026-11-17T00:00", L),  # first day of the window
        event(2, "2026-11-19T09:00", P, L),
        event(2, "2026-11-20T09:00", C, P),
        event(3, "2026-11-20T09:00", L),
        event(4, "2026-11-21T09:00", P),  # added straight into prospect
        event(4, "2026-11-22T09:00", L, P),  # fell back: entered lead, not moved on
        event(5, "2026-11-18T09:00", L),
        event(5, "2026-11-19T09:00", C, L),  # skipped prospect: still moved on from lead
    )
    week = conversion(events, TODAY, 7)
    assert week == (
        Conversion(L, P, entered=4, moved_on=2),  # 2, 3, 4, 5: 2 and 5 moved on
        Conversion(P, C, entered=3, moved_on=1),  # 1, 2, 4: only 2 moved on
        Conversion(C, R, entered=2, moved_on=0),
    )
    assert week[0].rate == 0.5
    month = conversion(events, TODAY, 30)
    assert month[0] == Conversion(L, P, entered=5, moved_on=3)


def test_funnel_counts_cards_at_or_past_each_stage() -> None:
    cards = (card(1, L), card(2, L), card(3, P), card(4, C), card(5, R), card(6, R))
    standup = build_standup(StandupData(cards, (), date(2026, 11, 17)), TODAY)
    assert [(f.stage, f.cards, f.reached) for f in standup.stages] == [
        (L, 2, 6),
        (P, 1, 4),
        (C, 1, 3),
        (R, 2, 2),
    ]


def test_new_lead_sources_most_first() -> None:
    cards = (
        card(1, source=TouchpointKind.EVENT),
        card(2, source=TouchpointKind.REFERRAL),
        card(3, source=TouchpointKind.EVENT),
        card(4),
    )
    events = tuple(event(n, "2026-11-21T09:00", L) for n in range(1, 5))
    standup = build_standup(StandupData(cards, events, date(2026, 11, 17)), TODAY)
    assert standup.new_lead_sources == (
        (TouchpointKind.EVENT, 2),
        (TouchpointKind.REFERRAL, 1),
        (None, 1),
    )


def test_build_refuses_data_read_from_too_late() -> None:
    with pytest.raises(ValueError, match="needed from"):
        build_standup(StandupData((), (), date(2026, 11, 20)), TODAY, window=30)


def test_bars_are_block_characters_in_eighths() -> None:
    assert bar(8, 8, 4) == "████"
    assert bar(1, 8, 4) == "▌"
    assert bar(3, 8, 4) == "█▌"
    assert bar(0, 8, 4) == ""


# The store -------------------------------------------------------------------------------


@pytest.fixture
def team(database: Database) -> dict[str, int]:
    return seed_team(database)


def test_store_reads_cards_with_their_last_activity(
    database: Database, team: dict[str, int]
) -> None:
    data = read_standup(database, TODAY, date(2026, 11, 17))
    by_name = {c.name.split()[0]: c for c in data.cards}
    assert "Gus" not in by_name  # archived
    assert len(data.cards) == 8
    finn = by_name["Finn"]
    assert finn.last_touchpoint == date(2026, 11, 10)
    assert finn.last_note_at == at("2026-11-14T16:00")
    assert finn.last_move_at == at("2026-11-11T09:00")
    assert finn.source is TouchpointKind.CALL
    assert by_name["Eve"].last_touchpoint is None
    assert [(o.owner, o.cards, o.overdue, o.due_today) for o in data.owners] == [
        ("sam", 5, 1, 0),
        ("ana", 3, 1, 1),
    ]
    # Events from the first moment of the 17th, archived cards' included.
    assert {e.card_id for e in data.events} == {
        team[n] for n in ("Ann", "Ben", "Dev", "Gus", "Hana", "Ivo")
    }
    assert min(e.at for e in data.events) == at("2026-11-17T09:00")


def test_store_filters_by_owner_but_counts_everyone(
    database: Database, team: dict[str, int]
) -> None:
    data = read_standup(database, TODAY, date(2026, 11, 17), owner="ana")
    assert sorted(c.name for c in data.cards) == ["Ben Hollis", "Dev Patel", "Finn Grey"]
    assert {e.card_id for e in data.events} == {team["Ben"], team["Dev"]}
    assert len(data.owners) == 2


def test_team_standup_exact_figures(database: Database, team: dict[str, int]) -> None:
    s = load_standup(database, TODAY)
    assert s.since == date(2026, 11, 20)
    assert [c.name for c in s.overdue] == ["Ann Okafor", "Dev Patel"]
    assert [c.name for c in s.due_today] == ["Ben Hollis"]
    assert [(m.card.name, m.from_stage, m.to_stage) for m in s.moved] == [("Ann Okafor", L, P)]
    assert [c.name for c in s.new_leads] == ["Hana Mori", "Ben Hollis", "Ivo [b]Bold[/b]"]
    assert [(x.card.name, x.idle_days, x.limit_days) for x in s.stale] == [
        ("Eve Stone", 145, 90),
        ("Cleo Marsh", 53, 14),
        ("Finn Grey", 9, 7),
    ]
    assert [(f.cards, f.reached) for f in s.stages] == [(4, 8), (2, 4), (1, 2), (1, 1)]
    assert [(c.entered, c.moved_on) for c in s.conversion] == [(4, 1), (3, 1), (1, 0)]
    month = load_standup(database, TODAY, window=30)
    assert [(c.entered, c.moved_on) for c in month.conversion] == [(6, 3), (4, 1), (1, 0)]


def test_my_standup_exact_figures(database: Database, team: dict[str, int]) -> None:
    s = load_standup(database, TODAY, owner="sam")
    assert [c.name for c in s.overdue] == ["Ann Okafor"]
    assert s.due_today == ()
    assert [c.name for c in s.new_leads] == ["Hana Mori", "Ivo [b]Bold[/b]"]
    assert [x.card.name for x in s.stale] == ["Eve Stone", "Cleo Marsh"]
    assert [(c.entered, c.moved_on) for c in s.conversion] == [(3, 1), (2, 0), (0, 0)]
    assert s.conversion[2].rate is None


def test_the_week_ahead_and_the_ledger_from_the_store(
    database: Database, team: dict[str, int]
) -> None:
    """Coming up: tomorrow to a week today. No next action: no step and no date. The
    ledger since Friday: touchpoints logged on the rep's cards (the archived Gus's too,
    once it has one), open steps due Friday to yesterday (slipped) and today."""
    from pipeline_tui.domain.cards import CardDraft
    from pipeline_tui.store import PipelineService

    sam = PipelineService(database, "sam", clock=lambda: at("2026-11-23T09:00"))
    cleo = sam.card(team["Cleo"]).summary
    sam.set_next_action(cleo.id, "Drop off samples", date(2026, 11, 20), cleo.version)
    # An archived card takes no touchpoint: restored for the call, then archived again.
    sam.restore_card(team["Gus"])
    sam.add_touchpoint(team["Gus"], TouchpointKind.CALL, date(2026, 11, 21), "Lost: why")
    sam.archive_card(team["Gus"], ArchiveReason.LOST)
    far = sam.add_card(
        CardDraft(name="Jo Far", next_action="Later", next_action_due=date(2026, 12, 1)), L
    )
    assert far.card_id
    s = load_standup(database, TODAY)
    assert [(c.name, c.next_action_due) for c in s.coming_up] == [
        ("Finn Grey", date(2026, 11, 24)),
        ("Hana Mori", date(2026, 11, 25)),
    ]  # Jo Far, due in 8 days, is not this week
    # Eve Stone, a repeat client with no step, is not a warning (DESIGN: "outside repeat").
    assert [c.name for c in s.no_next_action] == ["Ivo [b]Bold[/b]"]
    assert all(c.version > 0 for c in s.coming_up)
    by_rep = {row.owner: row for row in s.ledger}
    assert [r.owner for r in s.ledger] == ["sam", "ana"]
    assert [t.name for t in by_rep["sam"].done] == ["Ivo [b]Bold[/b]", "Gus Lane", "Hana Mori"]
    assert [c.name for c in by_rep["sam"].slipped] == ["Cleo Marsh"]  # not Ann, due before
    assert (by_rep["sam"].due, by_rep["ana"].due) == (4, 2)
    assert [c.name for c in by_rep["ana"].open_today] == ["Ben Hollis"]
    assert by_rep["ana"].slipped == ()
    mine = load_standup(database, TODAY, owner="ana")
    assert [r.owner for r in mine.ledger] == ["ana"]
    assert [c.name for c in mine.coming_up] == ["Finn Grey"]


def test_empty_database(database: Database) -> None:
    s = load_standup(database, TODAY)
    assert s.is_quiet
    assert s.owners == ()
    assert s.total_cards == 0


# The command line ------------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def team_db(db_path: Path, monkeypatch: pytest.MonkeyPatch, seed_file: SeedFile) -> Path:
    seed_file(db_path, seed_team)
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    return db_path


@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md"), ("json", "json")])
def test_cli_standup_matches_the_golden_file(
    capsys: pytest.CaptureFixture[str], team_db: Path, fmt: str, suffix: str
) -> None:
    code, out, err = run_cli(capsys, "standup", "--db", str(team_db), "--format", fmt)
    assert (code, err) == (0, "")
    golden = GOLDEN / f"standup.{suffix}"
    if os.environ.get("PIPELINE_TUI_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


def _holds(old: object, new: object, where: str = "$") -> None:
    """`new` says everything `old` said, in the same place: fields may only be added."""
    if isinstance(old, dict):
        assert isinstance(new, dict), where
        for key, value in old.items():
            assert key in new, f"{where}.{key} is gone"
            _holds(value, new[key], f"{where}.{key}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), where
        for index, (was, now) in enumerate(zip(old, new, strict=True)):
            _holds(was, now, f"{where}[{index}]")
    else:
        assert new == old, where


def test_cli_json_only_adds_to_the_shape_before_values(
    capsys: pytest.CaptureFixture[str], team_db: Path
) -> None:
    """The stand-up's JSON as it was before cards had values (version 1) is all still
    there, field for field; the money fields are added beside it."""
    code, out, _ = run_cli(capsys, "standup", "--db", str(team_db), "--format", "json")
    assert code == 0
    before = json.loads((GOLDEN / "standup-before-money.json").read_text(encoding="utf-8"))
    now = json.loads(out)
    assert now["version"] == before["version"] == 1
    _holds(before, now)
    assert now["money"]["pipeline"] == 0.0
    assert now["overdue"][0]["value"] is None


def test_cli_text_fits_80_columns(capsys: pytest.CaptureFixture[str], team_db: Path) -> None:
    for window in ("7", "30", "90"):
        _, out, _ = run_cli(capsys, "standup", "--db", str(team_db), "--window", window)
        assert max(len(line) for line in out.splitlines()) <= 80


def test_cli_json_shape(capsys: pytest.CaptureFixture[str], team_db: Path) -> None:
    code, out, _ = run_cli(
        capsys, "standup", "--db", str(team_db), "--format", "json", "--owner", "ana"
    )
    data = json.loads(out)
    assert code == 0
    assert data["version"] == 1
    assert list(data) == [
        "version",
        "today",
        "since",
        "window_days",
        "window_start",
        "owner",
        "overdue",
        "due_today",
        "moved",
        "new_leads",
        "stale",
        "stages",
        "conversion",
        "owners",
        "calls",
        "money",
        "coming_up",
        "no_next_action",
        "ledger",
        "back_from_nurturing",
    ]
    assert data["owner"] == "ana"
    assert [c["name"] for c in data["overdue"]] == ["Dev Patel"]
    assert data["conversion"][0] == {
        "from": "lead",
        "to": "prospect",
        "entered": 1,
        "moved_on": 0,
        "rate": 0.0,
    }


def test_cli_since_and_window(capsys: pytest.CaptureFixture[str], team_db: Path) -> None:
    _, out, _ = run_cli(
        capsys,
        "standup",
        "--db",
        str(team_db),
        "--format",
        "json",
        "--since",
        "2026-11-18",
        "--window",
        "30",
    )
    data = json.loads(out)
    assert (data["since"], data["window_days"], data["window_start"]) == (
        "2026-11-18",
        30,
        "2026-10-25",
    )
    assert [m["card"]["name"] for m in data["moved"]] == ["Dev Patel", "Ann Okafor"]
    assert data["moved"][0]["moves"] == 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--since", "tomorrow"), "'tomorrow' is not a date"),
        (("--since", "2026-12-01"), "is after today"),
        (("--owner", " "), "--owner needs a name"),
    ],
)
def test_cli_standup_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], team_db: Path, argv: tuple[str, ...], message: str
) -> None:
    code, out, err = run_cli(capsys, "standup", "--db", str(team_db), *argv)
    assert code == 1
    assert out == ""
    assert err.startswith("pipeline-tui: error: ")
    assert message in err
    assert len(err.splitlines()) == 1


def test_cli_bad_fixed_today(
    capsys: pytest.CaptureFixture[str], team_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", "someday")
    code, _, err = run_cli(capsys, "standup", "--db", str(team_db))
    assert code == 1
    assert (
        err == "pipeline-tui: error: PIPELINE_TUI_TODAY='someday' is not a date like 2026-11-23.\n"
    )


@pytest.mark.parametrize("fixed", ["0001-01-01", "9999-12-31"])
def test_cli_fixed_today_at_the_ends_of_the_calendar_is_one_sentence(
    capsys: pytest.CaptureFixture[str], team_db: Path, monkeypatch: pytest.MonkeyPatch, fixed: str
) -> None:
    """The stand-up reaches back a year and on a month: an OverflowError's traceback."""
    monkeypatch.setenv("PIPELINE_TUI_TODAY", fixed)
    code, _, err = run_cli(capsys, "standup", "--db", str(team_db))
    assert code == 1
    assert err == (
        f"pipeline-tui: error: PIPELINE_TUI_TODAY='{fixed}' is not a day from 1900 to 9000.\n"
    )


def test_cli_unknown_owner_warns(capsys: pytest.CaptureFixture[str], team_db: Path) -> None:
    code, out, err = run_cli(capsys, "standup", "--db", str(team_db), "--owner", "zoe")
    assert code == 0
    assert err == (
        'pipeline-tui: warning: No active card belongs to "zoe"; '
        "the cards belong to sam (5 cards) and ana (3 cards).\n"
    )
    assert "Nothing overdue." in out


def test_cli_owner_of_an_empty_pipeline_warns(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    open_database(str(db_path)).close()
    code, _, err = run_cli(capsys, "standup", "--db", str(db_path), "--owner", "nobody")
    assert code == 0
    assert err == (
        'pipeline-tui: warning: No active card belongs to "nobody"; '
        "there are no active cards yet.\n"
    )


def test_cli_empty_database(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    open_database(str(db_path)).close()
    code, out, err = run_cli(capsys, "standup", "--db", str(db_path), "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["overdue"] == [] and data["owners"] == []
    assert [s["reached"] for s in data["stages"]] == [0, 0, 0, 0]


def test_a_rep_with_one_card_has_one_card_in_the_team_lines() -> None:
    """ "ann    1 cards": the team line said so for a rep with one card."""
    from pipeline_tui.domain.standup import OwnerCount
    from pipeline_tui.standup_report import team_lines

    owners = (OwnerCount("ann", 1, 1), OwnerCount("bo", 2))
    standup = build_standup(StandupData((card(1),), (), date(2026, 11, 17), owners), TODAY)
    ann, bo = team_lines(standup)
    assert "    1 card      1 overdue" in ann
    assert "    2 cards     0 overdue" in bo
