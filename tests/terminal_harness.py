"""Drive the installed `pipeline-tui` in a real terminal: tmux, and sshd on 127.0.0.1.

Everything here is throwaway: a private tmux server (its own -L socket and TMUX_TMPDIR),
a temporary HOME with XDG folders, and an sshd with fresh host and user keys on a free
loopback port, stopped when the test ends. tmux and openssh-server come from
scripts/install-test-packages.sh (make test runs it); if one is missing the test is
skipped on a developer's machine and fails in CI (CI=true), so a green CI run always
means the terminal tests ran.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

WIDTH, HEIGHT = 80, 24
KEY_GAP_S = 0.05
"""Pause between typed characters: these walks type at a person's pace (keys in one
write, as SSH delivers a fast typist's, are tested in test_key_bursts and the pty
tests)."""
TIMEOUT_S = 20.0
EXITED = "[pipeline-e2e exit status "


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def cannot_run(reason: str) -> NoReturn:
    """Skip on a developer's machine; in CI a missing terminal or sshd is a failure."""
    if in_ci():
        pytest.fail(f"{reason} (CI must run the terminal tests)", pytrace=False)
    pytest.skip(reason)


def installed(program: str, package: str) -> str:
    """The path of `program`, which the Debian `package` provides."""
    found = shutil.which(program) or _sbin(program)
    if found is None:
        cannot_run(
            f"{program} is not installed (Debian package {package}; "
            "scripts/install-test-packages.sh installs it)"
        )
    return found


def _sbin(program: str) -> str | None:
    for folder in ("/usr/sbin", "/usr/local/sbin", "/sbin"):
        path = Path(folder) / program
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    return None


def installed_console_script() -> Path:
    """The `pipeline-tui` that `make` installed into the virtualenv running the tests."""
    script = Path(sys.executable).parent / "pipeline-tui"
    assert script.is_file(), f"{script} is not installed; run the tests through make"
    return script


@dataclass(frozen=True)
class Home:
    """A throwaway HOME with its own XDG folders."""

    root: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "HOME": str(self.root),
            "XDG_CONFIG_HOME": str(self.root / ".config"),
            "XDG_DATA_HOME": str(self.root / ".local" / "share"),
            "XDG_STATE_HOME": str(self.root / ".local" / "state"),
            "XDG_CACHE_HOME": str(self.root / ".cache"),
            # What the editor is handed, and keeps if it fails or the session ends.
            "TMPDIR": str(self.root),
            "LC_ALL": "C.UTF-8",
            "PYTHONFAULTHANDLER": "1",
            "LANG": "C.UTF-8",
        }

    @property
    def database(self) -> Path:
        return self.root / ".local" / "share" / "pipeline-tui" / "pipeline.db"


