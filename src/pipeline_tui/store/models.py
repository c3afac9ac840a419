"""The database tables, as typed SQLAlchemy 2 models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names keep migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps stored as naive UTC (SQLite has no zone) and read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
    stage: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)
    owner: Mapped[str] = mapped_column(String(200))
    next_action: Mapped[str] = mapped_column(String(500), default="")
    next_action_due: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(String(30))
    market: Mapped[str | None] = mapped_column(String(10))
    referred_by_id: Mapped[int | None] = mapped_column(ForeignKey("card.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the service on real edits only: moving a neighbour must not touch it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archive_reason: Mapped[str | None] = mapped_column(String(30))
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
    )


class StageEventRow(Base):
    """One move of a card between stages; from_stage is empty when the card was created."""

    __tablename__ = "stage_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
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
    kind: Mapped[str] = mapped_column(String(30))
    happened_on: Mapped[date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    card: Mapped[CardRow] = relationship(back_populates="touchpoints")

    __table_args__ = (Index("ix_touchpoint_card", "card_id", "happened_on"),)


class ResearchNoteRow(Base):
    __tablename__ = "research_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set by the service on real edits only: moving a neighbour must not touch it.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Optimistic concurrency, as on the card: an edit saved against an older version is
    # refused, so two reps editing one note never overwrite each other.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    card: Mapped[CardRow] = relationship(back_populates="notes")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        Index("ix_research_note_card", "card_id", "kind"),
        # Covers "last note per card" for the board's staleness marks.
        Index("ix_research_note_activity", "card_id", "updated_at"),
    )


class QualificationAnswerRow(Base):
    """One card's answer to one qualification criterion, keyed by the criterion's text."""

    __tablename__ = "qualification_answer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("card.id", ondelete="CASCADE"))
    criterion: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str] = mapped_column(String(500), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(200), default="")

    __table_args__ = (
        UniqueConstraint("card_id", "criterion", name="uq_qualification_answer_card_criterion"),
    )


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
