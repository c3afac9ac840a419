"""The command palette (ctrl+p) finds cards and what is written on them first, commands
after, and enter opens what was found: a note's card at that note."""

from __future__ import annotations

from textual.command import Command, CommandList, CommandPalette
from textual.content import Content
from textual.pilot import Pilot

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.seams import screen_lines
from pipeline_tui.ui.widgets.note_list import NoteList
from tests.conftest import TODAY
from tests.pilot import burst, press, running, screen_text, settle, type_text, wait_for
from tests.test_snapshots import demo_service


def listed(app: PipelineApp) -> list[str]:
    """The palette's options, top first, as plain text."""
    assert isinstance(app.screen, CommandPalette)
    options = app.screen.query_one(CommandList)
    return [
        f"{option.hit.text} | {_plain(option.prompt)}"
        for index in range(options.option_count)
        if isinstance(option := options.get_option_at_index(index), Command)
    ]


def _plain(prompt: object) -> str:
    assert isinstance(prompt, Content)
    return prompt.plain


async def _search(app: PipelineApp, pilot: Pilot[None], query: str, expect: str) -> list[str]:
    await press(pilot, "ctrl+p")
    await type_text(pilot, query)
    await wait_for(
        pilot,
        lambda: any(expect in option for option in listed(app)),
        f"the palette to list {expect!r}",
    )
    return listed(app)


async def test_a_card_comes_before_the_commands_its_name_also_matches() -> None:
    async with running(demo_service()) as (app, pilot):
        options = await _search(app, pilot, "lars", "Lars Nyström")
        assert options[0].startswith("Lars Nyström |")
        # The commands that "lars" fuzzy-matches are still offered, below the card.
        assert any("Key:" in option for option in options[1:])
        first_command = next(i for i, option in enumerate(options) if "Key:" in option)
        assert all("Key:" in option for option in options[first_command:])


async def test_enter_on_a_note_opens_its_card_at_that_note() -> None:
    async with running(demo_service()) as (app, pilot):
        options = await _search(app, pilot, "fuel", "Fuel costs")
        assert "Problem note: Fuel costs up 18%" in options[0]
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        note = app.screen.query_one(NoteList).highlighted_note
        assert note is not None and note.body.startswith("Fuel costs up 18%")


async def test_a_note_opened_from_the_palette_is_in_sight_in_a_long_list(
    service: PipelineService,
) -> None:
    """At 80x24 the card's notes list shows about eight rows: an earlier note opened
    from the palette was highlighted a row below them, out of sight."""
    card = service.add_card(CardDraft("Ada"), Stage.LEAD).card_id
    service.add_note(card, NoteKind.PROBLEM, "Fuel costs up 18%")
    for kind in NoteKind:
        for n in range(2):
            service.add_note(card, kind, f"{kind.label} {n}")
    async with running(service) as (app, pilot):
        await _search(app, pilot, "fuel", "Fuel costs")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        notes = app.screen.query_one(NoteList)
        note = notes.highlighted_note
        assert note is not None and note.body == "Fuel costs up 18%"
        region = notes.content_region
        rows = screen_lines(app.screen)[region.y : region.bottom]
        assert any("Fuel costs" in row[region.x : region.right] for row in rows), rows


async def test_the_note_opened_stays_in_sight_when_the_terminal_shrinks(
    service: PipelineService,
) -> None:
    """Opened at 120x50, where every row shows, the note stays in sight at 80x24: the
    list keeps its highlighted row in view whenever it is made shorter, as it is when
    the card's sections fill in above it as the card opens (the test above)."""
    card = service.add_card(CardDraft("Ada"), Stage.LEAD).card_id
    service.add_note(card, NoteKind.PROBLEM, "Fuel costs up 18%")
    for kind in NoteKind:
        for n in range(2):
            service.add_note(card, kind, f"{kind.label} {n}")

    def rows_shown(notes: NoteList) -> list[str]:
        region = notes.content_region
        lines = screen_lines(app.screen)[region.y : region.bottom]
        return [line[region.x : region.right] for line in lines]

    async with running(service, size=(120, 50)) as (app, pilot):
        await _search(app, pilot, "fuel", "Fuel costs")
        await press(pilot, "enter")
        notes = app.screen.query_one(NoteList)
        assert any("Fuel costs" in row for row in rows_shown(notes))
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        rows = rows_shown(notes)
        assert len(rows) < 2 * len(NoteKind) + 1  # the list no longer shows every row
        assert any("Fuel costs" in row for row in rows), rows