class Terminal:
    """One tmux pane of WIDTH x HEIGHT running a command; keys in, screen text out."""

    def __init__(self, tmux: str, folder: Path, env: Mapping[str, str]) -> None:
        self.tmux = tmux
        self.socket = f"pipeline-e2e-{os.getpid()}-{time.monotonic_ns()}"
        self.env = dict(env)
        self.env["TMUX_TMPDIR"] = str(folder)
        self.env.pop("TMUX", None)
        self.config = folder / "tmux.conf"
        self.config.write_text(
            "set -g status off\n"  # all 24 rows are the app's
            "set -g remain-on-exit on\n"  # keep the last screen and exit status to read
            "set -g escape-time 0\n"
            "set -g history-limit 2000\n",
            encoding="utf-8",
        )
        self.target = "e2e"

    def _run(self, *args: str, check: bool = True) -> str:
        command = [self.tmux, "-L", self.socket, "-f", str(self.config), *args]
        result = subprocess.run(
            command, env=self.env, capture_output=True, text=True, timeout=30, check=False
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"{shlex.join(command)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, command: Sequence[str]) -> None:
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        try:
            # tmux can lose a dying pane's last output and its exit status, so the shell
            # prints the status and stays, for capture-pane to read (respawn ends it).
            shell = f'{shlex.join(command)}; echo "{EXITED}$?]"; exec sleep 3600'
            self._run("new-session", "-d", "-s", self.target, *size, shell)
        except RuntimeError as error:
            cannot_run(f"tmux could not start: {error}")

    def respawn(self) -> None:
        """Run the pane's command again (after it exited), in the same terminal."""
        self._run("respawn-pane", "-k", "-t", self.target)

    def stop(self) -> None:
        self._run("kill-server", check=False)

    def pane_pid(self) -> int:
        """The pane's shell (which runs the command)."""
        return int(self._run("display-message", "-p", "-t", self.target, "#{pane_pid}"))

    def screen(self) -> str:
        return self._run("capture-pane", "-p", "-t", self.target)

    def size(self) -> tuple[int, int]:
        width, height = self._run(
            "display-message", "-p", "-t", self.target, "#{pane_width} #{pane_height}"
        ).split()
        return int(width), int(height)

    def press(self, *keys: str) -> None:
        """tmux key names: Enter, Escape, C-s, or single characters like L."""
        for key in keys:
            self._run("send-keys", "-t", self.target, key)
            time.sleep(KEY_GAP_S)

    def type(self, text: str) -> None:
        for char in text:
            self._run("send-keys", "-t", self.target, "-l", char)
            time.sleep(KEY_GAP_S)

    def wait_for(self, *texts: str, timeout: float = TIMEOUT_S) -> str:
        """Poll the screen until every text is on it; the screen, or a clear failure."""
        return self.wait_until(lambda screen: all(t in screen for t in texts), texts, timeout)

    def wait_until(
        self, check: Callable[[str], bool], what: object, timeout: float = TIMEOUT_S
    ) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"waited {timeout:.0f}s for {what!r}; the screen shows:\n{screen}")

    def wait_for_exit(self, timeout: float = TIMEOUT_S) -> int:
        """The program's exit status, once it has ended."""
        try:
            screen = self.wait_for(EXITED, timeout=timeout)
        except AssertionError:
            # Ask Python for every thread's stack (PYTHONFAULTHANDLER is set), to show why.
            pid = self._run("display-message", "-p", "-t", self.target, "#{pane_pid}")
            with contextlib.suppress(ValueError, OSError):
                for child in (
                    Path(f"/proc/{pid.strip()}/task/{pid.strip()}/children").read_text().split()
                ):
                    os.kill(int(child), signal.SIGABRT)
                time.sleep(1)
            history = self._run("capture-pane", "-p", "-S", "-", "-t", self.target)
            raise AssertionError(
                f"the program did not exit; the terminal shows:\n{history}"
            ) from None
        found = re.search(re.escape(EXITED) + r"(\d+)\]", screen)
        assert found is not None, screen
        return int(found.group(1))


@contextmanager
def terminal(home: Home) -> Iterator[Terminal]:
    tmux = installed("tmux", "tmux")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PIPELINE_TUI_", "TEXTUAL", "PYTEST"))
        and key not in ("NO_COLOR", "COLORTERM")
    }
    env.update(home.env)
    # A short private folder: tmux sockets have a path length limit.
    folder = Path(tempfile.mkdtemp(prefix="pt-tmux-"))
    term = Terminal(tmux, folder, env)
    try:
        yield term
    finally:
        term.stop()
        shutil.rmtree(folder, ignore_errors=True)


# sshd on loopback ------------------------------------------------------------------------


@dataclass(frozen=True)
class SshServer:
    port: int
    user: str
    key: Path
    known_hosts: Path

    def command(self, remote: Sequence[str], env: Mapping[str, str]) -> list[str]:
        """`ssh -t` into this server running `remote` with `env`, as a rep would."""
        remote_command = shlex.join(["env", *(f"{k}={v}" for k, v in env.items()), *remote])
        return [
            "ssh",
            "-t",
            "-F",
            "/dev/null",
            "-p",
            str(self.port),
            "-i",
            str(self.key),
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            f"UserKnownHostsFile={self.known_hosts}",
            "-o",
            "LogLevel=ERROR",
            f"{self.user}@127.0.0.1",
            remote_command,
        ]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _keygen(path: Path) -> None:
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "pipeline-e2e", "-f", str(path)],
        check=True,
        capture_output=True,
        timeout=60,
    )


