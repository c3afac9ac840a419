"""The qualification checklist: each ideal-client criterion answered yes, no or unknown.

Keys: up/down pick a criterion, y / n / u answer it, c or enter writes a comment,
f makes an unknown one the card's next action ("Find out: can they afford it?"),
p parks the lead "not yet, until DATE" (saving the answers too), ctrl+s saves, escape
leaves a comment as enter does, and the checklist (asking first if anything changed).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.limits import FieldError, check_length, clip
from pipeline_tui.domain.qualification import (
    Answer,
    CriterionAnswer,
    Qualification,
)
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.drafts import DraftRecorder, labelled, offer_draft, saving
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.choice_list import ChoiceList
from pipeline_tui.ui.widgets.form_input import FormInput

SaveAnswers = Callable[[dict[str, CriterionAnswer]], Awaitable[Qualification]]
ParkLead = Callable[[date], Awaitable[None]]
"""Parks the card until the day given (a StoreError says why not)."""
FindOut = Callable[[str], Awaitable[str | None]]
"""Makes the criterion the card's next action; what to tell the rep, None if not done."""

ANSWER_LABELS = 2 + 8
"""The cells before a criterion ("✓ yes     "), under which its comment goes."""

_ANSWER_STYLES = {
    Answer.YES: "bold $text-success",
    Answer.NO: "bold $text-error",
    Answer.UNKNOWN: "bold $text-muted",
}


