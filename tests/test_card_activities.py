"""Scheduled activities on the card screen, driven as a rep drives it: `f` schedules
one more, `x` marks the highlighted one done (a touchpoint, then "what's next?"),
`tab` reaches the list, `enter` changes one, `d` drops it and `u` brings it back."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from pipeline_tui.domain import drafts
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey, Editor, done_step
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, StoreError
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen
from pipeline_tui.ui.screens.next_action import KEPT_AS_NEW_STEP, NextActionScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import NOW, TODAY
from tests.pilot import (
    burst,
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

FRIDAY = TODAY + timedelta(days=4)  # Fri 27 Nov 2026
TUESDAY = TODAY + timedelta(days=1)


@pytest.fixture
def ann(service: PipelineService) -> int:
    draft = CardDraft("Ann Lee", "Acme", next_action="Send the proposal", next_action_due=FRIDAY)
    return service.add_card(draft, Stage.LEAD).card_id


def open_steps(service: PipelineService, card_id: int) -> list[tuple[str, str, object]]:
    return [(a.kind.value, a.text, a.due) for a in service.activities(card_id)]


async def kept_through_a_hang_up(
    service: PipelineService, words: str, *, on_the_second_step: bool = False
) -> None:
    """`words` typed at the end of a next-action dialog, then the session ends: in `f` on
    the board (Ann's earliest step), or in her second step's own dialog on her card."""
    async with running(service, (80, 24)) as (app, pilot):
        if on_the_second_step:
            await press(pilot, "enter", "tab", "down")
            await tap(pilot, "enter", opens=NextActionScreen)
        else:
            await tap(pilot, "f", opens=NextActionScreen)
        await type_text(pilot, words)
        app.flush_drafts()  # as the hang-up handler does


async def restore_on_the_second_step(pilot: Pilot[None]) -> None:
    """On Ann's card, enter on her second step, and its draft offer answered `r`."""
    await press(pilot, "enter", "tab", "down")
    await tap(pilot, "enter", "r")


async def test_f_schedules_a_second_activity_which_becomes_the_next_action(
    service: PipelineService, ann: int
) -> None:
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        await press(pilot, "f")
        assert isinstance(app.screen, NextActionScreen)
        await type_text(pilot, "Call the CFO")
        await press(pilot, "tab")
        await type_text(pilot, "tue")
        await press(pilot, "tab")
        await type_text(pilot, "10:30")
        assert "Call (from the words)" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the proposal", FRIDAY),
        ]
        assert service.activities(ann)[0].due_time == time(10, 30)
        assert service.card(ann).summary.next_action == "Call the CFO"
        text = screen_text(app)
        assert "Next  Call     Call the CFO · due 2026-11-24 10:30 (tomorrow)" in text
        assert "Then  Email    Send the proposal · due 2026-11-27 (Fri)" in text


async def test_a_step_due_next_year_says_how_far_off_it_is_not_its_date_again(
    service: PipelineService, ann: int
) -> None:
    """The Then line read "due 2027-01-04 (2027-01-04)"."""
    service.add_activity(ann, ActivityKind.CALL, "check in", TODAY + timedelta(days=42))
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        text = screen_text(app)
        assert "Next  Email    Send the proposal · due 2026-11-27 (Fri)" in text
        assert "Then  Call     check in · due 2027-01-04 (in 42 days)" in text
        assert "(2027-01-04)" not in text


async def test_a_time_that_cannot_be_read_is_said_under_at_as_it_is_typed(
    service: PipelineService, ann: int
) -> None:
    """The error sat under Kind, and only once enter was pressed."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "f")
        await type_text(pilot, "Call the CFO")
        await press(pilot, "tab")
        await type_text(pilot, "tue")
        await press(pilot, "tab")
        await type_text(pilot, "25:99")
        lines = screen_text(app).splitlines()
        at = next(i for i, line in enumerate(lines) if "At " in line and "25:99" in line)
        assert "'25:99' is not a time of day; try 14:30." in lines[at + 1]
        await press(pilot, "enter")
        assert isinstance(app.screen, NextActionScreen)
        assert isinstance(app.focused, Input) and app.focused.id == "at"
        await press(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "9:30")
        assert "is not a time of day" not in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    assert open_steps(service, ann)[0] == ("call", "Call the CFO", TUESDAY)
    assert service.activities(ann)[0].due_time == time(9, 30)


async def test_a_time_without_a_day_is_refused_not_dropped(
    service: PipelineService, ann: int
) -> None:
    """09:15 with Due left empty was saved as an activity with no day and no time."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "f")
        await type_text(pilot, "Ring Fay")
        await press(pilot, "tab", "tab")
        await type_text(pilot, "09:15")
        assert "A time needs a day: fill in Due, or clear the time." in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, NextActionScreen)
        assert isinstance(app.focused, Input) and app.focused.id == "due"
        await type_text(pilot, "tue")
        assert "A time needs a day" not in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    assert open_steps(service, ann)[0] == ("call", "Ring Fay", TUESDAY)
    assert service.activities(ann)[0].due_time == time(9, 15)


