"""The migrations and the models describe the same schema, on SQLite and PostgreSQL;
every migration can be undone and redone; Alembic's own command line works."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey, Editor
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, Answer, CriterionAnswer
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.shell.capture import read_captured
from pipeline_tui.store import AlreadyLogged, PipelineService, open_database
from pipeline_tui.store.errors import StoreError
from pipeline_tui.store.migrate import HEAD_REVISION, MIGRATIONS, current_revision, schema_change
from pipeline_tui.store.models import Base
from pipeline_tui.store.schema import include_object
from tests.conftest import NOW

pytestmark = pytest.mark.both_backends

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def empty_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A database with no tables at all."""
    if backend == "sqlite":
        return str(tmp_path / "empty.db")
    return str(request.getfixturevalue("pg_empty_database"))


@pytest.fixture
def engine(empty_url: str) -> Iterator[Engine]:
    database = open_database(empty_url, run_migrations=False)
    yield database.engine
    database.close()


def _alembic(engine: Engine, *steps: tuple[str, str]) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    for step, revision in steps:
        with schema_change(engine) as connection:
            config.attributes["connection"] = connection
            getattr(command, step)(config, revision)


def _differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_object}
        )
        return list(compare_metadata(context, Base.metadata))


def test_the_models_and_the_migrations_agree(engine: Engine) -> None:
    _alembic(engine, ("upgrade", "head"))
    assert _differences(engine) == []


def test_a_model_change_without_a_migration_is_noticed(engine: Engine) -> None:
    _alembic(engine, ("upgrade", "head"))
    with engine.begin() as connection:
        connection.execute(text("CREATE INDEX ix_card_name_extra ON card (name)"))
    assert _differences(engine) != []


def test_every_migration_goes_down_and_up_again(engine: Engine) -> None:
    _alembic(engine, ("upgrade", "head"), ("downgrade", "base"))
    with engine.connect() as connection:
        left = set(inspect(connection).get_table_names()) - {"alembic_version"}
    assert left == set()
    _alembic(engine, ("upgrade", "head"))
    assert current_revision(engine) == HEAD_REVISION
    assert _differences(engine) == []


def test_another_programs_database_is_refused_and_left_untouched(
    engine: Engine, empty_url: str
) -> None:
    # Pointed at another program's database by mistake (--db): before, even `list`
    # added pipeline-tui's tables to it, with no backup.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total INTEGER)"))
    with pytest.raises(StoreError, match=r"holds another program's tables \(invoices\)"):
        open_database(empty_url)
    assert inspect(engine).get_table_names() == ["invoices"]


def test_a_database_with_only_an_extensions_table_is_taken_as_empty(
    engine: Engine, empty_url: str
) -> None:
    # PostGIS (and SpatiaLite) put spatial_ref_sys in every new database.
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE spatial_ref_sys (srid INTEGER PRIMARY KEY)"))
    open_database(empty_url).close()
    assert current_revision(engine) == HEAD_REVISION


