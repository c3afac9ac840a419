"""The words other tools use: column headers, stage and status names, lead sources.

Headers and values are compared loosely (`key`): "E-mail 1 - Value" is "email1value".
Each header alias has a rank: when several columns can fill one field, the most
specific column (lowest rank) that is not empty wins, so HubSpot's Lifecycle Stage
beats its Lead Status and Outlook's Job Title beats its honorific Title.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline_tui.domain.kinds import ArchiveReason, TouchpointKind
from pipeline_tui.domain.stages import Stage


@lru_cache(maxsize=65536)
def key(text: str) -> str:
    """A header or value compared loosely: "E-mail Address" -> "emailaddress"."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


FIELDS: dict[str, str] = {
    "name": "full name",
    "first_name": "first name",
    "middle_name": "middle name",
    "last_name": "last name",
    "organisation": "company or organisation",
    "email": "email address",
    "phone": "phone number",
    "job_title": "job title (kept in the Imported fields note)",
    "stage": "lifecycle, lead or deal stage or status",
    "owner": "the rep the card belongs to",
    "source": "lead source (first touchpoint)",
    "notes": "notes (kept as a general note)",
    "tags": "tags or labels, comma- or space-separated",
    "next_action": "next action",
    "due": "next action due date",
    "value": "the deal's value, an amount",
    "currency": "the deal value's currency (another than yours makes the line a bad one)",
    "expected_close": "the deal's expected close date",
    "met_on": "the day you first met or connected (a touchpoint)",
    "created": "when the contact was created in the other tool",
    "referred_by": "who referred them (the source becomes referral)",
    "keep": "keep in the Imported fields note",
    "ignore": "leave this column out",
}
"""What a column can be mapped to with --map COLUMN=field."""

# field -> {header key: rank}; a lower rank is a more specific column.
_HEADERS: dict[str, dict[str, int]] = {
    "name": {
        "fullname": 0,
        "personname": 0,
        "fn": 0,
        "dealcontactperson": 0,
        "name": 1,
        "contactname": 1,
        "displayname": 1,
        "leadname": 1,
        "customername": 1,
        "clientname": 1,
        "contactperson": 1,
        "contact": 2,
        "person": 2,
    },
    "first_name": {
        "firstname": 0,
        "givenname": 0,
        "personfirstname": 0,
        "first": 1,
        "forename": 1,
        "vorname": 1,
        "prenom": 1,
    },
    "middle_name": {"middlename": 0, "additionalname": 0},
    "last_name": {
        "lastname": 0,
        "surname": 0,
        "familyname": 0,
        "personlastname": 0,
        "last": 1,
        "nachname": 1,
        "nom": 1,
    },
    "organisation": {
        "companyname": 0,
        "organizationname": 0,
        "organisationname": 0,
        "organization1name": 0,
        "personorganization": 0,
        "companyaccount": 0,
        "org": 0,
        "organisation": 1,
        "organization": 1,
        "company": 1,
        "accountname": 1,
        "businessname": 1,
        "dealorganization": 1,
        "associatedcompany": 1,
        "account": 2,
        "business": 2,
        "employer": 2,
        "firma": 2,
    },
    "email": {
        "emailaddress": 0,
        "emailadresse": 0,  # German Outlook
        "email1value": 0,
        "primaryemail": 0,
        "personemailwork": 0,
        "personemail": 0,
        "email": 1,
        "workemail": 1,
        "businessemail": 1,
        "email1": 1,
        "emailaddress1": 1,
        "personemailhome": 2,
        "email2value": 2,
        "email2adresse": 2,
        "email2address": 2,
        "secondaryemail": 2,
        "personemailother": 3,
        "email3value": 3,
        "email3adresse": 3,
        "email3address": 3,
        "mail": 3,
    },
    "phone": {
        "primaryphone": 0,
        "phone1value": 0,
        "personphonework": 0,
        "personphone": 0,
        "tel": 1,
        "mobilephone": 1,
        "mobiltelefon": 1,  # German Outlook
        "mobilephonenumber": 1,
        "mobile": 1,
        "cell": 1,
        "cellphone": 1,
        "personphonemobile": 1,
        "phone": 2,
        "phonenumber": 2,
        "telephone": 2,
        "workphone": 2,
        "businessphone": 2,
        "telefongeschäftlich": 2,  # German Outlook's Business Phone
        "phone1": 2,
        "phone2value": 3,
        "homephone": 4,
        "personphonehome": 4,
        "phone3value": 4,
        "companymainphone": 5,
        "businessphone2": 5,
        "homephone2": 5,
        "otherphone": 5,
        "personphoneother": 5,
    },
    "job_title": {
        "jobtitle": 0,
        "organizationtitle": 0,
        "organization1title": 0,
        "personjobtitle": 0,
        "designation": 1,
        "position": 1,
        "jobrole": 1,
        "role": 2,
        "occupation": 2,
        "title": 2,
    },
    "stage": {
        "dealstatus": 0,
        "lifecyclestage": 0,
        "dealstage": 1,
        "stage": 1,
        "pipelinestage": 1,
        "salesstage": 1,
        "opportunitystage": 1,
        "leadstatus": 2,
        "hsleadstatus": 2,
        "status": 3,
    },
    "owner": {
        "contactowner": 0,
        "leadowner": 0,
        "dealowner": 0,
        "personowner": 0,
        "owner": 1,
        "accountowner": 1,
        "salesrep": 1,
        "assignedto": 1,
        "rep": 2,
    },
    "source": {
        "leadsource": 0,
        "originalsource": 0,
        "contactsource": 0,
        "source": 1,
        "dealsourcechannel": 1,
        "sourcechannel": 1,
        "howdidyouhearaboutus": 1,
        "channel": 2,
    },
    "notes": {
        "notes": 0,
        "note": 0,
        "personnotes": 0,
        "description": 1,
        "comments": 1,
        "comment": 1,
        "remarks": 1,
        "notizen": 1,  # German Outlook
        "about": 2,
    },
    "tags": {
        "tags": 0,
        "tag": 0,
        "labels": 0,
        "personlabels": 0,
        "groupmembership": 0,
        "categories": 0,
        "kategorien": 0,  # German Outlook
        "label": 1,
    },
    "next_action": {"nextaction": 0, "nextstep": 0, "nextsteps": 0, "followup": 1, "todo": 1},
    "due": {
        "due": 0,
        "duedate": 0,
        "nextactiondue": 0,
        "followupdate": 0,
        "nextstepdate": 0,
        "nextactivitydate": 1,
        "personnextactivitydate": 1,
        "dealnextactivitydate": 1,
    },
    # HubSpot and Salesforce deals: "Amount", "Close Date"; Pipedrive: "Deal - Value",
    # "Deal - Expected close date".
    "value": {"amount": 0, "dealvalue": 0, "dealamount": 0, "opportunityamount": 0, "value": 1},
    # Pipedrive: "Deal - Currency"; Salesforce: "Opportunity Currency", "Currency ISO Code".
    "currency": {
        "dealcurrency": 0,
        "opportunitycurrency": 0,
        "currencyisocode": 0,
        "currency": 1,
    },
    "expected_close": {
        "closedate": 0,
        "expectedclosedate": 0,
        "dealexpectedclosedate": 0,
        "expectedclose": 0,
    },
    "met_on": {"connectedon": 0, "metat": 1, "meton": 0, "scandate": 0, "scannedon": 0},
    "referred_by": {"referredby": 0, "empfohlenvon": 0},  # German Outlook: "Empfohlen von"
    "created": {
        "createdate": 0,
        "createddate": 0,
        "createdtime": 0,
        "personpersoncreated": 0,
        "dealdealcreated": 0,
        "datecreated": 0,
        "created": 1,
    },
}
HEADER_FIELDS: dict[str, tuple[str, int]] = {
    alias: (field, rank) for field, aliases in _HEADERS.items() for alias, rank in aliases.items()
}

