"""The board driven as a rep drives it: keys in, then the screen and the database checked."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from textual import events
from textual.widgets import Input

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, open_database
from pipeline_tui.store.models import CardRow, StageEventRow
from pipeline_tui.ui import backend, seams
from pipeline_tui.ui.screens.archive import ArchiveScreen
from pipeline_tui.ui.screens.board import CARD_SCREEN, BoardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.widgets.card_list import CARD_HEIGHT, CardList
from tests.conftest import NOW, TODAY
from tests.pilot import (
    _post_key,
    burst,
    focused_card_name,
    look,
    make_app,
    notification_messages,
    poll_until,
    press,
    running,
    screen_text,
    settle,
    tap,
    type_text,
    wait_for,
)


def names(service: PipelineService, stage: Stage) -> list[str]:
    return [card.name for card in service.board()[stage]]


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD, **fields: object) -> int:
    return service.add_card(CardDraft(name=name, **fields), stage).card_id  # type: ignore[arg-type]


@pytest.fixture
def three_leads(service: PipelineService) -> PipelineService:
    # Added in reverse, as new cards go on top: the column reads Ada, Ben, Cy. All pass
    # qualification, so L moves them on at once (tests/test_rules_ui.py covers the rest).
    for name in ("Cy", "Ben", "Ada"):
        qualify(service, add(service, name))
    return service


def qualify(service: PipelineService, card_id: int) -> None:
    yes = CriterionAnswer(Answer.YES)
    service.save_qualification(card_id, dict.fromkeys(service.criteria, yes))


async def test_the_board_is_drawn_whole_once_as_it_opens(service: PipelineService) -> None:
    """Every later frame of the launch draws only what changed: a whole frame is 16 KB
    at 80x24 over the rep's connection."""
    for number in range(30):
        add(service, f"Card {number}", Stage.LEAD if number % 2 else Stage.PROSPECT)
    app = make_app(service)
    frames: list[object] = []
    seams.watch_frames(app, frames.append)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        board = app.screen
        assert isinstance(board, BoardScreen) and board.highlighted is not None
        highlighted = board.highlighted.id
        kept = app.get_screen(CARD_SCREEN)
        assert isinstance(kept, CardScreen)
        # Its frames too: filled ahead, the card screen must draw nothing on the board.
        await wait_for(
            pilot,
            lambda: kept.ready_for(highlighted, TODAY) is not None,
            "the card screen filled ahead with the highlighted card",
        )
        assert "Card 29" in screen_text(app)
    whole = [seams.whole_frame(frame) for frame in frames]
    assert whole.count(True) == 1, whole


async def test_a_form_opens_and_closes_in_one_whole_frame_and_its_fields_redraw_alone(
    service: PipelineService,
) -> None:
    """Opening a form draws it whole once; tab, typing and a hint that stays the same
    redraw the fields, not the whole screen; saving draws the board whole once. Drawn
    whole, a form draws the dimmed board under it again, and sends all of it (16 KB at
    80x24) over the rep's connection."""
    add(service, "Ada", Stage.LEAD)
    async with running(service) as (app, pilot):
        with seams.frames_written(app) as frames:
            await press(pilot, "n")
        assert isinstance(app.screen, CardFormScreen)
        # Opened, it is drawn whole once (it was twice, with the board under it).
        assert [seams.whole_frame(frame) for frame in frames].count(True) == 1
        with seams.frames_written(app) as frames:
            await type_text(pilot, "Kim")
            await press(pilot, "tab")
            await type_text(pilot, "Lee Bakery")
            await press(pilot, "tab", "shift+tab", "shift+tab")
        assert frames, "nothing drawn"
        assert not any(seams.whole_frame(frame) for frame in frames)
        drawn: list[tuple[str, bool]] = []
        stop = seams.watch_frames(
            app, lambda frame: drawn.append((type(app.screen).__name__, seams.whole_frame(frame)))
        )
        await press(pilot, "enter")
        stop()
        assert isinstance(app.screen, BoardScreen)
        # Saved, the board is drawn whole; the form, with the dimmed board under it and
        # the new card in that, was drawn whole a moment before.
        assert ("BoardScreen", True) in drawn
        assert ("CardFormScreen", True) not in drawn, drawn
    kim = service.board()[Stage.LEAD][0]
    assert (kim.name, kim.organisation) == ("Kim", "Lee Bakery")


async def test_empty_board_says_how_to_start(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, _):
        text = screen_text(app)
        assert "Your pipeline is empty" in text
        assert "pipeline-tui --demo" in text
        for label in ("Lead · 0", "Prospect · 0", "Client · 0", "Rep/Ref · 0"):
            assert label in text


async def test_a_paste_of_several_lines_into_a_field_keeps_them_all(
    service: PipelineService,
) -> None:
    # A one-line field kept a paste's first line only ("Kim Lee"), silently.
    async with running(service) as (app, pilot):
        await press(pilot, "n")
        assert isinstance(app.screen, CardFormScreen)
        for text in ("Kim Lee\nLee Bakery\n", " (north)"):
            paste = events.Paste(text)
            paste.set_sender(app)
            app.post_message(paste)
            await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "Kim Lee Lee Bakery (north)"
        await press(pilot, "enter")
    assert names(service, Stage.LEAD) == ["Kim Lee Lee Bakery (north)"]


