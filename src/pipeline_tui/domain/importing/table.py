"""A file as a table: its header and its rows, each with the line it starts on.

CSV exports come with a preamble (LinkedIn's "Notes:" lines put the header on line
4) and a footer (Salesforce reports end with totals and a copyright line): the header
is the first row that names known columns, and the footer lines after the last data
row are skipped (see drop_footer).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from pipeline_tui.domain.importing.errors import ImportFileError

csv.field_size_limit(16 * 1024 * 1024)

HEADER_SEARCH = 30
"""Rows looked at for the header before the first row is taken as it."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """Each data row with the line (or, in a workbook, the sheet row) it starts on."""
    kind: str = "CSV"
    header_line: int = 1
    footer_lines: int = 0
    notes: list[str] = field(default_factory=list)
    """What the reader had to assume, for the summary (an encoding, a sheet)."""
    numbers: set[tuple[int, int]] = field(default_factory=set)
    """(line, column) of a workbook's number cells with a fraction: their text is
    Python's ("12.5"), not how the sheet writes numbers."""
    unsaved: dict[int, list[int]] = field(default_factory=dict)
    """A workbook's rows (by line) with formula cells that hold no computed value, and
    those cells' columns: read as empty, they are not what the sheet shows."""

    @property
    def preamble_lines(self) -> int:
        return self.header_line - 1


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the first line that has any of them (outside
    quotes) uses most. That line is the header, or a preamble line just above it."""
    for line in text.split("\n", HEADER_SEARCH * 2)[: HEADER_SEARCH * 2]:
        line = re.sub(r'"[^"]*"', "", line)
        counts = {delimiter: line.count(delimiter) for delimiter in (",", ";", "\t")}
        best = max(counts, key=lambda d: counts[d])
        if counts[best]:
            return best
    return ","


def _names_known_columns(text: str, is_known_header: Callable[[str], bool]) -> str | None:
    """The delimiter with which a line near the top names two known columns, if one
    does: a German export's "Kontakte, Stand 01.12.2026" above its semicolon header
    made the comma the delimiter, and no column was found."""
    top = "\n".join(text.split("\n", HEADER_SEARCH)[:HEADER_SEARCH])
    for delimiter in (",", ";", "\t"):
        try:
            records = list(csv.reader(io.StringIO(top, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        if any(sum(1 for cell in cells if is_known_header(cell)) >= 2 for cells in records):
            return delimiter
    return None


def read_csv(text: str, is_known_header: Callable[[str], bool]) -> Table:
    if not text.strip():
        raise ImportFileError("The file is empty")
    delimiter = _names_known_columns(text, is_known_header) or sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = list(_records(reader))
    if not records:
        raise ImportFileError("The file is empty")
    header_index = find_header([cells for _, cells in records[:HEADER_SEARCH]], is_known_header)
    header_line, headers = records[header_index]
    body = records[header_index + 1 :]
    rows = [(line, cells) for line, cells in body if _filled(cells)]
    blank = {line for line, cells in body if not _filled(cells)}
    footer = drop_footer(rows, len(headers), lambda line: line - 1 in blank)
    return Table([h.strip() for h in headers], rows, header_line=header_line, footer_lines=footer)


FOOTER_WORDS = re.compile(
    r"\s*(grand\s+totals?|sub-?totals?|totals?|summe|gesamt|copyright|\(c\)|©|"
    r"confidential|exported|generated)\b",
    re.IGNORECASE,
)
"""How the lines a report writes after its data begin (Salesforce: "Grand Totals (4
records)", "Confidential Information - Do Not Distribute", "Copyright (c) ...")."""
AMOUNT = re.compile(r"[-+]?[\d\s.,'\u2019%€$£¥]+")
TOTALS = re.compile(r"\s*(grand\s+totals?|sub-?totals?|totals?|summe|gesamt)\b", re.IGNORECASE)


def _begins_as_footers_do(first: str) -> bool:
    """Whether a line's first cell begins as a report's footer does (FOOTER_WORDS). A
    total says a figure ("Grand Totals (4 records)", "Total Records: 42", "Summe aller
    Kontakte: 1") or nothing more; "Total Gym Supplies" is an organisation."""
    match = FOOTER_WORDS.match(first)
    if match is None:
        return False
    if TOTALS.fullmatch(match.group(0)):
        rest = first[match.end() :].strip()
        return not rest or any(mark in rest for mark in "0123456789:(")
    return True


