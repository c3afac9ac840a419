"""The card screen: profile, scheduled activities, research notes, touchpoints and
stage history.

At the top, always in view (80x24 included): who, how to reach them, where they came
from, the qualification score, and the open activities, earliest first: the first is
the card's next action (done ones are left out; the touchpoints keep them). Beside it
(or below, on a narrow terminal) the latest note of every kind, one line each, and the
highlighted note rendered as Markdown. `1`-`5` jump to a section: details, notes,
touchpoints, qualification, stage history; `tab` reaches the activities.

Keys for the rep's research: `n` writes a note, `enter` opens one, `d` deletes it
(`u` brings it back), `t` logs a touchpoint, `f` schedules an activity and `x` marks
the highlighted one done (`enter` on one changes it, `d` drops it). After `3`, `d`
deletes the touchpoint under the cursor.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from time import monotonic

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.worker import WorkerError

from pipeline_tui.domain.agenda import kind_for_activity
from pipeline_tui.domain.cards import CardDetail, CardDraft, CardLink, NoteView, TouchpointView
from pipeline_tui.domain.dates import describe_due_beside_date, full_day
from pipeline_tui.domain.drafts import (
    Draft,
    DraftKey,
    Editor,
    Fields,
    StepKept,
    done_step,
    note_draft_kind,
    step_subject,
    stranded,
    stranded_done,
)
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.limits import clip
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.schedule import Activity, describe_time
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import ConflictError, StoreError
from pipeline_tui.ui import flows, seams, text
from pipeline_tui.ui.backend import Backend, UndoOrRedo
from pipeline_tui.ui.drafts import DraftRecorder, recorder_for
from pipeline_tui.ui.hanging import Hanging
from pipeline_tui.ui.key_order import SUBMIT_AT_ONCE, SubmitsAtOnce, hold_keys
from pipeline_tui.ui.money import currency
from pipeline_tui.ui.one_line import OneLine, WholeOrOneLine, WholeWhileTheyFit
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.draft_offer import when
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import (
    NextAction,
    NextActionScreen,
    describe_next_action,
    say_what_the_kept_change_did,
)
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen, saved_change
from pipeline_tui.ui.screens.note_kind import NoteKindScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointAnswer, TouchpointScreen
from pipeline_tui.ui.styles import width_class
from pipeline_tui.ui.widgets.card_section import CardSection, TouchpointSection
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.list_ends import StopsAtTheEnds
from pipeline_tui.ui.widgets.note_list import NoteList, first_highlighted
from pipeline_tui.ui.widgets.note_view import NoteViewer
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

WIDE = 110  # columns from which notes sit beside the profile instead of below it
FEW_NOTE_LINES = 2
"""Up to this many lines in the notes list, a narrow card screen gives the sections
more lines (card.tcss, -few-notes)."""

SECTIONS = Binding.Group("Section", compact=True)
"""1-5 in the footer: the keys, then what they do."""
SECTION_KEYS = {
    "1": ("details", "Go to the details (stage, owner, tags, source)"),
    "2": ("notes", "Go to the research notes"),
    "3": ("touchpoints", "Go to the touchpoints"),
    "4": ("qualification", "Go to the checklist (a client's: referrals)"),
    "5": ("history", "Go to the stage history"),
}


READY_FOR_S = 60.0
"""How long a card screen filled ahead, unseen, may be shown as it was filled: within
this the board clock says whether the card changed; past it, the dates it describes
("due in 2 days") might have moved on."""


class ActivityList(StopsAtTheEnds, seams.SteadyOptionList):
    """The card's open activities, earliest first: `x`, enter and `d` act on the one
    highlighted, so `j` and `k` move here as in the notes beside them (they did
    nothing, and `x` then marked the first activity done, not the one the rep meant)."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]


@dataclass(frozen=True)
class CardRead:
    """What the card screen shows, read before it opens."""

    card: CardDetail
    drafts: list[Draft] | None
    revision: int | None = None
    """The board clock as the card was read: the card is as read while it stays so."""


async def read_card(backend: Backend, card_id: int, held: CardRead | None = None) -> CardRead:
    """The card and the rep's drafts on it, in one trip to the store's thread (a
    StoreError if the card cannot be read; drafts None if only they cannot).

    `held`: this card as a screen already shows it. Its card is kept, not read again,
    when nothing was written to the pipeline since (the board clock); the drafts are
    always read, since typing one does not move the clock."""
    if held is None and (early := await backend.card_before_open(card_id)) is not None:
        return CardRead(early.card, early.drafts, early.revision)
    service = backend.service

    def both() -> CardRead:
        # The clock first: a write landing between the two reads makes the card newer
        # than its clock, never older, so the next look at the clock reads it again.
        revision = service.change_marker()
        if held is not None and held.revision == revision:
            card = held.card
        else:
            card = service.card(card_id)
        try:
            kept: list[Draft] | None = service.drafts_of_card(card_id)
        except StoreError:
            kept = None
        return CardRead(card, kept, revision)

    return await backend.run(both)


@dataclass(frozen=True)
class _Ready:
    """What a closed card screen was filled with, for the card opened next."""

    read: CardRead
    size: Size
    today: date
    at: float


OPEN_NOTE_HELP = Binding("enter", "", "Open", tooltip="Open the highlighted note")
"""For the help only, after n: enter on the notes opens one (the list's own key)."""
UNDO_REDO_HELP = "Undo / redo this card's own last change"
"""u and U on one line of the help, as in the README: every key fits one column at 80x24."""


