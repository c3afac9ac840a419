"""The command line: `pipeline-tui` opens the board; subcommands work from the shell.

Both call the same PipelineService as the UI. Errors are one sentence on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from typing import TextIO, TypeVar

from pipeline_tui import __version__
from pipeline_tui.config import DB_ENV, Config, ConfigError, default_database_path, load_config
from pipeline_tui.domain.cards import CardDraft, CardFormError, CardSummary
from pipeline_tui.domain.dates import DueDateError, parse_due
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.standup import DEFAULT_WINDOW, WINDOWS, SinceError, parse_since
from pipeline_tui.domain.text import clean_line, split_tags
from pipeline_tui.standup_report import as_json, as_markdown, as_text
from pipeline_tui.store import Database, PipelineService, StoreError, open_database
from pipeline_tui.store.standup import load_standup

PROG = "pipeline-tui"
TODAY_ENV = "PIPELINE_TUI_TODAY"

T = TypeVar("T")
Command = Callable[[PipelineService, argparse.Namespace, TextIO], int]


class UsageError(ValueError):
    """Bad input on the command line, reported as one sentence."""


def build_parser() -> argparse.ArgumentParser:
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
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A keyboard-first kanban for your sales pipeline.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open a throwaway sample pipeline (never touches your data)",
    )
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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        config = load_config(getattr(args, "config", None))
        for warning in config.warnings:
            print(f"{PROG}: warning: {warning}", file=sys.stderr)
        if args.command == "add":
            return _with_service(args, config, _add)
        if args.command == "list":
            return _with_service(args, config, _list)
        if args.command == "standup":
            return _with_service(args, config, _standup)
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


def _with_service(args: argparse.Namespace, config: Config, command: Command) -> int:
    database = open_database(database_target(args, config))
    try:
        return command(PipelineService(database, config.user_name), args, sys.stdout)
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
    stage = _parse(Stage.parse, args.stage) if args.stage else None
    cards = service.cards(stage)
    if args.format == "json":
        json.dump([_as_record(card) for card in cards], out, indent=2, ensure_ascii=False)
        out.write("\n")
    elif args.format == "csv":
        writer = csv.DictWriter(out, fieldnames=list(_as_record(None)))
        writer.writeheader()
        writer.writerows(_as_record(card) for card in cards)
    else:
        _print_table(cards, out)
    return 0


def _as_record(card: CardSummary | None) -> dict[str, str | int | list[str] | None]:
    if card is None:  # the field names, for the CSV header
        card = CardSummary(0, "", "", Stage.LEAD, 0, "")
    return {
        "id": card.id,
        "name": clean_line(card.name),
        "organisation": clean_line(card.organisation),
        "stage": card.stage.value,
        "position": card.position,
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
    day = today()
    try:
        since = parse_since(args.since, day)
    except SinceError as error:
        raise UsageError(str(error)) from None
    owner = clean_line(args.owner) if args.owner is not None else None
    if owner == "":
        raise UsageError("--owner needs a name.")
    report = load_standup(service.database, day, since=since, window=args.window, owner=owner)
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
    # Textual is imported only when the board opens, so shell commands start quickly.
    from pipeline_tui.ui.app import PipelineApp

    if args.demo:
        from pipeline_tui.store.demo import seed_demo

        database: Database = open_database("sqlite://")
        seed_demo(database, date.today(), user=config.user_name)
        title, notice = "pipeline-tui demo", "A sample pipeline: nothing you do here is saved."
    else:
        database = open_database(database_target(args, config))
        title, notice = "pipeline-tui", None
    try:
        service = PipelineService(database, config.user_name)
        app = PipelineApp(service, title=title, theme=config.theme, notice=notice)
        app.run()
    finally:
        database.close()
    return app.return_code or 0
