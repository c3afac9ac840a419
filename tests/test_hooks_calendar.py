"""Hooks and the calendar: what happens outside the pipeline when it changes.

Hooks get the event as JSON on stdin, in the background; a failing or hanging one is
reported once and never breaks the command or the app. The agenda as iCalendar is
checked by parsing it with the icalendar library, as a calendar app would read it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from icalendar import Calendar

from pipeline_tui.cli import main
from pipeline_tui.config import load_config
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.shell.listeners import Listeners
from pipeline_tui.store import PipelineService, open_database
from tests.conftest import NOW, TODAY
from tests.pilot import make_app, press, screen_text, settle, tap, type_text


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "hooks.db"


def write_config(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text('[user]\nname = "sam"\n' + body)
    return path


def script(tmp_path: Path, name: str, body: str) -> Path:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def run(
    capsys: pytest.CaptureFixture[str], db: Path | str, config: Path, *argv: str
) -> tuple[int, str, str]:
    code = main([*argv, "--db", str(db), "--config", str(config)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# Hooks from the shell ---------------------------------------------------------------------------


def test_hooks_get_each_event_as_json_on_stdin(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    record = script(
        tmp_path, "record", f'cat >> {events}\necho "$PIPELINE_TUI_EVENT" >> {events}.names\n'
    )
    config = write_config(
        tmp_path,
        "[hooks]\n"
        + "".join(
            f'{name} = "{record}"\n'
            for name in (
                "card_added",
                "stage_changed",
                "became_client",
                "archived",
                "next_action_done",
            )
        ),
    )
    run(capsys, db, config, "add", "Ann Okafor", "--org", "Brightwater", "--stage", "prospect")
    run(capsys, db, config, "next", "ann", "Send the contract", "--due", "fri")
    run(capsys, db, config, "done", "ann", "--note", "Signed")
    code, _, err = run(capsys, db, config, "move", "ann", "client")
    assert (code, err) == (0, "")
    seen = [json.loads(line) for line in events.read_text().splitlines()]
    assert [e["event"] for e in seen] == [
        "card_added",
        "next_action_done",
        "stage_changed",
        "became_client",
    ]
    assert (tmp_path / "events.jsonl.names").read_text().split() == [e["event"] for e in seen]
    added, done, moved, client = seen
    assert added["card"] == {
        "id": 1,
        "name": "Ann Okafor",
        "organisation": "Brightwater",
        "stage": "prospect",
    }
    assert added["by"] == "sam"
    assert done["action"] == "Send the contract" and done["due"] == "2026-11-27"
    assert done["touchpoint"] == {"kind": "email", "on": "2026-11-23", "summary": "Signed"}
    assert (moved["from_stage"], moved["to_stage"], moved["undo"]) == ("prospect", "client", False)
    assert client["card"]["stage"] == "client"


def test_a_failing_hook_is_reported_once_and_the_change_stands(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    failing = script(
        tmp_path,
        "post",
        'cat > /dev/null\necho "curl: (6) Could not resolve host: chat.example" >&2\nexit 6\n',
    )
    config = write_config(tmp_path, f'[hooks]\ncard_added = "{failing}"\n')
    code, out, err = run(capsys, db, config, "add", "Ann Okafor")
    assert code == 0 and out == "Added Ann Okafor to Lead (card 1).\n"
    assert err == (
        "pipeline-tui: warning: The card_added hook failed (exit status 6): curl: (6) Could "
        "not resolve host: chat.example; later failures of it are not reported.\n"
    )
    service = PipelineService(open_database(str(db)), "sam")
    assert [c.name for c in service.cards()] == ["Ann Okafor"]
    service.close()


def test_a_hanging_hook_is_stopped_at_its_time_limit(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    pid_file = tmp_path / "hook.pid"
    hanging = script(tmp_path, "hang", f"echo $$ > {pid_file}\nsleep 600\n")
    config = write_config(tmp_path, f'[hooks]\ncard_added = "{hanging}"\ntimeout = 1\n')
    code, out, err = run(capsys, db, config, "add", "Ann Okafor")
    assert code == 0 and out.startswith("Added Ann Okafor")
    assert err == (
        "pipeline-tui: warning: The card_added hook ran for more than 1 s and was stopped; "
        "later failures of it are not reported.\n"
    )
    assert not _running(int(pid_file.read_text())), "the hook was stopped"


def _running(pid: int) -> bool:
    """Whether `pid` still runs (a killed orphan may linger as a zombie until init
    reaps it: that is not running)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


