"""Import from CRM/spreadsheet CSV and our JSON, export, backup: happy paths and bad input."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.importing import (
    ImportFileError,
    map_columns,
    parse_mapping,
    source_from_text,
    stage_from_text,
)
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.exchange import export_document, import_file
from pipeline_tui.store.models import CardRow
from tests.conftest import NOW, TODAY
from tests.test_cli import assert_one_line_error, run

pytestmark = pytest.mark.both_backends


HUBSPOT = (
    "\ufeffFirst Name;Last Name;Company Name;Email;Phone Number;Job Title;"
    "Lifecycle Stage;Contact owner;Original Source;Notes\n"
    "Ada;Lovelace;Analytical Engines;ada@example.com;+44 1;CTO;customer;kim;Referral;"
    '"Wants a pilot.\n'
    'Budget in Q1."\n'
    "Ben;Hollis;Hollis & Sons;ben@example.com;;;marketingqualifiedlead;;Webinar;\n"
    "Cat;Nguyen;;cat@example.com;;;Evangelist;;Organic Search;\n"
    "Dan;Okoro;Okoro Ltd;;;;Opportunity;;Billboard;\n"
    "Eve;Stone;Stone Co;eve@example.com;;;Closed Lost;;;\n"
)


def cards_in(db: str) -> dict[str, Any]:
    database = open_database(str(db))
    try:
        return {c["name"]: c for c in export_document(database, NOW)["cards"]}
    finally:
        database.close()


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


@pytest.fixture
def db(db_url: str) -> str:
    """The test's database: an SQLite file, or (second run) a PostgreSQL URL."""
    return db_url


# Rules (plain Python) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "stage"),
    [
        ("", Stage.LEAD),
        ("Subscriber", Stage.LEAD),
        ("MQL", Stage.LEAD),
        ("marketingqualifiedlead", Stage.LEAD),
        ("SQL", Stage.PROSPECT),
        ("Opportunity", Stage.PROSPECT),
        ("prospect", Stage.PROSPECT),
        ("Negotiation/Review", Stage.PROSPECT),
        ("Customer", Stage.CLIENT),
        ("Closed Won", Stage.CLIENT),
        ("client", Stage.CLIENT),
        ("Evangelist", Stage.REPEAT),
        ("Repeat / Referral", Stage.REPEAT),
        ("referral", Stage.REPEAT),
    ],
)
def test_usual_stage_names_map_onto_the_four_stages(text: str, stage: Stage) -> None:
    assert stage_from_text(text) == (stage, None)


def test_closed_stages_become_archived_and_unknown_ones_are_refused() -> None:
    assert stage_from_text("Closed Lost") == (Stage.PROSPECT, ArchiveReason.LOST)
    assert stage_from_text("Unqualified") == (Stage.LEAD, ArchiveReason.NOT_A_FIT)
    assert stage_from_text("Sleeping") is None


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Referral", TouchpointKind.REFERRAL),
        ("Webinar", TouchpointKind.EVENT),
        ("LinkedIn", TouchpointKind.SOCIAL),
        ("Organic Search", TouchpointKind.CONTENT),
        ("Newsletter sign-up", TouchpointKind.SIGNUP),
        ("Free trial", TouchpointKind.SAMPLE),
        ("cold call", TouchpointKind.CALL),
        ("follow-up", TouchpointKind.FOLLOW_UP),
        ("Billboard", None),
        ("", None),
    ],
)
def test_lead_sources_map_onto_touchpoint_kinds(text: str, kind: TouchpointKind | None) -> None:
    assert source_from_text(text) is kind


def test_usual_headers_are_recognised_without_a_mapping() -> None:
    headers = ["Full Name", "Organization", "E-mail Address", "Mobile", "Deal Stage", "Owner"]
    columns = map_columns(headers)
    assert list(columns.fields.values()) == [
        "name",
        "organisation",
        "email",
        "phone",
        "stage",
        "owner",
    ]
    columns = map_columns(["Account Name", "Firstname", "Surname", "Lead Source", "Misc"])
    assert list(columns.fields.values()) == ["organisation", "first_name", "last_name", "source"]
    assert columns.unused == ("Misc",)


