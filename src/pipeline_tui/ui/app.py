"""The Textual application: themes, the backend, and the board as its first screen."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import partial
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from pipeline_tui.config import default_config_path
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.commands import CardSearch
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.themes import DEFAULT_THEME, load_themes, shipped_theme_folder


class PipelineApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "pipeline-tui"
    COMMANDS = App.COMMANDS | {CardSearch}

    def __init__(
        self,
        service: PipelineService,
        *,
        title: str = "pipeline-tui",
        theme: str = DEFAULT_THEME,
        today: Callable[[], date] = date.today,
        cursor_blink: bool = True,
        notice: str | None = None,
    ) -> None:
        super().__init__()
        self.backend = Backend(service, today)
        self.cursor_blink = cursor_blink
        self.title = title
        self.notice = notice
        user_themes = default_config_path().parent / "themes"
        themes, self.startup_warnings = load_themes([shipped_theme_folder(), user_themes])
        for loaded in themes:
            self.register_theme(loaded)
        if theme not in self.available_themes:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            self.startup_warnings.append(f"Theme {theme!r} not found; using {fallback}.")
            theme = fallback
        self.theme = theme

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or binding.action.startswith("app."):
                continue
            keys = ", ".join(
                self.get_key_display(Binding(key, "")) for key in binding.key.split(",")
            )
            yield SystemCommand(
                binding.tooltip or binding.description,
                f"Key: {keys}",
                partial(screen.run_action, binding.action),
            )

    def open_card(self, card_id: int, note_id: int | None = None) -> None:
        """Open a card (from a search hit), returning to the board focused on it."""

        def back(_: None) -> None:
            if isinstance(self.screen, BoardScreen):
                self.screen.reload(card_id)

        self.push_screen(CardScreen(self.backend, card_id, note_id), back)

    def on_mount(self) -> None:
        self.push_screen(BoardScreen(self.backend))
        if self.notice:
            self.notify(self.notice, markup=False)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", markup=False)
