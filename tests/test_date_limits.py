"""Dates at the edges of the calendar, as a rep types them: a count that runs past the
year 9999 is a sentence in the dialog (not a crash, not a crash loop from its draft), a
touchpoint from before 1900 is refused, and the dialogs say what they take."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.dates import DueDateError, parse_due, parse_past_date
from pipeline_tui.domain.drafts import DraftKey, Editor
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.park import ParkScreen
from pipeline_tui.ui.screens.snooze import SnoozeDateScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import TODAY
from tests.pilot import make_app, press, running, screen_text, settle, tap, type_text

TOO_FAR = "is too far from today for a date"


@pytest.fixture
def ada(service: PipelineService) -> int:
    return service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD).card_id


def one_line(text: str) -> str:
    """The words inside the dialog's frame with its wrapping undone (a hint wraps), or
    the screen's words where no dialog is drawn."""
    inside = [
        line[line.index("█") + 1 : line.rindex("█")]
        for line in text.splitlines()
        if line.count("█") >= 2
    ]
    return " ".join(" ".join(inside or text.splitlines()).split())


# Past the year 9999 ----------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+9999y", "+7974y"])
def test_a_count_past_the_year_9999_is_a_due_date_error(typed: str) -> None:
    with pytest.raises(DueDateError, match=TOO_FAR):
        parse_due(typed, TODAY)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("+7973y", date(9999, 11, 23)),  # the last year there is
        ("+9999m", date(2860, 2, 23)),
        ("+9999w", TODAY + timedelta(weeks=9999)),
        ("+9999d", TODAY + timedelta(days=9999)),
        ("-9999d", TODAY - timedelta(days=9999)),  # a late action, if an odd one
    ],
)
def test_every_other_count_the_parser_reads_stays_in_the_calendar(typed: str, day: date) -> None:
    assert parse_due(typed, TODAY) == day


@pytest.mark.parametrize("typed", ["-9999w", "0001-01-01", "1899-12-31"])
def test_a_due_date_before_1900_is_a_due_date_error(typed: str) -> None:
    # As a touchpoint's: a slip, which the board showed as "739954d late".
    with pytest.raises(DueDateError, match="is before 1900"):
        parse_due(typed, TODAY)


@pytest.mark.parametrize("typed", ["+99999999d", "-99999999d", "+99999y"])
def test_a_count_of_more_than_four_digits_is_no_date(typed: str) -> None:
    with pytest.raises(DueDateError, match="is not a date"):
        parse_due(typed, TODAY)


async def test_typing_plus_9999y_in_the_next_action_dialog_says_so(
    service: PipelineService, ada: int
) -> None:
    async with running(service) as (app, pilot):
        await tap(pilot, "f")
        assert isinstance(app.screen, NextActionScreen)
        await type_text(pilot, "Send the quote")
        await tap(pilot, "tab")
        await type_text(pilot, "+9999y")
        assert "'+9999y' is too far from today" in one_line(screen_text(app))
        await tap(pilot, "enter")
        assert isinstance(app.screen, NextActionScreen)  # nothing saved
    assert service.card(ada).summary.next_action_due is None


async def test_a_kept_plus_9999y_is_restored_with_the_sentence_not_a_crash(
    service: PipelineService, ada: int
) -> None:
    """The draft of a dialog that crashed on +9999y crashed it again when restored."""
    key = DraftKey.on_card(Editor.NEXT_ACTION, ada)
    service.keep_draft(key, {"action": "Send the quote", "due": "+9999y"})
    async with running(make_app(service)) as (app, pilot):
        await tap(pilot, "f")
        assert isinstance(app.screen, DraftOfferScreen)
        await tap(pilot, "r")
        assert isinstance(app.screen, NextActionScreen)
        assert "'+9999y' is too far from today" in one_line(screen_text(app))


