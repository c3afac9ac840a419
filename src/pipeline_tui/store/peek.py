"""The top of each board column, and the first card opened, read at start-up with the
standard library's sqlite3 (or, for a team's PostgreSQL server, with psycopg alone).

Opening the board should wait neither for SQLAlchemy (about as long to import as
Textual itself) nor for every card in the pipeline. For an up-to-date SQLite file this
reads the first cards of each column and the column sizes, so the board shows at once
while the full store opens in the background; a card opened meanwhile is read here too
(peek_card), so the rep's first enter does not wait for the store either. Anything out
of the ordinary (no file yet, an older schema that needs migrating, a value this
release does not know, any database error) returns None, and the normal path takes
over with its migrations, backups and one-sentence errors.

The queries are PipelineService's board and card reads written out in SQL that SQLite
and PostgreSQL both take; tests check that both ways give the same cards on each.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Protocol, TypeVar
from urllib.parse import quote

from pipeline_tui.domain.cadence import Cadence
from pipeline_tui.domain.cards import CardDetail, CardSummary
from pipeline_tui.domain.drafts import Draft
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store.revision import HEAD_REVISION, VERSION_TABLE
from pipeline_tui.store.rows import board_card, card_detail, card_summary, draft, has_checklist

SQLITE_URL_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
PEEK_CONNECT_TIMEOUT_S = 3
"""A server slower than this to answer is left to the store, and its own timeout."""
JIT_SINCE = 110000
"""PostgreSQL 11 compiles costly queries first; the header's counts can cross that
line at 100,000 cards (see store.database._without_jit)."""

Source = Path | str
"""Where a peek reads: an SQLite file, or a PostgreSQL connection URI for libpq."""

_SUMMARY_SQL = """
SELECT card.id, card.name, card.organisation, card.stage, card.position, card.owner,
       card.tags, card.next_action, card.next_action_due, card.version,
       card.value_cents, card.expected_close, card.nurture_until, card.rhythm_days,
       (SELECT max(touchpoint.happened_on) FROM touchpoint
         WHERE touchpoint.card_id = card.id) AS last_touchpoint,
       (SELECT max(research_note.updated_at) FROM research_note
         WHERE research_note.card_id = card.id) AS last_note_at,
       coalesce((SELECT max(stage_event.at) FROM stage_event
                  WHERE stage_event.card_id = card.id), card.created_at) AS last_move_at,
       (SELECT count(*) FROM card AS referee
         WHERE referee.referred_by_id = card.id AND referee.archived_at IS NULL) AS referrals,
       (SELECT count(*) FROM qualification_answer
         WHERE qualification_answer.card_id = card.id AND qualification_answer.answer = ?
           AND qualification_answer.criterion IN ({criteria})) AS qualified,
       EXISTS (SELECT 1 FROM draft
                WHERE draft.card_id = card.id AND draft.owner = ?) AS has_draft
FROM card
WHERE card.archived_at IS NULL
"""

_COLUMN_SQL = (
    _SUMMARY_SQL
    + """  AND card.stage = ? AND (card.nurture_until IS NULL OR card.nurture_until <= ?)
