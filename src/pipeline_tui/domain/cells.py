"""How wide text is on a terminal, in cells, and wrapping that keeps to a width in cells.

A name written in Chinese or with an emoji takes two cells a character, an accent typed
as a combining mark takes none, so `len()` says little about whether a line fits 80
columns. Plain Python (unicodedata), so the shell's text reports can use it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")


@lru_cache(maxsize=4096)
def char_cells(char: str) -> int:
    """Cells one character takes: 0 (combining marks, joiners), 1, or 2 (wide, emoji)."""
    if char in _ZERO_WIDTH or unicodedata.combining(char):
        return 0
    code = ord(char)
    if code < 32 or 0x7F <= code < 0xA0:
        return 0
    if 0xFE00 <= code <= 0xFE0F:  # variation selectors change a glyph, not its width
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """Cells `text` takes on one line of a terminal."""
    if text.isascii():
        return len(text)
    return sum(char_cells(char) for char in text)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` cells, ending in "…" when something was cut."""
    if cells(text) <= width:
        return text
    if width <= 0:
        return ""
    kept: list[str] = []
    used = 0
    for char in text:
        size = char_cells(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + "…"


def pad(text: str, width: int) -> str:
    """`text` padded with spaces on the right to `width` cells (never cut)."""
    return text + " " * max(0, width - cells(text))


def wrap(text: str, width: int, *, first: str = "", rest: str = "") -> list[str]:
    """Lines of at most `width` cells: words go whole onto the next line when they do
    not fit, and a word longer than a line is broken. `first` starts the first line
    and `rest` every other one (indents or labels, counted in the width)."""
    lines: list[str] = []
    line, used = first, cells(first)
    indent = cells(rest)
    fresh = True  # nothing of the text on this line yet
    for word in text.split():
        size = cells(word)
        gap = 0 if fresh else 1
        if used + gap + size <= width:
            line += " " * gap + word
            used += gap + size
            fresh = False
            continue
        if not fresh or size <= width - indent:
            lines.append(line.rstrip())
            line, used = rest, indent
        while size > width - used:  # longer than a whole line: broken
            head, head_size = _take(word, max(1, width - used))
            if not head:  # a wide character with one cell left: it goes whole
                head, head_size = word[0], char_cells(word[0])
            lines.append(line + head)
            word, size = word[len(head) :], size - head_size
            line, used = rest, indent
        line += word
        used += size
        fresh = False
    lines.append(line.rstrip())
    return lines


def _take(word: str, width: int) -> tuple[str, int]:
    used = 0
    for index, char in enumerate(word):
        size = char_cells(char)
        if used + size > width:
            return word[:index], used
        used += size
    return word, used