def test_a_hook_that_cannot_run_does_not_stop_the_command(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    config = write_config(tmp_path, '[hooks]\ncard_added = "/no/such/hook --please"\n')
    code, _, err = run(capsys, db, config, "add", "Ann Okafor")
    assert code == 0
    assert "The card_added hook failed (exit status 127)" in err


def test_imports_run_no_hooks(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    events = tmp_path / "events"
    config = write_config(tmp_path, f'[hooks]\ncard_added = "cat >> {events}"\n')
    csv = tmp_path / "contacts.csv"
    csv.write_text("name,email\nAnn,ann@example.com\nBen,ben@example.com\n")
    assert run(capsys, db, config, "import", str(csv))[0] == 0
    assert not events.exists()


# Hooks in the app -----------------------------------------------------------------------------


async def test_in_the_app_a_failing_hook_is_a_notification_and_work_goes_on(
    db: Path, tmp_path: Path
) -> None:
    failing = script(tmp_path, "post", "cat > /dev/null\necho 'webhook said 500' >&2\nexit 1\n")
    config = load_config(str(write_config(tmp_path, f'[hooks]\nstage_changed = "{failing}"\n')))
    service = PipelineService(open_database(str(db)), "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ben"), Stage.PROSPECT)
    listeners = Listeners(config, background=True)
    listeners.attach(service)
    app = make_app(service)
    from pipeline_tui.shell.listeners import notify_in_app

    listeners.report = notify_in_app(app)
    try:
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await settle(pilot)
            await press(pilot, "l", "L")  # Ben: prospect -> client
            assert listeners.hooks is not None
            listeners.hooks.wait()
            await settle(pilot)
            # Said in a toast as wide as the screen, whose lines break anywhere: read
            # whole from the app, and seen on screen.
            said = " ".join(n.message for n in app._notifications)
            assert "The stage_changed hook failed (exit status 1): webhook" in said
            assert "said 500; later failures of it are not reported." in said
            assert "The stage_changed hook failed" in screen_text(app)
            await press(pilot, "H")  # and the board still works
            await settle(pilot)
            assert service.cards()[0].stage is Stage.PROSPECT
    finally:
        listeners.close()
        service.close()


# The agenda as iCalendar ---------------------------------------------------------------------


def _events(data: str | bytes) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(data)
    return {
        str(event["UID"]): {
            "summary": str(event["SUMMARY"]),
            "start": event.decoded("DTSTART"),
            "end": event.decoded("DTEND"),
            "sequence": int(str(event["SEQUENCE"])),
        }
        for event in calendar.walk("VEVENT")
    }


def test_agenda_as_ics_is_valid_and_keeps_one_uid_per_card(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    config = write_config(tmp_path, "")
    run(
        capsys,
        db,
        config,
        "add",
        "Ann Okafor",
        "--org",
        "Brightwater",
        "--next",
        "Send the quote",
        "--due",
        "wed",
    )
    run(
        capsys,
        db,
        config,
        "add",
        'Ben; "Hollis", Jr',
        "--next",
        "Call, then email",
        "--due",
        "2026-11-20",
    )
    code, first, err = run(capsys, db, config, "agenda", "--format", "ics")
    assert (code, err) == (0, "")
    assert first.startswith("BEGIN:VCALENDAR\r\n") and first.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in first.split("\r\n")), "lines are folded"
    calendar = Calendar.from_ical(first)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["PRODID"])
    before = _events(first)
    assert sorted(e["summary"] for e in before.values()) == [  # type: ignore[type-var]
        'Call, then email · Ben; "Hollis", Jr',
        "Send the quote · Ann Okafor (Brightwater)",
    ]
    ann_uid = next(uid for uid, e in before.items() if "Ann" in str(e["summary"]))
    assert before[ann_uid]["start"] == date(2026, 11, 25)
    assert before[ann_uid]["end"] == date(2026, 11, 26)

    # The same pipeline gives the same file, byte for byte (a subscription sees no change).
    assert run(capsys, db, config, "agenda", "--format", "ics")[1] == first
    # A new step on Ann's card moves her event: same UID, higher SEQUENCE.
    run(capsys, db, config, "next", "ann", "Call about the quote", "--due", "fri")
    after = _events(run(capsys, db, config, "agenda", "--format", "ics")[1])
    assert set(after) == set(before)
    assert after[ann_uid]["summary"] == "Call about the quote · Ann Okafor (Brightwater)"
    assert after[ann_uid]["start"] == date(2026, 11, 27)
    assert after[ann_uid]["sequence"] > before[ann_uid]["sequence"]  # type: ignore[operator]


def test_another_database_never_shares_uids(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(tmp_path, "")
    uids = []
    for name in ("one.db", "two.db"):
        db = tmp_path / name
        run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "fri")
        uids.append(set(_events(run(capsys, db, config, "agenda", "--format", "ics")[1])))
    assert not uids[0] & uids[1]


def test_one_database_named_another_way_keeps_its_uids(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A subscribed calendar takes a new UID for a new event: the same database named
    # as a URL, or through a link, gave every next action a second event.
    config = write_config(tmp_path, "")
    db = tmp_path / "one.db"
    (tmp_path / "link.db").symlink_to(db)
    (tmp_path / "sub").mkdir()
    run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "fri")
    uids = [
        set(_events(run(capsys, named, config, "agenda", "--format", "ics")[1]))
        for named in (db, f"sqlite:///{db}", tmp_path / "sub" / ".." / "link.db")
    ]
    assert uids[0] and uids[0] == uids[1] == uids[2]


