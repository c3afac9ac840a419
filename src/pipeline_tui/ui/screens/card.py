"""The card screen: profile, next action, research notes, touchpoints and stage history."""

from __future__ import annotations

from datetime import date, datetime

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from pipeline_tui.domain.cards import CardDetail
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.store import StoreError
from pipeline_tui.ui import text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.screens.help import HelpScreen


class CardScreen(Screen[None]):
    CSS_PATH = "card.tcss"
    BINDINGS = [
        Binding("escape", "back", "Back", id="card.back"),
        Binding("question_mark", "help", "Keys", id="card.help"),
    ]

    def __init__(self, backend: Backend, card_id: int) -> None:
        super().__init__()
        self.backend = backend
        self.card_id = card_id

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="body"):
            yield Static(Content.styled("Loading…", "italic"), id="profile", classes="section")
            for section in ("next", "notes", "touchpoints", "history"):
                yield Static(classes="heading", id=f"{section}-heading")
                yield Static(classes="section", id=section)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#body").focus()
        self.load()

    @work(exclusive=True)
    async def load(self) -> None:
        try:
            detail = await self.backend.run(self.backend.service.card, self.card_id)
        except StoreError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss()
            return
        self.show(detail)

    def show(self, card: CardDetail) -> None:
        s = card.summary
        self.sub_title = f"{s.stage.label} · card {s.id}"
        today = self.backend.today()
        self.query_one("#profile", Static).update(self._profile(card))
        self._section("next", "Next action", self._next_action(card, today))
        self._section("notes", f"Research notes ({len(card.notes)})", self._notes(card))
        self._section(
            "touchpoints", f"Touchpoints ({len(card.touchpoints)})", self._touchpoints(card)
        )
        self._section("history", "Stage history", self._history(card))

    def _section(self, key: str, heading: str, body: Content) -> None:
        self.query_one(f"#{key}-heading", Static).update(heading)
        self.query_one(f"#{key}", Static).update(body)

    @staticmethod
    def _profile(card: CardDetail) -> Content:
        s = card.summary
        parts: list[Content | str | tuple[str, str]] = [text.line(s.name, "bold $accent")]
        if s.organisation:
            parts += ["\n", text.line(s.organisation, "bold")]
        facts = [
            ("Stage", s.stage.label),
            ("Owner", s.owner),
            ("Email", card.email),
            ("Phone", card.phone),
        ]
        if s.tags:
            facts.append(("Tags", " ".join(f"#{t}" for t in s.tags)))
        if card.source:
            facts.append(("Source", card.source.label))
        if card.market:
            facts.append(("Market", card.market.value))
        if card.archived_at and card.archive_reason:
            facts.append(("Archived", f"{card.archive_reason.label} {card.archive_note}".strip()))
        parts.append("\n")
        for label, value in facts:
            if value:
                parts += [(f"\n{label:>8}  ", "$text-muted"), text.line(value)]
        return Content.assemble(*parts)

    @staticmethod
    def _next_action(card: CardDetail, today: date) -> Content:
        s = card.summary
        if not s.next_action and s.next_action_due is None:
            return Content.styled("No next action yet.", "italic $text-muted")
        parts: list[Content | str | tuple[str, str]] = [
            text.line(s.next_action or "(no description)")
        ]
        if s.next_action_due is not None:
            label = describe_due(s.next_action_due, today)
            if s.is_overdue(today):
                style, mark = "bold $text-error", "! "
            elif s.is_due_today(today):
                style, mark = "bold $text-warning", ""
            else:
                style, mark = "$text-muted", ""
            parts.append((f"  {mark}due {s.next_action_due.isoformat()} ({label})", style))
        return Content.assemble(*parts)

    @staticmethod
    def _notes(card: CardDetail) -> Content:
        if not card.notes:
            return Content.styled("Nothing written yet about their business.", "italic $text-muted")
        parts: list[Content | str | tuple[str, str]] = []
        for kind in NoteKind:
            notes = [n for n in card.notes if n.kind is kind]
            if not notes:
                continue
            if parts:
                parts.append("\n\n")
            parts.append((kind.label.upper(), "bold"))
            for note in notes:
                parts += [(f"\n{_when(note.updated_at)}  ", "$text-muted"), text.block(note.body)]
        return Content.assemble(*parts)

    @staticmethod
    def _touchpoints(card: CardDetail) -> Content:
        if not card.touchpoints:
            return Content.styled("No touchpoints logged.", "italic $text-muted")
        rows = [
            Content.assemble(
                (f"{tp.happened_on.isoformat()}  ", "$text-muted"),
                (f"{tp.kind.label:<24}", "bold"),
                text.line(tp.summary),
            )
            for tp in card.touchpoints
        ]
        return Content("\n").join(rows)

    def _history(self, card: CardDetail) -> Content:
        events = card.history
        now = self.backend.service.clock()
        rows = []
        for n, event in enumerate(events):
            until = events[n + 1].at if n + 1 < len(events) else now
            days = max(0, (until - event.at).days)
            if event.from_stage is None:
                move = f"Added as {event.to_stage.label}"
            else:
                move = f"{event.from_stage.label} → {event.to_stage.label}"
            rows.append(
                Content.assemble(
                    (f"{_when(event.at)}  ", "$text-muted"),
                    f"{move:<34}",
                    (f"{days:>3}d in stage  ", "$text-muted"),
                    text.line(f"by {event.by}", "$text-muted"),
                )
            )
        return Content("\n").join(rows)

    def action_back(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Card keys", self.BINDINGS))


def _when(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")
