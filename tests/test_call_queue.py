"""The call queue and the insight screen driven from the keyboard, the database checked
after each call, and how both look at 80x24 and 160x45."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.pilot import Pilot

from pipeline_tui import brief_report
from pipeline_tui.domain import drafts
from pipeline_tui.domain.calls import CallOutcome
from pipeline_tui.domain.drafts import (
    CALL_DAY,
    CALL_OUTCOME,
    NEW_STEP,
    Draft,
    DraftKey,
    Editor,
    KeptCall,
)
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.store import PipelineService, StoreError, open_database
from pipeline_tui.ui import seams
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.calls import BriefLine, BriefRow, CallQueueScreen, NextStepScreen
from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen
from pipeline_tui.ui.screens.insight import InsightScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from tests.calls_data import day, seed_calls
from tests.conftest import NOW, TODAY, OpenSeeded, SeedFile
from tests.pilot import (
    burst,
    look,
    make_app,
    notification_messages,
    press,
    running,
    screen_text,
    settle,
    tap,
    type_text,
    wait_for,
)

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
SnapCompare = Callable[..., bool]


@pytest.fixture
def seeded(open_seeded: OpenSeeded) -> tuple[PipelineService, dict[str, int]]:
    database, ids = open_seeded(seed_calls)
    return PipelineService(database, "sam", clock=lambda: NOW), ids


def sessions(service: PipelineService) -> list[tuple[object, ...]]:
    query = text(
        "SELECT owner, reached, voicemail, no_answer, meeting_set, not_interested FROM call_session"
    )
    with service.database.read() as session:
        return [tuple(row) for row in session.execute(query)]


def last_call(service: PipelineService, card_id: int) -> tuple[TouchpointKind, date, str]:
    touch = service.card(card_id).touchpoints[0]
    return touch.kind, touch.happened_on, touch.summary


async def test_a_power_hour_logs_each_outcome_and_asks_for_the_next_step(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        queue = app.screen
        assert isinstance(queue, CallQueueScreen)
        shown = screen_text(app)
        assert "1 of 4" in shown and "Ann Okafor" in shown and "3d late" in shown
        assert "Loses 12% of appointments" in shown

        # Voicemail: the step that was due, again in two days, as suggested.
        await tap(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, NextStepScreen)
        shown = screen_text(app)
        assert "Send the checklist" in shown and day(2).isoformat() in shown
        await tap(pilot, "enter")
        await settle(pilot)
        assert last_call(service, ids["Ann"]) == (TouchpointKind.CALL, TODAY, "Call: voicemail")
        ann = service.summary(ids["Ann"])
        assert ann is not None
        assert (ann.next_action, ann.next_action_due) == ("Send the checklist", day(2))
        assert "2 of 4" in screen_text(app) and "Dev Patel" in screen_text(app)

        # No answer: the step again tomorrow.
        await tap(pilot, "a", "enter")
        await settle(pilot)
        dev = service.summary(ids["Dev"])
        assert dev is not None
        assert (dev.next_action, dev.next_action_due) == ("Email the route guide", day(1))
        assert "Ben Hollis" in screen_text(app) and "Cara Diaz" in screen_text(app)

        # Meeting set: the rep types the day agreed; the cursor starts there.
        await tap(pilot, "m")
        await type_text(pilot, "fri")
        await tap(pilot, "enter")
        await settle(pilot)
        ben = service.summary(ids["Ben"])
        assert ben is not None and (ben.next_action, ben.next_action_due) == ("Meeting", day(4))
        assert last_call(service, ids["Ben"])[2] == "Call: meeting set"

        # Not interested: archive it as lost.
        await tap(pilot, "x")
        assert "not interested" in screen_text(app)
        await tap(pilot, "a")
        await settle(pilot)
        eve = service.card(ids["Eve"])
        assert eve.archive_reason is ArchiveReason.LOST and eve.archived_at is not None

        # The end: the session's figures, kept for the stand-up.
        shown = screen_text(app)
        assert "Session done" in shown and "4 calls, 2 spoken to, 1 meeting set" in shown
        # Past the last card: not "4 in the queue", which read as four calls to make.
        assert "4 of 4 · the end" in shown and "in the queue" not in shown
        # The table under it adds up to the same.
        table = [" ".join(line.split()) for line in shown.splitlines()]
        for row in ("Spoken to 2", "Reached 0", "Meeting set 1", "Not interested 1"):
            assert row in table, shown
        for row in ("Voicemail 1", "No answer 1", "Skipped 0"):
            assert row in table, shown
        assert sessions(service) == [("sam", 0, 1, 1, 1, 1)]
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        # Below this week's steps at 80x24; the figures are beside the cards when wide.
        await pilot.resize_terminal(160, 50)
        await settle(pilot)
        assert "4 calls, 2 spoken to, 1 meeting set" in screen_text(app)


@pytest.mark.parametrize(
    ("key", "typed", "field", "saved"),
    [
        pytest.param("r", "Send proposal", "action", ("Send proposal", None), id="reached"),
        pytest.param("v", " again", "action", ("Send the checklist again", day(2)), id="voicemail"),
        pytest.param("a", " again", "action", ("Send the checklist again", day(1)), id="no-answer"),
        pytest.param("a", "Ring her mobile", "action", ("Ring her mobile", day(1)), id="new-step"),
        pytest.param("m", "fri", "due", ("Meeting", day(4)), id="meeting-set"),
    ],
)
async def test_what_is_typed_with_the_outcome_key_goes_into_its_dialog(
    seeded: tuple[PipelineService, dict[str, int]],
    key: str,
    typed: str,
    field: str,
    saved: tuple[str, date | None],
) -> None:
    """`rSend proposal` in one read: the letters went to the queue's own keys (`n`
    opened a note, `s` skipped) and the next action was lost. They wait for the
    dialog's field, and go into it: in place of the step it suggests (`aRing her
    mobile` saved "Send the checklistRing her mobile"), or after it if they start with
    a space."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        notes = len(service.card(ids["Ann"]).notes)
        await press(pilot, "c")
        await burst(pilot, key, *typed)
        dialog = app.screen
        assert isinstance(dialog, NextStepScreen)
        assert dialog.inputs[field].value.endswith(typed)
        await tap(pilot, "enter")
        await settle(pilot)
        ann = service.summary(ids["Ann"])
        assert ann is not None and (ann.next_action, ann.next_action_due) == saved
        assert last_call(service, ids["Ann"])[0] is TouchpointKind.CALL
        assert len(service.card(ids["Ann"]).notes) == notes  # no note editor opened
        assert "2 of 4" in screen_text(app) and "Dev Patel" in screen_text(app)


async def test_voicemail_suggests_the_step_as_it_is_now_after_going_back(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Reached Ann and set "Send proposal" (no day), then `b` back to her and
    voicemail: the dialog suggested the step the queue was first read with ("Send the
    checklist"), and enter saved it over the one just set."""
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "r")
        await type_text(pilot, "Send proposal")
        await tap(pilot, "enter")
        await settle(pilot)
        assert "Dev Patel" in screen_text(app)
        await press(pilot, "b")
        assert "Ann Okafor" in screen_text(app)
        await tap(pilot, "v")
        dialog = app.screen
        assert isinstance(dialog, NextStepScreen)
        assert dialog.inputs["action"].value == "Send proposal"


def stages(service: PipelineService, ids: dict[str, int]) -> dict[str, object]:
    return {
        name: (summary.stage if (summary := service.summary(card_id)) else None)
        for name, card_id in ids.items()
    }


async def test_keys_typed_with_c_wait_for_the_queue_then_act_in_order(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`c` and "rbudget ok<tab>fri<enter>" in one read: the queue was still reading, so
    the `r` was dropped, the `u` of "budget" undid the move made before on the board,
    `o` switched to everyone's cards, space opened the whole notes, the `r` of "fri"
    opened the dialog that took the `i`, and enter saved "i" as the next step. The keys
    wait for the queue, then act on it in the order typed."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = stages(service, ids)
        await press(pilot, "l", "l", "L")  # a client moved on, for `u` to find
        moved = stages(service, ids)
        assert moved != before
        await burst(pilot, "c", *"rbudget ok", "tab", *"fri", "enter")
        assert isinstance(app.screen, CallQueueScreen)
        assert stages(service, ids) == moved  # nothing undone
        ann = service.summary(ids["Ann"])
        assert ann is not None and (ann.next_action, ann.next_action_due) == ("budget ok", day(4))
        assert last_call(service, ids["Ann"]) == (TouchpointKind.CALL, TODAY, "Call: reached")
        assert sessions(service) == [("sam", 1, 0, 0, 0, 0)]
        dev = service.summary(ids["Dev"])
        assert dev is not None and dev.next_action == "Email the route guide"
        shown = screen_text(app)
        assert "2 of 4" in shown and "Dev Patel" in shown and "(mine)" in shown


async def test_keys_typed_with_o_wait_for_everyones_queue(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """At the end of the queue, `o` and "rCall back Friday<enter>" in one read: every
    key after `o` fell on the summary (no card yet) and was lost. They wait for the
    cards `o` brings in, and the call is logged on the first of them."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "s", "s", "s", "s")
        assert "End of the queue" in screen_text(app)
        await burst(pilot, "o", *"rCall back Friday", "enter")
        assert isinstance(app.screen, CallQueueScreen)
        hana = service.summary(ids["Hana"])
        assert hana is not None and hana.next_action == "Call back Friday"
        assert last_call(service, ids["Hana"])[2] == "Call: reached"
        assert sessions(service) == [("sam", 1, 0, 0, 0, 0)]


async def test_keys_typed_with_s_act_on_the_next_card(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`s` and "v<enter>" in one read: the next card's brief was still being read, so
    `v` found the card skipped and was dropped. It logs the call on the card `s` shows."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "s", "v", "enter")
        assert last_call(service, ids["Dev"])[2] == "Call: voicemail"
        assert last_call(service, ids["Ann"])[2] == "Left a message"
        assert sessions(service) == [("sam", 0, 1, 0, 0, 0)]
        assert "3 of 4" in screen_text(app)


STEP = "Send the signed contract to legal by noon"


async def test_the_next_step_being_typed_is_kept_as_a_draft_and_offered_back(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`r`, the next step typed, then the connection dropped: the words were in no
    draft, and lost. As in every editor they are kept while typed (and at once when the
    session ends), and offered back at the next `r`."""
    service, ids = seeded
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "r", *STEP)
        assert isinstance(app.screen, NextStepScreen)
        await wait_for(
            pilot,
            lambda: (draft := service.draft(key)) is not None and draft.get("action") == STEP,
            "the step's draft",
        )
        # What the hang-up handler does: what was typed last is written at once.
        await type_text(pilot, " today")
        app.flush_drafts()
        draft = service.draft(key)
        assert draft is not None and draft.get("action") == f"{STEP} today"
    assert sessions(service) == []  # the call was never logged

    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown, dialog = await take_back_after_a_call(app, pilot)
        assert "Unsaved next action from" in shown and f"Next action: {STEP}" in shown
        assert dialog.inputs["action"].value == f"{STEP} today"
        await tap(pilot, "enter")
        await settle(pilot)
        ann = service.summary(ids["Ann"])
        assert ann is not None and ann.next_action == f"{STEP} today"
        assert last_call(service, ids["Ann"])[2] == "Call: reached"
        assert "Dev Patel" in screen_text(app)
    assert service.draft(key) is None


async def take_back_after_a_call(
    app: PipelineApp, pilot: Pilot[None], outcome: str = "r"
) -> tuple[str, NextStepScreen]:
    """The queue opened, its first call (Ann's) answered with the `outcome` key, and the
    step kept for her offered back and restored: what the offer said, and the dialog."""
    await press(pilot, "c")
    await tap(pilot, outcome)
    assert isinstance(app.screen, DraftOfferScreen)
    offer = screen_text(app)
    await tap(pilot, "r")
    dialog = app.screen
    assert isinstance(dialog, NextStepScreen)
    return offer, dialog


async def keep_a_step_after_a_meeting(service: PipelineService) -> DraftKey:
    """The first card of the queue (Ann): `m`, the day agreed typed, and the session
    ended before the step was saved. The key of the step kept."""
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "m", dialog=True)
        dialog = app.screen
        assert isinstance(dialog, NextStepScreen)
        await type_text(pilot, "fri")  # the day agreed, where the cursor starts
        assert dialog.inputs["due"].value == "fri"
        card_id = dialog.recorder.key.card_id if dialog.recorder else None
        app.flush_drafts()  # as the hang-up handler does
    assert card_id is not None
    key = DraftKey.on_card(Editor.NEXT_ACTION, card_id)
    kept = service.draft(key)
    assert kept is not None and kept.get(CALL_OUTCOME) == "meeting-set"
    return key


async def take_back_in_the_cards_own_dialog(service: PipelineService, today: date) -> None:
    """On `today`, the step kept on the queue's first card (Ann) taken back in her card's
    own next-action dialog, then the session ended before it was saved."""
    app = make_app(service, today=lambda: today)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "enter")
        await tap(pilot, "f")
        assert isinstance(app.screen, DraftOfferScreen)
        await tap(pilot, "r")
        assert isinstance(app.screen, NextActionScreen)
        app.flush_drafts()  # as the hang-up handler does


async def test_a_step_typed_after_a_call_keeps_the_calls_outcome_through_a_hang_up(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`m` (a meeting set), the day typed, the connection dropped: the draft kept the
    day and not the outcome, so taken back at the next `r` it logged "reached".
    Kept with it, the outcome comes back with the words, and the call logged is the
    meeting; the card's own dialog says the call is not logged there."""
    service, ids = seeded
    key = await keep_a_step_after_a_meeting(service)
    assert sessions(service) == []

    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "enter")  # Ann's whole card, from the queue
        await tap(pilot, "f")
        assert isinstance(app.screen, DraftOfferScreen)
        assert "After a call: Meeting set (the call is not logged here)" in screen_text(app)
        await tap(pilot, "r")  # taken back here, not saved, and the line drops again
        assert isinstance(app.screen, NextActionScreen)
        app.flush_drafts()
    draft = service.draft(key)
    assert draft is not None and draft.get(CALL_OUTCOME) == "meeting-set", draft
    assert draft.get(CALL_DAY) == TODAY.isoformat(), "the call's day kept with it"

    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown, _ = await take_back_after_a_call(app, pilot)
        assert "Call: Meeting set" in shown
        assert "Meeting set: the next step with Ann" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
        assert last_call(service, ids["Ann"])[2] == "Call: meeting set"
        ann = service.summary(ids["Ann"])
        assert ann is not None and ann.next_action_due == date(2026, 11, 27)  # that Friday
        assert sessions(service) == [("sam", 0, 0, 0, 1, 0)]  # counted as a meeting
    assert service.draft(key) is None


async def test_a_step_kept_after_a_call_and_taken_back_the_next_day_logs_the_call_that_day(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The call was made on Monday; its step, kept through a hang-up, is taken back and
    saved on Tuesday. The call is logged on Monday, the day it was made (it was logged
    on Tuesday, a day after it happened), and the offer and the dialog say which day."""
    service, ids = seeded
    await keep_a_step_after_a_meeting(service)  # on TODAY, a Monday
    tuesday = TODAY + timedelta(days=1)
    app = make_app(service, today=lambda: tuesday)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown, dialog = await take_back_after_a_call(app, pilot)
        assert "Call: Meeting set on Mon 23 Nov 2026" in shown
        assert dialog.dialog_title.startswith("Meeting set on Mon 23 Nov 2026: the next step")
        await tap(pilot, "enter")
        await settle(pilot)
    assert last_call(service, ids["Ann"]) == (TouchpointKind.CALL, TODAY, "Call: meeting set")
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action_due == date(2026, 11, 27)  # that Friday


async def test_a_kept_calls_day_survives_the_cards_dialog_another_key_and_undo(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Kept on Monday; taken back in the card's own dialog on Tuesday and kept again;
    taken back in the queue on Wednesday under another outcome's key: the call logged
    is Monday's meeting, and undo then redo log it on Monday again."""
    service, ids = seeded
    key = await keep_a_step_after_a_meeting(service)
    tuesday, wednesday = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    await take_back_in_the_cards_own_dialog(service, tuesday)
    kept = service.draft(key)
    assert kept is not None and kept.get(CALL_DAY) == TODAY.isoformat(), kept
    meeting = (TouchpointKind.CALL, TODAY, "Call: meeting set")
    app = make_app(service, today=lambda: wednesday)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # Voicemail's key: the step kept is for Monday's meeting.
        _, dialog = await take_back_after_a_call(app, pilot, "v")
        assert dialog.dialog_title.startswith("Meeting set on Mon 23 Nov 2026:")
        await tap(pilot, "enter")
        await settle(pilot)
        assert last_call(service, ids["Ann"]) == meeting
        await tap(pilot, "u")
        await settle(pilot)
        assert last_call(service, ids["Ann"]) != meeting, "the call goes with undo"
        await tap(pilot, "U")
        await settle(pilot)
        assert last_call(service, ids["Ann"]) == meeting


async def test_a_kept_call_without_its_day_keeps_none_when_kept_again(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """A step kept before calls kept their day, taken back on Tuesday and kept again
    through a hang-up, then saved on Wednesday: logged on Wednesday, the day its step
    is saved, not on Tuesday, a day it only passed through."""
    service, ids = seeded
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    ann = service.summary(ids["Ann"])
    assert ann is not None
    fields = {CALL_OUTCOME: "meeting-set", "action": "Meeting", "due": "2026-11-27"}
    service.keep_draft(key, fields, ann.version)
    tuesday, wednesday = TODAY + timedelta(days=1), TODAY + timedelta(days=2)
    app = make_app(service, today=lambda: tuesday)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "m")
        await tap(pilot, "r")
        assert isinstance(app.screen, NextStepScreen)
        app.flush_drafts()
    kept = service.draft(key)
    assert kept is not None and kept.get(CALL_DAY) == "", kept
    app = make_app(service, today=lambda: wednesday)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "m")
        await tap(pilot, "r")
        await tap(pilot, "enter")
        await settle(pilot)
    assert last_call(service, ids["Ann"])[1] == wednesday


def test_a_kept_call_without_its_day_is_logged_on_the_day_its_step_is_saved() -> None:
    """Drafts kept before the call's day was kept with it have none; a day that cannot
    be read counts as none."""
    call = KeptCall(CallOutcome.MEETING_SET, date(2026, 11, 23))
    assert KeptCall.of(call.fields()) == call
    assert call.said(date(2026, 11, 23)) == "Meeting set"
    assert call.said(date(2026, 11, 24)) == "Meeting set on Mon 23 Nov 2026"
    for kept_day in ({}, {CALL_DAY: "yesterday"}):
        kept = KeptCall.of({CALL_OUTCOME: "meeting-set", **kept_day})
        assert kept == KeptCall(CallOutcome.MEETING_SET, None)
        assert kept.said(date(2026, 11, 24)) == "Meeting set"
    assert KeptCall.of({CALL_DAY: "2026-11-23"}) is None, "no call without its outcome"


async def test_a_call_logged_as_not_interested_drops_a_step_kept_from_before(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """A step typed after `m` and kept through a hang-up is for a meeting; logged as
    not interested next time, the call is logged and the step kept for it goes: taken
    back at the next call, it would have logged a meeting set."""
    service, ids = seeded
    key = await keep_a_step_after_a_meeting(service)
    assert service.draft(key) is not None
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "x")  # not interested: archive, or check in later?
        await tap(pilot, "l")
        await settle(pilot)
    assert last_call(service, ids["Ann"])[2] == "Call: not interested"
    assert service.draft(key) is None


async def test_a_kept_step_taken_back_after_the_card_changed_keeps_its_calls_outcome(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The card saved since the step was kept: taken back in the card's own dialog, the
    step is merged with the card as it is now, and the merge kept no outcome."""
    service, ids = seeded
    key = await keep_a_step_after_a_meeting(service)
    service.set_value(ids["Ann"], Decimal(5000))  # saved since, elsewhere
    await take_back_in_the_cards_own_dialog(service, TODAY)
    draft = service.draft(key)
    assert draft is not None and draft.get(CALL_OUTCOME) == "meeting-set", draft


async def test_not_interested_keeps_a_step_typed_in_the_cards_own_dialog(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Only a step kept after a call would log a call again; words typed in the card's
    own dialog are the rep's, and stay."""
    service, ids = seeded
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    service.keep_draft(key, {"action": "Send the brochure to her accountant", "due": ""})
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "x")
        await tap(pilot, "a")  # archive: lost
        await settle(pilot)
    assert last_call(service, ids["Ann"])[2] == "Call: not interested"
    assert service.draft(key) is not None


async def test_a_kept_step_not_dropped_does_not_unsay_the_call_logged(
    seeded: tuple[PipelineService, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The call is logged; only the kept step could not be dropped: "The call was not
    logged" would send the rep to log it again."""
    service, ids = seeded
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    service.keep_draft(key, {"action": "Meeting", "due": "fri", CALL_OUTCOME: "meeting-set"})

    def busy(*keys: DraftKey) -> None:
        raise StoreError("The database is busy with another writer; try again.")

    monkeypatch.setattr(service, "discard_drafts", busy)
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "x")
        await tap(pilot, "l")
        await settle(pilot)
        told = notification_messages(app)
        assert "Dev Patel" in screen_text(app)  # on to the next card
    assert last_call(service, ids["Ann"])[2] == "Call: not interested"
    assert not any("not logged" in message for message in told), told


async def test_not_interested_then_a_key_typed_with_it_answers_the_question(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "x", "f")
        await settle(pilot)
        ann = service.card(ids["Ann"])
        assert ann.archive_reason is ArchiveReason.NOT_A_FIT
        assert sessions(service) == [("sam", 0, 0, 0, 0, 1)]
        assert "Dev Patel" in screen_text(app)


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        pytest.param(("x", "escape"), "not interested, never mind", id="not-interested"),
        pytest.param(("m", "escape"), "meeting set, cancelled", id="meeting-set"),
        pytest.param(("r", "escape"), "reached, cancelled", id="reached"),
        pytest.param(("v", "escape"), "voicemail, cancelled", id="voicemail"),
    ],
)
async def test_an_outcome_cancelled_with_escape_records_nothing(
    seeded: tuple[PipelineService, dict[str, int]], keys: tuple[str, str], why: str
) -> None:
    """`x` then escape wrote no touchpoint yet counted a call not interested; `m` then
    escape logged "Call: meeting set" and counted a meeting: the stand-up reported
    calls never made. Cancelled, an outcome leaves no trace."""
    service, ids = seeded
    before = service.card(ids["Ann"])
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, *keys)
        await settle(pilot)
        assert isinstance(app.screen, CallQueueScreen), why
        assert sessions(service) == [], why
        after = service.card(ids["Ann"])
        assert after.touchpoints == before.touchpoints, why
        assert after.summary == before.summary and after.version == before.version, why
        assert "0 called" in screen_text(app) and "Ann Okafor" in screen_text(app), why
        # The call, logged after all, counts once.
        await tap(pilot, "v", "enter")
        await settle(pilot)
        assert sessions(service) == [("sam", 0, 1, 0, 0, 0)], why
        assert [t.summary for t in service.card(ids["Ann"]).touchpoints].count(
            "Call: voicemail"
        ) == 1, why


async def test_a_next_step_refused_logs_no_call_until_saved_over(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Someone changed the card while the rep was on the call: the step is refused,
    the dialog stays open saying what they saved, and no call is logged yet; enter
    again saves the rep's step, and the call, once."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        seen = service.card(ids["Ann"]).version
        service.set_next_action(ids["Ann"], "Their plan", None, seen)
        await burst(pilot, "r", *"Send proposal")
        await tap(pilot, "enter")
        assert isinstance(app.screen, NextStepScreen)
        assert "Saved elsewhere meanwhile: Their plan" in screen_text(app)
        assert sessions(service) == []
        assert last_call(service, ids["Ann"])[2] == "Left a message"
        await look(pilot)
        await tap(pilot, "enter")
        await settle(pilot)
        ann = service.summary(ids["Ann"])
        assert ann is not None and ann.next_action == "Send proposal"
        assert sessions(service) == [("sam", 1, 0, 0, 0, 0)]
        assert last_call(service, ids["Ann"])[2] == "Call: reached"
        assert "Dev Patel" in screen_text(app)


async def test_u_undoes_the_last_call_logged_with_its_next_step(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`u` did nothing in the queue. As everywhere, it undoes the last change, naming
    the card: the call logged (touchpoint, count) and the next step set with it; the
    queue goes back to the card, to log the call again."""
    service, ids = seeded
    ann_before, eve_before = service.card(ids["Ann"]), service.card(ids["Eve"])
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await press(pilot, "u")
        assert "Nothing to undo." in notification_messages(app)

        await tap(pilot, "v", "enter")
        await settle(pilot)
        assert "Dev Patel" in screen_text(app) and "1 called" in screen_text(app)
        await press(pilot, "u")
        assert "Undid: Call to Ann Okafor: voicemail" in notification_messages(app)
        ann = service.card(ids["Ann"])
        assert ann.touchpoints == ann_before.touchpoints
        assert ann.summary == replace(ann_before.summary, version=ann.version)
        assert sessions(service) == [("sam", 0, 0, 0, 0, 0)]
        shown = screen_text(app)
        assert "1 of 4" in shown and "Ann Okafor" in shown and "0 called" in shown
        assert "called:" not in shown

        # Not interested, archived: undone, the card is back and the "no" not counted.
        await press(pilot, "s", "s", "s")
        assert "Eve" in screen_text(app)
        await tap(pilot, "x", "a")
        await settle(pilot)
        assert service.card(ids["Eve"]).archived_at is not None
        # What u does, said as it is: the call goes too ("u on the board brings it back").
        assert any(
            "u takes back the call and brings the card back" in message
            for message in notification_messages(app)
        )
        await press(pilot, "u")
        eve = service.card(ids["Eve"])
        assert eve.archived_at is None and eve.touchpoints == eve_before.touchpoints
        assert sessions(service) == [("sam", 0, 0, 0, 0, 0)]
        assert "Eve" in screen_text(app) and "0 called" in screen_text(app)


async def test_shift_u_redoes_what_u_took_back(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Everywhere else `U` redoes what `u` took back; in the queue it did nothing. A call
    undone is logged again, with its next step and its count, and the queue moves on
    from the card as when the call was first logged. The keys help lists it."""
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await press(pilot, "U")
        assert "Nothing to redo." in notification_messages(app)

        await tap(pilot, "v", "enter")
        await settle(pilot)
        logged = service.card(ids["Ann"])
        await press(pilot, "u")
        assert "1 of 4" in screen_text(app) and "0 called" in screen_text(app)
        await press(pilot, "U")
        assert "Redid: Call to Ann Okafor: voicemail" in notification_messages(app)
        ann = service.card(ids["Ann"])
        assert last_call(service, ids["Ann"]) == (TouchpointKind.CALL, TODAY, "Call: voicemail")
        assert (ann.summary.next_action, ann.summary.next_action_due) == (
            "Send the checklist",
            day(2),
        )
        assert len(ann.touchpoints) == len(logged.touchpoints)
        assert sessions(service) == [("sam", 0, 1, 0, 0, 0)]
        shown = screen_text(app)
        assert "2 of 4" in shown and "Dev Patel" in shown and "1 called" in shown
        await press(pilot, "b")
        assert "✓ called: voicemail" in screen_text(app)

        await press(pilot, "question_mark")
        assert "Redo what undo took back" in screen_text(app)


async def test_skip_back_and_a_note_without_leaving(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "s")
        assert "2 of 4" in screen_text(app) and "Dev Patel" in screen_text(app)
        await press(pilot, "b")
        assert "1 of 4" in screen_text(app) and "skipped" in screen_text(app)
        await press(pilot, "n", "a")  # a gap note
        await type_text(pilot, "Misses 1 in 8 chairs")
        await press(pilot, "ctrl+s", "escape")
        assert isinstance(app.screen, CallQueueScreen)
        assert "Misses 1 in 8 chairs" in screen_text(app)
        gaps = [n.body for n in service.card(ids["Ann"]).notes if n.kind is NoteKind.GAP]
        assert gaps == ["Misses 1 in 8 chairs"]
        assert sessions(service) == []  # skipping and writing notes are not calls
        # The whole note on space, the first line again after.
        assert "Halves no-shows." not in screen_text(app)
        await press(pilot, "space")
        assert "Halves no-shows." in screen_text(app)


async def test_each_brief_shows_its_own_card_alone(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The brief's rows are kept from card to card, the rows left over hidden: the
    first card's brief has ten lines, the second's seven, the third's ten again."""
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        ann = screen_text(app)
        assert "Sent the no-show guide" in ann and "Liked the launch post" in ann
        await press(pilot, "s")
        dev = screen_text(app)
        assert "Dev Patel" in dev and "signup: First contact" in dev
        for line in ("Loses 12% of appointments", "Sent the no-show guide", "Liked the launch"):
            assert line not in dev, f"{line!r} left over from Ann's brief"
        await press(pilot, "s")
        third = screen_text(app)
        assert "Referred by Cara Diaz" in third and "signup: First contact" not in third
        await press(pilot, "b", "b")
        back = screen_text(app)
        assert "Sent the no-show guide" in back and "Liked the launch post" in back
        assert "Referred by Cara Diaz" not in back and "signup: First contact" not in back


class _Pane(App[None]):
    CSS = "BriefRow { height: auto; } .label { width: 5; } .body { width: 1fr; }"

    def compose(self) -> ComposeResult:
        yield Vertical(id="pane")


async def test_a_brief_row_given_another_line_while_it_is_mounted_shows_that_line() -> None:
    """A brief shown while the one before is still mounting its new rows (a slow store,
    a key typed once the hold gave up) fills rows not composed yet."""
    app = _Pane()
    async with app.run_test(size=(40, 6)) as pilot:
        row = BriefRow(BriefLine("Due", Content("the first card")))
        mounting = app.query_one("#pane", Vertical).mount(row)
        row.show(BriefLine("Ask", Content("the second card"), first=True))
        await mounting
        await pilot.pause()
        shown = "\n".join(seams.screen_lines(app.screen))
        assert "the second card" in shown and "the first card" not in shown


async def test_a_note_typed_with_its_kind_key_goes_into_the_editor(
    seeded: tuple[PipelineService, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`n`, then "gavoid churn" in one read: the editor showed "void churn", as the `a`
    had gone to the queue underneath while the editor's draft was read, and left a "No
    answer" dialog waiting there (an enter in it logs a call never made). The keys wait
    for the editor."""
    service, _ = seeded
    read_draft = service.draft

    def slow_draft(key: DraftKey) -> Draft | None:
        time.sleep(0.2)  # a far server, or a busy one
        return read_draft(key)

    monkeypatch.setattr(service, "draft", slow_draft)
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "n", *"gavoid churn")
        editor = app.screen
        assert isinstance(editor, NoteEditorScreen)
        assert editor.text == "avoid churn"
        assert not any(isinstance(screen, NextStepScreen) for screen in app.screen_stack)
        assert isinstance(app.screen_stack[-2], CallQueueScreen)
        assert sessions(service) == []


async def test_a_notes_markdown_reads_as_on_the_card_screen_not_as_marks(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The brief showed "**Customers**: ..." with its asterisks; the card screen shows
    it bold. Glimpsed, the note's first line; on space, all of it, a list as bullets."""
    service, ids = seeded
    service.add_note(
        ids["Ann"],
        NoteKind.PROBLEM,
        "**Customers** forget [b]Mondays[/b]\n\n- *no* reminders\n- one desk",
    )
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert "Ann" in screen_text(app)
        shown = screen_text(app)
        assert "Customers forget [b]Mondays[/b] …" in shown
        assert "**" not in shown
        await press(pilot, "space")
        shown = screen_text(app)
        assert "• no reminders" in shown and "• one desk" in shown
        assert "*no*" not in shown and "**" not in shown


async def test_the_week_and_everyone_join_the_queue_on_request(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await press(pilot, "w")
        assert "1 of 5" in screen_text(app)
        await press(pilot, "o")
        assert "1 of 6" in screen_text(app)
        await press(pilot, *["s"] * 4)  # due today comes before the rest of the week
        assert "Hana Mori" in screen_text(app) and "5 of 6" in screen_text(app)
        await press(pilot, "s")
        assert "Finn Berg" in screen_text(app) and "this week" in screen_text(app)


async def test_an_empty_queue_says_what_to_do(service: PipelineService) -> None:
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        shown = screen_text(app)
        assert "Nothing of yours is overdue or due today." in shown
        await press(pilot, "v")  # no card: no call is logged
        assert sessions(service) == []


async def test_the_command_line_opens_straight_onto_the_queue(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    app = PipelineApp(service, today=lambda: TODAY, cursor_blink=False, first_screen="calls")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, CallQueueScreen)
        assert "Ann Okafor" in screen_text(app)
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_insight_screen_shows_the_figures_and_changes_window(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        screen = app.screen
        assert isinstance(screen, InsightScreen)
        shown = screen_text(app)
        for expected in (
            "5 closed, 60% won",
            "referral",
            "100%",
            "Cara Diaz",
            "├─ Jon Reyes",
            "referred 2, 1 became client (50%)",
            "can afford it",
            "2 of 3 no",
            "11.5d",
        ):
            assert expected in shown, expected
        await press(pilot, "w")
        assert screen.insight is not None and screen.insight.window == 365
        await press(pilot, "w", "w")
        assert screen.insight.window == 90
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_insight_sections_are_a_key_away_at_80x24(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        assert "FAILING CRITERIA" not in screen_text(app)
        await press(pilot, "5")
        assert "FAILING CRITERIA" in screen_text(app)
        await press(pilot, "1")
        assert "WIN RATE" in screen_text(app)


# How it looks ---------------------------------------------------------------------------


@pytest.fixture
def seeded_copy(seed_file: SeedFile, tmp_path: Path) -> Iterator[PipelineService]:
    """The pipeline on a copy of a file seeded once per process (in memory, each test
    migrated and seeded its own: about 200 ms of CPU)."""
    path = tmp_path / "calls.db"
    seed_file(path, seed_calls)
    database = open_database(str(path))
    yield PipelineService(database, "sam", clock=lambda: NOW)
    database.close()


async def _open_queue(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("c")
    await settle(pilot)


async def _open_a_referred_brief_in_full(pilot: Any) -> None:
    await _open_queue(pilot)
    await pilot.press("s", "s")
    await settle(pilot)
    await pilot.press("space")
    await settle(pilot)


async def _open_insight(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("i")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_call_queue_screen(
    snap_compare: SnapCompare, size: tuple[int, int], seeded_copy: PipelineService
) -> None:
    app = make_app(seeded_copy)
    assert snap_compare(app, terminal_size=size, run_before=_open_queue)


@pytest.mark.parametrize("size", SIZES)
def test_next_step_after_a_voicemail(
    snap_compare: SnapCompare, size: tuple[int, int], seeded_copy: PipelineService
) -> None:
    async def voicemail(pilot: Any) -> None:
        await _open_queue(pilot)
        await tap(pilot, "v")

    app = make_app(seeded_copy)
    assert snap_compare(app, terminal_size=size, run_before=voicemail)


@pytest.mark.parametrize("size", SIZES)
def test_call_brief_in_full(
    snap_compare: SnapCompare, size: tuple[int, int], seeded_copy: PipelineService
) -> None:
    app = make_app(seeded_copy)
    assert snap_compare(app, terminal_size=size, run_before=_open_a_referred_brief_in_full)


@pytest.mark.parametrize("size", SIZES)
def test_insight_screen(
    snap_compare: SnapCompare, size: tuple[int, int], seeded_copy: PipelineService
) -> None:
    app = make_app(seeded_copy)
    assert snap_compare(app, terminal_size=size, run_before=_open_insight)


def test_insight_screen_in_16_colours(
    snap_compare: SnapCompare, seeded_copy: PipelineService
) -> None:
    app = PipelineApp(seeded_copy, today=lambda: TODAY, cursor_blink=False)
    app.theme = "pipeline-ansi"
    assert snap_compare(app, terminal_size=(80, 24), run_before=_open_insight)


async def test_a_call_logged_here_is_listed_without_its_kind_twice(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The queue logs a call as "Call: voicemail"; its brief listed it "call: Call:
    voicemail"."""
    service, ids = seeded
    service.add_touchpoint(ids["Ann"], TouchpointKind.CALL, TODAY, "Call: voicemail")
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "c")
        shown = screen_text(app)
        assert "call: voicemail" in shown, shown
        assert "Call: voicemail" not in shown, shown
        await press(pilot, "enter", "3")  # the card screen's touchpoints
        assert "Call  voicemail" in screen_text(app)
    brief = service.brief(ids["Ann"])
    for report in (brief_report.as_text(brief, TODAY), brief_report.as_markdown(brief, TODAY)):
        assert "call: voicemail" in report and "Call: voicemail" not in report, report


async def test_the_outcome_keys_wrap_between_outcomes_at_60_columns(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """At 60 columns the line read "m Meeting" and, on the next, "set  x Not interested"."""
    service, _ = seeded
    async with running(service, (60, 20)) as (app, pilot):
        await press(pilot, "c")
        lines = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        at = next(n for n, line in enumerate(lines) if line.startswith("Outcome"))
        keys = lines[at : at + 2]
        assert keys == [
            "Outcome r Reached v Voicemail a No answer",
            "m Meeting set x Not interested",
        ]


async def test_a_step_kept_to_be_added_is_added_with_the_call_not_put_over_the_next(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """A step typed to be added beside those planned (`x` on the week) and kept through
    a hang-up is offered back after a call, in the step that logs it: saved there it
    is added, and Ann's next action stays."""
    service, ids = seeded
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action
    planned = ann.next_action
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    service.keep_draft(key, {"action": "Email the price list", "due": "", NEW_STEP: "yes"})
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await take_back_after_a_call(app, pilot)
        assert "Add the step kept" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
    steps = [activity.text for activity in service.activities(ids["Ann"])]
    assert sorted(steps) == sorted([planned, "Email the price list"])
    assert last_call(service, ids["Ann"])[2] == "Call: reached"
    assert service.draft(key) is None


async def test_a_change_kept_for_a_later_step_changes_that_step_with_the_call(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """A change typed for Ann's second step (enter on it on her card) and kept through a
    hang-up is offered back after a call: saved there, that step changes, in the
    transaction that logs the call, and her next action stays."""
    service, ids = seeded
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action and ann.next_action_due
    planned = ann.next_action
    later = ann.next_action_due + timedelta(days=7)
    service.add_activity(ids["Ann"], None, "Send the case study", later)
    step = next(a for a in service.activities(ids["Ann"]) if a.text == "Send the case study")
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    kept = {"action": "Send the case study and the deck", "due": later.isoformat()}
    service.keep_draft(key, {**kept, **drafts.StepKept(step.id, step.text, step.due).fields()})
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await take_back_after_a_call(app, pilot)
        assert "Change the step kept" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
    steps = [(activity.text, activity.due) for activity in service.activities(ids["Ann"])]
    assert steps == [(planned, ann.next_action_due), ("Send the case study and the deck", later)]
    assert last_call(service, ids["Ann"])[2] == "Call: reached"
    assert service.draft(key) is None


async def test_a_kept_change_emptying_a_later_step_drops_that_step_with_the_call(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Ann's second step, both fields emptied and kept through a hang-up, offered back
    after a call: "both empty clears it" drops that step, with the call, and her next
    action stays. It was refused ("An activity needs some words or a due date.")."""
    service, ids = seeded
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action and ann.next_action_due
    later = ann.next_action_due + timedelta(days=7)
    service.add_activity(ids["Ann"], None, "Send the case study", later)
    step = next(a for a in service.activities(ids["Ann"]) if a.text == "Send the case study")
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    emptied = {"action": "", "due": ""}
    service.keep_draft(key, {**emptied, **drafts.StepKept(step.id, step.text, step.due).fields()})
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await take_back_after_a_call(app, pilot)
        assert "Change the step kept" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
        # The dialog showed none of its words: which step went is said.
        said = "Dropped Send the case study. u takes it back with the call."
        assert said in notification_messages(app)
    steps = [(activity.text, activity.due) for activity in service.activities(ids["Ann"])]
    assert steps == [(ann.next_action, ann.next_action_due)]
    assert last_call(service, ids["Ann"])[2] == "Call: reached"
    assert service.draft(key) is None


async def test_a_kept_change_emptying_a_step_dropped_since_still_logs_the_call(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The step a kept change emptied was dropped elsewhere since: there is nothing left
    to clear, and the call is logged. Refused, the call could not be logged at all."""
    service, ids = seeded
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action_due
    service.add_activity(ids["Ann"], None, "Send the case study", ann.next_action_due)
    step = next(a for a in service.activities(ids["Ann"]) if a.text == "Send the case study")
    key = DraftKey.on_card(Editor.NEXT_ACTION, ids["Ann"])
    emptied = {"action": "", "due": ""}
    service.keep_draft(key, {**emptied, **drafts.StepKept(step.id, step.text, step.due).fields()})
    service.delete_activity(step.id)  # elsewhere
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await take_back_after_a_call(app, pilot)
        await tap(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, NextActionScreen)
        assert not any("Dropped" in m for m in notification_messages(app))
    steps = [(activity.text, activity.due) for activity in service.activities(ids["Ann"])]
    assert steps == [(ann.next_action, ann.next_action_due)]
    assert last_call(service, ids["Ann"])[2] == "Call: reached"
    assert service.draft(key) is None


async def test_a_step_kept_after_a_call_taken_back_on_a_later_step_replaces_the_earliest(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """The call's next step replaces Ann's earliest step. Kept through a hang-up and
    restored by enter on her second step, on her card, it went over the second: it now
    goes where the queue would have put it, and the second stays."""
    service, ids = seeded
    ann = service.summary(ids["Ann"])
    assert ann is not None and ann.next_action_due
    later = ann.next_action_due + timedelta(days=30)
    service.add_activity(ids["Ann"], None, "Send the case study", later)
    key = await keep_a_step_after_a_meeting(service)
    assert key.card_id == ids["Ann"]
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "enter")  # Ann's card, from the queue
        await press(pilot, "tab", "down")
        await tap(pilot, "enter", "r")  # change "Send the case study"
        assert "Change the step kept" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
    texts = [activity.text for activity in service.activities(ids["Ann"])]
    assert "Send the case study" in texts and ann.next_action not in texts
    assert len(texts) == 2


async def test_a_voicemails_step_kept_and_taken_back_on_a_later_step_keeps_the_day_typed(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """After a voicemail the step's day is filled in (two days on). Kept through a
    hang-up and restored on Ann's second step, the save read that day as "left as it
    was" and kept her earliest step's own, already overdue."""
    service, ids = seeded
    card = ids["Ann"]
    service.add_activity(card, None, "Send the case study", TODAY + timedelta(days=30))
    [earliest, _] = service.activities(card)
    two_days = TODAY + timedelta(days=2)
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await burst(pilot, "v", dialog=True)
        dialog = app.screen
        assert isinstance(dialog, NextStepScreen)
        assert dialog.inputs["due"].value == two_days.isoformat()
        await type_text(pilot, " and the price list")
        app.flush_drafts()  # a hang-up
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c", "enter")  # Ann's card, from the queue
        await press(pilot, "tab", "down")
        await tap(pilot, "enter", "r")  # in "Send the case study"'s dialog
        assert "Change the step kept" in screen_text(app)
        await tap(pilot, "enter")
        await settle(pilot)
    steps = {a.text: a.due for a in service.activities(card)}
    assert steps[earliest.text + " and the price list"] == two_days


async def test_a_step_changed_in_another_session_shows_on_the_brief_and_in_the_outcome(
    seeded: tuple[PipelineService, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walked in two terminals: a teammate changed the card's step while the queue
    showed it; the brief kept the old step for as long as it stayed on the card, and
    voicemail offered the old step again."""
    monkeypatch.setattr(CallQueueScreen, "POLL_SECONDS", 0.05, raising=False)
    service, ids = seeded
    kim = PipelineService(service.database, "kim", clock=lambda: NOW)
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, CallQueueScreen)
        assert "Ann Okafor" in screen_text(app) and "Send the checklist" in screen_text(app)
        ann = ids["Ann"]
        kim.set_next_action(ann, "Send the revised checklist", day(-1), kim.card(ann).version)
        await wait_for(pilot, lambda: "revised checklist" in screen_text(app), "the new step")
        await tap(pilot, "v")
        assert isinstance(app.screen, NextStepScreen)
        assert "Send the revised checklist" in screen_text(app)


async def test_the_header_says_when_the_step_is_due_after_another_session_moves_it(
    seeded: tuple[PipelineService, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The brief showed the step moved elsewhere while the header still said
    "overdue", from the queue's own read."""
    monkeypatch.setattr(CallQueueScreen, "POLL_SECONDS", 0.05, raising=False)
    service, ids = seeded
    kim = PipelineService(service.database, "kim", clock=lambda: NOW)
    ann = ids["Ann"]
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        assert isinstance(app.screen, CallQueueScreen)
        assert "Ann Okafor" in screen_text(app) and "1 of 4 · overdue" in screen_text(app)
        kim.set_next_action(ann, "Send the checklist", day(30), kim.card(ann).version)
        await wait_for(pilot, lambda: "1 of 4 · not due now" in screen_text(app), "not due")
        kim.set_next_action(ann, "Send the checklist", day(0), kim.card(ann).version)
        await wait_for(pilot, lambda: "1 of 4 · due today" in screen_text(app), "due today")


async def test_a_call_undone_on_the_cards_own_screen_leaves_the_queues_count(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """`v`, then `b` back to Ann, enter for her card, and `u` there: the call was taken
    back, and the queue still said "1 called" and marked her called; `U` there then
    made it "2 called" for one call."""
    service, _ = seeded
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "v", "enter")
        await settle(pilot)
        assert "1 called" in screen_text(app)
        await press(pilot, "b", "enter")
        await press(pilot, "u")
        assert sessions(service)[0][1:] == (0, 0, 0, 0, 0)
        await press(pilot, "escape")
        assert isinstance(app.screen, CallQueueScreen)
        assert "0 called" in screen_text(app) and "called: voicemail" not in screen_text(app)
        await press(pilot, "enter", "U", "escape")
        assert "1 called" in screen_text(app) and "called: voicemail" in screen_text(app)


async def test_a_queue_open_over_midnight_counts_both_days_calls_together(
    seeded: tuple[PipelineService, dict[str, int]],
) -> None:
    """Past midnight the calls go into the new day's session; the queue's header and
    its undo count the calls of both."""
    service, _ = seeded
    clock = [NOW]
    sam = PipelineService(service.database, "sam", clock=lambda: clock[0])
    app = make_app(sam)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "c")
        await tap(pilot, "v", "enter")
        await settle(pilot)
        clock[0] = NOW + timedelta(days=1)
        await tap(pilot, "v", "enter")
        await settle(pilot)
        assert len(sessions(service)) == 2
        assert "2 called" in screen_text(app)
        await press(pilot, "b", "enter", "u", "escape")
        assert "1 called" in screen_text(app)
        await press(pilot, "b", "b", "enter", "u", "escape")
        assert "0 called" in screen_text(app)
