"""Reading contacts from a CRM or spreadsheet export: headers, stage names, one row each.

Plain Python; the store turns the result into cards (pipeline_tui.store.exchange).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from pipeline_tui.domain.cards import CardDraft, CardFormError
from pipeline_tui.domain.dates import DueDateError, parse_due
from pipeline_tui.domain.kinds import ArchiveReason, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text, split_tags


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; one sentence that says why."""


FIELDS: dict[str, str] = {
    "name": "full name",
    "first_name": "first name",
    "last_name": "last name",
    "organisation": "company or organisation",
    "email": "email address",
    "phone": "phone number",
    "job_title": "job title (kept in a general note)",
    "stage": "lifecycle or deal stage",
    "owner": "the rep the card belongs to",
    "source": "lead source (first touchpoint)",
    "notes": "notes (kept in a general note)",
    "tags": "tags, comma- or space-separated",
    "next_action": "next action",
    "due": "next action due date",
    "ignore": "leave this column out",
}
"""What a column can be mapped to with --map COLUMN=field."""


def _key(text: str) -> str:
    """A header or stage name compared loosely: "E-mail Address" -> "emailaddress"."""
    return "".join(ch for ch in text.lower() if ch.isalnum())


_HEADERS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "fullname",
        "contactname",
        "contact",
        "person",
        "personname",
        "displayname",
        "leadname",
        "customername",
        "clientname",
    ),
    "first_name": ("firstname", "first", "givenname", "forename", "vorname", "prenom"),
    "last_name": ("lastname", "last", "surname", "familyname", "nachname", "nom"),
    "organisation": (
        "organisation",
        "organization",
        "org",
        "company",
        "companyname",
        "account",
        "accountname",
        "business",
        "businessname",
        "employer",
        "organisationname",
        "organizationname",
        "firma",
    ),
    "email": (
        "email",
        "emailaddress",
        "mail",
        "workemail",
        "primaryemail",
        "businessemail",
        "email1",
        "emailaddress1",
    ),
    "phone": (
        "phone",
        "phonenumber",
        "telephone",
        "tel",
        "mobile",
        "mobilephone",
        "mobilephonenumber",
        "cell",
        "workphone",
        "businessphone",
        "primaryphone",
        "phone1",
    ),
    "job_title": ("jobtitle", "title", "position", "role", "jobrole"),
    "stage": (
        "stage",
        "lifecyclestage",
        "dealstage",
        "status",
        "leadstatus",
        "pipelinestage",
        "salesstage",
        "opportunitystage",
    ),
    "owner": (
        "owner",
        "contactowner",
        "leadowner",
        "accountowner",
        "dealowner",
        "salesrep",
        "rep",
        "assignedto",
    ),
    "source": (
        "source",
        "leadsource",
        "originalsource",
        "contactsource",
        "channel",
        "howdidyouhearaboutus",
    ),
    "notes": ("notes", "note", "description", "comments", "comment", "remarks", "about"),
    "tags": ("tags", "tag", "labels", "label"),
    "next_action": ("nextaction", "nextstep", "nextsteps", "followup", "todo"),
    "due": ("due", "duedate", "nextactiondue", "followupdate", "nextstepdate"),
}
HEADER_FIELDS: dict[str, str] = {alias: f for f, aliases in _HEADERS.items() for alias in aliases}


