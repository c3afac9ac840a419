"""Every place pipeline-tui leans on Textual internals, in one module.

Textual is pinned (8.2.8) and each lean below works around a cost or a leak measured
on a real board. None of them is public API, so each has a guard test in
tests/test_seams.py that fails loudly, naming the lean, when an upgrade moves the name
or changes the behaviour it relies on. When Textual gains a public way, use it and
delete the lean here.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import IO, Any, Self

from textual import constants, events
from textual._compositor import Compositor, LayoutUpdate
from textual._context import visible_screen_stack
from textual._styles_cache import StylesCache
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.cache import LRUCache
from textual.command import CommandPalette
from textual.css.model import RuleSet
from textual.css.stylesheet import Stylesheet
from textual.driver import Driver
from textual.geometry import Region, Size
from textual.keys import _character_to_key
from textual.message import Message
from textual.notifications import Notification
from textual.reactive import Reactive
from textual.screen import ModalScreen, Screen, ScreenResultType
from textual.scroll_view import ScrollView
from textual.widget import AwaitMount, Widget
from textual.widgets import OptionList


def forget_cached_styles() -> None:
    """Drop StylesCache.get_inner_outer's memo.

    Textual 8.2.8 memoises that method with functools.lru_cache(1024), so the cache's
    keys hold widgets' StylesCache objects and, through them, every line those widgets
    last rendered: a closed card screen's widgets stayed alive for dozens of opens and
    every full garbage collection walked them (100 ms and more, mid-keystroke). Called
    whenever a screen is closed; the memo only saves adding two colours.
    Upstream: Textualize/textual#6665 (open), this leak exactly.
    """
    StylesCache.get_inner_outer.cache_clear()


_PARSED: LRUCache[tuple[object, ...], list[RuleSet]] = LRUCache(1024)
_parse_rules = Stylesheet._parse_rules
_last_variables: tuple[dict[str, str], frozenset[tuple[str, str]]] = ({}, frozenset())


def _variables_key(variables: dict[str, str]) -> frozenset[tuple[str, str]]:
    # Textual replaces the variables' dict when they change (set_variables), never
    # changes one in place, so the key of the last one seen is kept.
    global _last_variables
    if variables is not _last_variables[0]:
        _last_variables = (variables, frozenset(variables.items()))
    return _last_variables[1]


def _parse_rules_once(
    self: Stylesheet,
    css: str,
    read_from: Any,
    is_default_rules: bool = False,
    tie_breaker: int = 0,
    scope: str = "",
) -> list[RuleSet]:
    variables = _variables_key(self._variables)
    key = (css, read_from, is_default_rules, tie_breaker, scope, variables)
    rules = _PARSED.get(key)
    if rules is None:
        rules = _parse_rules(self, css, read_from, is_default_rules, tie_breaker, scope)
        _PARSED[key] = rules
    return rules


def share_parsed_styles() -> None:
    """Parse each stylesheet once per process and set of theme variables.

    Textual 8.2.8 keeps parsed rules per Stylesheet, and Stylesheet.reparse (run when
    the theme is set, at start-up among other times) parses every source again in a
    fresh Stylesheet whose cache is then thrown away; the next source added (a widget
    class's DEFAULT_CSS, the first time one is mounted) makes the app's own stylesheet
    parse every source once more. So start-up tokenised all of the app's CSS three
    times, and every app in a process (each test) did it all again. Parsed rules are
    never changed after parsing, so they are shared, keyed by the CSS, where it came
    from and the theme's variables as Stylesheet._parse_rules's own cache is (plus the
    variables, which that cache leaves to set_variables to clear). Errors are not kept:
    a stylesheet that fails to parse fails every time, as before.
    Upstream: the per-Stylesheet cache came with Textualize/textual#3575; no issue
    about reparse discarding it was found as of 8.2.8.
    """
    Stylesheet._parse_rules = _parse_rules_once  # type: ignore[method-assign]


def character_to_key(character: str) -> str:
    """Textual's name for the key that types `character` ("?" is "question_mark"), as
    bindings spell keys; textual.keys exports only the reverse (key_to_character).
    Upstream: Textualize/textual#4945 made only that direction public; #1927 (closed)
    was the clean-up of keys.py."""
    return _character_to_key(character)


def set_virtual_size_without_layout(view: ScrollView, size: Size) -> None:
    """Give a scroll view a new virtual size without laying out the whole screen.

    virtual_size is a layout reactive in Textual 8.2.8: assigning it lays out every
    widget on the screen (~3 ms on a full board, in every card move). A card list shows
    no scrollbar and its region does not change with its length, and the scroll limits
    are read from virtual_size itself, so setting it and clamping the scroll position
    (ScrollView._scroll_update) is all a new length needs.
    Upstream: no issue found as of 8.2.8.
    """
    view.set_reactive(type(view).virtual_size, size)
    view._scroll_update(size)


def option_lines(option_list: OptionList, index: int) -> tuple[int, int] | None:
    """The first line and the number of lines of option `index` in the list's content
    (wrapped to its width), or None if it has none.

    Textual 8.2.8 keeps these in OptionList._index_to_line and ._heights (what its own
    scroll_to_highlight reads) and has no public way to ask where an option is drawn.
    Upstream: no issue found as of 8.2.8.
    """
    try:
        return option_list._index_to_line[index], option_list._heights[index]
    except KeyError:
        return None


def option_at_line(option_list: OptionList, line: int) -> int | None:
    """The index of the option drawn on `line` of the list's content (a separator's
    line belongs to the option above it), or None past its end.

    Textual 8.2.8 keeps this in OptionList._lines (what its paging reads).
    Upstream: no issue found as of 8.2.8.
    """
    lines = option_list._lines
    return lines[line][0] if 0 <= line < len(lines) else None


class SteadyOptionList(OptionList):
    """An OptionList whose scrollbar is not repainted, a frame late, by every layout of
    its screen.

    To a scroll view (an OptionList is one) Textual 8.2.8's compositor passes, as its
    virtual size, the region it shows (its size less gutter and scrollbars), and
    ScrollView._size_updated compares that with the view's own virtual_size, the size
    of its content. The two differ whenever the content does not fit, so every layout
    of the screen took the list as resized and repainted its scrollbar
    (Widget._scroll_update); asked for during the layout, after the layout's frame was
    made, that repaint came as a frame of its own. Opening a card at 80x24, where the
    notes overflow their eight rows, wrote the whole screen and then, 20-40 ms later,
    the notes' scrollbar again, unchanged.

    Here only a new size (or gutter) counts: the list's virtual_size is its own to set,
    and an OptionList updates its scrollbars itself when it sets it
    (OptionList._update_lines). And a list given a new size measures its lines at once,
    in the layout, not as it is next drawn: its virtual_size (and so its scrollbar) is
    then settled by the layout (see lay_out_unseen) instead of changing in the frame's
    drawing and asking for a layout, and a frame, of its own after it (a card with
    twelve notes opened after one with one, at 160x45). Measured then, it also scrolls
    its highlighted row back into sight when it is made shorter: a card's sections
    filling in above its notes, in whichever frame their layout lands.
    Upstream: no issue found as of 8.2.8.
    """

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        resized = self._size != size
        changed = super()._size_updated(size, self.virtual_size, container_size, layout)
        if resized and self.options:
            # Measured now, as the frame after this layout would (OptionList._on_resize,
            # then render_lines): a virtual_size changed while drawing asks for one more
            # layout, and that one's frame comes after it.
            self._clear_caches()
            self._update_lines()
            # A list made shorter (the card's sections filled in above it, a smaller
            # terminal) keeps its highlighted row in sight.
            self.scroll_to_highlight()
        return changed


def focused_without_repaint() -> Reactive[Widget | None]:
    """A replacement for Screen.focused that does not repaint the whole screen.

    Screen.focused is declared with repaint=True, so every focus change (each h/l on
    the board) redrew every widget on it; the widgets that look different when focused
    repaint themselves. Declared on a Screen subclass as `focused = ...`.
    Upstream: no issue found as of 8.2.8 (Textualize/textual#2396, closed, made the
    focus-within restyle cheaper, not this repaint).
    """
    return Reactive(None, repaint=False)


def refresh_is_whole_widget(regions: tuple[Any, ...], layout: bool) -> bool:
    """Whether a Widget.refresh() call asks for the whole widget to be repainted.

    Setting border_title or border_subtitle calls refresh() with no region in Textual
    8.2.8; a stage column narrows such a call to the one border line that changed.
    Upstream: no issue found as of 8.2.8.
    """
    return not regions and not layout


def hold_repaints(app: App[Any], limit_s: float) -> Callable[[], None]:
    """Hold the app's repaints (App.batch_update) until the returned function is called
    (again: harmless) or `limit_s` has passed, whichever comes first, so what the rep
    sees changes in one frame; then the current screen draws what waited.
    Upstream: Textualize/textual#5009 (open), batch_update not holding a pop's frames."""
    hold = app.batch_update()
    hold.__enter__()
    released = False

    def release() -> None:
        nonlocal released
        if released:
            return
        released = True
        expiry.cancel()
        hold.__exit__(None, None, None)
        screen = app.screen
        draw_layout_whole(screen)
        take_repaints(screen)
        screen.check_idle()  # its repaint was held: it goes now

    expiry = asyncio.get_running_loop().call_later(limit_s, release)
    return release


