"""The stand-up's week ahead and ledger: "coming up this week" and "no next action"
sections worked in place (x done, f next, z snooze, enter open), and the team ledger
since the last stand-up, on the screen (`l`) and from `pipeline-tui standup
--since-standup`.

Today is Monday 2026-11-23 (tests.standup_data): the last stand-up was Friday 20.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.screen import Screen

from pipeline_tui.cli import main
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.snooze import SnoozeDateScreen
from pipeline_tui.ui.screens.standup import StandupList, StandupScreen
from tests.conftest import NOW, TODAY, OpenSeeded, SeedFile
from tests.pilot import make_app, press, running, screen_text, settle, tap, type_text
from tests.standup_data import seed_team
from tests.test_markup_safety import HOSTILE, assert_no_user_text_parsed
from tests.test_markup_safety import parsed as parsed  # the fixture: every markup parsed

FRIDAY = date(2026, 11, 20)


@pytest.fixture
def team(open_seeded: OpenSeeded) -> tuple[PipelineService, dict[str, int]]:
    database, ids = open_seeded(seed_team)
    return PipelineService(database, "sam", clock=lambda: NOW), ids


def slip(service: PipelineService, card_id: int, action: str, due: date) -> None:
    """Give a card a step that fell due after the last stand-up and is still open."""
    version = service.card(card_id).summary.version
    service.set_next_action(card_id, action, due, version)


async def open_standup(pilot: Any) -> StandupScreen:
    await press(pilot, "s")
    screen = pilot.app.screen
    assert isinstance(screen, StandupScreen)
    return screen


def showing(app: PipelineApp) -> Screen[Any]:
    return app.screen


def highlighted_name(screen: StandupScreen) -> str | None:
    card = screen.highlighted
    return card.name if card is not None else None


def line_of(lines: list[str], words: str) -> int:
    return next(n for n, line in enumerate(lines) if words in line)


LEDGER_LINE = re.compile(r"(\d+) due \((\d+) done · (\d+) open today · (\d+) slipped\)")


def assert_ledger_adds_up(text: str, reps: int) -> None:
    """Each rep's ledger line names every part of what was due, and they add up."""
    found = LEDGER_LINE.findall(text)
    assert len(found) == reps, text
    for due, *parts in found:
        assert int(due) == sum(map(int, parts)), (due, parts)