async def test_a_kind_typed_is_kept_and_a_wrong_one_is_refused_in_the_dialog(
    service: PipelineService, ann: int
) -> None:
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "f")
        await type_text(pilot, "Prepare the demo deck")
        await press(pilot, "tab", "tab", "tab")
        await type_text(pilot, "zz")
        await press(pilot, "enter")
        assert isinstance(app.screen, NextActionScreen)
        assert "One of call, email, meeting, task, research." in screen_text(app)
        await press(pilot, "backspace", "backspace")
        await type_text(pilot, "me")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    # Undated: after the dated one.
    assert open_steps(service, ann) == [
        ("email", "Send the proposal", FRIDAY),
        ("meeting", "Prepare the demo deck", None),
    ]


async def test_x_marks_the_highlighted_activity_done_then_asks_whats_next(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await press(pilot, "tab", "down")  # to the second: the proposal
        await press(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        assert "Done: Send the proposal" in screen_text(app)
        assert "▶ Email" in screen_text(app)  # "Send ...": an email, as offered
        await press(pilot, "enter")  # on to what happened
        await press(pilot, "enter")  # keep the prefilled summary
        assert isinstance(app.screen, NextActionScreen)  # asks for the next step at once
        assert "What's the next step?" in screen_text(app)
        card = service.card(ann)
        assert [(t.kind, t.summary) for t in card.touchpoints] == [
            (TouchpointKind.EMAIL, "Done: Send the proposal")
        ]
        assert open_steps(service, ann) == [("call", "Call the CFO", TUESDAY)]
        await type_text(pilot, "Send the signed contract")
        await press(pilot, "tab")
        await type_text(pilot, "+7d")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the signed contract", TODAY + timedelta(days=7)),
        ]
        assert "Then  Email    Send the signed contract" in screen_text(app)


async def test_u_after_x_opens_the_step_again_and_takes_its_touchpoint_away(
    service: PipelineService, ann: int
) -> None:
    """x on the wrong step (or the wrong card, in a burst of keys) was done for good:
    `u` said "cannot be undone". Now `u` opens the step again, as the card's next
    action, and the touchpoint that logged it goes; `U` marks it done again."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24), notifications=True) as (app, pilot):
        await press(pilot, "enter", "x")
        await press(pilot, "enter", "enter")  # logged as offered
        await press(pilot, "escape")  # no next step
        assert open_steps(service, ann) == [("email", "Send the proposal", FRIDAY)]
        assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Call the CFO"]
        await press(pilot, "u")
        assert "Undid: Marked done on Ann Lee: Call the CFO" in notification_messages(app)
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the proposal", FRIDAY),
        ]
        card = service.card(ann)
        assert (card.summary.next_action, card.summary.next_action_due) == (
            "Call the CFO",
            TUESDAY,
        )
        assert card.touchpoints == () and card.source is None
        assert "Next  Call     Call the CFO" in screen_text(app)
        await press(pilot, "U")
        assert open_steps(service, ann) == [("email", "Send the proposal", FRIDAY)]
        assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Call the CFO"]


async def test_the_summary_typed_at_x_comes_back_only_on_its_own_step(
    service: PipelineService, ann: int
) -> None:
    """x on the second step, a summary typed, the session ended; back, x on the first
    step offered that summary under "Done: Call the CFO", and r then ctrl+s marked the
    wrong step done with it. The draft is the step's: x on the first offers nothing,
    x on the second offers it back."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "tab", "down", "x", "enter")
        await press(pilot, "ctrl+u")
        await type_text(pilot, "Sent, he reviews it with his partner")
        app.flush_drafts()  # a hang-up
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert "Done touchpoint from" in screen_text(app)
        await press(pilot, "x")  # the first step, Call the CFO
        assert isinstance(app.screen, TouchpointScreen)
        assert "Done: Call the CFO" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "tab", "down", "x")
        assert isinstance(app.screen, DraftOfferScreen)
        assert "Sent, he reviews it with his partner" in screen_text(app)
        await press(pilot, "r", "ctrl+s")
        assert [t.summary for t in service.card(ann).touchpoints] == [
            "Sent, he reviews it with his partner"
        ]
        assert open_steps(service, ann) == [("call", "Call the CFO", TUESDAY)]