def test_mapping_options() -> None:
    assert parse_mapping(["Firma=organization", "Kunde = name"]) == {
        "firma": "organisation",
        "kunde": "name",
    }
    for bad in ("Firma", "=name", "Firma=colour"):
        with pytest.raises(ImportFileError):
            parse_mapping([bad])
    with pytest.raises(ImportFileError, match="No column holds names"):
        map_columns(["Firma", "Mail"])


# Importing a CSV ----------------------------------------------------------------------------


def test_a_crm_export_with_bom_semicolons_and_quoted_newlines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "hubspot.csv", HUBSPOT)
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert "Imported 5 cards (1 archived, 2 notes)." in out
    cards = cards_in(db)
    ada = cards["Ada Lovelace"]
    assert (ada["organisation"], ada["email"], ada["phone"]) == (
        "Analytical Engines",
        "ada@example.com",
        "+44 1",
    )
    assert (ada["stage"], ada["owner"], ada["source"], ada["market"]) == (
        "client",
        "kim",
        "referral",
        "warm",
    )
    assert ada["notes"][0]["kind"] == "general"
    assert ada["notes"][0]["body"] == "Job title: CTO\n\nWants a pilot.\nBudget in Q1."
    assert ada["history"][0]["from"] is None and ada["history"][0]["to"] == "client"
    assert cards["Ben Hollis"]["stage"] == "lead" and cards["Ben Hollis"]["source"] == "event"
    assert cards["Cat Nguyen"]["stage"] == "repeat"
    dan = cards["Dan Okoro"]
    assert dan["stage"] == "prospect" and dan["source"] is None
    assert dan["notes"][0]["body"] == "Source: Billboard"
    eve = cards["Eve Stone"]
    assert eve["archived_at"] and eve["archive_reason"] == "lost"
    # Imported cards go below the ones already there, in the file's order.
    database = open_database(str(db))
    board = PipelineService(database, "sam").board()
    database.close()
    assert [c.position for c in board[Stage.CLIENT]] == [0]


def test_imported_cards_go_below_existing_ones_in_file_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "Existing")
    source = write(tmp_path / "a.csv", "name,stage\nOne,lead\nTwo,lead\nThree,Lead\n")
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    database = open_database(str(db))
    try:
        column = PipelineService(database, "sam").board()[Stage.LEAD]
    finally:
        database.close()
    assert [c.name for c in column] == ["Existing", "One", "Two", "Three"]
    assert [c.position for c in column] == [0, 1, 2, 3]


def test_imported_cards_go_below_the_last_card_of_a_column_with_gaps(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    for name in ("Third", "Second", "First"):
        run(capsys, "--db", str(db), "add", name)
    database = open_database(str(db))
    try:
        with database.write() as session:  # positions order a column; they need not count it
            for name, position in (("First", -5), ("Second", 2), ("Third", 7)):
                session.execute(
                    update(CardRow).where(CardRow.name == name).values(position=position)
                )
    finally:
        database.close()
    source = write(tmp_path / "a.csv", "name,stage\nOne,lead\nTwo,lead\n")
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    database = open_database(str(db))
    try:
        column = PipelineService(database, "sam").board()[Stage.LEAD]
    finally:
        database.close()
    assert [c.name for c in column] == ["First", "Second", "Third", "One", "Two"]
    assert len({c.position for c in column}) == len(column)


def test_map_reads_other_columns(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "de.csv", "Kunde,Firma,Phase,Mail\nAnn,Acme,Kunde,a@b.de\n")
    code, _, err = run(
        capsys,
        "--db",
        str(db),
        "import",
        str(source),
        "--map",
        "Kunde=name",
        "--map",
        "Firma=organisation",
        "--map",
        "Phase=ignore",
        "--map",
        "Mail=email",
    )
    assert (code, err) == (0, ""), err
    ann = cards_in(db)["Ann"]
    assert (ann["organisation"], ann["stage"], ann["email"]) == ("Acme", "lead", "a@b.de")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--map", "nonsense"], ["COLUMN=field"]),
        (["--map", "name=colour"], ["unknown field", "colour"]),
        (["--map", "Nowhere=name"], ["not in the file", "nowhere"]),
    ],
)
def test_bad_map_options_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, args: list[str], words: list[str]
) -> None:
    source = write(tmp_path / "a.csv", "name\nAnn\n")
    code, out, err = run(capsys, "--db", str(db), "import", str(source), *args)
    line = assert_one_line_error(code, err)
    for word in words:
        assert word in line
    assert "Nothing was imported" in line
    assert out == ""
    assert cards_in(db) == {}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", ["empty"]),
        ("Firma,Mail\nAcme,a@b.c\n", ["No column holds names", "--map COLUMN=name"]),
        ('name\nAnn\n"unclosed\n', ["Line 3", "CSV"]),
    ],
)
def test_files_that_cannot_be_imported_at_all(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, content: str, words: list[str]
) -> None:
    source = write(tmp_path / "a.csv", content)
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    line = assert_one_line_error(code, err)
    for word in words:
        assert word in line
    assert out == ""
    assert cards_in(db) == {}


