"""The shell's daily commands on the command line: their parsers and their dispatch.

cli.py registers them (`register`) and hands a parsed command to `run`; each one's
work lives in shell/daily.py, shell/capture.py and shell/agenda.py.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from textwrap import dedent, indent
from typing import TYPE_CHECKING, TextIO

from pipeline_tui.cli import CommandParser
from pipeline_tui.domain.agenda import DEFAULT_DAYS
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.lookup import CardMatch
from pipeline_tui.store import AmbiguousCardError

if TYPE_CHECKING:
    from pipeline_tui.config import Config
    from pipeline_tui.store import PipelineService

PROG = "pipeline-tui"

CARD_HELP = "the card: its id, its email, or part of its name (quoted if it has spaces)"
NOTE_KINDS = ", ".join(kind.value for kind in NoteKind)
TOUCHPOINT_KINDS = ", ".join(kind.value for kind in TouchpointKind)


class _WordsAnywhereParser(CommandParser):
    """Reads options and words in any order, as `log ann --kind call Wants a quote`
    is typed: plain argparse gives the trailing words to nothing once an option has
    come between them and CARD. A word like -3d is a value, as in every command."""

    _parsing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        if self._parsing:  # parse_known_intermixed_args calls back in here
            return super().parse_known_args(args, namespace)
        self._parsing = True
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self._parsing = False


def _parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
    name: str,
    summary: str,
    description: str,
    examples: str,
) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        name,
        parents=[common],
        help=summary,
        description=dedent(description).strip(),
        epilog="examples:\n" + indent(dedent(examples).strip("\n"), "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    # The subcommand parsers are made by the caller's add_parser; only their reading
    # of the words changes.
    parser.__class__ = _WordsAnywhereParser
    # How cli.main tells these commands from its own without importing this module.
    parser.set_defaults(shell_command=True)
    return parser


def register(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    common: argparse.ArgumentParser,
) -> None:
    """Add the daily commands to the command line."""
    note = _parser(
        commands,
        common,
        "note",
        "write a research note on a card",
        """
        Write a research note about the card's business. With no TEXT, your editor
        opens ($VISUAL, then $EDITOR, then vi); with "-", the note is read from stdin.
        """,
        """
          pipeline-tui note ann --kind problem "Quotes take them a week"
          pipeline-tui note 12 --kind goal          # opens $EDITOR
          pbpaste | pipeline-tui note ann@brightwater.example -
        """,
    )
    note.add_argument("card", metavar="CARD", help=CARD_HELP)
    note.add_argument("text", metavar="TEXT", nargs="*", help='the note; "-" reads stdin')
    note.add_argument("-k", "--kind", default="general", help=f"{NOTE_KINDS} (default: general)")

    log = _parser(
        commands,
        common,
        "log",
        "log a touchpoint, or capture an email, vCard or invite from stdin",
        f"""
        Log a touchpoint on a card. `log -` reads an email (as piped from mutt, aerc or
        neomutt, or an .eml file), a vCard or an .ics invite on stdin, finds the person
        by email, then by name, and logs it on their card; someone new becomes a lead.
        A message you sent (from [user] email in the config) is logged on its recipients.
        The same email or invite (by Message-ID or UID) is logged once: piped again it
        is refused; an updated invite moves the meeting it set as the next action, and
        a cancelled one clears it while it is still the card's next action.

        kinds: {TOUCHPOINT_KINDS}
        """,
        """
          pipeline-tui log ann --kind call "Wants the quote by Friday"
          pipeline-tui log 12 --kind meeting --on yesterday "Site visit"
          pipeline-tui log - < invite.ics
          # in mutt:  macro index,pager L "<pipe-message>pipeline-tui log -<enter>"
          # in aerc:  :pipe -m pipeline-tui log -
        """,
    )
    log.add_argument("card", metavar="CARD", help=CARD_HELP + '; "-" captures stdin')
    log.add_argument("summary", metavar="SUMMARY", nargs="*", help="what happened, one line")
    log.add_argument("-k", "--kind", help="the kind of touchpoint (listed above)")
    log.add_argument(
        "--on", default="today", metavar="DATE", help="when: today, yesterday, mon, -3d, 2026-11-20"
    )
    log.add_argument(
        "-n",
        "--dry-run",
        action="store_true",
        help="with -: say what would be logged; write nothing",
    )
    log.add_argument(
        "--format", choices=("text", "json"), default="text", help="with -: the report"
    )

    next_ = _parser(
        commands,
        common,
        "next",
        "set a card's next action",
        "Set the card's next action and its due date (it replaces the one it had).",
        """
          pipeline-tui next ann "Send the quote" --due fri
          pipeline-tui next 12 "Call about the renewal" --due 2026-12-01
        """,
    )
    next_.add_argument("card", metavar="CARD", help=CARD_HELP)
    next_.add_argument("action", metavar="ACTION", nargs="+", help="the next step, one line")
    next_.add_argument(
        "--due", default="", metavar="DATE", help="2026-12-01, today, tomorrow, fri, +3d, +2w"
    )

    done = _parser(
        commands,
        common,
        "done",
        "mark a card's next action done",
        """
        Mark the card's next action done: it is logged as a touchpoint (its kind guessed
        from the action's first word, "Call...", "Send...", unless --kind says) and
        cleared. --next sets the one after it in the same step.
        """,
        """
          pipeline-tui done ann
          pipeline-tui done 12 --note "Agreed a pilot" --next "Send the contract" --due +2d
        """,
    )
    done.add_argument("card", metavar="CARD", help=CARD_HELP)
    done.add_argument("-k", "--kind", help=f"the touchpoint's kind: {TOUCHPOINT_KINDS}")
    done.add_argument("--on", default="today", metavar="DATE", help="when it was done")
    done.add_argument("--note", default="", metavar="SUMMARY", help="what came of it, one line")
    done.add_argument("--next", dest="then", metavar="ACTION", help="the next action after it")
    done.add_argument("--due", default="", metavar="DATE", help="the next action's due date")

    move = _parser(
        commands,
        common,
        "move",
        "move a card to another stage",
        """
        Move a card to another stage (backwards too: a deal can fall through). A lead
        moves on only when it meets every qualification criterion, or with --override
        and the reason, which the stage history keeps.
        """,
        """
          pipeline-tui move ann prospect
          pipeline-tui move 12 prospect --override "Budget confirmed on the call"
          pipeline-tui move "ben hollis" client
        """,
    )
    move.add_argument("card", metavar="CARD", help=CARD_HELP)
    move.add_argument("stage", metavar="STAGE", help="lead, prospect, client or repeat")
    move.add_argument("--override", default="", metavar="REASON", help="move an unqualified lead")

    value = _parser(
        commands,
        common,
        "value",
        "set what a card's deal is worth",
        """
        Set the card's value (in the currency of [money] currency in the config), as you
        would write it: 12500, 12 500.50, 12.5k, €12,500.50. A lone comma or dot before
        three digits (12,500) is read as your locale writes numbers, and refused where
        the locale does not say. "none" clears it. --close sets the day you expect the
        deal to close. The stand-up weighs the values by stage
        ([stages] probability) into a forecast.
        """,
        """
          pipeline-tui value ann 12k
          pipeline-tui value 12 "12 500.50" --close eom
          pipeline-tui value "ben hollis" none
        """,
    )
    value.add_argument("card", metavar="CARD", help=CARD_HELP)
    # The words after the card are one amount, as a rep types it unquoted: 12 500.50,
    # USD 5 (refused in a EUR pipeline with its reason, not argparse's usage).
    value.add_argument(
        "amount", metavar="AMOUNT", nargs="+", help='12500, 12500.50, 12.5k; "none" clears it'
    )
    value.add_argument(
        "--close",
        metavar="DATE",
        help='expected close: 2026-12-31, eom, +1m, fri; "none" clears it',
    )

    park = _parser(
        commands,
        common,
        "park",
        'park a card "not yet" until a date, or bring it back',
        """
        Take the card off the active board until DATE, as p does on the qualification
        checklist: it leaves the columns and their counts, shows in the board's
        nurturing view (N), and comes back by itself on that day, when the stand-up
        lists it as back from nurturing. "now" brings it back at once.
        """,
        """
          pipeline-tui park ann 2027-03-01
          pipeline-tui park 12 +3m
          pipeline-tui park ann now
        """,
    )
    park.add_argument("card", metavar="CARD", help=CARD_HELP)
    # The words after the card are one date, as a rep types it unquoted (next week,
    # feb 29), as `value` takes its amount: argparse's usage said nothing of it.
    park.add_argument(
        "until",
        metavar="DATE",
        nargs="+",
        help='the day it comes back: 2027-03-01, +3m, eom, next week; "now": today',
    )
    rhythm = _parser(
        commands,
        common,
        "rhythm",
        "keep in touch with a card every N days",
        """
        Keep in touch with the card every DAYS days (1 to 365): it is marked stale once
        it has gone longer than that without a touchpoint, note or move, in place of its
        stage's limit ([stale] in the config). "none" goes back to the stage's limit.
        """,
        """
          pipeline-tui rhythm ann 21
          pipeline-tui rhythm "ben hollis" none
        """,
    )
    rhythm.add_argument("card", metavar="CARD", help=CARD_HELP)
    rhythm.add_argument(
        "days", metavar="DAYS", nargs="+", help='a number of days, 1 to 365; "none" clears it'
    )

    show = _parser(
        commands,
        common,
        "show",
        "show a card: profile, next action, notes, touchpoints, history",
        "Show everything about one card (archived ones too).",
        """
          pipeline-tui show ann
          pipeline-tui show 12 --format markdown > ann.md
          pipeline-tui show ann@brightwater.example --format json | jq .next_action
        """,
    )
    show.add_argument("card", metavar="CARD", help=CARD_HELP)
    show.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    show.add_argument(
        "--touchpoints", type=int, default=5, metavar="N", help="the last N touchpoints (default 5)"
    )

    search = _parser(
        commands,
        common,
        "search",
        "search cards and notes",
        """
        Find active cards and research notes containing every word (as word starts),
        best matches first, with a snippet of each note.
        """,
        """
          pipeline-tui search franchise
          pipeline-tui search "second site" --format json
        """,
    )
    search.add_argument("query", metavar="QUERY", nargs="+")
    search.add_argument("--limit", type=int, default=20, metavar="N", help="at most N (default 20)")
    search.add_argument("--format", choices=("text", "json"), default="text")

    agenda = _parser(
        commands,
        common,
        "agenda",
        "steps planned by day, overdue first (text, json or iCalendar)",
        """
        The steps due in the coming days, by day, overdue first: every step planned on
        a card, as the week screen lists them. --format ics prints each card's next
        action as an iCalendar file for a calendar app; each card keeps one event, so
        importing a newer file updates it. [calendar] ics_path in the config keeps
        such a file up to date after every change.
        """,
        """
          pipeline-tui agenda
          pipeline-tui agenda --days 14 --mine
          pipeline-tui agenda --format ics > next-actions.ics
        """,
    )
    # The week screen's days by default: today to the same weekday next week.
    agenda.add_argument(
        "--days",
        type=int,
        default=DEFAULT_DAYS + 1,
        metavar="N",
        help=f"today and the next N-1 days (default {DEFAULT_DAYS + 1}, as the week screen)",
    )
    agenda.add_argument("--format", choices=("text", "json", "ics"), default="text")
    who = agenda.add_mutually_exclusive_group()
    who.add_argument("--mine", action="store_true", help="only your cards (user.name)")
    who.add_argument("--owner", metavar="NAME", help="only this rep's cards")


Command = Callable[["PipelineService", argparse.Namespace, TextIO], int]


def command_for(args: argparse.Namespace, config: Config) -> Command:
    """The function that runs `args.command`, with the config it needs; a CARD that
    names several cards is reported with the candidates."""
    chosen = _command(args, config)

    def run(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
        try:
            return chosen(service, args, out)
        except AmbiguousCardError as error:
            report_candidates(error, error.candidates)
            return 1

    return run


def report_candidates(error: Exception, candidates: Sequence[object]) -> None:
    """The error, then one line per card it names (stderr), as `git` lists hints."""
    print(f"{PROG}: error: {error}", file=sys.stderr)
    for candidate in candidates:
        if isinstance(candidate, CardMatch):
            print(f"  {candidate.describe()}", file=sys.stderr)


def _command(args: argparse.Namespace, config: Config) -> Command:
    from functools import partial

    if args.command == "agenda":
        from pipeline_tui.shell.agenda import run as agenda

        return partial(agenda, config=config)
    if args.command == "log" and args.card == "-":
        from pipeline_tui.shell.capture import run as capture

        return partial(capture, config=config)
    from pipeline_tui.shell.daily import COMMANDS as DAILY

    return partial(DAILY[args.command], config=config)
