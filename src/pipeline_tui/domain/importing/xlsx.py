"""Excel workbooks (.xlsx, HubSpot's default export): the first sheet, as a table.

Read with python-calamine (Rust's calamine): on a 100,000-row sheet it is several times
faster than a pure-Python reader, which kept a workbook import from staying within 3x
of the same rows as CSV. Cells become the text a CSV export of the same sheet would
hold: dates as ISO days, whole numbers without ".0".

A formula cell holds the value the program that saved the workbook computed. A workbook
written by a script (openpyxl, XlsxWriter, a CRM's report builder) and never opened in
a spreadsheet app holds none (ECMA-376 part 1, 18.3.1.4 `c`: the `v` element is the
cell's last computed value, and optional), or a stand-in (XlsxWriter writes 0, and
asks for every formula to be computed when the file is opened: `calcPr fullCalcOnLoad`;
a 0 in such a workbook is taken as that stand-in).
calamine reads such a cell as empty: a name or an email typed as a formula would be
imported as nothing, without a word. They are found in the sheet's XML instead
(Table.unsaved), and a row with one in a column the import takes is refused, naming
it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from posixpath import join, normpath

from pipeline_tui.domain.importing.errors import ImportFileError
from pipeline_tui.domain.importing.table import HEADER_SEARCH, Table, drop_footer, find_header

XLSX_MAGIC = b"PK\x03\x04"


def read_xlsx(data: bytes, is_known_header: Callable[[str], bool]) -> Table:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as error:
        raise ImportFileError(f"The workbook cannot be read ({error})") from None
    with book:
        if not book.sheet_names:
            raise ImportFileError("The workbook has no sheets")
        title = book.sheet_names[0]
        extra_sheets = len(book.sheet_names) - 1
        sheet = book.get_sheet_by_index(0)
        first_row, first_column = sheet.start or (0, 0)
        first_row += 1
        values = sheet.to_python(skip_empty_area=True)
    unsaved = _formulas_without_values(data)
    records: list[tuple[int, list[str]]] = []
    numbers: set[tuple[int, int]] = set()
    for number, row in enumerate(values, first_row):
        cells = [_text(value) for value in row]
        numbers.update(
            (number, index)
            for index, value in enumerate(row)
            if isinstance(value, float) and not value.is_integer()
        )
        while cells and not cells[-1]:
            cells.pop()
        if any(cells):
            records.append((number, cells))
    if not records:
        raise ImportFileError("The workbook's first sheet is empty")
    index = find_header([cells for _, cells in records[:HEADER_SEARCH]], is_known_header)
    header_line, headers = records[index]
    # A row of formulas with no values reads as empty, or past the sheet's end: kept,
    # for the reader to name. Not one a blank line parts from the rows above at the
    # end, as a report's unlabelled totals (=SUM(C2:C3)) are: a footer, left out as
    # such a row always was.
    seen = {number for number, _ in records}
    last = max(seen)
    blank: list[int] = []
    for line in sorted({line for line, _ in unsaved if line > header_line} - seen):
        if line < last or line == max([last, *blank]) + 1:
            blank.append(line)
    records = sorted([*records, *((line, []) for line in blank)])
    rows = records[index + 1 :]
    # Empty rows are not in `records`: a row parted from the one above by one has a gap.
    above = {number: earlier for (earlier, _), (number, _) in pairwise(records)}
    footer = drop_footer(rows, len(headers), lambda row: above.get(row, row - 1) < row - 1)
    table = Table([h.strip() for h in headers], rows, kind="Excel workbook", footer_lines=footer)
    table.numbers = numbers
    table.header_line = header_line
    for line, column in sorted(unsaved):
        if line > header_line and column >= first_column:
            table.unsaved.setdefault(line, []).append(column - first_column)
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
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_NS = rb"(?:[\w.-]+:)?"  # a namespace prefix some writers put on every element ("x:c")
_CELL = re.compile(rb"<" + _NS + rb"c\b([^>]*?)(?:/>|>(.*?)</" + _NS + rb"c>)", re.DOTALL)
_FORMULA = re.compile(rb"<" + _NS + rb"f\b")
_VALUE = re.compile(rb"<" + _NS + rb"v\b[^>]*?(?:/>|>(.*?)</" + _NS + rb"v>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_ROOT = re.compile(rb"<([\w.-]+:)?worksheet\b")
_STRING_TYPES = {b"str", b"s", b"inlineStr"}
_FIRST_SHEET = re.compile(rb"<" + _NS + rb"sheet\b[^>]*?\br:id=\"([^\"]+)\"")
_RECOMPUTE = re.compile(rb"<" + _NS + rb"calcPr\b[^>]*\bfullCalcOnLoad=\"(?:1|true)\"")


def _formulas_without_values(data: bytes) -> set[tuple[int, int]]:
    """(sheet row from 1, column from 0) of the first sheet's formula cells that hold no
    value computed by a spreadsheet app. Empty for a workbook that has no formulas (a
    CRM's export), which is told from the sheet's bytes alone, or one that cannot be
    read this way (calamine has read its values)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            book = archive.read("xl/workbook.xml")
            sheet = archive.read(_first_sheet_path(archive, book))
    except (KeyError, OSError, ValueError, zipfile.BadZipFile):
        return set()
    # One plain search over the sheet (tens of megabytes at 100,000 rows) rules out
    # the usual workbook, with no formulas, at a fraction of the regular expression's cost.
    root = _ROOT.search(sheet[:1000])
    prefix = (root.group(1) if root else None) or b""
    if b"<" + prefix + b"f" not in sheet:
        return set()
    recompute = _RECOMPUTE.search(book) is not None
    found: set[tuple[int, int]] = set()
    for cell in _CELL.finditer(sheet):
        body = cell.group(2) or b""
        if not _FORMULA.search(body):
            continue
        ref = _REF.search(cell.group(1))
        if ref is None:
            continue
        kind = _TYPE.search(cell.group(1))
        if kind is not None and kind.group(1) in _STRING_TYPES:
            continue  # text, possibly empty: the formula's value, as computed
        value = _VALUE.search(body)
        saved = (value.group(1) or b"").strip() if value is not None else b""
        if not saved or (recompute and saved == b"0"):
            found.add((int(ref.group(2)), _column_number(ref.group(1).decode()) - 1))
    return found


def _first_sheet_path(archive: zipfile.ZipFile, book: bytes) -> str:
    """The part name of the workbook's first sheet, as workbook.xml lists them."""
    first = _FIRST_SHEET.search(book)
    if first is None:
        raise KeyError("no sheet")
    rels = archive.read("xl/_rels/workbook.xml.rels")
    for relation in re.finditer(rb"<(?:[\w.-]+:)?Relationship\b[^>]*>", rels):
        tag = relation.group(0)
        if re.search(rb'\bId="' + re.escape(first.group(1)) + rb'"', tag):
            target = re.search(rb'\bTarget="([^"]+)"', tag)
            if target is None:
                break
            path = target.group(1).decode()
            return path.lstrip("/") if path.startswith("/") else normpath(join("xl", path))
    raise KeyError("no sheet part")


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number
