"""`pipeline-tui log -`: capture an email, a vCard or an .ics invite piped in.

Formats and why these readers:

- Email (RFC 5322 / RFC 822, MIME): the standard library's `email` package with
  `policy.default`, which decodes RFC 2047 encoded words, unfolds headers, decodes
  quoted-printable and base64 bodies and parses address lists; mutt's and aerc's
  pipes, Apple Mail's .eml and Gmail's "Show original" are all plain RFC 5322. An mbox
  "From " line at the top (mutt with an mbox folder) is skipped. A message with a
  text/calendar part is an invite; one with a text/vcard part, a contact card.
- iCalendar (RFC 5545): the `icalendar` library, which handles folding, parameters,
  time zones (VTIMEZONE and TZID) and all-day dates.
- vCard (RFC 2426 3.0, RFC 6350 4.0, and 2.1 as Outlook and Android still write it):
  read by `import`'s own reader (pipeline_tui.domain.importing), see `parse_vcards`,
  so a card piped in keeps what importing the .vcf keeps.
"""

from __future__ import annotations

import argparse
import codecs
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from typing import TYPE_CHECKING, Any, TextIO

from pipeline_tui.cli import UsageError, today
from pipeline_tui.config import Config
from pipeline_tui.domain.capture import (
    SEQUENCE_MAX,
    Captured,
    CaptureResult,
    Logged,
    Person,
    already_logged,
)
from pipeline_tui.domain.dates import EARLIEST_PAST_DATE
from pipeline_tui.domain.importing.contacts import contact_reader
from pipeline_tui.domain.importing.encoding import wide_as_utf8
from pipeline_tui.domain.importing.errors import ImportFileError, RowProblem
from pipeline_tui.domain.importing.files import read_contacts
from pipeline_tui.domain.importing.table import Table
from pipeline_tui.domain.importing.vcard import MULTI
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.limits import FIELD_LIMITS, clip
from pipeline_tui.domain.text import clean_line, clean_text

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService

MAX_INPUT = 50 * 1024 * 1024
"""Anything bigger on stdin is not one email, card or invite."""


class CaptureError(ValueError):
    """Input that is not an email, a vCard or an invite; one sentence."""


def read_captured(data: bytes, day: date) -> Captured:
    """What `data` is, and whom it concerns; CaptureError if it is none of the three."""
    # A vCard or an invite saved as UTF-16 (Outlook's "Unicode") was "not a vCard".
    data = wide_as_utf8(data)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:200].upper()
    if not head:
        raise CaptureError("Nothing came in on stdin; pipe in an email, a vCard or an .ics file.")
    if head.startswith(b"BEGIN:VCARD"):
        captured = contact_card(data, day)
    elif head.startswith(b"BEGIN:VCALENDAR"):
        captured = invite(data, day, None)
    else:
        captured = email_message(data, day)
    return replace(captured, read_on=day)


# Email -----------------------------------------------------------------------------------


WRITTEN_YEAR = re.compile(r"(?<![\d:+])(?<!\s-)(\d{4})(?![\d:])")
"""Four digits in a Date header that are not part of its time or its zone (`+0000`,
` -0800`): its year, in any layout Python's email package reads (RFC 5322 `1 Jan 0001`,
RFC 850 `01-Jan-0001`, asctime `Jan  1 09:00:00 0001`)."""
COMMENT = re.compile(r"\([^()]*\)")
MBOX_SEPARATOR = re.compile(rb"(?:\A|\n\n)From \S+ +[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d")
"""The line that starts each message of an mbox (RFC 4155): after a blank line, "From ",
an address and an asctime date. A body line such as "From what I can tell ..." is none
(a message kept in a Maildir or on IMAP has such lines unescaped)."""


