"""How the board's columns are drawn: the card lists hand Textual their own lines, and
typing in the filter repaints the cards without laying out the screen. What the rep
sees must be exactly what Textual's own drawing would show."""

from __future__ import annotations

from datetime import timedelta

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.widgets.card_list import CardList
from tests.conftest import TODAY
from tests.pilot import press, running, screen_text, type_text


def a_varied_board(service: PipelineService) -> None:
    """Cards that use every kind of line a list draws: overdue, due today and later,
    no next action (italic), a long action cut short, tags, an empty column."""
    drafts = [
        CardDraft(name="Hana Okafor", organisation="Harbour", tags=("vip",)),
        CardDraft(name="Ben Ito", next_action="Call back", next_action_due=TODAY),
        CardDraft(
            name="Cara Lund",
            next_action="Send the proposal with the revised pricing and the case study",
            next_action_due=TODAY - timedelta(days=3),
        ),
        CardDraft(name="Dev Rao", next_action="Demo", next_action_due=TODAY + timedelta(9)),
    ]
    for draft in drafts:
        service.add_card(draft, Stage.LEAD)
    service.add_card(CardDraft(name="Eve Moss", organisation="Moss & Co"), Stage.PROSPECT)
    service.add_card(CardDraft(name="Finn Bay"), Stage.CLIENT)


def lines(strips: list[Strip]) -> list[list[tuple[str, object]]]:
    return [[(segment.text, segment.style) for segment in strip] for strip in strips]


def textual_lines(card_list: CardList, crop: Region) -> list[list[tuple[str, object]]]:
    """The lines as Textual's own drawing makes them (through the widget's styles)."""
    return lines(Widget.render_lines(card_list, crop))


async def test_each_list_line_is_what_textual_draws(service: PipelineService) -> None:
    a_varied_board(service)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "j")  # the cursor on a card below the first
        card_lists = list(app.screen.query(CardList))
        assert len(card_lists) == 4
        for card_list in card_lists:
            width, height = card_list.size
            # The list draws its own lines here: the comparison below means something.
            assert card_list._drawn_plainly()
            for crop in (Region(0, 0, width, height), Region(2, 3, width - 5, 4)):
                assert lines(card_list.render_lines(crop)) == textual_lines(card_list, crop)
        assert "Hana Okafor" in screen_text(app)


async def test_a_styled_list_is_drawn_by_textual(service: PipelineService) -> None:
    # A theme or the rep's CSS may tint the lists: Textual then draws them its way.
    a_varied_board(service)
    async with running(service, (80, 24)) as (app, pilot):
        card_list = app.screen.query_one("#cards-lead", CardList)
        crop = Region(0, 0, *card_list.size)
        plain = lines(card_list.render_lines(crop))
        card_list.styles.tint = "red 40%"
        await pilot.pause()
        assert not card_list._drawn_plainly()
        tinted = lines(card_list.render_lines(crop))
        assert tinted == textual_lines(card_list, crop)
        assert tinted != plain


async def test_typing_in_the_filter_lays_out_nothing(service: PipelineService) -> None:
    # Each key typed repaints the field and the cards it filters; a layout of the whole
    # screen on top of that was a millisecond of every letter.
    a_varied_board(service)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "slash")  # the field replaces the footer: that is a layout
        layouts: list[object] = []
        app.screen.screen_layout_refresh_signal.subscribe(app.screen, layouts.append)
        await type_text(pilot, "ok")
        await pilot.pause()
        shown = screen_text(app)
        assert "Hana Okafor" in shown and "Ben Ito" not in shown
        assert layouts == []


async def test_a_filter_longer_than_its_field_shows_its_end(service: PipelineService) -> None:
    # The field scrolls with the cursor without a layout: what was typed last shows.
    a_varied_board(service)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "slash")
        words = " ".join(f"word{n}" for n in range(20)) + " okafor"
        await type_text(pilot, words)
        field = app.screen.query_one("#filter", Input)
        assert field.value == words
        assert field.scroll_x > 0
        assert "okafor" in screen_text(app).splitlines()[-1]


async def test_a_step_with_a_day_and_no_words_says_so(service: PipelineService) -> None:
    # As every other screen says it; the board drew a bare arrow.
    service.add_card(CardDraft(name="Gil Roy", next_action_due=TODAY + timedelta(2)))
    async with running(service, (120, 30)) as (app, _):
        assert "→ (no description)" in screen_text(app)
