"""`pipeline-tui agenda`: the steps planned, by day, overdue first; text, json or ics."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

from pipeline_tui.cli import UsageError, today
from pipeline_tui.config import Config
from pipeline_tui.domain.agenda import agenda_days
from pipeline_tui.domain.dates import describe_due
from pipeline_tui.domain.text import clean_line

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService

NOTHING_FOUND = 1
"""The exit status of an agenda with nothing in it (text or JSON), as `grep` and
`search` say nothing matched: a script can tell an empty day from a full one."""


def run(service: PipelineService, args: argparse.Namespace, out: TextIO, *, config: Config) -> int:
    if args.days < 1:
        raise UsageError("--days must be at least 1.")
    day = today()
    try:
        until = day + timedelta(days=args.days - 1)
    except OverflowError:
        raise UsageError(f"--days {args.days} reaches past the year 9999; ask for fewer.") from None
    owner = service.user if args.mine else (clean_line(args.owner) if args.owner else None)
    # Every step planned, as the week screen lists them; a calendar keeps one event per
    # card (shell/calendar.py), its next action.
    every_activity = args.format != "ics"
    actions = service.agenda(until=until, owner=owner, today=day, every_activity=every_activity)
    if args.format == "ics":
        from pipeline_tui.shell.calendar import calendar_domain, render_ics

        data = render_ics(actions, calendar_domain(service.identity()))
        out.write(data.decode("utf-8"))
        return 0  # an empty calendar is still one a calendar app subscribes to
    days = agenda_days(actions, day)
    if args.format == "json":
        records = [
            {
                "day": group.day.isoformat() if group.day else None,
                "label": group.label,
                "actions": [
                    {
                        "card_id": a.card_id,
                        "name": clean_line(a.card_name),
                        "organisation": clean_line(a.organisation),
                        "stage": a.stage.value,
                        "owner": clean_line(a.owner),
                        "action": clean_line(a.action),
                        "due": a.due.isoformat(),
                        "time": a.due_time.strftime("%H:%M") if a.due_time else None,
                        "overdue": a.is_overdue(day),
                        "email": clean_line(a.email),
                        "phone": clean_line(a.phone),
                    }
                    for a in group.actions
                ],
            }
            for group in days
        ]
        json.dump(records, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0 if records else NOTHING_FOUND
    if not days:
        # As the week screen counts them: today, and the days after it.
        span = "today" if args.days == 1 else f"today or in the next {args.days - 1} days"
        print(f"Nothing due {span}.", file=out)
        return NOTHING_FOUND
    for n, group in enumerate(days):
        if n:
            print(file=out)
        print(f"{group.label} ({len(group.actions)})", file=out)
        for a in group.actions:
            late = f"  ! {describe_due(a.due, day)}" if a.is_overdue(day) else ""
            org = f" ({clean_line(a.organisation)})" if a.organisation else ""
            what = clean_line(a.action) or "(no description)"
            if a.due_time is not None:
                what = f"{a.due_time:%H:%M} {what}"
            print(f"  {a.card_id:>5}  {what} · {clean_line(a.card_name)}{org}{late}", file=out)
    return 0
