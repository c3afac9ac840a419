"""The call queue (`c` on the board and the stand-up, `pipeline-tui call`): the power hour.

One card at a time, each with its brief: the activity that is due, the latest research
notes, the questions qualification still needs answered, the last touchpoints, who
referred them, and how to reach them. One key gives the call's outcome and asks for the
next step (suggested by the outcome); confirmed, the call is logged as a touchpoint with
that step, and the queue moves on (escape logs nothing; `u` undoes the call, `U` redoes
it). The session's figures are kept for the next morning's stand-up.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pipeline_tui.brief_report import (
    due_label,
    missing_notes,
    profile_line,
    referral_text,
)
from pipeline_tui.domain.brief import Brief
from pipeline_tui.domain.calls import (
    CallOutcome,
    CallTally,
    LoggedCall,
    QueueEntry,
    part_of,
    suggested_next_step,
)
from pipeline_tui.domain.cards import Change, Undone
from pipeline_tui.domain.drafts import DraftKey, Editor, Fields, KeptCall, StepKept, call_outcome
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import ConflictError, NotFoundError, StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.drafts import DraftRecorder, recorder_for
from pipeline_tui.ui.key_order import hold_keys
from pipeline_tui.ui.note_text import note_lines
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import (
    NextAction,
    NextActionScreen,
    ReadTheirs,
    SaveNextAction,
    say_what_the_kept_change_did,
)
from pipeline_tui.ui.screens.other_changes import OtherChanges
from pipeline_tui.ui.widgets.answers import Answers
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

Parts = list[Content | str | tuple[str, str]]
_LATER = "later"
log = logging.getLogger(__name__)
_ON_A_CARD = ("outcome", "skip", "note", "more", "open_card")


def _change_of(logged: LoggedCall) -> Change | None:
    return logged.change


class NextStepScreen(NextActionScreen):
    """The next action after a call, prefilled from its outcome; with `focus_due` the
    cursor starts in the date (a meeting: the rep types the day agreed).
    `release_keys`: the keys typed with the outcome's key wait for that field."""

    def __init__(
        self,
        title: str,
        action: str,
        due: date | None,
        today: Callable[[], date],
        *,
        focus_due: bool = False,
        save: SaveNextAction | None = None,
        read_theirs: ReadTheirs | None = None,
        release_keys: Callable[[], None] | None = None,
        recorder: DraftRecorder | None = None,
        step: StepKept | None = None,
    ) -> None:
        super().__init__(
            title,
            action,
            due,
            today,
            save=save,
            read_theirs=read_theirs,
            recorder=recorder,
            step=step,
        )
        self.focus_due = focus_due
        self.release_keys = release_keys

    def on_mount(self) -> None:
        # NextActionScreen's own on_mount runs after this one and focuses the action.
        self.call_after_refresh(self._started)

    def _started(self) -> None:
        if self.focus_due:
            self.inputs["due"].focus()
        if self.release_keys is not None:
            self.release_keys()


class _CallKept:
    """The call a next step is typed after, kept with its draft (ui/drafts.py,
    DraftContext): a draft restored after a hang-up logs the call it was typed after,
    on the day it was made, whichever outcome key opened the dialog this time."""

    def __init__(self, outcome: CallOutcome, name: str, today: Callable[[], date]) -> None:
        self.call = KeptCall(outcome, today())  # made now, as its outcome key is pressed
        self.name = name
        self.today = today
        self.dialog: NextStepScreen | None = None

    @property
    def title(self) -> str:
        return f"{self.call.said(self.today())}: the next step with {self.name}"

    def fields(self) -> Fields:
        return self.call.fields()

    def preview(self, kept: Fields) -> list[str]:
        call = KeptCall.of(kept)
        return [f"Call: {call.said(self.today())}"] if call is not None else []

    def restore(self, kept: Fields) -> None:
        call = KeptCall.of(kept)
        if call is None:
            return  # typed in the card's own dialog: this call stands
        # Kept before calls kept their day: the day is not known, and stays unknown
        # (kept again, it is logged the day its step is saved, not the day taken back).
        if call == self.call:
            return
        self.call = call
        if self.dialog is not None:
            self.dialog.retitle(self.title)


