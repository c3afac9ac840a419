"""The app side of the config: [keys] rebinding, themes from the config folder, the picker,
and what the app remembers in its state file (never in the rep's config)."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from pipeline_tui.cli import start_theme
from pipeline_tui.config import AppState, default_config_path, default_state_path, load_state
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui import seams
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.seams import notifications
from tests.pilot import make_app, notification_messages, press, running, screen_text, settle


async def test_keys_from_the_config_rebind_board_actions(service: PipelineService) -> None:
    ann = service.add_card(CardDraft("Ann"), Stage.LEAD).card_id
    qualified = CriterionAnswer(Answer.YES)
    service.save_qualification(ann, dict.fromkeys(service.criteria, qualified))
    app = make_app(service, keymap={"board.move_on": "M,shift+right"})
    async with running(app) as (_, pilot):
        await press(pilot, "L")  # the old key no longer moves the card
        assert [c.name for c in service.board()[Stage.LEAD]] == ["Ann"]
        await press(pilot, "M")
        assert [c.name for c in service.board()[Stage.PROSPECT]] == ["Ann"]
        await press(pilot, "shift+right")  # focus followed the card
        assert [c.name for c in service.board()[Stage.CLIENT]] == ["Ann"]


async def test_key_conflicts_are_warnings_and_the_app_still_starts(
    service: PipelineService,
) -> None:
    app = make_app(service, keymap={"board.move_on": "l", "board.nothing": "x"})
    async with running(app):
        messages = notification_messages(app)
        assert any("'l' is bound to both" in m for m in messages)
        assert any("board.nothing" in m for m in messages)


async def test_a_broken_user_theme_warns_and_a_good_one_is_offered(
    service: PipelineService, tmp_path: Path
) -> None:
    config = tmp_path / "conf" / "config.toml"
    themes = config.parent / "themes"
    themes.mkdir(parents=True)
    (themes / "broken.toml").write_text("name = 'broken'\nprimary = 'nope'\n", encoding="utf-8")
    (themes / "mine.toml").write_text("name = 'mine'\nprimary = '#ff8800'\n", encoding="utf-8")
    app = make_app(service, config_file=config, theme="mine")
    async with running(app):
        assert app.theme == "mine"
        assert any("broken.toml" in n.message for n in notifications(app))


async def test_the_theme_picker_previews_live_and_remembers_the_choice(
    service: PipelineService,
) -> None:
    config = default_config_path()
    config.parent.mkdir(parents=True)
    mine = "# kim's settings\n[user]\nname = 'kim'\n[keys]\n'board.undo' = 'U'\n"
    config.write_text(mine, encoding="utf-8")
    state = default_state_path()
    app = make_app(service, config_file=config, theme="pipeline-dark", state_file=state)
    async with running(app) as (_, pilot):
        app.search_themes()
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"contrast")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)
        assert app.theme == "pipeline-high-contrast"  # previewed while still choosing
        await pilot.press("escape")
        await settle(pilot)
        assert app.theme == "pipeline-dark"  # escape puts the old theme back
        assert not state.exists()

        app.search_themes()
        await settle(pilot)
        await pilot.press(*"pipeline-ansi")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.theme == "pipeline-ansi"
    assert load_state(state).theme == "pipeline-ansi"
    assert config.read_text(encoding="utf-8") == mine  # the rep's file, comments and all


async def test_escape_from_a_previewed_theme_draws_the_board_again(
    service: PipelineService,
) -> None:
    # The palette stayed on the terminal after escape, over a board that took the keys
    # (a "n" typed to search again opened a new card): the theme put back restyled the
    # board while the pop held its repaints, and the board's whole repaint was dropped.
    app = make_app(service, theme="pipeline-dark")
    async with running(app) as (_, pilot):
        app.search_themes()
        await settle(pilot)
        assert app.theme != "pipeline-dark"  # the first theme listed, previewed
        with seams.frames_written(app) as frames:
            await press(pilot, "escape")
        assert app.theme == "pipeline-dark"
        assert isinstance(app.screen, BoardScreen)
        # The board drawn whole, last: in one frame when the palette's removal ends
        # within the pop's hold on repaints (seams.repaint_once_popped); a machine busy
        # enough to pass the hold's limit draws more frames, as a fresh clone's suite
        # did, and the removal's own whole repaint still comes last.
        assert frames and seams.whole_frame(frames[-1]), frames


async def test_a_theme_picked_while_the_config_names_one_says_which_wins(
    service: PipelineService,
) -> None:
    state = default_state_path()
    app = make_app(service, theme="pipeline-dark", state_file=state, theme_in_config=True)
    async with running(app, notifications=True) as (_, pilot):
        app.choose_theme("pipeline-light")
        await settle(pilot)
        assert app.theme == "pipeline-light"
        assert any("comes first at the next start" in n.message for n in app._notifications)
    assert load_state(state).theme == "pipeline-light"


def test_the_config_s_theme_comes_first_then_the_one_picked_last(tmp_path: Path) -> None:
    from pipeline_tui.config import load_config

    picked = AppState(theme="pipeline-light")
    assert start_theme(load_config(), picked) == "pipeline-light"
    assert start_theme(load_config(), AppState()) is None  # the terminal decides
    config = tmp_path / "config.toml"
    config.write_text("[ui]\ntheme = 'pipeline-ansi'\n", encoding="utf-8")
    assert start_theme(load_config(str(config)), picked) == "pipeline-ansi"


async def test_the_board_opens_in_the_view_it_was_left_in(service: PipelineService) -> None:
    service.add_card(CardDraft("Mine"), Stage.LEAD)
    other = PipelineService(service.database, "lee")
    other.add_card(CardDraft("Theirs"), Stage.LEAD)
    state = default_state_path()
    async with running(make_app(service, state_file=state)) as (app, pilot):
        await press(pilot, "m")
        assert "Theirs" not in screen_text(app)
    assert load_state(state).board_view == ("my cards",)

    remembered = load_state(state)
    async with running(make_app(service, state_file=state, state=remembered)) as (app, pilot):
        shown = screen_text(app)
        assert "Mine" in shown and "Theirs" not in shown and "my cards" in shown
        await press(pilot, "m")
        assert "Theirs" in screen_text(app)
    assert load_state(state).board_view == ()
