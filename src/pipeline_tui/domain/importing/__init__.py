"""Reading contacts from other tools: CSV, Excel workbooks and vCards, to planned cards.

Plain Python; the store matches the planned cards against the database and writes
them (pipeline_tui.store.exchange).
"""

from __future__ import annotations

from pipeline_tui.domain.importing.contacts import (
    Columns,
    ContactReader,
    Profile,
    detect_profile,
    is_known_header,
    map_columns,
    parse_mapping,
    parse_stage_map,
    reader_for,
)
from pipeline_tui.domain.importing.errors import ImportFileError, RowProblem
from pipeline_tui.domain.importing.vocabulary import (
    FIELDS,
    HEADER_FIELDS,
    source_from_text,
    stage_from_text,
)

__all__ = [
    "FIELDS",
    "HEADER_FIELDS",
    "Columns",
    "ContactReader",
    "ImportFileError",
    "Profile",
    "RowProblem",
    "detect_profile",
    "is_known_header",
    "map_columns",
    "parse_mapping",
    "parse_stage_map",
    "reader_for",
    "source_from_text",
    "stage_from_text",
]