def test_notes_written_before_versions_open_at_version_one_and_can_be_saved(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0005"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, created_at, updated_at, archive_note, version)"
                " VALUES (1, 'Ada', '', '', '', '', 'lead', 0, 'sam', '', :now, :now, '', 1)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
        connection.execute(
            text(
                "INSERT INTO research_note (card_id, kind, body, created_at, updated_at)"
                " VALUES (1, 'problem', 'Fuel costs up', :now, :now)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        (note,) = service.card(1).notes
        assert (note.body, note.version) == ("Fuel costs up", 1)
        saved = service.update_note(note.id, "Fuel costs up 18%", expected_version=1)
        assert (saved.body, saved.version) == ("Fuel costs up 18%", 2)
    finally:
        database.close()


def test_cards_written_before_values_open_with_none_and_take_one(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0010"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, created_at, updated_at, archive_note, version)"
                " VALUES (1, 'Ada', 'Acme', '', '', '', 'client', 0, 'sam', '', :now, :now,"
                " '', 1)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        card = service.card(1)
        assert (card.summary.name, card.summary.organisation) == ("Ada", "Acme")
        assert (card.summary.value, card.summary.expected_close, card.won_value) == (
            None,
            None,
            None,
        )
        service.set_value(1, Decimal("4200"))
        assert service.card(1).summary.value == Decimal("4200")
        assert service.search("Acme")  # the full-text triggers on card survived
    finally:
        database.close()


def test_cards_written_before_nurturing_are_on_the_board_and_can_be_parked(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0011"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, value_cents, created_at, updated_at, archive_note,"
                " version) VALUES (1, 'Ada', 'Acme', '', '', '', 'lead', 0, 'sam', '', 4200,"
                " :now, :now, '', 1)"
            ),
            {"now": NOW.replace(tzinfo=None)},
        )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        today = NOW.date()
        summary = service.summary(1)
        assert summary is not None and summary.nurture_until is None
        assert summary.value == Decimal("42.00")
        assert list(service.board_view(today).ids[Stage.LEAD]) == [1]
        service.park(1, today + timedelta(days=30), summary.version, today=today)
        assert list(service.board_view(today).ids[Stage.LEAD]) == []
        assert service.search("Acme")  # the full-text triggers on card survived
    finally:
        database.close()


def test_next_actions_written_before_activities_become_one_open_activity_each(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0012"))
    insert = text(
        "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
        " owner, next_action, next_action_due, created_at, updated_at, archived_at,"
        " archive_note, version) VALUES (:id, :name, 'Acme', '', '', '', 'prospect', :id,"
        " 'sam', :action, :due, :now, :now, :archived, '', 1)"
    )
    now = NOW.replace(tzinfo=None)
    friday = NOW.date() + timedelta(days=4)
    cards = [
        {"id": 1, "name": "Ada", "action": "Send the proposal", "due": friday},
        {"id": 2, "name": "Ben", "action": "Find the CFO's name", "due": None},
        {"id": 3, "name": "Cy", "action": "", "due": NOW.date()},
        {"id": 4, "name": "Di", "action": "", "due": None},
        {"id": 5, "name": "Ed", "action": "Ask for a referral", "due": friday, "archived": now},
    ]
    with engine.begin() as connection:
        for card in cards:
            connection.execute(insert, {"archived": None, "now": now, **card})
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        found = {
            card_id: [(a.kind, a.text, a.due, a.due_time) for a in service.activities(card_id)]
            for card_id in range(1, 6)
        }
        assert found == {
            1: [(ActivityKind.TASK, "Send the proposal", friday, None)],
            2: [(ActivityKind.TASK, "Find the CFO's name", None, None)],
            3: [(ActivityKind.TASK, "", NOW.date(), None)],
            4: [],
            5: [(ActivityKind.TASK, "Ask for a referral", friday, None)],
        }
        ada = service.card(1)
        assert (ada.summary.next_action, ada.summary.next_action_due) == (
            "Send the proposal",
            friday,
        )
        # The migrated step is the one the board's f and x work on.
        service.add_activity(1, ActivityKind.CALL, "Call the CFO", friday - timedelta(days=2))
        assert service.card(1).summary.next_action == "Call the CFO"
        version = service.card(1).version
        service.complete_next_action(1, TouchpointKind.CALL, NOW.date(), "", version)
        assert service.card(1).summary.next_action == "Send the proposal"
    finally:
        database.close()


def test_clients_written_before_cadences_have_none_until_they_move(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0012"))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, next_action_due, created_at, updated_at, archive_note,"
                " version) VALUES (1, 'Ada', 'Acme', '', '', '', 'client', 0, 'sam',"
                " 'Send the invoice', :due, :now, :now, '', 1)"
            ),
            {"now": NOW.replace(tzinfo=None), "due": NOW.date()},
        )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        card = service.card(1)
        assert card.cadence is None
        assert card.summary.rhythm_days is None
        assert card.summary.next_action == "Send the invoice"
        service.set_rhythm(1, 21)
        service.move_card(1, Stage.REPEAT)
        moved = service.card(1)
        assert moved.cadence is not None and moved.cadence.number == 1
        assert moved.summary.next_action == "Send the invoice"  # the rep's, kept
        assert moved.summary.rhythm_days == 21
        assert service.search("Acme")  # the full-text triggers on card survived
    finally:
        database.close()


def test_clients_mid_cadence_keep_their_day_and_a_contact_undone_goes_back_to_it(
    engine: Engine, empty_url: str
) -> None:
    """A client written at 0017 counts its check-in from its anchor; after the upgrade
    that anchor is where a contact taken back returns it to."""
    _alembic(engine, ("upgrade", "0017"))
    anchor = NOW.date() - timedelta(days=2)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, created_at, updated_at, archive_note, version,"
                " cadence_step, cadence_anchor) VALUES (1, 'Ada', 'Acme', '', '', '',"
                " 'client', 0, 'sam', '', :now, :now, '', 1, 0, :anchor)"
            ),
            {"now": NOW.replace(tzinfo=None), "anchor": anchor},
        )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        due = service.card(1).cadence
        assert due is not None and due.due == anchor + timedelta(days=7)
        logged = service.log_touchpoint(1, TouchpointKind.CALL, NOW.date(), "Called")
        moved = service.card(1).cadence
        assert moved is not None and moved.due == NOW.date() + timedelta(days=7)
        service.revert(logged)
        back = service.card(1).cadence
        assert back is not None and back.due == anchor + timedelta(days=7)
    finally:
        database.close()


def test_touchpoints_logged_before_captured_items_stay_and_log_once_more(
    engine: Engine, empty_url: str
) -> None:
    _alembic(engine, ("upgrade", "0014"))
    now = NOW.replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO card (id, name, organisation, email, phone, tags, stage, position,"
                " owner, next_action, created_at, updated_at, archive_note, version, source)"
                " VALUES (1, 'Ann Okafor', 'Brightwater', 'ann@brightwater.example', '', '',"
                " 'lead', 0, 'sam', '', :now, :now, '', 1, 'email')"
            ),
            {"now": now},
        )
        connection.execute(
            text(
                "INSERT INTO touchpoint (card_id, kind, happened_on, summary, created_at)"
                " VALUES (1, 'email', :day, 'The quote', :now)"
            ),
            {"now": now, "day": NOW.date()},
        )
    # The same message piped again after the upgrade: the first log left no trace of
    # its Message-ID, so it is logged (as before); from then on it is known.
    message = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Message-ID: <quote-1@brightwater.example>\n"
        b"Date: Mon, 23 Nov 2026 09:00:00 +0000\n\nYes please.\n"
    )
    captured = read_captured(message, NOW.date())
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        [touchpoint] = service.card(1).touchpoints
        assert (touchpoint.kind, touchpoint.summary) == (TouchpointKind.EMAIL, "The quote")
        [result] = service.capture(captured)
        assert (result.card_id, result.created) == (1, False)
        with pytest.raises(AlreadyLogged, match=r"Already logged on Ann Okafor \(card 1\)"):
            service.capture(captured)
        assert len(service.card(1).touchpoints) == 2
        assert service.search("quote")  # the full-text triggers on touchpoint survived
    finally:
        database.close()


