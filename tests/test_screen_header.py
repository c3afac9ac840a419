"""The header of every screen: the title it shows, and the mouse on it."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult
from textual.command import CommandPalette
from textual.screen import Screen
from textual.widgets import Static, Tooltip

import pipeline_tui.ui
from pipeline_tui.ui.seams import FullScreen, screen_lines
from pipeline_tui.ui.widgets.screen_header import PALETTE_TOOLTIP, ScreenHeader
from tests.pilot import poll_until, press, running
from tests.test_snapshots import demo_service

APP_CSS = Path(pipeline_tui.ui.__file__).with_name("app.tcss")


class _Titled(FullScreen[None]):
    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static("body")


class _Headed(App[None]):
    """A bare app with one headed screen, narrow below 100 columns as the app is."""

    CSS_PATH = APP_CSS  # where the narrow header's rule is
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def get_default_screen(self) -> Screen[None]:
        return _Titled()


def _header(app: App[None]) -> str:
    return screen_lines(app.screen)[0]


async def test_the_title_and_the_screens_figures_are_centred_between_icon_and_clock() -> None:
    app = _Headed()
    app.title = "pipeline-tui"
    async with app.run_test(size=(120, 10)) as pilot:
        app.screen.sub_title = "35 cards"
        await pilot.pause()
        title = "pipeline-tui — 35 cards"
        # 8 cells of icon, 10 kept for a clock, the title centred in the 102 between.
        assert _header(app) == " ◆      " + title.center(102).rstrip().ljust(112)
        app.screen.sub_title = "34 cards"
        await pilot.pause()
        assert "pipeline-tui — 34 cards" in _header(app)


async def test_narrow_only_the_figures_show_and_the_icon_gives_way() -> None:
    app = _Headed()
    app.title = "pipeline-tui"
    async with app.run_test(size=(120, 10)) as pilot:
        app.screen.sub_title = "35 cards · 6 overdue · view: mine · tag: bakery · 12 stale"
        await pilot.pause()
        assert "pipeline-tui — 35 cards" in _header(app)
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        line = _header(app)
        assert "pipeline-tui" not in line and "35 cards · 6 overdue" in line, line
        # Longer than the 56 cells between a 3-cell icon and 1 of clock: cut to fit.
        assert line[:4] == " ◆ 3" and line[58:] == "… ", line


async def test_a_click_on_the_title_makes_the_header_tall_and_back() -> None:
    app = _Headed()
    async with app.run_test(size=(80, 10)) as pilot:
        header = app.screen.query_one(ScreenHeader)
        await pilot.click(header, offset=(40, 0))
        await pilot.pause()
        lines = screen_lines(app.screen)
        assert header.size.height == 3
        assert lines[1].startswith(" ◆") and "body" in lines[3], lines[:4]
        await pilot.click(header, offset=(40, 0))
        await pilot.pause()
        assert header.size.height == 1 and "body" in screen_lines(app.screen)[1]


async def test_the_icon_shows_its_tooltip_and_opens_the_palette() -> None:
    app = _Headed()
    async with app.run_test(size=(80, 10), tooltips=True) as pilot:
        header = app.screen.query_one(ScreenHeader)
        plain = app.screen.get_style_at(1, 0).bgcolor
        await pilot.hover(header, offset=(1, 0))
        tooltip = app.screen.get_child_by_type(Tooltip)
        await poll_until(
            lambda: tooltip.display and PALETTE_TOOLTIP in str(tooltip.render()), "the tooltip"
        )
        # Narrow (80 columns), the icon's 3 cells only.
        assert app.screen.get_style_at(2, 0).bgcolor != plain
        assert app.screen.get_style_at(3, 0).bgcolor == plain
        await pilot.hover(header, offset=(40, 0))
        await pilot.pause()
        assert header.tooltip is None
        assert app.screen.get_style_at(1, 0).bgcolor == plain
        await pilot.click(header, offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)


async def test_the_apps_header_gives_the_title_more_room_below_100_columns() -> None:
    for width, icon, clock in ((99, 3, 1), (100, 8, 10)):
        async with running(demo_service(), size=(width, 30)) as (app, _):
            title = "pipeline-tui — 35 cards · 6 overdue"
            room = width - icon - clock
            assert _header(app).index("pipeline") == icon + (room - len(title)) // 2, width


async def test_every_screen_of_the_app_has_one_header_with_its_own_title() -> None:
    async with running(demo_service(), size=(160, 45)) as (app, pilot):
        assert "35 cards" in _header(app)
        await press(pilot, "enter")
        assert "Lead · card 1" in _header(app)
        assert len(app.screen.query(ScreenHeader)) == 1
        await press(pilot, "escape")
        await press(pilot, "s")
        assert _header(app).strip().startswith("◆") and "Stand-up" in _header(app)
