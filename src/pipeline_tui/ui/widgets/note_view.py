"""The highlighted research note, read-only, its Markdown rendered.

A note is the rep's own text, but it may have been pasted from an email or a web page,
or imported: it is shown so that nothing in it acts. Textual markup ("[b]") is never
read (the Markdown widget builds Content from the text); HTML, links, images, link
references and character entities stay as typed (so a link shows where it goes, and
"&#x202e;" cannot turn text around); terminal controls are gone before parsing (the
sanitiser). Only the start of a long note is rendered: it opens whole with enter.
"""

from __future__ import annotations

import asyncio

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Markdown, Static

from pipeline_tui.domain.cards import NoteView
from pipeline_tui.domain.text import clean_text
from pipeline_tui.ui import text
from pipeline_tui.ui.styles import load_tcss

SHOWN_CHARS = 4_000
"""Rendered of a note: a screenful or two, and quick to parse and lay out."""
SHOWN_LINES = 80

_LITERAL_RULES = ["html_block", "html_inline", "link", "image", "autolink", "reference", "entity"]


def literal_markdown() -> MarkdownIt:
    """Headings, emphasis, lists, quotes, code and tables; nothing that points away,
    hides what it says, or turns into other characters."""
    parser = MarkdownIt("gfm-like", {"html": False, "linkify": False})
    parser.disable([*_LITERAL_RULES, "linkify"], ignoreInvalid=True)
    parser.core.ruler.push("typed_line_breaks", _typed_line_breaks)
    return parser


def _typed_line_breaks(state: StateCore) -> None:
    """A line break the rep typed is one on screen, as in the editor (Markdown would
    run the lines together; Textual's widget ignores the parser's "breaks" option)."""
    for token in state.tokens:
        for child in token.children or ():
            if child.type == "softbreak":
                child.type = "hardbreak"


def shown_markdown(body: str) -> str:
    """The part of a note that is rendered: sanitised, and cut where it gets long."""
    head = body[:SHOWN_CHARS]
    lines = head.splitlines()
    cut = len(body) > SHOWN_CHARS or len(lines) > SHOWN_LINES
    text = clean_text("\n".join(lines[:SHOWN_LINES]))
    if cut:
        text += "\n\n*… the rest of the note opens with enter.*"
    return text


class NoteViewer(VerticalScroll, can_focus=False):
    """Shows one note (the list beside it keeps the focus and the keys)."""

    DEFAULT_CSS = load_tcss(__file__)

    def __init__(self, note: NoteView | None = None, *, id: str | None = None) -> None:
        """`note`: the note shown from the start. Given here rather than to `show`, it
        is rendered before the screen's first frame: Markdown renders a later note in
        the background and mounts it a few frames after."""
        super().__init__(id=id)
        self.shown: tuple[int, int] | None = _key(note)
        """The note (id, version) on show, so a repaint of the same note is skipped."""
        self._first = note
        self._rendering: AwaitComplete | None = None
        self.display = note is not None

    def compose(self) -> ComposeResult:
        note, self._first = self._first, None
        yield Static(_stamp(note) if note is not None else "", id="note-stamp")
        yield Markdown(
            shown_markdown(note.body) if note is not None else None,
            parser_factory=literal_markdown,
            open_links=False,
        )

    def show(self, note: NoteView | None) -> None:
        key = _key(note)
        if key == self.shown and self._rendered_whole():
            return
        self.shown = key
        stamp = self.query_one("#note-stamp", Static)
        markdown = self.query_one(Markdown)
        self.display = note is not None
        if note is None:
            text.show(stamp, Content(""))
            self._rendering = markdown.update("")
            return
        text.show(stamp, _stamp(note))
        self._rendering = markdown.update(shown_markdown(note.body))
        self.scroll_home(animate=False)

    async def rendered(self) -> None:
        """Returns once the note last shown is mounted (Markdown renders in the
        background). Whoever waits can be cancelled (the card screen being filled for a
        card the rep moved away from); the rendering goes on, so the note it was for
        is not left half shown."""
        if self._rendering is not None:
            await asyncio.shield(asyncio.ensure_future(self._rendering))

    def _rendered_whole(self) -> bool:
        """The last rendering has not ended short (failed or cancelled)."""
        rendering = self._rendering
        if rendering is None or not rendering.is_done:
            return True
        try:
            return rendering.exception is None
        except asyncio.CancelledError:
            return False


def _key(note: NoteView | None) -> tuple[int, int] | None:
    return (note.id, note.version) if note is not None else None


def _stamp(note: NoteView) -> Content:
    when = f"{note.updated_at.astimezone():%Y-%m-%d %H:%M}"
    if note.updated_at != note.created_at:
        when += " (edited)"
    return Content.assemble(
        (note.kind.label.upper(), "bold $accent"),
        ("  ", ""),
        (when, "$text-muted"),
        ("  enter edits", "italic $text-muted"),
    )
