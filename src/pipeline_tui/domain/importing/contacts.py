"""From a table of contacts to planned cards: which column fills which field, per row.

Several columns can fill one field (Outlook's Primary, Mobile and Business Phone):
the most specific one that is not empty wins, and what the others hold is kept in
the card's "Imported fields" note with every column no field takes. A cell with
several values (Google's " ::: ") gives the field its first value and the note the
rest. Nothing in the file is dropped without the summary saying so.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import TypeVar

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.dates import (
    EARLIEST_PAST_DATE,
    DateOrder,
    DueDateError,
    could_have_happened,
    parse_due,
)
from pipeline_tui.domain.importing.dates import is_day_first, looks_like_a_date, parse_date
from pipeline_tui.domain.importing.errors import ImportFileError, RowProblem
from pipeline_tui.domain.importing.plan import (
    IMPORTED_FIELDS,
    PlannedCard,
    PlannedNote,
    PlannedStageEvent,
    PlannedTouchpoint,
    note_too_long,
)
from pipeline_tui.domain.importing.table import Table
from pipeline_tui.domain.importing.vocabulary import (
    EMPTY_VALUES,
    FIELDS,
    HEADER_FIELDS,
    HONORIFICS,
    LATER_STAGES,
    NEUTRAL_STAGES,
    StageMeaning,
    is_bookkeeping,
    key,
    parse_stage_target,
    source_from_text,
    stage_from_text,
)
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.money import (
    CurrencyError,
    Grouping,
    MoneyError,
    decimal_mark,
    is_ambiguous,
    parse_amount,
)
from pipeline_tui.domain.nurture import parked_after_move
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text, counted, listed, split_tags

MULTI = " ::: "

# Profiles: what a known tool's file says beyond its headers ----------------------------------


@dataclass(frozen=True)
class Profile:
    """A known export layout: its name and what it says about every contact in it."""

    name: str
    source: TouchpointKind | None = None
    """How every contact in the file was met (LinkedIn: social), unless a row says."""
    met: str = ""
    """The touchpoint's words when the file dates the first meeting."""
    headers: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    """Header keys read differently in this layout."""
    own: bool = False
    """pipeline-tui's own CSV (export or list): its columns are read back exactly."""


_OWN_HEADERS: dict[str, tuple[str, int]] = {
    "id": ("ignore", 0),
    "position": ("ignore", 0),
    "referredby": ("ignore", 0),
    "notes": ("own_notes", 0),
    "touchpoints": ("own_touchpoints", 0),
    "stagehistory": ("own_history", 0),
    "archivedat": ("archived_at", 0),
    "archivereason": ("archive_reason", 0),
    "archivenote": ("archive_note", 0),
    "market": ("market", 0),
    "createdat": ("created_at", 0),
    "wonvalue": ("won_value", 0),
    "nurtureuntil": ("nurture_until", 0),
}
OWN_EXPORT = Profile("pipeline-tui CSV export", headers=_OWN_HEADERS, own=True)
OWN_LIST = Profile("pipeline-tui list", headers=_OWN_HEADERS, own=True)
LINKEDIN = Profile(
    "LinkedIn connections",
    source=TouchpointKind.SOCIAL,
    met="Connected on LinkedIn",
    headers={"url": ("keep", 0), "position": ("job_title", 0)},
)
GOOGLE = Profile("Google Contacts")
OUTLOOK = Profile("Outlook contacts")
HUBSPOT = Profile("HubSpot contacts", headers={"recordid": ("keep", 0)})
PIPEDRIVE = Profile("Pipedrive")
SALESFORCE_REPORT = Profile("Salesforce report")
SALESFORCE_EXPORT = Profile(
    "Salesforce data export", headers={"ownerid": ("keep", 0), "name": ("name", 0)}
)
ZOHO = Profile("Zoho CRM")
CARD_SCANNER = Profile("business card scans", source=TouchpointKind.EVENT, met="Exchanged cards")
VCARD = Profile("vCard")
PLAIN = Profile("CSV")


def detect_profile(headers: Sequence[str], kind: str = "CSV") -> Profile:
    keys = {key(h) for h in headers}
    if kind == "vCard":
        return VCARD
    if {"stagehistory", "touchpoints", "nextactiondue"} <= keys:
        return OWN_EXPORT
    if {"id", "name", "stage", "position", "nextactiondue"} <= keys:
        return OWN_LIST
    if {"firstname", "lastname", "connectedon"} <= keys:
        return LINKEDIN
    if "labels" in keys and any(k.startswith("email1") for k in keys):
        return GOOGLE
    if "groupmembership" in keys and "givenname" in keys:
        return GOOGLE
    if "emaildisplayname" in keys or {"primaryphone", "businessphone"} <= keys:
        return OUTLOOK
    if any(k.startswith(("person", "deal")) and len(k) > 6 for k in keys) and (
        "personname" in keys or "dealtitle" in keys
    ):
        return PIPEDRIVE
    if {"isconverted", "leadsource"} <= keys or "ownerid" in keys:
        return SALESFORCE_EXPORT
    if "companyaccount" in keys:
        return SALESFORCE_REPORT
    if "recordid" in keys and ("lifecyclestage" in keys or "contactowner" in keys):
        return HUBSPOT
    if "designation" in keys or ("leadowner" in keys and "recordid" in keys):
        return ZOHO
    if keys & {"cardimage", "scandate", "scannedon", "cardscan"}:
        return CARD_SCANNER
    return PLAIN


