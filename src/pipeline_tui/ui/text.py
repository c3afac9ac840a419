"""User text on screen: sanitised once, and always a Content object, never markup."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from pipeline_tui.domain.text import clean_line, clean_text


def line(text: str, style: str = "") -> Content:
    """One line of user text, shown literally ("[b]" stays "[b]")."""
    return Content.styled(clean_line(text), style)


def block(text: str, style: str = "") -> Content:
    """Multi-line user text (notes), shown literally."""
    return Content.styled(clean_text(text), style)


def literal_markup(text: str) -> str:
    """Text for the few Textual APIs that only take markup (a palette hit's help): every
    "[" escaped, so the text shows exactly as given. Content is used everywhere else."""
    return clean_line(text).replace("[", "\\[")


def show(static: Static, content: Content) -> None:
    """Show `content` in `static`, unless it shows it already: Static.update lays the
    whole screen out again, and a hint under a field is set again on every key typed.
    (Content's == compares the text only: a due date turned late keeps its words.)
    Content, never a str, which Static would read as markup."""
    shown = static.content
    if isinstance(shown, Content) and content.is_same(shown):
        return
    static.update(content)