def take_repaints(screen: Screen[Any]) -> None:
    """Count every widget shown that has asked for a repaint as one the screen's next
    frame draws, whether or not it has told the screen yet.

    A widget tells its screen at its own next idle (Widget._check_refresh posts an
    Update). One still busy when a hold ends told it after the frame the end drew,
    and Textual 8.2.8's update timer (Screen._update_timer, at most 60 frames a
    second) then drew it 17-33 ms later: backspace emptying the filter drew the field
    at once and the four columns in a second frame, 35 ms after. A widget that must
    also be laid out is left to tell the screen itself, layout and all.
    Upstream: no public way to flush a widget's repaint as of 8.2.8."""
    dirty = screen._dirty_widgets
    for widget in screen._compositor.visible_widgets:
        if widget._repaint_required and not widget._layout_required:
            widget._repaint_required = False
            dirty.add(widget)


def draw_layout_whole(screen: Screen[Any]) -> None:
    """One frame, not two, for a screen that must be laid out and drawn whole.

    A screen that resumes asks to be drawn whole (Screen.refresh); when its widgets
    changed meanwhile, it must be laid out too, and Textual 8.2.8's update tick
    (Screen._on_timer_update) first lays it out and draws what moved, then draws the
    whole screen again: a reopened card screen wrote about 11 KB at 160x45 for nothing,
    a millisecond before the complete frame. Counted as one of the widgets to draw
    instead, the whole screen goes in the layout's own frame.
    Upstream: no issue found as of 8.2.8; Textualize/textual#6314 (merged) is the
    nearest work on the frames of a resumed screen.
    """
    if screen._layout_required and screen._repaint_required:
        screen._repaint_required = False
        screen._dirty_widgets.add(screen)


