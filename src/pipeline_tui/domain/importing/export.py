"""pipeline-tui's own JSON export, read back into planned cards.

Version 2 adds each card's qualification answers, the note on a stage move and the
card's version; version 1 files still import. A card's scheduled activities came later
within version 2: a file without them gives each card its next action as its one. So
did the emails and invites `log -` logged on it ("captured_items"): a file without
them leaves them unknown, and each is logged once more when piped in again. And so did
the call queue's sittings ("call_sessions", the stand-up's call figures): a file
without them has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from pipeline_tui.domain.cadence import MAX_RHYTHM_DAYS, CadenceError, check_rhythm
from pipeline_tui.domain.capture import SEQUENCE_MAX
from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.dates import could_have_happened
from pipeline_tui.domain.importing.errors import ImportFileError, RowProblem
from pipeline_tui.domain.importing.plan import (
    PlannedActivity,
    PlannedAnswer,
    PlannedCallSession,
    PlannedCapture,
    PlannedCard,
    PlannedNote,
    PlannedStageEvent,
    PlannedTouchpoint,
    note_too_long,
)
from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.limits import INT_MAX, INT_MIN, DocumentError, load_json
from pipeline_tui.domain.money import Grouping, MoneyError, parse_amount
from pipeline_tui.domain.nurture import parked_after_move
from pipeline_tui.domain.qualification import COMMENT_MAX, CRITERION_MAX, Answer
from pipeline_tui.domain.schedule import ActivityKind, TimeError, parse_time
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text, split_tags

EXPORT_FORMAT = "pipeline-tui"
EXPORT_VERSION = 2
ORIGIN_MAX = 1000

E = TypeVar("E", Stage, ArchiveReason, TouchpointKind, Market, NoteKind, Answer, ActivityKind)


class _Bad(ValueError):
    pass


@dataclass(frozen=True)
class ExportRead:
    """What an export holds, as plans."""

    cards: list[PlannedCard]
    problems: list[RowProblem]
    """The cards that cannot be read."""
    count: int
    """How many cards the file has."""
    call_sessions: list[PlannedCallSession]


def read_export(text: str, *, now: datetime, user: str) -> ExportRead:
    """The export's cards and call sessions as plans. A call session that cannot be
    read refuses the file: the app writes them, so it was changed by hand."""
    try:
        document = load_json(text)
    except DocumentError as error:
        raise ImportFileError(str(error)) from None
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
    cards: list[PlannedCard] = []
    problems: list[RowProblem] = []
    for number, record in enumerate(records, 1):
        try:
            cards.append(_card(number, record, now, user))
        except _Bad as error:
            problems.append(RowProblem(number, str(error)))
    sessions = document.get("call_sessions", [])
    if not isinstance(sessions, list):
        raise ImportFileError('This export\'s "call_sessions" is not a list')
    planned = []
    for number, record in enumerate(sessions, 1):
        try:
            planned.append(_call_session(record, user))
        except _Bad as error:
            raise ImportFileError(f"This export's call session {number}: {error}") from None
    return ExportRead(cards, problems, len(records), planned)


CALL_COUNTS = ("reached", "voicemail", "no_answer", "meeting_set", "not_interested")


def _call_session(record: Any, user: str) -> PlannedCallSession:
    if not isinstance(record, dict):
        raise _Bad("it is not an object")
    get = _Getter(record)
    started, last = get.moment("started_at"), get.moment("last_call_at")
    if started is None:
        raise _Bad("it has no 'started_at'")
    counts = [get.whole(name) or 0 for name in CALL_COUNTS]
    return PlannedCallSession(
        clean_line(get.text("owner"))[:200] or user, started, last or started, *counts
    )


def _card(number: int, record: Any, now: datetime, user: str) -> PlannedCard:
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
    position = record.get("position")
    version = record.get("version")
    old_id = record.get("id")
    referred_by = record.get("referred_by")
    if referred_by is not None and referred_by == old_id:
        raise _Bad("it is referred by itself")
    notes = []
    for note in get.objects("notes"):
        n = _Getter(note, "a note")
        body = clean_text(n.text("body"))
        if not body.strip():
            continue  # a note with no text ("body": null) is no note: the app keeps none
        created = n.moment("created_at") or now
        notes.append(
            PlannedNote(
                n.choice("kind", NoteKind) or NoteKind.GENERAL,
                body,
                created,
                n.moment("updated_at") or created,
                _version(note.get("version")),
            )
        )
    if (too_long := note_too_long(notes)) is not None:
        raise _Bad(too_long)
    touchpoints = []
    for touchpoint in get.objects("touchpoints"):
        t = _Getter(touchpoint, "a touchpoint")
        kind = t.choice("kind", TouchpointKind)
        happened = t.day("happened_on")
        if kind is None or happened is None:
            raise _Bad("a touchpoint needs a kind and a date")
        if not could_have_happened(happened, now.date()):
            raise _Bad(f"a touchpoint on {happened.isoformat()} cannot have happened")
        touchpoints.append(
            PlannedTouchpoint(
                kind, happened, clean_line(t.text("summary"))[:500], t.moment("created_at") or now
            )
        )
    events = []
    for event in get.objects("history"):
        e = _Getter(event, "a stage move")
        to_stage = e.choice("to", Stage)
        if to_stage is None:
            raise _Bad("a stage move has no 'to' stage")
        events.append(
            PlannedStageEvent(
                e.choice("from", Stage),
                to_stage,
                e.moment("at") or now,
                clean_line(e.text("by"))[:200] or user,
                clean_line(e.text("note"))[:1000],
            )
        )
    if not events:
        events.append(PlannedStageEvent(None, stage, now, user))
    answers = []
    for answer in get.objects("qualification"):
        a = _Getter(answer, "a qualification answer")
        criterion = clean_line(a.text("criterion"))[:CRITERION_MAX]
        choice = a.choice("answer", Answer)
        if not criterion or choice is None:
            raise _Bad("a qualification answer needs a criterion and an answer")
        answers.append(
            PlannedAnswer(
                criterion,
                choice,
                clean_line(a.text("comment"))[:COMMENT_MAX],
                a.moment("updated_at") or now,
                clean_line(a.text("updated_by"))[:200],
            )
        )
    activities = []
    for activity in get.objects("activities"):
        s = _Getter(activity, "an activity")
        words = clean_line(s.text("text"))[:500]
        due = s.day("due")
        try:
            due_time = parse_time(s.text("due_time")) if due is not None else None
        except TimeError:
            raise _Bad("'due_time' of an activity must be a time such as 14:30") from None
        if not words and due is None:
            raise _Bad("an activity needs some words or a due date")
        activities.append(
            PlannedActivity(
                s.choice("kind", ActivityKind) or ActivityKind.TASK,
                words,
                due,
                due_time,
                s.moment("created_at") or now,
                s.moment("done_at"),
            )
        )
    captured: dict[str, PlannedCapture] = {}
    for item in get.objects("captured_items"):
        c = _Getter(item, "a captured item")
        origin = clean_line(c.text("origin"))[:ORIGIN_MAX]
        logged_on = c.day("logged_on")
        if not origin or logged_on is None:
            raise _Bad("a captured item needs an origin and the day it was logged")
        captured.setdefault(
            origin,
            PlannedCapture(
                origin,
                c.whole("sequence", below=SEQUENCE_MAX + 1) or 0,
                logged_on,
                clean_line(c.text("next_action"))[:500],
                c.day("next_action_due"),
            ),
        )
    return PlannedCard(
        line=number,
        name=draft.name,
        organisation=draft.organisation,
        email=draft.email,
        phone=draft.phone,
        tags=draft.tags,
        stage=stage,
        owner=clean_line(get.text("owner"))[:200] or user,
        created_at=get.moment("created_at") or now,
        updated_at=get.moment("updated_at") or now,
        next_action=draft.next_action,
        next_action_due=draft.next_action_due,
        source=get.choice("source", TouchpointKind),
        market=get.choice("market", Market),
        archived_at=archived_at,
        archive_reason=(reason or ArchiveReason.OTHER) if archived_at else None,
        archive_note=clean_line(get.text("archive_note"))[:500],
        position=_position(position),
        version=_version(version),
        notes=tuple(notes),
        touchpoints=tuple(touchpoints),
        events=tuple(events),
        answers=tuple(answers),
        activities=tuple(activities),
        captured=tuple(captured.values()),
        old_id=old_id if isinstance(old_id, int) else None,
        referred_by=referred_by if isinstance(referred_by, int) else None,
        value=get.amount("value"),
        expected_close=get.day("expected_close"),
        won_value=get.amount("won_value") if reason is ArchiveReason.WON else None,
        # Only a lead is parked (as a move off Lead unparks it): a prospect imported
        # parked left every column, with nothing in the app to bring it back.
        nurture_until=parked_after_move(get.day("nurture_until"), stage),
        rhythm_days=_rhythm(get.whole("rhythm_days")),
        cadence_step=get.whole("cadence_step"),
        cadence_anchor=get.day("cadence_anchor"),
        cadence_base=get.day("cadence_base") or get.day("cadence_anchor"),
    )


def _rhythm(days: int | None) -> int | None:
    try:
        return check_rhythm(days)
    except CadenceError as error:
        raise _Bad(f"'rhythm_days' must be from 1 to {MAX_RHYTHM_DAYS}") from error


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

    def amount(self, key: str) -> Decimal | None:
        """An amount as exported ("12500.50"; a number is taken too)."""
        value = self.record.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise self._bad(key, "an amount like 12500.50")
        try:
            return parse_amount(str(value), Grouping())  # the export's "." decimal mark
        except MoneyError:
            raise self._bad(key, "an amount like 12500.50") from None

    def whole(self, key: str, *, below: int = 10**6) -> int | None:
        """A whole number of zero or more, less than `below` (None: not there)."""
        value = self.record.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < below:
            raise self._bad(key, f"a whole number from 0 to {below - 1:,}")
        return value

    def moment(self, key: str) -> datetime | None:
        value = self.text(key)
        if not value:
            return None
        try:
            moment = datetime.fromisoformat(value)
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (ValueError, OverflowError):  # OverflowError: past 9999 (or before 1) in UTC
            raise self._bad(key, "a time like 2026-12-01T09:30:00+00:00") from None

    def choice(self, key: str, kind: type[E]) -> E | None:
        value = self.text(key)
        if not value:
            return None
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(k.value for k in kind)
            raise self._bad(key, f"one of {names}") from None


def _version(value: object) -> int:
    """A saved version as exported; 1 when the export has none (older files), or one
    no INTEGER column holds."""
    if isinstance(value, bool) or not isinstance(value, int):
        return 1
    return value if 0 < value <= INT_MAX else 1


def _position(value: object) -> int | None:
    """A card's place in its column as exported (a card moved to the top can be before
    0); None (after the others) when there is none, or one no INTEGER column holds."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if INT_MIN <= value <= INT_MAX else None