@contextmanager
def ssh_server(folder: Path) -> Iterator[SshServer]:
    """sshd on 127.0.0.1 with throwaway keys, accepting only our key for this user."""
    sshd = installed("sshd", "openssh-server")
    installed("ssh", "openssh-client")
    installed("ssh-keygen", "openssh-client")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    host_key, user_key = folder / "host_key", folder / "user_key"
    _keygen(host_key)
    _keygen(user_key)
    authorized = folder / "authorized_keys"
    authorized.write_text(Path(f"{user_key}.pub").read_text(encoding="utf-8"), encoding="utf-8")
    authorized.chmod(0o600)
    user = subprocess.run(["id", "-un"], capture_output=True, text=True, check=True).stdout.strip()
    port = _free_port()
    config = folder / "sshd_config"
    config.write_text(
        "\n".join(
            [
                "ListenAddress 127.0.0.1",
                f"Port {port}",
                f"HostKey {host_key}",
                f"PidFile {folder / 'sshd.pid'}",
                f"AuthorizedKeysFile {authorized}",
                f"AllowUsers {user}",
                "PubkeyAuthentication yes",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "StrictModes no",  # the keys live in a temporary folder
                "UsePAM yes",
                "PrintMotd no",
                "PrintLastLog no",
                "LogLevel ERROR",
                "",
            ]
        ),
        encoding="utf-8",
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(mode=0o755, parents=True, exist_ok=True)
    log = folder / "sshd.log"
    process = subprocess.Popen(
        [sshd, "-D", "-e", "-f", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if process.poll() is not None:
                cannot_run(f"sshd exited at once: {log.read_text(errors='replace').strip()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    cannot_run(f"sshd did not listen on port {port}: {log.read_text().strip()}")
                time.sleep(0.1)
        yield SshServer(port, user, user_key, folder / "known_hosts")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# A bare pseudo-terminal ------------------------------------------------------------------


class PseudoTerminal:
    """The installed `pipeline-tui` on a pseudo-terminal of its own, as its controlling
    terminal (so closing this end hangs it up, as a dropped SSH session does).

    `write` hands the bytes to the terminal in one write(), as SSH delivers a packet. A
    thread reads everything the program writes, as a terminal does (a terminal that
    stops reading blocks the program), and answers the queries Textual makes.
    """

    def __init__(
        self, args: Sequence[str], env: Mapping[str, str], width: int = 160, height: int = 45
    ) -> None:
        import fcntl
        import struct
        import termios
        import threading

        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", height, width, 0, 0))

        def controlling_terminal() -> None:
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen(
            list(args),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=_sized_by_the_terminal(env) | {"TERM": "xterm-256color"},
            preexec_fn=controlling_terminal,
            close_fds=True,
        )
        self._slave_name = os.ttyname(slave)
        os.close(slave)
        self.output = bytearray()
        self.open = True
        self._lock = threading.Lock()
        self._last_output = time.monotonic()
        self._reads_before: dict[int, int] = {}
        self._written = 0
        self._reader = threading.Thread(target=self._read_all, daemon=True)
        self._reader.start()

    def _read_all(self) -> None:
        import select

        while self.open:
            try:
                ready, _, _ = select.select([self.master], [], [], 0.05)
                if not ready:
                    continue
                chunk = os.read(self.master, 65536)
            except (OSError, ValueError):
                return
            if not chunk:
                return
            with self._lock:
                self.output += chunk
                self._last_output = time.monotonic()
            if b"\x1b[6n" in chunk:  # a cursor-position query
                with contextlib.suppress(OSError):
                    os.write(self.master, b"\x1b[1;1R")

    def write(self, data: bytes) -> None:
        self._reads_before = self._read_by_threads()
        self._written = len(data)
        written = os.write(self.master, data)
        assert written == len(data), "a burst must reach the terminal in one write"

    def _read_by_threads(self) -> dict[int, int]:
        """What each of the program's threads but the main one has read (its rchar):
        Textual reads the terminal in a thread of its own."""
        read: dict[int, int] = {}
        for task in Path(f"/proc/{self.process.pid}/task").glob("*"):
            if task.name == str(self.process.pid):
                continue
            with contextlib.suppress(OSError, ValueError):
                io = (task / "io").read_text(encoding="ascii")
                read[int(task.name)] = int(io.split("rchar:", 1)[1].split()[0])
        return read

    def read(self, quiet: float = 0.2, limit: float = 5.0) -> bytes:
        """What the program writes until it has been quiet for `quiet` seconds."""
        start = len(self.output)
        deadline = time.monotonic() + limit
        time.sleep(min(quiet, limit))
        while time.monotonic() < deadline and time.monotonic() - self._last_output < quiet:
            time.sleep(0.02)
        with self._lock:
            return bytes(self.output[start:])

    def last_text(self, size: int = 3000) -> str:
        """The end of what the program wrote, its escape sequences taken out: enough to
        tell what a failed wait's screen said."""
        with self._lock:
            tail = bytes(self.output[-size:])
        text = re.sub(
            r"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|.)",
            " ",
            tail.decode(errors="replace"),
        )
        return re.sub(r"[ \t]{2,}", " ", text)

    def wait_for(self, text: bytes, since: int = 0, timeout: float = TIMEOUT_S) -> None:
        """Wait until `text` has been written (after output offset `since`)."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if text in self.output[since:]:
                    return
            if time.monotonic() > deadline:
                raise AssertionError(f"waited {timeout:.0f}s for {text!r} on the terminal")
            if self.process.poll() is not None:
                raise AssertionError(f"the program exited ({self.process.returncode})")
            time.sleep(0.02)

    def wait_read(self, timeout: float = TIMEOUT_S) -> None:
        """Wait until the program has read the last write (a closed terminal's unread
        input is gone with it). The kernel hands what is written to a pseudo-terminal
        on to its reading end from a worker of its own: on a busy machine the terminal
        held nothing unread for a while after the write (one time in ten with seven
        busy processes on two cores), though the program had not read it; so the
        program's reads are counted too."""
        deadline = time.monotonic() + timeout
        while (
            sum(
                max(0, now - self._reads_before.get(task, 0))
                for task, now in self._read_by_threads().items()
            )
            < self._written
            or self._unread()
        ):
            if time.monotonic() > deadline:
                raise AssertionError(f"the program read nothing for {timeout:.0f}s")
            time.sleep(0.001)

    def _unread(self) -> int:
        import fcntl
        import struct
        import termios

        unread = os.open(self._slave_name, os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            return int(struct.unpack("i", fcntl.ioctl(unread, termios.FIONREAD, b"\0" * 4))[0])
        finally:
            os.close(unread)

    def hang_up(self) -> None:
        """Close the terminal's end, as sshd does when the connection drops."""
        if self.open:
            self.open = False
            self._reader.join()
            os.close(self.master)

    def wait(self, timeout: float = TIMEOUT_S) -> int:
        return self.process.wait(timeout=timeout)

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.hang_up()


@contextmanager
def pseudo_terminal(
    args: Sequence[str], env: Mapping[str, str], width: int = 160, height: int = 45
) -> Iterator[PseudoTerminal]:
    term = PseudoTerminal(args, env, width, height)
    try:
        yield term
    finally:
        term.close()


def _sized_by_the_terminal(env: Mapping[str, str]) -> dict[str, str]:
    """`env` without COLUMNS and LINES: pytest-xdist's workers set them to 80x24, and
    Textual would take them over the pseudo-terminal's own size."""
    return {key: value for key, value in env.items() if key not in ("COLUMNS", "LINES")}


def wait_until(
    check: Callable[[], object],
    what: str,
    timeout: float = TIMEOUT_S,
    *,
    term: PseudoTerminal | None = None,
) -> object:
    """Poll `check` until it returns something true; that value. `term`: the terminal
    whose last output the failure shows."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            shown = f"; the terminal's last output:\n{term.last_text()}" if term else ""
            raise AssertionError(f"waited {timeout:.0f}s for {what}{shown}")
        time.sleep(0.05)
