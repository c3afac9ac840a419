"""The installed `pipeline-tui` in a real 80x24 terminal (tmux), locally and over SSH.

A rep's first morning: open a fresh board, add a lead, move it on two stages, write a
research note, quit; open it again and find the card and the note where they were left,
on screen and in the database. Keys are sent through tmux at a person's pace and the
screen is read back with capture-pane, so this is the terminal a rep actually has.
"""

from __future__ import annotations

import os
import shlex
import signal
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService, open_database
from tests.conftest import SeedFile
from tests.terminal_harness import (
    HEIGHT,
    WIDTH,
    Home,
    Terminal,
    installed_console_script,
    ssh_server,
    terminal,
    wait_until,
)

pytestmark = pytest.mark.e2e

NAME = "Ada Lovelace"
NOTE = "Quotes take a week"


def first_morning(term: Terminal) -> None:
    """Add a lead, move it to client, write a problem note, quit."""
    term.wait_for("Your pipeline is empty", "Lead · 0")
    assert term.size() == (WIDTH, HEIGHT)
    term.press("n")
    term.wait_for("New lead")
    term.type(NAME)
    term.press("Enter")
    term.wait_until(
        lambda screen: f"▌ {NAME}" in screen and "New lead" not in screen, "the new card"
    )
    term.press("L")  # a lead is qualified before it becomes a prospect
    term.wait_for(f"Qualify {NAME}", "0/4 met")
    for _ in range(4):
        term.press("y")
    term.wait_for("4/4 met")
    term.press("C-s")
    term.wait_for("Prospect · 1", "Lead · 0")
    term.press("L")
    term.wait_for("Client · 1", "Prospect · 0")
    term.press("Enter")
    term.wait_for(NAME, "Research notes (0)")
    term.press("n")
    term.wait_for("what kind?")
    term.press("p")
    term.wait_for("Problem note")
    term.type(NOTE)
    term.press("C-s")
    term.wait_for("saved ")
    term.press("Escape")
    term.wait_for("Research notes (1)", NOTE)
    term.press("Escape")
    term.wait_for("Client · 1", f"▌ {NAME}")
    term.press("q")
    assert term.wait_for_exit() == 0, term.screen()


def next_morning(term: Terminal) -> None:
    """The card is still a client, and its note is still there."""
    screen = term.wait_for("Client · 1", NAME)
    assert "Your pipeline is empty" not in screen
    client_column = next(line for line in screen.splitlines() if "Client · 1" in line)
    card_line = next(line for line in screen.splitlines() if NAME in line)
    # The card is drawn under the Client title, not in another column.
    assert abs(card_line.index(NAME) - client_column.index("Client")) < WIDTH // 4
    term.press("l", "l")
    term.wait_for(f"▌ {NAME}")
    term.press("Enter")
    term.wait_for("Research notes (1)", NOTE)
    term.press("Escape")
    term.wait_for("Client · 1")
    term.press("q")
    assert term.wait_for_exit() == 0, term.screen()


def check_database(home: Home) -> None:
    assert home.database.is_file(), "the board did not create its database in XDG_DATA_HOME"
    database = open_database(str(home.database))
    try:
        service = PipelineService(database, "checker")
        board = service.board()
        assert [card.name for card in board[Stage.CLIENT]] == [NAME]
        assert all(not board[stage] for stage in Stage if stage is not Stage.CLIENT)
        card = service.card(board[Stage.CLIENT][0].id)
        assert [(note.kind, note.body) for note in card.notes] == [(NoteKind.PROBLEM, NOTE)]
        assert [event.to_stage for event in card.history][-2:] == [Stage.PROSPECT, Stage.CLIENT]
    finally:
        database.close()