# Columns ------------------------------------------------------------------------------------


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """--map "COLUMN=field" options, as {loosened column name: field}."""
    mapping: dict[str, str] = {}
    for item in items:
        column, equals, target = item.rpartition("=")
        target = target.strip().lower().replace("-", "_").replace(" ", "_")
        if not equals or not column.strip():
            raise ImportFileError(
                f"--map {item!r} must look like COLUMN=field, e.g. 'Firma=organisation'"
            )
        if target == "organization":
            target = "organisation"
        if target not in FIELDS:
            raise ImportFileError(
                f"--map {item!r} names an unknown field {target!r}; choose one of "
                + ", ".join(FIELDS)
            )
        mapping[key(column)] = target
    return mapping


def parse_stage_map(items: Sequence[str], where: str = "--stage-map") -> dict[str, StageMeaning]:
    """--stage-map "VALUE=stage" options (or [import.stages] entries), by loosened value."""
    stages: dict[str, StageMeaning] = {}
    for item in items:
        value, equals, target = item.rpartition("=")
        if not equals or not value.strip():
            raise ImportFileError(
                f"{where} {item!r} must look like VALUE=stage, e.g. 'Sleeping=lead'"
            )
        meaning = parse_stage_target(target)
        if meaning is None:
            raise ImportFileError(
                f"{where} {item!r} maps to {target.strip()!r}; choose lead, prospect, client, "
                "repeat, lost or not-a-fit"
            )
        stages[key(value)] = meaning
    return stages


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    field: str
    rank: int


@dataclass(frozen=True)
class Columns:
    """Which columns can fill which field, most specific first, and what is left out."""

    candidates: Mapping[str, tuple[Column, ...]]
    kept: tuple[Column, ...]
    """Columns no field takes: their values go to the Imported fields note."""
    left_out: tuple[str, ...]
    """Columns left out: the other tool's bookkeeping, or --map COLUMN=ignore."""
    width: int
    profile: Profile = PLAIN

    def field_of(self, header: str) -> str | None:
        for name, columns in self.candidates.items():
            if any(c.header == header for c in columns):
                return name
        return None


def is_known_header(header: str) -> bool:
    return key(header) in HEADER_FIELDS


def map_columns(
    headers: Sequence[str],
    overrides: Mapping[str, str] | None = None,
    profile: Profile | None = None,
) -> Columns:
    overrides = overrides or {}
    profile = profile or detect_profile(headers)
    unknown = set(overrides) - {key(h) for h in headers}
    if unknown:
        raise ImportFileError(
            f"--map names a column that is not in the file ({', '.join(sorted(unknown))}); "
            f"its columns are {', '.join(clean_line(h) for h in headers)}"
        )
    candidates: dict[str, list[Column]] = {}
    kept: list[Column] = []
    left_out: list[str] = []
    for index, header in enumerate(headers):
        loose = key(header)
        label = clean_line(header)
        if not loose:
            continue
        if loose in overrides:
            target, rank = overrides[loose], -1
        elif loose in profile.headers:
            target, rank = profile.headers[loose]
        elif loose in HEADER_FIELDS:
            target, rank = HEADER_FIELDS[loose]
        elif is_bookkeeping(loose):
            target, rank = "ignore", 0
        else:
            target, rank = "keep", 0
        if target == "ignore":
            left_out.append(label)
        elif target == "keep":
            kept.append(Column(index, label, "keep", rank))
        else:
            candidates.setdefault(target, []).append(Column(index, label, target, rank))
    ordered = {
        name: tuple(sorted(columns, key=lambda c: (c.rank, c.index)))
        for name, columns in candidates.items()
    }
    if not ordered.keys() & {"name", "first_name", "last_name", "organisation"}:
        raise ImportFileError(
            "No column holds names (looked for name, full name, first name, last name, "
            "company...); say which does with --map COLUMN=name"
        )
    return Columns(ordered, tuple(kept), tuple(left_out), len(headers), profile)


# Rows ---------------------------------------------------------------------------------------


NEXT_COLUMN = "next column"
"""A value that says nothing about the stage (Pipedrive's "open"): the next column decides."""
StageReading = StageMeaning | str | None


