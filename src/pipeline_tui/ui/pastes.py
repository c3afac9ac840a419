"""Bracketed pastes, read before Textual's parser reads them.

A terminal sends a paste between ESC [ 200 ~ and ESC [ 201 ~, and Textual hands the
app the pasted text in one Paste event at its end. Textual 8.2.8's parser reads an ESC
inside a paste as the start of a key's sequence, though: the rest went to the app as
keys at once, ahead of the paste. "AAA \\x1b[31mBBB CCC" pasted into a note (colours
copied from a terminal) came out "^[31mBBB CCCAAA ", its parts swapped. An escape
sequence in a paste is formatting, which the sanitiser takes out of user text anyway
(domain.text), so it goes here, before the parser sees the paste. A paste is held
until its end marker, as the parser holds it.
Upstream: no issue found about escapes inside a bracketed paste as of 8.2.8.
"""

from __future__ import annotations

from pipeline_tui.domain.text import without_escape_sequences

PASTE_START = "\x1b[200~"
PASTE_END = "\x1b[201~"


class BracketedPastes:
    """Terminal input, chunk by chunk as read (`__call__`), with the escape sequences
    inside each bracketed paste taken out; a marker may be split across reads."""

    def __init__(self) -> None:
        self._pasting = False
        self._held = ""
        """The paste read so far (pasting)."""
        self._tail = ""
        """The end of the input handed on, where a start marker split across reads
        begins."""

    def take_unfinished(self) -> str:
        """The paste read so far whose end never came (the terminal hung up in the
        middle of it), as pasted text; forgotten here."""
        if not self._pasting:
            return ""
        text, self._pasting, self._held = self._held, False, ""
        return without_escape_sequences(text)

    def __call__(self, data: str) -> str:
        handed: list[str] = []
        while data:
            if not self._pasting:
                seen = self._tail + data
                start = seen.find(PASTE_START)
                if start < 0:
                    handed.append(data)
                    self._tail = seen[-(len(PASTE_START) - 1) :]
                    break
                past_start = start + len(PASTE_START) - len(self._tail)
                handed.append(data[:past_start])
                data = data[past_start:]
                self._pasting, self._tail = True, ""
            else:
                # From just before what came now: a long paste read in many chunks is
                # not searched again from its start each time.
                already = max(0, len(self._held) - len(PASTE_END) + 1)
                self._held += data
                end = self._held.find(PASTE_END, already)
                if end < 0:
                    break
                handed.append(without_escape_sequences(self._held[:end]) + PASTE_END)
                data = self._held[end + len(PASTE_END) :]
                self._pasting, self._held = False, ""
        return "".join(handed)
