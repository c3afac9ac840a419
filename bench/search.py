"""Search latency: the `/` board filter and full-text search over notes.

Each measurement returns its samples in seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.pilot import Pilot
from textual.widgets import Input

from bench.plans import Plan, _capture
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.board import BoardScreen

# Typed one key at a time, as a rep would: the filter must keep up with every key.
FILTER_TEXT = "okafor"
# The store half of the filter is also timed on a phrase typed from the notes: each of
# the benchmark's note words (bench/dataset.py) is in about half of all notes, the
# hardest case for a search index.
FILTER_STORE_TEXTS = (FILTER_TEXT, "franchise loyalty")
# Note words (common), then a surname and a card number (rare).
SEARCH_TERMS = ("margin", "franchise loyalty", "okafor", "4242")
SEARCH_REPS = 5
FILTER_ROUNDS = 4  # `/`, FILTER_TEXT, escape: six keys a round is too few for a p95
FILTER_STORE_REPS = 5


def prefixes(text: str) -> list[str]:
    """What the filter holds after each key typed, as it is sent to the store."""
    return [text[:end] for end in range(1, len(text) + 1) if not text[:end].endswith(" ")]


async def measure_filter(pilot: Pilot[None]) -> list[float] | None:
    """`/` then FILTER_TEXT on the board, FILTER_ROUNDS times: seconds from each key
    typed to the filtered board."""
    from bench.keystrokes import timed_key  # keystrokes imports this module too

    board = pilot.app.screen
    assert isinstance(board, BoardScreen)
    samples: list[float] = []
    for _ in range(FILTER_ROUNDS):
        await timed_key(pilot, "slash", lambda: board.filtering)
        typed = ""
        for character in FILTER_TEXT:
            typed += character
            expected = typed

            def filtered(expected: str = expected) -> bool:
                field = board.query_one("#filter", Input)
                return field.value == expected and board.model.filter_ids is not None

            samples.append(await timed_key(pilot, character, filtered))
        await timed_key(pilot, "escape", lambda: board.model.filter_ids is None)
    return samples


def measure_filter_store(service: PipelineService) -> dict[str, list[float]]:
    """`matching_card_ids` for each prefix of FILTER_STORE_TEXTS: seconds per call.

    Rounds go through every prefix in turn, so noise on the machine spreads over all.
    """
    queries = [query for text in FILTER_STORE_TEXTS for query in prefixes(text)]
    samples: dict[str, list[float]] = {query: [] for query in queries}
    for query in queries:  # warm the page cache; not counted
        service.matching_card_ids(query)
    for _ in range(FILTER_STORE_REPS):
        for query in queries:
            started = time.perf_counter()
            service.matching_card_ids(query)
            samples[query].append(time.perf_counter() - started)
    return samples


def measure_full_text(service: PipelineService) -> list[float] | None:
    """Full-text search over notes and cards: seconds per query for SEARCH_TERMS."""
    for term in SEARCH_TERMS:  # warm the page cache; not counted
        service.search(term)
    samples: list[float] = []
    for _ in range(SEARCH_REPS):
        for term in SEARCH_TERMS:
            started = time.perf_counter()
            service.search(term)
            samples.append(time.perf_counter() - started)
    return samples


def query_plans(service: PipelineService, explain: str = "EXPLAIN QUERY PLAN") -> list[Plan]:
    """The plan for every statement the filter and the search send, as sent (SQLite's
    by default; PostgreSQL's with explain="EXPLAIN (ANALYZE, BUFFERS)")."""
    calls: list[tuple[str, Callable[[], object]]] = [
        ("matching_card_ids(query)", lambda: service.matching_card_ids("franchise loya")),
        ("search(query)", lambda: service.search("franchise loya")),
    ]
    found: list[Plan] = []
    seen: set[str] = set()
    for name, call in calls:
        for sql, params in _capture(service, call):
            key = " ".join(sql.split())
            if key in seen:
                continue
            seen.add(key)
            with service.database.engine.connect() as connection:
                rows = connection.exec_driver_sql(f"{explain} {sql}", params).all()
                connection.rollback()
            found.append(Plan(name, key, [str(row[-1]) for row in rows]))
    return found


async def measure_in_app(pilot: Pilot[None]) -> dict[str, list[float] | None]:
    """The in-app search measurements, run on the keystroke benchmark's board."""
    return {"filter": await measure_filter(pilot)}