@dataclass
class StageTally:
    """How each stage column's values were read, for the dry run's table."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    meanings: dict[tuple[str, str], StageReading] = field(default_factory=dict)

    def add(self, column: str, value: str, meaning: StageReading) -> None:
        entry = (column, value)
        self.counts[entry] += 1
        self.meanings[entry] = meaning

    def rows(self) -> list[tuple[str, str, StageReading, int]]:
        return [
            (column, value, self.meanings[(column, value)], count)
            for (column, value), count in self.counts.items()
        ]


@dataclass
class ContactReader:
    """Turns the rows of one table into planned cards (or the reason a row cannot be)."""

    columns: Columns
    today: date
    now: datetime
    user: str
    stage_map: Mapping[str, StageMeaning] = field(default_factory=dict)
    day_first: Mapping[str, bool] = field(default_factory=dict)
    tally: StageTally = field(default_factory=StageTally)
    amounts: Mapping[int, Grouping] = field(default_factory=dict)
    """How each amount column's "12.500" is read (by column index; see amount_readings)."""
    numbers: set[tuple[int, int]] = field(default_factory=set)
    """A workbook's number cells with a fraction (Table.numbers): "." is their decimal mark."""
    warnings: tuple[str, ...] = ()
    """What reading the amounts had to assume, for the summary."""
    currency: str | None = None
    """The configured currency's code: an amount in another is a bad row (None: unchecked)."""
    unsaved: Mapping[int, Sequence[int]] = field(default_factory=dict)
    """A workbook's rows with formulas that hold no computed value (Table.unsaved)."""

    def read(self, line: int, values: Sequence[str]) -> PlannedCard | RowProblem | None:
        """The card a row plans, or what is wrong with it; None for a row with nothing
        to import (a workbook's row of formulas, none of them a field's)."""
        columns = self.columns
        if line in self.unsaved:
            fields = {c.index: c.header for cs in columns.candidates.values() for c in cs}
            cells = [fields[index] for index in self.unsaved[line] if index in fields]
            if cells:
                return RowProblem(
                    line,
                    f"{listed([repr(header) for header in cells])} "
                    f"{'is a formula' if len(cells) == 1 else 'are formulas'} with no value "
                    "saved in the workbook (written by a program, never opened in a "
                    "spreadsheet app): open it in Excel or LibreOffice, save it, and import "
                    "it again",
                )
            if not any(value.strip() for value in values):
                return None
        if len(values) > columns.width and any(cell.strip() for cell in values[columns.width :]):
            return RowProblem(
                line,
                f"it has {counted(len(values), 'cell')} but the header has "
                f"{counted(columns.width, 'column')}",
            )
        kept: list[str] = []
        headers: dict[str, str] = {}
        sources: dict[str, Column] = {}

        def cell(column: Column) -> str:
            return values[column.index] if column.index < len(values) else ""

        def pick(name: str, *, multi: str = MULTI, keep: bool = True) -> str:
            """The first non-empty value of the field's columns; the others are kept."""
            chosen = ""
            for column in columns.candidates.get(name, ()):
                raw = cell(column).strip()
                if not raw:
                    continue
                parts = [p.strip() for p in _split_multi(raw, name, multi) if p.strip()]
                if name == "job_title" and _is_honorific(column, parts[0]):
                    if keep:
                        kept.append(f"{column.header}: {clean_line(raw)}")
                    continue
                if not chosen:
                    chosen = parts[0]
                    headers[name] = column.header
                    sources[name] = column
                    rest = parts[1:]
                else:
                    rest = [p for p in parts if p.casefold() != chosen.casefold()]
                if rest and keep:
                    kept.append(f"{column.header}: {clean_line(', '.join(rest))}")
            return chosen

        name = clean_line(pick("name"))
        organisation = clean_line(pick("organisation"))
        # The parts are in the full name when there is one.
        parts = [pick(part, keep=not name) for part in ("first_name", "middle_name", "last_name")]
        if not name:
            name = clean_line(" ".join(part for part in parts if part.strip()))
        if not name:
            name = organisation  # a company-only contact: the card is the company
        stage = self._stage(line, values, kept)
        if isinstance(stage, RowProblem):
            return stage
        stage_value, reason, stage_text = stage
        due_text = pick("due")
        try:
            # 03/04 is read in the order the column's dates are written in.
            order = DateOrder.DMY if self.day_first.get("due", False) else DateOrder.MDY
            due = parse_due(due_text, self.today, order) if due_text else None
        except DueDateError:
            due = self._date("due", due_text)
            if due is None:
                return RowProblem(line, _not_a_day("due date", due_text))
        tags_text = pick("tags", multi="")
        draft = CardDraft(
            name=name,
            organisation=organisation,
            email=pick("email"),
            phone=pick("phone"),
            tags=(split_tags if columns.profile.own else _tags)(tags_text) if tags_text else (),
            next_action=pick("next_action") or ("Follow up" if due else ""),
            next_action_due=due,
        )
        try:
            draft = draft.cleaned()
        except CardFormError as error:
            return RowProblem(line, _lower_first(str(error)).rstrip("."))
        title = clean_line(pick("job_title"))
        source_text = clean_line(pick("source"))
        source = source_from_text(source_text) if source_text else None
        if source_text and source is None:
            kept.insert(0, f"Source: {source_text}")
        referrer = clean_line(pick("referred_by"))
        if referrer:
            kept.append(f"Referred by: {referrer}")
            source = source or TouchpointKind.REFERRAL
        source = source or columns.profile.source
        value_text = pick("value")
        grouping = self._grouping(line, sources["value"]) if value_text else Grouping()
        deal = self._deal(
            line, value_text, pick("currency"), pick("expected_close"), headers, kept, grouping
        )
        if isinstance(deal, RowProblem):
            return deal
        value, expected_close = deal
        met_text = pick("met_on")
        created_text = pick("created")
        notes_text = clean_text(pick("notes", multi="")).strip()
        owner = clean_line(pick("owner"))[:200]
        for column in columns.kept:
            raw = cell(column).strip()
            if raw and raw.casefold() not in EMPTY_VALUES:
                kept.append(f"{column.header}: {clean_line(raw)}")
        if title:
            kept.insert(0, f"Job title: {title}")
        if stage_text and reason is None:
            kept.append(stage_text)

        touchpoints: list[PlannedTouchpoint] = []
        # A day no touchpoint can have (2099: a slip) goes to the note, as one not read.
        met = self._date("met_on", met_text) if met_text else None
        if met is not None and not could_have_happened(met, self.today):
            met = None
        created = self._date("created", created_text) if created_text else None
        if created is not None and not could_have_happened(created, self.today):
            created = None
        if met_text and met is None:
            kept.append(f"{headers['met_on']}: {clean_line(met_text)}")
        if created_text and (created is None or source is None or met is not None):
            kept.append(f"{headers['created']}: {clean_line(created_text)}")
        first = met or (created if source is not None else None)
        if first is not None:
            words = columns.profile.met if met is not None and columns.profile.met else ""
            if not words:
                words = f"Lead source: {source_text}" if source_text else "First contact"
            touchpoints.append(
                PlannedTouchpoint(source or TouchpointKind.EVENT, first, words, self.now)
            )

        notes: list[PlannedNote] = []
        own = self._own(line, values) if columns.profile.own else None
        if isinstance(own, RowProblem):
            return own
        if own is not None:
            notes.extend(own.notes)
            touchpoints.extend(own.touchpoints)
            kept.extend(own.kept)
        elif notes_text:
            notes.append(PlannedNote(NoteKind.GENERAL, notes_text, self.now, self.now))
        if kept:
            body = "\n".join([IMPORTED_FIELDS, *(f"- {line_}" for line_ in kept)])
            notes.append(PlannedNote(NoteKind.GENERAL, body, self.now, self.now))
        if (too_long := note_too_long(notes)) is not None:
            return RowProblem(line, too_long)
        card = PlannedCard(
            line=line,
            name=draft.name,
            organisation=draft.organisation,
            email=draft.email,
            phone=draft.phone,
            tags=draft.tags,
            stage=stage_value,
            owner=owner or self.user,
            created_at=self.now,
            updated_at=self.now,
            next_action=draft.next_action,
            next_action_due=draft.next_action_due,
            source=source,
            market=Market.WARM if source is TouchpointKind.REFERRAL else None,
            archived_at=self.now if reason else None,
            archive_reason=reason,
            archive_note=f"Imported as {stage_text.partition(': ')[2]}" if reason else "",
            notes=tuple(notes),
            touchpoints=tuple(touchpoints),
            events=(PlannedStageEvent(None, stage_value, self.now, self.user),),
            value=value,
            expected_close=expected_close,
        )
        return own.apply(card) if own is not None else card

    def _grouping(self, line: int, column: Column) -> Grouping:
        """How the column's "12.500" is read; a workbook's number cell is Python's text."""
        if (line, column.index) in self.numbers:
            return Grouping()
        return self.amounts.get(column.index, Grouping())

    def _deal(
        self,
        line: int,
        value_text: str,
        currency_text: str,
        close_text: str,
        headers: Mapping[str, str],
        kept: list[str],
        grouping: Grouping,
    ) -> tuple[Decimal | None, date | None] | RowProblem:
        """The deal's value and expected close; one that cannot be read is kept in the
        Imported fields note, never dropped and never a reason to refuse the row. An
        amount in another currency than the configured one (written with it, or named
        in a currency column) is a bad row: taken as it
        is, it would be worth something else; so is a close date written as a date
        that does not exist (31/02/2027), as a bad due date is."""
        value = None
        if value_text:
            try:
                value = parse_amount(value_text, grouping, self.currency)
            except CurrencyError:
                return RowProblem(
                    line,
                    f"the amount {clean_line(value_text)!r} in {headers['value']} is not "
                    f"in {self.currency}, the currency values are kept in",
                )
            except MoneyError:
                kept.append(f"{headers['value']}: {clean_line(value_text)}")
        code = clean_line(currency_text).upper()
        # Only a code says which currency: "€" or "US Dollar" are kept in the note.
        is_code = re.fullmatch("[A-Z]{3}", code) is not None
        if value is not None and self.currency and is_code and code != self.currency:
            # Pipedrive writes the amount bare and its currency in a column of its own.
            return RowProblem(
                line,
                f"the amount {clean_line(value_text)!r} in {headers['value']} is in {code} "
                f"({headers['currency']}), not in {self.currency}, the currency values are "
                "kept in",
            )
        if currency_text and (value is None or not is_code):
            kept.append(f"{headers['currency']}: {clean_line(currency_text)}")
        close = self._date("expected_close", close_text) if close_text else None
        if close_text and close is None:
            if looks_like_a_date(close_text):  # 31/02/2027: a bad date, as a due date's is
                return RowProblem(line, _not_a_day("close date", close_text))
            kept.append(f"{headers['expected_close']}: {clean_line(close_text)}")
        return value, close

    def _stage(
        self, line: int, values: Sequence[str], kept: list[str]
    ) -> tuple[Stage, ArchiveReason | None, str] | RowProblem:
        """The row's stage: the first stage column whose value says something.

        Every stage column's value is read (and counted for the dry run's table); the
        values that did not decide are kept in the Imported fields note.
        """
        readings: list[tuple[Column, str, StageReading]] = []
        for column in self.columns.candidates.get("stage", ()):
            raw = clean_line(values[column.index] if column.index < len(values) else "")
            if not raw:
                continue
            loose = key(raw)
            meaning: StageReading
            if loose in self.stage_map:
                meaning = self.stage_map[loose]
            elif loose in NEUTRAL_STAGES:
                meaning = NEXT_COLUMN
            else:
                meaning = stage_from_text(raw)
            self.tally.add(column.header, raw, meaning)
            readings.append((column, raw, meaning))
        deciding = next((r for r in readings if r[2] != NEXT_COLUMN), None)
        if deciding is None:
            return Stage.LEAD, None, ""
        column, raw, meaning = deciding
        if meaning is None or isinstance(meaning, str):
            fixes = (
                f'--stage-map "{raw}=lead" (or prospect, client, repeat, lost, not-a-fit), '
                f'or "{raw}" = "lead" under [import.stages] in the config'
            )
            return RowProblem(
                line,
                f"the {column.header} column says {raw!r}, which is not a stage; "
                f"say what it means with {fixes}",
            )
        for other, value, _ in readings:
            if other is not column:
                kept.append(f"{other.header}: {value}")
        stage, reason = meaning
        said = f"{column.header}: {raw}" if reason or key(raw) in LATER_STAGES else ""
        return stage, reason, said

    def _date(self, name: str, text: str) -> date | None:
        """The day a cell names; None if it names none, or a day before 1900: a slip
        (`0001-01-01`), refused as when a rep types it."""
        day = parse_date(text, day_first=self.day_first.get(name, False))
        return day if day is None or day >= EARLIEST_PAST_DATE else None

    def _own(self, line: int, values: Sequence[str]) -> _OwnRow | RowProblem:
        cells: dict[str, str] = {}
        for name in (
            "own_notes",
            "own_touchpoints",
            "own_history",
            "archived_at",
            "archive_reason",
            "archive_note",
            "market",
            "created_at",
            "won_value",
            "nurture_until",
        ):
            for column in self.columns.candidates.get(name, ()):
                if column.index < len(values):
                    cells[name] = values[column.index]
        try:
            return _OwnRow.parse(
                cells,
                self.now,
                self.user,
                day_first=self.day_first.get("nurture_until", False),
                # One locale wrote every column: a column whose days are all 12 or less
                # says nothing of its order, another's 18/10 does.
                times_day_first=any(
                    self.day_first.get(name, False)
                    for name in ("created_at", "archived_at", "nurture_until", "due")
                ),
            )
        except ValueError as error:
            return RowProblem(line, str(error))


