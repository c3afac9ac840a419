"""The one sanitiser that all user-supplied text passes through before display or storage.

User text is data: it must never reach the terminal as control sequences, nor be read as
markup. Markup is handled by rendering text as Content/Text objects (never markup strings);
this module removes the characters a terminal would act on or that hide what text says.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls (0x80-0x9f: CSI, OSC, ... in
# 8-bit form). ESC (0x1b) is the start of every terminal escape sequence.
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
# Bidirectional embeddings, overrides and isolates (the "Trojan Source" characters) and
# invisible zero-width characters that can disguise text. ZWJ (U+200D) and ZWNJ (U+200C)
# stay: emoji sequences and several scripts need them.
_INVISIBLE = "\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff\u180e"
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


def clean_text(text: str) -> str:
    """Text safe to store and show, keeping newlines and tabs (notes, multi-line fields)."""
    if text.isprintable():  # no control, format or separator characters: nothing to strip
        return text
    text = text.replace("\r\n", "\n")
    return _MULTILINE_STRIP.sub("", _ESCAPE_SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """One line of text safe to store and show: line breaks and tabs become spaces."""
    if text.isprintable():  # the usual case, and a fast one (imports of 100,000 rows)
        return text.strip()
    text = _ESCAPE_SEQUENCE.sub("", text)
    text = re.sub(r"[\t\r\n]+", " ", text)
    return _LINE_STRIP.sub("", text).strip()


def split_tags(text: str) -> tuple[str, ...]:
    """Tags typed as "warm, saas  #fintech": lower-case, unique, in the order given."""
    seen: dict[str, None] = {}
    for raw in re.split(r"[,\s]+", clean_line(text)):
        tag = raw.lstrip("#").lower()
        if tag:
            seen.setdefault(tag, None)
    return tuple(seen)
