"""The research note editor's text area: Textual's TextArea, quick at 2,000,000 characters.

Textual 8.2.8's TextArea does two things per line it draws that grow with the note: it
joins the whole document into one string (to see whether to show a placeholder), and it
adds up the wrapped height of every line of the document. A screenful is drawn on
every key, so a note at the limit (2,000,000 characters, some 25,000 lines) took about
200 ms to echo a key, and a note of one long paragraph seconds (each key wrapped the
whole paragraph again). Here the document keeps its joined text and the wrapped
document its height until the next edit; a note with a line too long to wrap on every
key is shown unwrapped.
"""

from __future__ import annotations

from textual.widgets import TextArea
from textual.widgets.text_area import (
    Document,
    DocumentNavigator,
    EditResult,
    Location,
    WrappedDocument,
)

WRAP_LINE_LIMIT = 20_000
"""Characters in one line beyond which the note is not soft-wrapped: wrapping a line is
done again on every key typed in it."""


class NoteDocument(Document):
    """A plain-text document that joins its lines once per edit, not once per read."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._joined: str | None = None

    @property
    def text(self) -> str:
        if self._joined is None:
            self._joined = super().text
        return self._joined

    def replace_range(self, start: Location, end: Location, text: str) -> EditResult:
        self._joined = None
        return super().replace_range(start, end, text)


class CountedWrap(WrappedDocument):
    """A wrapped document that adds up its height once per (re)wrap, not once per read."""

    def __init__(self, document: Document, width: int = 0, tab_width: int = 4) -> None:
        self._height: int | None = None
        super().__init__(document, width, tab_width)

    @property
    def height(self) -> int:
        if self._height is None:
            self._height = super().height
        return self._height

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        self._height = None
        super().wrap(width, tab_width)
        self._height = None

    def wrap_range(self, start: Location, old_end: Location, new_end: Location) -> None:
        self._height = None
        super().wrap_range(start, old_end, new_end)
        self._height = None


class NoteArea(TextArea):
    """A TextArea for one research note (plain text, no syntax highlighting)."""

    def __init__(self, text: str, *, id: str | None = None) -> None:
        longest = max((len(line) for line in text.splitlines()), default=0)
        super().__init__("", soft_wrap=longest <= WRAP_LINE_LIMIT, tab_behavior="focus", id=id)
        # The documented attributes, given the quicker document classes; TextArea wraps
        # the document when it is first laid out.
        document = NoteDocument(text)
        self.document = document
        self.wrapped_document = CountedWrap(document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
