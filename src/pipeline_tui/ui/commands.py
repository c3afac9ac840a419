"""The command palette (ctrl+p) finds any card or note by its words, from anywhere.

Cards and the text on them come before commands: Textual's palette sorts every
provider's hits by score alone, and a command's fuzzy score can exceed 1, so commands
are scored below COMMAND_CEILING and the store's hits above it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.command import CommandInput, CommandList, CommandPalette, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.system_commands import SystemCommandsProvider

from pipeline_tui.domain.search import Found
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui import seams
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.key_order import hold_keys

if TYPE_CHECKING:
    from pipeline_tui.store import SearchHit

RESULTS = 20
COMMAND_CEILING = 0.5
"""Every command scores below this, every card or note hit above it."""


class OpensCards(Protocol):
    backend: Backend

    def open_card(self, card_id: int, note_id: int | None = None) -> None: ...


class CardSearch(Provider):
    """Full-text search over cards (names, organisations, tags, emails, phones) and the
    text on them (notes, next actions, touchpoints)."""

    async def search(self, query: str) -> Hits:
        app: OpensCards = self.app  # type: ignore[assignment]
        if not query.strip():
            return
        backend = app.backend
        hits = await backend.run(backend.service.search, query, RESULTS)
        for rank, hit in enumerate(hits):
            name = clean_line(hit.card_name)
            # The palette reads a hit's help as markup, so it never holds user text: the
            # name is in the display above it, which is Content.
            display, help_text = _describe(hit, name)
            # Already ranked by relevance in the store; all above the commands.
            relevance = 1.0 - rank / (len(hits) + 1)
            yield Hit(
                score=COMMAND_CEILING + (1.0 - COMMAND_CEILING) * relevance,
                match_display=display,
                command=partial(app.open_card, hit.card_id, hit.note_id),
                text=name,
                help=help_text,
            )


def _describe(hit: SearchHit, name: str) -> tuple[Content, str]:
    """What the palette shows of a hit: the card and the text that matched; its help."""
    if hit.found is Found.CARD:
        where = f"{clean_line(hit.organisation)} · " if hit.organisation else ""
        return (
            Content.assemble((name, "bold"), (f"  {where}{hit.stage.label}", "dim")),
            "Open the card",
        )
    if hit.note_kind is not None:
        return (
            Content.assemble(
                (name, "bold"), (f"  {hit.note_kind.label} note: ", "dim"), clean_line(hit.snippet)
            ),
            f"Open the card at this {hit.note_kind.label.lower()} note",
        )
    return (
        Content.assemble(
            (name, "bold"), (f"  {hit.found.label}: ", "dim"), clean_line(hit.snippet)
        ),
        "Open the card",
    )


class SearchPalette(CommandPalette):
    """Textual's palette, where enter acts on the hits of what is typed.

    Typed in one go with the last letters (over SSH, or a fast typist), enter opened the
    top hit of the search before them, another card, or closed an empty palette; the
    letters' search had not started, or not finished. Enter now comes after the input's
    last change is handled, and waits for its search to end.

    The keys typed after enter wait too, for what it opens: they went into the query."""

    BINDINGS = [Binding("enter", "enter", show=False, priority=True)]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._enter_waits = False
        self._release_keys: Callable[[], None] | None = None

    def action_enter(self) -> None:
        if self._release_keys is None:
            self._release_keys = hold_keys(self)
        # Behind the input's last change (in its queue, then in the palette's), which
        # starts the search of what is typed.
        field = self.query_one(CommandInput)
        field.call_later(self.call_later, self._enter_when_found)

    def _enter_when_found(self) -> None:
        if seams.palette_searching(self):
            self._enter_waits = True  # on_worker_state_changed
        else:
            self._enter()

    def on_worker_state_changed(self) -> None:
        if self._enter_waits and not seams.palette_searching(self):
            self._enter_waits = False
            self._enter()

    def _enter(self) -> None:
        seams.palette_enter(self)
        # What enter chose comes up to the palette from its list, as a message.
        self._after_path(self.query_one(CommandList))

    def _after_path(self, node: DOMNode) -> None:
        """Once `node` and each node above it up to the palette have handled what is in
        their queues now: enter chose nothing (the palette stays) or closed it
        (dismiss)."""
        if not node.call_later(self._followed, node):
            self._let_keys_go()

    def _followed(self, node: DOMNode) -> None:
        if node is self or node.parent is None:
            self._let_keys_go()
        else:
            self._after_path(node.parent)

    def _let_keys_go(self) -> None:
        release, self._release_keys = self._release_keys, None
        if release is not None:
            release()

    def dismiss(self, result: Any = None) -> AwaitComplete:
        release, self._release_keys = self._release_keys, None
        if release is not None:
            # The palette runs what was chosen next in the app's queue, so this comes
            # after it; a card screen it pushes holds the keys as it mounts, before
            # these go on to whatever screen is on top.
            app = self.app

            def after_the_command() -> None:
                if not app.screen.call_later(release):
                    release()

            app.call_later(app.call_later, after_the_command)
        return super().dismiss(result)


class KeyCommands(SystemCommandsProvider):
    """Textual's system commands and every key of the current screen (see
    PipelineApp.get_system_commands), scored below any card or note."""

    async def search(self, query: str) -> Hits:
        async for hit in super().search(query):
            if isinstance(hit, Hit):
                # A fuzzy score is positive and unbounded: this keeps its order.
                hit.score = COMMAND_CEILING * hit.score / (hit.score + 1.0)
            yield hit
