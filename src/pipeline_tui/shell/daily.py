"""The daily loop from the shell: note, log, next, done, move, show and search.

Each command names its card as the rep would (see PipelineService.find_card), prints
one line saying what it did, and leaves the reading commands' output to pipes (json).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TextIO

from pipeline_tui.cli import PROG, UsageError, today
from pipeline_tui.config import Config
from pipeline_tui.domain.agenda import kind_for_activity
from pipeline_tui.domain.cadence import CadenceError, parse_rhythm
from pipeline_tui.domain.cards import CardDetail
from pipeline_tui.domain.dates import (
    DateOrder,
    DueDateError,
    describe_due_beside_date,
    parse_due,
    parse_past_date,
)
from pipeline_tui.domain.importing.encoding import wide_as_utf8
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.lookup import CardMatch
from pipeline_tui.domain.money import Currency, MoneyError, parse_amount
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, clean_text, mend
from pipeline_tui.standup_report import md
from pipeline_tui.store import NotFoundError, StoreError

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService

Command = Callable[..., int]


def find(service: PipelineService, text: str, *, archived: bool = False) -> CardMatch:
    """The card CARD names (AmbiguousCardError is reported with its candidates by
    shell.commands)."""
    return service.find_card(text, archived=archived)


def find_to_change(service: PipelineService, text: str, config: Config) -> CardMatch:
    """The card CARD names, for a command that writes to it.

    An archived card is read-only, as it is in the app (its archive screen edits
    nothing; a card is changed by restoring it first): note, log and value wrote to
    one named by its id without a word. It is refused, saying how to bring it back.
    Words that fit no active card but one archived card are refused the same way,
    rather than said to match no card.
    """
    try:
        card = find(service, text)
    except NotFoundError as missing:
        try:
            card = find(service, text, archived=True)
        except StoreError:
            raise missing from None
    if card.archived:
        raise UsageError(archived_refusal(card, config))
    return card


def archived_refusal(card: CardMatch, config: Config) -> str:
    """Why a command leaves an archived card as it is, and how to restore it: on the
    board, the archive's key, then the restore key (as [keys] binds them)."""
    archive = _first_key(config, "board.archived", "A")
    restore = _first_key(config, "archived.restore", "r")
    return (
        f"{clean_line(card.name)} (card {card.id}) is archived, so nothing was changed; "
        f"restore it first: on the board, {archive} lists the archived cards and "
        f"{restore} restores one."
    )


def _first_key(config: Config, action_id: str, default: str) -> str:
    return (config.keys.get(action_id) or default).split(",")[0].strip() or default


def _words(parts: list[str]) -> str:
    return " ".join(parts).strip()


def note_kind(text: str) -> NoteKind:
    key = text.strip().lower()
    for kind in NoteKind:
        if key in (kind.value, kind.key):
            return kind
    raise UsageError(f"Unknown note kind {text!r}; choose one of " + ", ".join(NoteKind) + ".")


def touchpoint_kind(text: str) -> TouchpointKind:
    key = text.strip().lower()
    for kind in TouchpointKind:
        if key in (kind.value, kind.label.lower(), kind.value.replace("-", "")):
            return kind
    raise UsageError(
        f"Unknown touchpoint kind {text!r}; choose one of " + ", ".join(TouchpointKind) + "."
    )


def due_date(text: str, order: DateOrder, *, after_today: bool = False) -> date | None:
    try:
        return parse_due(text, today(), order, after_today=after_today)
    except DueDateError as error:
        raise UsageError(str(error)) from None


def past_date(text: str, order: DateOrder) -> date:
    try:
        return parse_past_date(text, today(), order)
    except DueDateError as error:
        raise UsageError(str(error)) from None


def _due_words(due: date | None) -> str:
    return f", due {due.isoformat()} ({describe_due_beside_date(due, today())})" if due else ""


# note ------------------------------------------------------------------------------------


