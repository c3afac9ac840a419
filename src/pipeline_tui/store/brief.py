"""Reading a card's brief, and finding a card by what a rep types in the shell."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline_tui.domain.brief import (
    BRIEF_NOTE_KINDS,
    LAST_TOUCHPOINTS,
    Brief,
    BriefNote,
    Referral,
    questions_for,
)
from pipeline_tui.domain.calls import due_activity
from pipeline_tui.domain.cards import CardLink, TouchpointView
from pipeline_tui.domain.kinds import Market, TouchpointKind
from pipeline_tui.domain.qualification import QUALIFIED_STAGES, Answer, format_score
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.errors import NotFoundError
from pipeline_tui.store.models import (
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    TouchpointRow,
)
from pipeline_tui.store.rows import card_summary


def read_brief(session: Session, card_id: int, criteria: Sequence[str]) -> Brief:
    row = session.get(CardRow, card_id)
    if row is None:
        raise NotFoundError("That card no longer exists.")
    stage = Stage(row.stage)
    notes = []
    for kind in BRIEF_NOTE_KINDS:  # one indexed look-up per kind: never every note's body
        note = session.execute(
            select(ResearchNoteRow.body, ResearchNoteRow.updated_at)
            .where(ResearchNoteRow.card_id == row.id, ResearchNoteRow.kind == kind.value)
            .order_by(ResearchNoteRow.updated_at.desc(), ResearchNoteRow.id.desc())
            .limit(1)
        ).first()
        if note is not None:
            notes.append(BriefNote(kind, note.body, note.updated_at))
    answers: dict[str, str] = {
        criterion: answer
        for criterion, answer in session.execute(
            select(QualificationAnswerRow.criterion, QualificationAnswerRow.answer).where(
                QualificationAnswerRow.card_id == row.id
            )
        )
    }
    qualified = stage in QUALIFIED_STAGES
    unanswered = [c for c in criteria if answers.get(c, Answer.UNKNOWN.value) == Answer.UNKNOWN]
    met = sum(answers.get(c) == Answer.YES.value for c in criteria)
    touchpoints = session.execute(
        select(
            TouchpointRow.id, TouchpointRow.kind, TouchpointRow.happened_on, TouchpointRow.summary
        )
        .where(TouchpointRow.card_id == row.id)
        .order_by(TouchpointRow.happened_on.desc(), TouchpointRow.id.desc())
        .limit(LAST_TOUCHPOINTS)
    )
    return Brief(
        card_id=row.id,
        name=row.name,
        organisation=row.organisation,
        stage=stage,
        owner=row.owner,
        email=row.email,
        phone=row.phone,
        version=row.version,
        source=_kind(row.source),
        market=Market(row.market) if row.market in set(Market) else None,
        score=format_score(met, len(criteria)) if qualified and criteria else None,
        due=due_activity(card_summary(row)),
        notes=tuple(notes),
        questions=questions_for(unanswered) if qualified else (),
        touchpoints=tuple(
            TouchpointView(t.id, touch, t.happened_on, t.summary)
            for t in touchpoints
            if (touch := _kind(t.kind)) is not None
        ),
        referral=_referral(session, row),
        archived=row.archived_at is not None,
    )


def _referral(session: Session, row: CardRow) -> Referral | None:
    if row.referred_by_id is None:
        return None
    referrer = session.get(CardRow, row.referred_by_id)
    if referrer is None:
        return None
    # The day of the introduction: the referral touchpoint, else the day the card came in.
    day = session.scalar(
        select(func.min(TouchpointRow.happened_on)).where(
            TouchpointRow.card_id == row.id, TouchpointRow.kind == TouchpointKind.REFERRAL.value
        )
    )
    link = CardLink(
        referrer.id, referrer.name, Stage(referrer.stage), referrer.archived_at is not None
    )
    return Referral(link, referrer.organisation, day or row.created_at.date())


def _kind(value: str | None) -> TouchpointKind | None:
    try:
        return TouchpointKind(value) if value else None
    except ValueError:  # written by a newer release
        return None


# Finding a card from the shell ----------------------------------------------------------


@dataclass(frozen=True)
class CardMatch:
    id: int
    name: str
    organisation: str
    stage: Stage
    archived: bool


def find_cards(session: Session, text: str) -> list[CardMatch]:
    """The cards `text` names: an id, an email, or part of a name (any case, accents
    optional). A name that matches one card exactly wins over cards it is only part of;
    archived cards are looked at only when no active card matches."""
    key = text.strip()
    columns = (
        CardRow.id,
        CardRow.name,
        CardRow.organisation,
        CardRow.stage,
        CardRow.archived_at,
    )
    if key.isdigit():
        row = session.execute(select(*columns).where(CardRow.id == int(key))).first()
        return [_match(row)] if row is not None else []
    if "@" in key:
        query = select(*columns).where(func.lower(CardRow.email) == key.lower())
        return [_match(row) for row in session.execute(query.order_by(CardRow.id))]
    wanted = _fold(key)
    if not wanted:
        return []
    rows = session.execute(
        select(*columns).order_by(CardRow.archived_at.is_not(None), CardRow.id)
    ).all()
    for active in (True, False):
        names = [(row, _fold(row.name)) for row in rows if (row.archived_at is None) is active]
        exact = [row for row, name in names if name == wanted]
        if len(exact) == 1:
            return [_match(exact[0])]
        partial = [row for row, name in names if wanted in name]
        if partial:
            return [_match(row) for row in partial]
    return []


def _fold(text: str) -> str:
    """Text as a search compares it: case and accents ignored, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.split())


def _match(row: Any) -> CardMatch:
    return CardMatch(
        row.id, row.name, row.organisation, Stage(row.stage), row.archived_at is not None
    )
