"""The week (`w` on the board): every next action overdue, due today or in the next 7
days, by day, worked in place from the keyboard; and how it looks at 80x24 and 160x45."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from textual.screen import Screen
from textual.widgets import Input

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.agenda import AgendaList, AgendaScreen
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.snooze import SnoozeDateScreen
from pipeline_tui.ui.widgets import line_list
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
from tests.test_markup_safety import HOSTILE, assert_no_user_text_parsed
from tests.test_markup_safety import parsed as parsed  # the fixture: every markup parsed

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
SnapCompare = Callable[..., bool]


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def add(
    service: PipelineService,
    name: str,
    action: str,
    due: date | None,
    organisation: str = "",
    stage: Stage = Stage.PROSPECT,
) -> int:
    draft = CardDraft(name=name, organisation=organisation, next_action=action, next_action_due=due)
    return service.add_card(draft, stage).card_id


def seed_week(service: PipelineService) -> dict[str, int]:
    """Two overdue, one today, one in 3 days (Thu 26 Nov), one next Monday, one after the
    week and one with no date (neither shows)."""
    return {
        "ada": add(service, "Ada Lovelace", "Call about the proposal", day(-3), "Analytical Ltd"),
        "ivo": add(
            service, "Ivo [b]Bold[/b]", "Email the [red]quote[/red]", day(-1), "Markup & Co"
        ),
        "bea": add(service, "Bea Quist", "Demo the reporting", day(0), "Quist Bakery"),
        "cal": add(service, "Cal Ruiz", "Send the contract", day(3), "Ruiz Freight"),
        "dee": add(service, "Dee Moss", "Lunch with the team", day(7)),
        "eve": add(service, "Eve Park", "Follow up on pricing", day(8), "Park & Sons"),
        "fox": add(service, "Fox Hale", "Think about it", None),
    }


@pytest.fixture
def week(service: PipelineService) -> dict[str, int]:
    return seed_week(service)


async def open_week(pilot: Any) -> AgendaScreen:
    await press(pilot, "w")
    screen = pilot.app.screen
    assert isinstance(screen, AgendaScreen)
    return screen


def showing(app: PipelineApp) -> Screen[Any]:
    """The screen on top now (not narrowed by an earlier isinstance check)."""
    return app.screen


def highlighted_name(screen: AgendaScreen) -> str | None:
    item = screen.highlighted
    return item.card_name if item is not None else None


async def test_a_long_day_lists_its_first_steps_and_enter_on_more_lists_them_all(
    service: PipelineService, week: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on the stand-up: overdue and each day list their first steps (one here), then
    a line saying how many more; enter on it lists them, the cursor on the first."""
    monkeypatch.setattr(line_list, "SECTION_LINES", 1)
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_week(pilot)
        text = screen_text(app)
        overdue = text[text.index("OVERDUE · 2") : text.index("TODAY")]
        assert "Ada Lovelace" in overdue and "Ivo [b]Bold[/b]" not in overdue
        assert "… 1 more: enter lists them" in overdue
        assert highlighted_name(screen) == "Ada Lovelace"
        await press(pilot, "down")  # onto the "more" line
        assert highlighted_name(screen) is None
        assert screen.check_action("done", ()) is None  # no step to act on there
        await press(pilot, "enter")
        assert showing(app) is screen, "enter on the more line opened a card"
        text = screen_text(app)
        overdue = text[text.index("OVERDUE · 2") : text.index("TODAY")]
        assert "Ivo [b]Bold[/b]" in overdue and "more" not in overdue
        assert highlighted_name(screen) == "Ivo [b]Bold[/b]"
        await press(pilot, "enter")  # a step's line: enter opens its card
        assert isinstance(showing(app), CardScreen)


