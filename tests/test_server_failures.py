"""A PostgreSQL server that stops, or freezes, under a running board.

Each test starts a throwaway server of its own (initdb in a temporary folder, on a free
loopback port) so that it can stop it (pg_ctl stop) or freeze it (SIGSTOP to every one
of its processes) without touching the suite's shared server. A move made while the
server is away is taken back on screen as soon as the save fails, with the reason, and
once the server answers again the board shows what the database holds.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from textual.pilot import Pilot

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store import database as store_database
from pipeline_tui.store.errors import StoreError
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.widgets.card_list import CardList
from tests.conftest import NOW
from tests.pilot import make_app, notification_messages, press, settle

ANSWER_TIMEOUT_S = 2.0
CONNECT_TIMEOUT_S = 2
"""The connect timeout the app gives libpq (store.database.CONNECT_TIMEOUT_S, 10 s; 2 s
is libpq's least). A frozen server accepts a new connection and then says nothing, so
reconnecting to it waits this long before it fails: how long is not what these tests
are about, only that it ends."""


def _bindir() -> Path | None:
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A PostgreSQL server of this test's own."""

    bindir: Path
    data: Path
    run_as: list[str]
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return URL.create(
            "postgresql+psycopg", "pipeline", None, "127.0.0.1", self.port, "pipeline"
        ).render_as_string(hide_password=False)

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            [*self.run_as, str(self.bindir / "pg_ctl"), "-D", str(self.data), *args],
            check=True,
            capture_output=True,
            timeout=60,
        )

    def start(self) -> None:
        # Commits wait for their WAL write (not synchronous_commit=off): stop() crashes
        # the server, and a commit still in its WAL buffers would be lost with it (the
        # card the test made, now and then, so the board came back empty). fsync=off
        # keeps it fast: what the server wrote survives, as the machine does not crash.
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off "
            "-c full_page_writes=off"
        )
        self._ctl("-l", str(self.folder / "server.log"), "-w", "-t", "30", "start", "-o", options)

    def stop(self) -> None:
        self._ctl("-m", "immediate", "-w", "stop")

    def _processes(self) -> list[int]:
        postmaster = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(stat.parent.name))
        return [postmaster, *children]

    def freeze(self) -> list[int]:
        frozen = self._processes()
        for pid in frozen:
            os.kill(pid, signal.SIGSTOP)
        return frozen

    @staticmethod
    def thaw(frozen: list[int]) -> None:
        for pid in frozen:
            os.kill(pid, signal.SIGCONT)


