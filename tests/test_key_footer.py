"""The footer of keys: what it shows, and the mouse on it (a rep may click a key)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandPalette
from textual.widgets import Static

from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.seams import screen_lines
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from tests.pilot import press, running, settle
from tests.test_snapshots import demo_service


class _Keys(App[None]):
    """A bare app with a footer: a group of keys, a key that cannot be used now."""

    MOVE = Binding.Group("Move", compact=True)
    BINDINGS = [
        Binding("a", "count('a')", "Add"),
        Binding("H", "count('H')", "Move left", group=MOVE),
        Binding("L", "count('L')", "Move right", group=MOVE),
        Binding("b", "count('b')", "Blocked", tooltip="Not while blocked"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.done: list[str] = []
        self.bells = 0
        self.blocked = True

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.blocked and parameters == ("b",) else True

    def action_count(self, key: str) -> None:
        self.done.append(key)

    def bell(self) -> None:
        self.bells += 1


def _footer_line(app: App[None]) -> str:
    return screen_lines(app.screen)[-1]


async def test_keys_a_group_and_the_palette_show_as_textual_draws_them() -> None:
    app = _Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        assert line.startswith("a Add H L Move b Blocked "), line
        assert line.endswith("▏^p palette "), line
        assert len(line) == 80
        # Narrower than 80 columns the palette's key is left out, not drawn over a key.
        await pilot.resize_terminal(79, 5)
        await pilot.pause()
        assert _footer_line(app).rstrip() == "a Add H L Move b Blocked", _footer_line(app)


async def test_a_key_that_cannot_be_used_now_is_dim_and_clicking_it_rings_the_bell() -> None:
    app = _Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        strip = footer.render_lines(footer.region.reset_offset)[0]
        # Dim as Textual draws it here: a fainter colour, not the terminal's dim.
        colour = {segment.text.strip(): segment.style and segment.style.color for segment in strip}
        assert colour["b"] != colour["a"] and colour["Blocked"] != colour["Add"]
        await pilot.click(KeyFooter, offset=(len("a Add H L Move "), 0))
        assert app.done == [] and app.bells == 1
        await pilot.click(KeyFooter, offset=(0, 0))
        await pilot.click(KeyFooter, offset=(len("a Add H "), 0))
        assert app.done == ["a", "L"]


async def test_hovering_a_key_highlights_it_and_shows_what_it_does() -> None:
    app = _Keys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)

        def background_at(x: int) -> object:
            strip = footer.render_lines(footer.region.reset_offset)[0]
            return next(iter(strip.crop(x, x + 1))).style.bgcolor  # type: ignore[union-attr]

        before = background_at(0)
        await pilot.hover(KeyFooter, offset=(len("a Add H L Move b"), 0))
        await pilot.pause()
        assert footer.tooltip == "Not while blocked"
        assert background_at(0) == before  # "a Add" is not hovered
        hovered = background_at(len("a Add H L Move b"))
        assert hovered != before
        await pilot.hover(Static, offset=(0, 0))
        await pilot.pause()
        assert footer.tooltip is None
        assert background_at(len("a Add H L Move b")) == before
        # Keys that change under a still mouse are not left highlighted, nor their
        # tooltip shown, for a key that may no longer be there.
        await pilot.hover(KeyFooter, offset=(len("a Add H L Move b"), 0))
        await pilot.pause()
        assert footer.tooltip == "Not while blocked"
        app.blocked = False
        app.refresh_bindings()
        await pilot.pause()
        assert footer.tooltip is None
        assert background_at(len("a Add H L Move b")) == before


async def test_keys_that_do_not_fit_are_cut_under_the_palettes_key() -> None:
    class _ManyKeys(_Keys):
        BINDINGS = [Binding(key, f"count('{key}')", f"Key {key}") for key in "cdefghijklmn"]

    app = _ManyKeys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        assert len(line) == 80
        assert line.endswith("▏^p palette "), line
        assert line.startswith("a Add H L Move b Blocked c Key c d Key d"), line
        assert "Key n" not in line  # the keys past the palette's are cut, not wrapped
        # The palette's key, over the end of a cut key, is the palette's to the edge.
        cut = line.index("▏")
        assert line[cut - 1] != " ", line  # a key runs under the palette's
        for x in (cut, cut + 1):
            await pilot.click(KeyFooter, offset=(x, 0))
            await pilot.pause()
            assert app.done == [], x
            assert isinstance(app.screen, CommandPalette), x
            await pilot.press("escape")
            await pilot.pause()
        await pilot.click(KeyFooter, offset=(cut - 1, 0))
        assert app.done != []  # left of the edge, the cut key shows and is clicked


@pytest.mark.parametrize(
    ("width", "shown"), [(99, False), (100, False), (103, False), (104, True), (160, True)]
)
async def test_the_boards_less_used_keys_show_only_where_every_key_fits(
    width: int, shown: bool
) -> None:
    """Below 100 columns they are left to `?`; at 100-103 columns with them the keys run
    under the palette's and "q Quit" was hidden, so there they go too."""
    async with running(demo_service(), size=(width, 30)) as (app, _pilot):
        line = screen_lines(app.screen)[-1]
        assert ("e Edit" in line) is shown, line
        assert "? Keys q Quit" in line and line.rstrip().endswith("^p palette"), line


