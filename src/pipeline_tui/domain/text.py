"""The one sanitiser that all user-supplied text passes through before display or storage.

User text is data: it must never reach the terminal as control sequences, nor be read as
markup. Markup is handled by rendering text as Content/Text objects (never markup strings);
this module removes the characters a terminal would act on or that hide what text says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f: CSI, OSC, ... in
# 8-bit form). ESC (0x1b) is the start of every terminal escape sequence.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters) and
# invisible zero-width characters that can disguise text. ZWJ (U+200D) and ZWNJ (U+200C)
# stay: emoji sequences and several scripts need them.
#
# The Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) are letters that draw nothing, so
# a name made of them looks blank; worse, terminals and Textual disagree on their width
# (U+3164 is 2 cells to a terminal's wcwidth and 0 to Rich), so a line holding them is
# drawn wider than it was laid out and pushes the next column over. Nobody types them
# in a name or a note; they go. So do the other characters that only hide things: the
# soft hyphen, the combining grapheme joiner, invisible operators, deprecated format
# controls and interlinear annotations.
_INVISIBLE = (
    "\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u180e"
    "\u115f\u1160\u3164\uffa0"
    "\u00ad\u034f\u2061-\u2064\u206a-\u206f\ufff9-\ufffb"
)
# A complete escape sequence is removed whole, so no printable tail (like "]52;c;...")
# of an OSC or CSI is left behind in the text.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b[\]P_^X][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC, DCS, APC, PM, SOS ... BEL or ST
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI
    r"|\x1b[ -/]+[0-~]"  # character-set and similar (ESC ( B)
    r"|\x1b[0-~]"  # two-character escapes (ESC c, ESC 7)
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
)
_MULTILINE_STRIP = re.compile(f"[{_CONTROLS}{_INVISIBLE}]")
_LINE_STRIP = re.compile(f"[{_CONTROLS}{_INVISIBLE}\t\n]")


_HIDDEN = re.compile(f"[{_INVISIBLE}]")
# Python keeps bytes that are not UTF-8 (a Latin-1 terminal's argument, an 8-bit mail
# header, a Windows-1252 file on stdin) as lone surrogates, which no database, file or
# terminal can take: writing one raised UnicodeEncodeError.
_SURROGATE = re.compile("[\ud800-\udfff]")


def _byte_as_windows_1252(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # one undecodable byte (surrogateescape)
        return bytes([code - 0xDC00]).decode("cp1252", errors="replace")
    return "\ufffd"


def without_escape_sequences(text: str) -> str:
    """`text` with every terminal escape sequence taken out whole, and any ESC left;
    nothing else changed (pasted text keeps its tabs, newlines and carriage returns)."""
    return _ESCAPE_SEQUENCE.sub("", text).replace("\x1b", "")


def mend(text: str) -> str:
    """Text with each byte that was not UTF-8 read as Windows-1252 (what legacy mail,
    terminals and files send: "Ren\\xe9" becomes "René"), and any other lone surrogate
    as U+FFFD."""
    return _SURROGATE.sub(_byte_as_windows_1252, text)


def _plain(text: str) -> bool:
    """Nothing to strip: no control, format or separator character and no filler.

    isprintable() is the fast test (imports of 100,000 rows); the fillers are letters
    to it, so text beyond ASCII is searched for them as well.
    """
    return text.isprintable() and (text.isascii() or _HIDDEN.search(text) is None)


def clean_text(text: str) -> str:
    """Text safe to store and show, keeping newlines and tabs (notes, multi-line fields)."""
    if _plain(text):
        return text
    # A lone CR is a line break too (classic Mac text, Excel's "CSV (Macintosh)"):
    # dropped with the other control characters, it joined the words on either side.
    # CR CR LF: Windows text converted twice, one line break.
    text = mend(text).replace("\r\r\n", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return _MULTILINE_STRIP.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """One line of text safe to store and show: line breaks and tabs become spaces."""
    if _plain(text):  # the usual case, and a fast one
        return text.strip()
    text = _ESCAPE_SEQUENCE.sub("", mend(text))
    text = re.sub(r"[\t\r\n]+", " ", text)
    return _LINE_STRIP.sub("", text).strip()


def listed(words: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c": words in a sentence."""
    return words[-1] if len(words) < 2 else f"{', '.join(words[:-1])} and {words[-1]}"


def counted(number: int, word: str) -> str:
    """ "1 note", "3 notes": a count and its word, in a sentence."""
    return f"{number} {word}{'' if number == 1 else 's'}"


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed as "warm, saas  #fintech": lower-case, unique, in the order given."""
    seen: dict[str, None] = {}
    for raw in re.split(r"[,\s]+", clean_line(text)):
        tag = raw.lstrip("#").lower()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)


# Terminal cell widths -------------------------------------------------------------------
#
# Text laid out in columns (the stand-up for the shell, the CLI's tables) is measured in
# the cells a terminal gives each character, as wcwidth() does: East Asian wide and
# full-width characters take two, combining marks and format characters none. The
# sanitiser has already removed the characters terminals disagree about (the fillers).


@lru_cache(maxsize=4096)
def _char_cells(char: str) -> int:
    code = ord(char)
    if code < 0x7F:
        return 1 if code >= 0x20 else 0
    category = unicodedata.category(char)
    if category in ("Mn", "Me", "Cf", "Cc") or 0x1160 <= code <= 0x11FF:
        return 0  # combining marks, format controls, Hangul medial and final jamo
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cell_width(text: str) -> int:
    """How many terminal cells `text` takes on one line."""
    if text.isascii():
        return len(text)
    return sum(_char_cells(char) for char in text)


def clip_cells(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to at most `width` cells, ending with `ellipsis` when it was cut."""
    if cell_width(text) <= width:
        return text
    room = width - cell_width(ellipsis)
    if room < 0:
        return ""
    used = 0
    for index, char in enumerate(text):
        used += _char_cells(char)
        if used > room:
            return text[:index] + ellipsis
    return text  # pragma: no cover - the whole text fitted after all


def pad_cells(text: str, width: int) -> str:
    """`text` cut (with an ellipsis) or padded with spaces to exactly `width` cells."""
    clipped = clip_cells(text, width)
    return clipped + " " * (width - cell_width(clipped))


def wrap_cells(
    text: str, width: int, initial_indent: str = "", subsequent_indent: str = ""
) -> list[str]:
    """`text` wrapped at spaces into lines of at most `width` cells, indents included;
    a word longer than a line is broken where the line ends."""
    lines: list[str] = []
    line, used = initial_indent, cell_width(initial_indent)
    fresh = True  # nothing but the indent on the line yet
    for word in text.split():
        size = cell_width(word)
        if not fresh and used + 1 + size > width:
            lines.append(line)
            line, used, fresh = subsequent_indent, cell_width(subsequent_indent), True
        if not fresh:
            line, used = line + " ", used + 1
        while used + size > width and used < width:
            head = clip_cells(word, width - used, ellipsis="")
            if not head:  # a wide character where one cell is left
                break
            lines.append(line + head)
            word = word[len(head) :]
            size = cell_width(word)
            line, used = subsequent_indent, cell_width(subsequent_indent)
        line, used, fresh = line + word, used + size, False
    lines.append(line)
    return [item.rstrip() for item in lines]
