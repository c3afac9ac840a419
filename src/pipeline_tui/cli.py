"""The command line: `pipeline-tui` opens the board; subcommands work from the shell.

Both call the same PipelineService as the UI. Errors are one sentence on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO, TypeVar, cast

from pipeline_tui import __version__
from pipeline_tui.config import (
    DB_ENV,
    Config,
    ConfigError,
    config_path,
    config_source,
    default_database_path,
    load_config,
    user_theme_folder,
    write_starter,
)
from pipeline_tui.domain.cards import CardDraft, CardFormError, CardSummary
from pipeline_tui.domain.dates import DueDateError, parse_due
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, split_tags
from pipeline_tui.store import StoreError

if TYPE_CHECKING:
    from pipeline_tui.store import Database, PipelineService
    from pipeline_tui.store.peek import BoardPeek

PROG = "pipeline-tui"
TODAY_ENV = "PIPELINE_TUI_TODAY"

T = TypeVar("T")
Command = Callable[["PipelineService", argparse.Namespace, TextIO], int]


class UsageError(ValueError):
    """Bad input on the command line, reported as one sentence."""


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
    parser = argparse.ArgumentParser(
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
        "--window",
        type=int,
        choices=WINDOWS,
        default=DEFAULT_WINDOW,
        help="days of stage moves the conversion figures cover (default: %(default)s)",
    )

    importing = commands.add_parser(
        "import",
        parents=[common],
        help="bring in contacts from a CRM or spreadsheet CSV, or a pipeline-tui JSON export",
        description="Import contacts. Usual CRM and spreadsheet headers are recognised; "
        "duplicates (same email, or same name and organisation) are skipped. The import is "
        "all or nothing: a file with bad rows imports nothing unless --skip-bad is given.",
    )
    importing.add_argument("file", metavar="FILE", help="a .csv file, or a .json export")
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
        "--skip-bad", action="store_true", help="import the good rows and report the bad ones"
    )

    export = commands.add_parser(
        "export", parents=[common], help="write every card, note, touchpoint and move"
    )
    export.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help="json (default; complete, re-importable) or csv (a card a row, for spreadsheets)",
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
    config_commands.add_parser("init", parents=[common], help="write a starter config file")
    config_commands.add_parser("path", parents=[common], help="print where the config is read from")
    config_commands.add_parser(
        "check", parents=[common], help="check the config, its [keys] and themes; list actions"
    )
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
        if args.command == "config" and args.config_command in ("init", "path"):
            return _config_file_command(args)
        config = load_config(getattr(args, "config", None))
        for warning in config.warnings:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)
        if args.command == "add":
            return _with_service(args, config, _add)
        if args.command == "list":
            return _with_service(args, config, _list)
        if args.command == "standup":
            return _with_service(args, config, _standup)
        if args.command == "import":
            return _import(args, config)
        if args.command == "export":
            return _export(args, config)
        if args.command == "backup":
            return _backup(args, config)
        if args.command == "config":
            return _config_check(args, config)
        return _run_app(args, config)
    except (StoreError, ConfigError, UsageError) as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`pipeline-tui list | head`): not an error worth a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def database_target(args: argparse.Namespace, config: Config) -> str:
    """--db, then $PIPELINE_TUI_DB, then the config's database.url, then the XDG path."""
    return (
        getattr(args, "db", None)
        or os.environ.get(DB_ENV)
        or config.database
        or str(default_database_path())
    )


def open_database(target: str) -> Database:
    # SQLAlchemy is imported only when a command needs the store: the board's first
    # screenful does not (see _run_app).
    from pipeline_tui.store import open_database as open_store

    return open_store(target)


def _with_service(args: argparse.Namespace, config: Config, command: Command) -> int:
    from pipeline_tui.store import PipelineService

    database = open_database(database_target(args, config))
    try:
        service = PipelineService(
            database,
            config.user_name,
            criteria=config.criteria,
            stale_limits=config.stale_limits,
        )
        return command(service, args, sys.stdout)
    finally:
        database.close()


