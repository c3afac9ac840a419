"""The power hour and insight from the shell: `call` opens the call queue, `brief CARD`
prints what to know before a call, `report` prints where good clients come from."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from pipeline_tui.config import Config
    from pipeline_tui.store import PipelineService

COMMANDS = ("call", "brief", "report")
CANDIDATES_SHOWN = 10


def add_commands(commands: Any, common: argparse.ArgumentParser) -> None:
    """Add `call`, `brief` and `report` to the command line's subparsers."""
    from pipeline_tui.domain.insight import DEFAULT_WINDOW

    call = commands.add_parser(
        "call",
        parents=[common],
        help="open the call queue: overdue and due-today calls, one brief at a time",
    )
    call.add_argument(
        "--week", action="store_true", help="also the calls due in the next seven days"
    )
    call.add_argument("--everyone", action="store_true", help="everyone's cards, not only yours")

    brief = commands.add_parser(
        "brief", parents=[common], help="print what to know before calling someone"
    )
    brief.add_argument("card", metavar="CARD", help="card id, email, or part of the name")
    brief.add_argument("--format", choices=("text", "markdown"), default="text")

    report = commands.add_parser(
        "report",
        parents=[common],
        help="print win rates, archive reasons, referrals, time in stage, failing criteria",
    )
    report.add_argument(
        "--window",
        type=_window,
        default=DEFAULT_WINDOW,
        metavar="DAYS",
        help="days ending today that the figures cover (default: %(default)s)",
    )
    report.add_argument("--format", choices=("text", "markdown", "json"), default="text")


def _window(text: str) -> int:
    try:
        days = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days") from None
    if not 1 <= days <= 3660:
        raise argparse.ArgumentTypeError("the window is 1 to 3660 days")
    return days


def run(args: argparse.Namespace, config: Config) -> int:
    from pipeline_tui import cli

    if args.command == "call":
        args.first_screen = "calls-week" if args.week else "calls"
        args.calls_everyone = args.everyone
        return cli._run_app(args, config)
    command = _brief if args.command == "brief" else _report
    args.currency = config.currency  # the report's worth of referrals, as configured
    return cli._with_service(args, config, command)


def _brief(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
    from pipeline_tui import cli
    from pipeline_tui.brief_report import as_markdown, as_text
    from pipeline_tui.shell.commands import report_candidates
    from pipeline_tui.store import AmbiguousCardError

    try:
        card = service.find_card(args.card)
    except AmbiguousCardError as error:
        report_candidates(error, error.candidates)
        return 2
    brief = service.brief(card.id)
    day = cli.today()
    out.write(as_markdown(brief, day) if args.format == "markdown" else as_text(brief, day))
    return 0


def _report(service: PipelineService, args: argparse.Namespace, out: TextIO) -> int:
    from pipeline_tui import cli
    from pipeline_tui.insight_report import as_json, as_markdown, as_text

    insight = service.insight(cli.today(), args.window)
    money = getattr(args, "currency", None)
    if args.format == "json":
        out.write(as_json(insight))
    elif args.format == "markdown":
        out.write(as_markdown(insight, money))
    else:
        out.write(as_text(insight, money=money))
    return 0
