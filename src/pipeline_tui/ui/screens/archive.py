"""Archive a card with a reason: it leaves the board but is never destroyed."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui.widgets.form_input import FormInput

ArchiveAnswer = tuple[ArchiveReason, str]


class ArchiveScreen(ModalScreen[ArchiveAnswer | None]):
    CSS_PATH = "archive.tcss"
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, card_name: str) -> None:
        super().__init__()
        self.card_name = card_name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Archive {clean_line(self.card_name)}")
            yield OptionList(
                *(Option(reason.label, id=reason.value) for reason in ArchiveReason),
                id="reasons",
            )
            with Horizontal(id="note-row"):
                yield Label("Note")
                yield FormInput(placeholder="why (needed for 'Other')", id="note")
            yield Static("", id="error")
            yield Static(
                Content.assemble(
                    ("↑↓", "bold"),
                    " reason   ",
                    ("tab", "bold"),
                    " note   ",
                    ("enter", "bold"),
                    " archive   ",
                    ("escape", "bold"),
                    " cancel",
                ),
                id="keys",
            )

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = 0

    @on(OptionList.OptionSelected)
    @on(Input.Submitted)
    def _archive(self) -> None:
        options = self.query_one(OptionList)
        index = options.highlighted or 0
        option_id = options.get_option_at_index(index).id
        assert option_id is not None
        reason = ArchiveReason(option_id)
        note = clean_line(self.query_one("#note", Input).value)
        problem = ""
        if reason is ArchiveReason.OTHER and not note:
            problem = "Say why in the note when the reason is Other."
        try:
            check_length("archive_note", note)
        except FieldError as error:
            problem = str(error)
        if problem:
            self.query_one("#error", Static).update(Content(problem))
            self.query_one("#note", Input).focus()
            return
        self.dismiss((reason, note))

    def action_cancel(self) -> None:
        self.dismiss(None)