class QualificationScreen(SubmitsAtOnce, seams.Dialog[Qualification | None]):
    """Dismisses with the saved checklist, or None when nothing was saved."""

    CSS_PATH = "qualification.tcss"
    BINDINGS = [
        Binding("y", "answer('yes')", "Yes", show=False),
        Binding("n", "answer('no')", "No", show=False),
        Binding("u", "answer('unknown')", "Unknown", show=False),
        Binding("c", "comment", "Comment", show=False),
        Binding("f", "find_out", "Find out", show=False),
        Binding("p", "park", "Not yet", show=False),
        Binding("ctrl+s", "save", "Save", show=False),
        Binding("escape", "cancel", "Cancel", show=False),
        SUBMIT_AT_ONCE,
    ]

    def __init__(
        self,
        card_name: str,
        qualification: Qualification,
        save: SaveAnswers,
        recorder: DraftRecorder | None = None,
        *,
        park: ParkLead | None = None,
        find_out: FindOut | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__()
        self.card_name = card_name
        self.park_lead = park
        self.find_out = find_out
        self.today = today
        self.parked_until: date | None = None
        """The day the lead was parked until from here (None: not parked)."""
        self.saved: Qualification | None = None
        self.held_keys: Callable[[], None] | None = None
        """Once saved or parked: lets go the keys typed after ctrl+s (or the park's
        enter), for the opener to call when what those keys act on shows (a question
        "Move to Prospect anyway?", the board without a parked lead)."""
        self.criteria = qualification.criteria
        self.original = {c: qualification.answer(c) for c in self.criteria}
        self.answers = dict(self.original)
        self.save_answers = save
        self.recorder = recorder
        # Kept here, not queried: read once more as the dialog closes (see card_form).
        self.comment = FormInput(placeholder="comment (enter keeps it)", id="comment")
        self.options = ChoiceList(
            *(Option(self._prompt(c), id=str(n)) for n, c in enumerate(self.criteria)),
            # A free letter jumps by the criterion, not by the answer shown before it.
            jump_text=lambda option: self.criteria[int(option.id or 0)],
            # A long criterion or comment wraps under its words, not under the answers.
            hang=ANSWER_LABELS,
            id="criteria",
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Qualify {clean_line(self.card_name)}")
            if self.criteria:
                yield self.options
            else:
                yield Static(
                    Content.styled(
                        "No criteria: [qualification] in the config lists them.", "italic"
                    ),
                    id="criteria-empty",
                )
            yield self.comment
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
                    ("f", "bold"),
                    " find out (unknown)\n",
                    ("p", "bold"),
                    " not yet: park until a date   ",
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
            options = self.options
            options.highlighted = 0
            options.focus()
        if self.recorder is not None:
            self.recorder.attach(self, self._draft_fields)
            offer_draft(
                self,
                self.recorder,
                _fields(self.original),
                self._restore,
                lambda fields: labelled(fields, self._labels()),
            )

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    # Drafts ------------------------------------------------------------------------------

    def _current(self) -> dict[str, CriterionAnswer]:
        """The answers as they stand, with a comment being typed taken as given."""
        answers = dict(self.answers)
        index = self._index
        if self.has_class("-commenting") and index is not None:
            criterion = self.criteria[index]
            comment = self.comment.value
            answers[criterion] = CriterionAnswer(answers[criterion].answer, comment)
        return answers

    def _draft_fields(self) -> dict[str, str] | None:
        current = self._current()
        return _fields(current) if current != self.original else None

    def _restore(self, fields: Mapping[str, str]) -> None:
        for index, criterion in enumerate(self.criteria):
            given = self.answers[criterion]
            try:
                answer = Answer(fields.get(f"answer:{criterion}", given.answer.value))
            except ValueError:
                answer = given.answer
            comment = fields.get(f"comment:{criterion}", given.comment)
            self.answers[criterion] = CriterionAnswer(
                answer, clip("qualification_comment", clean_line(comment))
            )
            self._refresh(index)

    def _labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for criterion in self.criteria:
            labels[f"answer:{criterion}"] = criterion
            labels[f"comment:{criterion}"] = "  comment"
        return labels

    @on(Input.Changed, "#comment")
    def _record(self) -> None:
        if self.recorder is not None:
            self.recorder.changed()

    # What it shows -----------------------------------------------------------------------

    def _prompt(self, criterion: str) -> Content:
        given = self.answers[criterion]
        answer = given.answer
        parts: list[Content | str | tuple[str, str]] = [
            (f"{answer.mark} {answer.value:<8}", _ANSWER_STYLES[answer]),
            text.line(criterion),
        ]
        if given.comment:
            parts += ["\n" + " " * ANSWER_LABELS, text.line(given.comment, "italic $text-muted")]
        return Content.assemble(*parts)

    def _update_score(self) -> None:
        current = Qualification(self.criteria, self.answers)
        dialog = self.query_one("#dialog")
        dialog.border_subtitle = Content(f"{current.score} met")

    def _refresh(self, index: int) -> None:
        options = self.options
        options.replace_option_prompt_at_index(index, self._prompt(self.criteria[index]))
        self._update_score()

    @property
    def _index(self) -> int | None:
        if not self.criteria:
            return None
        return self.options.highlighted

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
        self._record()
        if index + 1 < len(self.criteria):  # on to the next, as a checklist is worked
            self.options.highlighted = index + 1

    @on(OptionList.OptionSelected, "#criteria")
    def action_comment(self) -> None:
        index = self._index
        if index is None:
            return
        comment = self.comment
        comment.value = self.answers[self.criteria[index]].comment
        self.add_class("-commenting")
        comment.focus()

    # Enter on a criterion opens its comment, and enter in the comment keeps it, as the
    # key arrives (SUBMIT_AT_ONCE): when the list's selection or the field's Submitted
    # came up to the screen, the key order had handed the keys typed with that enter to
    # the criteria (a letter jumping, y / n / u answering) or to the comment.

    def list_at_once(self) -> Widget:
        return self.options

    def submit_list(self) -> None:
        self.action_comment()

    def submit_field(self) -> None:
        self._comment_done()

    @on(Input.Submitted, "#comment")
    def _comment_done(self) -> None:
        index = self._index
        if index is not None:
            criterion = self.criteria[index]
            value = clean_line(self.comment.value)
            try:
                check_length("qualification_comment", value)
            except FieldError as error:
                self.query_one("#error", Static).update(Content(str(error)))
                return
            self.query_one("#error", Static).update("")
            self.answers[criterion] = CriterionAnswer(self.answers[criterion].answer, value)
            self._refresh(index)
            self._record()
        self._close_comment()

    def _close_comment(self) -> None:
        self.remove_class("-commenting")
        if self.criteria:
            self.options.focus()

    def action_find_out(self) -> None:
        index = self._index
        if index is None or self.find_out is None:
            return
        criterion = self.criteria[index]
        if self.answers[criterion].answer is not Answer.UNKNOWN:
            self.notify(
                "Only an unknown criterion is something to find out (u marks it).", timeout=3
            )
            return
        self._find_out(criterion)

    # Keys are not held meanwhile: the rep may be asked before a next action is replaced.
    @work(exclusive=True, group="qualification-find-out")
    async def _find_out(self, criterion: str) -> None:
        assert self.find_out is not None
        try:
            told = await self.find_out(criterion)
        except StoreError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        if told:
            self.notify(told, timeout=4, markup=False)

    def action_park(self) -> None:
        if self.park_lead is None:
            return
        if self.has_class("-commenting"):
            self._comment_done()
            if self.has_class("-commenting"):
                return
        from pipeline_tui.ui.screens.park import ParkScreen

        def parked(until: date | None) -> None:
            if until is not None:
                self.parked_until = until
                self._leave_parked(dialog.held_keys)

        name = clean_line(self.card_name)
        dialog = ParkScreen(name, self.today, self._park_until)
        self.app.push_screen(dialog, parked)

    async def _park_until(self, until: date) -> None:
        """The answers as given, then the lead parked: one keypress, nothing lost."""
        assert self.park_lead is not None
        if self._changed():
            with saving(self.recorder):  # its draft forgotten as the save lands
                self.saved = await self.save_answers(dict(self.answers))
            self.original = dict(self.answers)
        await self.park_lead(until)

    @work(exclusive=True, group="qualification-save")
    async def _leave_parked(self, release_keys: Callable[[], None] | None) -> None:
        try:
            if self.recorder is not None:
                await self.recorder.discard()
        except BaseException:
            if release_keys is not None:
                release_keys()
            raise
        self.held_keys = release_keys
        self.dismiss(self.saved or Qualification(self.criteria, self.answers))

    def action_save(self) -> None:
        self._save(hold_keys(self))

    @work(exclusive=True, group="qualification-save")
    async def _save(self, release_keys: Callable[[], None]) -> None:
        saved = False
        try:
            saved = await self.save_work()
        finally:
            if saved:  # closed: the opener lets them go once what follows shows
                self.held_keys = release_keys
            else:
                release_keys()

    async def save_work(self) -> bool:
        if self.has_class("-commenting"):
            self._comment_done()
            if self.has_class("-commenting"):
                return False  # the comment is too long: it stays open with the reason
        try:
            with saving(self.recorder):  # its draft forgotten as the save lands
                saved = await self.save_answers(dict(self.answers))
        except StoreError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return False
        if self.recorder is not None:
            await self.recorder.discard()
        self.dismiss(saved)
        return True

    def action_cancel(self) -> None:
        if self.has_class("-commenting"):
            # Escape leaves the comment as enter does: what was typed stays (it went
            # without a word), and escape on the checklist asks before discarding it.
            self._comment_done()
            return
        if not self._changed():
            self.dismiss(None)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.discard_work()
                self.dismiss(None)

        question = ChoiceScreen(
            "Discard your answers on this checklist?",
            [("y", "Discard", True), ("n", "Keep answering", False)],
            careful={True},
        )
        self.app.push_screen(question, answered)

    # Quitting with unsaved text (ui/drafts.py Editing) -----------------------------------

    def unsaved_work(self) -> str | None:
        if self._draft_fields() is None:
            return None
        return f"the qualification answers for {clean_line(self.card_name)}"

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()


def _fields(answers: Mapping[str, CriterionAnswer]) -> dict[str, str]:
    """Answers as a draft's fields: "answer:<criterion>" and "comment:<criterion>"."""
    fields: dict[str, str] = {}
    for criterion, given in answers.items():
        fields[f"answer:{criterion}"] = given.answer.value
        fields[f"comment:{criterion}"] = given.comment
    return fields
