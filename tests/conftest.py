"""Shared fixtures: every test gets private XDG folders, UTC, and a fixed "today"."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from pipeline_tui.store import Database, PipelineService, open_database

# A Monday, so week-boundary logic gets exercised by default.
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Never touch the real user's config or data; make times and colours reproducible."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("PIPELINE_TUI_DB", raising=False)
    monkeypatch.delenv("PIPELINE_TUI_CONFIG", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    time.tzset()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "pipeline.db"


@pytest.fixture
def database(db_path: Path) -> Iterator[Database]:
    db = open_database(str(db_path))
    yield db
    db.close()


@pytest.fixture
def service(database: Database) -> PipelineService:
    return PipelineService(database, user="sam", clock=lambda: NOW)
