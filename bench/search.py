"""Search latency: the `/` board filter and full-text search over notes.

Neither feature exists yet. Each measurement is one function that returns its samples
(seconds), or None while there is nothing to measure; None is reported as "not yet
measured", never as a number.
"""

from __future__ import annotations

from textual.pilot import Pilot

from pipeline_tui.store import PipelineService

# Typed one key at a time, as a rep would: the filter must keep up with every key.
FILTER_TEXT = "okafor"
# Words the benchmark's notes are made of (bench/dataset.py), one common, one rare.
SEARCH_TERMS = ("margin", "franchise loyalty")


async def measure_filter(pilot: Pilot[None]) -> list[float] | None:
    """`/` then FILTER_TEXT on the board: seconds from each key to the filtered board.

    To fill in once the filter exists: post `/` and each character with
    bench.keystrokes.timed_key, with a done() that checks the columns show only
    matching cards, then escape to clear the filter.
    """
    return None


def measure_full_text(service: PipelineService) -> list[float] | None:
    """Full-text search over notes and cards: seconds per query for SEARCH_TERMS.

    To fill in once the store has a search method: time service.search(term) (or its
    final name) for each term, several times, on the largest database.
    """
    return None


async def measure_in_app(pilot: Pilot[None]) -> dict[str, list[float] | None]:
    """The in-app search measurements, run on the keystroke benchmark's board."""
    return {"filter": await measure_filter(pilot)}
