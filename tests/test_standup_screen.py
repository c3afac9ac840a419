"""The stand-up screen driven from the keyboard, and how it looks at 80x24 and 160x45."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.standup import StandupList, StandupScreen
from pipeline_tui.ui.widgets import line_list
from tests.conftest import NOW, TODAY, OpenSeeded, SeedFile
from tests.pilot import burst, make_app, press, running, screen_text, settle, wait_for
from tests.standup_data import seed_team
from tests.test_agenda_screen import seed_week

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
SnapCompare = Callable[..., bool]


@pytest.fixture
def team_service(open_seeded: OpenSeeded) -> PipelineService:
    database, _ = open_seeded(seed_team)
    return PipelineService(database, "sam", clock=lambda: NOW)


@pytest.fixture
def team_copy(seed_file: SeedFile, tmp_path: Path) -> Iterator[PipelineService]:
    """The team on a copy of a file seeded once per process (in memory, each test
    migrated and seeded its own: about 200 ms of CPU)."""
    path = tmp_path / "team.db"
    seed_file(path, seed_team)
    database = open_database(str(path))
    yield PipelineService(database, "sam", clock=lambda: NOW)
    database.close()


async def test_s_opens_the_standup_and_escape_returns(team_service: PipelineService) -> None:
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        text = screen_text(app)
        for expected in (
            "OVERDUE · 2",
            "! 7d late",
            "Ann Okafor",
            "DUE TODAY · 1",
            "MOVED SINCE FRI 20 · 1",
            "Lead → Prospect",
            "NEW LEADS · 3",
            "Ivo [b]Bold[/b]",  # user text stays literal
            "STALE · 3",
            "145d idle",
            "PIPELINE · conversion over 7 days",
            "25%",
            "FUNNEL",
            "█",
        ):
            assert expected in text, expected
        await press(pilot, "escape")
        assert isinstance(app.screen, BoardScreen)


async def test_window_keys_change_the_conversion(team_service: PipelineService) -> None:
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, StandupScreen)
        await press(pilot, "3")
        assert screen.standup is not None and screen.standup.window == 30
        assert "conversion over 30 days" in screen_text(app)
        assert [c.entered for c in screen.standup.conversion] == [6, 4, 1]
        await press(pilot, "w")
        assert screen.standup.window == 90
        await press(pilot, "7")
        assert screen.standup.window == 7
        assert "conversion over 7 days" in screen_text(app)


async def test_owner_toggle_shows_only_my_cards(team_service: PipelineService) -> None:
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, StandupScreen)
        assert "Dev Patel" in screen_text(app)
        await press(pilot, "o")
        assert screen.standup is not None and screen.standup.owner == "sam"
        text = screen_text(app)
        assert "Dev Patel" not in text
        assert "OVERDUE · 1" in text
        assert "ana" in text and "sam" in text  # team counts stay for everyone
        await press(pilot, "o")
        assert screen.standup.owner is None
        assert "Dev Patel" in screen_text(app)


async def test_enter_opens_the_card_and_escape_comes_back(team_service: PipelineService) -> None:
    async with running(team_service) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        standup: StandupScreen = app.screen
        # The cursor starts on the oldest overdue card; down goes to the next one.
        await press(pilot, "down", "enter")
        card = app.screen
        assert isinstance(card, CardScreen)
        assert "Dev Patel" in screen_text(app)
        await press(pilot, "escape")
        assert app.screen is standup
        lines = standup.query_one(StandupList)
        option = lines.highlighted_option
        assert option is not None and standup.card_ids[option.id or ""] == 4


def _section(text: str, heading: str, next_heading: str) -> str:
    return text[text.index(heading) : text.index(next_heading)]


async def test_a_long_section_lists_its_first_cards_and_enter_on_more_lists_them_all(
    team_service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 10,000 cards a section held thousands of lines. Each lists its first cards
    (one here); the line after them says how many more, and enter on it lists them,
    the cursor on the first of them."""
    monkeypatch.setattr(line_list, "SECTION_LINES", 1)
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        screen: StandupScreen = app.screen
        assert screen.standup is not None
        oldest, newer = (card.name for card in screen.standup.overdue)
        overdue = _section(screen_text(app), "OVERDUE · 2", "DUE TODAY")
        assert oldest in overdue and newer not in overdue
        assert "… 1 more: enter lists them" in overdue
        # Further down, below the screen's end: the stale cards, counted whole.
        lines = screen.query_one(StandupList)
        assert "2 more" in str(lines.get_option("more-stale").prompt)
        assert "3 stale" in str(screen.sub_title)

        await press(pilot, "down")  # from the oldest overdue card to its "more" line
        await press(pilot, "r")  # read again: the cursor stays on the line
        option = lines.highlighted_option
        assert option is not None and option.id == "more-overdue"
        assert screen.check_action("done", ()) is None  # no step to act on there
        await press(pilot, "enter")
        assert not isinstance(app.screen, CardScreen), "enter on the more line opened a card"
        overdue = _section(screen_text(app), "OVERDUE · 2", "DUE TODAY")
        assert oldest in overdue and newer in overdue and "more" not in overdue
        highlighted = screen.highlighted
        assert highlighted is not None and highlighted.name == newer
        await press(pilot, "r")  # the section stays open
        assert newer in _section(screen_text(app), "OVERDUE · 2", "DUE TODAY")
        await press(pilot, "enter")  # now a card line: enter opens it
        assert isinstance(app.screen, CardScreen)
        assert newer in screen_text(app)


