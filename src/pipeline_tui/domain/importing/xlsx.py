"""Excel workbooks (.xlsx, HubSpot's default export): the first sheet, as a table.

Read with openpyxl in read-only mode, which streams rows instead of building the
whole workbook. Cells become the text a CSV export of the same sheet would hold:
dates as ISO days, whole numbers without ".0".
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time

from pipeline_tui.domain.importing.errors import ImportFileError
from pipeline_tui.domain.importing.table import HEADER_SEARCH, Table, find_header

XLSX_MAGIC = b"PK\x03\x04"


def read_xlsx(data: bytes, is_known_header: Callable[[str], bool]) -> Table:
    from openpyxl import load_workbook  # a few tens of ms: only for workbooks

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(f"The workbook cannot be read ({error})") from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise ImportFileError("The workbook has no sheets")
        records: list[tuple[int, list[str]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            cells = [_text(value) for value in values]
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                records.append((number, cells))
        title = sheet.title
        extra_sheets = len(book.worksheets) - 1
    finally:
        book.close()
    if not records:
        raise ImportFileError("The workbook's first sheet is empty")
    index = find_header([cells for _, cells in records[:HEADER_SEARCH]], is_known_header)
    header_line, headers = records[index]
    table = Table([h.strip() for h in headers], records[index + 1 :], kind="Excel workbook")
    table.header_line = header_line
    if extra_sheets:
        table.notes.append(
            f"read the first sheet, {title!r}; the other {extra_sheets} were left out"
        )
    return table


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
