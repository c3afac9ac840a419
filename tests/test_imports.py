"""Contacts from other tools, as they export them, imported without any --map.

Every file under tests/fixtures/imports/ is written from the tool's documented export
layout with its quirks; that folder's README.md says where each layout comes from,
and each test below names its file.
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline_tui.domain.importing.dates import is_day_first, parse_date
from pipeline_tui.domain.importing.encoding import decode
from pipeline_tui.domain.importing.vcard import read_vcards
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store.exchange import export_document
from tests.conftest import NOW
from tests.test_cli import assert_one_line_error, run

FIXTURES = Path(__file__).parent / "fixtures" / "imports"


def cards_in(db: Path | str) -> dict[str, dict[str, Any]]:
    database = open_database(str(db))
    try:
        return {c["name"]: c for c in export_document(database, NOW)["cards"]}
    finally:
        database.close()


def imported(
    capsys: pytest.CaptureFixture[str], source: Path, db: Path, *args: str
) -> tuple[str, dict[str, dict[str, Any]]]:
    code, out, err = run(capsys, "--db", str(db), "import", str(source), *args)
    assert (code, err) == (0, ""), err
    return out, cards_in(db)


def fields_note(card: dict[str, Any]) -> list[str]:
    """The lines of the card's Imported fields note (without the heading)."""
    bodies = [n["body"] for n in card["notes"] if n["body"].startswith("Imported fields\n")]
    assert len(bodies) <= 1
    return [line.removeprefix("- ") for line in bodies[0].splitlines()[1:]] if bodies else []


def other_notes(card: dict[str, Any]) -> list[str]:
    return [n["body"] for n in card["notes"] if not n["body"].startswith("Imported fields\n")]


def profile(card: dict[str, Any]) -> tuple[str, str, str, str, str, str]:
    return (
        card["organisation"],
        card["email"],
        card["phone"],
        card["stage"],
        card["owner"],
        card["source"] or "",
    )


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOGNAME", "sam")  # the rep importing: owner of unowned contacts
    return tmp_path / "pipeline.db"


# LinkedIn --------------------------------------------------------------------------------------