def contact_reader(
    table: Table,
    mapping: Mapping[str, str] | None = None,
    stage_map: Mapping[str, StageMeaning] | None = None,
    *,
    today: date,
    now: datetime,
    user: str,
    grouping: Grouping | None = None,
    currency: str | None = None,
) -> tuple[Columns, ContactReader]:
    """How `import` reads a table's rows into cards: its columns (the known layout, then
    `mapping`) and the reader. `log -` reads a piped vCard with the same two."""
    columns = map_columns(table.headers, mapping or {}, detect_profile(table.headers, table.kind))
    reader = reader_for(
        table,
        columns,
        today=today,
        now=now,
        user=user,
        stage_map=stage_map,
        grouping=grouping,
        currency=currency,
    )
    return columns, reader


def reader_for(
    table: Table,
    columns: Columns,
    *,
    today: date,
    now: datetime,
    user: str,
    stage_map: Mapping[str, StageMeaning] | None = None,
    grouping: Grouping | None = None,
    currency: str | None = None,
) -> ContactReader:
    """A reader that knows, per date column, whether the file writes the day first, and
    per amount column which mark is the decimal one (`grouping`: the locale's, if it
    says)."""
    day_first: dict[str, bool] = {}
    for name in (
        "due",
        "met_on",
        "created",
        "expected_close",
        "nurture_until",
        "created_at",
        "archived_at",
    ):
        indexes = [c.index for c in columns.candidates.get(name, ())]
        if indexes:
            day_first[name] = is_day_first(
                cells[i] for _, cells in table.rows for i in indexes if i < len(cells)
            )
    amounts, warnings = amount_readings(table, columns, grouping)
    return ContactReader(
        columns,
        today,
        now,
        user,
        stage_map or {},
        day_first,
        amounts=amounts,
        numbers=table.numbers,
        warnings=(*warnings, *_unsaved_kept(table, columns)),
        currency=currency.upper() if currency else None,
        unsaved=table.unsaved,
    )