def drop_footer(
    rows: list[tuple[int, list[str]]], columns: int, after_blank: Callable[[int], bool]
) -> int:
    """Take the footer off the end of `rows` (each with its line); how many lines it had.

    A footer line is, from the end up: a line of one filled cell (padded to the
    table's width or not: "Grand Totals (1 record)",,,) that begins as footers do
    (FOOTER_WORDS) or that a blank line parts from the rows above; a totals line, its
    other cells amounts ("Total",,,,12500.8). Such lines came in as cards: "Grand
    Totals" a lead, "Total" one worth the whole column. A last line of one cell is
    otherwise a contact with only a name: a workbook trims a row's empty cells, and
    "Cy Young" and "Dee Dee" at the end of one were skipped as its footer."""
    footer = 0
    while rows:
        run = _one_cell_run(rows, columns, after_blank)
        if run:
            # Lines of one filled cell, padded or not, at the end: a report's footer
            # block when one of them reads as a footer or a blank line parts them from
            # the rows above (a Salesforce report's title, copyright, "Generated By"
            # and company name); else contacts with only a name ("Cy Young", its empty
            # cells trimmed by the spreadsheet).
            block = rows[-run:]
            if not (
                any(_begins_as_footers_do(cells[0].strip()) for _, cells in block)
                or after_blank(block[0][0])
            ):
                break
            del rows[-run:]
            footer += run
            continue
        cells = rows[-1][1]
        filled = [cell.strip() for cell in cells if cell.strip()]
        first = cells[0].strip() if cells else ""
        if not (_begins_as_footers_do(first) and all(AMOUNT.fullmatch(c) for c in filled[1:])):
            break
        rows.pop()
        footer += 1
    return footer


def _one_cell_run(
    rows: list[tuple[int, list[str]]], columns: int, after_blank: Callable[[int], bool]
) -> int:
    """How many lines at the end of `rows` have one filled cell, their first, back to a
    blank line: lines a blank line parts are blocks of their own."""
    if columns < 2:
        return 0
    run = 0
    for line, cells in reversed(rows):
        filled = [cell.strip() for cell in cells if cell.strip()]
        if len(filled) != 1 or filled[0] != cells[0].strip():
            break
        run += 1
        if after_blank(line):
            break
    return run


def find_header(records: list[list[str]], is_known_header: Callable[[str], bool]) -> int:
    """The first record that names two known columns, else the first that is not empty."""
    first = None
    for index, cells in enumerate(records):
        if not _filled(cells):
            continue
        if first is None:
            first = index
        if sum(1 for cell in cells if is_known_header(cell)) >= 2:
            return index
    return first or 0


def _filled(cells: list[str]) -> bool:
    return any(cell.strip() for cell in cells)


def _records(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on (quoted newlines count)."""
    start = 1
    line_num = getattr(reader, "line_num", 0)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(f"Line {start} cannot be read as CSV ({error})") from None
        line_num = reader.line_num  # type: ignore[attr-defined]
        yield start, row
        start = line_num + 1


# Formula cells ------------------------------------------------------------------------------

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: str) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula.

    A cell starting with =, +, -, @, a tab or a carriage return gets a leading
    apostrophe (OWASP's advice for CSV injection): "+44 20 7946 0000" is written
    "'+44 20 7946 0000". Reading a CSV takes that apostrophe off again
    (`from_spreadsheet`), so a phone number comes back as it went out. So does text
    that starts with apostrophes before such a character ("'=not a formula"), which
    gets one more: it came back one short.
    """
    return "'" + value if value.startswith(_FORMULA_STARTS) or _escaped(value) else value


def from_spreadsheet(value: str) -> str:
    """A cell as it was before `spreadsheet_safe`."""
    return value[1:] if _escaped(value) else value


def _escaped(value: str) -> bool:
    """Whether `value` is apostrophes before a formula's first character."""
    quotes = len(value) - len(value.lstrip("'"))
    return quotes > 0 and value[quotes:].startswith(_FORMULA_STARTS)