def test_a_file_that_is_missing_a_folder_or_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    code, _, err = run(capsys, "--db", str(db), "import", str(tmp_path / "nope.csv"))
    assert "nope.csv" in assert_one_line_error(code, err)
    code, _, err = run(capsys, "--db", str(db), "import", str(tmp_path))
    assert "folder" in assert_one_line_error(code, err)
    latin = write(tmp_path / "latin.csv", "name\nJosé\n", encoding="latin-1")
    code, _, err = run(capsys, "--db", str(db), "import", str(latin))
    assert "not UTF-8" in assert_one_line_error(code, err)
    assert cards_in(db) == {}


BAD_ROWS = (
    "name,email,stage,due\n"
    "Ann,ann@x.io,lead,\n"
    ",nobody@x.io,lead,\n"  # line 3: no name
    "Ben,not-an-email,lead,\n"  # line 4
    "Cat,,Sleeping,\n"  # line 5
    "Dan,,lead,someday\n"  # line 6
    '"Eve\nAdams",,lead,,extra\n'  # line 7 (two lines): an extra cell
    "Fay,,client,2026-12-01\n"  # line 9
)


def test_bad_rows_import_nothing_and_each_is_reported_with_its_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "bad.csv", BAD_ROWS)
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert lines[:-1] == [
        "pipeline-tui: bad: line 3: a card needs a name",
        "pipeline-tui: bad: line 4: 'not-an-email' does not look like an email address",
        "pipeline-tui: bad: line 5: unknown stage 'Sleeping' (use lead, prospect, client or "
        "repeat, or map the column with --map COLUMN=ignore)",
        "pipeline-tui: bad: line 6: the due date 'someday' is not a date",
        "pipeline-tui: bad: line 7: it has 5 cells but the header has 4 columns",
    ]
    assert lines[-1].startswith("pipeline-tui: error: 5 lines of bad.csv cannot be imported")
    assert "--skip-bad" in lines[-1]
    assert cards_in(db) == {}


def test_skip_bad_imports_the_good_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "bad.csv", BAD_ROWS)
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0
    assert len(err.splitlines()) == 5
    assert all(line.startswith("pipeline-tui: warning: line ") for line in err.splitlines())
    assert "Imported 2 cards; skipped 5 bad lines." in out
    cards = cards_in(db)
    assert set(cards) == {"Ann", "Fay"}
    assert cards["Fay"]["next_action_due"] == "2026-12-01"


def test_duplicates_in_the_database_and_in_the_file_are_skipped_and_reported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "Ann Lee", "--org", "Acme", "--email", "ann@acme.io")
    source = write(
        tmp_path / "a.csv",
        "name,organisation,email\n"
        "Annie Lee,Acme,ANN@acme.io\n"  # same email as card 1
        "ann lee,ACME,\n"  # same name and organisation as card 1
        "Bob,Bobco,bob@bob.co\n"
        "Robert,Bobco,bob@bob.co\n"  # same email as line 4
        "Bob,Bobco,\n"  # same name and organisation as line 4
        "Bob,Bobco,other@bob.co\n",  # another Bob at Bobco: a different person
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Skipped line 2: same email as card 1 (Ann Lee).",
        "Skipped line 3: same name and organisation as card 1 (Ann Lee).",
        "Skipped line 5: same email as line 4.",
        "Skipped line 6: same name and organisation as line 4.",
        "Imported 2 cards; skipped 4 duplicates.",
    ]
    assert sorted(cards_in(db)) == ["Ann Lee", "Bob"]
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert out.endswith("Imported 0 cards; skipped 6 duplicates.\n")