# Columns that only describe another column (Google's "E-mail 1 - Label: * Work",
# Outlook's "E-mail Type: SMTP") or hold the other tool's bookkeeping: left out, and
# listed in the summary when they hold anything.
_DESCRIBING = re.compile(
    r"^(email|phone|address|website|relation|event|customfield|im|organization|externalid)"
    r"\d*(label|type|displayname|typ|angezeigtername)$"  # German Outlook: E-Mail-Typ
)
BOOKKEEPING: frozenset[str] = frozenset(
    {
        "photo",
        "photourl",
        "isdeleted",
        "systemmodstamp",
        "masterrecordid",
        "jigsaw",
        "jigsawcontactid",
        "cleanstatus",
        "lastvieweddate",
        "lastreferenceddate",
        "createdbyid",
        "lastmodifiedbyid",
        "geocodeaccuracy",
        "latitude",
        "longitude",
        "fileas",
        "initials",
    }
)


def is_bookkeeping(header_key: str) -> bool:
    return header_key in BOOKKEEPING or bool(_DESCRIBING.match(header_key))


# Values other tools write for "nothing": Outlook's empty birthday and its defaults
# (German Outlook: "0.0.00", "Nicht angegeben", "Aus").
EMPTY_VALUES: frozenset[str] = frozenset(
    {"0/0/00", "unspecified", "false", "normal", "none", "0.0.00", "nicht angegeben", "aus"}
)

HONORIFICS: frozenset[str] = frozenset(
    {
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "dr",
        "prof",
        "professor",
        "sir",
        "dame",
        "rev",
        "herr",
        "frau",
        "mme",
        "mlle",
        "m",
        "madam",
        "mrsdr",
        "drmed",
    }
)
"""Outlook's and Salesforce's "Title"/"Salutation": a form of address, not a job title."""


