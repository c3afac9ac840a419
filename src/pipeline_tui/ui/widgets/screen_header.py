"""The header of every full screen, which goes away with its screen.

Textual's Header watches the App's title and sub-title as well as its screen's, and
Textual 8.2.8 forgets a watcher only when the watched value next changes
(Textualize/textual#6666). The app's title never changes here, so every Header of
every screen ever opened stayed alive with its children and their render caches:
about 13,000 objects for each card a rep opened, walked by every full garbage
collection from then on (over 100 ms each after twenty cards, during a keystroke).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress

from textual.content import Content
from textual.css.query import NoMatches
from textual.dom import NoScreen
from textual.events import Mount
from textual.widgets import Header, Static

from pipeline_tui.ui.seams import HEADER_TITLE


class ScreenHeader(Header):
    def __init__(self) -> None:
        super().__init__(icon="◆")
        self._set_title: Callable[[], None] = lambda: None

    def on_mount(self, event: Mount) -> None:
        # Instead of Header's own mount handler (prevent_default stops it): the app's
        # title is set before any screen is mounted and never changes, so the screen's
        # own reactives are all there is to follow, and watchers kept on the screen go
        # with it.
        event.prevent_default()

        shown: list[Content] = []

        def set_title() -> None:
            with suppress(NoMatches, NoScreen):
                title = self.format_title()
                # An update lays the screen out again; a resize mostly keeps the title.
                if shown != [title]:
                    shown[:] = [title]
                    self.query_one(HEADER_TITLE, Static).update(title)

        self.watch(self.screen, "title", set_title)
        self.watch(self.screen, "sub_title", set_title)
        self._set_title = set_title

    def on_resize(self) -> None:
        self._set_title()

    def format_title(self) -> Content:
        """The app's title and the screen's figures; only the figures when both do not
        fit (the board's counts and views at 80 columns), as they are what changes."""
        full = super().format_title()
        sub_title = self.screen_sub_title
        with suppress(NoMatches):
            room = self.query_one(HEADER_TITLE, Static).size.width
            if sub_title and room and full.cell_length > room:
                return Content(sub_title)
        return full
