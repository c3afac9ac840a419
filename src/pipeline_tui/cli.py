"""The command line: `pipeline-tui` opens the board; subcommands work from the shell.

Both call the same PipelineService as the UI. Errors are one sentence on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import codecs
import errno
import gc
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO, TypeVar, cast

from pipeline_tui import __version__
from pipeline_tui.config import (
    DB_ENV,
    AppState,
    Config,
    ConfigError,
    config_path,
    config_source,
    default_database_path,
    default_state_path,
    describe_existing,
    load_config,
    load_state,
    user_theme_folder,
    write_starter,
)
from pipeline_tui.domain.cards import CardDraft, CardFormError, CardSummary
from pipeline_tui.domain.dates import DateOrder, DueDateError, parse_due
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.limits import FieldError
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import (
    cell_width,
    clean_line,
    counted,
    listed,
    pad_cells,
    split_tags,
)
from pipeline_tui.store import StoreError

if TYPE_CHECKING:
    from pipeline_tui.domain.kinds import ArchiveReason
    from pipeline_tui.domain.standup import OwnerCount
    from pipeline_tui.shell.listeners import Listeners
    from pipeline_tui.store import BoardPeek, CardPeek, Database, ImportReport, PipelineService
    from pipeline_tui.ui.app import PipelineApp
    from pipeline_tui.ui.garbage import CollectBetweenKeys

PROG = "pipeline-tui"
TODAY_ENV = "PIPELINE_TUI_TODAY"

T = TypeVar("T")
Command = Callable[["PipelineService", argparse.Namespace, TextIO], int]


class UsageError(ValueError):
    """Bad input on the command line, reported as one sentence."""


NOT_AN_OPTION = re.compile(r"-\.?\d")
"""A word that starts with a minus and a digit: a value (-3d, -1w, -0,50), never an
option; no option of this command line looks like that."""


class CommandParser(argparse.ArgumentParser):
    """The parser of every command: a word like -3d is a value, not an option.

    argparse takes any word that starts with "-" (other than a plain negative number)
    for an option, so `park ann -3d` failed with "the following arguments are
    required: DATE", and `log ann --on -3d` with "expected one argument", before the
    command could read the date. Read as values, such words reach the command, which
    takes the day or refuses it in one sentence.
    """

    def _parse_optional(self, arg_string: str) -> Any:
        if NOT_AN_OPTION.match(arg_string):
            return None  # a positional word, or the value of the option before it
        return super()._parse_optional(arg_string)


def _common_options() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH_OR_URL",
        default=argparse.SUPPRESS,
        help=f"SQLite file or SQLAlchemy URL (default: ${DB_ENV}, then the config, "
        f"then {default_database_path()})",
    )
    common.add_argument(
        "--config", metavar="PATH", default=argparse.SUPPRESS, help="use another config file"
    )
    return common


def _add_demo_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway sample pipeline (never touches your data)",
    )


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: every subcommand, --help and --version."""
    # Imported here, not at the top: opening the board never builds these parsers.
    from pipeline_tui.domain.importing import FIELDS
    from pipeline_tui.domain.standup import DEFAULT_WINDOW, WINDOWS

    common = _common_options()
    # Its commands' parsers are made as this one is (argparse's parser_class default).
    parser: argparse.ArgumentParser = CommandParser(
        prog=PROG,
        description="A keyboard-first kanban for your sales pipeline.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _add_demo_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    add = commands.add_parser("add", parents=[common], help="add a card")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--org", default="", help="organisation")
    add.add_argument("--stage", default="lead", help="lead, prospect, client or repeat")
    add.add_argument(
        "--source", help="first touchpoint: " + ", ".join(k.value for k in TouchpointKind)
    )
    add.add_argument("--email", default="")
    add.add_argument("--phone", default="")
    add.add_argument("--tags", default="", help="comma- or space-separated")
    add.add_argument("--next", default="", dest="next_action", help="next action")
    add.add_argument("--due", default="", help="due date: 2026-12-01, today, tomorrow, fri, +3d")
    add.add_argument("--value", default="", help="what the deal is worth: 12500, 12500.50, 12.5k")
    add.add_argument("--close", default="", help="expected close date: 2026-12-31, eom, +1m")
    add.add_argument(
        "--force", action="store_true", help="add it even if it looks like a card already there"
    )

    listing = commands.add_parser("list", parents=[common], help="list cards")
    listing.add_argument("--stage", help="only this stage")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")

    standup = commands.add_parser(
        "standup", parents=[common], help="print the stand-up: overdue, due, moved, stale"
    )
    standup.add_argument(
        "--since",
        default="",
        metavar="DATE",
        help="first day for moves and new leads: 2026-11-20, today, yesterday, fri, 3d "
        "(default: the last working day)",
    )
    standup.add_argument("--owner", metavar="NAME", help="only this rep's cards (default: all)")
    standup.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    standup.add_argument(
        "--since-standup",
        action="store_true",
        help="begin with the team ledger: per rep, what was due since the last stand-up "
        "(the last working day, or --since): what got done, what is still open today "
        "and what slipped "
        '(JSON always has it, as "ledger")',
    )
    standup.add_argument(
        "--window",
        type=int,
        choices=WINDOWS,
        default=DEFAULT_WINDOW,
        help="days of stage moves the conversion figures cover (default: %(default)s)",
    )

    importing = commands.add_parser(
        "import",
        parents=[common],
        help="bring in contacts: CSV or .xlsx from a CRM, vCards, or a pipeline-tui export",
        description="Import contacts. The exports of LinkedIn, Google Contacts, Outlook, "
        "HubSpot, Pipedrive, Salesforce and Zoho, vCards and the usual spreadsheet headers "
        "are read without a mapping. A contact that is already a card (same email, or same "
        "name and organisation) adds its new notes, touchpoints and fields to that card. "
        "The import is all or nothing: a file with bad rows imports nothing unless "
        "--skip-bad is given.",
    )
    importing.add_argument(
        "file", metavar="FILE", help="a .csv, .tsv, .txt, .xlsx or .vcf file, or a .json export"
    )
    importing.add_argument(
        "--dry-run", action="store_true", help="check the file and report; write nothing"
    )
    importing.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=field",
        help="read COLUMN as field (repeatable); fields: " + ", ".join(FIELDS),
    )
    importing.add_argument(
        "--stage-map",
        action="append",
        default=[],
        metavar="VALUE=stage",
        help="read a stage or status VALUE as lead, prospect, client, repeat, lost or "
        "not-a-fit (repeatable; also [import.stages] in the config)",
    )
    importing.add_argument(
        "--skip-bad", action="store_true", help="import the good rows and report the bad ones"
    )

    export = commands.add_parser(
        "export", parents=[common], help="write every card, note, touchpoint and move"
    )
    export.add_argument(
        "--format",
        choices=("json", "csv", "vcf"),
        help="json (complete, re-importable), csv (a card a row, for spreadsheets) "
        "or vcf (vCard 4.0: the active cards, for a phone or an address book); "
        "default: the -o file's extension (.json, .csv, .vcf), else json",
    )
    export.add_argument(
        "--excel",
        action="store_true",
        help="with --format csv: start with a byte-order mark so Excel reads it as UTF-8",
    )
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE, not stdout")

    backup = commands.add_parser(
        "backup", parents=[common], help="a consistent copy of the SQLite database"
    )
    backup.add_argument(
        "dest",
        metavar="DEST",
        nargs="?",
        help="file or folder for the copy (default: beside the database, with the time)",
    )

    config = commands.add_parser("config", parents=[common], help="the config file")
    config_commands = config.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    init = config_commands.add_parser(
        "init",
        parents=[common],
        help="write a starter config file (an existing one is left as it is)",
    )
    init.add_argument(
        "--force",
        action="store_true",
        help="replace an existing config with the starter (the old one is kept as .bak)",
    )
    config_commands.add_parser("path", parents=[common], help="print where the config is read from")
    config_commands.add_parser(
        "check", parents=[common], help="check the config, its [keys] and themes; list actions"
    )
    from pipeline_tui import cli_calls
    from pipeline_tui.shell.commands import register as register_daily_commands

    cli_calls.add_commands(commands, common)
    register_daily_commands(commands, common)
    return parser


