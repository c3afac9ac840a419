"""The rep's daily loop from the shell: adding with a first touchpoint, the next step
set and done, checked moves, and capturing a piped-in email, contact card or invite.

Each function works inside the write transaction it is given, on top of commands.py.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from pipeline_tui.domain.capture import Captured, CaptureResult, Logged, Person, already_logged
from pipeline_tui.domain.cards import CardDraft, Change
from pipeline_tui.domain.importing.plan import IMPORTED_FIELDS
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.limits import TAGS
from pipeline_tui.domain.qualification import checked_on_the_way
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import commands, lookup, read_model, schedule
from pipeline_tui.store.commands import Actor
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.models import CapturedItemRow, CardRow, ResearchNoteRow, TouchpointRow


class QualificationNeeded(StoreError):
    """A lead moved on without passing its checklist, and no reason given."""


class NoNextAction(StoreError):
    """Marking done a card that has no next action."""


class AlreadyLogged(StoreError):
    """An email or invite piped in again: where and when it was logged first."""

    def __init__(self, logged: Sequence[Logged]) -> None:
        super().__init__(f"{already_logged(logged)}; nothing was logged.")
        self.logged = tuple(logged)


def add_card(
    session: Session,
    actor: Actor,
    draft: CardDraft,
    stage: Stage,
    *,
    source: TouchpointKind | None,
    on: date,
    force: bool,
) -> Change:
    """A new card; refused as a likely duplicate unless `force`. `source` is logged as
    its first touchpoint, on `on`, which makes it the card's source and market."""
    if not force:
        lookup.check_not_duplicate(session, draft)
    row = commands.add_card(session, actor, draft, stage)
    extra = {}
    if source is not None:
        commands.log_touchpoint(row, source, on, "", actor.now)
        session.flush()
        extra["touchpoint"] = 1
    return commands.created(row, f"Added {draft.name}", **extra)


def schedule_next(
    session: Session, actor: Actor, card_id: int, action: str, due: date | None
) -> Change:
    """Set the card's next step (replacing the one it had)."""
    row = commands.get_card(session, card_id, active=True)
    return commands.set_next_action(session, actor, row.id, action, due, row.version)


def complete_next(
    session: Session,
    actor: Actor,
    card_id: int,
    *,
    kind: TouchpointKind,
    on: date,
    summary: str,
) -> str:
    """Mark the card's next step done (logged as a touchpoint); returns what it was."""
    row = commands.get_card(session, card_id, active=True)
    if not row.next_action and row.next_action_due is None:
        raise NoNextAction(f"{row.name} has no next action to mark done.")
    done = row.next_action
    commands.complete_next_action(session, actor, row.id, kind, on, summary, row.version)
    return done


def move_card(
    session: Session,
    actor: Actor,
    card_id: int,
    to_stage: Stage,
    criteria: Sequence[str],
    *,
    override: str = "",
) -> Change | None:
    """Move a card, applying the qualification rule: a lead moved on must pass its
    checklist, or be moved with a reason, which the stage history keeps."""
    row = commands.get_card(session, card_id, active=True)
    note = ""
    if checked_on_the_way(row.stage, to_stage):
        checklist = read_model.qualification(session, row.id, criteria)
        if not checklist.passes:
            reason = clean_line(override)
            if not reason:
                raise QualificationNeeded(
                    f"{row.name} meets {checklist.score} criteria (not: "
                    f"{', '.join(checklist.failed)}); answer the checklist in the app (Q), "
                    "or move with --override REASON."
                )
            if len(reason) > OVERRIDE_REASON_CHARS:
                raise StoreError(
                    f"The override reason can be at most {OVERRIDE_REASON_CHARS:,} characters; "
                    f"this one has {len(reason):,}."
                )
            note = checklist.override_note(reason)
    return commands.move_card(session, actor, row.id, to_stage, note)


OVERRIDE_REASON_CHARS = 500
"""The most an override's reason may say: the stage history keeps it whole, beside the
criteria that failed, in MOVE_NOTE's 1,000 characters."""


# Capture ------------------------------------------------------------------------------