class CardScreen(SubmitsAtOnce, seams.FullScreen[None]):
    CSS_PATH = "card.tcss"
    # Focused as the screen is built, so it is styled focused before the first frame
    # (Textual would focus the first focusable widget, the sections' pane, and the
    # move to the notes would restyle and lay out both a frame later).
    AUTO_FOCUS = "#notes"
    POLL_SECONDS = 3.0
    """How often an open card looks for what another session changed on it (as the
    board does for the whole board)."""
    BINDINGS = [
        Binding("n", "new_note", "Note", tooltip="Write a research note", id="card.new_note"),
        Binding("t", "touchpoint", "Log", tooltip="Log a touchpoint", id="card.touchpoint"),
        Binding(
            "f",
            "next_action",
            "Next",
            tooltip="Schedule an activity",
            id="card.next_action",
        ),
        Binding(
            "x",
            "done",
            "Done",
            tooltip="Mark the highlighted activity done (tab reaches the list)",
            id="card.done",
        ),
        Binding("e", "edit_card", "Edit", tooltip="Edit the card's profile", id="card.edit"),
        Binding(
            "Q",
            "qualify",
            "Qualify",
            show=False,
            tooltip="Qualification checklist (leads and prospects)",
            id="card.qualify",
        ),
        Binding(
            "r",
            "refer",
            "Referral",
            show=False,
            tooltip="New lead referred by this client",
            id="card.refer",
        ),
        Binding(
            "d,delete",
            "delete_note",
            "Delete",
            show=False,
            tooltip="Delete a note, activity or touchpoint",
            id="card.delete_note",
        ),
        Binding(
            "u",
            "undo",
            "Undo",
            show=False,
            tooltip="Undo this card's last change",
            id="card.undo",
        ),
        Binding(
            "U",
            "redo",
            "Redo",
            show=False,
            tooltip="Redo what undo took back on this card",
            id="card.redo",
        ),
        Binding(
            "ctrl+e",
            "external_editor",
            "Editor",
            show=False,
            tooltip="Write the highlighted note (or a new one) in $EDITOR",
            id="card.editor",
        ),
        Binding(
            "y",
            "copy_contact",
            "Copy",
            show=False,
            tooltip="Copy the email (again: the phone) to the clipboard",
            id="card.copy",
        ),
        *(
            Binding(
                key,
                f"section('{section}')",
                "Section",
                tooltip=what,
                id=f"card.section_{section}",
                group=SECTIONS,
            )
            for key, (section, what) in SECTION_KEYS.items()
        ),
        Binding("escape", "back", "Back", tooltip="Back to the board", id="card.back"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="card.help"),
        SUBMIT_AT_ONCE,  # enter on the notes or the activities
    ]
    PALETTE_COMMANDS = (
        (
            "Keep in touch every N days",
            "The card's own stale limit, in place of its stage's",
            "keep_in_touch",
        ),
    )
    """Commands in the palette (ctrl+p) only: a key each would take the keys help past
    one page at 80x24."""
    # Below 100 columns the footer leaves these to `?`, so 1-5 and ctrl+p fit.
    WIDE_ONLY_KEYS = frozenset({"card.edit"})

    def __init__(
        self,
        backend: Backend,
        card_id: int,
        note_id: int | None = None,
        *,
        read: CardRead | None = None,
        empty: bool = False,
    ) -> None:
        """`read`: the card and its drafts, read by whoever opens the screen (see
        `read_card`), so the first frame shows them; without it the screen reads them.
        `empty`: built ahead of the first card, which `reopen` puts in (`card_id` is
        then not read)."""
        super().__init__()
        self.empty = empty
        self.backend = backend
        self.card_id = card_id
        self.focus_note_id = note_id
        self.card: CardDetail | None = None
        self.drafts_shown: list[Draft] = []
        """The rep's drafts on the card, as its list of them shows (the newest first)."""
        self._activities_shown: tuple[tuple[Activity, ...], date] | None = None
        self.copies = 0
        self.read = read
        self.ready: _Ready | None = None
        self.seen_revision: int | None = read.revision if read is not None else None
        """The board clock the card shown is known to be up to date with (None: not
        known, so the next poll reads the card again)."""
        # Given now, not on the first resize: a class added then restyles every widget
        # and lays the screen out again, a frame after the first.
        self._fit_width(update=False)

    def _fit_width(self, *, update: bool = True) -> None:
        """The classes for the terminal's width now, as Textual's resize would set them."""
        width = self.app.size.width
        breakpoints = self.app.HORIZONTAL_BREAKPOINTS or ()
        reached = width_class(breakpoints, width)
        for _, name in breakpoints:
            self.set_class(name == reached, name, update=update)
        self.set_class(width < WIDE, "-stacked", update=update)

    async def reopen(self, card_id: int, read: CardRead) -> None:
        """Show another card on this screen, which showed an earlier one and is closed:
        opening a card then only changes what the widgets say, instead of composing,
        styling and laying out a whole new screen. Everything of the earlier card goes:
        its work still running, the highlights, scroll positions, focus and sections.
        Returns once the card is complete (its note's Markdown mounted), so the first
        frame shows it whole."""
        self.workers.cancel_node(self)  # a reload of the earlier card must not land here
        self.ready = None
        self.empty = False
        self.card_id = card_id
        self.focus_note_id = None
        self.card = None
        self.drafts_shown = []
        self.copies = 0
        self.read = None
        self.seen_revision = read.revision
        self.sub_title = ""
        size = self.app.size
        self._fit_width()
        activities = self.query_one("#activities", OptionList)
        activities.clear_options()
        activities.highlighted = None
        self._activities_shown = None
        notes = self.query_one(NoteList)
        notes.highlighted = None
        notes.scroll_home(animate=False, immediate=True)
        self.query_one("#info", VerticalScroll).scroll_home(animate=False, immediate=True)
        self._section("drafts", "", Content(""))
        self.set_focus(notes, scroll_visible=False)
        self.show(read.card)
        self.show_drafts(read.drafts)
        await self.query_one(NoteViewer).rendered()
        while True:
            seams.lay_out_unseen(self)
            # A widget at a time: filled ahead (the board's _ready_card), the screen
            # must not keep the rep's next key waiting for the whole of it.
            for _ in seams.draw_unseen_by_widget(self):
                await asyncio.sleep(0)
            if self.app.size == size:
                break
            size = self.app.size  # resized meanwhile: fitted and laid out again
            self._fit_width()
        # Drawn whole as it is shown, in the frame of its layout (seams.draw_layout_whole).
        self.refresh()
        self.ready = _Ready(read, size, self.backend.today(), monotonic())

    def ready_for(self, card_id: int, today: date) -> CardRead | None:
        """What this closed screen is filled with, if it is `card_id`, filled since it
        was last shown, at the terminal's size now, on `today` and recently enough to
        show as it is once the board clock confirms it (read_card's `held`)."""
        ready = self.ready
        if (
            ready is None
            or ready.read.card.summary.id != card_id
            or ready.size != self.app.size
            or ready.today != today
            or monotonic() - ready.at > READY_FOR_S
        ):
            return None
        return ready.read

    def redraft(self, kept: list[Draft] | None) -> None:
        """The rep's drafts, new since this closed screen was filled: laid out and drawn
        again, so that it still shows in one frame."""
        self.show_drafts(kept)
        seams.lay_out_unseen(self)
        seams.draw_unseen(self)

    def on_screen_resume(self, _: events.ScreenResume) -> None:
        self.ready = None  # shown: what the rep does here is no longer what was read

    def on_screen_suspend(self) -> None:
        if self not in self.app.screen_stack:
            # Closed, and kept to be reopened (see reopen): what it was doing for this
            # card stops here, as it would if the screen were removed.
            self.workers.cancel_node(self)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                # What the rep needs before a call, never scrolled away.
                yield Static(Content.styled("Loading…", "italic"), id="glance")
                yield ActivityList(id="activities")
                with VerticalScroll(id="info"):
                    for section in (
                        "drafts",
                        "details",
                        "qualification",
                        "referrals",
                        "touchpoints",
                        "history",
                    ):
                        if section == "touchpoints":
                            yield TouchpointSection(id=section)
                        else:
                            yield CardSection(id=section)
            with Vertical(id="notes-pane"):
                yield Static(Content("Research notes"), classes="heading", id="notes-heading")
                yield NoteList(id="notes")
                notes = self.read.card.notes if self.read is not None else ()
                yield NoteViewer(first_highlighted(notes, self.focus_note_id), id="note-view")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.set_interval(self.POLL_SECONDS, self._watch_for_other_changes)
        self.query_one(NoteList).focus()
        self._section("drafts", "", Content(""))  # shown once the drafts are read
        self.query_one("#activities", OptionList).display = False  # until there are some
        if self.empty:
            # For reopen to fill (restyled as it is first shown: seams.FullScreen).
            return
        if self.read is not None:
            # Before the first frame: the screen is laid out and drawn once, complete.
            read, self.read = self.read, None
            self.show(read.card, self.focus_note_id)
            self.show_drafts(read.drafts)
            return
        # "enter" then "np" typed at once: the keys wait for the card they act on.
        self.load(self.focus_note_id, release_keys=hold_keys(self))

    def on_resize(self, event: events.Resize) -> None:
        if seams.laid_out_at(self, event.size):
            # The screen's first layout tells the screen its own size, and Textual lays
            # the whole screen out again for it (and draws it again): nothing changed.
            # (Its own size is the terminal's new one already when the terminal is
            # resized: asked that, this kept the old layout, stacked or not.)
            event.prevent_default()
            return
        # Not "-narrow": the app sets that one itself, at its own width (app.tcss).
        self.set_class(event.size.width < WIDE, "-stacked")
        self.query_one(TouchpointSection).keep_cursor_in_view()

    # Loading -----------------------------------------------------------------------------

    @work(exclusive=True, group="card-load")
    async def load(
        self,
        note_id: int | None = None,
        release_keys: Callable[[], None] | None = None,
        *,
        leave_if_archived: bool = False,
    ) -> None:
        """Read the card and show it. `leave_if_archived`: after an undo or a redo here,
        which can archive the card (the restore undone): it is off the board, so the
        rep goes back to the board, where `u` brings it back."""
        try:
            card = await self.backend.run(self.backend.service.card, self.card_id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        finally:
            if release_keys is not None:
                release_keys()
        if leave_if_archived and card.archived_at is not None:
            self.dismiss()
            return
        self.show(card, note_id)
        try:
            kept = await self.backend.run(self.backend.service.drafts_of_card, self.card_id)
        except StoreError:
            return  # the card shows; only the list of unsaved drafts is missing
        self.show_drafts(kept)

    @work(group="card-poll", exclusive=True, exit_on_error=False)
    async def _watch_for_other_changes(self) -> None:
        """Show what another session changed on this card, without a keypress: a rep
        reading a card another moved on, or archived, saw the old stage until they
        left it. Only when the board clock moved, only if the card differs, and the
        highlights stay where they were (see show)."""
        shown = self.card
        if (
            shown is None
            # Closed, or an editor or a dialog open over it. Not is_current, which is
            # true under a screen Textual draws it behind: a dismiss from here pops the
            # top screen, so the archive seen under an editor closed the editor.
            or not self.is_active
            or not self.backend.idle  # the rep's own calls first; the next poll looks
            or not self.backend.service_is_open()
        ):
            return
        try:
            revision = await self.backend.run(self.backend.service.change_marker)
            if revision == self.seen_revision:
                return
            card = await self.backend.run(self.backend.service.card, self.card_id)
        except StoreError:
            return  # the rep's next action says what is wrong
        if self.card is not shown or not self.is_active:
            return  # shown again meanwhile (the rep's own change), or left
        self.seen_revision = revision
        if card == shown:
            return
        if card.archived_at is not None:
            name = clean_line(card.summary.name)
            self.notify(
                f"{name} was archived elsewhere; A on the board lists it.",
                severity="warning",
                markup=False,
            )
            self.dismiss()
            return
        self.show(card)

    def show_drafts(self, kept: list[Draft] | None) -> None:
        if kept is not None:  # None: they could not be read; the card shows all the same
            self.drafts_shown = kept
            notes = {note.id for note in self.card.notes} if self.card is not None else set()
            steps = {step_subject(a) for a in self.card.activities} if self.card else set()
            self._section("drafts", "Unsaved" if kept else "", _drafts(kept, notes, steps))

    def show(self, card: CardDetail, note_id: int | None = None) -> None:
        self.card = card
        s = card.summary
        self.sub_title = f"{s.stage.label} · card {s.id}"
        # On a narrow terminal a card with no notes gives the notes' room to the sections.
        # The class goes on the panes it resizes: on the screen it restyled every widget
        # of the card, the note's Markdown too, at each open.
        for pane in ("#left", "#info", "#notes-pane"):
            self.query_one(pane).set_class(not card.notes, "-no-notes")
        today = self.backend.today()
        money = currency(self.app)
        text.show(self.query_one("#glance", Static), self._glance(card, today, money))
        self._show_activities(card, today)
        self._section("details", "Details", *self._facts(card, money, today))
        q = card.qualification
        self._section(
            "qualification",
            f"Qualification {q.score}" if q is not None else "",
            self._qualification(card),
            2,  # a comment wraps under the criterion, not under the "✓" marks
        )
        self._section(
            "referrals", "Referrals" if self._has_referrals(card) else "", *self._referrals(card)
        )
        count = len(card.touchpoints)
        self.query_one(TouchpointSection).show_touchpoints(
            card.summary.id,
            f"Touchpoints ({count})",
            card.touchpoints,
            self._touchpoints(card),
            Content.styled("No touchpoints logged. t logs one.", "italic $text-muted"),
            12,
        )
        self._section("history", "Stage history", *self._history(card))
        text.show(
            self.query_one("#notes-heading", Static), Content(f"Research notes ({len(card.notes)})")
        )
        notes = self.query_one(NoteList)
        notes.notes = card.notes
        # One or two notes of their own kinds (a line each, no "Earlier notes") and at
        # most one open activity leave lines the sections may take (card.tcss): the
        # highlighted note's text keeps three lines even at 60x20.
        few = 0 < notes.option_count <= FEW_NOTE_LINES and len(card.activities) <= 1
        self.query_one("#info").set_class(few, "-few-notes")
        if note_id is not None:
            notes.select_note(note_id)
        self._show_highlighted_note()

    def _section(
        self, key: str, heading: str, body: Content, indent: int | Sequence[int] = 0
    ) -> None:
        """Fill a section; one with no heading (nothing to say) is hidden. `indent`: the
        cells of its label column (a touchpoint's date), under which nothing wraps."""
        self.query_one(f"#{key}", CardSection).show(heading, body, indent)

    # What the panes say ---------------------------------------------------------------------

    @classmethod
    def _glance(cls, card: CardDetail, today: date, money: Currency) -> Content:
        """Name, organisation, how to reach them, where they came from, the score and
        the next action: a few lines that wrap, so they fit 80x24 (and 60x20)."""
        s = card.summary
        who: list[Content | str | tuple[str, str]] = [text.line(s.name, "bold $accent")]
        if s.organisation:
            who += [(" · ", "$text-muted"), text.line(s.organisation, "bold")]
        reach = [text.line(value) for value in (card.email, card.phone) if value]
        if not reach:
            reach.append(Content.styled("No email or phone yet. e adds them.", "$text-muted"))
        origin: list[Content] = []
        if card.source:
            origin.append(Content.assemble(("from ", "$text-muted"), card.source.label))
        if card.market:
            origin.append(Content.assemble(("market ", "$text-muted"), card.market.value))
        if s.score:
            origin.append(Content.assemble(("qualified ", "$text-muted"), (s.score, "bold")))
        if worth := _worth(card, money):
            origin.append(Content.assemble(("worth ", "$text-muted"), (worth, "bold")))
        rows = [Content.assemble(*who), Content(" · ").join(reach)]
        if origin:
            rows.append(Content(" · ").join(origin))
        if not card.activities:
            rows.append(
                Content.assemble(("Next ", "bold $text-muted"), cls._next_action(card, today))
            )
        if keeping := cls._keeping_in_touch(card):
            rows.append(keeping)
        return Content("\n").join(rows)

    def _show_activities(self, card: CardDetail, today: date) -> None:
        """The open activities, earliest first; the highlight stays where it was."""
        if self._activities_shown == (card.activities, today):
            return  # the same lines: listed again, they were drawn again for nothing
        self._activities_shown = (card.activities, today)
        listed = self.query_one("#activities", OptionList)
        was = listed.highlighted
        listed.clear_options()
        # Whole while every step fits the list's lines; one line each when they do not,
        # so no step pushes another out of sight (two long ones filled the three lines
        # the stacked card has at 80x24, and the rest were hidden, with no sign of them).
        lines = [
            _activity_line(activity, today, first=n == 0)
            for n, activity in enumerate(card.activities)
        ]
        fit = WholeWhileTheyFit([whole for whole, _ in lines], lambda: _lines_shown(listed))
        listed.add_options(WholeOrOneLine(whole, cut, fit) for whole, cut in lines)
        listed.display = bool(card.activities)
        if card.activities:
            listed.highlighted = min(was or 0, len(card.activities) - 1)

    def highlighted_activity(self) -> Activity | None:
        """The activity `x` acts on: the highlighted one (the earliest unless moved)."""
        card = self.card
        if card is None or not card.activities:
            return None
        index = self.query_one("#activities", OptionList).highlighted or 0
        return card.activities[min(index, len(card.activities) - 1)]

    @staticmethod
    def _keeping_in_touch(card: CardDetail) -> Content | None:
        """Where the card is in its stage's cadence, and its rhythm: one line, only when
        it has either."""
        parts: list[Content] = []
        if (where := card.cadence) is not None:
            s = card.summary
            progress = where.progress
            if where.due is not None and (s.next_action, s.next_action_due) == (
                where.text,
                where.due,
            ):
                # The line above says the step and its day already: room for the rhythm.
                progress = f"step {where.number} of {where.total} (the next action)"
            parts.append(
                Content.assemble((f"{where.name} ", "bold $text-muted"), text.line(progress))
            )
        if (days := card.summary.rhythm_days) is not None:
            parts.append(Content.styled(f"keep in touch every {days} days", "$text-muted"))
        return Content(" · ").join(parts) if parts else None

    @staticmethod
    def _facts(card: CardDetail, money: Currency, today: date) -> tuple[Content, int]:
        """The facts, a label column then the values, and the label column's width."""
        s = card.summary
        facts = [
            ("Stage", s.stage.label),
            ("Score", s.score or ""),
            ("Owner", s.owner),
            ("Email", card.email),
            ("Phone", card.phone),
            ("Added", f"{card.created_at.astimezone():%Y-%m-%d}"),
        ]
        if s.tags:
            facts.append(("Tags", " ".join(f"#{t}" for t in s.tags)))
        if card.source:
            facts.append(("Source", card.source.label))
        if card.market:
            facts.append(("Market", card.market.value))
        if worth := _worth(card, money):
            facts.append(("Value", worth))
        if card.archived_at and card.archive_reason:
            facts.append(("Archived", f"{card.archive_reason.label} {card.archive_note}".strip()))
        elif s.nurture_until is not None and s.is_nurturing(today):
            # Off the board until then: opened from the palette, it looked like any lead.
            facts.append(("Parked", f"until {full_day(s.nurture_until)}"))
        shown = [(label, value) for label, value in facts if value]
        # A space after the longest label: "Archived" ran into its reason ("ArchivedWon").
        width = max(8, *(len(label) + 1 for label, _ in shown))
        rows = [
            Content.assemble((f"{label:<{width}}", "$text-muted"), text.line(value))
            for label, value in shown
        ]
        return Content("\n").join(rows), width

    @staticmethod
    def _next_action(card: CardDetail, today: date) -> Content:
        s = card.summary
        if not s.next_action and s.next_action_due is None:
            return Content.styled("No next action yet. f sets one.", "italic $text-muted")
        parts: list[Content | str | tuple[str, str]] = [
            text.line(s.next_action or "(no description)", "bold")
        ]
        if s.next_action_due is not None:
            label = describe_due_beside_date(s.next_action_due, today)
            if s.is_overdue(today):
                style, mark = "bold $text-error", "! "
            elif s.is_due_today(today):
                style, mark = "bold $text-warning", ""
            else:
                style, mark = "$text-muted", ""
            parts.append((f" · {mark}due {s.next_action_due.isoformat()} ({label})", style))
        return Content.assemble(*parts)

    @staticmethod
    def _qualification(card: CardDetail) -> Content:
        q = card.qualification
        if q is None:
            return Content("")
        if not q.criteria:
            return Content.styled("No criteria in the config.", "italic $text-muted")
        rows = []
        for criterion in q.criteria:
            given = q.answer(criterion)
            parts: list[Content | str | tuple[str, str]] = [
                (f"{given.answer.mark} ", _ANSWER_STYLES[given.answer]),
                text.line(criterion),
            ]
            if given.comment:
                parts += ["  ", text.line(given.comment, "italic $text-muted")]
            rows.append(Content.assemble(*parts))
        rows.append(Content.styled("Q answers the checklist.", "italic $text-muted"))
        return Content("\n").join(rows)

    @staticmethod
    def _has_referrals(card: CardDetail) -> bool:
        return card.referred_by is not None or bool(card.referrals)

    @staticmethod
    def _referrals(card: CardDetail) -> tuple[Content, list[int]]:
        """The referrer and the referrals, and each line's indent: a long name wraps
        under the name, not under "Referred by" or at the left edge."""
        rows = []
        indents = []
        if card.referred_by is not None:
            label = "Referred by "
            rows.append(Content.assemble((label, "$text-muted"), _link(card.referred_by)))
            indents.append(len(label))
        if card.referrals:
            rows.append(Content.styled(f"Referred {len(card.referrals)}:", "$text-muted"))
            indents.append(0)
            for link in card.referrals:
                rows.append(Content.assemble("  ", _link(link)))
                indents.append(2)
        if not rows:
            return Content(""), []
        return Content("\n").join(rows), indents

    @staticmethod
    def _touchpoints(card: CardDetail) -> list[Content]:
        return [
            Content.assemble(
                (f"{tp.happened_on.isoformat()}  ", "$text-muted"),
                (f"{tp.kind.label}", "bold"),
                "  ",
                text.line(tp.summary_after_kind),
            )
            for tp in card.touchpoints
        ]

    def _history(self, card: CardDetail) -> tuple[Content, list[int]]:
        """The moves, and each line's indent: a move wraps under the move, past its
        date and time, and the note under it under the note."""
        events = card.history
        now = self.backend.service.clock()
        rows = []
        indents = []
        for n, event in enumerate(events):
            until = events[n + 1].at if n + 1 < len(events) else now
            days = max(0, (until - event.at).days)
            if event.from_stage is None:
                move = f"Added as {event.to_stage.label}"
            else:
                move = f"{event.from_stage.label} → {event.to_stage.label}"
            at = f"{_when(event.at)}  "
            parts: list[Content | str | tuple[str, str]] = [
                (at, "$text-muted"),
                move,
                (f"  {days}d in stage  ", "$text-muted"),
                text.line(f"by {event.by}", "$text-muted"),
            ]
            indents.append(len(at))
            if event.note:
                parts += ["\n    ", text.line(event.note, "italic $text-warning")]
                indents.append(4)
            rows.append(Content.assemble(*parts))
        return Content("\n").join(rows), indents

    # Notes -------------------------------------------------------------------------------------

    def action_new_note(self) -> None:
        def kind_chosen(kind: NoteKind | None) -> None:
            if kind is not None:
                self._edit_note(kind, None)

        self.app.push_screen(NoteKindScreen(), kind_chosen)

    @on(OptionList.OptionHighlighted, "#notes")
    def _show_highlighted_note(self) -> None:
        """The viewer follows the highlight: one note rendered, whatever the card has."""
        self.query_one(NoteViewer).show(self.query_one(NoteList).highlighted_note)

    def action_section(self, section: str) -> None:
        """Bring a section into view, and the keys to it (the list, or the scroll)."""
        if section == "notes":
            self.query_one(NoteList).focus()
            return
        if section == "qualification" and not self.query_one("#qualification").display:
            section = "referrals"  # a client's: whom they referred
        shown = self.query_one(f"#{section}", CardSection)
        if not shown.display:
            what = "qualification checklist or referrals" if section == "referrals" else section
            self.notify(f"This card has no {what} to show.", timeout=3)
            return
        info = self.query_one("#info", VerticalScroll)
        # The touchpoints take the keys themselves: j and k move over them, d deletes.
        (shown if isinstance(shown, TouchpointSection) else info).focus()
        # After the focus: on a narrow terminal the pane grows when it has it.
        self.call_after_refresh(info.scroll_to_widget, shown, top=True, animate=False)

    # Enter on a note or an activity opens its editor as the key arrives (SUBMIT_AT_ONCE):
    # when the list's selection came up to the screen, the key order had handed the
    # first key typed with it to the list, or to the card ("d" dropped the activity,
    # "n" started a note), and the editor opened without it.

    def list_at_once(self) -> Widget | None:
        focused = self.focused
        if isinstance(focused, NoteList) or (
            isinstance(focused, OptionList) and focused.id == "activities"
        ):
            return focused
        return None

    def submit_list(self) -> None:
        if isinstance(self.focused, NoteList):
            self._open_note()
        else:
            self._change_activity()

    def submit_field(self) -> None:
        """The card has no fields of its own."""

    @on(OptionList.OptionSelected, "#notes")
    def _open_note(self) -> None:
        note = self.query_one(NoteList).highlighted_note
        if note is not None:
            self._edit_note(note.kind, note)

    def _edit_note(self, kind: NoteKind, note: NoteView | None) -> None:
        card = self.card
        if card is not None:
            # Keys typed after "np" or enter wait for the editor, and go into it.
            self._open_note_editor(card, kind, note, hold_keys(self))

    @work(group="db")
    async def _open_note_editor(
        self,
        card: CardDetail,
        kind: NoteKind,
        note: NoteView | None,
        release_keys: Callable[[], None],
    ) -> None:
        try:
            key = DraftKey.note(card.summary.id, note.id if note else None, kind)
            if note is None:
                await self._take_stranded_draft(card, key, kind)
            recorder = await recorder_for(self.backend, key, note.version if note else None)
            editor = NoteEditorScreen(
                self.backend, card.summary.id, card.summary.name, kind, note, recorder
            )

            def closed(_: None) -> None:
                self.load(editor.note_id)

            self.app.push_screen(editor, closed)
        finally:
            release_keys()

    async def _take_stranded_draft(self, card: CardDetail, key: DraftKey, kind: NoteKind) -> None:
        """A new note of `kind` offers the draft of an edit to a deleted note of that
        kind (the newest the card lists), unless it has a draft of its own: that text
        was out of reach."""
        note_ids = {note.id for note in card.notes}
        for draft in self.drafts_shown:  # the newest first
            if stranded(draft, note_ids) and note_draft_kind(draft) is kind:
                with suppress(StoreError):  # the editor opens all the same
                    await self.backend.run(self.backend.service.move_draft, draft, key)
                return

    def action_delete_note(self) -> None:
        if self.query_one("#activities", OptionList).has_focus:
            activity = self.highlighted_activity()
            if activity is not None and self.card is not None:
                self._drop_activity(activity, self.card.version, hold_keys(self))
            return
        touchpoints = self.query_one(TouchpointSection)
        if touchpoints.has_focus:
            touchpoint = touchpoints.highlighted
            if touchpoint is None:
                self.notify("No touchpoint to delete: t logs one.", timeout=3)
            else:
                self._delete_touchpoint(touchpoint, hold_keys(self))
            return
        notes = self.query_one(NoteList)
        if not notes.has_focus:
            # After 1 (say) the rep is reading the details: d must not take a note they
            # are not looking at.
            self.notify(
                "d deletes a note (2 goes there), an activity (tab) or a touchpoint (3).",
                timeout=3,
            )
            return
        note = notes.highlighted_note
        if note is not None:
            # "djd" in one read: the keys after d wait for the notes shown without it.
            self._delete_note(note, hold_keys(self))
        else:
            self.notify("No note to delete: n starts one.", timeout=3)

    @work(group="db")
    async def _delete_touchpoint(
        self, touchpoint: TouchpointView, release_keys: Callable[[], None]
    ) -> None:
        try:
            try:
                change = await self.backend.change(
                    self.backend.service.delete_touchpoint, self.card_id, touchpoint.id
                )
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
            else:
                if change is not None:
                    self.notify(f"{change.description}. u brings it back.", timeout=4, markup=False)
            await self._shown_again()
        finally:
            release_keys()

    @work(group="db")
    async def _delete_note(self, note: NoteView, release_keys: Callable[[], None]) -> None:
        try:
            try:
                await self.backend.change(self.backend.service.delete_note, note.id)
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
            else:
                done = f"Deleted the {note.kind.label.lower()} note. u brings it back."
                self.notify(done, timeout=4, markup=False)
            await self._shown_again()
        finally:
            release_keys()

    @work(group="db")
    async def _drop_activity(
        self, activity: Activity, version: int, release_keys: Callable[[], None]
    ) -> None:
        try:
            try:
                await self.backend.change(
                    self.backend.service.delete_activity, activity.id, version
                )
            except StoreError as error:
                self.notify(str(error), severity="error", markup=False)
            else:
                what = clean_line(activity.text) or "the activity"
                self.notify(f"Dropped {what}. u brings it back.", timeout=4, markup=False)
            await self._shown_again()
        finally:
            release_keys()

    def action_undo(self) -> None:
        # "u" then "d" in one read: the d waits for the notes shown with what u brought
        # back (it went to the note as deleted: "That note no longer exists").
        self._take_back(self.backend.undo_and_tell)

    def action_redo(self) -> None:
        self._take_back(self.backend.redo_and_tell)

    def _take_back(self, undo_or_redo: UndoOrRedo) -> None:
        # Not held while the store opens (a card read from the file): the reading waits
        # for the store, and there is nothing yet to take back.
        self._taken_back(undo_or_redo, hold_keys(self, when=self.backend.service_is_open()))

    @work(group="db")
    async def _taken_back(self, undo_or_redo: UndoOrRedo, release_keys: Callable[[], None]) -> None:
        try:
            # Only this card's changes: the rep is looking at this card, not the board.
            await undo_or_redo(self.notify, self.card_id)
            await self._shown_again(leave_if_archived=True)
        finally:
            release_keys()

    async def _shown_again(self, *, leave_if_archived: bool = False) -> None:
        """Read the card again and show it (see load), before the keys held go on."""
        with suppress(WorkerError):  # a newer read took over: it shows the card too
            await self.load(leave_if_archived=leave_if_archived).wait()

    # Touchpoints and the next action ---------------------------------------------------------

    def _open_editor(self, editor: Editor, open_screen: Callable[[DraftRecorder], None]) -> None:
        """Find the editor's draft, then open it; the keys typed meanwhile wait for it."""
        self._open_with_draft(DraftKey.on_card(editor, self.card_id), open_screen, hold_keys(self))

    @work(group="db")
    async def _open_with_draft(
        self,
        key: DraftKey,
        open_screen: Callable[[DraftRecorder], None],
        release_keys: Callable[[], None],
    ) -> None:
        try:
            base = self.card.version if self.card is not None else None
            open_screen(await recorder_for(self.backend, key, base))
        finally:
            release_keys()

    def action_touchpoint(self) -> None:
        if self.card is None:
            return

        def open_screen(recorder: DraftRecorder) -> None:
            screen = TouchpointScreen(
                f"Log a touchpoint with {self._shown_name}",
                self.backend.today,
                save=self._log_touchpoint,
                recorder=recorder,
            )
            self.app.push_screen(screen, self._reload_after)

        self._open_touchpoint_editor(open_screen, hold_keys(self))

    @work(group="db")
    async def _open_touchpoint_editor(
        self, open_screen: Callable[[DraftRecorder], None], release_keys: Callable[[], None]
    ) -> None:
        """`t`'s editor, which offers the summary typed at `x` on a step no longer open
        (the newest), unless it has a draft of its own: nothing else reaches that text."""
        try:
            key = DraftKey.on_card(Editor.TOUCHPOINT, self.card_id)
            steps = {step_subject(a) for a in self.card.activities} if self.card else set()
            for draft in self.drafts_shown:  # the newest first
                if stranded_done(draft, steps):
                    with suppress(StoreError):  # the editor opens all the same
                        await self.backend.run(self.backend.service.move_draft, draft, key)
                    break
            base = self.card.version if self.card is not None else None
            open_screen(await recorder_for(self.backend, key, base))
        finally:
            release_keys()

    async def _log_touchpoint(self, answer: TouchpointAnswer) -> None:
        await self.backend.change(
            self.backend.service.log_touchpoint,
            self.card_id,
            answer.kind,
            answer.happened_on,
            answer.summary,
        )

    def _reload_after(self, _: object) -> None:
        self.load()

    def action_next_action(self) -> None:
        if self.card is None:
            return

        def open_screen(recorder: DraftRecorder) -> None:
            self._ask_activity(f"Schedule an activity with {self._shown_name}", None, recorder)

        self._open_editor(Editor.NEXT_ACTION, open_screen)

    @on(OptionList.OptionSelected, "#activities")
    def _change_activity(self) -> None:
        activity = self.highlighted_activity()
        if activity is None:
            return

        def open_screen(recorder: DraftRecorder) -> None:
            self._ask_activity(f"Change the activity with {self._shown_name}", activity, recorder)

        self._open_editor(Editor.NEXT_ACTION, open_screen)

    @property
    def _shown_name(self) -> str:
        """The card's name for a dialog's title: at 80x24 the dialog hides the card."""
        return clean_line(self.card.summary.name) if self.card is not None else "the card"

    def _ask_activity(
        self, title: str, activity: Activity | None, recorder: DraftRecorder | None
    ) -> None:
        """The activity dialog: a new one (`activity` None) or a change to `activity`."""

        async def save(answer: NextAction) -> None:
            card = self.card
            assert card is not None
            service = self.backend.service
            what = (answer.kind, answer.action, answer.due, answer.due_time, card.version)
            if answer.kept_step is not None:  # a change kept for another step, taken back here
                changed = await self.backend.change(
                    service.change_kept_step, card.summary.id, answer.kept_step, *what
                )
                say_what_the_kept_change_did(self, answer, changed)
            elif activity is not None and not answer.adding:
                await self.backend.change(service.edit_activity, activity.id, *what)
            elif answer.action or answer.due is not None:  # nothing typed schedules nothing
                await self.backend.change(service.add_activity, card.summary.id, *what)

        screen = NextActionScreen(
            title,
            activity.text if activity else "",
            activity.due if activity else None,
            self.backend.today,
            save=save,
            read_theirs=self._their_next_action,
            recorder=recorder,
            scheduling=True,
            kind=activity.kind if activity else None,
            due_time=activity.due_time if activity else None,
            adding=activity is None,
            step=StepKept(activity.id, activity.text, activity.due) if activity else None,
        )
        self.app.push_screen(screen, self._reload_after)

    async def _their_next_action(self) -> str:
        """After a conflict: the card as saved now (so the next save builds on it)."""
        await self._reload_now()
        assert self.card is not None
        s = self.card.summary
        return describe_next_action(s.next_action, s.next_action_due)

    def action_done(self) -> None:
        activity = self.highlighted_activity()
        if activity is None:
            self.notify("There is no activity to mark done; f schedules one.", timeout=3)
            return
        action = activity.text

        async def complete(answer: TouchpointAnswer) -> None:
            card = self.card
            assert card is not None
            await self.backend.change(
                self.backend.service.complete_activity,
                activity.id,
                answer.kind,
                answer.happened_on,
                answer.summary,
                card.version,
            )

        def open_screen(recorder: DraftRecorder) -> None:
            # Offered as the week's `x` and `pipeline-tui done` log it, not always a call.
            stage = self.card.summary.stage if self.card is not None else None
            screen = TouchpointScreen(
                f"Done: {clean_line(action)}",
                self.backend.today,
                summary=clip("touchpoint_summary", f"Done: {clean_line(action)}"),
                kind=kind_for_activity(activity.kind, action, stage),
                save=complete,
                recorder=recorder,
            )
            self.app.push_screen(screen, self._ask_next_step)

        self._open_with_draft(done_step(self.card_id, activity), open_screen, hold_keys(self))

    def _ask_next_step(self, answer: TouchpointAnswer | None) -> None:
        if answer is None:
            self.load()
        else:
            self._after_done(hold_keys(self))

    @work(group="db")
    async def _after_done(self, release_keys: Callable[[], None]) -> None:
        try:
            await self._next_step()
        finally:
            release_keys()

    async def _next_step(self) -> None:
        try:
            await self._reload_now()
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        # Done is only half the job: the next step is asked for at once. The cadence's
        # next step, if it has put one in, is offered as it is (enter keeps it).
        key = DraftKey.on_card(Editor.NEXT_ACTION, self.card_id)
        base = self.card.version if self.card is not None else None
        recorder = await recorder_for(self.backend, key, base)
        self._ask_activity("What's the next step?", None, recorder)

    async def _reload_now(self) -> None:
        card = await self.backend.run(self.backend.service.card, self.card_id)
        self.show(card)

    # The profile ---------------------------------------------------------------------------------

    def action_edit_card(self) -> None:
        card = self.card
        if card is None:
            return

        async def update(draft: CardDraft, version: int | None) -> None:
            assert version is not None
            await self.backend.change(
                self.backend.service.update_card, card.summary.id, draft, version
            )

        async def read_card() -> tuple[CardDraft, int]:
            detail = await self.backend.run(self.backend.service.card, card.summary.id)
            return detail.draft, detail.version

        def open_screen(recorder: DraftRecorder) -> None:
            title = f"Edit {clean_line(card.summary.name)}"
            form = CardFormScreen(
                title,
                card.draft,
                update,
                self.backend.today,
                card.version,
                recorder=recorder,
                read_card=read_card,
            )
            self.app.push_screen(form, self._reload_after)

        self._open_editor(Editor.CARD, open_screen)

    @work(group="db")
    async def action_qualify(self) -> None:
        card = self.card
        if card is None:
            return
        if card.qualification is None:
            self.notify(
                "Only leads and prospects are qualified; a client has shown it already.",
                timeout=3,
            )
            return
        saved, release_keys = await flows.qualify(
            self, self.backend, card.summary.id, card.summary.name
        )
        if saved:
            self.load(release_keys=release_keys)  # keys typed after ctrl+s act on it re-read
        else:
            release_keys()

    def action_keep_in_touch(self) -> None:
        from pipeline_tui.domain.activity import stale_limit
        from pipeline_tui.ui.screens.rhythm import RhythmScreen

        card = self.card
        if card is None:
            return
        s = card.summary

        async def save(days: int | None) -> None:
            await self.backend.change(self.backend.service.set_rhythm, s.id, days)

        limit = stale_limit(s.stage, self.backend.stale_limits)
        screen = RhythmScreen(clean_line(s.name), s.rhythm_days, limit, save)
        self.app.push_screen(screen, self._reload_after)

    def action_refer(self) -> None:
        card = self.card
        if card is None:
            return

        def added(_: int) -> None:
            self.load()

        flows.refer(self, self.backend, card.summary, added)

    def action_back(self) -> None:
        self.dismiss()

    # The rep's editor and the clipboard ------------------------------------------------------

    def action_external_editor(self) -> None:
        if self.card is None:
            return
        note = self.query_one(NoteList).highlighted_note
        if note is not None:
            self._write_in_editor(note.kind, note)
            return

        def kind_chosen(kind: NoteKind | None) -> None:
            if kind is not None:
                self._write_in_editor(kind, None)

        self.app.push_screen(NoteKindScreen(), kind_chosen)

    @work(group="db")
    async def _write_in_editor(self, kind: NoteKind, note: NoteView | None) -> None:
        from pipeline_tui.shell.editor import keep_text

        card = self.card
        if card is None:
            return
        key = DraftKey.note(card.summary.id, note.id if note is not None else None, kind)
        recorder = await recorder_for(self.backend, key, note.version if note else None)
        if recorder.found is not None:
            # A draft kept from before: the note editor offers it back, where this
            # editor's text, kept at a hang-up, would have written over it.
            self._edit_note(kind, note)
            return
        before = note.body if note is not None else ""
        text = self._edited_with_a_draft(recorder, kind, before)
        if text is None or text.strip() == before.strip():
            return
        service = self.backend.service
        try:
            if note is not None:
                saved = await self.backend.change_within(
                    saved_change, service.rewrite_note, note.id, text, None, note.version
                )
            else:
                saved = await self.backend.change_within(
                    saved_change, service.write_note, card.summary.id, kind, text
                )
        except StoreError as error:
            theirs = error.current if isinstance(error, ConflictError) else None
            if note is not None and isinstance(theirs, NoteView):
                # Saved elsewhere meanwhile: the note editor shows theirs beside the
                # rep's text, to keep, take theirs, or put both together.
                await self._compare_in_note_editor(card, note, text, theirs, str(error))
                return
            kept = keep_text(text)
            self.notify(
                f"{error} Your text is kept in {kept}.",
                title="Not saved",
                severity="error",
                markup=False,
                timeout=15,
            )
            self.load(note.id if note is not None else None)
            return
        self.notify(f"Saved the {kind.label.lower()} note.", timeout=3)
        self.load(saved.note.id)

    def _edited_with_a_draft(
        self, recorder: DraftRecorder, kind: NoteKind, before: str
    ) -> str | None:
        """The text the rep's editor leaves (edit_in_editor). Meanwhile what it has
        written to its file is the note's draft, kept if the session ends: a hang-up
        while the editor ran from here kept nothing at all."""
        from pipeline_tui.ui.external_editor import edit_in_editor, written_so_far

        editor_file: Path | None = None

        def opened(path: Path | None) -> None:
            nonlocal editor_file
            editor_file = path

        def typed() -> Fields | None:
            text = written_so_far(editor_file)
            if text is None or text.strip() == before.strip():
                return None
            return {"body": text, "kind": kind.value}

        recorder.attach(self, typed)
        try:
            return edit_in_editor(self.app, before, opened)
        finally:
            # While the file is still known: an editor that failed, or was ended with
            # the session, leaves what it wrote as the note's draft.
            recorder.close()
            editor_file = None

    async def _compare_in_note_editor(
        self, card: CardDetail, note: NoteView, text: str, theirs: NoteView, refused: str
    ) -> None:
        key = DraftKey.note(card.summary.id, note.id, theirs.kind)
        recorder = await recorder_for(self.backend, key, note.version)
        editor = NoteEditorScreen(
            self.backend,
            card.summary.id,
            card.summary.name,
            theirs.kind,
            note,
            recorder,
            text=text,
            theirs=theirs,
            refused=refused,
        )

        def closed(_: None) -> None:
            self.load(editor.note_id)

        self.app.push_screen(editor, closed)

    def action_copy_contact(self) -> None:
        """y copies the email; pressed again, the phone (through OSC 52, which reaches
        the clipboard of the terminal the rep sits at, over SSH too)."""
        card = self.card
        if card is None:
            return
        contacts = [value for value in (clean_line(card.email), clean_line(card.phone)) if value]
        if not contacts:
            self.notify("This card has no email or phone to copy.", timeout=3)
            return
        value = contacts[self.copies % len(contacts)]
        self.copies += 1
        self.app.copy_to_clipboard(value)
        self.notify(f"Copied {value} to the clipboard.", timeout=3, markup=False)

    def action_help(self) -> None:
        # Enter is the notes list's own key (SUBMIT_AT_ONCE has no words): named here.
        bindings: list[Binding] = []
        by_id = {b.id: b for b in self.BINDINGS if isinstance(b, Binding)}
        for binding in self.BINDINGS:
            if not isinstance(binding, Binding) or binding.id == "card.redo":
                continue
            if binding.id == "card.undo":
                keys = f"{binding.key},{by_id['card.redo'].key}"
                binding = Binding(keys, "", "Undo", tooltip=UNDO_REDO_HELP)
            bindings.append(binding)
            if binding.id == "card.new_note":
                bindings.append(OPEN_NOTE_HELP)
        self.app.push_screen(HelpScreen("Card keys", bindings))


_ANSWER_STYLES = {
    Answer.YES: "bold $text-success",
    Answer.NO: "bold $text-error",
    Answer.UNKNOWN: "bold $text-muted",
}


def _link(link: CardLink) -> Content:
    archived = " (archived)" if link.archived else ""
    return Content.assemble(
        text.line(link.name, "bold"), (f"  {link.stage.label}{archived}", "$text-muted")
    )


def _drafts(kept: list[Draft], note_ids: set[int], open_steps: set[str]) -> Content:
    """Each draft on the card, and the key that opens its editor (and offers it back);
    `note_ids`: the card's notes, `open_steps`: its open activities."""
    rows = []
    for draft in kept:
        what, keys = _draft_place(draft, note_ids, open_steps)
        rows.append(
            Content.assemble(
                (f"{what} from {when(draft.saved_at)}", "$text-warning"),
                ("  ", ""),
                (keys, "bold $accent"),
            )
        )
    return Content("\n").join(rows)


def _draft_place(draft: Draft, note_ids: set[int], open_steps: set[str]) -> tuple[str, str]:
    """What a draft is, in the rep's words, and the keys that get it back (a note's
    edit whose note is gone: a new note of its kind takes it, see stranded; `x` on a
    step no longer open: `t` takes it, see stranded_done)."""
    key = draft.key
    if key.editor is Editor.DONE:
        if stranded_done(draft, open_steps):
            return "Done touchpoint of a step no longer open", "t"
        return "Done touchpoint", "x on its step"
    if key.editor is Editor.NOTE:
        kind = note_draft_kind(draft)
        if key.subject.startswith("new-"):
            return f"New {kind.label.lower()} note", f"n {kind.key}"
        if stranded(draft, note_ids):
            return f"Edit of a deleted {kind.label.lower()} note", f"n {kind.key}"
        label = kind.label.lower()
        return f"Edit of {'an' if label[0] in 'aeiou' else 'a'} {label} note", "enter on it"
    keys = {
        Editor.CARD: "e",
        Editor.TOUCHPOINT: "t",
        Editor.DONE: "x",
        Editor.NEXT_ACTION: "f",
        Editor.QUALIFICATION: "Q",
        Editor.ARCHIVE: "a on the board",
        Editor.REFERRAL: "r",
    }
    label = key.editor.label
    return label[0].upper() + label[1:], keys.get(key.editor, "")


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _worth(card: CardDetail, money: Currency) -> str:
    """ "€12,500, closing 15 Dec 2026", "won at €9,000": what the deal is worth, if known."""
    if card.won_value is not None:
        return f"won at {money.format(card.won_value)}"
    s = card.summary
    parts = [money.format(s.value)] if s.value is not None else []
    if s.expected_close is not None:
        parts.append(f"closing {s.expected_close:%d %b %Y}")
    return ", ".join(parts)


ACTIVITY_LABELS = 6 + 9
"""The cells before an activity's words ("Next  Call     "), under which its wrapped
part goes."""


def _activity_line(activity: Activity, today: date, *, first: bool) -> tuple[Hanging, OneLine]:
    """ "Next  Call     Call the CFO · due 2026-11-24 10:00 (tomorrow)": the first open
    activity is the card's next action; overdue in the error colour, today's in warning.
    Whole, what wraps (at 60 columns, say) goes under the words, not under "Next"; as
    one line, long words are cut short with "…" and the due day stays (too narrow for
    that, the step's kind goes first). See _show_activities for which is shown."""
    which = Content.styled("Next  " if first else "Then  ", "bold $text-muted")
    head = which + Content.styled(f"{activity.kind.label:<9}", "$text-muted")
    words = text.line(activity.text or "(no description)", "bold" if first else "")
    due = Content()
    if activity.due is not None:
        label = describe_due_beside_date(activity.due, today)
        at = f" {describe_time(activity.due_time)}" if activity.due_time else ""
        if activity.is_overdue(today):
            style, mark = "bold $text-error", "! "
        elif activity.due == today:
            style, mark = "bold $text-warning", ""
        else:
            style, mark = "$text-muted", ""
        due = Content.styled(f" · {mark}due {activity.due.isoformat()}{at} ({label})", style)
    whole = Hanging(head + words + due, ACTIVITY_LABELS)
    return whole, OneLine(head, words, due, short_head=which)


def _lines_shown(listed: Widget) -> int:
    """How many lines the activities list shows at most (its max-height in cells)."""
    most = listed.styles.max_height
    return int(most.value) if most is not None and most.is_cells else 3