async def test_keys_typed_with_s_act_on_the_standup_once_it_is_read(
    team_service: PipelineService,
) -> None:
    """ "s", down, enter in one read: the keys wait for the lines (they moved over an
    empty list while it was read, and the enter opened nothing)."""
    async with running(team_service) as (app, pilot):
        await burst(pilot, "s", "down", "enter")
        assert isinstance(app.screen, CardScreen)
        assert "Dev Patel" in screen_text(app)


@pytest.mark.parametrize(
    "answer",
    [pytest.param(("z", "t"), id="z-t"), pytest.param(("z", "d", *"+2d", "enter"), id="z-d")],
)
async def test_keys_typed_after_a_snooze_act_on_the_line_that_took_its_place(
    service: PipelineService, answer: tuple[str, ...]
) -> None:
    """Ada's step snoozed, then `j`, `z`, `t` in the same read: typed slowly, the cursor
    moves on to Ivo (the line that took Ada's place), `j` takes it to Bea and Bea is
    snoozed. The answer's key let the keys behind it go before the snooze was saved and
    the stand-up read again: `j` moved the cursor to Ivo first, the stand-up read again
    kept it there, and Ivo's step was snoozed, a card the rep never highlighted."""
    week = seed_week(service)
    async with running(service) as (app, pilot):
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, StandupScreen)
        assert screen.highlighted is not None and screen.highlighted.name == "Ada Lovelace"
        await burst(pilot, *answer, "j", "z", "t")
        assert app.screen is screen
        assert service.card(week["ivo"]).summary.next_action_due == TODAY - timedelta(days=1)
        assert service.card(week["bea"]).summary.next_action_due == TODAY + timedelta(days=1)


async def test_the_cursor_skips_headings_and_reaches_the_figures_at_80x24(
    team_service: PipelineService,
) -> None:
    async with running(team_service) as (app, pilot):
        await press(pilot, "s")
        screen = app.screen
        assert isinstance(screen, StandupScreen)
        lines = screen.query_one(StandupList)
        seen = []
        for _ in range(12):
            option = lines.highlighted_option
            assert option is not None and not option.disabled
            seen.append(screen.card_ids[option.id or ""])
            await pilot.press("j")
        assert len(seen) == 12
        await press(pilot, "G", "j", "j")
        text = screen_text(app)
        assert "TEAM" in text
        assert "sam" in text


async def test_a_long_next_action_wraps_under_its_card_not_under_the_labels(
    service: PipelineService,
) -> None:
    """At 80x24 the rest of a long next action went back to the first column, under the
    day labels, where it read as a line of its own; in the week (w) too."""
    action = "Send the revised proposal with the three pricing options and the onboarding plan"
    service.add_card(
        CardDraft("Priya Raman", "Northwind", next_action=action, next_action_due=TODAY),
        Stage.PROSPECT,
    )
    async with running(service, (80, 24)) as (app, pilot):
        for key in ("s", "escape", "w"):
            await press(pilot, key)
            if key == "escape":
                continue
            lines = screen_text(app).splitlines()
            first = next(i for i, line in enumerate(lines) if line.startswith(" today "))
            assert lines[first + 1].startswith(" " * 12 + "Send the revised proposal"), key
            assert lines[first + 2].startswith(" " * 12 + "onboarding plan"), key


async def test_a_long_line_of_the_ledger_wraps_under_its_card_too(
    service: PipelineService,
) -> None:
    """A call logged with a long summary: the rest of it went back to the first column,
    under "done", where it read as a row of its own (or as a due day, "today")."""
    card = service.add_card(CardDraft("Carla Cruz", "Cruz & Co"), Stage.PROSPECT).card_id
    summary = "Sent the case study and the pricing sheet, she forwarded it to her partner"
    service.add_touchpoint(card, TouchpointKind.EMAIL, TODAY, summary)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "s", "l")
        lines = screen_text(app).splitlines()
        done = next(i for i, line in enumerate(lines) if line.startswith(" done "))
        assert "Carla Cruz" in lines[done] and "Sent the case study" in lines[done]
        assert lines[done + 1].startswith(" " * 12) and "partner" in lines[done + 1]


