"""The rep's terminal: the installed `pipeline-tui` in a pty, beside a bare Textual app.

Both programs run in pseudo-terminals of the same size (bench/terminal.py says how a
key's frame is found). Every figure is from the key's bytes written to the pty to the
last byte of the last frame the key caused, with the bytes written back.

- Launch, to the first useful action: spawn; as soon as a frame shows a card, write
  enter; stop at the end of the frame that shows that card's details (CARD_DETAILS).
  The bare app: spawn, enter as soon as a list item shows, stop when its second
  screen shows. Launches are interleaved (bare, each size, bare, ...) after an
  uncounted warm-up of each; peak RSS (VmHWM) is read once the details are shown.
- Keys: the app and the bare app run side by side and take turns, key by key (who
  goes first alternates by round), so the machine's noise falls on both alike. One
  round: j, k; l, L, H, h (L/H move the highlighted prospect on a stage and back,
  with the save); enter, escape; enter, escape as the lone ESC byte of a terminal
  without the kitty keyboard protocol; `/`, a surname of the data set one key at a
  time (another each round, TYPED_WORDS), escape to clear the filter. The first round
  is a warm-up and not counted (the launches' and the first round's warm-ups are left
  out with --no-warm-up, which only checks that the bench runs).
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import bare_app, dataset
from bench.terminal import Outcome, Terminal, settle

REPO = Path(__file__).resolve().parent.parent
CARD_NAME = re.compile(r"\b[A-Z][a-z]+ [A-Z][a-z]+ \d+\b")
"""A benchmark card's name on the board (bench/dataset.py: first, last, card id)."""
CARD_DETAILS = re.compile(r"@example\.com|· card \d+")
"""Only the card screen shows these, once the card's details are loaded: the card's
email address (when the screen is wide enough) or its number in the header."""
ITEM = re.compile(bare_app.ITEM_PATTERN)

LAUNCH_TIMEOUT_S = 60.0
KEY_TIMEOUT_S = 20.0
TYPED_WORDS = tuple(name.lower() for name in dataset.LAST_NAMES)
"""Typed in the filter, one a round: a rep looks someone up whose cards the board has
not read yet. The same word every round finds cards read in the round before."""
KITTY_ESCAPE = b"\x1b[27u"
LEGACY_ESCAPE = b"\x1b"

Shows = Callable[[str], bool] | None


def _has_card(text: str) -> bool:
    return CARD_NAME.search(text) is not None


def _has_details(text: str) -> bool:
    return CARD_DETAILS.search(text) is not None


def _has_item(text: str) -> bool:
    return ITEM.search(text) is not None


def _has_bare_details(text: str) -> bool:
    return bare_app.DETAILS_TEXT in text


@dataclass(frozen=True)
class Step:
    """One key of a round: what the app and the bare app are sent, and what shows."""

    label: str
    app_key: bytes
    app_shows: Shows
    bare_key: bytes | None = None  # None: the app alone (the bare app has no such key)
    bare_shows: Shows = None
    counted: bool = True


def round_steps(round_number: int = 0) -> list[Step]:
    """One round of keys; the board (and the bare app) end where they started."""
    steps = [
        Step("focus down (j)", b"j", None, b"j"),
        Step("focus up (k)", b"k", None, b"k"),
        Step("focus right (l)", b"l", None, b"l"),
        # L on a lead first asks its qualification; moves are timed from a prospect.
        Step("move card on (L)", b"L", None),
        Step("move card back (H)", b"H", None),
        Step("focus left (h)", b"h", None, b"h"),
        Step("open card (enter)", b"\r", _has_details, b"\r", _has_bare_details),
        Step("back to board (escape)", KITTY_ESCAPE, _has_card, KITTY_ESCAPE, _has_item),
        Step("open card (enter)", b"\r", _has_details, b"\r", _has_bare_details, counted=False),
        Step("back, lone ESC byte", LEGACY_ESCAPE, _has_card, LEGACY_ESCAPE, _has_item),
        Step("open filter (/)", b"/", None, b"/"),
    ]
    word = typed_word(round_number)
    steps += [Step("`/` typing, per key", c.encode(), None, c.encode()) for c in word]
    steps.append(Step("filter clear (escape)", KITTY_ESCAPE, None, KITTY_ESCAPE))
    return steps


