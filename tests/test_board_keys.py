"""Every board key means something on the board, the footer at 80 columns names the most
used ones and the palette's, and `?` shows them all at once."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey, Editor
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import Database, PipelineService
from pipeline_tui.store.models import TouchpointRow
from pipeline_tui.store.read_model import BoardView
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.board import BoardScreen
from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import NOW, TODAY
from tests.pilot import (
    _post_key,
    burst,
    focused_card_name,
    look,
    notification_messages,
    paste,
    press,
    running,
    screen_text,
    settle,
    tap,
    type_text,
    wait_for,
)
from tests.test_snapshots import demo_service


def add(service: PipelineService, name: str, stage: Stage = Stage.LEAD, **fields: object) -> int:
    return service.add_card(CardDraft(name=name, **fields), stage).card_id  # type: ignore[arg-type]


def lines(app: PipelineApp) -> list[str]:
    return screen_text(app).splitlines()


async def test_the_footer_at_80_columns_names_the_most_used_keys() -> None:
    async with running(demo_service(), size=(80, 24)) as (app, pilot):
        footer = lines(app)[-1]
        for key in ("⏎ Open", "n New", "f Next", "t Log", "H L Move", "/ Filter"):
            assert key in footer
        for key in ("s Stand-up", "? Keys", "q Quit", "^p palette"):
            assert key in footer
        for screen_key in ("enter", "escape s", "escape c", "escape i", "escape A"):
            await press(pilot, *screen_key.split())
            assert "^p palette" in lines(app)[-1], lines(app)[-1]
            if screen_key == "escape s":  # the stand-up: enter opens the line's card
                assert "⏎ Open" in lines(app)[-1] and "? Keys" in lines(app)[-1]


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_question_mark_shows_every_board_key_at_once(size: tuple[int, int]) -> None:
    async with running(demo_service(), size=size) as (app, pilot):
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "(1 of" not in text  # one page: nothing to scroll or turn
        for binding in BoardScreen.BINDINGS:
            assert binding.tooltip in text  # type: ignore[union-attr]
        assert "^p" in text and "Find any card, note or key" in text


def test_help_turns_pages_when_even_two_columns_do_not_fit() -> None:
    from pipeline_tui.ui.screens.help import KeyHelp, lay_out

    entries = [KeyHelp(str(number), f"Key number {number}") for number in range(30)]
    assert len(lay_out(entries, 76, 40)) == 1
    assert len(lay_out(entries, 76, 15)) == 1  # two columns of 15
    pages = lay_out(entries, 76, 10)
    assert len(pages) == 2
    assert "Key number 0" in pages[0].plain and "Key number 29" in pages[1].plain


async def test_f_on_the_board_sets_the_next_action(service: PipelineService) -> None:
    ada = add(service, "Ada", next_action="Old step")
    async with running(service) as (app, pilot):
        await tap(pilot, "f")  # the dialog stays open: tap waits for its store calls only
        assert isinstance(app.screen, NextActionScreen)
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "Send the proposal")
        await tap(pilot, "tab")
        await type_text(pilot, "sat")
        assert "(a weekend)" in screen_text(app)  # Sat 28 Nov 2026
        await tap(pilot, "ctrl+a", "ctrl+k")
        await type_text(pilot, "dec 15")
        assert "Tue 15 Dec 2026" in screen_text(app)
        await press(pilot, "enter")
        assert isinstance(app.screen, BoardScreen)
        summary = service.card(ada).summary
        assert (summary.next_action, summary.next_action_due) == (
            "Send the proposal",
            TODAY.replace(day=15, month=12),
        )
        assert "→ Send the" in screen_text(app)
        await press(pilot, "u")  # undone like any other change
        assert service.card(ada).summary.next_action == "Old step"


async def test_a_step_typed_ahead_with_f_replaces_the_step_and_day_it_did_not_see(
    service: PipelineService,
) -> None:
    """`f`, "Send case study", tab, "fri" in one read (typed without looking): the
    words went on the end of the card's step ("Follow up on LinkedIn replySend case
    study") and "fri" after its date ("2026-12-08fri", refused). Typed before the
    dialog showed, they replace what it proposes; starting with a space they add to the
    step, which was on the card the rep pressed `f` on."""
    ada = add(service, "Ada", next_action="Follow up on LinkedIn reply", next_action_due=TODAY)
    async with running(service) as (app, pilot):
        await burst(pilot, "f", *"Send case study", "tab", *"fri", "enter")
        assert isinstance(app.screen, BoardScreen)
        summary = service.card(ada).summary
        friday = TODAY + timedelta(days=(4 - TODAY.weekday()) % 7 or 7)
        assert (summary.next_action, summary.next_action_due) == ("Send case study", friday)
        await burst(pilot, "f", *" today", "enter")
        assert service.card(ada).summary.next_action == "Send case study today"


async def test_a_step_pasted_ahead_with_f_replaces_the_step_it_did_not_see(
    service: PipelineService,
) -> None:
    ada = add(service, "Ada", next_action="Follow up on LinkedIn reply")
    async with running(service) as (app, pilot):
        paste(pilot, "Ring her mobile", after=["f"])
        await wait_for(pilot, lambda: _action_typed(app), "the paste in the step", dialog=True)
        await press(pilot, "enter")
        assert service.card(ada).summary.next_action == "Ring her mobile"


def _action_typed(app: PipelineApp) -> bool:
    dialog = app.screen
    return isinstance(dialog, NextActionScreen) and not dialog.inputs["action"].value.startswith(
        "Follow"
    )


async def test_a_key_that_moves_in_the_step_typed_ahead_keeps_the_step(
    service: PipelineService,
) -> None:
    """`f`, ctrl+a, "Urgent: " in one read: the rep put the cursor in the step they
    expected, and the words went over the whole of it."""
    ada = add(service, "Ada", next_action="Follow up on LinkedIn reply")
    async with running(service) as (_app, pilot):
        await burst(pilot, "f", "ctrl+a", *"Urgent: ", "enter")
        assert service.card(ada).summary.next_action == "Urgent: Follow up on LinkedIn reply"


async def test_a_step_typed_ahead_of_a_draft_offer_discarded_replaces_the_step(
    service: PipelineService,
) -> None:
    """`f`, "Ring her", enter in one read, a draft offered over the dialog, and `d`:
    the keys, handed on after the answer, went on the end of the step, and enter
    saved "Follow up on LinkedIn replyRing her"."""
    ada = add(service, "Ada", next_action="Follow up on LinkedIn reply", next_action_due=TODAY)
    service.keep_draft(
        DraftKey.on_card(Editor.NEXT_ACTION, ada), {"action": "An old draft", "due": ""}
    )
    async with running(service) as (app, pilot):
        await burst(pilot, "f", *"Ring her", "enter", dialog=True)
        assert isinstance(app.screen, DraftOfferScreen)
        await look(pilot)
        await tap(pilot, "d")
        await wait_for(pilot, lambda: isinstance(app.screen, BoardScreen), "the save", dialog=True)
        await settle(pilot)
        assert service.card(ada).summary.next_action == "Ring her"


async def test_a_step_typed_ahead_as_the_session_ends_replaces_the_step_in_its_draft(
    service: PipelineService,
) -> None:
    """`f` and "Ring her" in one read, and the connection drops while the dialog reads
    the card: the keys waiting are typed straight into its field, and went on the end
    of the step there, and so into the draft offered back."""
    ada = add(service, "Ada", next_action="Follow up on LinkedIn reply", next_action_due=TODAY)
    async with running(service) as (app, _pilot):
        for key in ("f", *"Ring her"):
            _post_key(app, key)
        await app.key_order.type_what_waits(1.0)  # the session's end, as the keys arrive
        assert isinstance(app.screen, NextActionScreen)
        app.flush_drafts()
    kept = service.draft(DraftKey.on_card(Editor.NEXT_ACTION, ada))
    assert kept is not None and kept.fields["action"] == "Ring her"


async def test_a_step_the_rep_has_seen_is_added_to_as_any_field_is(
    service: PipelineService,
) -> None:
    ada = add(service, "Ada", next_action="Call Ann")
    async with running(service) as (_app, pilot):
        await tap(pilot, "f")
        await look(pilot)
        await type_text(pilot, "!")
        await press(pilot, "enter")
        assert service.card(ada).summary.next_action == "Call Ann!"


async def test_t_on_the_board_logs_a_touchpoint(service: PipelineService) -> None:
    ada = add(service, "Ada")
    async with running(service) as (app, pilot):
        await tap(pilot, "t")
        assert isinstance(app.screen, TouchpointScreen)
        await tap(pilot, "enter")  # the kind: a call
        await type_text(pilot, "Met at the booth")
        await press(pilot, "enter")
        assert isinstance(app.screen, BoardScreen)
    with service.database.read() as session:
        logged = session.execute(
            select(TouchpointRow.card_id, TouchpointRow.kind, TouchpointRow.summary)
        ).all()
    assert logged == [(ada, TouchpointKind.CALL, "Met at the booth")]


async def test_u_after_a_touchpoint_takes_it_back_and_then_the_change_before(
    service: PipelineService,
) -> None:
    # A touchpoint logged on the wrong card in a burst of keys stayed there for good:
    # u said it could not be undone. It takes the touchpoint back now, and u again the
    # change before it (here Ben's move, on another card).
    ada = add(service, "Ada")
    ben = add(service, "Ben", Stage.PROSPECT)
    async with running(service, (120, 30), notifications=True) as (app, pilot):
        await press(pilot, "l", "L")  # Ben on to Client (and the board with him)
        await press(pilot, "h", "h")
        await tap(pilot, "t")
        assert isinstance(app.screen, TouchpointScreen)
        await tap(pilot, "enter")  # a call with Ada
        await type_text(pilot, "Left a voicemail")
        await press(pilot, "enter")
        assert [t.summary for t in service.card(ada).touchpoints] == ["Left a voicemail"]
        assert service.card(ada).source is TouchpointKind.CALL
        await press(pilot, "u")
        assert [t.summary for t in service.card(ada).touchpoints] == []
        assert service.card(ada).source is None  # the source it set goes with it
        assert service.card(ben).summary.stage is Stage.CLIENT
        await press(pilot, "U")
        assert [t.summary for t in service.card(ada).touchpoints] == ["Left a voicemail"]
        assert service.card(ada).source is TouchpointKind.CALL
        await press(pilot, "u", "u")
        assert service.card(ada).touchpoints == ()
        assert service.card(ben).summary.stage is Stage.PROSPECT


async def test_u_after_several_touchpoints_takes_each_back_newest_first(
    service: PipelineService,
) -> None:
    ada = add(service, "Ada")
    cy = add(service, "Cy")
    async with running(service, (120, 30)) as (_app, pilot):
        for _ in range(2):  # Cy (the newer card, on top), then Ada
            await tap(pilot, "t")
            await tap(pilot, "enter")  # a call
            await type_text(pilot, "Left a voicemail")
            await press(pilot, "enter", "j")
        await press(pilot, "u")
        assert service.card(ada).touchpoints == () and service.card(cy).touchpoints != ()
        await press(pilot, "u")
        assert service.card(cy).touchpoints == ()


@pytest.mark.parametrize("view", ["m", "S", "N"])
async def test_keys_typed_with_a_view_key_act_on_the_card_that_view_highlights(
    service: PipelineService, database: Database, view: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`m`, `S` or `N` and the next keys in one read (over SSH, or a fast typist): the
    keys act on the board the view shows, however long the store takes to read it. The
    view was read in a worker while the keys went on to the board as it was: `ma` enter
    archived the teammate's card the whole board highlighted, `Sa` enter a card that
    was not stale, and `Nb` "brought back" the highlighted card that was never parked
    ("Ada is back on the board", then "Not saved: Ada is not parked"), leaving the
    parked lead parked."""
    # Ben: the rep's card each view shows.
    if view == "S":  # idle for two months: stale
        long_ago = PipelineService(database, "sam", clock=lambda: NOW - timedelta(days=60))
        ben = add(long_ago, "Ben Okafor")
    else:
        ben = add(service, "Ben Okafor")
    if view == "N":
        service.park(ben, TODAY + timedelta(days=30), service.summary(ben).version)  # type: ignore[union-attr]
    # On top of the column, highlighted as the board opens: not the rep's in `m`.
    owner = "zoe" if view == "m" else "sam"
    ada = add(PipelineService(database, owner, clock=lambda: NOW), "Ada Lovelace")
    async with running(service, notifications=True) as (app, pilot):
        assert focused_card_name(app) == "Ada Lovelace"
        read_board = service.board_view

        def slow_board(*args: Any, **kwargs: Any) -> BoardView:
            time.sleep(0.2)  # a far server, or a busy one
            return read_board(*args, **kwargs)

        monkeypatch.setattr(service, "board_view", slow_board)
        if view == "N":
            await burst(pilot, "N", "b")
            assert service.summary(ben).nurture_until is None  # type: ignore[union-attr]
            assert not any("Ada" in m for m in notification_messages(app))
        else:
            await burst(pilot, view, "a", "enter")
            assert isinstance(app.screen, BoardScreen), screen_text(app)
            assert service.card(ben).archived_at is not None
        assert service.card(ada).archived_at is None


async def test_keys_typed_after_u_act_on_the_card_the_undo_brought_back(
    service: PipelineService,
) -> None:
    """Ada archived, `u`, then `a` enter in the same read: `u` brings Ada back,
    highlighted, and the `a` archives her again, as typed slowly. The board was read
    again in a worker while the keys went on: the `a` archived Ben, the card the
    cursor had moved on to when Ada left, which the rep never saw highlighted after the
    undo."""
    ben = add(service, "Ben Okafor")
    ada = add(service, "Ada Lovelace")
    async with running(service) as (app, pilot):
        assert focused_card_name(app) == "Ada Lovelace"
        await burst(pilot, "a", "enter", "u", "a", "enter")
        assert isinstance(app.screen, BoardScreen), screen_text(app)
        assert service.card(ben).archived_at is None
        assert service.card(ada).archived_at is not None
        assert focused_card_name(app) == "Ben Okafor"
