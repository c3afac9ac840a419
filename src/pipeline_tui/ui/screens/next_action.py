"""Set the card's one next step and when it is due (`f` on the card screen)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.dates import DUE_DATE_HINT, DueDateError, parse_due
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui.widgets.form_input import FormInput


@dataclass(frozen=True)
class NextAction:
    action: str
    due: date | None


class NextActionScreen(ModalScreen[NextAction | None]):
    CSS_PATH = "next_action.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="next_action.save"),
        Binding("escape", "cancel", "Cancel", id="next_action.cancel"),
    ]

    def __init__(
        self, title: str, action: str, due: date | None, today: Callable[[], date]
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.action = action
        self.due = due
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(self.dialog_title)
            with Horizontal(classes="field"):
                yield Label("Next action")
                yield FormInput(
                    self.action, placeholder="call, send an insight, follow up…", id="action"
                )
            with Horizontal(classes="field"):
                yield Label("Due")
                yield FormInput(
                    self.due.isoformat() if self.due else "", placeholder=DUE_DATE_HINT, id="due"
                )
            yield Static("", id="action-hint", classes="hint -hidden")
            yield Static("", id="due-hint", classes="hint")
            yield Static(
                Content.assemble(
                    ("enter", "bold"),
                    " save   ",
                    ("tab", "bold"),
                    " next field   ",
                    ("escape", "bold"),
                    " cancel   (both empty clears it)",
                ),
                id="keys",
            )

    def on_mount(self) -> None:
        self.query_one("#action", Input).focus()
        self._check_due()

    @on(Input.Changed, "#due")
    def _check_due(self) -> date | DueDateError | None:
        hint = self.query_one("#due-hint", Static)
        try:
            due = parse_due(self.query_one("#due", Input).value, self.today())
        except DueDateError as error:
            hint.update(Content(str(error)))
            hint.add_class("-error")
            return error
        hint.update(Content(due.strftime("%a %d %b %Y") if due else "no due date"))
        hint.remove_class("-error")
        return due

    @on(Input.Submitted)
    def action_save(self) -> None:
        due = self._check_due()
        if isinstance(due, DueDateError):
            self.query_one("#due", Input).focus()
            return
        action = clean_line(self.query_one("#action", Input).value)
        try:
            check_length("next_action", action)
        except FieldError as error:
            hint = self.query_one("#action-hint", Static)
            hint.update(Content(str(error)))
            hint.set_classes("hint -error")
            self.query_one("#action", Input).focus()
            return
        self.dismiss(NextAction(action, due))

    def action_cancel(self) -> None:
        self.dismiss(None)
