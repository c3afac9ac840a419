"""Reading a card's brief, and finding a card by what a rep types in the shell."""

from __future__ import annotations

from collections.abc import Sequence

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
    stage = row.stage
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
        next_action=row.next_action,
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
    link = CardLink(referrer.id, referrer.name, referrer.stage, referrer.archived_at is not None)
    return Referral(link, referrer.organisation, day or row.created_at.date())


def _kind(value: str | None) -> TouchpointKind | None:
    try:
        return TouchpointKind(value) if value else None
    except ValueError:  # written by a newer release
        return None
