"""Import speed: the same contacts in every layout the importer reads, against plain CSV.

`python -m bench.imports --rows 100000` (also part of `make bench`). For each layout
(LinkedIn, Google, Outlook in Windows-1252, HubSpot CSV and .xlsx, Pipedrive,
Salesforce with its footer, Zoho, vCard, a card scanner's CSV) a file of ROWS contacts
is written, then imported into an empty SQLite database in one transaction with a
progress callback; the time is compared with the import of a plain CSV of the same
contacts. The budget (issue: "within 3x the plain CSV import") is checked per layout.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pipeline_tui.store import open_database
from pipeline_tui.store.exchange import import_file

RATIO_BUDGET = 3.0
STAGES = ("Lead", "Prospect", "Customer", "Evangelist", "Closed Lost")
Log = Callable[[str], None]


def _people(rows: int) -> Iterator[dict[str, str]]:
    for i in range(rows):
        yield {
            "first": f"Person{i}",
            "last": f"Surname{i % 7919}",
            "org": f"Company {i % 9973}",
            "email": f"person{i}@company{i % 9973}.example",
            "phone": f"+44 20 7946 {i % 10000:04d}",
            "title": ("Owner", "CFO", "Head of Ops", "Buyer")[i % 4],
            "stage": STAGES[i % len(STAGES)],
            "note": f"Met at the fair\nrow {i}" if i % 4 == 0 else "",
        }


def _csv(path: Path, headers: list[str], rows: Iterator[list[str]], **kwargs: Any) -> Path:
    encoding = kwargs.pop("encoding", "utf-8")
    preamble = kwargs.pop("preamble", "")
    footer = kwargs.pop("footer", "")
    with path.open("w", encoding=encoding, newline="") as handle:
        handle.write(preamble)
        writer = csv.writer(handle, **kwargs)
        writer.writerow(headers)
        writer.writerows(rows)
        handle.write(footer)
    return path


def plain(path: Path, rows: int) -> Path:
    headers = ["name", "organisation", "email", "phone", "stage", "notes"]
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [f"{p['first']} {p['last']}", p["org"], p["email"], p["phone"], p["stage"], p["note"]]
            for p in _people(rows)
        ),
    )


def linkedin(path: Path, rows: int) -> Path:
    headers = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position"]
    return _csv(
        path.with_suffix(".csv"),
        [*headers, "Connected On"],
        (
            [
                p["first"],
                p["last"],
                f"https://www.linkedin.com/in/{p['first'].lower()}",
                p["email"],
                p["org"],
                p["title"],
                "15 Mar 2026",
            ]
            for p in _people(rows)
        ),
        preamble='Notes:\n"When exporting your connection data, you may notice that some of '
        'the email addresses are missing."\n\n',
    )


def google(path: Path, rows: int) -> Path:
    headers = [
        "First Name",
        "Last Name",
        "Organization Name",
        "Organization Title",
        "Notes",
        "Labels",
        "E-mail 1 - Label",
        "E-mail 1 - Value",
        "Phone 1 - Label",
        "Phone 1 - Value",
    ]
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [
                p["first"],
                p["last"],
                p["org"],
                p["title"],
                p["note"],
                "* myContacts ::: Clients",
                "* Work",
                f"{p['email']} ::: home{p['email']}",
                "Mobile",
                p["phone"],
            ]
            for p in _people(rows)
        ),
    )


OUTLOOK = [
    "Title",
    "First Name",
    "Middle Name",
    "Last Name",
    "Suffix",
    "Company",
    "Department",
    "Job Title",
    "Business Street",
    "Business City",
    "Business Phone",
    "Home Phone",
    "Mobile Phone",
    "Primary Phone",
    "Birthday",
    "Categories",
    "E-mail Address",
    "E-mail Type",
    "E-mail Display Name",
    "Gender",
    "Notes",
    "Priority",
    "Private",
    "Sensitivity",
]


def outlook(path: Path, rows: int) -> Path:
    def row(p: dict[str, str]) -> list[str]:
        values = {
            "Title": "Dr.",
            "First Name": p["first"],
            "Last Name": p["last"],
            "Company": p["org"],
            "Job Title": p["title"],
            "Business Phone": p["phone"],
            "Mobile Phone": p["phone"],
            "Birthday": "0/0/00",
            "Categories": "Key Customer;VIP",
            "E-mail Address": p["email"],
            "E-mail Type": "SMTP",
            "E-mail Display Name": f"{p['first']} ({p['email']})",
            "Gender": "Unspecified",
            "Notes": p["note"],
            "Priority": "Normal",
            "Private": "False",
            "Sensitivity": "Normal",
        }
        return [values.get(h, "") for h in OUTLOOK]

    return _csv(
        path.with_suffix(".csv"),
        OUTLOOK,
        (row(p) for p in _people(rows)),
        encoding="cp1252",
        quoting=csv.QUOTE_ALL,
    )


HUBSPOT = [
    "Record ID",
    "First Name",
    "Last Name",
    "Email",
    "Phone Number",
    "Mobile Phone Number",
    "Job Title",
    "Company Name",
    "Lead Status",
    "Lifecycle Stage",
    "Contact owner",
    "Original Source",
    "Create Date",
]


def _hubspot_rows(rows: int) -> Iterator[list[str]]:
    for i, p in enumerate(_people(rows)):
        yield [
            str(i),
            p["first"],
            p["last"],
            p["email"],
            "",
            p["phone"],
            p["title"],
            p["org"],
            "Open Deal",
            p["stage"],
            "Sam Rivera",
            "Referrals",
            "2026-03-15 09:00",
        ]


def hubspot_csv(path: Path, rows: int) -> Path:
    return _csv(path.with_suffix(".csv"), HUBSPOT, _hubspot_rows(rows))


def hubspot_xlsx(path: Path, rows: int) -> Path:
    target = path.with_suffix(".xlsx")
    write_xlsx(target, "All contacts", [HUBSPOT, *_hubspot_rows(rows)])
    return target


_XLSX_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
        'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def write_xlsx(target: Path, title: str, rows: list[list[str]]) -> None:
    """A minimal one-sheet workbook (text cells), written with the standard library so
    `make bench` needs no spreadsheet writer."""
    from xml.sax.saxutils import escape, quoteattr

    def cell(column: int, row: int, value: str) -> str:
        name = ""
        column += 1
        while column:
            column, rest = divmod(column - 1, 26)
            name = chr(65 + rest) + name
        return f'<c r="{name}{row}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'

    sheet = io.StringIO()
    sheet.write(
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    )
    for number, values in enumerate(rows, 1):
        cells = "".join(cell(i, number, v) for i, v in enumerate(values) if v)
        sheet.write(f'<row r="{number}">{cells}</row>')
    sheet.write("</sheetData></worksheet>")
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns='
        '"http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
        '"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        f'<sheet name={quoteattr(title)} sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in _XLSX_PARTS.items():
            book.writestr(name, text)
        book.writestr("xl/workbook.xml", workbook)
        book.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())


def pipedrive(path: Path, rows: int) -> Path:
    headers = [
        "Person - ID",
        "Person - Name",
        "Person - Organization",
        "Person - Email - Work",
        "Person - Email - Home",
        "Person - Phone - Work",
        "Person - Phone - Mobile",
        "Person - Owner",
        "Person - Labels",
        "Person - Person created",
    ]
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [
                str(i),
                f"{p['first']} {p['last']}",
                p["org"],
                p["email"],
                "",
                "",
                p["phone"],
                "Sam Rivera",
                "Hot lead",
                "2026-03-15 09:00:00",
            ]
            for i, p in enumerate(_people(rows))
        ),
    )


def salesforce(path: Path, rows: int) -> Path:
    headers = [
        "Lead Owner",
        "First Name",
        "Last Name",
        "Title",
        "Company / Account",
        "Email",
        "Phone",
        "Lead Source",
        "Lead Status",
        "Create Date",
    ]
    statuses = (
        "Open - Not Contacted",
        "Working - Contacted",
        "Closed - Converted",
        "Closed - Not Converted",
    )
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [
                "Sam Rivera",
                p["first"],
                p["last"],
                p["title"],
                p["org"],
                p["email"],
                p["phone"],
                "Web",
                statuses[i % 4],
                "3/15/2026",
            ]
            for i, p in enumerate(_people(rows))
        ),
        quoting=csv.QUOTE_ALL,
        lineterminator="\n",
        footer=f'\n"Grand Totals ({rows} records)"\n\n"Confidential Information - Do Not '
        'Distribute"\n"Copyright (c) 2000-2026 salesforce.com, inc. All rights reserved."\n',
    )


def zoho(path: Path, rows: int) -> Path:
    headers = [
        "Record Id",
        "Lead Owner",
        "First Name",
        "Last Name",
        "Company",
        "Designation",
        "Email",
        "Phone",
        "Lead Source",
        "Lead Status",
        "Created Time",
        "Description",
    ]
    statuses = ("Not Contacted", "Contact in Future", "Pre-Qualified", "Junk Lead")
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [
                f"zcrm_{i}",
                "Sam Rivera",
                p["first"],
                p["last"],
                p["org"],
                p["title"],
                p["email"],
                p["phone"],
                "Trade Show",
                statuses[i % 4],
                "2026-03-15 09:00:00",
                p["note"],
            ]
            for i, p in enumerate(_people(rows))
        ),
    )


def vcard(path: Path, rows: int) -> Path:
    target = path.with_suffix(".vcf")
    with target.open("w", encoding="utf-8", newline="") as handle:
        for p in _people(rows):
            note = p["note"].replace("\n", "\\n")
            handle.write(
                "BEGIN:VCARD\r\nVERSION:3.0\r\n"
                f"N:{p['last']};{p['first']};;;\r\nFN:{p['first']} {p['last']}\r\n"
                f"ORG:{p['org']};\r\nTITLE:{p['title']}\r\n"
                f"item1.EMAIL;type=INTERNET;type=pref:{p['email']}\r\n"
                "item1.X-ABLabel:_$!<Work>!$_\r\n"
                f"TEL;type=CELL;type=VOICE;type=pref:{p['phone']}\r\n"
                + (f"NOTE:{note}\r\n" if note else "")
                + "CATEGORIES:Clients\r\nEND:VCARD\r\n"
            )
    return target


def scanner(path: Path, rows: int) -> Path:
    headers = [
        "Name",
        "Company",
        "Title",
        "Mobile",
        "Work Phone",
        "Email",
        "Address",
        "Note",
        "Scan Date",
        "Card Image",
    ]
    return _csv(
        path.with_suffix(".csv"),
        headers,
        (
            [
                f"{p['first']} {p['last']}",
                p["org"],
                p["title"],
                p["phone"],
                "",
                p["email"],
                "1 High St",
                p["note"],
                "2026-03-18 15:42",
                f"IMG_{i:05d}.jpg",
            ]
            for i, p in enumerate(_people(rows))
        ),
    )


LAYOUTS: dict[str, Callable[[Path, int], Path]] = {
    "LinkedIn connections": linkedin,
    "Google Contacts CSV": google,
    "Outlook CSV (Windows-1252)": outlook,
    "HubSpot CSV": hubspot_csv,
    "HubSpot .xlsx": hubspot_xlsx,
    "Pipedrive people": pipedrive,
    "Salesforce report": salesforce,
    "Zoho leads": zoho,
    "vCard 3.0": vcard,
    "card scanner CSV": scanner,
}


def empty_database(folder: Path) -> Path:
    """A database at the head revision with no data, for time_import to copy: copying
    takes milliseconds where migrating a new file takes about 70."""
    path = folder / "empty.db"
    open_database(str(path)).close()
    return path


def time_import(path: Path, folder: Path, empty: Path) -> dict[str, Any]:
    """One import into a copy of `empty`: wall and CPU seconds, cards, progress."""
    steps: list[tuple[str, int, int]] = []
    target = folder / f"{path.stem}-{time.monotonic_ns()}.db"
    shutil.copyfile(empty, target)
    database = open_database(str(target))
    try:
        started, cpu = time.perf_counter(), time.process_time()
        report = import_file(
            database,
            path,
            user="bench",
            today=date(2026, 11, 23),
            now=datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
            progress=lambda step, done, total: steps.append((step, done, total)),
        )
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    finally:
        database.close()
    if report.problems or not report.written:
        raise RuntimeError(f"{path.name} did not import: {report.problems[:3]}")
    return {
        "seconds": seconds,
        "cpu": cpu,
        "cards": report.added,
        "progress_calls": len(steps),
        "saving_reached": any(s == "saving" and d == t for s, d, t in steps),
    }


def measure(folder: Path, rows: int, log: Log, runs: int = 3) -> dict[str, Any]:
    """Every layout's import time and its ratio to the plain CSV's.

    The machine is shared, so each layout's imports alternate with imports of the plain
    CSV and its ratio is the median of its own runs over the median of the plain runs
    next to them; CPU seconds are reported too (they do not count time spent waiting
    for a core).
    """
    files = folder / "import-files"
    files.mkdir(exist_ok=True)
    log(f"import files of {rows:,} contacts")
    baseline_file = plain(files / "plain", rows)
    layouts = {name: make(files / make.__name__, rows) for name, make in LAYOUTS.items()}
    empty = empty_database(folder)
    log("imports")
    results: dict[str, Any] = {"rows": rows, "runs": runs, "layouts": {}}
    all_plain: list[dict[str, Any]] = []
    for name, path in layouts.items():
        pairs = [
            (time_import(baseline_file, folder, empty), time_import(path, folder, empty))
            for _ in range(runs)
        ]
        all_plain.extend(base for base, _ in pairs)
        base = statistics.median(b["seconds"] for b, _ in pairs)
        base_cpu = statistics.median(b["cpu"] for b, _ in pairs)
        median = statistics.median(s["seconds"] for _, s in pairs)
        cpu = statistics.median(s["cpu"] for _, s in pairs)
        first = pairs[0][1]
        results["layouts"][name] = {
            "median_s": round(median, 2),
            "plain_median_s": round(base, 2),
            "ratio": round(median / base, 2),
            "cpu_s": round(cpu, 2),
            "cpu_ratio": round(cpu / base_cpu, 2),
            "cards": first["cards"],
            "progress_calls": first["progress_calls"],
            "met": median / base <= RATIO_BUDGET and first["saving_reached"],
        }
        log(f"  {name}: {median:.2f} s, {median / base:.2f}x (CPU {cpu / base_cpu:.2f}x)")
    results["plain CSV"] = {
        "median_s": round(statistics.median(p["seconds"] for p in all_plain), 2),
        "cpu_s": round(statistics.median(p["cpu"] for p in all_plain), 2),
    }
    return results


def print_report(results: dict[str, Any], out: Any = sys.stdout) -> None:
    base = results["plain CSV"]
    print(
        f"\nImports of {results['rows']:,} contacts (medians of {results['runs']}, each next to "
        f"as many plain CSV imports: {base['median_s']:.2f} s, CPU {base['cpu_s']:.2f} s; "
        f"budget {RATIO_BUDGET:g}x)",
        file=out,
    )
    print(f"  {'layout':<28} {'seconds':>8} {'ratio':>6} {'CPU':>6}  cards     verdict", file=out)
    for name, row in results["layouts"].items():
        verdict = "met" if row["met"] else "MISSED"
        print(
            f"  {name:<28} {row['median_s']:>8.2f} {row['ratio']:>5.2f}x {row['cpu_ratio']:>5.2f}x"
            f"  {row['cards']:<9,} {verdict}",
            file=out,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.imports", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--rows", type=int, default=100_000, help="contacts per file")
    parser.add_argument("--runs", type=int, default=3, help="imports per layout (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-imports-") as tmp:
        results = measure(
            Path(tmp), args.rows, lambda m: print(m, file=sys.stderr, flush=True), args.runs
        )
    print_report(results)
    return 0 if all(row["met"] for row in results["layouts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
