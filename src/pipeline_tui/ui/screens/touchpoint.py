"""Log a touchpoint (`t`) or mark the next action done (`x`): kind, day, one line."""

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
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.dates import PAST_DATE_HINT, DueDateError, parse_past_date
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui.widgets.form_input import FormInput


@dataclass(frozen=True)
class TouchpointAnswer:
    kind: TouchpointKind
    happened_on: date
    summary: str


class TouchpointScreen(ModalScreen[TouchpointAnswer | None]):
    CSS_PATH = "touchpoint.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="touchpoint.save"),
        Binding("escape", "cancel", "Cancel", id="touchpoint.cancel"),
    ]

    def __init__(
        self,
        title: str,
        today: Callable[[], date],
        summary: str = "",
        kind: TouchpointKind = TouchpointKind.CALL,
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.today = today
        self.summary = summary
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(self.dialog_title)
            yield OptionList(
                *(Option(kind.label, id=kind.value) for kind in TouchpointKind), id="kinds"
            )
            with Horizontal(classes="field"):
                yield Label("When")
                yield FormInput("today", placeholder=PAST_DATE_HINT, id="when")
            yield Static("", id="when-hint", classes="hint")
            with Horizontal(classes="field"):
                yield Label("What")
                yield FormInput(self.summary, placeholder="one line: what happened", id="summary")
            yield Static("", id="summary-hint", classes="hint -hidden")
            yield Static(
                Content.assemble(
                    ("↑↓", "bold"),
                    " kind   ",
                    ("tab", "bold"),
                    " next   ",
                    ("enter", "bold"),
                    " save   ",
                    ("escape", "bold"),
                    " cancel",
                ),
                id="keys",
            )

    def on_mount(self) -> None:
        kinds = self.query_one(OptionList)
        kinds.highlighted = list(TouchpointKind).index(self.kind)
        kinds.focus()

    @on(Input.Changed, "#when")
    def _check_when(self) -> bool:
        hint = self.query_one("#when-hint", Static)
        try:
            day = parse_past_date(self.query_one("#when", Input).value, self.today())
        except DueDateError as error:
            hint.update(Content(str(error)))
            hint.add_class("-error")
            return False
        hint.update(Content(day.strftime("%a %d %b %Y")))
        hint.remove_class("-error")
        return True

    @on(OptionList.OptionSelected)
    def _kind_chosen(self) -> None:
        self.query_one("#summary", Input).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        if not self._check_when():
            self.query_one("#when", Input).focus()
            return
        summary = self.query_one("#summary", Input).value
        try:
            check_length("touchpoint_summary", clean_line(summary))
        except FieldError as error:
            hint = self.query_one("#summary-hint", Static)
            hint.update(Content(str(error)))
            hint.set_classes("hint -error")
            self.query_one("#summary", Input).focus()
            return
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss(
            TouchpointAnswer(
                kind=list(TouchpointKind)[index],
                happened_on=parse_past_date(self.query_one("#when", Input).value, self.today()),
                summary=summary,
            )
        )

    def action_cancel(self) -> None:
        self.dismiss(None)