async def test_next_actions_touchpoints_and_emails_are_found(service: PipelineService) -> None:
    ada = service.add_card(
        CardDraft("Ada", email="ada@brightbakery.example", next_action="Send the proposal"),
        Stage.LEAD,
    ).card_id
    ben = service.add_card(CardDraft("Ben"), Stage.LEAD).card_id
    service.add_touchpoint(ben, TouchpointKind.EVENT, TODAY, "Met at the booth")
    async with running(service) as (app, pilot):
        assert (await _search(app, pilot, "proposal", "Ada"))[0] == (
            "Ada | Ada  Next action: Send the proposal\nOpen the card"
        )
        await press(pilot, "escape")
        assert (await _search(app, pilot, "booth", "Ben"))[0].startswith(
            "Ben | Ben  Touchpoint: Met at the booth"
        )
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen) and app.screen.card_id == ben
        await press(pilot, "escape")
        assert (await _search(app, pilot, "brightbakery", "Ada"))[0].startswith("Ada | Ada")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen) and app.screen.card_id == ada


async def test_enter_typed_with_the_last_letters_opens_what_they_find(
    service: PipelineService,
) -> None:
    """ "Kofi", then " Okafor" and enter in one read: enter waits for the results of
    what is typed (it opened the top card found for "Kofi", another card), and works
    in one burst from an empty palette too (it closed the palette, opening nothing)."""
    service.add_card(CardDraft("Kofi Moreau"), Stage.LEAD)
    service.add_card(CardDraft("Kofi Okafor"), Stage.PROSPECT)
    async with running(service) as (app, pilot):
        await _search(app, pilot, "kofi", "Kofi Moreau")
        await burst(pilot, *" okafor", "enter")
        assert isinstance(app.screen, CardScreen)
        assert "Kofi Okafor" in screen_text(app)
        await press(pilot, "escape")
        await burst(pilot, "ctrl+p", *"kofi okafor", "enter")
        assert isinstance(app.screen, CardScreen)
        assert "Kofi Okafor" in screen_text(app)


async def test_a_key_typed_with_enter_acts_on_the_card_it_opens(
    service: PipelineService,
) -> None:
    """ctrl+p, a name, enter and `t` in one read: the `t` logs a touchpoint on the card
    found (it went into the palette's query, and was lost when the palette closed)."""
    service.add_card(CardDraft("Kofi Moreau"), Stage.LEAD)
    okafor = service.add_card(CardDraft("Kofi Okafor"), Stage.PROSPECT).card_id
    async with running(service) as (app, pilot):
        await burst(pilot, "ctrl+p", *"kofi okafor", "enter", "t")
        await wait_for(
            pilot,
            lambda: type(app.screen).__name__ == "TouchpointScreen",
            "the touchpoint dialog to open",
        )
        card_screen = app.screen_stack[-2]
        assert isinstance(card_screen, CardScreen) and card_screen.card_id == okafor


async def test_every_command_the_palette_offers_has_a_name() -> None:
    """With nothing typed the palette lists every command of the screen. A key with no
    name (the dialogs' enter, kept out of the footer) was listed as a blank line with
    "Key: ⏎" under it, first and highlighted, on the board and the card screen."""
    async with running(demo_service()) as (app, pilot):
        for screen in ("board", "card"):
            if screen == "card":
                await press(pilot, "enter")
                await wait_for(pilot, lambda: isinstance(app.screen, CardScreen), "the card")
            await press(pilot, "ctrl+p")
            await wait_for(pilot, lambda: len(listed(app)) > 3, "the commands listed")
            nameless = [option for option in listed(app) if not option.split(" | ")[0].strip()]
            assert nameless == [], screen
            await press(pilot, "escape")