async def test_the_week_ahead_and_cards_with_no_next_action(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = team
    async with running(service, (160, 45)) as (app, pilot):
        await open_standup(pilot)
        lines = screen_text(app).splitlines()
        coming = line_of(lines, "COMING UP THIS WEEK · 2")
        bare = line_of(lines, "NO NEXT ACTION · 2")
        assert line_of(lines, "DUE TODAY · 1") < coming < bare < line_of(lines, "MOVED SINCE")
        assert "tomorrow" in lines[coming + 1] and "Finn Grey" in lines[coming + 1]
        assert "Send pricing" in lines[coming + 1]
        assert "Wed 25" in lines[coming + 2] and "Hana Mori" in lines[coming + 2]
        for n, name in enumerate(("Cleo Marsh", "Ivo [b]Bold[/b]"), 1):
            assert name in lines[bare + n], name
        # Eve Stone, a repeat client between pieces of work, needs no step (DESIGN).
        assert "Eve Stone" not in "\n".join(lines[bare : line_of(lines, "MOVED SINCE")])


async def test_x_marks_the_step_done_then_asks_for_the_next(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        assert highlighted_name(screen) == "Ann Okafor"  # first overdue
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        card = service.card(ids["Ann"])
        assert card.summary.next_action == ""
        assert (TouchpointKind.EMAIL, TODAY, "Done: Send the checklist") in [
            (t.kind, t.happened_on, t.summary) for t in card.touchpoints
        ]
        await type_text(pilot, "Call about the checklist")
        await tap(pilot, "tab")
        await type_text(pilot, "wed")
        await press(pilot, "enter")
        assert showing(app) is screen
        summary = service.card(ids["Ann"]).summary
        assert (summary.next_action, summary.next_action_due) == (
            "Call about the checklist",
            date(2026, 11, 25),
        )
        text = screen_text(app)
        assert "OVERDUE · 1" in text and "! 7d late" not in text
        assert "COMING UP THIS WEEK · 3" in text
        # The cursor takes the place of the step done: Dev, the next overdue.
        assert highlighted_name(screen) == "Dev Patel"


async def test_x_and_z_do_nothing_on_a_card_with_no_next_action(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "j", "j", "j", "j", "j")  # Cleo: no next action
        assert highlighted_name(screen) == "Cleo Marsh"
        await press(pilot, "x", "z")
        assert showing(app) is screen
        assert [t.summary for t in service.card(ids["Cleo"]).touchpoints] == ["First contact"]


async def test_f_sets_a_next_action_on_a_card_with_none(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "j", "j", "j", "j", "j")
        assert highlighted_name(screen) == "Cleo Marsh"
        await tap(pilot, "f")
        assert isinstance(app.screen, NextActionScreen)
        await type_text(pilot, "Drop in with samples")
        await tap(pilot, "tab")
        await type_text(pilot, "+2d")
        await press(pilot, "enter")
        assert showing(app) is screen
        summary = service.card(ids["Cleo"]).summary
        assert (summary.next_action, summary.next_action_due) == (
            "Drop in with samples",
            date(2026, 11, 25),
        )
        text = screen_text(app)
        assert "NO NEXT ACTION · 1" in text
        assert "COMING UP THIS WEEK · 3" in text
        assert highlighted_name(screen) == "Ivo [b]Bold[/b]"  # on to the next line


async def test_z_t_snoozes_the_step_due_today_to_tomorrow(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "j", "j")  # Ben, due today
        assert highlighted_name(screen) == "Ben Hollis"
        await tap(pilot, "z")
        assert isinstance(app.screen, ChoiceScreen)
        assert "Snooze Call about the trade show (Ben Hollis)" in screen_text(app)
        await press(pilot, "t")
        assert showing(app) is screen
        summary = service.card(ids["Ben"]).summary
        assert (summary.next_action, summary.next_action_due) == (
            "Call about the trade show",
            date(2026, 11, 24),
        )
        text = screen_text(app)
        assert "DUE TODAY" in text and "Nothing due today." in text
        assert "COMING UP THIS WEEK · 3" in text


async def test_z_d_snoozes_a_step_coming_up_to_a_date_typed(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "j", "j", "j")  # Finn, due tomorrow
        assert highlighted_name(screen) == "Finn Grey"
        await tap(pilot, "z", "d")
        assert isinstance(app.screen, SnoozeDateScreen)
        await type_text(pilot, "2026-12-07")
        await press(pilot, "enter")
        assert showing(app) is screen
        assert service.card(ids["Finn"]).summary.next_action_due == date(2026, 12, 7)
        assert "COMING UP THIS WEEK · 1" in screen_text(app)
        # u takes it back, here as everywhere (it did nothing on the stand-up).
        await press(pilot, "u")
        assert service.card(ids["Finn"]).summary.next_action_due == TODAY + timedelta(days=1)
        assert "COMING UP THIS WEEK · 2" in screen_text(app)
        await press(pilot, "U")
        assert service.card(ids["Finn"]).summary.next_action_due == date(2026, 12, 7)


async def test_enter_opens_the_card_coming_up(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "j", "j", "j", "j")  # Hana, Wed 25
        assert highlighted_name(screen) == "Hana Mori"
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        assert app.screen.card_id == ids["Hana"]
        await press(pilot, "escape")
        assert showing(app) is screen


async def test_keys_typed_at_once_act_on_the_line_each_was_pressed_on(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        # x on Ann, then the next step typed straight after, before anything is drawn.
        await pilot.press("x", *"Phone Ann", "enter")
        await press(pilot)
        assert showing(app) is screen
        summary = service.card(ids["Ann"]).summary
        assert summary.next_action == "Phone Ann"
        assert service.card(ids["Dev"]).summary.next_action == "Kick-off call"


async def test_question_mark_lists_the_new_keys(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, _ = team
    async with running(service, (160, 45)) as (app, pilot):
        await open_standup(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for tip in (
            "Done: log it, then set the next",
            "Set the next action",
            "Snooze: tomorrow or a date",
            "Since the last stand-up, per rep: due, done, slipped",
        ):
            assert tip in text, tip


async def test_keys_from_the_config_rebind_the_standup(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    app = make_app(service, keymap={"standup.snooze": "Z", "standup.toggle_ledger": "L"})
    async with running(app) as (_, pilot):
        screen = await open_standup(pilot)
        await press(pilot, "z", "l")  # rebound: nothing happens
        assert showing(app) is screen
        assert "SINCE THE LAST STAND-UP" not in screen_text(app)
        await tap(pilot, "Z", "t")
        assert showing(app) is screen
        assert service.card(ids["Ann"]).summary.next_action_due == date(2026, 11, 24)
        await press(pilot, "L")
        assert "SINCE THE LAST STAND-UP" in screen_text(app)


async def test_an_empty_standup_has_nothing_to_act_on(service: PipelineService) -> None:
    async with running(service) as (app, pilot):
        screen = await open_standup(pilot)
        assert "Nothing due in the next 7 days." in screen_text(app)
        await press(pilot, "x", "f", "z", "enter", "l")  # nothing to act on: stays put
        assert showing(app) is screen
        assert "Nothing was due and nothing was logged." in screen_text(app)


async def test_l_shows_the_ledger_and_a_slipped_step_can_be_done(
    team: tuple[PipelineService, dict[str, int]],
) -> None:
    service, ids = team
    slip(service, ids["Cleo"], "Drop off samples", FRIDAY)
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        assert "SINCE THE LAST STAND-UP" not in screen_text(app)
        await press(pilot, "l")
        lines = screen_text(app).splitlines()
        top = line_of(lines, "SINCE THE LAST STAND-UP (FRI 20)")
        assert top < line_of(lines, "OVERDUE")
        assert "sam  3 due (2 done · 0 open today · 1 slipped)" in lines[top + 1]
        assert "slipped" in lines[top + 2] and "Cleo Marsh" in lines[top + 2]
        assert "Drop off samples (3d late)" in lines[top + 2]
        # Ben's step is due today and still open: the third part of what was due.
        assert "ana  2 due (1 done · 1 open today · 0 slipped)" in screen_text(app)
        assert_ledger_adds_up(screen_text(app), 2)
        assert highlighted_name(screen) == "Cleo Marsh"  # the first line to act on
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert showing(app) is screen
        assert "sam  3 due (3 done · 0 open today · 0 slipped)" in screen_text(app)
        await press(pilot, "l")
        assert "SINCE THE LAST STAND-UP" not in screen_text(app)
        await press(pilot, "l", "j", "l")  # the ledger, its second line, and off again
        assert highlighted_name(screen) == "Ann Okafor"  # the first line, not the second


async def test_no_user_text_is_read_as_markup_on_the_standup(
    service: PipelineService, parsed: list[str]
) -> None:
    for n, name in enumerate(HOSTILE):
        due = None if n % 3 == 2 else TODAY + timedelta(days=-1 if n == 0 else n % 9 - 1)
        draft = CardDraft(name=name, organisation=name, next_action=name, next_action_due=due)
        card_id = service.add_card(draft, Stage.PROSPECT).card_id
        service.add_touchpoint(card_id, TouchpointKind.EMAIL, TODAY, name)
    async with running(service, (160, 45), notifications=True) as (app, pilot):
        screen = await open_standup(pilot)
        assert "Old Co [/ex-client]" in screen_text(app)
        await press(pilot, "l")
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
        await press(pilot, "question_mark", "escape")
        assert showing(app) is screen
    assert_no_user_text_parsed(parsed)


# The command line -------------------------------------------------------------------------


@pytest.fixture
def team_db(db_path: Path, monkeypatch: pytest.MonkeyPatch, seed_file: SeedFile) -> Path:
    ids = seed_file(db_path, seed_team)
    database = open_database(str(db_path))
    slip(
        PipelineService(database, "sam", clock=lambda: NOW), ids["Cleo"], "Drop off samples", FRIDAY
    )
    database.close()
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    return db_path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_cli_since_standup_prints_the_ledger_first(
    capsys: pytest.CaptureFixture[str], team_db: Path
) -> None:
    code, out = run_cli(capsys, "standup", "--db", str(team_db), "--since-standup")
    assert code == 0
    lines = out.splitlines()
    top = line_of(lines, "SINCE THE LAST STAND-UP (Fri 20)")
    assert top < line_of(lines, "OVERDUE")
    assert lines[top + 1 : top + 3] == [
        "  sam: 3 due (2 done · 0 open today · 1 slipped)",
        "  slipped    Cleo Marsh (Marsh Bakery): Drop off samples (3d late)",
    ]
    assert "  ana: 2 due (1 done · 1 open today · 0 slipped)" in lines
    assert_ledger_adds_up(out, 2)
    assert max(len(line) for line in lines) <= 80
    # Without the flag, no ledger.
    _, plain = run_cli(capsys, "standup", "--db", str(team_db))
    assert "SINCE THE LAST STAND-UP" not in plain


def test_cli_since_standup_markdown(capsys: pytest.CaptureFixture[str], team_db: Path) -> None:
    _, out = run_cli(
        capsys, "standup", "--db", str(team_db), "--since-standup", "--format", "markdown"
    )
    assert "## Since the last stand-up (Fri 20)" in out
    assert "| Rep | Due | Done | Open today | Slipped |" in out
    assert "| sam | 3 | 2 | 0 | 1 |" in out
    assert "| ana | 2 | 1 | 1 | 0 |" in out
    assert "- Slipped: **Cleo Marsh**: Drop off samples · due 2026-11-20 · sam" in out


def test_cli_json_has_the_week_and_the_ledger(
    capsys: pytest.CaptureFixture[str], team_db: Path
) -> None:
    _, out = run_cli(capsys, "standup", "--db", str(team_db), "--format", "json")
    data = json.loads(out)
    assert data["version"] == 1
    assert [(c["name"], c["due"]) for c in data["coming_up"]] == [
        ("Finn Grey", "2026-11-24"),
        ("Hana Mori", "2026-11-25"),
    ]
    assert [c["name"] for c in data["no_next_action"]] == ["Ivo [b]Bold[/b]"]  # not Eve: repeat
    sam = next(row for row in data["ledger"] if row["owner"] == "sam")
    assert (sam["due"], len(sam["done"]), [c["name"] for c in sam["slipped"]]) == (
        3,
        2,
        ["Cleo Marsh"],
    )
    assert sam["done"][0]["kind"] == TouchpointKind.SIGNUP.value


# How the ledger looks -------------------------------------------------------------------

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]


@pytest.fixture
def team_with_a_slip(seed_file: SeedFile, tmp_path: Path) -> Iterator[PipelineService]:
    """The team on a copy of a file seeded once per process (in memory, each test
    migrated and seeded its own: about 200 ms of CPU), and a step that slipped."""
    path = tmp_path / "team.db"
    ids = seed_file(path, seed_team)
    database = open_database(str(path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    slip(service, ids["Cleo"], "Drop off samples", FRIDAY)
    yield service
    database.close()


async def _open_ledger(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_standup_ledger_screen(
    snap_compare: Callable[..., bool], size: tuple[int, int], team_with_a_slip: PipelineService
) -> None:
    app = make_app(team_with_a_slip)
    assert snap_compare(app, terminal_size=size, run_before=_open_ledger)


async def test_x_logs_the_kind_each_step_was_scheduled_as(service: PipelineService) -> None:
    """An email "Quote for the pilot" done with x on the stand-up was logged as a
    conversation (read from its first word), and so was a later meeting "Pricing
    review" under coming up; x on the card logged them as an email and a meeting."""
    ann = service.add_card(CardDraft(name="Ann Lee"), Stage.PROSPECT).card_id
    service.add_activity(ann, ActivityKind.EMAIL, "Quote for the pilot", TODAY - timedelta(1))
    ben = service.add_card(CardDraft(name="Ben Hollis"), Stage.PROSPECT).card_id
    service.add_activity(ben, ActivityKind.CALL, "Ring about the date", TODAY)
    service.add_activity(ben, ActivityKind.MEETING, "Pricing review", TODAY + timedelta(2))
    async with running(service, (160, 45)) as (app, pilot):
        screen = await open_standup(pilot)
        assert highlighted_name(screen) == "Ann Lee"  # overdue: the card's own next action
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert [t.kind for t in service.card(ann).touchpoints] == [TouchpointKind.EMAIL]
        for _ in range(20):  # down to Ben's later step, under coming up this week
            card = screen.highlighted
            if card is not None and card.activity_id is not None:
                break
            await press(pilot, "j")
        assert card is not None and (card.name, card.next_action) == (
            "Ben Hollis",
            "Pricing review",
        )
        await tap(pilot, "x", opens=NextActionScreen)
        assert isinstance(app.screen, NextActionScreen)
        await press(pilot, "escape")
        assert showing(app) is screen
        done = service.card(ben)
        assert [t.kind for t in done.touchpoints] == [TouchpointKind.MEETING]
        assert done.summary.next_action == "Ring about the date"


async def test_the_highlighted_line_is_always_on_screen_or_there_is_none(
    service: PipelineService,
) -> None:
    """A ledger longer than the screen above the first card: l showed the ledger's top
    with that card highlighted out of sight, and x or enter then acted on a card the rep
    could not see. Now nothing is highlighted until j brings the card into sight; k on
    the first card, back to the headings, lets go of it the same way."""
    for n in range(30):
        card = service.add_card(CardDraft(f"Done {n:02}"), Stage.REPEAT).card_id
        service.add_touchpoint(card, TouchpointKind.CALL, TODAY, "Called")
    # Due before the last stand-up: overdue, under the ledger, not slipped within it.
    late = CardDraft("Zed Late", next_action="Call back", next_action_due=TODAY - timedelta(7))
    service.add_card(late, Stage.PROSPECT)
    async with running(service, (80, 24)) as (app, pilot):
        screen = await open_standup(pilot)
        for keys in (("l",), ("j", "k")):
            await press(pilot, *keys)
            assert "SINCE THE LAST STAND-UP" in screen_text(app)
            assert "Zed Late" not in screen_text(app)
            assert highlighted_name(screen) is None
            await press(pilot, "enter", "x")
            assert showing(app) is screen  # nothing out of sight opened or marked done
        await press(pilot, "j")
        assert highlighted_name(screen) == "Zed Late" and "Zed Late" in screen_text(app)
        await press(pilot, "G", "g")
        assert highlighted_name(screen) == "Zed Late" and "Zed Late" in screen_text(app)


def _overdue(service: PipelineService, count: int) -> list[int]:
    return [
        service.add_card(
            CardDraft(f"Over {n:02}", next_action="Call", next_action_due=TODAY - timedelta(9 + n)),
            Stage.PROSPECT,
        ).card_id
        for n in range(count)
    ]


async def test_no_key_leaves_the_highlight_out_of_sight_at_60x20(
    service: PipelineService,
) -> None:
    """Review of the highlight kept in sight: G scrolled its card away again (the
    figures under it are taller than the screen), page down with nothing highlighted
    went to the list's far end, and a re-read (w) went back to the first card."""
    _overdue(service, 12)
    async with running(service, (60, 20)) as (app, pilot):
        screen = await open_standup(pilot)

        def in_sight() -> bool:
            name = highlighted_name(screen)
            return name is None or name in screen_text(app)

        await press(pilot, "G")
        assert highlighted_name(screen) is not None and in_sight()
        for _ in range(40):  # on into the figures, past the last card
            await press(pilot, "j")
            assert in_sight()
        assert highlighted_name(screen) is None
        footer = screen_text(app).splitlines()[-1]
        top = screen.query_one(StandupList).scroll_offset.y
        await press(pilot, "w")  # the window changes: the lines are read again
        assert highlighted_name(screen) is None
        assert screen.query_one(StandupList).scroll_offset.y == top
        assert screen_text(app).splitlines()[-1] == footer
        for key in ("pageup", "pageup", "pagedown", "k", "g", "pagedown"):
            await press(pilot, key)
            assert in_sight(), key
        assert highlighted_name(screen) is not None


async def test_the_scrollbar_never_leaves_the_highlight_out_of_sight(
    service: PipelineService,
) -> None:
    """A click on the scrollbar's track (a page) or a drag of its thumb went around the
    list's own scrolling, and x or enter then acted on a card out of sight."""
    _overdue(service, 40)
    async with running(service, (80, 24)) as (app, pilot):
        screen = await open_standup(pilot)
        bar = screen.query_one(StandupList).vertical_scrollbar.region
        assert highlighted_name(screen) == "Over 39"
        await pilot.click(offset=(bar.x, bar.bottom - 2))  # the track under the thumb
        await settle(pilot)
        name = highlighted_name(screen)
        assert "Over 39" not in screen_text(app) and (name is None or name in screen_text(app))
        await pilot.mouse_down(offset=(bar.x, bar.y + 6))  # the thumb, dragged down
        await pilot.hover(offset=(bar.x, bar.y + 14))
        await pilot.mouse_up(offset=(bar.x, bar.y + 14))
        await settle(pilot)
        name = highlighted_name(screen)
        assert name is None or name in screen_text(app), name


async def test_k_takes_the_last_card_when_the_list_ends_above_the_screens_bottom(
    service: PipelineService,
) -> None:
    _overdue(service, 3)
    async with running(service, (60, 20)) as (app, pilot):
        screen = await open_standup(pilot)
        for _ in range(30):
            await press(pilot, "j")
        assert highlighted_name(screen) is None
        await pilot.resize_terminal(160, 45)  # the figures go to the side: the list fits
        await settle(pilot)
        assert "Over 00" in screen_text(app)
        await press(pilot, "k")
        assert highlighted_name(screen) is not None


async def test_lines_read_again_keep_the_view_and_the_highlighted_card(
    service: PipelineService,
) -> None:
    _overdue(service, 40)
    async with running(service, (80, 24)) as (_app, pilot):
        screen = await open_standup(pilot)
        lines = screen.query_one(StandupList)
        await press(pilot, "pagedown", "pagedown")
        before = (lines.scroll_offset.y, highlighted_name(screen))
        await press(pilot, "w")  # the window changes: the lines are read again
        assert (lines.scroll_offset.y, highlighted_name(screen)) == before
