"""Archive a card with a reason: it leaves the board but is never destroyed.

With `save`, the dialog archives through it and stays open with the reason if the store
refuses; the note typed is kept as a draft meanwhile.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.drafts import Fields
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.limits import FieldError, check_length
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams
from pipeline_tui.ui.drafts import DraftRecorder, labelled, offer_draft, saving
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.widgets.choice_list import ChoiceList
from pipeline_tui.ui.widgets.form_input import FormInput

ArchiveAnswer = tuple[ArchiveReason, str]
SaveArchive = Callable[[ArchiveReason, str], Awaitable[None]]

_ENTER_ESCAPE = (("enter", "bold"), " archive   ", ("escape", "bold"), " cancel")
KEYS_IN_REASONS = Content.assemble(
    ("↑↓", "bold"),
    "/",
    ("letter", "bold"),
    " reason   ",
    ("tab", "bold"),
    " note   ",
    *_ENTER_ESCAPE,
)
KEYS_IN_NOTE = Content.assemble("type the note   ", ("tab", "bold"), " reason   ", *_ENTER_ESCAPE)
LABELS = {"reason": "Reason", "note": "Note"}


class ArchiveScreen(SubmitsAtOnce, seams.Dialog[ArchiveAnswer | None]):
    CSS_PATH = "archive.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        SUBMIT_AT_ONCE,
        # As in every other dialog: ctrl+s here did nothing, and the rep who typed a
        # note and pressed it waited on a dialog that looked saved.
        Binding("ctrl+s", "save", "Archive", show=False, priority=True),
    ]

    def __init__(
        self,
        card_name: str,
        *,
        save: SaveArchive | None = None,
        recorder: DraftRecorder | None = None,
    ) -> None:
        super().__init__()
        self.card_name = card_name
        self.save_archive = save
        self.recorder = recorder
        # Kept here, not queried: read once more as the dialog closes (see card_form).
        self.reasons = ChoiceList(
            *(Option(reason.label, id=reason.value) for reason in ArchiveReason), id="reasons"
        )
        self.note = FormInput(placeholder="why (needed for 'Other')", id="note")

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Archive {clean_line(self.card_name)}")
            yield self.reasons
            with Horizontal(id="note-row"):
                yield Label("Note")
                yield self.note
            yield Static("", id="error")
            yield Static(KEYS_IN_REASONS, id="keys")

    def on_descendant_focus(self) -> None:
        # The keys say where tab goes from here: an error moves focus to the note, and
        # "tab note" then took the rep back to the reasons, where the letters of the
        # note they typed picked reasons.
        keys = KEYS_IN_NOTE if self.focused is self.note else KEYS_IN_REASONS
        self.query_one("#keys", Static).update(keys)

    def on_mount(self) -> None:
        self.reasons.highlighted = 0
        if self.recorder is not None:
            self.recorder.attach(self, self._draft_fields)
            offer_draft(
                self, self.recorder, {"reason": ArchiveReason.WON.value}, self._restore, _preview
            )

    def on_unmount(self) -> None:
        if self.recorder is not None:
            self.recorder.close()

    def _reason(self) -> ArchiveReason:
        options = self.reasons
        option_id = options.get_option_at_index(options.highlighted or 0).id
        assert option_id is not None
        return ArchiveReason(option_id)

    def _draft_fields(self) -> Fields | None:
        note = self.note.value
        return {"reason": self._reason().value, "note": note} if note.strip() else None

    def _restore(self, fields: Fields) -> None:
        reasons = [reason.value for reason in ArchiveReason]
        if fields.get("reason") in reasons:
            self.reasons.highlighted = reasons.index(fields["reason"])
        self.note.value = fields.get("note", "")
        # A draft is kept only once a note is typed: the rep was typing it, and goes on
        # there (on the reasons, the letters typed next picked reasons).
        self.note.focus()

    @on(Input.Changed)
    @on(OptionList.OptionHighlighted)
    def _record(self) -> None:
        if self.recorder is not None:
            self.recorder.changed()

    def submit_field(self) -> None:
        self._archive()

    # Enter on the reasons archives as the key arrives (SUBMIT_AT_ONCE): when the list's
    # selection came up to the screen, the key order had already handed the keys typed
    # with it to the reasons, and "a, enter, l" archived as Lost (or "j", as the next
    # reason down), and letters meant for the note, after "Other", picked reasons.

    def list_at_once(self) -> Widget:
        return self.reasons

    def submit_list(self) -> None:
        self._archive()

    def action_save(self) -> None:
        self._archive()

    @on(OptionList.OptionSelected)
    def _archive(self) -> None:
        self._save(hold_keys(self))

    @work(exclusive=True, group="archive-save")
    async def _save(self, release_keys: Callable[[], None]) -> None:
        try:
            answer = await self._saved()
            if answer is not None:
                self.dismiss(answer)
        finally:
            release_keys()

    async def _saved(self) -> ArchiveAnswer | None:
        reason = self._reason()
        note = clean_line(self.note.value)
        problem = ""
        if reason is ArchiveReason.OTHER and not note:
            problem = "Say why in the note when the reason is Other."
        try:
            check_length("archive_note", note)
        except FieldError as error:
            problem = str(error)
        if problem:
            self.query_one("#error", Static).update(Content(problem))
            self.note.focus()
            return None
        if self.save_archive is not None:
            try:
                with saving(self.recorder):  # its draft forgotten as the save lands
                    await self.save_archive(reason, note)
            except StoreError as error:
                self.query_one("#error", Static).update(Content(str(error)))
                return None
        if self.recorder is not None:
            await self.recorder.discard()
        return reason, note

    def action_cancel(self) -> None:
        if self._draft_fields() is None:  # a reason picked is one key; only a note asks
            self.dismiss(None)
            return

        async def answered(discard: bool | None) -> None:
            if discard:
                await self.discard_work()
                self.dismiss(None)

        question = ChoiceScreen(
            "Discard this archive note?",
            [("y", "Discard", True), ("n", "Keep editing", False)],
            careful={True},
        )
        self.app.push_screen(question, answered)

    # Quitting with unsaved text (ui/drafts.py Editing) -----------------------------------

    def unsaved_work(self) -> str | None:
        if self._draft_fields() is None:
            return None
        return f"the archive note for {clean_line(self.card_name)}"

    async def save_work(self) -> bool:
        return await self._saved() is not None

    async def discard_work(self) -> None:
        if self.recorder is not None:
            await self.recorder.discard()


def _preview(fields: Fields) -> list[str]:
    shown = dict(fields)
    try:
        shown["reason"] = ArchiveReason(fields.get("reason", "")).label
    except ValueError:
        shown.pop("reason", None)
    return labelled(shown, LABELS)
