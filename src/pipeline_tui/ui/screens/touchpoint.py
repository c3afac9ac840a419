"""Log a touchpoint (`t`) or mark the next action done (`x`): kind, day, one line.

The dialog saves through `save` and stays open with the reason if the store refuses,
so the line typed is never lost; it is kept as a draft meanwhile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.dates import PAST_DATE_HINT, DueDateError, parse_past_date
from pipeline_tui.domain.drafts import Fields
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.drafts import DraftRecorder, labelled, offer_draft, saving
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.choice_list import ChoiceList
from pipeline_tui.ui.widgets.form_input import FormInput

LABELS = {"kind": "Kind", "when": "When", "summary": "What"}
DEFAULT_WHEN = "today"


@dataclass(frozen=True)
class TouchpointAnswer:
    kind: TouchpointKind
    happened_on: date
    summary: str


SaveTouchpoint = Callable[[TouchpointAnswer], Awaitable[None]]


_ESCAPE = (("escape", "bold"), " cancel")
KEYS_IN_KINDS = Content.assemble(
    ("↑↓", "bold"),
    "/",
    ("letter", "bold"),
    " kind   ",
    ("enter", "bold"),
    " → What   ",
    ("ctrl+s", "bold"),
    " save   ",
    *_ESCAPE,
)
KEYS_IN_FIELDS = Content.assemble(
    ("tab", "bold"), " next   ", ("enter", "bold"), " save   ", *_ESCAPE
)


class TouchpointScreen(SubmitsAtOnce, seams.Dialog[TouchpointAnswer | None]):
    """Dismisses with the answer once `save` has saved it (None: cancelled)."""

    CSS_PATH = "touchpoint.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="touchpoint.save"),
        Binding("escape", "cancel", "Cancel", id="touchpoint.cancel"),
        SUBMIT_AT_ONCE,
    ]

    def __init__(
        self,
        title: str,
        today: Callable[[], date],
        summary: str = "",
        kind: TouchpointKind = TouchpointKind.CALL,
        *,
        save: SaveTouchpoint | None = None,
        recorder: DraftRecorder | None = None,
    ) -> None:
        super().__init__()
        self.dialog_title = title
        self.today = today
        self.summary = summary
        self.kind = kind
        self.save_touchpoint = save
        self.recorder = recorder
        self.opened_with: dict[str, str] = {}
        # Kept here, not queried: read once more as the dialog closes (see card_form).
        self.kinds = ChoiceList(
            *(Option(kind.label, id=kind.value) for kind in TouchpointKind), id="kinds"
        )
        self.when = FormInput(
            DEFAULT_WHEN, placeholder=PAST_DATE_HINT, id="when", select_on_focus=True
        )
        self.summary_input = FormInput(summary, placeholder="one line: what happened", id="summary")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(self.dialog_title)
            yield self.kinds
            with Horizontal(classes="field"):
                yield Label("When")
                yield self.when
            yield Static("", id="when-hint", classes="hint")
            with Horizontal(classes="field"):
                yield Label("What")
                yield self.summary_input
            yield Static("", id="error", classes="hint -error")
            yield Static(KEYS_IN_KINDS, id="keys")

    def on_descendant_focus(self) -> None:
        # Enter on the kinds goes on to "What", past "When" (most touchpoints are
        # today's), and saves only from a field: the line says which, wherever it is.
        keys = KEYS_IN_KINDS if self.focused is self.kinds else KEYS_IN_FIELDS
        text.show(self.query_one("#keys", Static), keys)

    def on_mount(self) -> None:
        kinds = self.kinds
        kinds.highlighted = list(TouchpointKind).index(self.kind)
        kinds.focus()
        self.opened_with = self.values()
        if self.recorder is not None:
            self.recorder.attach(self, self._draft_fields)
            offer_draft(self, self.recorder, self.opened_with, self._restore, self._preview)

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    # What is typed -----------------------------------------------------------------------

    def values(self) -> dict[str, str]:
        index = self.kinds.highlighted or 0
        return {
            "kind": list(TouchpointKind)[index].value,
            "when": self.when.value,
            "summary": self.summary_input.value,
        }

    def _draft_fields(self) -> Fields | None:
        values = self.values()
        return values if values != self.opened_with else None

    def _restore(self, fields: Fields) -> None:
        kinds = [kind.value for kind in TouchpointKind]
        if fields.get("kind") in kinds:
            self.kinds.highlighted = kinds.index(fields["kind"])
        for name in ("when", "summary"):
            if name in fields:
                field = self.when if name == "when" else self.summary_input
                field.value = fields[name]

    @staticmethod
    def _preview(fields: Fields) -> list[str]:
        shown = dict(fields)
        try:
            shown["kind"] = TouchpointKind(fields.get("kind", "")).label
        except ValueError:
            shown.pop("kind", None)
        return labelled(shown, LABELS)

    @on(Input.Changed)
    @on(OptionList.OptionHighlighted)
    def _record(self) -> None:
        if self.recorder is not None:
            self.recorder.changed()

    @on(Input.Changed, "#when")
    def _check_when(self) -> bool:
        # The dialog's guess is selected as the field is tabbed into, so that a day
        # typed replaces it ("todayfri" is no day); a day of the rep's stays, and
        # typing adds to it, as in every field.
        self.when.select_on_focus = self.when.value == DEFAULT_WHEN
        hint = self.query_one("#when-hint", Static)
        try:
            day = parse_past_date(self.when.value, self.today(), date_order(self.app))
        except DueDateError as error:
            text.show(hint, Content(str(error)))
            hint.add_class("-error")
            return False
        text.show(hint, Content(day.strftime("%a %d %b %Y")))
        hint.remove_class("-error")
        return True

    @on(OptionList.OptionSelected)
    def _kind_chosen(self) -> None:
        self.summary_input.focus()

    # Enter -------------------------------------------------------------------------------

    # Enter on the kinds goes on to "What" as the key arrives (SUBMIT_AT_ONCE), not when
    # the list's selection comes up to the screen: by then the key order had handed the
    # next key to the kinds, and "t, enter, Called her back" in one read saved "alled
    # her back" (an "s" even picked Social).

    def list_at_once(self) -> Widget:
        return self.kinds

    def submit_list(self) -> None:
        self._kind_chosen()

    # Saving ------------------------------------------------------------------------------

    def submit_field(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        if not self._check_when():
            self.when.focus()
            return
        self._save(hold_keys(self))

    @work(exclusive=True, group="touchpoint-save")
    async def _save(self, release_keys: Callable[[], None]) -> None:
        try:
            answer = await self._saved()
            if answer is not None:
                self.dismiss(answer)
        finally:
            release_keys()

    async def _saved(self) -> TouchpointAnswer | None:
        """Save what is typed: the answer, or None (with the reason shown) if refused."""
        if not self._check_when():
            return None
        try:
            check_length("touchpoint_summary", clean_line(self.summary_input.value))
        except FieldError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            self.summary_input.focus()
            return None
        index = self.kinds.highlighted or 0
        answer = TouchpointAnswer(
            kind=list(TouchpointKind)[index],
            happened_on=parse_past_date(self.when.value, self.today(), date_order(self.app)),
            summary=self.summary_input.value,
        )
        if self.save_touchpoint is not None:
            try:
                with saving(self.recorder):  # its draft forgotten as the save lands
                    await self.save_touchpoint(answer)
            except StoreError as error:
                self.query_one("#error", Static).update(Content(str(error)))
                return None
        if self.recorder is not None:
            await self.recorder.discard()
        return answer

    def action_cancel(self) -> None:
        if self._draft_fields() is None:
            self.dismiss(None)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.discard_work()
                self.dismiss(None)

        question = ChoiceScreen(
            "Discard this touchpoint?",
            [("y", "Discard", True), ("n", "Keep editing", False)],
            careful={True},
        )
        self.app.push_screen(question, answered)

    # Quitting with unsaved text (ui/drafts.py Editing) -----------------------------------

    def unsaved_work(self) -> str | None:
        return f"the touchpoint ({self.dialog_title})" if self._draft_fields() else None

    async def save_work(self) -> bool:
        return await self._saved() is not None

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()
