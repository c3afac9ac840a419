"""The new/edit card form: name required, the rest optional; mistakes shown inline.

Nothing typed is lost: the form is kept as a draft while the rep types (offered back
when the form opens again), escape with changes asks first, and a save refused because
someone else saved the card meanwhile merges their changes in: fields only they changed
take their value, fields only the rep changed keep the rep's, and fields both changed
keep the rep's with theirs shown below (ctrl+t takes theirs). A draft restored after
the card was saved since it was typed is merged the same way, against the card as the
form showed it then (kept with the draft).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.dates import DueDateError, describe_day, due_date_placeholder, parse_due
from pipeline_tui.domain.drafts import Draft, Fields, merge
from pipeline_tui.domain.money import MoneyError, parse_amount, plain_amount
from pipeline_tui.domain.text import clean_line, split_tags
from pipeline_tui.store import ConflictError, StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.drafts import DraftRecorder, labelled, offer_draft, refuse_unseen_save, saving
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys, read_before
from pipeline_tui.ui.money import currency
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.form_input import FormInput

SaveCard = Callable[[CardDraft, int | None], Awaitable[None]]
ReadCard = Callable[[], Awaitable[tuple[CardDraft, int]]]
"""The card as saved now, and its version (after a conflict)."""

FIELDS = (
    ("name", "Name", "Who is it? (required)"),
    ("organisation", "Organisation", ""),
    ("email", "Email", ""),
    ("phone", "Phone", ""),
    ("tags", "Tags", "comma or space separated"),
    ("next_action", "Next action", "the one concrete next step"),
    ("due", "Due", ""),  # the hint in the rep's date order, filled in by compose
    ("value", "Value", "12500 or 12k"),
    ("close", "Close", "+1m, eom"),  # beside the value: room for a short hint only
    ("owner", "Owner", "the rep it belongs to (empty: you)"),
)
PAIRED = {"value": "close"}
"""Fields shown side by side on one line, so the form still fits an 80x24 terminal."""
SAVE_HOLD_S = 0.5
"""How long the screen may go undrawn while a save and the board's read after it run."""

LABELS = {key: label for key, label, _ in FIELDS}


