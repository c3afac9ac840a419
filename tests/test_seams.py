"""Guards for the Textual internals pipeline-tui leans on (ui/seams.py): each fails, by
name, when an upgrade of Textual moves the name or changes what the lean relies on."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import fcntl
import hashlib
import inspect
import os
import select
import selectors
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import textual.screen
from textual import constants, events
from textual.app import App, ComposeResult
from textual.color import Color
from textual.command import CommandPalette, Hit, Hits, Provider
from textual.containers import VerticalScroll
from textual.css.errors import UnresolvedVariableError
from textual.css.stylesheet import Stylesheet
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen
from textual.scroll_view import ScrollView
from textual.widgets import Header, OptionList, Static

from pipeline_tui.ui import ending, seams
from pipeline_tui.ui.screens.standup import StandupList
from pipeline_tui.ui.widgets.card_list import CardList
from tests.pilot import make_app, poll_until, press, running, settle, wait_for
from tests.test_snapshots import demo_service


class _Sized(ScrollView):
    # Like a card list: no scrollbar, so a new length changes nothing to lay out.
    DEFAULT_CSS = "_Sized { scrollbar-size-vertical: 0; overflow-x: hidden; }"

    def __init__(self) -> None:
        super().__init__()
        self.refreshes: list[tuple[tuple[Any, ...], bool]] = []

    def refresh(self, *regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        self.refreshes.append((regions, layout))
        return super().refresh(*regions, layout=layout, **kwargs)


class _Probe(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield _Sized()
        yield Static("first line")


async def test_styles_cache_memo_is_an_lru_cache_we_can_clear() -> None:
    memo = seams.STYLES_CACHE.get_inner_outer
    assert hasattr(memo, "cache_clear") and hasattr(memo, "cache_info"), (
        "StylesCache.get_inner_outer is no longer an lru_cache: forget_cached_styles"
    )
    async with _Probe().run_test() as pilot:
        await pilot.pause()
        assert memo.cache_info().currsize > 0
        seams.forget_cached_styles()
        assert memo.cache_info().currsize == 0


@pytest.mark.parametrize(("character", "key"), [("?", "question_mark"), ("a", "a"), ("/", "slash")])
def test_character_to_key_names_keys_as_bindings_do(character: str, key: str) -> None:
    assert seams.character_to_key(character) == key


async def test_a_new_virtual_size_needs_no_layout_and_clamps_the_scroll() -> None:
    async with _Probe().run_test(size=(40, 10)) as pilot:
        view = pilot.app.query_one(_Sized)
        seams.set_virtual_size_without_layout(view, Size(40, 100))
        view.scroll_to(y=80, animate=False, immediate=True)
        await pilot.pause()
        assert view.scroll_offset.y > 0
        view.refreshes.clear()
        # Shorter, but still longer than the view (as a long column after a move).
        seams.set_virtual_size_without_layout(view, Size(40, 60))
        await pilot.pause()
        assert view.virtual_size == Size(40, 60)
        assert view.scroll_offset.y == 60 - view.size.height, "_scroll_update no longer clamps"
        assert not any(layout for _, layout in view.refreshes), view.refreshes


def test_screen_focused_is_a_reactive_we_can_replace() -> None:
    assert isinstance(Screen.__dict__["focused"], Reactive), "Screen.focused moved"
    replacement = seams.focused_without_repaint()

    class Quiet(Screen[None]):
        focused = replacement

    assert isinstance(Quiet.__dict__["focused"], Reactive)
    assert replacement._repaint is False  # the whole point of the replacement


async def test_a_border_subtitle_refreshes_the_whole_widget() -> None:
    """A stage column narrows exactly these calls to one border line."""
    async with _Probe().run_test() as pilot:
        view = pilot.app.query_one(_Sized)
        view.refreshes.clear()
        view.border_subtitle = "3/9"
        assert view.refreshes, "setting border_subtitle no longer calls refresh()"
        assert any(seams.refresh_is_whole_widget(*call) for call in view.refreshes)


async def test_screen_lines_and_notifications_read_what_the_rep_sees() -> None:
    async with _Probe().run_test(size=(40, 10), notifications=True) as pilot:
        pilot.app.notify("Saved Ann", timeout=5)
        await pilot.pause()
        assert any("first line" in line for line in seams.screen_lines(pilot.app.screen))
        assert [n.message for n in seams.notifications(pilot.app)] == ["Saved Ann"]


class _Dialog(ModalScreen[None]):
    DEFAULT_CSS = "_Dialog { align: center middle; } _Dialog Static { width: 12; height: 3; }"

    def compose(self) -> ComposeResult:
        yield Static("dialog")


async def test_screen_lines_of_a_dialog_show_the_screen_behind_it_now_and_in_later_frames() -> None:
    """A dialog read while a repaint of it is due: the screen behind it shows in what is
    read and in the frame that follows (a blank background once made a snapshot flaky)."""
    app = _Probe()
    async with app.run_test(size=(40, 10)) as pilot:
        app.push_screen(_Dialog())
        await pilot.pause()
        app.screen.refresh()  # due: the read below renders the dialog's background
        lines = seams.screen_lines(app.screen)
        assert "first line" in "".join(lines) and "dialog" in "".join(lines)
        await pilot.pause()
        await pilot.pause()
        assert "first&#160;line" in app.export_screenshot()  # the SVG spaces it so
        lower = app.screen
        app.push_screen(_Dialog())  # a dialog over the dialog: the board behind both
        await pilot.pause()
        lower.refresh()
        assert "first line" in "".join(seams.screen_lines(lower))
        await pilot.pause()
        assert "first line" in "".join(seams.screen_lines(app.screen))


class _Covering(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("covering " * 40)


class _Popping(App[None]):
    def __init__(self, once: bool) -> None:
        super().__init__()
        self.once = once

    def compose(self) -> ComposeResult:
        yield Static("underneath " * 40)

    def pop_screen(self) -> Any:
        popped = super().pop_screen()
        if self.once:
            seams.repaint_once_popped(self, popped)
        return popped


@pytest.mark.parametrize("once", [False, True])
async def test_a_pop_repaints_the_screen_underneath_twice_unless_held(
    once: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # At the rep's frame rate, whatever TEXTUAL_FPS the suite runs at: the two paints
    # are two frames apart.
    monkeypatch.setattr(textual.screen, "UPDATE_PERIOD", 1 / 60)
    async with _Popping(once).run_test() as pilot:
        underneath = pilot.app.screen
        await pilot.app.push_screen(_Covering())
        await pilot.pause()
        painted: list[float] = []
        real = underneath._compositor_refresh

        def paint() -> None:
            painted.append(time.monotonic())
            real()

        underneath._compositor_refresh = paint  # type: ignore[method-assign]

        def updates() -> int:
            # Paints of one screen update come together; updates are a tick (1/60 s) apart.
            return 1 + sum(later - earlier > 0.01 for earlier, later in pairwise(painted))

        pilot.app.pop_screen()
        await poll_until(lambda: painted, "the screen underneath to paint")
        if once:
            # A window, not a wait: no second update may come in it.
            for _ in range(20):
                await pilot.pause(0.02)
            assert updates() == 1, f"{updates()} updates drew: repaint_once_popped"
        else:
            await poll_until(
                lambda: updates() >= 2, "a second update: repaint_once_popped is not needed"
            )


def _parsed(css: str, accent: str) -> Stylesheet:
    sheet = Stylesheet(variables={"accent": accent})
    sheet.add_source(css, read_from=("tests/test_seams.py", "guard"))
    sheet.parse()
    return sheet


def test_parsed_rules_are_shared_per_css_and_theme_variables() -> None:
    seams.share_parsed_styles()
    css = "Static { color: $accent; }"
    first, again, other = _parsed(css, "red"), _parsed(css, "red"), _parsed(css, "blue")
    assert again.rules[0] is first.rules[0]  # parsed once
    assert first.rules[0].styles.color == Color.parse("red")
    assert other.rules[0].styles.color == Color.parse("blue")  # new variables: parsed anew
    reparsed = _parsed(css, "red")
    reparsed.set_variables({"accent": "green"})
    reparsed.reparse()  # what setting a theme does
    assert reparsed.rules[0].styles.color == Color.parse("green")


def test_a_stylesheet_that_fails_to_parse_fails_every_time() -> None:
    seams.share_parsed_styles()
    for _ in range(2):
        with pytest.raises(UnresolvedVariableError, match="nowhere"):
            _parsed("Static { color: $nowhere; }", "red")


class _Kept(Screen[None]):
    CSS = "_Kept #tall { height: auto; } _Kept #styled { height: 3; }"

    def compose(self) -> ComposeResult:
        yield Static("one line", id="tall")
        yield Static("styled", id="styled")


class _Keeping(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("underneath")


async def _kept_unseen(app: App[Any]) -> _Kept:
    """A _Kept screen installed and built, never shown."""
    kept = _Kept()
    app.install_screen(kept, "kept")
    await seams.mount_unseen(app, kept)
    return kept


async def test_a_screen_built_unseen_is_complete_and_styled_with_its_own_css() -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        app = pilot.app
        kept = await _kept_unseen(app)
        assert kept.is_mounted and app.screen is not kept
        height = kept.query_one("#styled").styles.height
        assert height is not None and height.value == 3, (
            "the screen's CSS is not read first: mount_unseen"
        )


async def test_a_screen_not_shown_is_laid_out_only_when_asked() -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        kept = await _kept_unseen(pilot.app)
        tall = kept.query_one("#tall", Static)
        tall.update("1\n2\n3\n4\n5")
        await pilot.pause()
        assert tall.size.height != 5, "Textual lays out unseen screens now: lay_out_unseen"
        seams.lay_out_unseen(kept)
        assert tall.size.height == 5, "lay_out_unseen no longer lays the screen out"


async def test_widgets_removed_from_a_screen_not_shown_are_let_go_as_it_is_laid_out() -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        kept = await _kept_unseen(pilot.app)
        gone = Static("soon gone")
        await kept.mount(gone)
        seams.lay_out_unseen(kept)
        gone.refresh()
        await pilot.pause()
        assert gone in kept._dirty_widgets, "Screen._dirty_widgets is not where repaints wait"
        await gone.remove()
        assert gone in kept._dirty_widgets, "Textual lets removed widgets go itself now"
        seams.lay_out_unseen(kept)
        assert gone not in kept._dirty_widgets


class _Rendered(Static):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.renders = 0

    def render(self) -> Any:
        self.renders += 1
        return super().render()


class _KeptCounted(Screen[None]):
    def compose(self) -> ComposeResult:
        yield _Rendered("first")


@pytest.mark.parametrize("drawn", [False, True, "by widget"])
async def test_a_screen_drawn_unseen_is_shown_without_rendering_again(
    drawn: bool | str,
) -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        app = pilot.app
        kept = _KeptCounted()
        app.install_screen(kept, "kept")
        await seams.mount_unseen(app, kept)
        rendered = kept.query_one(_Rendered)
        rendered.update("second")
        await pilot.pause()
        seams.lay_out_unseen(kept)
        if drawn == "by widget":
            for _ in seams.draw_unseen_by_widget(kept):
                pass
            assert rendered.renders >= 1, "draw_unseen_by_widget no longer renders them"
        elif drawn:
            seams.draw_unseen(kept)
            assert rendered.renders >= 1, "draw_unseen no longer renders the widgets"
        before = rendered.renders
        await app.push_screen(kept)
        await pilot.pause()
        assert "second" in "\n".join(seams.screen_lines(kept))
        if drawn:
            assert rendered.renders == before, "rendered again when shown: draw_unseen"
        else:
            assert rendered.renders > before, "Textual renders unseen screens: draw_unseen"


@pytest.mark.parametrize("whole", [False, True])
async def test_a_resumed_screen_with_a_new_layout_draws_twice_unless_drawn_whole(
    whole: bool,
) -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        app = pilot.app
        kept = _Kept()
        app.install_screen(kept, "kept")
        await app.push_screen(kept)
        await pilot.pause()
        app.pop_screen()
        await pilot.pause()
        kept.query_one("#tall", Static).update("1\n2\n3\n4\n5")  # a new layout
        await pilot.pause()
        seams.lay_out_unseen(kept)  # (or the sizes it settles make a frame of their own)
        drawn: list[object] = []
        real = kept._compositor.render_update

        def render_update(*args: Any, **kwargs: Any) -> Any:
            update = real(*args, **kwargs)
            if update is not None:
                drawn.append(update)
            return update

        kept._compositor.render_update = render_update  # type: ignore[method-assign]
        with app.batch_update():
            await app.push_screen(kept)
            await pilot.pause()
            if whole:
                seams.draw_layout_whole(kept)
        kept.check_idle()
        await poll_until(lambda: drawn, "the resumed screen to draw")
        if whole:
            # A window, not a wait: no second frame may come in it.
            for _ in range(10):
                await pilot.pause(0.02)
            assert len(drawn) == 1, f"{len(drawn)} frames: draw_layout_whole"
        else:
            await poll_until(
                lambda: len(drawn) >= 2, "a second frame: draw_layout_whole is not needed"
            )


class _Listing(App[None]):
    CSS = "OptionList { height: 3; border: none; }"

    def __init__(self, steady: bool) -> None:
        super().__init__()
        self.steady = steady

    def compose(self) -> ComposeResult:
        listed = seams.SteadyOptionList if self.steady else OptionList
        yield listed(*(f"option {n}" for n in range(10)))  # longer than its 3 rows
        yield Static("below")


@pytest.mark.parametrize("steady", [False, True])
async def test_a_layout_repaints_an_overflowing_lists_scrollbar_a_frame_late_unless_steady(
    steady: bool,
) -> None:
    async with _Listing(steady).run_test(size=(40, 12)) as pilot:
        app = pilot.app
        listed = app.query_one(OptionList)
        await poll_until(lambda: listed.show_vertical_scrollbar, "the list's scrollbar shown")
        await pilot.pause()
        with seams.frames_written(app) as frames:
            app.screen.refresh(layout=True)  # nothing moves, nothing to draw but the layout
            await poll_until(lambda: frames, "the layout drawn")
            if steady:
                # A window, not a wait: no second frame may come in it.
                for _ in range(10):
                    await pilot.pause(0.02)
            else:
                await poll_until(
                    lambda: len(frames) >= 2, "a second frame: SteadyOptionList is not needed"
                )
        # Its scrollbar is still right either way.
        assert listed.show_vertical_scrollbar
        assert listed.vertical_scrollbar.window_virtual_size == 10
        assert listed.vertical_scrollbar.window_size == 3
        if steady:
            assert len(frames) == 1, f"{len(frames)} frames: SteadyOptionList"
        else:
            assert len(frames) >= 2, "one frame now: SteadyOptionList is not needed"


async def test_frames_written_counts_what_the_app_writes() -> None:
    async with _Probe().run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        with seams.frames_written(pilot.app) as frames:
            pilot.app.query_one(Static).update("second line")
            await poll_until(lambda: frames, "the new line drawn")
        assert len(frames) == 1
        with seams.frames_written(pilot.app) as frames:
            # A window, not a wait: nothing changed, so no frame may come in it.
            for _ in range(5):
                await pilot.pause(0.02)
        assert frames == []


async def test_frames_are_seen_by_every_watcher_whatever_order_they_stop_in() -> None:
    async with _Probe().run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        counted: list[object] = []
        with seams.frames_written(pilot.app) as outer:
            stop = seams.watch_frames(pilot.app, counted.append)
        pilot.app.query_one(Static).update("second line")
        await poll_until(lambda: counted, "the second line drawn")
        assert outer == [] and len(counted) == 1
        stop()
        with seams.frames_written(pilot.app) as written:
            pilot.app.query_one(Static).update("third line")
            await poll_until(lambda: written, "the third line drawn")
        assert len(counted) == 1


class _CountedStatic(Static):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.rendered = 0

    def render_lines(self, crop: Any) -> Any:
        self.rendered += 1
        return super().render_lines(crop)


class _Counted(App[None]):
    def compose(self) -> ComposeResult:
        yield _CountedStatic("first line")
        yield _CountedStatic("acts on being drawn")


async def test_a_frame_nothing_reads_is_counted_but_not_rendered() -> None:
    app = _Counted()
    seams.draw_frames_only_when_read(app)
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        plain, acting = app.query(_CountedStatic)
        seams.drawn_in_every_frame(acting)
        counted: list[object] = []
        seams.count_frames(app, counted.append)
        rendered = plain.rendered, acting.rendered
        plain.update("second line")
        acting.update("drawn all the same")
        await poll_until(lambda: counted, "the frame counted")
        assert len(counted) == 1, "a frame nothing reads still counts as one"
        assert plain.rendered == rendered[0], "Screen._compositor_refresh rendered it"
        assert acting.rendered > rendered[1], "a widget that acts on being drawn was not"
        # What reads the screen renders it as it is now.
        assert "second line" in "\n".join(seams.screen_lines(app.screen))
        assert ">second" in app.export_screenshot()  # (a space is &#160; in the SVG)
        # A watcher that reads what is written gets the frames as Textual renders them.
        with seams.frames_written(app) as frames:
            plain.update("third line")
            await poll_until(lambda: frames, "the third line written")
        assert len(frames) == 1 and type(frames[0]).__module__ == "textual._compositor"
        assert plain.rendered > rendered[0]
        assert len(counted) == 2


async def test_an_unread_frame_still_measures_an_option_list_after_a_resize() -> None:
    """Textual's OptionList measures its lines as it draws them: undrawn, the stand-up's
    list kept its narrow height after the terminal widened, and `k` with nothing
    highlighted went to the top instead of to the line above."""
    async with running(make_app(demo_service()), size=(60, 20)) as (app, pilot):
        await press(pilot, "s")
        lines = app.screen.query_one(StandupList)
        for _ in range(30):  # the wheel reads on past the cards: nothing highlighted
            lines.post_message(
                events.MouseScrollDown(lines, 1, 1, 0, 0, 0, False, False, False, 1, 1)
            )
        await settle(pilot)
        assert lines.highlighted is None
        tall = lines.virtual_size.height
        await pilot.resize_terminal(160, 20)
        await settle(pilot)
        assert lines.virtual_size.height < tall, "measured at the old width"
        await press(pilot, "k")
        assert lines.highlighted is not None


async def test_an_unread_frame_still_draws_a_card_list_under_a_dialog() -> None:
    """Under a dialog the board is drawn through the dialog's see-through background;
    a card list there reads its cards and calls back as it is drawn."""
    async with running(make_app(demo_service()), size=(100, 30)) as (app, pilot):
        card_list = app.screen.query(CardList).first()
        await press(pilot, "question_mark")
        called: list[int] = []
        card_list.call_after_drawn(lambda: called.append(1))
        card_list.refresh()
        await wait_for(pilot, lambda: called, "the card list under the dialog to be drawn")


class _Scrolling(Screen[None]):
    CSS = "_Scrolling VerticalScroll { height: 3; scrollbar-size-vertical: 1; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("one line", id="lines")


@pytest.mark.parametrize("settled", [False, True])
async def test_a_scrollbar_that_a_layout_shows_reaches_the_content_in_the_next_layout(
    settled: bool,
) -> None:
    async with _Keeping().run_test(size=(40, 12)) as pilot:
        app = pilot.app
        kept = _Scrolling()
        app.install_screen(kept, "kept")
        await seams.mount_unseen(app, kept)
        seams.lay_out_unseen(kept)
        lines = kept.query_one("#lines", Static)
        assert lines.size.width == 40
        lines.update("\n".join(f"line {n}" for n in range(10)))  # a scrollbar is needed
        await pilot.pause()
        if settled:
            seams.lay_out_unseen(kept)
        else:
            kept._refresh_layout(app.size)
        assert kept.query_one(VerticalScroll).show_vertical_scrollbar
        if settled:
            assert lines.size.width == 39, "lay_out_unseen leaves the scrollbar's column"
        else:
            assert lines.size.width == 40, "one layout settles a new scrollbar: lay_out_unseen"


class _Underneath(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("change 0", id="changing")


class _QuietUnderneath(seams.FullScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("change 0", id="changing")


class _Opaque(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("on top")


class _SeeThrough(Screen[None]):
    CSS = "_SeeThrough { background: $background 50%; } _SeeThrough Static { dock: bottom; }"

    def compose(self) -> ComposeResult:
        yield Static("on top")


class _Stacked(App[None]):
    def __init__(self, underneath: Screen[None]) -> None:
        super().__init__()
        self.underneath = underneath

    def on_mount(self) -> None:
        self.push_screen(self.underneath)


async def _frames_while_underneath_changes(
    app: _Stacked, pilot: Any, top: Screen[None], *, drawn: bool
) -> int:
    """The frames drawn while the screen under `top` changes three times; `drawn`:
    whether each change is expected to draw one (waited for), else a window for none."""
    await pilot.pause()
    with seams.frames_written(app) as pushed:
        await app.push_screen(top)
        await poll_until(lambda: pushed, "the top screen drawn")
        await pilot.pause()
    with seams.frames_written(app) as frames:
        for number in range(1, 4):
            app.underneath.query_one("#changing", Static).update(f"change {number}")
            if drawn:
                await poll_until(
                    partial(lambda count: len(frames) >= count, number),
                    f"change {number} to redraw the top screen",
                )
            else:
                # A window, not a wait: the covered change may draw no frame in it.
                for _ in range(3):
                    await pilot.pause(0.02)
    return len(frames)


@pytest.mark.parametrize("quiet", [False, True])
async def test_a_screen_under_an_opaque_screen_redraws_the_top_unless_drawn_only_when_seen(
    quiet: bool,
) -> None:
    app = _Stacked(_QuietUnderneath() if quiet else _Underneath())
    async with app.run_test(size=(40, 10)) as pilot:
        frames = await _frames_while_underneath_changes(app, pilot, _Opaque(), drawn=not quiet)
        if quiet:
            assert frames == 0, f"{frames} frames for a covered screen: FullScreen"
        else:
            assert frames >= 3, "a covered screen's changes no longer redraw the top screen"
        app.pop_screen()
        await poll_until(lambda: app.screen is app.underneath, "the covered screen shown")
        await pilot.pause()
        assert "change 3" in seams.screen_lines(app.screen)[0], "the covered changes were lost"


async def test_a_screen_drawn_only_when_seen_shows_through_a_see_through_screen() -> None:
    app = _Stacked(_QuietUnderneath())
    async with app.run_test(size=(40, 10)) as pilot:
        frames = await _frames_while_underneath_changes(app, pilot, _SeeThrough(), drawn=True)
        assert frames >= 3
        assert "change 3" in seams.screen_lines(app.screen)[0]


class _PlainTitled(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("the board " * 30)


class _FullTitled(seams.FullScreen[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("the board " * 30)


@pytest.mark.parametrize("full", [False, True])
async def test_a_new_sub_title_draws_the_whole_screen_unless_a_full_screen(full: bool) -> None:
    app = _Stacked(_FullTitled() if full else _PlainTitled())
    shown: list[Screen[Any]] = []
    seams.watch_frames(app, lambda _frame: shown.append(app.screen))
    async with app.run_test(size=(40, 10)) as pilot:
        await poll_until(lambda: app.underneath in shown, "the screen drawn")
        await pilot.pause()
        screen = app.screen
        painted: list[object] = []
        real = screen._compositor.render_full_update

        def full_update(*args: Any, **kwargs: Any) -> Any:
            painted.append(args)
            return real(*args, **kwargs)

        screen._compositor.render_full_update = full_update  # type: ignore[method-assign]
        screen.sub_title = "12 stale"
        if full:
            # A window, not a wait: the screen may not be drawn whole in it.
            for _ in range(3):
                await pilot.pause(0.02)
        else:
            await poll_until(
                lambda: painted,
                "the screen drawn whole: Screen.sub_title no longer repaints the screen",
            )
        assert "12 stale" in seams.screen_lines(screen)[0]
        if full:
            assert painted == [], "a new sub-title drew the whole screen: FullScreen.sub_title"


class _Restyling(Screen[None]):
    """A screen whose CSS, read as it is first pushed, also styles another screen."""

    SCOPED_CSS = False
    CSS = "#changing { background: red; }"

    def compose(self) -> ComposeResult:
        yield Static("on top")


def _count_styling(app: App[None]) -> list[object]:
    styled: list[object] = []
    stylesheet = app.stylesheet
    apply = stylesheet.apply

    def counted(node: Any, *args: Any, **kwargs: Any) -> None:
        styled.append(node)
        apply(node, *args, **kwargs)

    stylesheet.apply = counted  # type: ignore[method-assign]
    return styled


@pytest.mark.parametrize("full", [False, True])
async def test_a_pushed_screen_is_styled_twice_unless_a_full_screen(full: bool) -> None:
    app = _Stacked(_Opaque())
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        styled = _count_styling(app)
        await app.push_screen(_QuietUnderneath() if full else _Underneath())
        static = app.screen.query_one("#changing")
        if full:
            # A window, not a wait: the screen may not be styled again in it.
            await pilot.pause(0.05)
        else:
            await poll_until(
                lambda: styled.count(static) >= 2,
                "a second styling: a pushed Screen is no longer restyled as it resumes",
            )
        times = styled.count(static)
        if full:
            assert times == 1, f"styled {times} times as it was pushed: FullScreen._styled_with"
        else:
            assert times == 2, f"a pushed Screen is no longer restyled as it resumes ({times})"


async def test_a_full_screen_shown_again_after_new_css_is_restyled() -> None:
    app = _Stacked(_Opaque())
    async with app.run_test(size=(40, 10)) as pilot:
        kept = _QuietUnderneath()
        app.install_screen(kept, "kept")  # kept when popped, as the board keeps its card's
        for screen in (kept, _Restyling()):
            await app.push_screen(screen)
            await pilot.pause()  # its resume handled
            await app.pop_screen()
            await pilot.pause()  # its suspend, and the resume of the one under it, handled
        await app.push_screen(kept)
        await pilot.pause()  # its resume handled: restyled, or not
        assert kept.query_one("#changing").styles.background == Color.parse("red"), (
            "styled with the rules it had before: FullScreen._styled_with"
        )


async def test_repaints_held_says_when_the_app_holds_its_repaints() -> None:
    app = _Probe()
    async with app.run_test():
        assert not seams.repaints_held(app)
        with app.batch_update():
            assert seams.repaints_held(app)
        release = seams.hold_repaints(app, limit_s=5.0)
        assert seams.repaints_held(app)
        release()
        assert not seams.repaints_held(app)


class _Busy(Static):
    """A widget still handling a message when the hold ends: it has not told the screen
    of its own repaint yet (as the board's columns, busy with their titles, were)."""

    class Wait(Message):
        def __init__(self, until: asyncio.Event) -> None:
            super().__init__()
            self.until = until

    text = "second"

    def render(self) -> str:
        return self.text

    busy = False

    async def on__busy_wait(self, message: Wait) -> None:
        self.busy = True
        await message.until.wait()


class _Two(App[None]):
    def compose(self) -> ComposeResult:
        yield Static("first", id="first")
        yield _Busy(id="second")


async def test_what_changed_as_a_hold_ends_goes_in_the_frame_the_end_draws() -> None:
    """Held: one widget changes and tells the screen; another changes as the hold ends,
    while still busy, before it has. One frame shows both (Textual's update timer put
    the second in a frame of its own 17-33 ms later: backspace emptying the filter
    drew the field, then the columns)."""
    app = _Two()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        second = app.query_one("#second", _Busy)
        first = app.query_one("#first", Static)
        busy = asyncio.Event()
        with seams.frames_written(app) as frames:
            release = seams.hold_repaints(app, limit_s=5.0)
            first.update("first changed")
            second.post_message(_Busy.Wait(busy))
            # Not Pilot.pause: it waits until every widget is idle.
            await poll_until(
                lambda: (
                    second.busy
                    and not first._repaint_required
                    and not first.message_queue_size
                    and not app.screen.message_queue_size
                ),
                "the first to tell the screen, the second to be busy",
            )
            second.text = "second changed"
            second.refresh()  # a repaint, not a layout: as a card list's new cards
            release()
            await poll_until(lambda: frames, "the frame the end of the hold draws")
            busy.set()
            # A window, not a wait: the second, no longer busy, may draw no frame in it.
            await pilot.pause(0.1)
        text = "\n".join(seams.screen_lines(app.screen))
        assert "first changed" in text and "second changed" in text
        assert len(frames) == 1, f"{len(frames)} frames"


_SENDING_PROBE = """
import sys
from rich.text import Text
from textual.app import App
from textual.widgets import Static
from pipeline_tui.ui import seams

class Probe(App[None]):
    def get_driver_class(self):
        return seams.terminal_driver(super().get_driver_class())

    def compose(self):
        # Every cell its own colour: a frame far larger than a terminal's input buffer.
        cells = Text()
        for number in range(120 * 40):
            cells.append("x", style=f"#{number % 256:02x}{number // 256 % 256:02x}80")
        yield Static(cells)

    def on_mount(self):
        self.seen = []
        self.set_interval(0.01, self.look)

    def look(self):
        state = "unflushed" if seams.output_unflushed(self) else "flushed"
        if not self.seen or self.seen[-1] != state:
            self.seen.append(state)
            with open(sys.argv[1], "w") as report:
                report.write(" ".join(self.seen))
        if self.seen[-2:] == ["unflushed", "flushed"]:
            self.exit()

Probe().run()
"""


def test_terminal_driver_knows_when_the_terminal_has_been_sent_a_frame(
    tmp_path: Path,
) -> None:
    """The counted LinuxDriver in a real pseudo-terminal: while the terminal does not
    read, the frame is still being sent; once it reads, it has been. Guards the lean on
    LinuxDriver._file being what its writer thread writes to and flushes."""
    report = tmp_path / "report"
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-c", _SENDING_PROBE, str(report)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"},
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 30
        while "unflushed" not in (report.read_text() if report.exists() else ""):
            assert time.monotonic() < deadline, "never seen sending: terminal_driver"
            assert process.poll() is None, "the probe ended before its first frame"
            time.sleep(0.02)  # then look again
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                with contextlib.suppress(OSError):
                    os.read(master, 65536)
        assert report.read_text().endswith("unflushed flushed"), (
            "the driver's writes are not counted as sent: terminal_driver"
        )
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        os.close(master)