_STAGE_NAMES: dict[Stage, tuple[str, ...]] = {
    Stage.LEAD: (
        "lead",
        "leads",
        "subscriber",
        "newlead",
        "new",
        "mql",
        "marketingqualifiedlead",
        "marketingqualified",
        "open",
        "contacted",
        "attemptedtocontact",
        "other",
        "cold",
        "inquiry",
        "enquiry",
    ),
    Stage.PROSPECT: (
        "prospect",
        "prospects",
        "prospecting",
        "sql",
        "salesqualifiedlead",
        "salesqualified",
        "opportunity",
        "qualified",
        "qualification",
        "qualifiedtobuy",
        "appointmentscheduled",
        "presentationscheduled",
        "decisionmakerboughtin",
        "contractsent",
        "proposal",
        "proposalsent",
        "proposalpricequote",
        "negotiation",
        "negotiationreview",
        "needsanalysis",
        "valueproposition",
        "iddecisionmakers",
        "perceptionanalysis",
        "demo",
        "trial",
        "inprogress",
        "engaged",
    ),
    Stage.CLIENT: (
        "client",
        "clients",
        "customer",
        "customers",
        "won",
        "closedwon",
        "active",
        "activecustomer",
        "converted",
        "buyer",
        "purchased",
        "paying",
    ),
    Stage.REPEAT: (
        "repeat",
        "referral",
        "repeatreferral",
        "evangelist",
        "advocate",
        "repeatcustomer",
        "repeatbuyer",
        "promoter",
        "ambassador",
        "referrer",
        "loyal",
    ),
}
STAGE_NAMES: dict[str, Stage] = {
    name: stage for stage, names in _STAGE_NAMES.items() for name in names
}
# Stages that mean the deal is over: imported as archived cards, so nothing is lost.
CLOSED_STAGES: dict[str, tuple[Stage, ArchiveReason]] = {
    "lost": (Stage.PROSPECT, ArchiveReason.LOST),
    "closedlost": (Stage.PROSPECT, ArchiveReason.LOST),
    "unqualified": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "disqualified": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "notafit": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "badfit": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "junk": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
}

# Lead-source words, checked in this order against the loosened source text.
_SOURCE_WORDS: tuple[tuple[TouchpointKind, tuple[str, ...]], ...] = (
    (TouchpointKind.REFERRAL, ("referral", "referred", "wordofmouth", "recommend")),
    (TouchpointKind.FOLLOW_UP, ("followup",)),
    (
        TouchpointKind.SIGNUP,
        ("signup", "newsletter", "download", "ebook", "whitepaper", "subscri", "form"),
    ),
    (TouchpointKind.SAMPLE, ("sample", "trial", "demo")),
    (
        TouchpointKind.SOCIAL,
        ("social", "facebook", "linkedin", "twitter", "instagram", "tiktok", "youtube"),
    ),
    (
        TouchpointKind.EVENT,
        ("event", "tradeshow", "conference", "webinar", "meetup", "expo", "fair", "card"),
    ),
    (TouchpointKind.MEETING, ("meeting",)),
    (TouchpointKind.CALL, ("call", "phone", "telephone")),
    (TouchpointKind.EMAIL, ("email", "mail", "outbound")),
    (TouchpointKind.CONTENT, ("content", "blog", "organic", "seo", "search", "website", "web")),
    (TouchpointKind.CONVERSATION, ("conversation", "chat", "walkin", "talk")),
)


@lru_cache(maxsize=4096)
def stage_from_text(text: str) -> tuple[Stage, ArchiveReason | None] | None:
    """The stage a CRM stage name means (and an archive reason for closed deals)."""
    key = _key(text)
    if not key:
        return Stage.LEAD, None
    if key in STAGE_NAMES:
        return STAGE_NAMES[key], None
    return CLOSED_STAGES.get(key)


@lru_cache(maxsize=4096)
def source_from_text(text: str) -> TouchpointKind | None:
    key = _key(text)
    if not key:
        return None
    for kind in TouchpointKind:
        if key == _key(kind.value):
            return kind
    for kind, words in _SOURCE_WORDS:
        if any(word in key for word in words):
            return kind
    return None


# Columns -----------------------------------------------------------------------------------


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """--map "COLUMN=field" options, as {loosened column name: field}."""
    mapping: dict[str, str] = {}
    for item in items:
        column, equals, target = item.rpartition("=")
        target = target.strip().lower().replace("-", "_").replace(" ", "_")
        if not equals or not column.strip():
            raise ImportFileError(
                f"--map {item!r} must look like COLUMN=field, e.g. 'Firma=organisation'"
            )
        if target == "organization":
            target = "organisation"
        if target not in FIELDS:
            raise ImportFileError(
                f"--map {item!r} names an unknown field {target!r}; choose one of "
                + ", ".join(FIELDS)
            )
        mapping[_key(column)] = target
    return mapping


@dataclass(frozen=True)
class Columns:
    """Which column (by index) holds which field; the rest are listed as unused."""

    fields: dict[int, str]
    unused: tuple[str, ...]
    width: int