# Stages and statuses ---------------------------------------------------------------------


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
        "attempted",
        "other",
        "cold",
        "inquiry",
        "enquiry",
        "inprogress",
        "connected",
        # Salesforce's default lead statuses
        "opennotcontacted",
        "workingcontacted",
        "working",
        # Zoho's
        "notcontacted",
        "prequalified",
        # Pipedrive's default pipeline
        "leadin",
        "contactmade",
        "qualifiedlead",
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
        "identifydecisionmakers",
        "perceptionanalysis",
        "demo",
        "trial",
        "engaged",
        "opendeal",
        "closedconverted",
        "needsdefined",
        "demoscheduled",
        "proposalmade",
        "negotiationsstarted",
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
# Statuses that mean the deal is over: imported as archived cards, so nothing is lost.
CLOSED_STAGES: dict[str, tuple[Stage, ArchiveReason]] = {
    "lost": (Stage.PROSPECT, ArchiveReason.LOST),
    "closedlost": (Stage.PROSPECT, ArchiveReason.LOST),
    "closedlosttocompetition": (Stage.PROSPECT, ArchiveReason.LOST),
    "lostlead": (Stage.LEAD, ArchiveReason.LOST),
    "unqualified": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "disqualified": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "notqualified": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "closednotconverted": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "notafit": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "badfit": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "junk": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
    "junklead": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
}
# "Not now" statuses: active leads, with the status kept in the Imported fields note.
LATER_STAGES: dict[str, Stage] = {
    "badtiming": Stage.LEAD,
    "contactinfuture": Stage.LEAD,
    "nurture": Stage.LEAD,
    "nurturing": Stage.LEAD,
    "notnow": Stage.LEAD,
}
# Values that say nothing about the stage (Pipedrive's deal status "open"): the next
# stage column decides.
NEUTRAL_STAGES: frozenset[str] = frozenset({"", "open", "deleted"})

StageMeaning = tuple[Stage, ArchiveReason | None]

STAGE_TARGETS: dict[str, StageMeaning] = {
    **{stage.value: (stage, None) for stage in Stage},
    "lost": (Stage.PROSPECT, ArchiveReason.LOST),
    "not-a-fit": (Stage.LEAD, ArchiveReason.NOT_A_FIT),
}
"""What --stage-map and [import.stages] may map a value to."""


def parse_stage_target(text: str) -> StageMeaning | None:
    cleaned = text.strip().casefold().replace(" ", "-").replace("_", "-")
    if cleaned in ("notafit", "not-fit"):
        cleaned = "not-a-fit"
    if cleaned in STAGE_TARGETS:
        return STAGE_TARGETS[cleaned]
    try:
        return Stage.parse(text), None
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def stage_from_text(text: str) -> StageMeaning | None:
    """The stage a CRM stage or status name means (and an archive reason if closed)."""
    loose = key(text)
    if not loose:
        return Stage.LEAD, None
    if loose in STAGE_NAMES:
        return STAGE_NAMES[loose], None
    if loose in LATER_STAGES:
        return LATER_STAGES[loose], None
    return CLOSED_STAGES.get(loose)


# Lead sources -------------------------------------------------------------------------------

# Lead-source words, checked in this order against the loosened source text.
_SOURCE_WORDS: tuple[tuple[TouchpointKind, tuple[str, ...]], ...] = (
    (TouchpointKind.REFERRAL, ("referral", "referred", "wordofmouth", "recommend")),
    (TouchpointKind.FOLLOW_UP, ("followup",)),
    (
        TouchpointKind.SIGNUP,
        (
            "signup",
            "newsletter",
            "download",
            "ebook",
            "whitepaper",
            "subscri",
            "form",
            "emailmarketing",
            "mailinglist",
        ),
    ),
    (TouchpointKind.SAMPLE, ("sample", "trial", "demo")),
    (
        TouchpointKind.SOCIAL,
        (
            "social",
            "facebook",
            "linkedin",
            "twitter",
            "instagram",
            "tiktok",
            "youtube",
            "xtwitter",
        ),
    ),
    (
        TouchpointKind.EVENT,
        (
            "event",
            "tradeshow",
            "conference",
            "webinar",
            "meetup",
            "expo",
            "fair",
            "card",
            "seminar",
            "offline",
        ),
    ),
    (TouchpointKind.MEETING, ("meeting",)),
    (TouchpointKind.CALL, ("call", "phone", "telephone")),
    (TouchpointKind.EMAIL, ("email", "mail", "outbound")),
    (
        TouchpointKind.CONTENT,
        ("content", "blog", "organic", "seo", "search", "website", "web", "directtraffic"),
    ),
    (TouchpointKind.CONVERSATION, ("conversation", "chat", "walkin", "talk")),
)


@lru_cache(maxsize=4096)
def source_from_text(text: str) -> TouchpointKind | None:
    loose = key(text)
    if not loose:
        return None
    for kind in TouchpointKind:
        if loose == key(kind.value):
            return kind
    for kind, words in _SOURCE_WORDS:
        if any(word in loose for word in words):
            return kind
    return None