def test_ics_path_is_rewritten_after_every_change_from_the_shell(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "cal" / "next.ics"
    config = write_config(tmp_path, f'[calendar]\nics_path = "{ics}"\n')
    run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "2027-01-04")
    assert [e["start"] for e in _events(ics.read_bytes()).values()] == [date(2027, 1, 4)]
    assert stat.S_IMODE(ics.stat().st_mode) == 0o600, "it holds contact details"
    run(capsys, db, config, "done", "ann")
    assert _events(ics.read_bytes()) == {}
    # A read changes nothing, so the file is left alone.
    ics.write_bytes(b"left alone")
    run(capsys, db, config, "show", "ann")
    assert ics.read_bytes() == b"left alone"


def test_a_step_due_on_the_last_day_a_date_holds_is_written_too(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "next.ics"
    config = write_config(tmp_path, f'[calendar]\nics_path = "{ics}"\n')
    run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "9999-12-31")
    code, _, err = run(capsys, db, config, "add", "Ben", "--next", "Email", "--due", "2027-01-04")
    assert (code, err) == (0, "")
    events = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    days = {str(e["SUMMARY"]): (e.decoded("DTSTART"), e.get("DTEND")) for e in events}
    assert days["Call · Ann"] == (date(9999, 12, 31), None)  # a day long, by the standard
    assert days["Email · Ben"][0] == date(2027, 1, 4)


def test_a_calendar_file_linked_elsewhere_is_written_where_the_link_points(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    # A calendar linked into a synced folder: renamed over, the link had become a file
    # of its own, and the calendar subscribed to (the synced one) went stale.
    synced = tmp_path / "synced"
    synced.mkdir()
    link = tmp_path / "next.ics"
    link.symlink_to(synced / "next.ics")
    config = write_config(tmp_path, f'[calendar]\nics_path = "{link}"\n')
    run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "2027-01-04")
    assert link.is_symlink()
    assert [e["start"] for e in _events((synced / "next.ics").read_bytes()).values()] == [
        date(2027, 1, 4)
    ]


def test_a_calendar_path_that_is_a_pipe_is_a_warning_not_a_hang(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    pipe = tmp_path / "next.ics"
    os.mkfifo(pipe)
    config = write_config(tmp_path, f'[calendar]\nics_path = "{pipe}"\n')
    code, out, err = run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "fri")
    assert code == 0 and out.startswith("Added Ann")
    assert err == (
        f"pipeline-tui: warning: The calendar file {pipe} could not be written: "
        "it is not a regular file.\n"
    )


def test_a_calendar_file_that_cannot_be_written_is_a_warning(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    config = write_config(tmp_path, f'[calendar]\nics_path = "{blocker}/next.ics"\n')
    code, out, err = run(capsys, db, config, "add", "Ann", "--next", "Call", "--due", "fri")
    assert code == 0 and out.startswith("Added Ann")
    assert err.startswith(
        f"pipeline-tui: warning: The calendar file {blocker}/next.ics could not be written"
    )


async def test_the_app_rewrites_the_calendar_file_off_the_ui_thread(
    db: Path, tmp_path: Path
) -> None:
    ics = tmp_path / "next.ics"
    config = load_config(str(write_config(tmp_path, f'[calendar]\nics_path = "{ics}"\n')))
    service = PipelineService(open_database(str(db)), "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada"), Stage.LEAD)
    listeners = Listeners(config, background=True)
    listeners.attach(service)
    app = make_app(service)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await press(pilot, "enter", "f")
            await type_text(pilot, "Send the deck")
            await tap(pilot, "tab")
            await type_text(pilot, "2026-12-01")
            await press(pilot, "enter")
            await settle(pilot)
    finally:
        listeners.close()  # what is pending is written as the app closes, at the latest
        service.close()
    [event] = _events(ics.read_bytes()).values()
    assert event["summary"] == "Send the deck · Ada"
    assert event["start"] == date(2026, 12, 1)


# The README's chat example ------------------------------------------------------------------


def _readme_hook_script() -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index("    #!/bin/sh\n    # ~/.config/pipeline-tui/hooks/new-client.sh")
    block = readme[start : readme.index("\n\n", start)]
    return "\n".join(line[4:] for line in block.splitlines()) + "\n"


@pytest.mark.skipif(
    not (shutil.which("jq") and shutil.which("curl")), reason="the example needs jq and curl"
)
def test_the_readme_new_client_hook_posts_to_a_chat_webhook(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts: list[tuple[str, bytes]] = []

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            posts.append((self.headers["Content-Type"], self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Webhook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        hook = script(tmp_path, "new-client.sh", _readme_hook_script().removeprefix("#!/bin/sh\n"))
        monkeypatch.setenv("CHAT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
        config = write_config(tmp_path, f'[hooks]\nbecame_client = "{hook}"\n')
        run(capsys, db, config, "add", "Ann Okafor", "--org", "Brightwater", "--stage", "prospect")
        code, _, err = run(capsys, db, config, "move", "ann", "client")
        assert (code, err) == (0, "")
    finally:
        server.shutdown()
        server.server_close()
    assert [(kind, json.loads(body)) for kind, body in posts] == [
        ("application/json", {"text": "New client: Ann Okafor (Brightwater), moved by sam"})
    ]
