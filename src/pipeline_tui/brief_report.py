"""A card's brief as text for the shell: plain (fits 80 columns, counted in cells) and
Markdown, for reading on a phone or pasting into a chat before a call."""

from __future__ import annotations

from datetime import date

from pipeline_tui.domain.brief import Brief, BriefNote
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.text import clean_line, pad_cells, wrap_cells
from pipeline_tui.standup_report import md

TEXT_WIDTH = 80
_LABEL = 10  # cells for a line's label ("Problem", "Nov 20")


def due_label(due: date, today: date) -> str:
    """ "today", "tomorrow", "Fri", "3d late": how far off an activity is."""
    label = describe_due(due, today)
    return f"! {label}" if due < today else label


def profile_line(brief: Brief) -> str:
    """Stage, score, source and market, owner: the card at a glance."""
    parts = [brief.stage.label + (" (archived)" if brief.archived else "")]
    if brief.score:
        parts.append(f"qualified {brief.score}")
    if brief.source is not None:
        market = f", {brief.market.value}" if brief.market is not None else ""
        parts.append(f"source {brief.source.value}{market}")
    parts.append(f"owner {clean_line(brief.owner)}")
    return " · ".join(parts)


def note_text(note: BriefNote) -> str:
    """A note's first line, with "…" when there is more to it."""
    return note.first_line + (" …" if note.has_more else "")


def missing_notes(kinds: tuple[NoteKind, ...]) -> str:
    """ "No gap, urgency or insight notes yet."""
    if not kinds:
        return ""
    names = [kind.label.lower() for kind in kinds]
    listed = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"No {listed} note{'s' if len(names) > 1 else ''} yet."


def referral_text(brief: Brief) -> str:
    referral = brief.referral
    if referral is None:
        return ""
    who = clean_line(referral.referrer.name)
    org = clean_line(referral.organisation)
    archived = ", archived" if referral.referrer.archived else ""
    return (
        f"{who}{f' ({org})' if org else ''}, {referral.referrer.stage.label}{archived}, "
        f"on {referral.on:%a %d %b %Y}"
    )


def as_text(brief: Brief, today: date, width: int = TEXT_WIDTH) -> str:
    """The brief for a terminal or a phone; no line is wider than `width` cells."""
    out: list[str] = []
    name = clean_line(brief.name)
    org = clean_line(brief.organisation)
    out += wrap_cells(f"BRIEF · {name}{f' ({org})' if org else ''}", width)
    out += wrap_cells(profile_line(brief), width)
    reach = [f"Phone {clean_line(brief.phone)}" if brief.phone else "No phone"]
    reach.append(f"Email {clean_line(brief.email)}" if brief.email else "no email")
    out += wrap_cells(" · ".join(reach), width)

    def row(label: str, text: str) -> None:
        out.extend(
            wrap_cells(
                text,
                width,
                initial_indent=pad_cells(f"  {label}", _LABEL + 2),
                subsequent_indent=" " * (_LABEL + 2),
            )
        )

    out += ["", "DUE"]
    if brief.due is None:
        out.append("  Nothing due. Set a next action after the call.")
    else:
        action = clean_line(brief.due.text) or "(no description)"
        when = f"{due_label(brief.due.due, today)} · {action} ({brief.due.due:%a %d %b})"
        out += wrap_cells(when, width, initial_indent="  ", subsequent_indent="  ")

    out += ["", "NOTES"]
    for note in brief.notes:
        row(note.kind.label, note_text(note))
    if brief.missing_kinds:
        out += wrap_cells(
            missing_notes(brief.missing_kinds), width, initial_indent="  ", subsequent_indent="  "
        )

    if brief.questions:
        out += ["", "ASK"]
        for question in brief.questions:
            out += wrap_cells(
                f"{question.ask} ({clean_line(question.criterion)})",
                width,
                initial_indent="  - ",
                subsequent_indent="    ",
            )

    out += ["", "LAST TOUCHPOINTS"]
    if not brief.touchpoints:
        out.append("  None yet: this is the first contact.")
    for touch in brief.touchpoints:
        label = f"{touch.happened_on:%b %d}"
        kind = touch.kind.value
        said = touch.summary_after_kind
        text = f"{kind}: {clean_line(said)}" if said else kind
        row(label, text)

    if brief.referral is not None:
        out += ["", "REFERRED BY"]
        out += wrap_cells(referral_text(brief), width, initial_indent="  ", subsequent_indent="  ")
    return "\n".join(out) + "\n"


def as_markdown(brief: Brief, today: date) -> str:
    """The brief for pasting into a chat or a note."""
    name = md(brief.name)
    org = f" ({md(brief.organisation)})" if clean_line(brief.organisation) else ""
    out = [f"# Brief: {name}{org}", "", md(profile_line(brief))]
    reach = []
    if brief.phone:
        reach.append(f"Phone: {md(brief.phone)}")
    if brief.email:
        reach.append(f"Email: {md(brief.email)}")
    if reach:
        out += ["", " · ".join(reach)]
    out += ["", "## Due", ""]
    if brief.due is None:
        out.append("_Nothing due. Set a next action after the call._")
    else:
        action = md(brief.due.text) or "(no description)"
        when = due_label(brief.due.due, today)
        out.append(f"**{action}**, {md(when)} ({brief.due.due.isoformat()})")
    out += ["", "## Notes", ""]
    out += [f"- **{note.kind.label}:** {md(note_text(note))}" for note in brief.notes]
    if brief.missing_kinds:
        out += ["", f"_{missing_notes(brief.missing_kinds)}_"]
    if brief.questions:
        out += ["", "## Ask", ""]
        out += [f"- {md(q.ask)} _({md(q.criterion)})_" for q in brief.questions]
    out += ["", "## Last touchpoints", ""]
    if not brief.touchpoints:
        out.append("_None yet: this is the first contact._")
    for touch in brief.touchpoints:
        said = touch.summary_after_kind
        summary = f": {md(said)}" if said else ""
        out.append(f"- {touch.happened_on.isoformat()} · {touch.kind.value}{summary}")
    if brief.referral is not None:
        out += ["", "## Referred by", "", md(referral_text(brief))]
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"
