"""An archived card, read-only: who they are, where it was and why it left the board,
what was next, and the research notes. `r` restores it; escape goes back to the archive.

Nothing here edits the card: an archived card is changed by restoring it first.
"""

from __future__ import annotations

from datetime import date

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from pipeline_tui.domain.cards import ArchivedCard, CardDetail
from pipeline_tui.domain.dates import describe_due_beside_date
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.store import StoreError
from pipeline_tui.ui import seams, text
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.widgets.key_footer import KeyFooter
from pipeline_tui.ui.widgets.screen_header import ScreenHeader


class ArchivedCardScreen(seams.FullScreen[bool | None]):
    """Dismisses with True when the rep asked to restore the card (the archive restores
    it, as `r` there does), or None on escape."""

    CSS_PATH = "archived_card.tcss"
    BINDINGS = [
        Binding(
            "r",
            "restore",
            "Restore",
            tooltip="Restore the card to the top of its stage",
            id="archived_card.restore",
        ),
        Binding("escape", "back", "Back", tooltip="Back to the archive", id="archived_card.back"),
        Binding(
            "question_mark", "help", "Keys", tooltip="Show these keys", id="archived_card.help"
        ),
    ]

    def __init__(self, backend: Backend, card: ArchivedCard) -> None:
        super().__init__()
        self.backend = backend
        self.archived = card

    def compose(self) -> ComposeResult:
        yield ScreenHeader()
        with VerticalScroll(id="archived-card"):
            yield Static(_profile(self.archived.name, self.archived.organisation), id="profile")
            yield Static(_archived(self.archived), id="why")
            yield Static(Content.styled("Loading…", "italic"), id="facts")
            yield Static(Content("Next action"), classes="heading")
            yield Static(id="next")
            yield Static(Content("Research notes"), classes="heading", id="notes-heading")
            yield Static(id="notes")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.sub_title = f"Archived · card {self.archived.id}"
        self.query_one("#archived-card").focus()
        self.load()

    @work(exclusive=True, group="archived-card-load")
    async def load(self) -> None:
        try:
            card = await self.backend.run(self.backend.service.card, self.archived.id)
        except StoreError as error:
            self.query_one("#facts", Static).update(Content(str(error)))
            return
        self.show(card)

    def show(self, card: CardDetail) -> None:
        s = card.summary
        self.query_one("#profile", Static).update(_profile(s.name, s.organisation))
        self.query_one("#facts", Static).update(_facts(card))
        self.query_one("#next", Static).update(_next_action(card, self.backend.today()))
        heading = f"Research notes ({len(card.notes)})"
        self.query_one("#notes-heading", Static).update(Content(heading))
        self.query_one("#notes", Static).update(_notes(card))

    def action_restore(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(None)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen("Archived card keys", self.BINDINGS))


def _profile(name: str, organisation: str) -> Content:
    parts: list[Content | str | tuple[str, str]] = [text.line(name, "bold $accent")]
    if organisation:
        parts += ["\n", text.line(organisation, "bold")]
    return Content.assemble(*parts)


def _archived(card: ArchivedCard) -> Content:
    """ "Archived 2026-11-20 from Prospect · Lost: went with a cheaper supplier"."""
    day = card.archived_at.astimezone().strftime("%Y-%m-%d")
    reason = card.reason.label if card.reason else "no reason given"
    parts: list[Content | str | tuple[str, str]] = [
        ("Archived ", "bold"),
        (day, "bold"),
        (f" from {card.stage.label}", "bold"),
        ("  ·  ", "$text-muted"),
        (reason, "bold"),
    ]
    if card.note:
        parts += [": ", text.line(card.note, "italic")]
    return Content.assemble(*parts)


def _facts(card: CardDetail) -> Content:
    s = card.summary
    facts = [("Email", card.email), ("Phone", card.phone), ("Owner", s.owner)]
    if s.tags:
        facts.append(("Tags", " ".join(f"#{tag}" for tag in s.tags)))
    if card.source:
        facts.append(("Source", card.source.label))
    rows = [
        Content.assemble((f"{label:<8}", "$text-muted"), text.line(value))
        for label, value in facts
        if value
    ]
    return Content("\n").join(rows) if rows else Content.styled("No contact details.", "italic")


def _next_action(card: CardDetail, today: date) -> Content:
    s = card.summary
    if not s.next_action and s.next_action_due is None:
        return Content.styled("None was set.", "italic $text-muted")
    parts: list[Content | str | tuple[str, str]] = [
        text.line(s.next_action or "(no description)", "bold")
    ]
    if s.next_action_due is not None:
        label = describe_due_beside_date(s.next_action_due, today)
        parts.append((f"\ndue {s.next_action_due.isoformat()} ({label})", "$text-muted"))
    return Content.assemble(*parts)


def _notes(card: CardDetail) -> Content:
    """Every note in full, grouped by kind as on the card screen, newest first."""
    blocks: list[Content] = []
    for kind in NoteKind:
        of_kind = [note for note in card.notes if note.kind is kind]
        for note in sorted(of_kind, key=lambda note: note.updated_at, reverse=True):
            day = note.updated_at.astimezone().strftime("%Y-%m-%d")
            heading = Content.assemble(
                (kind.label.upper(), "bold $accent"), (f"  {day}", "$text-muted")
            )
            blocks.append(Content("\n").join([heading, text.block(note.body)]))
    if not blocks:
        return Content.styled("No research notes.", "italic $text-muted")
    return Content("\n\n").join(blocks)
