"""Snoozing a next step: to tomorrow, or to a day typed (`z` on the week and the stand-up)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import Enum

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.dates import (
    DueDateError,
    describe_day,
    due_date_placeholder,
    full_day,
    parse_due,
)
from pipeline_tui.ui import seams
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.widgets.form_input import FormInput


class Snooze(Enum):
    TOMORROW = "tomorrow"
    A_DATE = "a date"


class SnoozeDateScreen(SubmitsAtOnce, seams.Dialog[date | None]):
    """The day to snooze a step to, typed as the next-action dialog takes it."""

    CSS_PATH = "snooze.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel"), SUBMIT_AT_ONCE]

    def __init__(
        self,
        title: str,
        due: date | None,
        today: Callable[[], date],
        *,
        release_keys: Callable[[], None] | None = None,
    ) -> None:
        """`release_keys`: the keys typed before this opened wait for its field. The
        keys typed after the day is taken wait too (`held_keys`), for the caller to
        let go once the step is snoozed and shown where it now falls."""
        super().__init__()
        self.held_keys: Callable[[], None] | None = None
        self.dialog_title = title
        self.due = due
        self.today = today
        self.release_keys = release_keys

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(self.dialog_title)
            with Horizontal(classes="field"):
                yield Label("Snooze to")
                yield FormInput(placeholder=due_date_placeholder(date_order(self.app)), id="due")
            yield Static("", id="due-hint", classes="hint")
            yield Static(
                Content.assemble(("enter", "bold"), " snooze   ", ("escape", "bold"), " cancel"),
                id="keys",
            )

    def on_mount(self) -> None:
        self.query_one("#due", Input).focus()
        self._check()
        if self.release_keys is not None:
            self.release_keys()

    @on(Input.Changed)
    def _check(self) -> date | None:
        hint = self.query_one("#due-hint", Static)
        value = self.query_one("#due", Input).value
        try:
            day = parse_due(value, self.today(), date_order(self.app))
        except DueDateError as error:
            hint.update(Content(str(error)))
            hint.add_class("-error")
            return None
        if day is None:
            now = f"now due {describe_day(self.due)}" if self.due else "now with no date"
            hint.update(Content(now))
            hint.remove_class("-error")
            return None
        if day < self.today():
            # Snoozed to a day gone by, the step would be overdue at once.
            hint.update(Content(f"{full_day(day)} has passed: snooze to today or later."))
            hint.add_class("-error")
            return None
        hint.update(Content(describe_day(day)))
        hint.remove_class("-error")
        return day

    def submit_field(self) -> None:
        day = self._check()
        if day is not None:
            self.held_keys = hold_keys(self)
            self.dismiss(day)

    def action_cancel(self) -> None:
        self.dismiss(None)
