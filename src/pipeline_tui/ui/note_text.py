"""A research note's Markdown as lines of styled text, for a place with no room for
the Markdown widget (the call queue's brief): `**Customers**` reads as bold
"Customers", a list item starts with a bullet, as on the card screen.

The note is parsed as the card screen's viewer parses it (literal_markdown): links,
HTML and entities stay as typed, and the text is Content, so nothing in it acts.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from textual.content import Content

from pipeline_tui.domain.text import clean_line, clean_text
from pipeline_tui.ui.widgets.note_view import literal_markdown

_INLINE_STYLES = {"strong": "bold", "em": "italic", "s": "strike"}


@cache
def _parser() -> MarkdownIt:
    return literal_markdown()


_BLOCK_ENDS = frozenset(
    {
        "paragraph_close",
        "heading_close",
        "bullet_list_close",
        "ordered_list_close",
        "blockquote_close",
        "table_close",
        "fence",
        "code_block",
        "hr",
    }
)


def note_lines(body: str, *, gaps: bool = False) -> list[Content]:
    """The note's lines as shown: blocks one after another, with a blank line between
    them if `gaps` (the whole note), else none (a glimpse of it)."""
    lines: list[Content] = []
    quotes = 0
    lists = 0  # how deep in lists the text is: each level indents two columns
    bullet = ""  # what starts the next line: a list item's marker, then its width
    cells: list[Content] | None = None  # a table row's cells, while in one
    in_cell = heading = False
    for token in _parser().parse(clean_text(body)):
        kind = token.type
        if kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind in ("blockquote_open", "blockquote_close"):
            quotes += 1 if kind == "blockquote_open" else -1
        elif kind in ("bullet_list_open", "ordered_list_open"):
            lists += 1
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists -= 1
            bullet = ""
        elif kind == "list_item_open":
            marker = f"{token.info}{token.markup} " if token.info else "• "
            bullet = "  " * (lists - 1) + marker
        elif kind == "tr_open":
            cells = []
        elif kind == "tr_close" and cells is not None:
            lines.append(_quoted(quotes, Content("  │  ").join(cells)))
            cells = None
        elif kind in ("th_open", "td_open", "th_close", "td_close"):
            in_cell = kind.endswith("_open")
        elif kind == "inline" and token.children is not None:
            text = _inline(token.children, "bold" if heading else "")
            if in_cell and cells is not None:
                cells.append(text)
                continue
            for part in text.split("\n"):
                lines.append(_quoted(quotes, Content(bullet) + part))
                bullet = " " * len(bullet)  # a list item's later lines line up
        elif kind in ("fence", "code_block"):
            for code in token.content.rstrip("\n").split("\n"):
                lines.append(_quoted(quotes, Content(" " * len(bullet) + clean_line(code))))
        elif kind == "hr":
            lines.append(_quoted(quotes, Content.styled("───", "$text-muted")))
        if gaps and token.level == 0 and kind in _BLOCK_ENDS:
            lines.append(Content(""))
    shown: list[Content] = []
    for line in lines:
        blank = not line.plain.strip()
        if not blank or (shown and shown[-1].plain.strip()):
            shown.append(line)
    while shown and not shown[-1].plain.strip():
        shown.pop()
    return shown


def _inline(children: list[Token], style: str) -> Content:
    parts: list[Content] = []
    styles = [style] if style else []
    for child in children:
        kind = child.type
        name = kind.rpartition("_")[0]
        if kind in ("softbreak", "hardbreak"):
            parts.append(Content("\n"))
        elif name in _INLINE_STYLES and kind.endswith("_open"):
            styles.append(_INLINE_STYLES[name])
        elif name in _INLINE_STYLES and kind.endswith("_close"):
            if _INLINE_STYLES[name] in styles:
                styles.remove(_INLINE_STYLES[name])
        elif child.content:
            parts.append(Content.styled(child.content, " ".join(dict.fromkeys(styles))))
    return Content("").join(parts)


def _quoted(quotes: int, line: Content) -> Content:
    return Content.styled("│ " * quotes, "$text-muted") + line if quotes else line