def _unsaved_kept(table: Table, columns: Columns) -> list[str]:
    """For the summary: the columns kept in the Imported fields note that hold formulas
    with no saved value (a report's ID, =ROW()-1), which are left out of the note. Only
    a field's formula refuses its row (ContactReader.read)."""
    counts: dict[int, int] = {}
    for cells in table.unsaved.values():
        for index in cells:
            counts[index] = counts.get(index, 0) + 1
    return [
        f"{column.header!r} holds formulas with no value saved in the workbook in "
        f"{counted(counts[column.index], 'row')}; they were left out"
        for column in columns.kept
        if column.index in counts
    ]


_GROUPING_OF_MARK = {",": Grouping(".", ","), ".": Grouping(",", ".")}


def amount_readings(
    table: Table, columns: Columns, locale: Grouping | None = None
) -> tuple[dict[int, Grouping], tuple[str, ...]]:
    """How each amount column's "12.500" and "3,000" are read, and a warning for each
    column whose own amounts do not settle it.

    Such an amount is 1000 times more with one decimal mark than with the other. The
    column's other amounts settle it ("1.234,50" and "12,50" write decimals with a
    comma), else the file's other amount columns, else the locale; with none of them,
    the English reading (as before). Every other amount reads the same whatever is
    chosen here. A workbook's number cells say nothing about how the sheet writes text.
    """
    value_columns = columns.candidates.get("value", ())
    if columns.profile.own:
        return dict.fromkeys((c.index for c in value_columns), Grouping()), ()
    marks: dict[int, set[str]] = {c.index: set() for c in value_columns}
    ambiguous: dict[int, list[str]] = {c.index: [] for c in value_columns}
    for line, cells in table.rows:
        for column in value_columns:
            if column.index >= len(cells) or (line, column.index) in table.numbers:
                continue
            text = cells[column.index].strip()
            mark = decimal_mark(text) if text else None
            if mark is not None:
                marks[column.index].add(mark)
            elif text and is_ambiguous(text):
                ambiguous[column.index].append(text)
    in_file: set[str] = set().union(*marks.values())
    readings: dict[int, Grouping] = {}
    warnings: list[str] = []
    for column in value_columns:
        own = marks[column.index]
        if len(own) == 1:
            readings[column.index] = _GROUPING_OF_MARK[next(iter(own))]
            continue
        if len(in_file) == 1 and not own:
            mark = next(iter(in_file))
            reading, why = (
                _GROUPING_OF_MARK[mark],
                f"as the file's other amounts write decimals with {mark!r}",
            )
        elif locale is not None:
            reading, why = locale, "as the locale writes numbers"
        else:
            reading, why = Grouping(), "as nothing in the file or the locale says which"
        readings[column.index] = reading
        found = ambiguous[column.index]
        if found:
            example = clean_line(found[0])
            try:
                read = f"was read as {parse_amount(found[0], reading)}"
            except MoneyError:  # "12.345" read with "." as the decimal mark
                read = "was kept in the Imported fields note"
            count = len(found)
            warnings.append(
                f"{count} amount{'s' if count != 1 else ''} in {column.header} could be "
                f"read two ways ({example!r} {read}, {why}); "
                f"check {'them' if count != 1 else 'it'}"
            )
    return readings, tuple(warnings)