ORDER BY card.position, card.id
LIMIT ?
"""
)

_COUNT_SQL = """
SELECT stage, count(*) FROM card
WHERE archived_at IS NULL AND (nurture_until IS NULL OR nurture_until <= ?)
GROUP BY stage
"""


@dataclass(frozen=True)
class BoardPeek:
    """The first cards of each column, and how many cards each column has in all."""

    columns: dict[Stage, list[CardSummary]]
    counts: dict[Stage, int]

    @property
    def complete(self) -> bool:
        """Whether every card is here (a small pipeline)."""
        return all(len(self.columns[stage]) == self.counts[stage] for stage in STAGES)


def sqlite_path(target: str) -> Path | None:
    """The file behind a --db target, if it is a plain SQLite file (not a URL with a
    driver or options, not in memory, not another database)."""
    if "://" in target and (not target.startswith(SQLITE_URL_PREFIX) or "?" in target):
        return None
    return sqlite_file_named(target)


def sqlite_file_named(target: str) -> Path | None:
    """The file any SQLite target names: a path, or a URL with a driver or options
    (`sqlite+pysqlite:////srv/p.db?timeout=5`), without SQLAlchemy; None for another
    database, or one in memory."""
    scheme, sep, rest = target.partition("://")
    if not sep:
        return Path(target).expanduser() if target not in ("", ":memory:") else None
    if scheme.split("+")[0].lower() != "sqlite":
        return None
    path, _, query = rest.partition("?")
    if "uri=true" in query.lower():
        return None  # an SQLite URI filename ("file:..."), which the store refuses
    path = path.removeprefix("/")  # sqlite:///relative.db, sqlite:////absolute.db
    return Path(path).expanduser() if path not in ("", ":memory:") else None


def sqlite_in_memory(target: str) -> bool:
    """Whether a --db target is an SQLite database in memory (`sqlite://`,
    `sqlite:///:memory:`, `?mode=memory`): gone, and all written to it, when the
    program ends."""
    scheme, sep, rest = target.partition("://")
    if not sep or scheme.split("+")[0].lower() != "sqlite":
        return False
    path, _, query = rest.partition("?")
    return path.removeprefix("/") in ("", ":memory:") or "mode=memory" in query


def peek_source(target: str) -> Source | None:
    """What a peek can read for a --db target: the SQLite file, or a PostgreSQL URL
    as libpq takes it; None for anything else (the store alone reads those)."""
    for scheme in POSTGRES_SCHEMES:
        if target.startswith(scheme):
            return "postgresql://" + target[len(scheme) :]
    return sqlite_path(target)


def peek_board(
    path: Source,
    criteria: Sequence[str],
    per_column: int,
    owner: str = "",
    today: date | None = None,
) -> BoardPeek | None:
    """The top `per_column` cards of each column, or None (see the module docstring);
    `owner`'s drafts mark the cards that hold one. Cards parked until after `today`
    (None: the system's today) are left out, as the board leaves them out."""
    with _snapshot(path) as connection:
        if connection is None:
            return None
        return _read(connection, criteria, per_column, owner, today or date.today())
    return None  # an error the snapshot swallowed


class Connection(Protocol):
    """What the reads need of a connection: sqlite3's, or _Postgres."""

    def execute(self, sql: str, parameters: Sequence[Any] = ..., /) -> Any: ...


class _Postgres:
    """A psycopg connection taking the reads' SQL: `?` placeholders, dates as text."""

    def __init__(self, connection: Any) -> None:
        self.connection = connection

    def execute(self, sql: str, parameters: Sequence[Any] = (), /) -> Any:
        return self.connection.execute(sql.replace("?", "%s"), parameters)


@contextmanager
def _snapshot(source: Source) -> Iterator[Connection | None]:
    """One read transaction at the head revision; None for anything out of the
    ordinary. An error in the caller's reads is swallowed too: the caller then
    returns None."""
    given = False
    try:
        if isinstance(source, str):
            with _postgres_snapshot(source) as connection:
                given = True
                yield connection
            return
        if not source.is_file():
            raise FileNotFoundError(source)
        # mode=rw: never create a file here; the normal path creates it 0600.
        uri = f"file:{quote(str(source.resolve()))}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as sqlite:
            sqlite.isolation_level = None
            sqlite.execute("BEGIN")  # one snapshot: everything read agrees
            try:
                at_head = _at_head(sqlite)
                given = True
                yield sqlite if at_head else None
            finally:
                sqlite.execute("ROLLBACK")
    except Exception as error:
        # sqlite3's errors, psycopg's, and a value this release cannot read.
        if not isinstance(error, (sqlite3.Error, OSError, ValueError, KeyError)) and not (
            _is_psycopg_error(error)
        ):
            raise
        if not given:
            yield None


@contextmanager
def _postgres_snapshot(uri: str) -> Iterator[Connection | None]:
    import psycopg

    with psycopg.connect(uri, connect_timeout=PEEK_CONNECT_TIMEOUT_S) as connection:
        # One snapshot, as on SQLite; read only, so nothing here can write.
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        try:
            if connection.info.server_version >= JIT_SINCE:
                connection.execute("SET LOCAL jit = off")
            reads = _Postgres(connection)
            yield reads if _at_head(reads) else None
        finally:
            connection.rollback()


def _is_psycopg_error(error: Exception) -> bool:
    psycopg = sys.modules.get("psycopg")
    return psycopg is not None and isinstance(error, psycopg.Error)


def _at_head(connection: Connection) -> bool:
    revision = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    return revision is not None and revision[0] == HEAD_REVISION


def _day(connection: Connection, day: date) -> object:
    """A date as a parameter: text for SQLite (as stored there), a date for PostgreSQL."""
    return day if isinstance(connection, _Postgres) else day.isoformat()


def _read(
    connection: Connection,
    criteria: Sequence[str],
    per_column: int,
    owner: str,
    day: date,
) -> BoardPeek | None:
    today = _day(connection, day)
    counts = {stage: 0 for stage in STAGES}
    for stage_value, count in connection.execute(_COUNT_SQL, (today,)):
        counts[Stage(stage_value)] = count
    # Bound parameters for the criteria: they are the rep's own words from the config.
    sql = _COLUMN_SQL.format(criteria=", ".join("?" * len(criteria)) or "NULL")
    columns: dict[Stage, list[CardSummary]] = {}
    for stage in STAGES:
        rows = connection.execute(
            sql, (Answer.YES.value, *criteria, owner, stage.value, today, per_column)
        ).fetchall()
        columns[stage] = [board_card(_row(values), len(criteria)) for values in rows]
    return BoardPeek(columns, counts)


def _row(values: tuple[object, ...]) -> SimpleNamespace:
    """SQLite's text dates and times as the Python values SQLAlchemy would give."""
    (id_, name, organisation, stage, position, owner, tags, action, due, version) = values[:10]
    value_cents, expected_close, nurture_until, rhythm_days = values[10:14]
    touchpoint, note_at, move_at, referrals, qualified, has_draft = values[14:]
    return SimpleNamespace(
        id=id_,
        name=name,
        organisation=organisation,
        stage=stage,
        position=position,
        owner=owner,
        tags=tags,
        next_action=action,
        next_action_due=_date(due),
        version=version,
        value_cents=value_cents,
        expected_close=_date(expected_close),
        nurture_until=_date(nurture_until),
        rhythm_days=rhythm_days,
        last_touchpoint=_date(touchpoint),
        last_note_at=_moment(note_at),
        last_move_at=_moment(move_at),
        referrals=referrals,
        qualified=qualified,
        has_draft=bool(has_draft),
    )


@dataclass(frozen=True)
class CardPeek:
    """A card as the card screen shows it, the rep's drafts on it, and the board clock
    they were read at."""

    card: CardDetail
    drafts: list[Draft]
    revision: int


def peek_card(
    path: Source,
    card_id: int,
    criteria: Sequence[str],
    owner: str,
    cadences: Mapping[Stage, Cadence],
) -> CardPeek | None:
    """What PipelineService.card, drafts_of_card and change_marker give, in one
    snapshot; None as peek_board, and for a card that is not there (the normal path
    then says so)."""
    with _snapshot(path) as connection:
        if connection is None:
            return None
        return _read_card(connection, card_id, criteria, owner, cadences)
    return None


_CARD_SQL = """
SELECT id, name, organisation, email, phone, tags, stage, position, owner, next_action,
       next_action_due, value_cents, expected_close, nurture_until, cadence_step,
       cadence_anchor, rhythm_days, won_value_cents, source, market, referred_by_id,
       created_at, archived_at, archive_reason, archive_note, version
FROM card WHERE id = ?
"""
_LINK_SQL = "SELECT id, name, stage, archived_at FROM card"
_OPEN_ACTIVITIES_SQL = """
SELECT id, kind, text, due, due_time, created_at, done_at FROM activity
WHERE card_id = ? AND done_at IS NULL
ORDER BY due IS NULL, due, due_time IS NULL, due_time, id
"""
_DRAFTS_SQL = """
SELECT editor, card_id, subject, fields, base_version, saved_at FROM draft
WHERE owner = ? AND card_id = ?
ORDER BY saved_at DESC, id DESC
"""

E = TypeVar("E", bound=StrEnum)


def _member(enum: type[E], unknown: E | None = None) -> Callable[[object], E | None]:
    """A stored value as its enum member, as store/types.EnumText reads it (a value
    this release does not know raises unless the column has a stand-in)."""

    def read(value: object) -> E | None:
        if value is None:
            return None
        try:
            return enum(str(value))
        except ValueError:
            if unknown is None:
                raise
            return unknown

    return read


# SQLite gives dates and times as the text stored; psycopg as Python values.


def _date(value: object) -> date | None:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    return date.fromisoformat(value) if isinstance(value, str) else None


def _time(value: object) -> time | None:
    if isinstance(value, time):
        return value
    return time.fromisoformat(value) if isinstance(value, str) else None


def _moment(value: object) -> datetime | None:
    # Stored as naive UTC (see models.UTCDateTime).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_READ_AS: dict[str, Callable[[Any], Any]] = {
    "next_action_due": _date,
    "expected_close": _date,
    "nurture_until": _date,
    "cadence_anchor": _date,
    "happened_on": _date,
    "due": _date,
    "due_time": _time,
    "created_at": _moment,
    "updated_at": _moment,
    "archived_at": _moment,
    "done_at": _moment,
    "saved_at": _moment,
    "at": _moment,
    "from_stage": _member(Stage),
    "to_stage": _member(Stage),
    "source": _member(TouchpointKind),
    "market": _member(Market),
    "archive_reason": _member(ArchiveReason, ArchiveReason.OTHER),
    "answer": _member(Answer, Answer.UNKNOWN),
}
"""Columns whose stored text is read as a Python value, as the models' types read it
(kind and stage differ by table: see _rows)."""