@dataclass(frozen=True)
class BriefLine:
    """One line of the brief: a label and its text; `first` opens a group (a gap above)."""

    label: str
    body: Content
    first: bool = False


class BriefRow(Horizontal):
    """A label in a narrow column and its text beside it, wrapping under itself. The
    rows are kept from card to card and shown again with the next card's lines: built
    again for each card, the brief's two dozen widgets took 88 ms of CPU for each `s`
    to the next card on the demo pipeline, 48 ms kept."""

    def __init__(self, line: BriefLine) -> None:
        super().__init__(classes="row first" if line.first else "row")
        self.line = line

    def compose(self) -> ComposeResult:
        yield Static(Content(self.line.label), classes="label")
        yield Static(self.line.body, classes="body")

    def show(self, line: BriefLine) -> None:
        self.display = True
        self.set_class(line.first, "first")
        self.line = line
        if not self.children:  # mounted by a brief still being shown: compose shows it
            return
        text.show(self.query_one(".label", Static), Content(line.label))
        text.show(self.query_one(".body", Static), line.body)


class CallQueueScreen(seams.FullScreen[None]):
    CSS_PATH = "calls.tcss"
    POLL_SECONDS = 3.0
    """How often it looks for changes made elsewhere (another rep, the shell)."""
    BINDINGS = [
        *(
            Binding(
                f"{outcome.key},{n}",
                f"outcome('{outcome.value}')",
                outcome.label,
                show=False,
                tooltip=f"Log the call: {outcome.label.lower()}",
                id=f"calls.{outcome.value}",
            )
            for n, outcome in enumerate(CallOutcome, start=1)
        ),
        Binding("s", "skip", "Skip", tooltip="Skip this card for now", id="calls.skip"),
        Binding("n", "note", "Note", tooltip="Write a research note", id="calls.note"),
        Binding("b", "back", "Back", tooltip="Back to the previous card", id="calls.back"),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,
            tooltip="Undo the last change: a call logged, with its next step",
            id="calls.undo",
        ),
        Binding(
            "U",
            "redo",
            "Redo",
            show=False,
            tooltip="Redo what undo took back: a call, logged again with its step",
            id="calls.redo",
        ),
        Binding(
            "w", "week", "Week", tooltip="Add the calls due in the next 7 days", id="calls.week"
        ),
        Binding("space", "more", "More", tooltip="Whole notes / first lines", id="calls.more"),
        Binding("enter", "open_card", "Card", tooltip="Open the whole card", id="calls.open"),
        Binding(
            "o",
            "toggle_everyone",
            "Mine/all",
            show=False,
            tooltip="Only my cards, or everyone's",
            id="calls.everyone",
        ),
        Binding("pagedown", "scroll(1)", "Scroll down", show=False, id="calls.page_down"),
        Binding("pageup", "scroll(-1)", "Scroll up", show=False, id="calls.page_up"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="calls.help"),
        Binding("escape", "end", "End", tooltip="End the session", id="calls.end"),
    ]

    def __init__(self, backend: Backend, *, week: bool = False, everyone: bool = False) -> None:
        super().__init__()
        self.backend = backend
        self.week = week
        self.everyone = everyone
        self.entries: list[QueueEntry] = []
        self.index = 0
        self.loaded = False
        self.brief: Brief | None = None
        self.expanded = False
        self.busy = False
        self.sessions: list[int] = []
        """Every session this queue counted calls in: a new one each day (a queue left
        open overnight), whose calls the header counts together."""
        self.tally = CallTally()
        self.outcomes: dict[int, CallOutcome] = {}
        """The outcome logged for each card called in this session (the last one)."""
        self.skipped: set[int] = set()
        self.other_changes = OtherChanges(self, backend, self._brief_again)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Reading the queue…", "italic"), id="progress")
        with VerticalScroll(id="brief", can_focus=False):
            yield Static(id="who")
            with Horizontal(id="panes"):
                yield Vertical(id="main")
                yield Vertical(id="side")
        yield Static(id="summary")
        yield Answers(
            [(outcome.key, outcome.label) for outcome in CallOutcome],
            lead=Content.styled("Outcome", "$text-muted"),
            gap="  ",
            id="outcomes",
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Call queue"
        self.query_one("#summary").display = False
        # "c" then "rSend proposal" typed at once: the keys wait for the card they act on.
        self.load_queue(hold_keys(self))
        self.other_changes.start(self.POLL_SECONDS)

    # The queue ---------------------------------------------------------------------------

    @property
    def current(self) -> QueueEntry | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    @property
    def finished(self) -> bool:
        return self.loaded and self.index >= len(self.entries)

    @work(group="queue", exclusive=True)
    async def load_queue(
        self, release_keys: Callable[[], None] | None = None, *, announce: bool = False
    ) -> None:
        """Read the queue and merge it in: the cards already reached stay as they are,
        what lies ahead is replaced by what is due now. `release_keys` lets go of the
        keys typed meanwhile once the card they act on is shown."""
        try:
            await self._load_queue(announce=announce)
        finally:
            if release_keys is not None:
                release_keys()

    async def _load_queue(self, *, announce: bool) -> None:
        try:
            entries = await self.backend.run(
                self.backend.service.call_queue,
                self.backend.today(),
                week=self.week,
                mine_only=not self.everyone,
            )
        except StoreError as error:
            self.notify(
                str(error), title="Could not read the queue", severity="error", markup=False
            )
            return
        kept = self.entries[: self.index + 1] if self.loaded else []
        seen = {entry.card.id for entry in kept}
        added = [entry for entry in entries if entry.card.id not in seen]
        before = len(self.entries) - len(kept)
        self.entries = [*kept, *added]
        was_finished = self.finished
        if not self.loaded:
            self.loaded, self.index = True, 0
        elif was_finished and added:
            self.index = len(kept)
        if announce:
            more = len(added) - max(0, before)
            self.notify(
                f"{more} more call{'s' if more != 1 else ''} in the queue."
                if more > 0
                else "No more calls due.",
                timeout=3,
            )
        await self.show_current()

    async def show_current(self) -> None:
        entry = self.current
        self.refresh_bindings()  # the keys that act on a card come and go with it
        if entry is None:
            self.brief = None
            self._show_summary()
            return
        try:
            await self.other_changes.reading()
            brief = await self.backend.run(self.backend.service.brief, entry.card.id)
        except NotFoundError:
            self.notify(
                f"{clean_line(entry.card.name)} is no longer in the pipeline; skipped.",
                timeout=3,
                markup=False,
            )
            del self.entries[self.index]
            await self.show_current()
            return
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.brief = brief
        await self._show_brief(entry, brief)

    async def _advance(self, step: int = 1) -> None:
        self.index = max(0, min(len(self.entries), self.index + step))
        self.expanded = False
        self.query_one("#brief", VerticalScroll).scroll_home(animate=False)
        await self.show_current()

    # Showing -----------------------------------------------------------------------------

    def _show_progress(self) -> None:
        total = len(self.entries)
        tally = Content.assemble(
            (f"{self.tally.calls}", "bold"),
            " called · ",
            (f"{self.tally.spoke_to}", "bold"),
            " spoken to · ",
            (f"{self.tally.meeting_set}", "bold"),
            f" meeting{'s' if self.tally.meeting_set != 1 else ''}",
        )
        entry = self.current
        if entry is None:
            # Past the last card, the queue's count read as calls still to make.
            place = f"{total} of {total} · the end" if total else "0 in the queue"
            where: Content = Content.styled(place, "bold")
            self.sub_title = place
        else:
            where = Content.assemble(
                (f"{self.index + 1} of {total}", "bold $accent"),
                (f" · {self._when_due(entry)}", "$text-muted"),
            )
            self.sub_title = f"{self.index + 1} of {total}"
        whose = "everyone's" if self.everyone else "mine"
        text.show(
            self.query_one("#progress", Static),
            Content.assemble(where, "   ", tally, (f"   ({whose})", "$text-muted")),
        )

    @property
    def session_id(self) -> int | None:
        """The session the next call is counted in (the newest: today's)."""
        return self.sessions[-1] if self.sessions else None

    def _when_due(self, entry: QueueEntry) -> str:
        """Where the card's call is due, as its brief was last read: the queue's own
        read said "overdue" still after the step was moved on elsewhere."""
        brief = self.brief
        if brief is None or brief.card_id != entry.card.id:
            return entry.part.label.lower()
        part = part_of(brief.due, self.backend.today()) if brief.due is not None else None
        return part.label.lower() if part is not None else "not due now"

    def _brief_again(self) -> None:
        self.run_worker(self._read_brief_again(), group="call-brief-again", exclusive=True)

    async def _read_brief_again(self) -> None:
        """The card on screen, read again: another session changed the database (a
        teammate logged a call on it, the shell moved its step). Its brief stayed as it
        was, and an outcome key offered the old step. Shown only if the queue is still
        on that card, with nothing of the rep's under way."""
        entry, shown = self.current, self.brief
        if entry is None or shown is None or self.busy:
            return
        try:
            await self.other_changes.reading()
            brief = await self.backend.run(self.backend.service.brief, entry.card.id)
        except StoreError:
            return  # gone or archived: the next key's own read says so
        if self.current is not entry or self.brief is not shown or self.busy:
            return  # moved on meanwhile: that read shows the card as it is
        self.brief = brief
        await self._show_brief(entry, brief)

    async def _show_brief(self, entry: QueueEntry, brief: Brief) -> None:
        self.query_one("#brief").display = True
        self.query_one("#outcomes").display = True
        self.query_one("#summary").display = False
        self._show_progress()
        today = self.backend.today()
        text.show(self.query_one("#who", Static), self._who(brief))
        await _show_lines(self.query_one("#main", Vertical), self._main_rows(entry, brief, today))
        await _show_lines(self.query_one("#side", Vertical), self._side_rows(brief))

    def _who(self, brief: Brief) -> Content:
        parts: Parts = [text.line(brief.name, "bold $accent")]
        if clean_line(brief.organisation):
            parts += [(" · ", "$text-muted"), text.line(brief.organisation, "bold")]
        called = self.outcomes.get(brief.card_id)
        if called is not None:
            parts += [(f"   ✓ called: {called.label.lower()}", "$text-success")]
        elif brief.card_id in self.skipped:
            parts += [("   skipped", "$text-warning")]
        parts += ["\n", text.line(profile_line(brief), "$text-muted"), "\n"]
        parts += [("Phone ", "$text-muted"), text.line(brief.phone or "-", "bold")]
        parts += [("   Email ", "$text-muted"), text.line(brief.email or "-")]
        return Content.assemble(*parts)

    def _main_rows(self, entry: QueueEntry, brief: Brief, today: date) -> list[BriefLine]:
        rows: list[BriefLine] = []
        due = brief.due
        if due is None:
            rows.append(BriefLine("Due", Content.styled("Nothing due now.", "italic $text-muted")))
        else:
            style = "bold $text-error" if due.is_overdue(today) else "bold $text-warning"
            body = Content.assemble(
                (due_label(due.due, today), style),
                "  ",
                text.line(due.text or "(no description)", "bold"),
                (f"  {due.due:%a %d %b}", "$text-muted"),
            )
            rows.append(BriefLine("Due", body))
        for n, note in enumerate(brief.notes):
            # As on the card screen: "**Customers**" is bold, not asterisks.
            lines = note_lines(note.body, gaps=self.expanded) or [Content("")]
            body = (
                Content("\n").join(lines)
                if self.expanded
                else Content.assemble(lines[0], (" …" if len(lines) > 1 else "", "$text-muted"))
            )
            rows.append(BriefLine(note.kind.label, body, first=n == 0))
        missing = missing_notes(brief.missing_kinds)
        if missing:
            rows.append(
                BriefLine("", Content.styled(missing, "italic $text-muted"), first=not brief.notes)
            )
        for n, question in enumerate(brief.questions):
            body = Content.assemble(
                "• ",
                text.line(question.ask),
                (" (", "$text-muted"),
                text.line(question.criterion, "$text-muted"),
                (")", "$text-muted"),
            )
            rows.append(BriefLine("Ask" if n == 0 else "", body, first=n == 0))
        return rows

    def _side_rows(self, brief: Brief) -> list[BriefLine]:
        rows: list[BriefLine] = []
        if not brief.touchpoints:
            rows.append(
                BriefLine(
                    "Before",
                    Content.styled("No touchpoints yet: a first contact.", "italic $text-muted"),
                )
            )
        for touch in brief.touchpoints:
            parts: Parts = [(touch.kind.value, "bold")]
            summary = touch.summary_after_kind
            if summary:
                parts += [": ", text.line(summary)]
            body = Content.assemble(*parts)
            rows.append(BriefLine(f"{touch.happened_on:%b %d}", body))
        if brief.referral is not None:
            rows.append(
                BriefLine(
                    "Referred",
                    Content.assemble("by ", text.line(referral_text(brief))),
                    first=True,
                )
            )
        return rows

    def _show_summary(self) -> None:
        self._show_progress()
        self.query_one("#brief").display = False
        self.query_one("#outcomes").display = False
        summary = self.query_one("#summary", Static)
        summary.display = True
        summary.update(self._summary())

    def _summary(self) -> Content:
        tally = self.tally
        if not self.entries:
            whose = "" if self.everyone else " of yours"
            when = "due in the next 7 days" if self.week else "overdue or due today"
            empty: Parts = [(f"Nothing{whose} is {when}.", "bold"), "\n"]
            if not self.week:
                empty += ["\n", ("w", "bold $accent"), " adds the calls due in the next 7 days"]
            if not self.everyone:
                empty += ["\n", ("o", "bold $accent"), " shows everyone's cards"]
            return Content.assemble(
                *empty,
                "\n",
                ("escape", "bold $accent"),
                " goes back",
            )
        rows: Parts = [
            ("Session done" if tally.calls else "End of the queue", "bold $accent"),
            "  ",
            (tally.describe(), "bold"),
            "\n",
        ]
        # Everyone spoken to, as the line above counts them, with the outcomes that make
        # it up under it: the table's one "Reached" row, the r outcome alone, read as
        # a wrong count beside a line that said "2 reached" for everyone spoken to.
        rows += ["\n", (f"  {'Spoken to':<16}", "$text-muted"), f"{tally.spoke_to:>3}"]
        for outcome in CallOutcome:
            if outcome.reached:
                rows += ["\n", (f"    {outcome.label:<14}", "$text-muted")]
                rows += [f"{tally.count(outcome):>3}"]
        for outcome in CallOutcome:
            if not outcome.reached:
                rows += ["\n", (f"  {outcome.label:<16}", "$text-muted")]
                rows += [f"{tally.count(outcome):>3}"]
        rows += ["\n", (f"  {'Skipped':<16}", "$text-muted"), f"{len(self.skipped):>3}", "\n\n"]
        if tally.calls:
            rows += [("Kept for the next stand-up.", "italic"), "\n\n"]
        if not self.week:
            rows += [("w", "bold $accent"), " the calls due in the next 7 days   "]
        rows += [("b", "bold $accent"), " back to the last card   "]
        rows += [("escape", "bold $accent"), " the board"]
        return Content.assemble(*rows)

    # Keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Nothing to act on while the summary is showing.
        return not (action in _ON_A_CARD and self.current is None)

    def action_outcome(self, value: str) -> None:
        entry, brief = self.current, self.brief
        if self.busy or entry is None or brief is None or brief.card_id != entry.card.id:
            return
        # What is typed straight after the key is for the dialog it opens ("rSend
        # proposal"): the keys wait until the dialog takes them, instead of acting as
        # the queue's own keys.
        self.busy = True
        self._ask(CallOutcome(value), brief, hold_keys(self))

    @work(group="call")
    async def _ask(
        self, outcome: CallOutcome, brief: Brief, release_keys: Callable[[], None]
    ) -> None:
        """Ask for the next step the outcome suggests. Nothing is written until the rep
        confirms it: then the call, its count and the step are saved together; escape
        records nothing."""
        try:
            await self._ask_for_step(outcome, brief, release_keys)
        except BaseException:
            self.busy = False
            release_keys()
            raise

    async def _ask_for_step(
        self, outcome: CallOutcome, brief: Brief, release_keys: Callable[[], None]
    ) -> None:
        name = clean_line(brief.name)
        # The step as the brief shows it: read with the card, after any change made here.
        step = suggested_next_step(outcome, self.backend.today(), brief.next_action)
        if step.offer_archive:
            later = f"{step.due:%a %d %b %Y}" if step.due else "later"
            choice: ChoiceScreen[ArchiveReason | str] = ChoiceScreen(
                f"{name} is not interested. Archive the card, or keep it and check in again "
                f"on {later}?",
                [
                    ("a", "Archive: lost", ArchiveReason.LOST),
                    ("f", "Archive: not a fit", ArchiveReason.NOT_A_FIT),
                    ("l", "Check in later", _LATER),
                ],
            )

            def chosen(answer: ArchiveReason | str | None) -> None:
                if answer is None:  # never mind: no call was logged
                    self.busy = False
                    return
                self._not_interested(outcome, brief, step.action, step.due, answer, hold_keys(self))

            self.app.push_screen(choice, chosen)
            release_keys()  # the question takes the next key
            return
        version = brief.version
        # What the rep types is kept as they type it, as in the card's own next-action
        # dialog (the same draft: offered back there too), never lost to a hang-up;
        # the call's outcome with it, since the call is logged only with the step.
        key = DraftKey.on_card(Editor.NEXT_ACTION, brief.card_id)
        recorder = await recorder_for(self.backend, key, version)
        # The step the call's next step replaces (the earliest planned), which its
        # draft names (drafts.STEP), as the board's `f` does.
        earliest = None
        with suppress(StoreError):  # then it names none, as drafts kept before did
            planned = await self.backend.run(self.backend.service.activities, brief.card_id)
            earliest = StepKept(planned[0].id, planned[0].text, planned[0].due) if planned else None
        call = _CallKept(outcome, name, self.backend.today)
        recorder.context = call

        async def save(answer: NextAction) -> None:
            kept = call.call
            await self._log(kept.outcome, brief, version, next_step=answer, on=kept.on)

        async def read_theirs() -> str:
            from pipeline_tui.ui.flows import next_action_now

            nonlocal version  # enter again saves over what the rep has now seen
            version, theirs = await next_action_now(self.backend, brief.card_id)
            return theirs

        dialog = NextStepScreen(
            call.title,
            step.action,
            step.due,
            self.backend.today,
            focus_due=step.ask_date,
            save=save,
            read_theirs=read_theirs,
            release_keys=release_keys,
            recorder=recorder,
            step=earliest,
        )
        call.dialog = dialog
        self.app.push_screen(dialog, self._step_answered)

    def _step_answered(self, answer: NextAction | None) -> None:
        self.busy = False
        if answer is not None:  # saved with the call: on to the next card
            self._go(1, hold_keys(self))

    @work(group="call")
    async def _go(self, step: int, release_keys: Callable[[], None]) -> None:
        """On to another card; the keys typed meanwhile wait for its brief, which they
        act on (`s` then `v`: the call is the next card's)."""
        try:
            await self._advance(step)
        finally:
            release_keys()

    async def _log(
        self,
        outcome: CallOutcome,
        brief: Brief,
        version: int,
        *,
        next_step: NextAction | None = None,
        archive: ArchiveReason | None = None,
        on: date | None = None,
    ) -> None:
        """Log the call (made `on`, or today) with what comes next, in one transaction;
        raises StoreError (nothing saved) if the store refuses."""
        step = next_step
        logged = await self.backend.change_within(
            _change_of,
            self.backend.service.log_call,
            brief.card_id,
            outcome,
            on or self.backend.today(),
            self.session_id,
            next_step=None if step is None else (step.action, step.due),
            add_step=step is not None and step.adding,
            change_step=None if step is None else step.kept_step,
            step_kind=None if step is None else step.kind,
            step_time=None if step is None else step.due_time,
            archive=archive,
            archive_note="Not interested (call)" if archive is not None else "",
            expected_version=version,
        )
        if logged.session_id not in self.sessions:
            self.sessions.append(logged.session_id)
        if step is not None:
            say_what_the_kept_change_did(
                self, step, logged.change, undo="u takes it back with the call."
            )
        self.tally = self.tally.plus(outcome)
        self.outcomes[brief.card_id] = outcome
        self.skipped.discard(brief.card_id)
        self._show_progress()

    @work(group="call")
    async def _not_interested(
        self,
        outcome: CallOutcome,
        brief: Brief,
        action: str,
        due: date | None,
        answer: ArchiveReason | str,
        release_keys: Callable[[], None],
    ) -> None:
        name = clean_line(brief.name)
        try:
            try:
                if isinstance(answer, ArchiveReason):
                    await self._log(outcome, brief, brief.version, archive=answer)
                    self.notify(
                        f"Archived {name} ({answer.label.lower()}); u takes back the call "
                        "and brings the card back.",
                        timeout=4,
                        markup=False,
                    )
                else:
                    step = NextAction(action, due)
                    await self._log(outcome, brief, brief.version, next_step=step)
            except ConflictError as error:
                self.notify(
                    str(error), title="Not saved", severity="error", markup=False, timeout=8
                )
                await self.show_current()  # the card as it is now, for the rep to try again
                return
            except StoreError as error:
                self.notify(
                    str(error), title="The call was not logged", severity="error", markup=False
                )
                return
            await self._drop_kept_call(brief.card_id)
            await self._advance()
        finally:
            self.busy = False
            release_keys()

    async def _drop_kept_call(self, card_id: int) -> None:
        """A step kept from an earlier try at this call (drafts.CALL_OUTCOME) is for an
        outcome that the call just logged replaces: taken back later, it would log that
        call again. A step typed in the card's own dialog stays."""
        key = DraftKey.on_card(Editor.NEXT_ACTION, card_id)
        service = self.backend.service

        def drop() -> None:
            kept = service.draft(key)
            if kept is not None and call_outcome(kept.fields) is not None:
                service.discard_drafts(key)

        try:
            await self.backend.run(drop)
        except StoreError:  # the call is logged; the step kept is offered with its call
            log.warning("a kept step could not be dropped", exc_info=True)

    def action_skip(self) -> None:
        entry = self.current
        if self.busy or entry is None:
            return
        if entry.card.id not in self.outcomes:
            self.skipped.add(entry.card.id)
        self._go(1, hold_keys(self))

    def action_back(self) -> None:
        if self.busy:
            return
        if self.index == 0:
            self.notify("This is the first card.", timeout=2)
            return
        self._go(-1, hold_keys(self))

    def action_undo(self) -> None:
        """As `u` on the board: the newest change undone, named. A call logged here goes
        with its next step (out of the session's figures too), and the queue goes back
        to its card, for the rep to log the call again."""
        self._revert(self.backend.undo_and_tell)

    def action_redo(self) -> None:
        """As `U` on the board: what `u` took back, put back. A call of this session is
        logged again (and counted again), and the queue moves on from its card, as when
        the call was first logged."""
        self._revert(self.backend.redo_and_tell)

    def _revert(self, step: Callable[[Callable[..., object]], Awaitable[Undone | None]]) -> None:
        if self.busy or not self.loaded:
            return
        self._reverted(step, hold_keys(self))

    @work(group="call")
    async def _reverted(
        self,
        step: Callable[[Callable[..., object]], Awaitable[Undone | None]],
        release_keys: Callable[[], None],
    ) -> None:
        try:
            done = await step(self.notify)
            if done is None:
                return
            call = done.inverse.call if done.inverse is not None else None
            again = False
            if call is not None and call.session_id in self.sessions:
                outcome = CallOutcome(call.outcome)
                # The record that would do the other: no touchpoint once taken back.
                again = call.touchpoint_id is not None
                self.tally = self.tally.plus(outcome, 1 if again else -1)
                if again:
                    self.outcomes[done.card_id] = outcome
                    self.skipped.discard(done.card_id)
                elif self.outcomes.get(done.card_id) is outcome:
                    del self.outcomes[done.card_id]
            shown = [entry.card.id for entry in self.entries]
            if done.card_id in shown:
                self.index = shown.index(done.card_id) + (1 if again else 0)
            await self._advance(0)
        finally:
            release_keys()

    def action_week(self) -> None:
        if self.week:
            self.notify("The queue already holds the next 7 days.", timeout=2)
            return
        self.week = True
        self.load_queue(hold_keys(self), announce=True)

    def action_toggle_everyone(self) -> None:
        self.everyone = not self.everyone
        self.notify("Everyone's cards" if self.everyone else "Only your cards", timeout=2)
        # "o" then "r…" typed at once: the call is on the card the queue shows by then.
        self.load_queue(hold_keys(self), announce=True)

    @work(group="call")
    async def action_more(self) -> None:
        entry, brief = self.current, self.brief
        if entry is None or brief is None:
            return
        self.expanded = not self.expanded
        await self._show_brief(entry, brief)

    def action_scroll(self, pages: int) -> None:
        scroller = self.query_one("#brief", VerticalScroll)
        if pages > 0:
            scroller.scroll_page_down(animate=False)
        else:
            scroller.scroll_page_up(animate=False)

    def action_note(self) -> None:
        from pipeline_tui.ui.screens.note_kind import NoteKindScreen

        brief = self.brief
        if brief is None or self.current is None:
            return
        card_id, name = brief.card_id, brief.name

        def kind_chosen(kind: NoteKind | None) -> None:
            if kind is not None:
                # Keys typed after "ng" wait for the editor, and go into it: not to the
                # queue, where they are outcome keys.
                self._write_note(card_id, name, kind, hold_keys(self))

        self.app.push_screen(NoteKindScreen(), kind_chosen)

    @work(group="call-note")
    async def _write_note(
        self, card_id: int, name: str, kind: NoteKind, release_keys: Callable[[], None]
    ) -> None:
        """The note editor, as the card screen opens it: what is typed is kept as a
        draft, and a draft kept before is offered back."""
        from pipeline_tui.ui.screens.note_editor import NoteEditorScreen

        try:
            recorder = await recorder_for(self.backend, DraftKey.note(card_id, None, kind), None)
            editor = NoteEditorScreen(self.backend, card_id, name, kind, None, recorder)
            self.app.push_screen(editor, self._refresh_brief)
        finally:
            release_keys()

    def action_open_card(self) -> None:
        from pipeline_tui.ui.screens.card import CardScreen

        if self.brief is None:
            return
        self.app.push_screen(CardScreen(self.backend, self.brief.card_id), self._refresh_brief)

    def _refresh_brief(self, _: object = None) -> None:
        # The card may have changed there: an outcome typed straight after waits for
        # the brief (and the card's version) as it is now.
        self._reshow(hold_keys(self))

    @work(group="call")
    async def _reshow(self, release_keys: Callable[[], None]) -> None:
        try:
            if self.brief is not None:
                await self._recount(self.brief.card_id)
            await self.show_current()
        finally:
            release_keys()

    async def _recount(self, card_id: int) -> None:
        """The session's calls as stored, back from the card's own screen: its u (or U)
        can take back (or put back) the call made to it here, and the header still
        counted it, the card still marked called."""
        stored = CallTally()
        for session_id in self.sessions:
            try:
                session = await self.backend.run(self.backend.service.call_session, session_id)
            except StoreError:
                return  # the next call's own write says what is wrong
            if session is not None:
                stored += session.tally
        if stored == self.tally:
            return
        for outcome in CallOutcome:
            change = stored.count(outcome) - self.tally.count(outcome)
            if change > 0:
                self.outcomes[card_id] = outcome
                self.skipped.discard(card_id)
            elif change < 0 and self.outcomes.get(card_id) is outcome:
                del self.outcomes[card_id]
        self.tally = stored

    def action_end(self) -> None:
        if self.tally.calls:
            self.notify(
                f"{self.tally.describe()}: kept for the next stand-up.", timeout=4, markup=False
            )
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Call queue keys", self.BINDINGS))


async def _show_lines(pane: Vertical, lines: Sequence[BriefLine]) -> None:
    """Show `lines` in the pane's rows: the rows there take the first lines, rows are
    added for the rest, and rows left over are hidden for a later card."""
    rows = list(pane.query_children(BriefRow))
    for row, line in zip(rows, lines, strict=False):
        row.show(line)
    for row in rows[len(lines) :]:
        row.display = False
    if len(lines) > len(rows):
        await pane.mount_all(BriefRow(line) for line in lines[len(rows) :])
