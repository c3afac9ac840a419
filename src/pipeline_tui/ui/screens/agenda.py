"""The week (`w` on the board): every card's next action that is overdue, due today, or
due in the next 7 days, day by day.

The rep works down it in place: `x` marks the step done (logged as a touchpoint, as
`pipeline-tui done` does) and asks for the next one, `f` sets the next step, `z`
snoozes it to tomorrow or a date typed, `enter` opens the card. The list is read again
after each, so a step done or moved leaves its day at once. Overdue and each day list
their first 100 steps; enter on the line after them lists the rest (line_list).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.brief_report import due_label
from pipeline_tui.domain.agenda import DEFAULT_DAYS, ScheduledAction, day_label
from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.hanging import Hanging
from pipeline_tui.ui.key_order import hold_keys
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.other_changes import OtherChanges
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.line_list import LineList, Sections
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

WIDE = 120  # from this many columns a card's step sits on its own line's end
LABEL_WIDTH = 11

Parts = list[Content | str | tuple[str, str]]


class AgendaList(LineList, inherit_bindings=False):
    """The agenda's lines. Enter is left to the screen (open the card), so the footer
    names it."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, tooltip="Next step", id="agenda.down"),
        Binding("up,k", "cursor_up", "Up", show=False, tooltip="Previous step", id="agenda.up"),
        Binding("home,g", "first", "First", show=False, tooltip="First step", id="agenda.first"),
        Binding("end,G", "last", "Last", show=False, tooltip="Last step", id="agenda.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="agenda.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="agenda.page_up"),
    ]


