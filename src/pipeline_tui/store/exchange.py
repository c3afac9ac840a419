"""Bringing a pipeline in (CSV from a CRM or spreadsheet, or our own JSON) and out again.

An import is one transaction with bulk inserts: it adds everything or nothing. Rows
are checked first (pipeline_tui.domain.importing); duplicates of cards already in the
database, or of earlier rows, are skipped and reported.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.importing import (
    ImportedCard,
    ImportFileError,
    RowProblem,
    map_columns,
    read_row,
    read_table,
)
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text, split_tags
from pipeline_tui.store.database import Database
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.models import CardRow, ResearchNoteRow, StageEventRow, TouchpointRow

EXPORT_FORMAT = "pipeline-tui"
EXPORT_VERSION = 1
CHUNK = 5000

Progress = Callable[[str, int, int], None]
"""Called as (step, done, total) while rows are read ("reading") and saved ("saving")."""

E = TypeVar("E", Stage, ArchiveReason, TouchpointKind, Market, NoteKind)


def _no_progress(step: str, done: int, total: int) -> None:
    return None


@dataclass(frozen=True)
class Duplicate:
    line: int
    reason: str


@dataclass
class ImportReport:
    """What an import did (or, with dry_run, would do)."""

    unit: str  # "line" for CSV, "card" for our JSON
    rows: int = 0
    added: int = 0
    archived: int = 0
    notes: int = 0
    duplicates: list[Duplicate] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    unused_columns: tuple[str, ...] = ()
    written: bool = False


# Reading the file ----------------------------------------------------------------------------


def read_text(path: Path) -> str:
    """The file as text: UTF-8, with or without a byte-order mark."""
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a file to import.")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StoreError(f"Cannot read {path}: {error.strerror}.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise StoreError(
            f"{path} is not UTF-8 text (byte {error.start + 1}); "
            "save it as UTF-8 CSV and try again."
        ) from None


def import_file(
    database: Database,
    path: Path,
    *,
    user: str,
    today: date,
    now: datetime,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
    skip_bad: bool = False,
    progress: Progress = _no_progress,
) -> ImportReport:
    """Import a CSV export of any CRM or spreadsheet, or a pipeline-tui JSON export.

    Nothing is written when a row is bad (unless skip_bad) or with dry_run. Raises
    ImportFileError when the file as a whole cannot be used.
    """
    text = read_text(path)
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        if mapping:
            raise ImportFileError("--map applies to CSV files, not to a pipeline-tui JSON export")
        plan: _Plan = _plan_json(text, today=today, now=now, user=user)
    else:
        plan = _plan_csv(text, mapping or {}, today=today, now=now, user=user, progress=progress)
    report = plan.report
    if report.problems and not skip_bad:
        return report
    with database.read() as session:
        _skip_duplicates(session, plan)
    report.added = len(plan.cards)
    report.archived = sum(1 for card in plan.cards if card["card"]["archived_at"] is not None)
    report.notes = sum(len(card["notes"]) for card in plan.cards)
    if dry_run or not plan.cards:
        return report
    try:
        with database.write() as session:
            _write(session, plan, progress)
    except DBAPIError as error:
        detail = str(error.orig).strip() if error.orig is not None else str(error)
        raise StoreError(f"The import was not saved, nothing was added: {detail}.") from None
    report.written = True
    return report


@dataclass
class _Plan:
    """Cards to add, as column values, each with its notes, touchpoints and history."""

    report: ImportReport
    cards: list[dict[str, Any]]


def _plan_csv(
    text: str,
    mapping: dict[str, str],
    *,
    today: date,
    now: datetime,
    user: str,
    progress: Progress,
) -> _Plan:
    headers, rows = read_table(text)
    columns = map_columns(headers, mapping)
    report = ImportReport("line", unused_columns=columns.unused)
    cards: list[dict[str, Any]] = []
    rows_list = list(rows)
    total = len(rows_list)
    for done, (line, values) in enumerate(rows_list, 1):
        result = read_row(values, columns, line, today)
        if isinstance(result, RowProblem):
            report.problems.append(result)
        else:
            cards.append(_card_from_row(result, now, user))
        if done % CHUNK == 0 or done == total:
            progress("reading", done, total)
    report.rows = total
    return _Plan(report, cards)


def _card_from_row(row: ImportedCard, now: datetime, user: str) -> dict[str, Any]:
    draft = row.draft
    stage = row.stage.value
    card = {
        "name": draft.name,
        "organisation": draft.organisation,
        "email": draft.email,
        "phone": draft.phone,
        "tags": " ".join(draft.tags),
        "stage": stage,
        "position": None,
        "owner": row.owner or user,
        "next_action": draft.next_action,
        "next_action_due": draft.next_action_due,
        "source": row.source.value if row.source else None,
        "market": Market.WARM.value if row.source is TouchpointKind.REFERRAL else None,
        "created_at": now,
        "updated_at": now,
        "archived_at": now if row.archive_reason else None,
        "archive_reason": row.archive_reason.value if row.archive_reason else None,
        "archive_note": "Imported as closed" if row.archive_reason else "",
        "version": 1,
    }
    notes = (
        [{"kind": NoteKind.GENERAL.value, "body": row.note, "created_at": now, "updated_at": now}]
        if row.note
        else []
    )
    history = [{"from_stage": None, "to_stage": stage, "at": now, "by": user}]
    return {
        "line": row.line,
        "old_id": None,
        "referred_by": None,
        "card": card,
        "notes": notes,
        "touchpoints": [],
        "events": history,
    }


# Duplicates ----------------------------------------------------------------------------------


def _name_key(card: dict[str, Any]) -> tuple[str, str]:
    return card["name"].casefold(), card["organisation"].casefold()


def _skip_duplicates(session: Session, plan: _Plan) -> None:
    """Drop cards already in the database, or earlier in the file, and say why.

    Same email is a duplicate; so is the same name and organisation, unless both have
    an email and the emails differ (two people of one name at one firm).
    """
    emails: dict[str, tuple[str, int | None]] = {}
    names: dict[tuple[str, str], tuple[str, str, int | None]] = {}
    query = select(CardRow.id, CardRow.name, CardRow.organisation, CardRow.email)
    for card_id, name, organisation, email in session.execute(query):
        where = f"card {card_id} ({name})"
        if email:
            emails.setdefault(email.casefold(), (where, card_id))
        names.setdefault(
            (name.casefold(), organisation.casefold()), (where, email.casefold(), card_id)
        )
    unit = plan.report.unit
    kept: list[dict[str, Any]] = []
    # Imported cards that are duplicates: old id -> the card they duplicate, so a
    # referral to them points at the card that stays.
    plan_aliases: dict[int, int] = {}
    for item in plan.cards:
        card = item["card"]
        email = card["email"].casefold()
        reason: str | None = None
        same: tuple[str, int | None] | None = None
        if email and email in emails:
            same = emails[email]
            reason = f"same email as {same[0]}"
        else:
            match = names.get(_name_key(card))
            if match and not (email and match[1] and email != match[1]):
                same = (match[0], match[2])
                reason = f"same name and organisation as {match[0]}"
        if reason is not None and same is not None:
            plan.report.duplicates.append(Duplicate(item["line"], reason))
            if item["old_id"] is not None and same[1] is not None:
                plan_aliases[item["old_id"]] = same[1]
            continue
        where = f"{unit} {item['line']}"
        if email:
            emails[email] = (where, None)
        names.setdefault(_name_key(card), (where, email, None))
        kept.append(item)
    plan.cards = kept
    for item in kept:
        if item["referred_by"] in plan_aliases:
            item["referred_by_existing"] = plan_aliases[item["referred_by"]]


# Writing ------------------------------------------------------------------------------------


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _write(session: Session, plan: _Plan, progress: Progress) -> None:
    cards = plan.cards
    total = len(cards)
    # Imported cards go below the cards already in each column, in the file's order:
    # after the last position, which is not the number of cards (positions have gaps).
    below: dict[str, int] = {
        stage: int(last) + 1
        for stage, last in session.execute(
            select(CardRow.stage, func.max(CardRow.position))
            .where(CardRow.archived_at.is_(None))
            .group_by(CardRow.stage)
        )
    }
    active = [item for item in cards if item["card"]["archived_at"] is None]
    # Stable sort: a CSV keeps the file's order; an export keeps each column's order.
    active.sort(key=lambda item: item["card"]["position"] or 0)
    for item in active:
        stage = item["card"]["stage"]
        item["card"]["position"] = below.get(stage, 0)
        below[stage] = item["card"]["position"] + 1
    for item in cards:
        if item["card"]["position"] is None:
            item["card"]["position"] = 0
    # Core inserts (not ORM unit-of-work): many rows a statement, ids back in order.
    connection = session.connection()
    new_ids: dict[int, int] = {}
    card_table = _table(CardRow)
    statement = insert(card_table).returning(card_table.c.id, sort_by_parameter_order=True)
    # SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so the next ids are
    # known and plain executemany is used; RETURNING in parameter order would go row by
    # row there. Other databases hand out ids from their sequence, in order.
    next_id = (
        int(session.scalar(select(func.max(card_table.c.id))) or 0) + 1
        if connection.dialect.name == "sqlite"
        else None
    )
    done = 0
    for chunk in _chunks(cards, CHUNK):
        if next_id is not None:
            ids: Sequence[int] = range(next_id, next_id + len(chunk))
            next_id += len(chunk)
            connection.execute(
                insert(card_table),
                [{**item["card"], "id": card_id} for item, card_id in zip(chunk, ids, strict=True)],
            )
        else:
            ids = connection.execute(statement, [item["card"] for item in chunk]).scalars().all()
        for item, card_id in zip(chunk, ids, strict=True):
            item["id"] = card_id
            if item["old_id"] is not None:
                new_ids[item["old_id"]] = card_id
        done += len(chunk)
        progress("saving", done, total)
    children: list[tuple[type[Any], str]] = [
        (StageEventRow, "events"),
        (ResearchNoteRow, "notes"),
        (TouchpointRow, "touchpoints"),
    ]
    for model, key in children:
        rows = [{**row, "card_id": item["id"]} for item in cards for row in item[key]]
        for chunk in _chunks(rows, CHUNK):
            connection.execute(insert(_table(model)), list(chunk))
    referrals = [
        {"b_id": item["id"], "b_ref": ref, "b_updated": item["card"]["updated_at"]}
        for item in cards
        if (ref := new_ids.get(item["referred_by"]) or item.get("referred_by_existing"))
    ]
    if referrals:
        table = card_table
        connection.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(
                # updated_at given, or the column's onupdate would stamp the import time.
                referred_by_id=bindparam("b_ref"),
                updated_at=bindparam("b_updated"),
            ),
            referrals,
        )


# Our own JSON ---------------------------------------------------------------------------------


class _Bad(ValueError):
    pass


def _plan_json(text: str, *, today: date, now: datetime, user: str) -> _Plan:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            f"The JSON is not valid at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None
    if not isinstance(document, dict) or document.get("format") != EXPORT_FORMAT:
        raise ImportFileError(
            'This JSON is not a pipeline-tui export (no "format": "pipeline-tui")'
        )
    version = document.get("version")
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise ImportFileError(
            f"This export has version {version!r}; "
            f"this release reads version {EXPORT_VERSION} or older"
        )
    records = document.get("cards")
    if not isinstance(records, list):
        raise ImportFileError('This export has no list of "cards"')
    report = ImportReport("card", rows=len(records))
    cards: list[dict[str, Any]] = []
    for number, record in enumerate(records, 1):
        try:
            item = _card_from_json(record, now, user)
        except _Bad as error:
            report.problems.append(RowProblem(number, str(error)))
            continue
        item["line"] = number
        cards.append(item)
    return _Plan(report, cards)


def _card_from_json(record: Any, now: datetime, user: str) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise _Bad("it is not an object")
    get = _Getter(record)
    try:
        draft = CardDraft(
            name=get.text("name"),
            organisation=get.text("organisation"),
            email=get.text("email"),
            phone=get.text("phone"),
            tags=split_tags(" ".join(get.text_list("tags"))),
            next_action=get.text("next_action"),
            next_action_due=get.day("next_action_due"),
        ).cleaned()
    except CardFormError as error:
        raise _Bad(str(error)[:1].lower() + str(error)[1:].rstrip(".")) from None
    stage = get.choice("stage", Stage)
    if stage is None:
        raise _Bad("it has no stage")
    archived_at = get.moment("archived_at")
    reason = get.choice("archive_reason", ArchiveReason)
    source = get.choice("source", TouchpointKind)
    market = get.choice("market", Market)
    position = record.get("position", 0)
    old_id = record.get("id")
    referred_by = record.get("referred_by")
    card = {
        "name": draft.name,
        "organisation": draft.organisation,
        "email": draft.email,
        "phone": draft.phone,
        "tags": " ".join(draft.tags),
        "stage": stage.value,
        "position": position if isinstance(position, int) else 0,
        "owner": clean_line(get.text("owner"))[:200] or user,
        "next_action": draft.next_action,
        "next_action_due": draft.next_action_due,
        "source": source.value if source else None,
        "market": market.value if market else None,
        "created_at": get.moment("created_at") or now,
        "updated_at": get.moment("updated_at") or now,
        "archived_at": archived_at,
        "archive_reason": (reason or ArchiveReason.OTHER).value if archived_at else None,
        "archive_note": clean_line(get.text("archive_note"))[:500],
        "version": 1,
    }
    notes = []
    for note in get.objects("notes"):
        n = _Getter(note, "a note")
        created = n.moment("created_at") or now
        notes.append(
            {
                "kind": (n.choice("kind", NoteKind) or NoteKind.GENERAL).value,
                "body": clean_text(n.text("body")),
                "created_at": created,
                "updated_at": n.moment("updated_at") or created,
            }
        )
    touchpoints = []
    for touchpoint in get.objects("touchpoints"):
        t = _Getter(touchpoint, "a touchpoint")
        kind = t.choice("kind", TouchpointKind)
        happened = t.day("happened_on")
        if kind is None or happened is None:
            raise _Bad("a touchpoint needs a kind and a date")
        touchpoints.append(
            {
                "kind": kind.value,
                "happened_on": happened,
                "summary": clean_line(t.text("summary"))[:500],
                "created_at": t.moment("created_at") or now,
            }
        )
    events = []
    for event in get.objects("history"):
        e = _Getter(event, "a stage move")
        to_stage = e.choice("to", Stage)
        if to_stage is None:
            raise _Bad("a stage move has no 'to' stage")
        from_stage = e.choice("from", Stage)
        events.append(
            {
                "from_stage": from_stage.value if from_stage else None,
                "to_stage": to_stage.value,
                "at": e.moment("at") or now,
                "by": clean_line(e.text("by"))[:200] or user,
            }
        )
    if not events:
        events.append({"from_stage": None, "to_stage": stage.value, "at": now, "by": user})
    return {
        "old_id": old_id if isinstance(old_id, int) else None,
        "referred_by": referred_by if isinstance(referred_by, int) else None,
        "card": card,
        "notes": notes,
        "touchpoints": touchpoints,
        "events": events,
    }


class _Getter:
    """Typed reads from one JSON object; a wrong value is a _Bad naming the field."""

    def __init__(self, record: dict[str, Any], what: str = "") -> None:
        self.record = record
        self.what = f" of {what}" if what else ""

    def _bad(self, key: str, expected: str) -> _Bad:
        return _Bad(f"'{key}'{self.what} must be {expected}")

    def text(self, key: str) -> str:
        value = self.record.get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self._bad(key, "text")
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.record.get(key) or []
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._bad(key, "a list of text")
        return value

    def objects(self, key: str) -> list[dict[str, Any]]:
        value = self.record.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._bad(key, "a list of objects")
        return value

    def day(self, key: str) -> date | None:
        value = self.text(key)
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            raise self._bad(key, "a date like 2026-12-01") from None

    def moment(self, key: str) -> datetime | None:
        value = self.text(key)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise self._bad(key, "a time like 2026-12-01T09:30:00+00:00") from None
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def choice(self, key: str, kind: type[E]) -> E | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(k.value for k in kind)
            raise self._bad(key, f"one of {names}") from None


# Export ---------------------------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export_document(database: Database, now: datetime) -> dict[str, Any]:
    """Everything: every card (archived too) with its notes, touchpoints and history.

    Read with plain selects in one transaction (a consistent picture), not ORM objects:
    an export of 100,000 cards should take seconds.
    """
    notes: dict[int, list[dict[str, Any]]] = {}
    touchpoints: dict[int, list[dict[str, Any]]] = {}
    history: dict[int, list[dict[str, Any]]] = {}
    with database.read() as session:
        note = _table(ResearchNoteRow).c
        for row in session.execute(
            select(_table(ResearchNoteRow)).order_by(note.card_id, note.created_at, note.id)
        ):
            notes.setdefault(row.card_id, []).append(
                {
                    "kind": row.kind,
                    "body": row.body,
                    "created_at": _iso(row.created_at),
                    "updated_at": _iso(row.updated_at),
                }
            )
        touch = _table(TouchpointRow).c
        query = select(_table(TouchpointRow)).order_by(touch.card_id, touch.happened_on, touch.id)
        for row in session.execute(query):
            touchpoints.setdefault(row.card_id, []).append(
                {
                    "kind": row.kind,
                    "happened_on": _iso(row.happened_on),
                    "summary": row.summary,
                    "created_at": _iso(row.created_at),
                }
            )
        event = _table(StageEventRow).c
        for row in session.execute(
            select(_table(StageEventRow)).order_by(event.card_id, event.at, event.id)
        ):
            history.setdefault(row.card_id, []).append(
                {"from": row.from_stage, "to": row.to_stage, "at": _iso(row.at), "by": row.by}
            )
        card = _table(CardRow).c
        cards = [
            _card_record(row, notes, touchpoints, history)
            for row in session.execute(select(_table(CardRow)).order_by(card.id))
        ]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": now.isoformat(),
        "cards": cards,
    }


def _card_record(
    row: Any,
    notes: dict[int, list[dict[str, Any]]],
    touchpoints: dict[int, list[dict[str, Any]]],
    history: dict[int, list[dict[str, Any]]],
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
        "notes": notes.get(row.id, []),
        "touchpoints": touchpoints.get(row.id, []),
        "history": history.get(row.id, []),
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
)


def write_json(document: dict[str, Any], out: TextIO) -> None:
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")


def write_csv(document: dict[str, Any], out: TextIO) -> None:
    """One card a row, for spreadsheets; notes, touchpoints and history as text cells."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(_csv_rows(document["cards"]))


def _csv_rows(cards: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for card in cards:
        yield {
            **card,
            "tags": " ".join(card["tags"]),
            "notes": "\n\n".join(
                f"[{n['kind']}, {n['created_at'][:10]}] {n['body']}" for n in card["notes"]
            ),
            "touchpoints": "\n".join(
                f"{t['happened_on']} {t['kind']}" + (f": {t['summary']}" if t["summary"] else "")
                for t in card["touchpoints"]
            ),
            "stage_history": "\n".join(
                f"{e['at'][:16].replace('T', ' ')} {e['from'] or 'new'} -> {e['to']} ({e['by']})"
                for e in card["history"]
            ),
        }
