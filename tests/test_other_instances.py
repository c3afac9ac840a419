"""Another app instance (another rep's SSH session) changes the board: it shows here
within a few seconds, without a keypress."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.ui import seams
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from tests.conftest import NOW
from tests.pilot import (
    make_app,
    notification_messages,
    press,
    running,
    screen_text,
    settle,
    type_text,
    wait_for,
)

MOVE_IN_ANOTHER_PROCESS = """
import sys
from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
database = open_database(sys.argv[1])
service = PipelineService(database, "ana")
[card] = service.cards(Stage.LEAD)
service.move_card(card.id, Stage.PROSPECT)
service.add_card(CardDraft(name="Added by Ana"), Stage.CLIENT)
database.close()
"""


async def test_moves_by_another_process_appear_without_a_keypress(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.5)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada"), Stage.LEAD)
    async with running(service) as (app, pilot):
        assert "Lead · 1" in screen_text(app)
        # At once, before the board's first poll: that poll must already see a change.
        subprocess.run(
            [sys.executable, "-c", MOVE_IN_ANOTHER_PROCESS, str(db_path)], check=True, timeout=60
        )
        await wait_for(
            pilot,
            lambda: "Prospect · 1" in screen_text(app) and "Added by Ana" in screen_text(app),
            "the other process's changes, by the poll alone (no key is pressed)",
            timeout=5,
        )
        text = screen_text(app)
        assert "Lead · 0" in text and "Prospect · 1" in text
        assert "Added by Ana" in text
    database.close()


async def test_f_on_a_card_another_instance_archived_says_so_and_how_to_restore_it(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It said "Cad Test is no longer on the board.", where `t` says it is archived."""
    from pipeline_tui.domain.kinds import ArchiveReason

    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 3600)  # the board has not seen it go
    card = service.add_card(CardDraft(name="Cad Test"), Stage.LEAD).card_id
    other = PipelineService(service.database, "ana", clock=lambda: NOW)
    async with running(service) as (app, pilot):
        assert "Cad Test" in screen_text(app)
        other.archive_card(card, ArchiveReason.LOST)

        await press(pilot, "f")

        assert isinstance(app.screen, BoardScreen)
        assert "Cad Test is archived; restore it first." in notification_messages(app)
        assert not any("no longer on the board" in m for m in notification_messages(app))