class AgendaScreen(seams.FullScreen[None]):
    CSS_PATH = "agenda.tcss"
    POLL_SECONDS = 3.0
    """How often the week looks for changes made elsewhere (another rep, the shell)."""
    BINDINGS = [
        Binding("x", "done", "Done", tooltip="Done: log it, then set the next", id="agenda.done"),
        Binding("f", "next_action", "Next", tooltip="Set the next action", id="agenda.next"),
        Binding("z", "snooze", "Snooze", tooltip="Snooze: tomorrow or a date", id="agenda.snooze"),
        Binding("enter", "open_card", "Open", tooltip="Open the card", id="agenda.open_card"),
        Binding("u", "undo", "Undo", tooltip="Undo (again for more)", id="agenda.undo"),
        Binding(
            "U",
            "redo",
            "Redo",
            show=False,
            tooltip="Redo what undo took back",
            id="agenda.redo",
        ),
        Binding(
            "o",
            "toggle_owner",
            "Mine/all",
            show=False,
            tooltip="Only my cards, or everyone's",
            id="agenda.toggle_owner",
        ),
        Binding("r", "reload", "Refresh", show=False, tooltip="Read again", id="agenda.reload"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="agenda.help"),
        Binding("escape", "back", "Board", tooltip="Back to the board", id="agenda.back"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.only_mine = False
        self.actions: dict[str, ScheduledAction] = {}
        """The card lines, by option id."""
        self.sections = Sections()
        self._wide: bool | None = None
        self._shown: tuple[date, list[ScheduledAction]] | None = None
        self._order: list[str] = []
        """Every step's line id in the week's order, the ones behind a "more" line too."""
        self.other_changes = OtherChanges(self, backend, self.load)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Reading the week…", "italic"), id="summary")
        yield AgendaList(id="lines")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "The week"
        self.query_one(AgendaList).focus()
        # "wzt" typed at once: the keys wait for the lines they act on (they fell on an
        # empty list, unanswered, while the week was read).
        self.load(release_keys=hold_keys(self))
        self.other_changes.start(self.POLL_SECONDS)

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self._wide:
            self._wide = wide
            if self._shown is not None:
                self.show(*self._shown)
        elif self._shown is not None:
            self._show_summary(self._shown[0], self._shown[1], event.size.width)

    @property
    def is_wide(self) -> bool:
        return self._wide if self._wide is not None else self.size.width >= WIDE

    # Reading ---------------------------------------------------------------------------

    @work(group="agenda", exclusive=True)
    async def load(self, release_keys: Callable[[], None] | None = None) -> None:
        try:
            await self.read()
        finally:
            if release_keys is not None:
                release_keys()

    async def read(self, *, leaving: str | None = None) -> None:
        """Read the week again and show it, the cursor kept on its step; `leaving`: the
        line (ScheduledAction.key) just acted on, whose step is dealt with: the cursor
        moves on to the next."""
        today = self.backend.today()
        owner = self.backend.service.user if self.only_mine else None
        try:
            await self.other_changes.reading()
            actions = await self.backend.run(
                self.backend.service.agenda,
                until=today + timedelta(days=DEFAULT_DAYS),
                owner=owner,
                today=today,
                every_activity=True,  # "send the proposal Fri" and "call the CFO Tue"
            )
        except StoreError as error:
            self.notify(str(error), title="Could not read the week", severity="error", markup=False)
            return
        self.show(today, actions, leaving=leaving)

    def show(
        self, today: date, actions: list[ScheduledAction], *, leaving: str | None = None
    ) -> None:
        self._shown = (today, actions)
        lines = self.query_one(AgendaList)
        keep = lines.highlighted_option.id if lines.highlighted_option is not None else None
        place = lines.highlighted
        before = self._order
        options, self.actions, self._order = self._options(today, actions)
        place_cursor = lines.set_lines(options)
        if leaving is not None and leaving in before:
            # Working down the week: the line after the one dealt with (or before it, at
            # the end), wherever its own step now falls.
            at = before.index(leaving)
            keep = next(
                (o for o in [*before[at + 1 :], *reversed(before[:at])] if o in self.actions),
                keep,
            )
        if keep is not None and any(option.id == keep for option in options):
            lines.highlighted = lines.get_option_index(keep)  # its step, or a "more" line
        elif self.actions and place_cursor:
            # The step done or moved away, or a "more" line opened: the cursor goes to the
            # line that took its place.
            cards = [n for n, option in enumerate(options) if not option.disabled]
            after = [n for n in cards if place is None or n >= place]
            lines.highlighted = after[0] if after else cards[-1]
        self._show_summary(today, actions, self.app.size.width)
        overdue = sum(1 for a in actions if a.is_overdue(today))
        self.sub_title = f"{overdue} overdue · {len(actions)} in all"

    def _show_summary(self, today: date, actions: list[ScheduledAction], width: int) -> None:
        text.show_fitting(self.query_one("#summary", Static), self._summary(today, actions), width)

    def _summary(self, today: date, actions: list[ScheduledAction]) -> list[Content]:
        """The line over the list, longest first: the year, then the day, then who go
        as the terminal narrows, so it stays one line at 60 columns."""
        overdue = sum(1 for a in actions if a.is_overdue(today))
        due_today = sum(1 for a in actions if a.due == today)
        whose = "mine" if self.only_mine else "everyone's"
        counts = Content.assemble(
            (f"{overdue}", "bold"),
            " overdue · ",
            (f"{due_today}", "bold"),
            " today · ",
            (f"{len(actions) - overdue - due_today}", "bold"),
            f" in the next {DEFAULT_DAYS} days",
        )
        return [
            Content.assemble((f"{today:%a %d %b %Y}", "bold"), f" · {whose} · ", counts),
            Content.assemble((f"{today:%a %d %b}", "bold"), f" · {whose} · ", counts),
            Content.assemble(f"{whose} · ", counts),
            counts,
        ]

    def _options(
        self, today: date, actions: list[ScheduledAction]
    ) -> tuple[list[Option], dict[str, ScheduledAction], list[str]]:
        """The lines; the steps they list, by line id; every step's id in order."""
        wide = self.is_wide
        team = len({a.owner for a in actions}) > 1
        options: list[Option] = []
        found: dict[str, ScheduledAction] = {}

        def heading(title: str, items: list[ScheduledAction], *, gap: bool = True) -> None:
            if options and gap:
                options.append(Option("", disabled=True))
            if items:
                label = Content.styled(f"{title} · {len(items)}", "bold $accent")
            else:
                # An empty day is one line: the week's shape without the scrolling.
                label = Content.assemble((title, "bold $text-muted"), ("  nothing", "$text-muted"))
            options.append(Option(label, disabled=True))

        def card_line(item: ScheduledAction, label: str, style: str) -> None:
            parts: Parts = [
                (f"{label:<{LABEL_WIDTH}}", style),
                text.line(item.card_name, "bold"),
            ]
            if clean_line(item.organisation):
                parts += [(" · ", "$text-muted"), text.line(item.organisation, "$text-muted")]
            if team:
                parts += [("  @", "$text-muted"), text.line(item.owner, "$text-muted")]
            step = text.line(item.action or "(no description)")
            # Narrow: the step goes on an indented second line, so wrapping never splits
            # a name from its organisation.
            parts += ["  ", step] if wide else ["\n" + " " * LABEL_WIDTH, step]
            option_id = item.key
            found[option_id] = item
            options.append(Option(Hanging(Content.assemble(*parts), LABEL_WIDTH), id=option_id))

        overdue = [a for a in actions if a.is_overdue(today)]
        order = [item.key for item in overdue]
        heading("OVERDUE", overdue)
        for item in self.sections.first("overdue", overdue):
            card_line(item, due_label(item.due, today), "bold $text-error")
        options += self.sections.more("overdue", overdue, LABEL_WIDTH)
        by_day: dict[date, list[ScheduledAction]] = {}
        for item in actions:
            by_day.setdefault(item.due, []).append(item)
        for n in range(DEFAULT_DAYS + 1):
            day = today + timedelta(days=n)
            items = by_day.get(day, [])
            # Empty days in a row sit together, one line each, after one blank line.
            follows_empty = n > 0 and not by_day.get(day - timedelta(days=1))
            heading(day_label(day, today).upper(), items, gap=bool(items) or not follows_empty)
            order += [item.key for item in items]
            for item in self.sections.first(f"{day}", items):
                when = "today" if n == 0 else f"{day:%a}"
                card_line(item, when, "bold $text-warning" if n == 0 else "$text-muted")
            options += self.sections.more(f"{day}", items, LABEL_WIDTH)
        return options, found, order

    # The card under the cursor ---------------------------------------------------------

    @property
    def highlighted(self) -> ScheduledAction | None:
        option = self.query_one(AgendaList).highlighted_option
        if option is None or option.id is None:
            return None
        return self.actions.get(option.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        more_line = Sections.more_line(self.query_one(AgendaList).highlighted_option)
        if action == "open_card" and more_line is not None:
            return True
        if action in ("done", "next_action", "snooze", "open_card"):
            return self.highlighted is not None or None  # greyed out with no step to act on
        return True

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_card()

    @staticmethod
    def _card(item: ScheduledAction) -> CardSummary:
        """Enough of the card for the next-action dialog, which reads it again."""
        return CardSummary(
            id=item.card_id,
            name=item.card_name,
            organisation=item.organisation,
            stage=item.stage,
            position=0,
            owner=item.owner,
            next_action=item.action,
            next_action_due=item.due,
            version=item.version,
        )

    # Keys ------------------------------------------------------------------------------

    def action_done(self) -> None:
        # The step highlighted as the key is pressed, whatever the keys after it do.
        item = self.highlighted
        if item is not None:
            self._done(item, hold_keys(self))

    @work(group="agenda-step")
    async def _done(self, item: ScheduledAction, release_keys: Callable[[], None]) -> None:
        from pipeline_tui.ui import flows

        async def shown() -> None:
            await self.read(leaving=item.key)

        done = await flows.mark_done(
            self,
            self.backend,
            self._card(item),
            release_keys,
            shown,
            item.activity_id,
            step_kind=item.kind,
        )
        if not done:
            await self.read()

    def action_next_action(self) -> None:
        item = self.highlighted
        if item is not None:
            self._next_action_for(item)

    @work(group="agenda-step")
    async def _next_action_for(self, item: ScheduledAction) -> None:
        from pipeline_tui.ui import flows

        async def shown() -> None:
            await self.read(leaving=item.key)

        # Read again before the keys typed after the save go on: "f", enter, "jzt" in one
        # read acts on the line after the next, as typed slowly.
        await flows.set_next_action(
            self,
            self.backend,
            self._card(item),
            activity=(item.activity_id, item.due_time),
            then=shown,
        )

    def action_snooze(self) -> None:
        item = self.highlighted
        if item is not None:
            self._snooze(item, hold_keys(self))

    @work(group="agenda-step")
    async def _snooze(self, item: ScheduledAction, release_keys: Callable[[], None]) -> None:
        from pipeline_tui.ui import flows

        async def shown(snoozed: bool) -> None:
            await self.read(leaving=item.key if snoozed else None)

        await flows.snooze(
            self,
            self.backend,
            self._card(item),
            release_keys,
            activity=(item.activity_id, item.due_time),
            then=shown,
        )

    def action_open_card(self) -> None:
        from pipeline_tui.ui.screens.card import CardScreen

        section = Sections.more_line(self.query_one(AgendaList).highlighted_option)
        if section is not None and self._shown is not None:
            # The cursor stays where the line was: on the first step it brought.
            self.sections.opened.add(section)
            self.show(*self._shown)
            return
        item = self.highlighted
        if item is None:
            return

        def back(_: None) -> None:
            # "escape z" in one read: the z waits for the week as the card left it (a
            # card parked there snoozed its old line, refused as changed elsewhere).
            self.load(release_keys=hold_keys(self))

        self.app.push_screen(CardScreen(self.backend, item.card_id), back)

    @work(group="agenda-step")
    async def action_undo(self) -> None:
        # A snooze or a next action set here, or any change made before on the board.
        await self.backend.undo_and_tell(self.notify)
        await self.read()

    @work(group="agenda-step")
    async def action_redo(self) -> None:
        await self.backend.redo_and_tell(self.notify)
        await self.read()

    def action_toggle_owner(self) -> None:
        self.only_mine = not self.only_mine
        self.notify("Only your cards" if self.only_mine else "Everyone's cards", timeout=2)
        self.load(release_keys=hold_keys(self))  # "oj" acts on the line of the new list

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        bindings = [*AgendaList.BINDINGS, *self.BINDINGS]
        self.app.push_screen(HelpScreen("Week keys", bindings))
