"""Key echo in the note editor at the note limit (2,000,000 characters).

    .venv/bin/python -m bench.note_editor            # the editor as shipped
    .venv/bin/python -m bench.note_editor --plain    # Textual's own TextArea, for comparison

Each note shape is opened in the real NoteEditorScreen (headless, 100x30); the figures
are the time to open it and, per typed key, the time until the key's character is in
the note and the screen has been laid out and rendered (bench.keystrokes.timed_key).
A ten-line note is the floor. A measurement, not a test: nothing fails.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from textual.app import App
from textual.widgets import TextArea

from bench.keystrokes import timed_key
from pipeline_tui.domain.cards import NOTE_MAX_CHARS, NoteView
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.ui.screens import note_editor
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen

SHAPES = {
    "10 lines (floor)": "A short note.\n" * 10,
    "2,000,000 in 80-char lines": ("x" * 79 + "\n") * (NOTE_MAX_CHARS // 80),
    "2,000,000 in paragraphs": ("lorem ipsum dolor sit amet " * 20 + "\n")
    * (NOTE_MAX_CHARS // 541),
    "2,000,000 in one line": "word " * (NOTE_MAX_CHARS // 5),
}
KEYS = 15


class _Host(App[None]):
    cursor_blink = False


async def _never_saved(_: str) -> NoteView:
    raise AssertionError("the benchmark does not save")


async def _measure(body: str) -> tuple[float, list[float]]:
    app = _Host()
    async with app.run_test(size=(100, 30)) as pilot:
        started = time.perf_counter()
        await app.push_screen(NoteEditorScreen("Ann", NoteKind.GENERAL, body, _never_saved))
        editor = app.screen.query_one(TextArea)
        await timed_key(pilot, "f24", lambda: editor.has_focus)  # type: ignore[arg-type]
        opened = time.perf_counter() - started
        seconds = []
        for n in range(KEYS + 1):
            expected = len(body) + n + 1
            key = "abcdefghijklmnopqrstuvwxyz"[n % 26]
            took = await timed_key(
                pilot,  # type: ignore[arg-type]
                key,
                lambda expected=expected: len(editor.text) == expected,  # type: ignore[misc]
            )
            if n:  # the first key fills caches
                seconds.append(took)
        return opened, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plain", action="store_true", help="use Textual's TextArea")
    args = parser.parse_args()
    if args.plain:

        def plain(text: str, *, id: str | None = None) -> TextArea:
            return TextArea(text, soft_wrap=True, tab_behavior="focus", id=id)

        note_editor.NoteArea = plain  # type: ignore[assignment,misc]
    print(f"{'note':<30} {'open':>8} {'key median':>11} {'key p95':>9}")
    for label, body in SHAPES.items():
        opened, seconds = asyncio.run(_measure(body[:NOTE_MAX_CHARS]))
        seconds.sort()
        p95 = seconds[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
        print(
            f"{label:<30} {opened * 1000:>6.0f}ms {statistics.median(seconds) * 1000:>9.1f}ms "
            f"{p95 * 1000:>7.1f}ms"
        )


if __name__ == "__main__":
    main()