class _NotJustTheBoard(Exception):
    pass


class _BoardParser(argparse.ArgumentParser):
    """Only the options that open the board. It never reports an error itself."""

    def error(self, message: str) -> NoReturn:
        raise _NotJustTheBoard(message)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, read as build_parser() reads it.

    Opening the board (`pipeline-tui`, maybe with --db, --config or --demo) is by far
    the most common command line and is read by a parser of those options alone: the
    full one takes ~5 ms to build, and its imports more, before the board can start.
    Anything else (a command, --help, --version, a mistake) goes to the full parser,
    so it is answered exactly as before.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    board = _BoardParser(prog=PROG, add_help=False, parents=[_common_options()])
    _add_demo_option(board)
    try:
        namespace, rest = board.parse_known_args(args)
    except _NotJustTheBoard:
        rest = args
    if rest:
        return build_parser().parse_args(args)
    namespace.command = None  # what the full parser's subparsers give
    return namespace


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if sys.stdout is None and _prints(args):
            # Started with its standard output closed (`>&-`): Python has no sys.stdout,
            # and what the command printed would be lost.
            raise UsageError(
                "The standard output is closed, so nothing was done;"
                " send it to a file, or to /dev/null."
            )
        if getattr(args, "demo", False) and args.command is not None:
            # The sample board is the demo's only pipeline: a command would run on the
            # rep's own data (or create it), which --demo promises never to touch.
            raise UsageError(
                f"--demo opens the sample board on its own; it does not go with {args.command}."
            )
        if args.command == "config" and args.config_command in ("init", "path"):
            return _config_file_command(args)
        config = load_config(getattr(args, "config", None))
        for warning in config.warnings:
            print(f"{PROG}: warning: {clean_line(warning)}", file=sys.stderr)
        if args.command == "add":
            return _with_service(
                args, config, partial(_add, order=config.date_order, currency=config.currency)
            )
        if args.command == "list":
            return _with_service(args, config, _list)
        if args.command == "standup":
            return _with_service(args, config, partial(_standup, config=config))
        if args.command == "import":
            return _import(args, config)
        if args.command == "export":
            return _export(args, config)
        if args.command == "backup":
            return _backup(args, config)
        if args.command == "config":
            return _config_check(args, config)
        if args.command in ("call", "brief", "report"):
            from pipeline_tui import cli_calls

            return cli_calls.run(args, config)
        if getattr(args, "shell_command", False):
            from pipeline_tui.shell.commands import command_for

            return _with_service(args, config, command_for(args, config))
        return _run_app(args, config)
    except (StoreError, ConfigError, UsageError, FieldError) as error:
        print(f"{PROG}: error: {clean_line(str(error))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except UnicodeEncodeError as error:
        if not _an_output_encoding(error.encoding):
            raise  # not the terminal's (a database server's, say): its own traceback
        # PYTHONIOENCODING=latin-1, or a terminal set to it: a name in Japanese, say.
        text = error.object[error.start : error.end]
        named = error.encoding
        if named == "charmap" and sys.stdout is not None and sys.stdout.encoding:
            named = sys.stdout.encoding  # cp1252 and the like call themselves "charmap"
        print(
            f"{PROG}: error: the output's encoding ({named}) cannot write "
            f"{text!a}, so what was to be shown was cut short (anything the command "
            "changed was saved); use UTF-8 (LANG=C.UTF-8, or PYTHONIOENCODING=utf-8).",
            file=sys.stderr,
        )
        return 1
    except BrokenPipeError:
        # The reader went away (`pipeline-tui list | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as error:
        # A disk that fills up, a file that cannot be read or written: whichever command
        # it was has cleaned up after itself; the rep gets the reason, not a traceback.
        print(f"{PROG}: error: {describe_os_error(error)}", file=sys.stderr)
        return 1


def _an_output_encoding(encoding: str) -> bool:
    """Whether `encoding` is the standard output's or error's (and not UTF-8)."""
    streams = (sys.stdout, sys.stderr)
    names = {codecs.lookup(s.encoding).name for s in streams if s is not None and s.encoding}
    if encoding == "charmap":  # what cp1252, cp437 and ISO-8859-15 call themselves here
        return any(name != "utf-8" for name in names)
    wanted = codecs.lookup(encoding).name
    return wanted != "utf-8" and wanted in names


def _prints(args: argparse.Namespace) -> bool:
    """Whether the command writes to the standard output (the board draws on stderr,
    and an export to a file says so there)."""
    if args.command is None:
        return False
    return not (args.command == "export" and args.output not in (None, "-"))


def describe_os_error(error: OSError) -> str:
    """One sentence for a failed file operation, naming the file when it is known."""
    if error.errno == errno.ENOSPC:
        reason = "The disk is full"
    elif error.errno == errno.EDQUOT:
        reason = "The disk quota is used up"
    else:
        reason = (error.strerror or str(error) or type(error).__name__).rstrip(".")
        reason = reason[:1].upper() + reason[1:]
    where = f" ({clean_line(os.fsdecode(error.filename))})" if error.filename else ""
    return f"{reason}{where}; the command stopped."


def database_target(args: argparse.Namespace, config: Config, *, creating: bool = True) -> str:
    """--db, then $PIPELINE_TUI_DB, then the config's database.url, then the XDG path.
    A database in memory is refused: every write to it reported success and was gone
    as the command ended (`PIPELINE_TUI_DB=sqlite:///$UNSET` is one). `creating`: the
    command makes the SQLite file if there is none, which in a folder that is not
    there is refused (the default place excepted)."""
    given = getattr(args, "db", None)
    if given is not None and not given.strip():
        # `--db "$TEAM_DB"` with the variable unset: not the rep's own pipeline instead.
        raise UsageError(
            "--db is empty (an unset variable?); name a file, such as ~/pipeline.db, or a URL."
        )
    target = given or os.environ.get(DB_ENV) or config.database or str(default_database_path())
    from pipeline_tui.store import sqlite_file_named, sqlite_in_memory

    if sqlite_in_memory(target):
        raise UsageError(
            f"{clean_line(target)} is a database in memory, gone when the program ends, "
            "so nothing would be kept: name a file (such as ~/pipeline.db) or a server."
        )
    path = sqlite_file_named(target) if creating and _database_named(args, config) else None
    if path is not None and not path.parent.exists():
        # A mistyped folder made a new, empty pipeline there (and the folders to it),
        # and `add` put the rep's card in it. Only the default place is made as needed.
        folder = clean_line(str(path.parent))
        raise UsageError(
            f"There is no folder {folder} for a pipeline at {clean_line(str(path))}: "
            f"check the path, or make the folder first (mkdir -p {folder})."
        )
    return target


def open_database(target: str) -> Database:
    # SQLAlchemy is imported only when a command needs the store: the board's first
    # screenful does not (see _run_app).
    from pipeline_tui.store import open_database as open_store

    return open_store(target)


NOTHING_TO_READ = {
    "list": "there are no cards to list",
    "standup": "there is nothing for a stand-up",
    "agenda": "there is nothing on the agenda",
    "search": "there is nothing to search",
    "report": "there is nothing to report",
    "export": "there is nothing to export",
}
"""The commands that only read, and what a missing pipeline means for each."""


def _command_target(args: argparse.Namespace, config: Config) -> str:
    """The database for the command on the command line. One that only reads, or that
    needs a card already there (show, brief, note, next, move...), never creates the
    SQLite file it names: a mistyped --db made an empty pipeline there, and `list`
    said "No cards yet", as if the rep's cards had gone."""
    if args.command == "import" and args.dry_run:
        return _reading_target(args, config, dry_run=True, so="")
    card = getattr(args, "card", None)
    if args.command == "log" and card == "-":
        if args.dry_run:
            return _reading_target(args, config, dry_run=True, so="")
        return database_target(args, config)  # someone new becomes a lead
    if card is not None:
        return _reading_target(
            args, config, dry_run=False, so=f"there is no card {clean_line(card)!r} in it"
        )
    if args.command in NOTHING_TO_READ:
        return _reading_target(args, config, dry_run=False, so=NOTHING_TO_READ[args.command])
    return database_target(args, config)


def _reading_target(args: argparse.Namespace, config: Config, *, dry_run: bool, so: str) -> str:
    """The database for a command that writes nothing (a search, a dry run), which
    never creates the SQLite file it names: with no file there yet, a dry run is shown
    against an empty pipeline in memory (and says so on stderr), and anything else
    stops with one sentence, ending with what that means (`so`). Where the rep named no
    database, the sentence says how to start one."""
    from pipeline_tui.store import sqlite_file

    target = database_target(args, config, creating=False)
    path = sqlite_file(target)
    if path is None or path.exists():
        return target
    where = clean_line(str(path))
    if not dry_run:
        said = f"There is no pipeline at {where} yet, so {so}"
        if not _database_named(args, config):
            raise UsageError(
                f"{said}; start one with `{PROG} add NAME`, or open the board with `{PROG}`."
            )
        raise UsageError(f"{said}.")
    print(
        f"{PROG}: warning: there is no pipeline at {where} yet; this is what would happen "
        "in an empty one (nothing was created).",
        file=sys.stderr,
    )
    return "sqlite://"


def _database_named(args: argparse.Namespace, config: Config) -> bool:
    """Whether --db, $PIPELINE_TUI_DB or the config names the database."""
    return bool(getattr(args, "db", None) or os.environ.get(DB_ENV) or config.database)


def _with_service(args: argparse.Namespace, config: Config, command: Command) -> int:
    """Run `command` on the database the command line names."""
    listeners = _listeners(config, background=False)
    opened = _CommandDatabase(args, config, listeners)
    try:
        with opened as service:
            status = command(service, args, sys.stdout)
            opened.failed = status != 0
            return status
    finally:
        if listeners is not None:
            listeners.close()


class _CommandDatabase:
    """The service on the command line's database, closed on the way out. An SQLite
    file the command made is taken away again if the command fails (an error, or
    `failed` set): `add ""` or an import with a bad line left an empty pipeline there,
    and the next `list` said "No cards yet", as if the rep's cards had gone."""

    def __init__(
        self, args: argparse.Namespace, config: Config, listeners: Listeners | None = None
    ) -> None:
        from pipeline_tui.store import sqlite_file

        self.target = _command_target(args, config)
        path = sqlite_file(self.target)
        self.made = path if path is not None and not path.exists() else None
        self.config = config
        self.listeners = listeners
        self.failed = False
        self.service: PipelineService | None = None

    def __enter__(self) -> PipelineService:
        self.service = _open_service(self.target, self.config, self.listeners)
        return self.service

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self.service is not None:
            self.service.close()
        if kind is not None or self.failed:
            self.discard()

    def discard(self) -> None:
        """The command failed once its database was closed: take away a file it made."""
        if self.made is not None:
            from pipeline_tui.store import remove_if_unused

            remove_if_unused(self.made)


def _listeners(config: Config, *, background: bool) -> Listeners | None:
    """The hooks and calendar file the config asks for (None: nothing to load)."""
    if not (config.hooks or config.ics_path):
        return None
    from pipeline_tui.shell.listeners import Listeners

    return Listeners(config, background=background)


def _add(
    service: PipelineService,
    args: argparse.Namespace,
    out: TextIO,
    *,
    order: DateOrder = DateOrder.DMY,
    currency: Currency | None = None,
) -> int:
    from pipeline_tui.domain.money import MoneyError, parse_amount
    from pipeline_tui.store import DuplicateCardError

    stage = _parse(Stage.parse, args.stage)
    source = _parse(TouchpointKind, args.source.strip().lower()) if args.source else None
    try:
        due = parse_due(args.due, today(), order)
        close = parse_due(args.close, today(), order)
    except DueDateError as error:
        raise UsageError(str(error)) from None
    try:
        shown = currency or Currency()
        value = parse_amount(args.value, shown.grouping, shown.code)
    except MoneyError as error:
        raise UsageError(str(error)) from None
    draft = CardDraft(
        name=args.name,
        organisation=args.org,
        email=args.email,
        phone=args.phone,
        tags=split_tags(args.tags),
        next_action=args.next_action,
        next_action_due=due,
        value=value,
        expected_close=close,
    )
    try:
        change = service.add_card_checked(draft, stage, source=source, on=today(), force=args.force)
    except CardFormError as error:
        raise UsageError(str(error)) from None
    except DuplicateCardError as error:
        from pipeline_tui.shell.commands import report_candidates

        report_candidates(error, error.matches)
        return 1
    print(f"Added {clean_line(draft.name)} to {stage.label} (card {change.card_id}).", file=out)
    return 0


def _list(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
    import csv
    import json

    from pipeline_tui.store import safe_rows

    stage = _parse(Stage.parse, args.stage) if args.stage else None
    cards = service.cards(stage)
    details = service.contact_details(card.id for card in cards)
    if args.format == "json":
        records = [_as_record(card, place, details) for card, place in _places(cards)]
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(_as_record(None, 0, {})))
        writer.writeheader()
        writer.writerows(
            safe_rows(_as_record(card, place, details) for card, place in _places(cards))
        )
    elif not cards and stage is not None:
        print(f"No active cards in {stage.label}.", file=out)
    else:
        _print_table(cards, details, out)
    return 0


def _places(cards: list[CardSummary]) -> Iterator[tuple[CardSummary, int]]:
    """Each card with its place in its column, 0 at the top: what "position" means to
    someone reading the list (the stored position has gaps and can be negative)."""
    seen: dict[Stage, int] = {}
    for card in cards:
        place = seen.get(card.stage, 0)
        seen[card.stage] = place + 1
        yield card, place


def _as_record(
    card: CardSummary | None, place: int, details: dict[int, tuple[str, str]]
) -> dict[str, str | int | list[str] | None]:
    if card is None:  # the field names, for the CSV header
        card = CardSummary(0, "", "", Stage.LEAD, 0, "")
    email, phone = details.get(card.id, ("", ""))
    return {
        "id": card.id,
        "name": clean_line(card.name),
        "organisation": clean_line(card.organisation),
        "email": clean_line(email),
        "phone": clean_line(phone),
        "stage": card.stage.value,
        "position": place,
        "owner": clean_line(card.owner),
        "tags": " ".join(clean_line(t) for t in card.tags),
        "next_action": clean_line(card.next_action),
        "next_action_due": card.next_action_due.isoformat() if card.next_action_due else None,
        # As the export writes it ("12500.50"): exact, whatever reads the file.
        "value": f"{card.value:.2f}" if card.value is not None else None,
        "expected_close": card.expected_close.isoformat() if card.expected_close else None,
        "nurture_until": card.nurture_until.isoformat() if card.nurture_until else None,
    }


def today() -> date:
    """Today's date, or $PIPELINE_TUI_TODAY (an ISO date) to fix it for tests and demos."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return date.today()
    try:
        day = date.fromisoformat(fixed)
    except ValueError:
        raise UsageError(f"{TODAY_ENV}={fixed!r} is not a date like 2026-11-23.") from None
    # The stand-up reaches back a year and on a month: 0001-01-01 and 9999-12-31 ended
    # in an OverflowError.
    if not date(1900, 1, 1) <= day <= date(9000, 12, 31):
        raise UsageError(f"{TODAY_ENV}={fixed!r} is not a day from 1900 to 9000.")
    return day


def _standup(
    service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config
) -> int:
    from pipeline_tui.domain.standup import SinceError, parse_since

    day = today()
    try:
        since = parse_since(args.since, day)
    except SinceError as error:
        raise UsageError(str(error)) from None
    owner = clean_line(args.owner) if args.owner is not None else None
    if owner == "":
        raise UsageError("--owner needs a name.")
    from pipeline_tui.standup_report import as_json, as_markdown, as_text

    report = service.standup(
        day, since=since, window=args.window, owner=owner, probabilities=config.probabilities
    )
    if owner is not None and owner not in {o.owner for o in report.owners}:
        print(f"{PROG}: warning: {_nobody_owns(owner, report.owners)}", file=sys.stderr)
    if args.format == "json":
        out.write(as_json(report, config.currency))
    elif args.format == "markdown":
        out.write(as_markdown(report, config.currency, ledger=args.since_standup))
    else:
        out.write(as_text(report, currency=config.currency, ledger=args.since_standup))
    return 0


def _nobody_owns(owner: str, owners: Sequence[OwnerCount]) -> str:
    """One sentence for an --owner no active card has, naming the owners there are."""
    said = f'No active card belongs to "{owner}"'
    if not owners:
        return f"{said}; there are no active cards yet."
    names = [f"{clean_line(o.owner) or '(no owner)'} ({counted(o.cards, 'card')})" for o in owners]
    return f"{said}; the cards belong to {listed(names)}."


def _print_table(
    cards: list[CardSummary], details: dict[int, tuple[str, str]], out: TextIO
) -> None:
    if not cards:
        print("No cards yet. Add one with: pipeline-tui add NAME", file=out)
        return
    day = today()
    rows = [("STAGE", "NAME", "ORGANISATION", "EMAIL", "PHONE", "NEXT ACTION", "DUE")] + [
        (
            c.stage.value,
            clean_line(c.name),
            clean_line(c.organisation),
            clean_line(details.get(c.id, ("", ""))[0]),
            clean_line(details.get(c.id, ("", ""))[1]),
            clean_line(c.next_action),
            _due_cell(c, day),
        )
        for c in cards
    ]
    # Measured in terminal cells, not characters: a CJK name takes two cells a character.
    limits = (8, 24, 24, 30, 18, 30, 17)
    widths = [min(limit, max(cell_width(r[i]) for r in rows)) for i, limit in enumerate(limits)]
    for row in rows:
        cells = [pad_cells(value, width) for value, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


def _due_cell(card: CardSummary, day: date) -> str:
    """The next action's day; for a card parked "not yet", the day it comes back (it
    looked like any other card, as if due to be worked)."""
    if card.is_nurturing(day) and card.nurture_until is not None:
        return f"parked {card.nurture_until.isoformat()}"
    return card.next_action_due.isoformat() if card.next_action_due else ""


def _parse(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        message = str(error)
        if isinstance(parse, type) and issubclass(parse, TouchpointKind):
            choices = ", ".join(k.value for k in TouchpointKind)
            message = f"unknown source {text!r}; choose one of {choices}"
        raise UsageError(message[0].upper() + message[1:] + ".") from None


def in_a_terminal() -> bool:
    """Whether the keys come from a terminal and the frames go to one: Textual reads
    stdin and draws on stderr (so `pipeline-tui > file` still opens the board)."""
    return os.isatty(0) and os.isatty(2)


def _run_app(args: argparse.Namespace, config: Config) -> int:
    if not in_a_terminal():
        # Textual would draw into the pipe or file and wait for keys for ever (at full
        # speed, with its input at end of file), and the command would never end.
        raise UsageError(
            "The board needs a terminal for its keys and screen (over SSH: ssh -t);"
            " the other commands work without one (see --help)."
        )
    # Start-up builds a few hundred thousand objects that live as long as the app
    # (Textual's modules, classes and styles, the board's widgets), and the cyclic
    # garbage collector would walk them all several times before the board is first
    # painted: ~60 ms at 10,000 cards, a full pass of ~40 ms among them. So it is paused
    # until that paint, as Textual pauses it while scrolling.
    gc.disable()
    try:
        return _run_board(args, config)
    finally:
        gc.enable()  # the board may never have been painted


def _after_first_paint(between_keys: CollectBetweenKeys) -> None:
    """Garbage collection resumes. What start-up built by then (Textual's modules,
    classes and styles, the board's widgets) lives as long as the app: it is frozen
    (see freeze_for_good), or the next full collection would walk all of it, in the
    middle of the launch (~80 ms at 100,000 cards, on the way to the first card).
    From now on full collections run between keys (ui/garbage.py)."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
    between_keys.start()


def freeze_for_good() -> None:
    """What is alive once the board first holds every card (Textual, SQLAlchemy, the
    store, the board's widgets and ids), and again once the card screen the board keeps
    for enter is built, lives as long as the app, so it is frozen: no collection walks
    it again. Each full collection otherwise walked ~140,000 objects at 10,000 cards
    (50-90 ms), and opening and closing cards makes enough garbage to start one every
    few cards, in the middle of a keystroke; the card screen and its modules left
    unfrozen made each one 70-105 ms at 100,000 cards (7-15 ms frozen). Freezing may
    keep a little cyclic garbage of start-up for good; that is bounded and made once."""
    gc.freeze()


def _import_the_board() -> type[PipelineApp]:
    """The app's class, with Textual imported now (only when the board opens, so shell
    commands start quickly) and its escape wait set.

    Most terminals over SSH send escape as a lone ESC byte, held ESCDELAY to tell it
    from the start of a key's sequence, which a terminal writes whole. Textual's own
    default, 100 ms, is a wait the rep sees on every escape. Textual reads ESCDELAY as
    it is imported; set only for that, so that $EDITOR and the hooks do not inherit it."""
    ours = "ESCDELAY" not in os.environ
    if ours:
        os.environ["ESCDELAY"] = str(ESCAPE_DELAY_MS)
    try:
        from pipeline_tui.ui.app import PipelineApp
    finally:
        if ours:
            del os.environ["ESCDELAY"]
    return PipelineApp


def _run_board(args: argparse.Namespace, config: Config) -> int:
    board_app = _import_the_board()
    from pipeline_tui.ui.garbage import CollectBetweenKeys

    # The demo opens no database of the rep's: where the rep's is, or whether it can be
    # opened at all (a folder not mounted, a database in memory), is no matter.
    target = "sqlite://" if args.demo else database_target(args, config)
    state_file = None if args.demo else default_state_path()
    state = load_state(state_file) if state_file else None
    first = None if args.demo else _peek(target, config)
    title, notice = "pipeline-tui", None
    # The demo is not the rep's pipeline: no hooks, and their calendar file is left alone.
    listeners = None if args.demo else _listeners(config, background=True)
    if first is not None:
        # An up-to-date database: its top cards show now, the store opens meanwhile.
        from pipeline_tui.store import DeferredService

        deferred = DeferredService(
            partial(
                _open_service, target, config, listeners, answer_timeout=BOARD_ANSWER_TIMEOUT_S
            ),
            user=config.user_name,
            cadences=config.cadences,
            peek_card=_card_peek(target, config),
        )
        service, close = cast("PipelineService", deferred), deferred.close
    elif args.demo:
        service = _open_service("sqlite://", config)
        service.seed_demo(date.today())
        title = "pipeline-tui demo"
        notice = "A sample pipeline: nothing you do here is saved."
        close = service.close
    else:
        service = _open_service(target, config, listeners, answer_timeout=BOARD_ANSWER_TIMEOUT_S)
        close = service.close
    between_keys = CollectBetweenKeys()
    try:
        app = board_app(
            service,
            title=title,
            theme=start_theme(config, state),
            notice=notice,
            keymap=config.keys,
            config_file=config.path,
            stale_limits=config.stale_limits,
            first_board=first,
            on_first_paint=partial(_after_first_paint, between_keys),
            on_board_loaded=freeze_for_good,
            on_card_screen_kept=freeze_for_good,
            between_keys=between_keys,
            first_screen=getattr(args, "first_screen", None),
            calls_everyone=getattr(args, "calls_everyone", False),
            date_order=config.date_order,
            currency=config.currency,
            probabilities=config.probabilities,
            state_file=state_file,
            state=state,
            theme_in_config=config.theme_chosen,
        )
        if listeners is not None:
            from pipeline_tui.shell.listeners import notify_in_app

            listeners.report = notify_in_app(app)
        app.keep_drafts_on_signals()
        try:
            app.run()
        finally:
            # However the app ended (a crash included), what is typed is kept.
            app.flush_drafts()
    finally:
        between_keys.stop()
        if listeners is not None:
            listeners.close()
        close()
    return app.return_code or 0


def start_theme(config: Config, state: AppState | None) -> str | None:
    """The theme to open with: the config's, else the one last picked in the app, else
    None (the terminal's colours decide)."""
    if config.theme_chosen:
        return config.theme
    return state.theme if state is not None else None


FIRST_CARDS_PER_COLUMN = 100
"""Cards read per column before the store opens: more than any terminal shows."""


def _peek(target: str, config: Config) -> BoardPeek | None:
    from pipeline_tui.store import peek_board, peek_source

    source = peek_source(target)
    if source is None:
        return None
    return peek_board(source, config.criteria, FIRST_CARDS_PER_COLUMN, config.user_name)


def _card_peek(target: str, config: Config) -> Callable[[int], CardPeek | None] | None:
    """A card read as `_open_service`'s service would read it, before it is open."""
    from pipeline_tui.store import peek_card, peek_source

    source = peek_source(target)
    if source is None:
        return None
    return partial(
        peek_card,
        source,
        criteria=config.criteria,
        owner=config.user_name,
        cadences=config.cadences,
    )


ESCAPE_DELAY_MS = 30
"""A lone escape's wait, unless ESCDELAY says otherwise: fish's default for the same
choice (fish_escape_delay_ms); a sequence arriving in pieces further apart than this
(a rare, very slow link) reads as escape and its characters."""

BOARD_ANSWER_TIMEOUT_S = 15.0
"""How long the board waits for a PostgreSQL server to answer before it gives up on a
read or a write and says so (a frozen server must not freeze the board)."""


def _open_service(
    target: str,
    config: Config,
    listeners: Listeners | None = None,
    *,
    answer_timeout: float | None = None,
) -> PipelineService:
    """The store, with the hooks and calendar file attached (`listeners`);
    `answer_timeout` for PostgreSQL (see Database.answer_timeout)."""
    from pipeline_tui.store import PipelineService

    database = open_database(target)
    database.answer_timeout = answer_timeout
    service = PipelineService(
        database,
        config.user_name,
        criteria=config.criteria,
        stale_limits=config.stale_limits,
        cadences=config.cadences,
    )
    if listeners is not None:
        listeners.attach(service)
    return service


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


# Import, export, backup ----------------------------------------------------------------------

REPORT_LIMIT = 20


def _import(args: argparse.Namespace, config: Config) -> int:
    from pipeline_tui.domain.importing import ImportFileError

    try:
        return _import_file(args, config)
    except ImportFileError as error:
        raise UsageError(f"{_sentence(str(error))} Nothing was imported.") from None


def _import_file(args: argparse.Namespace, config: Config) -> int:
    from pipeline_tui.domain.importing import parse_mapping, parse_stage_map

    mapping = parse_mapping(args.map)
    stage_map = parse_stage_map(
        [f"{value}={stage}" for value, stage in config.import_stages.items()], "[import.stages]"
    )
    stage_map.update(parse_stage_map(args.stage_map))
    path = Path(args.file).expanduser()
    if not path.exists():
        raise UsageError(f"There is no file {path} to import.")
    _refuse_what_log_takes(path)
    opened = _CommandDatabase(args, config)
    with opened as service, _progress_on_stderr() as progress:
        report = service.import_file(
            path,
            today=today(),
            mapping=mapping,
            stage_map=stage_map,
            dry_run=args.dry_run,
            skip_bad=args.skip_bad,
            progress=progress,
            grouping=config.currency.grouping,
            currency=config.currency.code,
        )
    out = sys.stdout
    unit = report.unit
    _print_reading(report, path, args.dry_run, out)
    for problem in report.problems:
        label = "warning" if args.skip_bad else "bad"
        note = " skipped" if args.skip_bad else ""
        print(
            f"{PROG}: {label}: {report.at(problem.line)}{note}: {clean_line(problem.reason)}",
            file=sys.stderr,
        )
    if report.problems and not args.skip_bad:
        opened.discard()  # nothing was imported
        count = len(report.problems)
        rows = f"{count} {unit}{'s' if count != 1 else ''}"
        raise UsageError(
            f"{rows} of {path.name} cannot be imported (listed above), so nothing was "
            "imported; fix them, or add --skip-bad to import the rest."
        )
    merged, unchanged = report.merged, report.unchanged
    for merge in merged[:REPORT_LIMIT]:
        print(
            f"{_capital(report.at(merge.line))} added {', '.join(merge.added)} to {merge.target}.",
            file=out,
        )
    if len(merged) > REPORT_LIMIT:
        print(f"... and {len(merged) - REPORT_LIMIT} more merged {unit}s.", file=out)
    for merge in unchanged[:REPORT_LIMIT]:
        where = "repeats" if merge.in_file else "is already on"
        print(f"{_capital(report.at(merge.line))} {where} {merge.target}.", file=out)
    if len(unchanged) > REPORT_LIMIT:
        print(f"... and {len(unchanged) - REPORT_LIMIT} more already there.", file=out)
    verb = "Would import" if args.dry_run else "Imported"
    summary = f"{verb} {counted(report.added, 'card')}"
    extras = []
    if report.archived:
        extras.append(f"{report.archived} archived")
    if report.notes:
        extras.append(counted(report.notes, "note"))
    if report.call_sessions:
        extras.append(counted(report.call_sessions, "call session"))
    if extras:
        summary += f" ({', '.join(extras)})"
    if merged:
        summary += f"; merged {counted(len(merged), unit)} into matching cards"
    if unchanged:
        summary += f"; {counted(len(unchanged), unit)} already there"
    if report.problems:
        summary += f"; skipped {counted(len(report.problems), 'bad ' + unit)}"
    print(summary + ("; nothing was written (dry run)." if args.dry_run else "."), file=out)
    return 0


LOGGED_NOT_IMPORTED = {".eml": "an email", ".ics": "a calendar invite", ".mbox": "a mailbox"}
"""What `log -` takes (each a touchpoint, on the card of the person it concerns) and
import does not."""


def _refuse_what_log_takes(path: Path) -> None:
    """An email, a mailbox or an invite is logged with `log -`; read as contacts it
    failed with "No column holds names", which did not say so."""
    what = LOGGED_NOT_IMPORTED.get(path.suffix.lower())
    if what is None:
        return
    import shlex

    said = f"{clean_line(path.name)} is {what}, which import does not read"
    if path.suffix.lower() == ".mbox":  # log - takes one message at a time
        raise UsageError(
            f"{said}; to log its messages as touchpoints, pipe them one at a time to "
            f"`{PROG} log -`."
        )
    raise UsageError(
        f"{said}; to log it as a touchpoint on the person's card (a new lead if they have "
        f"none), pipe it to log: {PROG} log - < {shlex.quote(clean_line(str(path)))}"
    )


def _print_reading(report: ImportReport, path: Path, dry_run: bool, out: TextIO) -> None:
    """How the file was read: its layout, what was assumed or skipped, and (dry run) the
    whole column and stage-value mapping."""
    said = []
    if report.layout and report.layout not in ("CSV",):
        said.append(f"read as {report.layout}")
    said.extend(report.assumptions)
    if report.skipped_lines:
        said.append("skipped " + " and ".join(report.skipped_lines))
    if said:
        print(f"{path.name}: {'; '.join(said)}.", file=out)
    if report.left_out:
        print(f"Columns left out: {', '.join(report.left_out)}.", file=out)
    if not dry_run:
        return
    if report.fields:
        print("Columns:", file=out)
        for name, headers in report.fields.items():
            print(f"  {name:<13} <- {', '.join(headers)}", file=out)
    if report.kept:
        print(f"Kept in the Imported fields note: {', '.join(report.kept)}.", file=out)
    if report.stage_values:
        print("Stage values (the first stage column with a value decides):", file=out)
        order = list(report.fields.get("stage", ()))
        rows = sorted(
            report.stage_values,
            key=lambda row: (order.index(row[0]) if row[0] in order else len(order), -row[3]),
        )
        width = max(len(column) for column, *_ in rows)
        value_width = max(len(value) for _, value, *_ in rows)
        meaning_width = max(len(_meaning(meaning)) for _, _, meaning, _ in rows)
        for column, value, meaning, count in rows:
            print(
                f"  {column:<{width}}  {value:<{value_width}}  -> "
                f"{_meaning(meaning):<{meaning_width}}  {counted(count, report.unit)}",
                file=out,
            )


def _meaning(meaning: object) -> str:
    if meaning is None:
        return "? not a stage"
    if isinstance(meaning, str):
        return "(the next stage column)"
    stage, reason = cast("tuple[Stage, ArchiveReason | None]", meaning)
    return f"{stage.value}, archived: {reason.value}" if reason else stage.value


@contextmanager
def _progress_on_stderr() -> Iterator[Callable[[str, int, int], None]]:
    """A bar on a terminal; on a pipe or log, a plain count now and then for big files."""
    from pipeline_tui.store import CHUNK

    stream = sys.stderr
    tty = stream.isatty()
    drawn = False

    def show(step: str, done: int, total: int) -> None:
        nonlocal drawn
        if total <= CHUNK:
            return
        if tty:
            width = 30
            filled = width * done // max(total, 1)
            bar = "#" * filled + "-" * (width - filled)
            stream.write(f"\r{step:<7} [{bar}] {done:,}/{total:,}")
            drawn = True
            if done >= total:
                stream.write("\n")
                drawn = False
        elif done >= total:  # a log gets one line a step, not a bar
            stream.write(f"{PROG}: {step} {done}/{total}\n")
        stream.flush()

    try:
        yield show
    finally:
        if drawn:
            stream.write("\n")


def _export(args: argparse.Namespace, config: Config) -> int:
    import tempfile

    from pipeline_tui.store import write_csv, write_json, write_vcards

    if args.output is not None and not args.output.strip():
        # An unset shell variable ("-o $OUT"): the export went to the screen instead.
        raise UsageError("-o names no file (it is empty); name one, or leave -o out for stdout.")
    args.format = _export_format(args.format, args.output)
    if args.excel and args.format != "csv":
        raise UsageError("--excel goes with --format csv.")
    target_db = _command_target(args, config)
    named = Path(args.output).expanduser() if args.output and args.output != "-" else None
    target = _export_target(named) if named is not None else None
    if target is not None:
        _refuse_a_database_as_export(target, target_db)
    service = _open_service(target_db, config)
    try:
        document = service.export_document()
    finally:
        service.close()
    writers: dict[str, Callable[[dict[str, Any], TextIO], None]] = {
        "json": write_json,
        "csv": partial(write_csv, excel=args.excel),
        "vcf": write_vcards,
    }
    write = writers[args.format]
    if target is None:
        write(document, sys.stdout)
        return 0
    # Written beside the target and renamed into place, private (0600): an export holds
    # everyone's contact details, and a failed export never leaves half a file.
    try:
        fd, temporary = tempfile.mkstemp(prefix=".export-", dir=target.parent)
    except OSError as error:
        raise UsageError(f"Cannot write {named}: {error.strerror}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(document, handle)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    count = len(document["cards"])
    if args.format == "vcf":
        count = sum(1 for card in document["cards"] if not card["archived_at"])
    print(f"Exported {count} card{'s' if count != 1 else ''} to {named}.", file=sys.stderr)
    return 0


def _export_target(named: Path) -> Path:
    """The file an export replaces: through a symbolic link, the file it points to (the
    link stays a link), and never a device, pipe or socket. Renamed over, each of those
    became a regular file (as root, `-o /dev/full` replaced the device), and a pipe
    hung the export, which opened it to see whether it was a database."""
    real = Path(os.path.realpath(named))
    try:
        mode = named.stat().st_mode
    except FileNotFoundError:
        return real
    except OSError as error:
        raise UsageError(f"Cannot write {named}: {error.strerror}.") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"{named} is a folder; give a file name for the export.")
    if not stat.S_ISREG(mode):
        raise UsageError(
            f"{named} is not a file; give a file name for the export, or - for the standard output."
        )
    return real


EXPORT_EXTENSIONS = {".json": "json", ".csv": "csv", ".vcf": "vcf", ".vcard": "vcf"}
"""The export format each file extension stands for."""
SPREADSHEET_EXTENSIONS = frozenset({".xlsx", ".xls", ".ods", ".numbers"})


def _export_format(chosen: str | None, output: str | None) -> str:
    """--format, else the format the -o file's extension names, else json: `export -o
    cards.csv` wrote JSON into a file named .csv. A --format that the extension
    contradicts is refused."""
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    named = EXPORT_EXTENSIONS.get(suffix)
    if suffix in SPREADSHEET_EXTENSIONS:  # JSON under that name: the spreadsheet refuses it
        raise UsageError(
            f"export does not write {suffix} files; for a spreadsheet, write a CSV it "
            "opens: --excel -o cards.csv."
        )
    if chosen is None:
        return named or "json"
    if named is not None and named != chosen:
        name = Path(output or "")
        raise UsageError(
            f"--format {chosen} does not match {clean_line(name.name)}, a {suffix} file's "
            f"name; leave out --format, or name the file {clean_line(name.stem)}.{chosen}."
        )
    return chosen


def _refuse_a_database_as_export(target: Path, database: str) -> None:
    """The export replaces its file whole: written onto the pipeline's own database
    (or any SQLite file), it wiped every card and note without a backup."""
    from pipeline_tui.store import is_sqlite_file, sqlite_file

    own = sqlite_file(database)
    if own is not None:
        files = [Path(f"{own}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
        if any(_same_file(target, file) for file in files):
            raise UsageError(
                f"{target} is the pipeline's own database; choose another file for the export."
            )
    if is_sqlite_file(target):
        raise UsageError(f"{target} is an SQLite database; choose another file for the export.")


def _same_file(one: Path, other: Path) -> bool:
    try:
        return one.resolve() == other.resolve() or one.samefile(other)
    except OSError:
        return False


def _backup(args: argparse.Namespace, config: Config) -> int:
    from pipeline_tui.store import backup_database

    if args.dest is not None and not args.dest.strip():
        # An unset shell variable ("backup $DEST"): the copy went beside the database.
        raise UsageError(
            "The backup's destination is empty; name a file or folder, or leave it out"
            " for a copy beside the database."
        )
    target = backup_database(
        database_target(args, config, creating=False), args.dest, datetime.now(UTC)
    )
    print(f"Backed up to {target}.")
    return 0


# Config ------------------------------------------------------------------------------------


def _config_file_command(args: argparse.Namespace) -> int:
    explicit = getattr(args, "config", None)
    path = config_path(explicit)
    if args.config_command == "path":
        state = "" if path.exists() else " (not created yet; `pipeline-tui config init` makes it)"
        print(f"{path}{state}")
        if config_source(explicit) != "default":
            print(f"(from {config_source(explicit)})", file=sys.stderr)
        return 0
    if path.is_dir():
        # Neither left as a config nor replaced by one (--force keeps no folder as .bak).
        raise UsageError(
            f"{clean_line(str(path))} is a folder, not a config file;"
            " name a file with --config, or move the folder away."
        )
    if path.exists() and not args.force:
        print(
            f"Your config is already at {path}; it was left as it is. "
            f"{describe_existing(path)} "
            "`pipeline-tui config init --force` replaces it with the starter "
            "(keeping the old file beside it, as .bak)."
        )
        return 0
    kept = write_starter(path, force=args.force)
    kept_note = f" The old one is kept as {kept}." if kept else ""
    print(f"Wrote a starter config to {path}.{kept_note}")
    return 0


def _config_check(args: argparse.Namespace, config: Config) -> int:
    """Report every problem: config warnings, [keys] conflicts, broken or unknown themes."""
    from textual.theme import BUILTIN_THEMES

    from pipeline_tui.ui.keys import check_keymap, describe_actions
    from pipeline_tui.ui.themes import load_themes, shipped_theme_folder

    path = config.path or config_path(getattr(args, "config", None))
    problems = list(config.warnings)
    problems.extend(check_keymap(config.keys))
    themes, theme_problems = load_themes([shipped_theme_folder(), user_theme_folder(path)])
    problems.extend(theme_problems)
    names = {theme.name for theme in themes} | set(BUILTIN_THEMES)
    if config.theme not in names:
        problems.append(
            f"ui.theme {config.theme!r} is not a theme; choose one of {', '.join(sorted(names))}."
        )
    for problem in problems:
        print(f"{PROG}: warning: {clean_line(problem)}", file=sys.stderr)
    where = str(path) if path.exists() else f"{path} (not created; all defaults)"
    print(f"Config: {where}")
    state = load_state(default_state_path())
    if config.theme_chosen or state.theme is None:
        print(f"Theme: {config.theme}")
    else:
        print(f"Theme: {clean_line(state.theme)} (last picked in the app)")
    print(f"Remembered by the app: {default_state_path()}")
    print("Actions you can rebind in [keys]:")
    for action_id, keys, description in describe_actions():
        shown = config.keys.get(action_id, keys)
        print(f"  {action_id:<22} {shown:<16} {description}")
    return 1 if problems else 0


def _capital(words: str) -> str:
    """`words` with a capital first letter, the rest as they are ("Card at line 6")."""
    return words[:1].upper() + words[1:]