def capture(
    session: Session, actor: Actor, captured: Captured, me: Collection[str]
) -> list[CaptureResult]:
    """Log what was captured on the cards of the people it concerns, creating a lead
    (with this touchpoint as its source) for anyone not yet on a card.

    A message from one of the rep's addresses (`me`) is about its recipients. Without
    those addresses, a message that was never delivered to a mailbox (a Sent-folder
    copy), or an invite, from someone with no card to someone with one, is taken as
    the rep's own.
    """
    before = _logged_before(session, captured)
    if captured.cancelled:
        return _cancel(session, actor, _called_off(session, before, captured, me))
    if before and not _is_update(captured, before) and not _still_logged(session, captured, before):
        # Its touchpoints deleted since (logged on the wrong card, say): piped again,
        # it was refused as "already logged", with nothing of it left to see.
        for item, _ in before:
            session.delete(item)
        session.flush()
        before = []
    if before:
        if not _is_update(captured, before):
            raise AlreadyLogged(_where(before))
        return _update(session, actor, captured, before)
    mine = {address.lower() for address in me}
    people = _concerned(session, captured, mine)
    results: list[CaptureResult] = []
    for person in people:
        row = _card_of(session, person)
        created = row is None
        differing: list[str] = []
        if row is None:
            row = commands.add_card(session, actor, _new_lead(person), Stage.LEAD)
        else:
            differing = _fill_blanks(row, person, actor)
        commands.log_touchpoint(
            row, captured.kind, captured.happened_on, captured.summary, actor.now
        )
        _add_notes(session, actor, row.id, person, differing)
        scheduled = False
        if captured.next_step is not None and _takes_next_step(captured, row):
            _set_step(row, captured.next_step, actor)
            scheduled = True
        session.flush()
        if scheduled:
            schedule.follow(session, row, actor.now)
        if captured.origin:
            _remember(
                session,
                captured,
                CapturedItemRow(
                    card_id=row.id,
                    origin=captured.origin,
                    sequence=captured.sequence,
                    logged_on=captured.read_on or actor.now.astimezone().date(),
                    next_action=row.next_action if scheduled else "",
                    next_action_due=row.next_action_due if scheduled else None,
                ),
            )
        results.append(
            CaptureResult(
                row.id,
                row.name,
                created,
                clean_line(captured.summary),
                scheduled,
                archived_card=_archived_card_of(session, person) if created else None,
            )
        )
    return results


def plan_capture(session: Session, captured: Captured, me: Collection[str]) -> list[CaptureResult]:
    """What `capture` would do, read and written nowhere: for each person, their card,
    or (card_id 0, created) the lead that would be added."""
    before = _logged_before(session, captured)
    if captured.cancelled:
        return [
            CaptureResult(card.id, card.name, False, item.next_action, cleared=True)
            for item, card in _called_off(session, before, captured, me)
            if _still_next(item, card)
        ]
    if before and not _is_update(captured, before) and not _still_logged(session, captured, before):
        before = []  # its touchpoints deleted since: it would be logged again (capture)
    if before:
        if not _is_update(captured, before):
            raise AlreadyLogged(_where(before))
        summary = clean_line(captured.summary)
        return [
            CaptureResult(card.id, card.name, False, summary, _moves(captured, item, card), True)
            for item, card in before
        ]
    mine = {address.lower() for address in me}
    results: list[CaptureResult] = []
    for person in _concerned(session, captured, mine):
        row = _card_of(session, person)
        summary = clean_line(captured.summary)
        if row is None:
            name = _new_lead(person).name
            results.append(
                CaptureResult(
                    0,
                    name,
                    True,
                    summary,
                    captured.next_step is not None,
                    archived_card=_archived_card_of(session, person),
                )
            )
        else:
            scheduled = _takes_next_step(captured, row)
            results.append(CaptureResult(row.id, row.name, False, summary, scheduled))
    return results


def _new_lead(person: Person) -> CardDraft:
    return CardDraft(
        name=person.name or person.email.split("@")[0],
        organisation=person.organisation,
        email=person.email,
        phone=person.phone,
        tags=person.tags,
    ).cleaned()


def _takes_next_step(captured: Captured, row: CardRow) -> bool:
    """An upcoming meeting becomes the next action of a card that has none."""
    return bool(captured.next_step) and not row.next_action and row.next_action_due is None


def _set_step(row: CardRow, step: tuple[str, date], actor: Actor) -> None:
    row.next_action, row.next_action_due = clean_line(step[0])[:500], step[1]
    row.updated_at = actor.now


def _add_notes(
    session: Session, actor: Actor, card_id: int, person: Person, differing: list[str]
) -> None:
    """A contact card's NOTE and the fields no card field holds, as general notes (as
    `import` keeps them); one the card already has word for word is not added again.
    `differing`: the card's fields the contact card says otherwise ("- Phone: ..."),
    which go first in its Imported fields note, as an import merging into the card
    keeps them."""
    notes = list(person.notes)
    if differing:
        head = f"{IMPORTED_FIELDS}\n"
        at = next((i for i, note in enumerate(notes) if note.startswith(head)), None)
        if at is None:
            notes.append("\n".join([IMPORTED_FIELDS, *differing]))
        else:
            notes[at] = "\n".join([IMPORTED_FIELDS, *differing, notes[at].removeprefix(head)])
    for note in notes:
        body = commands.note_body(note)
        known = session.scalar(
            select(ResearchNoteRow.id)
            .where(ResearchNoteRow.card_id == card_id, ResearchNoteRow.body == body)
            .limit(1)
        )
        if known is None:
            commands.add_note(session, actor, card_id, NoteKind.GENERAL, body)