async def test_empty_pipeline_standup(service: PipelineService) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "s")
        text = screen_text(app)
        assert "Nothing overdue." in text
        await press(pilot, "enter")  # nothing to open: stays put
        assert isinstance(app.screen, StandupScreen)


async def _open_standup(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_standup_screen(
    snap_compare: SnapCompare, size: tuple[int, int], team_copy: PipelineService
) -> None:
    app = make_app(team_copy)
    assert snap_compare(app, terminal_size=size, run_before=_open_standup)


async def test_the_line_over_the_standup_stays_one_line_as_the_terminal_narrows(
    team_service: PipelineService,
) -> None:
    """At 60 columns the line wrapped its last word ("days") onto a line of its own,
    pushing the cards down; the year, then the day, go first."""
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        for size, summary in (
            ((80, 24), "Mon 23 Nov 2026 · everyone · moves since Fri 20 · window 7 days"),
            ((60, 20), "Mon 23 Nov · everyone · moves since Fri 20 · window 7 days"),
        ):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            lines = screen_text(app).splitlines()
            assert lines[1].strip() == summary, lines[:3]
            assert lines[2].strip() == "OVERDUE · 2", lines[:3]
        await press(pilot, "w")  # a 30-day window: the day goes too
        lines = screen_text(app).splitlines()
        assert lines[1].strip() == "everyone · moves since Fri 20 · window 30 days", lines[:3]


async def test_the_funnel_bars_fit_a_narrow_terminal_after_a_resize(
    team_service: PipelineService,
) -> None:
    """At 60 columns the longest bar was drawn for 80 and wrapped onto a line of its own
    under "Lead 8"."""
    async with running(team_service, (80, 24)) as (app, pilot):
        await press(pilot, "s")
        await pilot.resize_terminal(60, 20)
        await settle(pilot)
        await press(pilot, "G")
        lines = [" ".join(line.split()) for line in screen_text(app).splitlines()]
        funnel = lines.index("FUNNEL · active cards at or past each stage")
        rows = lines[funnel + 1 : funnel + 5]
        for row, label in zip(
            rows, ("Lead 8 █", "Prospect 4 █", "Client 2 █", "Repeat"), strict=True
        ):
            assert row.startswith(label), rows
        assert rows[0].count("█") == 2 * rows[1].count("█"), rows


async def test_a_long_source_keeps_a_space_before_the_new_leads_name(
    team_service: PipelineService,
) -> None:
    """A lead from a conversation read "conversationGus O'Neill": the label filled its
    column. The sources under the list wrap under themselves, not under the labels."""
    gus = team_service.add_card(CardDraft("Gus O'Neill", "O'Neill Brewing"), Stage.LEAD)
    team_service.add_touchpoint(gus.card_id, TouchpointKind.CONVERSATION, TODAY, "Met at a fair")
    async with running(team_service, (60, 60)) as (app, pilot):
        await press(pilot, "s")
        lines = screen_text(app).splitlines()
        assert any("conversation Gus O'Neill" in line for line in lines), lines
        by_source = next(n for n, line in enumerate(lines) if "by source:" in line)
        wrapped = lines[by_source + 1]
        under = 1 + 11 + len("by source: ")  # the padding, the labels, "by source: "
        assert wrapped[:under].isspace() and wrapped[under].isalpha(), lines[by_source:][:2]


async def test_the_standup_line_for_a_long_name_stays_one_line_at_60_columns(
    open_seeded: OpenSeeded,
) -> None:
    database, _ = open_seeded(seed_team)
    rep = PipelineService(database, "Alexandra Konstantinopoulou", clock=lambda: NOW)
    async with running(rep, (60, 20)) as (app, pilot):
        await press(pilot, "s", "o")  # her own cards: the line names her
        lines = screen_text(app).splitlines()
        assert lines[1].strip() == "Alexandra K… · moves since Fri 20 · window 7 days", lines[:3]


async def test_a_card_archived_in_another_session_leaves_the_open_standup(
    team_service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Walked in two terminals: the stand-up, unlike the board and the week, showed
    what was there when it opened for as long as it stayed open (a card parked or
    moved on elsewhere still listed, its figures counted)."""
    monkeypatch.setattr(StandupScreen, "POLL_SECONDS", 0.05)
    [ann] = [card.id for card in team_service.cards() if card.name == "Ann Okafor"]
    kim = PipelineService(team_service.database, "kim", clock=lambda: NOW)
    async with running(team_service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        assert "Ann Okafor" in screen_text(app)
        kim.archive_card(ann, ArchiveReason.LOST)
        await wait_for(pilot, lambda: "Ann Okafor" not in screen_text(app), "Ann gone")
        assert "OVERDUE · 1" in screen_text(app)