def start_at_the_terminals_size(screen: Screen[Any]) -> None:
    """Give a screen being built the breakpoint classes of the terminal as it is now.

    Textual 8.2.8 gives a screen its breakpoint classes (App.HORIZONTAL_BREAKPOINTS)
    on its first Resize (Screen._on_resize), after the screen and its widgets were
    styled without them, and a new class restyles every widget on the screen: the
    board was styled twice before its first paint (about 20 ms), and each dialog,
    card screen and note editor twice as it opened. Given before the screen is
    mounted, the Resize finds the class there and restyles nothing.
    Upstream: no issue found as of 8.2.8."""
    try:
        app = screen.app
    except RuntimeError:  # built outside a running app: its first Resize gives them
        return
    for breakpoints, app_breakpoints, dimension in (
        (screen.HORIZONTAL_BREAKPOINTS, app.HORIZONTAL_BREAKPOINTS, app.size.width),
        (screen.VERTICAL_BREAKPOINTS, app.VERTICAL_BREAKPOINTS, app.size.height),
    ):
        reached = screen._get_breakpoint_classes(
            dimension, (app_breakpoints if breakpoints is None else breakpoints) or []
        )
        screen.add_class(*reached, update=False)


class _StyledOnce(Screen[ScreenResultType]):
    """What full screens and dialogs share: built with the terminal's breakpoint
    classes (start_at_the_terminals_size), restyled as shown only if the stylesheet
    changed since they were last styled (see FullScreen), and a focus change that
    repaints no more than the two widgets (focused_without_repaint)."""

    focused: Reactive[Widget | None] = focused_without_repaint()
    _styled_with: list[RuleSet] | None = None

    def __init__(
        self, name: str | None = None, id: str | None = None, classes: str | None = None
    ) -> None:
        super().__init__(name, id, classes)
        start_at_the_terminals_size(self)

    # Textual calls these as well as a subclass's own handlers of the same events.
    def on_mount(self) -> None:
        if self.is_current:
            self._styled_with = self.app.stylesheet.rules

    def on_screen_suspend(self) -> None:
        self._styled_with = self.app.stylesheet.rules

    def _restyle_only_if_new_css(self, event: events.ScreenResume) -> None:
        if self.app.stylesheet.rules is self._styled_with:
            event.refresh_styles = False


class FullScreen(_StyledOnce[ScreenResultType]):
    """A screen that fills the terminal and draws only what the rep can see change.

    Covered by an opaque screen, it draws nothing. Textual 8.2.8 counts the screen
    just under the current one as visible (App._background_screens) even when the
    current screen is opaque. A change on the screen underneath is passed up as a
    repaint of the same region of the current screen, and the screen underneath then
    marks itself to be drawn whole (Screen._compositor_refresh), which it does at its
    next idle, passing the whole screen up again, at each of its idles after that. The
    card screen over the board was drawn whole two more times, 30-100 ms after the key,
    whenever the board handled a message while the card was open (a move's save coming
    back, the poll): 3 frames for one enter, in one round of eight at 160x45. Covered,
    nothing of this screen shows, and it is drawn whole as it resumes
    (Screen._on_screen_resume refreshes it), from its widgets' own caches.
    Upstream: no issue found as of 8.2.8; Textualize/textual#3055 (closed) is where
    screens under a partly transparent screen were made to show their updates.

    A new title or sub-title redraws only the header. Textual's Screen.title and
    Screen.sub_title repaint the whole screen when they change, though only the header
    shows them (it watches them): on the board, the stale count in the sub-title drops
    as `L` touches a stale card, and the move's frame was followed by one of the whole
    board, 36 KB at 160x45.

    Shown, it is restyled only if the stylesheet changed since it was last styled.
    Textual restyles every widget of a screen as it is pushed (ScreenResume's
    refresh_styles), in case the stylesheet changed meanwhile (a theme chosen, a
    screen's CSS read for the first time). Each such change parses it into a new list
    of rules, so the same list means the same styles. Every screen was styled twice as
    it opened: the board's second styling was a quarter of all the styling of a
    session. A screen built unseen (mount_unseen) was styled without its focus
    (:focus-within), so it is restyled when first shown.
    Upstream: no issue found as of 8.2.8.

    Drawn whole, it forgets a whole repaint asked for before. Styled as it is pushed,
    a screen asks for one (Stylesheet._process_component_classes); pushed while the
    app starts (in a batch), its first frame is drawn by the layout's own callback,
    which leaves the request standing, and the next tick drew the board whole a second
    time: 16 KB at 80x24, 44 KB at 160x45, on the way to the first card.
    Upstream: no issue found as of 8.2.8.

    Nor is it drawn whole while repaints are held (hold_repaints): Textual renders
    that frame and then drops it (App._display), and the end of the hold draws the
    screen whole again. The card screen opened at launch, pushed while held, rendered
    a whole frame for nothing (15-27 ms). Upstream: no issue found as of 8.2.8.

    A frame draws every widget waiting to be drawn. Screen._compositor_refresh forgets
    them after the frame, though only Screen._on_timer_update hands them to the
    compositor first; the frame of a layout made while repaints were held runs later,
    from the app's queue, and dropped what had been asked for meanwhile. Escape from a
    theme previewed in the palette left the palette on the terminal: putting the
    theme back laid the board out in the pop's hold, and the frame of that layout,
    after the hold, forgot the board's whole repaint. Upstream: no issue found as of
    8.2.8.
    """

    title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)
    sub_title: Reactive[str | None] = Reactive(None, compute=False, repaint=False)

    # Textual calls this before Screen's own handler: it decides whether that restyles.
    def on_screen_resume(self, event: events.ScreenResume) -> None:
        self._restyle_only_if_new_css(event)

    def _compositor_refresh(self) -> None:
        app = self.app
        if app.is_inline:
            super()._compositor_refresh()
        elif self is not app.screen:
            if app.screen.styles.background.a >= 1:
                self._compositor._dirty_regions.clear()
                self._dirty_widgets.clear()
                return
            super()._compositor_refresh()
            # Textual also asks this screen to be drawn whole at its next idle, which
            # passes the whole screen up again, and so at every idle after that: each
            # message the board handled under a form redrew the form's dimmed
            # background in full. What changed has been passed up; resuming draws it whole.
            self._repaint_required = False
        else:
            compositor = self._compositor
            compositor.update_widgets(self._dirty_widgets)
            whole = compositor.size.region in compositor._dirty_regions
            if whole and repaints_held(app):
                self._repaint_required = True  # for the frame that ends the hold
                return
            asked = self._repaint_required
            super()._compositor_refresh()
            if whole and asked:
                self._repaint_required = False


