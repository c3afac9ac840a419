"""Hostile user text, checked in the raw bytes the real app writes to a terminal.

Names, organisations and notes below try markup with actions and links, terminal
escape sequences (OSC 52 clipboard, clear screen), BEL, BiDi overrides, zero-width
characters, NUL and a 10,000-character line. None of it may act, and none of the
control characters may reach the terminal; the readable parts show literally.
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database

WIDTH, HEIGHT = 160, 45

HOSTILE = [
    "[@click=app.quit]quit-me[/]",
    "[ @click=app.screenshot('p.svg','/tmp')]shot[/]",
    "[link=https://evil.example]linked[/link]",
    "[/]",
    "deal [/bold] x",
    "price [10%] off",
    "clip\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07board",
    "wipe\x1b[2Jout",
    "ring\x07bell",
    "bidi\u202eevil",
    "zero\u200bwidth",
    "nul\x00byte",
    "L" * 10_000,
]


def _read_until_quiet(
    fd: int,
    quiet: float,
    limit: float,
    *,
    first_output: bool = False,
    after_output: float | None = None,
) -> bytes:
    """What the app writes until it has written nothing for `quiet` seconds (counted from
    the call: a key with nothing to show, j on the last card, writes nothing), or
    `limit` has passed. `first_output`: wait for a first byte before counting.
    `after_output`: once something has been written, stop after this long without more
    (a key's frames come within milliseconds of each other; what comes later is read
    with the next key's, so all of it is still looked at)."""
    out = bytearray()
    deadline = time.monotonic() + limit
    last = time.monotonic()
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.02)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
            last = time.monotonic()
            if b"\x1b[6n" in chunk:  # answer a cursor-position query, as a terminal does
                os.write(fd, b"\x1b[1;1R")
        elif out or not first_output:
            enough = quiet if not out or after_output is None else after_output
            if time.monotonic() - last >= enough:
                break
    return bytes(out)


def test_hostile_text_never_reaches_the_terminal_as_control(tmp_path: Path) -> None:
    db_path = tmp_path / "hostile.db"
    database = open_database(str(db_path))
    service = PipelineService(database, "sam")
    for text in HOSTILE:
        card = service.add_card(CardDraft(name=text[:200], organisation=text[:40]), Stage.LEAD)
        service.add_note(card.card_id, NoteKind.GENERAL, text)
    database.close()

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": str(WIDTH),
        "LINES": str(HEIGHT),
        "HOME": str(tmp_path),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline_tui", "--db", str(db_path)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    try:
        screen = _read_until_quiet(master, quiet=1.0, limit=30, first_output=True)
        # Walk every card, click each one, open the last and its notes: any action
        # hidden in the text would have had its chance.
        for _ in HOSTILE:
            os.write(master, b"j")
            screen += _read_until_quiet(master, quiet=0.3, limit=5, after_output=0.1)
        for row in (3, 7, 11):
            os.write(master, f"\x1b[<0;6;{row}M\x1b[<0;6;{row}m".encode())
            screen += _read_until_quiet(master, quiet=0.3, limit=5, after_output=0.1)
        os.write(master, b"\r")
        screen += _read_until_quiet(master, quiet=1.0, limit=10)
        assert process.poll() is None, "a hostile name quit or crashed the app"
        # Back to the board and quit. On a loaded machine the card can still be opening
        # when escape arrives (a quiet second is not proof it is done), so escape and
        # q go again until the app has quit.
        for _ in range(5):
            os.write(master, b"\x1b")
            screen += _read_until_quiet(master, quiet=0.5, limit=5)
            os.write(master, b"q")
            try:
                process.wait(timeout=6)
                break
            except subprocess.TimeoutExpired:
                screen += _read_until_quiet(master, quiet=0.2, limit=2)
        assert process.poll() is not None, "q on the board did not quit"
        screen += _read_until_quiet(master, quiet=0.2, limit=2)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        os.close(master)

    assert process.returncode == 0
    # Nothing the user typed acted: no screenshot file, the app quit only on q.
    assert not (tmp_path / "p.svg").exists() and not Path("/tmp/p.svg").exists()
    # No control sequence from user text reached the terminal. (Textual's own pointer-
    # shape sequences, OSC 22, end in BEL; they are set aside before looking for BEL.)
    own = re.sub(rb"\x1b\]22;[a-z-]*\x07", b"", screen)
    for forbidden in (b"]52;", b"SGVsbG8gY2xpcGJvYXJk", b"\x07", b"\x00", b"\x1b]8;"):
        assert forbidden not in own, forbidden
    for invisible in ("\u202e", "\u200b"):
        assert invisible.encode() not in screen
    assert b"wipe\x1b[2J" not in screen and b"ring\x07" not in screen
    # What was readable shows literally, markup and all.
    for literal in (
        b"[@click=app.quit]quit-me[/]",
        b"[link=https://evil.example]",
        b"price [10%] off",
        b"deal [/bold] x",
    ):
        assert literal in screen, literal
    # Sequences are removed whole, so the readable parts around them join up.
    assert (
        b"clipboard" in screen
        and b"wipeout" in screen
        and b"ringbell" in screen
        and b"bidievil" in screen
    )
