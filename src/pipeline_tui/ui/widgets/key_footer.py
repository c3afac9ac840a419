"""The footer of keys: one line, drawn by one widget.

It looks as Textual's compact Footer does (the theme's footer colours, the palette's
key on the right), but Textual's Footer is a container of a widget for every key,
composed again whenever the keys change: each screen opened mounted and styled a dozen
of them, about a third of the CPU of opening a screen or starting the app. Here the
keys are data, and a change of keys is a repaint of one line.

Below 100 columns a screen's WIDE_ONLY_KEYS (binding ids) are left out, so its most
used keys and the palette's (ctrl+p) fit an 80-column terminal; `?` lists them all.
They are left out wider too where the keys would not all fit beside the palette's.
Where the help key (`?`, which lists them all) would be cut, the keys before it go,
from the right, until it shows whole. Keys that still do not fit are cut at the right
edge, under the palette's key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import groupby

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.color import Color
from textual.geometry import Region
from textual.reactive import var
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

from pipeline_tui.ui.styles import load_tcss

TINY_BELOW = 80
"""Narrower than this, the footer cannot hold a screen's most used keys: the palette's
key, over them, would leave a stray letter at the edge, so it is left out."""
PALETTE_EDGE = "▏"
"""The line before the palette's key (Textual's `vkey` border)."""


@dataclass(frozen=True)
class FooterItem:
    """A key as the footer shows it, or a group's label (`key` empty)."""

    key: str
    """The key pressed when the item is clicked."""
    shown: str
    """The key as shown (`ctrl+p` as `^p`)."""
    description: str
    enabled: bool = True
    tooltip: str = ""
    wide_only: bool = False
    action: str = ""

    @property
    def is_label(self) -> bool:
        return not self.key


@dataclass(frozen=True)
class FooterKeys:
    """What the footer shows: its keys from the left, and the palette's on the right."""

    items: tuple[FooterItem, ...]
    palette: FooterItem | None


def footer_keys(screen: Screen[object]) -> FooterKeys:
    """The keys a screen's footer shows now, as Textual's Footer picks them: the shown
    bindings, one per action, a binding group's keys together with its label."""
    app = screen.app
    active = screen.active_bindings
    wide_only: frozenset[str] = getattr(screen, "WIDE_ONLY_KEYS", frozenset())
    by_action: defaultdict[str, list[tuple[Binding, bool, str]]] = defaultdict(list)
    for _, binding, enabled, tooltip in active.values():
        if binding.show:
            by_action[binding.action].append((binding, enabled, tooltip))
    items: list[FooterItem] = []
    for group, of_group in groupby(by_action.values(), lambda bindings: bindings[0][0].group):
        actions = list(of_group)
        grouped = group is not None and len(actions) > 1
        for binding, enabled, tooltip in (bindings[0] for bindings in actions):
            items.append(
                FooterItem(
                    binding.key,
                    app.get_key_display(binding),
                    "" if grouped else binding.description,
                    enabled,
                    tooltip or binding.description if grouped else tooltip,
                    binding.id in wide_only if binding.id else False,
                    binding.action,
                )
            )
        if grouped and group is not None:
            items.append(FooterItem("", "", group.description))
    palette = None
    if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
        _, binding, enabled, tooltip = active[app.COMMAND_PALETTE_BINDING]
        palette = FooterItem(
            binding.key,
            app.get_key_display(binding),
            binding.description,
            enabled,
            binding.tooltip or binding.description,
        )
    return FooterKeys(tuple(items), palette)


HELP_ACTION = "help"


def _help_cut(spans: list[tuple[int, int, FooterItem]], room: int) -> bool:
    """Whether the help key, drawn where `spans` say, runs past the first `room` cells."""
    return any(item.action == HELP_ACTION and last > room for _, last, item in spans)


def _drop_one_for_help(items: list[FooterItem], wide_only: bool) -> bool:
    """Take out of `items` the rightmost key shown before the help key (with its group,
    when it is a group's label), to move the help key left; False when there is no
    help key, or no key before it left to take. Keys after it stay, cut at the edge."""
    help_at = next((n for n, item in enumerate(items) if item.action == HELP_ACTION), None)
    if help_at is None:
        return False
    for index in reversed(range(help_at)):
        item = items[index]
        if item.wide_only and not wide_only:
            continue
        first = index
        if item.is_label:  # the group's keys, drawn before it without descriptions
            while first > 0 and not items[first - 1].is_label and not items[first - 1].description:
                first -= 1
        del items[first : index + 1]
        return True
    return False


