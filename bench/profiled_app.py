"""The real command line under a profiler: `python -m bench.profiled_app --db PATH`.

It runs `pipeline_tui.cli.main` unchanged; the bench (bench/profile.py) drives it in
a pty and says when to profile with signals, so what is profiled is the rep's path:

- BENCH_PROFILE_OUT: where profiles go (`<BENCH_PROFILE_OUT>-<n>.prof`, pstats).
- BENCH_PROFILE_FROM_START=1: profile from the first line (the launch).
- SIGUSR1: start a profile (the main thread: Textual's event loop, where a frame is
  made; a worker thread's time shows as the loop waiting).
- SIGUSR2: stop it and write it out; with BENCH_TRACEMALLOC=1 also write the peak
  traced memory and the largest allocation sites (`<...>-<n>.mem.txt`).
- Every SIGUSR2 also lists the modules imported so far (`<...>-<n>.modules.txt`).
- BENCH_TIMERS=1 (instead of a profile, which slows everything down): wall time and
  calls of a few functions of Textual and of the app (TIMED), and of the garbage
  collector, from SIGUSR1 to SIGUSR2 (`<...>-<n>.timers.json`).
"""

from __future__ import annotations

import cProfile
import functools
import gc
import importlib
import json
import os
import signal
import sys
import time
import tracemalloc
from collections.abc import Callable
from types import FrameType
from typing import Any

_profile: cProfile.Profile | None = None
_written = 0
_timers: dict[str, list[float]] = {}
_timing = False

TIMED = [
    ("textual.screen", "Screen", "_refresh_layout"),
    ("textual.screen", "Screen", "_on_screen_resume"),
    ("textual.screen", "Screen", "_compositor_refresh"),
    ("textual.dom", "DOMNode", "update_node_styles"),
    ("textual.css.stylesheet", "Stylesheet", "apply"),
    ("textual._compositor", "Compositor", "reflow"),
    ("textual._compositor", "Compositor", "render_update"),
    ("textual._compositor", "Compositor", "render_full_update"),
    ("textual._compositor", "Compositor", "render_partial_update"),
    ("textual.app", "App", "_display"),
    ("textual.app", "App", "_register"),
    ("textual.widget", "Widget", "_get_box_model"),
    ("textual.widgets._option_list", "OptionList", "_update_lines"),
    ("textual.widgets._footer", "Footer", "compose"),
    ("pipeline_tui.ui.screens.card", "CardScreen", "show"),
    ("pipeline_tui.ui.screens.card", "CardScreen", "compose"),
    ("pipeline_tui.ui.widgets.note_list", "NoteList", "watch_notes"),
    ("pipeline_tui.ui.screens.board", "BoardScreen", "show_board"),
    ("pipeline_tui.ui.screens.board", "BoardScreen", "_show_stages"),
    ("pipeline_tui.ui.screens.board", "BoardScreen", "action_open_card"),
    ("pipeline_tui.ui.widgets.card_list", "CardList", "render_line"),
    ("pipeline_tui.ui.widgets.key_footer", "KeyFooter", "bindings_changed"),
    ("pipeline_tui.ui.screens.board", "BoardScreen", "_unread_once_filtered"),
    ("pipeline_tui.store.service", "PipelineService", "matching_cards"),
    ("pipeline_tui.store.search", None, "matching_card_ids"),
    ("pipeline_tui.store.read_model", None, "summaries"),
    ("pipeline_tui.ui.screens.board", None, "filtered"),
]
"""What BENCH_TIMERS times: (module, class or None for a module's function, name).
Sync functions only; a function is timed where it is looked up on its module."""


def _timed(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _timing:
            return method(*args, **kwargs)
        started = time.perf_counter()
        try:
            return method(*args, **kwargs)
        finally:
            entry = _timers.setdefault(name, [0, 0.0])
            entry[0] += 1
            entry[1] += time.perf_counter() - started

    return wrapper


_gc_started = 0.0


def _gc_callback(phase: str, info: dict[str, int]) -> None:
    global _gc_started
    if not _timing:
        return
    if phase == "start":
        _gc_started = time.perf_counter()
    else:
        entry = _timers.setdefault(f"gc generation {info['generation']}", [0, 0.0])
        entry[0] += 1
        entry[1] += time.perf_counter() - _gc_started


def _count_layouts(method: Callable[..., Any]) -> Callable[..., Any]:
    """Widget.refresh: which widgets ask for a new layout or a recompose, per key."""

    @functools.wraps(method)
    def wrapper(self: Any, *regions: Any, **kwargs: Any) -> Any:
        if _timing and (kwargs.get("layout") or kwargs.get("recompose")):
            kind = "recompose" if kwargs.get("recompose") else "layout"
            entry = _timers.setdefault(f"{kind} asked by {type(self).__name__}", [0, 0.0])
            entry[0] += 1
        return method(self, *regions, **kwargs)

    return wrapper


def _install_timers() -> None:
    for module_name, class_name, attribute in TIMED:
        module = importlib.import_module(module_name)
        if class_name is None:
            function = getattr(module, attribute)
            setattr(module, attribute, _timed(f"{module_name}.{attribute}", function))
            continue
        cls = getattr(module, class_name)
        method = cls.__dict__[attribute]
        setattr(cls, attribute, _timed(f"{class_name}.{attribute}", method))
    gc.callbacks.append(_gc_callback)
    from textual.widget import Widget

    Widget.refresh = _count_layouts(Widget.__dict__["refresh"])  # type: ignore[method-assign]


def _start(_signum: int = 0, _frame: FrameType | None = None) -> None:
    global _profile, _timing
    if os.environ.get("BENCH_TIMERS") == "1":
        _timers.clear()
        _timing = True
        return
    _profile = cProfile.Profile()
    _profile.enable()


def _stop(_signum: int = 0, _frame: FrameType | None = None) -> None:
    global _profile, _written, _timing
    out = os.environ["BENCH_PROFILE_OUT"]
    _written += 1
    if _timing:
        _timing = False
        with open(f"{out}-{_written}.timers.json", "w", encoding="utf-8") as handle:
            json.dump(_timers, handle)
    if _profile is not None:
        _profile.disable()
        _profile.dump_stats(f"{out}-{_written}.prof")
        _profile = None
    if tracemalloc.is_tracing():
        current, peak = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot()
        lines = [f"traced now {current / 2**20:.1f} MiB, peak {peak / 2**20:.1f} MiB"]
        for group in ("filename", "lineno"):
            lines.append(f"-- largest by {group}")
            for stat in snapshot.statistics(group)[:40]:
                lines.append(str(stat))
        with open(f"{out}-{_written}.mem.txt", "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    with open(f"{out}-{_written}.modules.txt", "w", encoding="utf-8") as handle:
        handle.write("\n".join(sorted(sys.modules)) + "\n")
    with open(f"{out}-{_written}.done", "w", encoding="utf-8"):
        pass


def main() -> int:
    if os.environ.get("BENCH_TRACEMALLOC") == "1":
        tracemalloc.start(10)
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    if os.environ.get("BENCH_TIMERS") == "1":
        _install_timers()
    if os.environ.get("BENCH_PROFILE_FROM_START") == "1":
        _start()
    from pipeline_tui import cli

    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