_EMAIL_LIST = re.compile(r"\s*[,;]\s*")


def _split_multi(raw: str, name: str, multi: str) -> list[str]:
    if not multi:
        return [raw]
    parts = raw.split(multi) if multi in raw else [raw]
    if name == "email" and ("," in raw or ";" in raw):
        parts = [p for part in parts for p in _EMAIL_LIST.split(part)]
    elif name == "phone" and ", " in raw:
        parts = [p for part in parts for p in part.split(", ")]
    return parts


def _is_honorific(column: Column, value: str) -> bool:
    return column.rank == 2 and key(column.header) == "title" and key(value) in HONORIFICS


_SYSTEM_LABELS = frozenset({"mycontacts", "othercontacts", "starred"})


def _tags(text: str) -> tuple[str, ...]:
    """Labels as tags: Google's "* myContacts ::: Clients", Outlook's "VIP;Key Customer"."""
    tags: dict[str, None] = {}
    for part in re.split(r"\s*(?::::|;|,)\s*", text):
        label = part.strip().lstrip("*").strip()
        if not label or key(label) in _SYSTEM_LABELS:
            continue
        for tag in split_tags(label.replace(" ", "-")):
            tags.setdefault(tag, None)
    return tuple(tags)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# pipeline-tui's own CSV export ---------------------------------------------------------------