def test_items_logged_twice_at_once_keep_their_first_log(engine: Engine, empty_url: str) -> None:
    # Two instances logging one email at the same moment on PostgreSQL could both add
    # its row before 0016: the earliest is kept, and the item is still refused.
    _alembic(engine, ("upgrade", "0015"))
    now = NOW.replace(tzinfo=None)
    origin = "message-id:quote-1@brightwater.example"
    with engine.begin() as connection:
        for card_id, name in ((1, "Ann Okafor"), (2, "Ben Hollis")):
            connection.execute(
                text(
                    "INSERT INTO card (id, name, organisation, email, phone, tags, stage,"
                    " position, owner, next_action, created_at, updated_at, archive_note,"
                    " version) VALUES (:id, :name, '', '', '', '', 'lead', :id, 'sam', '',"
                    " :now, :now, '', 1)"
                ),
                {"id": card_id, "name": name, "now": now},
            )
        for item_id, card_id, day in ((1, 1, 20), (2, 2, 20), (3, 1, 21), (4, 1, 22)):
            connection.execute(
                text(
                    "INSERT INTO captured_item (id, card_id, origin, sequence, logged_on,"
                    " next_action) VALUES (:id, :card, :origin, 0, :day, '')"
                ),
                {
                    "id": item_id,
                    "card": card_id,
                    "origin": origin,
                    "day": NOW.date().replace(day=day),
                },
            )
        # The touchpoint the first log wrote (one whose touchpoints were all deleted
        # since is logged again).
        connection.execute(
            text(
                "INSERT INTO touchpoint (card_id, kind, happened_on, summary, created_at)"
                " VALUES (1, 'email', :day, 'The quote', :now)"
            ),
            {"now": now, "day": NOW.date().replace(day=20)},
        )
    _alembic(engine, ("upgrade", "head"))
    with engine.connect() as connection:
        left = connection.execute(text("SELECT id, card_id FROM captured_item ORDER BY id"))
        assert left.all() == [(1, 1), (2, 2)]
    message = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Message-ID: <quote-1@brightwater.example>\n"
        b"Date: Fri, 20 Nov 2026 09:00:00 +0000\n\nYes please.\n"
    )
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        with pytest.raises(AlreadyLogged) as refused:
            service.capture(read_captured(message, NOW.date()))
        assert str(refused.value).startswith(
            "Already logged on Ann Okafor (card 1) and Ben Hollis (card 2) on 2026-11-20;"
        )
    finally:
        database.close()


