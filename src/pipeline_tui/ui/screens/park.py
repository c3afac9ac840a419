"""Not yet: park a lead until a date (`p` on the qualification checklist).

One field, read as a due date is (fri, +3m, mar 1, 15/12...) in the rep's date order,
with the day it means shown under it as it is typed; a date that is not after today
is refused with the reason, and the dialog stays open. Enter parks, escape leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from pipeline_tui.domain.dates import DueDateError, describe_day, due_date_placeholder, parse_due
from pipeline_tui.domain.nurture import NurtureError, check_park_date
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams
from pipeline_tui.ui.date_order import date_order
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.widgets.form_input import FormInput

ParkUntil = Callable[[date], Awaitable[None]]
"""Parks the card until the day given; a StoreError says why it could not."""


class ParkScreen(SubmitsAtOnce, seams.Dialog[date | None]):
    """Dismisses with the day the card is parked until, or None when left."""

    CSS_PATH = "park.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="park.cancel"),
        SUBMIT_AT_ONCE,
    ]

    def __init__(self, card_name: str, today: Callable[[], date], park: ParkUntil) -> None:
        super().__init__()
        self.card_name = card_name
        self.today = today
        self.park = park
        self.until = FormInput(id="until")
        self.held_keys: Callable[[], None] | None = None
        """Once parked: lets go the keys typed after enter, for whoever opened the
        dialog to call when what those keys act on shows."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog") as dialog:
            dialog.border_title = Content(f"Not yet: park {self.card_name}")
            yield Static(
                Content("Off the board until then; back on it, and in the stand-up, that day."),
                id="about",
            )
            with Horizontal(classes="field"):
                yield Label("Until")
                self.until.placeholder = due_date_placeholder(date_order(self.app))
                yield self.until
            yield Static("", id="until-hint", classes="hint")
            yield Static("", id="error", classes="hint -error")
            yield Static(
                Content.assemble(("enter", "bold"), " park   ", ("escape", "bold"), " cancel"),
                id="keys",
            )

    def on_mount(self) -> None:
        self.until.focus()
        self._check()

    @on(Input.Changed, "#until")
    def _check(self) -> date | None:
        """The day typed, shown under the field; None (with the reason) if not usable."""
        hint = self.query_one("#until-hint", Static)
        self.query_one("#error", Static).update("")
        text = self.until.value
        try:
            until = check_park_date(
                parse_due(text, self.today(), date_order(self.app), after_today=True),
                self.today(),
            )
        except (DueDateError, NurtureError) as error:
            hint.update(Content(str(error) if text.strip() else "a date after today"))
            hint.set_class(bool(text.strip()), "-error")
            return None
        hint.update(Content(describe_day(until)))
        hint.remove_class("-error")
        return until

    def submit_field(self) -> None:
        # As enter arrives (SubmitsAtOnce): "+2", enter, "w" in one read parked until +2w.
        until = self._check()
        if until is None:
            if not self.until.value.strip():
                self.query_one("#until-hint", Static).update(
                    Content("Say until when: a date after today.")
                )
                self.query_one("#until-hint", Static).add_class("-error")
            return
        self._park(until, hold_keys(self))

    @work(exclusive=True, group="park")
    async def _park(self, until: date, release_keys: Callable[[], None]) -> None:
        try:
            await self.park(until)
        except StoreError as error:
            release_keys()
            self.query_one("#error", Static).update(Content(str(error)))
            return
        except BaseException:
            release_keys()
            raise
        # The keys typed after enter act on what shows once the checklist has closed too.
        self.held_keys = release_keys
        self.dismiss(until)

    def action_cancel(self) -> None:
        self.dismiss(None)