class KeyFooter(Widget, can_focus=False):
    DEFAULT_CSS = load_tcss(__file__)
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {
        "key-footer--item",
        "key-footer--hover",
        "key-footer--disabled",
        "key-footer--key",
        "key-footer--description",
        "key-footer--label",
        "key-footer--palette-edge",
        "key-footer--wide-only",
    }

    covered: var[bool] = var(False, init=False)
    """Something else is in the footer's place (the board's filter): the keys are not
    read meanwhile, and are brought up to date as it goes, so that the keys the rep
    had before show again in the same frame."""

    def __init__(self) -> None:
        super().__init__()
        self._keys: FooterKeys | None = None
        self._hovered: FooterItem | None = None
        self._spans: list[tuple[int, int, FooterItem]] = []
        """Where each key was last drawn: its first cell, the cell after it, the key."""
        self._styles_read: dict[tuple[str, ...], Style] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.covered or not screen.app.app_focus or screen is not self.screen:
            return
        keys = footer_keys(screen)
        if keys != self._keys:
            self._keys = keys
            self._hover(None)  # the key under the mouse may have moved, or gone
            self.refresh()

    def watch_covered(self, covered: bool) -> None:
        if not covered and self.is_attached:
            self.bindings_changed(self.screen)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles_read.clear()

    @property
    def keys(self) -> FooterKeys:
        """The keys shown (read from the screen the first time: the first frame)."""
        if self._keys is None:
            self._keys = footer_keys(self.screen)
        return self._keys

    # Drawing ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        width = self.size.width
        line = self._line(width)
        # As Textual's StylesCache would (no color for NO_COLOR, say).
        _, background = self.background_colors
        for line_filter in self.get_line_filters():
            line = line.apply_filter(line_filter, background)
        strips = [line if y == 0 else Strip.blank(width, self._style()) for y in crop.line_range]
        x1, x2 = crop.column_span
        if (x1, x2) != (0, width):
            strips = [strip.crop(x1, x2) for strip in strips]
        return strips

    def _line(self, width: int) -> Strip:
        keys = self.keys
        blank = self._style()
        palette: list[Segment] = []
        if keys.palette is not None and width >= TINY_BELOW:
            palette = [Segment(PALETTE_EDGE, self._edge_style(keys.palette))]
            palette += [Segment(text, style) for text, style in self._item(keys.palette)]
            palette.append(Segment(" ", blank))
        palette_width = sum(len(segment.text) for segment in palette) - 1
        start = max(0, width - palette_width - 1) if palette else width
        wide_only = self.get_component_styles("key-footer--wide-only").display != "none"
        items = list(keys.items)
        segments, spans, end = self._keys_from_the_left(items, wide_only)
        if wide_only and end - 1 > start:
            # Past the palette's key a screen's less used keys go first (as below 100
            # columns), so that its most used ones and "q Quit" show whole.
            wide_only = False
            segments, spans, end = self._keys_from_the_left(items, wide_only)
        while _help_cut(spans, start) and _drop_one_for_help(items, wide_only):
            segments, spans, end = self._keys_from_the_left(items, wide_only)
        left = Strip(segments, end).crop_extend(0, width, blank)
        if keys.palette is None or not palette:
            self._spans = spans
            return left
        # A key cut by the palette's is clickable only where it shows: a click on ^p
        # over the end of a cut key must not press that key.
        spans = [(first, min(last, start), item) for first, last, item in spans if first < start]
        spans.append((start, start + palette_width, keys.palette))
        self._spans = spans
        line = Strip.join([left.crop(0, start), Strip(palette)]).crop(0, width)
        return line.simplify()

    def _keys_from_the_left(
        self, items: list[FooterItem], wide_only: bool
    ) -> tuple[list[Segment], list[tuple[int, int, FooterItem]], int]:
        """The keys' segments, where each key is, and the cell after the last margin."""
        blank = self._style()
        segments: list[Segment] = []
        spans: list[tuple[int, int, FooterItem]] = []
        x = 0
        for item in items:
            if item.wide_only and not wide_only:
                continue
            first = x
            for text, style in self._item(item):
                segments.append(Segment(text, style))
                x += len(text)
            if not item.is_label:
                spans.append((first, x, item))
            segments.append(Segment(" ", blank))  # its right margin
            x += 1
        return segments, spans, x

    def _item(self, item: FooterItem) -> Iterator[tuple[str, Style]]:
        if item.is_label:
            yield item.description, self._style("key-footer--label")
            return
        place = self._place(item)
        yield item.shown, self._style(*place, "key-footer--key")
        if item.description:
            yield " " + item.description, self._style(*place, "key-footer--description")

    def _place(self, item: FooterItem) -> tuple[str, ...]:
        """The component styles a key is drawn on, as a FooterKey widget would be."""
        # Hovered, a key's background is the hover's, not the item's over it.
        place = ["key-footer--hover" if item == self._hovered else "key-footer--item"]
        if not item.enabled:
            place.append("key-footer--disabled")
        return tuple(place)

    def _edge_style(self, item: FooterItem) -> Style:
        names = (*self._place(item), "key-footer--palette-edge")
        if names not in self._styles_read:
            background = self._background(*self._place(item))
            edge = self.get_component_styles("key-footer--palette-edge").color
            self._styles_read[names] = Style.from_color(
                (background + edge).rich_color, background.rich_color
            )
        return self._styles_read[names]

    def _style(self, *names: str) -> Style:
        """The style of text drawn on these components, one over the other, as Textual
        styles a widget's text through its ancestors. With no names, the footer's own
        background, as Textual draws the space around widgets."""
        style = self._styles_read.get(names)
        if style is None:
            if names:
                style = self.get_visual_style(*names).rich_style
            else:
                background = self._background()
                style = Style.from_color(None, background.rich_color if background.a else None)
            self._styles_read[names] = style
        return style

    def _background(self, *names: str) -> Color:
        return self.get_visual_style(*names).background or Color(0, 0, 0, 0)

    # The mouse -------------------------------------------------------------------------

    def _item_at(self, x: int) -> FooterItem | None:
        return next((item for start, end, item in self._spans if start <= x < end), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover(self._item_at(event.x))

    def on_leave(self) -> None:
        self._hover(None)

    def _hover(self, item: FooterItem | None) -> None:
        if item != self._hovered:
            self._hovered = item
            self.tooltip = item.tooltip if item is not None and item.tooltip else None
            self.styles.pointer = "default" if item is None else "pointer"
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