async def test_a_card_another_instance_archived_is_never_edited_here(
    service: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its edit was saved onto the archived card, with no word, and the card stayed
    archived under the new name."""
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 3600)  # the board has not seen it go
    rosa = service.add_card(CardDraft(name="Rosa Petrov"), Stage.LEAD).card_id
    other = PipelineService(service.database, "ana", clock=lambda: NOW)
    async with running(service, notifications=True) as (app, pilot):
        # Archived before `e`: no form opens, and the board says where the card went.
        other.archive_card(rosa, ArchiveReason.WON)
        await press(pilot, "e")
        assert isinstance(app.screen, BoardScreen)
        assert "Rosa Petrov was archived meanwhile; A shows the archive." in (
            notification_messages(app)
        )
        assert "Lead · 0" in screen_text(app)  # and read again without it
    other.restore_card(rosa)
    async with running(service, notifications=True) as (app, pilot):
        # Archived while its form is open: the save is refused, and says why.
        await press(pilot, "e")
        assert "Edit Rosa Petrov" in screen_text(app)
        other.archive_card(rosa, ArchiveReason.WON)
        await type_text(pilot, " EDITED")
        await press(pilot, "ctrl+s")
        assert "Rosa Petrov is archived; restore it first." in screen_text(app)
    assert service.card(rosa).summary.name == "Rosa Petrov"
    assert service.card(rosa).archived_at is not None


def count_polls(service: PipelineService, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """From now on, each time a screen of the app asks the store whether the board
    clock moved (each poll that looks): the clock it was told."""
    polls: list[int] = []
    change_marker = service.change_marker

    def counted() -> int:
        polls.append(change_marker())
        return polls[-1]

    monkeypatch.setattr(service, "change_marker", counted)
    return polls


def test_the_change_marker_sees_every_kind_of_change(service: PipelineService) -> None:
    from pipeline_tui.domain.kinds import ArchiveReason, NoteKind

    ada = service.add_card(CardDraft(name="Ada"), Stage.LEAD).card_id
    ben = service.add_card(CardDraft(name="Ben"), Stage.LEAD).card_id
    seen = {service.change_marker()}
    steps: list[Callable[[], object]] = [
        lambda: service.reorder_card(ben, 1),  # a swap keeps count and versions
        lambda: service.move_card(ada, Stage.PROSPECT),
        lambda: service.update_card(ada, CardDraft(name="Adaline"), service.card(ada).version),
        lambda: service.add_note(ada, NoteKind.GOAL, "A second shop"),  # no longer stale
        lambda: service.archive_card(ben, ArchiveReason.LOST),
    ]
    for step in steps:
        step()
        marker = service.change_marker()
        assert marker not in seen
        seen.add(marker)


async def test_the_board_is_read_again_for_another_reps_change_not_for_its_own(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    for name in ("Cy", "Ben", "Ada"):  # each on top: Ada, Ben, Cy
        service.add_card(CardDraft(name=name), Stage.PROSPECT)
    reads: list[object] = []
    board_view = service.board_view

    def counted_board_view(*args: object, **kwargs: object) -> object:
        reads.append(args)
        return board_view(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(service, "board_view", counted_board_view)
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(reads) == 1
        polls = count_polls(service, monkeypatch)
        for key in ("l", "L", "h", "L", "J"):  # moves and a reorder, each saved
            await pilot.press(key)
            await settle(pilot)
        # A window of several polls, none of which may read the board again.
        polls.clear()
        await wait_for(pilot, lambda: len(polls) >= 8, "several polls")
        assert len(reads) == 1, "the board was read again after its own changes"
        assert [card.name for card in service.cards(Stage.CLIENT)] == ["Ada", "Ben"]

        other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
        other.add_card(CardDraft(name="Added by Ana"), Stage.CLIENT)
        other.close()
        await wait_for(pilot, lambda: "Added by Ana" in screen_text(app), "Ana's card on the board")
        assert len(reads) == 2
    database.close()


async def test_an_open_card_is_not_drawn_again_while_the_board_behind_it_changes(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The board behind an open card took in another rep's change and then had the card
    screen drawn whole, at each message it handled: a card open at 160x45 was written
    two more times for nothing, and the rep's next key waited behind those frames."""
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada"), Stage.LEAD)
    async with running(service, (160, 45)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        board = app.screen_stack[-2]
        assert isinstance(board, BoardScreen)
        with seams.frames_written(app) as frames:
            other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
            other.add_card(CardDraft(name="Added by Ana"), Stage.CLIENT)
            other.close()
            await wait_for(
                pilot,
                lambda: "Added by Ana" in "\n".join(seams.screen_lines(board)),
                "the board behind the card to take in Ana's card",
            )
            # A window for the board's later polls and idles, which must draw nothing.
            for _ in range(5):
                await pilot.pause(0.1)
        assert frames == [], f"the card screen was written {len(frames)} times for the board"
        await press(pilot, "escape")
        assert "Added by Ana" in screen_text(app)
        assert "Client · 1" in screen_text(app)
    database.close()


async def test_the_filter_takes_in_another_reps_matches_and_lets_go_of_lost_ones(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rep keeps "kofi" typed in the filter during a stand-up while another rep adds
    # a Kofi and renames one: the filtered board shows both changes, with no key
    # pressed, and the rep's next keys still go into the filter.
    monkeypatch.setattr(BoardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    for name in ("Kofi Boateng", "Ama Owusu", "Kofi Annan"):
        service.add_card(CardDraft(name=name), Stage.LEAD)
    boateng = service.cards(Stage.LEAD)[2]
    async with running(service) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "kofi")
        text = screen_text(app)
        assert "Kofi Annan" in text and "Kofi Boateng" in text and "Ama Owusu" not in text

        other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
        other.add_card(CardDraft(name="Kofi Mensah"), Stage.PROSPECT)
        other.add_card(CardDraft(name="Efua Mensah"), Stage.PROSPECT)
        other.update_card(boateng.id, CardDraft(name="Kwame Boateng"), boateng.version)
        other.close()
        await wait_for(
            pilot,
            lambda: "Kofi Mensah" in screen_text(app) and "Boateng" not in screen_text(app),
            "the filter to show Ana's new Kofi and let go of the one she renamed",
            timeout=5,
        )
        text = screen_text(app)
        assert "Kofi Annan" in text
        assert "Efua Mensah" not in text and "Ama Owusu" not in text
        assert app.focused is not None and app.focused.id == "filter"
        await type_text(pilot, " a")
        assert app.screen.query_one("#filter").value == "kofi a"  # type: ignore[attr-defined]
        assert "Kofi Annan" in screen_text(app) and "Kofi Mensah" not in screen_text(app)
    database.close()


async def test_an_open_card_shows_what_another_session_changed_on_it(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rep reading a card while another rep moved it on kept seeing the old stage, and
    # after it was archived elsewhere, a card that no longer was on the board.
    monkeypatch.setattr(CardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Uma Krishnan"), Stage.PROSPECT)
    [uma] = service.cards(Stage.PROSPECT)
    other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
    try:
        async with running(service, (120, 40)) as (app, pilot):
            await press(pilot, "l", "enter")
            assert isinstance(app.screen, CardScreen)
            assert f"Prospect · card {uma.id}" in str(app.screen.sub_title)

            other.move_card(uma.id, Stage.CLIENT)
            await wait_for(
                pilot,
                lambda: f"Client · card {uma.id}" in str(app.screen.sub_title),
                "the move made elsewhere, with no key pressed",
            )
            other.add_note(uma.id, NoteKind.PROBLEM, "Ana's [bold]note[/bold]")
            await wait_for(
                pilot, lambda: "Ana's [bold]note[/bold]" in screen_text(app), "the new note"
            )

            other.archive_card(uma.id, ArchiveReason.LOST)
            await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen), "back to the board")
            assert any(
                "Uma Krishnan was archived elsewhere" in said for said in notification_messages(app)
            )
    finally:
        other.close()
        database.close()


async def test_an_open_card_is_not_drawn_again_for_changes_to_other_cards(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    service.add_card(CardDraft(name="Ada"), Stage.LEAD)
    other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
    try:
        async with running(service, (120, 40)) as (app, pilot):
            await press(pilot, "enter")
            card_screen = app.screen
            assert isinstance(card_screen, CardScreen)
            shown = card_screen.card
            polls = count_polls(service, monkeypatch)
            with seams.frames_written(app) as frames:
                other.add_card(CardDraft(name="Added by Ana"), Stage.CLIENT)
                anas = other.change_marker()
                # A window of several polls that see Ana's change, none of which may draw.
                await wait_for(
                    pilot,
                    lambda: sum(clock >= anas for clock in polls) >= 5,
                    "five polls seeing Ana's change",
                )
            assert frames == [] and card_screen.card is shown
    finally:
        other.close()
        database.close()


@pytest.mark.parametrize("keys", [("n", "g"), ("e",)], ids=["note", "card form"])
async def test_a_card_archived_elsewhere_leaves_an_editor_open_on_it_alone(
    db_path: Path, monkeypatch: pytest.MonkeyPatch, keys: tuple[str, ...]
) -> None:
    # The card screen under the editor saw the archive, closed itself and the editor
    # over it with one pop, and stayed on screen closed: the text typed vanished, and
    # escape then ended the app with a traceback (InvalidStateError).
    monkeypatch.setattr(CardScreen, "POLL_SECONDS", 0.1)
    database = open_database(str(db_path))
    service = PipelineService(database, "sam", clock=lambda: NOW)
    uma = service.add_card(CardDraft(name="Uma Krishnan"), Stage.LEAD).card_id
    other = PipelineService(open_database(str(db_path)), "ana", clock=lambda: NOW)
    try:
        async with running(service, (120, 40)) as (app, pilot):
            await press(pilot, "enter", *keys)
            editor = app.screen
            assert not isinstance(editor, (CardScreen, BoardScreen))
            await type_text(pilot, " Pays late")
            other.archive_card(uma, ArchiveReason.LOST)
            card_screen = app.screen_stack[-2]
            assert isinstance(card_screen, CardScreen)
            # A window of polls of the card screen under the editor, which must leave
            # the editor alone (they ask the store nothing to wait for).
            for _ in range(5):
                await pilot.pause(0.1)
            await settle(pilot)
            assert app.screen is editor and "Pays late" in screen_text(app)
            await press(pilot, "escape")
            await settle(pilot)
            assert app.is_running
    finally:
        other.close()
        database.close()
