"""Bringing a pipeline in (from other tools' exports, or our own) and out again.

An import is one transaction: it adds (or merges) everything or nothing. Files are
read and rows checked first (pipeline_tui.domain.importing), then matched against the
cards already there (store.importing.merge) and written (store.importing.write).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pipeline_tui.domain.importing.contacts import StageReading, contact_reader, escape_note_heads
from pipeline_tui.domain.importing.errors import ImportFileError, RowProblem
from pipeline_tui.domain.importing.export import (
    CALL_COUNTS,
    EXPORT_FORMAT,
    EXPORT_VERSION,
    read_export,
)
from pipeline_tui.domain.importing.files import JsonDocument, read_contacts
from pipeline_tui.domain.importing.plan import PlannedCallSession, PlannedCard
from pipeline_tui.domain.importing.table import Table, from_spreadsheet, spreadsheet_safe
from pipeline_tui.domain.importing.vcard import VCardContact, write_vcard
from pipeline_tui.domain.importing.vocabulary import StageMeaning
from pipeline_tui.domain.money import Grouping, from_cents
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store.database import Database
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.importing.merge import Merge, resolve
from pipeline_tui.store.importing.write import CHUNK, table_of, write
from pipeline_tui.store.models import (
    ActivityRow,
    CallSessionRow,
    CapturedItemRow,
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)

__all__ = [
    "CHUNK",
    "EXPORT_FORMAT",
    "EXPORT_VERSION",
    "ImportReport",
    "contact_details",
    "export_document",
    "import_file",
    "write_csv",
    "write_json",
    "write_vcards",
]

Progress = Callable[[str, int, int], None]
"""Called as (step, done, total) while rows are read ("reading") and saved ("saving")."""


def no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    unit: str  # "line" for CSV, "row" for a workbook, "card" for vCards and our JSON
    kind: str = "CSV"
    layout: str = ""
    """The known layout the file was read as ("LinkedIn connections"), if any."""
    rows: int = 0
    added: int = 0
    archived: int = 0
    notes: int = 0
    call_sessions: int = 0
    """Call sessions (a pipeline-tui export's) not in the database yet."""
    merges: list[Merge] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    left_out: tuple[str, ...] = ()
    """Columns left out (the other tool's bookkeeping, or --map COLUMN=ignore)."""
    kept: tuple[str, ...] = ()
    """Columns no card field takes, kept in each card's Imported fields note."""
    assumptions: tuple[str, ...] = ()
    """What reading the file had to assume (an encoding, how to read "3.000"), for the
    summary."""
    skipped_lines: tuple[str, ...] = ()
    """Lines that are not contacts (a preamble, a report's footer), in words."""
    stage_values: list[tuple[str, str, StageReading, int]] = field(default_factory=list)
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Which columns fill which field, most specific first."""
    written: bool = False

    def at(self, line: int) -> str:
        """Where in the file a card was read: "line 12", "row 3", "card 2" (our JSON);
        a vCard's card by the line it begins on, which an editor finds ("card at line
        85": "card 85" read as the 85th card)."""
        return f"card at line {line}" if self.kind == "vCard" else f"{self.unit} {line}"

    @property
    def merged(self) -> list[Merge]:
        return [m for m in self.merges if m.added]

    @property
    def unchanged(self) -> list[Merge]:
        return [m for m in self.merges if not m.added]


# Reading --------------------------------------------------------------------------------------


def read_bytes(path: Path) -> bytes:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a file to import.")
    try:
        return path.read_bytes()
    except OSError as error:
        raise StoreError(f"Cannot read {path}: {error.strerror}.") from None


def import_file(
    database: Database,
    path: Path,
    *,
    user: str,
    today: date,
    now: datetime,
    mapping: dict[str, str] | None = None,
    stage_map: dict[str, StageMeaning] | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Progress = no_progress,
    grouping: Grouping | None = None,
    currency: str | None = None,
) -> ImportReport:
    """Import a contacts file (CSV, .xlsx, .vcf) or a pipeline-tui JSON export.

    Nothing is written when a row is bad (unless skip_bad) or with dry_run. Raises
    ImportFileError when the file as a whole cannot be used. `grouping` is how the
    locale writes numbers (None: it does not say), for amounts the file leaves open;
    `currency` the configured currency's code, to refuse amounts written in another.
    """
    source = read_contacts(read_bytes(path), path.suffix)
    if isinstance(source, JsonDocument):
        if mapping:
            raise ImportFileError("--map applies to contact files, not to a pipeline-tui export")
        read = read_export(source.text, now=now, user=user)
        cards, sessions = read.cards, read.call_sessions
        report = ImportReport(
            "card", kind="pipeline-tui export", rows=read.count, problems=read.problems
        )
    else:
        sessions = []
        report, cards = _plan_table(
            source,
            mapping or {},
            stage_map or {},
            today=today,
            now=now,
            user=user,
            progress=progress,
            grouping=grouping,
            currency=currency,
        )
    if report.problems and not skip_bad:
        return report
    try:
        with database.read() if dry_run else database.write() as session:
            plan = resolve(session, cards, report.at)
            report.added = len(plan.new)
            report.archived = sum(1 for card in plan.new if card.archived)
            report.notes = sum(len(card.notes) for card in plan.new)
            report.merges = sorted(plan.merges, key=lambda m: m.line)
            sessions = _new_call_sessions(session, sessions)
            report.call_sessions = len(sessions)
            if dry_run or not (plan.new or report.merged or sessions):
                return report
            write(session, plan, now, progress)
            _write_call_sessions(session, sessions)
    except DBAPIError as error:
        detail = str(error.orig).strip() if error.orig is not None else str(error)
        raise StoreError(f"The import was not saved, nothing was added: {detail}.") from None
    report.written = True
    return report


def _new_call_sessions(
    session: Session, sessions: list[PlannedCallSession]
) -> list[PlannedCallSession]:
    """The call sessions not in the database yet: one rep's sitting begun at the same
    moment is the same sitting (the export imported a second time)."""
    if not sessions:
        return []
    row = table_of(CallSessionRow).c
    there = session.execute(select(row.owner, row.started_at))
    seen = {(owner, started) for owner, started in there}
    new = []
    for sitting in sessions:
        key = (sitting.owner, sitting.started_at.astimezone(UTC))
        if key not in seen:
            seen.add(key)
            new.append(sitting)
    return new


def _write_call_sessions(session: Session, sessions: list[PlannedCallSession]) -> None:
    if sessions:
        session.execute(
            insert(table_of(CallSessionRow)),
            [
                {
                    "owner": s.owner,
                    "started_at": s.started_at,
                    "last_call_at": s.last_call_at,
                    **{name: getattr(s, name) for name in CALL_COUNTS},
                }
                for s in sessions
            ],
        )


def _plan_table(
    table: Table,
    mapping: dict[str, str],
    stage_map: dict[str, StageMeaning],
    *,
    today: date,
    now: datetime,
    user: str,
    progress: Progress,
    grouping: Grouping | None = None,
    currency: str | None = None,
) -> tuple[ImportReport, list[PlannedCard]]:
    columns, reader = contact_reader(
        table,
        mapping,
        stage_map,
        today=today,
        now=now,
        user=user,
        grouping=grouping,
        currency=currency,
    )
    unit = {"vCard": "card", "Excel workbook": "row"}.get(table.kind, "line")
    skipped = []
    if table.header_line > 1:
        lines = table.header_line - 1
        skipped.append(f"{lines} {unit}{'s' if lines != 1 else ''} before the header")
    if table.footer_lines:
        lines = table.footer_lines
        skipped.append(f"{lines} footer {unit}{'s' if lines != 1 else ''}")
    report = ImportReport(
        unit,
        kind=table.kind,
        layout=columns.profile.name,
        left_out=columns.left_out,
        kept=tuple(c.header for c in columns.kept),
        assumptions=tuple(table.notes),
        skipped_lines=tuple(skipped),
        fields={name: tuple(c.header for c in cs) for name, cs in columns.candidates.items()},
    )
    report.assumptions += reader.warnings
    cards: list[PlannedCard] = []
    total = len(table.rows)
    is_csv = table.kind == "CSV"
    for done, (line, values) in enumerate(table.rows, 1):
        if is_csv:
            values = [from_spreadsheet(value) for value in values]
        result = reader.read(line, values)
        if isinstance(result, RowProblem):
            report.problems.append(result)
        elif result is not None:
            cards.append(result)
        if done % CHUNK == 0 or done == total:
            progress("reading", done, total)
    report.rows = total
    report.stage_values = reader.tally.rows()
    return report, cards


# Export ---------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _amount(cents: int | None) -> str | None:
    return str(from_cents(cents)) if cents is not None else None


def export_document(database: Database, now: datetime) -> dict[str, Any]:
    """Everything: every card (archived too) with its notes, touchpoints, history,
    qualification answers, activities and the emails and invites `log -` logged on it,
    and the call queue's sittings (the stand-up's call figures). Not the drafts:
    unsaved text stays in the database it was typed against.

    Read with plain selects in one transaction (a consistent picture), not ORM objects:
    an export of 100,000 cards should take seconds.
    """
    notes: dict[int, list[dict[str, Any]]] = {}
    touchpoints: dict[int, list[dict[str, Any]]] = {}
    history: dict[int, list[dict[str, Any]]] = {}
    answers: dict[int, list[dict[str, Any]]] = {}
    activities: dict[int, list[dict[str, Any]]] = {}
    captured: dict[int, list[dict[str, Any]]] = {}
    with database.read() as session:
        note = table_of(ResearchNoteRow).c
        for row in session.execute(
            select(table_of(ResearchNoteRow)).order_by(note.card_id, note.created_at, note.id)
        ):
            notes.setdefault(row.card_id, []).append(
                {
                    "kind": row.kind,
                    "body": row.body,
                    "created_at": _iso(row.created_at),
                    "updated_at": _iso(row.updated_at),
                    "version": row.version,
                }
            )
        touch = table_of(TouchpointRow).c
        query = select(table_of(TouchpointRow)).order_by(touch.card_id, touch.happened_on, touch.id)
        for row in session.execute(query):
            touchpoints.setdefault(row.card_id, []).append(
                {
                    "kind": row.kind,
                    "happened_on": _iso(row.happened_on),
                    "summary": row.summary,
                    "created_at": _iso(row.created_at),
                }
            )
        event = table_of(StageEventRow).c
        for row in session.execute(
            select(table_of(StageEventRow)).order_by(event.card_id, event.at, event.id)
        ):
            move = {"from": row.from_stage, "to": row.to_stage, "at": _iso(row.at), "by": row.by}
            if row.note:
                move["note"] = row.note
            history.setdefault(row.card_id, []).append(move)
        answer = table_of(QualificationAnswerRow).c
        for row in session.execute(
            select(table_of(QualificationAnswerRow)).order_by(answer.card_id, answer.id)
        ):
            answers.setdefault(row.card_id, []).append(
                {
                    "criterion": row.criterion,
                    "answer": row.answer,
                    "comment": row.comment,
                    "updated_at": _iso(row.updated_at),
                    "updated_by": row.updated_by,
                }
            )
        step = table_of(ActivityRow).c
        for row in session.execute(select(table_of(ActivityRow)).order_by(step.card_id, step.id)):
            activities.setdefault(row.card_id, []).append(
                {
                    "kind": row.kind,
                    "text": row.text,
                    "due": _iso(row.due),
                    "due_time": row.due_time.strftime("%H:%M") if row.due_time else None,
                    "created_at": _iso(row.created_at),
                    "done_at": _iso(row.done_at),
                }
            )
        item = table_of(CapturedItemRow).c
        for row in session.execute(
            select(table_of(CapturedItemRow)).order_by(item.card_id, item.id)
        ):
            captured.setdefault(row.card_id, []).append(
                {
                    "origin": row.origin,
                    "sequence": row.sequence,
                    "logged_on": _iso(row.logged_on),
                    "next_action": row.next_action,
                    "next_action_due": _iso(row.next_action_due),
                }
            )
        card = table_of(CardRow).c
        cards = [
            _card_record(row, notes, touchpoints, history, answers, activities, captured)
            for row in session.execute(select(table_of(CardRow)).order_by(card.id))
        ]
        sitting = table_of(CallSessionRow).c
        call_sessions = [
            {
                "owner": row.owner,
                "started_at": _iso(row.started_at),
                "last_call_at": _iso(row.last_call_at),
                **{name: getattr(row, name) for name in CALL_COUNTS},
            }
            for row in session.execute(
                select(table_of(CallSessionRow)).order_by(sitting.started_at, sitting.id)
            )
        ]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "cards": cards,
        "call_sessions": call_sessions,
    }


