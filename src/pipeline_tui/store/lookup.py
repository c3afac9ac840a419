"""Finding a card from what a rep types in the shell, and spotting a likely duplicate.

One function answers "which card is CARD?" for every command that takes one: an id
("12" or "#12"), an email (any case), or words of the name. Words that fit more than
one card are refused with the candidates listed, never guessed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.lookup import (
    CardMatch,
    card_id_in,
    looks_like_email,
    names_fit,
    why_alike,
)
from pipeline_tui.domain.lookup import folded as folded_text
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store.errors import AmbiguousCardError, DuplicateCardError, NotFoundError
from pipeline_tui.store.models import CardRow

CANDIDATES_SHOWN = 10

_COLUMNS = (
    CardRow.id,
    CardRow.name,
    CardRow.organisation,
    CardRow.stage,
    CardRow.email,
    CardRow.archived_at,
)


def find_card(session: Session, text: str, *, archived: bool = False) -> CardMatch:
    """The one card `text` names: an id, an email, or part of a name.

    Names are matched without regard to case: a whole name that fits one card wins over
    cards whose names merely contain it ("Ann" is Ann, not Annabel, when both exist).
    Archived cards are found by id always, and by email or name only with `archived`.
    Raises NotFoundError, or AmbiguousCardError listing the candidates.
    """
    wanted = clean_line(text)
    if not wanted:
        raise NotFoundError("Name a card: its id, its email, or part of its name.")
    card_id = card_id_in(wanted)
    if card_id is not None:
        row = session.execute(select(*_COLUMNS).where(CardRow.id == card_id)).first()
        if row is None:
            raise NotFoundError(f"There is no card {card_id}.")
        return _match(row)
    active = None if archived else CardRow.archived_at.is_(None)
    if looks_like_email(wanted):
        found = _rows(session, _query(same_text(CardRow.email, wanted), active))
        live = [match for match in found if not match.archived]
        # A lost contact back as a new lead shares the address with the archived card:
        # the one on the board is meant ("2 cards match 'larry@x.example'").
        return _one_of(
            live if len(found) > 1 and len(live) == 1 else found, wanted, "with the email"
        )
    exact = _rows(session, _query(same_text(CardRow.name, wanted), active))
    if len(exact) == 1:
        return exact[0]
    words = wanted.lower().split()
    contains = [func.lower(CardRow.name).contains(word, autoescape=True) for word in words]
    query = _query(and_(*contains), active)
    found = _rows(session, query)
    if not found:
        # Accents aside ("renee" for Renée): the databases' lower() and LIKE compare
        # letters as they are, so the names are read and compared here. Only on a miss.
        found = _fitting_accents_aside(session, wanted, active)
    return _one_of(found, wanted, "whose name contains")


def _fitting_accents_aside(session: Session, wanted: str, active: Any) -> list[CardMatch]:
    words = folded_text(wanted).split()
    query = select(*_COLUMNS)
    if active is not None:
        query = query.where(active)
    rows = session.execute(query.order_by(CardRow.name, CardRow.id))
    fitting = [_match(row) for row in rows if names_fit(words, row.name)]
    whole = [match for match in fitting if folded_text(match.name) == " ".join(words)]
    return whole if len(whole) == 1 else fitting[: CANDIDATES_SHOWN + 1]


def _query(condition: Any, active: Any) -> Select[*tuple[Any, ...]]:
    query = select(*_COLUMNS).where(condition)
    if active is not None:
        query = query.where(active)
    return query.order_by(CardRow.name, CardRow.id).limit(CANDIDATES_SHOWN + 1)


def _rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[CardMatch]:
    return [_match(row) for row in session.execute(query)]


def _one(session: Session, query: Select[*tuple[Any, ...]], wanted: str, how: str) -> CardMatch:
    return _one_of(_rows(session, query), wanted, how)


def _one_of(found: list[CardMatch], wanted: str, how: str) -> CardMatch:
    if len(found) == 1:
        return found[0]
    if not found:
        raise NotFoundError(f"No card {how} {wanted!r}.")
    count = f"More than {CANDIDATES_SHOWN}" if len(found) > CANDIDATES_SHOWN else str(len(found))
    raise AmbiguousCardError(
        f"{count} cards match {wanted!r}; name one by its id or email.",
        tuple(found[:CANDIDATES_SHOWN]),
    )


def _match(row: Any) -> CardMatch:
    return CardMatch(
        id=row.id,
        name=row.name,
        organisation=row.organisation,
        stage=row.stage,
        email=row.email,
        archived=row.archived_at is not None,
    )


class folded(GenericFunction[str]):
    """Text with its case folded: Python's casefold on SQLite (the `casefold` function
    each connection is given, store/database.py), whose lower() folds ASCII only, and
    lower() elsewhere (PostgreSQL folds every letter)."""

    type = String()
    name = "folded"
    inherit_cache = True


@compiles(folded, "sqlite")
def _folded_on_sqlite(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"casefold({compiler.process(element.clauses, **kw)})"


@compiles(folded)
def _folded_elsewhere(element: folded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


def same_text(
    column: ColumnElement[str] | InstrumentedAttribute[str], text: str
) -> ColumnElement[bool]:
    """`column` holds `text`, case aside, folded the same way on both sides: Python's
    lower() and SQLite's (ASCII only) differed, so "Éva Örs" lowered here never matched
    "Éva Örs" lowered there, and a second card of her was added."""
    return folded(column) == folded(literal(text, String))


def likely_duplicates(session: Session, draft: CardDraft) -> list[CardMatch]:
    """Cards (archived ones too) that `draft` probably repeats, as import judges it:
    the same email, or the same name and organisation unless both have an email and
    the emails differ (two people of one name at one firm)."""
    same_name = and_(
        same_text(CardRow.name, draft.name), same_text(CardRow.organisation, draft.organisation)
    )
    if draft.email:
        same_email = same_text(CardRow.email, draft.email)
        same_name = and_(same_name, or_(CardRow.email == "", same_email))
        condition = or_(same_email, same_name)
    else:
        condition = same_name
    query = select(*_COLUMNS).where(condition).order_by(CardRow.id).limit(CANDIDATES_SHOWN)
    return _rows(session, query)


def check_not_duplicate(session: Session, draft: CardDraft) -> None:
    """Raise DuplicateCardError when `draft` looks like a card already there."""
    matches = likely_duplicates(session, draft)
    if not matches:
        return
    first = matches[0]
    raise DuplicateCardError(
        f"{first.name} (card {first.id}) has {why_alike(draft.email, first)}; "
        "add --force to add another card anyway.",
        tuple(matches),
    )
