"""The database tables, as typed SQLAlchemy 2 models."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store.types import EnumText, UTCDateTime

# Stable constraint names keep migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class CardRow(Base):
    __tablename__ = "card"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str] = mapped_column(String(500), default="")
    email: Mapped[str] = mapped_column(String(500), default="")
    phone: Mapped[str] = mapped_column(String(500), default="")
    # Space-separated, lower-case; tags never contain spaces (see domain.text.split_tags).
    tags: Mapped[str] = mapped_column(String(1000), default="")
    stage: Mapped[Stage] = mapped_column(EnumText(Stage, 20))
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200))
    # The earliest open scheduled activity, kept by store/schedule.py in the same
    # transaction as every change to the activities: everything that shows "the next
    # action" (board, search, stand-up, week, exports) reads these two columns.
    next_action: Mapped[str] = mapped_column(String(500), default="")
    next_action_due: Mapped[date | None] = mapped_column(Date)
    # Whole cents of the configured currency (domain.money): exact in sums on both
    # databases. None: no value given.
    value_cents: Mapped[int | None] = mapped_column(BigInteger)
    expected_close: Mapped[date | None] = mapped_column(Date)
    # Not yet: parked off the active board until this day (domain.nurture); None: active.
    nurture_until: Mapped[date | None] = mapped_column(Date)
    # The after-sale cadence of the card's stage (domain.cadence): the pending step, the
    # day it counts from (the anchor), and that day before any contact moved it on (the
    # base: the stage entered, or the step before done), which the anchor is counted
    # again from when undo takes a contact or a step back. None: no cadence running.
    cadence_step: Mapped[int | None] = mapped_column(Integer)
    cadence_anchor: Mapped[date | None] = mapped_column(Date)
    cadence_base: Mapped[date | None] = mapped_column(Date)
    # Keep in touch every this many days: replaces the stage's stale limit. None: it applies.
    rhythm_days: Mapped[int | None] = mapped_column(Integer)
    # The value when the card was archived as won; the value itself stays editable.
    won_value_cents: Mapped[int | None] = mapped_column(BigInteger)
    source: Mapped[TouchpointKind | None] = mapped_column(EnumText(TouchpointKind, 30))
    market: Mapped[Market | None] = mapped_column(EnumText(Market, 10))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the service on real edits only: moving a neighbour must not touch it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archive_reason: Mapped[ArchiveReason | None] = mapped_column(
        EnumText(ArchiveReason, 30, unknown=ArchiveReason.OTHER)
    )
    archive_note: Mapped[str] = mapped_column(String(500), default="")
    # Optimistic concurrency: a save against a stale version is refused, not applied.
    version: Mapped[int] = mapped_column(Integer, default=1)

    events: Mapped[list[StageEventRow]] = relationship(
        back_populates="card", cascade="all, delete-orphan", passive_deletes=True
    )
    notes: Mapped[list[ResearchNoteRow]] = relationship(
        back_populates="card", cascade="all, delete-orphan", passive_deletes=True
    )
    touchpoints: Mapped[list[TouchpointRow]] = relationship(
        back_populates="card", cascade="all, delete-orphan", passive_deletes=True
    )
    qualification_answers: Mapped[list[QualificationAnswerRow]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_card_board", "archived_at", "stage", "position"),
        Index("ix_card_referred_by", "referred_by_id"),
        # An id is never handed out twice (migration 0020): a card added and taken away
        # by undo left its id to the next new card, which then took what still named
        # the old one (an open editor's save, an undo, a draft).
        {"sqlite_autoincrement": True},
    )


class StageEventRow(Base):
    """One move of a card between stages; from_stage is empty when the card was created."""

    __tablename__ = "stage_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    from_stage: Mapped[Stage | None] = mapped_column(EnumText(Stage, 20))
    to_stage: Mapped[Stage] = mapped_column(EnumText(Stage, 20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    by: Mapped[str] = mapped_column(String(200))
    # Why the move was unusual: a lead moved on without passing qualification.
    note: Mapped[str] = mapped_column(String(1000), default="", server_default="")

    card: Mapped[CardRow] = relationship(back_populates="events")

    __table_args__ = (
        Index("ix_stage_event_card", "card_id", "at"),
        Index("ix_stage_event_at", "at"),
    )


class TouchpointRow(Base):
    __tablename__ = "touchpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    kind: Mapped[TouchpointKind] = mapped_column(EnumText(TouchpointKind, 30))
    happened_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card: Mapped[CardRow] = relationship(back_populates="touchpoints")

    __table_args__ = (
        Index("ix_touchpoint_card", "card_id", "happened_on"),
        # An id is never handed out twice (migration 0019): a touchpoint deleted and
        # brought back by undo takes its own id again, and a card screen still showing
        # a deleted one cannot delete another card's that took its id.
        {"sqlite_autoincrement": True},
    )


class ResearchNoteRow(Base):
    __tablename__ = "research_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    kind: Mapped[NoteKind] = mapped_column(EnumText(NoteKind, 20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the service on real edits only: moving a neighbour must not touch it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic concurrency, as on cards: a save against a stale version is refused.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    card: Mapped[CardRow] = relationship(back_populates="notes")

    __mapper_args__ = {"version_id_col": version}

    __table_args__ = (
        Index("ix_research_note_card", "card_id", "kind"),
        # Covers "last note per card" for the board's staleness marks.
        Index("ix_research_note_activity", "card_id", "updated_at"),
        # An id is never handed out twice (migration 0017): an editor open on a note
        # deleted since must not save over a new note that took its id.
        {"sqlite_autoincrement": True},
    )


class ActivityRow(Base):
    """One step scheduled on a card (domain.schedule); open until done_at is set."""

    __tablename__ = "activity"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    kind: Mapped[ActivityKind] = mapped_column(
        EnumText(ActivityKind, 20, unknown=ActivityKind.TASK)
    )
    due: Mapped[date | None] = mapped_column(Date)
    due_time: Mapped[time | None] = mapped_column(Time)
    text: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # The card's open steps, earliest first, in one index range.
    __table_args__ = (Index("ix_activity_card", "card_id", "done_at", "due"),)


class CapturedItemRow(Base):
    """Where a touchpoint logged by `log -` came from: an email's Message-ID or an
    invite's UID (with its RECURRENCE-ID), one row a card it was logged on. A second
    log of the same item is refused; an invite's update or cancellation finds here the
    next action it set, to move or clear it while it is still the card's."""

    __tablename__ = "captured_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(1000))
    # The invite's SEQUENCE as last logged (0 for an email): a higher one is an update.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    logged_on: Mapped[date] = mapped_column(Date)
    # The next action this item set on the card ("" if none, or no longer its own).
    next_action: Mapped[str] = mapped_column(String(500), default="")
    next_action_due: Mapped[date | None] = mapped_column(Date)

    # One row per item and card, whatever two instances do at the same moment; its
    # index, origin first, is also the look-up by origin.
    __table_args__ = (
        UniqueConstraint("origin", "card_id", name="uq_captured_item_origin_card_id"),
    )