def _card_record(
    row: Any,
    notes: dict[int, list[dict[str, Any]]],
    touchpoints: dict[int, list[dict[str, Any]]],
    history: dict[int, list[dict[str, Any]]],
    answers: dict[int, list[dict[str, Any]]],
    activities: dict[int, list[dict[str, Any]]],
    captured: dict[int, list[dict[str, Any]]],
) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "organisation": row.organisation,
        "email": row.email,
        "phone": row.phone,
        "tags": row.tags.split(),
        "stage": row.stage,
        "position": row.position,
        "owner": row.owner,
        "next_action": row.next_action,
        "next_action_due": _iso(row.next_action_due),
        "source": row.source,
        "market": row.market,
        "referred_by": row.referred_by_id,
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
        "archived_at": _iso(row.archived_at),
        "archive_reason": row.archive_reason,
        "archive_note": row.archive_note,
        "version": row.version,
        # Amounts as text ("12500.50"): exact, whatever reads the file.
        "value": _amount(row.value_cents),
        "expected_close": _iso(row.expected_close),
        "won_value": _amount(row.won_value_cents),
        "nurture_until": _iso(row.nurture_until),
        "rhythm_days": row.rhythm_days,
        "cadence_step": row.cadence_step,
        "cadence_anchor": _iso(row.cadence_anchor),
        "cadence_base": _iso(row.cadence_base),
        "notes": notes.get(row.id, []),
        "touchpoints": touchpoints.get(row.id, []),
        "history": history.get(row.id, []),
        "qualification": answers.get(row.id, []),
        "activities": activities.get(row.id, []),
        "captured_items": captured.get(row.id, []),
    }