_NOTE_HEAD = re.compile(
    r"^\[(" + "|".join(k.value for k in NoteKind) + r"), (\d{4}-\d{2}-\d{2})\] ", re.M
)
_HEAD_IN_BODY = re.compile(
    r"^(\\*)(\[(?:" + "|".join(k.value for k in NoteKind) + r"), \d{4}-\d{2}-\d{2}\] )", re.M
)


_ESCAPED_HEAD = re.compile(
    r"^\\(\\*\[(?:" + "|".join(k.value for k in NoteKind) + r"), \d{4}-\d{2}-\d{2}\] )", re.M
)


def escape_note_heads(body: str) -> str:
    """A note's line that reads as the export's heading of a note ("[general,
    2026-01-01] ...", pasted from an export) written with a backslash before it, so
    importing the export reads it back as that note's line, not as a note of its own
    (and a line that already had backslashes there, with one more)."""
    return _HEAD_IN_BODY.sub(r"\\\1\2", body)


def _unescape_note_heads(body: str) -> str:
    """The note's lines as they were before escape_note_heads."""
    return _ESCAPED_HEAD.sub(r"\1", body) if "\\[" in body else body


_TOUCH = re.compile(r"^(\d{4}-\d{2}-\d{2}) (\S+)(?:: (.*))?$")
_MOVE = re.compile(r"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) (\S+) -> (\S+) \((.*?)\)(?:: (.*))?$")
"""A move of the stage_history cell: when, from, to, (by), then its note, if any."""


@dataclass(frozen=True)
class _OwnRow:
    notes: tuple[PlannedNote, ...]
    touchpoints: tuple[PlannedTouchpoint, ...]
    events: tuple[PlannedStageEvent, ...]
    archived_at: datetime | None
    archive_reason: ArchiveReason | None
    archive_note: str
    market: Market | None
    created_at: datetime | None
    won_value: Decimal | None = None
    nurture_until: date | None = None
    kept: tuple[str, ...] = ()
    """Lines of the touchpoints and history cells not in the export's form (typed in a
    spreadsheet), for the Imported fields note: never dropped without a word."""

    @classmethod
    def parse(
        cls,
        cells: Mapping[str, str],
        now: datetime,
        user: str,
        *,
        day_first: bool = False,
        times_day_first: bool = False,
    ) -> _OwnRow:
        notes = []
        kept: list[str] = []
        text = cells.get("own_notes", "")
        heads = list(_NOTE_HEAD.finditer(text))
        # Text before the first note's heading (or a cell with none): typed in by hand.
        typed = clean_text(text[: heads[0].start() if heads else len(text)]).strip()
        if typed:
            notes.append(PlannedNote(NoteKind.GENERAL, typed, now, now))
        for i, head in enumerate(heads):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            body = text[head.end() : end].removesuffix("\n\n").strip("\n")
            day = datetime.combine(_day(head.group(2), head.group(0)), datetime.min.time(), UTC)
            body = _unescape_note_heads(body)
            notes.append(PlannedNote(NoteKind(head.group(1)), clean_text(body), day, day))
        touchpoints = []
        for raw in cells.get("own_touchpoints", "").splitlines():
            match = _TOUCH.match(raw.strip())
            if not match:
                if raw.strip():
                    kept.append(f"Touchpoints: {clean_line(raw)}")
                continue
            try:
                kind = TouchpointKind(match.group(2))
            except ValueError:
                raise ValueError(f"the touchpoint {raw.strip()!r} has an unknown kind") from None
            happened = _day(match.group(1), raw)
            if not could_have_happened(happened, now.date()):
                raise ValueError(f"a touchpoint on {happened.isoformat()} cannot have happened")
            touchpoints.append(
                PlannedTouchpoint(kind, happened, clean_line(match.group(3) or "")[:500], now)
            )
        events = []
        for raw in cells.get("own_history", "").splitlines():
            match = _MOVE.match(raw.strip())
            if not match:
                if raw.strip():
                    kept.append(f"Stage history: {clean_line(raw)}")
                continue
            try:
                at = datetime.fromisoformat(match.group(1)).replace(tzinfo=UTC)
            except ValueError:
                raise ValueError(f"{clean_line(raw)!r}: there is no such day") from None
            origin = None if match.group(2) == "new" else Stage(match.group(2))
            to, by, note = Stage(match.group(3)), match.group(4), clean_line(match.group(5) or "")
            events.append(PlannedStageEvent(origin, to, at, by, note))
        archived_at = _moment(cells.get("archived_at", ""), times_day_first)
        reason_text = cells.get("archive_reason", "").strip()
        market_text = cells.get("market", "").strip()
        won_text = cells.get("won_value", "").strip()
        nurture_text = cells.get("nurture_until", "").strip()
        try:
            # Our own export writes "12500.50": "." is its decimal mark.
            won_value = parse_amount(won_text, Grouping()) if won_text else None
        except MoneyError as error:
            raise ValueError(_lower_first(str(error)).rstrip(".")) from None
        # As the export writes it, or as a spreadsheet rewrote it (07.03.2027, 3/7/2027).
        nurture_until = parse_date(nurture_text, day_first=day_first) if nurture_text else None
        if nurture_text and nurture_until is None:
            raise ValueError(f"{nurture_text!r} is not a day like 2026-12-01")
        return cls(
            tuple(notes),
            tuple(touchpoints),
            tuple(events),
            archived_at,
            _choice(ArchiveReason, reason_text, "archive reason") if reason_text else None,
            clean_line(cells.get("archive_note", ""))[:500],
            _choice(Market, market_text, "market") if market_text else None,
            _moment(cells.get("created_at", ""), times_day_first),
            won_value,
            nurture_until,
            tuple(kept),
        )

    def apply(self, card: PlannedCard) -> PlannedCard:
        return replace(
            card,
            events=self.events or card.events,
            archived_at=self.archived_at,
            archive_reason=(self.archive_reason or ArchiveReason.OTHER)
            if self.archived_at
            else None,
            archive_note=self.archive_note,
            market=self.market or card.market,
            created_at=self.created_at or card.created_at,
            won_value=self.won_value if self.archive_reason is ArchiveReason.WON else None,
            nurture_until=parked_after_move(self.nurture_until, card.stage),  # leads only
        )