class Dialog(_StyledOnce[ScreenResultType], ModalScreen[ScreenResultType]):
    """A dialog over the screen it was opened from, which shows through dimmed.

    A focus change does not repaint the whole dialog (see focused_without_repaint).
    Drawn whole, a dialog draws the whole screen under it again, dimmed (Screen.render
    returns a BackgroundScreen): each tab between a form's fields did, about a fifth
    of the CPU of a form typed over SSH.
    """

    def refresh(
        self,
        *regions: Region,
        repaint: bool = True,
        layout: bool = False,
        recompose: bool = False,
    ) -> Self:
        """A layout of the dialog draws what it moved, not the whole dialog. Textual's
        Widget.refresh(layout=True) repaints the widget too, and a widget mounted on a
        dialog (each of the form's fields, as it opens) asks its parent for a layout:
        the new-card form was drawn whole a second time as it opened, the dimmed board
        under it with it. Upstream: no issue found as of 8.2.8."""
        if layout and not regions:
            repaint = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Opened, a dialog is drawn whole once. Textual's Screen._on_screen_resume lays
        a screen it has not shown at this size out, which draws it whole, and then asks
        for the whole screen to be drawn again: the new-card form sent 16 KB at 80x24
        twice, and drew the dimmed board under it twice. Run here, not after this
        (prevent_default), it is followed by forgetting that ask. Upstream: no issue
        found as of 8.2.8."""
        event.prevent_default()
        # Styled once as it opens, as a FullScreen is: Textual styled each dialog
        # three times, for its mount, its breakpoint class and its resume.
        self._restyle_only_if_new_css(event)
        drawn_whole = (
            self.is_attached and self._size != self.app.size and not repaints_held(self.app)
        )
        super()._on_screen_resume(event)
        if drawn_whole:
            self._repaint_required = False


def palette_searching(palette: CommandPalette) -> bool:
    """Whether the palette is still gathering the hits of what is typed.
    Upstream: no public way to ask as of 8.2.8 (CommandPalette._GATHER_COMMANDS_GROUP)."""
    group = CommandPalette._GATHER_COMMANDS_GROUP
    return any(
        worker.node is palette and worker.group == group and not worker.is_finished
        for worker in palette.workers
    )


def palette_enter(palette: CommandPalette) -> None:
    """What enter in the palette's input does: open the hit highlighted (the first, or
    the only one), or run the command picked.
    Upstream: no public way as of 8.2.8 (CommandPalette._select_or_command)."""
    palette._select_or_command()


def laid_out_at(screen: Screen[Any], size: Size) -> bool:
    """Whether the screen's last layout was made at `size`.
    Upstream: no public name for the size a screen was laid out at as of 8.2.8."""
    return screen._compositor.size == size


def mount_unseen(app: App[Any], screen: Screen[Any]) -> AwaitMount:
    """Build a screen (compose and mount it) without showing it; await the result for
    it to be complete. An installed screen is otherwise built when first pushed, on
    the rep's key: App.push_screen reads the screen's CSS_PATH (App._load_screen_css)
    and then builds it (App._get_screen); this does the same, without the push.
    Upstream: Textualize/textual#1775 (closed) is why installed screens are built
    lazily; no public way to build one unseen was found as of 8.2.8."""
    app._load_screen_css(screen)
    return app._get_screen(screen)[1]


def lay_out_unseen(screen: Screen[Any]) -> None:
    """Lay out a screen that is not shown, at the app's size, before it is shown.

    Textual 8.2.8 lays a screen out only while it is the current one
    (Screen._on_timer_update), and a widget whose size that layout changes asks for
    another layout (its virtual_size is a layout reactive), which comes a frame later
    with a repaint of what did not move: a card screen refilled with another card
    showed whole, then wrote again 20-35 ms later. Laid out before it is shown, the
    sizes are settled, and the layout it gets when shown changes nothing.

    A layout that shows or hides a scrollbar was made with the scrollbars as they were
    (Widget._refresh_scrollbars decides them as the layout gives out the sizes), so
    what the scrollbar takes or gives back reaches the widget's content only in the
    next layout: a card with a long note, opened after one whose notes list was
    shorter, was drawn with the note a column too wide and then again. The screen is
    laid out again (twice at most) until no scrollbar comes or goes.
    Upstream: no issue found as of 8.2.8.

    A widget that asks for a repaint goes into its screen's set of widgets to draw
    (Screen._dirty_widgets), which only a frame of the shown screen empties. Widgets
    removed from a screen that is not shown stayed in it, and with them everything
    they hold: a card screen refilled ahead for every card the rep rested on, and never
    opened, kept each old note's Markdown paragraph, about 30 KB a time (RSS rose 3 MiB
    every 100 rounds of typing in the filter). Those are let go here; a removed widget
    has nothing to draw.
    """
    dirty = screen._dirty_widgets
    dirty.difference_update([widget for widget in dirty if not widget.is_attached])
    for _ in range(3):
        scrollbars = _scrollbars(screen)
        screen._refresh_layout(screen.app.size)
        if _scrollbars(screen) == scrollbars:
            return


def draw_unseen(screen: Screen[Any]) -> None:
    """Render every widget of a screen that is not shown (laid out: lay_out_unseen),
    so that showing it only puts together lines already rendered.

    Textual 8.2.8 renders a widget's lines when a frame needs them and keeps them
    (Widget._styles_cache) until the widget changes. A card screen refilled while
    closed rendered its dozen widgets on the rep's enter: half of the 30 ms it took
    from the key to the frame at 80x24. Rendered here, the frame finds them done.
    Upstream: no public way to render a screen that is not shown as of 8.2.8
    (Compositor._get_renders renders each widget the screen shows, and no more).
    """
    for _ in draw_unseen_by_widget(screen):
        pass


def draw_unseen_by_widget(screen: Screen[Any]) -> Iterator[None]:
    """draw_unseen one widget at a time: each step renders the next widget, so that
    work done ahead can let a key typed meanwhile go first."""
    for _ in screen._compositor._get_renders():
        yield


def _scrollbars(screen: Screen[Any]) -> list[tuple[bool, bool]]:
    return [
        (widget.show_vertical_scrollbar, widget.show_horizontal_scrollbar)
        for widget in screen.walk_children(Widget)
        if widget.is_scrollable
    ]


_holding: set[asyncio.Task[None]] = set()


def repaints_held(app: App[Any]) -> bool:
    """Whether the app's repaints are held (App.batch_update, hold_repaints): what the
    keys did is not on screen yet. Upstream: no public way to ask as of 8.2.8."""
    return app._batch_count > 0


class _CountedOutput:
    """The terminal file as the driver's writer thread sees it: how many of the writes
    handed to the thread it has written and flushed."""

    def __init__(self, file: IO[str]) -> None:
        self._file = file
        self.handed = 0  # by whoever writes: the app, the driver's input thread
        self._written = 0  # the rest by the writer thread
        self._flushed = 0
        self._writer: threading.Thread | None = None
        self.silenced = False
        """The terminal is gone: nothing more is handed to the writer thread (see
        silence_output)."""

    @property
    def unflushed(self) -> bool:
        """Handed over and not yet flushed, by a writer thread still running (a hang-up
        ends it with an error: nothing more will be sent, however long one waits)."""
        writer = self._writer
        return self._flushed < self.handed and (writer is None or writer.is_alive())

    def write(self, text: str) -> int:
        self._writer = threading.current_thread()
        count = self._file.write(text)
        self._written += 1
        return count

    def flush(self) -> None:
        self._file.flush()
        self._flushed = self._written

    def fileno(self) -> int:
        return self._file.fileno()

    def isatty(self) -> bool:
        return self._file.isatty()


_outputs: weakref.WeakKeyDictionary[App[Any], _CountedOutput] = weakref.WeakKeyDictionary()


class _InputInHand:
    """What the driver's input thread has of the rep's keys that the app has not: bytes
    the terminal holds unread, bytes read and not yet posted to the app as keys, what
    it holds back until more comes (`holding`)."""

    def __init__(self, fileno: int) -> None:
        self.fileno = fileno
        self.running = False
        """The input thread is reading (a hang-up ends it: nothing more comes then)."""
        self.in_hand = False
        self.reads = 0
        """How many times the terminal was read: a read begun after a look at `pending`
        counts once it has data, while still in hand."""
        self.unfinished_paste: Callable[[], str] = lambda: ""
        """Takes the paste whose end never came (see BracketedPastes.take_unfinished)."""
        self.holding: Callable[[], bool] = lambda: False
        """Whether the input thread holds back what it read until more comes: an escape
        (until it knows what follows), a character's first bytes. Not a paste begun:
        its end may never come (unfinished_paste takes it)."""

    @property
    def pending(self) -> bool:
        if not self.running:
            return False
        # In this order: bytes read after the first look are in hand by the second.
        return _unread(self.fileno) > 0 or self.in_hand or self.holding()


def _unread(fileno: int) -> int:
    import fcntl
    import struct
    import termios

    try:
        answer = fcntl.ioctl(fileno, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0  # a terminal that is gone holds nothing for anyone
    return int(struct.unpack("i", answer)[0])


_inputs: weakref.WeakKeyDictionary[App[Any], _InputInHand] = weakref.WeakKeyDictionary()


def input_pending(app: App[Any]) -> bool:
    """Whether keys the rep typed may not have reached the app's queue yet (always
    False without terminal_driver's driver: headless, Windows, and once the input
    thread has ended). The driver's input thread reads the terminal, parses what it
    read and posts the keys to the app: on a busy machine that can take longer than
    any quiet spell the app could wait for, and a hang-up kept none of a note typed in
    the burst before it (the keys came after the session had taken what was waiting)."""
    held = _inputs.get(app)
    return held is not None and held.pending


def unfinished_paste(app: App[Any]) -> str:
    """The text of a paste the terminal began and has not ended ("" if none), for the
    end of a session: a hang-up in the middle of a paste lost all of it. Whatever of it
    comes later is taken as typed."""
    held = _inputs.get(app)
    return "" if held is None else held.unfinished_paste()


def input_reads(app: App[Any]) -> int:
    """How many times the driver's input thread has read the terminal (0 without
    terminal_driver's driver): unchanged between two looks that found nothing pending,
    everything read by the second was posted to the app before the first."""
    held = _inputs.get(app)
    return 0 if held is None else held.reads


INPUT_IDLE_WAIT_S = 0.1
"""How long Textual's input thread waits on the terminal with nothing pending."""


