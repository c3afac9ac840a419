"""The footer of keys, rebuilt only when the keys it shows actually change.

Textual's Footer rebuilds all its key widgets on every focus change. On the board,
moving between columns changes focus but not the keys, and that rebuild was most of
the cost of an h/l keystroke.

Below 100 columns a screen's WIDE_ONLY_KEYS (binding ids) are left out, so its most
used keys and the palette's (ctrl+p) fit an 80-column terminal; `?` lists them all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.reactive import var
from textual.screen import Screen
from textual.widgets import Footer

from pipeline_tui.ui import seams

TINY_BELOW = 80
"""Narrower than this, the footer cannot hold a screen's most used keys (see app.tcss)."""


class KeyFooter(Footer):
    covered: var[bool] = var(False, init=False)
    """Something else is in the footer's place (the board's filter): the keys are not
    rebuilt meanwhile, and are brought up to date as it goes, so that the keys the
    rep had before show again in the same frame, not rebuilt a frame later."""

    def __init__(self, *, at_once: bool = False) -> None:
        """`at_once`: the keys in the screen's first frame, not two frames later. For a
        screen whose shown keys do not depend on which of its widgets has focus: the
        footer is composed before the screen focuses one."""
        super().__init__(compact=True)
        self._shown: tuple[tuple[str, str, str, bool], ...] | None = None
        self._at_once = at_once
        if at_once:
            seams.footer_ready_at_compose(self)

    @staticmethod
    def _keys(screen: Screen[object]) -> tuple[tuple[str, str, str, bool], ...]:
        return tuple(
            (binding.key, binding.description, binding.action, enabled)
            for (_, binding, enabled, _) in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.covered:
            return
        shown = self._keys(screen)
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)

    def watch_covered(self, covered: bool) -> None:
        if not covered and self.is_attached:
            self.bindings_changed(self.screen)

    def on_resize(self) -> None:
        self.set_class(self.size.width < TINY_BELOW, "-tiny")

    def compose(self) -> ComposeResult:
        if self._at_once:
            # What the first bindings signal will find: unchanged keys, no recompose.
            self._shown = self._keys(self.screen)
        wide_only: frozenset[str] = getattr(self.screen, "WIDE_ONLY_KEYS", frozenset())
        actions = {
            binding.action
            for (_, binding, _, _) in self.screen.active_bindings.values()
            if binding.id in wide_only
        }
        for widget in super().compose():
            # A key of the footer (FooterKey) knows its action; a group's label does not.
            action = getattr(widget, "action", None)
            if action is not None:
                # The class the key's compact watcher would add once it is mounted,
                # restyling each key on its own: a tenth of the CPU of opening a screen.
                widget.set_class(self.compact, "-compact", update=False)
            if action in actions:
                widget.add_class("-wide-only", update=False)
            yield widget