@pytest.fixture
def server(pg_url: URL) -> Iterator[Server]:
    """Skipped (or failed, in CI) exactly when the suite's own server is missing."""
    bindir = _bindir()
    if bindir is None:
        pytest.fail("the PostgreSQL server binaries are not found", pytrace=False)
    folder = Path(tempfile.mkdtemp(prefix="pipeline-tui-own-pg-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb and postgres refuse to run as root
        user = next(u for u in ("postgres", "nobody") if shutil.which("runuser") and _exists(u))
        run_as = ["runuser", "-u", user, "--"]
        shutil.chown(folder, user)
    data = folder / "data"
    subprocess.run(
        [
            *run_as,
            str(bindir / "initdb"),
            *("-D", str(data), "-U", "pipeline", "--auth=trust"),
            *("-E", "UTF8", "--locale=C.UTF-8", "--no-sync"),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    own = Server(bindir, data, run_as, _free_port(), folder)
    own.start()
    try:
        subprocess.run(
            [
                *run_as,
                str(bindir / "createdb"),
                *("-h", str(folder), "-p", str(own.port), "-U", "pipeline", "pipeline"),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield own
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _exists(user: str) -> bool:
    return subprocess.run(["id", user], capture_output=True).returncode == 0


@pytest.fixture
def board_service(server: Server, monkeypatch: pytest.MonkeyPatch) -> Iterator[PipelineService]:
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.5)
    monkeypatch.setattr(store_database, "CONNECT_TIMEOUT_S", CONNECT_TIMEOUT_S)
    database = open_database(server.url)
    database.answer_timeout = ANSWER_TIMEOUT_S
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft("Ann", organisation="Acme"), Stage.CLIENT)
    yield service
    database.close()


def _column_of(app: object, name: str) -> Stage | None:
    board = app.screen  # type: ignore[attr-defined]
    assert isinstance(board, BoardScreen)
    for stage, column in board.columns.items():
        cards: CardList = column.card_list
        if any((card := cards.cache.peek(i)) is not None and card.name == name for i in cards.ids):
            return stage
    return None


async def _wait_for(pilot: Pilot[None], check: Callable[[], bool], seconds: float) -> None:
    """Let the app run until `check()` holds. (Not settle(): while a read hangs, the
    board's exclusive poll workers replace each other, and waiting for every worker to
    complete would report the replaced ones as cancelled.)"""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the board did not get there in time"
        await pilot.pause(0.1)


async def test_a_move_while_the_server_is_stopped_is_taken_back_at_once(
    server: Server, board_service: PipelineService
) -> None:
    app = make_app(board_service)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "right", "right")
        assert _column_of(app, "Ann") is Stage.CLIENT
        server.stop()
        # The move is shown at once and saved in the background; the refused connection
        # fails the save within the key press, and the move is taken back, with why.
        await pilot.press("L")
        await _wait_for(pilot, lambda: _column_of(app, "Ann") is Stage.CLIENT, 30)
        messages = notification_messages(app)
        assert any("not saved" in m and "connection was refused" in m for m in messages), messages
        assert all("\n" not in m for m in messages)
        server.start()
        # Read again once the server is back: the ids first, then the cards' lines.
        await _wait_for(
            pilot,
            lambda: (
                not app.screen.model.out_of_date  # type: ignore[attr-defined]
                and _column_of(app, "Ann") is not None
            ),
            30,
        )
        assert _column_of(app, "Ann") is Stage.CLIENT
    assert [card.name for card in board_service.board()[Stage.CLIENT]] == ["Ann"]


async def test_a_move_while_the_server_is_frozen_is_given_up_and_taken_back(
    server: Server, board_service: PipelineService
) -> None:
    app = make_app(board_service)
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "right", "right")
        frozen = server.freeze()
        try:
            started = time.monotonic()
            await pilot.press("L")
            assert _column_of(app, "Ann") is Stage.REPEAT
            await _wait_for(pilot, lambda: _column_of(app, "Ann") is Stage.CLIENT, 60)
            waited = time.monotonic() - started
            messages = notification_messages(app)
            assert any("did not answer for 2 seconds" in m for m in messages), messages
        finally:
            server.thaw(frozen)
        # The poll's read and the save each waited ANSWER_TIMEOUT_S at most, and a
        # reconnection CONNECT_TIMEOUT_S; never for ever.
        assert waited < 40
        await _wait_for(pilot, lambda: not app.screen.model.out_of_date, 30)  # type: ignore[attr-defined]
        assert _column_of(app, "Ann") is Stage.CLIENT
        # The server answers again: the next move is saved.
        await press(pilot, "L")
        await _wait_for(pilot, lambda: _column_of(app, "Ann") is Stage.REPEAT, 30)
    assert [card.name for card in board_service.board()[Stage.REPEAT]] == ["Ann"]


class _SilentRelay:
    """A TCP relay to the suite's server that stops passing anything on, both ways,
    from the first client bytes containing `trigger`: a server frozen at that moment."""

    def __init__(self, host: str, port: int, trigger: bytes) -> None:
        self.trigger = trigger
        self.silent = threading.Event()
        self._target = (host, port)
        self._sockets: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        with suppress(OSError):
            while True:
                client, _ = self._listener.accept()
                server = socket.create_connection(self._target)
                self._sockets += [client, server]
                threading.Thread(target=self._pass, args=(client, server), daemon=True).start()
                threading.Thread(target=self._pass, args=(server, client), daemon=True).start()

    def _pass(self, source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                if self.trigger in data:
                    self.silent.set()
                if self.silent.is_set():
                    continue  # swallowed: the other end waits for an answer
                sink.sendall(data)

    def close(self) -> None:
        for sock in [self._listener, *self._sockets]:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def test_a_server_that_freezes_while_a_new_connection_is_set_up_is_given_up(
    pg_database: str,
) -> None:
    """The app's first words on a new connection (SET jit = off) go unanswered: the
    read is given up after the answer timeout, as any other call is, not waited on."""
    url = make_url(pg_database)
    assert url.host is not None and url.port is not None
    relay = _SilentRelay(url.host, url.port, b"SET jit")
    database = open_database(
        url.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False),
        run_migrations=False,
    )
    database.answer_timeout = ANSWER_TIMEOUT_S
    outcome: list[BaseException | str] = []

    def read() -> None:
        try:
            with database.read() as session:
                outcome.append(str(session.execute(text("SELECT 'answered'")).scalar()))
        except BaseException as error:  # reported below, in the test's thread
            outcome.append(error)

    reader = threading.Thread(target=read, daemon=True)
    started = time.monotonic()
    reader.start()
    try:
        reader.join(ANSWER_TIMEOUT_S * 5)
        waited = time.monotonic() - started
        assert relay.silent.is_set(), "the connection never sent SET jit"
        assert not reader.is_alive(), f"the read still waits after {waited:.1f} s"
        assert len(outcome) == 1 and isinstance(outcome[0], StoreError), outcome
        assert "did not answer for 2 seconds" in str(outcome[0]), outcome
    finally:
        relay.close()
        reader.join(5)
        database.close()