def _terminal_driver(app: App[None], driver_class: type[Driver] | None = None) -> Any:
    """terminal_driver's driver (or `driver_class`, made from it) for `app`, its signal
    handlers put back as they were (LinuxDriver takes ctrl+z's signals as it is made)."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        return (driver_class or seams.terminal_driver(LinuxDriver))(app)
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)


class _Writer:
    """Stands in for the driver's writer thread: takes what is handed to it."""

    def write(self, text: str) -> None:
        pass


class _Taking:
    """A writer thread that keeps what it is handed."""

    def __init__(self) -> None:
        self.taken: list[str] = []

    def write(self, text: str) -> None:
        self.taken.append(text)


class _HungUp:
    def write(self, text: str) -> int:
        raise OSError(errno.EIO, "the terminal hung up")

    def flush(self) -> None:
        pass


async def test_output_is_not_waited_for_once_the_writer_thread_has_ended() -> None:
    app: App[None] = App()
    driver = _terminal_driver(app)
    driver._writer_thread = _Writer()
    assert not seams.output_unflushed(app)
    driver.write("a frame")  # handed over, not yet written
    assert seams.output_unflushed(app), "LinuxDriver.write: terminal_driver"
    output = driver._file
    output._file = _HungUp()

    def writer_thread() -> None:
        with contextlib.suppress(OSError):  # WriterThread dies of it
            output.write("a frame")

    writer = threading.Thread(target=writer_thread)
    writer.start()
    writer.join()
    assert not seams.output_unflushed(app), "waited on a writer thread that has ended"


