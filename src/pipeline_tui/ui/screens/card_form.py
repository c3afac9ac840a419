"""The new/edit card form: name required, the rest optional; mistakes shown inline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.dates import DUE_DATE_HINT, DueDateError, parse_due
from pipeline_tui.domain.text import split_tags
from pipeline_tui.store import StoreError
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.form_input import FormInput

SaveCard = Callable[[CardDraft, int | None], Awaitable[None]]

FIELDS = (
    ("name", "Name", "Who is it? (required)"),
    ("organisation", "Organisation", ""),
    ("email", "Email", ""),
    ("phone", "Phone", ""),
    ("tags", "Tags", "comma or space separated"),
    ("next_action", "Next action", "the one concrete next step"),
    ("due", "Due", DUE_DATE_HINT),
    ("owner", "Owner", "the rep it belongs to (empty: you)"),
)


class CardFormScreen(ModalScreen[None]):
    """Saves through `save`; stays open with the error if saving fails, so nothing typed is lost."""

    CSS_PATH = "card_form.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        draft: CardDraft | None,
        save: SaveCard,
        today: Callable[[], date],
        version: int | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.original = draft or CardDraft(name="")
        self.save_card = save
        self.today = today
        self.version = version

    def compose(self) -> ComposeResult:
        values = _field_values(self.original)
        with Vertical(id="form") as form:
            form.border_title = Content(self.form_title)
            for key, label, placeholder in FIELDS:
                with Horizontal(classes="field"):
                    yield Label(label)
                    yield FormInput(values[key], placeholder=placeholder, id=key)
                # Hidden until there is something to say: a mistake, or the due date.
                yield Static("", id=f"{key}-hint", classes="hint")
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

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()
        self._show_due_hint()

    # Validation shown as you type ---------------------------------------------------------

    @on(Input.Changed, "#due")
    def _show_due_hint(self) -> None:
        text = self.query_one("#due", Input).value
        try:
            due = parse_due(text, self.today())
        except DueDateError as error:
            self._hint("due", str(error), error=True)
            return
        self._hint("due", due.strftime("%a %d %b %Y") if due else "", error=False)

    @on(Input.Changed)
    def _clear_error(self, event: Input.Changed) -> None:
        if event.input.id is not None and event.input.id != "due":
            self._hint(event.input.id, "", error=False)

    def _hint(self, key: str, message: str, *, error: bool) -> None:
        hint = self.query_one(f"#{key}-hint", Static)
        hint.update(Content(message))
        hint.set_class(error, "-error")
        hint.set_class(bool(message), "-shown")

    # Saving ------------------------------------------------------------------------------

    def draft(self) -> CardDraft:
        """The card as typed; raises CardFormError naming the field that is wrong."""
        value = {key: self.query_one(f"#{key}", Input).value for key, _, _ in FIELDS}
        try:
            due = parse_due(value["due"], self.today())
        except DueDateError as error:
            raise CardFormError("due", str(error)) from None
        return CardDraft(
            name=value["name"],
            organisation=value["organisation"],
            email=value["email"],
            phone=value["phone"],
            tags=split_tags(value["tags"]),
            next_action=value["next_action"],
            next_action_due=due,
            owner=value["owner"],
        ).cleaned()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @work(exclusive=True, group="form-save")
    async def action_save(self) -> None:
        try:
            draft = self.draft()
            await self.save_card(draft, self.version)
        except CardFormError as error:
            fields = {key for key, _, _ in FIELDS}
            key = error.field_name if error.field_name in fields else "name"
            self._hint(key, str(error), error=True)
            self.query_one(f"#{key}", Input).focus()
            return
        except StoreError as error:
            self._hint("name", str(error), error=True)
            return
        self.dismiss()

    def _changed(self) -> bool:
        values = _field_values(self.original)
        return any(self.query_one(f"#{key}", Input).value != values[key] for key in values)

    def action_cancel(self) -> None:
        if not self._changed():
            self.dismiss()
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss()

        question = ChoiceScreen(
            "Discard what you typed on this card?",
            [("y", "Discard", True), ("n", "Keep editing", False)],
        )
        self.app.push_screen(question, answered)


def _field_values(draft: CardDraft) -> dict[str, str]:
    return {
        "name": draft.name,
        "organisation": draft.organisation,
        "email": draft.email,
        "phone": draft.phone,
        "tags": ", ".join(draft.tags),
        "next_action": draft.next_action,
        "due": draft.next_action_due.isoformat() if draft.next_action_due else "",
        "owner": draft.owner,
    }