@pytest.mark.sqlite_only(reason="runs Alembic's command line on a file")
def test_alembic_command_line_upgrades_and_checks_a_database(tmp_path: Path) -> None:
    target = tmp_path / "cli.db"
    alembic = [sys.executable, "-m", "alembic", "-x", f"db={target}"]
    for step in (["upgrade", "head"], ["check"], ["current"]):
        result = subprocess.run(
            [*alembic, *step], cwd=PROJECT, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
    assert HEAD_REVISION in result.stdout
    database = open_database(str(target))
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        change = service.add_card(CardDraft("Ada"))
        service.add_note(change.card_id, NoteKind.GOAL, "Open a second shop")
        assert service.card(change.card_id).notes[0].body == "Open a second shop"
    finally:
        database.close()


CHILD_TABLES = (
    "card",
    "stage_event",
    "touchpoint",
    "research_note",
    "activity",
    "qualification_answer",
    "draft",
)


def _rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
            for table in CHILD_TABLES
        }


def test_cards_copied_so_their_ids_are_never_reused_keep_all_that_is_theirs(
    engine: Engine, empty_url: str
) -> None:
    """0020 copies the card table (SQLite): the parent of every other row. Dropped with
    foreign keys enforced, the old table took every note, touchpoint, step, answer and
    draft with it; the referral's link went too."""
    database = open_database(empty_url)
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        ada = service.add_card(CardDraft("Ada", organisation="Acme"), Stage.CLIENT).card_id
        service.add_note(ada, NoteKind.GOAL, "A second shop")
        service.add_touchpoint(ada, TouchpointKind.CALL, NOW.date(), "Called about the shop")
        version = service.card(ada).version
        service.set_next_action(ada, "Send the proposal", NOW.date() + timedelta(days=2), version)
        service.save_qualification(ada, {DEFAULT_CRITERIA[0]: CriterionAnswer(Answer.YES)})
        ben = service.refer(ada, CardDraft("Ben"), NOW.date()).card_id
        service.keep_draft(DraftKey.on_card(Editor.CARD, ben), {"name": "Ben Lee"})
        before = _rows(database.engine)
    finally:
        database.close()
    assert all(before.values()), before
    _alembic(engine, ("downgrade", "0019"))
    assert _rows(engine) == before
    database = open_database(empty_url)  # migrated up again, as the app opens it
    try:
        assert _rows(database.engine) == before
        service = PipelineService(database, "sam", clock=lambda: NOW)
        assert service.card(ben).referred_by is not None
        assert service.search("Acme")  # the card's full-text triggers were made again
        cy = service.add_card(CardDraft("Cyrus"), Stage.LEAD)
        assert service.search("Cyrus")
        if database.engine.dialect.name == "sqlite":  # enforced again after the copy
            with database.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        service.revert(cy)  # taken away: its id is not handed out again
        assert service.add_card(CardDraft("Dee"), Stage.LEAD).card_id != cy.card_id
    finally:
        database.close()


@pytest.mark.sqlite_only  # PostgreSQL alters tables in place: nothing is copied
def test_a_migration_that_would_drop_the_cards_with_foreign_keys_on_refuses(
    engine: Engine,
) -> None:
    """Alembic run on a connection of its own, foreign keys enforced (SQLite): 0020
    refuses rather than delete every row that belongs to a card."""
    _alembic(engine, ("upgrade", "0019"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with pytest.raises(RuntimeError, match="foreign keys off"), engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0020")


@pytest.mark.sqlite_only  # enforcement is SQLite's own setting
def test_rows_pointing_nowhere_from_before_do_not_stop_the_upgrade(
    engine: Engine, empty_url: str
) -> None:
    """A file edited with another program, foreign keys off (a card deleted with the
    sqlite3 shell, its touchpoints left): the upgrade checks that it added no such rows
    itself, and opens the pipeline, rather than refusing a database that was already so."""
    _alembic(engine, ("upgrade", "0019"))
    with engine.connect() as connection:
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        driver.execute(
            "INSERT INTO touchpoint (card_id, kind, happened_on, summary, created_at)"
            " VALUES (999, 'call', '2026-11-20', 'Left behind', '2026-11-20 09:00:00')"
        )
        driver.execute("PRAGMA foreign_keys = ON")
    database = open_database(empty_url)
    try:
        assert current_revision(database.engine) == HEAD_REVISION
        with database.engine.connect() as connection:
            left = connection.execute(text("SELECT summary FROM touchpoint")).scalars().all()
        assert left == ["Left behind"]
    finally:
        database.close()