def typed_word(round_number: int) -> str:
    return TYPED_WORDS[round_number % len(TYPED_WORDS)]


BARE_ARGV = [sys.executable, "-m", "bench.bare_app"]
FLOORS = ("bare", "stack")
"""The launch table's reference rows: Textual alone (what the budgets are judged
against), and Textual with SQLAlchemy opening the same file (bare_app --store)."""


def stack_argv(database: str) -> list[str]:
    """The bare app on the stack: it opens `database` through SQLAlchemy as it starts."""
    return [*BARE_ARGV, "--store", database]


def app_argv(database: str) -> list[str]:
    """The installed command line, as a rep starts it."""
    script = Path(sys.executable).with_name("pipeline-tui")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline_tui"]
    return [*command, "--db", database]


# Launch ---------------------------------------------------------------------------------


@dataclass
class LaunchSample:
    first_frame_s: float  # spawn to the end of the first frame
    shows_s: float  # spawn to the end of the first frame with a card (or list item)
    useful_s: float  # spawn to the end of the frame with the card's details
    cpu_s: float  # processor time used by then, all threads
    bytes: int
    rss_kib: int


def launch_once(
    argv: Sequence[str], bare: bool, size: tuple[int, int], env: Mapping[str, str]
) -> LaunchSample:
    width, height = size
    terminal = Terminal(argv, width, height, env, cwd=REPO)
    try:
        spawned = terminal.started
        shown = terminal.wait(
            spawned, _has_item if bare else _has_card, LAUNCH_TIMEOUT_S, quiet_s=0
        )
        if shown.timed_out or shown.shown_s is None:
            raise RuntimeError(f"{' '.join(argv)}: nothing to open after {LAUNCH_TIMEOUT_S} s")
        first_frame = _first_frame_end(terminal, spawned)
        written = shown.bytes
        terminal.send(b"\r")
        opened = terminal.wait(
            spawned, _has_bare_details if bare else _has_details, LAUNCH_TIMEOUT_S, quiet_s=0
        )
        if opened.timed_out or opened.shown_s is None:
            raise RuntimeError(f"{' '.join(argv)}: details never shown")
        cpu_s = terminal.cpu_s()
        settle([terminal], quiet_s=0.2)
        return LaunchSample(
            first_frame_s=first_frame,
            shows_s=shown.shown_s,
            useful_s=opened.shown_s,
            cpu_s=cpu_s,
            bytes=written + opened.bytes,
            rss_kib=terminal.peak_rss_kib(),
        )
    finally:
        terminal.close()


def _first_frame_end(terminal: Terminal, spawned: float) -> float:
    frames = terminal.frames_since_mark()
    end = frames[0][1] - 1 if frames else 0
    return terminal._arrival(end) - spawned


def measure_launches(
    targets: Mapping[str, Sequence[str]],
    sizes: Sequence[tuple[int, int]],
    runs: int,
    env: Mapping[str, str],
    log: Callable[[str], None],
    warm_up: bool = True,
) -> dict[str, Any]:
    """`targets`: name -> argv; the name "bare" is the floor, "stack" the floor of the
    stack (FLOORS). Per terminal size, per name: medians of the launch figures and the
    peak RSS."""
    results: dict[str, Any] = {}
    for size in sizes:
        label = f"{size[0]}x{size[1]}"
        for name, argv in targets.items() if warm_up else ():  # page cache, bytecode
            launch_once(argv, name in FLOORS, size, env)
        samples: dict[str, list[LaunchSample]] = {name: [] for name in targets}
        for run in range(runs):
            log(f"  pty launch {label}, round {run + 1}/{runs}")
            for name, argv in targets.items():
                samples[name].append(launch_once(argv, name in FLOORS, size, env))
        bare = statistics.median(s.useful_s for s in samples["bare"])
        rows: dict[str, Any] = {}
        for name, launches in samples.items():
            useful = statistics.median(s.useful_s for s in launches)
            rows[name] = {
                "runs": len(launches),
                "first_frame_median_s": round(
                    statistics.median(s.first_frame_s for s in launches), 4
                ),
                "shows_median_s": round(statistics.median(s.shows_s for s in launches), 4),
                "useful_median_s": round(useful, 4),
                "useful_p95_s": round(_p95([s.useful_s for s in launches]), 4),
                "useful_runs_s": [round(s.useful_s, 4) for s in launches],
                "useful_ratio_to_bare": round(useful / bare, 2),
                "cpu_median_s": round(statistics.median(s.cpu_s for s in launches), 3),
                "bytes_median": int(statistics.median(s.bytes for s in launches)),
                "peak_rss_mib": round(statistics.median(s.rss_kib for s in launches) / 1024, 1),
            }
        results[label] = rows
    return results