class QualificationAnswerRow(Base):
    """One card's answer to one qualification criterion, keyed by the criterion's text."""

    __tablename__ = "qualification_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(200))
    answer: Mapped[Answer] = mapped_column(EnumText(Answer, 10, unknown=Answer.UNKNOWN))
    comment: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("card_id", "criterion", name="uq_qualification_answer_card_criterion"),
    )


class BoardClockRow(Base):
    """One row counting every write to the pipeline, from any process: an app polls it
    (one row, however big the pipeline) to see whether someone else changed anything,
    and knows its own writes by the number each one gets."""

    __tablename__ = "board_clock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    revision: Mapped[int] = mapped_column(BigInteger, default=0)


class CallSessionRow(Base):
    """One sitting of calls from the call queue: who, when, and how many of each outcome.

    The calls themselves are touchpoints on the cards; this keeps the session's figures
    for the next morning's stand-up.
    """

    __tablename__ = "call_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_call_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reached: Mapped[int] = mapped_column(Integer, default=0)
    voicemail: Mapped[int] = mapped_column(Integer, default=0)
    no_answer: Mapped[int] = mapped_column(Integer, default=0)
    meeting_set: Mapped[int] = mapped_column(Integer, default=0)
    not_interested: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index("ix_call_session_started", "started_at"),)


class DraftRow(Base):
    """What a rep was typing in one editor, kept until it is saved or discarded.

    Keyed by rep, card, editor and subject (which note); the new-card form's drafts have
    no card. A card's drafts go with it when it is deleted.
    """

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    editor: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(200), default="")
    # The editor's fields as typed: a JSON object of strings.
    fields: Mapped[str] = mapped_column(Text)
    base_version: Mapped[int | None] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("owner", "card_id", "editor", "subject", name="uq_draft_key"),
        # The board's draft mark: one index seek per card.
        Index("ix_draft_card", "card_id", "owner"),
    )