def _add(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
    stage = _parse(Stage.parse, args.stage)
    source = _parse(TouchpointKind, args.source.strip().lower()) if args.source else None
    try:
        due = parse_due(args.due, date.today())
    except DueDateError as error:
        raise UsageError(str(error)) from None
    draft = CardDraft(
        name=args.name,
        organisation=args.org,
        email=args.email,
        phone=args.phone,
        tags=split_tags(args.tags),
        next_action=args.next_action,
        next_action_due=due,
    )
    try:
        change = service.add_card(draft, stage, source=source)
    except CardFormError as error:
        raise UsageError(str(error)) from None
    print(f"Added {clean_line(draft.name)} to {stage.label} (card {change.card_id}).", file=out)
    return 0


def _list(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
    import csv
    import json

    stage = _parse(Stage.parse, args.stage) if args.stage else None
    cards = service.cards(stage)
    if args.format == "json":
        records = [_as_record(card, place) for card, place in _places(cards)]
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(_as_record(None, 0)))
        writer.writeheader()
        writer.writerows(_as_record(card, place) for card, place in _places(cards))
    else:
        _print_table(cards, out)
    return 0


def _places(cards: list[CardSummary]) -> Iterator[tuple[CardSummary, int]]:
    """Each card with its place in its column, 0 at the top: what "position" means to
    someone reading the list (the stored position has gaps and can be negative)."""
    seen: dict[Stage, int] = {}
    for card in cards:
        place = seen.get(card.stage, 0)
        seen[card.stage] = place + 1
        yield card, place


def _as_record(card: CardSummary | None, place: int) -> dict[str, str | int | list[str] | None]:
    if card is None:  # the field names, for the CSV header
        card = CardSummary(0, "", "", Stage.LEAD, 0, "")
    return {
        "id": card.id,
        "name": clean_line(card.name),
        "organisation": clean_line(card.organisation),
        "stage": card.stage.value,
        "position": place,
        "owner": clean_line(card.owner),
        "tags": " ".join(clean_line(t) for t in card.tags),
        "next_action": clean_line(card.next_action),
        "next_action_due": card.next_action_due.isoformat() if card.next_action_due else None,
    }


def today() -> date:
    """Today's date, or $PIPELINE_TUI_TODAY (an ISO date) to fix it for tests and demos."""
    fixed = os.environ.get(TODAY_ENV, "").strip()
    if not fixed:
        return date.today()
    try:
        return date.fromisoformat(fixed)
    except ValueError:
        raise UsageError(f"{TODAY_ENV}={fixed!r} is not a date like 2026-11-23.") from None


def _standup(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
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
    from pipeline_tui.store.standup import load_standup

    report = load_standup(
        service.database,
        day,
        since=since,
        window=args.window,
        owner=owner,
        limits=service.stale_limits,
    )
    if owner is not None and owner not in {o.owner for o in report.owners}:
        print(f"{PROG}: warning: {owner} owns no active cards.", file=sys.stderr)
    formats = {"text": as_text, "markdown": as_markdown, "json": as_json}
    out.write(formats[args.format](report))
    return 0


def _print_table(cards: list[CardSummary], out: TextIO) -> None:
    if not cards:
        print("No cards yet. Add one with: pipeline-tui add NAME", file=out)
        return
    rows = [("STAGE", "NAME", "ORGANISATION", "NEXT ACTION", "DUE")] + [
        (
            c.stage.value,
            clean_line(c.name),
            clean_line(c.organisation),
            clean_line(c.next_action),
            c.next_action_due.isoformat() if c.next_action_due else "",
        )
        for c in cards
    ]
    limits = (8, 28, 28, 36, 10)
    widths = [min(limit, max(len(r[i]) for r in rows)) for i, limit in enumerate(limits)]
    for row in rows:
        cells = [_fit(value, width) for value, width in zip(row, widths, strict=True)]
        print("  ".join(cells).rstrip(), file=out)


def _fit(value: str, width: int) -> str:
    return value.ljust(width) if len(value) <= width else value[: width - 1] + "…"


def _parse(parse: Callable[[str], T], text: str) -> T:
    try:
        return parse(text)
    except ValueError as error:
        message = str(error)
        if isinstance(parse, type) and issubclass(parse, TouchpointKind):
            choices = ", ".join(k.value for k in TouchpointKind)
            message = f"unknown source {text!r}; choose one of {choices}"
        raise UsageError(message[0].upper() + message[1:] + ".") from None


def _run_app(args: argparse.Namespace, config: Config) -> int:
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


def _after_first_paint() -> None:
    """Garbage collection resumes. Everything start-up built is first moved to the
    oldest generation (freeze, then unfreeze: no pass over it), as if it had survived
    collections; otherwise the very next collection would walk all of it at once."""
    if not gc.isenabled():
        if gc.get_freeze_count() == 0:  # not already frozen for good (after_board_loaded)
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def after_board_loaded() -> None:
    """What is alive once the board first holds every card (Textual, SQLAlchemy, the
    store, the board's widgets and ids) lives as long as the app, so it is frozen: no
    collection walks it again. Each full collection otherwise walked ~140,000 objects
    at 10,000 cards (50-90 ms), and opening and closing cards makes enough garbage to
    start one every few cards, in the middle of a keystroke. Freezing may keep a little
    cyclic garbage of start-up for good; that is bounded and made once."""
    gc.freeze()


def _run_board(args: argparse.Namespace, config: Config) -> int:
    # Textual is imported only when the board opens, so shell commands start quickly.
    from pipeline_tui.ui.app import PipelineApp

    target = database_target(args, config)
    first = None if args.demo else _peek(target, config)
    title, notice = "pipeline-tui", None
    if first is not None:
        # An up-to-date SQLite file: its top cards show now, the store opens meanwhile.
        from pipeline_tui.store.deferred import DeferredService

        deferred = DeferredService(partial(_open_service, target, config), user=config.user_name)
        service, close = cast("PipelineService", deferred), deferred.close
    elif args.demo:
        from pipeline_tui.store.demo import seed_demo

        service = _open_service("sqlite://", config)
        seed_demo(service.database, date.today(), user=config.user_name)
        title = "pipeline-tui demo"
        notice = "A sample pipeline: nothing you do here is saved."
        close = service.database.close
    else:
        service = _open_service(target, config)
        close = service.database.close
    try:
        app = PipelineApp(
            service,
            title=title,
            theme=config.theme if config.theme_chosen else None,
            notice=notice,
            keymap=config.keys,
            config_file=config.path,
            stale_limits=config.stale_limits,
            first_board=first,
            on_first_paint=_after_first_paint,
            on_board_loaded=after_board_loaded,
        )
        app.keep_drafts_on_signals()
        try:
            app.run()
        finally:
            # However the app ended (a crash included), what is typed is kept.
            app.flush_drafts()
    finally:
        close()
    return app.return_code or 0


FIRST_CARDS_PER_COLUMN = 100
"""Cards read per column before the store opens: more than any terminal shows."""


def _peek(target: str, config: Config) -> BoardPeek | None:
    from pipeline_tui.store.peek import peek_board, sqlite_path

    path = sqlite_path(target)
    if path is None:
        return None
    return peek_board(path, config.criteria, FIRST_CARDS_PER_COLUMN, config.user_name)


def _open_service(target: str, config: Config) -> PipelineService:
    from pipeline_tui.store import PipelineService

    return PipelineService(open_database(target), config.user_name, criteria=config.criteria)


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
    from pipeline_tui.domain.importing import parse_mapping
    from pipeline_tui.store.exchange import import_file

    mapping = parse_mapping(args.map)
    path = Path(args.file).expanduser()
    if not path.exists():
        raise UsageError(f"There is no file {path} to import.")
    database = open_database(database_target(args, config))
    try:
        with _progress_on_stderr() as progress:
            report = import_file(
                database,
                path,
                user=config.user_name,
                today=date.today(),
                now=datetime.now(UTC),
                mapping=mapping,
                dry_run=args.dry_run,
                skip_bad=args.skip_bad,
                progress=progress,
            )
    finally:
        database.close()
    unit = report.unit
    for problem in report.problems:
        label = "warning" if args.skip_bad else "bad"
        note = " skipped" if args.skip_bad else ""
        print(
            f"{PROG}: {label}: {unit} {problem.line}{note}: {clean_line(problem.reason)}",
            file=sys.stderr,
        )
    if report.problems and not args.skip_bad:
        count = len(report.problems)
        rows = f"{count} {unit}{'s' if count != 1 else ''}"
        raise UsageError(
            f"{rows} of {path.name} cannot be imported (listed above), so nothing was "
            "imported; fix them, or add --skip-bad to import the rest"
        )
    out = sys.stdout
    if report.unused_columns:
        print(f"Columns not imported: {', '.join(report.unused_columns)}.", file=out)
    for duplicate in report.duplicates[:REPORT_LIMIT]:
        print(f"Skipped {unit} {duplicate.line}: {duplicate.reason}.", file=out)
    if len(report.duplicates) > REPORT_LIMIT:
        print(f"... and {len(report.duplicates) - REPORT_LIMIT} more duplicates.", file=out)
    verb = "Would import" if args.dry_run else "Imported"
    cards = f"{report.added} card{'s' if report.added != 1 else ''}"
    extras = []
    if report.archived:
        extras.append(f"{report.archived} archived")
    if report.notes:
        extras.append(f"{report.notes} note{'s' if report.notes != 1 else ''}")
    summary = f"{verb} {cards}" + (f" ({', '.join(extras)})" if extras else "")
    skipped = []
    if report.duplicates:
        skipped.append(
            f"{len(report.duplicates)} duplicate{'s' if len(report.duplicates) != 1 else ''}"
        )
    if report.problems:
        skipped.append(
            f"{len(report.problems)} bad {unit}{'s' if len(report.problems) != 1 else ''}"
        )
    if skipped:
        summary += f"; skipped {' and '.join(skipped)}"
    print(summary + ("; nothing was written (dry run)." if args.dry_run else "."), file=out)
    return 0


@contextmanager
def _progress_on_stderr() -> Iterator[Callable[[str, int, int], None]]:
    """A bar on a terminal; on a pipe or log, a plain count now and then for big files."""
    from pipeline_tui.store.exchange import CHUNK

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

    from pipeline_tui.store.exchange import export_document, write_csv, write_json

    database = open_database(database_target(args, config))
    try:
        document = export_document(database, datetime.now(UTC))
    finally:
        database.close()
    write = write_csv if args.format == "csv" else write_json
    if not args.output or args.output == "-":
        write(document, sys.stdout)
        return 0
    target = Path(args.output).expanduser()
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give a file name for the export.")
    # Written beside the target and renamed into place, private (0600): an export holds
    # everyone's contact details, and a failed export never leaves half a file.
    try:
        fd, temporary = tempfile.mkstemp(prefix=".export-", dir=target.parent)
    except OSError as error:
        raise UsageError(f"Cannot write {target}: {error.strerror}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            write(document, handle)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    count = len(document["cards"])
    print(f"Exported {count} card{'s' if count != 1 else ''} to {target}.", file=sys.stderr)
    return 0


def _backup(args: argparse.Namespace, config: Config) -> int:
    from pipeline_tui.store.backup import backup_database

    target = backup_database(database_target(args, config), args.dest, datetime.now(UTC))
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
    write_starter(path)
    print(f"Wrote a starter config to {path}.")
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
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    where = str(path) if path.exists() else f"{path} (not created; all defaults)"
    print(f"Config: {where}")
    print(f"Theme: {config.theme}")
    print("Actions you can rebind in [keys]:")
    for action_id, keys, description in describe_actions():
        shown = config.keys.get(action_id, keys)
        print(f"  {action_id:<22} {shown:<16} {description}")
    return 1 if problems else 0
