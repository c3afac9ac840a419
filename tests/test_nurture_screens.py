"""Not yet, as a rep uses it: p on the checklist parks a lead until a date, N shows the
parked leads with the day each comes back, b brings one back now, f makes an unknown
criterion the next action, and the stand-up says who is back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from textual.pilot import Pilot

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.agenda import AgendaScreen
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.park import ParkScreen
from pipeline_tui.ui.screens.qualification import QualificationScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from tests.conftest import TODAY
from tests.pilot import (
    burst,
    focused_card_name,
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

DEC_15 = TODAY.replace(month=12, day=15)


@pytest.fixture
def leads(service: PipelineService) -> tuple[int, int]:
    """Ben and Ada, leads; Ada on top of the column, highlighted as the board opens."""
    ben = service.add_card(CardDraft(name="Ben Okafor", organisation="Bikes"), Stage.LEAD)
    ada = service.add_card(CardDraft(name="Ada Lovelace", organisation="Engines"), Stage.LEAD)
    return ada.card_id, ben.card_id


def lead_ids(service: PipelineService) -> list[int]:
    return list(service.board_view(TODAY).ids[Stage.LEAD])


async def park_ada(pilot: Pilot[None], date_typed: str = "dec 15") -> None:
    """Q, p, the date, enter: the highlighted lead parked from its checklist."""
    await tap(pilot, "Q", "p")
    await type_text(pilot, date_typed)
    await press(pilot, "enter")


async def test_p_on_the_checklist_parks_the_lead_off_the_column_and_its_count(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, ben = leads
    async with running(service, (100, 30)) as (app, pilot):
        assert "Ada Lovelace" in screen_text(app)
        await tap(pilot, "Q", "y")  # an answer given on the way is kept
        await tap(pilot, "p")
        assert isinstance(app.screen, ParkScreen)
        await type_text(pilot, "dec 15")
        assert "Tue 15 Dec 2026" in screen_text(app)  # the day it means, as typed
        await press(pilot, "enter")
        assert isinstance(app.screen, BoardScreen)
        text = screen_text(app)
        assert "Ada Lovelace" not in text
        assert "1 card · 1 nurturing" in text
        assert "Lead · 1" in text
    assert lead_ids(service) == [ben]
    assert service.summary(ada).nurture_until == DEC_15  # type: ignore[union-attr]
    assert service.board_totals(TODAY).counts[Stage.LEAD] == 1
    assert service.qualification(ada).met == 1


async def test_a_date_not_after_today_is_refused_with_the_reason(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, _ = leads
    async with running(service, (100, 30)) as (app, pilot):
        await tap(pilot, "Q", "p")
        await type_text(pilot, "today")
        text = screen_text(app)
        assert "Mon 23 Nov 2026 is not after today; park a lead until a later" in text
        await tap(pilot, "enter")
        assert isinstance(app.screen, ParkScreen)  # still open, nothing saved
        await type_text(pilot, "blah")
        await tap(pilot, "enter")
        assert isinstance(app.screen, ParkScreen)
        await tap(pilot, "escape")
        assert isinstance(app.screen, QualificationScreen)
    assert ada in lead_ids(service)
    assert service.summary(ada).nurture_until is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("opener", "typed", "days", "then"),
    [
        ("Q", "+2", 2, "k"),
        # The "j" went into the field: "'+2wj' is not a date", and the dialog stayed.
        ("Q", "+2w", 14, "k"),
        # The "w" went into the field before enter was read: parked until +2w.
        ("Q", "+2", 2, "w"),
        ("L", "+2w", 14, "k"),  # the checklist on the way to prospect
    ],
)
async def test_keys_after_enter_in_the_park_dialog_act_on_the_board_it_leaves(
    service: PipelineService,
    leads: tuple[int, int],
    opener: str,
    typed: str,
    days: int,
    then: str,
) -> None:
    """Over SSH the date, enter and the next key arrive in one read: the lead is parked
    until the day typed, and the key after enter acts on the board, the lead gone."""
    ada, _ = leads
    service.add_card(CardDraft(name="Cy Young"), Stage.LEAD)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "j")  # Ada, between Cy and Ben
        await burst(pilot, opener, "p", *typed, "enter", then)
        if then == "w":
            assert isinstance(app.screen, AgendaScreen), screen_text(app)
        else:
            assert isinstance(app.screen, BoardScreen), screen_text(app)
            # Ada gone, Ben in her place: k goes up to Cy.
            assert focused_card_name(app) == "Cy Young"
    assert service.summary(ada).nurture_until == TODAY + timedelta(days=days)  # type: ignore[union-attr]


@pytest.mark.parametrize("key", ["a", "e", "enter"])
async def test_keys_after_escape_from_a_card_parked_on_its_screen_act_on_the_board_it_left(
    service: PipelineService, leads: tuple[int, int], key: str
) -> None:
    """Ada parked from her own card screen, then escape and a key in one read: the key
    acted on Ada, still highlighted on the board until it was read again (`a` offered
    to archive her, `e` edited her)."""
    ada, _ = leads
    async with running(service) as (app, pilot):
        await press(pilot, "enter")
        await park_ada(pilot)
        assert service.card(ada).summary.nurture_until == DEC_15
        await burst(pilot, "escape", key, dialog=True)
        assert "Ada Lovelace" not in screen_text(app)
        assert "Ben Okafor" in screen_text(app)


async def test_keys_after_escape_from_a_card_parked_from_the_week_act_on_the_week_it_left(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    """The week, enter on Ada's step, Ada parked there, then escape, z, t in one read:
    the snooze went to Ada's old line, refused as "changed elsewhere"."""
    ada, ben = leads
    for card, days in ((ada, 0), (ben, 1)):
        version = service.card(card).summary.version
        service.set_next_action(card, "Call", TODAY + timedelta(days=days), version)
    async with running(service, (80, 30)) as (app, pilot):
        await press(pilot, "w", "g")
        assert isinstance(app.screen, AgendaScreen)
        await press(pilot, "enter")
        await park_ada(pilot)
        await burst(pilot, "escape", "z", "t")
        assert service.card(ada).summary.next_action_due == TODAY  # parked, not snoozed
        assert not any("elsewhere" in message for message in notification_messages(app))