async def test_a_silenced_output_hands_the_writer_thread_nothing() -> None:
    app: App[None] = App()
    driver = _terminal_driver(app)
    writer = _Taking()
    driver._writer_thread = writer
    driver.write("a frame")
    assert writer.taken == ["a frame"], "LinuxDriver.write hands its data to _writer_thread"
    seams.silence_output(app)
    driver.write("a frame on a terminal that is gone")
    assert writer.taken == ["a frame"]


async def test_the_terminal_driver_resumes_only_what_it_suspended(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A SIGCONT to an app that was not stopped (the kernel's after a hang-up, a `kill
    -CONT`) started application mode, and a second input thread, a second time."""
    started: list[str] = []
    driver = _terminal_driver(App())
    monkeypatch.setattr(driver, "start_application_mode", lambda: started.append("start"))
    monkeypatch.setattr(driver, "stop_application_mode", lambda: started.append("stop"))
    monkeypatch.setattr(driver, "close", lambda: None)
    monkeypatch.setattr(ending, "terminal_gone", lambda _fileno: False)
    driver.resume_application_mode()
    assert started == []
    driver.suspend_application_mode()
    driver.resume_application_mode()
    driver.resume_application_mode()
    assert started == ["stop", "start"]


async def test_a_stop_signal_is_taken_by_the_event_loop_not_inside_its_handler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SIGTSTP's handler runs on the main thread between any two of its steps; leaving
    application mode right there waited for ever on the writer's queue lock when the
    signal came as the main thread was handing over a frame. The handler only asks the
    loop; the stop, then the SIGSTOP, happen in the loop's next round."""
    driver = _terminal_driver(App())
    done: list[object] = []
    monkeypatch.setattr(driver, "suspend_application_mode", lambda: done.append("suspend"))
    monkeypatch.setattr(os, "kill", lambda _pid, number: done.append(number))
    driver._sigtstp_application(signal.SIGTSTP, None)
    assert done == [], "the stop was made inside the signal handler"
    await asyncio.sleep(0)
    assert done == ["suspend", signal.SIGSTOP]


def test_linux_driver_stops_on_sigtstp_through_sigtstp_application() -> None:
    """terminal_driver's _sigtstp_application defers the stop to the event loop; the
    driver must still install that method as the SIGTSTP handler, by that name."""
    source = inspect.getsource(LinuxDriver.__init__)
    assert "signal.signal(signal.SIGTSTP, self._sigtstp_application)" in source, (
        "LinuxDriver installs its SIGTSTP handler differently: check terminal_driver"
    )
    source = inspect.getsource(LinuxDriver._sigtstp_application)
    assert "self.suspend_application_mode()" in source and "SIGSTOP" in source


def test_textual_resumes_on_sigcont_through_resume_application_mode() -> None:
    """terminal_driver's resume_application_mode refuses a resume on a terminal that
    hung up (the kernel's SIGCONT after SIGHUP); LinuxDriver must still resume through it."""
    source = inspect.getsource(LinuxDriver._sigcont_application)
    assert "self.resume_application_mode()" in source, (
        "LinuxDriver's SIGCONT handler changed: check terminal_driver's resume guard"
    )


def test_the_input_loop_is_a_copy_of_textuals_own() -> None:
    """terminal_driver's run_input_thread copies LinuxDriver.run_input_thread of 8.2.8
    and changes only how long it waits; an upgrade that changes the original must be
    copied again."""
    source = inspect.getsource(LinuxDriver.run_input_thread)
    assert hashlib.sha256(source.encode()).hexdigest()[:16] == "d796af6d69db337d", (
        "LinuxDriver.run_input_thread changed: copy it into terminal_driver again"
    )


async def test_a_lone_escape_is_taken_as_its_delay_falls_due(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The terminal driver's input loop, reading a pipe: after a lone ESC it waits on
    the terminal no longer than ESCDELAY, then reports escape (Textual's own loop waits
    its full 0.1 s first). Keys and sequences still read as they did."""
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.03)
    waits: list[float | None] = []

    class Recorded(selectors.SelectSelector):
        def select(self, timeout: float | None = None) -> Any:
            waits.append(timeout)
            return super().select(timeout)

    monkeypatch.setattr(selectors, "SelectSelector", Recorded)
    keys: list[str] = []

    class Listening(seams.terminal_driver(LinuxDriver)):  # type: ignore[misc]
        def process_message(self, message: Any) -> None:
            if isinstance(message, events.Key):
                keys.append(message.key)

    driver = _terminal_driver(App(), Listening)
    read_end, write_end = os.pipe()
    driver.fileno = read_end
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()

    def typed(data: bytes, *expected: str) -> list[float | None]:
        before = len(waits)
        os.write(write_end, data)
        deadline = time.monotonic() + 10
        while keys[-len(expected) :] != list(expected):
            assert time.monotonic() < deadline, f"{data!r} read as {keys}"
            time.sleep(0.005)  # then look again
        return waits[before:]

    try:
        typed(b"j", "j")
        after_escape = typed(b"\x1b", "escape")
        typed(b"\x1b[A", "up")
    finally:
        driver.exit_event.set()
        os.close(write_end)
        thread.join(5)
        os.close(read_end)
    shortest = min(wait for wait in after_escape if wait is not None)
    assert shortest <= 0.03, f"waited {shortest} s at least, with escape due in 0.03 s"
    assert not thread.is_alive()


async def test_keys_are_pending_until_the_input_thread_has_posted_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The terminal driver's input loop, reading a pipe, posting to an app that is slow
    to take them: a key read is pending until posted, a lone escape while the parser
    holds it (its `_timeout_time`), and a character's first byte read alone; nothing is
    once the loop has ended."""
    monkeypatch.setattr(constants, "ESCAPE_DELAY", 0.2)
    taking = threading.Event()
    posting = threading.Event()
    keys: list[str] = []
    app: App[None] = App()
    waits_after: list[int] = []  # the reads made before each wait on the terminal

    class Recorded(selectors.SelectSelector):
        def select(self, timeout: float | None = None) -> Any:
            waits_after.append(seams.input_reads(app))
            return super().select(timeout)

    monkeypatch.setattr(selectors, "SelectSelector", Recorded)

    class Slow(seams.terminal_driver(LinuxDriver)):  # type: ignore[misc]
        def process_message(self, message: Any) -> None:
            if isinstance(message, events.Key):
                posting.set()
                taking.wait(10)
                keys.append(message.key)

    driver = _terminal_driver(app, Slow)
    read_end, write_end = os.pipe()
    driver.fileno = read_end
    assert not seams.input_pending(app)
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()

    def until(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 10
        while not condition():
            assert time.monotonic() < deadline, what
            time.sleep(0.005)  # then look again

    def read_and_waiting(data: bytes) -> None:
        """Write `data`; wait until the loop has read it and waits on the terminal again."""
        reads = seams.input_reads(app)
        os.write(write_end, data)
        until(lambda: bool(waits_after) and waits_after[-1] > reads, f"{data!r} never read")

    try:
        os.write(write_end, b"j")
        until(posting.is_set, "j never read")
        assert seams.input_pending(app), "a key read and not yet posted"
        taking.set()
        until(lambda: keys == ["j"], "j never posted")
        assert seams.input_reads(app) == 1
        until(lambda: not seams.input_pending(app), "pending once posted")
        read_and_waiting(b"\x1b")
        assert keys == ["j"] and seams.input_pending(app), "an escape held"
        until(lambda: keys == ["j", "escape"], "escape never posted")
        until(lambda: not seams.input_pending(app), "pending once escape was posted")
        # A character's first byte alone (a read cut inside it): held, the rest to come.
        read_and_waiting(b"\xc3")
        assert seams.input_pending(app), "half a character held"
        os.write(write_end, b"\xa9")
        until(lambda: keys[-1:] == ["é"], "é never posted")
        until(lambda: not seams.input_pending(app), "pending once é was posted")
        taking.clear()
        posting.clear()
        os.write(write_end, b"k")
        until(posting.is_set, "k never read")
        assert seams.input_pending(app), "still counted after a character split across reads"
    finally:
        driver.exit_event.set()
        taking.set()
        os.close(write_end)
        thread.join(5)
        os.close(read_end)
    assert not thread.is_alive()
    assert not seams.input_pending(app)


ESCAPE_BURSTS = [
    # Leaving a note, starting the next: escape, `nu`, its text, ctrl+s, escape.
    (b"\x1bnuP2\x13\x1b", ["escape", "n", "u", "P", "2", "ctrl+s", "escape"]),
    (b"\x1bjl\x1b", ["escape", "j", "l", "escape"]),
    # A named key after the escape: Textual dropped the escape with its Alt.
    (b"\x1b\r", ["escape", "enter"]),
    (b"\x1b?", ["escape", "question_mark"]),
    # readline's word moves, made a word move in a field and escape and a key elsewhere
    # (key_order.keys_typed); ESC backspace deletes a word, ESC tab is shift+tab.
    (b"\x1bb\x1bf", ["alt+b", "alt+f"]),
    (b"\x1b\x7f\x1b\t", ["ctrl+w", "shift+tab"]),
    # Sequences stay sequences; a lone ESC at the end is escape after the delay.
    (b"\x1b[A\x1bj\x1b", ["up", "escape", "j", "escape"]),
    # Escape twice, then the keys: the second ESC and `n` were held as one sequence.
    (b"\x1b\x1bnuP2\x13\x1b", ["escape", "escape", "n", "u", "P", "2", "ctrl+s", "escape"]),
    # The same keys read one at a time, each sooner than the escape delay.
    (
        (b"\x1b", b"n", b"u", b"P", b"2", b"\x13", b"\x1b"),
        ["escape", "n", "u", "P", "2", "ctrl+s", "escape"],
    ),
    # A sequence, and a word move, split across reads after their ESC.
    ((b"\x1b", b"[A"), ["up"]),
    ((b"\x1b", b"b"), ["alt+b"]),
]


@pytest.mark.parametrize(("burst", "expected"), ESCAPE_BURSTS)
async def test_escape_and_the_keys_read_with_it_are_each_a_key(
    burst: bytes | tuple[bytes, ...], expected: list[str]
) -> None:
    """The terminal driver's input loop reading a pipe, each burst in one write (or
    several, 5 ms apart). ESC and what came with it was held by Textual's parser as a
    possible sequence until a second ESC came, and the first then handed on as a typed
    `^`: escape, `nu`, a note and ctrl+s, escape typed "^nuP2" into the note being
    left, and saved it there."""
    keys: list[str] = []
    done = threading.Event()

    class Recording(seams.terminal_driver(LinuxDriver)):  # type: ignore[misc]
        def process_message(self, message: Any) -> None:
            if isinstance(message, events.Key):
                keys.append(message.key)
                if len(keys) == len(expected):
                    done.set()

    driver = _terminal_driver(App[None](), Recording)
    read_end, write_end = os.pipe()
    driver.fileno = read_end
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        for chunk in (burst,) if isinstance(burst, bytes) else burst:
            os.write(write_end, chunk)
            time.sleep(0.005)  # a fixed spacing, as a terminal sends them: not a wait
        assert done.wait(5), f"keys so far: {keys}"
        time.sleep(0.05)  # a window, not a wait: nothing more may come in it
    finally:
        driver.exit_event.set()
        os.close(write_end)
        thread.join(5)
        os.close(read_end)
    assert keys == expected


class _PlainShown(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("shown", id="shown")


class _FullShown(seams.FullScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("shown", id="shown")


class _FirstOf(App[None]):
    """An app that opens on `first`, with a FullScreen (or Textual's own) under it."""

    def __init__(self, first: Screen[None], full_underneath: bool = True) -> None:
        super().__init__()
        self.first = first
        self.full_underneath = full_underneath

    def get_default_screen(self) -> Screen[Any]:
        return seams.FullScreen(id="_default") if self.full_underneath else Screen(id="_default")

    def on_mount(self) -> None:
        self.push_screen(self.first)


async def _whole_frames_of_launch(app: _FirstOf, whole_at_launch: int) -> list[bool]:
    """Which frames drew the whole screen: the app's first ones (`whole_at_launch` of
    them waited for; with one, a window in which no other may come), then a one-line
    change."""
    frames: list[object] = []
    seams.watch_frames(app, frames.append)

    def whole_drawn() -> int:
        return [seams.whole_frame(frame) for frame in frames].count(True)

    async with app.run_test(size=(40, 6)) as pilot:
        await poll_until(lambda: whole_drawn() >= whole_at_launch, "the first screen drawn whole")
        if whole_at_launch == 1:
            # A window, not a wait: no second whole frame may come in it.
            await pilot.pause(0.1)
        drawn = len(frames)
        app.screen.query_one("#shown", Static).update("changed")
        await poll_until(lambda: len(frames) > drawn, "the change drawn")
        assert "changed" in "\n".join(seams.screen_lines(app.screen))
    whole = [seams.whole_frame(frame) for frame in frames]
    assert whole[-1] is False, "a one-line change drew the whole screen"
    return whole


@pytest.mark.parametrize("full", [False, True])
async def test_the_screen_under_the_first_adds_no_whole_frame_if_a_full_screen(
    full: bool,
) -> None:
    """Textual's own default screen, under the first screen pushed, passes what it
    repaints up as a repaint of the whole screen."""
    whole = await _whole_frames_of_launch(
        _FirstOf(_FullShown(), full_underneath=full), whole_at_launch=1 if full else 2
    )
    if full:
        assert whole.count(True) == 1, whole
    else:
        assert whole.count(True) >= 2, f"{whole}: the default screen no longer adds frames"


@pytest.mark.parametrize("full", [False, True])
async def test_a_screen_pushed_while_repaints_are_held_is_rendered_once_they_end(
    full: bool,
) -> None:
    """Pushed while held, Textual renders its first frame and drops it (the hold), and
    the end of the hold renders it again. A FullScreen leaves it to that end."""
    app = _FirstOf(_PlainShown())
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        pushed = _FullShown() if full else _PlainShown()
        rendered: list[bool] = []
        real = pushed._compositor.render_update

        def counted(*args: Any, **kwargs: Any) -> Any:
            rendered.append(seams.repaints_held(app))
            return real(*args, **kwargs)

        pushed._compositor.render_update = counted  # type: ignore[method-assign]
        with seams.frames_written(app) as frames:
            release = seams.hold_repaints(app, limit_s=5.0)
            await app.push_screen(pushed)
            if full:
                # A window, not a wait: nothing may be rendered in it while held.
                await pilot.pause(0.1)
            else:
                await poll_until(
                    lambda: rendered.count(True),
                    "a render while held: the FullScreen override can go",
                )
            release()
            await poll_until(lambda: frames, "the frame the end of the hold draws")
            # A window, not a wait: no second frame may come in it.
            await pilot.pause(0.1)
        held = rendered.count(True)
        if full:
            assert held == 0, f"{held} frames rendered while held: FullScreen"
        else:
            assert held, "Textual no longer renders while held: the FullScreen override can go"
        assert "shown" in "\n".join(seams.screen_lines(app.screen))
        assert len(frames) == 1, f"{len(frames)} frames"


async def test_laid_out_at_is_the_size_of_the_screens_last_layout() -> None:
    app = _FirstOf(_PlainShown())
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        assert seams.laid_out_at(app.screen, Size(40, 6))
        await pilot.resize_terminal(50, 8)
        await pilot.pause()
        assert seams.laid_out_at(app.screen, Size(50, 8))
        assert not seams.laid_out_at(app.screen, Size(40, 6))


class _SlowHits(Provider):
    """One hit per search, once `found` is set."""

    found = asyncio.Event()
    opened: list[str] = []

    async def search(self, query: str) -> Hits:
        await self.found.wait()
        yield Hit(1.0, query, partial(self.opened.append, query), query)


class _Palette(App[None]):
    COMMANDS = {_SlowHits}


async def test_the_palette_says_while_it_searches_and_enter_takes_its_first_hit() -> None:
    app = _Palette()
    _SlowHits.found.clear()
    _SlowHits.opened.clear()
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press("ctrl+p", *"ada")
        palette = app.screen
        assert isinstance(palette, CommandPalette)
        await poll_until(lambda: seams.palette_searching(palette), "the palette searching")
        _SlowHits.found.set()
        await poll_until(lambda: not seams.palette_searching(palette), "the search to end")
        seams.palette_enter(palette)
        await poll_until(lambda: _SlowHits.opened, "the first hit taken")
    assert _SlowHits.opened == ["ada"]


class _Form(seams.Dialog[None]):
    def compose(self) -> ComposeResult:
        yield Static("a field")


async def test_a_screen_is_laid_out_then_asked_to_be_drawn_again_as_it_resumes() -> None:
    """What Dialog._on_screen_resume undoes: Screen's own handler, which it runs in its
    place, lays out a screen not yet shown at this size (drawing it whole) and then asks
    for a whole repaint."""
    source = inspect.getsource(Screen._on_screen_resume)
    assert "_refresh_layout" in source and "self.refresh()" in source, source
    assert "_on_screen_resume" in Screen.__dict__
    frames: list[object] = []
    async with _Probe().run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        seams.watch_frames(pilot.app, frames.append)
        await pilot.app.push_screen(_Form())
        await pilot.pause()
        await pilot.pause()
        assert isinstance(pilot.app.screen, _Form)
        assert "a field" in "\n".join(seams.screen_lines(pilot.app.screen))
    assert [seams.whole_frame(frame) for frame in frames].count(True) == 1


async def test_a_layout_refresh_repaints_the_whole_widget_too() -> None:
    """What Dialog.refresh narrows: refresh(layout=True) marks the whole widget dirty."""
    async with _Probe().run_test() as pilot:
        await pilot.pause()
        static = pilot.app.query_one(Static)
        static._repaint_required = False
        static.refresh(layout=True)
        assert static._repaint_required
        dialog = _Form()
        await pilot.app.push_screen(dialog)
        await pilot.pause()
        dialog._repaint_required = False
        dialog.refresh(layout=True)
        assert not dialog._repaint_required and dialog._layout_required


class _WithBreakpoints(App[None]):
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (60, "-wide")]


class _PlainForm(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("a field", id="field")


class _BreakpointForm(seams.Dialog[None]):
    def compose(self) -> ComposeResult:
        yield Static("a field", id="field")


@pytest.mark.parametrize("ours", [False, True])
async def test_a_screen_is_styled_again_for_its_breakpoint_class_unless_built_with_it(
    ours: bool,
) -> None:
    """What start_at_the_terminals_size and Dialog's styling once save: Textual gives a
    screen its breakpoint class on its first Resize, after styling it, and restyles it
    for the class; then again as it resumes."""
    app = _WithBreakpoints()
    async with app.run_test(size=(70, 10)) as pilot:
        await pilot.pause()
        styled = _count_styling(app)
        await app.push_screen(_BreakpointForm() if ours else _PlainForm())
        field = app.screen.query_one("#field")
        if ours:
            # A window, not a wait: the form may not be styled again in it.
            await pilot.pause(0.05)
        else:
            await poll_until(
                lambda: styled.count(field) >= 3,
                "a third styling: Textual no longer restyles a new screen twice",
            )
        assert app.screen.has_class("-wide") and not app.screen.has_class("-narrow")
        times = styled.count(field)
        if ours:
            assert times == 1, f"styled {times} times: start_at_the_terminals_size, Dialog"
        else:
            assert times == 3, f"Textual no longer restyles a new screen twice ({times})"


async def test_option_lines_reads_where_an_option_list_draws_each_option() -> None:
    """seams.option_lines and option_at_line: OptionList._index_to_line, ._heights and
    ._lines (the stand-up and the week keep their highlight in sight with them)."""
    from textual.widgets import OptionList

    from pipeline_tui.ui import seams

    class Lines(App[None]):
        def compose(self) -> ComposeResult:
            yield OptionList("one", "two\nlines", None, "four")

    app = Lines()
    async with app.run_test(size=(40, 10)) as pilot:
        await pilot.pause()
        options = app.query_one(OptionList)
        assert seams.option_lines(options, 0) == (0, 1)
        assert seams.option_lines(options, 1) == (1, 3)  # its two lines, the separator
        assert seams.option_lines(options, 2) == (4, 1)
        assert seams.option_lines(options, 9) is None
        # seams.option_at_line: OptionList._lines, the other way round.
        found = [seams.option_at_line(options, line) for line in range(6)]
        assert found == [0, 1, 1, 1, 2, None]