def test_linkedin_connections_with_the_notes_preamble(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """linkedin_connections.csv: LinkedIn's current Connections.csv, header on line 4."""
    out, cards = imported(capsys, FIXTURES / "linkedin_connections.csv", db)
    assert "read as LinkedIn connections; skipped 3 lines before the header" in out
    assert "Imported 3 cards" in out
    amara = cards["Amara Okafor"]
    assert profile(amara) == (
        "Brightwater Dental",
        "amara@brightwater.example",
        "",
        "lead",
        "sam",
        "social",
    )
    assert fields_note(amara) == [
        "Job title: Practice Manager",
        "URL: https://www.linkedin.com/in/amara-okafor-0a1b2c",
    ]
    assert amara["touchpoints"] == [
        {
            "kind": "social",
            "happened_on": "2026-03-15",
            "summary": "Connected on LinkedIn",
            "created_at": amara["touchpoints"][0]["created_at"],
        }
    ]
    assert cards["Ben Hollis"]["organisation"] == "Hollis & Sons, Ltd"
    assert fields_note(cards["Chloé Martin"])[0] == "Job title: Head of Growth, EMEA"


def test_linkedin_connections_of_older_exports(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """linkedin_connections_2019.csv: before the URL column and the preamble."""
    _, cards = imported(capsys, FIXTURES / "linkedin_connections_2019.csv", db)
    dev = cards["Dev Patel"]
    assert (dev["organisation"], dev["email"], dev["source"]) == (
        "Patel Logistics",
        "dev.patel@example.com",
        "social",
    )
    assert fields_note(dev) == ["Job title: Operations Director"]
    assert dev["touchpoints"][0]["happened_on"] == "2019-06-14"


# Google Contacts -----------------------------------------------------------------------------


def test_google_contacts_csv_with_multi_values_labels_and_a_company(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """google_contacts.csv: Google's current CSV (BOM, ' ::: ', '* myContacts')."""
    out, cards = imported(capsys, FIXTURES / "google_contacts.csv", db)
    assert "Imported 3 cards" in out
    carla = cards["Carla Nguyen"]
    assert profile(carla) == (
        "Nguyen Architects",
        "carla@nguyen-arch.example",
        "+44 7700 900123",
        "lead",
        "sam",
        "",
    )
    # The first of several values fills the field; the rest are kept, not dropped.
    assert fields_note(carla) == [
        "Job title: Principal",
        "E-mail 1 - Value: c.nguyen@mail.example",
        "Phone 1 - Value: +44 20 7946 0001",
        "Website 1 - Value: https://nguyen-arch.example",
    ]
    assert other_notes(carla) == ["Met at the RIBA breakfast.\nAsked about fee tracking."]
    # System labels ("* myContacts", "* starred") are not tags; the rep's own are.
    assert carla["tags"] == ["clients"]
    # A company-only contact is a card named after the company.
    harbour = cards["Harbour Plumbing Supplies"]
    assert (harbour["organisation"], harbour["email"], harbour["tags"]) == (
        "Harbour Plumbing Supplies",
        "sales@harbourplumbing.example",
        ["suppliers"],
    )
    assert "Columns left out:" in out and "E-mail 1 - Label" in out


def test_google_contacts_legacy_csv(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """google_contacts_legacy.csv: the older Google CSV (Group Membership, Organization 1)."""
    _, cards = imported(capsys, FIXTURES / "google_contacts_legacy.csv", db)
    fatima = cards["Fatima Al-Sayed"]
    assert profile(fatima)[:3] == ("Al-Sayed Trading", "fatima@alsayed.example", "+971 50 123 4567")
    assert fatima["tags"] == ["trade-show-2025"]
    assert fields_note(fatima) == ["Job title: Managing Partner"]
    assert other_notes(fatima) == ["Referred by Carla."]
    george = cards["George Brown"]
    assert george["email"] == "gbrown@example.net"
    assert fields_note(george) == ["E-mail 1 - Value: george@brownco.example"]


# Outlook -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("outlook_contacts_cp1252.csv", "read as Windows-1252: the file is not UTF-8"),
        ("outlook_contacts_utf8.csv", ""),
    ],
)
def test_outlook_csv_in_windows_1252_and_utf8(
    capsys: pytest.CaptureFixture[str], db: Path, name: str, said: str
) -> None:
    """outlook_contacts_*.csv: Outlook's 92-column export; empty Primary Phone, honorific
    Title, Outlook's defaults (0/0/00, Normal, False, Unspecified)."""
    out, cards = imported(capsys, FIXTURES / name, db)
    assert said in out
    jose = cards["José Müller"]
    # The empty Primary Phone does not hide the Mobile Phone.
    assert profile(jose) == (
        "Clínica Müller",
        "jose@clinica-muller.example",
        "+34 600 123 456",
        "lead",
        "sam",
        "",
    )
    # Job Title is the job; "Dr." is a form of address, kept but not a job title.
    assert fields_note(jose) == [
        "Job title: Medical Director",
        "Business Phone: +34 91 123 4567",
        "Title: Dr.",
        "Business City: Madrid",
    ]
    assert other_notes(jose) == ["Prefers calls after 4 pm \u2013 don\u2019t email on Fridays."]
    assert jose["tags"] == ["key-customer", "vip"]
    keiko = cards["Keiko Tanaka"]
    assert keiko["phone"] == "+81 3 1234 5678"
    assert (keiko["source"], keiko["market"]) == ("referral", "warm")
    assert fields_note(keiko) == ["Title: Ms.", "Referred by: José Müller"]


def test_outlook_csv_from_a_german_outlook(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """outlook_de_contacts_cp1252.csv: the same export from Outlook in German, its
    headers in German. "E-Mail-Adresse" was not known: the cards came in without an
    email, so neither found nor matched by it on the next import."""
    out, cards = imported(capsys, FIXTURES / "outlook_de_contacts_cp1252.csv", db)
    assert "read as Windows-1252" in out
    anna = cards["Anna Schmidt"]
    assert profile(anna) == (
        "Schmidt Bäckerei GmbH",
        "anna@schmidt-baeckerei.example",
        "+49 151 2345678",
        "lead",
        "sam",
        "",
    )
    assert fields_note(anna) == [
        "Job title: Geschäftsführerin",
        "Telefon geschäftlich: +49 30 1234567",
        "Anrede: Frau",
        "Ort geschäftlich: Berlin",
    ]
    assert other_notes(anna) == ["Ruft lieber nachmittags an \u2013 nie freitags."]
    assert anna["tags"] == ["stammkunde", "vip"]
    jonas = cards["Jonas Weber"]
    assert jonas["email"] == "jonas@weber-elektro.example"
    assert (jonas["source"], jonas["market"]) == ("referral", "warm")
    assert fields_note(jonas) == ["Referred by: Anna Schmidt", "Anrede: Herr"]


def test_excel_unicode_text_is_utf16_with_tabs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """Excel's "Unicode text" save: UTF-16 with a byte-order mark, tab-separated."""
    rows = list(csv.reader(io.StringIO((FIXTURES / "outlook_contacts_utf8.csv").read_text())))
    text = io.StringIO()
    csv.writer(text, delimiter="\t", lineterminator="\r\n").writerows(rows)
    source = tmp_path / "contacts.txt"
    source.write_bytes(text.getvalue().encode("utf-16"))
    out, cards = imported(capsys, source, db)
    assert "read as UTF-16" in out
    assert cards["José Müller"]["phone"] == "+34 600 123 456"


# HubSpot -------------------------------------------------------------------------------------


def test_hubspot_view_export_lifecycle_stage_beats_lead_status(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """hubspot_contacts_view.csv: a view export with Lead Status before Lifecycle Stage."""
    _, cards = imported(capsys, FIXTURES / "hubspot_contacts_view.csv", db)
    liam = cards["Liam O'Brien"]
    assert profile(liam) == (
        "O'Brien Farms",
        "liam@obrien-farms.example",
        "+353 1 555 0199",
        "client",
        "Sam Rivera",
        "",
    )
    assert "Lead Status: Open Deal" in fields_note(liam)
    assert cards["Maya Cohen"]["stage"] == "lead"
    assert "Lead Status: Bad timing" in fields_note(cards["Nils Berg"])
    olu = cards["Olu Adeyemi"]
    assert (olu["archive_reason"], olu["archive_note"]) == ("not-a-fit", "Imported as Unqualified")


def test_a_salesforce_report_saved_again_by_a_spreadsheet_keeps_its_footer_out(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """salesforce_leads_report.csv opened in Excel and saved as CSV again: Excel writes
    every line as wide as the table ("Grand Totals (4 records)",,,,...) and drops the
    quotes. The footer was three more leads."""
    with (FIXTURES / "salesforce_leads_report.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    width = len(rows[0])
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(
        [*row, *[""] * (width - len(row))] if row else [] for row in rows
    )
    source = tmp_path / "report.csv"
    source.write_text(text.getvalue(), encoding="utf-8")
    out, cards = imported(capsys, source, db)
    assert "skipped 3 footer lines" in out and "Imported 4 cards (1 archived" in out
    assert sorted(cards) == ["Wendy Clarke", "Xavier Dubois", "Yara Haddad", "Zane Miller"]


def test_a_short_list_with_a_totals_line_after_a_blank_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # A two-column list kept by hand, closed by a count and a line saying where it came
    # from: both were leads ("Total: 2 contacts", "Exported by CRM").
    source = tmp_path / "contacts.csv"
    source.write_text(
        "Name,Email\nAnn Lee,ann@lee.example\nZed\n\nTotal: 2 contacts\nExported by CRM\n",
        encoding="utf-8",
    )
    out, cards = imported(capsys, source, db)
    assert "skipped 2 footer lines" in out
    assert sorted(cards) == ["Ann Lee", "Zed"]  # a name alone, above the blank line, is a card


def test_a_workbook_with_a_totals_row_under_its_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # A deal list kept in Excel with a SUM under the Value column: "Total" came in as a
    # lead worth the whole list, doubling the forecast.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Company", "Email", "Value"])
    sheet.append(["Ann Lee", "Lee Bakery", "ann@lee.example", 5000.5])
    sheet.append(["Ben Ode", "Ode Print", "ben@ode.example", 7500.3])
    sheet.append(["Total", None, None, 12500.8])
    source = tmp_path / "deals.xlsx"
    book.save(source)
    out, cards = imported(capsys, source, db)
    assert "skipped 1 footer row" in out
    assert sorted(cards) == ["Ann Lee", "Ben Ode"]


def test_contacts_with_only_a_name_at_the_end_of_a_list_are_cards_not_a_footer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A workbook trims each row's empty cells, so its last contacts with only a name
    were one-cell rows, skipped as the report's footer ("skipped 2 footer rows"); so
    was an organisation named "Total Gym Supplies" on a padded last line."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Email", "Phone", "Company"])
    sheet.append(["Al Smith", "al@acme.example", "+1 555 0100", "Acme"])
    sheet.append(["Bea Jones", "bea@jones.example", None, None])
    sheet.append(["Cy Young"])
    sheet.append(["Dee Dee"])
    source = tmp_path / "trail.xlsx"
    book.save(source)
    out, cards = imported(capsys, source, db)
    assert "footer" not in out
    assert sorted(cards) == ["Al Smith", "Bea Jones", "Cy Young", "Dee Dee"]
    listed = tmp_path / "gyms.csv"
    listed.write_text("Name,Email,Phone\nAnn Lee,ann@lee.example,\nTotal Gym Supplies,,\n")
    out, cards = imported(capsys, listed, db)
    assert "footer" not in out and "Total Gym Supplies" in cards


def test_a_first_contact_no_one_can_have_had_is_kept_in_the_note_and_the_export_reads_back(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A "Met On" of 2099-06-01 (a slip) became a touchpoint that cannot have happened,
    and the pipeline's JSON export, which refuses such a touchpoint, could no longer be
    imported: the backup did not restore. The day is kept in the note instead."""
    source = tmp_path / "met.csv"
    source.write_text("Name,Email,Met On\nMet Mo,mo@x.example,2099-06-01\n", encoding="utf-8")
    _, cards = imported(capsys, source, db)
    assert cards["Met Mo"]["touchpoints"] == []
    assert fields_note(cards["Met Mo"]) == ["Met On: 2099-06-01"]
    exported = tmp_path / "backup.json"
    run(capsys, "--db", str(db), "export", "-o", str(exported))
    _, again = imported(capsys, exported, tmp_path / "restored.db")
    assert fields_note(again["Met Mo"]) == ["Met On: 2099-06-01"]


def test_a_merge_keeps_the_files_other_value_close_and_due_date_in_the_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A Pipedrive deals export lists one person once a deal: the second deal's value
    and close date were dropped, as was a newer file's due date for a card already
    there, where the README promises a different value is kept in a note."""
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Deal - Title,Deal - Value,Deal - Expected close date,Person - Name,"
        "Person - Email,Organization - Name\n"
        "Website redesign,12500,2027-01-31,Ola Nordmann,ola@nordmann.example,Nordmann AS\n"
        "Hosting contract,3000,2027-03-31,Ola Nordmann,ola@nordmann.example,Nordmann AS\n",
        encoding="utf-8",
    )
    _, cards = imported(capsys, deals, db)
    ola = cards["Ola Nordmann"]
    assert (ola["value"], ola["expected_close"]) == ("12500.00", "2027-01-31")
    kept = "\n".join(n["body"] for n in ola["notes"])
    assert "- Value: 3000" in kept and "- Expected close: 2027-03-31" in kept
    newer = tmp_path / "newer.csv"
    newer.write_text(
        "Name,Email,Next Step,Due Date\nOla Nordmann,ola@nordmann.example,Call,2027-01-05\n"
    )
    run(capsys, "--db", str(db), "next", "ola", "Call", "--due", "2026-12-20")
    out, cards = imported(capsys, newer, db)
    assert "added 1 note" in out
    assert cards["Ola Nordmann"]["next_action_due"] == "2026-12-20"
    assert any("- Due date: 2027-01-05" in n["body"] for n in cards["Ola Nordmann"]["notes"])
    # The file's due date belongs to its own next action: not put on the card's.
    run(capsys, "--db", str(db), "next", "ola", "Send the proposal")
    other = tmp_path / "other.csv"
    other.write_text(
        "Name,Email,Next Step,Due Date\nOla Nordmann,ola@nordmann.example,Call the CFO,2027-01-15\n"
    )
    _, cards = imported(capsys, other, db)
    assert (cards["Ola Nordmann"]["next_action"], cards["Ola Nordmann"]["next_action_due"]) == (
        "Send the proposal",
        None,
    )
    kept = "\n".join(n["body"] for n in cards["Ola Nordmann"]["notes"])
    assert "- Next action: Call the CFO" in kept and "- Due date: 2027-01-15" in kept


@pytest.mark.parametrize(
    "footer",
    [
        "Total Records: 42",
        '"Total records: 1",,',
        "Grand Total for all records: 1",
        "Summe aller Kontakte: 1",
        # A Salesforce "Details Only" report: its title, copyright, confidentiality
        # and who ran it, then the company's name, with no footer word of its own.
        '\nLeads by Source\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights '
        'reserved."\nConfidential Information - Do Not Distribute\nGenerated By: Sam '
        "Carter 01/12/2026 09:14\nAcme Corp",
    ],
)
def test_report_footers_stay_out_while_names_alone_come_in(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path, footer: str
) -> None:
    """Footers that say a total with words after it ("Total Records: 42"), or end with
    a line of no footer word (the company's name), came in as leads once a last line
    of one cell could be a contact."""
    source = tmp_path / "report.csv"
    source.write_text(f"Name,Email,Company\nAnn Lee,ann@lee.example,Lee Ltd\n{footer}\n")
    out, cards = imported(capsys, source, db)
    assert sorted(cards) == ["Ann Lee"] and "footer line" in out


HUBSPOT_XLSX_DATES = {"Create Date", "Last Modified Date", "Became a Customer Date"}


def _hubspot_workbook(path: Path) -> Path:
    """The all-properties export as HubSpot's default .xlsx: dates as date cells."""
    from openpyxl import Workbook

    with (FIXTURES / "hubspot_contacts_all_properties.csv").open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "All contacts"
    sheet.append(rows[0])
    for row in rows[1:]:
        cells: list[Any] = []
        for header, value in zip(rows[0], row, strict=True):
            if header in HUBSPOT_XLSX_DATES and value:
                cells.append(datetime.fromisoformat(value))
            elif header == "Record ID":
                cells.append(int(value))
            else:
                cells.append(value or None)
        sheet.append(cells)
    book.save(path)
    return path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_hubspot_all_properties_as_csv_and_xlsx(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path, kind: str
) -> None:
    """hubspot_contacts_all_properties.csv, and the same as HubSpot's default .xlsx."""
    source = FIXTURES / "hubspot_contacts_all_properties.csv"
    if kind == "xlsx":
        source = _hubspot_workbook(tmp_path / "hubspot-crm-exports-all-contacts.xlsx")
    _, cards = imported(capsys, source, db)
    priya = cards["Priya Raman"]
    # Phone Number is empty: Mobile Phone Number fills the phone.
    assert profile(priya) == (
        "Raman Textiles",
        "priya@raman.example",
        "+91 98765 43210",
        "prospect",
        "Sam Rivera",
        "event",
    )
    note = fields_note(priya)
    assert note[0] == "Job title: CFO"
    assert "Associated Company: Raman Textiles Pvt Ltd" in note
    assert "Lead Status: Open Deal" in note and "Record ID: 61" in note
    assert priya["touchpoints"][0]["happened_on"] == "2026-03-15"
    quinn = cards["Quinn Foster"]
    assert (quinn["phone"], quinn["stage"], quinn["source"], quinn["market"]) == (
        "+1 917 555 0111",
        "repeat",
        "referral",
        "warm",
    )
    assert "Phone Number: +1 212 555 0100" in fields_note(quinn)


# Pipedrive -----------------------------------------------------------------------------------


def test_pipedrive_people_keep_organisation_email_phone_and_owner(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """pipedrive_people.csv: Pipedrive's People export ("Person - Email - Work"...)."""
    out, cards = imported(capsys, FIXTURES / "pipedrive_people.csv", db)
    assert "Imported 4 cards" in out
    rosa = cards["Rosa Diaz"]
    assert profile(rosa) == (
        "Diaz Construction",
        "rosa@diazbuild.example",
        "+1 305 555 0147",
        "lead",
        "Sam Rivera",
        "",
    )
    assert (rosa["next_action"], rosa["next_action_due"], rosa["tags"]) == (
        "Follow up",
        "2026-12-04",
        ["hot-lead"],
    )
    assert fields_note(rosa)[:3] == [
        "Job title: Project Director",
        "Person - Email - Home: rosa.d@mail.example",
        "Person - Phone - Mobile: +1 305 555 0148",
    ]
    tomasz = cards["Tomasz Nowak"]
    assert (tomasz["email"], tomasz["phone"]) == ("tomasz@nowak.example", "+48 600 700 800")
    assert "Person - Email - Work: biuro@nowak.example" in fields_note(tomasz)
    assert cards["Uma Reddy"]["email"] == "uma@reddy.example"
    assert cards["Victor Hugo"]["phone"] == "+33 1 23 45 67 89"


def test_pipedrive_deals_status_and_default_pipeline(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    """pipedrive_deals.csv: Deals export; status won/lost decides, else the stage.
    Pipedrive writes a deal's value bare and its currency in a column of its own: a deal
    in another currency than the config's is a bad line, as "$12,000" would be (before,
    Rosa's 12,000 dollars were taken as 12,000 euros, and counted so in the forecast)."""
    deals = str(FIXTURES / "pipedrive_deals.csv")
    code, out, err = run(capsys, "--db", str(db), "import", deals)
    assert code != 0
    assert (
        "line 2: the amount '12000' in Deal - Value is in USD (Deal - Currency), not in EUR"
    ) in out + err
    code, out, err = run(capsys, "--db", str(db), "import", deals, "--skip-bad")
    assert code == 0 and "line 2 skipped" in err
    cards = cards_in(db)
    assert "Rosa Diaz" not in cards
    assert cards["Tomasz Nowak"]["stage"] == "client"
    assert (cards["Tomasz Nowak"]["value"], cards["Tomasz Nowak"]["expected_close"]) == (
        "8000.00",
        None,
    )
    assert cards["Victor Hugo"]["value"] is None
    victor = cards["Victor Hugo"]
    assert (victor["archive_reason"], victor["archive_note"]) == ("lost", "Imported as Lost")
    assert "Deal - Lost reason: Went with a competitor" in fields_note(victor)
    assert cards["Walsh Bakery"]["organisation"] == "Walsh Bakery"  # no contact person
    assert cards["Dev Patel"]["stage"] == "lead"  # Contact Made

    # Values kept in dollars: Rosa's deal is read, Tomasz's (in euros) is the bad line.
    dollars = tmp_path / "dollars.toml"
    dollars.write_text('[money]\ncurrency = "USD"\n', encoding="utf-8")
    in_dollars = tmp_path / "dollars.db"
    code, out, err = run(
        capsys, "--config", str(dollars), "--db", str(in_dollars), "import", deals, "--skip-bad"
    )
    assert code == 0 and "line 3 skipped: the amount '8000' in Deal - Value is in EUR" in err
    rosa = cards_in(in_dollars)["Rosa Diaz"]
    assert profile(rosa)[:5] == (
        "Diaz Construction",
        "rosa@diazbuild.example",
        "+1 305 555 0147",
        "prospect",
        "Sam Rivera",
    )
    assert "Deal - Title: Diaz Construction deal" in fields_note(rosa)
    # The deal's value and expected close become the card's, in the currency they are kept in.
    assert (rosa["value"], rosa["expected_close"]) == ("12000.00", "2026-12-20")
    assert not [line for line in fields_note(rosa) if line.startswith("Deal - Currency")]


def test_a_currency_column_that_names_no_code_is_kept_in_the_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # "€" or "Euro" says nothing a code would not: the amount is taken, the word kept.
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Name,Amount,Currency\nAnn,5000,€\nBen,7000,EUR\n", encoding="utf-8")
    _, cards = imported(capsys, sheet, db)
    assert (cards["Ann"]["value"], cards["Ben"]["value"]) == ("5000.00", "7000.00")
    assert "Currency: €" in fields_note(cards["Ann"])
    assert fields_note(cards["Ben"]) == []


# Salesforce ----------------------------------------------------------------------------------


def test_salesforce_report_with_its_footer(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """salesforce_leads_report.csv: a Details Only report exported as CSV, with a footer."""
    out, cards = imported(capsys, FIXTURES / "salesforce_leads_report.csv", db)
    assert "skipped 3 footer lines" in out and "Imported 4 cards (1 archived" in out
    wendy = cards["Wendy Clarke"]
    assert profile(wendy) == (
        "Clarke Media",
        "wendy@clarkemedia.example",
        "(415) 555-0101",
        "lead",
        "Sam Rivera",
        "content",
    )
    assert fields_note(wendy) == ["Job title: VP Marketing"]
    assert wendy["touchpoints"][0]["happened_on"] == "2026-03-15"  # 3/15/2026
    xavier = cards["Xavier Dubois"]
    assert (xavier["phone"], xavier["source"], xavier["stage"]) == (
        "+33 6 12 34 56 78",
        "referral",
        "lead",
    )
    assert cards["Yara Haddad"]["stage"] == "prospect"  # Closed - Converted
    zane = cards["Zane Miller"]
    assert (zane["archive_reason"], zane["archive_note"]) == (
        "not-a-fit",
        "Imported as Closed - Not Converted",
    )
    assert "Source: Purchased List" in fields_note(zane)


def test_salesforce_data_export_lead_csv(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """Lead.csv: Salesforce's weekly Data Export, API field names."""
    out, cards = imported(capsys, FIXTURES / "Lead.csv", db)
    assert "Columns left out: IsDeleted, MasterRecordId, CreatedById, SystemModstamp." in out
    wendy = cards["Wendy Clarke"]
    assert profile(wendy)[:5] == (
        "Clarke Media",
        "wendy@clarkemedia.example",
        "(415) 555-0101",
        "lead",
        "sam",  # OwnerId is a user id, not a rep's name: kept, and the card is yours
    )
    note = fields_note(wendy)
    assert note[0] == "Job title: VP Marketing"  # Title is the job; Salutation the address
    assert "Salutation: Ms." in note and "OwnerId: 0055g00000XyZaBAAV" in note
    assert other_notes(wendy) == ["Downloaded the pricing guide.\nWants a call in Q2."]
    assert wendy["touchpoints"][0]["happened_on"] == "2026-03-15"
    assert cards["Yara Haddad"]["stage"] == "prospect"
    assert "HasOptedOutOfEmail: true" in fields_note(cards["Yara Haddad"])
    assert cards["Zane Miller"]["archive_reason"] == "not-a-fit"


# Zoho ----------------------------------------------------------------------------------------


def test_zoho_leads_default_statuses_and_sources(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """zoho_leads.csv: Zoho CRM's Leads export, default Lead Status and Lead Source."""
    out, cards = imported(capsys, FIXTURES / "zoho_leads.csv", db)
    assert "Imported 5 cards (3 archived" in out
    arjun = cards["Arjun Mehta"]
    assert profile(arjun) == (
        "Mehta Pharma",
        "arjun@mehtapharma.example",
        "+91 22 5555 0101",
        "lead",
        "Sam Rivera",
        "event",
    )
    assert fields_note(arjun)[0] == "Job title: Procurement Head"  # Designation
    assert "Lead Status: Contact in Future" in fields_note(arjun)
    assert arjun["tags"] == ["expo-2026"]
    bianca = cards["Bianca Rossi"]
    assert (bianca["phone"], bianca["source"]) == ("+39 333 123 4567", "signup")  # Web Download
    assert [cards[n]["archive_reason"] for n in ("Carlos Silva", "Dana Kim", "Elif Yilmaz")] == [
        "not-a-fit",
        "lost",
        "not-a-fit",
    ]
    assert cards["Carlos Silva"]["source"] == "referral"


# Business cards and vCards ---------------------------------------------------------------------


def test_business_card_scanner_csv(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """card_scanner.csv: a card scanner's export; the cards were exchanged at an event."""
    _, cards = imported(capsys, FIXTURES / "card_scanner.csv", db)
    hiro = cards["Hiro Sato"]
    assert profile(hiro) == (
        "Sato Robotics",
        "hiro@sato-robotics.example",
        "+81 90 1234 5678",
        "lead",
        "sam",
        "event",
    )
    assert fields_note(hiro)[:2] == ["Job title: CTO", "Work Phone: +81 3 5555 0100"]
    assert other_notes(hiro) == ["Booth 14, wants a demo"]
    assert hiro["touchpoints"][0]["summary"] == "Exchanged cards"
    assert cards["Ines Duarte"]["phone"] == "+351 21 555 0177"


def test_vcard_21_quoted_printable(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """contacts_v21.vcf: vCard 2.1 with QUOTED-PRINTABLE, soft line breaks, bare types."""
    out, cards = imported(capsys, FIXTURES / "contacts_v21.vcf", db)
    assert "Imported 2 cards" in out
    bjorn = cards["Björn Åkesson"]
    assert profile(bjorn)[:3] == ("Åkesson Möbler", "bjorn@akesson.example", "+46 70 123 45 67")
    assert fields_note(bjorn) == ["Job title: Inköpschef", "Phone: +46 8 555 010 10"]
    assert other_notes(bjorn) == [
        "Met at Stockholm Furniture Fair.\nWants a quote for the spring range; call after 10."
    ]
    assert "END:VCARD" not in cards


def test_vcard_30_groups_folding_and_a_company_card(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """contacts_v30.vcf: Apple's vCard 3.0 (item1. groups, folded lines, X-ABShowAs)."""
    _, cards = imported(capsys, FIXTURES / "contacts_v30.vcf", db)
    astrid = cards["Astrid Lindqvist"]
    assert profile(astrid)[:3] == (
        "Lindqvist Consulting",
        "astrid@lindqvist.example",
        "+46 70 555 01 01",
    )
    assert astrid["tags"] == ["consultants", "nordics"]
    assert other_notes(astrid) == [
        "Board member at the chamber of commerce, introduced by Björn.\n"
        "Follow up about the Q3 workshop."
    ]
    assert "Website (HomePage): https://lindqvist.example" in fields_note(astrid)
    assert "Email: astrid.l@mail.example" in fields_note(astrid)
    northwind = cards["Northwind Couriers"]
    assert (northwind["organisation"], northwind["phone"]) == (
        "Northwind Couriers",
        "+44 20 7946 0999",
    )


def test_a_vcard_folded_inside_a_character_keeps_the_character(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    """RFC 6350 3.2 folds lines at 75 octets and warns that a multi-octet character may
    be split; exporters that count bytes do split them. Decoded before it was unfolded,
    each half of a split character became \ufffd, without a warning."""
    note = "長いメモ、大阪の支店について。" * 8
    data = f"NOTE:{note}".encode()
    folded = b"\r\n ".join(data[i : i + 75] for i in range(0, len(data), 75))
    source = tmp_path / "folded.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Yui Tanaka\r\nEMAIL:yui@x.example\r\n"
        + folded
        + b"\r\nEND:VCARD\r\n"
    )
    assert re.search(rb"\r\n [\x80-\xbf]", folded), "no fold splits a character"
    out, cards = imported(capsys, source, db)
    assert "\ufffd" not in out
    assert other_notes(cards["Yui Tanaka"]) == [note]


def test_a_bad_vcard_and_a_merged_one_are_named_by_the_line_they_begin_on(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """The second card of a file, beginning on line 6, was reported as "card 6": read
    as the sixth card, the rep looked for it in the wrong place."""
    source = tmp_path / "three.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nTEL:+44 20 7946 0000\r\nEND:VCARD\r\n"
    )
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert code != 0
    assert "bad: card at line 6: a card needs a name" in err
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and "warning: card at line 6 skipped: a card needs a name" in err
    assert "Card at line 10 added phone to card at line 1." in out


def test_a_note_holding_a_line_separator_is_kept_whole_and_lines_count_as_an_editor_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A note copied from a web page or a phone may hold U+2028 (a line separator) or
    a form feed. The file was split into lines there too: the rest of the note was
    read as a line of its own and lost, and every later card was named by a line
    number no editor shows. A card repeated in the file "repeats" the earlier one."""
    note = "Met at the fair\u2028wants a quote by May\x0cfor 3 sites"
    source = tmp_path / "phone.vcf"
    source.write_bytes(
        (
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nNOTE:" + note + "\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEND:VCARD\r\n"
        ).encode()
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and "warning: card at line 6 skipped: a card needs a name" in err
    assert "Card at line 10 repeats card at line 1." in out
    [kept] = other_notes(cards_in(db)["Ann Lee"])
    assert "wants a quote by May" in kept and "for 3 sites" in kept


def test_a_vcard_missing_its_end_does_not_swallow_the_cards_after_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A card whose END:VCARD was lost (a file cut and pasted together): the next
    BEGIN:VCARD was read as a card inside it, and every card after it was lost, with
    "Imported 1 card." A card inside another is only vCard 2.1's AGENT (RFC 2426 3.5.4
    keeps AGENT, as a value; 2.1 writes the agent's card on the lines after "AGENT:"),
    which stays out."""
    source = tmp_path / "joined.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alpha One\r\nEMAIL:a@one.example\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Beta Two\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Gamma Three\r\nAGENT:\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Agent Smith\r\nEND:VCARD\r\nEND:VCARD\r\n"
    )
    out, cards = imported(capsys, source, db)
    assert "Imported 3 cards." in out
    assert sorted(cards) == ["Alpha One", "Beta Two", "Gamma Three"]
    assert cards["Alpha One"]["email"] == "a@one.example"


def test_a_card_pasted_inside_a_card_is_read_as_nested_when_every_card_is_closed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A note written with raw line breaks holding a pasted card, and vCard 2.1's AGENT
    begun on its own line: with as many ENDs as BEGINs, a card inside a card is read
    as nested, and the outer card keeps what follows it (Ann's email was lost, and
    "Bob Assist" became a lead)."""
    source = tmp_path / "nested.vcf"
    source.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ann Lee\r\nNOTE:Her assistant:\r\n"
        b"BEGIN:VCARD\r\nFN:Bob Assist\r\nEND:VCARD\r\nEMAIL:ann@lee.example\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Cy Dee\r\nAGENT:BEGIN:VCARD\r\nFN:Agent Smith\r\n"
        b"END:VCARD\r\nEMAIL:cy@dee.example\r\nEND:VCARD\r\n"
    )
    _, cards = imported(capsys, source, db)
    assert sorted(cards) == ["Ann Lee", "Cy Dee"]
    assert (cards["Ann Lee"]["email"], cards["Cy Dee"]["email"]) == (
        "ann@lee.example",
        "cy@dee.example",
    )


def test_vcard_40(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    """contacts_v40.vcf: RFC 6350 (KIND:org, PREF=1, tel: URIs)."""
    _, cards = imported(capsys, FIXTURES / "contacts_v40.vcf", db)
    mateo = cards["Mateo García"]
    assert profile(mateo)[:3] == (
        "García Hermanos",
        "mateo@garcia-hermanos.example",
        "+34-600-555-010",
    )
    assert "Address (work): Calle Mayor 1, Madrid, 28013, España" in fields_note(mateo)
    assert cards["Acme Wholesale Ltd"]["phone"] == "+44-161-555-0123"


def test_a_vcard_whose_last_card_is_not_closed_keeps_it() -> None:
    table = read_vcards("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann Lee\r\nEMAIL:ann@x.io\r\n")
    assert [row[1][:1] for row in table.rows] == [["Ann Lee"]]


# Stage values ----------------------------------------------------------------------------------


SLEEPING = "Name,Email,Lead Status\nAnn,ann@x.io,Sleeping\nBen,ben@x.io,Working - Contacted\n"


def test_an_unknown_stage_value_names_the_column_the_value_and_both_fixes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(SLEEPING)
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    problem = err.splitlines()[0]
    assert problem.startswith("pipeline-tui: bad: line 2: the Lead Status column says 'Sleeping'")
    assert '--stage-map "Sleeping=lead"' in problem and "[import.stages]" in problem
    assert code == 1 and cards_in(db) == {}
    # The dry run shows every column and value, and how each was read, bad ones too.
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--dry-run")
    assert code == 1
    assert "Stage values (the first stage column with a value decides):" in out
    assert "  Lead Status  Working - Contacted  -> lead           1 line" in out
    assert "  Lead Status  Sleeping             -> ? not a stage  1 line" in out
    assert "  email         <- Email" in out


def test_stage_map_option_and_config_table(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = tmp_path / "leads.csv"
    source.write_text(SLEEPING + "Cat,cat@x.io,Gone quiet\n")
    _, cards = imported(
        capsys, source, db, "--stage-map", "Sleeping=lost", "--stage-map", "Gone quiet=not-a-fit"
    )
    assert (
        cards["Ann"]["archive_reason"] == "lost" and cards["Cat"]["archive_reason"] == "not-a-fit"
    )
    config = tmp_path / "config.toml"
    config.write_text('[import.stages]\n"Sleeping" = "prospect"\n"Gone quiet" = "lead"\n')
    other = tmp_path / "other.db"
    code, _, err = run(capsys, "--db", str(other), "--config", str(config), "import", str(source))
    assert (code, err) == (0, "")
    assert cards_in(other)["Ann"]["stage"] == "prospect"
    config.write_text('[import.stages]\n"Sleeping" = "asleep"\n')
    code, _, err = run(capsys, "--db", str(other), "--config", str(config), "import", str(source))
    assert "import.stages" in assert_one_line_error(code, err)


@pytest.mark.parametrize(
    ("value", "stage", "reason"),
    [
        ("Open - Not Contacted", "lead", None),
        ("Working - Contacted", "lead", None),
        ("Closed - Converted", "prospect", None),
        ("Closed - Not Converted", "lead", "not-a-fit"),
        ("Not Contacted", "lead", None),
        ("Contact in Future", "lead", None),
        ("Pre-Qualified", "lead", None),
        ("Junk Lead", "lead", "not-a-fit"),
        ("Lost Lead", "lead", "lost"),
        ("Not Qualified", "lead", "not-a-fit"),
        ("Open deal", "prospect", None),
        ("Connected", "lead", None),
        ("Bad timing", "lead", None),
        ("Lead In", "lead", None),
        ("Contact Made", "lead", None),
        ("Demo Scheduled", "prospect", None),
        ("Proposal Made", "prospect", None),
        ("Negotiations Started", "prospect", None),
        ("Closed Won", "client", None),
        ("Closed Lost", "prospect", "lost"),
    ],
)
def test_every_vendors_default_statuses_are_known(
    value: str, stage: str, reason: str | None
) -> None:
    from pipeline_tui.domain.importing import stage_from_text

    meaning = stage_from_text(value)
    assert meaning is not None
    assert (meaning[0].value, meaning[1].value if meaning[1] else None) == (stage, reason)


# Dates and encodings ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "day_first", "day"),
    [
        ("2027-03-15", False, date(2027, 3, 15)),
        ("3/15/2027", False, date(2027, 3, 15)),
        ("15/03/2027", True, date(2027, 3, 15)),
        ("15 Mar 2027", False, date(2027, 3, 15)),
        ("Mar 15, 2027 09:00 AM", False, date(2027, 3, 15)),
        ("2027-03-15 09:00:00", False, date(2027, 3, 15)),
        ("2027-03-15T23:30:00.000Z", False, date(2027, 3, 15)),
        ("46461", False, date(2027, 3, 15)),  # an Excel serial day
        ("someday", False, None),
    ],
)
def test_dates_in_the_forms_exports_write(text: str, day_first: bool, day: date | None) -> None:
    assert parse_date(text, day_first=day_first) == day


def test_a_day_before_1900_is_a_bad_row_as_when_the_rep_types_it(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    """`add --close 0001-01-01` and `--due 0001-01-01` are refused (a slip); imported, the
    same dates were kept as they stood, and a first meeting in the year 1 became a
    touchpoint. A HubSpot deals export's columns (Deal Name, Amount, Close Date)."""
    source = tmp_path / "deals.csv"
    source.write_text(
        "Deal Name,Amount,Close Date,Next activity date\n"
        "Ann Okafor,1200,0001-01-01,2027-01-04\n"
        "Ben Ode,900,2027-02-01,01/01/1800\n"
        "Dee Lu,700,01/01/0001,2027-01-06\n"  # a four-digit 0001 is no two-digit 01
        "Cleo Park,500,2027-03-01,2027-01-05\n",
        encoding="utf-8",
    )
    mapping = ("--map", "Deal Name=name", "--map", "Next activity date=due")
    code, out, err = run(capsys, "--db", str(db), "import", str(source), *mapping)
    assert code == 1 and "Imported" not in out
    assert err.splitlines()[:3] == [
        "pipeline-tui: bad: line 2: the close date '0001-01-01' is before 1900",
        "pipeline-tui: bad: line 3: the due date '01/01/1800' is before 1900",
        "pipeline-tui: bad: line 4: the close date '01/01/0001' is before 1900",
    ]
    code, out, err = run(capsys, "--db", str(db), "import", str(source), *mapping, "--skip-bad")
    assert code == 0 and "skipped 3 bad lines" in out
    assert set(cards_in(db)) == {"Cleo Park"}


def test_a_file_with_lone_cr_line_breaks_keeps_the_breaks_in_its_notes(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    """Excel for Mac's "CSV (Macintosh)" ends lines with a lone CR, inside quoted cells
    too: the note's two lines were joined into "line oneline two"."""
    source = tmp_path / "mac.csv"
    source.write_bytes(b'Name,Email,Notes\rAnn Okafor,ann@x.example,"line one\rline two"\r')
    code, _, err = run(capsys, "--db", str(db), "import", str(source))
    assert (code, err) == (0, "")
    database = open_database(str(db))
    try:
        [ann] = PipelineService(database, "sam").cards()
        [note] = PipelineService(database, "sam").card(ann.id).notes
    finally:
        database.close()
    assert note.body == "line one\nline two"


def test_a_column_is_day_first_when_any_first_part_is_above_12() -> None:
    assert is_day_first(["03/04/2027", "15/04/2027"])
    assert not is_day_first(["03/04/2027", "12/31/2027"])


def test_a_semicolon_file_under_a_title_line_with_a_comma_is_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A German export titled "Kontakte, Stand 01.12.2026" above its semicolon header:
    the delimiter was taken from the first line, a comma, and no column held names
    (--map could not help: the one column it saw was the title)."""
    source = tmp_path / "kontakte.csv"
    source.write_bytes(
        b"Kontakte, Stand 01.12.2026\r\n\r\nVorname;Nachname;Firma;E-Mail\r\n"
        b"Hans;Meier;Meier GmbH;hans@meier.example\r\n"
    )
    out, cards = imported(capsys, source, db)
    assert "skipped 2 lines before the header" in out
    assert profile(cards["Hans Meier"])[:2] == ("Meier GmbH", "hans@meier.example")


def test_a_dotted_date_is_read_day_first_whatever_its_column(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A German CRM's export writes 07.03.2027 10:30 for the 7th of March (DIN 5008:
    day, month, year, with dots); with no day past the 12th in the column it was read
    as the 3rd of July, in the close date's column and in a due date with a time. Dots
    are only ever written day first; slashes with no day past the 12th stay month-first
    (US)."""
    assert parse_date("07.03.2027") == date(2027, 3, 7)
    assert parse_date("07.03.27 10:30", day_first=False) == date(2027, 3, 7)
    assert parse_date("07/03/2027") == date(2027, 7, 3)
    source = tmp_path / "kontakte.csv"
    source.write_text(
        "Name;Firma;Nächste Aktion;Fällig am;Abschluss\n"
        "Jonas Weber;Weber GmbH;Angebot senden;07.03.2027 10:30;01.02.2027\n"
        "Lena Vogel;Vogel KG;Rückruf;01.02.2027;12/31/2027\n",
        encoding="utf-8",
    )
    mapping = ["--map", "Fällig am=due", "--map", "Nächste Aktion=next_action"]
    _, cards = imported(capsys, source, db, *mapping, "--map", "Abschluss=expected_close")
    assert cards["Jonas Weber"]["next_action_due"] == "2027-03-07"
    assert cards["Jonas Weber"]["expected_close"] == "2027-02-01"
    assert cards["Lena Vogel"]["next_action_due"] == "2027-02-01"
    assert cards["Lena Vogel"]["expected_close"] == "2027-12-31"


def test_a_date_no_order_can_read_does_not_decide_its_columns_order() -> None:
    # 31/02/2027 is no day either way: the column's 3/15/2027 says month first.
    assert not is_day_first(["3/15/2027", "31/02/2027", "4/1/2027"])
    assert parse_date("31/02/2027", day_first=False) is None
    # A date only one order reads is read that way, whatever the column's order.
    assert parse_date("3/15/2027", day_first=True) == date(2027, 3, 15)


def test_an_impossible_close_date_is_a_bad_row_and_the_others_are_read(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """salesforce_opportunities_report.csv: a US report, one Close Date retyped 31/02/2027."""
    source = FIXTURES / "salesforce_opportunities_report.csv"
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 1 and "Imported" not in out
    assert (
        err.splitlines()[0]
        == "pipeline-tui: bad: line 3: the close date '31/02/2027' is not a date"
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and "skipped 1 bad line" in out
    assert (
        err == "pipeline-tui: warning: line 3 skipped: the close date '31/02/2027' is not a date\n"
    )
    cards = cards_in(db)
    assert set(cards) == {"Ann Okafor", "Cleo Park"}
    ann, cleo = cards["Ann Okafor"], cards["Cleo Park"]
    assert (ann["value"], ann["expected_close"]) == ("12000.00", "2027-03-15")
    assert (cleo["value"], cleo["expected_close"]) == ("5000.00", "2027-04-01")  # month first
    assert not any(line.startswith("Close Date") for line in fields_note(ann))


def test_due_dates_other_than_iso_are_read(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = tmp_path / "a.csv"
    source.write_text("Name,Next step,Due date\nAnn,Call,15 Mar 2027\nBen,Email,3/16/2027\n")
    _, cards = imported(capsys, source, db)
    assert [cards[n]["next_action_due"] for n in ("Ann", "Ben")] == ["2027-03-15", "2027-03-16"]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("name\nJosé\n".encode(), "UTF-8"),
        ("\ufeffname\nJosé\n".encode(), "UTF-8"),
        ("name\nJosé\n".encode("utf-16"), "UTF-16"),
        ("name\nJosé \u2013 ok\n".encode("cp1252"), "Windows-1252"),
    ],
)
def test_encodings(data: bytes, encoding: str) -> None:
    decoded = decode(data)
    assert decoded.encoding == encoding
    assert decoded.text.splitlines()[1].startswith("José")
    assert decoded.guessed == (encoding == "Windows-1252")


def test_utf8_with_a_character_cut_in_two_is_read_as_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # A tool that cut a cell at a byte count: one character's bytes end too soon. Read
    # as Windows-1252, every other Japanese or accented name in the file was garbled.
    source = tmp_path / "cut.csv"
    source.write_bytes(
        "Name,Company\n山田 太郎,Yamada\nRenée Faure,Café\n".encode() + b"Cut \xe6\x97,Co\n"
    )
    out, cards = imported(capsys, source, db)
    assert set(cards) == {"山田 太郎", "Renée Faure", "Cut \ufffd"}
    assert (
        "read as UTF-8, with 1 place that is not UTF-8 shown as \ufffd (the first on line 4)" in out
    )
    # With Excel's byte-order mark too.
    with_mark = decode(b"\xef\xbb\xbf" + "Name\n山田 太郎\n".encode() + b"Cut \xe6\x97\n")
    assert (with_mark.encoding, with_mark.replaced) == ("UTF-8", 1)
    # Windows-1252 text is still read as such: its accented letters are single bytes.
    assert decode("Name\nRenée\nCafé \u20ac\n".encode("cp1252")).encoding == "Windows-1252"


def test_bytes_windows_1252_leaves_undefined_are_shown_and_said_not_dropped(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # Windows-1252 gives 0x81, 0x8D, 0x8F, 0x90 and 0x9D no character (Microsoft's
    # cp1252 table, "UNDEFINED"). Read as Latin-1 they were control characters, which
    # the import's cleaning then dropped without a word: "Jos\x81 N" became "Jos N".
    source = tmp_path / "legacy.csv"
    source.write_bytes(b"Name,Company\nRen\xe9e Faure,Caf\xe9\nJos\x81 N,Caf\x8d\n")
    out, cards = imported(capsys, source, db)
    assert set(cards) == {"Renée Faure", "Jos\ufffd N"}
    assert cards["Jos\ufffd N"]["organisation"] == "Caf\ufffd"
    assert (
        "read as Windows-1252: the file is not UTF-8; 2 bytes that are not Windows-1252 "
        "either shown as \ufffd (the first on line 3)"
    ) in out


def test_a_note_longer_than_a_note_can_be_is_a_bad_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # As `pipeline-tui note` refuses it; an import stored a note of 5,000,000 characters.
    source = tmp_path / "long.csv"
    source.write_text("Name,Notes\nAnn," + "x" * 2_000_001 + "\nBen,short\n", encoding="utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code != 0
    assert "line 2: a note has 2,000,001 characters; a note can have 2,000,000" in out + err
    code, _, err = run(capsys, "--db", str(db), "import", str(source), "--skip-bad")
    assert code == 0 and set(cards_in(db)) == {"Ben"}


# Merging ---------------------------------------------------------------------------------------


def test_reimporting_a_vendor_file_adds_nothing_new(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    _, first = imported(capsys, FIXTURES / "zoho_leads.csv", db)
    out, again = imported(capsys, FIXTURES / "zoho_leads.csv", db)
    assert out.endswith("Imported 0 cards; 5 lines already there.\n")
    assert again == first


def test_a_newer_export_adds_its_new_fields_to_the_cards(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    imported(capsys, FIXTURES / "linkedin_connections.csv", db)
    newer = tmp_path / "google.csv"
    newer.write_text(
        "First Name,Last Name,Organization Name,E-mail 1 - Value,Phone 1 - Value,Notes\n"
        "Amara,Okafor,Brightwater Dental,amara@brightwater.example,+44 20 7946 0100,"
        "Second clinic opening in May.\n"
    )
    out, cards = imported(capsys, newer, db)
    assert "Line 2 added phone, 1 note to card 1 (Amara Okafor)." in out
    amara = cards["Amara Okafor"]
    assert amara["phone"] == "+44 20 7946 0100"
    assert "Second clinic opening in May." in other_notes(amara)
    assert amara["source"] == "social" and amara["stage"] == "lead"


def test_a_teammates_export_adds_their_notes_to_our_cards(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    mine, theirs = db, tmp_path / "theirs.db"
    for where in (mine, theirs):
        run(capsys, "--db", str(where), "add", "Ann Lee", "--org", "Acme", "--email", "ann@acme.io")
    run(capsys, "--db", str(mine), "add", "Ben", "--org", "Bobco")
    database = open_database(str(theirs))
    try:
        from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
        from pipeline_tui.store import PipelineService

        service = PipelineService(database, "kim")
        card_id = service.cards()[0].id
        service.add_note(card_id, NoteKind.PROBLEM, "Their invoicing takes a week.")
        service.add_touchpoint(card_id, TouchpointKind.CALL, date(2026, 11, 20), "Intro call")
    finally:
        database.close()
    export = tmp_path / "theirs.json"
    assert run(capsys, "--db", str(theirs), "export", "-o", str(export))[0] == 0
    out, cards = imported(capsys, export, mine)
    assert "Card 1 added source, market, 1 note, 1 touchpoint to card 1 (Ann Lee)." in out
    ann = cards["Ann Lee"]
    assert [(n["kind"], n["body"]) for n in ann["notes"]] == [
        ("problem", "Their invoicing takes a week.")
    ]
    assert [t["summary"] for t in ann["touchpoints"] if t["kind"] == "call"] == ["Intro call"]
    # Once more: nothing new.
    out, _ = imported(capsys, export, mine)
    assert out.endswith("Imported 0 cards; 1 card already there.\n")


def test_vcards_round_trip_through_export(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    imported(capsys, FIXTURES / "hubspot_contacts_view.csv", db)
    run(capsys, "--db", str(db), "add", "Acme Ltd", "--org", "Acme Ltd", "--tags", "vip, north")
    target = tmp_path / "cards.vcf"
    code, _, err = run(capsys, "--db", str(db), "export", "--format", "vcf", "-o", str(target))
    assert code == 0 and "Exported 4 cards" in err  # the archived one stays out
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert "KIND:org" in text and "FN:Liam O'Brien" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    before = {n: c for n, c in cards_in(db).items() if not c["archived_at"]}
    copy = tmp_path / "copy.db"
    _, after = imported(capsys, target, copy)
    contact = ("organisation", "email", "phone", "tags", "stage", "owner", "source")
    assert {n: [c[k] for k in contact] for n, c in after.items()} == {
        n: [c[k] for k in contact] for n, c in before.items()
    }
    assert json.loads(json.dumps(list(after))) == list(before)


def test_a_big_vcard_file_shows_its_progress(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = tmp_path / "phone.vcf"
    source.write_text(
        "".join(
            f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Person {i}\r\nEMAIL:p{i}@x.io\r\nEND:VCARD\r\n"
            for i in range(6000)
        )
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0 and out.endswith("Imported 6000 cards.\n")
    assert err.splitlines() == ["pipeline-tui: reading 6000/6000", "pipeline-tui: saving 6000/6000"]


def test_a_workbooks_bad_rows_are_named_by_their_sheet_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Exported by the CRM on 2026-11-20"])  # a title row above the header
    sheet.append([])
    sheet.append(["First Name", "Last Name", "Email", "Lifecycle Stage"])
    sheet.append(["Ann", "Lee", "ann@x.io", "customer"])
    sheet.append(["Ben", "Ode", "not-an-email", "lead"])
    book.save(tmp_path / "leads.xlsx")
    code, out, err = run(capsys, "--db", str(db), "import", str(tmp_path / "leads.xlsx"))
    assert err.splitlines()[0] == (
        "pipeline-tui: bad: row 5: 'not-an-email' does not look like an email address"
    )
    assert code == 1 and cards_in(db) == {}
    code, out, err = run(
        capsys, "--db", str(db), "import", str(tmp_path / "leads.xlsx"), "--skip-bad"
    )
    assert err.startswith("pipeline-tui: warning: row 5 skipped: ")
    assert "skipped 2 rows before the header" in out
    assert cards_in(db)["Ann Lee"]["stage"] == "client"


def test_formulas_a_program_wrote_with_no_value_are_named_not_imported_as_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """openpyxl writes a formula with no computed value (its documentation: it "never
    evaluates formula"), as a CRM's report script does: the cells were read as empty,
    and "Ben" imported without his surname and company, without a word. Here the table
    starts at column B under a title row, so the cells are named by their own header."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["B1"] = "Leads from the report script"
    for row, values in enumerate(
        [
            ["First Name", "Last Name", "Email", "Company Name"],
            ["Ann", "Okafor", "ann@bright.example", "Brightwater"],
            ["Ben", '=UPPER("lee")', "ben@x.example", '=C4&" Ltd"'],
            ["=B4", "Kim", "kim@x.example", "Kimco"],
        ],
        start=3,
    ):
        for column, value in enumerate(values, start=2):
            sheet.cell(row=row, column=column, value=value)
    book.save(tmp_path / "leads.xlsx")
    code, _out, err = run(capsys, "--db", str(db), "import", str(tmp_path / "leads.xlsx"))
    bad = [line for line in err.splitlines() if ": bad: " in line]
    assert bad == [
        "pipeline-tui: bad: row 5: 'Last Name' and 'Company Name' are formulas with no "
        "value saved in the workbook (written by a program, never opened in a spreadsheet "
        "app): open it in Excel or LibreOffice, save it, and import it again",
        "pipeline-tui: bad: row 6: 'First Name' is a formula with no value saved in the "
        "workbook (written by a program, never opened in a spreadsheet app): open it in "
        "Excel or LibreOffice, save it, and import it again",
    ]
    assert code == 1 and cards_in(db) == {}
    code, _out, err = run(
        capsys, "--db", str(db), "import", str(tmp_path / "leads.xlsx"), "--skip-bad"
    )
    assert code == 0 and set(cards_in(db)) == {"Ann Okafor"}


def test_a_formula_only_the_imported_fields_note_would_keep_refuses_no_row(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A report's row number (=ROW()-1 under ID) refused every row, though the cell
    would only have gone into the Imported fields note: it is left out, and the summary
    says so. A row of nothing but formulas, read as empty, had been dropped unsaid."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Name", "Email"])
    sheet.append(["=ROW()-1", "Ann Lee", "ann@x.example"])
    sheet.append(["=ROW()-1", "Bob Ode", "bob@x.example"])
    sheet.append(["=Raw!A4", "=Raw!B4", "=Raw!C4"])
    book.save(tmp_path / "report.xlsx")
    code, out, err = run(
        capsys, "--db", str(db), "import", str(tmp_path / "report.xlsx"), "--skip-bad"
    )
    assert code == 0
    assert err.splitlines() == [
        "pipeline-tui: warning: row 4 skipped: 'Name' and 'Email' are formulas with no value "
        "saved in the workbook (written by a program, never opened in a spreadsheet app): "
        "open it in Excel or LibreOffice, save it, and import it again"
    ]
    assert (
        "'ID' holds formulas with no value saved in the workbook in 3 rows; they were left out"
        in out
    )
    assert set(cards_in(db)) == {"Ann Lee", "Bob Ode"}


def test_a_reports_unlabelled_totals_row_of_formulas_is_its_footer(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """Two contacts, a blank line, and =SUM(C2:C3) under Value with no value saved: the
    totals row was named a bad row and nothing imported (a row of formulas only is kept
    for the reader, but not one a blank line parts from the rows above at the end)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Email", "Value"])
    sheet.append(["Ann Lee", "ann@x.example", 1000])
    sheet.append(["Bob Ode", "bob@x.example", 2000])
    sheet.append([])
    sheet.append([None, None, "=SUM(C2:C3)"])
    book.save(tmp_path / "report.xlsx")
    code, _out, err = run(capsys, "--db", str(db), "import", str(tmp_path / "report.xlsx"))
    assert (code, err) == (0, "")
    assert set(cards_in(db)) == {"Ann Lee", "Bob Ode"}


def _hand_written_workbook(path: Path, calc: str, cells: str) -> Path:
    """A one-sheet workbook with the parts ECMA-376 requires, its sheet's cells as given."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="Contacts" '
            f'sheetId="1" r:id="rId1"/></sheets>{calc}</workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            f'<worksheet xmlns="{main}"><sheetData>{cells}</sheetData></worksheet>'
        ),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


_HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Name</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Company</t></is></c>'
    '<c r="C1" t="inlineStr"><is><t>Employees</t></is></c></row>'
)


def test_formulas_with_the_values_a_spreadsheet_app_saved_are_imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """As Excel saves a formula cell: its last value in `v`, text typed `t="str"` (an
    empty text is a value too), a number untyped (ECMA-376 part 1, 18.3.1.4)."""
    source = _hand_written_workbook(
        tmp_path / "saved.xlsx",
        '<calcPr calcId="191029"/>',
        _HEADER_ROW + '<row r="2"><c r="A2" t="str"><f>"Ann "&amp;"Lee"</f><v>Ann Lee</v></c>'
        '<c r="B2" t="str"><f>""</f><v></v></c><c r="C2"><f>2*6</f><v>12</v></c></row>',
    )
    code, _out, err = run(capsys, "--db", str(db), "import", str(source))
    assert code == 0, err
    assert set(cards_in(db)) == {"Ann Lee"}


def test_xlsxwriters_zero_standing_in_for_a_formulas_value_is_not_imported(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """XlsxWriter stores 0 as every formula's value and asks the spreadsheet app to
    compute them all on opening (its documentation, "Formula Results"; `calcPr
    fullCalcOnLoad="1"`): the name would have been imported as "0"."""
    source = _hand_written_workbook(
        tmp_path / "script.xlsx",
        '<calcPr calcId="124519" fullCalcOnLoad="1"/>',
        _HEADER_ROW + '<row r="2"><c r="A2"><f>PROPER("ann lee")</f><v>0</v></c>'
        '<c r="B2" t="inlineStr"><is><t>Brightwater</t></is></c></row>',
    )
    code, _out, err = run(capsys, "--db", str(db), "import", str(source))
    assert "row 2: 'Name' is a formula with no value saved" in err
    assert code == 1 and cards_in(db) == {}


# Amounts a thousand times apart ----------------------------------------------------------------


def values_of(cards: dict[str, dict[str, Any]]) -> dict[str, str | None]:
    return {name: card["value"] for name, card in cards.items()}


def test_a_column_whose_other_amounts_write_decimal_commas_reads_3_000_as_thousands(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """excel_de_angebote.csv: 1.234,50 and 12,50 in the Wert column settle 3.000."""
    out, cards = imported(capsys, FIXTURES / "excel_de_angebote.csv", db, "--map", "Wert=value")
    assert values_of(cards) == {
        "Anna Schmidt": "3000.00",
        "Jonas Weber": "1234.50",
        "Lena Fischer": "12.50",
        "Tobias Keller": "25000.00",
    }
    assert "could be read two ways" not in out


def test_a_column_that_only_says_3_000_is_imported_with_a_warning(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """excel_de_kontakte.csv: Wert formatted #.##0, nothing in the file settles 3.000."""
    source = FIXTURES / "excel_de_kontakte.csv"
    code, out, err = run(
        capsys, "--db", str(db), "import", str(source), "--map", "Wert=value", "--dry-run"
    )
    assert code == 0
    assert err.endswith("this is what would happen in an empty one (nothing was created).\n")
    warning = (
        "excel_de_kontakte.csv: 2 amounts in Wert could be read two ways ('3.000' was read "
        "as 3.00, as nothing in the file or the locale says which); check them."
    )
    assert out.splitlines()[0] == warning
    assert out.endswith("Would import 4 cards (2 notes); nothing was written (dry run).\n")
    out, cards = imported(capsys, source, db, "--map", "Wert=value")
    assert out.splitlines()[0] == warning
    assert values_of(cards) == {
        "Anna Schmidt": "3.00",
        "Jonas Weber": "12.50",
        "Lena Fischer": "950.00",
        "Tobias Keller": None,
    }


def test_the_locale_reads_a_column_that_only_says_3_000(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """excel_de_kontakte.csv imported by a rep whose locale writes decimal commas."""
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    out, cards = imported(capsys, FIXTURES / "excel_de_kontakte.csv", db, "--map", "Wert=value")
    assert out.splitlines()[0] == (
        "excel_de_kontakte.csv: 2 amounts in Wert could be read two ways ('3.000' was read "
        "as 3000.00, as the locale writes numbers); check them."
    )
    assert values_of(cards)["Anna Schmidt"] == "3000.00"
    assert values_of(cards)["Jonas Weber"] == "12500.00"


def test_another_amount_column_of_the_file_settles_3_000(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = tmp_path / "deals.csv"
    source.write_text(
        "Name;Amount;Deal value\nAnn Lee;1.250,00;\nBob Ode;;3.000\n", encoding="utf-8"
    )
    out, cards = imported(capsys, source, db)
    assert values_of(cards) == {"Ann Lee": "1250.00", "Bob Ode": "3000.00"}
    assert out.splitlines()[0] == (
        "deals.csv: 1 amount in Deal value could be read two ways ('3.000' was read as "
        "3000.00, as the file's other amounts write decimals with ','); check it."
    )


def _german_workbook(path: Path, *wert: object) -> Path:
    """A German sheet's Wert column: text cells as typed, number cells as numbers."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Vorname", "Nachname", "Firma", "Wert"])
    for number, value in enumerate(wert, 1):
        sheet.append([f"Kunde{number}", "Muster", f"Firma {number}", value])
    book.save(path)
    return path


def test_a_workbooks_number_cells_neither_settle_nor_change_a_text_3_000(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    # 12.5 is a number cell: its "." is Python's, not how the sheet writes text.
    source = _german_workbook(tmp_path / "kunden.xlsx", "3.000", 12.5, 4000)
    out, cards = imported(capsys, source, db, "--map", "Wert=value")
    assert out.splitlines()[0] == (
        "kunden.xlsx: 1 amount in Wert could be read two ways ('3.000' was read as 3.00, "
        "as nothing in the file or the locale says which); check it."
    )
    assert [card["value"] for card in cards.values()] == ["3.00", "12.50", "4000.00"]


def test_a_workbooks_text_decimal_commas_settle_3_000_and_leave_number_cells_be(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    source = _german_workbook(tmp_path / "kunden.xlsx", "3.000", 12.5, "1.234,50", 1.125)
    out, cards = imported(capsys, source, db, "--map", "Wert=value")
    assert "could be read two ways" not in out
    assert [card["value"] for card in cards.values()] == ["3000.00", "12.50", "1234.50", None]
    # 1.125 has more than two decimals: kept as it is, never read as 1125.
    assert fields_note(cards["Kunde4 Muster"]) == ["Wert: 1.125"]


def test_the_separator_is_the_headers_not_a_notes_cells() -> None:
    from pipeline_tui.domain.importing.table import sniff_delimiter

    semicolons = 'Name;Notes\nAnn;"Call her, then email, then wait,\nthen, again, call"\n'
    assert sniff_delimiter(semicolons) == ";"
    linkedin = (FIXTURES / "linkedin_connections.csv").read_text(encoding="utf-8")
    assert sniff_delimiter(linkedin) == ","
    assert sniff_delimiter("Name\tEmail\nAnn\tann@x.io\n") == "\t"


def test_an_amount_in_another_currency_is_a_bad_row_not_euros(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """A deals list kept by hand in a spreadsheet: "$5,000" is not five thousand euros
    (the config's currency, EUR by default)."""
    sheet = tmp_path / "deals.csv"
    sheet.write_text(
        "Name,Company,Email,Amount,Close Date\n"
        'Ann Okafor,Okafor Ltd,ann@okafor.example,"$5,000",2027-03-15\n'
        "Ben Hollis,Hollis & Co,ben@hollis.example,EUR 8000,2027-04-01\n",
        encoding="utf-8",
    )
    code, out, err = run(capsys, "--db", str(db), "import", str(sheet))
    assert code != 0
    assert "the amount '$5,000' in Amount is not in EUR" in out + err
    assert not db.exists() or cards_in(db) == {}
    code, out, err = run(capsys, "--db", str(db), "import", str(sheet), "--skip-bad")
    assert code == 0, err
    cards = cards_in(db)
    assert set(cards) == {"Ben Hollis"}
    assert cards["Ben Hollis"]["value"] == "8000.00"


def test_an_amount_of_29_digits_stays_in_the_note(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, db: Path
) -> None:
    """An amount longer than Decimal's 28 digits of precision ended the import with a
    decimal.InvalidOperation traceback; it is kept in the note as any amount too big."""
    sheet = tmp_path / "deals.csv"
    sheet.write_text(f"Name,Email,Amount\nZed Ode,zed@ode.example,{'9' * 29}\n", encoding="utf-8")
    _out, cards = imported(capsys, sheet, db)
    assert cards["Zed Ode"]["value"] is None
    assert f"Amount: {'9' * 29}" in fields_note(cards["Zed Ode"])