# An item logged before: a duplicate, an invite's update or its cancellation ------------


def _logged_before(session: Session, captured: Captured) -> list[tuple[CapturedItemRow, CardRow]]:
    """The cards `captured` was logged on, by its Message-ID or UID (none if it has none)."""
    if not captured.origin:
        return []
    rows = session.execute(
        select(CapturedItemRow, CardRow)
        .join(CardRow, CardRow.id == CapturedItemRow.card_id)
        .where(CapturedItemRow.origin == captured.origin)
        .order_by(CapturedItemRow.id)
    ).all()
    return [(item, card) for item, card in rows]


def _remember(session: Session, captured: Captured, item: CapturedItemRow) -> None:
    """Keep where `captured` was logged. Another instance that logged the same item on
    the same card since `_logged_before` looked (two sessions on one PostgreSQL
    database) has its row there first: the unique (origin, card_id) refuses this one,
    and the refusal is the usual one, which rolls back all this write did."""
    try:
        with session.begin_nested():
            session.add(item)
    except IntegrityError:
        before = _logged_before(session, captured)
        if not any(logged.card_id == item.card_id for logged, _ in before):
            raise
        raise AlreadyLogged(_where(before)) from None


def _still_logged(
    session: Session, captured: Captured, before: list[tuple[CapturedItemRow, CardRow]]
) -> bool:
    """Whether any card it was logged on still has a touchpoint of its kind on its day:
    the record of where an item was logged outlives the touchpoint the rep deleted. An
    invite is always taken as still logged: its updates move what it set, and its day
    with it."""
    if captured.what != "email":
        return True
    cards = [card.id for _, card in before]
    found = session.scalar(
        select(func.count())
        .select_from(TouchpointRow)
        .where(
            TouchpointRow.card_id.in_(cards),
            TouchpointRow.kind == captured.kind,
            TouchpointRow.happened_on == captured.happened_on,
        )
    )
    return bool(found)


def _is_update(captured: Captured, before: list[tuple[CapturedItemRow, CardRow]]) -> bool:
    """An invite sent again with a higher SEQUENCE (RFC 5546 2.1.4): moved, renamed."""
    return captured.what == "invite" and captured.sequence > max(i.sequence for i, _ in before)


def _where(before: list[tuple[CapturedItemRow, CardRow]]) -> list[Logged]:
    return [Logged(card.id, card.name, item.logged_on) for item, card in before]


def _still_next(item: CapturedItemRow, card: CardRow) -> bool:
    """Whether the next action the item set is still the card's (the rep has not
    replaced it, nor marked it done)."""
    return bool(item.next_action) and (card.next_action, card.next_action_due) == (
        item.next_action,
        item.next_action_due,
    )


def _moves(captured: Captured, item: CapturedItemRow, card: CardRow) -> bool:
    """Whether an update sets the card's next action: the one the invite set, still the
    card's, or none at all, as a first invite would."""
    if captured.next_step is None:
        return False
    return _still_next(item, card) or _takes_next_step(captured, card)


def _update(
    session: Session,
    actor: Actor,
    captured: Captured,
    before: list[tuple[CapturedItemRow, CardRow]],
) -> list[CaptureResult]:
    """An updated invite: no second meeting; the next action it set takes the new day
    and title, while it is still the card's next action."""
    results = []
    for item, card in before:
        moved = _moves(captured, item, card)
        if moved and captured.next_step is not None:
            _set_step(card, captured.next_step, actor)
            session.flush()
            schedule.follow(session, card, actor.now)
            item.next_action, item.next_action_due = card.next_action, card.next_action_due
        item.sequence = captured.sequence
        session.flush()
        results.append(
            CaptureResult(card.id, card.name, False, clean_line(captured.summary), moved, True)
        )
    return results


def _called_off(
    session: Session,
    before: list[tuple[CapturedItemRow, CardRow]],
    captured: Captured,
    me: Collection[str],
) -> list[tuple[CapturedItemRow, CardRow]]:
    """Where the meeting is off: every card for a cancellation, or when the rep declined;
    for another attendee declining, that attendee's card only. With no address of the
    rep's in the config, a decliner with no card is taken as the rep only when the
    organiser has a card (the prospect invited the rep); an invitee of the rep's with
    no card declining calls off nothing."""
    if not captured.declined_by:
        return before
    declined = {address.lower() for address in captured.declined_by}
    mine = {address.lower() for address in me}
    if declined & mine:
        return before
    theirs = [(item, card) for item, card in before if (card.email or "").lower() in declined]
    if theirs or mine:
        return theirs
    organiser = captured.sender
    return before if organiser is not None and _card_of(session, organiser) else []


