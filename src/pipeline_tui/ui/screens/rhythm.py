"""Keep in touch every N days (from the palette on the card screen): the card's own rhythm.

One field, a number of days; empty goes back to the stage's stale limit. What it means
is shown under the field as it is typed, a number out of range is refused with the
reason, and the dialog stays open. Enter saves, escape leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.cadence import CadenceError, parse_rhythm
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.widgets.form_input import FormInput

SaveRhythm = Callable[[int | None], Awaitable[None]]
"""Saves the rhythm given (None: none); a StoreError says why it could not."""


class RhythmScreen(SubmitsAtOnce, seams.Dialog[bool]):
    """Dismisses with True once saved, False when left."""

    CSS_PATH = "rhythm.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="rhythm.cancel"),
        SUBMIT_AT_ONCE,
    ]

    def __init__(
        self, card_name: str, days: int | None, stage_limit: int, save: SaveRhythm
    ) -> None:
        super().__init__()
        self.card_name = card_name
        self.stage_limit = stage_limit
        self.save = save
        # The rhythm the card has, selected: "14" typed over a rhythm of 3 saved 314.
        self.days = FormInput(
            str(days) if days is not None else "", id="days", select_on_focus=True
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Keep in touch with {self.card_name}")
            yield Static(
                Content(
                    "Stale once this long without a touchpoint, note or move, in place "
                    f"of the stage's {self.stage_limit} days."
                ),
                id="about",
            )
            with Horizontal(classes="field"):
                yield Label("Every")
                self.days.placeholder = f"days (empty: the stage's {self.stage_limit})"
                yield self.days
            yield Static("", id="days-hint", classes="hint")
            yield Static("", id="error", classes="hint -error")
            yield Static(
                Content.assemble(("enter", "bold"), " save   ", ("escape", "bold"), " cancel"),
                id="keys",
            )

    def on_mount(self) -> None:
        self.days.focus()
        self._check()

    @on(Input.Changed, "#days")
    def _check(self) -> tuple[bool, int | None]:
        """Whether what is typed can be saved, and the days it means (None: none)."""
        hint = self.query_one("#days-hint", Static)
        self.query_one("#error", Static).update("")
        try:
            days = parse_rhythm(self.days.value)
        except CadenceError as error:
            hint.update(Content(str(error)))
            hint.add_class("-error")
            return False, None
        hint.remove_class("-error")
        hint.update(
            Content(
                f"stale after {days} days without contact"
                if days is not None
                else f"no rhythm: stale after the stage's {self.stage_limit} days"
            )
        )
        return True, days

    def submit_field(self) -> None:
        # As enter arrives (SubmitsAtOnce): "14", enter, "2" in one read saved 142 days.
        usable, days = self._check()
        if usable:
            self._save(days, hold_keys(self))

    @work(exclusive=True, group="rhythm")
    async def _save(self, days: int | None, release_keys: Callable[[], None]) -> None:
        try:
            await self.save(days)
        except StoreError as error:
            self.query_one("#error", Static).update(Content(str(error)))
            return
        finally:
            release_keys()
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
