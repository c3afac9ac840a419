"""The agenda as iCalendar (RFC 5545): one all-day event per card's dated next step.

Each card keeps one UID whatever its step says, so a calendar that imports the file
again (or subscribes to it) moves or renames that card's event instead of adding a
second one; SEQUENCE is the card's version, which rises with every change. The UID's
domain part is made from the database's address, so two pipelines never share UIDs.

`CalendarFile` keeps such a file up to date ([calendar] ics_path): after a change it
is rewritten in a background thread (the app) or as the command ends (the shell),
atomically, and only when what it says has changed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from icalendar import Calendar, Event

from pipeline_tui.domain.agenda import ScheduledAction
from pipeline_tui.domain.events import PipelineEvent
from pipeline_tui.domain.text import clean_line

PRODID = "-//pipeline-tui//Next actions//EN"
DEBOUNCE_S = 0.3
"""A burst of changes (a move, then its next action) rewrites the file once."""


def calendar_domain(database_address: str) -> str:
    """The UIDs' domain part: stable for one database, different between databases."""
    digest = hashlib.sha256(database_address.encode()).hexdigest()[:16]
    return f"{digest}.pipeline-tui.invalid"


def event_uid(card_id: int, domain: str) -> str:
    return f"card-{card_id}-next-action@{domain}"


def render_ics(actions: Sequence[ScheduledAction], domain: str, *, name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per action (all-day, on its due date)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name or "pipeline-tui next actions")
    for action in actions:
        calendar.add_component(_event(action, domain))
    data: bytes = calendar.to_ical()
    return data


def _event(action: ScheduledAction, domain: str) -> Event:
    event = Event()
    who = clean_line(action.card_name)
    if action.organisation:
        who += f" ({clean_line(action.organisation)})"
    what = clean_line(action.action) or "Next step"
    event.add("uid", event_uid(action.card_id, domain))
    # When the step last changed, so the file only differs when the pipeline does.
    stamp = (action.updated_at or datetime(2000, 1, 1, tzinfo=UTC)).astimezone(UTC)
    event.add("dtstamp", stamp.replace(microsecond=0))
    event.add("last-modified", stamp.replace(microsecond=0))
    event.add("sequence", action.version)
    event.add("dtstart", action.due)
    # A day's event ends the next day. The last day a date can hold has none after it,
    # and without DTEND an event on a date lasts that day (RFC 5545, 3.6.1); one step
    # due then stopped the whole file being written.
    if action.due < date.max:
        event.add("dtend", action.due + timedelta(days=1))
    event.add("summary", f"{what} · {who}")
    lines = [f"{who}, {action.stage.label}"]
    if action.email:
        lines.append(f"Email: {clean_line(action.email)}")
    if action.phone:
        lines.append(f"Phone: {clean_line(action.phone)}")
    lines.append(f"pipeline-tui show {action.card_id}")
    event.add("description", "\n".join(lines))
    event.add("categories", [action.stage.label])
    event.add("transp", "TRANSPARENT")
    event.add("class", "PRIVATE")
    return event


def write_atomically(path: Path, data: bytes) -> bool:
    """Write `data` to `path` (0600: it holds contacts) unless it already says that;
    True if the file changed. Through a symbolic link (a calendar linked into a synced
    folder), the file it points to: renamed over, the link became a file of its own and
    the calendar subscribed to went stale. Never a device or a pipe, which reading first
    would wait on."""
    path = Path(os.path.realpath(path))
    with suppress(FileNotFoundError):
        if not stat.S_ISREG(path.stat().st_mode):
            raise OSError(errno.EINVAL, "it is not a regular file")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".agenda-", suffix=".ics", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


class CalendarFile:
    """Keeps `path` in step with the agenda; subscribe it to a PipelineService.

    `read` returns every dated next action; `report` hears of a file that cannot be
    written (once per problem, not after every change).
    """

    def __init__(
        self,
        path: Path,
        read: Callable[[], Sequence[ScheduledAction]],
        domain: str,
        report: Callable[[str], object],
        *,
        background: bool,
    ) -> None:
        self.path = path
        self.read = read
        self.domain = domain
        self.report = report
        self._dirty = threading.Event()
        self._closing = False
        self._last_problem = ""
        self._thread: threading.Thread | None = None
        if background:
            self._thread = threading.Thread(target=self._run, name="calendar-file", daemon=True)
            self._thread.start()

    def __call__(self, events: Sequence[PipelineEvent]) -> None:
        self._dirty.set()  # any write can change a next action; the rewrite is cheap

    def refresh(self) -> None:
        """Rewrite the file now (when what it says has changed)."""
        self._dirty.clear()
        try:
            write_atomically(self.path, render_ics(self.read(), self.domain))
        except OSError as error:
            problem = f"The calendar file {self.path} could not be written: {error.strerror}."
            if problem != self._last_problem:
                self._last_problem = problem
                self.report(problem)
        except Exception as error:  # a store error: the next change tries again
            problem = f"The calendar file was not updated: {error}"
            if problem != self._last_problem:
                self._last_problem = problem
                self.report(problem)
        else:
            self._last_problem = ""

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            if self._closing:
                return
            time.sleep(DEBOUNCE_S)
            if self._closing:
                return
            self.refresh()

    def close(self) -> None:
        """Write what is pending, then stop."""
        self._closing = True
        pending = self._dirty.is_set()
        self._dirty.set()
        if self._thread is not None:
            self._thread.join()
        if pending:
            self.refresh()
