"""Bytes to text: the encodings contact files come in.

UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text",
old Google exports), and, when the bytes are not UTF-8, Windows-1252: what Outlook
and Excel on Windows write by default. The fallback is said in the summary, as are the
few bytes replaced in a file that is UTF-8 but for them.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    """What the file was read as, in words for the summary ("UTF-16", "Windows-1252")."""
    guessed: bool = False
    """True when the bytes were not UTF-8 and Windows-1252 was assumed."""
    replaced: int = 0
    """How many places were replaced by U+FFFD: bytes that are not UTF-8 in a file that
    otherwise is, or bytes Windows-1252 leaves undefined in a file read as that."""
    first_replaced_line: int | None = None


_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

_UNDEFINED_IN_1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
"""The bytes Windows-1252 gives no character."""


class EncodingError(ValueError):
    """Bytes that cannot be text in any encoding we read."""


def decode(data: bytes) -> Decoded:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec).removeprefix("\ufeff"), label)
            except UnicodeDecodeError as error:
                if label == "UTF-8":  # Excel's "CSV UTF-8" with a character cut in two
                    damaged = _damaged_utf8(data[len(bom) :], max(0, error.start - len(bom)))
                    if damaged is not None:
                        return damaged
                raise EncodingError(
                    f"it starts as {label} text but byte {error.start + 1} is not {label}"
                ) from None
    if _looks_like_utf16(data):
        codec = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
        try:
            return Decoded(data.decode(codec), "UTF-16")
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    if b"\x00" in data:
        raise EncodingError("it is not text (it holds NUL bytes); save it as CSV and try again")
    damaged = _damaged_utf8(data, first_bad)
    if damaged is not None:
        return damaged
    # The five bytes Windows-1252 leaves undefined are shown as U+FFFD and said, as a
    # damaged UTF-8 file's are: read as Latin-1 they were control characters, which
    # the sanitiser then dropped without a word ("Jos\x81 N" became "Jos N").
    text = data.decode("cp1252", errors="replace")
    replaced = text.count("\ufffd")
    line = None
    if replaced:
        first = min(at for byte in _UNDEFINED_IN_1252 if (at := data.find(byte)) >= 0)
        line = data.count(b"\n", 0, first) + 1
    return Decoded(text, "Windows-1252", True, replaced, line)


WIDE = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def wide_as_utf8(data: bytes) -> bytes:
    """UTF-16 or UTF-32 text (Notepad's "Unicode", a vCard saved by Outlook) as UTF-8,
    for readers that take UTF-8 or legacy bytes; any other bytes as they are."""
    if not (data.startswith(WIDE) or _looks_like_utf16(data)):
        return data
    try:
        return decode(data).text.encode("utf-8", errors="surrogateescape")
    except EncodingError:
        return data


def _damaged_utf8(data: bytes, first_bad: int) -> Decoded | None:
    """UTF-8 with a few bytes that are not (a character cut in two by a tool that
    counted bytes), read as UTF-8 with those replaced, where Windows-1252 would garble
    every other accented letter of the file ("日本" became "æ—¥æœ¬"). Taken so while its
    good characters of more than one byte are at least as many as its bad places: a
    file written in Windows-1252 has next to none (its "é" is one byte, never UTF-8)."""
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    good = sum(1 for character in text if ord(character) > 0x7F) - replaced
    if good < max(1, replaced):
        return None
    line = data.count(b"\n", 0, first_bad) + 1
    return Decoded(text, "UTF-8", replaced=replaced, first_replaced_line=line)


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:200]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even, odd) > half * 0.4 and min(even, odd) == 0
