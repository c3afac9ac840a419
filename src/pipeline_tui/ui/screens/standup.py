"""The stand-up screen (`s` on the board): the five-minute morning review.

One keyboard list holds the card lines, section by section (overdue, due today, coming
up this week, no next action, moved, new leads, stale). The rep acts in place on the
card under the cursor, as on the week: `x` done (then the next step), `f` next step,
`z` snooze, `enter` open; the list is read again at once. `l` puts the team ledger
(per rep since the last stand-up: due, done, slipped) at the top. The pipeline figures,
funnel and team counts sit in a side panel on a wide terminal, and at the end of the
list on a narrow one, so an 80x24 terminal scrolls to them and nothing is cut.

A section lists its first 100 cards (line_list.SECTION_LINES), in its own order
(overdue: the oldest first, stale: the longest idle); a line after them says how many
more there are, and enter on it lists them all for as long as the stand-up is open.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.standup import DEFAULT_WINDOW, WINDOWS, Standup, StandupCard, local_day
from pipeline_tui.domain.text import clean_line, clip_cells, pad_cells
from pipeline_tui.standup_report import (
    bar,
    calls_label,
    cards_word,
    coming_up_label,
    ledger_label,
    long_day,
    money_lines,
    moved_label,
    percent,
    short_day,
    source_summary,
)
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.hanging import Hanging
from pipeline_tui.ui.key_order import hold_keys
from pipeline_tui.ui.money import currency, probabilities
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.other_changes import OtherChanges
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.line_list import LineList, Sections
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

WIDE = 120  # from this many columns the figures get their own panel
SIDE_WIDTH = 64
LABEL_WIDTH = 11


def stacked_figures_width(width: int) -> int:
    """How wide the figures are drawn under the lines on a terminal `width` wide: the
    list's width, inside its padding and scrollbar (a bar drawn wider wrapped onto a
    line of its own at 60 columns), at most what fits at 80."""
    return min(74, width - 6)


Parts = list[Content | str | tuple[str, str]]


class StandupList(LineList, inherit_bindings=False):
    """The stand-up's lines: the cursor stops on cards and "more" lines; headings and
    figures are read-only. Enter is left to the screen (open the card), so the footer
    names it."""

    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False, id="standup.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="standup.up"),
        Binding("home,g", "first", "First", show=False, id="standup.first"),
        Binding("end,G", "last", "End", show=False, id="standup.end"),
        Binding("pagedown", "page_down", "Page down", show=False, id="standup.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="standup.page_up"),
    ]


class StandupScreen(seams.FullScreen[None]):
    CSS_PATH = "standup.tcss"
    POLL_SECONDS = 3.0
    """How often it looks for changes made elsewhere (another rep, the shell)."""
    # Left out of the footer below 100 columns, so that "? Keys" fits whole at 80.
    WIDE_ONLY_KEYS = frozenset({"standup.next_window"})
    BINDINGS = [
        Binding("escape", "back", "Board", tooltip="Back to the board", id="standup.back"),
        Binding("x", "done", "Done", tooltip="Done: log it, then set the next", id="standup.done"),
        Binding("f", "next_action", "Next", tooltip="Set the next action", id="standup.next"),
        Binding("z", "snooze", "Snooze", tooltip="Snooze: tomorrow or a date", id="standup.snooze"),
        Binding("enter", "open_card", "Open", tooltip="Open the card", id="standup.open_card"),
        Binding(
            "u", "undo", "Undo", show=False, tooltip="Undo (again for more)", id="standup.undo"
        ),
        Binding(
            "U", "redo", "Redo", show=False, tooltip="Redo what undo took back", id="standup.redo"
        ),
        Binding(
            "l",
            "toggle_ledger",
            "Ledger",
            tooltip="Since the last stand-up, per rep: due, done, slipped",
            id="standup.toggle_ledger",
        ),
        Binding(
            "w",
            "next_window",
            "Window",
            tooltip="Next conversion window: 7, 30 or 90 days",
            id="standup.next_window",
        ),
        Binding(
            "7",
            "window(7)",
            "7 days",
            show=False,
            tooltip="Conversion over the last 7 days",
            id="standup.window_7",
        ),
        Binding(
            "3",
            "window(30)",
            "30 days",
            show=False,
            tooltip="Conversion over the last 30 days",
            id="standup.window_30",
        ),
        Binding(
            "9",
            "window(90)",
            "90 days",
            show=False,
            tooltip="Conversion over the last 90 days",
            id="standup.window_90",
        ),
        Binding(
            "o",
            "toggle_owner",
            "Mine/all",
            show=False,  # in ? with the rest: the footer keeps room for the step keys
            tooltip="Only my cards, or everyone's",
            id="standup.toggle_owner",
        ),
        Binding(
            "c",
            "call_queue",
            "Calls",
            tooltip="Call queue: overdue and due-today calls, one brief at a time",
            id="standup.call_queue",
        ),
        Binding("r", "reload", "Refresh", show=False, tooltip="Read again", id="standup.reload"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="standup.help"),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend
        self.window = DEFAULT_WINDOW
        self.only_mine = False
        self.standup: Standup | None = None
        self.card_ids: dict[str, int] = {}
        self.cards: dict[str, StandupCard] = {}
        """The card lines, by option id: what x, f, z and enter act on."""
        self.show_ledger = False
        self.sections = Sections()
        self._wide: bool | None = None
        self._figures_width: int | None = None
        """The width the figures under the lines were drawn to (not wide)."""
        self.other_changes = OtherChanges(self, backend, self.load)

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Loading the stand-up…", "italic"), id="summary")
        with Horizontal(id="main"):
            yield StandupList(id="lines")
            with VerticalScroll(id="side", can_focus=False):
                yield Static(id="figures")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.title = "Stand-up"
        self.query_one(StandupList).focus()
        # "sjj" or "s" and enter typed at once: the keys wait for the lines they act on
        # (they moved over an empty list, or opened nothing, while it was read).
        self.load(release_keys=hold_keys(self))
        self.other_changes.start(self.POLL_SECONDS)

    def on_resize(self, event: events.Resize) -> None:
        wide = event.size.width >= WIDE
        if wide != self._wide:
            self._wide = wide
            # Its own class: the app's breakpoint classes (-narrow below 100 columns)
            # are set after this handler, on every resize.
            self.set_class(not wide, "-stacked")
            if self.standup is not None:
                self.show(self.standup, event.size.width)
        elif self.standup is not None:
            if not wide and stacked_figures_width(event.size.width) != self._figures_width:
                self.show(self.standup, event.size.width)  # the bars drawn to the new width
            else:
                self._show_summary(self.standup, event.size.width)

    # Reading ---------------------------------------------------------------------------

    @property
    def owner(self) -> str | None:
        return self.backend.service.user if self.only_mine else None

    @work(group="standup", exclusive=True)
    async def load(self, release_keys: Callable[[], None] | None = None) -> None:
        try:
            await self.read()
        finally:
            if release_keys is not None:
                release_keys()

    async def read(self) -> None:
        """Read the stand-up again and show it, the cursor kept on its line (or on the
        line that took its place, when the step acted on left its section)."""
        service = self.backend.service
        try:
            await self.other_changes.reading()
            standup = await self.backend.run(
                service.standup,
                self.backend.today(),
                window=self.window,
                owner=self.owner,
                stale_limits=self.backend.stale_limits,
                probabilities=probabilities(self.app),
            )
        except StoreError as error:
            self.notify(
                str(error), title="Could not load the stand-up", severity="error", markup=False
            )
            return
        self.show(standup)

    def show(self, standup: Standup, width: int | None = None) -> None:
        """Show `standup` at the terminal's `width` (None: its width now)."""
        width = self.app.size.width if width is None else width
        self.standup = standup
        lines = self.query_one(StandupList)
        keep = lines.highlighted_option.id if lines.highlighted_option is not None else None
        place = lines.highlighted
        options, self.cards = self._options(standup)
        self.card_ids = {option_id: card.id for option_id, card in self.cards.items()}
        if not self.is_wide:
            self._figures_width = stacked_figures_width(width)
            figures = self._figures(standup, self._figures_width)
            options += [Option(block, disabled=True) for block in figures]
        place_cursor = lines.set_lines(options)
        if keep is not None and any(option.id == keep for option in options):
            lines.highlighted = lines.get_option_index(keep)  # its card, or a "more" line
        elif place is not None and self.card_ids:
            # The step done or moved on: the cursor goes to the line that took its place.
            rows = [n for n, option in enumerate(options) if option.id in self.card_ids]
            after = [n for n in rows if n >= place]
            lines.highlighted = after[0] if after else rows[-1]
        elif self.card_ids and place_cursor:
            lines.highlighted = lines.get_option_index(next(iter(self.card_ids)))
        self.refresh_bindings()
        figures = self._figures(standup, SIDE_WIDTH - 4) if self.is_wide else []
        self.query_one("#figures", Static).update(Content("\n\n").join(figures))
        self._show_summary(standup, width)
        forecast = (
            f" · forecast {currency(self.app).short(standup.money.forecast)}"
            if standup.money.any
            else ""
        )
        self.sub_title = (
            f"{len(standup.overdue)} overdue · {len(standup.due_today)} due today · "
            f"{len(standup.stale)} stale{forecast}"
        )

    @property
    def is_wide(self) -> bool:
        return self._wide if self._wide is not None else self.size.width >= WIDE

    # Building the lines ----------------------------------------------------------------

    def _show_summary(self, standup: Standup, width: int) -> None:
        text.show_fitting(self.query_one("#summary", Static), self._summary(standup), width)

    def _summary(self, standup: Standup) -> list[Content]:
        """The line over the lists, longest first: the year, then the day, then words
        go as the terminal narrows, so it stays one line at 60 columns."""
        owner = standup.owner
        whose = (
            text.line(owner, "bold") if owner is not None else Content.styled("everyone", "bold")
        )
        today = long_day(standup.today) if self.is_wide else f"{standup.today:%a %d %b %Y}"
        heads = [
            Content.assemble((today, "bold"), " · ", whose, " · "),
            Content.assemble((f"{standup.today:%a %d %b}", "bold"), " · ", whose, " · "),
            Content.assemble(whose, " · "),
        ]
        if owner is not None:  # a long name (the config's user.name) is cut, then left out
            heads.append(
                Content.assemble(text.line(clip_cells(clean_line(owner), 12), "bold"), " · ")
            )
        heads.append(Content(""))
        rest = Content.assemble(
            "moves since ",
            (short_day(standup.since, standup.today), "bold"),
            " · window ",
            (f"{standup.window} days", "bold"),
        )
        return [Content.assemble(head, rest) for head in heads]

    def _options(self, standup: Standup) -> tuple[list[Option], dict[str, StandupCard]]:
        today = standup.today
        team = standup.owner is None
        wide = self.is_wide
        options: list[Option] = []
        ids: dict[str, StandupCard] = {}

        shown = currency(self.app)

        def heading(title: str, count: int, money: Decimal = Decimal(0)) -> None:
            if options:
                options.append(Option("", disabled=True))
            label = f"{title} · {count}" if count else title
            # The money in the section: what is at risk if it stays overdue or stale.
            worth = f" · {shown.format(money)}" if money else ""
            options.append(
                Option(
                    Content.assemble((label, "bold $accent"), (worth, "bold $text-warning")),
                    disabled=True,
                )
            )

        def empty(message: str) -> None:
            options.append(
                Option(Content.styled(f"  {message}", "italic $text-muted"), disabled=True)
            )

        def card_line(
            section: str,
            card: StandupCard,
            label: tuple[str, str],
            detail: Content | str,
        ) -> None:
            parts: Parts = [
                # A label as long as its column or longer ("conversation", "! 120d
                # late") keeps a space before the name, which it ran into.
                (f"{label[0]:<{LABEL_WIDTH - 1}} ", label[1]),
                text.line(card.name, "bold"),
            ]
            if card.organisation.strip():
                parts += [(" · ", "$text-muted"), text.line(card.organisation, "$text-muted")]
            owner: Parts = [("  @", "$text-muted"), text.line(card.owner, "$text-muted")]
            # Wide: one line per card. Narrow: what to do goes on an indented second line,
            # so wrapping never splits a name from its organisation.
            if wide:
                parts += ["  ", detail, *(owner if team else [])]
            else:
                parts += [*(owner if team else []), "\n" + " " * LABEL_WIDTH, detail]
            # A later step of a card (coming up) is a line of its own.
            step = f"-{card.activity_id}" if card.activity_id is not None else ""
            option_id = f"{section}-{card.id}{step}"
            ids[option_id] = card
            options.append(Option(Hanging(Content.assemble(*parts), LABEL_WIDTH), id=option_id))

        def action(card: StandupCard) -> Content:
            return text.line(card.next_action or "(no description)")

        first = self.sections.first

        def more(section: str, items: Sequence[object]) -> None:
            options.extend(self.sections.more(section, items, LABEL_WIDTH))

        if self.show_ledger:
            self._ledger_options(standup, heading, empty, card_line, options)

        heading("OVERDUE", len(standup.overdue), standup.money.overdue)
        for card in first("overdue", standup.overdue):
            due = card.next_action_due
            late = describe_due(due, today) if due else ""
            card_line("overdue", card, (f"! {late}", "bold $text-error"), action(card))
        more("overdue", standup.overdue)
        if not standup.overdue:
            empty("Nothing overdue.")

        heading("DUE TODAY", len(standup.due_today))
        for card in first("due", standup.due_today):
            card_line("due", card, ("today", "bold $text-warning"), action(card))
        more("due", standup.due_today)
        if not standup.due_today:
            empty("Nothing due today.")

        # The week ahead: what falls due next, and the cards nothing brings back.
        heading("COMING UP THIS WEEK", len(standup.coming_up))
        for card in first("coming", standup.coming_up):
            when = coming_up_label(card, today)
            card_line("coming", card, (when, "$text-muted"), action(card))
        more("coming", standup.coming_up)
        if not standup.coming_up:
            empty("Nothing due in the next 7 days.")

        heading("NO NEXT ACTION", len(standup.no_next_action))
        for card in first("bare", standup.no_next_action):
            detail = Content.styled("no next step: f sets one", "$text-muted")
            card_line("bare", card, (card.stage.short_label, "$text-warning"), detail)
        more("bare", standup.no_next_action)
        if not standup.no_next_action:
            empty("Every card has a next action.")

        heading(f"MOVED SINCE {short_day(standup.since, today).upper()}", len(standup.moved))
        for moved in first("moved", standup.moved):
            when = short_day(local_day(moved.at, None), today)
            card_line("moved", moved.card, (when, "$text-muted"), moved_label(moved))
        more("moved", standup.moved)
        if not standup.moved:
            empty("No moves.")

        if standup.calls:
            heading(f"CALLS SINCE {short_day(standup.since, today).upper()}", 0)
            for calls in standup.calls:
                options.append(
                    Option(
                        Content.assemble(
                            (
                                pad_cells(
                                    clip_cells(clean_line(calls.owner), LABEL_WIDTH - 1),
                                    LABEL_WIDTH,
                                ),
                                "$text-success",
                            ),
                            calls_label(calls),
                        ),
                        disabled=True,
                    )
                )

        heading("NEW LEADS", len(standup.new_leads))
        for card in first("new", standup.new_leads):
            source = card.source.value if card.source else "unknown"
            added_as = (card.added_as or card.stage).label
            card_line("new", card, (source, "$text-success"), f"added as {added_as}")
        more("new", standup.new_leads)
        if standup.new_leads:
            by_source = f"{'':<{LABEL_WIDTH}}by source: {source_summary(standup)}"
            # Wrapped under itself, not under the labels.
            options.append(
                Option(
                    Hanging(
                        Content.styled(by_source, "$text-muted"), LABEL_WIDTH + len("by source: ")
                    ),
                    disabled=True,
                )
            )
        else:
            empty("No new leads.")

        heading("STALE", len(standup.stale), standup.money.stale)
        for item in first("stale", standup.stale):
            detail = Content.assemble(
                item.card.stage.label,
                (
                    f", last activity {short_day(item.last_activity, today)}, "
                    f"limit {item.limit_days}d",
                    "$text-muted",
                ),
            )
            card_line("stale", item.card, (f"{item.idle_days}d idle", "$text-warning"), detail)
        more("stale", standup.stale)
        if not standup.stale:
            empty("Nothing stale.")

        # Parked "not yet" until a day that has come: listed only when there are some.
        if standup.back_from_nurturing:
            heading("BACK FROM NURTURING", len(standup.back_from_nurturing))
        for card in first("back", standup.back_from_nurturing):
            back = short_day(card.nurture_until or today, today)
            detail = Content.assemble(
                f"back on the board as {card.stage.label}",
                *(("; next: ", text.line(card.next_action)) if card.next_action else ()),
            )
            card_line("back", card, (back, "$text-success"), detail)
        more("back", standup.back_from_nurturing)
        return options, ids

    def _ledger_options(
        self,
        standup: Standup,
        heading: Callable[[str, int], None],
        empty: Callable[[str], None],
        card_line: Callable[[str, StandupCard, tuple[str, str], Content | str], None],
        options: list[Option],
    ) -> None:
        """The team ledger (`l`): per rep since the last stand-up, the counts, then the
        steps that slipped (cards to act on) and what got done (read-only)."""
        today = standup.today
        heading(f"SINCE THE LAST STAND-UP ({short_day(standup.since, today).upper()})", 0)
        if not standup.ledger:
            empty("Nothing was due and nothing was logged.")
        for row in standup.ledger:
            options.append(
                Option(
                    Content.assemble(
                        text.line(row.owner, "bold"), ("  ", ""), (ledger_label(row), "$text-muted")
                    ),
                    disabled=True,
                )
            )
            for card in row.slipped:
                due = card.next_action_due
                late = describe_due(due, today) if due else ""
                detail = Content.assemble(
                    text.line(card.next_action or "(no description)"), (f" ({late})", "$text-error")
                )
                card_line("slipped", card, ("slipped", "bold $text-error"), detail)
            for touch in row.done:
                done = Content.assemble(
                    (f"{'done':<{LABEL_WIDTH}}", "$text-success"),
                    text.line(touch.name, "bold"),
                    ("  ", ""),
                    text.line(touch.summary or touch.kind.label, "$text-muted"),
                )
                # Wrapped under the name, as every card line is, not under the labels.
                options.append(Option(Hanging(done, LABEL_WIDTH), disabled=True))

    def _figures(self, standup: Standup, width: int) -> list[Content]:
        """The money (when any card has a value), the pipeline table, the funnel chart
        and the team counts, as blocks."""
        money: list[Content] = []
        lines = money_lines(standup, currency(self.app))
        if lines:
            money = [
                Content.assemble(
                    ("MONEY · weighted by stage", "bold $accent"),
                    *(part for line in lines for part in ("\n", line)),
                )
            ]
        conversions = {c.from_stage: c for c in standup.conversion}
        table: Parts = [
            (f"PIPELINE · conversion over {standup.window} days", "bold $accent"),
            "\n",
            (
                f"{'Stage':<18} {'Cards':>5}  {'Entered':>7}  {'Moved on':>8}  {'Rate':>5}",
                "$text-muted",
            ),
        ]
        for figures in standup.stages:
            row = f"{figures.stage.label:<18} {figures.cards:>5}"
            c = conversions.get(figures.stage)
            if c is not None:
                row += f"  {c.entered:>7}  {c.moved_on:>8}  {percent(c):>5}"
            table += ["\n", row]

        top = max((f.reached for f in standup.stages), default=0)
        bar_width = max(4, width - 26)
        funnel: Parts = [("FUNNEL · active cards at or past each stage", "bold $accent")]
        for figures in standup.stages:
            funnel += [
                "\n",
                f"{figures.stage.label:<18} {figures.reached:>5}  ",
                (bar(figures.reached, top, bar_width), "$primary"),
            ]

        mine = standup.owner
        title = "TEAM · active cards" + ("" if mine is None else " (o shows everyone)")
        team: Parts = [(title, "bold $accent")]
        if not standup.owners:
            team += ["\n", ("No cards yet.", "italic $text-muted")]
        for owner in standup.owners:
            name = text.line(
                clip_cells(clean_line(owner.owner), 20), "bold" if owner.owner == mine else ""
            )
            pad = " " * max(0, 21 - name.cell_length)
            marker = "▸ " if owner.owner == mine else "  "
            team += [
                "\n",
                marker,
                name,
                pad,
                f"{owner.cards:>4} {cards_word(owner.cards)}  {owner.overdue:>3} overdue  "
                f"{owner.due_today:>3} today",
            ]
        return [
            *money,
            Content.assemble(*table),
            Content.assemble(*funnel),
            Content.assemble(*team),
        ]

    # Keys ------------------------------------------------------------------------------

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open_card()

    @property
    def highlighted(self) -> StandupCard | None:
        """The card on the line under the cursor (None on a heading or figure)."""
        option = self.query_one(StandupList).highlighted_option
        if option is None or option.id is None:
            return None
        return self.cards.get(option.id)

    @property
    def highlighted_more(self) -> str | None:
        """The section whose "more" line is under the cursor (None: not on one)."""
        return Sections.more_line(self.query_one(StandupList).highlighted_option)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_card":
            on_line = self.highlighted is not None or self.highlighted_more is not None
            return on_line or None  # greyed out off a card or a "more" line
        if action == "next_action":
            return self.highlighted is not None or None
        if action in ("done", "snooze"):
            card = self.highlighted
            return (card is not None and card.has_next_action) or None  # no step to act on
        return True

    @on(OptionList.OptionHighlighted)
    def _moved(self) -> None:
        self.refresh_bindings()

    @staticmethod
    def _summary_of(card: StandupCard) -> CardSummary:
        """Enough of the card for the done, next-step and snooze flows."""
        return CardSummary(
            id=card.id,
            name=card.name,
            organisation=card.organisation,
            stage=card.stage,
            position=0,
            owner=card.owner,
            next_action=card.next_action,
            next_action_due=card.next_action_due,
            version=card.version,
        )

    def action_done(self) -> None:
        # The card highlighted as the key is pressed, whatever the keys after it do.
        card = self.highlighted
        if card is not None and card.has_next_action:
            self._done(card, hold_keys(self))

    @work(group="standup-step")
    async def _done(self, card: StandupCard, release_keys: Callable[[], None]) -> None:
        from pipeline_tui.ui import flows

        if not await flows.mark_done(
            self,
            self.backend,
            self._summary_of(card),
            release_keys,
            self.read,
            card.activity_id,
            step_kind=card.next_action_kind,
        ):
            await self.read()

    def action_next_action(self) -> None:
        card = self.highlighted
        if card is not None:
            self._next_action_for(card)

    @work(group="standup-step")
    async def _next_action_for(self, card: StandupCard) -> None:
        from pipeline_tui.ui import flows

        step = (card.activity_id, card.due_time)
        await flows.set_next_action(
            self, self.backend, self._summary_of(card), activity=step, then=self.read
        )

    def action_snooze(self) -> None:
        card = self.highlighted
        if card is not None and card.has_next_action:
            self._snooze(card, hold_keys(self))

    @work(group="standup-step")
    async def action_undo(self) -> None:
        # A step done, snoozed or set here, or any change made before on the board.
        await self.backend.undo_and_tell(self.notify)
        await self.read()

    @work(group="standup-step")
    async def action_redo(self) -> None:
        await self.backend.redo_and_tell(self.notify)
        await self.read()

    @work(group="standup-step")
    async def _snooze(self, card: StandupCard, release_keys: Callable[[], None]) -> None:
        from pipeline_tui.ui import flows

        step = (card.activity_id, card.due_time)

        async def shown(_: bool) -> None:
            await self.read()

        # Read again before the keys typed after the answer go on (see flows.snooze).
        await flows.snooze(
            self, self.backend, self._summary_of(card), release_keys, activity=step, then=shown
        )

    def action_toggle_ledger(self) -> None:
        self.show_ledger = not self.show_ledger
        if self.standup is not None:
            self.show(self.standup)
            if self.card_ids:
                # The list is read from the top, with the ledger or without: the cursor
                # goes to its first card, if that is in sight (under a long ledger, j
                # takes it there). Kept at its place, it landed on the second overdue.
                lines = self.query_one(StandupList)
                lines.highlighted = lines.get_option_index(next(iter(self.card_ids)))
                lines.show_top()

    def action_open_card(self) -> None:
        section = self.highlighted_more
        if section is not None and self.standup is not None:
            # The cursor stays where the line was: on the first card it brought.
            self.sections.opened.add(section)
            self.show(self.standup)
            return
        card = self.highlighted
        if card is None:
            return
        card_id = card.id

        def back(_: None) -> None:
            # The keys typed after escape act on the stand-up as the card left it.
            self.load(release_keys=hold_keys(self))

        self.app.push_screen(CardScreen(self.backend, card_id), back)

    def action_back(self) -> None:
        self.dismiss()

    def action_window(self, days: int) -> None:
        if days != self.window:
            self.window = days
            self.load(release_keys=hold_keys(self))  # keys typed with it act on the new lines

    def action_next_window(self) -> None:
        self.action_window(WINDOWS[(WINDOWS.index(self.window) + 1) % len(WINDOWS)])

    def action_toggle_owner(self) -> None:
        self.only_mine = not self.only_mine
        whose = "Only your cards" if self.only_mine else "Everyone's cards"
        self.notify(whose, timeout=2)
        self.load(release_keys=hold_keys(self))

    def action_reload(self) -> None:
        self.load()

    def action_call_queue(self) -> None:
        from pipeline_tui.ui.screens.calls import CallQueueScreen

        def back(_: None) -> None:
            self.load(release_keys=hold_keys(self))

        self.app.push_screen(CallQueueScreen(self.backend), back)

    def action_help(self) -> None:
        bindings = [*StandupList.BINDINGS, *self.BINDINGS]
        self.app.push_screen(HelpScreen("Stand-up keys", bindings))