def _cancel(
    session: Session, actor: Actor, before: list[tuple[CapturedItemRow, CardRow]]
) -> list[CaptureResult]:
    """A cancelled invite: the next action it set is cleared where it is still the card's
    next action; nothing is logged."""
    results = []
    for item, card in before:
        if not _still_next(item, card):
            continue
        step = item.next_action
        card.next_action, card.next_action_due = "", None
        card.updated_at = actor.now
        session.flush()
        schedule.follow(session, card, actor.now)
        item.next_action, item.next_action_due = "", None
        session.flush()
        results.append(CaptureResult(card.id, card.name, False, step, cleared=True))
    return results


def _concerned(session: Session, captured: Captured, mine: set[str]) -> list[Person]:
    sender = captured.sender
    others = [p for p in captured.recipients if p.email.lower() not in mine or not p.email]
    if sender is None:
        return _unique(others)
    if sender.email.lower() in mine:
        return _unique(others)
    # An invite is sent as often as received, and says nothing of which: its
    # organiser with no card, inviting someone with one, is most likely the rep.
    yours = not captured.delivered or captured.what == "invite"
    if not mine and yours and _card_of(session, sender) is None:
        known = [p for p in others if _card_of(session, p) is not None]
        if known:
            return _unique(known)
    return [sender]


def _unique(people: list[Person]) -> list[Person]:
    seen: set[str] = set()
    kept = []
    for person in people:
        key = (person.email or person.name).lower()
        if key and key not in seen:
            seen.add(key)
            kept.append(person)
    return kept


def _archived_card_of(session: Session, person: Person) -> int | None:
    """An archived card with one of the person's addresses, if any (the newest)."""
    for address in (person.email, *person.other_emails):
        if not address:
            continue
        found = session.scalar(
            select(CardRow.id)
            .where(CardRow.archived_at.is_not(None), lookup.same_text(CardRow.email, address))
            .order_by(CardRow.id.desc())
            .limit(1)
        )
        if found is not None:
            return found
    return None


def _card_of(session: Session, person: Person) -> CardRow | None:
    """The active card of `person`: by email, then by a name only one card has."""
    active = CardRow.archived_at.is_(None)
    # Its first address, then its others: a contact card listing a work address first
    # and the home one a card has made a second card of them.
    for address in (person.email, *person.other_emails):
        if not address:
            continue
        found = session.scalars(
            select(CardRow)
            .where(active, lookup.same_text(CardRow.email, address))
            .order_by(CardRow.id)
            .limit(1)
        ).first()
        if found is not None:
            return found
    name = clean_line(person.name)
    if name:
        rows = session.scalars(
            select(CardRow).where(active, lookup.same_text(CardRow.name, name)).limit(2)
        ).all()
        # Two cards of that name with other emails are two other people: a new lead.
        if len(rows) == 1 and not (person.email and rows[0].email):
            return rows[0]
    return None


def _said(value: str) -> str:
    """What a phone or organisation says, whatever its spacing, case and punctuation:
    "+44 (20) 7946-0000" is "+442079460000", "Acme Ltd." is "Acme Ltd" (each written
    otherwise went on adding a note)."""
    return re.sub(r"[\W_]+", "", value.casefold())


def _fill_blanks(row: CardRow, person: Person, actor: Actor) -> list[str]:
    """What the captured item knows that the card lacks, and tags it has not (as an
    import merging into the card adds them); nothing typed is replaced. What it says
    otherwise than the card, as lines of the Imported fields note: a contact card's
    new phone or organisation was dropped without a word."""
    changed = False
    differing: list[str] = []
    for field in ("email", "phone", "organisation"):
        value = clean_line(getattr(person, field))[:500]
        current = getattr(row, field)
        if value and not current:
            setattr(row, field, value)
            changed = True
        elif value and field != "email" and _said(current) != _said(value):
            # (An address other than the card's is how it was found, or an email's
            # sender found by name: not news to keep.)
            differing.append(f"- {field.capitalize()}: {value}")
    tags = row.tags.split()
    more = [tag for tag in person.tags if tag not in tags]
    if more and len(" ".join([*tags, *more])) <= TAGS.chars:
        row.tags = " ".join([*tags, *more])
        changed = True
    if changed:
        row.updated_at = actor.now
    return differing