def _moment(text: str, day_first: bool = False) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        rewritten = _rewritten_moment(text, day_first)
        if rewritten is None:
            raise ValueError(f"{text!r} is not a time like 2026-12-01T09:30:00+00:00") from None
        moment = rewritten
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


_CLOCK = re.compile(
    r"\s(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(?:([ap])\.?m\.?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)
"""A time of day after the date: 12- or 24-hour, seconds (and their fraction) if
written, then a zone, UTC or an offset, if written."""


def _rewritten_moment(text: str, day_first: bool) -> datetime | None:
    """A time of the export as a spreadsheet saves it again ("18/10/2026 12:00" with UK
    settings, "10/18/2026 12:00 PM" with US ones): its day as the column's dates read,
    and its time of day, in UTC as exported. Such a file was refused whole."""
    day = parse_date(text, day_first=day_first)
    if day is None:
        return None
    clock = _CLOCK.search(text)
    if clock is None:
        # A day alone; anything else after it is a time this cannot read (refused,
        # never taken as midnight).
        return datetime(day.year, day.month, day.day) if ":" not in text else None
    hour, minute, second = int(clock[1]), int(clock[2]), int(clock[3] or 0)
    if clock[4]:
        hour = hour % 12 + (12 if clock[4].lower() == "p" else 0)
    zone = UTC
    if clock[5] and clock[5][0] in "+-":
        offset = clock[5].replace(":", "")
        minutes = int(offset[1:3]) * 60 + int(offset[3:5])
        zone = timezone(timedelta(minutes=minutes if offset[0] == "+" else -minutes))
    try:
        return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)
    except ValueError:
        return None


def _not_a_day(what: str, text: str) -> str:
    """Why a cell written as a date gives no day (`RowProblem`'s words)."""
    day = parse_date(text) or parse_date(text, day_first=True)
    early = day is not None and day < EARLIEST_PAST_DATE
    why = f"is before {EARLIEST_PAST_DATE.year}" if early else "is not a date"
    return f"the {what} {clean_line(text)!r} {why}"


def _day(text: str, line: str) -> date:
    """The day of an exported note heading or touchpoint line ("2026-13-01": a slip)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{clean_line(line)!r}: there is no day {text}") from None


_Word = TypeVar("_Word", bound=StrEnum)


def _choice(kind: type[_Word], text: str, what: str) -> _Word:
    """One of the export's words for `kind`, in any case ("Won" is won)."""
    try:
        return kind(text.strip().lower())
    except ValueError:
        words = ", ".join(member.value for member in kind)
        raise ValueError(f"{clean_line(text)!r} is no {what} ({words})") from None