def terminal_driver(driver_class: type[Driver]) -> type[Driver]:
    """The driver to run the app with: Textual's LinuxDriver with its output counted
    (output_unflushed) and a lone escape taken when it falls due (run_input_thread),
    or `driver_class` itself if it is another.

    A frame drawn is a string handed to the driver's writer thread, which writes it to
    the terminal as fast as the terminal reads it: a whole board at 160x45 over SSH can
    take tens of milliseconds. Work that holds the interpreter meanwhile (a full garbage
    collection) holds the end of that frame. LinuxDriver keeps its file in `_file`,
    read once by the writer thread it starts (WriterThread, a private module).
    Upstream: no public way to know when the output is written as of 8.2.8."""
    if sys.platform == "win32":
        return driver_class
    from textual.drivers.linux_driver import LinuxDriver

    return _terminal_driver() if driver_class is LinuxDriver else driver_class


@functools.cache
def _terminal_driver() -> type[Driver]:
    import selectors
    from codecs import getincrementaldecoder

    from textual._parser import ParseError
    from textual._time import get_time
    from textual._xterm_parser import XTermParser
    from textual.drivers.linux_driver import LinuxDriver

    from pipeline_tui.ui import ending
    from pipeline_tui.ui.key_order import InputPart, escape_pairs
    from pipeline_tui.ui.pastes import BracketedPastes

    WORD_MOVES = "bf"

    class TerminalDriver(LinuxDriver):
        def __init__(
            self,
            app: App[Any],
            *,
            debug: bool = False,
            mouse: bool = True,
            size: tuple[int, int] | None = None,
        ) -> None:
            super().__init__(app, debug=debug, mouse=mouse, size=size)
            self._output = _CountedOutput(self._file)  # type: ignore[arg-type]
            self._file = self._output  # type: ignore[assignment]
            _outputs[app] = self._output
            self._input = _InputInHand(self.fileno)
            _inputs[app] = self._input
            self._suspended = False

        def _sigtstp_application(self, *_: object) -> None:
            """A stop (ctrl+z at a shell, `kill -TSTP`), taken by the event loop.

            Textual's handler leaves application mode inside the signal handler, which
            Python runs on the main thread between any two of its steps. When that
            thread was handing a frame to the writer thread it holds the writer's
            queue lock, and the handler's own writes then wait on that lock for ever:
            the app never stopped (seen with a loaded machine). The handler only asks
            the loop, as asyncio's own signal handling does; the stop and the SIGSTOP
            follow at once. LinuxDriver installs `self._sigtstp_application` as it is
            made. Upstream: Textualize/textual#6298 (this handler's deadlock; #6333
            proposed the same deferral and was closed unmerged); 8.2.8 still stops
            inside the handler."""
            self._loop.call_soon_threadsafe(super()._sigtstp_application)

        def suspend_application_mode(self) -> None:
            self._suspended = True
            super().suspend_application_mode()

        def resume_application_mode(self) -> None:
            """Textual's resume (on SIGCONT after a stop, or after App.suspend), only
            when the app was suspended and its terminal is still there. Every SIGCONT
            resumed: the kernel follows a hang-up's SIGHUP with one, and so does a
            `kill -CONT`; the resume started a second input thread while the first was
            still handing the app the keys it had read. At a hang-up the second one's
            end of input made those keys look delivered, and the end of the session
            wrote the draft without them (a burst of 304 characters kept 175)."""
            if not self._suspended or ending.terminal_gone(self.fileno):
                return
            self._suspended = False
            super().resume_application_mode()

        def write(self, data: str) -> None:
            if self._output.silenced:
                return
            self._output.handed += 1
            super().write(data)

        def run_input_thread(self) -> None:
            """LinuxDriver.run_input_thread as of 8.2.8, waiting on the terminal only
            until the parser's pending timeout falls due.

            A terminal without the kitty keyboard protocol (xterm, VTE, PuTTY, tmux,
            the Linux console) sends escape as a lone ESC byte; the parser holds it
            ESCDELAY to tell it from the start of a sequence, and reports it at the
            next tick. Textual ticks after each select(0.1), so escape reached the
            app 100-130 ms after the key whatever ESCDELAY said. The parser keeps
            its deadline in `_timeout_time` (Parser, a private module).
            Upstream: no public hook into the input loop as of 8.2.8."""
            selector = selectors.SelectSelector()
            selector.register(self.fileno, selectors.EVENT_READ)
            parser = XTermParser(self._debug)
            decoder = getincrementaldecoder("utf-8")()
            decode = decoder.decode
            pastes = BracketedPastes()

            def keys_of_pair(pair: str) -> list[Message]:
                """An ESC and the character read with it (key_order.escape_pairs):
                escape, then that character's key. But ESC b and ESC f, readline's
                word moves, are Alt+b and Alt+f, which key_order.keys_typed makes a
                word move in a text field and escape and the letter elsewhere; and a
                control character with a meaning of its own after ESC (ESC tab,
                shift+tab; ESC backspace, a word deleted) is that key. Textual's
                parser reads ESC b as ctrl+left wherever it is typed, and drops the
                Alt of any key with a name (enter, ctrl+s, ?): the escape was lost."""
                character = pair[1]
                if character in WORD_MOVES:
                    return [events.Key(f"alt+{character}", character)]
                if not character.isprintable():
                    found = list(XTermParser().feed(pair))
                    if found:
                        return found
                alone = XTermParser()
                return [events.Key("escape", "\x1b"), *alone.feed(character), *alone.feed("")]

            # An ESC that ended a read, held here rather than by the parser: the next
            # read's first character makes it a pair (or the start of a sequence), and
            # if none comes within the escape delay it is escape.
            escape_read_at: float | None = None

            def escape_due() -> float | None:
                if escape_read_at is None:
                    return None
                return escape_read_at + constants.ESCAPE_DELAY

            def wait() -> float:
                dues = [due for due in (parser._timeout_time, escape_due()) if due is not None]
                if not dues:
                    return INPUT_IDLE_WAIT_S
                return min(INPUT_IDLE_WAIT_S, max(0.0, min(dues) - get_time()))

            def keys_of(text: str) -> Iterator[Message]:
                nonlocal escape_read_at
                if escape_read_at is not None:
                    text, escape_read_at = "\x1b" + text, None
                for part, kind in escape_pairs(text):
                    if kind is InputPart.TEXT or parser._timeout_time is not None:
                        yield from parser.feed(part)  # or the rest of a sequence it holds
                    elif kind is InputPart.PAIR:
                        yield from keys_of_pair(part)
                    elif kind is InputPart.ESCAPE:
                        yield events.Key("escape", "\x1b")
                    else:
                        escape_read_at = get_time()

            def escape_if_due(final: bool) -> None:
                nonlocal escape_read_at
                due = escape_due()
                if due is not None and (final or get_time() >= due):
                    escape_read_at = None
                    self.process_message(events.Key("escape", "\x1b"))

            def process(ready: list[tuple[selectors.SelectorKey, int]], final: bool) -> None:
                held.in_hand = True  # before the read: no moment when the keys are nowhere
                try:
                    for number, (_key, mask) in enumerate(ready, 1):
                        if mask & selectors.EVENT_READ:
                            chunk = os.read(self.fileno, 4096)
                            if not chunk:
                                held.running = False  # stdin piped, at its end
                                break
                            held.reads += 1
                            data = decode(chunk, final=final and number == len(ready))
                            if not data:
                                break  # a character's first bytes: the rest comes next
                            for event in keys_of(pastes(data)):
                                self.process_message(event)
                    for event in parser.tick():
                        self.process_message(event)
                    escape_if_due(final or not held.running)
                finally:
                    held.in_hand = False

            held = self._input
            held.fileno = self.fileno
            held.unfinished_paste = pastes.take_unfinished
            held.holding = lambda: (
                parser._timeout_time is not None
                or escape_read_at is not None
                or bool(decoder.getstate()[0])
            )
            held.running = True
            try:
                while not self.exit_event.is_set():
                    process(selector.select(wait()), final=False)
                selector.unregister(self.fileno)
                process(selector.select(INPUT_IDLE_WAIT_S), final=True)
            finally:
                held.running = False
                selector.close()
                with contextlib.suppress(EOFError, ParseError):
                    for _ in parser.feed(""):
                        pass

    return TerminalDriver


