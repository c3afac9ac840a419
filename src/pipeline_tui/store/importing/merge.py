"""Which planned cards are new, and which add to a card that is already there.

A planned card matches a card with the same email, else one with the same name and
organisation (unless both have emails and they differ: two people of one name at one
firm). A match is never skipped: its new notes, touchpoints, answers and the fields
the card lacks are added to it. A card's stage is left as it is: a merge never moves
or archives a card. Rows of one file that match each other are merged the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline_tui.domain.importing.plan import (
    IMPORTED_FIELDS,
    PlannedAnswer,
    PlannedCapture,
    PlannedCard,
    PlannedNote,
    PlannedTouchpoint,
)
from pipeline_tui.domain.kinds import Market, NoteKind, TouchpointKind
from pipeline_tui.domain.money import from_cents
from pipeline_tui.domain.text import counted
from pipeline_tui.store.models import (
    CapturedItemRow,
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    TouchpointRow,
)

T = TypeVar("T")
CHUNK = 5000
# Card fields a merge fills when the card has none, in the words of the summary.
FILLED = (
    ("organisation", "organisation"),
    ("email", "email"),
    ("phone", "phone"),
    ("next_action", "next action"),
    ("next_action_due", "due date"),
    ("source", "source"),
    ("market", "market"),
    ("value", "value"),
    ("expected_close", "expected close"),
)
DIFFERING_KEPT = frozenset(
    {"organisation", "email", "phone", "next_action", "next_action_due", "value", "expected_close"}
)
"""Fields whose value in the file, when the card has another, goes to the Imported
fields note (the card's own is never written over). Where a card came from and its
market are the card's first contact's, which a later file does not change."""


@dataclass(frozen=True)
class Merge:
    """What one row of the file added to a card already there (or to an earlier row)."""

    line: int
    target: str
    """"card 3 (Ann Lee)" or "line 4"."""
    added: tuple[str, ...]
    """In words: "1 note", "2 touchpoints", "phone"...; empty: nothing was new."""
    in_file: bool = False
    """The target is an earlier row of the file, not a card in the pipeline."""


@dataclass
class Existing:
    """A card in the database that rows of the file merge into, and what they add."""

    id: int
    name: str
    values: dict[str, Any]
    archived: bool = False
    """Merged into all the same (it is the same person), and said: the row's contact is
    not back on the board."""
    changes: dict[str, Any] = field(default_factory=dict)
    notes: set[str] = field(default_factory=set)
    touchpoints: set[tuple[str, date, str]] = field(default_factory=set)
    criteria: set[str] = field(default_factory=set)
    origins: set[str] = field(default_factory=set)
    new_notes: list[PlannedNote] = field(default_factory=list)
    new_touchpoints: list[PlannedTouchpoint] = field(default_factory=list)
    new_answers: list[PlannedAnswer] = field(default_factory=list)
    new_captured: list[PlannedCapture] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"card {self.id} ({self.name}{', archived' if self.archived else ''})"


@dataclass
class Resolution:
    new: list[PlannedCard]
    existing: list[Existing]
    merges: list[Merge]
    aliases: dict[int, int]
    """Old ids (from an export) of planned cards merged into a card already there."""


def _chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _name_key(name: str, organisation: str) -> tuple[str, str]:
    return name.casefold(), organisation.casefold()


class _Index:
    """Cards by email and by name and organisation, first one wins."""

    def __init__(self) -> None:
        self.emails: dict[str, int] = {}
        self.names: dict[tuple[str, str], tuple[int, str]] = {}

    def add(self, ref: int, name: str, organisation: str, email: str) -> None:
        email = email.casefold()
        if email:
            self.emails.setdefault(email, ref)
        self.names.setdefault(_name_key(name, organisation), (ref, email))

    def find(self, name: str, organisation: str, email: str) -> int | None:
        email = email.casefold()
        if email and email in self.emails:
            return self.emails[email]
        match = self.names.get(_name_key(name, organisation))
        if match and not (email and match[1] and email != match[1]):
            return match[0]
        return None


def resolve(session: Session, cards: Sequence[PlannedCard], at: Callable[[int], str]) -> Resolution:
    card = CardRow.__table__.c
    in_database = _Index()
    rows: dict[int, Any] = {}
    for row in session.execute(
        select(
            card.id,
            card.name,
            card.organisation,
            card.email,
            card.phone,
            card.tags,
            card.next_action,
            card.next_action_due,
            card.source,
            card.market,
            card.value_cents,
            card.expected_close,
            card.archived_at,
        )
    ):
        in_database.add(row.id, row.name, row.organisation, row.email)
        rows[row.id] = row
    in_file = _Index()
    new: list[PlannedCard] = []
    matched: list[tuple[PlannedCard, int]] = []
    merges: list[Merge] = []
    for planned in cards:
        found = in_database.find(planned.name, planned.organisation, planned.email)
        if found is not None:
            matched.append((planned, found))
            continue
        earlier = in_file.find(planned.name, planned.organisation, planned.email)
        if earlier is not None:
            merged, added = merge_plans(new[earlier], planned)
            new[earlier] = merged
            merges.append(Merge(planned.line, at(new[earlier].line), added, in_file=True))
            continue
        in_file.add(len(new), planned.name, planned.organisation, planned.email)
        new.append(planned)
    states = _load(session, {card_id: rows[card_id] for _, card_id in matched})
    aliases: dict[int, int] = {}
    for planned, card_id in matched:
        state = states[card_id]
        merges.append(Merge(planned.line, state.where, merge_into(state, planned)))
        if planned.old_id is not None:
            aliases[planned.old_id] = card_id
    return Resolution(new, list(states.values()), merges, aliases)


def _load(session: Session, rows: dict[int, Any]) -> dict[int, Existing]:
    states = {
        card_id: Existing(
            card_id,
            row.name,
            {
                "organisation": row.organisation,
                "email": row.email,
                "phone": row.phone,
                "tags": tuple(row.tags.split()),
                "next_action": row.next_action,
                "next_action_due": row.next_action_due,
                "source": row.source,
                "market": row.market,
                "value": from_cents(row.value_cents) if row.value_cents is not None else None,
                "expected_close": row.expected_close,
            },
            archived=row.archived_at is not None,
        )
        for card_id, row in rows.items()
    }
    ids = sorted(states)
    note = ResearchNoteRow.__table__.c
    touch = TouchpointRow.__table__.c
    answer = QualificationAnswerRow.__table__.c
    item = CapturedItemRow.__table__.c
    for chunk in _chunks(ids):
        for card_id, body in session.execute(
            select(note.card_id, note.body).where(note.card_id.in_(chunk))
        ):
            states[card_id].notes.add(body.strip())
        for card_id, kind, day, summary in session.execute(
            select(touch.card_id, touch.kind, touch.happened_on, touch.summary).where(
                touch.card_id.in_(chunk)
            )
        ):
            states[card_id].touchpoints.add((kind, day, summary))
        for card_id, criterion in session.execute(
            select(answer.card_id, answer.criterion).where(answer.card_id.in_(chunk))
        ):
            states[card_id].criteria.add(criterion.casefold())
        for card_id, origin in session.execute(
            select(item.card_id, item.origin).where(item.card_id.in_(chunk))
        ):
            states[card_id].origins.add(origin)
    return states


def _value(value: Any) -> Any:
    return value.value if isinstance(value, TouchpointKind | Market) else value


def merge_into(state: Existing, planned: PlannedCard) -> tuple[str, ...]:
    """Add what `planned` knows and the card does not; what was added, in words."""
    added: list[str] = []
    differing: list[str] = []
    values = {**state.values, **state.changes}
    for name, words in FILLED:
        incoming = _value(getattr(planned, name))
        if incoming in (None, ""):
            continue
        current = values.get(name)
        if name == "next_action_due" and _another_action(values, planned):
            # The file's due date is its own next action's, which went to the note: on
            # the card's, it would date a step the file never set.
            differing.append(f"- {words.capitalize()}: {incoming}")
            continue
        if current in (None, ""):
            state.changes[name] = incoming
            if name == "next_action_due" and "next_action" in state.changes:
                continue
            added.append(words)
        elif name in DIFFERING_KEPT and str(current).casefold() != str(incoming).casefold():
            # A second deal of the person (a Pipedrive export lists each), or a newer
            # export's figures: the card's stay, the file's are kept beside them.
            differing.append(f"- {words.capitalize()}: {incoming}")
    if planned.name != state.name and planned.name.casefold() != state.name.casefold():
        differing.insert(0, f"- Name: {planned.name}")
    tags = tuple(values.get("tags") or ())
    more = tuple(tag for tag in planned.tags if tag not in tags)
    if more:
        state.changes["tags"] = tags + more
        added.append(counted(len(more), "tag"))
    notes = list(planned.notes)
    if differing:
        # One note for the row: its name and phone beside the job title it came with
        # (two notes, the title's read as the card's own person's).
        head = f"{IMPORTED_FIELDS}\n"
        at = next((i for i, n in enumerate(notes) if n.body.startswith(head)), None)
        if at is None:
            body = "\n".join([IMPORTED_FIELDS, *differing])
            notes.append(
                PlannedNote(NoteKind.GENERAL, body, planned.updated_at, planned.updated_at)
            )
        else:
            rest = notes[at].body.removeprefix(head)
            notes[at] = replace(notes[at], body="\n".join([IMPORTED_FIELDS, *differing, rest]))
    new_notes = [n for n in notes if n.body.strip() and n.body.strip() not in state.notes]
    for note in new_notes:
        state.notes.add(note.body.strip())
    state.new_notes.extend(new_notes)
    if new_notes:
        added.append(counted(len(new_notes), "note"))
    new_touchpoints = []
    for touchpoint in planned.touchpoints:
        touch_key = (touchpoint.kind.value, touchpoint.happened_on, touchpoint.summary)
        if touch_key not in state.touchpoints:
            state.touchpoints.add(touch_key)
            new_touchpoints.append(touchpoint)
    state.new_touchpoints.extend(new_touchpoints)
    if new_touchpoints:
        added.append(counted(len(new_touchpoints), "touchpoint"))
    new_answers = []
    for answer in planned.answers:
        if answer.criterion.casefold() not in state.criteria:
            state.criteria.add(answer.criterion.casefold())
            new_answers.append(answer)
    state.new_answers.extend(new_answers)
    if new_answers:
        added.append(counted(len(new_answers), "qualification answer"))
    # Where the card had logged the same email or invite, its own record of it stays.
    new_captured = [c for c in planned.captured if c.origin not in state.origins]
    state.origins.update(c.origin for c in new_captured)
    state.new_captured.extend(new_captured)
    if new_captured:
        many = "" if len(new_captured) == 1 else "s"
        added.append(f"{len(new_captured)} logged email{many} or invite{many}")
    return tuple(added)


def _another_action(values: dict[str, Any], planned: PlannedCard) -> bool:
    """Whether the card has a next action other than the file's."""
    current = str(values.get("next_action") or "")
    return bool(current) and current.casefold() != str(planned.next_action).casefold()


def merge_plans(first: PlannedCard, later: PlannedCard) -> tuple[PlannedCard, tuple[str, ...]]:
    """`first` (an earlier row of the file) with what `later` adds to it."""
    state = Existing(
        0,
        first.name,
        {name: _value(getattr(first, name)) for name, _ in FILLED} | {"tags": first.tags},
        notes={n.body.strip() for n in first.notes},
        touchpoints={(t.kind.value, t.happened_on, t.summary) for t in first.touchpoints},
        criteria={a.criterion.casefold() for a in first.answers},
        origins={c.origin for c in first.captured},
    )
    added = merge_into(state, later)
    changes: dict[str, Any] = dict(state.changes)
    if "source" in changes:
        changes["source"] = TouchpointKind(changes["source"])
    if "market" in changes:
        changes["market"] = Market(changes["market"])
    merged = replace(
        first,
        **changes,
        notes=first.notes + tuple(state.new_notes),
        touchpoints=first.touchpoints + tuple(state.new_touchpoints),
        answers=first.answers + tuple(state.new_answers),
        captured=first.captured + tuple(state.new_captured),
    )
    return merged, added