async def test_clicking_a_key_in_the_footer_does_what_the_key_does() -> None:
    async with running(demo_service(), size=(80, 24)) as (app, pilot):
        assert isinstance(app, PipelineApp)
        line = screen_lines(app.screen)[-1]
        await pilot.click(KeyFooter, offset=(line.index("n New"), 0))
        await settle(pilot)
        assert isinstance(app.screen, CardFormScreen)
        await press(pilot, "escape")


async def test_with_no_color_the_footer_is_drawn_without_colour_as_the_rest_is(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = _Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        strip = footer.render_lines(footer.region.reset_offset)[0]
        key = next(segment for segment in strip if segment.text == "a")
        assert key.style is not None and key.style.bold  # the key still stands out
        # Greys only (Textual's Monochrome filter, as for every other widget).
        for colour in (key.style.color, key.style.bgcolor):
            assert colour is not None and colour.triplet is not None
            assert len(set(colour.triplet)) == 1, colour


async def test_the_help_key_shows_whole_where_the_keys_do_not_fit() -> None:
    """At 60 columns the stand-up's footer ended "c Calls ? K": the one key that lists
    the rest was cut. The keys before it go from the right instead (a group with its
    label) until "? Keys" fits; a key after it stays, cut at the edge as before."""

    class _HelpedKeys(_Keys):
        BINDINGS = [
            *_Keys.BINDINGS[:3],
            *(Binding(key, f"count('{key}')", f"Key {key}") for key in "cdefg"),
            Binding("X", "count('X')", group=_Keys.MOVE),
            Binding("Y", "count('Y')", group=_Keys.MOVE),
            Binding("question_mark", "help", "Keys"),
            Binding("escape", "count('escape')", "Back"),
        ]

        def action_help(self) -> None:
            self.done.append("help")

    app = _HelpedKeys()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        line = _footer_line(app)
        # The group X Y with its label, then g, then f went.
        assert line.rstrip() == "a Add H L Move b Blocked c Key c d Key d e Key e ? Keys esc", line
        await pilot.click(KeyFooter, offset=(line.index("? Keys"), 0))
        assert app.done == ["help"]


async def test_the_standups_footer_keeps_its_help_key_at_60_columns() -> None:
    async with running(demo_service(), size=(60, 20)) as (app, pilot):
        await press(pilot, "s")
        line = screen_lines(app.screen)[-1]
        assert line.rstrip().endswith("l Ledger ? Keys"), line
        # Wide enough for "? Keys" where it is: no key goes.
        await pilot.resize_terminal(64, 20)
        await settle(pilot)
        assert "c Calls ? Keys" in screen_lines(app.screen)[-1]