def silence_output(app: App[Any]) -> None:
    """The terminal has hung up: draw nothing more on it (a no-op without
    terminal_driver's driver). The writer thread (WriterThread, a private module) dies
    on its first write to a terminal that is gone, and its queue holds 30 writes:
    the frames of the keys still handed on as the session ended then blocked the app
    for good, and the drafts were kept by the watchdog without the keys in flight.
    Upstream: no public way to stop a driver's output as of 8.2.8."""
    output = _outputs.get(app)
    if output is not None:
        output.silenced = True


def output_unflushed(app: App[Any]) -> bool:
    """Whether the terminal has yet to be sent some of what the app wrote (always False
    without terminal_driver's driver: headless, Windows; and once the writer thread has
    ended)."""
    output = _outputs.get(app)
    return output is not None and output.unflushed


def repaint_once_popped(app: App[Any], popped: AwaitComplete, limit_s: float = 0.25) -> None:
    """Hold the app's repaints while a popped screen is removed: one frame, not two.

    In Textual 8.2.8 the screen a pop uncovers repaints itself whole when it resumes,
    and again whole when the popped screen's removal completes (App._prune ends with
    App.refresh()), a frame or two later: escape from the card screen wrote the whole
    board twice. Repaints wait (hold_repaints) until the removal is done, or `limit_s`
    has passed (a removal that hangs must not freeze the screen); then the screen
    draws once.
    Upstream: Textualize/textual#5009 (open) and #3126 (closed), extra frames on a pop.
    """
    release = hold_repaints(app, limit_s)

    async def wait() -> None:
        try:
            # The pop's errors are its own caller's to see.
            with contextlib.suppress(Exception):
                await popped
        finally:
            # Through the app's queue: the app awaits the removal too, and then asks
            # for a repaint of its own (App._prune's post_mount), which must be held.
            if not app.call_later(release):
                release()

    task = asyncio.get_running_loop().create_task(wait())
    _holding.add(task)
    task.add_done_callback(_holding.discard)