class CardFormScreen(SubmitsAtOnce, seams.Dialog[None]):
    """Saves through `save`; stays open with the error if saving fails, so nothing typed is lost."""

    CSS_PATH = "card_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        SUBMIT_AT_ONCE,
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+t", "take_theirs", "Take theirs", show=False),
    ]

    def __init__(
        self,
        title: str,
        draft: CardDraft | None,
        save: SaveCard,
        today: Callable[[], date],
        version: int | None = None,
        *,
        recorder: DraftRecorder | None = None,
        read_card: ReadCard | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.original = draft or CardDraft(name="")
        self.save_card = save
        self.today = today
        self.version = version
        self.recorder = recorder
        self.read_card = read_card
        self.theirs: dict[str, str] = {}
        self._theirs_shown_at = 0.0
        """When `theirs` showed under the rep's fields (Message.time)."""
        """After a conflict: the fields both the rep and someone else changed, theirs."""
        values = _field_values(self.original)
        # Kept here, not queried: the fields are read once more as the form closes (an
        # ending app keeps them as a draft), when its widgets are already taken down.
        self.inputs = {
            key: FormInput(values[key], placeholder=placeholder, id=key)
            for key, _, placeholder in FIELDS
        }

    def compose(self) -> ComposeResult:
        with Vertical(id="form") as form:
            form.border_title = Content(self.form_title)
            self.inputs["due"].placeholder = due_date_placeholder(date_order(self.app))
            for key, label, _ in FIELDS:
                if key in PAIRED.values():
                    continue
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield self.inputs[key]
                    if key in PAIRED:
                        second = PAIRED[key]
                        yield Label(LABELS[second], classes="second")
                        yield self.inputs[second]
                # Hidden until there is something to say: a mistake, the due date, the
                # value as it will be saved.
                yield Static("", id=f"{key}-hint", classes="hint")
                if key in PAIRED:
                    yield Static("", id=f"{PAIRED[key]}-hint", classes="hint")
            yield Static("", id="theirs", classes="hint")
            yield Static(
                Content.assemble(
                    ("enter", "bold"),
                    "/",
                    ("ctrl+s", "bold"),
                    " save   ",
                    ("tab", "bold"),
                    " next field   ",
                    ("escape", "bold"),
                    " cancel",
                ),
                id="keys",
            )

    def retitle(self, title: str) -> None:
        """Say another title (a new card's draft, restored, goes to the column it was
        started in)."""
        self.form_title = title
        if self.is_mounted:
            self.query_one("#form").border_title = Content(title)

    def on_mount(self) -> None:
        self.inputs["name"].focus()
        self._show_due_hint()
        self._show_close_hint()
        self._show_value_hint()
        if self.recorder is not None:
            self.recorder.attach(self, self._draft_fields, _field_values(self.original))
            offer_draft(
                self,
                self.recorder,
                self.values(),
                self._restore,
                lambda fields: labelled(fields, LABELS),
                self._restored_after_a_save,
            )

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    # Validation shown as you type ---------------------------------------------------------

    @on(Input.Changed, "#due")
    def _show_due_hint(self) -> None:
        text = self.inputs["due"].value
        try:
            due = parse_due(text, self.today(), date_order(self.app))
        except DueDateError as error:
            self._hint("due", str(error), error=True)
            return
        self._hint("due", describe_day(due) if due else "", error=False)

    @on(Input.Changed, "#close")
    def _show_close_hint(self) -> None:
        try:
            close = parse_due(self.inputs["close"].value, self.today(), date_order(self.app))
        except DueDateError as error:
            self._hint("close", str(error), error=True)
            return
        self._hint(
            "close", f"Expected to close {describe_day(close)}" if close else "", error=False
        )

    @on(Input.Changed, "#value")
    def _show_value_hint(self) -> None:
        shown = currency(self.app)
        try:
            value = parse_amount(self.inputs["value"].value, shown.grouping, shown.code)
        except MoneyError as error:
            self._hint("value", str(error), error=True)
            return
        self._hint("value", shown.format(value) if value is not None else "", error=False)

    @on(Input.Changed)
    def _clear_error(self, event: Input.Changed) -> None:
        if event.input.id is not None and event.input.id not in ("due", "close", "value"):
            self._hint(event.input.id, "", error=False)

    @on(Input.Changed)
    def _record(self) -> None:
        if self.recorder is not None:
            self.recorder.changed()

    def _hint(self, key: str, message: str, *, error: bool) -> None:
        hint = self.query_one(f"#{key}-hint", Static)
        text.show(hint, Content(message))
        hint.set_class(error, "-error")
        hint.set_class(bool(message), "-shown")

    # What is typed ---------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        return {key: field.value for key, field in self.inputs.items()}

    def _draft_fields(self) -> Fields | None:
        return self.values() if self._changed() else None

    def _restore(self, fields: Fields) -> None:
        for key, _, _ in FIELDS:
            if key in fields:
                self.inputs[key].value = fields[key]

    def _restored_after_a_save(self, found: Draft) -> None:
        """The draft restored was typed against an older version of the card: merged
        as a save against it would be, the form's card being the one saved since."""
        self._merge_in(found.base, self.original, self.version)

    def _typed(self) -> tuple[CardDraft, list[CardFormError]]:
        """The card as typed, and every field that is wrong in it (at most one reason
        each, in the form's order)."""
        value = self.values()
        problems: list[CardFormError] = []
        order = date_order(self.app)
        due = close = amount = None
        try:
            due = parse_due(value["due"], self.today(), order)
        except DueDateError as error:
            problems.append(CardFormError("due", str(error)))
        try:
            close = parse_due(value["close"], self.today(), order)
        except DueDateError as error:
            problems.append(CardFormError("close", str(error)))
        try:
            shown = currency(self.app)
            amount = parse_amount(value["value"], shown.grouping, shown.code)
        except MoneyError as error:
            problems.append(CardFormError("value", str(error)))
        draft = CardDraft(
            name=value["name"],
            organisation=value["organisation"],
            email=value["email"],
            phone=value["phone"],
            tags=split_tags(value["tags"]),
            next_action=value["next_action"],
            next_action_due=due,
            owner=value["owner"],
            value=amount,
            expected_close=close,
        )
        problems += draft.problems()
        keys = [key for key, _, _ in FIELDS]
        return draft, sorted(problems, key=lambda p: keys.index(p.field_name))

    def _changed(self) -> bool:
        return self.values() != _field_values(self.original)

    # Saving ------------------------------------------------------------------------------

    def submit_field(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        # Keys typed after enter act on what the save leaves on screen: the board, or
        # this form with its error.
        self._save(hold_keys(self))

    @work(exclusive=True, group="form-save")
    async def _save(self, release_keys: Callable[[], None]) -> None:
        # The board is read again under the form before it closes (show_saved): held,
        # the dimmed board is not drawn whole with the card in it a moment before the
        # board itself is.
        release = seams.hold_repaints(self.app, SAVE_HOLD_S)
        try:
            if await self.save_work():
                self.dismiss()
        finally:
            # Through the app's queue, after the pop the dismissal set off there.
            if not self.app.call_later(release):
                release()
            release_keys()

    async def save_work(self) -> bool:
        if self.theirs and read_before(self, self._theirs_shown_at):
            # Typed with the `r` that restored a draft: it would go over theirs unseen.
            refuse_unseen_save(self)
            return False
        draft, problems = self._typed()
        if problems:
            # Every field that is wrong says so at once; the first takes the cursor.
            for problem in problems:
                self._hint(problem.field_name, str(problem), error=True)
            self.inputs[problems[0].field_name].focus()
            return False
        try:
            with saving(self.recorder):  # its draft forgotten as the save lands
                await self.save_card(draft.cleaned(), self.version)
        except CardFormError as error:
            fields = {key for key, _, _ in FIELDS}
            key = error.field_name if error.field_name in fields else "name"
            self._hint(key, str(error), error=True)
            self.inputs[key].focus()
            return False
        except ConflictError as error:
            await self._conflict(str(error))
            return False
        except StoreError as error:
            self._hint("name", str(error), error=True)
            return False
        if self.recorder is not None:
            await self.recorder.discard()
        return True

    async def _conflict(self, message: str) -> None:
        """Someone else saved the card meanwhile: merge theirs in, keep the rep's words."""
        if self.read_card is None:
            self._hint("name", message, error=True)
            return
        try:
            saved, version = await self.read_card()
        except StoreError as error:
            self._hint("name", str(error), error=True)
            return
        self._merge_in(_field_values(self.original), saved, version)

    def _merge_in(self, base: Fields, saved: CardDraft, version: int | None) -> None:
        """Merge `saved` (the card at `version`) into what is typed against `base` (see
        domain.drafts.merge), and tell the rep: the next save builds on `version`."""
        theirs = _field_values(saved)
        merged = merge(base, theirs, self.values())
        self._restore(merged.fields)  # where only they changed a field, theirs
        self.theirs = merged.theirs  # both changed these: the rep's stay, theirs shown
        self._theirs_shown_at = Message().time
        # The draft keeps the version and fields it was typed against: restored after a
        # hang-up, it is merged with what was saved since, and theirs shown, again.
        self.original, self.version = saved, version
        self._show_theirs()
        both = " Where you both changed a field, theirs is shown below." if self.theirs else ""
        self.notify(
            f"Someone else saved this card meanwhile; their changes are merged in.{both} "
            "ctrl+s saves.",
            title="Not saved yet",
            severity="warning",
            timeout=10,
        )

    def _show_theirs(self) -> None:
        lines = [
            Content.assemble(
                (f"{LABELS[key]} saved elsewhere: ", "$text-warning"), Content(clean_line(value))
            )
            for key, value in self.theirs.items()
        ]
        if lines:
            lines.append(
                Content.styled("ctrl+t takes these; ctrl+s saves yours over them", "$text-muted")
            )
        hint = self.query_one("#theirs", Static)
        hint.update(Content("\n").join(lines))
        hint.set_class(bool(lines), "-shown")

    def action_take_theirs(self) -> None:
        for key, value in self.theirs.items():
            self.inputs[key].value = value
        self.theirs = {}
        self._show_theirs()

    # Leaving -----------------------------------------------------------------------------

    def action_cancel(self) -> None:
        if not self._changed():
            self.dismiss()
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.discard_work()
                self.dismiss()

        question = ChoiceScreen(
            "Discard what you typed on this card?",
            [("y", "Discard", True), ("n", "Keep editing", False)],
            careful={True},
        )
        self.app.push_screen(question, answered)

    def unsaved_work(self) -> str | None:
        if not self._changed():
            return None
        name = clean_line(self.values()["name"] or self.original.name)
        return f"the card form for {name}" if name else "the new card form"

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()


def _field_values(draft: CardDraft) -> dict[str, str]:
    return {
        "name": draft.name,
        "organisation": draft.organisation,
        "email": draft.email,
        "phone": draft.phone,
        "tags": ", ".join(draft.tags),
        "next_action": draft.next_action,
        "due": draft.next_action_due.isoformat() if draft.next_action_due else "",
        "value": plain_amount(draft.value) if draft.value is not None else "",
        "close": draft.expected_close.isoformat() if draft.expected_close else "",
        "owner": draft.owner,
    }