# Keys -----------------------------------------------------------------------------------


def _p95(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _summary(outcomes: list[Outcome]) -> dict[str, Any]:
    done = [o.done_s for o in outcomes]
    first = [o.first_byte_s for o in outcomes if o.first_byte_s is not None]
    return {
        "n": len(outcomes),
        "median_ms": round(statistics.median(done) * 1000, 2),
        "p95_ms": round(_p95(done) * 1000, 2),
        "max_ms": round(max(done) * 1000, 2),
        "first_byte_median_ms": round(statistics.median(first) * 1000, 2) if first else None,
        "bytes_median": int(statistics.median(o.bytes for o in outcomes)),
        "bytes_max": max(o.bytes for o in outcomes),
        "frames_median": statistics.median(o.frames for o in outcomes),
        "timeouts": sum(o.timed_out for o in outcomes),
        "samples_ms": [round(d * 1000, 2) for d in done],
    }


def measure_keys(
    app: Sequence[str],
    size: tuple[int, int],
    rounds: int,
    env: Mapping[str, str],
    log: Callable[[str], None],
    warm_up: bool = True,
    pause_s: float = 0.05,
) -> dict[str, Any]:
    """The app (argv `app`) and the bare app side by side, `rounds` counted rounds
    (after an uncounted one, round 0, if `warm_up`)."""
    width, height = size
    app_term = Terminal(app, width, height, env, cwd=REPO)
    bare_term = Terminal(BARE_ARGV, width, height, env, cwd=REPO)
    both = [app_term, bare_term]
    samples: dict[str, dict[str, list[Outcome]]] = {"app": {}, "bare": {}}
    try:
        for terminal, first_screen in ((app_term, _has_card), (bare_term, _has_item)):
            outcome = terminal.wait(terminal.started, first_screen, LAUNCH_TIMEOUT_S, others=both)
            if outcome.timed_out:
                raise RuntimeError(f"{' '.join(terminal.argv)} never showed its first screen")
        settle(both, quiet_s=1.5)  # the board's load in the background, then quiet
        for round_number in range(0 if warm_up else 1, rounds + 1):
            if round_number:
                log(f"  pty keys {width}x{height}, round {round_number}/{rounds}")
            for step in round_steps(round_number):
                turns: list[tuple[str, Terminal, bytes, Shows]] = [
                    ("app", app_term, step.app_key, step.app_shows)
                ]
                if step.bare_key is not None:
                    turns.append(("bare", bare_term, step.bare_key, step.bare_shows))
                if round_number % 2:
                    turns.reverse()
                for who, terminal, key, shows in turns:
                    others = [t for t in both if t is not terminal]
                    time.sleep(pause_s)
                    sent = terminal.send(key)
                    outcome = terminal.wait(sent, shows, KEY_TIMEOUT_S, others=others)
                    if outcome.timed_out and shows is not None:
                        raise RuntimeError(
                            f"{step.label}: {' '.join(terminal.argv)} did not show the result"
                        )
                    if round_number and step.counted:
                        samples[who].setdefault(step.label, []).append(outcome)
        rss = {"app": app_term.peak_rss_kib(), "bare": bare_term.peak_rss_kib()}
    finally:
        for terminal in both:
            terminal.close()
    return {
        "size": f"{width}x{height}",
        "rounds": rounds,
        "app": {label: _summary(o) for label, o in samples["app"].items()},
        "bare": {label: _summary(o) for label, o in samples["bare"].items()},
        "peak_rss_mib": {who: round(kib / 1024, 1) for who, kib in rss.items()},
    }


def scratch(database: Path, folder: Path) -> Path:
    """A copy the keys may write to (L/H save their moves)."""
    target = folder / f"pty-{database.name}"
    shutil.copyfile(database, target)
    return target