def test_dry_run_reports_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "hubspot.csv", HUBSPOT)
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--dry-run")
    assert (code, err) == (0, "")
    assert out == ("Would import 5 cards (1 archived, 2 notes); nothing was written (dry run).\n")
    assert cards_in(db) == {}


def test_imported_text_is_sanitised(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(
        tmp_path / "evil.csv",
        'name,organisation,notes\n"Esc\x1b[31mape\u202e","[bold]Org\x07","a\x1b]52;c;eA==\x07b\nline"\n',
    )
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    card = cards_in(db)["Escape"]
    assert card["organisation"] == "[bold]Org"
    assert card["notes"][0]["body"] == "ab\nline"


def test_progress_bar_on_a_terminal(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    rows = "".join(f"Person {i},p{i}@x.io\n" for i in range(6000))
    source = write(tmp_path / "many.csv", "name,email\n" + rows)
    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert run(capsys, "--db", str(db), "import", str(source))[0] == 0
    monkeypatch.undo()
    shown = terminal.getvalue()
    assert "\rreading [" in shown and "6,000/6,000" in shown and "\rsaving  [" in shown
    assert shown.endswith("\n")
    # Not a terminal: a plain count, one line a step.
    _, _, err = run(capsys, "--db", str(tmp_path / "b.db"), "import", str(source))
    assert err.splitlines() == ["pipeline-tui: reading 6000/6000", "pipeline-tui: saving 6000/6000"]


def test_twenty_thousand_rows_import_in_one_go(tmp_path: Path, db: str) -> None:
    """100,000 rows take about 10-15 s on a busy two-core machine (see README); the suite
    checks 20,000 to stay quick."""
    count = 20_000
    stages = ["Subscriber", "SQL", "customer", "evangelist", "closed lost"]
    with (tmp_path / "big.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Full Name", "Company", "Email", "Deal Stage", "Notes"])
        for i in range(count):
            note = f"Met at the fair\nrow {i}" if i % 4 == 0 else ""
            writer.writerow([f"Person {i}", f"Org {i % 997}", f"p{i}@ex.com", stages[i % 5], note])
    database = open_database(str(db))
    try:
        started = time.perf_counter()
        report = import_file(database, tmp_path / "big.csv", user="sam", today=TODAY, now=NOW)
        elapsed = time.perf_counter() - started
        assert report.written and report.added == count and report.notes == count // 4
        assert report.archived == count // 5
        board = PipelineService(database, "sam").board()
        for stage in STAGES:
            assert [c.position for c in board[stage]] == list(range(len(board[stage])))
        assert sum(len(cards) for cards in board.values()) == count - count // 5
        assert elapsed < 60, elapsed
    finally:
        database.close()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline_tui.store import exchange

    source = write(tmp_path / "a.csv", "name,notes\nAnn,hello\nBen,\n")
    database = open_database(str(db))
    try:

        def fail(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(exchange, "_table", fail)
        with pytest.raises(RuntimeError):
            import_file(database, source, user="sam", today=TODAY, now=NOW)
        assert PipelineService(database, "sam").cards() == []
    finally:
        database.close()


# Export and the round trip -----------------------------------------------------------------


def _rich_pipeline(db: str) -> None:
    database = open_database(str(db))
    try:
        seed_demo(database, TODAY, user="sam")
        service = PipelineService(database, "sam", clock=lambda: NOW)
        cards = service.cards()
        service.archive_card(cards[0].id, ArchiveReason.OTHER, "moved abroad")
        service.move_card(cards[1].id, Stage.REPEAT)
        service.add_note(cards[2].id, NoteKind.URGENCY, "Needs it *before* the audit\n- soon")
        with database.write() as session:
            session.execute(
                update(CardRow).where(CardRow.id == cards[3].id).values(referred_by_id=cards[4].id)
            )
    finally:
        database.close()


def _comparable(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The export without ids (which a new database may number differently), and with
    each active card's place in its column for its position (positions only order a
    column; an import numbers them afresh)."""
    by_id = {card["id"]: index for index, card in enumerate(document["cards"])}
    active = [card for card in document["cards"] if card["archived_at"] is None]
    places: dict[int, int] = {}
    for stage in STAGES:
        column = sorted(
            (card for card in active if card["stage"] == stage.value),
            key=lambda card: (card["position"], card["id"]),
        )
        places.update((card["id"], place) for place, card in enumerate(column))
    cards = []
    for card in document["cards"]:
        card = dict(card)
        if card["id"] in places:
            card["position"] = places[card["id"]]
        del card["id"]
        card["referred_by"] = by_id.get(card["referred_by"])
        cards.append(card)
    return cards


def test_export_then_import_into_an_empty_database_gives_the_same_pipeline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    _rich_pipeline(db)
    exported = tmp_path / "export.json"
    code, out, err = run(capsys, "--db", str(db), "export", "-o", str(exported))
    assert (code, out) == (0, "")
    assert "Exported" in err and str(exported) in err
    assert stat.S_IMODE(exported.stat().st_mode) == 0o600
    first = json.loads(exported.read_text(encoding="utf-8"))
    assert any(card["archived_at"] for card in first["cards"])
    assert any(card["referred_by"] for card in first["cards"])
    assert all(card["history"] and card["touchpoints"] for card in first["cards"])

    copy = tmp_path / "copy.db"
    code, out, err = run(capsys, "--db", str(copy), "import", str(exported))
    assert (code, err) == (0, "")
    assert f"Imported {len(first['cards'])} cards" in out
    code, out, _ = run(capsys, "--db", str(copy), "export")
    second = json.loads(out)
    assert _comparable(second) == _comparable(first)

    # Importing the same export again adds nothing: every card is a duplicate.
    code, out, _ = run(capsys, "--db", str(copy), "import", str(exported))
    assert out.endswith(f"skipped {len(first['cards'])} duplicates.\n")


def test_export_as_csv_has_every_card_with_its_notes_and_history(
    capsys: pytest.CaptureFixture[str], db: str
) -> None:
    _rich_pipeline(db)
    code, out, _ = run(capsys, "--db", str(db), "export", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    database = open_database(str(db))
    try:
        document = export_document(database, NOW)
    finally:
        database.close()
    assert len(rows) == len(document["cards"])
    archived = [row for row in rows if row["archived_at"]]
    assert archived and archived[0]["archive_reason"] == "other"
    # The urgency note written today (the demo has older ones of its own).
    urgent = next(row for row in rows if f"[urgency, {TODAY.isoformat()}]" in row["notes"])
    assert "Needs it *before* the audit\n- soon" in urgent["notes"]
    assert all(" -> " in row["stage_history"] for row in rows)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", ["JSON is not valid", "line 1"]),
        ('{"cards": []}', ["not a pipeline-tui export"]),
        ('{"format": "pipeline-tui", "version": 99, "cards": []}', ["version 99"]),
        ('{"format": "pipeline-tui", "version": 1}', ['no list of "cards"']),
    ],
)
def test_json_that_is_not_our_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, content: str, words: list[str]
) -> None:
    source = write(tmp_path / "in.json", content)
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    line = assert_one_line_error(code, err)
    for word in words:
        assert word in line
    assert cards_in(db) == {}


def test_bad_cards_in_a_json_export_are_reported_by_number(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    document = {
        "format": "pipeline-tui",
        "version": 1,
        "cards": [
            {"name": "Ann", "stage": "lead"},
            {"name": "Ben", "stage": "nowhere"},
            {"name": "", "stage": "lead"},
            {"name": "Cat", "stage": "lead", "touchpoints": [{"kind": "call"}]},
            "not a card",
        ],
    }
    source = write(tmp_path / "in.json", json.dumps(document))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    lines = err.splitlines()
    assert code == 1 and out == ""
    assert lines[0].startswith("pipeline-tui: bad: card 2: 'stage' must be one of lead")
    assert lines[1] == "pipeline-tui: bad: card 3: a card needs a name"
    assert lines[2] == "pipeline-tui: bad: card 4: a touchpoint needs a kind and a date"
    assert lines[3] == "pipeline-tui: bad: card 5: it is not an object"
    assert lines[4].startswith("pipeline-tui: error: 4 cards of in.json cannot be imported")
    assert cards_in(db) == {}
    code, out, _ = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and list(cards_in(db)) == ["Ann"]


def test_export_to_a_folder_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    code, _, err = run(capsys, "--db", str(db), "export", "-o", str(tmp_path))
    assert "folder" in assert_one_line_error(code, err)
    code, _, err = run(capsys, "--db", str(db), "export", "-o", str(tmp_path / "no" / "x.json"))
    assert "Cannot write" in assert_one_line_error(code, err)


# Backup ----------------------------------------------------------------------------------------


def _names_in_copy(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        return [name for (name,) in connection.execute("SELECT name FROM card ORDER BY id")]


@pytest.mark.sqlite_only("an SQLite file and its backup copies")
def test_backup_beside_the_database_while_another_writer_is_mid_transaction(
    capsys: pytest.CaptureFixture[str], db_path: Path
) -> None:
    run(capsys, "--db", str(db_path), "add", "Ann")
    writer = sqlite3.connect(db_path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute(
            "INSERT INTO card (name, organisation, email, phone, tags, stage, position, owner,"
            " next_action, created_at, updated_at, archive_note, version)"
            " VALUES ('Uncommitted', '', '', '', '', 'lead', 5, 'x', '', '2026-01-01',"
            " '2026-01-01', '', 1)"
        )
        code, out, err = run(capsys, "--db", str(db_path), "backup")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert (code, err) == (0, "")
    copies = list(db_path.parent.glob("pipeline.db.*.bak"))
    assert len(copies) == 1 and str(copies[0]) in out
    assert _names_in_copy(copies[0]) == ["Ann"]
    assert stat.S_IMODE(copies[0].stat().st_mode) == 0o600


@pytest.mark.sqlite_only("an SQLite file and its backup copies")
def test_backup_to_a_folder_or_file_and_never_over_an_existing_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db_path: Path
) -> None:
    run(capsys, "--db", str(db_path), "add", "Ann")
    folder = tmp_path / "backups"
    folder.mkdir()
    assert run(capsys, "--db", str(db_path), "backup", str(folder))[0] == 0
    assert len(list(folder.iterdir())) == 1
    target = tmp_path / "named.db"
    assert run(capsys, "--db", str(db_path), "backup", str(target))[0] == 0
    assert _names_in_copy(target) == ["Ann"]
    before = target.read_bytes()
    code, _, err = run(capsys, "--db", str(db_path), "backup", str(target))
    assert "already exists" in assert_one_line_error(code, err)
    assert target.read_bytes() == before
    code, _, err = run(capsys, "--db", str(db_path), "backup", str(tmp_path / "no" / "x.db"))
    assert "does not exist" in assert_one_line_error(code, err)


def test_backup_of_what_cannot_be_backed_up(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "--db", "postgresql://sam:secret@db/pipeline", "backup")
    line = assert_one_line_error(code, err)
    assert "SQLite" in line and "pg_dump" in line and "secret" not in line
    missing = tmp_path / "missing.db"
    code, _, err = run(capsys, "--db", str(missing), "backup")
    assert "no database" in assert_one_line_error(code, err)
    assert not missing.exists()
    text = write(tmp_path / "notes.db", "just text")
    code, _, err = run(capsys, "--db", str(text), "backup")
    assert "not an SQLite file" in assert_one_line_error(code, err)
    assert list(tmp_path.glob("*.bak")) == []


@pytest.mark.sqlite_only("an SQLite file and its backup copies")
def test_start_up_migration_backs_up_an_existing_database_first(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline_tui.store import migrate

    first = open_database(str(db_path))
    PipelineService(first, "sam").add_card(CardDraft("Ann"))
    first.close()
    current = migrate.HEAD_REVISION
    # A newer release with a newer schema head: opening must copy the data first.
    monkeypatch.setattr(migrate, "HEAD_REVISION", "9999")
    taken: list[Path] = []
    real_backup = migrate.migrate

    def watching(engine: Any, backup: Any = None) -> Path | None:
        result = real_backup(engine, backup)
        if result is not None:
            taken.append(result)
        return result

    monkeypatch.setattr("pipeline_tui.store.database.migrate", watching)
    again = open_database(str(db_path))
    again.close()
    assert len(taken) == 1 and again.backup_path == taken[0]
    assert taken[0].name.startswith("pipeline.db.") and taken[0].name.endswith(
        f".before-{current}.bak"
    )
    assert _names_in_copy(taken[0]) == ["Ann"]
