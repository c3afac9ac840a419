"""Where the time goes on the rep's path: `python -m bench.profile --db PATH`.

Runs the real command line (bench/profiled_app.py) in a pty, as `make bench` does,
and profiles (cProfile, the app's main thread) each thing a rep does, one profile
each: the launch to the first useful action, then j/k, h/l, L/H, enter, escape and
`/` typing, each repeated. For every key it also records the frames and bytes each
key wrote. Writes `<out>/<action>.prof` (open with `python -m pstats`), a text
summary `<out>/<action>.txt` (top functions by cumulative and by own time) and prints
the figures. cProfile slows pure-Python code down by about 1.5-2x: read the
profiles for where the time goes, and `make bench` for how long it takes.

    .venv/bin/python -m bench.profile --db bench/.cache/cards10000-notes10-*.db
    .venv/bin/python -m bench.profile --db ... --tracemalloc   # memory at the peak
"""

from __future__ import annotations

import argparse
import json
import os
import pstats
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import pty_run
from bench.terminal import Terminal, settle

REPO = Path(__file__).resolve().parent.parent

Keys = list[tuple[bytes, pty_run.Shows]]
_J_K: Keys = [(b"j", None), (b"k", None)]
_L_H: Keys = [(b"l", None), (b"h", None)]
_MOVES: Keys = [(b"L", None), (b"H", None)]
_TYPED: Keys = [(b"/", None), *((c.encode(), None) for c in pty_run.typed_word(0))]
_CLEAR: Keys = [(pty_run.KITTY_ESCAPE, None)]

ACTIONS: list[tuple[str, Keys]] = [
    ("focus j-k", _J_K * 10),
    ("focus l-h", _L_H * 10),
    ("move L-H", _L_H[:1] + _MOVES * 10 + _L_H[1:]),
    (
        "enter-escape",
        [(b"\r", pty_run._has_details), (pty_run.KITTY_ESCAPE, pty_run._has_card)] * 8,
    ),
    ("filter typing", _TYPED + _CLEAR),
]


def _wait_file(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app never wrote {path}")
        time.sleep(0.02)


def _summarise(prof: Path, out: Path, top: int) -> None:
    with out.open("w", encoding="utf-8") as handle:
        stats = pstats.Stats(str(prof), stream=handle)
        stats.strip_dirs()
        handle.write("== by cumulative time ==\n")
        stats.sort_stats("cumulative").print_stats(top)
        handle.write("== by own time ==\n")
        stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--db", required=True, help="a SQLite file (copied first) or a URL")
    parser.add_argument("--size", default="160x45")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "profile")
    parser.add_argument("--tracemalloc", action="store_true")
    parser.add_argument(
        "--timers",
        action="store_true",
        help="no profiler: time a few functions (bench/profiled_app.py TIMED) and the "
        "garbage collector per action, at full speed",
    )
    parser.add_argument("--top", type=int, default=45)
    args = parser.parse_args(argv)
    width, height = (int(n) for n in args.size.split("x"))
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pipeline-profile-") as tmp:
        folder = Path(tmp)
        db = args.db
        if "://" not in db:
            db = str(shutil.copyfile(db, folder / Path(db).name))
        prefix = folder / "p"
        env = {
            **os.environ,
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"),
            "BENCH_PROFILE_OUT": str(prefix),
            "BENCH_PROFILE_FROM_START": "1",
            "BENCH_TRACEMALLOC": "1" if args.tracemalloc else "0",
            "BENCH_TIMERS": "1" if args.timers else "0",
        }
        env.pop("PIPELINE_TUI_DB", None)
        env.pop("PIPELINE_TUI_CONFIG", None)
        argv_app = [sys.executable, "-m", "bench.profiled_app", "--db", db]
        terminal = Terminal(argv_app, width, height, env, cwd=REPO)
        written = 0
        presses_by_action = {name: len(keys) for name, keys in ACTIONS}

        def collect(name: str) -> None:
            nonlocal written
            written += 1
            os.kill(terminal.process.pid, signal.SIGUSR2)
            _wait_file(Path(f"{prefix}-{written}.done"))
            timers = Path(f"{prefix}-{written}.timers.json")
            if timers.exists():
                shutil.copyfile(timers, args.out / f"{name}.timers.json")
                counts = json.loads(timers.read_text())
                presses = presses_by_action.get(name, 1)
                print(f"{name}: per key ({presses} keys), ms and calls")
                for timer, (calls, seconds) in sorted(
                    counts.items(), key=lambda i: (-i[1][1], -i[1][0])
                ):
                    print(
                        f"    {timer:<40}{seconds * 1000 / presses:8.2f} ms"
                        f"{calls / presses:8.1f} calls"
                    )
            else:
                prof = args.out / f"{name}.prof"
                shutil.copyfile(f"{prefix}-{written}.prof", prof)
                _summarise(prof, args.out / f"{name}.txt", args.top)
            for extra in ("mem.txt", "modules.txt"):
                made = Path(f"{prefix}-{written}.{extra}")
                if made.exists():
                    shutil.copyfile(made, args.out / f"{name}.{extra}")

        try:
            shown = terminal.wait(terminal.started, pty_run._has_card, 60, quiet_s=0)
            terminal.send(b"\r")
            opened = terminal.wait(terminal.started, pty_run._has_details, 60, quiet_s=0)
            print(
                f"launch: card shown {shown.shown_s:.3f} s, details {opened.shown_s:.3f} s "
                "(under the profiler)"
            )
            collect("launch")
            sent = terminal.send(pty_run.KITTY_ESCAPE)
            terminal.wait(sent, pty_run._has_card, 20)
            settle([terminal], quiet_s=1.5)
            for name, keys in ACTIONS:
                os.kill(terminal.process.pid, signal.SIGUSR1)
                time.sleep(0.05)
                figures: dict[str, list[tuple[float, int, list[int]]]] = {}
                for key, shows in keys:
                    time.sleep(0.05)
                    sent = terminal.send(key)
                    outcome = terminal.wait(sent, shows, 20)
                    sizes = [end - start for start, end in terminal.frames_since_mark()]
                    figures.setdefault(repr(key), []).append(
                        (outcome.done_s * 1000, outcome.bytes, sizes)
                    )
                collect(name)
                for label, rows in figures.items():
                    median_ms = statistics.median(r[0] for r in rows)
                    print(
                        f"{name:<14} {label:<12} median {median_ms:7.1f}"
                        f" ms  bytes {statistics.median(r[1] for r in rows):>8,.0f}"
                        f"  frames (bytes) {rows[-1][2]}"
                    )
            print(f"profiles in {args.out}")
        finally:
            terminal.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