def email_message(data: bytes, day: date) -> Captured:
    if data.startswith(b"From "):  # an mbox separator line, not a header
        messages = len(MBOX_SEPARATOR.findall(data))
        if messages > 1:
            # All but the first were dropped without a word (mutt pipes tagged mails as
            # one mbox unless pipe_split is set).
            raise CaptureError(
                f"stdin holds {messages} messages (an mbox); log - takes one at a time: "
                "in mutt, set pipe_split=yes to pipe each tagged message on its own."
            )
        data = data.split(b"\n", 1)[1] if b"\n" in data else b""
    message = BytesParser(policy=policy.default).parsebytes(data)
    assert isinstance(message, EmailMessage)
    sender = _first(_people(message, "from"))
    if not message.get("date", message.get("subject")) or not message.get("from"):
        raise CaptureError(
            "stdin is not an email (no From, Date or Subject header), a vCard or an .ics invite."
        )
    if sender is None:
        raise CaptureError(
            "The email's From has no address (it reads "
            f"{clean_line(str(message.get('from', '')))[:60]!r}), so there is no one to log "
            "it on; nothing was logged."
        )
    recipients = tuple(p for p in _people(message, "to") if not _automatic(p))
    origin = _message_id(message)
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "text/calendar":
            # An invite names its people itself (ORGANIZER), from whatever address the
            # calendar mailed it (Zoom's no-reply, say).
            sent = invite(_part_bytes(part), day, None if _automatic(sender) else sender)
            # The UID names the invite however it comes in (an .ics, or mailed).
            return sent if sent.origin else replace(sent, origin=origin)
        if kind in ("text/vcard", "text/x-vcard", "text/directory"):
            return replace(contact_card(_part_bytes(part), day), origin=origin)
    if _automatic(sender):
        # A bounce or a newsletter made a lead called "mailer-daemon"; a no-reply
        # address often names the person to answer in Reply-To.
        answer = _first(p for p in _people(message, "reply-to") if not _automatic(p))
        if answer is None:
            raise CaptureError(
                f"{sender.email} is an automatic sender (a bounce or a no-reply address), "
                "so there is no one to log it on; nothing was logged."
            )
        sender = answer
    subject = clean_line(next((str(v) for v in _headers(message, "subject")), ""))
    subject = subject or "(no subject)"
    sent_on, date_unread = _sent_on(message, day)
    return Captured(
        what="email",
        kind=TouchpointKind.EMAIL,
        happened_on=sent_on,
        date_unread=date_unread,
        # A subject is the sender's, not the rep's: cut to fit, not refused.
        summary=clip("touchpoint_summary", subject),
        sender=sender,
        recipients=recipients,
        delivered=any(message.get(h) for h in ("received", "delivered-to", "return-path")),
        origin=origin,
    )


def _message_id(message: EmailMessage) -> str:
    """The Message-ID (RFC 5322 3.6.4) as the item's origin: the same in the rep's
    mailbox, an .eml saved from it and the copy piped from mutt. "" if it has none."""
    try:
        value = str(message.get("message-id", "") or "")
    except (TypeError, ValueError, IndexError):  # a header the parser chokes on
        return ""
    found = clean_line(value).strip().strip("<>").strip()
    return f"message-id:{found}"[:1000] if found else ""


def _part_bytes(part: Any) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _people(message: EmailMessage, header: str) -> Iterator[Person]:
    for value in _headers(message, header):
        addresses: tuple[Address, ...] = getattr(value, "addresses", ())
        for address in addresses:
            email = clean_line(address.addr_spec)
            if "@" in email:
                yield Person(name=natural_order(clean_line(address.display_name)), email=email)


AUTOMATIC = re.compile(
    r"(mailer-daemon|postmaster|no[-_.]?reply\w*|do[-_.]?not[-_.]?reply\w*|bounces?|"
    r"notifications?)(\+.*)?",
    re.IGNORECASE,
)
"""The local part of an address no person reads: bounces and no-reply senders."""
COMPANY_WORDS = frozenset(
    [
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "llc",
        "llp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "bv",
        "nv",
        "oy",
        "ab",
        "co",
        "co.",
        "corp",
        "corp.",
        "pty",
        "jr",
        "jr.",
        "sr",
        "sr.",
        "ii",
        "iii",
        "iv",
    ]
)
"""Words after a comma that are not a first name ("Acme, Inc", "King, Jr.")."""


