"""Import from CRM/spreadsheet CSV and our JSON, export, backup: happy paths and bad input."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import stat
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

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
from pipeline_tui.shell.capture import read_captured
from pipeline_tui.store import AlreadyLogged, PipelineService, open_database
from pipeline_tui.store.demo import seed_demo
from pipeline_tui.store.exchange import export_document, import_file
from pipeline_tui.store.importing.write import CHUNK
from pipeline_tui.store.models import Base, CallSessionRow, CardRow
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
    assert {name: [c.header for c in cs] for name, cs in columns.candidates.items()} == {
        "name": ["Full Name"],
        "organisation": ["Organization"],
        "email": ["E-mail Address"],
        "phone": ["Mobile"],
        "stage": ["Deal Stage"],
        "owner": ["Owner"],
    }
    columns = map_columns(["Account Name", "Firstname", "Surname", "Lead Source", "Misc"])
    assert list(columns.candidates) == ["organisation", "first_name", "last_name", "source"]
    assert [c.header for c in columns.kept] == ["Misc"]


def test_mapping_options() -> None:
    assert parse_mapping(["Firma=organization", "Kunde = name"]) == {
        "firma": "organisation",
        "kunde": "name",
    }
    for bad in ("Firma", "=name", "Firma=colour"):
        with pytest.raises(ImportFileError):
            parse_mapping([bad])
    with pytest.raises(ImportFileError, match="No column holds names"):
        map_columns(["Kunde", "Mail"])


# Importing a CSV ----------------------------------------------------------------------------


def test_a_crm_export_with_bom_semicolons_and_quoted_newlines(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "hubspot.csv", HUBSPOT)
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert "Imported 5 cards (1 archived, 3 notes)." in out
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
    assert [note["kind"] for note in ada["notes"]] == ["general", "general"]
    assert ada["notes"][0]["body"] == "Wants a pilot.\nBudget in Q1."
    assert ada["notes"][1]["body"] == "Imported fields\n- Job title: CTO"
    assert ada["history"][0]["from"] is None and ada["history"][0]["to"] == "client"
    assert cards["Ben Hollis"]["stage"] == "lead" and cards["Ben Hollis"]["source"] == "event"
    assert cards["Cat Nguyen"]["stage"] == "repeat"
    dan = cards["Dan Okoro"]
    assert dan["stage"] == "prospect" and dan["source"] is None
    assert dan["notes"][0]["body"] == "Imported fields\n- Source: Billboard"
    eve = cards["Eve Stone"]
    assert eve["archived_at"] and eve["archive_reason"] == "lost"
    assert eve["archive_note"] == "Imported as Closed Lost"
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


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_only_a_lead_comes_in_parked(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, kind: str
) -> None:
    """An export edited to park a prospect came in parked: off every column, the
    stand-up and the call queue, with nothing in the app to bring it back (`park`
    refuses a prospect). A lead parked comes in parked."""
    run(capsys, "--db", str(db), "add", "Pete Park")
    run(capsys, "--db", str(db), "add", "Lea Lead")
    run(capsys, "--db", str(db), "move", "pete", "prospect", "--override", "Met")
    run(capsys, "--db", str(db), "park", "lea", "2027-03-15")
    exported = tmp_path / f"export.{kind}"
    run(capsys, "--db", str(db), "export", "--format", kind, "-o", str(exported))
    text = exported.read_text(encoding="utf-8-sig")
    if kind == "json":
        document = json.loads(text)
        for card in document["cards"]:
            card["nurture_until"] = "2027-03-15"
        exported.write_text(json.dumps(document), encoding="utf-8")
    else:
        rows = list(csv.DictReader(io.StringIO(text, newline="")))
        for row in rows:
            row["nurture_until"] = "2027-03-15"
        with exported.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    target = tmp_path / "copy.db"
    code, _, err = run(capsys, "--db", str(target), "import", str(exported))
    assert (code, err) == (0, "")
    cards = cards_in(str(target))
    assert cards["Pete Park"]["nurture_until"] is None
    assert cards["Lea Lead"]["nurture_until"] == "2027-03-15"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", ["empty"]),
        ("Kunde,Mail\nAnn,a@b.c\n", ["No column holds names", "--map COLUMN=name"]),
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


def test_a_file_that_is_missing_or_a_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    code, _, err = run(capsys, "--db", str(db), "import", str(tmp_path / "nope.csv"))
    assert "nope.csv" in assert_one_line_error(code, err)
    code, _, err = run(capsys, "--db", str(db), "import", str(tmp_path))
    assert "folder" in assert_one_line_error(code, err)
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
    "Gus,bob@@bad,lead,\n"  # line 10: two @s
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
        "pipeline-tui: bad: line 5: the stage column says 'Sleeping', which is not a stage; "
        'say what it means with --stage-map "Sleeping=lead" (or prospect, client, repeat, '
        'lost, not-a-fit), or "Sleeping" = "lead" under [import.stages] in the config',
        "pipeline-tui: bad: line 6: the due date 'someday' is not a date",
        "pipeline-tui: bad: line 7: it has 5 cells but the header has 4 columns",
        "pipeline-tui: bad: line 10: 'bob@@bad' does not look like an email address",
    ]
    assert lines[-1].startswith("pipeline-tui: error: 6 lines of bad.csv cannot be imported")
    assert "--skip-bad" in lines[-1] and lines[-1].endswith("the rest.")
    assert cards_in(db) == {}


def test_skip_bad_imports_the_good_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "bad.csv", BAD_ROWS)
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0
    assert len(err.splitlines()) == 6
    assert all(line.startswith("pipeline-tui: warning: line ") for line in err.splitlines())
    assert "Imported 2 cards; skipped 6 bad lines." in out
    cards = cards_in(db)
    assert set(cards) == {"Ann", "Fay"}
    assert cards["Fay"]["next_action_due"] == "2026-12-01"


def test_a_contact_already_there_is_merged_not_skipped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "Ann Lee", "--org", "Acme", "--email", "ann@acme.io")
    source = write(
        tmp_path / "a.csv",
        "name,organisation,email,phone,notes\n"
        "Annie Lee,Acme,ANN@acme.io,+44 1,Met at the fair\n"  # same email as card 1
        "ann lee,ACME,,,\n"  # same name and organisation as card 1: nothing new
        "Bob,Bobco,bob@bob.co,,\n"
        "Robert,Bobco,bob@bob.co,+1 2,Wants a quote\n"  # same email as line 4
        "Bob,Bobco,,,\n"  # same name and organisation as line 4
        "Bob,Bobco,other@bob.co,,\n",  # another Bob at Bobco: a different person
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Line 2 added phone, 2 notes to card 1 (Ann Lee).",
        "Line 5 added phone, 2 notes to line 4.",
        "Line 3 is already on card 1 (Ann Lee).",
        "Line 6 repeats line 4.",
        "Imported 2 cards (2 notes); merged 2 lines into matching cards; 2 lines already there.",
    ]
    cards = cards_in(db)
    assert sorted(cards) == ["Ann Lee", "Bob"]
    ann = cards["Ann Lee"]
    assert (ann["email"], ann["phone"]) == ("ann@acme.io", "+44 1")
    assert [n["body"] for n in ann["notes"]] == [
        "Met at the fair",
        "Imported fields\n- Name: Annie Lee",
    ]
    # Importing the same file again adds nothing: every line is already there.
    code, out, _ = run(capsys, "--db", str(db), "import", str(source))
    assert out.endswith("Imported 0 cards; 6 lines already there.\n")
    assert cards_in(db)["Ann Lee"]["notes"] == ann["notes"]


def test_a_second_person_at_a_shared_email_is_one_note_with_their_job_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """Two people at info@: the second is merged into the first (one email, one card),
    and their name and phone were one note, their job title another, read as the first
    person's."""
    source = write(
        tmp_path / "a.csv",
        "Name,Email,Company,Phone,Job Title\n"
        "Anna Alpha,info@acme.example,Acme,111,CEO\n"
        "Bob Beta,info@acme.example,Acme,222,CTO\n",
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert "Line 3 added 1 note to line 2." in out.splitlines()
    notes = [n["body"] for n in cards_in(db)["Anna Alpha"]["notes"]]
    assert sorted(notes) == [
        "Imported fields\n- Job title: CEO",
        "Imported fields\n- Name: Bob Beta\n- Phone: 222\n- Job title: CTO",
    ]


def test_a_row_merged_into_an_archived_card_says_the_card_is_archived(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """The same person as an archived card: the row's note went to it, and the summary
    read as if the contact were on the board."""
    run(capsys, "--db", str(db), "add", "Ann Lee", "--org", "Acme", "--email", "ann@acme.io")
    database = open_database(str(db))
    try:
        PipelineService(database, "sam").archive_card(1, ArchiveReason.LOST)
    finally:
        database.close()
    source = write(tmp_path / "a.csv", "name,email,notes\nAnn Lee,ann@acme.io,Back in touch\n")
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert "Line 2 added 1 note to card 1 (Ann Lee, archived)." in out.splitlines()


def test_a_merge_fills_a_value_and_close_date_the_card_lacks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "Ann Lee", "--org", "Acme", "--email", "ann@acme.io")
    run(capsys, "--db", str(db), "add", "Bob", "--org", "Bobco", "--value", "900")
    source = write(
        tmp_path / "deals.csv",
        "name,organisation,email,amount,close date\n"
        "Ann Lee,Acme,ann@acme.io,12500.50,2026-03-31\n"
        "Bob,Bobco,,4000,\n",  # Bob has a value already: the card's stays
    )
    code, out, err = run(
        capsys, "--db", str(db), "import", str(source),
        "--map", "amount=value", "--map", "close date=expected_close",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert "Line 2 added value, expected close to card 1 (Ann Lee)." in out.splitlines()
    cards = cards_in(db)
    assert (cards["Ann Lee"]["value"], cards["Ann Lee"]["expected_close"]) == (
        "12500.50",
        "2026-03-31",
    )
    assert cards["Bob"]["value"] == "900.00"


def test_a_deal_value_that_is_not_an_amount_is_kept_in_the_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(
        tmp_path / "deals.csv",
        'Name,Company,Amount,Close Date\nAnn Lee,Acme,TBC,next quarter\nBob,Bobco,"€4,000",\n',
    )
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    cards = cards_in(db)
    assert (cards["Ann Lee"]["value"], cards["Ann Lee"]["expected_close"]) == (None, None)
    note = cards["Ann Lee"]["notes"][-1]["body"]
    assert "- Amount: TBC" in note and "- Close Date: next quarter" in note
    assert cards["Bob"]["value"] == "4000.00"


def test_dry_run_reports_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    source = write(tmp_path / "hubspot.csv", HUBSPOT)
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--dry-run")
    assert (code, err) == (0, "")
    assert out.endswith(
        "Would import 5 cards (1 archived, 3 notes); nothing was written (dry run).\n"
    )
    assert "  Lifecycle Stage  Closed Lost" in out and "-> prospect, archived: lost" in out
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


def test_ten_thousand_rows_import_in_one_go(tmp_path: Path, db: str) -> None:
    """Many rows in one transaction, past two of the write's chunks of CHUNK rows and
    one row into a third; how fast is measured by `make bench`, not here."""
    count = 2 * CHUNK + 1
    stages = ["Subscriber", "SQL", "customer", "evangelist", "closed lost"]
    with (tmp_path / "big.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Full Name", "Company", "Email", "Deal Stage", "Notes"])
        for i in range(count):
            note = f"Met at the fair\nrow {i}" if i % 4 == 0 else ""
            writer.writerow([f"Person {i}", f"Org {i % 997}", f"p{i}@ex.com", stages[i % 5], note])
    database = open_database(str(db))
    try:
        report = import_file(database, tmp_path / "big.csv", user="sam", today=TODAY, now=NOW)
        assert report.written and report.added == count and report.notes == (count + 3) // 4
        assert report.archived == count // 5
        board = PipelineService(database, "sam").board()
        for stage in STAGES:
            assert [c.position for c in board[stage]] == list(range(len(board[stage])))
        assert sum(len(cards) for cards in board.values()) == count - count // 5
    finally:
        database.close()


def test_a_failed_write_leaves_nothing_behind(
    tmp_path: Path, db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline_tui.store.importing import write as write_module

    source = write(tmp_path / "a.csv", "name,notes\nAnn,hello\nBen,\n")
    database = open_database(str(db))
    try:

        def fail(*args: Any, **kwargs: Any) -> None:
            raise RuntimeError("disk full")

        monkeypatch.setattr(write_module, "table_of", fail)
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
        service.set_value(cards[6].id, Decimal("12500.50"), TODAY, keep_close=False)
        service.set_value(cards[7].id, Decimal("4000"))
        service.archive_card(cards[7].id, ArchiveReason.WON)
        service.move_card(cards[1].id, Stage.REPEAT)
        # A lead parked "not yet": the day it comes back goes out and comes back in.
        lead = next(c for c in cards[8:] if c.stage is Stage.LEAD)
        service.park(lead.id, TODAY + timedelta(days=40), lead.version, today=TODAY)
        service.move_card(cards[5].id, Stage.PROSPECT, note="qualification overridden at 2/4")
        note = service.add_note(cards[2].id, NoteKind.URGENCY, "Needs it *before* the audit")
        service.update_note(note.id, "Needs it *before* the audit\n- soon", None, note.version)
        with database.write() as session:
            session.execute(
                update(CardRow).where(CardRow.id == cards[3].id).values(referred_by_id=cards[4].id)
            )
        # An email and an invite piped into `log -`: a new lead (the 46th card), and her
        # next meeting.
        for item in CAPTURED:
            service.capture(_captured(item), ME)
        # Two reps' sittings at the call queue: the stand-up's call figures.
        with database.write() as session:
            session.add_all(
                [
                    CallSessionRow(
                        owner="sam",
                        started_at=NOW - timedelta(days=1, hours=2),
                        last_call_at=NOW - timedelta(days=1, hours=1, seconds=0.25),
                        reached=3,
                        voicemail=2,
                        no_answer=4,
                        meeting_set=1,
                    ),
                    CallSessionRow(owner="kim", started_at=NOW, last_call_at=NOW, not_interested=1),
                ]
            )
    finally:
        database.close()


# aerc's Sent copy of the rep's mail to Ann, and Thunderbird's invitation to her as
# sent; test_capture.py says where each layout comes from.
CAPTURED = ("aerc-sent.eml", "thunderbird-sent-invite.ics")
ME = ("sam@ourfirm.example",)


def _captured(item: str) -> Any:
    fixtures = Path(__file__).parent / "fixtures" / "capture"
    return read_captured((fixtures / item).read_bytes(), TODAY)


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


def _tables(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, comparable across databases: surrogate ids dropped,
    card ids replaced by the card's rank (an import adds cards in the export's order)."""
    database = open_database(str(db))
    try:
        with database.read() as session:
            ids = [row[0] for row in session.execute(select(CardRow.id).order_by(CardRow.id))]
            rank = {card_id: index for index, card_id in enumerate(ids)}
            tables: dict[str, list[tuple[Any, ...]]] = {}
            for table in Base.metadata.sorted_tables:
                # Drafts are not exported (unsaved text stays where it was typed), and the
                # board clock counts writes to a database, not data.
                if table.name.startswith("draft") or table.name == "board_clock":
                    continue
                rows = []
                for row in session.execute(select(table)).mappings():
                    values = dict(row)
                    if table.name == "card":
                        values["id"] = rank[values["id"]]
                        values["referred_by_id"] = rank.get(values["referred_by_id"])
                    else:
                        del values["id"]
                        if "card_id" in values:
                            values["card_id"] = rank[values["card_id"]]
                    rows.append(tuple(sorted(values.items())))
                tables[table.name] = sorted(rows, key=repr)
            return tables
    finally:
        database.close()


def test_export_then_import_into_an_empty_database_gives_back_every_row_of_every_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, backend: str, request: Any
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
    assert sum(len(card["qualification"]) for card in first["cards"]) > 0
    assert any(move.get("note") for card in first["cards"] for move in card["history"])

    copy = (
        tmp_path / "copy.db"
        if backend == "sqlite"
        else request.getfixturevalue("pg_empty_database")
    )
    code, out, err = run(capsys, "--db", str(copy), "import", str(exported))
    assert (code, err) == (0, "")
    assert f"Imported {len(first['cards'])} cards" in out
    assert out.endswith(" notes, 2 call sessions).\n"), out
    before, after = _tables(db), _tables(str(copy))
    assert set(before) >= {"card", "stage_event", "research_note", "touchpoint"}
    assert set(before) >= {"qualification_answer", "call_session"}
    assert len(before["call_session"]) == 2
    for name in before:
        assert after[name] == before[name], name

    # Importing the same export again adds nothing: every card is already there.
    code, out, _ = run(capsys, "--db", str(copy), "import", str(exported))
    assert out.endswith(f"{len(first['cards'])} cards already there.\n")
    assert _tables(str(copy)) == after


def test_a_call_session_changed_by_hand_refuses_the_export_in_one_sentence(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    card = {"name": "Ann Okafor", "stage": "lead"}
    sessions = [{"owner": "sam", "started_at": "2026-11-20T09:00:00+00:00", "reached": -2}]
    edited = write(
        tmp_path / "edited.json",
        json.dumps(
            {"format": "pipeline-tui", "version": 2, "cards": [card], "call_sessions": sessions}
        ),
    )
    code, _, err = run(capsys, "--db", str(db), "import", str(edited))
    line = assert_one_line_error(code, err)
    assert "call session 1: 'reached' must be a whole number from 0 to 999,999" in line
    database = open_database(str(db))
    try:
        assert PipelineService(database, "sam").cards() == []
    finally:
        database.close()


def test_emails_and_invites_logged_before_an_export_are_still_refused_after_its_import(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, backend: str, request: Any
) -> None:
    _rich_pipeline(db)
    exported = tmp_path / "export.json"
    assert run(capsys, "--db", str(db), "export", "-o", str(exported))[0] == 0
    document = json.loads(exported.read_text(encoding="utf-8"))
    [ann] = [card for card in document["cards"] if card["name"] == "Ann Okafor"]
    assert [item["origin"] for item in ann["captured_items"]] == [
        "message-id:D5QH3TXJ8W2E.3KQZP0L1R7NU8@ourfirm.example",
        "uid:5f1c2a9e-7d3b-4c8e-9a61-2b7e0c4d8f13",
    ]

    copy = (
        tmp_path / "copy.db"
        if backend == "sqlite"
        else request.getfixturevalue("pg_empty_database")
    )
    assert run(capsys, "--db", str(copy), "import", str(exported))[0] == 0
    database = open_database(str(copy))
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        for item in CAPTURED:
            with pytest.raises(AlreadyLogged, match=r"^Already logged on Ann Okafor \(card \d+\)"):
                service.capture(_captured(item), ME)
        # The invite's cancellation still finds the meeting it set, and clears it.
        cancel = _captured(CAPTURED[1])
        [cleared] = service.capture(replace(cancel, cancelled=True), ME)
        assert cleared.cleared and cleared.summary.startswith("Meeting: Rollout plan")
    finally:
        database.close()


def test_an_export_without_captured_items_imports_and_logs_them_once_more(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    # A file from a release before captured items were exported.
    card = {"name": "Ann Okafor", "email": "ann@brightwater.example", "stage": "lead"}
    older = write(
        tmp_path / "older.json",
        json.dumps({"format": "pipeline-tui", "version": 2, "cards": [card]}),
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(older))
    assert (code, err) == (0, "") and out.startswith("Imported 1 card"), out
    database = open_database(str(db))
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        [logged] = service.capture(_captured(CAPTURED[0]), ME)
        assert (logged.card_name, logged.created) == ("Ann Okafor", False)
        with pytest.raises(AlreadyLogged):
            service.capture(_captured(CAPTURED[0]), ME)
    finally:
        database.close()


def test_an_export_merged_into_the_same_card_brings_what_it_logged(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    exported = tmp_path / "export.json"
    other = tmp_path / "other.db"
    database = open_database(str(other))
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        service.add_card(CardDraft("Ann Okafor", email="ann@brightwater.example"))
        service.capture(_captured(CAPTURED[0]), ME)
    finally:
        database.close()
    assert run(capsys, "--db", str(other), "export", "-o", str(exported))[0] == 0
    database = open_database(str(db))
    try:
        service = PipelineService(database, "sam", clock=lambda: NOW)
        service.add_card(CardDraft("Ann Okafor", email="ann@brightwater.example"))
        code, out, _ = run(capsys, "--db", str(db), "import", str(exported))
        assert code == 0, out
        assert "1 touchpoint, 1 logged email or invite to card 1 (Ann Okafor)" in out, out
        with pytest.raises(AlreadyLogged):
            service.capture(_captured(CAPTURED[0]), ME)
        # Imported again: the card has it already, and nothing is added twice.
        code, out, _ = run(capsys, "--db", str(db), "import", str(exported))
        assert code == 0 and "logged email" not in out, out
    finally:
        database.close()


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
    # The money and the "not yet" day, in columns after the older ones.
    assert list(rows[0])[-4:] == ["value", "expected_close", "won_value", "nurture_until"]
    valued = next(row for row in rows if row["value"] == "12500.50")
    assert valued["expected_close"] == TODAY.isoformat()
    assert any(row["won_value"] == "4000.00" and row["archived_at"] for row in rows)
    assert [row["nurture_until"] for row in rows if row["nurture_until"]] == [
        (TODAY + timedelta(days=40)).isoformat()
    ]


def _contacts(db: str) -> dict[str, tuple[Any, ...]]:
    """Each card as a rep sees it, without times a CSV export does not carry."""
    result = {}
    for name, card in cards_in(db).items():
        result[name] = (
            card["organisation"],
            card["email"],
            card["phone"],
            card["tags"],
            card["stage"],
            card["owner"],
            card["source"],
            card["market"],
            bool(card["archived_at"]),
            card["archive_reason"],
            card["archive_note"],
            card["next_action"],
            card["next_action_due"],
            card["value"],
            card["expected_close"],
            card["won_value"],
            card["nurture_until"],
            sorted((n["kind"], n["body"]) for n in card["notes"]),
            sorted((t["kind"], t["happened_on"], t["summary"]) for t in card["touchpoints"]),
            [(e["from"], e["to"], e["by"]) for e in card["history"]],
        )
    return result


def _number(cell: str) -> bool:
    return cell.removeprefix("-").isdigit()


def test_csv_export_cells_never_run_as_formulas_and_come_back_as_they_were(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """A cell starting with =, +, -, @, a tab or a carriage return is written with a
    leading apostrophe, which the import takes off again: a phone number survives."""
    formula = '=HYPERLINK("http://evil.example","click")'
    run(
        capsys,
        "--db",
        str(db),
        "add",
        formula,
        "--org",
        "@SUM(A1:A9)",
        "--phone",
        "+44 20 7946 0000",
    )
    run(capsys, "--db", str(db), "add", "--phone=-1 555 0100", "--tags", "vip", "--", "-Dash")
    # Typed with an apostrophe of its own, it came back without it (a walk).
    run(capsys, "--db", str(db), "add", "--org", "''=quoted", "--", "'=not a formula")
    target = tmp_path / "cards.csv"
    code, _, _ = run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(target))
    assert code == 0
    rows = {row["id"]: row for row in csv.DictReader(target.open(encoding="utf-8", newline=""))}
    assert (rows["1"]["name"], rows["1"]["organisation"], rows["1"]["phone"]) == (
        "'" + formula,
        "'@SUM(A1:A9)",
        "'+44 20 7946 0000",
    )
    assert (rows["2"]["name"], rows["2"]["phone"]) == ("'-Dash", "'-1 555 0100")
    assert (rows["3"]["name"], rows["3"]["organisation"]) == ("''=not a formula", "'''=quoted")
    # Numbers (a position above the top card is negative) are numbers, not formulas.
    cells = [cell for row in rows.values() for cell in row.values() if not _number(cell)]
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for cell in cells)
    copy = tmp_path / "copy.db"
    code, _, err = run(capsys, "--db", str(copy), "import", str(target))
    assert (code, err) == (0, "")
    assert _contacts(str(copy)) == _contacts(db)


def test_csv_export_for_excel_starts_with_a_byte_order_mark(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "José Müller", "--org", "Clínica")
    target = tmp_path / "cards.csv"
    run(capsys, "--db", str(db), "export", "--format", "csv", "--excel", "-o", str(target))
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,")
    code, _, err = run(capsys, "--db", str(tmp_path / "copy.db"), "import", str(target))
    assert (code, err) == (0, "")
    assert list(cards_in(str(tmp_path / "copy.db"))) == ["José Müller"]
    code, _, err = run(capsys, "--db", str(db), "export", "--excel")
    assert "--excel goes with --format csv" in assert_one_line_error(code, err)


def test_reimporting_our_own_csv_export_or_list_adds_no_junk_notes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    _rich_pipeline(db)
    exported = tmp_path / "export.csv"
    run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(exported))
    copy = tmp_path / "copy.db"
    code, out, err = run(capsys, "--db", str(copy), "import", str(exported))
    assert (code, err) == (0, ""), err
    assert "read as pipeline-tui CSV export" in out
    # Every card back with its notes, touchpoints, history, archive and market.
    assert _contacts(str(copy)) == _contacts(db)
    # Into the database it came from: every card is already there, nothing is added.
    code, out, _ = run(capsys, "--db", str(db), "import", str(exported))
    before = _contacts(db)
    assert out.endswith("Imported 0 cards; 46 lines already there.\n")
    assert _contacts(db) == before
    # `list --format csv` too: its id and position columns are not job titles or notes.
    code, listed, _ = run(capsys, "--db", str(db), "list", "--format", "csv")
    listing = tmp_path / "list.csv"
    listing.write_text(listed, encoding="utf-8")
    fresh = tmp_path / "fresh.db"
    code, out, err = run(capsys, "--db", str(fresh), "import", str(listing))
    assert (code, err) == (0, ""), err
    fresh_cards = cards_in(str(fresh))
    assert fresh_cards and all(card["notes"] == [] for card in fresh_cards.values())
    assert {name: card["email"] for name, card in fresh_cards.items()} == {
        name: card["email"] for name, card in cards_in(db).items() if not card["archived_at"]
    }


def test_a_note_line_that_reads_as_the_exports_heading_comes_back_as_it_was(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """A note holding a line pasted from an export ("[general, 2026-01-01] ...") was
    read back as a note of its own, dated that day, and the note cut short there;
    importing into the same pipeline added both as new notes."""
    body = "Copied from the old CRM:\n[general, 2026-01-01] looks like a heading\nmore"
    run(capsys, "--db", str(db), "add", "Ann Lee")
    run(capsys, "--db", str(db), "note", "ann", "-k", "insight", body)
    exported = tmp_path / "export.csv"
    run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(exported))
    copy = tmp_path / "copy.db"
    code, _, err = run(capsys, "--db", str(copy), "import", str(exported))
    assert (code, err) == (0, "")
    assert [(n["kind"], n["body"]) for n in cards_in(str(copy))["Ann Lee"]["notes"]] == [
        ("insight", body)
    ]
    code, out, _ = run(capsys, "--db", str(db), "import", str(exported))
    assert code == 0 and "1 line already there" in out


def test_our_csv_export_edited_in_a_spreadsheet_keeps_every_line_typed_into_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """The export is for spreadsheets: a note typed into the notes cell above the
    exported ones, or a touchpoint or move written another way ("07.12.2026 call"),
    was dropped on the way back in without a word."""
    run(capsys, "--db", str(db), "add", "Pete Park")
    run(capsys, "--db", str(db), "note", "pete", "--kind", "goal", "Wants a demo")
    exported = tmp_path / "export.csv"
    run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(exported))
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    row["notes"] = f"Called him: he wants it in January\n\n{row['notes']}"
    row["touchpoints"] = "07.12.2026 call: rescheduled"
    row["stage_history"] += "\nMoved to prospect by hand"
    edited = tmp_path / "edited.csv"
    with edited.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    copy = tmp_path / "copy.db"
    code, out, err = run(capsys, "--db", str(copy), "import", str(edited))
    assert (code, err) == (0, ""), err
    assert "read as pipeline-tui CSV export" in out
    notes = {(n["kind"], n["body"]) for n in cards_in(str(copy))["Pete Park"]["notes"]}
    assert notes == {
        ("goal", "Wants a demo"),
        ("general", "Called him: he wants it in January"),
        (
            "general",
            "Imported fields\n- Touchpoints: 07.12.2026 call: rescheduled\n"
            "- Stage history: Moved to prospect by hand",
        ),
    }


@pytest.mark.parametrize(
    ("column", "value", "said"),
    [
        ("notes", "[goal, 2026-13-01] x", "'[goal, 2026-13-01]': there is no day 2026-13-01"),
        ("touchpoints", "2026-02-30 call: x", "'2026-02-30 call: x': there is no day 2026-02-30"),
        # As the JSON import refuses it: a backup must always read back in.
        ("touchpoints", "0001-01-01 email: x", "a touchpoint on 0001-01-01 cannot have happened"),
        ("touchpoints", "2099-12-31 call: x", "a touchpoint on 2099-12-31 cannot have happened"),
        ("market", "hot", "'hot' is no market (warm, cold)"),
        (
            "archive_reason",
            "sold",
            "'sold' is no archive reason (won, lost, not-a-fit, duplicate, other)",
        ),
    ],
)
def test_our_csv_export_edited_wrongly_says_what_is_wrong_in_the_rep_s_words(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, column: str, value: str, said: str
) -> None:
    """Python's own words reached the rep: "month must be in 1..12", "'Won' is not a
    valid ArchiveReason"; and "Won", as a spreadsheet capitalises it, was refused."""
    run(capsys, "--db", str(db), "add", "Pete Park")
    exported = tmp_path / "export.csv"
    run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(exported))
    with exported.open(encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    edited = tmp_path / "edited.csv"

    def write_with(**cells: str) -> None:
        with edited.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(row))
            writer.writeheader()
            writer.writerow({**row, **cells})

    write_with(**{column: value})
    code, _, err = run(capsys, "--db", str(tmp_path / "copy.db"), "import", str(edited))
    assert code == 1 and err.splitlines()[0] == f"pipeline-tui: bad: line 2: {said}"
    write_with(archived_at="2026-11-20T10:00:00+00:00", archive_reason="Won", market="Warm")
    code, _, err = run(capsys, "--db", str(tmp_path / "won.db"), "import", str(edited))
    assert (code, err) == (0, "")
    pete = cards_in(str(tmp_path / "won.db"))["Pete Park"]
    assert (pete["archive_reason"], pete["market"]) == ("won", "warm")
    # A park day rewritten by the spreadsheet, as due and close days may be.
    for written in ("15.03.2027", "3/15/2027"):
        write_with(nurture_until=written)
        target = tmp_path / f"parked-{written.replace('/', '-')}.db"
        code, _, err = run(capsys, "--db", str(target), "import", str(edited))
        assert (code, err) == (0, "")
        assert cards_in(str(target))["Pete Park"]["nurture_until"] == "2027-03-15"


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
            {"name": "Dot", "stage": "lead", "value": "lots"},
            {"name": "Eve", "stage": "lead", "captured_items": [{"origin": "uid:1"}]},
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
    assert lines[4] == "pipeline-tui: bad: card 6: 'value' must be an amount like 12500.50"
    assert lines[5] == (
        "pipeline-tui: bad: card 7: a captured item needs an origin and the day it was logged"
    )
    assert lines[6].startswith("pipeline-tui: error: 6 cards of in.json cannot be imported")
    assert cards_in(db) == {}
    code, out, _ = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and list(cards_in(db)) == ["Ann"]


def test_a_json_time_or_number_past_what_is_kept_is_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """A time that is past the year 9999 in UTC (OverflowError: date value out of
    range, a dry run too) was a traceback; so was a position or version too big for an
    INTEGER column (Python int too large to convert to SQLite INTEGER)."""
    document = {
        "format": "pipeline-tui",
        "version": 2,
        "cards": [
            {"name": "Ann", "stage": "lead", "created_at": "9999-12-31T23:59:59-12:00"},
            {"name": "Ben", "stage": "prospect", "position": 10**22, "version": 10**22},
            {"name": "Cat", "stage": "client", "archived_at": "0001-01-01T00:00:00+14:00"},
        ],
    }
    source = write(tmp_path / "in.json", json.dumps(document))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 1 and out == "" and "Traceback" not in err
    lines = err.splitlines()
    assert lines[0] == (
        "pipeline-tui: bad: card 1: 'created_at' must be a time like 2026-12-01T09:30:00+00:00"
    )
    assert lines[1] == (
        "pipeline-tui: bad: card 3: 'archived_at' must be a time like 2026-12-01T09:30:00+00:00"
    )
    assert cards_in(db) == {}
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and "Traceback" not in err
    assert list(cards_in(db)) == ["Ben"]


def test_a_json_note_without_a_body_makes_no_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    document = {
        "format": "pipeline-tui",
        "version": 2,
        "cards": [
            {
                "name": "Ann",
                "stage": "lead",
                "notes": [
                    {"kind": "problem", "body": None},
                    {"kind": "goal", "body": " \n "},
                    {"kind": "gap", "body": "Ships late."},
                ],
            }
        ],
    }
    source = write(tmp_path / "in.json", json.dumps(document))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    assert out.endswith("Imported 1 card (1 note).\n")
    notes = cards_in(db)["Ann"]["notes"]
    assert [(n["kind"], n["body"]) for n in notes] == [("gap", "Ships late.")]


def test_a_json_note_longer_than_a_note_can_be_is_a_bad_card(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    document = {
        "format": "pipeline-tui",
        "version": 2,
        "cards": [
            {"name": "Ann", "stage": "lead", "notes": [{"kind": "gap", "body": "x" * 2_000_001}]},
            {"name": "Ben", "stage": "lead"},
        ],
    }
    source = write(tmp_path / "in.json", json.dumps(document))
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code != 0 and "a note has 2,000,001 characters" in out + err
    code, _, _ = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and list(cards_in(db)) == ["Ben"]


@pytest.mark.parametrize(
    ("card", "said"),
    [
        (
            {"touchpoints": [{"kind": "call", "happened_on": "2099-01-01"}]},
            "a touchpoint on 2099-01-01 cannot have happened",
        ),
        (
            {"touchpoints": [{"kind": "call", "happened_on": "0001-01-01"}]},
            "a touchpoint on 0001-01-01 cannot have happened",
        ),
        ({"id": 7, "referred_by": 7}, "it is referred by itself"),
    ],
)
def test_a_json_card_with_what_cannot_be_is_a_bad_card(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, card: dict[str, Any], said: str
) -> None:
    """The shell refuses a touchpoint to come ("log --on 2099-01-01"); imported, it was
    kept, and a card referred by itself showed "Referred by" itself."""
    document = {
        "format": "pipeline-tui",
        "version": 2,
        "cards": [{"name": "Ann", "stage": "client", **card}, {"name": "Ben", "stage": "lead"}],
    }
    source = write(tmp_path / "in.json", json.dumps(document))
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert code != 0 and said in err
    code, _, _ = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and list(cards_in(db)) == ["Ben"]


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
    # Under a file, as under a folder: it was said not to exist.
    code, _, err = run(capsys, "--db", str(db_path), "backup", str(target / "x.db"))
    assert f"{target} is a file, not a folder" in assert_one_line_error(code, err)
    # A folder that is not there, named as one: not a file of that name.
    code, _, err = run(capsys, "--db", str(db_path), "backup", f"{tmp_path / 'none'}/")
    assert "The folder" in assert_one_line_error(code, err)
    assert not (tmp_path / "none").exists()
    # Two more into the folder within the same second: named apart, nothing refused.
    assert run(capsys, "--db", str(db_path), "backup", str(folder))[0] == 0
    assert run(capsys, "--db", str(db_path), "backup", str(folder))[0] == 0
    assert len(list(folder.iterdir())) == 3


def test_backup_to_dash_is_refused_not_a_file_named_dash(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run(capsys, "--db", str(db_path), "add", "Ann")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--db", str(db_path), "backup", "-")
    assert assert_one_line_error(code, err) == (
        "pipeline-tui: error: A backup is an SQLite file, not written to the output; give "
        "a file or a folder (nothing was written)."
    )
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", "-WAL"])
def test_backup_never_takes_the_name_of_a_file_sqlite_keeps_beside_the_database(
    capsys: pytest.CaptureFixture[str], db_path: Path, suffix: str
) -> None:
    """Named pipeline.db-wal, the copy was removed by SQLite as the backup's own
    connection closed (the command said "Backed up"), or read as the file's log by the
    next program to open it."""
    run(capsys, "--db", str(db_path), "add", "Ann")
    target = Path(f"{db_path}{suffix}")  # -WAL: the same file on macOS
    code, _, err = run(capsys, "--db", str(db_path), "backup", str(target))
    line = assert_one_line_error(code, err)
    assert f"{target} is a file SQLite keeps beside {db_path}" in line
    assert not target.exists()
    run(capsys, "--db", str(db_path), "add", "Ben")
    assert _names_in_copy(db_path) == ["Ann", "Ben"]


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


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("cards.csv", b"id,name,"),
        ("Cards.CSV", b"id,name,"),
        ("cards.vcf", b"BEGIN:VCARD"),
        ("pipeline.json", b'{\n  "format": "pipeline-tui"'),
        ("pipeline.txt", b'{\n  "format": "pipeline-tui"'),
    ],
)
def test_export_writes_the_format_its_file_name_says(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, name: str, starts: bytes
) -> None:
    """`export -o cards.csv` wrote JSON into cards.csv; with no --format, the file's
    extension picks the format (json for any other)."""
    run(capsys, "--db", str(db), "add", "Ann", "--email", "ann@x.example")
    target = tmp_path / name
    code, out, err = run(capsys, "--db", str(db), "export", "-o", str(target))
    assert (code, out, err) == (0, "", f"Exported 1 card to {target}.\n")
    assert target.read_bytes().startswith(starts)


def test_excel_csv_export_needs_no_format_when_the_file_is_a_csv(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    run(capsys, "--db", str(db), "add", "Ann")
    target = tmp_path / "cards.csv"
    code, _, err = run(capsys, "--db", str(db), "export", "--excel", "-o", str(target))
    assert (code, err) == (0, f"Exported 1 card to {target}.\n")
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,name,")


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        (
            "csv",
            "pipeline.json",
            "--format csv does not match pipeline.json, a .json file's name; leave out "
            "--format, or name the file pipeline.csv.",
        ),
        (
            "json",
            "cards.vcf",
            "--format json does not match cards.vcf, a .vcf file's name; leave out "
            "--format, or name the file cards.json.",
        ),
    ],
)
def test_export_refuses_a_format_its_file_name_contradicts(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str, fmt: str, name: str, message: str
) -> None:
    run(capsys, "--db", str(db), "add", "Ann")
    target = tmp_path / name
    code, out, err = run(capsys, "--db", str(db), "export", "--format", fmt, "-o", str(target))
    assert assert_one_line_error(code, err) == f"pipeline-tui: error: {message}"
    assert out == ""
    assert not target.exists()


