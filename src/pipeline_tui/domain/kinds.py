"""Kinds of touchpoints, research notes and archive reasons, in the rep's words."""

from __future__ import annotations

from enum import StrEnum


class TouchpointKind(StrEnum):
    SOCIAL = "social"
    SAMPLE = "sample"
    SIGNUP = "signup"
    CONTENT = "content"
    CONVERSATION = "conversation"
    EVENT = "event"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    FOLLOW_UP = "follow-up"
    REFERRAL = "referral"

    @property
    def label(self) -> str:
        return _TOUCHPOINT_LABELS[self]


_TOUCHPOINT_LABELS = {
    TouchpointKind.SOCIAL: "Social (like, comment, follow)",
    TouchpointKind.SAMPLE: "Sample / trial",
    TouchpointKind.SIGNUP: "Mailing list / download",
    TouchpointKind.CONTENT: "Content read",
    TouchpointKind.CONVERSATION: "Conversation",
    TouchpointKind.EVENT: "Event / card exchange",
    TouchpointKind.CALL: "Call",
    TouchpointKind.EMAIL: "Email",
    TouchpointKind.MEETING: "Meeting",
    TouchpointKind.FOLLOW_UP: "Follow-up after a sale",
    TouchpointKind.REFERRAL: "Referral",
}


class NoteKind(StrEnum):
    PROBLEM = "problem"
    GOAL = "goal"
    GAP = "gap"
    INSIGHT = "insight"
    OPPORTUNITY = "opportunity"
    URGENCY = "urgency"
    GENERAL = "general"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def key(self) -> str:
        """The one key that picks this kind after `n` on the card screen."""
        return _NOTE_KEYS[self]

    @property
    def meaning(self) -> str:
        return _NOTE_MEANINGS[self]


_NOTE_KEYS = {
    NoteKind.PROBLEM: "p",
    NoteKind.GOAL: "g",
    NoteKind.GAP: "a",
    NoteKind.INSIGHT: "i",
    NoteKind.OPPORTUNITY: "o",
    NoteKind.URGENCY: "u",
    NoteKind.GENERAL: "n",
}
_NOTE_MEANINGS = {
    NoteKind.PROBLEM: "a problem they have",
    NoteKind.GOAL: "what they want to achieve",
    NoteKind.GAP: "how they do against a goal",
    NoteKind.INSIGHT: "an idea we can bring them",
    NoteKind.OPPORTUNITY: "a further way to help",
    NoteKind.URGENCY: "why it matters now",
    NoteKind.GENERAL: "anything else",
}


class Market(StrEnum):
    WARM = "warm"
    COLD = "cold"


class ArchiveReason(StrEnum):
    WON = "won"
    LOST = "lost"
    NOT_A_FIT = "not-a-fit"
    DUPLICATE = "duplicate"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _ARCHIVE_LABELS[self]


_ARCHIVE_LABELS = {
    ArchiveReason.WON: "Won",
    ArchiveReason.LOST: "Lost",
    ArchiveReason.NOT_A_FIT: "Not a fit",
    ArchiveReason.DUPLICATE: "Duplicate",
    ArchiveReason.OTHER: "Other",
}
