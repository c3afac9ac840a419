"""A realistic sample pipeline for `pipeline-tui --demo`, written into a throwaway database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from pipeline_tui.domain.kinds import ArchiveReason, Market, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import DEFAULT_CRITERIA, QUALIFIED_STAGES, Answer
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import schedule
from pipeline_tui.store.database import Database
from pipeline_tui.store.models import (
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)


@dataclass(frozen=True)
class _Person:
    name: str
    organisation: str
    stage: Stage
    source: TouchpointKind
    next_action: str
    due_in_days: int | None
    tags: str = ""
    problem: str = ""
    goal: str = ""


K = TouchpointKind
_PEOPLE: tuple[_Person, ...] = (
    _Person(
        "Amara Okafor",
        "Brightwater Dental",
        Stage.LEAD,
        K.CONTENT,
        "Send the no-show checklist",
        1,
        "dental",
        "Loses 12% of appointments to no-shows.",
        "Fill every chair on Mondays.",
    ),
    _Person(
        "Ben Hollis",
        "Hollis & Sons Joinery",
        Stage.LEAD,
        K.EVENT,
        "Call about the trade show chat",
        -2,
        "trades local",
        "Quotes take a week to go out.",
        "Quote within 48 hours.",
    ),
    _Person(
        "Chloé Martin",
        "Atelier Lumen",
        Stage.LEAD,
        K.SOCIAL,
        "Comment on her studio launch post",
        3,
        "design",
        "",
        "Book two corporate clients a quarter.",
    ),
    _Person(
        "Dev Patel",
        "Patel Logistics",
        Stage.LEAD,
        K.SIGNUP,
        "Email the route-planning guide",
        0,
        "logistics",
        "Drivers re-plan routes by hand each morning.",
    ),
    _Person(
        "Elena Rossi",
        "Rossi Family Wines",
        Stage.LEAD,
        K.SAMPLE,
        "Ask how the trial went",
        2,
        "wine retail",
    ),
    _Person(
        "Farid Haddad",
        "Cedar Clinics",
        Stage.LEAD,
        K.CONVERSATION,
        "",
        None,
        "health",
        "Front desk answers the same five questions all day.",
    ),
    _Person(
        "Grace Liu",
        "Lotus Yoga Studios",
        Stage.LEAD,
        K.CONTENT,
        "Share the retention case study",
        5,
        "fitness",
    ),
    _Person(
        "Hamish Boyd",
        "Boyd Outdoor Gear",
        Stage.LEAD,
        K.REFERRAL,
        "Intro call (referred by Nadia)",
        1,
        "retail warm",
    ),
    _Person(
        "Ines Duarte",
        "Duarte Architects",
        Stage.LEAD,
        K.SOCIAL,
        "Follow up on LinkedIn reply",
        -5,
        "design",
    ),
    _Person(
        "Jonas Berg",
        "Nordlicht Bakery",
        Stage.LEAD,
        K.EVENT,
        "Drop by with samples",
        7,
        "food local",
    ),
    _Person(
        "Kemi Adeyemi", "Adeyemi Legal", Stage.LEAD, K.SIGNUP, "Invite to the webinar", 4, "legal"
    ),
    _Person(
        "Lars Nyström",
        "Fjord Freight",
        Stage.PROSPECT,
        K.CALL,
        "Send proposal draft",
        0,
        "logistics hot",
        "Fuel costs up 18% year on year.",
        "Cut empty miles by a third.",
    ),
    _Person(
        "Maya Cohen",
        "Cohen Physio",
        Stage.PROSPECT,
        K.CONVERSATION,
        "Demo for the two partners",
        2,
        "health",
        "Paper intake forms lost weekly.",
        "Go paperless by spring.",
    ),
    _Person(
        "Noah Williams",
        "Williams Roofing",
        Stage.PROSPECT,
        K.EVENT,
        "Check budget after Q4 close",
        -1,
        "trades",
        "Leads die in a shared inbox.",
    ),
    _Person(
        "Olivia Grant",
        "Grant & Co Accountants",
        Stage.PROSPECT,
        K.CONTENT,
        "Send insight: tax-season capacity",
        3,
        "finance",
        "Turns work away every March.",
        "Grow without hiring in Q1.",
    ),
    _Person(
        "Pablo Ortega",
        "Ortega Cycles",
        Stage.PROSPECT,
        K.SAMPLE,
        "Review trial numbers together",
        1,
        "retail",
    ),
    _Person(
        "Quinn Foster",
        "Foster Vet Care",
        Stage.PROSPECT,
        K.CALL,
        "Meet the practice manager",
        6,
        "health",
    ),
    _Person(
        "Rina Sato",
        "Sato Ceramics",
        Stage.PROSPECT,
        K.SOCIAL,
        "Price the wholesale option",
        -3,
        "design craft",
    ),
    _Person(
        "Sam O'Neill",
        "O'Neill Plumbing",
        Stage.PROSPECT,
        K.REFERRAL,
        "Call back re: van tracking",
        0,
        "trades warm",
    ),
    _Person(
        "Tariq Aziz",
        "Aziz Pharmacy Group",
        Stage.PROSPECT,
        K.MEETING,
        "Workshop with store leads",
        9,
        "health enterprise",
        "Stock-outs on repeat prescriptions.",
        "One stock view for all 6 stores.",
    ),
    _Person(
        "Uma Krishnan",
        "Krishnan Tutoring",
        Stage.CLIENT,
        K.CONTENT,
        "Onboarding check-in",
        2,
        "education",
    ),
    _Person(
        "Victor Hale",
        "Hale Builders",
        Stage.CLIENT,
        K.EVENT,
        "Follow up after delivery",
        -4,
        "trades",
    ),
    _Person("Wen Zhao", "Zhao Imports", Stage.CLIENT, K.CALL, "Quarterly review", 12, "logistics"),
    _Person(
        "Ximena Flores",
        "Flores Catering",
        Stage.CLIENT,
        K.SAMPLE,
        "Ask for a testimonial",
        1,
        "food",
    ),
    _Person(
        "Yusuf Demir",
        "Demir Dental Lab",
        Stage.CLIENT,
        K.CONVERSATION,
        "Send insight: batch scheduling",
        0,
        "dental",
    ),
    _Person(
        "Zoe Clarke",
        "Clarke Florists",
        Stage.CLIENT,
        K.SOCIAL,
        "Check the Valentine's plan",
        20,
        "retail",
    ),
    _Person(
        "Aiden Murphy",
        "Murphy Electrical",
        Stage.CLIENT,
        K.REFERRAL,
        "Training session for new hires",
        4,
        "trades",
    ),
    _Person("Bea Schmidt", "Schmidt Print Works", Stage.CLIENT, K.MEETING, "", None, "print"),
    _Person(
        "Carlos Mendes",
        "Mendes Coffee Roasters",
        Stage.REPEAT,
        K.SAMPLE,
        "Pitch the second roastery",
        5,
        "food",
        "",
        "Open a second site next year.",
    ),
    _Person(
        "Dana Whitfield",
        "Whitfield Realty",
        Stage.REPEAT,
        K.REFERRAL,
        "Thank her for the two referrals",
        0,
        "property",
    ),
    _Person(
        "Emeka Nwosu",
        "Nwosu Engineering",
        Stage.REPEAT,
        K.CALL,
        "Renewal conversation",
        30,
        "engineering",
    ),
    _Person(
        "Freya Lindqvist",
        "Lindqvist Interiors",
        Stage.REPEAT,
        K.EVENT,
        "Invite to client dinner",
        14,
        "design",
    ),
    _Person(
        "Gabriel Costa",
        "Costa Surf School",
        Stage.REPEAT,
        K.CONTENT,
        "Ask about the summer camps",
        -7,
        "fitness",
    ),
    _Person(
        "Hana Kobayashi",
        "Kobayashi Translation",
        Stage.REPEAT,
        K.CONVERSATION,
        "Share the referral kit",
        3,
        "services",
    ),
    _Person(
        "Nadia Rahman",
        "Rahman Pharmacy",
        Stage.REPEAT,
        K.MEETING,
        "Annual plan review",
        21,
        "health",
    ),
)


def seed_demo(database: Database, today: date, user: str = "demo") -> int:
    """Fill an empty database with the sample pipeline; returns the number of active
    cards (a few closed deals are in the archive as well)."""
    noon = datetime.combine(today, time(12), tzinfo=UTC)
    with database.write() as session:
        positions = dict.fromkeys(STAGES, 0)
        rows: dict[str, tuple[CardRow, _Person]] = {}
        for n, person in enumerate(_PEOPLE):
            age = 3 + n % 9 + 12 * person.stage.order
            created = noon - timedelta(days=age)
            due = (
                today + timedelta(days=person.due_in_days)
                if person.due_in_days is not None
                else None
            )
            row = CardRow(
                name=person.name,
                organisation=person.organisation,
                email=_email(person.name, person.organisation),
                phone=f"+44 20 7946 0{n:03d}",
                tags=person.tags,
                stage=person.stage.value,
                position=positions[person.stage],
                owner=user if n % 3 else "sam",
                next_action=person.next_action,
                next_action_due=due,
                source=person.source.value,
                market=(
                    Market.WARM
                    if person.source in (K.REFERRAL, K.CONVERSATION, K.EVENT)
                    else Market.COLD
                ).value,
                created_at=created,
                updated_at=created,
            )
            positions[person.stage] += 1
            previous: Stage | None = None
            for step, stage in enumerate(STAGES[: person.stage.order + 1]):
                at = created + timedelta(days=step * 10 + n % 4)
                row.events.append(
                    StageEventRow(
                        from_stage=previous.value if previous else None,
                        to_stage=stage.value,
                        at=min(at, noon),
                        by=row.owner,
                    )
                )
                previous = stage
            row.touchpoints.append(
                TouchpointRow(
                    kind=person.source.value,
                    happened_on=created.date(),
                    summary=_first_touch(person.source),
                )
            )
            if person.stage is not Stage.LEAD:
                row.touchpoints.append(
                    TouchpointRow(
                        kind=K.CALL.value,
                        happened_on=today - timedelta(days=1 + n % 6),
                        summary="Discovery call: walked through how they work today",
                    )
                )
            for kind, body in ((NoteKind.PROBLEM, person.problem), (NoteKind.GOAL, person.goal)):
                if body:
                    row.notes.append(
                        ResearchNoteRow(
                            kind=kind.value, body=body, created_at=created, updated_at=created
                        )
                    )
            _answer_demo_checklist(row, n, person.stage, created)
            session.add(row)
            rows[person.name] = (row, person)
        session.flush()
        for row, _ in rows.values():
            schedule.follow(session, row, row.created_at)  # the next action: an activity
        # Referred people point at the client who introduced them.
        for row, person in rows.values():
            if person.source is K.REFERRAL:
                referrer = "Nadia Rahman" if "Nadia" in person.next_action else "Dana Whitfield"
                if referrer in rows and rows[referrer][0] is not row:
                    row.referred_by_id = rows[referrer][0].id
        for name, notes in _RESEARCH.items():
            row, _ = rows[name]
            for kind, body in notes:
                row.notes.append(
                    ResearchNoteRow(
                        kind=kind.value,
                        body=body,
                        created_at=row.created_at,
                        updated_at=row.created_at,
                    )
                )
        _add_closed_deals(session, {name: row for name, (row, _) in rows.items()}, noon, user)
    return len(_PEOPLE)


# What the rep has learned about a few people due a call, for the call queue's briefs.
_RESEARCH: dict[str, tuple[tuple[NoteKind, str], ...]] = {
    "Ben Hollis": (
        (NoteKind.GAP, "Quotes take five days; the joiners winning the big jobs quote in two."),
        (NoteKind.URGENCY, "Trade show season starts in March: quotes pile up then."),
        (
            NoteKind.INSIGHT,
            "Templates from their last 20 quotes could get a quote out in a day.\n\n"
            "Bring two examples from other joinery clients.",
        ),
    ),
    "Noah Williams": (
        (NoteKind.GAP, "Answers new leads in 3 days on average; aims for same-day."),
        (
            NoteKind.INSIGHT,
            "A shared inbox rule that routes roof-repair leads to the on-call team.",
        ),
    ),
    "Rina Sato": (
        (NoteKind.PROBLEM, "Wholesale orders come in by email and get lost."),
        (NoteKind.URGENCY, "Two shops want stock before the spring fairs."),
    ),
}


@dataclass(frozen=True)
class _Closed:
    """A deal that ended in the last three months: won, lost or not a fit."""

    name: str
    organisation: str
    source: TouchpointKind
    furthest: Stage
    reason: ArchiveReason
    closed_days_ago: int
    days_open: int
    referred_by: str = ""
    no_to: str = ""
    """A criterion they answered "no" to."""


_CLOSED: tuple[_Closed, ...] = (
    _Closed(
        "Ivy Chen",
        "Chen Dental Group",
        K.REFERRAL,
        Stage.CLIENT,
        ArchiveReason.WON,
        12,
        30,
        "Dana Whitfield",
    ),
    _Closed(
        "Ana Silva", "Silva Physio", K.REFERRAL, Stage.CLIENT, ArchiveReason.WON, 3, 21, "Ivy Chen"
    ),
    _Closed(
        "Leila Karimi",
        "Karimi Pharmacy",
        K.REFERRAL,
        Stage.CLIENT,
        ArchiveReason.WON,
        60,
        41,
        "Nadia Rahman",
    ),
    _Closed(
        "Owen Price",
        "Price Electrical",
        K.REFERRAL,
        Stage.PROSPECT,
        ArchiveReason.LOST,
        8,
        18,
        "Aiden Murphy",
        DEFAULT_CRITERIA[0],
    ),
    _Closed(
        "Marco Bianchi",
        "Bianchi Builders",
        K.EVENT,
        Stage.PROSPECT,
        ArchiveReason.LOST,
        20,
        25,
        no_to=DEFAULT_CRITERIA[0],
    ),
    _Closed("Mei Tanaka", "Tanaka Studio", K.EVENT, Stage.CLIENT, ArchiveReason.WON, 44, 52),
    _Closed(
        "Sofia Novak",
        "Novak Legal",
        K.CONTENT,
        Stage.LEAD,
        ArchiveReason.NOT_A_FIT,
        35,
        15,
        no_to=DEFAULT_CRITERIA[3],
    ),
    _Closed(
        "Tom Reid",
        "Reid Garages",
        K.SOCIAL,
        Stage.LEAD,
        ArchiveReason.LOST,
        50,
        20,
        no_to=DEFAULT_CRITERIA[1],
    ),
    _Closed(
        "Hugo Laurent",
        "Laurent Bakery",
        K.SAMPLE,
        Stage.PROSPECT,
        ArchiveReason.NOT_A_FIT,
        70,
        30,
        no_to=DEFAULT_CRITERIA[3],
    ),
    _Closed(
        "Peter Holm",
        "Holm Freight",
        K.SOCIAL,
        Stage.LEAD,
        ArchiveReason.LOST,
        80,
        10,
        no_to=DEFAULT_CRITERIA[1],
    ),
)


def _add_closed_deals(
    session: Session, active: dict[str, CardRow], noon: datetime, user: str
) -> None:
    """The archive: deals closed over the last three months, with their moves, first
    touchpoints, the criterion that failed and who referred them."""
    by_name = dict(active)
    for n, deal in enumerate(_CLOSED):
        closed = noon - timedelta(days=deal.closed_days_ago)
        created = closed - timedelta(days=deal.days_open)
        row = CardRow(
            name=deal.name,
            organisation=deal.organisation,
            email=_email(deal.name, deal.organisation),
            phone=f"+44 20 7946 1{n:03d}",
            stage=deal.furthest.value,
            position=n,
            owner=user if n % 2 else "sam",
            source=deal.source.value,
            market=(Market.WARM if deal.source in (K.REFERRAL, K.EVENT) else Market.COLD).value,
            created_at=created,
            updated_at=closed,
            archived_at=closed,
            archive_reason=deal.reason.value,
            archive_note="Signed and delivered" if deal.reason is ArchiveReason.WON else "",
        )
        steps = STAGES[: deal.furthest.order + 1]
        previous: Stage | None = None
        for step, stage in enumerate(steps):
            # Moves spread over the time the deal was open, the last well before the close.
            row.events.append(
                StageEventRow(
                    from_stage=previous.value if previous else None,
                    to_stage=stage.value,
                    at=created + (closed - created) * step / len(steps),
                    by=row.owner,
                )
            )
            previous = stage
        row.touchpoints.append(
            TouchpointRow(
                kind=deal.source.value,
                happened_on=created.date(),
                summary=_first_touch(deal.source),
            )
        )
        if deal.no_to:
            row.qualification_answers.append(
                QualificationAnswerRow(
                    criterion=deal.no_to,
                    answer=Answer.NO.value,
                    comment="",
                    updated_at=closed - timedelta(days=1),
                    updated_by=row.owner,
                )
            )
        referrer = by_name.get(deal.referred_by)
        session.add(row)
        session.flush()
        if referrer is not None:
            row.referred_by_id = referrer.id
        by_name[deal.name] = row


def _answer_demo_checklist(row: CardRow, n: int, stage: Stage, when: datetime) -> None:
    """Prospects passed the default checklist; leads are part-way through it."""
    if stage not in QUALIFIED_STAGES:
        return
    answered = len(DEFAULT_CRITERIA) if stage is Stage.PROSPECT else n % 4
    for index, criterion in enumerate(DEFAULT_CRITERIA[:answered]):
        no = stage is Stage.LEAD and index == 1 and n % 5 == 0
        row.qualification_answers.append(
            QualificationAnswerRow(
                criterion=criterion,
                answer=(Answer.NO if no else Answer.YES).value,
                comment="Happy with spreadsheets for now" if no else "",
                updated_at=when,
                updated_by=row.owner,
            )
        )


def _email(name: str, organisation: str) -> str:
    first = name.split()[0].lower().replace("é", "e")
    domain = "".join(c for c in organisation.lower() if c.isalnum())[:18]
    return f"{first}@{domain}.example"


def _first_touch(source: TouchpointKind) -> str:
    return {
        K.CONTENT: "Read our guide and replied with a question",
        K.EVENT: "Swapped cards at the regional business expo",
        K.SOCIAL: "Liked and commented on our post",
        K.SIGNUP: "Signed up to the newsletter",
        K.SAMPLE: "Started a free trial",
        K.CONVERSATION: "Chatted with our support team",
        K.REFERRAL: "Introduced by an existing client",
        K.CALL: "Called in after seeing the website",
        K.MEETING: "Met at a partner's office",
    }.get(source, "First contact")
