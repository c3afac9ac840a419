"""The hot store calls: how long each takes, and SQLite's plan for every query they run.

Statements are captured from the engine while PipelineService runs them, so the plans
are for the SQL the app really sends, not for a hand-written copy of it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event

from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService


@dataclass
class Plan:
    call: str
    sql: str
    plan: list[str]

    @property
    def scans(self) -> list[str]:
        """Plan steps that read a whole table (SCAN without an index is what hurts)."""
        return [step for step in self.plan if step.startswith("SCAN") and "INDEX" not in step]

    def as_json(self) -> dict[str, Any]:
        return {"call": self.call, "sql": self.sql, "plan": self.plan, "full_scans": self.scans}


def _capture(service: PipelineService, call: Callable[[], object]) -> list[tuple[str, Any]]:
    statements: list[tuple[str, Any]] = []

    def before(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        head = sql.lstrip().split(None, 1)[0].upper()
        if head in ("SELECT", "WITH", "UPDATE", "INSERT", "DELETE") and not many:
            statements.append((sql, params))

    engine = service.database.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        call()
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return statements


def _hot_calls(service: PipelineService) -> list[tuple[str, Callable[[], object]]]:
    """Board load (what the board screen reads: every card's id, the header's totals,
    and one screen of cards), card detail, and a move (which writes: run on a scratch
    copy)."""
    today = date.today()
    ids = service.board_ids(today)
    card_id = ids[Stage.LEAD][0]
    screenful = [i for column in ids.values() for i in column[:40]]
    return [
        ("board_ids()", lambda: service.board_ids(today)),
        ("board_totals()", lambda: service.board_totals(today)),
        ("summaries(screen)", lambda: service.summaries(screenful)),
        ("card(id)", lambda: service.card(card_id)),
        ("move_card(id, prospect)", lambda: service.move_card(card_id, Stage.PROSPECT)),
        ("move_card(id, lead)", lambda: service.move_card(card_id, Stage.LEAD)),
    ]


def query_plans(service: PipelineService) -> list[Plan]:
    plans: list[Plan] = []
    seen: set[str] = set()
    for name, call in _hot_calls(service):
        for sql, params in _capture(service, call):
            key = " ".join(sql.split())
            if key in seen:
                continue
            seen.add(key)
            with service.database.engine.connect() as connection:
                rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params).all()
                connection.rollback()
            plans.append(Plan(name, key, [str(row[-1]) for row in rows]))
    return plans


def store_timings(service: PipelineService, reps: int) -> dict[str, float]:
    """Median seconds for each hot store call; the calls run in turn, so each move on
    is followed by the move back and the board is the same after every round."""
    calls = _hot_calls(service)
    samples: dict[str, list[float]] = {name: [] for name, _ in calls}
    for _ in range(reps):
        for name, call in calls:
            started = time.perf_counter()
            call()
            samples[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in samples.items()}