async def test_snoozing_to_plus_9999y_on_the_stand_up_says_so(
    service: PipelineService, ada: int
) -> None:
    version = service.card(ada).summary.version
    service.set_next_action(ada, "Call Ada", TODAY - timedelta(days=1), version)
    async with running(service) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        await tap(pilot, "z", "d")
        assert isinstance(app.screen, SnoozeDateScreen)
        await type_text(pilot, "+9999y")
        assert "'+9999y' is too far from today" in one_line(screen_text(app))
        await tap(pilot, "enter")
        assert isinstance(app.screen, SnoozeDateScreen)
    assert service.card(ada).summary.next_action_due == TODAY - timedelta(days=1)


async def test_a_close_date_of_plus_9999y_in_the_card_form_says_so(
    service: PipelineService, ada: int
) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "e")
        assert isinstance(app.screen, CardFormScreen)
        await press(pilot, *("tab",) * 8)  # name ... value, close
        assert app.screen.focused is app.screen.inputs["close"]
        await type_text(pilot, "+9999y")
        assert "'+9999y' is too far from today" in one_line(screen_text(app))
        await press(pilot, "enter")
        await settle(pilot)
        assert isinstance(app.screen, CardFormScreen)
    assert service.card(ada).summary.expected_close is None


# A touchpoint long ago -------------------------------------------------------------------


def test_a_touchpoint_before_1900_is_refused_and_1900_is_not() -> None:
    assert parse_past_date("1900-01-01", TODAY) == date(1900, 1, 1)
    for typed in ("0001-01-01", "1899-12-31", "-9999w"):
        with pytest.raises(DueDateError, match="is before 1900"):
            parse_past_date(typed, TODAY)


@pytest.mark.parametrize(("typed", "says"), [("0001-01-01", "0001-01-01"), ("-9999w", "1835")])
async def test_a_touchpoint_dated_before_1900_is_refused_in_the_dialog(
    service: PipelineService, ada: int, typed: str, says: str
) -> None:
    async with running(service) as (app, pilot):
        await tap(pilot, "t")
        assert isinstance(app.screen, TouchpointScreen)
        await tap(pilot, "tab")  # the kinds, then When ("today")
        assert app.screen.focused is app.screen.when
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, typed)
        await tap(pilot, "tab")
        await type_text(pilot, "Met at the fair")
        await tap(pilot, "enter")
        assert isinstance(app.screen, TouchpointScreen)  # refused, still open
        assert f"{says}" in screen_text(app)
        assert "is before 1900" in one_line(screen_text(app))
    assert service.card(ada).touchpoints == ()


# The park dialog -------------------------------------------------------------------------

SATURDAY = date(2026, 12, 5)


async def test_the_park_dialog_offers_what_it_takes_and_refuses_today_cleanly(
    service: PipelineService, ada: int
) -> None:
    """Its hint listed "today", which it refuses, and the refusal read "Sat 05 Dec 2026
    (a weekend) is not after today"."""
    app = PipelineApp(service, today=lambda: SATURDAY, cursor_blink=False)
    async with running(app, (100, 30)) as (app, pilot):
        await tap(pilot, "Q", "p")
        assert isinstance(app.screen, ParkScreen)
        shown = one_line(screen_text(app))
        assert "tomorrow, fri, +3d" in shown and "today, tomorrow" not in shown
        await type_text(pilot, "today")
        shown = one_line(screen_text(app))
        assert "Sat 05 Dec 2026 is not after today; park a lead until a later date." in shown
        assert "(a weekend)" not in shown
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "-1w")
        assert "Sat 28 Nov 2026 has passed; park a lead until a day after today." in one_line(
            screen_text(app)
        )
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "someday")
        shown = one_line(screen_text(app))
        assert "'someday' is not a date; use tomorrow, fri" in shown
        await tap(pilot, "enter")
        assert isinstance(app.screen, ParkScreen)
    assert service.summary(ada).nurture_until is None  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["tomorrow", "+3d", "next week"])
def test_a_touchpoint_given_a_day_to_come_in_words_is_in_the_future(typed: str) -> None:
    # Said as for 2026-12-31; "'tomorrow' is not a date" said something else.
    with pytest.raises(DueDateError, match="is in the future; a touchpoint has already happened"):
        parse_past_date(typed, TODAY)