def test_export_refuses_a_spreadsheet_name_it_would_fill_with_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """`-o cards.xlsx` wrote JSON under that name, which Excel refuses to open."""
    run(capsys, "--db", str(db), "add", "Ann")
    target = tmp_path / "cards.xlsx"
    code, _, err = run(capsys, "--db", str(db), "export", "-o", str(target))
    assert assert_one_line_error(code, err) == (
        "pipeline-tui: error: export does not write .xlsx files; for a spreadsheet, write a "
        "CSV it opens: --excel -o cards.csv."
    )
    assert not target.exists()


def test_a_moves_reason_goes_through_a_csv_and_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: str
) -> None:
    """A walk: a lead moved on with an override's reason, exported to CSV and imported
    into a new database, came back moved with no reason (the CSV's history cell did not
    carry it; the JSON export did)."""
    run(capsys, "--db", str(db), "add", "Ada Lane")
    reason = "Budget -> ok (the CFO said so): signs in March"
    code, _, err = run(capsys, "--db", str(db), "move", "1", "prospect", "--override", reason)
    assert (code, err) == (0, "")
    target = tmp_path / "cards.csv"
    assert run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(target))[0] == 0
    copy = tmp_path / "copy.db"
    code, _, err = run(capsys, "--db", str(copy), "import", str(target))
    assert (code, err) == (0, "")
    database = open_database(str(copy))
    try:
        [card] = PipelineService(database, "sam").cards()
        history = PipelineService(database, "sam").card(card.id).history
    finally:
        database.close()
    assert [(e.to_stage, e.note) for e in history][-1][0] is Stage.PROSPECT
    assert reason in history[-1].note