async def test_a_board_and_a_week_left_open_overnight_show_the_new_day(
    service: PipelineService, leads: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Left open past midnight (tmux over SSH), the board kept a lead parked until
    that day away, and the week said "today" of yesterday, until something was saved."""
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.05)
    monkeypatch.setattr(AgendaScreen, "POLL_SECONDS", 0.05)
    ada, _ = leads
    tomorrow = TODAY + timedelta(days=1)
    summary = service.card(ada).summary
    service.set_next_action(ada, "Call Ada", tomorrow, summary.version)
    service.park(ada, tomorrow, service.card(ada).summary.version, today=TODAY)
    day = [TODAY]
    app = make_app(service, today=lambda: day[0])
    async with running(app, (100, 30)) as (_, pilot):
        assert "Ada Lovelace" not in screen_text(app)
        day[0] = tomorrow
        await wait_for(pilot, lambda: "Ada Lovelace" in screen_text(app), "Ada back")
        await press(pilot, "w")
        assert isinstance(app.screen, AgendaScreen)
        today_label = f"TODAY · {tomorrow:%a %d %b}".upper()
        assert today_label in screen_text(app).upper()
        day[0] = tomorrow + timedelta(days=1)
        await wait_for(pilot, lambda: "OVERDUE" in screen_text(app).upper(), "the step overdue")


async def test_a_lead_changed_elsewhere_while_its_checklist_is_open_parks_once_told(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    """The shell set Ada's next action while her checklist was open: the park was
    refused, saying the dialog "now shows the other change", which nothing showed, and
    enter was refused again for as long as the checklist stayed open."""
    ada, _ = leads
    async with running(service) as (app, pilot):
        await tap(pilot, "Q")
        version = service.card(ada).summary.version
        service.set_next_action(ada, "Call Ada", TODAY + timedelta(days=2), version)
        await tap(pilot, "p")
        await type_text(pilot, "dec 15")
        await tap(pilot, "enter")
        assert isinstance(app.screen, ParkScreen)
        assert "changed elsewhere" in screen_text(app)
        assert "Call Ada" in screen_text(app)
        assert service.card(ada).summary.nurture_until is None
        await press(pilot, "enter")
        assert service.card(ada).summary.nurture_until == DEC_15
        assert service.card(ada).summary.next_action == "Call Ada"


async def test_f_after_a_park_refused_asks_before_replacing_the_next_action_set_elsewhere(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    """The refusal read the card again for its version only: `f` then compared with
    the next action the checklist opened with (none) and put its research step over
    the one set elsewhere, unasked."""
    ada, _ = leads
    async with running(service) as (app, pilot):
        await tap(pilot, "Q")
        version = service.card(ada).summary.version
        service.set_next_action(ada, "Send the contract", TODAY + timedelta(days=2), version)
        await tap(pilot, "p")
        await type_text(pilot, "dec 15")
        await tap(pilot, "enter")
        assert isinstance(app.screen, ParkScreen)
        await tap(pilot, "escape")
        assert isinstance(app.screen, QualificationScreen)
        await tap(pilot, "f")
        assert isinstance(app.screen, ChoiceScreen)
        await tap(pilot, "n")
    assert service.card(ada).summary.next_action == "Send the contract"


async def test_n_shows_the_parked_leads_with_their_day_and_b_brings_one_back(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, ben = leads
    async with running(service, (100, 30)) as (app, pilot):
        await park_ada(pilot)
        await press(pilot, "N")
        text = screen_text(app)
        assert "nurturing view" in text
        assert "Ada Lovelace" in text and "back Dec 15" in text
        assert "Ben Okafor" not in text
        await press(pilot, "L")  # a parked card stays put until it is back
        assert "b brings it back first" in " ".join(notification_messages(app))
        await press(pilot, "b")
        assert "Ada Lovelace" not in screen_text(app)
        assert "Nothing parked." in screen_text(app)
        await press(pilot, "N")
        text = screen_text(app)
        assert "Ada Lovelace" in text and "Ben Okafor" in text
        assert "nurturing" not in text
    assert sorted(lead_ids(service)) == sorted([ada, ben])
    assert service.summary(ada).nurture_until is None  # type: ignore[union-attr]


async def test_undo_on_the_board_puts_a_parked_lead_back(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, _ = leads
    async with running(service, (100, 30)) as (app, pilot):
        await park_ada(pilot)
        await press(pilot, "u")
        assert "Ada Lovelace" in screen_text(app)
    assert ada in lead_ids(service)


async def test_f_makes_an_unknown_criterion_the_next_action_due_today(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, _ = leads
    async with running(service, (100, 30), notifications=True) as (app, pilot):
        await tap(pilot, "Q", "f")  # "can afford it", not answered yet: unknown
        assert "Next action, due today: Find out: can afford it?" in notification_messages(app)
        await tap(pilot, "y", "up", "f")  # answered yes now: nothing to find out
        assert any("Only an unknown criterion" in m for m in notification_messages(app))
        await tap(pilot, "escape")
        await look(pilot)
        await tap(pilot, "y")  # the yes is thrown away; the next action stays
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
        # And the board shows it: it kept the card as before the checklist, nothing
        # having been saved there.
        assert "→ Find out: can" in screen_text(app)
    summary = service.summary(ada)
    assert summary is not None
    assert (summary.next_action, summary.next_action_due) == ("Find out: can afford it?", TODAY)


async def test_f_asks_before_replacing_a_next_action_the_card_has(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, _ = leads
    version = service.summary(ada).version  # type: ignore[union-attr]
    service.set_next_action(ada, "Send the proposal", TODAY + timedelta(days=2), version)
    async with running(service, (100, 30)) as (app, pilot):
        await tap(pilot, "Q", "f")
        assert isinstance(app.screen, ChoiceScreen)
        question = " ".join(screen_text(app).replace("█", " ").split())
        assert "Send the proposal" in question
        # One question mark: it asked "with Find out: can afford it? (due today)?"
        assert "Replace it, due today, with: Find out: can afford" in question, question
        assert "(due today)?" not in question
        await tap(pilot, "n")  # keep it
        assert isinstance(app.screen, QualificationScreen)
        assert service.summary(ada).next_action == "Send the proposal"  # type: ignore[union-attr]
        await tap(pilot, "f", "y")  # this time, replace it
        await tap(pilot, "escape")  # nothing answered: the checklist just closes
        await settle(pilot)
        assert isinstance(app.screen, BoardScreen)
    summary = service.summary(ada)
    assert summary is not None
    assert (summary.next_action, summary.next_action_due) == ("Find out: can afford it?", TODAY)


async def test_the_stand_up_says_who_is_back_from_nurturing(
    service: PipelineService, leads: tuple[int, int]
) -> None:
    ada, _ = leads
    version = service.summary(ada).version  # type: ignore[union-attr]
    service.park(ada, TODAY, version, today=TODAY - timedelta(days=5))  # back today
    async with running(service, (100, 40)) as (app, pilot):
        assert "Ada Lovelace" in screen_text(app)  # on the board again, by itself
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        text = screen_text(app)
        assert "BACK FROM NURTURING" in text
        assert "Ada Lovelace" in text
