"""Benchmark databases: N cards with events, touchpoints and notes, built once and cached.

The schema comes from `pipeline_tui.store.open_database`, so it is exactly the one the
app migrates to; rows go in with SQLAlchemy Core bulk inserts (executemany), which is
what makes 100,000 cards and 1,000,000 notes take seconds rather than minutes.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, insert

from pipeline_tui.domain.kinds import Market, NoteKind, TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.store import open_database
from pipeline_tui.store.migrate import HEAD_REVISION
from pipeline_tui.store.models import (
    ActivityRow,
    CardRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)

# Bump when the generated data changes shape, so cached databases are rebuilt.
DATASET_VERSION = 2
SEED = 20261123
CHUNK = 20_000
OWNER = "bench"
# A realistic funnel: many leads, fewer prospects and clients, a few repeat clients.
STAGE_SHARE: dict[Stage, float] = {
    Stage.LEAD: 0.40,
    Stage.PROSPECT: 0.30,
    Stage.CLIENT: 0.20,
    Stage.REPEAT: 0.10,
}

_FIRST = [
    "Amara",
    "Ben",
    "Chloe",
    "Dmitri",
    "Elena",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jun",
    "Kofi",
    "Lena",
    "Mateo",
    "Nia",
    "Omar",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tara",
    "Ugo",
    "Vera",
    "Wen",
    "Xavi",
    "Yara",
    "Zoe",
]
LAST_NAMES = [
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Petrov",
    "Garcia",
    "Haddad",
    "Novak",
    "Tanaka",
    "Ivanova",
    "Chen",
    "Mensah",
    "Weber",
    "Rossi",
    "Dubois",
    "Costa",
    "Khan",
    "Murphy",
    "Silva",
    "Berg",
    "Kowalski",
    "Sato",
    "Nakamura",
    "Fischer",
    "Jensen",
]
_ORG_A = [
    "Bright",
    "Harbour",
    "North",
    "Silver",
    "Green",
    "Blue",
    "Iron",
    "Oak",
    "Clear",
    "Swift",
    "Red",
    "Stone",
]
_ORG_B = [
    "Dental",
    "Bakery",
    "Logistics",
    "Studio",
    "Clinic",
    "Foods",
    "Legal",
    "Print",
    "Garage",
    "Labs",
    "Farm",
    "Hotel",
]
_TAGS = [
    "dental",
    "retail",
    "saas",
    "local",
    "enterprise",
    "ngo",
    "urgent",
    "events",
    "wholesale",
    "b2b",
]
_ACTIONS = (
    "Call about the pilot",
    "Send the insight on no-shows",
    "Follow up after delivery",
    "Book a discovery meeting",
    "Send the proposal",
    "Ask for a referral",
)
_WORDS = [
    "customers",
    "churn",
    "margin",
    "season",
    "staff",
    "rota",
    "bookings",
    "pipeline",
    "cash",
    "flow",
    "supplier",
    "delay",
    "growth",
    "target",
    "quarter",
    "costs",
    "review",
    "renewal",
    "referral",
    "launch",
    "website",
    "traffic",
    "leads",
    "conversion",
    "pricing",
    "inventory",
    "hiring",
    "training",
    "compliance",
    "audit",
    "deadline",
    "expansion",
    "second",
    "site",
    "franchise",
    "loyalty",
    "reviews",
    "delivery",
    "returns",
    "complaints",
    "weekend",
    "capacity",
]


@dataclass(frozen=True)
class BuiltDatabase:
    path: Path
    cards: int
    notes: int
    touchpoints: int
    stage_events: int
    build_s: float | None  # None when it came from the cache

    def as_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "cards": self.cards,
            "notes": self.notes,
            "touchpoints": self.touchpoints,
            "stage_events": self.stage_events,
            "build_s": self.build_s,
            "size_mb": round(self.path.stat().st_size / 1e6, 1),
        }


def cache_path(cache_dir: Path, cards: int, notes_per_card: int) -> Path:
    return cache_dir / (
        f"cards{cards}-notes{notes_per_card}-schema{HEAD_REVISION}-v{DATASET_VERSION}.db"
    )


def ensure_database(
    cache_dir: Path, cards: int, notes_per_card: int, today: date, log: Any = print
) -> BuiltDatabase:
    """The cached database for this size, building it first if it is missing."""
    path = cache_path(cache_dir, cards, notes_per_card)
    if path.exists():
        return _describe(path, None)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in cache_dir.glob(partial.name + "*"):
        leftover.unlink()
    log(f"building {path.name} ({cards:,} cards, {cards * notes_per_card:,} notes)...")
    started = time.perf_counter()
    build_database(partial, cards, notes_per_card, today)
    partial.rename(path)
    return _describe(path, time.perf_counter() - started)


def build_database(path: Path, cards: int, notes_per_card: int, today: date) -> None:
    database = open_database(str(path))  # the real schema, via the real migrations
    try:
        with database.engine.begin() as connection:  # one transaction: fast, all or nothing
            _insert_all(connection, cards, notes_per_card, today)
    finally:
        database.close()
    with closing(sqlite3.connect(path)) as raw:
        # Self-contained file; never ANALYZEd, like a rep's own database.
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert_all(connection: Connection, cards: int, notes_per_card: int, today: date) -> None:
    rng = random.Random(SEED)
    now = datetime.combine(today, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9)
    card_table: Table = CardRow.__table__  # type: ignore[assignment]
    event_table: Table = StageEventRow.__table__  # type: ignore[assignment]
    touch_table: Table = TouchpointRow.__table__  # type: ignore[assignment]
    note_table: Table = ResearchNoteRow.__table__  # type: ignore[assignment]
    activity_table: Table = ActivityRow.__table__  # type: ignore[assignment]

    stages = _stage_plan(cards)
    positions = dict.fromkeys(STAGES, 0)
    card_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    touch_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    touch_kinds = list(TouchpointKind)
    for card_id, stage in enumerate(stages, start=1):
        created = now - timedelta(days=rng.randint(1, 720), minutes=rng.randint(0, 1439))
        has_action = rng.random() < 0.7
        card_rows.append(
            {
                "id": card_id,
                "name": f"{rng.choice(_FIRST)} {rng.choice(LAST_NAMES)} {card_id}",
                "organisation": f"{rng.choice(_ORG_A)} {rng.choice(_ORG_B)}",
                "email": f"person{card_id}@example.com",
                "phone": "",
                "tags": " ".join(sorted(set(rng.sample(_TAGS, rng.randint(0, 3))))),
                "stage": stage.value,
                "position": positions[stage],
                "owner": OWNER,
                "next_action": rng.choice(_ACTIONS) if has_action else "",
                "next_action_due": today + timedelta(days=rng.randint(-10, 30))
                if has_action
                else None,
                "source": rng.choice(touch_kinds).value,
                "market": rng.choice(list(Market)).value,
                "referred_by_id": None,
                "created_at": created,
                "updated_at": created,
                "archived_at": None,
                "archive_reason": None,
                "archive_note": "",
                "version": 1,
            }
        )
        if has_action:
            # A card's next action is its earliest open activity, as the store keeps it
            # (and as migration 0013 made it for every card): a next action with no
            # activity behind it was taken over by a cadence's step the card was given.
            action = card_rows[-1]
            activity_rows.append(
                {
                    "card_id": card_id,
                    "kind": ActivityKind.TASK,
                    "due": action["next_action_due"],
                    "due_time": None,
                    "text": action["next_action"],
                    "created_at": created,
                    "done_at": None,
                }
            )
        positions[stage] += 1
        # Created as a lead, then moved one stage at a time to where it is now.
        at = created
        event_rows.append(
            {"card_id": card_id, "from_stage": None, "to_stage": "lead", "at": at, "by": OWNER}
        )
        for before, after in itertools.pairwise(STAGES[: stage.order + 1]):
            at = min(now, at + timedelta(days=rng.randint(1, 60)))
            event_rows.append(
                {
                    "card_id": card_id,
                    "from_stage": before.value,
                    "to_stage": after.value,
                    "at": at,
                    "by": OWNER,
                }
            )
        for _ in range(rng.randint(1, 5)):
            touch_rows.append(
                {
                    "card_id": card_id,
                    "kind": rng.choice(touch_kinds).value,
                    "happened_on": (created + timedelta(days=rng.randint(0, 300))).date(),
                    "summary": " ".join(rng.sample(_WORDS, 6)),
                    "created_at": created,
                }
            )
    for table, rows in (
        (card_table, card_rows),
        (event_table, event_rows),
        (touch_table, touch_rows),
        (activity_table, activity_rows),
    ):
        for chunk in _chunks(rows):
            connection.execute(insert(table), chunk)
    for chunk in _chunks(_notes(rng, cards, notes_per_card, now)):
        connection.execute(insert(note_table), chunk)


def _stage_plan(cards: int) -> list[Stage]:
    """Which stage each card id is in, interleaved so ids do not cluster by stage."""
    counts = {stage: int(cards * share) for stage, share in STAGE_SHARE.items()}
    counts[Stage.LEAD] += cards - sum(counts.values())
    plan = [stage for stage, count in counts.items() for _ in range(count)]
    random.Random(SEED + 1).shuffle(plan)
    return plan


def _notes(
    rng: random.Random, cards: int, notes_per_card: int, now: datetime
) -> Iterator[dict[str, Any]]:
    kinds = [kind.value for kind in NoteKind]
    for card_id in range(1, cards + 1):
        for _ in range(notes_per_card):
            written = now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1439))
            words = rng.choices(_WORDS, k=rng.randint(12, 40))
            yield {
                "card_id": card_id,
                "kind": rng.choice(kinds),
                "body": f"**{words[0].capitalize()}**: " + " ".join(words[1:]) + ".",
                "created_at": written,
                "updated_at": written,
            }


def _chunks(rows: Any) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _describe(path: Path, build_s: float | None) -> BuiltDatabase:
    with closing(sqlite3.connect(path)) as raw:

        def count(table: str) -> int:
            return int(raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

        return BuiltDatabase(
            path=path,
            cards=count("card"),
            notes=count("research_note"),
            touchpoints=count("touchpoint"),
            stage_events=count("stage_event"),
            build_s=build_s,
        )
