"""The option list of every dialog (and of the archive): the chosen option is marked with
a symbol as well as colour, so it reads on a monochrome terminal and with NO_COLOR, and a
letter picks an option that starts with it: the highlighted one if it does (Call is
highlighted as the touchpoint dialog opens: "c, enter" logs a call), else the next one;
the same letter again goes on round them.

j and k move down and up, as in every list of the app. A letter the screen binds (the
checklist's y / n / u / c, the archive's r) keeps doing what it is bound to; only the
letters left free jump.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.visual import VisualType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from pipeline_tui.ui.hanging import Hanging

MARK = "▶ "
"""Before the chosen option."""
UNMARKED = "  "
"""Before every other option (and before the second line of any option)."""


def prompt_text(option: Option) -> str:
    """What a letter is matched against by default: the option's text as shown."""
    prompt = option.prompt
    return prompt.plain if isinstance(prompt, Content) else str(prompt)


class ChoiceList(OptionList):
    """An OptionList whose prompts are plain text or Content (a string is never markup).

    `jump_text` gives the words a letter is matched against, for lists whose rows start
    with something else (a date, an answer): the card's name, the criterion. `hang`: the
    cells of such a label column ("✓ yes     "), under which nothing wraps: a long
    option goes on under its words, not back at the left edge under the labels.
    """

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(
        self,
        *options: Option,
        jump_text: Callable[[Option], str] | None = None,
        hang: int = 0,
        **kwargs: Any,
    ) -> None:
        # Set before OptionList's own __init__, which adds the options through ours.
        self._bare: dict[Option, Content] = {}
        self._marked: Option | None = None
        self._jumped_to: int | None = None
        """Where the last letter landed: the same letter again moves on from there."""
        self._jump_text = jump_text
        self._hang = hang
        super().__init__(*options, **kwargs)

    # The mark ----------------------------------------------------------------------------

    def bare_prompt(self, option: Option) -> Content:
        """The option's prompt as given, without the mark."""
        return self._bare.get(option, Content(prompt_text(option)))

    def add_options(self, new_options: Iterable[Option | VisualType | None]) -> ChoiceList:
        # Each option is listed as a copy showing its mark's place, the prompt kept aside.
        listed: list[Option | None] = []
        for given in new_options:
            if given is None:
                listed.append(None)
                continue
            option = given if isinstance(given, Option) else Option(given)
            bare = _content(option.prompt)
            shown = Option(self._marked_prompt(bare, UNMARKED), option.id, option.disabled)
            self._bare[shown] = bare
            listed.append(shown)
        super().add_options(listed)
        self._show_mark()
        return self

    def clear_options(self) -> ChoiceList:
        self._bare.clear()
        self._marked = None
        super().clear_options()
        return self

    def replace_option_prompt(self, option_id: str, prompt: VisualType) -> ChoiceList:
        return self.replace_option_prompt_at_index(self.get_option_index(option_id), prompt)

    def replace_option_prompt_at_index(self, index: int, prompt: VisualType) -> ChoiceList:
        option = self.get_option_at_index(index)
        bare = self._bare[option] = _content(prompt)
        mark = MARK if option is self._marked else UNMARKED
        super().replace_option_prompt_at_index(index, self._marked_prompt(bare, mark))
        return self

    def _marked_prompt(self, prompt: Content, mark: str) -> Content | Hanging:
        marked = _marked(prompt, mark)
        return Hanging(marked, len(mark) + self._hang) if self._hang else marked

    def on_mount(self) -> None:
        self._show_mark()  # highlighted before mounting, which calls no watcher

    def watch_highlighted(self, highlighted: int | None) -> None:
        self._show_mark()
        super().watch_highlighted(highlighted)

    def _show_mark(self) -> None:
        chosen = self.highlighted_option if self.highlighted is not None else None
        if chosen is self._marked:
            return
        previous, self._marked = self._marked, chosen
        for option, mark in ((previous, UNMARKED), (chosen, MARK)):
            if option is None:
                continue
            try:
                index = self.options.index(option)
            except ValueError:
                continue  # no longer listed
            prompt = self._marked_prompt(self.bare_prompt(option), mark)
            super().replace_option_prompt_at_index(index, prompt)

    # Jumping by letter -------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        letter = event.character
        if letter is None or len(letter) != 1 or not letter.isalnum():
            return
        if event.key in self.screen.active_bindings:
            return  # the screen's own key: it does what it always did
        event.stop()
        event.prevent_default()
        if not self.jump(letter):
            self.app.bell()

    def jump(self, letter: str) -> bool:
        """Highlight an option that starts with `letter`, in any case: the highlighted
        one, unless a letter landed there; else the next one, going round. False if none
        does."""
        count = self.option_count
        start = -1 if self.highlighted is None else self.highlighted
        wanted = letter.casefold()
        words = self._jump_text or (lambda option: self.bare_prompt(option).plain)
        first = 0 if start >= 0 and start != self._jumped_to else 1
        for step in range(first, count + 1):
            index = (start + step) % count
            option = self.get_option_at_index(index)
            if not option.disabled and words(option).strip().casefold().startswith(wanted):
                self.highlighted = self._jumped_to = index
                return True
        return False


def _content(prompt: VisualType) -> Content:
    return prompt if isinstance(prompt, Content) else Content(str(prompt))


def _marked(prompt: Content, mark: str) -> Content:
    """The prompt with `mark` before its first line and blanks before the others."""
    lines = prompt.split("\n")
    return Content("\n").join(
        Content.assemble(mark if n == 0 else UNMARKED, line) for n, line in enumerate(lines)
    )
