"""The Textual application: themes, the backend, and the board as its first screen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from textual.app import App

from pipeline_tui.config import default_config_path
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.themes import DEFAULT_THEME, load_themes, shipped_theme_folder


class PipelineApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "pipeline-tui"

    def __init__(
        self,
        service: PipelineService,
        *,
        title: str = "pipeline-tui",
        theme: str = DEFAULT_THEME,
        today: Callable[[], date] = date.today,
        cursor_blink: bool = True,
    ) -> None:
        super().__init__()
        self.backend = Backend(service, today)
        self.cursor_blink = cursor_blink
        self.title = title
        user_themes = default_config_path().parent / "themes"
        themes, self.startup_warnings = load_themes([shipped_theme_folder(), user_themes])
        for loaded in themes:
            self.register_theme(loaded)
        if theme not in self.available_themes:
            self.startup_warnings.append(f"Theme {theme!r} not found; using {DEFAULT_THEME}.")
            theme = DEFAULT_THEME
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(BoardScreen(self.backend))
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", markup=False)
