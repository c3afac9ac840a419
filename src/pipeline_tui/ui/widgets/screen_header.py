"""The header of every full screen: the palette's icon and the screen's title, in one
widget that draws one line.

It looks as Textual's Header does, but that is a container of three widgets (icon,
title, clock space), mounted and styled on every screen, and its title is a Static
whose every update lays the screen out again. Here the title is read as the line is
drawn, and a new one is a repaint of that line.

Textual's Header also watches the App's title and sub-title, and Textual 8.2.8 forgets
a watcher only when the watched value next changes (Textualize/textual#6666): as the
app's title never changes, every Header of every screen ever opened stayed alive. This
one watches only its own screen, so it goes with its screen.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

from pipeline_tui.ui.styles import load_tcss

ICON = "◆"
PALETTE_TOOLTIP = "Open the command palette"


class ScreenHeader(Widget, can_focus=False):
    """Its title is the screen's title and sub-title; the app's (the fallback) are set
    before the first screen and never change, so they are not watched."""

    DEFAULT_CSS = load_tcss(__file__)
    # The title is not text to copy, and one widget would copy the icon and spaces too.
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"screen-header--icon"}

    def __init__(self) -> None:
        super().__init__()
        self._icon_hovered = False

    def on_mount(self) -> None:
        self.watch(self.screen, "title", self._title_changed, init=False)
        self.watch(self.screen, "sub_title", self._title_changed, init=False)

    def _title_changed(self) -> None:
        self.refresh()

    # Drawing ---------------------------------------------------------------------------

    def _icon_width(self) -> int:
        width = self.get_component_styles("screen-header--icon").width
        return int(width.value) if width is not None else 0

    def render(self) -> Content:
        width = self.content_size.width
        icon_width = min(width, self._icon_width())
        room = width - icon_width
        icon, under_icon = (
            Content(text.ljust(icon_width)[:icon_width]) for text in (f" {ICON}", "")
        )
        if self._icon_hovered:
            hover = self.get_visual_style("screen-header--icon")
            icon, under_icon = icon.stylize(hover), under_icon.stylize(hover)
        title = self.format_title(room)
        if title.cell_length > room:
            title = title.truncate(room, ellipsis=True)
        # Centred as a Static with content-align: center would place it.
        title = Content.assemble(" " * ((room - title.cell_length) // 2), title)
        if not self.has_class("-tall"):
            return Content.assemble(icon, title)
        # Tall, the title stays on the top line and the icon is centred, as in Textual.
        return Content("\n").join([Content.assemble(under_icon, title), icon, under_icon])

    def format_title(self, room: int) -> Content:
        """The app's title and the screen's figures; only the figures when both do not
        fit (the board's counts and views at 80 columns), as they are what changes."""
        screen = self.screen
        title = screen.title if screen.title is not None else self.app.title
        sub_title = screen.sub_title if screen.sub_title is not None else self.app.sub_title
        full = self.app.format_title(title, sub_title)
        if sub_title and room and full.cell_length > room:
            return Content(sub_title)
        return full

    # The mouse -------------------------------------------------------------------------

    def _over_icon(self, x: int) -> bool:
        return x < self._icon_width()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        self._hover_icon(self._over_icon(event.x))

    def on_leave(self) -> None:
        self._hover_icon(False)

    def _hover_icon(self, hovered: bool) -> None:
        if hovered != self._icon_hovered:
            self._icon_hovered = hovered
            self.tooltip = PALETTE_TOOLTIP if hovered else None
            self.refresh()

    async def on_click(self, event: events.Click) -> None:
        event.stop()
        over_icon = self._over_icon(event.x)
        self._hover_icon(over_icon)
        if over_icon:
            await self.run_action("app.command_palette")
        else:
            self.toggle_class("-tall")