def _rows(
    connection: Connection,
    sql: str,
    parameters: Sequence[object],
    kind: Callable[[object], object] | None = None,
) -> list[SimpleNamespace]:
    cursor = connection.execute(sql, parameters)
    names = [column[0] for column in cursor.description]
    found = []
    for values in cursor:
        row = SimpleNamespace()
        for name, value in zip(names, values, strict=True):
            read = kind if name == "kind" and kind is not None else _READ_AS.get(name)
            setattr(row, name, read(value) if read is not None else value)
        if hasattr(row, "stage"):
            row.stage = Stage(row.stage)
        found.append(row)
    return found


def _read_card(
    connection: Connection,
    card_id: int,
    criteria: Sequence[str],
    owner: str,
    cadences: Mapping[Stage, Cadence],
) -> CardPeek | None:
    cards = _rows(connection, _CARD_SQL, (card_id,))
    if not cards:
        return None
    row = cards[0]
    summary_sql = _SUMMARY_SQL.format(criteria=", ".join("?" * len(criteria)) or "NULL")
    board_rows = connection.execute(
        summary_sql + " AND card.id = ?", (Answer.YES.value, *criteria, owner, card_id)
    ).fetchall()
    summary = board_card(_row(board_rows[0]), len(criteria)) if board_rows else card_summary(row)
    referred_by = None
    if row.referred_by_id is not None:
        linked = _rows(connection, f"{_LINK_SQL} WHERE id = ?", (row.referred_by_id,))
        referred_by = linked[0] if linked else None
    answers = None
    if has_checklist(row.stage):
        answers = _rows(
            connection,
            "SELECT criterion, answer, comment FROM qualification_answer WHERE card_id = ?",
            (card_id,),
        )
    detail = card_detail(
        row,
        summary,
        events=_rows(
            connection,
            'SELECT id, from_stage, to_stage, at, "by", note FROM stage_event WHERE card_id = ?',
            (card_id,),
        ),
        notes=_rows(
            connection,
            "SELECT id, kind, body, created_at, updated_at, version FROM research_note"
            " WHERE card_id = ?",
            (card_id,),
            _member(NoteKind),
        ),
        touchpoints=_rows(
            connection,
            "SELECT id, kind, happened_on, summary FROM touchpoint WHERE card_id = ?",
            (card_id,),
            _member(TouchpointKind),
        ),
        activities=_rows(
            connection, _OPEN_ACTIVITIES_SQL, (card_id,), _member(ActivityKind, ActivityKind.TASK)
        ),
        answers=answers,
        referred_by=referred_by,
        referrals=_rows(
            connection,
            f"{_LINK_SQL} WHERE referred_by_id = ? ORDER BY created_at, id",
            (card_id,),
        ),
        criteria=criteria,
        cadences=cadences,
    )
    drafts = _rows(connection, _DRAFTS_SQL, (owner, card_id))
    clock = connection.execute("SELECT revision FROM board_clock WHERE id = 1").fetchone()
    return CardPeek(
        detail,
        [kept for kept in map(draft, drafts) if kept is not None],
        clock[0] if clock else 0,
    )