async def test_a_day_lists_its_first_steps_too_and_the_cursor_works_down_past_the_cut(
    service: PipelineService, week: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today has two steps here and lists one; and a step snoozed from the last line
    listed hands the cursor to the step that comes up in its place (it went to the next
    day's, skipping it)."""
    add(service, "Gus Lind", "Book the site visit", day(0), "Lind Farms")
    monkeypatch.setattr(line_list, "SECTION_LINES", 1)
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_week(pilot)
        text = screen_text(app)
        today = text[text.index("TODAY · MON 23 NOV · 2") : text.index("TOMORROW")]
        assert "… 1 more: enter lists them" in today
        assert highlighted_name(screen) == "Ada Lovelace"  # the one overdue step listed
        await tap(pilot, "z")
        await press(pilot, "t")  # to tomorrow
        assert showing(app) is screen
        assert highlighted_name(screen) == "Ivo [b]Bold[/b]"  # up from behind the cut


async def test_w_on_the_board_shows_the_week_by_day_overdue_first(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service, (160, 45)) as (app, pilot):
        await open_week(pilot)
        lines = screen_text(app).splitlines()

        def line_of(words: str) -> int:
            return next(n for n, line in enumerate(lines) if words in line)

        headings = [
            "OVERDUE · 2",
            "TODAY · MON 23 NOV · 1",
            "TOMORROW · TUE 24 NOV  nothing",
            "WED 25 NOV  nothing",
            "THU 26 NOV · 1",
            "FRI 27 NOV  nothing",
            "MON 30 NOV · 1",
        ]
        rows = [line_of(heading) for heading in headings]
        assert rows == sorted(rows)
        assert line_of("OVERDUE") < line_of("Ada Lovelace") < line_of("Ivo [b]Bold[/b]")
        assert line_of("! 3d late") == line_of("Ada Lovelace") == line_of("Analytical Ltd")
        # User text is shown as typed, never as markup.
        assert "Email the [red]quote[/red]" in lines[line_of("Ivo [b]Bold[/b]")]
        assert line_of("TODAY") < line_of("Bea Quist") < line_of("TOMORROW")
        # Due in 3 days: under its own day.
        assert line_of("THU 26 NOV") < line_of("Cal Ruiz") < line_of("FRI 27 NOV")
        assert "Send the contract" in lines[line_of("Cal Ruiz")]
        assert line_of("MON 30 NOV") < line_of("Dee Moss")
        assert "Eve Park" not in screen_text(app)  # after the week
        assert "Fox Hale" not in screen_text(app)  # no date
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_the_cursor_moves_over_cards_only(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (_app, pilot):
        screen = await open_week(pilot)
        seen = [highlighted_name(screen)]
        for _ in range(5):
            await press(pilot, "j")
            seen.append(highlighted_name(screen))
        assert seen == [
            "Ada Lovelace",
            "Ivo [b]Bold[/b]",
            "Bea Quist",
            "Cal Ruiz",
            "Dee Moss",
            "Dee Moss",
        ]
        await press(pilot, "g")
        assert highlighted_name(screen) == "Ada Lovelace"


@pytest.mark.parametrize("key", ["G", "end", "pagedown"])
async def test_the_days_after_the_last_card_are_a_key_away_at_80x24(
    service: PipelineService, key: str
) -> None:
    # G, end and page down stopped at the last card: the empty days after it were
    # below the screen, and no key showed them.
    for n in range(14):
        add(service, f"Rep {n:02} Quist", "Call", day(-n))
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert "MON 30 NOV" not in screen_text(app)
        await press(pilot, key, key, key)  # page down: a page, the last card, then on
        assert "MON 30 NOV  nothing" in screen_text(app)
        assert highlighted_name(screen) == "Rep 00 Quist"  # the last card, today's
        await press(pilot, "g")
        assert "OVERDUE · 13" in screen_text(app)


async def test_x_marks_the_step_done_then_asks_for_the_next(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        # Done at once: logged as a call ("Call about..."), gone from the week already.
        card = service.card(week["ada"])
        assert card.summary.next_action == ""
        assert [(t.kind, t.happened_on, t.summary) for t in card.touchpoints] == [
            (TouchpointKind.CALL, TODAY, "Done: Call about the proposal")
        ]
        assert "Ada Lovelace" not in [item.card_name for item in screen.actions.values()]
        await type_text(pilot, "Send the proposal")
        await tap(pilot, "tab")
        await type_text(pilot, "wed")
        await press(pilot, "enter")
        assert showing(app) is screen
        summary = service.card(week["ada"]).summary
        assert (summary.next_action, summary.next_action_due) == ("Send the proposal", day(2))
        lines = screen_text(app).splitlines()
        wednesday = next(n for n, line in enumerate(lines) if "WED 25 NOV · 1" in line)
        assert "Ada Lovelace" in lines[wednesday + 1]
        assert "Send the proposal" in "\n".join(lines[wednesday + 1 : wednesday + 3])


async def test_x_then_escape_leaves_no_next_action(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "j")  # Ivo
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert showing(app) is screen
        card = service.card(week["ivo"])
        assert card.summary.next_action == "" and card.summary.next_action_due is None
        assert [t.kind for t in card.touchpoints] == [TouchpointKind.EMAIL]
        assert "Ivo" not in screen_text(app)
        # The cursor takes the place of the step done.
        assert highlighted_name(screen) == "Bea Quist"


async def test_f_sets_the_next_action_of_the_highlighted_card(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "j", "j")  # Bea, due today
        await tap(pilot, "f")
        assert isinstance(app.screen, NextActionScreen)
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "Demo to the owners")
        await tap(pilot, "tab", "ctrl+a", "ctrl+k")
        await type_text(pilot, "+3d")
        await press(pilot, "enter")
        assert showing(app) is screen
        summary = service.card(week["bea"]).summary
        assert (summary.next_action, summary.next_action_due) == ("Demo to the owners", day(3))
        assert "TODAY · MON 23 NOV  nothing" in screen_text(app)
        assert "THU 26 NOV · 2" in screen_text(app)
        assert highlighted_name(screen) == "Cal Ruiz"  # on to the next line


async def test_f_with_both_fields_emptied_drops_the_step_as_its_hint_says(
    service: PipelineService, week: dict[str, int]
) -> None:
    """The dialog says "(both empty clears it)"; on a line of the week that was refused
    with "An activity needs some words or a due date." and the dialog stayed open."""
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "j", "j")  # Bea, due today
        await tap(pilot, "f")
        assert "(both empty clears it)" in screen_text(app)
        await tap(pilot, "ctrl+a", "ctrl+k", "tab", "ctrl+a", "ctrl+k")
        await press(pilot, "enter")
        assert showing(app) is screen
        summary = service.card(week["bea"]).summary
        assert (summary.next_action, summary.next_action_due) == ("", None)
        assert service.activities(week["bea"]) == ()
        assert "TODAY · MON 23 NOV  nothing" in screen_text(app)
        await press(pilot, "u")  # dropped, not done: undo brings it back
        summary = service.card(week["bea"]).summary
        assert (summary.next_action, summary.next_action_due) == ("Demo the reporting", day(0))


async def empty_adas_second_step_then_hang_up(
    service: PipelineService, week: dict[str, int]
) -> None:
    """Ada gets a second step, "Send the case study"; `f` on its line, both fields
    emptied, then the session ends."""
    service.add_activity(week["ada"], None, "Send the case study", day(2))
    async with running(service) as (app, pilot):
        await open_week(pilot)
        await press(pilot, "j", "j", "j")
        await tap(pilot, "f", opens=NextActionScreen)
        await tap(pilot, "ctrl+a", "ctrl+k", "tab", "ctrl+a", "ctrl+k")
        app.flush_drafts()  # a hang-up


async def test_a_kept_change_that_empties_a_later_step_drops_that_step_not_the_earliest(
    service: PipelineService, week: dict[str, int]
) -> None:
    """Both fields emptied on the line of Ada's second step, then the session ended:
    taken back on her first line, "both empty clears it" is for the step it was typed
    for. Saved there it was refused ("An activity needs some words or a due date.")."""
    await empty_adas_second_step_then_hang_up(service, week)
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert highlighted_name(screen) == "Ada Lovelace"  # her earliest step's line
        await tap(pilot, "f", "r")
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
        assert showing(app) is screen
        assert "Dropped Send the case study. u brings it back." in notification_messages(app)
    steps = [(a.text, a.due) for a in service.activities(week["ada"])]
    assert steps == [("Call about the proposal", day(-3))]


async def test_a_kept_change_emptying_a_step_reworded_since_leaves_it_and_says_so(
    service: PipelineService, week: dict[str, int]
) -> None:
    """The step was reworded elsewhere after the rep emptied it here: those words are
    not what the rep cleared, so they stay, and the dialog says why."""
    await empty_adas_second_step_then_hang_up(service, week)
    [_, second] = service.activities(week["ada"])
    service.edit_activity(second.id, None, "Send the case study and pricing", day(2))
    async with running(service) as (app, pilot):
        await open_week(pilot)
        await tap(pilot, "f", "r")
        await tap(pilot, "enter")
        assert isinstance(app.screen, NextActionScreen)  # refused, left open
        assert "Send the case study was changed since: nothing was" in screen_text(app)
    steps = [(a.text, a.due) for a in service.activities(week["ada"])]
    assert steps == [
        ("Call about the proposal", day(-3)),
        ("Send the case study and pricing", day(2)),
    ]


async def test_z_t_snoozes_to_tomorrow(service: PipelineService, week: dict[str, int]) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await tap(pilot, "z")
        assert isinstance(app.screen, ChoiceScreen)
        assert "Snooze Call about the proposal (Ada Lovelace)" in screen_text(app)
        await press(pilot, "t")
        assert showing(app) is screen
        summary = service.card(week["ada"]).summary
        assert (summary.next_action, summary.next_action_due) == (
            "Call about the proposal",
            day(1),
        )
        assert "OVERDUE · 1" in screen_text(app)
        assert "TOMORROW · TUE 24 NOV · 1" in screen_text(app)
        assert service.card(week["ada"]).touchpoints == ()  # snoozed, not done


async def test_z_t_on_a_step_due_tomorrow_says_so_and_changes_nothing(
    service: PipelineService, week: dict[str, int]
) -> None:
    """It said "Snoozed to" the day the step was already due, and `u` then took back a
    change that had changed nothing."""
    bea = service.card(week["bea"]).summary
    service.set_next_action(bea.id, bea.next_action, day(1), bea.version)
    version = service.card(week["bea"]).summary.version
    async with running(service, notifications=True) as (app, pilot):
        await open_week(pilot)
        await press(pilot, "j", "j")  # Ada, Ivo, then Bea (tomorrow)
        assert highlighted_name(showing(app)) == "Bea Quist"  # type: ignore[arg-type]
        await tap(pilot, "z")
        await press(pilot, "t")
        assert "Already due Tue 24 Nov" in " ".join(notification_messages(app))
        assert service.card(week["bea"]).summary.version == version  # nothing written


async def test_z_d_snoozes_to_a_date_typed(service: PipelineService, week: dict[str, int]) -> None:
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "G")  # Dee, next Monday
        assert highlighted_name(screen) == "Dee Moss"
        await tap(pilot, "z", "d")
        assert isinstance(app.screen, SnoozeDateScreen)
        await type_text(pilot, "frobnicate")
        await tap(pilot, "enter")  # not a date: the dialog says so and stays
        assert isinstance(app.screen, SnoozeDateScreen)
        assert "'frobnicate' is not a date" in screen_text(app)
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "2026-11-20")
        await tap(pilot, "enter")  # a day gone by: it would be overdue at once
        assert isinstance(app.screen, SnoozeDateScreen)
        assert "Fri 20 Nov 2026 has passed: snooze to today or later." in screen_text(app)
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "fri")
        assert "Fri 27 Nov 2026 (a weekend)" not in screen_text(app)
        assert "Fri 27 Nov 2026" in screen_text(app)
        await press(pilot, "enter")
        assert showing(app) is screen
        assert service.card(week["dee"]).summary.next_action_due == day(4)
        assert "FRI 27 NOV · 1" in screen_text(app)
        assert "MON 30 NOV  nothing" in screen_text(app)


