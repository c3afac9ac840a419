"""Which kind of file this is, and its contents as a table (or as our JSON export)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline_tui.domain.importing.contacts import is_known_header
from pipeline_tui.domain.importing.encoding import EncodingError, decode
from pipeline_tui.domain.importing.errors import ImportFileError
from pipeline_tui.domain.importing.table import Table, read_csv
from pipeline_tui.domain.importing.vcard import looks_like_vcard, read_vcards
from pipeline_tui.domain.importing.xlsx import XLSX_MAGIC, read_xlsx


@dataclass(frozen=True)
class JsonDocument:
    """A file that is JSON: our own export, read by pipeline_tui.domain.importing.export."""

    text: str


_CHARACTER_FOLDED = re.compile(rb"([\xc2-\xf4][\x80-\xbf]{0,2})(\r?\n[ \t])([\x80-\xbf]+)")
"""A vCard line folded inside a UTF-8 character, as some exporters fold at 75 bytes
(RFC 6350 3.2 warns of it): decoded first, each half became \ufffd. The fold is moved
to after the character, so every line keeps its number."""


def read_contacts(data: bytes, suffix: str) -> Table | JsonDocument:
    """The file's contacts as a table, or its text if it is JSON."""
    suffix = suffix.lower()
    if data.startswith(XLSX_MAGIC) or suffix in (".xlsx", ".xlsm"):
        if not data.startswith(XLSX_MAGIC):
            raise ImportFileError("It is named .xlsx but is not an Excel workbook")
        return read_xlsx(data, is_known_header)
    if suffix == ".xls" and data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            "It is an old Excel 97-2003 workbook (.xls); save it as .xlsx or CSV and try again"
        )
    if suffix in (".vcf", ".vcard") or data.lstrip(b"\xef\xbb\xbf \t\r\n")[:11].upper() == (
        b"BEGIN:VCARD"
    ):
        data = _CHARACTER_FOLDED.sub(rb"\1\3\2", data)
    try:
        decoded = decode(data)
    except EncodingError as error:
        raise ImportFileError(f"The file cannot be read as text: {error}") from None
    text = decoded.text
    if suffix == ".json" or text.lstrip().startswith("{"):
        return JsonDocument(text)
    if looks_like_vcard(text) or suffix in (".vcf", ".vcard"):
        table = read_vcards(text)
    else:
        table = read_csv(text, is_known_header)
    if decoded.guessed:
        note = f"read as {decoded.encoding}: the file is not UTF-8"
        if decoded.replaced:
            places = "1 byte" if decoded.replaced == 1 else f"{decoded.replaced} bytes"
            note += (
                f"; {places} that {'is' if decoded.replaced == 1 else 'are'} not Windows-1252 "
                f"either shown as \ufffd (the first on line {decoded.first_replaced_line})"
            )
        table.notes.append(note)
    elif decoded.replaced:
        places = "1 place" if decoded.replaced == 1 else f"{decoded.replaced} places"
        table.notes.append(
            f"read as UTF-8, with {places} that {'is' if decoded.replaced == 1 else 'are'} "
            f"not UTF-8 shown as \ufffd (the first on line {decoded.first_replaced_line})"
        )
    elif decoded.encoding not in ("UTF-8",):
        table.notes.append(f"read as {decoded.encoding}")
    return table
