"""Set the card's next step and when it is due (`f` on the board), or schedule one more
step on the card with its kind and time of day (`f` on the card screen).

The dialog saves through `save` and stays open if the store refuses; when someone else
changed the card meanwhile, what they saved is shown under the rep's words, which stay,
and enter saves the rep's over it. What is typed is kept as a draft meanwhile; a draft
restored after the card was saved since it was typed is treated the same way: a field
only they changed takes theirs, and where both changed it theirs is shown.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import date, time

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.cards import Change
from pipeline_tui.domain.dates import DueDateError, describe_day, due_date_placeholder, parse_due
from pipeline_tui.domain.drafts import (
    NEW_STEP,
    STEP,
    STEP_DUE_WAS,
    STEP_WAS,
    Draft,
    Fields,
    KeptCall,
    StepKept,
    kept_step,
    merge,
)
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.schedule import (
    ActivityKind,
    TimeError,
    describe_time,
    parse_kind,
    parse_time,
)
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import ConflictError, StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.drafts import DraftRecorder, labelled, offer_draft, refuse_unseen_save, saving
from pipeline_tui.ui.key_order import (
    SUBMIT_AT_ONCE,
    SubmitsAtOnce,
    hold_keys,
    nothing_held,
    read_before,
)
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.form_input import FormInput

LABELS = {"action": "Next action", "due": "Due", "at": "At", "kind": "Kind"}
KINDS = ", ".join(kind.value for kind in ActivityKind)


@dataclass(frozen=True)
class NextAction:
    action: str
    due: date | None
    kind: ActivityKind | None = None
    """Scheduling only: the kind typed, or what the words say."""
    due_time: time | None = None
    adding: bool = False
    """A step to add beside those planned, whatever step the dialog opened on: a draft
    typed for a new step was taken back in it (drafts.NEW_STEP)."""
    kept_step: StepKept | None = None
    """The planned step to change, whatever step the dialog opened on: a draft typed to
    change that one was taken back in it (drafts.STEP)."""


SaveNextAction = Callable[[NextAction], Awaitable[None]]
ReadTheirs = Callable[[], Awaitable[str]]
"""After a conflict: the card read again; what its next action says now, in one line."""


KEPT_AS_NEW_STEP = (
    "The step this was typed for was done, dropped or reworded meanwhile: it is saved as "
    "a step of its own."
)


def say_what_the_kept_change_did(
    node: Widget,
    answer: NextAction,
    change: Change | None,
    undo: str = "u brings it back.",
) -> None:
    """After a kept change is saved: say so if it became a step of its own (the title
    said it would change another), or which step it dropped (emptied, the dialog shows
    none of its words any more). Nothing if it found nothing left to clear."""
    if change is None or answer.kept_step is None:
        return
    if change.kept_as_new_step:
        node.notify(KEPT_AS_NEW_STEP, markup=False)
    elif not answer.action and answer.due is None:
        what = clean_line(answer.kept_step.words) or "the step"
        node.notify(f"Dropped {what}. {undo}", timeout=4, markup=False)


NO_DAY = "A time needs a day: fill in Due, or clear the time."


class _CallKeptHere:
    """What a step kept after a call in the call queue (drafts.CALL_OUTCOME) keeps when
    taken back in a card's own next-action dialog (ui/drafts.py, DraftContext): its
    call's outcome and day, so that the call queue can still log that call with it.
    Saved here, the step is saved and the call is not logged."""

    def __init__(self, today: Callable[[], date]) -> None:
        self.call: KeptCall | None = None
        self.today = today

    def fields(self) -> Fields:
        return self.call.fields() if self.call is not None else {}

    def preview(self, kept: Fields) -> list[str]:
        call = KeptCall.of(kept)
        if call is None:
            return []
        return [f"After a call: {call.said(self.today())} (the call is not logged here)"]

    def restore(self, kept: Fields) -> None:
        self.call = KeptCall.of(kept)


class NextActionScreen(SubmitsAtOnce, seams.Dialog[NextAction | None]):
    CSS_PATH = "next_action.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="next_action.save"),
        Binding("escape", "cancel", "Cancel", id="next_action.cancel"),
        SUBMIT_AT_ONCE,
    ]

    def __init__(
        self,
        title: str,
        action: str,
        due: date | None,
        today: Callable[[], date],
        *,
        save: SaveNextAction | None = None,
        read_theirs: ReadTheirs | None = None,
        recorder: DraftRecorder | None = None,
        scheduling: bool = False,
        kind: ActivityKind | None = None,
        due_time: time | None = None,
        keep_keys_held: bool = False,
        adding: bool = False,
        step: StepKept | None = None,
    ) -> None:
        """`keep_keys_held`: once saved, the keys typed after the save stay held
        (`held_keys`), for the caller to let go once it shows what the save changed.
        `adding`: the step typed is added beside those planned (its draft says so).
        `step`: the planned step the dialog changes, as it is now, when it is known (its
        draft says so)."""
        super().__init__()
        self.adding = adding
        self.step: int | None = step.step_id if step is not None else None
        self._step = step
        self._new_step = adding
        """What a draft of this dialog says (drafts.NEW_STEP): what it was first typed
        for, if it was restored, else this dialog's own kind."""
        self._kept: Fields | None = None
        """The draft restored, when it was typed for another step (drafts.STEP, which
        the save changes) or for a new one: its fields say what this dialog's own step
        has nothing to say about."""
        self.keep_keys_held = keep_keys_held
        self.held_keys: Callable[[], None] | None = None
        self.scheduling = scheduling
        self.dialog_title = title
        self.action = action
        self.due = due
        self.today = today
        self.save_action = save
        self.read_theirs = read_theirs
        self._theirs_shown_at: float | None = None
        """When the action saved elsewhere showed under the rep's (Message.time)."""
        self.recorder = recorder
        self.opened_with: dict[str, str] = {}
        # Kept here, not queried: read once more as the dialog closes (see card_form).
        self.inputs = {
            "action": FormInput(
                action,
                placeholder="call, send an insight, follow up…",
                id="action",
                proposal=True,
                continues=True,
            ),
            "due": FormInput(due.isoformat() if due else "", id="due", proposal=True),
        }
        if scheduling:
            self.inputs["at"] = FormInput(
                describe_time(due_time), placeholder="14:30, or none", id="at", proposal=True
            )
            self.inputs["kind"] = FormInput(
                kind.value if kind else "",
                placeholder="from the words; or " + KINDS,
                id="kind",
                proposal=True,
            )

    def retitle(self, title: str) -> None:
        """Say another title (a step after a call, restored with that call's outcome)."""
        self.dialog_title = title
        if self.is_mounted:
            self.query_one("#dialog").border_title = Content(title)

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(self.dialog_title)
            with Horizontal(classes="field"):
                yield Label("Next action")
                yield self.inputs["action"]
            with Horizontal(classes="field"):
                yield Label("Due")
                self.inputs["due"].placeholder = due_date_placeholder(date_order(self.app))
                yield self.inputs["due"]
            yield Static("", id="due-hint", classes="hint")
            if self.scheduling:
                with Horizontal(classes="field"):
                    yield Label("At")
                    yield self.inputs["at"]
                yield Static("", id="at-hint", classes="hint -error -hidden")
                with Horizontal(classes="field"):
                    yield Label("Kind")
                    yield self.inputs["kind"]
                yield Static("", id="kind-hint", classes="hint")
            yield Static("", id="error", classes="hint -error")
            yield Static(
                Content.assemble(
                    ("enter", "bold"),
                    " save   ",
                    ("tab", "bold"),
                    " next field   ",
                    ("escape", "bold"),
                    " cancel" + ("" if self.scheduling else "   (both empty clears it)"),
                ),
                id="keys",
            )

    def on_mount(self) -> None:
        self.inputs["action"].focus()
        self._check_due()
        self._check_kind()
        self._typed_time()
        self.opened_with = self.values()
        if self.recorder is not None:
            if self.recorder.context is None:  # (the call queue's dialog has its own)
                self.recorder.context = _CallKeptHere(self.today)
            self.recorder.attach(self, self._draft_fields, self.opened_with)
            offer_draft(
                self,
                self.recorder,
                self.opened_with,
                self._restore,
                lambda fields: labelled(fields, LABELS),
                self._restored_after_a_save,
            )

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    def values(self) -> dict[str, str]:
        return {name: field.value for name, field in self.inputs.items()}

    def _draft_fields(self) -> Fields | None:
        values = self.values()
        if values == self.opened_with:
            return None
        kept = self._kept
        if kept is not None:
            # A field the draft restored did not have and which is still empty says
            # nothing yet (the step keeps its own kind or time); it is not one cleared.
            values = {name: value for name, value in values.items() if value or name in kept}
        if self._new_step:
            return {**values, NEW_STEP: "yes"}
        step = self._step if kept is None else StepKept.of(kept)
        return values if step is None else {**values, **step.fields()}

    def _restore(self, fields: Fields) -> None:
        for name in self.inputs:
            if name in fields:
                self.inputs[name].value = fields[name]
        self._new_step = fields.get(NEW_STEP) == "yes"
        kept = kept_step(fields)
        if self._new_step and not self.adding:
            # Typed as a step to add: saved here it would replace the step this dialog
            # opened on, which is still planned.
            self.adding = True
            self._kept_instead_of_this_step(fields, "Add the step kept")
        elif kept is not None and (
            kept != self.step or (not self.scheduling and ("at" in fields or "kind" in fields))
        ):
            # Typed over another step's words: saved here it would go over this one's,
            # and leave that step as it was. Or typed with a time or kind, which this
            # dialog has no field for: saved here, they would be lost.
            self.adding = False
            self._kept_instead_of_this_step(fields, "Change the step kept")

    def _kept_instead_of_this_step(self, fields: Fields, title: str) -> None:
        self._kept = fields
        if self.recorder is not None and self.recorder.found is not None:
            # Kept again, it is still a change to that step as it was when it began (or
            # to no step), whatever this dialog's step was saved as since.
            self.recorder.typed_against(self.recorder.found)
        for name, field in self.inputs.items():
            if name not in fields:  # this dialog's step's kind or time, not the kept one's
                field.value = ""
        self.retitle(f"{title} ({self.dialog_title})")

    def _restored_after_a_save(self, found: Draft) -> None:
        """The draft restored was typed against an older version of the card, and the
        dialog opened with the newer one: merged as a save against the older version
        would be (domain.drafts.merge), theirs shown where both changed it. Not a draft
        typed for another step or a new one: this step's words say nothing of it."""
        if self._kept is not None:
            return
        merged = merge(found.base, self.opened_with, self.values())
        markers = {
            name: found.fields[name]
            for name in (NEW_STEP, STEP, STEP_WAS, STEP_DUE_WAS)
            if name in found.fields
        }
        self._restore({**merged.fields, **markers})
        if merged.theirs:
            self._show_theirs(describe_next_action(self.action, self.due))

    @on(Input.Changed)
    def _record(self) -> None:
        if self.recorder is not None:
            self.recorder.changed()

    @on(Input.Changed, "#due")
    def _check_due(self) -> date | DueDateError | None:
        hint = self.query_one("#due-hint", Static)
        try:
            due = parse_due(self.inputs["due"].value, self.today(), date_order(self.app))
        except DueDateError as error:
            text.show(hint, Content(str(error)))
            hint.add_class("-error")
            return error
        text.show(hint, Content(describe_day(due) if due else "no due date"))
        hint.remove_class("-error")
        return due

    @on(Input.Changed, "#kind")
    @on(Input.Changed, "#action")
    def _check_kind(self) -> ActivityKind | None:
        """The kind as it will be saved, said under the field; None when unreadable."""
        if not self.scheduling:
            return None
        hint = self.query_one("#kind-hint", Static)
        typed = self.inputs["kind"].value
        try:
            kind = parse_kind(typed, self.inputs["action"].value)
        except ValueError as error:
            text.show(hint, Content(str(error)))
            hint.add_class("-error")
            return None
        guessed = " (from the words)" if not typed.strip() else ""
        text.show(hint, Content(f"{kind.label}{guessed}"))
        hint.remove_class("-error")
        return kind

    @on(Input.Changed, "#at")
    @on(Input.Changed, "#due")
    def _typed_time(self) -> time | TimeError | None:
        """The time as typed; one that cannot be read, or one without a day, is said
        under the field (only then: a time read is shown as typed)."""
        if not self.scheduling:
            return None
        hint = self.query_one("#at-hint", Static)
        try:
            at = parse_time(self.inputs["at"].value)
        except TimeError as error:
            text.show(hint, Content(str(error)))
            hint.remove_class("-hidden")
            return error
        if at is not None and not self.inputs["due"].value.strip():
            # It was saved without it, silently: a time is of a day.
            text.show(hint, Content(NO_DAY))
            hint.remove_class("-hidden")
            return at
        hint.add_class("-hidden")
        return at

    def submit_field(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if isinstance(self._check_due(), DueDateError):
            self.inputs["due"].focus()
            return
        self._save(hold_keys(self))

    @work(exclusive=True, group="next-action-save")
    async def _save(self, release_keys: Callable[[], None]) -> None:
        try:
            answer = await self._saved()
            if answer is not None:
                if self.keep_keys_held:
                    self.held_keys, release_keys = release_keys, nothing_held
                self.dismiss(answer)
        finally:
            release_keys()

    async def _saved(self) -> NextAction | None:
        """Save what is typed: the answer, or None (with the reason shown) if refused."""
        if self._theirs_shown_at is not None and read_before(self, self._theirs_shown_at):
            # Typed with the `r` that restored a draft: it would go over theirs unseen.
            refuse_unseen_save(self)
            return None
        due = self._check_due()
        if isinstance(due, DueDateError):
            return None
        words = clean_line(self.inputs["action"].value)
        answer = self._kept_step_answer(NextAction(words, due, adding=self.adding))
        if self.scheduling:
            at, kind = self._typed_time(), self._check_kind()
            if kind is None:  # the hint under the field says which kinds there are
                self.inputs["kind"].focus()
                return None
            if isinstance(at, TimeError):  # said under the field
                self.inputs["at"].focus()
                return None
            if at is not None and due is None:  # said under the field too
                self.inputs["due"].focus()
                return None
            assert not isinstance(at, TimeError)
            answer = self._kept_step_answer(
                NextAction(words, due, kind, at if due else None, self.adding)
            )
        try:
            check_length("next_action", answer.action)
        except FieldError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            self.inputs["action"].focus()
            return None
        if self.save_action is not None:
            try:
                with saving(self.recorder):  # its draft forgotten as the save lands
                    await self.save_action(answer)
            except ConflictError as error:
                await self._conflict(str(error))
                return None
            except StoreError as error:
                self.query_one("#error", Static).update(Content(str(error)))
                return None
        if self.recorder is not None:
            await self.recorder.discard()
        return answer

    def _kept_step_answer(self, answer: NextAction) -> NextAction:
        """The answer, for the step a restored draft was typed for (or a new one): its
        kind and time as the draft or the rep said them; the step's own (or those its
        words say) where neither did."""
        kept = self._kept
        if kept is None:
            return answer
        said_kind = "kind" in kept or (self.scheduling and self.inputs["kind"].value.strip())
        said_time = "at" in kept or (self.scheduling and self.inputs["at"].value.strip())
        if not said_kind:
            answer = replace(answer, kind=None)  # as it is, or as its new words say
        elif not self.scheduling:  # typed in the card's own dialog, which has the field
            with suppress(ValueError):
                answer = replace(answer, kind=parse_kind(kept["kind"], answer.action))
        if not self.scheduling and "at" in kept:
            with suppress(TimeError):
                answer = replace(answer, due_time=parse_time(kept["at"]) if answer.due else None)
        if self._new_step:
            return answer
        return replace(answer, kept_step=StepKept.of(kept, keep_time=not said_time))

    async def _conflict(self, message: str) -> None:
        error = self.query_one("#error", Static)
        if self.read_theirs is None:
            error.update(Content(message))
            return
        try:
            theirs = await self.read_theirs()
        except StoreError as failure:
            error.update(Content(str(failure)))
            return
        self._show_theirs(theirs)

    def _show_theirs(self, theirs: str) -> None:
        """What the card's next action is now (saved elsewhere), under the rep's words."""
        self._theirs_shown_at = Message().time
        self.query_one("#error", Static).update(
            Content.assemble(
                ("Saved elsewhere meanwhile: ", "bold"),
                Content(clean_line(theirs)),
                ("\nYours is kept above; enter saves it over theirs.", "$text-muted"),
            )
        )

    def action_cancel(self) -> None:
        if self._draft_fields() is None:
            self.dismiss(None)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.discard_work()
                self.dismiss(None)

        question = ChoiceScreen(
            "Discard this next action?",
            [("y", "Discard", True), ("n", "Keep editing", False)],
            careful={True},
        )
        self.app.push_screen(question, answered)

    # Quitting with unsaved text (ui/drafts.py Editing) -----------------------------------

    def unsaved_work(self) -> str | None:
        return "the next action" if self._draft_fields() else None

    async def save_work(self) -> bool:
        return await self._saved() is not None

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()


def describe_next_action(action: str, due: date | None) -> str:
    """A next action in one line, for showing what someone else saved."""
    if not action and due is None:
        return "no next action"
    when = f" (due {due.isoformat()})" if due else ""
    return f"{clean_line(action) or '(no description)'}{when}"
