"""Keys that arrive together act in order, each on what the screen shows by then.

Over SSH, or from a fast typist, several keys reach the program in one read. These run
the installed `pipeline-tui` on a pseudo-terminal and write each burst in one write(),
twenty times over, checking in the database that every action hit the card the board
had highlighted (worked out from the board's own rules: j/k move within a column, h/l
keep the row, g goes to the top).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from functools import partial
from pathlib import Path

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService
from tests.conftest import SeedFile
from tests.terminal_harness import (
    Home,
    PseudoTerminal,
    installed_console_script,
    pseudo_terminal,
    wait_until,
)

ROUNDS = 20
SIZES = {Stage.LEAD: 30, Stage.PROSPECT: 30, Stage.CLIENT: 8, Stage.REPEAT: 8}
ARCHIVED = "SELECT name FROM card WHERE archived_at IS NOT NULL ORDER BY archived_at"


def app_env(home: Home) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIPELINE_TUI_", "TEXTUAL", "PYTEST"))
    }
    env.update(home.env)
    return env


def column(db: Path, stage: Stage) -> list[str]:
    """The names in a board column, top first, as the database orders them."""
    with closing(sqlite3.connect(db)) as connection:
        rows = connection.execute(
            "SELECT name FROM card WHERE archived_at IS NULL AND stage = ? ORDER BY position, id",
            (stage.value,),
        ).fetchall()
    return [name for (name,) in rows]


def query(db: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(db)) as connection:
        return connection.execute(sql, args).fetchall()


def _add_named_cards(database: Database) -> None:
    service = PipelineService(database, "sam")
    for stage, count in SIZES.items():
        for number in range(count, 0, -1):  # each new card goes on top
            service.add_card(CardDraft(f"{stage.label} {number:02d}"), stage)


def named_cards(tmp_path: Path, seed_file: SeedFile) -> tuple[list[str], dict[str, str], Path]:
    """A pipeline of named cards ("Lead 01" tops the Lead column): the command line
    that opens its board, the environment, and the database. (Filled once per test
    process and copied: adding the 76 cards took about 0.3 s of CPU.)"""
    db = tmp_path / "bursts.db"
    seed_file(db, _add_named_cards)
    home = Home(tmp_path / "home")
    return [str(installed_console_script()), "--db", str(db)], app_env(home), db


@pytest.fixture
def board(tmp_path: Path, seed_file: SeedFile) -> Iterator[tuple[PseudoTerminal, Path]]:
    """The app at 160x45 (every card of these moves on screen, nothing scrolls) on
    `named_cards`."""
    args, env, db = named_cards(tmp_path, seed_file)
    with pseudo_terminal(args, env) as term:
        term.wait_for(b"Lead 01")
        term.read(quiet=0.5)
        yield term, db


def test_keys_typed_while_the_program_starts_act_on_the_board(
    tmp_path: Path, seed_file: SeedFile
) -> None:
    """The rep types ahead: what they want, before the board is up, while the terminal
    still edits lines (so their enter arrives as a newline). The keys act once the
    board shows, from the card its first column highlights: `ja`, enter archives Lead
    02 with the first reason. Before, the `j` went to the hidden filter, and the enter
    was lost."""
    args, env, db = named_cards(tmp_path, seed_file)
    with pseudo_terminal(args, env) as term:
        term.write(b"ja\r")
        wait_until(lambda: query(db, ARCHIVED) == [("Lead 02",)], "Lead 02 archived")
        assert query(db, ARCHIVED) == [("Lead 02",)]


def test_e_after_a_burst_edits_the_highlighted_card(
    board: tuple[PseudoTerminal, Path],
) -> None:
    term, db = board
    for round_ in range(ROUNDS):
        # hhhhg: Lead, top. jj: Lead 3rd. ll: Client 3rd. jj: Client 5th. h: Prospect
        # 5th. j: Prospect 6th, which `e` edits; the form is filled in the same breath.
        expected = column(db, Stage.PROSPECT)[5]
        tag = f"burst{round_:02d}"
        term.write(b"hhhhg")
        term.write(b"jjlljjhj")
        term.write(b"e")
        term.write(b"\t\t\t\t" + tag.encode() + b"\r")
        tagged = wait_until(
            partial(query, db, "SELECT name FROM card WHERE tags LIKE ?", f"%{tag}%"),
            f"a card tagged {tag}",
        )
        assert tagged == [(expected,)], f"round {round_}"


def test_a_after_a_burst_archives_the_highlighted_card(
    board: tuple[PseudoTerminal, Path],
) -> None:
    term, db = board
    for round_ in range(ROUNDS):
        expected = column(db, Stage.LEAD)[0]  # lhlh comes back to where hhhhg left it
        term.write(b"hhhhg")
        term.write(b"lhlh")
        term.write(b"a")
        term.write(b"\r")  # the first reason

        def one_more_archived(round_: int = round_) -> bool:
            return len(query(db, ARCHIVED)) > round_

        wait_until(one_more_archived, "the card archived")
        archived = [name for (name,) in query(db, ARCHIVED)]
        assert archived[round_:] == [expected], f"round {round_}"


def test_big_l_after_a_burst_moves_only_the_highlighted_card(
    board: tuple[PseudoTerminal, Path],
) -> None:
    term, db = board
    events = (
        "SELECT card.name FROM stage_event JOIN card ON card.id = stage_event.card_id"
        " ORDER BY stage_event.id"
    )
    for round_ in range(ROUNDS):
        # lllljjjj: the Repeat column, the 5th card. L there moves nothing: it is the
        # last stage (the board says so).
        moves_before = len(query(db, events))
        term.write(b"hhhhg")
        term.write(b"lllljjjj")
        term.write(b"L")
        # lljjjh: Prospect, the 4th card, which L moves on to Client.
        expected = column(db, Stage.PROSPECT)[3]
        term.write(b"hhhhg")
        term.write(b"lljjjh")
        term.write(b"L")

        def moved_on(expected: str = expected) -> bool:
            return expected in column(db, Stage.CLIENT)

        wait_until(moved_on, "the move")
        moved = [name for (name,) in query(db, events)][moves_before:]
        assert moved == [expected], f"round {round_}: exactly the highlighted card moved"


def test_a_form_filled_in_one_burst_puts_each_value_in_its_field(
    board: tuple[PseudoTerminal, Path],
) -> None:
    term, db = board
    for round_ in range(ROUNDS):
        name = f"Kim Lee {round_:02d}"
        term.write(b"n")
        term.write(f"{name}\tLee Bakery {round_:02d}\tkim{round_}@lee.example\r".encode())
        found = wait_until(
            partial(query, db, "SELECT name, organisation, email FROM card WHERE name = ?", name),
            f"the card {name}",
        )
        assert found == [(name, f"Lee Bakery {round_:02d}", f"kim{round_}@lee.example")]


def test_a_filter_typed_with_its_enter_and_a_key_acts_on_the_card_it_found(
    board: tuple[PseudoTerminal, Path],
) -> None:
    """ "/03 prospect", enter, a in one write: "03" first finds Lead 03 (and Prospect 03,
    Client 03 ...), the whole query only Prospect 03. The enter goes to the column of
    what the whole query finds, and the a archives Prospect 03: it went to the Lead
    column the first letters had filled, which the last emptied, and did nothing."""
    term, db = board
    term.write(b"/03 prospect\ra")
    term.wait_for(b"Archive Prospect 03")
    term.write(b"\r")  # the first reason
    wait_until(lambda: query(db, ARCHIVED) == [("Prospect 03",)], "Prospect 03 archived")


def test_escape_and_the_keys_after_it_in_one_write_are_each_a_key(
    board: tuple[PseudoTerminal, Path],
) -> None:
    """Escape closes the card screen and the keys typed right after it act on the
    board: `ja` archives the next card. A terminal without the kitty keyboard protocol
    sends escape as a lone ESC, and Textual took ESC and j in one read as Alt+j, which
    nothing binds: the card screen stayed open, and the a went to it."""
    term, db = board
    term.write(b"\r")
    term.wait_for("Lead · card".encode())
    shown = len(term.output)
    term.write(b"\x1bja")
    term.wait_for(b"Archive Lead 02", since=shown)
    term.write(b"\r")  # the first reason
    wait_until(lambda: query(db, ARCHIVED) == [("Lead 02",)], "Lead 02 archived")


def test_escape_from_a_note_and_the_next_note_in_one_write_go_where_typed(
    board: tuple[PseudoTerminal, Path],
) -> None:
    """A goal saved, then escape, `nu`, an urgency, ctrl+s and escape in one write: two
    notes. Textual held the escape and the keys after it as a possible sequence until
    the second escape came, then typed the first as `^`: the goal was saved as
    "P1^nuP2" and there was no urgency note (5 tries in 5, at 80x24 in tmux too)."""
    term, db = board
    term.write(b"\r")
    term.wait_for("Lead · card".encode())
    term.write(b"ng")
    term.wait_for(b"Goal note")
    term.write(b"P1\x13")
    wait_until(lambda: query(db, "SELECT body FROM research_note"), "the goal saved")
    term.write(b"\x1bnuP2\x13\x1b")
    wait_until(lambda: len(query(db, "SELECT body FROM research_note")) == 2, "the urgency saved")
    assert query(db, "SELECT kind, body FROM research_note ORDER BY id") == [
        ("goal", "P1"),
        ("urgency", "P2"),
    ]


def test_a_paste_with_colours_comes_out_in_order_without_them(
    board: tuple[PseudoTerminal, Path],
) -> None:
    """Text copied from a terminal, colours and all, pasted into a note (a bracketed
    paste, as tmux, xterm and VTE send it). The ESC inside made Textual end the paste
    there: its rest went in first, as keys, "^[31mBBB CCCAAA "."""
    term, db = board
    term.write(b"\r")
    term.wait_for("Lead · card".encode())
    term.write(b"np")
    term.wait_for(b"Problem note")
    term.write(b"\x1b[200~AAA \x1b[31mBBB\x1b[0m CCC\x1b[201~")
    term.write(b"\x13")  # ctrl+s
    wait_until(lambda: query(db, "SELECT body FROM research_note"), "the note saved")
    assert query(db, "SELECT body FROM research_note") == [("AAA BBB CCC",)]