async def test_an_alt_key_is_read_with_what_has_focus_at_its_turn(
    service: PipelineService,
) -> None:
    # "n", then "Kim", then Option+left (ESC b) in one read: when ESC b arrives the
    # board has focus, but at its turn the form's name field has, where it moves a word
    # back. Read as it arrived, it was escape and b: the form was left.
    async with running(service) as (app, pilot):
        # As the terminal's parser gives them: ESC b is alt+b carrying its "b".
        for key, character in [*((k, k) for k in "nKim"), ("alt+b", "b"), ("x", "x")]:
            event = events.Key(key, character)
            event.set_sender(app)
            app.post_message(event)
        await settle(pilot)
        assert isinstance(app.screen, CardFormScreen)
        assert app.screen.query_one("#name", Input).value == "xKim"


async def test_n_adds_a_card_in_the_focused_column(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "l", "n")
        assert isinstance(app.screen, CardFormScreen)
        await type_text(pilot, "Ada Lovelace")
        await press(pilot, "tab")
        await type_text(pilot, "Analytical Engines")
        await press(pilot, "enter")
        assert not isinstance(app.screen, CardFormScreen)
        assert names(service, Stage.PROSPECT) == ["Ada Lovelace"]
        assert service.board()[Stage.PROSPECT][0].organisation == "Analytical Engines"
        assert focused_card_name(app) == "Ada Lovelace"
        text = screen_text(app)
        assert "Ada Lovelace" in text and "Prospect · 1" in text
        assert "Your pipeline is empty" not in text


