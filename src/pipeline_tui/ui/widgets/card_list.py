"""One stage's cards, drawn line by line so only the cards on screen cost anything.

Columns can hold thousands of cards; rendering them as widgets would make the board
slow to open and to repaint. Each card is a fixed block of CARD_HEIGHT lines.

A list holds only its cards' ids (8 bytes each). What a card says comes from a
SummaryCache shared by the board's lists, which keeps a bounded number of cards: a
card not read yet is drawn as a dim placeholder, and the list asks its screen (a
Wanted message) for the cards around what it shows, a few screens either way, so
moving through a column rarely meets one.
"""

from __future__ import annotations

import asyncio
from array import array
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.board import ListPlace, SummaryCache
from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.referrals import REFERRING_STAGES
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import cell_width, clean_line, clip_cells, wrap_cells
from pipeline_tui.ui import seams
from pipeline_tui.ui.key_order import hold_keys
from pipeline_tui.ui.styles import load_tcss

CARD_HEIGHT = 5  # name and marks; organisation, tags and due; the action's 2 lines; a blank
ACTION_LINES = 2
"""The next action's lines on a card: a short one whole, a long one's start."""
STALE_MARK = "◷"  # no touchpoint, note or move for longer than the stage allows
REFERRAL_MARK = "⇄"  # followed by how many active cards this one referred
DRAFT_MARK = "✎"  # the rep has unsaved text on this card (a draft)
GUTTER = 2
LINE_CACHE_SIZE = 1024
"""Drawn lines a list keeps: about 200 cards, many screens of them. Each line drawn also
holds its copy after the app's line filters (see render_lines)."""
PREFETCH_PAGES = 3
"""How many screens of cards above and below the visible ones a list asks for."""
PLACEHOLDER = "…"