def map_columns(headers: Sequence[str], overrides: Mapping[str, str] | None = None) -> Columns:
    overrides = overrides or {}
    fields: dict[int, str] = {}
    taken: set[str] = set()
    unused: list[str] = []
    unknown = set(overrides) - {_key(h) for h in headers}
    if unknown:
        raise ImportFileError(
            f"--map names a column that is not in the file ({', '.join(sorted(unknown))}); "
            f"its columns are {', '.join(clean_line(h) for h in headers)}"
        )
    for index, header in enumerate(headers):
        key = _key(header)
        target = overrides.get(key) or HEADER_FIELDS.get(key)
        if target is None or target == "ignore" or (target in taken and target != "ignore"):
            if target != "ignore" and clean_line(header):
                unused.append(clean_line(header))
            continue
        fields[index] = target
        taken.add(target)
    if not taken & {"name", "first_name", "last_name"}:
        raise ImportFileError(
            "No column holds names (looked for name, full name, first name, last name...); "
            "say which does with --map COLUMN=name"
        )
    return Columns(fields, tuple(unused), len(headers))


# Rows --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportedCard:
    """One contact from the file, cleaned and checked, ready to become a card."""

    line: int
    draft: CardDraft
    stage: Stage
    archive_reason: ArchiveReason | None = None
    owner: str = ""
    source: TouchpointKind | None = None
    note: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: str


def read_row(
    values: Sequence[str], columns: Columns, line: int, today: date
) -> ImportedCard | RowProblem:
    """A row as a card, or why it cannot be one (names the field)."""
    if any(cell.strip() for cell in values[columns.width :]):
        return RowProblem(
            line, f"it has {len(values)} cells but the header has {columns.width} columns"
        )
    cells: dict[str, str] = {}
    for index, target in columns.fields.items():
        cells[target] = values[index] if index < len(values) else ""
    name = clean_line(cells.get("name", ""))
    if not name:
        name = clean_line(f"{cells.get('first_name', '')} {cells.get('last_name', '')}")
    stage_text = clean_line(cells.get("stage", ""))
    stage = stage_from_text(stage_text)
    if stage is None:
        return RowProblem(
            line,
            f"unknown stage {stage_text!r} (use lead, prospect, client or repeat, "
            "or map the column with --map COLUMN=ignore)",
        )
    try:
        due = parse_due(cells.get("due", ""), today)
    except DueDateError:
        return RowProblem(line, f"the due date {clean_line(cells['due'])!r} is not a date")
    draft = CardDraft(
        name=name,
        organisation=cells.get("organisation", ""),
        email=cells.get("email", ""),
        phone=cells.get("phone", ""),
        tags=split_tags(cells["tags"]) if cells.get("tags") else (),
        next_action=cells.get("next_action", ""),
        next_action_due=due,
    )
    try:
        draft = draft.cleaned()
    except CardFormError as error:
        return RowProblem(line, _lower_first(str(error)).rstrip("."))
    source_text = clean_line(cells.get("source", ""))
    source = source_from_text(source_text)
    note_parts = []
    if title := clean_line(cells.get("job_title", "")):
        note_parts.append(f"Job title: {title}")
    if source_text and source is None:
        note_parts.append(f"Source: {source_text}")
    if notes := clean_text(cells.get("notes", "")).strip():
        note_parts.append(notes)
    return ImportedCard(
        line=line,
        draft=draft,
        stage=stage[0],
        archive_reason=stage[1],
        owner=clean_line(cells.get("owner", ""))[:200],
        source=source,
        note="\n\n".join(note_parts),
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


# The file ----------------------------------------------------------------------------------

csv.field_size_limit(16 * 1024 * 1024)


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the header line uses most (outside quotes)."""
    header = text.split("\n", 1)[0]
    header = re.sub(r'"[^"]*"', "", header)
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(text: str) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the rows, each with the line it starts on (quoted newlines count)."""
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportFileError("The file is empty")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text), strict=True)
    try:
        headers = next(reader)
    except csv.Error as error:
        raise ImportFileError(f"Line 1 cannot be read as CSV ({error})") from None

    def rows() -> Iterator[tuple[int, list[str]]]:
        start = reader.line_num + 1
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ImportFileError(f"Line {start} cannot be read as CSV ({error})") from None
            line, start = start, reader.line_num + 1
            if any(cell.strip() for cell in row):
                yield line, row

    return headers, rows()
