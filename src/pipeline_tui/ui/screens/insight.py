"""The insight screen (`i` on the board): where good clients come from, and where the
pipeline is slow or leaks.

Win rate and time to close by source and by warm or cold, archive reasons over time
(Textual sparklines), time in each stage, the referral tree, and the qualification
criteria that fail most: in that order on the screen, keys 1 to 5. Every chart has its
numbers beside it, and bars are block characters, so the screen reads the same in 16
colours or none. On a wide terminal the sections sit in two columns; on an 80x24 one
they scroll, each a number key away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from pipeline_tui.domain.insight import (
    GroupRate,
    Insight,
    ReasonSeries,
    tree_lines,
)
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.text import cell_width, clean_line, clip_cells, wrap_cells
from pipeline_tui.insight_report import (
    archive_note,
    continuation,
    days,
    failure_label,
    node_figures,
    percent,
    span,
)
from pipeline_tui.standup_report import bar
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.hanging import Hanging
from pipeline_tui.ui.money import currency
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader

WINDOWS = (30, 90, 365)
DEFAULT_WINDOW = 90
BAR = 16
LABEL_CELLS = 12
"""The archive chart's reason names (.reason-label in insight.tcss)."""
SLOW_LABELS = 9
"""The stage names before the cards longest in them ("Prospect "): what wraps goes under
the cards."""
SOURCE_LABELS = 13
"""The sources before their most failed criterion ("conversation ")."""
TREE_NAME_MIN_CELLS = 8
"""The least of a long name the referral tree keeps, however deep the card is."""
SECTIONS = ("rates", "archive", "stages", "referrals", "criteria")
"""In the order they show (left column, then right; one column when narrow): 1 to 5."""

Parts = list[Content | str | tuple[str, str]]


class ReasonLine(Horizontal):
    """One archive reason: its name, a sparkline of the buckets, and the total."""

    def __init__(self, series: ReasonSeries) -> None:
        super().__init__(classes="reason")
        self.series = series
        counts = " ".join(str(n) for n in series.counts[-4:])
        self.total = Content.assemble(
            (f" {series.total:>4}", "bold"),  # apart from the sparkline at 1,000 too
            (f"  last 4: {counts}" if len(series.counts) > 4 else "", "$text-muted"),
        )

        self.shown = len(series.counts)

    def compose(self) -> ComposeResult:
        yield Static(self.series.reason.label, classes="reason-label")
        spark = Sparkline(list(self.series.counts[-self.shown :]), classes="spark")
        spark.styles.width = self.shown  # one bar per bucket, never merged
        yield spark
        yield Static(self.total, classes="reason-total")

    def show_last(self, buckets: int) -> None:
        """Draw only the most recent `buckets` (all that fit), one bar each."""
        self.shown = buckets
        for spark in self.query_children(Sparkline):  # none yet before it is composed
            spark.data = list(self.series.counts[-buckets:])
            spark.styles.width = buckets


class ArchiveChart(Vertical):
    """The reasons' sparklines, showing the most recent buckets that fit its width, so
    the totals and the last four counts beside them stay in view (365 days are 53
    weeks); `on_fit` hears how many buckets show."""

    def __init__(self, on_fit: Callable[[int, int], None], **options: Any) -> None:
        super().__init__(**options)
        self.on_fit = on_fit

    def on_resize(self) -> None:
        self.fit()

    def fit(self) -> None:
        lines = list(self.query_children(ReasonLine))
        width = self.content_size.width
        if not lines or not width:
            return
        count = len(lines[0].series.counts)
        tail = max(line.total.cell_length for line in lines)
        shown = max(1, min(count, width - LABEL_CELLS - tail))
        for line in lines:
            line.show_last(shown)
        self.on_fit(shown, count)