class CardList(ScrollView, can_focus=True):
    """The cards of one stage, with a cursor on the highlighted card."""

    DEFAULT_CSS = load_tcss(__file__)
    COMPONENT_CLASSES = {
        "card-list--name",
        "card-list--detail",
        "card-list--action",
        "card-list--no-action",
        "card-list--overdue",
        "card-list--due-today",
        "card-list--due-later",
        "card-list--gutter",
        "card-list--cursor",
        "card-list--empty",
        "card-list--stale",
        "card-list--score",
        "card-list--qualified",
        "card-list--referrals",
        "card-list--draft",
    }
    BINDINGS = [
        Binding(
            "up,k", "cursor(-1)", "Up", show=False, tooltip="Previous card", id="cards.previous"
        ),
        Binding("down,j", "cursor(1)", "Down", show=False, tooltip="Next card", id="cards.next"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="cards.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="cards.page_down"),
        Binding("home,g", "jump(0)", "First card", show=False, id="cards.first"),
        Binding("end,G", "jump(-1)", "Last card", show=False, id="cards.last"),
    ]

    ids: reactive[array[int]] = reactive(lambda: array("q"), always_update=True, init=False)
    """The column's card ids, top first (the cards themselves are in `cache`)."""
    today: reactive[date] = reactive(date.today, init=False)
    empty_hint: reactive[tuple[str, ...]] = reactive((), init=False)
    """What the list says when it has no card (the board knows why it has none);
    nothing until the board has been read: "No cards yet" over a board still being
    read told the rep their cards had gone."""
    # Not repainted as a whole: watch_cursor repaints just the two cards that change.
    cursor: reactive[int] = reactive(0, init=False, repaint=False)

    class Highlighted(Message):
        """The highlighted card changed (None when the list is empty)."""

        def __init__(self, card_list: CardList, card: CardSummary | None) -> None:
            super().__init__()
            self.card_list = card_list
            self.card = card

    class Wanted(Message):
        """Cards the list is about to show (or just showed as placeholders): read them."""

        def __init__(self, card_list: CardList, ids: list[int]) -> None:
            super().__init__()
            self.card_list = card_list
            self.ids = ids

    class PastTheRead(Message):
        """A key went past the last card read while only the column's first cards are
        (start-up): where it lands is known once the whole board is. The app's keys are
        held until `go_on` has moved the cursor; `release` lets them go."""

        def __init__(
            self, card_list: CardList, go_on: Callable[[], None], release: Callable[[], None]
        ) -> None:
            super().__init__()
            self.card_list = card_list
            self.go_on = go_on
            self.release = release

    class Opened(Message):
        """The rep clicked the highlighted card (or double-clicked any card): open it."""

        def __init__(self, card_list: CardList, card: CardSummary) -> None:
            super().__init__()
            self.card_list = card_list
            self.card = card

    def __init__(
        self, stage: Stage, cache: SummaryCache | None = None, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.stage = stage
        self.cache = SummaryCache() if cache is None else cache
        self._covered: list[tuple[int, int]] = []  # the ids[low:high] last asked for
        self._want_scheduled = False
        self._styles: dict[str, Style] = {}
        # Drawn lines by (card, row, highlighted, width): a repaint of the whole board,
        # which Textual does on every focus change, then costs next to nothing.
        self._lines: LRUCache[tuple[CardSummary, int, bool, int], Strip] = LRUCache(LINE_CACHE_SIZE)
        self._blank_line: Strip | None = None
        self._hint_lines: tuple[tuple[int, tuple[str, ...]], list[Strip]] | None = None
        self._focused_before_press = False
        self._stale_limits: Mapping[Stage, int] = DEFAULT_STALE_LIMITS
        self._after_drawn: list[Callable[[], object]] = []
        self.more_below = False
        """The ids are the column's first cards only; more follow once the board is read."""
        # Drawing reads the cards it shows and calls back (call_after_drawn).
        seams.drawn_in_every_frame(self)

    @property
    def stale_limits(self) -> Mapping[Stage, int]:
        return self._stale_limits

    @stale_limits.setter
    def stale_limits(self, limits: Mapping[Stage, int]) -> None:
        if dict(limits) != dict(self._stale_limits):
            self._stale_limits = dict(limits)
            self._lines.clear()
            self.refresh()

    @property
    def highlighted(self) -> CardSummary | None:
        """The highlighted card; None when the list is empty or it is not read yet."""
        return self.cache.peek(self.ids[self.cursor]) if self.ids else None

    @property
    def highlighted_id(self) -> int | None:
        return self.ids[self.cursor] if self.ids else None

    def index_of(self, card_id: int) -> int | None:
        try:
            return self.ids.index(card_id)
        except ValueError:
            return None

    def show_fetched(self, card_ids: Collection[int]) -> None:
        """Cards just put in the cache: repaint the list if any of them is on screen."""
        page = self.page_size()
        first = self.scroll_offset.y // CARD_HEIGHT
        if any(card_id in card_ids for card_id in self.ids[first : first + page]):
            self.refresh()
        if self.highlighted_id in card_ids:
            self.post_message(self.Highlighted(self, self.highlighted))

    # Reading ahead ---------------------------------------------------------------------

    def page_size(self) -> int:
        """Cards on one screen (the partly shown one included). Before the list is
        laid out, as many as the terminal's height could show: the board's first read
        is asked for then, and a page of one had each column show two cards and
        placeholders, then read the rest and draw again, a frame a column."""
        height = self.scrollable_content_region.height or self.app.size.height
        return max(1, height // CARD_HEIGHT + 1)

    def want_window(self, *, force: bool = False) -> None:
        """Ask for the cards around what is on screen and around the cursor, unless
        asked for already (CardList.Wanted)."""
        missing = self.take_missing(force=force)
        if missing:
            self.post_message(self.Wanted(self, missing))

    def take_missing(self, *, force: bool = False) -> list[int]:
        """The cards around what is on screen and around the cursor that are neither
        read nor asked for; from now on they count as asked for (the caller reads
        them). `force`: look again even if the list has not moved.

        Two places, not the span between them: after a jump (G, a reload that keeps
        the highlight) the cursor can be thousands of cards from where the list has
        not yet scrolled, and that span would be the whole column. Cheap when nothing
        is missing (a j/k press): a few ranges compared."""
        count = len(self.ids)
        if not count:
            return []
        page = self.page_size()
        places = {self.scroll_offset.y // CARD_HEIGHT, self.cursor}
        if not force and all(
            any(
                low <= max(0, place - page) and min(count, place + 2 * page) <= high
                for low, high in self._covered
            )
            for place in places
        ):
            return []
        self._covered = [
            (max(0, place - PREFETCH_PAGES * page), min(count, place + (PREFETCH_PAGES + 1) * page))
            for place in places
        ]
        cache = self.cache
        around = dict.fromkeys(i for low, high in self._covered for i in self.ids[low:high])
        missing = [i for i in around if i not in cache and i not in cache.pending]
        cache.pending.update(missing)
        return missing

    def place(self) -> ListPlace:
        """Where the list is: its cursor, the first card on screen, cards a screen, and
        the highlighted card."""
        return ListPlace(
            self.cursor, self.scroll_offset.y // CARD_HEIGHT, self.page_size(), self.highlighted_id
        )

    def on_screen(self) -> list[int]:
        """The cards on screen, and the highlighted one."""
        if not self.ids:
            return []
        first = self.scroll_offset.y // CARD_HEIGHT
        shown = dict.fromkeys(self.ids[first : first + self.page_size()])
        shown[self.ids[self.cursor]] = None
        return list(shown)

    def unread_on_screen(self) -> list[int]:
        """The cards on screen, and the highlighted one, not read yet (asked for or not)."""
        return [card_id for card_id in self.on_screen() if card_id not in self.cache]

    def _want_after_paint(self) -> None:
        self._want_scheduled = False
        self.want_window(force=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.want_window()

    def on_resize(self) -> None:
        # The scroll a resize leaves (clamped to what a taller list could scroll, then
        # kept as the list shrank back) can have the highlighted card off screen, the
        # card the column's position counts and that H or L would move, or a card's
        # middle at the top.
        self._size_content()
        if self.ids:
            self._scroll_to_cursor()
        self.want_window()

    def _size_content(self) -> None:
        """The list's height: its cards, and, when they do not fit, the few blank lines
        that make the furthest scroll a whole number of cards (so that the last card
        can be scrolled to with a card's first line at the top)."""
        height = self.scrollable_content_region.height
        lines = max(1, len(self.ids)) * CARD_HEIGHT
        if height >= CARD_HEIGHT and lines > height:
            lines += height % CARD_HEIGHT
        # Not a layout of the whole screen for each move: see the seam.
        seams.set_virtual_size_without_layout(
            self, Size(self.scrollable_content_region.width, lines)
        )

    # Reactives -------------------------------------------------------------------------

    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, len(self.ids) - 1))

    def watch_ids(self) -> None:
        self._size_content()
        self.cursor = self.validate_cursor(self.cursor)
        # The places asked for before were of other ids (a filter's cards take the
        # same places): look again. After a move, whose column shifted by one card,
        # that finds the cards around read already, and reads nothing.
        self._covered = []
        # Once the frame that shows the new ids is written, when whoever set them has
        # also placed the cursor (focus_card): reading ahead in the store's thread while
        # that frame is drawn would slow the frame. Any card on screen not read yet is
        # asked for as it is drawn.
        self.call_after_drawn(self.want_window)
        self.refresh()

    def watch_today(self) -> None:
        self._lines.clear()
        self.refresh()

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_card(old)
        self._refresh_card(new)
        self._scroll_to_cursor()
        self.want_window()
        self.post_message(self.Highlighted(self, self.highlighted))

    def _scroll_to_cursor(self) -> None:
        """Scroll as little as shows the highlighted card whole, with a card's first
        line at the top of the column whatever its height (scrolled only as far as the
        card needed, a 21-line column showed the last line of a card above it). The
        blank line under the card is shown too: at the bottom of the list, that line
        (not the card's text) is what a toast over the footer can reach."""
        height = self.scrollable_content_region.height
        top = self.cursor * CARD_HEIGHT
        y = self.scroll_offset.y
        if top < y:
            y = top
        elif top + CARD_HEIGHT > y + height:
            y = top + CARD_HEIGHT - height
        y = min(top, -(-y // CARD_HEIGHT) * CARD_HEIGHT)  # on to a card's first line
        if y != self.scroll_offset.y:
            self.scroll_to(y=y, animate=False, immediate=True)

    def _refresh_card(self, index: int) -> None:
        top = index * CARD_HEIGHT - self.scroll_offset.y
        self.refresh(Region(0, top, self.size.width, CARD_HEIGHT))

    # Focus changes with every h/l. Textual's own handling restyles the widget (building
    # its fourteen component styles again, for `:focus` rules this list does not have)
    # and repaints all of it; only the highlighted card looks different, so these
    # repaint just that card and otherwise do what Widget._on_focus/_on_blur do.

    def watch_has_focus(self, has_focus: bool) -> None:
        pass

    def on_focus(self, event: events.Focus) -> None:
        event.prevent_default()
        self.has_focus = True
        self._refresh_card(self.cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantFocus(self))

    def on_blur(self, event: events.Blur) -> None:
        event.prevent_default()
        self.has_focus = False
        self._refresh_card(self.cursor)
        if self.parent is not None:
            self.parent.post_message(events.DescendantBlur(self))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._lines.clear()
        self._blank_line = None
        self._hint_lines = None

    # Actions ---------------------------------------------------------------------------

    def action_cursor(self, step: int) -> None:
        self._go(lambda: self.cursor + step)

    def action_page(self, direction: int) -> None:
        per_page = max(1, self.scrollable_content_region.height // CARD_HEIGHT)
        self._go(lambda: self.cursor + direction * per_page)

    def action_jump(self, index: int) -> None:
        self._go(lambda: index if index >= 0 else len(self.ids) - 1, to_the_end=index < 0)

    def _go(self, where: Callable[[], int], *, to_the_end: bool = False) -> None:
        """Move the cursor to `where()`; past the cards read at start-up, once the whole
        column is (G typed at launch went to the 100th card of 4,000, and stayed)."""
        if self.more_below and (to_the_end or where() >= len(self.ids)):
            self.more_below = False  # asked once: if the read fails, go on with these

            def go_on() -> None:
                self.cursor = where()

            self.post_message(self.PastTheRead(self, go_on, hold_keys(self)))
            return
        self.cursor = where()

    # The wheel moves the view a card a notch (Textual's two lines left a card's middle
    # at the top); the highlight stays where it is, as with Textual's own scrolling.

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._scroll_cards(1, event)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._scroll_cards(-1, event)

    def _scroll_cards(self, step: int, event: events.MouseEvent) -> None:
        if event.ctrl or event.shift:
            return  # sideways: nothing here scrolls that way
        event.prevent_default()
        event.stop()
        top = (self.scroll_offset.y // CARD_HEIGHT + step) * CARD_HEIGHT
        if 0 <= top <= self.max_scroll_y:
            self.scroll_to(y=top, animate=False, immediate=True)

    def focus_on_click(self) -> bool:
        # Called on mouse down before focus moves: was the highlight already showing?
        self._focused_before_press = self.has_focus
        return True

    def on_click(self, event: events.Click) -> None:
        index = (event.y + self.scroll_offset.y) // CARD_HEIGHT
        if not 0 <= index < len(self.ids):
            return
        # A double click is this too: its first click focuses and highlights the card.
        opens = self._focused_before_press and index == self.cursor
        self.cursor = index
        card = self.cache.peek(self.ids[index])
        if opens and card is not None:
            self.post_message(self.Opened(self, card))

    # Drawing ---------------------------------------------------------------------------

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"card-list--{name}")
        return style

    def call_after_drawn(self, callback: Callable[[], object]) -> None:
        """Call `callback` just after the frame that next draws this list is written.
        Textual's call_after_refresh can come before it: the list tells the screen it
        needs drawing only once its own messages are handled, and a screen with nothing
        to draw by then calls back at once."""
        if callback not in self._after_drawn:  # the ids set again before a frame
            self._after_drawn.append(callback)

    def render_lines(self, crop: Region) -> list[Strip]:
        if self._after_drawn:
            # Drawing runs in one go, from the lines to the frame handed to the
            # terminal's writer: the loop's next turn is after it.
            loop = asyncio.get_running_loop()
            for callback in self._after_drawn:
                loop.call_soon(callback)
            self._after_drawn.clear()
        # Textual draws a widget's lines through its StylesCache, which makes each one
        # again, as a new Strip, after any whole repaint: borders, padding, tint and
        # opacity, none of which a card list has. A key typed in the filter repaints
        # all four lists, and that was about half the time of drawing its frame. Here
        # the list's own lines go out as they are, after the app's line filters (which
        # keep their result on the line, so a card already drawn costs a lookup).
        if not self._drawn_plainly():
            return super().render_lines(crop)
        _, background = self.background_colors
        filters = self.get_line_filters()
        frame = self._frame()
        strips = []
        for y in crop.line_range:
            strip = self._line(y, frame)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            strips.append(strip)
        x1, x2 = crop.column_span
        if (x1, x2) != (0, self.size.width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _drawn_plainly(self) -> bool:
        """Whether Textual's styling would leave this list's lines as they are: no
        border, outline, padding, scrollbar, hatch, tint or transparency (a theme or a
        rep's CSS could add one; then Textual draws the lines its own way)."""
        styles = self.styles
        return (
            self.size == self.scrollable_content_region.size
            and not any(styles.padding)
            and not any(edge for edge, _ in styles.border)
            and not any(edge for edge, _ in styles.outline)
            and not styles.tint.a
            and styles.text_opacity == 1.0
            and self.opacity == 1.0
            and styles.hatch in (None, "none")
        )

    def render_line(self, y: int) -> Strip:
        return self._line(y, self._frame())

    def _frame(self) -> _Frame:
        """What every line of one drawing depends on, read once: each of these is a
        property or a reactive, and reading them for each line cost more than the
        line itself when its card was drawn already."""
        base = self._styles.get("")
        if base is None:
            base = self._styles[""] = self.rich_style
        return _Frame(
            width=self.scrollable_content_region.width,
            top=self.scroll_offset.y,
            ids=self.ids,
            highlighted=self.cursor if self.has_focus else -1,
            base=base,
        )

    def _line(self, y: int, frame: _Frame) -> Strip:
        width, base, ids = frame.width, frame.base, frame.ids
        line_no = y + frame.top
        if not ids:
            hint = self._hint(width, base)
            return hint[line_no] if line_no < len(hint) else self._blank(width, base)
        index, row = divmod(line_no, CARD_HEIGHT)
        if index >= len(ids) or row == CARD_HEIGHT - 1:
            return self._blank(width, base)
        card = self.cache.get(ids[index])
        selected = index == frame.highlighted
        if card is None:
            if not self._want_scheduled:
                self._want_scheduled = True
                self.call_later(self._want_after_paint)
            return self._placeholder_line(row, selected, width, base)
        key = (card, row, selected, width)
        strip = self._lines.get(key)
        if strip is None:
            strip = self._card_line(card, row, selected, width, base)
            self._lines.set(key, strip)
        return strip

    def _hint(self, width: int, base: Style) -> list[Strip]:
        """The empty column's hint, a strip a line, made once for each width: every
        line of an empty column is drawn again at every repaint of the board. Wrapped,
        not cut: a 60-column terminal leaves a column 11 cells."""
        made_for = (width, self.empty_hint)
        if self._hint_lines is None or self._hint_lines[0] != made_for:
            lines = [
                line
                for hint in self.empty_hint
                for line in wrap_cells(hint, width, initial_indent="  ", subsequent_indent="  ")
            ]
            style = self._style("empty")
            self._hint_lines = (
                made_for,
                [self._strip([(line, style)], width, base) for line in lines],
            )
        return self._hint_lines[1]

    def _blank(self, width: int, base: Style) -> Strip:
        # One blank line object, so the line filters' result is kept on it too.
        blank = self._blank_line
        if blank is None or blank.cell_length != width:
            blank = self._blank_line = Strip.blank(width, base)
        return blank

    def _placeholder_line(self, row: int, selected: bool, width: int, base: Style) -> Strip:
        """A card still being read: its place, and the cursor if it is on it."""
        if selected:
            base = base + Style(bgcolor=self._style("cursor").bgcolor)
        gutter = ("▌ " if selected else "  ", self._style("gutter"))
        text = PLACEHOLDER if row == 0 else ""
        row_background = Style(bgcolor=base.bgcolor)
        return self._strip([gutter, (text, self._style("empty"))], width, base, row_background)

    def _card_line(
        self, card: CardSummary, row: int, selected: bool, width: int, base: Style
    ) -> Strip:
        if selected:
            base = base + Style(bgcolor=self._style("cursor").bgcolor)
        # Component styles carry the widget's own background; the row's must win.
        row_background = Style(bgcolor=base.bgcolor)
        gutter = ("▌ " if selected else "  ", self._style("gutter"))
        inner = width - GUTTER
        if row == 0:
            marks = self._marks(card)
            room = inner - sum(cell_len(text) for text, _ in marks)
            parts = [(_fit(clean_line(card.name), room), self._style("name")), *marks]
        elif row == 1:
            # The due label at the right, as the marks are above it: the action below
            # has both its lines to itself.
            due = self._due(card)
            detail = " ".join([clean_line(card.organisation), *(f"#{t}" for t in card.tags)])
            room = inner - (cell_width(due[0]) + 1 if due[0] else 0)
            parts = [(_fit(detail.strip(), room), self._style("detail"))]
            if due[0]:
                parts.append((" " + due[0], due[1]))
        else:
            parts = self._action_line(card, row - 2, inner)
        return self._strip([gutter, *parts], width, base, row_background)

    def _marks(self, card: CardSummary) -> list[tuple[str, Style]]:
        """Right of the name: draft mark, stale mark, qualification score, referral count."""
        marks: list[tuple[str, Style]] = []
        if card.has_draft:
            marks.append((f" {DRAFT_MARK}", self._style("draft")))
        if card.is_stale(self.today, self._stale_limits):
            marks.append((f" {STALE_MARK}", self._style("stale")))
        score = card.score
        if score is not None:
            done = card.qualified == card.criteria
            marks.append((f" {score}", self._style("qualified" if done else "score")))
        if card.referrals and card.stage in REFERRING_STAGES:
            marks.append((f" {REFERRAL_MARK}{card.referrals}", self._style("referrals")))
        return marks

    def _due(self, card: CardSummary) -> tuple[str, Style]:
        """The next action's due label ("" when it has none), overdue marked with "!";
        for a parked card, the day it comes back instead ("back Mar 02")."""
        if card.nurture_until is not None and card.is_nurturing(self.today):
            return f"back {describe_due(card.nurture_until, self.today)}", self._style("due-later")
        if card.next_action_due is None:
            return "", self._style("due-later")
        due = describe_due(card.next_action_due, self.today)
        if card.is_overdue(self.today):
            return f"!{due}", self._style("overdue")
        if card.is_due_today(self.today):
            return due, self._style("due-today")
        return due, self._style("due-later")

    def _action_line(self, card: CardSummary, line: int, width: int) -> list[tuple[str, Style]]:
        """Line `line` of the next action: a short action whole, a long one's first
        ACTION_LINES lines."""
        if not card.next_action and card.next_action_due is None:
            if not card.stage.wants_next_action or line:
                return []
            # Shorter where it does not fit (a 60-column board cut it to "no next act").
            words = "no next action" if width >= len("no next action") else "no action"
            shown = words if len(words) <= width else _fit(words, width)
            return [(shown, self._style("no-action"))]
        # A step with a day and no words, as every other screen shows it (not a bare →).
        words = clean_line(card.next_action) or "(no description)"
        lines = action_lines(words, width)
        return [(_fit(lines[line], width), self._style("action"))] if line < len(lines) else []

    @staticmethod
    def _strip(
        parts: list[tuple[str, Style]], width: int, base: Style, overlay: Style | None = None
    ) -> Strip:
        segments = [Segment(text, base + style + overlay) for text, style in parts if text]
        return Strip(segments).adjust_cell_length(width, base).crop(0, width)


@dataclass(frozen=True, slots=True)
class _Frame:
    width: int
    top: int
    """The first line shown (the scroll position)."""
    ids: array[int]
    highlighted: int
    """The card drawn highlighted: the cursor's, when the list has the focus; else -1."""
    base: Style


def action_lines(action: str, width: int) -> list[str]:
    """An action as "→ Send the proposal", wrapped at words into at most ACTION_LINES
    lines of `width` cells; what does not fit is cut with an ellipsis."""
    # No indent under the arrow: at 80 columns those two cells are a word more.
    arrow = "→ "
    first = next(iter(action.split()), "")
    if cell_width(arrow) + cell_width(first) == width + 1:
        arrow = "→"  # "→Onboarding", not "→ Onboardin" and a "g" under it
    lines = wrap_cells(action, width, initial_indent=arrow)
    if len(lines) <= ACTION_LINES:
        return lines
    kept = lines[: ACTION_LINES - 1]
    # The rest of the text from where the last kept line ends, on one cut line.
    rest = " ".join(" ".join(lines[ACTION_LINES - 1 :]).split())
    return [*kept, clip_cells(rest, width)]


def _fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, marking a cut with an ellipsis."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text + " " * (width - cell_len(text))
    return set_cell_size(text, width - 1) + "…"
