"""The app side of the config: [keys] rebinding, themes from the config folder, the picker."""

from __future__ import annotations

import tomllib
from pathlib import Path

from textual.command import CommandPalette

from pipeline_tui.config import default_config_path, save_setting
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.seams import notifications
from tests.pilot import make_app, notification_messages, press, running, settle


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
    config.write_text("[user]\nname = 'kim'\n[keys]\n'board.undo' = 'U'\n", encoding="utf-8")
    app = make_app(service, config_file=config, theme="pipeline-dark")
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
        assert "ui" not in tomllib.loads(config.read_text(encoding="utf-8"))

        app.search_themes()
        await settle(pilot)
        await pilot.press(*"pipeline-ansi")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert app.theme == "pipeline-ansi"
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    assert data == {
        "user": {"name": "kim"},
        "keys": {"board.undo": "U"},
        "ui": {"theme": "pipeline-ansi"},
    }


def test_a_theme_saved_earlier_is_used_next_time(tmp_path: Path) -> None:
    from pipeline_tui.config import load_config

    config = tmp_path / "config.toml"
    save_setting(config, "ui", "theme", "pipeline-light")
    assert load_config(str(config)).theme == "pipeline-light"
