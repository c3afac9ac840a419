"""Search latency: the `/` board filter and full-text search over notes.

Each measurement returns its samples in seconds.
"""

from __future__ import annotations

import time

from textual.pilot import Pilot

from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.board import BoardScreen

# Typed one key at a time, as a rep would: the filter must keep up with every key.
FILTER_TEXT = "okafor"
# Words the benchmark's notes are made of (bench/dataset.py), one common, one rare.
SEARCH_TERMS = ("margin", "franchise loyalty")
SEARCH_REPS = 5


async def measure_filter(pilot: Pilot[None]) -> list[float] | None:
    """`/` then FILTER_TEXT on the board: seconds from each key to the filtered board."""
    from bench.keystrokes import timed_key  # keystrokes imports this module too

    board = pilot.app.screen
    assert isinstance(board, BoardScreen)
    samples: list[float] = []
    await timed_key(pilot, "slash", lambda: board.has_class("-filtering"))
    typed = ""
    for character in FILTER_TEXT:
        typed += character
        expected = typed

        def filtered(expected: str = expected) -> bool:
            return board.query_one("#filter").value == expected and board.filter_ids is not None  # type: ignore[attr-defined]

        samples.append(await timed_key(pilot, character, filtered))
    await timed_key(pilot, "escape", lambda: board.filter_ids is None)
    return samples


def measure_full_text(service: PipelineService) -> list[float] | None:
    """Full-text search over notes and cards: seconds per query for SEARCH_TERMS."""
    samples: list[float] = []
    for _ in range(SEARCH_REPS):
        for term in SEARCH_TERMS:
            started = time.perf_counter()
            service.search(term)
            samples.append(time.perf_counter() - started)
    return samples


async def measure_in_app(pilot: Pilot[None]) -> dict[str, list[float] | None]:
    """The in-app search measurements, run on the keystroke benchmark's board."""
    return {"filter": await measure_filter(pilot)}
