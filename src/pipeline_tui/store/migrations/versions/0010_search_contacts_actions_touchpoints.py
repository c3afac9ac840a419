"""full-text search over emails, phones, next actions and touchpoint summaries

A rep searches for what they remember: "brightbakery" from an email address, the end
of a phone number, "proposal" from a next action, "booth" from a touchpoint. Each of
those becomes searchable here, beside names, organisations, tags and notes.

SQLite:

- card_fts is made again with two more columns, email and phone, and keeps its own
  copy of the text (an external-content table can only index the card's own columns,
  and the phone is indexed twice: as written, and as its digits alone, so "07946"
  and "+44 20 7946" both find "+44 20 7946 0958"). Its triggers are made again to
  match; prefix indexes stay as 0005 made them;
- action_fts indexes each card's next action (card.next_action, external content) and
  touchpoint_fts each touchpoint's summary, with triggers, prefix indexes and an
  fts5vocab table each (action_fts_words, touchpoint_fts_words), as note_fts has.

PostgreSQL:

- card.search_document is made again with emails and phones (weight D), the email
  split into its words (the parser would keep "sam@brightbakery.com" as one token) and
  the phone's digits alone beside it;
- card.action_document (the next action) and touchpoint.search_document (the
  summary), each a stored generated tsvector with a GIN index.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TOKENIZE = "unicode61 remove_diacritics 2"
PG_CONFIG = "pipeline_search"

# SQLite has no regexp_replace: the separators phone numbers are written with.
_PHONE_SEPARATORS = (" ", "-", "(", ")", ".", "+", "/")


def _digits(column: str) -> str:
    expression = column
    for separator in _PHONE_SEPARATORS:
        expression = f"replace({expression}, '{separator}', '')"
    return expression


def _phone(row: str) -> str:
    """The phone as written, then its digits alone when they differ."""
    digits = _digits(f"{row}.phone")
    return (
        f"CASE WHEN {digits} = {row}.phone THEN {row}.phone ELSE {row}.phone || ' ' || {digits} END"
    )


_CARD_COLUMNS = "name, organisation, tags, email, phone"


def _card_values(row: str) -> str:
    return f"{row}.name, {row}.organisation, {row}.tags, {row}.email, {_phone(row)}"


SQLITE_CARD_UP = [
    "DROP TRIGGER IF EXISTS card_fts_insert",
    "DROP TRIGGER IF EXISTS card_fts_delete",
    "DROP TRIGGER IF EXISTS card_fts_update",
    "DROP TABLE card_fts",
    f"""CREATE VIRTUAL TABLE card_fts USING fts5(
        {_CARD_COLUMNS}, tokenize='{TOKENIZE}', prefix='1 2')""",
    f"""CREATE TRIGGER card_fts_insert AFTER INSERT ON card BEGIN
        INSERT INTO card_fts(rowid, {_CARD_COLUMNS}) VALUES (new.id, {_card_values("new")});
    END""",
    """CREATE TRIGGER card_fts_delete AFTER DELETE ON card BEGIN
        DELETE FROM card_fts WHERE rowid = old.id;
    END""",
    f"""CREATE TRIGGER card_fts_update
        AFTER UPDATE OF name, organisation, tags, email, phone ON card BEGIN
        DELETE FROM card_fts WHERE rowid = old.id;
        INSERT INTO card_fts(rowid, {_CARD_COLUMNS}) VALUES (new.id, {_card_values("new")});
    END""",
    f"INSERT INTO card_fts(rowid, {_CARD_COLUMNS})"
    f" SELECT card.id, {_card_values('card')} FROM card",
]


def _prose_index(fts: str, table: str, column: str) -> list[str]:
    """An external-content FTS5 index of one text column, kept in step by triggers,
    with prefix indexes and a vocabulary table, as note_fts has (see 0002 and 0005)."""
    return [
        f"""CREATE VIRTUAL TABLE {fts} USING fts5(
            {column}, content='{table}', content_rowid='id',
            tokenize='{TOKENIZE}', prefix='2 3')""",
        f"""CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN
            INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});
        END""",
        f"""CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});
        END""",
        f"""CREATE TRIGGER {fts}_update AFTER UPDATE OF {column} ON {table} BEGIN
            INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.id, old.{column});
            INSERT INTO {fts}(rowid, {column}) VALUES (new.id, new.{column});
        END""",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
        f"CREATE VIRTUAL TABLE {fts}_words USING fts5vocab({fts}, instance)",
    ]


def _drop_prose_index(fts: str) -> list[str]:
    return [
        f"DROP TABLE IF EXISTS {fts}_words",
        f"DROP TRIGGER IF EXISTS {fts}_update",
        f"DROP TRIGGER IF EXISTS {fts}_delete",
        f"DROP TRIGGER IF EXISTS {fts}_insert",
        f"DROP TABLE IF EXISTS {fts}",
    ]


SQLITE_UP = [
    *SQLITE_CARD_UP,
    *_prose_index("action_fts", "card", "next_action"),
    *_prose_index("touchpoint_fts", "touchpoint", "summary"),
]

# Back to card_fts as 0002 and 0005 left it: external content, three columns.
SQLITE_DOWN = [
    *_drop_prose_index("touchpoint_fts"),
    *_drop_prose_index("action_fts"),
    "DROP TRIGGER IF EXISTS card_fts_update",
    "DROP TRIGGER IF EXISTS card_fts_delete",
    "DROP TRIGGER IF EXISTS card_fts_insert",
    "DROP TABLE card_fts",
    f"""CREATE VIRTUAL TABLE card_fts USING fts5(
        name, organisation, tags, content='card', content_rowid='id',
        tokenize='{TOKENIZE}', prefix='1 2')""",
    """CREATE TRIGGER card_fts_insert AFTER INSERT ON card BEGIN
        INSERT INTO card_fts(rowid, name, organisation, tags)
        VALUES (new.id, new.name, new.organisation, new.tags);
    END""",
    """CREATE TRIGGER card_fts_delete AFTER DELETE ON card BEGIN
        INSERT INTO card_fts(card_fts, rowid, name, organisation, tags)
        VALUES ('delete', old.id, old.name, old.organisation, old.tags);
    END""",
    """CREATE TRIGGER card_fts_update AFTER UPDATE OF name, organisation, tags ON card BEGIN
        INSERT INTO card_fts(card_fts, rowid, name, organisation, tags)
        VALUES ('delete', old.id, old.name, old.organisation, old.tags);
        INSERT INTO card_fts(rowid, name, organisation, tags)
        VALUES (new.id, new.name, new.organisation, new.tags);
    END""",
    "INSERT INTO card_fts(card_fts) VALUES ('rebuild')",
]


def _pg_card_document(with_contacts: bool) -> str:
    parts = [
        f"setweight(to_tsvector('{PG_CONFIG}', name), 'A')",
        f"setweight(to_tsvector('{PG_CONFIG}', organisation), 'B')",
        f"setweight(to_tsvector('{PG_CONFIG}', tags), 'C')",
    ]
    if with_contacts:
        contacts = (
            "regexp_replace(email, '[^[:alnum:]]+', ' ', 'g') || ' ' ||"
            " regexp_replace(phone, '[^[:alnum:]]+', ' ', 'g') || ' ' ||"
            " regexp_replace(phone, '[^0-9]+', '', 'g')"
        )
        parts.append(f"setweight(to_tsvector('{PG_CONFIG}', {contacts}), 'D')")
    return (
        "ALTER TABLE card ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
        + " || ".join(parts)
        + ") STORED"
    )


PG_UP = [
    "DROP INDEX IF EXISTS ix_card_search",
    "ALTER TABLE card DROP COLUMN search_document",
    _pg_card_document(with_contacts=True),
    "CREATE INDEX ix_card_search ON card USING gin (search_document)",
    "ALTER TABLE card ADD COLUMN action_document tsvector GENERATED ALWAYS AS ("
    f" to_tsvector('{PG_CONFIG}', next_action)) STORED",
    "CREATE INDEX ix_card_action_search ON card USING gin (action_document)",
    "ALTER TABLE touchpoint ADD COLUMN search_document tsvector GENERATED ALWAYS AS ("
    f" to_tsvector('{PG_CONFIG}', summary)) STORED",
    "CREATE INDEX ix_touchpoint_search ON touchpoint USING gin (search_document)",
]

PG_DOWN = [
    "DROP INDEX IF EXISTS ix_touchpoint_search",
    "ALTER TABLE touchpoint DROP COLUMN IF EXISTS search_document",
    "DROP INDEX IF EXISTS ix_card_action_search",
    "ALTER TABLE card DROP COLUMN IF EXISTS action_document",
    "DROP INDEX IF EXISTS ix_card_search",
    "ALTER TABLE card DROP COLUMN search_document",
    _pg_card_document(with_contacts=False),
    "CREATE INDEX ix_card_search ON card USING gin (search_document)",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_UP, "postgresql": PG_UP}.get(dialect, [])
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}.get(dialect, [])
    for statement in statements:
        op.execute(statement)
