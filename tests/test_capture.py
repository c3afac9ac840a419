"""`pipeline-tui log -`: an email, a vCard or an .ics invite piped in becomes a
touchpoint on the right card, or a new lead.

Every fixture in tests/fixtures/capture is laid out as the program named in its file
name writes it; each test says where that layout comes from.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from datetime import date
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path
from typing import Any

import pytest

from pipeline_tui.cli import main
from pipeline_tui.domain.kinds import ArchiveReason, TouchpointKind
from pipeline_tui.shell.capture import CaptureError, natural_order, parse_vcards, read_captured
from pipeline_tui.store import PipelineService, open_database
from tests.conftest import TODAY

FIXTURES = Path(__file__).parent / "fixtures" / "capture"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


class _Stdin(io.TextIOWrapper):
    def isatty(self) -> bool:
        return False


def pipe(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(io.BytesIO(data)))


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())  # Monday 2026-11-23


@pytest.fixture
def db(tmp_path: Path, capsys: pytest.CaptureFixture[str], sqlite_template: Path) -> Path:
    """Ann Okafor (card 1, ann@brightwater.example) and Ben Hollis (card 2)."""
    path = Path(shutil.copy(sqlite_template, tmp_path / "capture.db"))
    assert main(["add", "Ann Okafor", "--email", "ann@brightwater.example", "--db", str(path)]) == 0
    assert main(["add", "Ben Hollis", "--db", str(path)]) == 0
    capsys.readouterr()
    return path


def capture(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    data: bytes,
    *extra: str,
) -> tuple[int, str, str]:
    pipe(monkeypatch, data)
    code = main(["log", "-", "--db", str(db), *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def cards(db: Path) -> dict[str, object]:
    database = open_database(str(db))
    try:
        service = PipelineService(database, "sam")
        return {card.name: service.card(card.id) for card in service.cards()}
    finally:
        database.close()


# Email ----------------------------------------------------------------------------------------


def test_a_received_email_from_mutt_is_logged_on_the_sender(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # mutt piping a message from an mbox folder: the mbox "From " line (RFC 4155), a
    # folded To header, an RFC 2047 encoded-word From (ISO-8859-1) and Subject (UTF-8),
    # and a multipart/alternative body in quoted-printable.
    code, out, err = capture(capsys, monkeypatch, db, fixture("mutt-mbox-received.eml"))
    assert (code, err) == (0, "")
    assert out == (
        "Added Jürgen Müller as a lead (card 3) with an email: "
        "Re: Quote for the second site \u2013 next steps\n"
    )
    jurgen = cards(db)["Jürgen Müller"]
    assert jurgen.email == "juergen@hollis.example"  # type: ignore[attr-defined]
    assert jurgen.source is TouchpointKind.EMAIL  # type: ignore[attr-defined]
    [touchpoint] = jurgen.touchpoints  # type: ignore[attr-defined]
    assert touchpoint.happened_on == date(2026, 11, 20)  # the Date header, not today
    # Ann was only copied: nothing is logged on her card.
    assert cards(db)["Ann Okafor"].touchpoints == ()  # type: ignore[attr-defined]


def test_a_long_subject_or_meeting_title_is_cut_to_fit_not_refused(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A 600-character subject (a forwarded chain's, or a newsletter's), or an invite
    titled at length, was refused: "The touchpoint summary can be at most 500
    characters", for text the rep never typed. It is cut to fit, the day kept."""
    long = "Quote " + "and the second site " * 30
    message = fixture("mutt-mbox-received.eml").replace(
        b"Subject: =?UTF-8?Q?Re:_Quote_for_the_second_site_=E2=80=93_next_steps?=",
        b"Subject: " + long.encode(),
    )
    code, out, err = capture(capsys, monkeypatch, db, message)
    assert (code, err) == (0, "")
    [touchpoint] = cards(db)["Jürgen Müller"].touchpoints  # type: ignore[attr-defined]
    assert len(touchpoint.summary) == 500 and touchpoint.summary.endswith("…")
    invite = fixture("outlook-invite.ics").replace(b"Quote review", b"Workshop " * 60, 1)
    code, out, err = capture(capsys, monkeypatch, db, invite)
    assert (code, err) == (0, ""), err
    assert "Workshop Workshop" in out and "…" in out and "(Tue 1 Dec 22:00)" in out


def test_a_lost_contact_writing_again_is_a_new_lead_and_the_archived_card_is_named(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """Ann, archived as lost, writes again: a new lead, as before, but nothing said her
    address was on the archived card, and `show ann@…` then refused: "2 cards match".
    The capture names the archived card, and `show` by the address means the one on
    the board."""
    database = open_database(str(db))
    try:
        PipelineService(database, "sam").archive_card(1, ArchiveReason.LOST)
    finally:
        database.close()
    capsys.readouterr()
    message = (
        b"From: Ann Okafor <ann@brightwater.example>\nTo: Sam Carter <sam@ourfirm.example>\n"
        b"Subject: Back again\nDate: Mon, 23 Nov 2026 08:00:00 +0000\n"
        b"Message-ID: <back@brightwater.example>\n\nHello again\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, message)
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Added Ann Okafor as a lead (card 3) with an email: Back again",
        "  Their address is on archived card 1 too (its history is there).",
    ]
    assert main(["show", "ann@brightwater.example", "--db", str(db)]) == 0
    assert "(card 3)" in capsys.readouterr().out.splitlines()[0]


def test_a_contact_card_whose_second_address_is_a_cards_is_logged_on_that_card(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A contact card listing a work address first and the home one a card already has
    (Apple and Google write the preferred one first, RFC 6350 6.4.2): a second card of
    the same person was added."""
    main(["add", "Jürgen Müller", "--email", "juergen@home.example", "--db", str(db)])
    capsys.readouterr()
    vcard = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Jürgen Müller\r\nORG:Bäckerei Müller\r\n"
        "EMAIL;TYPE=INTERNET,WORK,pref:juergen@baeckerei.example\r\n"
        "EMAIL;TYPE=INTERNET,HOME:juergen@home.example\r\nEND:VCARD\r\n"
    ).encode()
    code, out, err = capture(capsys, monkeypatch, db, vcard)
    assert (code, err) == (0, "")
    assert out.startswith("Logged an event / card exchange on Jürgen Müller (card 3)"), out
    database = open_database(str(db))
    try:
        assert len(PipelineService(database, "sam").cards()) == 3
    finally:
        database.close()


def test_a_contact_cards_other_phone_and_organisation_are_kept_in_its_note(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A walk: a contact card for a card that already had a phone and an organisation,
    both different: only its job title was kept, the new phone and organisation were
    nowhere (`import` of the same .vcf keeps them in the Imported fields note)."""
    dee = ["Dee Lin", "--email", "dee@lin.example", "--phone", "+44 20 7946 0000"]
    main(["add", *dee, "--org", "Lin Bakery", "--db", str(db)])
    capsys.readouterr()
    vcard = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dee Lin\r\nORG:Lin Dental\r\n"
        b"TITLE:CEO\r\nTEL;TYPE=CELL:+1 555 0100\r\n"
        b"EMAIL:dee@lin.example\r\nEND:VCARD\r\n"
    )
    code, _, err = capture(capsys, monkeypatch, db, vcard)
    assert (code, err) == (0, "")
    card: Any = cards(db)["Dee Lin"]
    assert (card.phone, card.summary.organisation) == ("+44 20 7946 0000", "Lin Bakery")
    [note] = [n.body for n in card.notes]
    assert note.startswith("Imported fields\n")
    for kept in ("Phone: +1 555 0100", "Organisation: Lin Dental", "CEO"):
        assert kept in note, note
    # The card's own number and organisation written otherwise are no news: no note.
    again = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Dee Lin\r\nORG:LIN BAKERY.\r\n"
        b"TEL:+44 (20) 7946-0000\r\nEMAIL:dee@lin.example\r\nEND:VCARD\r\n"
    )
    code, _, err = capture(capsys, monkeypatch, db, again)
    assert (code, err) == (0, "")
    assert [n.body for n in cards(db)["Dee Lin"].notes] == [note]  # type: ignore[attr-defined]


