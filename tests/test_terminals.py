"""Any terminal a rep has: 80x24 to 200x60, resized at will, 16 colours or none at all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, TextArea

from pipeline_tui.config import load_config
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui import seams
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from pipeline_tui.ui.themes import ANSI_THEME, DEFAULT_THEME
from pipeline_tui.ui.widgets.card_list import CardList
from pipeline_tui.ui.widgets.note_list import NoteList
from tests.conftest import TODAY
from tests.pilot import make_app, press, running, screen_text, settle, tap, type_text

LONG_NAME = "Bartholomew Fitzwilliam-Montgomery the Third of Greater Snoring"

Opener = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def filled(service: PipelineService) -> PipelineService:
    """A board with something in every column, a long name and an overdue action."""
    service.add_card(
        CardDraft(
            name=LONG_NAME,
            organisation="Snoring Holdings",
            next_action="Call about the renewal",
            next_action_due=TODAY - timedelta(days=3),
        ),
        Stage.LEAD,
    )
    service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD)
    service.add_card(CardDraft(name="Grace", organisation="Navy"), Stage.PROSPECT)
    service.add_card(CardDraft(name="Linus", organisation="Kernels"), Stage.CLIENT)
    return service


async def _board(pilot: Pilot[None]) -> None:
    await settle(pilot)


async def _card(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await press(pilot, "enter")


async def _note_editor(pilot: Pilot[None]) -> None:
    await _card(pilot)
    await press(pilot, "n", "p")
    await type_text(pilot, "Quotes take a week")
    await settle(pilot)


async def _card_form(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await press(pilot, "n")
    await type_text(pilot, "Half typed")
    await settle(pilot)


async def _standup(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await press(pilot, "s")


async def _help(pilot: Pilot[None]) -> None:
    await settle(pilot)
    await press(pilot, "question_mark")


SCREENS = [
    pytest.param(_board, BoardScreen, CardList, id="board"),
    pytest.param(_card, CardScreen, NoteList, id="card"),
    pytest.param(_note_editor, NoteEditorScreen, TextArea, id="note-editor"),
    pytest.param(_card_form, CardFormScreen, Input, id="card-form"),
    pytest.param(_standup, StandupScreen, None, id="standup"),
    pytest.param(_help, HelpScreen, None, id="help"),
]

SIZES = [(200, 60), (80, 24), (40, 12), (200, 60), (80, 24)]


@pytest.mark.parametrize(("open_screen", "screen_type", "focus_type"), SCREENS)
async def test_resizing_on_any_screen_keeps_focus_and_never_crashes(
    filled: PipelineService,
    open_screen: Opener,
    screen_type: type[Screen[None]],
    focus_type: type | None,
) -> None:
    async with running(filled) as (app, pilot):
        await open_screen(pilot)
        screen = app.screen
        assert isinstance(screen, screen_type)
        focused = app.focused
        if focus_type is not None:
            assert isinstance(focused, focus_type)
        for size in SIZES:
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert app.screen is screen, f"the screen changed at {size}"
            assert app.focused is focused, f"focus moved at {size}"
            assert app.size == size
            assert screen_text(app).strip(), f"nothing drawn at {size}"
        assert app.return_code is None  # still running: no exception ended the app
        # Keys still reach the same place after all that resizing.
        if isinstance(focused, Input | TextArea):
            await type_text(pilot, "!")
            assert "!" in (focused.value if isinstance(focused, Input) else focused.text)


async def test_80x24_board_shows_every_column_and_cuts_long_names(
    filled: PipelineService,
) -> None:
    async with running(filled) as (app, _):
        text = screen_text(app)
        for card in ("Ada", "Grace", "Linus"):
            assert card in text
        assert "Bartholomew" in text
        assert LONG_NAME not in text  # cut to the column ...
        assert "…" in text  # ... and the cut is marked
        assert "Quit" in text  # the footer is on screen


async def test_200x60_board_spreads_out_and_shows_whole_names(
    filled: PipelineService,
) -> None:
    async with running(filled, (200, 60)) as (app, _):
        columns = list(app.screen.query(CardList))
        assert all(column.size.width >= 45 for column in columns)
        assert "Bartholomew Fitzwilliam-Montgomery" in screen_text(app)


async def test_resizing_the_board_keeps_the_highlighted_card(filled: PipelineService) -> None:
    async with running(filled) as (app, pilot):
        await press(pilot, "j")
        before = app.focused
        assert isinstance(before, CardList) and before.highlighted is not None
        assert before.cursor == 1
        name = before.highlighted.name
        await pilot.resize_terminal(200, 60)
        await settle(pilot)
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        focused = app.focused
        assert isinstance(focused, CardList)
        assert focused.highlighted is not None
        assert focused.highlighted.name == name


# Colours: meaning never depends on them --------------------------------------------------


def _without_colour_hints(monkeypatch: pytest.MonkeyPatch, term: str) -> None:
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("TEXTUAL_COLOR_SYSTEM", raising=False)


@pytest.mark.parametrize(
    ("term", "theme"),
    [
        ("xterm-256color", DEFAULT_THEME),
        ("screen-256color", DEFAULT_THEME),
        ("screen", ANSI_THEME),
        ("linux", ANSI_THEME),
        ("xterm", ANSI_THEME),
    ],
)
def test_the_ansi_theme_is_picked_where_only_16_colours_exist(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch, term: str, theme: str
) -> None:
    _without_colour_hints(monkeypatch, term)
    assert PipelineApp(service, theme=None).theme == theme


def test_true_colour_terminals_keep_the_default_theme(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    _without_colour_hints(monkeypatch, "screen")
    monkeypatch.setenv("COLORTERM", "truecolor")
    assert PipelineApp(service, theme=None).theme == DEFAULT_THEME


def test_a_theme_the_rep_chose_wins_even_on_the_linux_console(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _without_colour_hints(monkeypatch, "linux")
    config = tmp_path / "config.toml"
    config.write_text("[ui]\ntheme = 'pipeline-light'\n", encoding="utf-8")
    chosen = load_config(str(config))
    assert chosen.theme_chosen
    assert PipelineApp(service, theme=chosen.theme).theme == "pipeline-light"
    config.write_text("[user]\nname = 'sam'\n", encoding="utf-8")
    unchosen = load_config(str(config))
    assert not unchosen.theme_chosen
    assert not load_config().theme_chosen  # no config file at all


def test_the_cli_lets_the_terminal_pick_unless_the_config_names_a_theme(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from pipeline_tui import cli

    seen: list[str | None] = []

    def fake_run(self: PipelineApp, *args: object, **kwargs: object) -> None:
        seen.append(self.theme)

    _without_colour_hints(monkeypatch, "linux")
    monkeypatch.setattr(PipelineApp, "run", fake_run)
    monkeypatch.setattr(cli, "in_a_terminal", lambda: True)
    database = str(tmp_path / "p.db")
    assert cli.main(["--db", database]) == 0
    config = tmp_path / "config.toml"
    config.write_text("[ui]\ntheme = 'pipeline-dark'\n", encoding="utf-8")
    assert cli.main(["--db", database, "--config", str(config)]) == 0
    assert seen == [ANSI_THEME, "pipeline-dark"]


@pytest.mark.parametrize(
    ("term", "no_color"),
    [
        ("xterm-256color", False),
        ("screen", False),
        ("linux", False),
        ("xterm-256color", True),
    ],
)
async def test_overdue_and_focus_are_marked_with_symbols_not_only_colour(
    filled: PipelineService, monkeypatch: pytest.MonkeyPatch, term: str, no_color: bool
) -> None:
    _without_colour_hints(monkeypatch, term)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    async with running(make_app(filled, theme=None)) as (app, pilot):
        assert app.no_color is no_color
        lines = screen_text(app).splitlines()
        # The focused card has a gutter bar; the overdue date a "!".
        assert any(line.startswith("│▌ Ada ") for line in lines), "\n".join(lines)
        assert not any(line.startswith("│▌ Bartholomew") for line in lines)
        assert any(line.startswith("│  Snorin… !3d late│") for line in lines)
        # The focused column's title carries a mark; the others do not.
        top = next(line for line in lines if "Lead" in line and "Prospect" in line)
        assert "▸ Lead" in top and top.count("▸") == 1, top
        await press(pilot, "l")
        top = next(line for line in screen_text(app).splitlines() if "Prospect" in line)
        assert "▸ Prospect" in top and top.count("▸") == 1, top
        # The stand-up says what is overdue and stale in words, not only in colour.
        await press(pilot, "s")
        text = screen_text(app)
        assert "1 overdue" in text
        assert "OVERDUE" in text
        assert "0 stale" in text


def _unreadable_cells(app: PipelineApp) -> list[tuple[int, int, str]]:
    """Cells whose text is drawn in the colour of their own background."""
    unreadable = []
    for y, line in enumerate(seams.screen_lines(app.screen)):
        for x, character in enumerate(line):
            if character.strip():
                style = app.screen.get_style_at(x, y)
                colour, background = style.color, style.bgcolor
                # The terminal's default colours are two colours, whatever their name.
                if colour is not None and not colour.is_default and colour == background:
                    unreadable.append((x, y, character))
    return unreadable


async def test_the_ansi_themes_highlighted_lines_are_readable(filled: PipelineService) -> None:
    """The ANSI theme (the Linux console, TERM=screen) highlights a list's line in
    white; the muted parts of a line (organisation, owner, dates) were white too:
    text drawn white on white in the stand-up, the week and the notes list."""
    ada = next(card.id for card in filled.board()[Stage.LEAD] if card.name == "Ada")
    filled.add_note(ada, NoteKind.GOAL, "Ship by March")
    async with running(make_app(filled, theme=ANSI_THEME), (100, 30)) as (app, pilot):
        await press(pilot, "s")  # the stand-up, its first card highlighted
        assert isinstance(app.screen, StandupScreen)
        assert not _unreadable_cells(app), screen_text(app)
        await press(pilot, "escape", "j", "enter")  # Ada's card, its note highlighted
        assert isinstance(app.screen, CardScreen)
        assert not _unreadable_cells(app), screen_text(app)


@pytest.mark.parametrize("theme", [ANSI_THEME, DEFAULT_THEME])
async def test_the_board_shows_under_a_dialog_in_every_theme(
    filled: PipelineService, theme: str
) -> None:
    """A dialog dims what it was opened over; the ANSI theme cannot blend colours, and
    dimmed, the board under the dialog came out blank on the Linux console."""
    async with running(make_app(filled, theme=theme), (80, 24)) as (app, pilot):
        await tap(pilot, "f")  # the highlighted card's next action
        assert isinstance(app.screen, NextActionScreen)
        above_the_dialog = "\n".join(screen_text(app).splitlines()[:3])
        assert "Prospect" in above_the_dialog and "Client" in above_the_dialog, screen_text(app)
