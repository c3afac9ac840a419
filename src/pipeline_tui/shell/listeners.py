"""What listens to the pipeline's changes outside it: hooks and the calendar file.

The command line and the app attach the same listeners to their PipelineService, so a
change fires the same hooks and rewrites the same file wherever it was made.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pipeline_tui.config import Config

if TYPE_CHECKING:
    from pipeline_tui.shell.calendar import CalendarFile
    from pipeline_tui.shell.hooks import HookRunner
    from pipeline_tui.store import PipelineService

PROG = "pipeline-tui"


def wanted(config: Config) -> bool:
    """Whether the config asks for anything to listen (so there is anything to load)."""
    return bool(config.hooks or config.ics_path)


def to_stderr(message: str) -> None:
    print(f"{PROG}: warning: {message}", file=sys.stderr)


class Listeners:
    """The hooks and calendar file of one process. `report` says what went wrong with
    them (stderr by default; the app shows a notification instead)."""

    def __init__(self, config: Config, *, background: bool) -> None:
        self.config = config
        self.background = background
        self.report: Callable[[str], object] = to_stderr
        self.hooks: HookRunner | None = None
        self.calendar: CalendarFile | None = None

    def _report(self, message: str) -> None:
        self.report(message)

    def attach(self, service: PipelineService) -> None:
        if self.config.hooks:
            from pipeline_tui.shell.hooks import HookRunner

            self.hooks = HookRunner(self.config.hooks, self.config.hook_timeout, self._report)
            service.subscribe(self.hooks)
        if self.config.ics_path is not None:
            from pipeline_tui.shell.calendar import CalendarFile, calendar_domain

            self.calendar = CalendarFile(
                self.config.ics_path,
                service.agenda,
                calendar_domain(service.identity()),
                self._report,
                background=self.background,
            )
            service.subscribe(self.calendar)
            if self.background:
                # The app also brings the file up to date as it starts: on a shared
                # database, other reps' changes reach it that way too.
                self.calendar(())

    def close(self) -> None:
        """Write the calendar file if a change is pending; wait for running hooks (each
        is stopped at its time limit)."""
        if self.calendar is not None:
            self.calendar.close()
        if self.hooks is not None:
            self.hooks.wait()


def notify_in_app(app: Any) -> Callable[[str], None]:
    """A `report` that shows the message in a running Textual app (from any thread),
    or on stderr once the app has gone."""

    def report(message: str) -> None:
        if app.is_running:  # App.notify is thread-safe
            app.notify(message, severity="warning", markup=False, timeout=8)
        else:
            to_stderr(message)

    return report