async def test_a_date_typed_with_z_d_in_one_read_reaches_the_dialog_whole(
    service: PipelineService, week: dict[str, int]
) -> None:
    """ "zdfri" in one write: the "f" went to the list before the date's dialog opened,
    which read "ri" (and "zd21/12" snoozed by a year)."""
    async with running(service, (160, 45)) as (app, pilot):
        await open_week(pilot)
        await press(pilot, "G")  # Dee, next Monday
        await burst(pilot, "z", "d", *"fri", dialog=True)
        assert isinstance(app.screen, SnoozeDateScreen)
        assert app.screen.query_one(Input).value == "fri"
        await press(pilot, "enter")
        assert service.card(week["dee"]).summary.next_action_due == day(4)


async def test_z_then_escape_changes_nothing(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await tap(pilot, "z", "d")
        await press(pilot, "escape")
        assert showing(app) is screen
        assert service.card(week["ada"]).summary.next_action_due == day(-3)


async def test_a_step_changed_elsewhere_is_not_snoozed_unseen(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service, notifications=True) as (app, pilot):
        screen = await open_week(pilot)
        service.schedule_next(week["ada"], "Call the new director", day(-3))
        await tap(pilot, "z")
        await press(pilot, "t")
        assert showing(app) is screen
        summary = service.card(week["ada"]).summary
        assert (summary.next_action, summary.next_action_due) == ("Call the new director", day(-3))
        assert "Call the new director" in screen_text(app)  # read again: what is there now


async def test_a_change_made_elsewhere_shows_without_a_key(
    service: PipelineService, week: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AgendaScreen, "POLL_SECONDS", 0.1)
    async with running(service) as (app, pilot):
        await open_week(pilot)
        service.schedule_next(week["fox"], "Call Fox about the renewal", day(1))
        await wait_for(
            pilot, lambda: "Fox Hale" in screen_text(app), "the step set elsewhere to show"
        )
        assert "TOMORROW · TUE 24 NOV · 1" in screen_text(app)


async def test_enter_opens_the_card_and_escape_comes_back(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "j", "j", "j", "enter")
        assert isinstance(app.screen, CardScreen)
        assert app.screen.card_id == week["cal"]
        await press(pilot, "escape")
        assert showing(app) is screen
        assert highlighted_name(screen) == "Cal Ruiz"


async def test_question_mark_lists_the_week_keys(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        await open_week(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "(1 of" not in text
        for binding in [*AgendaList.BINDINGS, *AgendaScreen.BINDINGS]:
            assert binding.tooltip in text  # type: ignore[union-attr]


async def test_an_empty_week(service: PipelineService) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert "OVERDUE  nothing" in screen_text(app)
        await press(pilot, "x", "f", "z", "enter")  # nothing to act on: stays put
        assert showing(app) is screen


def week_in_memory() -> PipelineService:
    database: Database = open_database("sqlite://")
    service = PipelineService(database, "sam", clock=lambda: NOW)
    seed_week(service)
    return service


async def _open_week(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_week_screen(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = make_app(week_in_memory())
    assert snap_compare(app, terminal_size=size, run_before=_open_week)


async def test_keys_from_the_config_rebind_the_week(
    service: PipelineService, week: dict[str, int]
) -> None:
    app = make_app(service, keymap={"board.week": "W", "agenda.snooze": "s"})
    async with running(app) as (_, pilot):
        await press(pilot, "w")
        assert isinstance(showing(app), BoardScreen)
        await press(pilot, "W")
        screen = showing(app)
        assert isinstance(screen, AgendaScreen)
        await tap(pilot, "s", "t")
        assert showing(app) is screen
        assert service.card(week["ada"]).summary.next_action_due == day(1)


async def test_u_undoes_a_snooze_and_U_redoes_it(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await tap(pilot, "z", "t")
        assert service.card(week["ada"]).summary.next_action_due == day(1)
        await press(pilot, "u")
        assert service.card(week["ada"]).summary.next_action_due == day(-3)
        assert "OVERDUE · 2" in screen_text(app)
        await press(pilot, "U")
        assert service.card(week["ada"]).summary.next_action_due == day(1)
        assert "OVERDUE · 1" in screen_text(app)
        assert showing(app) is screen


async def test_keys_typed_at_once_act_on_the_line_each_was_pressed_on(
    service: PipelineService, week: dict[str, int]
) -> None:
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await type_text(pilot, "jzt")  # Ivo, snoozed to tomorrow
        # The snooze is a store call, a read, then the cursor moves: waited for as a
        # whole, since a quiet moment between them is not the end of it.
        await wait_for(pilot, lambda: highlighted_name(screen) == "Bea Quist", "the next line")
        assert showing(app) is screen
        assert service.card(week["ivo"]).summary.next_action_due == day(1)
        assert service.card(week["ada"]).summary.next_action_due == day(-3)
        await type_text(pilot, "xSend the slides")  # done, and the next step typed at once
        await wait_for(
            pilot,
            lambda: isinstance(showing(app), NextActionScreen),
            "the next-step dialog",
            dialog=True,
        )
        assert isinstance(showing(app), NextActionScreen)
        assert showing(app).query_one("#action", Input).value == "Send the slides"
        await press(pilot, "enter")
        assert showing(app) is screen
        card = service.card(week["bea"])
        assert card.summary.next_action == "Send the slides"
        assert [t.kind for t in card.touchpoints] == [TouchpointKind.MEETING]  # "Demo..."
        assert highlighted_name(screen) == "Ivo [b]Bold[/b]"  # tomorrow now, after Bea


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(("z", "t"), id="z-t"),
        pytest.param(("z", "d", *"+2d", "enter"), id="z-d-date"),
        pytest.param(("f", "enter"), id="f-enter"),
    ],
)
async def test_keys_typed_after_a_step_is_dealt_with_act_on_the_line_that_took_its_place(
    service: PipelineService, week: dict[str, int], answer: tuple[str, ...]
) -> None:
    """Ada's step snoozed (or set again with `f`), then `j`, `z`, `t` in the same read:
    typed slowly, the cursor moves on to Ivo, `j` takes it to Bea and Bea is snoozed.
    The answer's key let the keys behind it go before the step was saved and the week
    read again: `j` moved the cursor from Ada to Ivo, the week read again then put it
    on Ivo (the line after Ada), and Ivo's step was snoozed, a card the rep never
    highlighted."""
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert highlighted_name(screen) == "Ada Lovelace"
        await burst(pilot, *answer, "j", "z", "t")
        assert showing(app) is screen
        assert service.card(week["ivo"]).summary.next_action_due == day(-1)  # untouched
        assert service.card(week["bea"]).summary.next_action_due == day(1)


async def test_keys_typed_with_w_act_on_the_week_once_it_is_read(
    service: PipelineService, week: dict[str, int]
) -> None:
    """ "wzt" in one read: the keys wait for the week's lines (they fell on an empty list
    while it was read, and nothing was snoozed, without a word)."""
    async with running(service) as (app, pilot):
        await burst(pilot, "w", "z", "t")
        assert isinstance(showing(app), AgendaScreen)
        assert service.card(week["ada"]).summary.next_action_due == day(1)


async def test_keys_typed_with_o_act_on_the_list_it_shows(
    service: PipelineService, database: Database, week: dict[str, int]
) -> None:
    """ "ozt": only the rep's cards, then snooze the first of them, not the teammate's
    card that topped everyone's list while the rep's own was read."""
    zoe = PipelineService(database, user="zoe", clock=lambda: NOW)
    zed = add(zoe, "Zed Owens", "Chase the invoice", day(-5))
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert highlighted_name(screen) == "Zed Owens"
        await burst(pilot, "o", "z", "t")
        assert showing(app) is screen and screen.only_mine
        assert service.card(zed).summary.next_action_due == day(-5)
        assert service.card(week["ada"]).summary.next_action_due == day(1)


async def test_no_user_text_is_read_as_markup_on_the_week(
    service: PipelineService, parsed: list[str]
) -> None:
    for n, text in enumerate(HOSTILE):
        add(service, text, text, day(-3 if n == 0 else n % 9 - 1), organisation=text)
    async with running(service, (160, 45), notifications=True) as (app, pilot):
        screen = await open_week(pilot)
        assert "Old Co [/ex-client]" in screen_text(app)
        await tap(pilot, "z")
        assert "Snooze Old Co [/ex-client] (Old Co [/ex-client])" in screen_text(app)
        await tap(pilot, "d")
        assert isinstance(showing(app), SnoozeDateScreen)
        await press(pilot, "escape")
        # A toast naming the step and the card, then the dialog.
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(showing(app), NextActionScreen)
        await press(pilot, "escape")
        await tap(pilot, "z", "t")
        await press(pilot, "u", "question_mark", "escape")
        assert showing(app) is screen
    assert_no_user_text_parsed(parsed)


def scheduled(service: PipelineService, name: str, kind: ActivityKind, text: str, due: date) -> int:
    """A card whose one step was scheduled with a kind its words do not name."""
    card_id = service.add_card(CardDraft(name=name), Stage.PROSPECT).card_id
    service.add_activity(card_id, kind, text, due)
    return card_id


async def test_x_logs_the_kind_the_step_was_scheduled_as_not_what_its_words_say(
    service: PipelineService,
) -> None:
    """An email "Quote for the pilot" and a meeting "Pricing review" done with x in the
    week were logged as conversations (read from their first word), while x on the card
    logged them as an email and a meeting."""
    ann = scheduled(service, "Ann Lee", ActivityKind.EMAIL, "Quote for the pilot", day(-1))
    ben = scheduled(service, "Ben Hollis", ActivityKind.MEETING, "Pricing review", day(0))
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        for card_id, kind in ((ann, TouchpointKind.EMAIL), (ben, TouchpointKind.MEETING)):
            assert screen.highlighted is not None and screen.highlighted.card_id == card_id
            await tap(pilot, "x", opens=NextActionScreen)
            assert isinstance(app.screen, NextActionScreen)
            await press(pilot, "escape")
            assert showing(app) is screen
            assert [t.kind for t in service.card(card_id).touchpoints] == [kind]


async def test_the_line_over_the_week_stays_one_line_as_the_terminal_narrows(
    service: PipelineService, week: dict[str, int]
) -> None:
    """At 60 columns the line wrapped onto a second line, pushing the steps down."""
    async with running(service, (80, 24)) as (app, pilot):
        await open_week(pilot)
        counts = "2 overdue · 1 today · 2 in the next 7 days"
        for size, summary in (
            ((80, 24), f"Mon 23 Nov 2026 · everyone's · {counts}"),
            ((60, 20), f"everyone's · {counts}"),
            ((70, 20), f"Mon 23 Nov · everyone's · {counts}"),
        ):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            lines = screen_text(app).splitlines()
            assert lines[1].strip() == summary, lines[:3]
            assert lines[2].strip() == "OVERDUE · 2", lines[:3]


async def test_a_change_kept_for_a_later_step_of_the_week_changes_that_step(
    service: PipelineService, week: dict[str, int]
) -> None:
    """`f` on the line of Ada's second step changes that step. Typed there, then the
    session ended: `f` on her first line (her earliest step) offers the draft back.
    Restored and saved there, it went over the earliest step, and the step it was
    typed for kept its words."""
    service.add_activity(week["ada"], None, "Send the case study", day(2))
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        await press(pilot, "j", "j", "j")
        item = screen.highlighted
        assert item is not None and item.action == "Send the case study"
        await tap(pilot, "f", opens=NextActionScreen)
        await type_text(pilot, " and the deck")
        app.flush_drafts()  # a hang-up
    async with running(service) as (app, pilot):
        screen = await open_week(pilot)
        assert highlighted_name(screen) == "Ada Lovelace"  # her earliest step's line
        await tap(pilot, "f", "r")
        assert isinstance(app.screen, NextActionScreen)
        assert "Change the step kept" in screen_text(app)
        await press(pilot, "enter")
    steps = [(a.text, a.due) for a in service.activities(week["ada"])]
    assert steps == [
        ("Call about the proposal", day(-3)),
        ("Send the case study and the deck", day(2)),
    ]


@pytest.mark.parametrize("later_step", [False, True], ids=["next action", "later step"])
async def test_f_on_a_line_a_teammate_changed_since_the_week_read_it_shows_their_words(
    service: PipelineService, later_step: bool
) -> None:
    """A teammate reworded the step while the week showed it (before its next look):
    `f` opened on the week's old words and saved the rep's over the teammate's, no
    conflict said, as the line's step was saved against the card read at `f`."""
    bob = PipelineService(service.database, "bob", clock=lambda: NOW)
    draft = CardDraft(name="Hana Ito", next_action="Send brochure", next_action_due=TODAY)
    card = service.add_card(draft, Stage.LEAD).card_id
    if later_step:
        version = service.card(card).summary.version
        service.add_activity(card, None, "Call Hana", TODAY + timedelta(days=3), None, version)
    [step] = [a for a in service.activities(card) if a.text in ("Send brochure", "Call Hana")][-1:]
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "w", "g")
        if later_step:
            await press(pilot, "j")
        assert isinstance(app.screen, AgendaScreen)
        version = bob.card(card).summary.version
        bob.edit_activity(step.id, None, f"{step.text} with the CFO", step.due, None, version)
        await tap(pilot, "f")
        assert isinstance(app.screen, NextActionScreen)
        assert app.screen.inputs["action"].value == f"{step.text} with the CFO"
        await type_text(pilot, " (ann)")
        await tap(pilot, "enter")
        await settle(pilot)
    assert f"{step.text} with the CFO (ann)" in [a.text for a in service.activities(card)]


async def test_f_on_a_line_whose_step_was_done_elsewhere_sets_the_cards_next_action(
    service: PipelineService,
) -> None:
    """The step on the line was done in another session before the week looked again:
    `f` and the words typed with it ("quo") were refused, and the "u" among them undid
    the rep's last change on the week. The dialog opens on the card's next action as it
    is now, says so, and takes the words."""
    bob = PipelineService(service.database, "bob", clock=lambda: NOW)
    due = TODAY - timedelta(days=2)
    ada = service.add_card(
        CardDraft(name="Ada Lee", next_action="Send brochure", next_action_due=due), Stage.LEAD
    ).card_id
    async with running(service, (100, 30), notifications=True) as (app, pilot):
        await press(pilot, "w", "g")
        assert isinstance(app.screen, AgendaScreen)
        version = bob.card(ada).summary.version
        bob.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version)
        await burst(pilot, "f", *"quo", dialog=True)
        assert isinstance(app.screen, NextActionScreen)
        assert app.screen.inputs["action"].value == "quo"
        assert any("done or dropped elsewhere" in m for m in notification_messages(app))
        await type_text(pilot, "te the renewal")
        await tap(pilot, "enter")
        await settle(pilot)
    assert service.card(ada).summary.next_action == "quote the renewal"
