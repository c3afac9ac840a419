"""The qualification checklist: each ideal-client criterion answered yes, no or unknown.

Keys: up/down pick a criterion, y / n / u answer it, c or enter writes a comment,
ctrl+s saves, escape leaves (asking first if anything changed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.qualification import (
    Answer,
    CriterionAnswer,
    Qualification,
)
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import text
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.form_input import FormInput

SaveAnswers = Callable[[dict[str, CriterionAnswer]], Awaitable[Qualification]]

_ANSWER_STYLES = {
    Answer.YES: "bold $text-success",
    Answer.NO: "bold $text-error",
    Answer.UNKNOWN: "bold $text-muted",
}


class QualificationScreen(ModalScreen[Qualification | None]):
    """Dismisses with the saved checklist, or None when nothing was saved."""

    CSS_PATH = "qualification.tcss"
    BINDINGS = [
        Binding("y", "answer('yes')", "Yes", show=False),
        Binding("n", "answer('no')", "No", show=False),
        Binding("u", "answer('unknown')", "Unknown", show=False),
        Binding("c", "comment", "Comment", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, card_name: str, qualification: Qualification, save: SaveAnswers) -> None:
        super().__init__()
        self.card_name = card_name
        self.criteria = qualification.criteria
        self.original = {c: qualification.answer(c) for c in self.criteria}
        self.answers = dict(self.original)
        self.save_answers = save

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Qualify {clean_line(self.card_name)}")
            if self.criteria:
                yield OptionList(
                    *(Option(self._prompt(c), id=str(n)) for n, c in enumerate(self.criteria)),
                    id="criteria",
                )
            else:
                yield Static(
                    Content.styled(
                        "No criteria: [qualification] in the config lists them.", "italic"
                    ),
                    id="criteria-empty",
                )
            yield FormInput(placeholder="comment (enter keeps it)", id="comment")
            yield Static("", id="error")
            yield Static(
                Content.assemble(
                    ("y", "bold"),
                    "/",
                    ("n", "bold"),
                    "/",
                    ("u", "bold"),
                    " answer   ",
                    ("c", "bold"),
                    " comment   ",
                    ("ctrl+s", "bold"),
                    " save   ",
                    ("escape", "bold"),
                    " cancel",
                ),
                id="keys",
            )

    def on_mount(self) -> None:
        self._update_score()
        if self.criteria:
            options = self.query_one("#criteria", OptionList)
            options.highlighted = 0
            options.focus()

    # What it shows -----------------------------------------------------------------------

    def _prompt(self, criterion: str) -> Content:
        given = self.answers[criterion]
        answer = given.answer
        parts: list[Content | str | tuple[str, str]] = [
            (f"{answer.mark} {answer.value:<8}", _ANSWER_STYLES[answer]),
            text.line(criterion),
        ]
        if given.comment:
            parts += ["\n          ", text.line(given.comment, "italic $text-muted")]
        return Content.assemble(*parts)

    def _update_score(self) -> None:
        current = Qualification(self.criteria, self.answers)
        dialog = self.query_one("#dialog")
        dialog.border_subtitle = Content(f"{current.score} met")

    def _refresh(self, index: int) -> None:
        options = self.query_one("#criteria", OptionList)
        options.replace_option_prompt_at_index(index, self._prompt(self.criteria[index]))
        self._update_score()

    @property
    def _index(self) -> int | None:
        if not self.criteria:
            return None
        return self.query_one("#criteria", OptionList).highlighted

    def _changed(self) -> bool:
        return self.answers != self.original

    # Keys --------------------------------------------------------------------------------

    def action_answer(self, value: str) -> None:
        index = self._index
        if index is None:
            return
        criterion = self.criteria[index]
        self.answers[criterion] = CriterionAnswer(Answer(value), self.answers[criterion].comment)
        self._refresh(index)
        if index + 1 < len(self.criteria):  # on to the next, as a checklist is worked
            self.query_one("#criteria", OptionList).highlighted = index + 1

    @on(OptionList.OptionSelected, "#criteria")
    def action_comment(self) -> None:
        index = self._index
        if index is None:
            return
        comment = self.query_one("#comment", Input)
        comment.value = self.answers[self.criteria[index]].comment
        self.add_class("-commenting")
        comment.focus()

    @on(Input.Submitted, "#comment")
    def _comment_done(self) -> None:
        index = self._index
        if index is not None:
            criterion = self.criteria[index]
            value = clean_line(self.query_one("#comment", Input).value)
            try:
                check_length("qualification_comment", value)
            except FieldError as error:
                self.query_one("#error", Static).update(Content(str(error)))
                return
            self.query_one("#error", Static).update("")
            self.answers[criterion] = CriterionAnswer(self.answers[criterion].answer, value)
            self._refresh(index)
        self._close_comment()

    def _close_comment(self) -> None:
        self.remove_class("-commenting")
        if self.criteria:
            self.query_one("#criteria", OptionList).focus()

    @work(exclusive=True, group="qualification-save")
    async def action_save(self) -> None:
        if self.has_class("-commenting"):
            self._comment_done()
            if self.has_class("-commenting"):
                return  # the comment is too long: it stays open with the reason
        try:
            saved = await self.save_answers(dict(self.answers))
        except StoreError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        self.dismiss(saved)

    def action_cancel(self) -> None:
        if self.has_class("-commenting"):
            self._close_comment()
            return
        if not self._changed():
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = ChoiceScreen(
            "Discard your answers on this checklist?",
            [("y", "Discard", True), ("n", "Keep answering", False)],
        )
        self.app.push_screen(question, answered)