def test_a_message_the_rep_sent_is_logged_on_the_recipient(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    tmp_path: Path,
) -> None:
    # aerc's copy in the Sent folder (no Received header), format=flowed, QP soft breaks.
    config = tmp_path / "config.toml"
    config.write_text('[user]\nname = "sam"\nemail = "sam@ourfirm.example"\n')
    code, out, err = capture(
        capsys, monkeypatch, db, fixture("aerc-sent.eml"), "--config", str(config)
    )
    assert (code, err) == (0, "")
    assert out == "Logged an email on Ann Okafor (card 1): The checklist we talked about\n"
    [touchpoint] = cards(db)["Ann Okafor"].touchpoints  # type: ignore[attr-defined]
    assert (touchpoint.kind, touchpoint.happened_on) == (TouchpointKind.EMAIL, TODAY)
    # The colleague on Cc is not a prospect.
    assert set(cards(db)) == {"Ann Okafor", "Ben Hollis"}


def test_without_the_reps_address_a_sent_folder_copy_still_goes_to_the_recipient(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    code, out, _ = capture(capsys, monkeypatch, db, fixture("aerc-sent.eml"))
    assert code == 0 and out.startswith("Logged an email on Ann Okafor (card 1)")
    assert "Sam Carter" not in cards(db)


def test_an_apple_mail_message_from_someone_new_makes_a_lead(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Apple Mail's "Save As... Raw Message Source": folded Content-Type with the
    # Apple-Mail boundary, a base64 encoded-word Subject, a blank line before the parts.
    code, out, _ = capture(
        capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"), "--format", "json"
    )
    assert code == 0
    [result] = json.loads(out)
    assert result == {
        "card_id": 3,
        "name": "Chidi Eze",
        "created": True,
        "kind": "email",
        "on": "2026-11-22",
        "summary": "Introduction from Ben",
        "next_action_set": False,
        "updated": False,
        "next_action_cleared": False,
    }


def test_the_same_email_twice_is_logged_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Its Message-ID (RFC 5322 3.6.4) names the message wherever it is piped from.
    capture(capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"))
    code, out, err = capture(capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"))
    assert (code, out) == (1, "")
    assert err == (
        "pipeline-tui: error: Already logged on Chidi Eze (card 3) on 2026-11-23; "
        "nothing was logged.\n"
    )
    assert len(cards(db)["Chidi Eze"].touchpoints) == 1  # type: ignore[attr-defined]


def test_an_email_whose_touchpoint_was_deleted_is_logged_again(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """The rep deleted the touchpoint an email logged, and piped the email again: it
    was refused as "Already logged on Chidi Eze", with nothing of it on the card."""
    capture(capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"))
    database = open_database(str(db))
    try:
        service = PipelineService(database, "sam")
        [chidi] = [card for card in service.cards() if card.name == "Chidi Eze"]
        [touchpoint] = service.card(chidi.id).touchpoints
        service.delete_touchpoint(chidi.id, touchpoint.id)
    finally:
        database.close()
    code, out, _ = capture(
        capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"), "-n", "--format", "json"
    )
    assert (code, json.loads(out)["already_logged"]) == (0, [])
    code, out, err = capture(capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"))
    assert (code, err) == (0, "")
    assert len(cards(db)["Chidi Eze"].touchpoints) == 1  # type: ignore[attr-defined]
    code, out, err = capture(capsys, monkeypatch, db, fixture("apple-mail-new-person.eml"))
    assert code == 1 and "Already logged on Chidi Eze" in err  # and once only


def test_a_dry_run_says_the_email_was_logged_before(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    capture(capsys, monkeypatch, db, fixture("mutt-mbox-received.eml"))
    code, out, _ = capture(capsys, monkeypatch, db, fixture("mutt-mbox-received.eml"), "-n")
    assert code == 1
    assert out.splitlines()[-2:] == [
        "Already logged on Jürgen Müller (card 3) on 2026-11-23; nothing would be logged.",
        "Nothing was written (dry run).",
    ]
    code, out, _ = capture(
        capsys, monkeypatch, db, fixture("mutt-mbox-received.eml"), "-n", "--format", "json"
    )
    record = json.loads(out)
    assert (code, record["cards"]) == (1, [])
    assert record["already_logged"] == [{"card_id": 3, "name": "Jürgen Müller", "on": "2026-11-23"}]
    assert len(cards(db)["Jürgen Müller"].touchpoints) == 1  # type: ignore[attr-defined]


def test_an_email_without_a_message_id_is_logged_each_time(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # A hand-written message (RFC 5322 makes Message-ID optional): nothing tells two
    # pipes of it from two messages.
    email = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Date: Fri, 20 Nov 2026 09:00:00 +0000\n\nYes please.\n"
    )
    for _ in range(2):
        code, out, _ = capture(capsys, monkeypatch, db, email)
        assert code == 0 and out.startswith("Logged an email on Ann Okafor (card 1)")
    assert len(cards(db)["Ann Okafor"].touchpoints) == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "sent",
    [
        b"Mon, 01 Jan 1800 09:00:00 +0000",
        b"Mon, 01 Jan 0001 09:00:00 +0000",
        b"Mon, 01 Jan 0099 09:00:00 +0000",
        b"Monday, 01-Jan-0001 09:00:00 GMT",  # RFC 850
        b"Mon Jan  1 09:00:00 0001",  # asctime
        b"Mon, 01 January 0001 09:00:00 +0000",
    ],
)
def test_an_email_dated_before_1900_is_logged_on_the_day_it_is_piped(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path, sent: bytes
) -> None:
    # A broken Date header: the touchpoint was logged on 1800-01-01, a day `log --on`
    # refuses ("before 1900"). The year 0001 was logged in 2001: Python's email package
    # reads any year under 100 as RFC 5322's two-digit one (01 is 2001), however many
    # digits it was written with, in each layout it reads.
    email = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Date: " + sent + b"\n\nYes please.\n"
    )
    piped_on = TODAY
    code, out, _ = capture(capsys, monkeypatch, db, email)
    assert code == 0 and out.startswith("Logged an email on Ann Okafor (card 1)")
    touchpoints = cards(db)["Ann Okafor"].touchpoints  # type: ignore[attr-defined]
    assert [t.happened_on for t in touchpoints] == [piped_on]


@pytest.mark.parametrize(
    ("sent", "on"),
    [
        (b"20 Nov 2026", date(2026, 11, 20)),  # no time, as some scripts write it
        (b"2026-11-20T09:00:00Z", date(2026, 11, 20)),  # ISO 8601
        (b"Fri, 20 Nov 2026", date(2026, 11, 20)),
        (b"Friday, 20 November 2026", date(2026, 11, 20)),
        (b"garbage date", TODAY),
        (b"Fri, 20 Nov 2026 25:61:00 +2400", TODAY),
        (b"Tue, 29 Dec 2026 09:00:00 +0000", TODAY),  # still to come: a wrong clock
    ],
)
def test_a_date_rfc_5322_cannot_read_is_read_leniently_or_said_to_be_today(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    sent: bytes,
    on: date,
) -> None:
    """An email whose Date the email package could not read was logged on the day it
    was piped in, without a word (a walk: "1 Dec 2026" logged on 7 Dec)."""
    email = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Date: " + sent + b"\n\nYes please.\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert code == 0 and out.startswith("Logged an email on Ann Okafor (card 1)")
    touchpoints = cards(db)["Ann Okafor"].touchpoints  # type: ignore[attr-defined]
    assert [t.happened_on for t in touchpoints] == [on]
    if on == TODAY:
        assert sent.decode() in err and "the day it was piped in" in err
    else:
        assert err == ""


@pytest.mark.parametrize(
    ("sent", "on"),
    [
        (b"Mon, 1 Jan 01 09:00:00 +0000", date(2001, 1, 1)),  # RFC 5322's two-digit year
        (b"Fri, 20 Nov 2026 09:00:00 -0800 (PST 12 Nov 0100)", date(2026, 11, 20)),
        (b"Fri, 20 Nov 2026 09:00:00 +0000 (1 Jan " + b"1" * 5000 + b")", date(2026, 11, 20)),
    ],
)
def test_an_email_dated_with_a_two_digit_year_or_a_comment_keeps_its_day(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    sent: bytes,
    on: date,
) -> None:
    email = (
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Date: " + sent + b"\n\nYes please.\n"
    )
    code, _, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, "")
    touchpoints = cards(db)["Ann Okafor"].touchpoints  # type: ignore[attr-defined]
    assert [t.happened_on for t in touchpoints] == [on]


@pytest.mark.parametrize(
    "email",
    [
        # RFC 6532: UTF-8 right in the headers, as Gmail and Outlook send it to a
        # server that offers SMTPUTF8.
        "From: Jürgen Weiß <jw@brightwater.example>\nSubject: Grüße aus München\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\n\nHallo\n".encode(),
        # Legacy mailers: raw Latin-1, the charset declared only for the body.
        "From: Jürgen Weiß <jw@brightwater.example>\nSubject: Grüße aus München\n"
        "Date: Mon, 23 Nov 2026 10:00:00 +0000\n"
        "Content-Type: text/plain; charset=iso-8859-1\n\nHallo\n".encode("latin-1"),
        # RFC 2047 encoded words, as most mailers write them.
        b"From: =?utf-8?q?J=C3=BCrgen_Wei=C3=9F?= <jw@brightwater.example>\n"
        b"Subject: =?iso-8859-1?q?Gr=FC=DFe_aus_M=FCnchen?=\n"
        b"Date: Mon, 23 Nov 2026 10:00:00 +0000\n\nHallo\n",
    ],
    ids=["utf-8", "latin-1", "encoded-words"],
)
def test_names_and_subjects_in_8_bit_headers_are_read_as_written(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path, email: bytes
) -> None:
    """Raw UTF-8 in From became "JÃ¼rgen"; raw Latin-1 in Subject became "Gr��e"."""
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, "")
    assert out.startswith("Added Jürgen Weiß as a lead")
    [touchpoint] = cards(db)["Jürgen Weiß"].touchpoints  # type: ignore[attr-defined]
    assert touchpoint.summary == "Grüße aus München"


def test_folded_8_bit_headers_and_a_charset_that_says_nothing_are_read_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A To folded over two lines with raw Latin-1 in it was a traceback ("address parts
    cannot contain CR or LF"); a body declared us-ascii made raw Latin-1 names "J\ufffdrgen"."""
    email = (
        b'From: "M\xfcller, J\xfcrgen" <jm@brightwater.example>\r\n'
        b'To: "Weber, Kl\xe4re" <sam@ourco.example>,\r\n Bob <b@x.example>\r\n'
        b"Subject: Gr\xfc\xdfe aus\r\n K\xf6ln\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
        b"Content-Type: text/plain; charset=us-ascii\r\n\r\nHallo\r\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, "")
    assert out.startswith("Added Jürgen Müller as a lead")
    [touchpoint] = cards(db)["Jürgen Müller"].touchpoints  # type: ignore[attr-defined]
    assert touchpoint.summary == "Grüße aus Köln"


def test_an_invite_mailed_from_a_no_reply_address_is_logged_on_its_organiser(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """Zoom and Calendly mail invites from no-reply@: the invite names the person."""
    ics = fixture("outlook-invite.ics").replace(b"\r\n", b"\n")
    email = (
        b"From: Zoom <no-reply@zoom.example>\nTo: sam@ourco.example\n"
        b"Subject: Invitation: Quote review\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n"
        b"Content-Type: text/calendar; method=REQUEST; charset=utf-8\n\n" + ics
    )
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, ""), err
    assert "Jürgen Müller" in out and "no-reply" not in out


def test_a_bounce_makes_no_lead(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A delivery failure (RFC 3464: From the MAILER-DAEMON) became a lead called
    "mailer-daemon"."""
    email = (
        b"From: Mail Delivery Subsystem <MAILER-DAEMON@mx.brightwater.example>\n"
        b"To: sam@ourco.example\nSubject: Undelivered Mail Returned to Sender\n"
        b"Date: Mon, 23 Nov 2026 10:00:00 +0000\n\nThis is the mail system.\n"
    )
    before = cards(db)
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert code == 1 and out == ""
    assert err == (
        "pipeline-tui: error: MAILER-DAEMON@mx.brightwater.example is an automatic sender "
        "(a bounce or a no-reply address), so there is no one to log it on; nothing was "
        "logged.\n"
    )
    assert cards(db) == before


def test_a_no_reply_sender_is_logged_on_the_person_to_answer_innatural_order(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """A quote sent from a CRM's no-reply address names the salesperson in Reply-To, as
    an Exchange address book writes names ("Weber, Klaus")."""
    email = (
        b"From: Brightwater <noreply@brightwater.example>\n"
        b'Reply-To: "Weber, Klaus" <klaus@brightwater.example>\n'
        b"To: sam@ourco.example\n"
        b"Subject: Your quote\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n\nAttached.\n"
    )
    before = set(cards(db))
    code, _, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, "")
    assert set(cards(db)) - before == {"Klaus Weber"}


@pytest.mark.parametrize(
    ("written", "card"),
    [
        ("Weber, Klaus", "Klaus Weber"),
        ("van der Berg, Anna", "van der Berg, Anna"),  # three words: not guessed at
        ("García López, María José", "María José García López"),
        ("Acme, Inc", "Acme, Inc"),
        ("King, Jr.", "King, Jr."),
        ("Ann Okafor", "Ann Okafor"),
        ("Smith, Ann, PhD", "Smith, Ann, PhD"),
        ("O'Brien, Mary-Kate", "Mary-Kate O'Brien"),
        ("Doe, John (Acme)", "Doe, John (Acme)"),
        ("Smith, John [EXT]", "Smith, John [EXT]"),
        ("Dr. Smith, John", "Dr. Smith, John"),
        ("Jones, M.D.", "Jones, M.D."),
        ("Support, IT", "Support, IT"),
        ("山田, 太郎", "山田, 太郎"),
        ("Nguyễn, Văn", "Văn Nguyễn"),
    ],
)
def test_last_first_names_are_put_innatural_order(written: str, card: str) -> None:
    assert natural_order(written) == card


def test_a_message_from_a_maildir_with_a_from_line_in_its_body_is_one_message(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # mutt pipes a message with its envelope line (RFC 4155); a body kept in a Maildir
    # or on IMAP is not ">From"-escaped, and such a line is not a second message.
    data = (
        b"From ann@brightwater.example Fri Dec  4 10:00:00 2026\n"
        b"From: Ann Okafor <ann@brightwater.example>\nSubject: The quote\n"
        b"Date: Fri, 04 Dec 2026 10:00:00 +0000\n\nHello,\n\n"
        b"From what I can tell the quote works for us.\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, data)
    assert code == 0, err
    assert out.startswith("Logged an email on Ann Okafor (card 1): The quote")


# Invites -------------------------------------------------------------------------------------


def test_a_gmail_invite_is_a_meeting_and_its_day_the_next_action(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Gmail's "Show original" of an invitation: multipart/mixed around
    # multipart/alternative with a text/calendar; method=REQUEST part, an invite.ics
    # attachment in base64, folded ATTENDEE lines and a long folded DESCRIPTION.
    code, out, err = capture(capsys, monkeypatch, db, fixture("gmail-show-original-invite.eml"))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Logged a meeting on Ann Okafor (card 1): Invite: Rollout plan \u2013 Brightwater "
        "(Thu 26 Nov 10:00)",
        "  Next for Ann Okafor: Meeting: Rollout plan \u2013 Brightwater, due 2026-11-26.",
    ]
    ann = cards(db)["Ann Okafor"]
    assert ann.summary.next_action_due == date(2026, 11, 26)  # type: ignore[attr-defined]
    [touchpoint] = ann.touchpoints  # type: ignore[attr-defined]
    assert (touchpoint.kind, touchpoint.happened_on) == (TouchpointKind.MEETING, TODAY)


def test_an_invite_never_replaces_a_next_action_the_rep_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    main(["next", "ann", "Send the quote", "--due", "fri", "--db", str(db)])
    capsys.readouterr()
    code, out, _ = capture(capsys, monkeypatch, db, fixture("gmail-show-original-invite.eml"))
    assert code == 0 and "Next for" not in out
    assert cards(db)["Ann Okafor"].summary.next_action == "Send the quote"  # type: ignore[attr-defined]


def test_an_invite_mailed_and_then_saved_as_ics_is_logged_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Gmail's invitation, then its invite.ics attachment saved and piped: another
    # Message-ID, or none, but the same UID (RFC 5545 3.8.4.7).
    mailed = fixture("gmail-show-original-invite.eml")
    capture(capsys, monkeypatch, db, mailed)
    message = message_from_bytes(mailed, policy=email_policy.default)
    [attachment] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
    saved = attachment.get_payload(decode=True)
    assert isinstance(saved, bytes)
    code, out, err = capture(capsys, monkeypatch, db, saved)
    assert (code, out) == (1, "")
    assert "Already logged on Ann Okafor (card 1) on 2026-11-23; nothing was logged." in err
    [touchpoint] = cards(db)["Ann Okafor"].touchpoints  # type: ignore[attr-defined]
    assert touchpoint.kind is TouchpointKind.MEETING


def test_an_updated_invite_moves_the_meeting_it_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Exchange sends a moved meeting as the same UID with SEQUENCE one higher (RFC
    # 5546 2.1.4), here from 1 Dec 23:00 to 3 Dec 10:00 Berlin time.
    capture(capsys, monkeypatch, db, fixture("outlook-invite.ics"))
    code, out, err = capture(capsys, monkeypatch, db, fixture("outlook-invite-updated.ics"))
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "Updated the meeting on Jürgen Müller (card 3), no second touchpoint: "
        "Invite: Quote review (Thu 3 Dec 09:00)",
        "  Next for Jürgen Müller: Meeting: Quote review, due 2026-12-03.",
    ]
    jurgen = cards(db)["Jürgen Müller"]
    assert jurgen.summary.next_action_due == date(2026, 12, 3)  # type: ignore[attr-defined]
    assert len(jurgen.touchpoints) == 1  # type: ignore[attr-defined]
    # The same update again is a duplicate.
    code, _, err = capture(capsys, monkeypatch, db, fixture("outlook-invite-updated.ics"))
    assert code == 1 and "Already logged on Jürgen Müller (card 3)" in err


def test_an_updated_invite_leaves_a_next_action_the_rep_set_since(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    capture(capsys, monkeypatch, db, fixture("outlook-invite.ics"))
    main(["next", "3", "Send the revised quote", "--due", "fri", "--db", str(db)])
    capsys.readouterr()
    code, out, _ = capture(capsys, monkeypatch, db, fixture("outlook-invite-updated.ics"))
    assert code == 0 and out.startswith("Updated the meeting on Jürgen Müller (card 3)")
    assert "Next for" not in out
    jurgen = cards(db)["Jürgen Müller"]
    assert jurgen.summary.next_action == "Send the revised quote"  # type: ignore[attr-defined]
    assert len(jurgen.touchpoints) == 1  # type: ignore[attr-defined]


def test_an_outlook_ics_with_its_time_zone(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Exchange's invite: a VTIMEZONE named by Windows ("W. Europe Standard Time"), a
    # folded UID and ATTENDEE, LANGUAGE parameters and a VALARM. 23:00 in Berlin on
    # 1 December is 22:00 UTC, still the 1st here (the tests run in UTC).
    code, out, err = capture(capsys, monkeypatch, db, fixture("outlook-invite.ics"))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "Added Jürgen Müller as a lead (card 3) with a meeting: Invite: Quote review "
        "(Tue 1 Dec 22:00)"
    )
    jurgen = cards(db)["Jürgen Müller"]
    assert jurgen.summary.next_action_due == date(2026, 12, 1)  # type: ignore[attr-defined]


def test_a_meeting_room_booked_with_an_invite_is_no_lead(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path, tmp_path: Path
) -> None:
    """Outlook lists the room booked with the meeting as an attendee, marked
    CUTYPE=ROOM (RFC 5545 3.2.3; a projector is CUTYPE=RESOURCE): the rep's invite to
    Ann added "Board Room 4.01" as a lead, with the meeting as its next action."""
    config = tmp_path / "config.toml"
    config.write_text('[user]\nname = "sam"\nemail = "sam@ourfirm.example"\n')
    invite = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Microsoft Corporation//Outlook 16.0"
        b" MIMEDIR//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:room-1@ourfirm.example\r\n"
        b"DTSTAMP:20261123T090000Z\r\nDTSTART:20261203T140000Z\r\nSUMMARY:Workshop\r\n"
        b"ORGANIZER;CN=Sam:mailto:sam@ourfirm.example\r\n"
        b"ATTENDEE;CN=Ann Okafor;PARTSTAT=NEEDS-ACTION:mailto:ann@brightwater.example\r\n"
        b"ATTENDEE;CN=Board Room 4.01;CUTYPE=ROOM;ROLE=NON-PARTICIPANT:mailto:boardroom"
        b"401@ourfirm.example\r\n"
        b"ATTENDEE;CUTYPE=RESOURCE;CN=Projector 2:mailto:projector2@ourfirm.example\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, invite, "--config", str(config))
    assert (code, err) == (0, ""), err
    assert "Ann Okafor" in out and "Board Room" not in out and "Projector" not in out
    assert sorted(cards(db)) == ["Ann Okafor", "Ben Hollis"]


def test_a_cancelled_invite_clears_the_meeting_it_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Gmail's cancellation: METHOD:CANCEL, STATUS:CANCELLED, the invitation's UID with
    # SEQUENCE one higher (RFC 5546 3.2.5), in a "Canceled event" message.
    capture(capsys, monkeypatch, db, fixture("gmail-show-original-invite.eml"))
    cancelled = fixture("gmail-show-original-cancelled.eml")
    code, out, _ = capture(capsys, monkeypatch, db, cancelled, "-n")
    assert code == 0
    assert out.splitlines()[-2] == (
        "Would clear the next action of Ann Okafor (card 1), Meeting: Rollout plan \u2013 "
        "Brightwater: the meeting Rollout plan \u2013 Brightwater (Thu 26 Nov 10:00) was "
        "cancelled."
    )
    assert cards(db)["Ann Okafor"].summary.next_action_due == date(2026, 11, 26)  # type: ignore[attr-defined]
    code, out, err = capture(capsys, monkeypatch, db, cancelled)
    assert (code, err) == (0, "")
    assert out == (
        "Cleared the next action of Ann Okafor (card 1), Meeting: Rollout plan \u2013 "
        "Brightwater: the meeting Rollout plan \u2013 Brightwater (Thu 26 Nov 10:00) was "
        "cancelled.\n"
    )
    ann = cards(db)["Ann Okafor"]
    assert (ann.summary.next_action, ann.summary.next_action_due) == ("", None)  # type: ignore[attr-defined]
    [touchpoint] = ann.touchpoints  # type: ignore[attr-defined]
    assert touchpoint.summary.startswith("Invite: ")  # no meeting logged for the cancellation


def test_an_invite_declined_clears_the_meeting_it_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Google Calendar's reply to the invite above, declined: METHOD:REPLY, the same
    # UID and SEQUENCE, the one attendee answering with PARTSTAT=DECLINED (RFC 5546
    # 3.2.3), its SUMMARY "Declined: ". It was refused as "Already logged", and the
    # meeting stayed the card's next action.
    capture(capsys, monkeypatch, db, fixture("gmail-show-original-invite.eml"))
    code, out, err = capture(capsys, monkeypatch, db, fixture("google-reply-declined.ics"))
    assert (code, err) == (0, "")
    assert out == (
        "Cleared the next action of Ann Okafor (card 1), Meeting: Rollout plan \u2013 "
        "Brightwater: the meeting Rollout plan \u2013 Brightwater (Thu 26 Nov 10:00) was "
        "declined.\n"
    )
    ann = cards(db)["Ann Okafor"]
    assert (ann.summary.next_action, ann.summary.next_action_due) == ("", None)  # type: ignore[attr-defined]


def test_one_attendee_declining_calls_the_meeting_off_on_their_card_only(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """The rep's invite to Ann and Klaus, then Klaus's reply declining: a REPLY carries
    only the attendee answering (RFC 5546 3.2.3), so Ann's meeting stays."""
    invite = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\n"
        b"BEGIN:VEVENT\r\nUID:kickoff-1@ourfirm.example\r\nSEQUENCE:0\r\n"
        b"DTSTAMP:20261123T090000Z\r\nDTSTART:20261203T140000Z\r\nSUMMARY:Kick-off\r\n"
        b"ORGANIZER;CN=Sam:mailto:sam@ourfirm.example\r\n"
        b"ATTENDEE;CN=Ann Okafor;PARTSTAT=NEEDS-ACTION:mailto:ann@brightwater.example\r\n"
        b"ATTENDEE;CN=Klaus Weber;PARTSTAT=NEEDS-ACTION:mailto:klaus@acme.example\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    main(["add", "Klaus Weber", "--email", "klaus@acme.example", "--db", str(db)])
    capsys.readouterr()
    code, out, err = capture(capsys, monkeypatch, db, invite)
    assert (code, err) == (0, ""), err
    assert "Ann Okafor" in out and "Klaus Weber" in out
    reply = (
        invite.replace(b"METHOD:REQUEST", b"METHOD:REPLY")
        .replace(
            b"ATTENDEE;CN=Ann Okafor;PARTSTAT=NEEDS-ACTION:mailto:ann@brightwater.example\r\n",
            b"",
        )
        .replace(b"CN=Klaus Weber;PARTSTAT=NEEDS-ACTION", b"CN=Klaus Weber;PARTSTAT=DECLINED")
    )
    code, out, err = capture(capsys, monkeypatch, db, reply)
    assert (code, err) == (0, "")
    assert out.startswith("Cleared the next action of Klaus Weber")
    assert "Ann Okafor" not in out
    assert cards(db)["Ann Okafor"].summary.next_action == "Meeting: Kick-off"  # type: ignore[attr-defined]
    assert cards(db)["Klaus Weber"].summary.next_action == ""  # type: ignore[attr-defined]


def test_an_invitee_with_no_card_declining_calls_off_no_one_elses_meeting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """No address of the rep's configured: the rep's invite (the organiser has no card)
    logged on Ann only; Klaus, with no card, declining is not the rep declining."""
    invite = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:REQUEST\r\n"
        b"BEGIN:VEVENT\r\nUID:kickoff-2@ourfirm.example\r\nSEQUENCE:0\r\n"
        b"DTSTAMP:20261123T090000Z\r\nDTSTART:20261203T140000Z\r\nSUMMARY:Kick-off\r\n"
        b"ORGANIZER;CN=Sam:mailto:sam@ourfirm.example\r\n"
        b"ATTENDEE;CN=Ann Okafor;PARTSTAT=NEEDS-ACTION:mailto:ann@brightwater.example\r\n"
        b"ATTENDEE;CN=Klaus Weber;PARTSTAT=DECLINED:mailto:klaus@acme.example\r\n"
        b"END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    capture(capsys, monkeypatch, db, invite)
    reply = invite.replace(b"METHOD:REQUEST", b"METHOD:REPLY").replace(
        b"ATTENDEE;CN=Ann Okafor;PARTSTAT=NEEDS-ACTION:mailto:ann@brightwater.example\r\n", b""
    )
    code, out, err = capture(capsys, monkeypatch, db, reply)
    assert (code, err) == (0, "")
    assert "Ann Okafor" not in out
    assert cards(db)["Ann Okafor"].summary.next_action == "Meeting: Kick-off"  # type: ignore[attr-defined]


def test_a_header_with_a_charset_that_is_no_text_encoding_is_read_all_the_same(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    email = (
        b"From: J\xfcrgen <j@x.example>\nSubject: hi\nDate: Mon, 23 Nov 2026 10:00:00 +0000\n"
        b'Content-Type: text/plain; charset="hex"\n\nx\n'
    )
    code, out, err = capture(capsys, monkeypatch, db, email)
    assert (code, err) == (0, "") and out.startswith("Added Jürgen as a lead")


def test_a_cancelled_invite_leaves_a_next_action_the_rep_set_since(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    capture(capsys, monkeypatch, db, fixture("gmail-show-original-invite.eml"))
    main(["next", "ann", "Send the quote", "--due", "fri", "--db", str(db)])
    capsys.readouterr()
    code, out, _ = capture(capsys, monkeypatch, db, fixture("gmail-show-original-cancelled.eml"))
    assert code == 0
    assert out == (
        "The meeting Rollout plan \u2013 Brightwater (Thu 26 Nov 10:00) was cancelled; "
        "nothing was logged.\n"
    )
    ann = cards(db)["Ann Okafor"]
    assert ann.summary.next_action == "Send the quote"  # type: ignore[attr-defined]
    assert len(ann.touchpoints) == 1  # type: ignore[attr-defined]


def test_a_cancellation_of_an_invite_never_logged_logs_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Exchange's cancellation: METHOD:CANCEL, "Canceled: " before the SUMMARY, no VALARM.
    code, out, err = capture(capsys, monkeypatch, db, fixture("outlook-cancel.ics"))
    assert (code, err) == (0, "")
    assert out == "The meeting Quote review (Tue 1 Dec 22:00) was cancelled; nothing was logged.\n"
    assert set(cards(db)) == {"Ann Okafor", "Ben Hollis"}


# vCards --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Apple Contacts' export: vCard 3.0, grouped properties (item1.EMAIL with an
        # X-ABLabel), lower-case type params, escaped NOTE, a folded base64 PHOTO.
        (
            "apple-contacts.vcf",
            [("Ann Okafor", "ann@brightwater.example", "Brightwater Dental", "+44 7700 900456")],
        ),
        # Google Contacts' "Export > vCard": 3.0, several cards, several EMAILs each
        # (the work one is the card's, as `import` takes it).
        (
            "google-contacts.vcf",
            [
                (
                    "Dana Whitfield",
                    "dana@whitfield-clinic.example",
                    "Whitfield Clinic",
                    "+1 555 0100",
                ),
                ("Eli Navarro", "eli@navarro.example", "", ""),
            ],
        ),
        # Android's and Outlook's vCard 2.1: bare type params (EMAIL;PREF;INTERNET),
        # CHARSET and QUOTED-PRINTABLE with a soft line break.
        (
            "android-2.1-quoted-printable.vcf",
            [
                (
                    "Jürgen Müller",
                    "juergen@hollis.example",
                    "Hollis & Söhne GmbH",
                    "+49 151 23456789",
                )
            ],
        ),
        # The example of RFC 6350 section 8: vCard 4.0, quoted TYPE lists, PREF=1,
        # tel: URIs, a folded ADR.
        (
            "rfc6350-section8.vcf",
            [
                (
                    "Simon Perreault",
                    "simon.perreault@viagenie.ca",
                    "Viagenie",
                    "+1-418-656-9254;ext=102",
                )
            ],
        ),
    ],
)
def test_vcards_from_the_usual_address_books(name: str, expected: list[tuple[str, ...]]) -> None:
    people = [
        (p.name, p.email, p.organisation, p.phone) for p in parse_vcards(fixture(name), TODAY)
    ]
    assert people == expected


def test_a_vcard_fills_in_a_known_card_and_adds_a_new_one(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    data = fixture("apple-contacts.vcf") + fixture("google-contacts.vcf")
    code, out, _ = capture(capsys, monkeypatch, db, data)
    assert code == 0
    assert out.splitlines() == [
        "Logged an event / card exchange on Ann Okafor (card 1): Exchanged contact cards",
        "Added Dana Whitfield as a lead (card 3) with an event / card exchange: "
        "Exchanged contact cards",
        "Added Eli Navarro as a lead (card 4) with an event / card exchange: "
        "Exchanged contact cards",
    ]
    now = cards(db)
    ann = now["Ann Okafor"]
    # What the card lacked is filled in.
    assert (ann.phone, ann.summary.organisation) == ("+44 7700 900456", "Brightwater Dental")  # type: ignore[attr-defined]
    assert ann.email == "ann@brightwater.example"  # type: ignore[attr-defined]
    dana = now["Dana Whitfield"]
    assert dana.summary.organisation == "Whitfield Clinic"  # type: ignore[attr-defined]
    assert dana.source is TouchpointKind.EVENT  # type: ignore[attr-defined]


def test_a_vcard_keeps_its_note_and_department_as_import_does(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Android's 2.1 card: ORG "Hollis & Söhne GmbH;Einkauf" (organisation; unit, RFC
    # 2426 3.5.5) and a NOTE in quoted-printable with a soft line break; Apple's 3.0
    # card: a NOTE with escaped commas and line breaks (RFC 6350 3.4).
    data = fixture("android-2.1-quoted-printable.vcf") + fixture("apple-contacts.vcf")
    assert capture(capsys, monkeypatch, db, data)[0] == 0
    logged = _notes(db)
    assert logged["Jürgen Müller"] == [
        "Imported fields\n- Email: juergen.private@mail.example\n- Department: Einkauf",
        "Kennengelernt auf der Messe; will ein Angebot für den zweiten Standort.",
    ]
    assert "Met at the dental expo, stand 14.\nWants a demo." in logged["Ann Okafor"]
    # Piped again, the card exchange is logged again but the notes are not repeated.
    assert capture(capsys, monkeypatch, db, data)[0] == 0
    assert _notes(db) == logged


def _notes(where: Path) -> dict[str, list[str]]:
    return {
        name: sorted(note.body for note in card.notes)  # type: ignore[attr-defined]
        for name, card in cards(where).items()
    }


@pytest.mark.parametrize(
    "name",
    [
        "apple-contacts.vcf",
        "google-contacts.vcf",
        "android-2.1-quoted-printable.vcf",
        "rfc6350-section8.vcf",
    ],
)
def test_a_vcard_piped_in_keeps_what_importing_it_keeps(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str
) -> None:
    # The layouts of test_vcards_from_the_usual_address_books: Apple's TITLE and
    # grouped work ADR (item2.ADR with X-ABADR), Google's second EMAIL and CATEGORIES,
    # Android's private EMAIL beside the preferred one, RFC 6350's folded ADR, URL,
    # BDAY, LANG and TZ. `log -` dropped the job title, the other emails and the
    # address that `import` of the same .vcf keeps in the card's Imported fields note.
    data = fixture(name)
    logged_db, imported_db = tmp_path / "logged.db", tmp_path / "imported.db"
    assert capture(capsys, monkeypatch, logged_db, data)[0] == 0
    vcf = tmp_path / name
    vcf.write_bytes(data)
    assert main(["import", str(vcf), "--db", str(imported_db)]) == 0

    def kept(where: Path) -> dict[str, tuple[object, ...]]:
        return {
            card_name: (
                card.summary.organisation,  # type: ignore[attr-defined]
                card.email,  # type: ignore[attr-defined]
                card.phone,  # type: ignore[attr-defined]
                card.summary.tags,  # type: ignore[attr-defined]
            )
            for card_name, card in cards(where).items()
        }

    assert kept(logged_db) == kept(imported_db)
    assert _notes(logged_db) == _notes(imported_db)
    everything = "\n".join(body for bodies in _notes(logged_db).values() for body in bodies)
    expected = {
        "apple-contacts.vcf": [
            "- Job title: Practice Manager",
            "- Address (work): 1 Harbour Street, Bristol, BS1 4QA, United Kingdom",
        ],
        "google-contacts.vcf": ["- Email: dana.w@mail.example"],
        "android-2.1-quoted-printable.vcf": ["- Email: juergen.private@mail.example"],
        "rfc6350-section8.vcf": ["- Address (work): Suite D2-630, 2875 Laurier, Quebec"],
    }[name]
    for line in expected:
        assert line in everything


# What is not one of the three ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Nothing came in on stdin"),
        (b"just some words\nnot a message\n", "stdin is not an email"),
        # A Subject and a From with no address (a group, a bare name): it was said
        # to have "no From, Date or Subject header".
        (b"From: Group:;\nSubject: hi\n\nx\n", "The email's From has no address"),
        (b"From: NoAt\nSubject: hi\n\nx\n", "(it reads 'NoAt')"),
        (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", "The .ics file holds no event."),
        (b"BEGIN:VCARD\r\nVERSION:3.0\r\nTITLE:Nobody\r\nEND:VCARD\r\n", "names nobody"),
        # Two tagged mails piped from mutt: an mbox (RFC 4155; mboxrd escapes a body
        # line starting "From " as ">From "). All but the first were dropped unsaid.
        (
            b"From ann@brightwater.example Fri Dec  4 10:00:00 2026\n"
            b"From: Ann Okafor <ann@brightwater.example>\nSubject: one\n"
            b"Date: Fri, 04 Dec 2026 10:00:00 +0000\n\n>From the archive\n\n"
            b"From ben@hollis.example Fri Dec  4 11:00:00 2026\n"
            b"From: Ben Hollis <ben@hollis.example>\nSubject: two\n"
            b"Date: Fri, 04 Dec 2026 11:00:00 +0000\n\nhello\n",
            "stdin holds 2 messages (an mbox)",
        ),
    ],
)
def test_anything_else_is_one_sentence_and_writes_nothing(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    db: Path,
    data: bytes,
    expected: str,
) -> None:
    code, out, err = capture(capsys, monkeypatch, db, data)
    assert code == 1 and out == ""
    assert err.startswith("pipeline-tui: error: ") and len(err.splitlines()) == 1
    assert expected in err
    assert set(cards(db)) == {"Ann Okafor", "Ben Hollis"}


def test_dry_run_says_what_was_read(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    code, out, _ = capture(capsys, monkeypatch, db, fixture("outlook-invite.ics"), "--dry-run")
    assert code == 0
    assert out.splitlines() == [
        "Read invite: meeting on 2026-11-23: Invite: Quote review (Tue 1 Dec 22:00)",
        "  Jürgen Müller <juergen@hollis.example>",
        "  Sam Carter <sam@ourfirm.example>",
        "Would add Jürgen Müller as a new lead with a meeting: "
        "Invite: Quote review (Tue 1 Dec 22:00)",
        "  Next for Jürgen Müller: Meeting: Quote review, due 2026-12-01.",
        "Nothing was written (dry run).",
    ]
    assert "Jürgen Müller" not in cards(db)


def test_dry_run_names_the_card_it_would_log_on(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    email = (
        b"From: Ann Okafor <ann@brightwater.example>\nTo: Sam Carter <sam@ourfirm.example>\n"
        b"Subject: The quote\nDate: Fri, 20 Nov 2026 09:00:00 +0000\n\nYes please.\n"
    )
    code, out, err = capture(capsys, monkeypatch, db, email, "-n")
    assert (code, err) == (0, "")
    assert out.splitlines()[-2:] == [
        "Would log an email on Ann Okafor (card 1): The quote",
        "Nothing was written (dry run).",
    ]
    code, out, _ = capture(capsys, monkeypatch, db, email, "-n", "--format", "json")
    assert json.loads(out)["cards"] == [
        {"card_id": 1, "name": "Ann Okafor", "created": False, "next_action_set": False}
    ]
    assert cards(db)["Ann Okafor"].touchpoints == ()  # type: ignore[attr-defined]


def test_dry_run_with_no_database_creates_none(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "not-yet" / "pipeline.db"
    data = fixture("mutt-mbox-received.eml")
    code, out, err = capture(capsys, monkeypatch, missing, data, "--dry-run")
    assert code == 0
    assert err == (
        f"pipeline-tui: warning: there is no pipeline at {missing} yet; this is what "
        "would happen in an empty one (nothing was created).\n"
    )
    assert "Would add Jürgen Müller as a new lead with an email: " in out
    code, out, _ = capture(capsys, monkeypatch, missing, data, "-n", "--format", "json")
    assert code == 0 and json.loads(out)["cards"][0]["created"] is True
    assert not missing.parent.exists()


def test_a_terminal_on_stdin_is_refused_at_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    code = main(["log", "-", "--db", str(db)])
    err = capsys.readouterr().err
    assert code == 1 and "pipe one in" in err


def test_the_readers_never_raise_anything_but_capture_errors() -> None:
    for junk in (b"From \n", b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n", b"\xff\xfe\x00garbage"):
        with contextlib.suppress(CaptureError):
            read_captured(junk, TODAY)


def test_an_invite_the_rep_sent_is_logged_on_the_person_invited(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Thunderbird's invitation as sent (METHOD:REQUEST): the organiser, the rep, is also
    # an ATTENDEE with ROLE=CHAIR and PARTSTAT=ACCEPTED, and long lines are folded
    # (RFC 5545 3.1, 3.8.4.1; RFC 6047). With no [user] emails in the config the rep
    # was taken for the person concerned and added as a new lead, "Sam Carter".
    code, out, err = capture(capsys, monkeypatch, db, fixture("thunderbird-sent-invite.ics"))
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == (
        "Logged a meeting on Ann Okafor (card 1): Invite: Rollout plan with Brightwater "
        "(Thu 26 Nov 10:00)"
    )
    assert "Sam Carter" not in cards(db)


def test_an_invite_with_a_huge_sequence_is_logged_not_a_traceback(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # SEQUENCE is an integer with no upper bound in RFC 5545 (3.8.7.4); a generated
    # invite with 20 digits failed to store (OverflowError) with a traceback.
    invite = fixture("thunderbird-sent-invite.ics").replace(
        b"SEQUENCE:0", b"SEQUENCE:99999999999999999999"
    )
    code, out, err = capture(capsys, monkeypatch, db, invite)
    assert (code, err) == (0, "")
    assert out.startswith("Logged a meeting on Ann Okafor (card 1)")
    code, _, err = capture(capsys, monkeypatch, db, invite)
    assert code == 1 and "Already logged on Ann Okafor (card 1)" in err


def test_an_invite_whose_start_is_no_date_logs_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # "2026-12-10" is ISO 8601, not iCalendar's DATE (RFC 5545 3.3.4: 20261210).
    # icalendar hands it back as text; the meeting was logged as today, and a next
    # action set for today.
    invite = fixture("thunderbird-sent-invite.ics").replace(
        b"DTSTART;TZID=Europe/London:20261126T100000", b"DTSTART:2026-12-10"
    )
    before = cards(db)
    code, out, err = capture(capsys, monkeypatch, db, invite)
    assert (code, out) == (1, "")
    assert err == (
        "pipeline-tui: error: The invite's start (2026-12-10) is not an iCalendar date or "
        "time, so nothing was logged.\n"
    )
    assert cards(db) == before


def test_an_invite_with_no_start_logs_nothing(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    """RFC 5545 3.6.1: a VEVENT has a DTSTART unless its METHOD is one (CANCEL, REPLY)
    that need not. Without one, the meeting was logged on today and set as a next
    action due today."""
    invite = fixture("thunderbird-sent-invite.ics").replace(
        b"DTSTART;TZID=Europe/London:20261126T100000\r\n", b""
    )
    assert b"DTSTART;TZID=Europe/London:2026" not in invite  # (its time zone keeps its own)
    before = cards(db)
    code, out, err = capture(capsys, monkeypatch, db, invite)
    assert (code, out) == (1, "")
    assert err == (
        "pipeline-tui: error: The invite says no start (DTSTART), so nothing was logged.\n"
    )
    assert cards(db) == before


def test_a_cut_off_invite_is_one_sentence_without_its_bytes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    cut = fixture("thunderbird-sent-invite.ics")[:120]
    code, out, err = capture(capsys, monkeypatch, db, cut)
    assert (code, out) == (1, "")
    assert err == (
        "pipeline-tui: error: The invite could not be read: it is not a complete iCalendar file.\n"
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_a_vcard_saved_as_utf16_is_read_as_the_same_vcard(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path, encoding: str
) -> None:
    # Outlook for Windows and Notepad's "Unicode" save a vCard as UTF-16 (with its byte
    # order mark, or without one as some exporters write it): `import` read such a
    # file, `log -` said it was "not an email ..., a vCard or an .ics invite".
    text = fixture("android-2.1-quoted-printable.vcf").decode("utf-8")
    code, out, err = capture(capsys, monkeypatch, db, text.encode(encoding), "-n")
    assert (code, err) == (0, "")
    assert "Jürgen Müller <juergen@hollis.example>" in out


def test_a_closed_stdin_is_one_sentence(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    monkeypatch.setattr("sys.stdin", None)  # `log - <&-`: Python has no stdin at all
    code = main(["log", "-", "--db", str(db)])
    assert code != 0
    assert capsys.readouterr().err == (
        "pipeline-tui: error: log - reads an email, a vCard or an .ics file on stdin; "
        "pipe one in.\n"
    )


def _with_a_second_event(uid: str, extra: str = "") -> bytes:
    """Exchange's invite (outlook-invite.ics) with a second VEVENT after the first."""
    text = fixture("outlook-invite.ics").decode("utf-8").replace("\r\n", "\n")
    first = text[text.index("BEGIN:VEVENT") : text.index("END:VEVENT") + len("END:VEVENT\n")]
    second = first.replace(first[first.index("UID:") : first.index("SUMMARY")], f"UID:{uid}\n")
    second = second.replace("Quote review", "Contract signing").replace(
        "SUMMARY", f"{extra}SUMMARY", 1
    )
    return text.replace(first, first + second).encode("utf-8")


def test_an_ics_of_two_different_events_is_refused_whole(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # Two invites in one file (or a calendar exported as one): the first was logged
    # and the second dropped without a word.
    code, _, err = capture(capsys, monkeypatch, db, _with_a_second_event("other-meeting-1"))
    assert code != 0
    assert err == (
        "pipeline-tui: error: The .ics file holds 2 different events; log - takes one "
        "invite at a time, so nothing was logged.\n"
    )
    assert sorted(cards(db)) == ["Ann Okafor", "Ben Hollis"]


def test_a_series_with_a_moved_occurrence_is_one_meeting(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db: Path
) -> None:
    # RFC 5545 3.8.4.4: a recurring meeting's changed occurrence comes as another
    # VEVENT with the same UID and a RECURRENCE-ID; it is the same meeting.
    uid = (
        "040000008200E00074C5B7101A82E00800000000B0C1D2E3F4A5DB01000000000000000"
        "0100000004E6F6C7A6D9B4A4C8E9F0A1B2C3D4E5F"
    )
    data = _with_a_second_event(uid, "RECURRENCE-ID:20261208T220000Z\n")
    code, out, err = capture(capsys, monkeypatch, db, data)
    assert (code, err) == (0, "")
    assert "Invite: Quote review (Tue 1 Dec 22:00)" in out.splitlines()[0]
