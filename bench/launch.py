"""One headless launch, timed from outside: `python -m bench.launch board|bare [--db PATH]`.

`board` starts the real command line (`pipeline_tui.cli.main`, so config loading, the
database open and its migration check all count) with two bench-side substitutions in
`pipeline_tui.ui.app`: the app runs headless (so the command line is told it has the
terminal the board needs), and the board screen reports (1) the
first repaint with cards on it -- the top of each column, read before the store has
opened -- and (2) the first repaint once the store is open, every column's ids and the
header's totals are loaded, and the cards on screen are read: the board is fully
usable (cards off screen are read as the rep scrolls to them).
`bare` is the framework's floor: a Textual app with one Label, reporting its first
repaint the same way (both lines at once).

The process writes `READY <seconds since start> <peak RSS in KiB>` to fd 1 at (1),
`FULL <seconds> <peak RSS in KiB>` at (2), and exits. The parent times the whole
process from its side.
"""

from __future__ import annotations

import os
import resource
import sys
import time

STARTED = time.perf_counter()


def _peak_rss_kib() -> int:
    """This process's own peak RSS. Linux carries ru_maxrss over from the parent through
    fork and exec, so a bench that has just built a 100,000-card database in-process
    would lend every launch its own peak; VmHWM belongs to this program's memory alone."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _report(kind: str) -> None:
    rss_kib = _peak_rss_kib()
    os.write(1, f"{kind} {time.perf_counter() - STARTED:.6f} {rss_kib}\n".encode())


def _report_ready() -> None:
    _report("READY")


def run_bare() -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Label

    class Bare(App[None]):
        def compose(self) -> ComposeResult:
            yield Label("pipeline-tui")

        def on_mount(self) -> None:
            self.call_after_refresh(self._bench_ready)

        def _bench_ready(self) -> None:
            _report_ready()
            _report("FULL")
            self.exit()

    Bare().run(headless=True)
    return 0


def run_board(db: str) -> int:
    import inspect
    from pathlib import Path
    from typing import Any

    import pipeline_tui.ui.app as app_module
    from pipeline_tui import cli
    from pipeline_tui.ui.screens.board import BoardScreen

    def beside(cls: type, css: str) -> str:
        # CSS_PATH is relative to the module that defines the class; keep the original.
        return str(Path(inspect.getfile(cls)).parent / css)

    class ReadyBoard(BoardScreen):
        """The real board; it says when its cards have first been painted."""

        CSS_PATH = beside(BoardScreen, "board.tcss")

        _reported: set[str] = set()

        def show_board(self, focus_card: int | None = None) -> None:
            super().show_board(focus_card)
            if "READY" not in self._reported:
                self._reported.add("READY")
                self.call_after_refresh(_report_ready)
            if self.model.complete and "FULL" not in self._reported:
                self._reported.add("FULL")
                self.call_after_refresh(self._bench_full)

        def _bench_full(self) -> None:
            # Usable with every card: the ids and totals are in (complete) and the
            # cards on screen have been read and painted.
            if self.model.cache.pending or any(w.is_running for w in self.app.workers):
                self.set_timer(0.01, self._bench_full)
                return
            _report("FULL")
            self.app.exit()

    class HeadlessApp(app_module.PipelineApp):
        CSS_PATH = [beside(app_module.PipelineApp, css) for css in app_module.PipelineApp.CSS_PATH]

        def run(self, *args: Any, **kwargs: Any) -> None:
            kwargs["headless"] = True
            return super().run(*args, **kwargs)

    # The app module looks both names up when the command line runs it.
    setattr(app_module, "BoardScreen", ReadyBoard)  # noqa: B010
    setattr(app_module, "PipelineApp", HeadlessApp)  # noqa: B010
    setattr(cli, "in_a_terminal", lambda: True)  # noqa: B010  headless draws nowhere
    return cli.main(["--db", db])


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"]:
        return run_bare()
    if argv[:2] == ["board", "--db"] and len(argv) == 3:
        return run_board(argv[2])
    print("usage: python -m bench.launch bare | board --db PATH", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