@pytest.mark.parametrize("last_field", ["name", "organisation"])
async def test_keys_typed_with_the_enter_that_saves_act_on_the_board(
    three_leads: PipelineService, last_field: str
) -> None:
    """Enter, then keys in the same read (over SSH, a fast typist): the form saves what
    was typed before the enter, and the keys after it act on the board it leaves. They
    went into the field ("Fifth Burstj"), and the L moved the new card."""
    async with running(three_leads) as (_, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Fifth Burst")
        if last_field == "organisation":
            await press(pilot, "tab")
            await type_text(pilot, "Burst Works")
        await burst(pilot, "enter", "j", "L")
        added = three_leads.board()[Stage.LEAD][0]
        assert (added.name, added.organisation) == (
            ("Fifth Burst", "Burst Works") if last_field == "organisation" else ("Fifth Burst", "")
        )
        # j went down to Ada (qualified), and L took her on.
        assert names(three_leads, Stage.PROSPECT) == ["Ada"]
        assert names(three_leads, Stage.LEAD) == ["Fifth Burst", "Ben", "Cy"]


async def test_form_needs_a_name_and_keeps_what_was_typed(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "n", "tab")
        await type_text(pilot, "Acme")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardFormScreen)
        assert "A card needs a name." in screen_text(app)
        assert app.screen.query_one("#organisation").value == "Acme"  # type: ignore[attr-defined]
        assert service.cards() == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        ("today", TODAY),
        ("tomorrow", TODAY + timedelta(days=1)),
        ("fri", date(2026, 11, 27)),
        ("+3d", TODAY + timedelta(days=3)),
    ],
)
async def test_due_dates_as_a_rep_types_them(
    service: PipelineService, typed: str, expected: date
) -> None:
    async with running(service, notifications=True) as (_, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        for _ in range(6):
            await pilot.press("tab")
        await type_text(pilot, typed)
        await press(pilot, "ctrl+s")
        [card] = service.cards()
        assert card.next_action_due == expected


async def test_bad_due_date_is_shown_inline_and_nothing_is_lost(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        for _ in range(5):
            await pilot.press("tab")
        await type_text(pilot, "Send proposal")
        await pilot.press("tab")
        await type_text(pilot, "someday")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardFormScreen)
        assert "'someday' is not a date" in screen_text(app)
        assert service.cards() == []
        assert app.screen.query_one("#next_action").value == "Send proposal"  # type: ignore[attr-defined]
        await pilot.press(*["backspace"] * len("someday"))
        await type_text(pilot, "+2w")
        await press(pilot, "enter")
        [card] = service.cards()
        assert (card.name, card.next_action) == ("Ada", "Send proposal")
        assert card.next_action_due == TODAY + timedelta(days=14)


async def test_escape_asks_before_discarding_typed_text(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Half-typed")
        await press(pilot, "escape")
        assert isinstance(app.screen, ChoiceScreen)
        await press(pilot, "n")  # keep editing
        assert isinstance(app.screen, CardFormScreen)
        assert app.screen.query_one("#name").value == "Half-typed"  # type: ignore[attr-defined]
        await press(pilot, "escape")
        await look(pilot)
        await press(pilot, "y")
        assert not isinstance(app.screen, (CardFormScreen, ChoiceScreen))
        assert service.cards() == []


async def test_escape_on_an_untouched_form_just_closes(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "n", "escape")
        assert not isinstance(app.screen, (CardFormScreen, ChoiceScreen))


async def test_focus_keys_move_between_cards_and_columns(three_leads: PipelineService) -> None:
    add(three_leads, "Pat", Stage.PROSPECT)
    async with running(three_leads, notifications=True) as (app, pilot):
        assert focused_card_name(app) == "Ada"
        await press(pilot, "j")
        assert focused_card_name(app) == "Ben"
        await press(pilot, "down")
        assert focused_card_name(app) == "Cy"
        await press(pilot, "k", "up")
        assert focused_card_name(app) == "Ada"
        await press(pilot, "l")
        assert focused_card_name(app) == "Pat"
        await press(pilot, "h")
        assert focused_card_name(app) == "Ada"
        await press(pilot, "right", "right")
        assert focused_card_name(app) is None  # the empty Client column
        await press(pilot, "left")
        assert focused_card_name(app) == "Pat"


async def test_the_column_borders_follow_the_cursor_and_the_focus(service: PipelineService) -> None:
    for n in range(12):
        add(service, f"Lead {n}")
    add(service, "Pat", Stage.PROSPECT)
    async with running(service) as (app, pilot):
        text = screen_text(app)
        # From the first frame: a long column says where the cursor is in it.
        assert "▸ Lead · 12" in text and "1/12" in text
        await press(pilot, "j")
        assert "2/12" in screen_text(app)
        await press(pilot, "k")
        assert "1/12" in screen_text(app)
        await press(pilot, "j")
        await press(pilot, "l")
        text = screen_text(app)
        assert "▸ Prospect" in text and "▸ Lead" not in text and "Lead · 12" in text
        await press(pilot, "h")
        text = screen_text(app)
        # Back on the card at Pat's height on screen: the first.
        assert "▸ Lead · 12" in text and "▸ Prospect" not in text and "1/12" in text


async def test_L_and_H_move_a_card_and_record_each_move(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "j", "L")
        assert names(three_leads, Stage.LEAD) == ["Ada", "Cy"]
        assert names(three_leads, Stage.PROSPECT) == ["Ben"]
        assert focused_card_name(app) == "Ben"  # focus followed the card
        await press(pilot, "L")
        assert names(three_leads, Stage.CLIENT) == ["Ben"]
        await press(pilot, "H")
        assert names(three_leads, Stage.PROSPECT) == ["Ben"]
        assert focused_card_name(app) == "Ben"
        assert "Prospect · 1" in screen_text(app)
        with three_leads.database.read() as session:
            moves = session.execute(
                select(StageEventRow.from_stage, StageEventRow.to_stage)
                .join(CardRow)
                .where(CardRow.name == "Ben", StageEventRow.from_stage.is_not(None))
                .order_by(StageEventRow.id)
            ).all()
        assert [tuple(m) for m in moves] == [
            ("lead", "prospect"),
            ("prospect", "client"),
            ("client", "prospect"),
        ]


async def test_a_move_is_saved_once_the_frame_that_shows_it_is_written(
    three_leads: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's Python would compete with drawing the move's frame (one thread runs
    Python at a time), so the save starts once that frame is written: while the frame
    is held back, nothing is saved."""
    monkeypatch.setattr(backend, "SHOWN_WAIT_S", 60.0)
    frames_at_save: list[int] = []
    move_card = three_leads.move_card

    def counted(*args: Any, **kwargs: Any) -> object:
        frames_at_save.append(len(frames))
        return move_card(*args, **kwargs)

    async with running(three_leads) as (app, pilot):
        await press(pilot, "j")
        board = app.screen
        assert isinstance(board, BoardScreen)
        ben = board.focused_list.highlighted_id
        monkeypatch.setattr(three_leads, "move_card", counted)
        with seams.frames_written(app) as frames:
            with app.batch_update():  # no frame is drawn inside
                _post_key(app, "L")
                await poll_until(
                    lambda: ben in board.model.ids[Stage.PROSPECT] and not app.backend.idle,
                    "the move shown in the model, its save waiting",
                )
                await asyncio.sleep(0.05)  # a window for a save that does not wait
                assert frames_at_save == [], "saved before the frame that shows it"
            await settle(pilot)
        assert frames_at_save[0] >= 1
        assert names(three_leads, Stage.PROSPECT) == ["Ben"]


async def test_a_key_after_a_move_acts_in_the_column_the_card_went_to(
    three_leads: PipelineService,
) -> None:
    # L focuses the card's new column; Textual tells the board so a few messages later.
    # A key handed on before that message (L, L, q in one write, on a busy machine)
    # acted on the column the card had left: its second move was lost.
    async with running(three_leads) as (app, pilot):
        await press(pilot, "j", "L")  # Ben, a prospect now: L moves him on at once
        board = app.screen
        assert isinstance(board, BoardScreen)
        board.action_move(1)  # no message handled since
        assert board.focused_list.stage is Stage.CLIENT
        assert board.highlighted is not None and board.highlighted.name == "Ben"
        board.action_move(1)
        await settle(pilot)
    assert names(three_leads, Stage.REPEAT) == ["Ben"]
    assert names(three_leads, Stage.PROSPECT) == []  # nothing else moved


async def test_moves_shown_are_saved_even_if_no_frame_comes_or_the_rep_quits_at_once(
    three_leads: PipelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    never = asyncio.Event()
    monkeypatch.setattr(BoardScreen, "_drawn", lambda self, stage: never)
    async with running(three_leads) as (app, pilot):
        await press(pilot, "j", "L")  # no frame comes: saved after SHOWN_WAIT_S
        # Within SHOWN_WAIT_S and the store call, however busy the machine.
        await wait_for(pilot, lambda: names(three_leads, Stage.PROSPECT) == ["Ben"], "the save")
        monkeypatch.setattr(backend, "SHOWN_WAIT_S", 60.0)
        # Two moves and quit: the first waits for its frame, the second for its turn.
        for key in ("L", "L", "q"):
            _post_key(app, key)
        await poll_until(lambda: not app.is_running, "the app to end")
        # The process ends once every task is done (asyncio.run); here the test's loop
        # goes on, and the writes are waited for.
        await poll_until(lambda: names(three_leads, Stage.REPEAT) == ["Ben"], "both moves saved")


async def test_moving_past_either_end_changes_nothing(service: PipelineService) -> None:
    add(service, "Rita", Stage.REPEAT)
    add(service, "Lee", Stage.LEAD)
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "H")
        assert names(service, Stage.LEAD) == ["Lee"]
        await press(pilot, "l", "l", "l", "L")
        assert names(service, Stage.REPEAT) == ["Rita"]
        assert "Already in the last stage." in screen_text(app)


async def test_J_and_K_reorder_within_the_column(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "J")
        assert names(three_leads, Stage.LEAD) == ["Ben", "Ada", "Cy"]
        assert focused_card_name(app) == "Ada"
        await press(pilot, "J")
        assert names(three_leads, Stage.LEAD) == ["Ben", "Cy", "Ada"]
        await press(pilot, "J")  # already last
        assert names(three_leads, Stage.LEAD) == ["Ben", "Cy", "Ada"]
        await press(pilot, "K", "K")
        assert names(three_leads, Stage.LEAD) == ["Ada", "Ben", "Cy"]


async def test_J_and_K_in_a_view_that_hides_cards_move_nothing_and_say_why(
    three_leads: PipelineService,
) -> None:
    # Filtered to Ada, J swapped her with Ben, who was not shown: nothing seemed to
    # move, and the column's order had changed.
    async with running(three_leads, notifications=True) as (app, pilot):
        await burst(pilot, "slash", *"Ada", "enter")
        await press(pilot, "J")
        assert names(three_leads, Stage.LEAD) == ["Ada", "Ben", "Cy"]
        assert "escape clears the filter first" in screen_text(app)
        await press(pilot, "escape", "J")
        assert names(three_leads, Stage.LEAD) == ["Ben", "Ada", "Cy"]


async def test_e_edits_the_card(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "j", "e")
        assert isinstance(app.screen, CardFormScreen)
        assert app.screen.query_one("#name").value == "Ben"  # type: ignore[attr-defined]
        await press(pilot, "tab")
        await type_text(pilot, "Ben's Bikes")
        await press(pilot, "enter")
        assert three_leads.board()[Stage.LEAD][1].organisation == "Ben's Bikes"
        assert focused_card_name(app) == "Ben"
        assert "Ben's Bikes" in screen_text(app)


async def test_enter_opens_the_card_and_escape_comes_back(three_leads: PipelineService) -> None:
    async with running(three_leads, (160, 45), notifications=True) as (app, pilot):
        await press(pilot, "j", "enter")
        assert isinstance(app.screen, CardScreen)
        text = screen_text(app)
        assert "Ben" in text and "Stage history" in text and "Added as Lead" in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, CardScreen)
        assert focused_card_name(app) == "Ben"


async def test_a_archives_with_a_reason(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "a")
        assert isinstance(app.screen, ArchiveScreen)
        await press(pilot, "down", "enter")  # Lost
        assert names(three_leads, Stage.LEAD) == ["Ben", "Cy"]
        with three_leads.database.read() as session:
            row = session.scalars(select(CardRow).where(CardRow.name == "Ada")).one()
            assert row.archive_reason == ArchiveReason.LOST.value
            assert row.archived_at is not None
        assert "Lead · 2" in screen_text(app)


async def test_archive_other_needs_a_note(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "a", "end", "enter")
        assert isinstance(app.screen, ArchiveScreen)
        assert "Say why" in screen_text(app)
        # The note has focus now, and the keys shown say so: tab goes back to the
        # reasons (it said "tab note", and the note's letters then picked reasons).
        assert "type the note" in screen_text(app) and "tab note" not in screen_text(app)
        await type_text(pilot, "moved abroad")
        await press(pilot, "enter")
        assert names(three_leads, Stage.LEAD) == ["Ben", "Cy"]
        [archived] = three_leads.archived()
        assert (archived.reason, archived.note) == (ArchiveReason.OTHER, "moved abroad")


async def test_ctrl_s_archives_as_it_saves_every_other_dialog(
    three_leads: PipelineService,
) -> None:
    """ctrl+s did nothing in the archive dialog: a rep who typed the note and pressed it
    was left looking at a dialog that seemed saved."""
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "a", "down", "tab")
        await type_text(pilot, "went with the cheaper quote")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ArchiveScreen)
        [archived] = three_leads.archived()
        assert (archived.reason, archived.note) == (
            ArchiveReason.LOST,
            "went with the cheaper quote",
        )


async def test_a_key_typed_with_the_enter_that_archives_acts_on_the_board(
    three_leads: PipelineService,
) -> None:
    # The note "moved abroad", enter, j in one read: archived with that note (not
    # "moved abroadj"), and the j moves down the board.
    async with running(three_leads) as (app, pilot):
        await press(pilot, "a", "end", "tab")
        await type_text(pilot, "moved abroad")
        await burst(pilot, "enter", "j")
        [archived] = three_leads.archived()
        assert (archived.name, archived.note) == ("Ada", "moved abroad")
        assert focused_card_name(app) == "Cy"


@pytest.mark.parametrize("key", ["j", "l"])
async def test_a_key_typed_with_the_enter_on_the_reasons_acts_on_the_board(
    three_leads: PipelineService, key: str
) -> None:
    """ "a", enter and a key in one read: the key went to the reasons while the archive
    was on its way, so "j" (down) or "l" (Lost) changed the reason it was archived for,
    and the board never saw it. Archived as Won, and the key moves on the board."""
    async with running(three_leads) as (app, pilot):
        await burst(pilot, "a", "enter", key, dialog=True)
        await wait_for(pilot, three_leads.archived, "Ada archived", dialog=True)
        await settle(pilot)
        assert not isinstance(app.screen, ArchiveScreen)
        [archived] = three_leads.archived()
        assert (archived.name, archived.reason) == ("Ada", ArchiveReason.WON)
        moved = {"j": "Cy", "l": None}[key]  # l: on to the empty Prospect column
        assert focused_card_name(app) == moved


async def test_the_note_typed_with_the_enter_that_asks_for_one_goes_into_the_note(
    three_leads: PipelineService,
) -> None:
    """Enter on "Other" asks for a note and moves to it: the letters typed with that
    enter went to the reasons (picking some) instead of into the note."""
    async with running(three_leads) as (app, pilot):
        await tap(pilot, "a")
        assert isinstance(app.screen, ArchiveScreen)
        await burst(pilot, "end", "enter", *"moved abroad", "enter", dialog=True)
        await wait_for(pilot, three_leads.archived, "Ada archived", dialog=True)
        [archived] = three_leads.archived()
        assert (archived.name, archived.reason, archived.note) == (
            "Ada",
            ArchiveReason.OTHER,
            "moved abroad",
        )


async def test_u_undoes_several_changes_including_archive(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "j", "L")  # Ben to Prospect
        await press(pilot, "h", "J")  # Ada below Cy
        await press(pilot, "a", "enter")  # archive Ada (Won)
        assert names(three_leads, Stage.LEAD) == ["Cy"]
        await press(pilot, "u")
        assert names(three_leads, Stage.LEAD) == ["Cy", "Ada"]
        assert "Undid: Archived Ada" in screen_text(app)
        await press(pilot, "u")
        assert names(three_leads, Stage.LEAD) == ["Ada", "Cy"]
        await press(pilot, "u")
        assert names(three_leads, Stage.LEAD) == ["Ada", "Ben", "Cy"]
        assert names(three_leads, Stage.PROSPECT) == []
        assert focused_card_name(app) == "Ben"
        await press(pilot, "u")
        assert "Nothing to undo." in screen_text(app)


async def test_undoing_a_restore_leaves_the_highlight_on_the_same_card(
    service: PipelineService,
) -> None:
    """The restored card goes back to the archive from the top of the column: the cards
    under it move up a place, and the highlight moves with the one the rep was on (it
    stayed at its place, on the next card, and a key then acted on that one)."""
    names_top_first = [f"Lead {n}" for n in range(6)]
    for name in reversed(names_top_first):
        add(service, name)
    gone = add(service, "Sofia")
    service.archive_card(gone, ArchiveReason.WON)
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "A", "r", "escape")
        assert focused_card_name(app) == "Sofia"  # restored to the top of Lead
        await press(pilot, "j", "j", "j")
        assert focused_card_name(app) == "Lead 2"
        await press(pilot, "u")
        assert [c.name for c in service.archived()] == ["Sofia"]
        assert focused_card_name(app) == "Lead 2"
        await press(pilot, "J")  # moves the card highlighted, down a place
    assert names(service, Stage.LEAD)[2:4] == ["Lead 3", "Lead 2"]


async def test_undo_of_a_new_card_removes_it(service: PipelineService) -> None:
    async with running(service, notifications=True) as (_, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Oops")
        await press(pilot, "enter", "u")
        assert service.cards() == []


async def test_a_new_card_like_one_already_there_is_added_and_said(
    service: PipelineService,
) -> None:
    """The command line refuses a likely duplicate (same email, or same name and
    organisation, archived cards too) without --force; the board added it without a
    word. It adds it, as the rep asked, says which card it looks like, and u takes
    the new one back."""
    amara = service.add_card(
        CardDraft(name="Amara [b]Okafor[/b]", organisation="Okafor Dental"), Stage.PROSPECT
    ).card_id
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "amara [b]okafor[/b]")
        await press(pilot, "tab")
        await type_text(pilot, "Okafor dental")
        await press(pilot, "enter")
        assert len(service.cards()) == 2
        await wait_for(pilot, lambda: notification_messages(app), "a warning")
        assert notification_messages(app) == [
            "Already there?: Added amara [b]okafor[/b], but Amara [b]Okafor[/b] "
            f"(card {amara}, Prospect) has the same name and organisation: "
            "u takes the new card back."
        ]
        await press(pilot, "u")
        assert [card.id for card in service.cards()] == [amara]

        # Someone of the same name at no firm (or another) is no one's double.
        await press(pilot, "n")
        await type_text(pilot, "amara [b]okafor[/b]")
        await press(pilot, "enter")
        assert len(service.cards()) == 2
        assert len(notification_messages(app)) == 2  # the warning, then the undo's toast


async def test_question_mark_shows_every_board_key(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)  # all of it at once, at 80x24 too
        for words in (
            "Qualification checklist",
            "Show only my cards",
            "Show only stale cards",
            "Archived cards",
            "Move the card back",
            "next stage",
            "up its column",
            "New card",
            "Edit the card",
            "Open the card",
            "Archive the card",
            "Undo",
            "Quit",
        ):
            assert words in text
        await press(pilot, "escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_q_quits(service: PipelineService) -> None:
    async with running(service, notifications=True) as (app, pilot):
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running, "the app to end")


async def test_overdue_and_due_today_are_marked_not_only_coloured(service: PipelineService) -> None:
    add(service, "Late", next_action="Call", next_action_due=TODAY - timedelta(days=2))
    add(service, "Now", next_action="Email", next_action_due=TODAY)
    async with running(service, notifications=True) as (app, _):
        text = screen_text(app)
        assert "!2d late" in text
        assert "today" in text
        assert "1 overdue" in text


async def test_the_headers_overdue_count_follows_a_next_action_set_or_done(
    service: PipelineService,
) -> None:
    # f with a due day gone by made the card "!1d late" and left the header at its
    # count from before, as did marking an overdue action done (the stand-up knew).
    add(service, "Late", next_action="Call", next_action_due=TODAY - timedelta(days=2))
    add(service, "Fine", next_action="Email", next_action_due=TODAY + timedelta(days=3))
    async with running(service, notifications=True) as (app, pilot):
        assert "1 overdue" in str(app.screen.sub_title)
        assert focused_card_name(app) == "Fine"  # the newest, on top
        await tap(pilot, "f")
        await burst(pilot, "tab", "ctrl+u", *"yesterday", "enter")
        assert "!1d late" in screen_text(app)
        assert "2 overdue" in str(app.screen.sub_title)
        await tap(pilot, "f")
        await burst(pilot, "tab", "ctrl+u", *"+5d", "enter")
        assert "1 overdue" in str(app.screen.sub_title)


HOSTILE_NAMES = [
    "[@click=app.quit]x[/]",
    "[bold red]y",
    "[ @click=app.quit]z[/]",
    "[B]loud[/B]",
]


async def test_user_text_is_shown_literally_and_never_acts(service: PipelineService) -> None:
    for name in HOSTILE_NAMES:
        add(service, name)
    add(service, "Esc\x1b[2Jape\x07 me")
    async with running(service, (160, 45), notifications=True) as (app, pilot):
        text = screen_text(app)
        for name in HOSTILE_NAMES:
            assert name in text
        assert "Escape me" in text and "\x1b" not in text and "\x07" not in text
        for index in range(len(HOSTILE_NAMES) + 1):  # click every card: a second click opens it
            for _ in range(2):
                if not isinstance(app.screen, CardScreen):
                    await pilot.click("#cards-lead", offset=(3, index * CARD_HEIGHT))
                    await settle(pilot)
            assert isinstance(app.screen, CardScreen)
            await press(pilot, "escape")
        await press(pilot, "enter")
        assert app.is_running
        assert isinstance(app.screen, CardScreen)


async def test_a_restart_shows_the_same_board(db_path: object) -> None:
    database = open_database(str(db_path))
    first = PipelineService(database, "sam", clock=lambda: NOW)
    async with running(first, notifications=True) as (app, pilot):
        await press(pilot, "n")
        await type_text(pilot, "Ada")
        await press(pilot, "enter", "n")
        await type_text(pilot, "Ben")
        await press(pilot, "enter")
        await tap(pilot, "L")  # Ben is not qualified yet: the checklist comes first
        await tap(pilot, "y", "y", "y", "y", "ctrl+s")
        await settle(pilot)
        await pilot.press("q")
    database.close()

    reopened = open_database(str(db_path))
    second = PipelineService(reopened, "sam", clock=lambda: NOW)
    async with running(second, notifications=True) as (app, pilot):
        text = screen_text(app)
        assert "Lead · 1" in text and "Prospect · 1" in text
        assert names(second, Stage.LEAD) == ["Ada"]
        assert names(second, Stage.PROSPECT) == ["Ben"]
    reopened.close()


async def test_every_board_action_is_in_the_command_palette(three_leads: PipelineService) -> None:
    async with running(three_leads, notifications=True) as (app, pilot):
        await press(pilot, "ctrl+p")
        await type_text(pilot, "next stage")
        await settle(pilot)  # the palette's search, a worker
        await press(pilot, "enter")
        assert names(three_leads, Stage.PROSPECT) == ["Ada"]
        assert focused_card_name(app) == "Ada"


async def test_an_empty_column_says_why_it_is_empty(service: PipelineService) -> None:
    service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD)
    # 80x24: the narrowest board, where a longer hint would be cut off.
    async with running(service) as (app, pilot):
        assert screen_text(app).count("No cards yet.") == 3  # prospect, client, repeat

        await press(pilot, "slash")
        await type_text(pilot, "Ada")
        await settle(pilot)
        shown = screen_text(app)
        assert "No cards yet." not in shown, "the cards are there; the filter hides them"
        assert shown.count("No card matches.") == 3

        await press(pilot, "escape", "S")
        shown = screen_text(app)
        assert "No cards yet." not in shown
        assert shown.count("Nothing stale.") == 4

        await press(pilot, "S", "m")
        assert screen_text(app).count("None of yours.") == 3  # Ada is the rep's own


async def test_a_filter_typed_in_one_burst_loses_no_key(service: PipelineService) -> None:
    # Over SSH a whole "/okafor" can arrive in one packet: the keys after "/" are
    # already queued when it is handled, and none may go to the board (k moves up).
    service.add_card(CardDraft(name="Hana Okafor", organisation="Harbour"), Stage.LEAD)
    service.add_card(CardDraft(name="Ben", organisation="Bikes"), Stage.LEAD)
    async with running(service, (120, 30)) as (app, pilot):
        for key in ("slash", *"okafor"):
            event = events.Key(key, "/" if key == "slash" else key)
            event.set_sender(app)
            app.post_message(event)
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "okafor"
        shown = screen_text(app)
        assert "Hana Okafor" in shown and "Ben" not in shown
        # The footer's row says what it is and how the whole board comes back.
        bottom = shown.splitlines()[-1]
        assert bottom.startswith(" / okafor") and bottom.rstrip().endswith("esc clears")

        await press(pilot, "slash")  # in the filter, "/" is text
        assert app.screen.query_one("#filter", Input).value == "okafor/"
        await press(pilot, "backspace", "enter")  # back to the cards, the filter kept
        assert screen_text(app).splitlines()[-1] == bottom


async def test_a_key_typed_with_the_enter_that_ends_a_filter_acts_on_the_card(
    service: PipelineService,
) -> None:
    # "/priya", enter, "a" in one read: the a archives the card found, not "priyaa".
    service.add_card(CardDraft(name="Priya Kowalski"), Stage.LEAD)
    service.add_card(CardDraft(name="Ben Ames"), Stage.LEAD)
    async with running(service, (120, 30)) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "priya")
        await burst(pilot, "enter", "a")
        assert isinstance(app.screen, ArchiveScreen)
        assert "Priya Kowalski" in screen_text(app)
        await press(pilot, "escape")
        assert app.screen.query_one("#filter", Input).value == "priya"


async def test_a_key_typed_with_the_enter_acts_in_the_column_the_filter_found(
    service: PipelineService,
) -> None:
    # The lead column has no "priya": enter goes to the prospect column, and the "a"
    # typed with it archives the card there. The board took that column as the rep's
    # only when the focus event came up to it, and the "a" handed on before found no
    # card in the empty lead column: nothing happened.
    service.add_card(CardDraft(name="Ben Ames"), Stage.LEAD)
    service.add_card(CardDraft(name="Priya Kowalski"), Stage.PROSPECT)
    async with running(service, (120, 30)) as (app, pilot):
        await burst(pilot, "slash", *"priya", "enter", "a", dialog=True)
        assert isinstance(app.screen, ArchiveScreen)
        assert "Priya Kowalski" in screen_text(app)


@pytest.mark.parametrize(
    ("down", "highlighted"),
    [(1, "Carol Reyes"), (2, "Carol Reyes")],
    ids=["its card matches", "its card is filtered out"],
)
async def test_a_filter_keeps_the_highlight_on_its_card_or_goes_to_the_first_match(
    service: PipelineService, down: int, highlighted: str
) -> None:
    # The column: Bob (bikes), Carol (bakery), Dan (dental), Alice and Eve (bakeries).
    # Kept at its index, the cursor landed on whichever match came there: from Carol,
    # "bak" highlighted Alice (and enter opened her card); from Dan, Eve.
    for name, organisation in [
        ("Eve Stone", "Stone Bakery"),
        ("Alice Adams", "Adams Bakery"),
        ("Dan Diaz", "Diaz Dental"),
        ("Carol Reyes", "Reyes Bakery"),
        ("Bob Berg", "Berg Bikes"),
    ]:
        add(service, name, organisation=organisation)
    async with running(service, (120, 30)) as (app, pilot):
        await press(pilot, *["j"] * down, "slash")
        await type_text(pilot, "bak")
        await settle(pilot)
        await press(pilot, "enter")
        assert focused_card_name(app) == highlighted


async def test_slash_again_starts_a_new_filter(service: PipelineService) -> None:
    # As in less or vim: "/" from the board replaces the last search, in one burst too.
    service.add_card(CardDraft(name="Hana Okafor", organisation="Harbour"), Stage.LEAD)
    service.add_card(CardDraft(name="Ben", organisation="Bikes"), Stage.LEAD)
    async with running(service, (120, 30)) as (app, pilot):
        await press(pilot, "slash", *"okafor", "enter")  # back on the board, still filtered
        assert "Ben" not in screen_text(app)
        for key in ("slash", *"ben"):
            event = events.Key(key, "/" if key == "slash" else key)
            event.set_sender(app)
            app.post_message(event)
        await settle(pilot)
        assert app.screen.query_one("#filter", Input).value == "ben"
        shown = screen_text(app)
        assert "Ben" in shown and "Hana Okafor" not in shown


async def test_the_highlighted_card_stays_in_view_when_the_terminal_is_resized(
    service: PipelineService,
) -> None:
    # The 8th of 10 prospects highlighted at 80x24; the terminal grown, then shrunk back:
    # the list had kept the scroll the larger terminal clamped it to, so the card the
    # header counted (8/10), and that L or H would move, was off screen until k.
    add(service, "Lena Lead")
    for number in range(10, 0, -1):
        add(service, f"Prospect {number:02}", Stage.PROSPECT)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "l", *"jjjjjjj")
        assert focused_card_name(app) == "Prospect 08"
        assert "Prospect 08" in screen_text(app)
        for size in ((160, 45), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert focused_card_name(app) == "Prospect 08"
            assert "Prospect 08" in screen_text(app), size


async def test_a_column_always_starts_with_a_cards_first_line(service: PipelineService) -> None:
    """At a height that is no whole number of cards (80x25), scrolling down, a resize
    by a line and back, and the last card: the column's top line is always a card's
    name, never the middle of the card above."""
    for number in range(12, 0, -1):
        add(service, f"Lead {number:02}")

    def top_line() -> str:
        return screen_text(app).splitlines()[2]  # under the header and the border

    async with running(service, (80, 25)) as (app, pilot):
        await press(pilot, *"jjjj")
        assert focused_card_name(app) == "Lead 05"
        assert "Lead 02" in top_line(), top_line()
        for size in ((80, 24), (80, 23), (80, 24)):
            await pilot.resize_terminal(*size)
            await settle(pilot)
            assert focused_card_name(app) == "Lead 05"
            assert "Lead 0" in top_line(), (size, top_line())
        await press(pilot, "G")
        assert "Lead 12" in screen_text(app)
        assert "Lead 0" in top_line() or "Lead 1" in top_line(), top_line()
        await press(pilot, "k")
        assert "Lead " in top_line(), top_line()
        # The wheel moves a card a notch (Textual's own two lines cut a card in half).
        await press(pilot, "g")
        lead = app.screen.query_one("#cards-lead", CardList)
        for event in (events.MouseScrollDown, events.MouseScrollDown, events.MouseScrollUp):
            lead.post_message(event(lead, 2, 2, 0, 1, 0, False, False, False))
            await settle(pilot)
            assert lead.scroll_offset.y % CARD_HEIGHT == 0, lead.scroll_offset
        assert lead.scroll_offset.y == CARD_HEIGHT and "Lead 02" in top_line(), top_line()


@pytest.mark.parametrize("typed", ["bob@@bad", "x@@y"])
async def test_e_refuses_an_email_with_two_ats(three_leads: PipelineService, typed: str) -> None:
    async with running(three_leads) as (app, pilot):
        await press(pilot, "e", "tab", "tab")  # Ada's form, on to its Email field
        assert app.screen.focused is app.screen.query_one("#email")
        await type_text(pilot, typed)
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CardFormScreen)
        assert f"{typed!r} does not look like an email address" in screen_text(app)
        assert [three_leads.card(c.id).email for c in three_leads.cards()] == [""] * 3


async def test_a_card_form_says_every_field_that_is_wrong_at_once(service: PipelineService) -> None:
    """No name, an email with two ats, a day that is no day: each save said one of them,
    so the rep fixed one and saved to hear of the next. All three are said at once, and
    the cursor goes to the first."""
    async with running(service, (100, 40)) as (app, pilot):
        await press(pilot, "n", "tab", "tab")  # on to Email
        await type_text(pilot, "bob@@bad")
        await press(pilot, *["tab"] * 4)  # phone, tags, next action, due
        assert app.screen.focused is app.screen.query_one("#due")
        await type_text(pilot, "blursday")
        await press(pilot, "ctrl+s")
        form = app.screen
        assert isinstance(form, CardFormScreen)
        shown = screen_text(app)
        assert "A card needs a name." in shown
        assert "'bob@@bad' does not look like an email address" in shown
        wrong = [
            k for k in ("name", "email", "due") if form.query_one(f"#{k}-hint").has_class("-error")
        ]
        assert wrong == ["name", "email", "due"]
        assert form.focused is form.query_one("#name")
        await type_text(pilot, "Ada")
        await press(pilot, "ctrl+s")
        assert form.focused is form.query_one("#email")
        assert not form.query_one("#name-hint").has_class("-error")
        assert service.cards() == []


async def test_no_next_action_is_said_whole_in_a_narrow_column(service: PipelineService) -> None:
    """At 60 columns a column's 12 cells cut it to "no next act", with no ellipsis."""
    add(service, "Ada")
    async with running(service, (60, 20)) as (app, _pilot):
        shown = screen_text(app)
        assert "no action" in shown and "no next act" not in shown, shown
    async with running(service, (80, 24)) as (app, _pilot):
        assert "no next action" in screen_text(app)


async def test_the_filter_asks_again_after_the_reps_own_change_to_a_card(
    service: PipelineService,
) -> None:
    """`/soil`, then `f` replacing Hana's step "Send the soil report": nothing matched
    "soil" any more and Hana stayed under the filter (as did a card whose matching note
    was deleted on its own screen) until the filter was typed again."""
    service.add_card(CardDraft(name="Hana Ito", next_action="Send the soil report"), Stage.LEAD)
    service.add_card(CardDraft(name="Ben Ames", next_action="Call"), Stage.LEAD)
    gus = service.add_card(CardDraft(name="Gus Hale"), Stage.LEAD).card_id
    service.add_note(gus, NoteKind.PROBLEM, "Fuel costs up")
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "soil")
        await press(pilot, "enter")
        assert "Hana Ito" in screen_text(app) and "Ben Ames" not in screen_text(app)
        await burst(pilot, "f", *"Ship samples", "enter")
        assert app.screen.query_one("#filter", Input).value == "soil"
        assert "Hana Ito" not in screen_text(app)
        await press(pilot, "escape", "slash")
        await type_text(pilot, "fuel")
        await press(pilot, "enter")
        assert "Gus Hale" in screen_text(app)
        await press(pilot, "enter", "2")
        await tap(pilot, "d")
        await press(pilot, "escape")
        assert "Gus Hale" not in screen_text(app)


async def test_a_card_added_under_the_filter_that_hides_it_says_so(
    service: PipelineService,
) -> None:
    """`/cho`, then a new card that does not match: it was saved and shown nowhere,
    the column's count the only sign, and the rep added it again."""
    service.add_card(CardDraft(name="Cho Park"), Stage.LEAD)
    async with running(service, (80, 24), notifications=True) as (app, pilot):
        await press(pilot, "slash")
        await type_text(pilot, "cho")
        await press(pilot, "enter")
        await tap(pilot, "n")
        await type_text(pilot, "Zoe Mint")
        await press(pilot, "enter")
        assert isinstance(app.screen, BoardScreen)
        assert "Zoe Mint" not in screen_text(app)
        assert any("the filter hides the card" in m for m in notification_messages(app))
    assert "Zoe Mint" in names(service, Stage.LEAD)