async def test_the_summary_typed_at_x_on_a_step_done_since_comes_back_at_t(
    service: PipelineService, ann: int
) -> None:
    """The step was marked done from the shell after the session that was typing its
    summary ended: the card listed the text as unsaved, and nothing brought it back."""
    [step] = service.activities(ann)
    service.keep_draft(
        done_step(ann, step), {"kind": "email", "when": "", "summary": "Sent v2 of it"}
    )
    service.complete_activity(step.id, TouchpointKind.EMAIL, TODAY, "From the shell")
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert "Done touchpoint of a step no longer open from" in screen_text(app)
        await press(pilot, "t")
        assert isinstance(app.screen, DraftOfferScreen)
        assert "Sent v2 of it" in screen_text(app)
        await press(pilot, "r", "ctrl+s")
        assert sorted(t.summary for t in service.card(ann).touchpoints) == [
            "From the shell",
            "Sent v2 of it",
        ]
        assert service.drafts_of_card(ann) == []


async def test_the_summary_typed_at_x_keeps_its_day_when_t_takes_it(
    database: Database, ann: int
) -> None:
    """Typed at x on Monday ("today"), the step done from the shell, `t` on Wednesday:
    the touchpoint was dated Wednesday (the draft moved to `t` counted as typed then),
    and with it the next cadence step and the card's staleness."""
    monday = PipelineService(database, "sam", clock=lambda: NOW)
    [step] = monday.activities(ann)
    monday.keep_draft(
        done_step(ann, step), {"kind": "call", "when": "today", "summary": "She said yes"}
    )
    monday.complete_activity(step.id, TouchpointKind.EMAIL, TODAY, "From the shell")
    wednesday = PipelineService(database, "sam", clock=lambda: NOW + timedelta(days=2))
    app = make_app(wednesday, today=lambda: TODAY + timedelta(days=2))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "t")
        assert isinstance(app.screen, DraftOfferScreen)
        await press(pilot, "r", "ctrl+s")
    days = {t.summary: t.happened_on for t in wednesday.card(ann).touchpoints}
    assert days["She said yes"] == TODAY


