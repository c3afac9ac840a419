"""The call queue, the brief and call sessions: their rules on plain data, the store's
reads and writes (SQLite and PostgreSQL), and `pipeline-tui brief` in text and Markdown.

Set PIPELINE_TUI_UPDATE_GOLDEN=1 to rewrite tests/golden/brief.* after an intended
change, then read the diff before committing it.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from sqlalchemy import text

from pipeline_tui.brief_report import as_text
from pipeline_tui.cli import main
from pipeline_tui.domain.brief import BriefNote, question_for
from pipeline_tui.domain.calls import (
    CallOutcome,
    CallSession,
    CallTally,
    NextStep,
    QueuePart,
    build_queue,
    calls_by_owner,
    suggested_next_step,
)
from pipeline_tui.domain.cards import CardDraft, CardSummary
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import cell_width, clip_cells, wrap_cells
from pipeline_tui.standup_report import as_json as standup_json
from pipeline_tui.standup_report import as_text as standup_text
from pipeline_tui.store import (
    ConflictError,
    NotFoundError,
    PipelineService,
    StoreError,
    open_database,
)
from pipeline_tui.store.standup import load_standup
from tests.calls_data import day, seed_calls
from tests.conftest import NOW, TODAY, OpenSeeded, SeedFile

pytestmark = pytest.mark.both_backends

GOLDEN = Path(__file__).parent / "golden"


def summary(
    card_id: int, due: int | None, stage: Stage = Stage.LEAD, name: str = ""
) -> CardSummary:
    return CardSummary(
        id=card_id,
        name=name or f"Card {card_id}",
        organisation="",
        stage=stage,
        position=card_id,
        owner="sam",
        next_action="call",
        next_action_due=day(due) if due is not None else None,
    )


# The queue's rules ----------------------------------------------------------------------


def test_the_queue_is_overdue_oldest_first_then_today_furthest_stage_first() -> None:
    cards = [
        summary(1, 0, Stage.LEAD),
        summary(2, -1),
        summary(3, -5),
        summary(4, 0, Stage.CLIENT),
        summary(5, 2),
        summary(6, None),
        summary(7, 9),
    ]
    queue = build_queue(cards, TODAY)
    assert [e.card.id for e in queue] == [3, 2, 4, 1]
    assert [e.part for e in queue] == [QueuePart.OVERDUE] * 2 + [QueuePart.TODAY] * 2
    week = build_queue(cards, TODAY, week=True)
    assert [e.card.id for e in week] == [3, 2, 4, 1, 5]  # 9 days off is not this week
    assert week[-1].part is QueuePart.WEEK


DUES = st.tuples(st.integers(1, 40), st.one_of(st.none(), st.integers(-30, 30)))


@given(st.lists(DUES, unique_by=lambda item: item[0]), st.booleans())
def test_the_queue_holds_each_due_card_once_in_due_order(
    items: list[tuple[int, int | None]], week: bool
) -> None:
    cards = [summary(card_id, due) for card_id, due in items]
    queue = build_queue(cards, TODAY, week=week)
    ids = [e.card.id for e in queue]
    assert len(ids) == len(set(ids))
    last = day(7) if week else TODAY
    assert set(ids) == {i for i, due in items if due is not None and day(due) <= last}
    dues = [e.activity.due for e in queue]
    assert dues == sorted(dues)


@pytest.mark.parametrize(
    ("outcome", "action", "due", "ask_date", "archive"),
    [
        (CallOutcome.VOICEMAIL, "Try again", day(2), False, False),
        (CallOutcome.NO_ANSWER, "Try again", day(1), False, False),
        (CallOutcome.REACHED, "", None, False, False),
        (CallOutcome.MEETING_SET, "Meeting", None, True, False),
        (CallOutcome.NOT_INTERESTED, "Check in again", day(90), False, True),
    ],
)
def test_each_outcome_suggests_its_next_step(
    outcome: CallOutcome, action: str, due: object, ask_date: bool, archive: bool
) -> None:
    step = suggested_next_step(outcome, TODAY)
    assert (step.action, step.due, step.ask_date, step.offer_archive) == (
        action,
        due,
        ask_date,
        archive,
    )
    assert outcome.summary == f"Call: {outcome.label.lower()}"


def test_a_call_not_answered_suggests_the_step_that_was_due_again() -> None:
    """The card's step, in the rep's words, is not done: voicemail or no answer
    suggests it again, not "Try again" over it (the step's words were gone)."""
    step = "Send proposal v2"
    assert suggested_next_step(CallOutcome.VOICEMAIL, TODAY, step) == NextStep(step, day(2))
    assert suggested_next_step(CallOutcome.NO_ANSWER, TODAY, step).action == step
    assert suggested_next_step(CallOutcome.MEETING_SET, TODAY, step).action == "Meeting"
    assert suggested_next_step(CallOutcome.VOICEMAIL, TODAY, "  ").action == "Try again"


@given(st.lists(st.sampled_from(list(CallOutcome))))
def test_a_tally_counts_every_call_once(outcomes: list[CallOutcome]) -> None:
    tally = CallTally()
    for outcome in outcomes:
        tally = tally.plus(outcome)
    assert tally.calls == len(outcomes)
    assert tally.spoke_to == sum(o.reached for o in outcomes)
    assert all(tally.count(o) == outcomes.count(o) for o in CallOutcome)
    assert (tally + tally).calls == 2 * len(outcomes)


def test_sessions_add_up_per_rep_busiest_first() -> None:
    at = datetime(2026, 11, 20, 9, tzinfo=UTC)
    sessions = [
        CallSession(1, "ana", at, at, CallTally(reached=1)),
        CallSession(2, "sam", at, at, CallTally(voicemail=2, meeting_set=1)),
        CallSession(3, "sam", at, at, CallTally(no_answer=1)),
    ]
    ana, sam = calls_by_owner(sessions)[1], calls_by_owner(sessions)[0]
    assert (sam.owner, sam.sessions, sam.tally.calls) == ("sam", 2, 4)
    assert sam.tally.describe() == "4 calls, 1 spoken to, 1 meeting set"
    assert (ana.owner, ana.tally.describe()) == ("ana", "1 call, 1 spoken to, 0 meetings set")


def test_criteria_become_questions() -> None:
    known = question_for("can afford it")
    assert known is not None and known.ask.startswith("What budget")
    custom = question_for("Uses a CRM today.")
    assert custom is not None and custom.ask == "Find out: Uses a CRM today?"
    assert question_for("   ") is None


def test_a_note_shows_its_first_line_and_says_when_there_is_more() -> None:
    note = BriefNote(NoteKind.INSIGHT, "\n# Idea\x1b[31m\n\nmore", NOW)
    assert note.first_line == "# Idea"
    assert note.has_more


# Cells ----------------------------------------------------------------------------------

# Narrow and wide letters, an emoji, and a combining accent (no cells of its own).
WORDS = st.lists(st.sampled_from([*"abc xyz é李ü🙂 ", "e\u0301"]), max_size=40).map("".join)


@given(WORDS)
def test_cells_agree_with_rich(sample: str) -> None:
    assert cell_width(sample) == cell_len(sample)


@given(WORDS, st.integers(8, 40), st.integers(0, 6))
def test_wrapped_lines_fit_and_keep_every_word(sample: str, width: int, indent: int) -> None:
    lines = wrap_cells(sample, width, initial_indent=" " * indent, subsequent_indent=" " * indent)
    assert all(cell_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(sample.split())


@given(WORDS, st.integers(1, 30))
def test_clip_fits(sample: str, width: int) -> None:
    clipped = clip_cells(sample, width)
    assert cell_width(clipped) <= width
    assert clipped == sample or clipped.endswith("…")


# The store ------------------------------------------------------------------------------


@pytest.fixture
def seeded(open_seeded: OpenSeeded) -> tuple[PipelineService, dict[str, int]]:
    database, ids = open_seeded(seed_calls)
    return PipelineService(database, "sam", clock=lambda: NOW), ids


def test_the_queue_from_the_store(seeded: tuple[PipelineService, dict[str, int]]) -> None:
    service, ids = seeded
    names = [e.card.name for e in service.call_queue(TODAY)]
    assert names == ["Ann Okafor", "Dev Patel", "Ben Hollis", "Eve Lindqvist"]
    week = [e.card.name for e in service.call_queue(TODAY, week=True)]
    assert week[-1] == "Finn Berg" and "Gus Hale" not in week
    everyone = [e.card.name for e in service.call_queue(TODAY, mine_only=False)]
    assert "Hana Mori" in everyone
    service.archive_card(ids["Dev"], ArchiveReason.LOST)
    assert "Dev Patel" not in [e.card.name for e in service.call_queue(TODAY)]


def test_the_brief_holds_what_a_call_needs(seeded: tuple[PipelineService, dict[str, int]]) -> None:
    service, ids = seeded
    brief = service.brief(ids["Ann"])
    assert [(n.kind, n.first_line) for n in brief.notes] == [
        (NoteKind.PROBLEM, "Loses 12% of appointments to no-shows."),
        (NoteKind.GOAL, "Fill every chair on Mondays."),  # the latest goal
        (NoteKind.INSIGHT, "A reminder text two days ahead."),
    ]
    assert brief.missing_kinds == (NoteKind.GAP, NoteKind.URGENCY)
    assert [q.criterion for q in brief.questions] == [
        "has a track record of following through",
        "values and goals align",
    ]
    assert [t.summary for t in brief.touchpoints] == [
        "Left a message",
        "Sent the no-show guide",
        "Liked the launch post",
    ]
    assert brief.due is not None and (brief.due.text, brief.due.due) == (
        "Send the checklist",
        day(-3),
    )
    assert (brief.phone, brief.email, brief.score) == (
        "+44 20 7946 0101",
        "ann@brightwater.example",
        "1/4",
    )
    assert brief.referral is None
    ben = service.brief(ids["Ben"])
    assert ben.referral is not None
    assert (ben.referral.referrer.name, ben.referral.on) == ("Cara Diaz", day(-16))
    cara = service.brief(ids["Cara"])
    assert cara.questions == () and cara.score is None  # a client is past qualifying
    with pytest.raises(NotFoundError):
        service.brief(999_999)


def test_logging_calls_writes_touchpoints_and_one_session(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    first = service.log_call(ids["Eve"], CallOutcome.VOICEMAIL, TODAY, None)
    second = service.log_call(ids["Dev"], CallOutcome.MEETING_SET, TODAY, first.session_id)
    service.log_call(ids["Ann"], CallOutcome.REACHED, TODAY, first.session_id)
    assert second.session_id == first.session_id
    eve = service.card(ids["Eve"])
    assert (eve.touchpoints[0].kind, eve.touchpoints[0].summary) == (
        TouchpointKind.CALL,
        "Call: voicemail",
    )
    assert eve.version == first.version  # a touchpoint is history, not an edit
    session = service.call_session(first.session_id)
    assert session is not None and session.owner == "sam"
    assert session.tally == CallTally(reached=1, voicemail=1, meeting_set=1)
    with pytest.raises(NotFoundError):
        service.log_call(999_999, CallOutcome.REACHED, TODAY, first.session_id)
    assert service.call_session(first.session_id) == session  # the failed call counted nothing


def test_a_call_to_a_card_that_vanished_leaves_no_session(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    with pytest.raises(NotFoundError):
        service.log_call(999_999, CallOutcome.REACHED, TODAY, None)
    with service.database.read() as session:
        assert session.execute(text("SELECT count(*) FROM call_session")).scalar() == 0


def test_a_call_is_logged_with_its_next_step_or_not_at_all(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The call, its count and what the rep decided next are one transaction: a next
    action refused (the card changed elsewhere) logs no call and counts nothing."""
    service, ids = seeded
    seen = service.card(ids["Ann"])
    logged = service.log_call(
        ids["Ann"],
        CallOutcome.REACHED,
        TODAY,
        None,
        next_step=("Send proposal", day(1)),
        expected_version=seen.version,
    )
    ann = service.summary(ids["Ann"])
    assert ann is not None and (ann.next_action, ann.next_action_due) == ("Send proposal", day(1))
    assert logged.change is not None and logged.change.version_after == logged.version
    assert service.card(ids["Ann"]).touchpoints[0].summary == "Call: reached"

    touchpoints = service.card(ids["Dev"]).touchpoints
    stale = service.card(ids["Dev"]).version - 1
    with pytest.raises(ConflictError):
        service.log_call(
            ids["Dev"],
            CallOutcome.MEETING_SET,
            TODAY,
            logged.session_id,
            next_step=("Meeting", day(4)),
            expected_version=stale,
        )
    assert service.card(ids["Dev"]).touchpoints == touchpoints
    session = service.call_session(logged.session_id)
    assert session is not None and session.tally == CallTally(reached=1)

    archived = service.log_call(
        ids["Eve"], CallOutcome.NOT_INTERESTED, TODAY, logged.session_id, archive=ArchiveReason.LOST
    )
    eve = service.card(ids["Eve"])
    assert eve.archive_reason is ArchiveReason.LOST and archived.change is not None
    session = service.call_session(logged.session_id)
    assert session is not None and session.tally == CallTally(reached=1, not_interested=1)
    # Back on her in the queue (b), a second call: refused, as on the card screen, not
    # logged on an archived card with its step moved.
    with pytest.raises(StoreError, match="archived; restore it first"):
        service.log_call(
            ids["Eve"],
            CallOutcome.VOICEMAIL,
            TODAY,
            logged.session_id,
            next_step=("Call again", day(2)),
        )
    assert service.card(ids["Eve"]).touchpoints == eve.touchpoints
    session = service.call_session(logged.session_id)
    assert session is not None and session.tally == CallTally(reached=1, not_interested=1)


def test_undoing_a_call_takes_back_its_touchpoint_and_count_and_redo_logs_it_again(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    before = service.card(ids["Ann"])
    logged = service.log_call(
        ids["Ann"],
        CallOutcome.VOICEMAIL,
        TODAY,
        None,
        next_step=("Try again", day(2)),
        expected_version=before.version,
    )
    assert logged.change is not None
    assert logged.change.description == "Call to Ann Okafor: voicemail"
    undone = service.revert(logged.change)
    ann = service.card(ids["Ann"])
    assert ann.touchpoints == before.touchpoints and ann.summary.next_action == "Send the checklist"
    assert ann.summary == replace(before.summary, version=ann.version)
    session = service.call_session(logged.session_id)
    assert session is not None and session.tally == CallTally()

    assert undone.inverse is not None
    service.revert(undone.inverse)  # redo
    ann = service.card(ids["Ann"])
    assert [t.summary for t in ann.touchpoints[:1]] == ["Call: voicemail"]
    assert len(ann.touchpoints) == len(before.touchpoints) + 1
    assert (ann.summary.next_action, ann.summary.next_action_due) == ("Try again", day(2))
    session = service.call_session(logged.session_id)
    assert session is not None and session.tally == CallTally(voicemail=1)


def test_undoing_the_first_call_a_card_got_takes_back_the_source_it_set(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The first touchpoint a card gets is its source: a call taken back with u left
    the card "from Call, cold", counted by the stand-up's sources and insight."""
    service, _ = seeded
    zed = service.add_card(CardDraft("Zed Zero", next_action="Call Zed", next_action_due=TODAY))
    before = service.card(zed.card_id)
    assert (before.source, before.market, before.touchpoints) == (None, None, ())
    logged = service.log_call(
        zed.card_id, CallOutcome.VOICEMAIL, TODAY, None, next_step=("Try again", day(2))
    )
    assert logged.change is not None
    assert (service.card(zed.card_id).source, service.card(zed.card_id).market) == (
        TouchpointKind.CALL,
        Market.COLD,
    )
    undone = service.revert(logged.change)
    after = service.card(zed.card_id)
    assert (after.source, after.market, after.touchpoints) == (None, None, ())
    assert undone.inverse is not None
    redone = service.revert(undone.inverse)  # redo: the call is the first again
    again = service.card(zed.card_id)
    assert (again.source, again.market) == (TouchpointKind.CALL, Market.COLD)
    assert redone.inverse is not None
    service.revert(redone.inverse)
    assert service.card(zed.card_id).source is None
    # With a touchpoint logged since (from the shell, which leaves the card's version),
    # that one is the first: the card came from it.
    again_logged = service.log_call(
        zed.card_id, CallOutcome.VOICEMAIL, TODAY, None, next_step=("Try again", day(3))
    )
    service.add_touchpoint(zed.card_id, TouchpointKind.EMAIL, TODAY, "Sent the deck")
    assert again_logged.change is not None
    service.revert(again_logged.change)
    after = service.card(zed.card_id)
    assert (after.source, after.market) == (TouchpointKind.EMAIL, Market.COLD)
    assert [t.summary for t in after.touchpoints] == ["Sent the deck"]


def test_undoing_a_first_call_with_a_referral_since_makes_it_warm_and_redo_cold_again(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    bo = service.add_card(CardDraft("Bo Berg")).card_id
    logged = service.log_call(bo, CallOutcome.VOICEMAIL, TODAY, None, next_step=("Again", day(2)))
    service.add_touchpoint(bo, TouchpointKind.REFERRAL, TODAY, "Referred by Cy")
    assert logged.change is not None
    undone = service.revert(logged.change)
    after = service.card(bo)
    assert (after.source, after.market) == (TouchpointKind.REFERRAL, Market.WARM)
    assert undone.inverse is not None
    service.revert(undone.inverse)  # the call again: it was the first
    again = service.card(bo)
    assert (again.source, again.market) == (TouchpointKind.CALL, Market.COLD)


def test_the_standup_leaves_out_a_call_session_whose_calls_were_all_taken_back(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """One call logged and undone: "root  0 calls, 0 spoken to, 0 meetings set" under
    CALLS SINCE, which lists calls "when there were any"."""
    service, ids = seeded
    logged = service.log_call(
        ids["Ann"], CallOutcome.VOICEMAIL, TODAY, None, next_step=("Try again", day(2))
    )
    assert logged.change is not None and load_standup(service.database, TODAY).calls
    service.revert(logged.change)
    standup = load_standup(service.database, TODAY)
    assert standup.calls == ()
    assert "CALLS SINCE" not in standup_text(standup)


def test_the_standup_lists_the_calls_since_the_last_working_day(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    friday = PipelineService(service.database, "sam", clock=lambda: NOW - timedelta(days=3))
    thursday = PipelineService(service.database, "ana", clock=lambda: NOW - timedelta(days=4))
    logged = friday.log_call(ids["Ann"], CallOutcome.VOICEMAIL, day(-3), None)
    friday.log_call(ids["Dev"], CallOutcome.MEETING_SET, day(-3), logged.session_id)
    thursday.log_call(ids["Hana"], CallOutcome.REACHED, day(-4), None)  # before Friday
    standup = load_standup(service.database, TODAY)
    assert [(c.owner, c.sessions, c.tally.calls) for c in standup.calls] == [("sam", 1, 2)]
    report = standup_text(standup)
    assert "CALLS SINCE FRI 20" in report
    assert "sam        2 calls, 1 spoken to, 1 meeting set" in report
    record = json.loads(standup_json(standup))
    assert record["version"] == 1
    assert record["calls"] == [
        {
            "owner": "sam",
            "sessions": 1,
            "calls": 2,
            "reached": 1,
            "meetings_set": 1,
            "outcomes": {
                "reached": 0,
                "voicemail": 1,
                "no-answer": 0,
                "meeting-set": 1,
                "not-interested": 0,
            },
        }
    ]
    assert load_standup(service.database, TODAY, owner="ana").calls == ()
    wider = load_standup(service.database, TODAY, since=day(-4))
    assert {c.owner for c in wider.calls} == {"sam", "ana"}


# The command line -----------------------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def calls_db(db_path: Path, monkeypatch: pytest.MonkeyPatch, seed_file: SeedFile) -> Path:
    seed_file(db_path, seed_calls)
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    return db_path


@pytest.mark.sqlite_only("the command line on a file")
@pytest.mark.parametrize(("fmt", "suffix"), [("text", "txt"), ("markdown", "md")])
@pytest.mark.parametrize(("card", "name"), [("okafor", "brief"), ("Ben", "brief-referred")])
def test_cli_brief_matches_the_golden_file(
    capsys: pytest.CaptureFixture[str], calls_db: Path, fmt: str, suffix: str, card: str, name: str
) -> None:
    code, out, err = run_cli(capsys, "brief", card, "--db", str(calls_db), "--format", fmt)
    assert (code, err) == (0, "")
    golden = GOLDEN / f"{name}.{suffix}"
    if os.environ.get("PIPELINE_TUI_UPDATE_GOLDEN"):
        golden.write_text(out, encoding="utf-8")
    assert out == golden.read_text(encoding="utf-8")


@pytest.mark.sqlite_only("the command line on a file")
def test_cli_brief_of_an_ambiguous_name_lists_the_cards(
    capsys: pytest.CaptureFixture[str], calls_db: Path
) -> None:
    code, out, err = run_cli(capsys, "brief", "berg", "--db", str(calls_db))
    assert (code, err) == (0, "")  # Ida Berg is archived: Finn is the one meant
    assert out.startswith("BRIEF · Finn Berg (Berg Cycles)")
    code, out, err = run_cli(capsys, "brief", "an", "--db", str(calls_db))
    assert code != 0 and out == ""
    lines = err.splitlines()
    assert lines[0].startswith("pipeline-tui: error: ") and "cards match 'an'" in lines[0]
    assert any("Ann Okafor (Brightwater Dental), lead" in line for line in lines[1:])
    assert "Traceback" not in err
    code, out, err = run_cli(capsys, "brief", "zzz", "--db", str(calls_db))
    assert code == 1 and err.startswith("pipeline-tui: error: No card whose name contains 'zzz'")


@pytest.mark.sqlite_only("the command line on a file")
def test_cli_brief_fits_80_cells_with_wide_and_hostile_text(
    capsys: pytest.CaptureFixture[str], calls_db: Path
) -> None:
    database = open_database(str(calls_db))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    wide = service.add_card(
        CardDraft(
            name="李小龍 🙂 " * 8,
            organisation="\x1b[31mRed\x1b[0m [b]Org[/b]",
            next_action="電話 " * 30,
            next_action_due=TODAY,
        )
    ).card_id
    service.add_note(wide, NoteKind.PROBLEM, "問題" * 120 + " " + "x" * 200)
    database.close()
    code, out, _ = run_cli(capsys, "brief", str(wide), "--db", str(calls_db))
    assert code == 0
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert "\x1b" not in out and "[b]Org[/b]" in out


def test_brief_text_fits_any_width(seeded: tuple[PipelineService, dict[str, int]]) -> None:
    service, ids = seeded
    for width in (40, 60, 80):
        out = as_text(service.brief(ids["Ben"]), TODAY, width)
        assert max(cell_width(line) for line in out.splitlines()) <= width


def test_a_queue_left_open_overnight_counts_the_next_days_calls_on_that_day(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """A session is counted on the day it began: calls made the next morning in the
    same open queue were counted on the day before, and the stand-up since yesterday
    left them out."""
    service, ids = seeded
    first = service.log_call(ids["Eve"], CallOutcome.VOICEMAIL, TODAY, None)
    morning = PipelineService(service.database, "sam", clock=lambda: NOW + timedelta(days=1))
    tomorrow = TODAY + timedelta(days=1)
    second = morning.log_call(ids["Dev"], CallOutcome.REACHED, tomorrow, first.session_id)
    third = morning.log_call(ids["Ann"], CallOutcome.REACHED, tomorrow, second.session_id)
    assert second.session_id != first.session_id and third.session_id == second.session_id
    [today] = service.call_sessions(tomorrow, tomorrow)
    assert today.tally == CallTally(reached=2)
    [yesterday] = service.call_sessions(TODAY, TODAY)
    assert yesterday.tally == CallTally(voicemail=1)
