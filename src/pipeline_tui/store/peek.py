"""The top of each board column, read with the standard library's sqlite3 at start-up.

Opening the board should wait neither for SQLAlchemy (about as long to import as
Textual itself) nor for every card in the pipeline. For an up-to-date SQLite file this
reads the first cards of each column and the column sizes, so the board shows at once
while the full store opens in the background. Anything out of the ordinary (no file
yet, an older schema that needs migrating, any SQLite error) returns None, and the
normal path takes over with its migrations, backups and one-sentence errors.

The query is PipelineService's board query written out for SQLite; a test checks that
both give the same cards.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import quote

from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store.revision import HEAD_REVISION, VERSION_TABLE
from pipeline_tui.store.rows import board_card

SQLITE_URL_PREFIX = "sqlite:///"

_COLUMN_SQL = """
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
WHERE card.archived_at IS NULL AND card.stage = ?
  AND (card.nurture_until IS NULL OR card.nurture_until <= ?)
ORDER BY card.position, card.id
LIMIT ?
"""

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
    """The file behind a --db target, if it is a plain SQLite file (not a URL with
    options, not in memory, not another database)."""
    if target.startswith(SQLITE_URL_PREFIX):
        target = target[len(SQLITE_URL_PREFIX) :]
        if not target or "?" in target:
            return None
    elif "://" in target or target in ("", ":memory:"):
        return None
    return Path(target).expanduser()


def peek_board(
    path: Path,
    criteria: Sequence[str],
    per_column: int,
    owner: str = "",
    today: date | None = None,
) -> BoardPeek | None:
    """The top `per_column` cards of each column, or None (see the module docstring);
    `owner`'s drafts mark the cards that hold one. Cards parked until after `today`
    (None: the system's today) are left out, as the board leaves them out."""
    if not path.is_file():
        return None
    try:
        # mode=rw: never create a file here; the normal path creates it 0600.
        uri = f"file:{quote(str(path.resolve()))}?mode=rw"
        with closing(sqlite3.connect(uri, uri=True, timeout=0.2)) as connection:
            connection.isolation_level = None
            connection.execute("BEGIN")  # one snapshot: the columns and counts agree
            try:
                day = (today or date.today()).isoformat()
                return _read(connection, criteria, per_column, owner, day)
            finally:
                connection.execute("ROLLBACK")
    except (sqlite3.Error, OSError, ValueError, KeyError):
        return None


def _read(
    connection: sqlite3.Connection,
    criteria: Sequence[str],
    per_column: int,
    owner: str,
    today: str,
) -> BoardPeek | None:
    revision = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
    if revision is None or revision[0] != HEAD_REVISION:
        return None
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


def _date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


def _moment(value: object) -> datetime | None:
    # Stored as naive UTC (see models.UTCDateTime).
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value).replace(tzinfo=UTC)
