"""The command palette (ctrl+p) finds any card or note by its words, from anywhere."""

from __future__ import annotations

from functools import partial
from typing import Protocol

from textual.command import Hit, Hits, Provider
from textual.content import Content

from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui.backend import Backend

RESULTS = 20


class OpensCards(Protocol):
    backend: Backend

    def open_card(self, card_id: int, note_id: int | None = None) -> None: ...


class CardSearch(Provider):
    """Full-text search over card names, organisations, tags and research notes."""

    async def search(self, query: str) -> Hits:
        app: OpensCards = self.app  # type: ignore[assignment]
        if not query.strip():
            return
        backend = app.backend
        hits = await backend.run(backend.service.search, query, RESULTS)
        for rank, hit in enumerate(hits):
            name = clean_line(hit.card_name)
            where = f"{clean_line(hit.organisation)} · " if hit.organisation else ""
            # The palette reads a hit's help as markup, so it never holds user text: the
            # name is in the display above it, which is Content.
            if hit.note_kind is None:
                display = Content.assemble((name, "bold"), (f"  {where}{hit.stage.label}", "dim"))
                help_text = "Open the card"
            else:
                display = Content.assemble(
                    (name, "bold"),
                    (f"  {hit.note_kind.label} note: ", "dim"),
                    clean_line(hit.snippet),
                )
                help_text = f"Open the {hit.note_kind.label.lower()} note on this card"
            yield Hit(
                score=1.0 - rank / (len(hits) + 1),  # already ranked by relevance in the store
                match_display=display,
                command=partial(app.open_card, hit.card_id, hit.note_id),
                text=name,
                help=help_text,
            )
