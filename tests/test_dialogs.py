"""Dialogs as a rep on any terminal uses them: the chosen option marked with a symbol (it
reads without colour), a letter jumps to an option, tabbing into a field keeps its text;
and the archive, whose cards open read-only and restore with `r`."""

from __future__ import annotations

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.widgets.form_input import FormInput
from tests.pilot import press, running, type_text


def marked(app_text: str) -> list[str]:
    """The options shown with the chosen option's mark, as the rep reads them."""
    return [
        line.split("▶ ", 1)[1].strip(" ▎▊█▌▐┃│") for line in app_text.splitlines() if "▶ " in line
    ]


@pytest.fixture
def ada(service: PipelineService) -> int:
    service.add_card(CardDraft(name="Ben", organisation="Bikes"), Stage.LEAD)
    return service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD).card_id


# Tabbing into a field --------------------------------------------------------------------


async def test_tabbing_into_a_field_keeps_its_text_and_typing_adds_to_it(
    service: PipelineService, ada: int
) -> None:
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "enter", "t", "enter")  # a call; on to what happened
        await type_text(pilot, "Called")
        await press(pilot, "shift+tab", "shift+tab", "tab", "tab")  # away and back again
        field = app.focused
        assert isinstance(field, FormInput) and field.id == "summary"
        assert field.selection.is_empty and field.cursor_position == len("Called")
        await type_text(pilot, " back")
        await press(pilot, "shift+tab")
        when = app.focused
        assert isinstance(when, FormInput) and when.selection.is_empty
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    [touchpoint] = service.card(ada).touchpoints
    assert touchpoint.summary == "Called back"