@pytest.mark.parametrize(
    ("written", "due", "made"),
    [
        (
            ("18/10/2026 09:05", "4/11/2026 14:30"),
            "",
            ((2026, 10, 18, 9, 5), (2026, 11, 4, 14, 30)),
        ),
        # Every day 12 or less: the due date's 18/12 says the file writes the day first.
        (
            ("05/11/2026 09:00", "06/11/2026 09:00"),
            "18/12/2026",
            ((2026, 11, 5, 9), (2026, 11, 6, 9)),
        ),
        (
            ("18/10/2026 00:30 +02:00", "10/18/2026 9:30 PM"),
            "",
            ((2026, 10, 17, 22, 30), (2026, 10, 18, 21, 30)),
        ),
    ],
    ids=["day-first", "said-by-another-column", "zone-and-12-hour"],
)
def test_our_csv_saved_again_by_a_spreadsheet_imports_its_times(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    db: str,
    written: tuple[str, str],
    due: str,
    made: tuple[tuple[int, ...], tuple[int, ...]],
) -> None:
    """A walk: the export opened and saved again in Excel with UK settings writes its
    times as 18/10/2026 12:00; every row was refused ("is not a time like ...") and
    nothing imported, though the same file's due dates so written were read. Read as
    the file's other dates are; a zone written after the time is the time's."""
    run(capsys, "--db", str(db), "add", "Ada Lane", "--next", "Call", "--due", "2026-12-18")
    run(capsys, "--db", str(db), "add", "Ben Ray")
    target = tmp_path / "cards.csv"
    assert run(capsys, "--db", str(db), "export", "--format", "csv", "-o", str(target))[0] == 0
    with target.open(encoding="utf-8", newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: row["name"])
    for row, cell in zip(rows, written, strict=True):
        row["created_at"] = cell
    if due:
        rows[0]["next_action_due"] = due
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    copy = tmp_path / "copy.db"
    code, _, err = run(capsys, "--db", str(copy), "import", str(target))
    assert (code, err) == (0, "")
    database = open_database(str(copy))
    try:
        service = PipelineService(database, "sam")
        found = {c.name: service.card(c.id).created_at for c in service.cards()}
    finally:
        database.close()

    def utc(parts: tuple[int, ...]) -> datetime:
        year, month, day, hour, *rest = parts
        return datetime(year, month, day, hour, rest[0] if rest else 0, tzinfo=UTC)

    assert found == {"Ada Lane": utc(made[0]), "Ben Ray": utc(made[1])}
