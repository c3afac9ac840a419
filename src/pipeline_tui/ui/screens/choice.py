"""A question with a few one-key answers; escape always means "never mind"."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Generic, TypeVar

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from pipeline_tui.ui import seams
from pipeline_tui.ui.key_order import SEEING_S, hold_keys
from pipeline_tui.ui.widgets.answers import Answers

T = TypeVar("T")


class ChoiceScreen(seams.Dialog[T | None], Generic[T]):
    """Dismisses with the value of the answer whose key was pressed, or None on escape."""

    CSS_PATH = "choice.tcss"

    def __init__(
        self,
        question: str,
        choices: Sequence[tuple[str, str, T]],
        *,
        dismiss_label: str | None = "never mind",
        opening: Collection[T] = (),
        careful: Collection[T] = (),
    ) -> None:
        """`dismiss_label` says what escape does (None: one of the choices says it).
        `opening`: answers that open another dialog, or that change what the screen
        under the question shows: the keys typed after one wait for it (`held_keys`,
        for that dialog to release once it takes keys, or the caller once it shows
        what the answer changed).
        `careful`: answers that throw away what the rep typed, taken only from a key
        typed once the question could be seen: escape then d, 10 ms apart, discarded a
        note before "This note has unsaved changes" was on the screen."""
        super().__init__()
        self.question = question
        self.choices = list(choices)
        self.dismiss_label = dismiss_label
        self.opening = opening
        self.careful = careful
        self.shown_at = Message().time  # the clock each key is stamped with as it is read
        self.held_keys: Callable[[], None] | None = None
        self._told_typed_ahead = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Content(self.question), id="question")
            answers = [(key, label) for key, label, _ in self.choices]
            if self.dismiss_label is not None:
                answers.append(("escape", self.dismiss_label))
            yield Answers(answers, id="choices")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.key == "escape":
            self.dismiss(None)
            return
        for key, _, value in self.choices:
            if event.key == key:
                if value in self.careful and event.time < self.shown_at + SEEING_S:
                    # Typed ahead of the question (or too soon after it to be a
                    # reply to it): it stays, to be answered, and says why.
                    if not self._told_typed_ahead:
                        self._told_typed_ahead = True
                        self.notify(
                            f"{key} came too soon after this question showed to be "
                            f"an answer; press it again if you mean it.",
                            markup=False,
                        )
                    return
                if value in self.opening:
                    # "zd21/12" in one read: the "2" went to the list before the date's
                    # dialog opened, and "1/12" was a year away.
                    self.held_keys = hold_keys(self)
                self.dismiss(value)
                return
