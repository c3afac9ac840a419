"""A card's value on screen: typed in the card form, summed in the column titles."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey
from pipeline_tui.domain.money import Currency, Grouping
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.widgets.stage_column import column_title
from tests.conftest import NOW
from tests.pilot import make_app, press, running, screen_text, settle, type_text


def add(service: PipelineService, name: str, value: str | None, stage: Stage = Stage.LEAD) -> int:
    draft = CardDraft(name=name, value=Decimal(value) if value is not None else None)
    return service.add_card(draft, stage).card_id


def to_value() -> tuple[str, ...]:
    """Tabs from the name to the value field (past organisation ... due)."""
    return ("tab",) * 7


async def test_a_new_card_takes_a_value_and_close_date_as_typed(
    service: PipelineService,
) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "12.5k")
        assert "€12,500" in screen_text(app)  # the value as it will be saved
        await press(pilot, "tab")
        await type_text(pilot, "2026-12-31")
        assert "Expected to close" in screen_text(app)
        await press(pilot, "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CardFormScreen)
        (card,) = service.board()[Stage.LEAD]
        assert (card.value, card.expected_close) == (Decimal("12500"), date(2026, 12, 31))
        assert "€12.5k" in screen_text(app).splitlines()[1]  # the Lead column's title


async def test_a_value_that_is_not_an_amount_is_refused_in_the_form(
    service: PipelineService,
) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "lots")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardFormScreen)
        assert "'lots' is not an amount" in screen_text(app)
        assert app.screen.focused is app.screen.inputs["value"]
        assert service.board()[Stage.LEAD] == []


async def test_editing_a_value_saves_it_and_the_column_total_follows(
    service: PipelineService,
) -> None:
    add(service, "Ada", "1000")
    add(service, "Ben", "500")
    english = make_app(service, currency=Currency("EUR", Grouping(",", ".")))
    async with running(english) as (app, pilot):
        assert "€1.5k" in screen_text(app).splitlines()[1]
        await press(pilot, "e", *to_value())
        app.screen.inputs["value"].value = ""  # type: ignore[attr-defined]
        await type_text(pilot, "2,000")
        await press(pilot, "enter")
        await settle(pilot)
        values = {card.name: card.value for card in service.board()[Stage.LEAD]}
        assert values == {"Ada": Decimal("1000"), "Ben": Decimal("2000")}
        assert "€3k" in screen_text(app).splitlines()[1]


async def test_a_small_column_total_is_shown_to_the_cent(service: PipelineService) -> None:
    add(service, "Ada", "1")
    add(service, "Ben", "0.50")
    add(service, "Cy", "0.40", Stage.PROSPECT)
    async with running(service, (120, 30)) as (app, pilot):
        titles = screen_text(app).splitlines()[1]
        # Not "€2" for one and a half euros, nor "€0" for forty cents.
        assert "Lead · 2 · €1.50" in titles, titles
        assert "Prospect · 1 · €0.40" in titles, titles
        await press(pilot, "l", "L")  # Cy on to Client: the total goes with him
        titles = screen_text(app).splitlines()[1]
        assert "Prospect · 0 " in titles and "Client · 1 · €0.40" in titles, titles


async def test_an_amount_that_could_be_a_thousand_times_off_is_refused_in_the_form(
    service: PipelineService,
) -> None:
    # An app whose locale does not say which mark is the decimal one.
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "12.500")
        # The hint under the field says why, before the rep saves.
        assert "'12.500' could be 12500 or 12.50; type 12500 or 12.50" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, CardFormScreen)
        assert app.screen.focused is app.screen.inputs["value"]
        assert service.board()[Stage.LEAD] == []
        app.screen.inputs["value"].value = ""
        await type_text(pilot, "12500")
        await press(pilot, "enter")
        await settle(pilot)
        (card,) = service.board()[Stage.LEAD]
        assert card.value == Decimal("12500")


async def test_a_german_locale_reads_a_dot_before_three_digits_as_thousands(
    service: PipelineService,
) -> None:
    german = make_app(service, currency=Currency("EUR", Grouping(".", ",")))
    async with running(german) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "12.500")
        assert "€12.500" in screen_text(app)  # the value as it will be saved
        await press(pilot, "enter")
        await settle(pilot)
        (card,) = service.board()[Stage.LEAD]
        assert card.value == Decimal("12500")


async def test_the_value_is_kept_in_the_form_draft(service: PipelineService) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "900")
        app.flush_drafts()
    draft = service.draft(DraftKey.new_card())
    assert draft is not None and draft.get("value") == "900"


async def test_values_are_shown_in_the_configured_currency(service: PipelineService) -> None:
    add(service, "Ada", "1250000", Stage.CLIENT)
    app = make_app(service, currency=Currency("USD", Grouping(".", ",")))
    async with running(app, size=(160, 45)) as (_, pilot):
        await settle(pilot)
        assert "Client · 1 · $1,3M" in screen_text(app)


async def test_a_move_carries_the_value_to_the_next_column(service: PipelineService) -> None:
    add(service, "Ada", "4000", Stage.PROSPECT)
    async with running(service, size=(160, 45)) as (app, pilot):
        await press(pilot, "l", "L")
        titles = screen_text(app).splitlines()[1]
        assert "Client · 1 · €4k" in titles and "Prospect · 0 ·" not in titles


@pytest.mark.parametrize(
    ("room", "title"),
    [
        (30, "Prospect · 12 · €48.5k"),
        (18, "Prospect·12·€48.5k"),
        (16, "Prospect · 12"),
        (12, "Prospect·12"),
        (7, "Pros·12"),
    ],
)
def test_the_value_is_dropped_before_the_stage_name_is_cut(room: int, title: str) -> None:
    assert column_title(Stage.PROSPECT, 12, None, False, room, "€48.5k") == title


def test_a_column_without_values_shows_no_total() -> None:
    assert column_title(Stage.LEAD, 3, None, False, 30, "") == "Lead · 3"
    # Not counted yet (the board is being read): the name alone, never a made-up 0.
    assert column_title(Stage.PROSPECT, None, None, True, 30, "") == "▸ Prospect"
    assert column_title(Stage.PROSPECT, None, None, False, 6, "") == "Pros"


SnapCompare = Callable[..., bool]
BOARD_SIZES = [
    pytest.param((60, 20), id="60x20"),
    pytest.param((80, 24), id="80x24"),
    pytest.param((160, 45), id="160x45"),
]


def valued_board() -> PipelineService:
    service = PipelineService(open_database("sqlite://"), user="sam", clock=lambda: NOW)
    for name, value, stage in (
        ("Ada Lovelace", "12500", Stage.LEAD),
        ("Ben Hollis", "4000", Stage.LEAD),
        ("Cleo Marsh", None, Stage.LEAD),
        ("Dev Patel", "48500", Stage.PROSPECT),
        ("Eve Stone", "120000", Stage.CLIENT),
        ("Finn Grey", "950", Stage.REPEAT),
    ):
        add(service, name, value, stage)
    return service


@pytest.mark.parametrize("size", BOARD_SIZES)
def test_board_with_values(snap_compare: SnapCompare, size: tuple[int, int]) -> None:
    async def ready(pilot: Any) -> None:
        await settle(pilot)

    assert snap_compare(make_app(valued_board()), terminal_size=size, run_before=ready)


async def test_the_card_screen_says_what_the_deal_is_worth(service: PipelineService) -> None:
    ada = add(service, "Ada", "12500")
    service.set_value(ada, Decimal("12500"), date(2026, 12, 31), keep_close=False)
    async with running(service) as (app, pilot):
        await press(pilot, "enter")
        shown = screen_text(app)
        # At the top, in view without scrolling at 80x24, and among the details.
        assert "worth €12,500, closing 31 Dec 2026" in shown
        await press(pilot, "1")
        assert "Value   €12,500, closing 31 Dec 2026" in screen_text(app)


@pytest.mark.parametrize("typed", ["USD 5", "$5", "CHF 100"])
async def test_a_value_in_another_currency_is_refused_in_the_form(
    service: PipelineService, typed: str
) -> None:
    # The app's currency is EUR: five dollars are not five euros.
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, typed)
        text = screen_text(app)
        assert f"{typed!r} is not in EUR" in text  # the hint, before the rep saves
        assert "€5" not in text and "€100" not in text
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CardFormScreen)
        assert app.screen.focused is app.screen.inputs["value"]
        assert service.board()[Stage.LEAD] == []


async def test_a_value_in_the_configured_currency_is_saved(service: PipelineService) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, *to_value())
        await type_text(pilot, "5 EUR")
        assert "€5" in screen_text(app)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, CardFormScreen)
        (card,) = service.board()[Stage.LEAD]
        assert card.value == Decimal("5")