def test_a_first_morning_in_a_real_terminal(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with terminal(home) as term:
        term.start([str(installed_console_script())])
        first_morning(term)
        term.respawn()
        next_morning(term)
    check_database(home)


def test_a_first_morning_over_ssh(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    with ssh_server(tmp_path / "sshd") as server, terminal(home) as term:
        remote = server.command([str(installed_console_script())], home.env)
        term.start(remote)
        first_morning(term)
        term.respawn()
        next_morning(term)
    check_database(home)


# A session cut off mid-note: the note comes back ---------------------------------------

CUT_OFF_NOTE = "They lose a day on every quote"


def _kim_lee(database: Database) -> None:
    login = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    PipelineService(database, login).add_card(CardDraft("Kim Lee", organisation="Lee Bakery"))


def a_card_to_write_about(home: Home, seed_file: SeedFile) -> None:
    home.database.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # as the app makes it
    seed_file(home.database, _kim_lee)


def start_a_note(term: Terminal) -> None:
    term.wait_for("Kim Lee", "Lead · 1")
    term.press("Enter")
    term.wait_for("Research notes (0)")
    term.press("n")
    term.wait_for("what kind?")
    term.press("p")
    term.wait_for("Problem note")
    term.type(CUT_OFF_NOTE)
    term.wait_for(CUT_OFF_NOTE)


def kept_drafts(home: Home) -> list[str]:
    with closing(sqlite3.connect(home.database)) as connection:
        return [fields for (fields,) in connection.execute("SELECT fields FROM draft")]


def the_note_is_offered_back(term: Terminal, home: Home) -> None:
    wait_until(lambda: any(CUT_OFF_NOTE in fields for fields in kept_drafts(home)), "the draft")
    screen = term.wait_for("Kim Lee")
    assert "✎" in next(line for line in screen.splitlines() if "Kim Lee" in line)
    term.press("Enter")
    term.wait_for("Research notes (0)")
    term.press("n")
    term.wait_for("what kind?")
    term.press("p")
    term.wait_for("Unsaved note from", "r restore, d discard", CUT_OFF_NOTE)
    term.press("r")
    term.wait_until(lambda screen: "Unsaved note" not in screen, "the restored note")
    term.press("C-s")
    term.wait_for("saved ")
    term.press("Escape")
    term.wait_for("Research notes (1)", CUT_OFF_NOTE)
    term.press("Escape")
    term.wait_for("Lead · 1")  # an escape followed at once by q would read as alt+q
    term.press("q")
    assert term.wait_for_exit() == 0, term.screen()
    database = open_database(str(home.database))
    try:
        [card] = PipelineService(database, "checker").cards()
        notes = PipelineService(database, "checker").card(card.id).notes
        assert [(note.kind, note.body) for note in notes] == [(NoteKind.PROBLEM, CUT_OFF_NOTE)]
    finally:
        database.close()
    assert kept_drafts(home) == []


def test_a_note_typed_when_the_terminal_is_closed_comes_back(
    tmp_path: Path, seed_file: SeedFile
) -> None:
    home = Home(tmp_path / "home")
    a_card_to_write_about(home, seed_file)
    with terminal(home) as term:
        term.start([str(installed_console_script())])
        start_a_note(term)
        term.stop()  # the terminal goes away: tmux hangs the program up
    with terminal(home) as term:
        term.start([str(installed_console_script())])
        the_note_is_offered_back(term, home)


def test_a_note_typed_when_the_ssh_connection_drops_comes_back(
    tmp_path: Path, seed_file: SeedFile
) -> None:
    home = Home(tmp_path / "home")
    a_card_to_write_about(home, seed_file)
    with ssh_server(tmp_path / "sshd") as server, terminal(home) as term:
        remote = server.command([str(installed_console_script())], home.env)
        term.start(remote)
        start_a_note(term)
        # The ssh client dies (a laptop lid, a dropped Wi-Fi): sshd hangs up the session.
        shell = term.pane_pid()

        def ssh_clients() -> list[str]:
            pgrep = ["pgrep", "-P", str(shell), "-x", "ssh"]
            return subprocess.run(pgrep, capture_output=True, text=True).stdout.split()

        clients = ssh_clients()
        assert clients, "the ssh client was not found"
        for client in clients:
            os.kill(int(client), signal.SIGKILL)
        wait_until(lambda: not ssh_clients(), "the ssh client gone")
        term.respawn()
        the_note_is_offered_back(term, home)


@pytest.mark.parametrize(
    ("editor", "says"),
    [("/nonexistent/editor", "was not found"), ("false", "exited with status 1")],
)
def test_an_editor_that_fails_hands_the_terminal_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed_file: SeedFile, editor: str, says: str
) -> None:
    """ctrl+e with an editor that is missing or fails: the app comes back, says so, and
    the note typed so far is still in its editor (it froze, drawing and reading nothing,
    until the terminal was killed)."""
    home = Home(tmp_path / "home")
    a_card_to_write_about(home, seed_file)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    with terminal(home) as term:
        term.start([str(installed_console_script())])
        start_a_note(term)
        term.press("C-e")
        term.wait_for(says, CUT_OFF_NOTE)
        term.press("C-s")
        term.wait_for("saved ")
        term.press("Escape")
        term.wait_for("Research notes (1)", CUT_OFF_NOTE)


def test_a_session_stopped_and_brought_back_with_fg_is_drawn_whole(
    tmp_path: Path, seed_file: SeedFile
) -> None:
    """Stopped from a shell (SIGTSTP) and brought back with `fg`: the shell had drawn
    over the screen, and only what changed afterwards was drawn again (the board stayed
    blank until a key moved something)."""
    home = Home(tmp_path / "home")
    db = tmp_path / "pipeline.db"
    seed_file(db, _kim_lee)
    with terminal(home) as term:
        term.start(["bash", "--norc", "--noprofile", "-i"])
        term.type(shlex.join([str(installed_console_script()), "--db", str(db)]))
        term.press("Enter")
        term.wait_for("Kim Lee")
        [app] = subprocess.run(
            ["pgrep", "-f", "--", f"--db {db}"], capture_output=True, text=True, check=True
        ).stdout.split()
        os.kill(int(app), signal.SIGTSTP)
        term.wait_for("Stopped")
        term.type("fg")
        term.press("Enter")
        term.wait_for("Kim Lee", "Lead")
        term.press("q")
        term.wait_until(lambda screen: "Kim Lee" not in screen, "the app quit")