# For tests that read what a rep would see -----------------------------------------------


def screen_lines(screen: Screen[Any]) -> list[str]:
    """The text of every line the screen shows now (its compositor's render).
    Upstream: no public screen-as-text API as of 8.2.8 (Textualize/textual#1621).

    Rendered with the screens underneath set as a frame sets them (Compositor.
    render_update sets `visible_screen_stack` to App._background_screens). A dialog
    finds the screen it shows through there; read without it, the dialog rendered
    a blank background and kept it, so the next frame showed no board behind it."""
    app = screen.app
    under = app._background_screens  # the screens the current one may show through
    if screen is not app.screen:
        under = under[: under.index(screen)] if screen in under else []
    token = visible_screen_stack.set(under)
    try:
        strips = screen._compositor.render_strips()
    finally:
        visible_screen_stack.reset(token)
    return ["".join(segment.text for segment in strip) for strip in strips]


def notifications(app: App[Any]) -> list[Notification]:
    """The toasts the app is showing (or has just shown). Upstream: notifications came
    with Textualize/textual#2866, without a public way to read them."""
    return list(app._notifications)


_frame_watchers: weakref.WeakKeyDictionary[App[Any], list[Callable[[object], None]]] = (
    weakref.WeakKeyDictionary()
)


def watch_frames(app: App[Any], seen: Callable[[object], None]) -> Callable[[], None]:
    """Call `seen` with each frame the app writes to the terminal from now on (in a
    headless test too: what App._display would write), until the function returned is
    called (once). Any number may watch at once, and stop in any order. The watchers
    are kept by the app's weak key: one that holds the app keeps it alive.
    Upstream: no public hook on the frames written as of 8.2.8."""
    _frames_unseen.discard(app)  # this watcher reads them: they are drawn
    return count_frames(app, seen)