async def test_the_summary_typed_at_x_is_not_offered_on_a_step_made_since(
    service: PipelineService, ann: int
) -> None:
    """The step the summary was typed for was dropped and another scheduled; on SQLite
    the new step takes the dropped one's id, and x on it offered the old summary."""
    minutes = iter(range(1, 100))
    later = PipelineService(
        service.database, "sam", clock=lambda: NOW + timedelta(minutes=next(minutes))
    )
    later.add_activity(ann, ActivityKind.CALL, "Call the CFO", FRIDAY)
    cfo = next(a for a in later.activities(ann) if a.text == "Call the CFO")
    later.keep_draft(
        done_step(ann, cfo), {"kind": "call", "when": "today", "summary": "CFO wants a discount"}
    )
    later.delete_activity(cfo.id)
    later.add_activity(ann, ActivityKind.EMAIL, "Send the contract", FRIDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert "Done touchpoint of a step no longer open" in screen_text(app)
        await press(pilot, "tab", "down", "x")
        assert isinstance(app.screen, TouchpointScreen)
        assert "Done: Send the contract" in screen_text(app)
        assert "CFO wants a discount" not in screen_text(app)


async def test_escape_and_t_together_after_x_saved_the_summary_offer_nothing(
    service: PipelineService, ann: int
) -> None:
    """x, r, ctrl+s saved the summary kept at x; escape and t in one read then found the
    card's drafts as read before the save, made the summary a touchpoint draft again,
    and offered it: r, ctrl+s would have logged it twice."""
    [step] = service.activities(ann)
    service.keep_draft(done_step(ann, step), {"kind": "email", "when": "", "summary": "Sent v2"})
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await tap(pilot, "x")
        assert isinstance(app.screen, DraftOfferScreen)
        await tap(pilot, "r")
        await tap(pilot, "ctrl+s", opens=NextActionScreen)
        assert [t.summary for t in service.card(ann).touchpoints] == ["Sent v2"]
        await burst(pilot, "escape", "t", dialog=True)
        assert not isinstance(app.screen, DraftOfferScreen)
        assert service.drafts_of_card(ann) == []
        await press(pilot, "escape")  # the card read again on the way back, then quit


async def test_j_and_k_move_in_the_activities_so_x_marks_the_one_highlighted(
    service: PipelineService, ann: int
) -> None:
    """`j` did nothing in the activities (only the arrows moved), so tab, j, x marked
    the first activity done, not the one the rep had moved to."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    service.add_activity(ann, ActivityKind.EMAIL, "Send the case study", FRIDAY + timedelta(3))
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await press(pilot, "tab", "j", "j", "k")  # the third, then back to the second
        await tap(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        assert "Done: Send the proposal" in screen_text(app)


async def test_x_without_choosing_marks_the_earliest_done_and_escape_adds_nothing(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "x")
        assert "Done: Call the CFO" in screen_text(app)
        await press(pilot, "enter", "enter")
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, CardScreen)
        assert open_steps(service, ann) == [("email", "Send the proposal", FRIDAY)]
        assert service.card(ann).summary.next_action == "Send the proposal"
        assert "Next  Email    Send the proposal" in screen_text(app)


async def test_enter_changes_an_activity_d_drops_it_and_u_brings_it_back(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab", "down", "enter")
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "tab")
        await pilot.press(*["backspace"] * 10)
        await type_text(pilot, "mon")
        await press(pilot, "enter")
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the proposal", TODAY + timedelta(days=7)),
        ]
        await press(pilot, "up", "d")  # the list kept the focus and the highlight
        assert open_steps(service, ann) == [
            ("email", "Send the proposal", TODAY + timedelta(days=7))
        ]
        assert "Call the CFO" not in screen_text(app)
        await press(pilot, "u")
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the proposal", TODAY + timedelta(days=7)),
        ]
        assert "Next  Call     Call the CFO" in screen_text(app)


async def test_a_card_without_activities_says_how_to_schedule_one(
    service: PipelineService,
) -> None:
    service.add_card(CardDraft("Bo"), Stage.LEAD)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert "No next action yet. f sets one." in screen_text(app)
        await press(pilot, "x")
        assert isinstance(app.screen, CardScreen)


async def test_x_on_the_week_brings_up_the_next_activity_and_adds_what_is_typed(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "w")
        week = app.screen
        assert "Call the CFO" in screen_text(app)
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        assert app.screen.query_one("#action", Input).value == ""  # the proposal is kept
        assert service.card(ann).summary.next_action == "Send the proposal"
        await type_text(pilot, "Book the follow-up meeting")
        await press(pilot, "enter")
        assert app.screen is week
        assert open_steps(service, ann) == [
            ("email", "Send the proposal", FRIDAY),
            ("task", "Book the follow-up meeting", None),
        ]
        assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Call the CFO"]
        assert "Send the proposal" in screen_text(app)


async def test_the_week_lists_every_open_activity_and_x_z_act_on_the_line(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(10))
    service.add_activity(ann, ActivityKind.TASK, "Print the contract", TODAY)
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "w")
        week = app.screen
        text = screen_text(app)
        for step in ("Call the CFO", "Print the contract", "Send the proposal"):
            assert step in text, step
        assert week.sub_title == "0 overdue · 3 in all"
        await press(pilot, "g")  # today's: Print the contract
        await tap(pilot, "z", "t")  # to tomorrow, beside the call
        assert app.screen is week
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("task", "Print the contract", TUESDAY),
            ("email", "Send the proposal", FRIDAY),
        ]
        assert service.activities(ann)[0].due_time == time(10)  # the call kept its time
        await press(pilot, "g")  # the first line now: the call, at 10:00
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert app.screen is week
        assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Call the CFO"]
        assert open_steps(service, ann) == [
            ("task", "Print the contract", TUESDAY),
            ("email", "Send the proposal", FRIDAY),
        ]
        assert "Call the CFO" not in screen_text(app)
        assert service.card(ann).summary.next_action == "Print the contract"


async def test_the_stand_up_lists_a_later_step_coming_up_and_x_marks_that_one_done(
    service: PipelineService, ann: int
) -> None:
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    [_, proposal] = service.activities(ann)
    coming = service.standup(TODAY).coming_up
    assert [(c.id, c.next_action, c.activity_id) for c in coming] == [
        (ann, "Call the CFO", None),
        (ann, "Send the proposal", proposal.id),
    ]
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        standup = app.screen
        assert isinstance(standup, StandupScreen)
        assert "COMING UP THIS WEEK · 2" in screen_text(app)
        while (line := standup.highlighted) is None or line.activity_id is None:
            await press(pilot, "j")
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert id(app.screen) == id(standup)  # an "is" would narrow
        assert open_steps(service, ann) == [("call", "Call the CFO", TUESDAY)]
        assert [t.summary for t in service.card(ann).touchpoints] == ["Done: Send the proposal"]
        assert "COMING UP THIS WEEK · 1" in screen_text(app)


# Done logs what the activity was -----------------------------------------------------------


async def test_x_on_an_email_scheduled_with_f_logs_an_email_not_a_call(
    service: PipelineService,
) -> None:
    """`x` offered Call whatever the step was, and ctrl+s logged the email as a call;
    the week's `x` and `pipeline-tui done` logged it as an email."""
    bea = service.add_card(CardDraft("Bea Cole", "Bricks"), Stage.LEAD).card_id
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        await press(pilot, "f")
        await type_text(pilot, "Email the deck")
        await press(pilot, "tab")
        await type_text(pilot, "mon")
        await press(pilot, "tab")
        await type_text(pilot, "10:00")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        assert [a.kind for a in service.activities(bea)] == [ActivityKind.EMAIL]
        await tap(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        assert "▶ Email" in screen_text(app)
        await tap(pilot, "ctrl+s", opens=NextActionScreen)  # logged, then the next step
        assert isinstance(app.screen, NextActionScreen)
    assert [t.kind for t in service.card(bea).touchpoints] == [TouchpointKind.EMAIL]


@pytest.mark.parametrize(
    ("stage", "kind", "text", "logged"),
    [
        # The kind the rep gave the step, though its words name none.
        (Stage.LEAD, ActivityKind.MEETING, "Pricing review", TouchpointKind.MEETING),
        (Stage.LEAD, ActivityKind.CALL, "Budget check", TouchpointKind.CALL),
        # A task: what its words say, as `pipeline-tui done` reads them.
        (Stage.CLIENT, ActivityKind.TASK, "Follow up on the install", TouchpointKind.FOLLOW_UP),
        (Stage.LEAD, ActivityKind.TASK, "Follow up on the install", TouchpointKind.CONVERSATION),
    ],
)
async def test_x_offers_the_kind_the_activity_was(
    service: PipelineService,
    stage: Stage,
    kind: ActivityKind,
    text: str,
    logged: TouchpointKind,
) -> None:
    bea = service.add_card(CardDraft("Bea Cole", "Bricks"), stage).card_id
    service.add_activity(bea, kind, text, TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        if stage is not Stage.LEAD:
            await press(pilot, "l", "l")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        await tap(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        assert f"▶ {logged.label}" in screen_text(app)
        await tap(pilot, "ctrl+s", opens=NextActionScreen)  # logged, then the next step
        assert isinstance(app.screen, NextActionScreen)
    assert [t.kind for t in service.card(bea).touchpoints] == [logged]


async def test_keys_typed_with_the_enter_on_an_activity_go_into_its_dialog(
    service: PipelineService, ann: int
) -> None:
    """Enter on an activity and the words after it in one read: the first key went to
    the list (or to the card: "d" drops the step, "n" starts a note) before the
    dialog opened, and " and the deck" saved "Send the proposaland the deck"."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab", "down")
        await burst(pilot, "enter", *" and the deck", "enter", dialog=True)
        await wait_for(
            pilot, lambda: isinstance(app.screen, CardScreen), "the step changed", dialog=True
        )
        assert open_steps(service, ann) == [
            ("call", "Call the CFO", TUESDAY),
            ("email", "Send the proposal and the deck", FRIDAY),
        ]


async def test_an_activity_too_long_for_its_line_wraps_under_its_words(
    service: PipelineService,
) -> None:
    """At 60 columns a step's day went to a line of its own at the left edge, under
    "Next"; it goes under the step's words, so the labels stay a column of their own.
    (Shown whole: it fits the lines the list has.)"""
    action = "Send the no-show checklist and the pricing sheet"
    draft = CardDraft("Ann Lee", "Acme", next_action=action, next_action_due=FRIDAY)
    service.add_card(draft, Stage.LEAD)
    async with running(service, (60, 20)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        lines = screen_text(app).splitlines()
        first = next(n for n, line in enumerate(lines) if line.lstrip().startswith("Next  Email"))
        words = lines[first].index("Send")
        wrapped = lines[first + 1]
        assert wrapped[:words].strip() == "" and wrapped[words:].strip(), "\n".join(lines)
        assert "…" not in lines[first] + wrapped


async def test_an_activity_too_long_for_its_line_is_cut_short_and_keeps_its_due_day(
    service: PipelineService,
) -> None:
    """Wrapped, two long steps filled the three lines the stacked card gives them, and
    the rest were out of sight with no sign of them. When the steps do not fit whole,
    each is one line: a long step's words end in "…", and its due day, which orders
    them, stays."""
    action = "Send the no-show checklist and the pricing sheet"
    draft = CardDraft("Ann Lee", "Acme", next_action=action, next_action_due=FRIDAY)
    card_id = service.add_card(draft, Stage.LEAD).card_id
    for n in range(2):
        service.add_activity(card_id, ActivityKind.CALL, f"Call the board member {n} " * 3, FRIDAY)
    async with running(service, (60, 20)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        lines = screen_text(app).splitlines()
        first = next(n for n, line in enumerate(lines) if line.lstrip().startswith("Next  Email"))
        steps = lines[first : first + 4]
        assert [line.split()[0] for line in steps] == ["Next", "Then", "Then", "Details"], lines
        for line in steps[:3]:
            assert "…" in line and line.rstrip().endswith(f"due {FRIDAY.isoformat()} (Fri)"), line
        assert "Send the no-show" in steps[0] and "Call the board" in steps[1]


async def test_a_step_kept_from_f_taken_back_in_a_change_is_added_not_put_over_it(
    service: PipelineService, ann: int
) -> None:
    """`f` on the card schedules one more step. Typed there, then the session ended: the
    draft is kept, and enter on an activity (a change to it) offers it back. Restored
    and saved there, it went over that activity, still planned."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "f")
        assert isinstance(app.screen, NextActionScreen)
        await type_text(pilot, "Call the CFO")
        app.flush_drafts()  # a hang-up
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab")
        await tap(pilot, "enter")  # change "Send the proposal"
        await tap(pilot, "r")  # the kept step, restored
        assert isinstance(app.screen, NextActionScreen)
        assert "Add the step kept" in screen_text(app)
        await press(pilot, "enter")
    steps = sorted(text for _, text, _ in open_steps(service, ann))
    assert steps == ["Call the CFO", "Send the proposal"]


async def test_a_change_kept_for_a_later_step_taken_back_with_f_changes_that_step(
    service: PipelineService, ann: int
) -> None:
    """Enter on the card's second step ("Send the proposal") changes it. Typed there,
    then the session ended: the board marks the card and `f` offers the draft back.
    Restored and saved there, it went over the earliest step ("Call the CFO", what `f`
    changes), and the step it was typed for kept its old words."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    await kept_through_a_hang_up(service, " and the deck", on_the_second_step=True)
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f")
        await tap(pilot, "r")  # the kept change, restored
        assert isinstance(app.screen, NextActionScreen)
        assert "Change the step kept" in screen_text(app)  # it says what enter will do
        await press(pilot, "enter")
    assert open_steps(service, ann) == [
        ("call", "Call the CFO", TUESDAY),
        ("email", "Send the proposal and the deck", FRIDAY),
    ]


async def test_a_change_kept_from_f_taken_back_on_a_later_step_changes_the_earliest(
    service: PipelineService, ann: int
) -> None:
    """The other way round: typed in `f` on the board (a change to the earliest step),
    restored by enter on the second step, it went over the second."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    await kept_through_a_hang_up(service, " and the COO")
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab", "down")
        await tap(pilot, "enter")  # change "Send the proposal"
        await tap(pilot, "r")
        assert isinstance(app.screen, NextActionScreen)
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
    assert open_steps(service, ann) == [
        ("call", "Call the CFO and the COO", TUESDAY),
        ("email", "Send the proposal", FRIDAY),
    ]


def kept_fields(service: PipelineService, card_id: int) -> dict[str, str]:
    draft = service.draft(DraftKey.on_card(Editor.NEXT_ACTION, card_id))
    assert draft is not None
    return dict(draft.fields)


async def test_a_kept_change_restored_after_the_card_changed_keeps_its_step_and_day(
    service: PipelineService, ann: int
) -> None:
    """The card saved elsewhere after the change was typed: restored in `f`, the draft
    was merged with `f`'s step as saved since ("Call the CFO"), which gave the change
    that step's day; and kept again (a second hang-up), it named `f`'s step."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    await kept_through_a_hang_up(service, " and the deck", on_the_second_step=True)
    proposal = kept_fields(service, ann)[drafts.STEP]
    cfo = service.activities(ann)[0]
    service.edit_activity(cfo.id, None, "Call the CFO about pricing", TUESDAY)  # elsewhere
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")
        dialog = app.screen
        assert isinstance(dialog, NextActionScreen)
        assert "Change the step kept" in screen_text(app)
        assert dialog.values()["due"] == FRIDAY.isoformat()
        app.flush_drafts()  # a second hang-up
        assert kept_fields(service, ann)[drafts.STEP] == proposal
        await press(pilot, "enter")
    assert open_steps(service, ann) == [
        ("call", "Call the CFO about pricing", TUESDAY),
        ("email", "Send the proposal and the deck", FRIDAY),
    ]


async def test_a_kept_new_step_restored_after_the_card_changed_is_still_added(
    service: PipelineService, ann: int
) -> None:
    """A step typed in the card's `f` (to add), the card saved elsewhere, restored in
    the board's `f` and kept again: it no longer said it was a new step, and restored
    once more it went over the earliest."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await tap(pilot, "f", opens=NextActionScreen)
        await type_text(pilot, "Book the demo")
        app.flush_drafts()  # a hang-up
    [step] = service.activities(ann)
    service.edit_activity(step.id, None, "Send the proposal today", FRIDAY)  # elsewhere
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")
        assert "Add the step kept" in screen_text(app)
        assert isinstance(app.screen, NextActionScreen)
        assert app.screen.values()["due"] == ""  # not the day of the step shown
        app.flush_drafts()  # a second hang-up
    assert kept_fields(service, ann).get(drafts.NEW_STEP) == "yes"
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")
        assert "Add the step kept" in screen_text(app)
        await press(pilot, "enter")
    assert sorted(text for _, text, _ in open_steps(service, ann)) == [
        "Book the demo",
        "Send the proposal today",
    ]


async def test_a_kept_change_keeps_the_time_the_rep_cleared_cleared_and_its_steps_kind(
    service: PipelineService, ann: int
) -> None:
    """The proposal at 15:00: its time cleared and words changed in its own dialog,
    restored in `f` (which has no time field), it came back at 15:00. And "Pricing
    review", a meeting, changed in `f` and restored in the proposal's dialog (which has
    a kind field) became the kind its words say, a task."""
    [proposal] = service.activities(ann)
    service.edit_activity(proposal.id, None, "Send the proposal", FRIDAY, time(15, 0))
    service.add_activity(ann, ActivityKind.MEETING, "Pricing review", TUESDAY, time(10, 0))
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab", "down")
        await tap(pilot, "enter", opens=NextActionScreen)  # "Send the proposal"
        await type_text(pilot, " and the deck")
        await tap(pilot, "tab", "tab", "ctrl+a", "ctrl+k")  # At cleared
        app.flush_drafts()  # a hang-up
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
    found = {a.text: (a.kind, a.due_time) for a in service.activities(ann)}
    assert found["Send the proposal and the deck"] == (ActivityKind.EMAIL, None)

    await kept_through_a_hang_up(service, " with Ann")
    async with running(service, (80, 24)) as (app, pilot):
        await restore_on_the_second_step(pilot)  # in the proposal's dialog
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
    found = {a.text: (a.kind, a.due_time) for a in service.activities(ann)}
    assert found["Pricing review with Ann"] == (ActivityKind.MEETING, time(10, 0))
    assert found["Send the proposal and the deck"] == (ActivityKind.EMAIL, None)


async def test_a_kept_change_takes_the_kind_and_time_typed_after_it_was_restored(
    service: PipelineService, ann: int
) -> None:
    """Typed in `f` over the 09:30 call, restored in the proposal's dialog, whose At and
    Kind it leaves empty: the time and kind the rep types there are what is saved. They
    were dropped, and the call kept its 09:30."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(9, 30))
    await kept_through_a_hang_up(service, " and the COO")
    async with running(service, (80, 24)) as (app, pilot):
        await restore_on_the_second_step(pilot)
        assert "Change the step kept" in screen_text(app)
        await tap(pilot, "tab", "tab")
        await type_text(pilot, "11:00")
        await tap(pilot, "tab")
        await type_text(pilot, "meeting")
        await press(pilot, "enter")
    found = {a.text: (a.kind, a.due_time) for a in service.activities(ann)}
    assert found["Call the CFO and the COO"] == (ActivityKind.MEETING, time(11, 0))


async def test_a_kept_change_kept_again_still_says_nothing_of_the_steps_time_and_kind(
    service: PipelineService, ann: int
) -> None:
    """Restored in the proposal's dialog (its At and Kind left empty), then a second
    hang-up: kept again, the empty fields read as a time cleared, and the call lost its
    09:30 when saved."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY, time(9, 30))
    await kept_through_a_hang_up(service, " and the COO")
    for _ in range(2):
        async with running(service, (80, 24)) as (app, pilot):
            await restore_on_the_second_step(pilot)
            assert "Change the step kept" in screen_text(app)
            app.flush_drafts()  # another
    assert "at" not in kept_fields(service, ann) and "kind" not in kept_fields(service, ann)
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")  # in the call's own dialog now
        await press(pilot, "enter")
    found = {a.text: (a.kind, a.due_time) for a in service.activities(ann)}
    assert found["Call the CFO and the COO"] == (ActivityKind.CALL, time(9, 30))


async def test_a_kept_new_step_restored_to_be_added_after_the_card_changed_stays_new(
    service: PipelineService, ann: int
) -> None:
    """Restored in the card's `f` (a dialog that adds) after the card was saved
    elsewhere, and kept again: it no longer said it was a new step."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await tap(pilot, "f", opens=NextActionScreen)
        await type_text(pilot, "Book the demo")
        app.flush_drafts()  # a hang-up
    [step] = service.activities(ann)
    service.edit_activity(step.id, None, "Send the proposal today", FRIDAY)  # elsewhere
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        await tap(pilot, "f", "r")
        assert isinstance(app.screen, NextActionScreen)
        app.flush_drafts()  # a second hang-up
    assert kept_fields(service, ann).get(drafts.NEW_STEP) == "yes"


async def test_a_kept_change_does_not_move_back_a_step_moved_since(
    service: PipelineService, ann: int
) -> None:
    """Words typed over the earliest step in `f`; that step then moved to Thursday
    elsewhere. Restored in the proposal's dialog and saved, it went back to Tuesday."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    await kept_through_a_hang_up(service, " and the COO")
    cfo = next(a for a in service.activities(ann) if a.text == "Call the CFO")
    thursday = TODAY + timedelta(days=3)
    service.edit_activity(cfo.id, None, "Call the CFO", thursday)  # snoozed elsewhere
    async with running(service, (80, 24)) as (app, pilot):
        await restore_on_the_second_step(pilot)
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
    found = {a.text: a.due for a in service.activities(ann)}
    assert found["Call the CFO and the COO"] == thursday


async def test_a_time_typed_in_the_steps_own_dialog_comes_back_with_f_for_that_step(
    service: PipelineService, ann: int
) -> None:
    """Typed in the step's own dialog on the card with a time; `f` on the board (the same
    step, no time field) offered "At: 14:30" back, and the save dropped it."""
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter", "tab")
        await tap(pilot, "enter", opens=NextActionScreen)  # "Send the proposal"
        await type_text(pilot, " and the deck")
        await tap(pilot, "tab", "tab")
        await type_text(pilot, "14:30")
        app.flush_drafts()  # a hang-up
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f")
        assert "14:30" in screen_text(app)  # the offer says the time comes back
        await tap(pilot, "r")
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "enter")
    [step] = service.activities(ann)
    assert (step.text, step.due, step.due_time) == (
        "Send the proposal and the deck",
        FRIDAY,
        time(14, 30),
    )


async def test_a_draft_naming_a_step_no_store_could_hold_is_taken_back_as_plain_words(
    service: PipelineService, ann: int
) -> None:
    """A draft file edited by hand: a step id too big for SQLite reached the store and
    the save's OverflowError closed the app."""
    service.keep_draft(
        DraftKey.on_card(Editor.NEXT_ACTION, ann),
        {
            "action": "Send the deck",
            "due": "",
            drafts.STEP: "99999999999999999999",
            drafts.STEP_WAS: "x",
            drafts.STEP_DUE_WAS: "2026-13-45",
        },
    )
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", "r")
        await press(pilot, "enter")
        assert app.is_running
    assert [a.text for a in service.activities(ann)] == ["Send the deck"]


async def test_f_says_so_when_the_store_cannot_read_the_cards_steps(
    service: PipelineService, ann: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def out_of_reach(card_id: int) -> object:
        raise StoreError("The database is out of reach.")

    async with running(service, (80, 24)) as (app, pilot):
        monkeypatch.setattr(service, "activities", out_of_reach)
        await tap(pilot, "f")
        assert app.is_running
        assert "The database is out of reach." in notification_messages(app)


async def test_a_kept_change_to_a_step_reworded_since_is_a_new_step_and_says_so(
    service: PipelineService, ann: int
) -> None:
    """Typed in `f` over "Call the CFO", which is then reworded elsewhere: restored in
    the proposal's dialog, the words become a step of their own (nothing saved since is
    gone over), and the rep is told, since the title said a step would change."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    await kept_through_a_hang_up(service, " about the budget")
    cfo = service.activities(ann)[0]
    service.edit_activity(cfo.id, None, "Call the CEO", TUESDAY)  # elsewhere
    async with running(service, (80, 24)) as (app, pilot):
        await restore_on_the_second_step(pilot)
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
        assert KEPT_AS_NEW_STEP in notification_messages(app)
    assert sorted(text for _, text, _ in open_steps(service, ann)) == [
        "Call the CEO",
        "Call the CFO about the budget",
        "Send the proposal",
    ]


async def test_a_kept_change_emptied_under_f_drops_its_step_in_the_cards_step_dialog(
    service: PipelineService, ann: int
) -> None:
    """Both fields emptied in `f` on the board ("both empty clears it"), kept through a
    hang-up, then taken back in her second step's dialog on her card, which has no such
    hint: enter drops the step `f` was for. It was refused ("An activity needs some
    words or a due date.")."""
    service.add_activity(ann, ActivityKind.CALL, "Call the CFO", TUESDAY)
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "f", opens=NextActionScreen)  # Ann's earliest: the call
        await tap(pilot, "ctrl+a", "ctrl+k", "tab", "ctrl+a", "ctrl+k")
        app.flush_drafts()  # a hang-up
    async with running(service, (80, 24)) as (app, pilot):
        await restore_on_the_second_step(pilot)  # in the proposal's dialog
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        assert "Dropped Call the CFO. u brings it back." in notification_messages(app)
    assert open_steps(service, ann) == [("email", "Send the proposal", FRIDAY)]