CSV_COLUMNS = (
    "id",
    "name",
    "organisation",
    "email",
    "phone",
    "tags",
    "stage",
    "position",
    "owner",
    "next_action",
    "next_action_due",
    "source",
    "market",
    "referred_by",
    "created_at",
    "archived_at",
    "archive_reason",
    "archive_note",
    "notes",
    "touchpoints",
    "stage_history",
    # Added after the columns above, so a sheet that reads them by position still works.
    "value",
    "expected_close",
    "won_value",
    "nurture_until",
)


def write_json(document: dict[str, Any], out: TextIO) -> None:
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_csv(document: dict[str, Any], out: TextIO, *, excel: bool = False) -> None:
    """One card a row, for spreadsheets; notes, touchpoints and history as text cells.

    No cell can run as a formula (see spreadsheet_safe). With `excel`, a byte-order
    mark first, so Excel reads the file as UTF-8.
    """
    if excel:
        out.write("\ufeff")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(safe_rows(_csv_rows(document["cards"])))


def safe_rows(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Rows whose text cells a spreadsheet shows as text (see spreadsheet_safe)."""
    for row in rows:
        yield {k: spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()}


def _csv_rows(cards: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for card in cards:
        yield {
            **card,
            "tags": " ".join(card["tags"]),
            "notes": "\n\n".join(
                f"[{n['kind']}, {n['created_at'][:10]}] {escape_note_heads(n['body'])}"
                for n in card["notes"]
            ),
            "touchpoints": "\n".join(
                f"{t['happened_on']} {t['kind']}" + (f": {t['summary']}" if t["summary"] else "")
                for t in card["touchpoints"]
            ),
            "stage_history": "\n".join(_history_line(e) for e in card["history"]),
        }


def _history_line(event: dict[str, Any]) -> str:
    """A move as the CSV's stage_history cell has it, with its note (an override's
    reason) after a colon: without it the move came back from the CSV with no reason.
    The note is one line here (the JSON export keeps it as written)."""
    line = f"{event['at'][:16].replace('T', ' ')} {event['from'] or 'new'} -> {event['to']}"
    line += f" ({event['by']})"
    note = clean_line(event.get("note") or "")
    return f"{line}: {note}" if note else line


def write_vcards(document: dict[str, Any], out: TextIO) -> None:
    """Every active card as a vCard 4.0, for a phone or an address book."""
    for card in document["cards"]:
        if card["archived_at"]:
            continue
        out.write(
            write_vcard(
                VCardContact(
                    name=card["name"],
                    organisation=card["organisation"],
                    email=card["email"],
                    phone=card["phone"],
                    tags=tuple(card["tags"]),
                    stage=card["stage"],
                    owner=card["owner"],
                    source=card["source"] or "",
                    uid=f"pipeline-tui-card-{card['id']}",
                )
            )
        )


def contact_details(database: Database, card_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each card's (email, phone), for listings."""
    ids = sorted(set(card_ids))
    details: dict[int, tuple[str, str]] = {}
    card = table_of(CardRow).c
    with database.read() as session:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            query = select(card.id, card.email, card.phone).where(card.id.in_(chunk))
            for card_id, email, phone in session.execute(query):
                details[card_id] = (email, phone)
    return details
