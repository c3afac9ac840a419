"""Money in the stand-up: the weighted forecast, the money overdue and stale, and what
was won, in the maths, the store, the shell's three formats and on screen."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason
from pipeline_tui.domain.money import Currency
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.standup import (
    StandupCard,
    StandupData,
    WonDeal,
    build_standup,
)
from pipeline_tui.standup_report import as_markdown, as_text
from pipeline_tui.store import Database, PipelineService, open_database
from pipeline_tui.ui.screens.standup import StandupScreen
from tests.conftest import NOW, TODAY
from tests.pilot import make_app, press, running, screen_text, settle
from tests.standup_data import seed_team
from tests.test_cli import run as run_cli

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 45), id="160x45")]
SnapCompare = Callable[..., bool]

VALUES = {
    "Ann": "20000",  # prospect, overdue
    "Ben": "5000",  # lead, due today
    "Cleo": "3000",  # lead, stale
    "Dev": "40000",  # client, overdue
    "Eve": "8000",  # repeat, stale
    "Finn": "12500",  # prospect, stale
}


def seed_with_money(database: Database) -> PipelineService:
    """The team pipeline with values, and a deal won this morning."""
    ids = seed_team(database)
    service = PipelineService(database, "sam", clock=lambda: NOW)
    for name, value in VALUES.items():
        service.set_value(ids[name], Decimal(value))
    won = service.add_card(CardDraft(name="Jo Reyes", value=Decimal("15000")), Stage.CLIENT)
    service.archive_card(won.card_id, ArchiveReason.WON)
    return service


# The maths -------------------------------------------------------------------------------


def card(card_id: int, stage: Stage, value: str | None, due: date | None = None) -> StandupCard:
    return StandupCard(
        id=card_id,
        name=f"Card {card_id}",
        organisation="",
        stage=stage,
        owner="sam",
        created_at=datetime(2026, 11, 22, tzinfo=UTC),
        next_action_due=due,
        value=Decimal(value) if value is not None else None,
    )


def test_the_forecast_weighs_each_value_by_its_stage_and_counts_what_is_late() -> None:
    cards = (
        card(1, Stage.LEAD, "1000", due=date(2026, 11, 1)),
        card(2, Stage.CLIENT, "2000"),
        card(3, Stage.PROSPECT, None, due=date(2026, 11, 1)),
    )
    won = (
        WonDeal(9, "Won today", "sam", NOW, Decimal("700")),
        WonDeal(8, "Won last month", "sam", datetime(2026, 10, 1, tzinfo=UTC), Decimal("900")),
    )
    data = StandupData(cards=cards, events=(), events_from=date(2026, 10, 1), won=won)
    standup = build_standup(data, TODAY, probabilities={Stage.LEAD: Decimal("0.5")})
    money = standup.money
    assert money.pipeline == Decimal("3000")
    assert money.forecast == Decimal("500")  # the client's weight is 0 here
    assert money.overdue == Decimal("1000")
    assert money.won == Decimal("700")  # only since the last working day
    assert money.valued == 2


def test_a_pipeline_without_values_has_nothing_to_say_about_money() -> None:
    data = StandupData(cards=(card(1, Stage.LEAD, None),), events=(), events_from=date(2026, 11, 1))
    standup = build_standup(data, TODAY, since=TODAY)
    assert not standup.money.any
    assert "MONEY" not in as_text(standup)
    assert "## Money" not in as_markdown(standup)


# The store -------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_the_team_standup_adds_up_the_money(database: Database) -> None:
    service = seed_with_money(database)
    money = service.standup(TODAY).money
    assert money.pipeline == Decimal("88500")
    # 20000*0.3 + 5000*0.1 + 3000*0.1 + 40000*0.9 + 8000*0.5 + 12500*0.3
    assert money.forecast == Decimal("50550")
    assert money.overdue == Decimal("60000")  # Ann and Dev
    assert money.stale == Decimal("23500")  # Eve, Cleo and Finn
    assert money.won == Decimal("15000")
    mine = service.standup(TODAY, owner="ana").money
    assert (mine.pipeline, mine.won) == (Decimal("57500"), Decimal("0"))


# The shell -------------------------------------------------------------------------------


@pytest.fixture
def money_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db_path = tmp_path / "money.db"
    database = open_database(str(db_path))
    seed_with_money(database)
    database.close()
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    return db_path


def test_the_shell_standup_shows_the_money(
    capsys: pytest.CaptureFixture[str], money_db: Path
) -> None:
    code, out, err = run_cli(capsys, "standup", "--db", str(money_db))
    assert (code, err) == (0, "")
    assert "MONEY" in out
    assert "Forecast €50,550 of €88,500 on 6 cards with a value" in out
    assert "At risk: €60,000 overdue, €23,500 stale" in out
    assert "Won since Fri 20: €15,000" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    _, markdown, _ = run_cli(capsys, "standup", "--db", str(money_db), "--format", "markdown")
    assert "## Money" in markdown and "- Forecast €50,550" in markdown


@pytest.mark.parametrize(
    ("value", "line"),
    [
        # A tenth of a lead's 12,505 is 1,250.50: large, so whole units for both.
        ("12505", "Forecast €1,251 of €12,505 on 1 card with a value"),
        # A tenth of 2,505 is 250.50: small, so cents for both.
        ("2505", "Forecast €250.50 of €2,505.00 on 1 card with a value"),
    ],
)
def test_the_forecast_line_shows_both_figures_at_one_precision(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    value: str,
    line: str,
) -> None:
    db_path = tmp_path / "forecast.db"
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada", value=Decimal(value)), Stage.LEAD)
    database.close()
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())
    for form, expected in (("text", line), ("markdown", f"- {line}")):
        code, out, _ = run_cli(capsys, "standup", "--db", str(db_path), "--format", form)
        assert code == 0 and expected in out.splitlines(), out


async def test_the_standup_screen_shows_the_forecast_at_one_precision(
    service: PipelineService,
) -> None:
    service.add_card(CardDraft(name="Ada", value=Decimal("2505")), Stage.LEAD)
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        text = screen_text(app)
        # A tenth of 2,505: not "€250.50 of €2,505", cents beside whole units.
        assert "Forecast €250.50 of €2,505.00 on 1 card with a value" in text
        assert "At risk: €0 overdue, €0 stale" in text


def test_the_json_adds_the_money_and_keeps_version_1(
    capsys: pytest.CaptureFixture[str], money_db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[money]\ncurrency = "USD"\n[stages]\nprobability = {client = 1.0}\n')
    code, out, _ = run_cli(
        capsys, "--config", str(config), "standup", "--db", str(money_db), "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["version"] == 1
    assert data["money"] == {
        "currency": "USD",
        "pipeline": 88500.0,
        "forecast": 54550.0,  # the client's 40000 now counts whole
        "overdue": 60000.0,
        "stale": 23500.0,
        "won": 15000.0,
        "cards_with_value": 6,
        "probabilities": {"lead": 0.1, "prospect": 0.3, "client": 1.0, "repeat": 0.5},
    }
    ann = next(c for c in data["overdue"] if c["name"] == "Ann Okafor")
    assert (ann["value"], ann["expected_close"]) == (20000.0, None)


# The screen ------------------------------------------------------------------------------


async def test_the_standup_screen_shows_the_forecast_and_the_money_at_risk(
    database: Database,
) -> None:
    service = seed_with_money(database)
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        text = screen_text(app)
        for expected in (
            "forecast €50.6k",  # in the header, beside the counts
            "OVERDUE · 2 · €60,000",
            "STALE · 3 · €23,500",
            "MONEY · weighted by stage",
            "Forecast €50,550 of €88,500 on 6 cards with a value",
            "Won since Fri 20: €15,000",
        ):
            assert expected in text, expected


async def test_the_standup_screen_uses_the_configured_currency(database: Database) -> None:
    service = seed_with_money(database)
    app = make_app(service, currency=Currency("GBP"))
    async with running(app, (160, 45)) as (_, pilot):
        await press(pilot, "s")
        assert "OVERDUE · 2 · £60,000" in screen_text(app)


def money_in_memory() -> PipelineService:
    return seed_with_money(open_database("sqlite://"))


async def _open_standup(pilot: Any) -> None:
    await settle(pilot)
    await pilot.press("s")
    await settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_standup_screen_with_money(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    app = make_app(money_in_memory())
    assert snap_compare(app, terminal_size=size, run_before=_open_standup)


@pytest.mark.parametrize("width", [100, 119])
async def test_between_100_and_119_columns_the_money_is_after_the_cards_alone(
    database: Database, width: int
) -> None:
    """Below 120 columns the figures go after the cards and their panel is hidden.
    From 100 columns the app's breakpoint took the panel's hiding class away: an empty
    panel squeezed the list."""
    service = seed_with_money(database)
    async with running(service, (width, 40)) as (app, pilot):
        await press(pilot, "s")
        side = app.screen.query_one("#side")
        assert not side.region, f"the empty figures panel takes {side.region}"
        await press(pilot, "G")
        assert "MONEY · weighted by stage" in screen_text(app)


async def test_on_a_narrow_terminal_the_money_is_after_the_cards(database: Database) -> None:
    service = seed_with_money(database)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "s")
        top = screen_text(app)
        assert "forecast €50.6k" in top and "OVERDUE · 2 · €60,000" in top
        await press(pilot, "G")
        end = screen_text(app)
        for expected in (
            "MONEY · weighted by stage",
            "Forecast €50,550 of €88,500 on 6 cards with a value",
            "At risk: €60,000 overdue, €23,500 stale",
            "Won since Fri 20: €15,000",
        ):
            assert expected in end, expected