class FittedStatic(Static):
    """A Static whose content is drawn for its width, again whenever that changes."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.draw: Callable[[int], Content] | None = None
        self.drawn_width = -1

    def show(self, draw: Callable[[int], Content]) -> None:
        self.draw = draw
        self._redraw(self.content_size.width)

    def on_resize(self) -> None:
        if self.content_size.width != self.drawn_width:
            self._redraw(self.content_size.width)

    def _redraw(self, width: int) -> None:
        if self.draw is not None:
            self.drawn_width = width
            self.update(self.draw(width))


class InsightScreen(seams.FullScreen[None]):
    CSS_PATH = "insight.tcss"
    BINDINGS = [
        Binding("escape", "back", "Board", tooltip="Back to the board", id="insight.back"),
        Binding(
            "w",
            "next_window",
            "Window",
            tooltip="Next window: 30, 90 or 365 days",
            id="insight.next_window",
        ),
        *(
            Binding(
                str(n),
                f"jump('{section}')",
                section.capitalize(),
                show=False,
                tooltip=f"Go to {label}",
                id=f"insight.jump_{section}",
            )
            for n, (section, label) in enumerate(
                zip(
                    SECTIONS,
                    (
                        "win rates",
                        "archive reasons",
                        "time in stage",
                        "referrals",
                        "failing criteria",
                    ),
                    strict=True,
                ),
                start=1,
            )
        ),
        Binding("down,j", "scroll(1)", "Down", show=False, id="insight.down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="insight.up"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="insight.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="insight.page_up"),
        Binding("home,g", "home", "Top", show=False, id="insight.top"),
        Binding("end,G", "end", "End", show=False, id="insight.end"),
        Binding("r", "reload", "Refresh", show=False, tooltip="Read again", id="insight.reload"),
        Binding("question_mark", "help", "Keys", tooltip="Show these keys", id="insight.help"),
    ]

    def __init__(self, backend: Backend, window: int = DEFAULT_WINDOW) -> None:
        super().__init__()
        self.backend = backend
        self.window = window
        self.insight: Insight | None = None

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        yield Static(Content.styled("Working out the figures…", "italic"), id="summary")
        with VerticalScroll(id="report", can_focus=False), Horizontal(id="columns"):
            with Vertical(id="left"):
                yield self._section("rates", "WIN RATE")
                yield Static(id="rates")
                yield self._section("archive", "ARCHIVED")
                yield ArchiveChart(self._archive_fitted, id="archive")
                yield self._section("stages", "TIME IN STAGE")
                yield Static(id="stages")
            with Vertical(id="right"):
                yield self._section("referrals", "REFERRALS")
                yield FittedStatic(id="referrals")
                yield self._section("criteria", "FAILING CRITERIA")
                yield Static(id="criteria")
        yield KeyFooter()

    @staticmethod
    def _section(key: str, title: str) -> Static:
        return Static(Content.styled(title, "bold $accent"), id=f"{key}-heading", classes="heading")

    def on_mount(self) -> None:
        self.title = "Insight"
        self.load()

    @work(group="insight", exclusive=True)
    async def load(self) -> None:
        today, window = self.backend.today(), self.window
        try:
            insight = await self.backend.run(self.backend.service.insight, today, window)
        except StoreError as error:
            self.notify(
                str(error), title="Could not work out the insight", severity="error", markup=False
            )
            return
        await self.show(insight)

    async def show(self, insight: Insight) -> None:
        self.insight = insight
        overall = insight.overall
        closed = (
            f"{overall.closed} closed, {percent(overall.rate)} won"
            if overall.closed
            else "nothing closed"
        )
        self.sub_title = f"last {insight.window} days · {closed}"
        self.query_one("#summary", Static).update(
            Content.assemble(
                (f"The last {insight.window} days", "bold"),
                f" ({span(insight)}) · ",
                (closed, "bold"),
            )
        )
        self._heading("rates", "WIN RATE", "won or lost in the window; median days to win")
        self.query_one("#rates", Static).update(self._rates(insight))
        count = insight.buckets.count if insight.buckets else 0
        self._archive_fitted(count, count)
        archive = self.query_one("#archive", ArchiveChart)
        await archive.remove_children()
        await archive.mount_all([ReasonLine(series) for series in insight.archive])
        archive.fit()
        self._heading("referrals", "REFERRALS", "all time; ✓ became a client")
        money = currency(self.app)
        self.query_one("#referrals", FittedStatic).show(
            lambda width: self._referrals(insight, money, width)
        )
        self._heading("stages", "TIME IN STAGE", "median days of stays ended in the window")
        # The slowest cards and a source's worst criterion wrap under the names and the
        # criterion, not back at the left edge under the stages and sources.
        self.query_one("#stages", Static).update(Hanging(self._stages(insight), SLOW_LABELS))
        self._heading("criteria", "FAILING CRITERIA", '"no" answers in the window')
        self.query_one("#criteria", Static).update(Hanging(self._criteria(insight), SOURCE_LABELS))

    def _archive_fitted(self, shown: int, count: int) -> None:
        insight = self.insight
        unit = insight.buckets.unit if insight is not None and insight.buckets else "week"
        self._heading("archive", f"ARCHIVED PER {unit.upper()}", archive_note(shown, count))

    def _heading(self, key: str, title: str, note: str) -> None:
        text.show(
            self.query_one(f"#{key}-heading", Static),
            Content.assemble((title, "bold $accent"), (f"  {note}", "$text-muted")),
        )

    # The sections --------------------------------------------------------------------------

    @staticmethod
    def _rate_rows(title: str, groups: tuple[GroupRate, ...], overall: GroupRate | None) -> Parts:
        parts: Parts = [
            (
                f"{title:<12} {'Won':>4} {'Lost':>5} {'Rate':>5}  {'':<{BAR}}  {'To win':>6}",
                "$text-muted",
            )
        ]
        for group in [*groups, *([overall] if overall is not None else [])]:
            share = 0 if group.rate is None else round(group.rate * 1000)
            label = "all" if group is overall else group.key
            style = "bold" if group is overall else ""
            parts += [
                "\n",
                (
                    f"{label[:12]:<12} {group.won:>4} {group.lost:>5} {percent(group.rate):>5}  ",
                    style,
                ),
                (f"{bar(share, 1000, BAR):<{BAR}}", "$primary"),
                (f"  {days(group.median_days):>6}", style),
            ]
        return parts

    def _rates(self, insight: Insight) -> Content:
        if not insight.overall.closed:
            return Content.styled("No card was won or lost in the window.", "italic $text-muted")
        parts = self._rate_rows("Source", insight.by_source, insight.overall)
        parts += ["\n\n", *self._rate_rows("Warm/cold", insight.by_market, None)]
        return Content.assemble(*parts)

    @staticmethod
    def _referrals(insight: Insight, money: Currency, width: int = 0) -> Content:
        """The tree, each card on one line of `width` cells (0: as long as it takes): a
        long name is cut with "…", so it keeps its place under the │ and └─ lines."""
        if not insight.referrals:
            return Content.styled(
                "No referrals yet: r on a client's card adds one.", "italic $text-muted"
            )
        rows: list[Content] = []
        for prefix, node in tree_lines(insight.referrals):
            archived = ", archived" if not node.card.active else ""
            stage = f" ({node.card.stage.label}{archived})"
            won = " ✓" if node.won else ""
            name = clean_line(node.card.name)
            if width:
                room = width - cell_width(prefix) - cell_width(stage) - cell_width(won)
                name = clip_cells(name, max(TREE_NAME_MIN_CELLS, room))
            parts: Parts = [(prefix, "$text-muted"), text.line(name, "bold")]
            parts.append((stage, "$text-muted"))
            if won:
                parts.append((won, "bold $text-success"))
            rows.append(Content.assemble(*parts))
            figures = node_figures(node, money)
            if figures:
                inner = continuation(prefix) + "│  "
                lines = wrap_cells(figures, width, inner, inner) if width else [inner + figures]
                rows += [Content.styled(line, "$text-muted") for line in lines]
        return Content("\n").join(rows)

    @staticmethod
    def _stages(insight: Insight) -> Content:
        top = max((t.median_days or 0 for t in insight.stages), default=0)
        parts: Parts = [(f"{'Stage':<18} {'Stays':>5}  {'Median':>6}", "$text-muted")]
        for t in insight.stages:
            median_bar = bar(round((t.median_days or 0) * 10), round(top * 10), BAR)
            parts += [
                "\n",
                f"{t.stage.label:<18} {t.stays:>5}  {days(t.median_days):>6}  ",
                (median_bar, "$primary"),
            ]
        slow = [t for t in insight.stages if t.slowest]
        if slow:
            parts += ["\n\n", ("Longest in their stage now", "$text-muted")]
            for t in slow:
                parts += ["\n", (f"{t.stage.short_label:<{SLOW_LABELS}}", "bold")]
                for n, s in enumerate(t.slowest):
                    parts += [
                        ", " if n else "",
                        text.line(s.card.name),
                        (f" {s.days}d", "$text-warning"),
                    ]
        return Content.assemble(*parts)

    @staticmethod
    def _criteria(insight: Insight) -> Content:
        if not insight.criteria:
            return Content.styled("No qualification answers in the window.", "italic $text-muted")
        most = max(f.no for f in insight.criteria)
        parts: Parts = []
        for n, failure in enumerate(insight.criteria):
            parts += [
                "\n" if n else "",
                text.line(name := clip_cells(clean_line(failure.criterion), 34)),
                " " * (34 - cell_width(name)),  # padded here: the sanitiser trims spaces
                f" {failure_label(failure):>10}  ",
                (bar(failure.no, most, 10), "$error"),
            ]
        worst = [s for s in insight.criteria_by_source if s.worst is not None]
        if worst:
            parts += ["\n\n", ("Failing most, by source", "$text-muted")]
            for source in worst:
                assert source.worst is not None
                parts += [
                    "\n",
                    (f"{source.source[:12]:<{SOURCE_LABELS}}", "bold"),
                    text.line(source.worst.criterion),
                    (f" ({failure_label(source.worst)})", "$text-muted"),
                ]
        return Content.assemble(*parts)

    # Keys ----------------------------------------------------------------------------------

    @property
    def report(self) -> VerticalScroll:
        return self.query_one("#report", VerticalScroll)

    def action_jump(self, section: str) -> None:
        heading: Widget = self.query_one(f"#{section}-heading")
        self.report.scroll_to_widget(heading, animate=False, top=True)

    def action_scroll(self, lines: int) -> None:
        self.report.scroll_relative(y=lines, animate=False)

    def action_page(self, pages: int) -> None:
        if pages > 0:
            self.report.scroll_page_down(animate=False)
        else:
            self.report.scroll_page_up(animate=False)

    def action_home(self) -> None:
        self.report.scroll_home(animate=False)

    def action_end(self) -> None:
        self.report.scroll_end(animate=False)

    def action_next_window(self) -> None:
        index = WINDOWS.index(self.window) if self.window in WINDOWS else 0
        self.window = WINDOWS[(index + 1) % len(WINDOWS)]
        self.notify(f"The last {self.window} days", timeout=2)
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Insight keys", self.BINDINGS))