def count_frames(app: App[Any], seen: Callable[[object], None]) -> Callable[[], None]:
    """watch_frames for a watcher that only counts the frames: with
    draw_frames_only_when_read, they are not drawn for it."""
    watchers = _frame_watchers.get(app)
    if watchers is None:
        watchers = _frame_watchers[app] = []
        display = app._display

        def counted(screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                for watcher in tuple(watchers):
                    watcher(renderable)
            display(screen, renderable)

        app._display = counted  # type: ignore[method-assign]
    watchers.append(seen)
    return functools.partial(watchers.remove, seen)


@contextlib.contextmanager
def frames_written(app: App[Any]) -> Iterator[list[object]]:
    """Each frame the app writes to the terminal while inside, as a list that grows as
    they come (watch_frames)."""
    frames: list[object] = []
    stop = watch_frames(app, frames.append)
    try:
        yield frames
    finally:
        stop()


def whole_frame(frame: object) -> bool:
    """Whether a frame (watch_frames) draws the whole screen, not only what changed.
    Upstream: no public name for Textual's frame types as of 8.2.8."""
    return isinstance(frame, LayoutUpdate) or frame is _UNSEEN_WHOLE


class _UnseenFrame:
    """A frame of a headless app that nothing reads (draw_frames_only_when_read)."""


_UNSEEN_WHOLE = _UnseenFrame()
_UNSEEN_PART = _UnseenFrame()
_frames_unseen: weakref.WeakSet[App[Any]] = weakref.WeakSet()
_drawn_in_every_frame: weakref.WeakSet[Widget] = weakref.WeakSet()
_compositor_refresh = Screen._compositor_refresh


def _frame_rendered_if_read(screen: Screen[Any]) -> None:
    app = screen.app
    if app not in _frames_unseen or not app.is_headless:
        _compositor_refresh(screen)
        return
    compositor = screen._compositor
    compositor.render_update = functools.partial(_unread_update, screen)  # type: ignore[method-assign,assignment]
    try:
        _compositor_refresh(screen)
    finally:
        del compositor.render_update


def _unread_update(
    screen: Screen[Any],
    full: bool = False,
    screen_stack: list[Screen[Any]] | None = None,
    simplify: bool = False,
) -> _UnseenFrame | None:
    """Compositor.render_update for a frame nothing reads: what it would draw is
    forgotten as it would be, and only the widgets that act on being drawn are drawn,
    the screens under a see-through one (a dialog's background) included."""
    under = [] if screen_stack is None else screen_stack
    visible_screen_stack.set(under)
    compositor = screen._compositor
    dirty = compositor._dirty_regions
    whole_screen = compositor.size.region
    whole = full or whole_screen in dirty
    if not (whole or dirty):
        return None
    crop = whole_screen if whole else Region.from_union(list(dirty)).intersection(whole_screen)
    dirty.clear()
    shown = [screen, *reversed(under)] if screen.styles.background.a < 1 else [screen]
    for drawn in shown:
        _draw_what_acts_on_drawing(drawn._compositor, crop)
    return _UNSEEN_WHOLE if whole else _UNSEEN_PART


def _draw_what_acts_on_drawing(compositor: Compositor, crop: Region) -> None:
    """As Compositor._get_renders would, for each widget of the frame that acts on being
    drawn: Textual's OptionList measures its lines as it draws them (its virtual size,
    so where `k` goes after a resize), and those drawn_in_every_frame."""
    for widget, (region, clip) in compositor.visible_widgets.items():
        if crop.overlaps(clip) and (
            widget in _drawn_in_every_frame or isinstance(widget, OptionList)
        ):
            visible = region.intersection(clip)
            if visible.area:
                widget.render_lines(visible.translate(-region.offset))


def drawn_in_every_frame(widget: Widget) -> None:
    """The widget acts as it is drawn (reads the cards it shows, calls back once shown):
    a frame not rendered (draw_frames_only_when_read) still draws it."""
    _drawn_in_every_frame.add(widget)


def draw_frames_only_when_read(app: App[Any]) -> None:
    """A headless app (a test's) renders a frame's lines only when something reads
    them: screen_lines, a screenshot (App.export_screenshot), a frame watcher that
    sees what is written (watch_frames). Each frame still goes to the watchers that
    only count them (count_frames), still forgets what it would have drawn, and still
    draws the widgets that act on being drawn (_draw_what_acts_on_drawing). A widget
    whose drawing fails fails when the screen is read, not in the frame.

    Textual 8.2.8 renders every frame of a headless app (Compositor.render_update)
    and then drops it (App._display writes nothing headless): a fifth of the CPU of
    a test that drives the app. Upstream: no issue found as of 8.2.8.
    """
    _frames_unseen.add(app)
    Screen._compositor_refresh = _frame_rendered_if_read  # type: ignore[method-assign,assignment]


STYLES_CACHE = StylesCache
"""The render cache every widget owns; a test counts them to find leaked widgets
(Textualize/textual#6665)."""
