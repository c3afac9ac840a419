"""User text on screen: sanitised once, and always a Content object, never markup."""

from __future__ import annotations

from collections.abc import Sequence

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


def fitting(forms: Sequence[Content], width: int) -> Content:
    """The first of `forms` (longest first) that fits in `width` cells on one line;
    the last, to wrap, if none does."""
    return next((form for form in forms if form.cell_length <= width), forms[-1])


def show_fitting(static: Static, forms: Sequence[Content], screen_width: int) -> None:
    """Show in `static`, a full-width line, the first of `forms` that fits on one line
    at `screen_width` (a resize's new width, before the layout has caught up)."""
    show(static, fitting(forms, screen_width - static.styles.gutter.width))
