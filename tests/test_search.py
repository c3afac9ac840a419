"""Full-text search and research notes in the store: ranking, syntax safety, sync, round trips."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import event, make_url, text

from pipeline_tui.domain.cards import NOTE_MAX_CHARS, CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, StoreError, open_database, search
from pipeline_tui.store.migrate import MIGRATIONS, schema_change
from tests.conftest import EMPTY_EVERY_TABLE, NOW

pytestmark = pytest.mark.both_backends


@pytest.fixture
def pg_service(pg_database: str) -> Iterator[PipelineService]:
    """The service on PostgreSQL alone, for the tests of the ways it searches."""
    database = open_database(pg_database)
    yield PipelineService(database, user="sam", clock=lambda: NOW)
    database.close()


def add(service: PipelineService, name: str, **fields: object) -> int:
    return service.add_card(CardDraft(name=name, **fields), Stage.LEAD).card_id  # type: ignore[arg-type]


def test_each_postgresql_test_starts_with_the_row_estimates_of_a_new_database(
    pg_service: PipelineService, pg_database: str
) -> None:
    """The search chooses its way by the tables' estimated rows (search._pg_window):
    what an earlier test counted (ANALYZE) must not steer the next test's search.
    Emptying the shared database between tests resets the estimates too."""

    def estimated_notes() -> float:
        with pg_service.database.engine.connect() as connection:
            query = "SELECT reltuples FROM pg_class WHERE oid = 'research_note'::regclass"
            return float(connection.execute(text(query)).scalar_one())

    for number in range(20):
        pg_service.add_note(add(pg_service, f"Card {number}"), NoteKind.GENERAL, "Lisbon")
    with pg_service.database.engine.connect() as connection:
        connection.execute(text("ANALYZE research_note"))
        connection.commit()
    assert estimated_notes() == 20
    conninfo = make_url(pg_database).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False), autocommit=True) as db:
        db.execute(EMPTY_EVERY_TABLE)
    assert pg_service.cards() == []
    assert estimated_notes() <= 0, "counted as a table never analysed: small"


def test_search_finds_names_organisations_tags_and_note_words(service: PipelineService) -> None:
    ada = add(service, "Ada Lovelace", organisation="Analytical Engines", tags=("fintech",))
    ben = add(service, "Ben Hollis", organisation="Hollis Joinery")
    service.add_note(ben, NoteKind.PROBLEM, "Quotes take a week to go out")
    assert [h.card_id for h in service.search("lovel")] == [ada]
    assert [h.card_id for h in service.search("analytical")] == [ada]
    assert [h.card_id for h in service.search("fintech")] == [ada]
    [hit] = service.search("quotes week")
    assert (hit.card_id, hit.note_kind) == (ben, NoteKind.PROBLEM)
    assert "Quotes take a week" in hit.snippet
    assert service.matching_card_ids("hollis") == {ben}
    assert service.matching_card_ids("quotes") == {ben}


def test_the_filter_search_reads_the_cards_it_shows_first_in_the_same_call(
    service: PipelineService,
) -> None:
    ada = add(service, "Ada Hollis")
    ben = add(service, "Ben Hollis")
    add(service, "Cy Other")
    service.archive_card(add(service, "Dee Hollis"), ArchiveReason.LOST)
    asked: list[set[int]] = []

    def first_of(ids: set[int]) -> list[int]:
        asked.append(set(ids))
        return sorted(ids)[:1]

    ids, cards = service.matching_cards("holl", first_of)
    assert ids == {ada, ben} == service.matching_card_ids("holl")
    assert asked == [{ada, ben}]  # picked from what matched, archived cards left out
    assert list(cards) == [ada] and cards[ada] == service.summary(ada)
    assert service.matching_cards("nobody", first_of) == (set(), {})


def test_a_note_snippet_marks_where_it_is_cut(service: PipelineService) -> None:
    ben = add(service, "Ben Hollis")
    service.add_note(ben, NoteKind.GENERAL, "Short franchise note")
    service.add_note(
        ben,
        NoteKind.PROBLEM,
        "They run three sites and every quote takes them a week to send because the "
        "franchise office approves each one by hand, which loses them deals every month.\n",
    )
    snippets = {hit.note_kind: hit.snippet for hit in service.search("franchise")}
    assert snippets[NoteKind.GENERAL] == "Short franchise note"
    cut = snippets[NoteKind.PROBLEM]
    assert cut.startswith("…") and cut.endswith("…") and "……" not in cut
    assert "franchise office" in cut


def test_search_ignores_accents_and_case(service: PipelineService) -> None:
    chloe = add(service, "Chloé Martin")
    assert [h.card_id for h in service.search("CHLOE")] == [chloe]


def test_better_matches_rank_first(service: PipelineService) -> None:
    weak = add(service, "Weak")
    strong = add(service, "Strong")
    service.add_note(weak, NoteKind.GENERAL, "pricing came up once among many other topics " * 5)
    service.add_note(strong, NoteKind.PROBLEM, "pricing pricing pricing")
    assert [h.card_id for h in service.search("pricing")][:2] == [strong, weak]


@pytest.mark.parametrize(
    "query",
    [
        '"',
        '""',
        "*",
        "-",
        ":",
        "NEAR",
        "NEAR(a b)",
        "a AND",
        "OR",
        "(",
        ")",
        "'",
        "name:ada",
        "^ada",
        "ada*",
        '"unbalanced',
        "-ada",
        "+",
        "{a}",
        "[x]",
        "\\",
        "%",
        "_",
        "😀",
    ],
)
def test_search_syntax_characters_never_error(service: PipelineService, query: str) -> None:
    add(service, "Ada")
    service.search(query)
    service.matching_card_ids(query)


def test_archived_cards_leave_search(service: PipelineService) -> None:
    gone = add(service, "Gone Fishing")
    service.add_note(gone, NoteKind.GOAL, "catch trout")
    service.archive_card(gone, ArchiveReason.LOST)
    assert service.search("fishing") == []
    assert service.matching_card_ids("fishing") == set()
    assert service.search("trout") == []
    assert service.matching_card_ids("trout") == set()


def test_a_one_letter_word_matches_names_organisations_and_tags_not_notes(
    service: PipelineService,
) -> None:
    zoe = add(service, "Zoe Quist")
    ada = add(service, "Ada", tags=("zinc",))
    ben = add(service, "Ben")
    service.add_note(ben, NoteKind.GENERAL, "zebra crossing outside the shop")
    assert service.matching_card_ids("z") == {zoe, ada}
    assert {(h.card_id, h.note_id) for h in service.search("z")} == {(zoe, None), (ada, None)}
    assert service.matching_card_ids("ze") == {ben}
    # The letter being typed does not hide what the words before it found in notes.
    assert service.matching_card_ids("zebra q") == {ben}
    assert [(h.card_id, h.note_kind) for h in service.search("zebra q")] == [
        (ben, NoteKind.GENERAL)
    ]


def test_every_word_matches_as_a_prefix_however_long(service: PipelineService) -> None:
    ada = add(service, "Ada")
    ben = add(service, "Ben")
    cy = add(service, "Cy")
    service.add_note(ada, NoteKind.GENERAL, "Reviewers liked the REVIEWS")
    service.add_note(ben, NoteKind.GENERAL, "A review is due; Café Zoë pays in March")
    service.add_note(cy, NoteKind.GENERAL, "revise the quote")
    assert service.matching_card_ids("revi") == {ada, ben, cy}
    assert service.matching_card_ids("revie") == {ada, ben}
    assert service.matching_card_ids("review") == {ada, ben}
    assert service.matching_card_ids("REVIEWER") == {ada}
    assert service.matching_card_ids("reviewers liked") == {ada}
    assert service.matching_card_ids("review march") == {ben}
    assert service.matching_card_ids("reviewz") == set()
    assert {h.card_id for h in service.search("review")} == {ada, ben}
    assert service.matching_card_ids("cafe") == service.matching_card_ids("café") == {ben}
    assert service.matching_card_ids("zoe pays") == {ben}


def test_a_prefix_of_many_words_matches_them_all(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    ada = add(service, "Ada")
    service.add_note(ada, NoteKind.GENERAL, "reviews, reviewers and a reviewing rota")
    expected = service.matching_card_ids("review")
    monkeypatch.setattr(search, "EXPANSION_LIMIT", 1)
    assert service.matching_card_ids("review") == expected == {ada}


def test_the_filter_finds_cards_by_their_newest_matching_notes(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 2)
    cards = [add(service, f"Card {number}") for number in range(4)]
    for card in cards:
        service.add_note(card, NoteKind.GENERAL, "pricing came up")
    service.add_note(cards[0], NoteKind.GOAL, "fix pricing this quarter")
    named = add(service, "Pricing Partners")
    # Every card the words name, and the cards behind the two newest matching notes.
    assert service.matching_card_ids("pricing") == {named, cards[0], cards[3]}


def test_ranking_weighs_the_newest_matches(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "RANK_POOL", 2)
    old = add(service, "Old")
    service.add_note(old, NoteKind.GENERAL, "pricing pricing pricing")
    weak = add(service, "Weak")
    service.add_note(weak, NoteKind.GENERAL, "pricing came up once among many other topics")
    strong = add(service, "Strong")
    service.add_note(strong, NoteKind.PROBLEM, "pricing")
    assert [h.card_id for h in service.search("pricing")] == [strong, weak]


def test_index_follows_every_write(service: PipelineService) -> None:
    ada = add(service, "Ada")
    note = service.add_note(ada, NoteKind.GOAL, "expand to Lisbon")
    assert service.matching_card_ids("lisbon") == {ada}
    service.update_note(note.id, "expand to Porto")
    assert service.matching_card_ids("lisbon") == set()
    assert service.matching_card_ids("porto") == {ada}
    service.delete_note(note.id)
    assert service.matching_card_ids("porto") == set()
    version = service.card(ada).version
    service.update_card(ada, CardDraft(name="Adaline"), version)
    assert service.matching_card_ids("adaline") == {ada}


def test_migration_builds_the_index_for_existing_data(db_path: object) -> None:
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    ada = add(service, "Ada")
    service.add_note(ada, NoteKind.INSIGHT, "batch the invoices")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with schema_change(database.engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
        assert not connection.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'note_fts'")
        ).all()
    database.close()

    reopened = open_database(str(db_path))
    assert reopened.backup_path is not None and reopened.backup_path.exists()
    service = PipelineService(reopened, "sam", clock=lambda: NOW)
    assert service.matching_card_ids("invoices") == {ada}
    reopened.close()


def test_upgrade_adds_prefix_indexes_and_keeps_finding_what_was_there(db_path: object) -> None:
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    ada = add(service, "Ada Lovelace")
    service.add_note(ada, NoteKind.INSIGHT, "batch the invoices on Fridays")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with schema_change(database.engine) as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0004")
        assert not connection.execute(
            text("SELECT name FROM sqlite_master WHERE name = 'note_fts_words'")
        ).all()
        note_fts = connection.execute(
            text("SELECT sql FROM sqlite_master WHERE name = 'note_fts'")
        ).scalar_one()
        assert "prefix" not in note_fts
    database.close()

    reopened = open_database(str(db_path))
    service = PipelineService(reopened, "sam", clock=lambda: NOW)
    with reopened.engine.connect() as connection:
        schema = {
            name: sql
            for name, sql in connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE name LIKE '%_fts%'")
            )
        }
    assert "prefix='1 2'" in schema["card_fts"]
    assert "prefix='2 3'" in schema["note_fts"]
    assert "note_fts_words" in schema
    assert service.matching_card_ids("invoic") == {ada}
    assert service.matching_card_ids("fridays") == {ada}
    assert service.matching_card_ids("lo") == {ada}
    assert [h.card_id for h in service.search("batch invoices")] == [ada]
    reopened.close()


@pytest.mark.parametrize(
    "body",
    [
        "Emoji 👩‍👩‍👧 and 🚀 stay",
        "עברית מימין לשמאל and العربية too",
        "[b]not bold[/b] [@click=app.quit]no[/] [link=http://x]y[/link]",
        "line one\n\n  indented line\n- a list item",
        ("1MB " * 262_144)[:1_000_000],
    ],
    ids=["emoji", "rtl", "markup", "markdown", "one-megabyte"],
)
def test_notes_round_trip_unchanged(service: PipelineService, body: str) -> None:
    ada = add(service, "Ada")
    saved = service.add_note(ada, NoteKind.GENERAL, body)
    assert saved.body == body
    assert service.card(ada).notes[0].body == body


def test_note_controls_are_stripped_but_text_kept(service: PipelineService) -> None:
    ada = add(service, "Ada")
    saved = service.add_note(ada, NoteKind.GENERAL, "ring\x07 \x1b]52;c;aGk=\x07clip\x1b[2J end")
    assert saved.body == "ring clip end"


def test_notes_have_a_size_cap_and_need_text(service: PipelineService) -> None:
    ada = add(service, "Ada")
    with pytest.raises(StoreError, match="at most"):
        service.add_note(ada, NoteKind.GENERAL, "x" * (NOTE_MAX_CHARS + 1))
    with pytest.raises(StoreError, match="needs some text"):
        service.add_note(ada, NoteKind.GENERAL, "  \n ")
    assert service.card(ada).notes == ()


def test_deleted_note_comes_back_whole_on_undo(service: PipelineService) -> None:
    ada = add(service, "Ada")
    note = service.add_note(ada, NoteKind.GAP, "Behind target by 20%")
    change = service.delete_note(note.id)
    assert service.card(ada).notes == ()
    service.undo(change)
    [back] = service.card(ada).notes
    assert (back.kind, back.body, back.created_at) == (NoteKind.GAP, note.body, note.created_at)


def test_the_newest_rows_answer_common_words_and_the_index_rare_ones(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PostgreSQL looks among the newest rows first; the answers must not depend on it.
    monkeypatch.setattr(search, "RANK_POOL", 2)
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 2)
    monkeypatch.setattr(search, "PG_RECENT_ROWS", 3)
    monkeypatch.setattr(search, "PG_FILTER_RECENT_ROWS", 3)
    # Past the first look at the newest row, to the newest three and beyond.
    monkeypatch.setattr(search, "PG_SAMPLE_ROWS", 1)
    monkeypatch.setattr(search, "PG_SAMPLE_MATCHES", 0)
    old = add(service, "Old")
    service.add_note(old, NoteKind.GENERAL, "met them in Lisbon")
    earlier = add(service, "Earlier")
    service.add_note(earlier, NoteKind.GENERAL, "pricing")
    cards = [add(service, f"Card {number}") for number in range(4)]
    for card in cards:
        service.add_note(card, NoteKind.GENERAL, "pricing came up")
    service.archive_card(cards[3], ArchiveReason.LOST, "", None)
    assert [h.card_id for h in service.search("lisbon")] == [old]
    assert service.matching_card_ids("lisbo") == {old}
    assert {h.card_id for h in service.search("pricing")} == {cards[1], cards[2]}
    assert service.matching_card_ids("pricing") == {cards[1], cards[2]}
    assert {h.card_id for h in service.search("card")} == {cards[1], cards[2]}
    # Too few active matches among the newest rows: the older ones are found too.
    service.archive_card(cards[2], ArchiveReason.LOST, "", None)
    service.archive_card(cards[1], ArchiveReason.LOST, "", None)
    assert {h.card_id for h in service.search("pricing")} == {cards[0], earlier}
    assert service.matching_card_ids("pricing") == {cards[0], earlier}
    assert [h.card_id for h in service.search("card")] == [cards[0]]


def test_postgresql_reads_further_back_for_a_word_too_rare_for_the_newest_rows(
    pg_service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A word in every other name and note: the newest rows hold too few matches for
    # the pool, so PostgreSQL reads a longer window of newest rows (not the index). The
    # hits must be those the index gives, and the pool exactly the newest matches.
    monkeypatch.setattr(search, "RANK_POOL", 3)
    monkeypatch.setattr(search, "PG_RECENT_ROWS", 4)
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 3)
    monkeypatch.setattr(search, "PG_FILTER_RECENT_ROWS", 4)
    # The newest two rows hold a match: not rare, so on to the newest four.
    monkeypatch.setattr(search, "PG_SAMPLE_ROWS", 2)
    monkeypatch.setattr(search, "PG_SAMPLE_MATCHES", 1)
    service = pg_service
    database = service.database
    note_window = "FROM research_note ORDER BY id DESC LIMIT 7)"
    card_window = "FROM card ORDER BY id DESC LIMIT 7)"
    cards = []
    for number in range(20):
        cards.append(add(service, f"Acme {number}" if number % 2 else f"Card {number}"))
        body = "pricing came up" if number % 2 else "met them in Lisbon"
        service.add_note(cards[-1], NoteKind.GENERAL, body)
    with database.engine.connect() as connection:  # the row estimates autovacuum keeps
        connection.execute(text("ANALYZE card"))
        connection.execute(text("ANALYZE research_note"))
        connection.commit()
    sent: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))

    def found(query: str) -> set[int]:
        sent.clear()
        return {hit.card_id for hit in service.search(query)}

    newest = {cards[19], cards[17], cards[15]}
    assert found("pricing") == newest
    assert any(note_window in sql for sql in sent)
    assert found("acme") == newest
    assert any(card_window in sql for sql in sent)
    sent.clear()
    assert service.matching_card_ids("pricing") == newest
    assert any(note_window in sql for sql in sent)

    monkeypatch.setattr(search, "PG_INDEX_MATCH_ROWS", 0)  # the index, always
    for query in ("pricing", "acme"):
        assert found(query) == newest
        assert not any("LIMIT 7)" in sql for sql in sent)

    # Archived further back: the window falls short, and the index finds the rest.
    monkeypatch.setattr(search, "PG_INDEX_MATCH_ROWS", 25)
    for card in (cards[15], cards[13]):
        service.archive_card(card, ArchiveReason.LOST, "", None)
    rest = {cards[19], cards[17], cards[11]}
    assert found("pricing") == rest
    assert any(note_window in sql for sql in sent)
    assert found("acme") == rest
    assert any(card_window in sql for sql in sent)
    sent.clear()
    assert service.matching_card_ids("pricing") == rest
    assert any(note_window in sql for sql in sent)


def test_postgresql_asks_the_index_at_once_for_a_word_rare_in_the_newest_rows(
    pg_service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A name typed in the filter is in no recent note: after a look at the newest few
    # rows, the index answers it, without reading the whole window of newest rows first.
    # A word common in those few rows still reads the window. The answers are the same.
    monkeypatch.setattr(search, "PG_SAMPLE_ROWS", 4)
    monkeypatch.setattr(search, "PG_SAMPLE_MATCHES", 2)
    monkeypatch.setattr(search, "PG_RECENT_ROWS", 9)
    monkeypatch.setattr(search, "PG_FILTER_RECENT_ROWS", 9)
    monkeypatch.setattr(search, "RANK_POOL", 6)
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 6)
    service = pg_service
    database = service.database
    old = add(service, "Old")
    service.add_note(old, NoteKind.GENERAL, "met them in Lisbon")
    cards = [add(service, f"Card {number}") for number in range(12)]
    for card in cards:
        service.add_note(card, NoteKind.GENERAL, "pricing came up")
    sent: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    sample = "FROM research_note ORDER BY id DESC LIMIT 4)"
    window = "FROM research_note ORDER BY id DESC LIMIT 9)"

    assert service.matching_card_ids("lisbo") == {old}
    assert any(sample in sql for sql in sent)
    assert not any(window in sql for sql in sent)
    sent.clear()
    assert [hit.card_id for hit in service.search("lisbon")] == [old]
    assert any(sample in sql for sql in sent)
    assert not any(window in sql for sql in sent)

    sent.clear()
    assert service.matching_card_ids("pricing") == set(cards[-6:])
    assert any(window in sql for sql in sent)
    sent.clear()
    assert {hit.card_id for hit in service.search("pricing")} == set(cards[-6:])
    assert any(window in sql for sql in sent)

    # The newest rows all on one card: it is their rows that say the word is common.
    busy = add(service, "Busy")
    for _ in range(4):
        service.add_note(busy, NoteKind.GENERAL, "pricing again")
    sent.clear()
    assert service.matching_card_ids("pricing") == {busy, *cards[-5:]}
    assert any(window in sql for sql in sent)


def test_postgresql_takes_each_step_of_the_filter_for_every_kind_of_text_at_once(
    pg_service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each statement is a trip to the server and back. The cards' own fields and the
    # newest rows of notes, next actions and touchpoints are one statement; the next
    # step of every kind that needs one (here, for a word rare in its newest rows,
    # its index) is the next statement.
    monkeypatch.setattr(search, "PG_SAMPLE_ROWS", 2)
    monkeypatch.setattr(search, "PG_SAMPLE_MATCHES", 1)
    monkeypatch.setattr(search, "PG_FILTER_RECENT_ROWS", 4)
    monkeypatch.setattr(search, "FILTER_NOTE_CARDS", 2)
    service = pg_service
    noted = add(service, "Noted")
    service.add_note(noted, NoteKind.GENERAL, "met them in Lisbon")
    acting = add(service, "Acting", next_action="Fly to Lisbon")
    called = add(service, "Called")
    service.add_touchpoint(called, TouchpointKind.CALL, NOW.date(), "Lisbon office")
    priced = add(service, "Priced")
    service.add_touchpoint(priced, TouchpointKind.CALL, NOW.date(), "pricing call")
    cards = [add(service, f"Card {number}") for number in range(6)]
    for card in cards:  # the newest rows
        service.add_note(card, NoteKind.GENERAL, "pricing came up")
        service.add_touchpoint(card, TouchpointKind.EMAIL, NOW.date(), "sent the deck")
    sent: list[str] = []
    event.listen(service.database.engine, "before_cursor_execute", lambda *a: sent.append(a[2]))

    def searches() -> list[str]:
        return [sql for sql in sent if "to_tsquery" in sql]

    assert service.matching_card_ids("lisbo") == {noted, acting, called}
    first, then = searches()
    for table in ("research_note", "card", "touchpoint"):
        assert f"FROM {table} ORDER BY id DESC LIMIT 2)" in first, table
        assert f"FROM {table} r" in then, table
    sent.clear()
    # The newest notes hold enough: the notes are done after the first statement, and
    # the next actions and touchpoints go on to their indexes without them.
    assert service.matching_card_ids("pricing") == {cards[5], cards[4], priced}
    first, then = searches()
    assert "FROM research_note ORDER BY id DESC LIMIT 2)" in first
    assert "research_note" not in then and "FROM touchpoint r" in then
    sent.clear()
    assert service.matching_card_ids("n") == {noted}  # one letter: names only
    assert len(searches()) == 1, sent


@pytest.mark.parametrize(
    ("found", "table_rows", "window"),
    [
        (0, 1_000_000, None),  # none among the newest rows: rare, the index it is
        (188, 300_000, 33_244),  # in a few percent of the rows: reading back is cheaper
        (100, 1_000_000, 62_500),
        (40, 1_000_000, None),  # 4,000 matches in all: the index is cheaper
        (5, 10_000_000, None),
        (100, 8_000, None),  # a small table: the newest rows were all of it
        (100, 40_000, None),  # the window would be longer than the table
        (100, -1.0, None),  # never analysed (PostgreSQL 14 and later)
        (100, 0.0, None),  # never analysed (PostgreSQL 13)
    ],
)
def test_the_window_of_newest_rows_is_sized_from_their_share_of_matches(
    found: int, table_rows: float, window: int | None
) -> None:
    assert search._pg_window(found, table_rows, 10_000, 500) == window


def test_postgresql_plans_every_search_for_its_own_words(pg_service: PipelineService) -> None:
    # psycopg prepares a statement it has run five times, and PostgreSQL may then plan
    # it once for any words: `to_tsquery` is then no constant, and is run again for
    # every row a search tests (at a million notes it did). Here the session asks for
    # generic plans outright, as a few rows would not make PostgreSQL choose them: a
    # search is still planned for its words, however often it runs.
    service = pg_service
    database = service.database

    def generic_plans(dbapi_connection: Any, _: object) -> None:
        dbapi_connection.execute("SET plan_cache_mode = force_generic_plan")
        dbapi_connection.commit()

    for number in range(12):
        body = "pricing came up" if number % 2 else "met in Lisbon"
        service.add_note(add(service, f"Card {number}"), NoteKind.GENERAL, body)
    event.listen(database.engine, "connect", generic_plans)
    database.engine.dispose()
    for _ in range(15):
        assert len(service.search("pricing")) == 6
        assert len(service.matching_card_ids("pricing")) == 6
    with database.engine.connect() as connection:  # the searches' own session
        plans = connection.execute(
            text(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                " WHERE statement LIKE '%to_tsquery%'"
            )
        ).all()
    assert plans, "psycopg prepares the statements it runs often"
    assert all(generic == 0 and custom >= 5 for generic, custom in plans), plans