def _stdin_text() -> str:
    """stdin as text, whatever its bytes (see mend); UTF-16 too (a Notepad "Unicode"
    file piped in kept its byte-order mark as "ÿþ" and lost its "€")."""
    if sys.stdin is None:
        raise UsageError("stdin is closed, so there is no note to read: pipe it in.")
    raw = getattr(sys.stdin, "buffer", None)
    if raw is None:  # already text (a test's StringIO)
        return mend(sys.stdin.read())
    data = wide_as_utf8(raw.read())
    return mend(data.decode("utf-8-sig", errors="surrogateescape"))


def note(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    kind = note_kind(args.kind)
    card = find_to_change(service, args.card, config)
    text = _words(args.text)
    if text == "-":
        body = _stdin_text()
    elif text:
        body = " ".join(args.text)
    elif sys.stdin is None or not sys.stdin.isatty():
        # From a script or a pipe the editor has no terminal: vi said "Output is not to
        # a terminal" and exited, and the note was never written.
        raise UsageError(
            "No note given, and no terminal to write one in your editor: give its "
            "words, or - to read it from stdin."
        )
    else:
        from pipeline_tui.shell.editor import EditorError, edit_text

        try:
            body = edit_text("", name="note")
        except EditorError as error:
            raise UsageError(str(error)) from None
    if not clean_text(body).strip():
        raise UsageError("The note is empty; nothing was saved.")
    saved = service.add_note(card.id, kind, body)
    article = "an" if kind.value[0] in "aeiou" else "a"
    print(
        f"Added {article} {kind.value} note to {clean_line(card.name)} (note {saved.id}).",
        file=out,
    )
    return 0


# log ---------------------------------------------------------------------------------------


def log(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    if args.dry_run or args.format != "text":
        # Ignored here, a dry run wrote the touchpoint it was to check.
        option = "--dry-run" if args.dry_run else "--format"
        raise UsageError(
            f"{option} is for log - (what is piped on stdin); log CARD writes at once, "
            "so nothing was logged."
        )
    if not args.kind:
        raise UsageError(
            "Say what kind of touchpoint with --kind: " + ", ".join(TouchpointKind) + "."
        )
    kind = touchpoint_kind(args.kind)
    on = past_date(args.on, config.date_order)
    card = find_to_change(service, args.card, config)
    summary = _words(args.summary)
    service.add_touchpoint(card.id, kind, on, summary)
    when = "today" if on == today() else on.isoformat()
    what = kind.label.lower()
    article = "an" if what[:1] in "aeiou" else "a"
    print(f"Logged {article} {what} with {clean_line(card.name)} {when}.", file=out)
    return 0


# next and done --------------------------------------------------------------------------------


def next_action(
    service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config
) -> int:
    action = _words(args.action)
    if not clean_line(action):
        # An empty word (an unset shell variable: next ann "$STEP") set nothing and
        # dropped the card's next action, unlogged.
        raise UsageError("The next action needs words; `done CARD` logs the current one as done.")
    due = due_date(args.due, config.date_order)
    card = find_to_change(service, args.card, config)
    before = service.card(card.id).summary
    service.schedule_next(card.id, action, due)
    was = f" (was: {clean_line(before.next_action)})" if before.next_action else ""
    print(
        f"Next for {clean_line(card.name)}: {clean_line(action)}{_due_words(due)}{was}.", file=out
    )
    return 0


def done(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    if args.due and not args.then:
        raise UsageError("--due goes with --next ACTION: the action after this one.")
    on = past_date(args.on, config.date_order)
    then = (args.then, due_date(args.due, config.date_order)) if args.then else None
    card = find_to_change(service, args.card, config)
    detail = service.card(card.id)
    current = detail.summary
    # The step done is the earliest open activity: logged as the kind it was scheduled
    # as (an email, a meeting called "Pricing review"), as x in the app logs it.
    step = detail.activities[0].kind if detail.activities else None
    kind = (
        touchpoint_kind(args.kind)
        if args.kind
        else kind_for_activity(step, current.next_action, current.stage)
    )
    action = service.complete_next(card.id, kind=kind, on=on, summary=args.note, then=then)
    name = clean_line(card.name)
    print(
        f"Done: {clean_line(action) or 'the next action'} "
        f"({name}, logged as {kind.label.lower()}).",
        file=out,
    )
    if then is not None:
        print(f"Next for {name}: {clean_line(then[0])}{_due_words(then[1])}.", file=out)
        return 0
    now = service.summary(card.id)  # the step planned after it, if any, came up
    if now is not None and (now.next_action or now.next_action_due is not None):
        words = clean_line(now.next_action) or "a step"
        print(
            f"Next for {name}: {words}{_due_words(now.next_action_due)}, already planned.",
            file=out,
        )
    else:
        print(
            f"{name} has no next action now; set one with: {PROG} next {card.id} ACTION --due DATE",
            file=sys.stderr,
        )
    return 0


# move ----------------------------------------------------------------------------------------


def move(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    try:
        stage = Stage.parse(args.stage)
    except ValueError as error:
        message = str(error)
        raise UsageError(message[0].upper() + message[1:] + ".") from None
    card = find_to_change(service, args.card, config)
    change = service.move_card_checked(card.id, stage, args.override)
    name = clean_line(card.name)
    if change is None:
        print(f"{name} is already in {stage.label}.", file=out)
    else:
        print(f"Moved {name} from {card.stage.label} to {stage.label}.", file=out)
    return 0


# value -----------------------------------------------------------------------------------------

NO_VALUE = ("none", "clear", "-")


def amount(text: str, currency: Currency) -> Decimal | None:
    """AMOUNT as typed (None: "none"); a UsageError in one sentence if it is not an
    amount. Nothing at all is not "none": an empty shell variable (`value ann "$DEAL"`)
    had wiped the card's value."""
    if text.strip().lower() in NO_VALUE:
        return None
    if not text.strip():
        raise UsageError('Give an amount, or "none" to clear the value.')
    try:
        return parse_amount(text, currency.grouping, currency.code)
    except MoneyError as error:
        raise UsageError(str(error)) from None


def value(
    service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config
) -> int:
    worth = amount(" ".join(args.amount), config.currency)
    clear_close = args.close is not None and args.close.strip().casefold() == "none"
    close = None
    if args.close is not None and not clear_close:
        close = due_date(args.close, config.date_order)
    card = find_to_change(service, args.card, config)
    before = service.card(card.id).summary
    service.set_value(card.id, worth, close, keep_close=args.close is None)
    name = clean_line(card.name)
    shown = config.currency.format
    was = f" (was {shown(before.value)})" if before.value is not None else ""
    closes = f", expected to close {close.isoformat()}" if close else ""
    if clear_close and before.expected_close is not None:
        closes = ", with no expected close"
    if worth is None:
        print(f"{name} has no value now{was}{closes}.", file=out)
    else:
        print(f"{name} is worth {shown(worth)}{was}{closes}.", file=out)
    return 0


# park ------------------------------------------------------------------------------------------


def park(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    card = find_to_change(service, args.card, config)
    version = service.card(card.id).summary.version
    name = clean_line(card.name)
    typed = " ".join(args.until)
    if typed.strip().casefold() == "now":
        service.unpark(card.id, version)
        print(f"{name} is back on the board.", file=out)
        return 0
    until = due_date(typed, config.date_order, after_today=True)
    if until is None:
        raise UsageError("Say until when: a date after today, or now to bring it back.")
    service.park(card.id, until, version, today=today())
    print(f"{name} is parked until {until.isoformat()}; it comes back on that day.", file=out)
    return 0


# rhythm ----------------------------------------------------------------------------------------


def rhythm_days(text: str) -> int | None:
    """DAYS as typed (None: "none"); a UsageError in one sentence otherwise. The rule
    is the dialog's (parse_rhythm): 100000 is out of range, not "not a number"."""
    try:
        return parse_rhythm(text)
    except CadenceError as error:
        raise UsageError(str(error)) from None


def rhythm(
    service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config
) -> int:
    days = rhythm_days(" ".join(args.days))
    card = find_to_change(service, args.card, config)
    service.set_rhythm(card.id, days)
    name = clean_line(card.name)
    if days is None:
        limit = config.stale_limits[card.stage]
        print(
            f"{name} follows the {card.stage.label} limit again: stale after {limit} days.",
            file=out,
        )
    else:
        print(f"Keeping in touch with {name} every {days} days.", file=out)
    return 0


# show ------------------------------------------------------------------------------------------


def show(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    if args.touchpoints < 0:
        raise UsageError("--touchpoints must be 0 or more.")
    card = service.card(find(service, args.card, archived=True).id)
    if args.format == "json":
        json.dump(card_record(card, today()), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        markdown = args.format == "markdown"
        out.write(
            describe_card(card, today(), args.touchpoints, markdown=markdown, money=config.currency)
        )
    return 0


def _moment(moment: datetime) -> str:
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def card_record(card: CardDetail, day: date) -> dict[str, Any]:
    """Everything `show` knows about a card, for --format json."""
    s = card.summary
    q = card.qualification
    return {
        "id": s.id,
        "name": clean_line(s.name),
        "organisation": clean_line(s.organisation),
        "stage": s.stage.value,
        "owner": clean_line(s.owner),
        "email": clean_line(card.email),
        "phone": clean_line(card.phone),
        "tags": [clean_line(t) for t in s.tags],
        "source": card.source.value if card.source else None,
        "market": card.market.value if card.market else None,
        "created_at": card.created_at.isoformat(),
        "archived": (
            {
                "at": card.archived_at.isoformat(),
                "reason": card.archive_reason.value if card.archive_reason else None,
                "note": clean_line(card.archive_note),
            }
            if card.archived_at
            else None
        ),
        "next_action": (
            {
                "action": clean_line(s.next_action),
                "due": s.next_action_due.isoformat() if s.next_action_due else None,
                "overdue": s.is_overdue(day),
            }
            if s.next_action or s.next_action_due
            else None
        ),
        "qualification": (
            {
                "score": q.score,
                "criteria": [
                    {
                        "criterion": c,
                        "answer": q.answer(c).answer.value,
                        "comment": clean_line(q.answer(c).comment),
                    }
                    for c in q.criteria
                ],
            }
            if q is not None
            else None
        ),
        "notes": [
            {
                "id": n.id,
                "kind": n.kind.value,
                "body": clean_text(n.body),
                "created_at": n.created_at.isoformat(),
                "updated_at": n.updated_at.isoformat(),
            }
            for n in card.notes
        ],
        "touchpoints": [
            {
                "kind": t.kind.value,
                "on": t.happened_on.isoformat(),
                "summary": clean_line(t.summary),
            }
            for t in card.touchpoints
        ],
        "history": [
            {
                "from": e.from_stage.value if e.from_stage else None,
                "to": e.to_stage.value,
                "at": e.at.isoformat(),
                "by": clean_line(e.by),
                "note": clean_line(e.note),
            }
            for e in card.history
        ],
        "referred_by": (
            {"id": card.referred_by.id, "name": clean_line(card.referred_by.name)}
            if card.referred_by
            else None
        ),
        "referrals": [{"id": r.id, "name": clean_line(r.name)} for r in card.referrals],
        "value": float(s.value) if s.value is not None else None,
        "expected_close": s.expected_close.isoformat() if s.expected_close else None,
        "won_value": float(card.won_value) if card.won_value is not None else None,
        "rhythm_days": s.rhythm_days,
        "activities": [
            {
                "kind": a.kind.value,
                "text": clean_line(a.text),
                "due": a.due.isoformat() if a.due else None,
                "time": a.due_time.strftime("%H:%M") if a.due_time else None,
            }
            for a in card.activities
        ],
        "cadence": (
            {
                "stage": card.cadence.stage.value,
                "step": card.cadence.number,
                "of": card.cadence.total,
                "text": card.cadence.text,
                "due": card.cadence.due.isoformat() if card.cadence.due else None,
            }
            if card.cadence is not None
            else None
        ),
    }


def describe_card(
    card: CardDetail,
    day: date,
    touchpoints: int,
    *,
    markdown: bool,
    money: Currency | None = None,
) -> str:
    """The card as text (or Markdown): profile, next action, notes by kind, the last
    touchpoints and the stage history."""
    s = card.summary
    lines: list[str] = []

    def heading(text: str) -> None:
        lines.extend(["", f"## {text}" if markdown else text])

    def item(text: str) -> str:
        return f"- {text}" if markdown else f"  {text}"

    # User text, literal: in Markdown a name like "Pipe | Name" or "<script>" is text too.
    user = md if markdown else clean_line

    title = user(s.name) + (f" · {user(s.organisation)}" if s.organisation else "")
    lines.append(f"# {title}" if markdown else f"{title}  (card {s.id})")
    facts = [s.stage.label]
    if s.score:
        facts.append(f"qualified {s.score}")
    facts.append(f"owner {user(s.owner)}")
    if card.archived_at:
        reason = card.archive_reason.label if card.archive_reason else "archived"
        facts.append(f"archived: {reason} {user(card.archive_note)}".strip())
    elif s.nurture_until is not None and s.is_nurturing(day):
        facts.append(f"parked until {s.nurture_until.isoformat()}")
    lines.append(" · ".join(facts) + (f" · card {s.id}" if markdown else ""))
    worth = [
        f"{label} {(money or Currency()).format(amount)}"
        for label, amount in (("Value", s.value), ("Won at", card.won_value))
        if amount is not None
    ]
    if s.expected_close:
        worth.append(f"expected to close {s.expected_close.isoformat()}")
    if worth:
        lines.append(" · ".join(worth))
    contact = [
        f"{label} {user(value)}"
        for label, value in (("Email", card.email), ("Phone", card.phone))
        if value
    ]
    if s.tags:
        contact.append(" ".join(f"#{user(t)}" for t in s.tags))
    if card.source:
        market = f", {card.market.value}" if card.market else ""
        contact.append(f"Source {card.source.label}{market}")
    if contact:
        lines.append(("  \n" if markdown else "\n").join(contact))
    if card.referred_by:
        lines.append(f"Referred by {user(card.referred_by.name)} (card {card.referred_by.id})")

    heading("Next action")
    if s.next_action or s.next_action_due:
        due = ""
        if s.next_action_due:
            mark = "! " if s.is_overdue(day) else ""
            when = describe_due_beside_date(s.next_action_due, day)
            due = f" — {mark}due {s.next_action_due.isoformat()} ({when})"
        lines.append(item(user(s.next_action) or "(no description)") + due)
    else:
        lines.append(item("none yet"))
    # The steps planned after it, earliest first (the first open one is the next action).
    for later in card.activities[1:]:
        due = ""
        if later.due is not None:
            at = f" {later.due_time:%H:%M}" if later.due_time else ""
            due = f" — due {later.due.isoformat()}{at} ({describe_due_beside_date(later.due, day)})"
        words = user(later.text) or "(no description)"
        lines.append(item(f"then {later.kind.label.lower()}: {words}{due}"))
    if card.cadence is not None:
        lines.append(item(card.cadence.describe()))
    if s.rhythm_days is not None:
        lines.append(item(f"Keep in touch every {s.rhythm_days} days"))

    q = card.qualification
    if q is not None and q.criteria:
        heading(f"Qualification {q.score}")
        for criterion in q.criteria:
            given = q.answer(criterion)
            comment = f" — {user(given.comment)}" if given.comment else ""
            lines.append(item(f"{given.answer.mark} {user(criterion)}{comment}"))

    heading(f"Research notes ({len(card.notes)})")
    if not card.notes:
        lines.append(item("none yet"))
    for kind in NoteKind:
        notes = [n for n in card.notes if n.kind is kind]
        if not notes:
            continue
        lines.extend(["", f"### {kind.label}" if markdown else f"  {kind.label.upper()}"])
        for n in notes:
            body = clean_text(n.body).strip()
            stamp = n.updated_at.astimezone().strftime("%Y-%m-%d")
            if markdown:
                lines.extend(["", f"*{stamp}*", "", body])
            else:
                first, *rest = body.splitlines() or [""]
                lines.append(f"    {stamp}  {first}")
                lines.extend(f"                {line}" for line in rest)

    shown = card.touchpoints[:touchpoints]
    more = len(card.touchpoints) - len(shown)
    heading(
        f"Touchpoints ({len(card.touchpoints)})" + (f", the last {len(shown)}" if more > 0 else "")
    )
    if not card.touchpoints:
        lines.append(item("none yet"))
    for t in shown:
        said = t.summary_after_kind
        summary = f"  {user(said)}" if said else ""
        lines.append(item(f"{t.happened_on.isoformat()}  {t.kind.label}{summary}"))

    heading("Stage history")
    for e in card.history:
        move = (
            f"Added as {e.to_stage.label}"
            if e.from_stage is None
            else f"{e.from_stage.label} → {e.to_stage.label}"
        )
        why = f" ({user(e.note)})" if e.note else ""
        lines.append(item(f"{_moment(e.at)}  {move} by {user(e.by)}{why}"))
    if card.referrals:
        heading(f"Referred ({len(card.referrals)})")
        lines.extend(item(f"{user(r.name)} (card {r.id}), {r.stage.label}") for r in card.referrals)
    return "\n".join(lines) + "\n"


# search ----------------------------------------------------------------------------------------


def search(
    service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config
) -> int:
    query = _words(args.query)
    if not any(character.isalnum() for character in query):
        # `search ""` said "No card or note matches ''", as if something had been sought.
        raise UsageError(
            "Search needs words to look for: part of a name, an email, or words from a note."
        )
    if args.limit < 1:
        raise UsageError("--limit must be at least 1.")
    hits = service.search(query, args.limit)
    if args.format == "json":
        records = [
            {
                "card_id": h.card_id,
                "name": clean_line(h.card_name),
                "organisation": clean_line(h.organisation),
                "stage": h.stage.value,
                "note_id": h.note_id,
                "note_kind": h.note_kind.value if h.note_kind else None,
                "found": h.found.value,
                "snippet": clean_line(h.snippet),
            }
            for h in hits
        ]
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0 if hits else 1
    if not hits:
        print(f"No card or note matches {clean_line(query)!r}.", file=sys.stderr)
        return 1
    for h in hits:
        org = f" ({clean_line(h.organisation)})" if h.organisation else ""
        head = f"{h.card_id:>5}  {clean_line(h.card_name)}{org}, {h.stage.value}"
        if h.note_kind is not None:
            print(f"{head}  [{h.note_kind.value} note]", file=out)
            # The snippet marks its own cuts ("…"), as the palette shows it.
            print(f"       {clean_line(h.snippet)}" if h.snippet else "", file=out)
        elif h.snippet:
            print(f"{head}  [{h.found.value}]", file=out)
            print(f"       {clean_line(h.snippet)}", file=out)
        else:
            print(head, file=out)
    return 0


COMMANDS: dict[str, Command] = {
    "note": note,
    "log": log,
    "next": next_action,
    "done": done,
    "move": move,
    "show": show,
    "value": value,
    "park": park,
    "rhythm": rhythm,
    "search": search,
}