NAME_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ɏ\u1e00-\u1eff][A-Za-zÀ-ÖØ-öø-ɏ\u1e00-\u1eff'\u2019-]*")
"""A word of a Latin-script personal name: no dots, brackets, digits or CJK (written
family name first anyway)."""


def _automatic(person: Person) -> bool:
    return AUTOMATIC.fullmatch(person.email.rpartition("@")[0]) is not None


def natural_order(name: str) -> str:
    """Outlook and Exchange address books write "Weber, Klaus": the card is Klaus Weber.
    A name with one comma, a word or two on each side, none of them a company's."""
    last, comma, first = name.partition(",")
    last, first = last.strip(), first.strip()
    if not comma or "," in first or not last or not first:
        return name
    words = [*last.split(), *first.split()]
    if len(last.split()) > 2 or len(first.split()) > 2:
        return name
    if any(word.casefold() in COMPANY_WORDS or not NAME_WORD.fullmatch(word) for word in words):
        return name  # "Doe, John (Acme)", "Dr. Smith, John", "Jones, M.D.", "山田, 太郎"
    if any(word.isupper() for word in words):
        return name  # "Support, IT": a team, not a person
    return f"{first} {last}"


def _headers(message: EmailMessage, name: str) -> list[Any]:
    """The message's `name` headers, read as Python's email package reads them, but for
    raw 8-bit text in them (not RFC 2047 encoded, as many mailers send it): that is read
    as UTF-8, else in the message's declared charset, else as Windows-1252. The package
    read it as Latin-1 in an address ("JÃ¼rgen") and as UTF-8 in a subject ("Gr��e")."""
    found = []
    for key, raw in message.raw_items():
        if key.lower() != name:
            continue
        text = str(raw)
        if not any("\udc80" <= c <= "\udcff" for c in text):
            found.append(message.policy.header_fetch_parse(key, raw))
            continue
        data = text.encode("ascii", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode(_charset(message), errors="replace")
            except LookupError:  # charset="hex": a codec, but not of text
                text = data.decode("windows-1252", errors="replace")
        # Unfolded as the package unfolds a header it reads: a continuation line's CR LF
        # left in an address was "address parts cannot contain CR or LF".
        found.append(policy.default.header_factory(key, re.sub(r"\r\n|\r|\n", "", text)))
    return found


def _charset(message: EmailMessage) -> str:
    """The charset for 8-bit header text that is not UTF-8: the message's declared one,
    unless that says nothing (ASCII, UTF-8: the bytes are neither), else Windows-1252."""
    declared = message.get_content_charset() or "windows-1252"
    try:
        name = codecs.lookup(declared).name
    except LookupError:
        return "windows-1252"
    # Latin-1 as mailers label it is Windows-1252 in practice (its quotes, its euro).
    if name in ("iso8859-1", "ascii", "utf-8"):
        return "windows-1252"
    return declared


def _first(people: Iterator[Person]) -> Person | None:
    return next(people, None)


def _sent_on(message: EmailMessage, day: date) -> tuple[date, str]:
    """The day the message was sent, in the rep's zone, and "" ; or today and its Date
    as written, when that names no day that can be taken (a broken header, or one
    before 1900: no touchpoint is that old, and one typed so is refused). It was logged
    on today without a word."""
    raw = next((str(value) for name, value in message.raw_items() if name.lower() == "date"), "")
    moment = getattr(message.get("date"), "datetime", None)
    if not isinstance(moment, datetime):
        moment = _lenient_moment(raw)  # "1 Dec 2026", "2026-12-01T09:00:00Z"
        if moment is None:
            return day, clean_line(raw)
    elif f"{moment.year % 100:04d}" in WRITTEN_YEAR.findall(COMMENT.sub(" ", raw)):
        return day, clean_line(raw)  # 0001, which the email package read as 2001
    try:
        sent = moment.astimezone().date() if moment.tzinfo else moment.date()
    except (OverflowError, ValueError):  # the year 1 moved to another zone
        return day, clean_line(raw)
    if sent < EARLIEST_PAST_DATE or sent > day:  # (one still to come: a wrong clock)
        return day, clean_line(raw)
    return sent, ""


LENIENT_DATES = (
    "%d %b %Y",
    "%a, %d %b %Y",
    "%a %d %b %Y",
    "%d %B %Y",
    "%A, %d %B %Y",
    "%A %d %B %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d",
)
"""Dates some tools write in a Date header that RFC 5322's reader refuses."""


def _lenient_moment(raw: str) -> datetime | None:
    written = COMMENT.sub(" ", raw).strip()
    try:
        return datetime.fromisoformat(written)
    except ValueError:
        pass
    for layout in LENIENT_DATES:
        try:
            return datetime.strptime(written, layout)
        except ValueError:
            continue
    return None


# iCalendar -------------------------------------------------------------------------------------


def invite(data: bytes, day: date, sender: Person | None) -> Captured:
    from icalendar import Calendar

    try:
        calendar = Calendar.from_ical(data)
    except ValueError:
        # icalendar's own words quote the raw bytes ("Found no components ... b'BEGIN:").
        raise CaptureError(
            "The invite could not be read: it is not a complete iCalendar file."
        ) from None
    events = calendar.walk("VEVENT")
    if not events:
        raise CaptureError("The .ics file holds no event.")
    # A meeting series sends its moved occurrences as more events with the same UID;
    # events with different UIDs are different meetings, of which all but the first
    # were dropped without a word (two invites in one file, a calendar export).
    meetings = {clean_line(str(e.get("UID", ""))) or f"#{n}" for n, e in enumerate(events)}
    if len(meetings) > 1:
        raise CaptureError(
            f"The .ics file holds {len(meetings)} different events; log - takes one "
            "invite at a time, so nothing was logged."
        )
    event = events[0]
    title = clean_line(str(event.get("SUMMARY", ""))) or "Meeting"
    start = event.decoded("DTSTART", None)
    if start is not None and not isinstance(start, date):
        # A start icalendar could not read (DTSTART:2026-12-10) was logged as today, and
        # its meeting became a next action due today.
        raise CaptureError(
            f"The invite's start ({clean_line(str(start))[:40]}) is not an iCalendar date "
            "or time, so nothing was logged."
        )
    when: date = day
    at = ""
    if isinstance(start, datetime):
        local = start.astimezone() if start.tzinfo else start
        when, at = local.date(), f" {local:%H:%M}"
    elif isinstance(start, date):
        when = start
    organiser = _calendar_person(event.get("ORGANIZER")) or sender
    attendees = event.get("ATTENDEE", [])
    if not isinstance(attendees, list):
        attendees = [attendees]
    # A meeting room or a projector booked with the meeting (RFC 5545 3.2.3 CUTYPE)
    # is no one to call: it came in as a lead, "Board Room 4.01", with a next action.
    attendees = [
        a
        for a in attendees
        if str(getattr(a, "params", {}).get("CUTYPE", "")).upper() not in ("ROOM", "RESOURCE")
    ]
    people = tuple(p for p in (_calendar_person(a) for a in attendees) if p is not None)
    method = str(calendar.get("METHOD", "")).upper()
    cancelled = method == "CANCEL" or str(event.get("STATUS", "")).upper() == "CANCELLED"
    # The other side's answer (RFC 5546 REPLY): declined, the meeting is off as a
    # cancellation is; it was refused as the invite "already logged".
    declining = tuple(
        person.email
        for attendee, person in ((a, _calendar_person(a)) for a in attendees)
        if person is not None
        and str(getattr(attendee, "params", {}).get("PARTSTAT", "")).upper() == "DECLINED"
    )
    # A REPLY carries only the attendees who answer: the meeting is off for them.
    declined = method == "REPLY" and bool(declining)
    cancelled = cancelled or declined
    if start is None and not cancelled and method != "REPLY":
        # RFC 5545 3.6.1: a VEVENT has a DTSTART unless a METHOD says otherwise (iTIP's
        # CANCEL, REPLY). Without one, the meeting was logged on today and became a
        # next action due today.
        raise CaptureError("The invite says no start (DTSTART), so nothing was logged.")
    if cancelled:  # Outlook and Exchange put "Canceled: " before the title, Google "Declined: "
        title = re.sub(r"^(cancell?ed|declined):\s*", "", title, flags=re.IGNORECASE) or "Meeting"
    stamp = f"{when:%a} {when.day} {when:%b}{at}"
    said = "Declined" if declined else "Cancelled" if cancelled else "Invite"
    # A title is the organiser's, not the rep's: cut to fit, not refused.
    room = FIELD_LIMITS["touchpoint_summary"].chars - len(f"{said}:  ({stamp})")
    summary = f"{said}: {title if len(title) <= room else title[: room - 1] + '…'} ({stamp})"
    upcoming = when >= day and not cancelled
    uid = clean_line(str(event.get("UID", "")))
    origin = ""
    if uid:
        # One occurrence of a recurring meeting is an item of its own (RFC 5545 3.8.4.4).
        occurrence = event.get("RECURRENCE-ID")
        origin = f"uid:{uid}"
        if occurrence is not None:
            origin += f";recurrence-id={clean_line(occurrence.to_ical().decode())}"
    return Captured(
        what="invite",
        kind=TouchpointKind.MEETING,
        happened_on=min(when, day),
        summary=summary,
        sender=organiser,
        recipients=tuple(p for p in people if organiser is None or p.email != organiser.email),
        next_step=(clip("next_action", f"Meeting: {title}"), when) if upcoming else None,
        origin=origin[:1000],
        sequence=_sequence(event.get("SEQUENCE")),
        cancelled=cancelled,
        declined_by=declining if declined else (),
        meeting=f"{title} ({stamp})",
    )


def _sequence(value: Any) -> int:
    """SEQUENCE (RFC 5545 3.8.7.4): 0 when absent or not a number. A huge one (seen
    in generated invites) failed to store, with a traceback: it is capped."""
    try:
        return min(max(int(str(value if value is not None else 0)), 0), SEQUENCE_MAX)
    except ValueError:
        return 0


def _calendar_person(value: Any) -> Person | None:
    if value is None:
        return None
    address = str(value)
    if address.lower().startswith("mailto:"):
        address = address[7:]
    name = ""
    params = getattr(value, "params", None)
    if params is not None:
        name = str(params.get("CN", ""))
    email = clean_line(address)
    if "@" not in email:
        return None
    return Person(name=clean_line(name.strip('"')), email=email)


# vCard -------------------------------------------------------------------------------------------

_NAME_COLUMNS = ("Full name", "First name", "Middle name", "Last name", "Organisation")


def contact_card(data: bytes, day: date) -> Captured:
    people = tuple(parse_vcards(data, day))
    if not people:
        raise CaptureError("The vCard names nobody (no FN, N or EMAIL).")
    return Captured(
        what="contact",
        kind=TouchpointKind.EVENT,
        happened_on=day,
        summary="Exchanged contact cards",
        sender=None,
        recipients=people,
    )


def parse_vcards(data: bytes, day: date) -> Iterator[Person]:
    """Each contact in a vCard file (2.1, 3.0 or 4.0), read as `import` reads a .vcf:
    its name, organisation, first email and phone, tags, NOTE, and in an "Imported
    fields" note the rest (job title, more emails and phones, address, department...).
    A contact with an email and no name is kept (the card is named after the email);
    one with neither is no one."""
    try:
        table = read_contacts(data, ".vcf")
    except ImportFileError as error:
        why = str(error)
        raise CaptureError(f"The vCard could not be read: {why[:1].lower()}{why[1:]}.") from None
    if not isinstance(table, Table):  # a text/vcard part holding JSON
        raise CaptureError("The vCard names nobody (no FN, N or EMAIL).")
    named = [table.headers.index(header) for header in _NAME_COLUMNS]
    email_at = table.headers.index("Email")
    rows: list[tuple[int, list[str]]] = []
    nameless: set[int] = set()
    for line, cells in table.rows:
        email = cells[email_at].split(MULTI)[0].strip()
        if not any(cells[i].strip() for i in named):
            if "@" not in email:
                continue
            cells = list(cells)
            cells[named[0]] = email.split("@")[0]
            nameless.add(line)
        rows.append((line, cells))
    table = replace(table, rows=rows)
    now = datetime.combine(day, datetime.min.time(), UTC)
    _, reader = contact_reader(table, today=day, now=now, user="")
    for number, (line, cells) in enumerate(rows, 1):
        card = reader.read(line, cells)
        if card is None:  # (a workbook's row of formulas only: never in a vCard)
            continue
        if isinstance(card, RowProblem):
            raise CaptureError(f"Contact {number} of the vCard cannot be read: {card.reason}.")
        addresses = (part.strip() for part in cells[email_at].split(MULTI))
        yield Person(
            name="" if line in nameless else card.name,
            email=card.email,
            other_emails=tuple(a for a in addresses if "@" in a and a != card.email),
            organisation=card.organisation,
            phone=card.phone,
            tags=card.tags,
            notes=tuple(note.body for note in card.notes),
        )


# The command ------------------------------------------------------------------------------------


def run(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    if args.summary or args.kind or args.on != "today":
        raise UsageError("log - takes no SUMMARY, --kind or --on: it reads them from stdin.")
    if sys.stdin is None or sys.stdin.isatty():  # None: stdin closed (<&-)
        raise UsageError("log - reads an email, a vCard or an .ics file on stdin; pipe one in.")
    data = sys.stdin.buffer.read(MAX_INPUT + 1)
    if len(data) > MAX_INPUT:
        raise UsageError("stdin holds more than 50 MB; that is not one email, card or invite.")
    try:
        captured = read_captured(data, today())
    except CaptureError as error:
        raise UsageError(str(error)) from None
    if captured.date_unread:
        print(
            f"Its date ({captured.date_unread[:60]}) names no past day that can be read; "
            f"taken as {captured.happened_on.isoformat()}, the day it was piped in.",
            file=sys.stderr,
        )
    if args.dry_run:
        from pipeline_tui.store import AlreadyLogged

        try:
            plan = service.plan_capture(captured, config.user_emails)
        except AlreadyLogged as refused:
            return _describe(captured, [], out, args, logged=refused.logged)
        return _describe(captured, plan, out, args)
    results = service.capture(captured, config.user_emails)
    if captured.cancelled and args.format != "json":
        _print_cancelled(captured, results, out, dry_run=False)
        return 0
    if args.format == "json":
        records = [
            {
                "card_id": r.card_id,
                "name": clean_line(r.card_name),
                "created": r.created,
                "kind": captured.kind.value,
                "on": captured.happened_on.isoformat(),
                "summary": r.summary,
                "next_action_set": r.next_step_set,
                "updated": r.updated,
                "next_action_cleared": r.cleared,
            }
            for r in results
        ]
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0 if results or captured.cancelled else 1
    if not results:
        print(f"The {captured.what} names nobody but you; nothing was logged.", file=sys.stderr)
        return 1
    _print_results(captured, results, out, dry_run=False)
    return 0


def _print_results(
    captured: Captured, results: list[CaptureResult], out: TextIO, *, dry_run: bool
) -> None:
    """A line a card: the touchpoint logged on it, or the lead added (dry run: what
    would be)."""
    article = "an" if captured.kind.label[0].lower() in "aeiou" else "a"
    what = f"{article} {captured.kind.label.lower()}"
    added, logged = ("Would add", "Would log") if dry_run else ("Added", "Logged")
    for r in results:
        name = clean_line(r.card_name)
        if r.updated:
            updated = "Would update" if dry_run else "Updated"
            print(
                f"{updated} the {captured.kind.label.lower()} on {name} (card {r.card_id}), "
                f"no second touchpoint: {r.summary}",
                file=out,
            )
        elif r.created:
            lead = "a new lead" if dry_run else f"a lead (card {r.card_id})"
            print(f"{added} {name} as {lead} with {what}: {r.summary}", file=out)
            if r.archived_card is not None:
                print(
                    f"  Their address is on archived card {r.archived_card} too (its history "
                    "is there).",
                    file=out,
                )
        else:
            print(f"{logged} {what} on {name} (card {r.card_id}): {r.summary}", file=out)
        if r.next_step_set and captured.next_step is not None:
            step, due = captured.next_step
            print(f"  Next for {name}: {clean_line(step)}, due {due.isoformat()}.", file=out)


def _print_cancelled(
    captured: Captured, results: list[CaptureResult], out: TextIO, *, dry_run: bool
) -> None:
    """A cancelled invite: the next actions it set cleared, or that it was cancelled."""
    meeting = clean_line(captured.meeting)
    why = "declined" if captured.declined_by else "cancelled"
    for r in results:
        cleared = "Would clear" if dry_run else "Cleared"
        print(
            f"{cleared} the next action of {clean_line(r.card_name)} (card {r.card_id}), "
            f"{clean_line(r.summary)}: the meeting {meeting} was {why}.",
            file=out,
        )
    if not results:
        would = "would be" if dry_run else "was"
        print(f"The meeting {meeting} was {why}; nothing {would} logged.", file=out)


def _describe(
    captured: Captured,
    plan: list[CaptureResult],
    out: TextIO,
    args: argparse.Namespace,
    *,
    logged: tuple[Logged, ...] = (),
) -> int:
    """The dry run: what was read, and the cards it would be logged on (or where it was
    logged before)."""
    people = ([captured.sender] if captured.sender else []) + list(captured.recipients)
    if args.format == "json":
        record = {
            "what": captured.what,
            "kind": captured.kind.value,
            "on": captured.happened_on.isoformat(),
            "summary": clean_text(captured.summary),
            "from": _person_record(captured.sender) if captured.sender else None,
            "to": [_person_record(p) for p in captured.recipients],
            "cards": [
                {
                    "card_id": None if r.created else r.card_id,
                    "name": clean_line(r.card_name),
                    "created": r.created,
                    "next_action_set": r.next_step_set,
                }
                for r in plan
            ],
            "already_logged": [
                {"card_id": item.card_id, "name": clean_line(item.card_name), "on": str(item.on)}
                for item in logged
            ],
        }
        json.dump(record, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0 if plan or captured.cancelled else 1
    print(
        f"Read {captured.what}: {captured.kind.label.lower()} on {captured.happened_on}: "
        f"{clean_line(captured.summary)}",
        file=out,
    )
    for person in people:
        print(f"  {_person_line(person)}", file=out)
    if logged:
        print(f"{already_logged(logged)}; nothing would be logged.", file=out)
    elif captured.cancelled:
        _print_cancelled(captured, plan, out, dry_run=True)
    elif plan:
        _print_results(captured, plan, out, dry_run=True)
    else:
        print(f"The {captured.what} names nobody but you; nothing would be logged.", file=out)
    print("Nothing was written (dry run).", file=out)
    return 0 if plan or captured.cancelled else 1


def _person_record(person: Person) -> dict[str, str]:
    return {
        "name": person.name,
        "email": person.email,
        "organisation": person.organisation,
        "phone": person.phone,
    }


def _person_line(person: Person) -> str:
    parts = [person.name or "(no name)"]
    if person.email:
        parts.append(f"<{person.email}>")
    if person.organisation:
        parts.append(f"({person.organisation})")
    return " ".join(parts)
