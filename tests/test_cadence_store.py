"""The after-sale cadence and a card's rhythm in the store, on SQLite and PostgreSQL:
a cadence starts when a card becomes a client, contact pushes the pending step, a step
marked done brings the next, leaving the stage stops it, and a rep's own next action is
never replaced."""

from __future__ import annotations

import json
import time as pytime
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline_tui.domain.cadence import parse_cadence
from pipeline_tui.domain.calls import CallOutcome
from pipeline_tui.domain.cards import CardDraft, Change
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.undo import UndoHistory
from pipeline_tui.store import Database, PipelineService, StoreError, open_database
from tests.conftest import TODAY

pytestmark = pytest.mark.both_backends

STEPS = ("+7d check in after delivery", "+30d ask for a referral", "+90d offer the next service")


class Clock:
    """A clock the test moves on, a day at a time."""

    def __init__(self) -> None:
        self.day = TODAY

    def __call__(self) -> datetime:
        return datetime.combine(self.day, time(9, 30), tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sam(database: Database, clock: Clock) -> PipelineService:
    cadences = {
        Stage.CLIENT: parse_cadence(Stage.CLIENT, STEPS),
        Stage.REPEAT: parse_cadence(Stage.REPEAT, ("+30d check in", "+90d offer more")),
    }
    return PipelineService(database, "sam", clock=clock, cadences=cadences)


def prospect(service: PipelineService, name: str = "Ada") -> int:
    return service.add_card(CardDraft(name), Stage.PROSPECT).card_id


def next_action(service: PipelineService, card: int) -> tuple[str, date | None]:
    summary = service.card(card).summary
    return summary.next_action, summary.next_action_due


def version(service: PipelineService, card: int) -> int:
    return service.card(card).version


def done(service: PipelineService, card: int, on: date) -> None:
    service.complete_next_action(card, TouchpointKind.CALL, on, "", version(service, card))


def test_becoming_a_client_starts_the_cadence_with_its_first_step(sam: PipelineService) -> None:
    card = prospect(sam)
    assert sam.card(card).cadence is None

    sam.move_card(card, Stage.CLIENT)

    where = sam.card(card).cadence
    assert where is not None
    assert (where.number, where.total, where.text) == (1, 3, "check in after delivery")
    assert where.due == TODAY + timedelta(days=7)
    assert next_action(sam, card) == ("check in after delivery", TODAY + timedelta(days=7))


def test_a_step_marked_done_brings_the_next_from_that_day(
    sam: PipelineService, clock: Clock
) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    late = TODAY + timedelta(days=10)  # three days late
    clock.day = late

    done(sam, card, late)

    where = sam.card(card).cadence
    assert where is not None and where.number == 2
    assert next_action(sam, card) == ("ask for a referral", late + timedelta(days=23))
    touchpoints = sam.card(card).touchpoints
    assert touchpoints[0].summary == "Done: check in after delivery"

    done(sam, card, late + timedelta(days=23))
    done(sam, card, late + timedelta(days=90))
    finished = sam.card(card).cadence
    assert finished is not None and finished.finished
    assert finished.describe() == "Client cadence: all 3 steps done"
    assert next_action(sam, card) == ("", None)


def test_any_touchpoint_pushes_the_pending_step_from_that_day(sam: PipelineService) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    first_version = version(sam, card)
    talked = TODAY + timedelta(days=5)

    sam.add_touchpoint(card, TouchpointKind.EMAIL, talked, "Thanked them")

    assert next_action(sam, card) == ("check in after delivery", talked + timedelta(days=7))
    where = sam.card(card).cadence
    assert where is not None and where.due == talked + timedelta(days=7)
    # Contact is not an edit: an edit the rep has open still saves.
    assert version(sam, card) == first_version
    # A touchpoint logged for a day before the anchor changes nothing.
    sam.add_touchpoint(card, TouchpointKind.EMAIL, TODAY - timedelta(days=3))
    assert next_action(sam, card)[1] == talked + timedelta(days=7)


def test_a_reps_own_next_action_is_kept_and_the_step_waits(
    sam: PipelineService, clock: Clock
) -> None:
    card = prospect(sam)
    own = ("Send the invoice", TODAY + timedelta(days=2))
    sam.set_next_action(card, *own, version(sam, card))

    sam.move_card(card, Stage.CLIENT)

    assert next_action(sam, card) == own
    where = sam.card(card).cadence
    assert where is not None and where.number == 1
    # Their action done (a touchpoint on day 2): the step comes, counted from then.
    clock.day = TODAY + timedelta(days=2)
    done(sam, card, clock.day)
    assert next_action(sam, card) == ("check in after delivery", clock.day + timedelta(days=7))
    where = sam.card(card).cadence
    assert where is not None and where.number == 1


def test_a_reps_own_later_next_action_stays_first_and_the_step_waits_for_it(
    sam: PipelineService, clock: Clock
) -> None:
    card = prospect(sam)
    own = ("My own step", TODAY + timedelta(days=20))  # later than the first step's day 7
    sam.set_next_action(card, *own, version(sam, card))

    sam.move_card(card, Stage.CLIENT)

    assert next_action(sam, card) == own
    assert [a.text for a in sam.card(card).activities] == ["My own step"]
    where = sam.card(card).cadence
    assert where is not None and (where.number, where.due) == (1, TODAY + timedelta(days=7))
    # The step's day comes while the rep's own is still open: the daily hand-off waits too.
    assert sam.hand_off_due_steps(TODAY + timedelta(days=8)) == 0
    assert next_action(sam, card) == own
    # Their action done: the step comes, counted from that day.
    clock.day = TODAY + timedelta(days=20)
    done(sam, card, clock.day)
    assert next_action(sam, card) == ("check in after delivery", clock.day + timedelta(days=7))
    assert [a.text for a in sam.card(card).activities] == ["check in after delivery"]


def test_a_later_step_waits_for_the_reps_own_too(sam: PipelineService, clock: Clock) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    sam.add_activity(card, None, "Send the case study", TODAY + timedelta(days=40))

    clock.day = TODAY + timedelta(days=7)
    done(sam, card, clock.day)  # the check-in, the earliest

    assert next_action(sam, card) == ("Send the case study", TODAY + timedelta(days=40))
    where = sam.card(card).cadence
    assert where is not None and where.number == 2
    clock.day = TODAY + timedelta(days=40)
    done(sam, card, clock.day)
    assert next_action(sam, card) == ("ask for a referral", clock.day + timedelta(days=23))


def test_a_step_due_while_the_rep_was_busy_is_handed_off_on_its_day(
    sam: PipelineService, clock: Clock
) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    # The rep cleared the step to put it off; nothing brings it back before its day.
    sam.set_next_action(card, "", None, version(sam, card))
    due = TODAY + timedelta(days=7)
    assert sam.hand_off_due_steps(due - timedelta(days=1)) == 0
    assert next_action(sam, card) == ("", None)

    assert sam.hand_off_due_steps(due) == 1

    assert next_action(sam, card) == ("check in after delivery", due)
    assert sam.hand_off_due_steps(due) == 0


def test_nothing_due_writes_nothing(sam: PipelineService) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    clock_before = sam.change_marker()
    assert sam.hand_off_due_steps(TODAY + timedelta(days=30)) == 0
    assert sam.change_marker() == clock_before


def test_moving_out_of_client_stops_it_and_repeat_has_its_own(sam: PipelineService) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)

    sam.move_card(card, Stage.REPEAT)
    where = sam.card(card).cadence
    assert where is not None
    assert (where.stage, where.number, where.text) == (Stage.REPEAT, 1, "+30d check in"[5:])
    # The client's step is still the card's next action (the rep may still mean to).
    assert next_action(sam, card)[0] == "check in after delivery"

    sam.move_card(card, Stage.PROSPECT)
    assert sam.card(card).cadence is None
    sam.add_touchpoint(card, TouchpointKind.CALL, TODAY + timedelta(days=3))
    assert sam.card(card).cadence is None


def test_taken_back_to_a_prospect_the_card_loses_the_step_its_cadence_gave(
    sam: PipelineService,
) -> None:
    """Client, then back to Prospect: "check in after delivery" stayed as the next
    action of a prospect who had had no delivery. The step goes with its cadence; undo
    brings both back."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    assert next_action(sam, card)[0] == "check in after delivery"

    change = sam.move_card(card, Stage.PROSPECT)

    assert next_action(sam, card) == ("", None)
    assert sam.card(card).activities == ()
    assert change is not None
    sam.revert(change)
    assert sam.card(card).summary.stage is Stage.CLIENT
    assert next_action(sam, card)[0] == "check in after delivery"
    assert sam.card(card).cadence is not None


def test_a_step_the_rep_reworded_or_their_own_stays_when_the_card_goes_back(
    sam: PipelineService, clock: Clock
) -> None:
    """Only the cadence's own step, in its own words, goes: one the rep reworded is
    theirs now, as is a next action they set, even in the step's words."""
    reworded, own, same = prospect(sam, "Ada"), prospect(sam, "Bo"), prospect(sam, "Cy")
    sam.set_next_action(same, "check in after delivery", TODAY, version(sam, same))
    clock.day += timedelta(days=1)
    sam.move_card(same, Stage.CLIENT)
    sam.move_card(same, Stage.PROSPECT)
    assert next_action(sam, same) == ("check in after delivery", TODAY)  # theirs
    sam.move_card(reworded, Stage.CLIENT)
    [step] = sam.card(reworded).activities
    sam.edit_activity(step.id, None, "check in after delivery of the pilot", step.due)
    sam.set_next_action(own, "Send the contract", TODAY, version(sam, own))
    sam.move_card(own, Stage.CLIENT)

    sam.move_card(reworded, Stage.PROSPECT)
    sam.move_card(own, Stage.PROSPECT)

    assert next_action(sam, reworded)[0] == "check in after delivery of the pilot"
    assert next_action(sam, own) == ("Send the contract", TODAY)


def test_a_call_keeps_the_cadence_step_on_the_day_the_rep_confirmed(
    sam: PipelineService,
) -> None:
    """Voicemail on a client's cadence step suggests the step again in two days: the
    call's touchpoint then pushed that step on from the call's day, and a day later
    than the one confirmed was saved. Undo puts the card back as before the call."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    before = next_action(sam, card)
    confirmed = ("check in after delivery", TODAY + timedelta(days=9))

    logged = sam.log_call(
        card, CallOutcome.VOICEMAIL, TODAY + timedelta(days=7), None, next_step=confirmed
    )

    assert next_action(sam, card) == confirmed
    assert logged.change is not None
    sam.revert(logged.change)
    assert next_action(sam, card) == before
    assert sam.card(card).touchpoints == ()


def test_undoing_the_move_puts_the_card_back_without_a_cadence(sam: PipelineService) -> None:
    card = prospect(sam)
    change = sam.move_card(card, Stage.CLIENT)
    assert change is not None

    sam.revert(change)

    assert sam.card(card).cadence is None
    assert next_action(sam, card) == ("", None)


def test_an_archived_client_shows_no_cadence(sam: PipelineService) -> None:
    from pipeline_tui.domain.kinds import ArchiveReason

    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    sam.archive_card(card, ArchiveReason.WON)
    assert sam.card(card).cadence is None
    assert sam.hand_off_due_steps(TODAY + timedelta(days=365)) == 0


# A card's rhythm --------------------------------------------------------------------------


def test_a_rhythm_replaces_the_stage_limit_on_the_board_and_in_the_stand_up(
    sam: PipelineService,
) -> None:
    card = sam.add_card(CardDraft("Ada"), Stage.REPEAT).card_id
    other = sam.add_card(CardDraft("Grace"), Stage.REPEAT).card_id
    later = TODAY + timedelta(days=22)
    # Repeat cards go stale after 90 days: neither is, 22 days on.
    assert sam.board_totals(later).stale == 0

    change = sam.set_rhythm(card, 21)

    assert change.description == "Keep in touch with Ada every 21 days"
    summary = sam.summary(card)
    assert summary is not None and summary.rhythm_days == 21
    assert summary.is_stale(later)
    assert sam.board_totals(later).stale == 1
    assert list(sam.board_view(later, stale_only=True).ids[Stage.REPEAT]) == [card]
    assert not sam.board_totals(TODAY + timedelta(days=21)).stale
    standup = sam.standup(later)
    assert [(s.card.id, s.limit_days) for s in standup.stale] == [(card, 21)]
    assert other not in [s.card.id for s in standup.stale]

    sam.revert(change)
    assert sam.board_totals(later).stale == 0


def test_a_rhythm_can_be_cleared_and_is_checked(sam: PipelineService) -> None:
    card = prospect(sam)
    sam.set_rhythm(card, 14)
    sam.set_rhythm(card, None)
    assert sam.summary(card).rhythm_days is None  # type: ignore[union-attr]
    with pytest.raises(StoreError, match="Keep in touch every 1 to 365 days; 0 is not"):
        sam.set_rhythm(card, 0)


@pytest.mark.parametrize(
    ("moment", "start"),
    [
        # 23:30 in New York the evening before the clocks go forward.
        (datetime(2026, 3, 8, 4, 30, tzinfo=UTC), date(2026, 3, 7)),
        # 01:30 in New York, the first of the two, the night the clocks go back.
        (datetime(2026, 11, 1, 5, 30, tzinfo=UTC), date(2026, 11, 1)),
        # 00:30 in New York on a leap day.
        (datetime(2028, 2, 29, 5, 30, tzinfo=UTC), date(2028, 2, 29)),
    ],
)
def test_a_cadence_starts_on_the_reps_own_day_across_daylight_saving(
    database: Database, monkeypatch: pytest.MonkeyPatch, moment: datetime, start: date
) -> None:
    monkeypatch.setenv("TZ", "America/New_York")
    pytime.tzset()
    try:
        service = PipelineService(database, "sam", clock=lambda: moment)
        card = prospect(service)
        service.move_card(card, Stage.CLIENT)
        assert next_action(service, card) == ("check in after delivery", start + timedelta(7))
    finally:
        monkeypatch.setenv("TZ", "UTC")
        pytime.tzset()


def test_an_export_brings_back_the_rhythm_and_the_cadence(
    sam: PipelineService, tmp_path: Path
) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    done(sam, card, TODAY + timedelta(days=7))
    sam.set_rhythm(card, 21)
    document = sam.export_document()
    (exported,) = document["cards"]
    assert (exported["rhythm_days"], exported["cadence_step"]) == (21, 1)
    assert exported["cadence_anchor"] == (TODAY + timedelta(days=7)).isoformat()
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")

    fresh = PipelineService(open_database(str(tmp_path / "fresh.db")), "sam", clock=sam.clock)
    try:
        fresh.import_file(path, today=TODAY)
        (again,) = fresh.cards()
        where = fresh.card(again.id).cadence
        assert again.rhythm_days == 21
        assert where is not None and (where.number, where.text) == (2, "ask for a referral")
        assert where.due == TODAY + timedelta(days=30)
    finally:
        fresh.close()


@pytest.mark.parametrize("written", ["now", "before the base was kept"])
def test_an_imported_client_goes_back_to_its_day_when_a_contact_is_undone(
    sam: PipelineService, tmp_path: Path, written: str
) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    talked = TODAY + timedelta(days=2)
    sam.log_touchpoint(card, TouchpointKind.EMAIL, talked, "Thanked them")
    document = sam.export_document()
    if written != "now":
        del document["cards"][0]["cadence_base"]
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    fresh = PipelineService(open_database(str(tmp_path / "fresh.db")), "sam", clock=sam.clock)
    try:
        fresh.import_file(path, today=TODAY)
        (again,) = fresh.cards()
        logged = fresh.log_touchpoint(again.id, TouchpointKind.CALL, TODAY + timedelta(5), "")
        fresh.revert(logged)
        where = fresh.card(again.id).cadence
        assert where is not None and where.due == talked + timedelta(days=7)
    finally:
        fresh.close()


def test_an_export_with_a_rhythm_out_of_range_is_refused(
    sam: PipelineService, tmp_path: Path
) -> None:
    prospect(sam)
    document = sam.export_document()
    document["cards"][0]["rhythm_days"] = 0
    path = tmp_path / "export.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    report = sam.import_file(path, today=TODAY, dry_run=True)
    assert [p.reason for p in report.problems] == ["'rhythm_days' must be from 1 to 365"]


def test_a_referral_undone_takes_back_the_referrers_touchpoint_and_the_step_it_pushed(
    sam: PipelineService, clock: Clock
) -> None:
    """A lead referred by mistake and undone left "Referred Dee" on the client, and the
    client's check-in pushed from that day, for a referral that never was; each such
    slip added another. Undo takes both back; redo writes them again."""
    client = prospect(sam, "Chen")
    sam.move_card(client, Stage.CLIENT)
    before = next_action(sam, client)
    clock.day = TODAY + timedelta(days=5)
    referred = sam.refer(client, CardDraft("Dee"), clock.day)
    pushed = ("check in after delivery", clock.day + timedelta(days=7))
    assert next_action(sam, client) == pushed
    undone = sam.undo(referred)
    assert [t.summary for t in sam.card(client).touchpoints] == []
    assert next_action(sam, client) == before
    assert undone.inverse is not None
    again = sam.revert(undone.inverse)
    assert [t.summary for t in sam.card(client).touchpoints] == ["Referred Dee"]
    assert next_action(sam, client) == pushed
    assert again.inverse is not None
    sam.revert(again.inverse)
    assert [t.summary for t in sam.card(client).touchpoints] == []
    # A contact logged since the referral still counts once it is taken back.
    referred = sam.refer(client, CardDraft("Eve"), clock.day)
    called = clock.day + timedelta(days=1)
    sam.add_touchpoint(client, TouchpointKind.CALL, called, "Called")
    sam.undo(referred)
    assert [t.summary for t in sam.card(client).touchpoints] == ["Called"]
    assert next_action(sam, client) == ("check in after delivery", called + timedelta(days=7))


def test_a_referral_undone_after_a_move_leaves_the_new_cadence_alone(
    sam: PipelineService, clock: Clock
) -> None:
    """The client moved on to Repeat after the referral: its cadence started again,
    at step 0 as before, and undoing the referral set it back to the client's old
    day, so the repeat check-in fell due three weeks early."""
    client = prospect(sam, "Chen")
    sam.move_card(client, Stage.CLIENT)
    clock.day = TODAY + timedelta(days=5)
    referred = sam.refer(client, CardDraft("Dee"), clock.day)
    clock.day = TODAY + timedelta(days=20)
    sam.move_card(client, Stage.REPEAT)
    where = sam.card(client).cadence
    assert where is not None and where.due == clock.day + timedelta(days=30)
    sam.undo(referred)
    where = sam.card(client).cadence
    assert where is not None and where.due == clock.day + timedelta(days=30)
    assert [t.summary for t in sam.card(client).touchpoints] == []


def test_a_touchpoint_taken_back_takes_back_the_day_it_pushed_the_step_to(
    sam: PipelineService, clock: Clock
) -> None:
    """`t` on the wrong card, then `u`: the touchpoint goes, with the keep-in-touch day
    it moved; `U` logs it again, and the day moves again."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    before = next_action(sam, card)
    talked = TODAY + timedelta(days=5)
    logged = sam.log_touchpoint(card, TouchpointKind.EMAIL, talked, "Thanked them")
    pushed = ("check in after delivery", talked + timedelta(days=7))
    assert next_action(sam, card) == pushed
    undone = sam.undo(logged)
    assert sam.card(card).touchpoints == ()
    assert next_action(sam, card) == before
    assert undone.inverse is not None
    sam.revert(undone.inverse)
    assert [t.summary for t in sam.card(card).touchpoints] == ["Thanked them"]
    assert next_action(sam, card) == pushed


def test_a_cadence_step_marked_done_and_undone_is_pending_again_from_its_day(
    sam: PipelineService, clock: Clock
) -> None:
    """x on a client's check-in, then u: the check-in is the next action again, due
    when it was, the step handed off after it is gone, and so is the touchpoint (and
    the source it set). A touchpoint logged with `t` since stays, and the step counts
    from it. U marks the check-in done again."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    before = next_action(sam, card)
    clock.day = TODAY + timedelta(days=7)
    marked = sam.complete_next_action(
        card, TouchpointKind.MEETING, clock.day, "", version(sam, card)
    )
    after = next_action(sam, card)
    assert after[0] == "ask for a referral"
    undone = sam.revert(marked)
    assert next_action(sam, card) == before
    where = sam.card(card).cadence
    assert where is not None and where.number == 1
    assert sam.card(card).touchpoints == () and sam.card(card).source is None
    assert undone.inverse is not None
    redone = sam.revert(undone.inverse)
    assert next_action(sam, card) == after
    assert [t.kind for t in sam.card(card).touchpoints] == [TouchpointKind.MEETING]
    assert sam.card(card).source is TouchpointKind.MEETING

    assert redone.inverse is not None
    talked = clock.day + timedelta(days=2)
    sam.log_touchpoint(card, TouchpointKind.EMAIL, talked, "Thanked them")
    sam.revert(redone.inverse)
    assert next_action(sam, card) == ("check in after delivery", talked + timedelta(days=7))
    assert [t.summary for t in sam.card(card).touchpoints] == ["Thanked them"]
    assert sam.card(card).source is TouchpointKind.EMAIL


class Undoing:
    """A rep's `u` and `U` (ui.backend.Backend's history), without the app."""

    def __init__(self, service: PipelineService) -> None:
        self.service, self.history = service, UndoHistory()

    def record(self, change: Change) -> None:
        self.history.record(change)

    def undo(self) -> None:
        change = self.history.next_undo()
        assert change is not None
        try:
            result = self.service.revert(change)
        except StoreError:
            self.history.refused(change)
            raise
        self.history.undone(change, result)

    def redo(self) -> None:
        change = self.history.next_redo()
        assert change is not None
        self.history.redone(change, self.service.revert(change))


def test_steps_done_with_a_touchpoint_between_are_all_undone(sam: PipelineService) -> None:
    """x, t, x on one card, then u u u: the third was refused as "changed elsewhere
    since" (the touchpoint's undo took the card's new version, not the first x)."""
    rep = Undoing(sam)
    card = sam.add_card(CardDraft("Ada", next_action="A", next_action_due=TODAY), Stage.PROSPECT)
    sam.add_activity(card.card_id, None, "B", TODAY + timedelta(days=1))
    ada = card.card_id
    rep.record(sam.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version(sam, ada)))
    rep.record(sam.log_touchpoint(ada, TouchpointKind.EMAIL, TODAY, "chatted"))
    rep.record(sam.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version(sam, ada)))
    for _ in range(3):
        rep.undo()
    assert [a.text for a in sam.activities(ada)] == ["A", "B"]
    assert sam.card(ada).touchpoints == ()


@pytest.mark.parametrize("between", ["a touchpoint", "nothing", "a note deleted"])
def test_undo_never_goes_over_another_reps_edit_made_between_two_changes(
    sam: PipelineService, between: str
) -> None:
    """x, Kim edits the card, (a touchpoint, or a note deleted), x; then u u u: the undo
    history re-based the first x onto the card's version as the second was undone, and
    the first then went over Kim's email unseen. It is refused now."""
    kim = PipelineService(sam.database, "kim", cadences=sam.cadences)
    rep = Undoing(sam)
    ada = sam.add_card(
        CardDraft("Ada", next_action="A", next_action_due=TODAY), Stage.PROSPECT
    ).card_id
    sam.add_activity(ada, None, "B", TODAY + timedelta(days=1))
    note = sam.add_note(ada, NoteKind.GENERAL, "Met at the fair")
    rep.record(sam.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version(sam, ada)))
    kims = kim.card(ada).draft
    kim.update_card(ada, replace(kims, email="ada@kim.example"), version(sam, ada))
    if between == "a touchpoint":
        rep.record(sam.log_touchpoint(ada, TouchpointKind.CALL, TODAY, "chatted"))
    elif between == "a note deleted":
        rep.record(sam.delete_note(note.id))
    rep.record(sam.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version(sam, ada)))
    refused = []
    for _ in range(3 if between != "nothing" else 2):
        try:
            rep.undo()
        except StoreError as error:
            refused.append(str(error))
    assert sam.card(ada).email == "ada@kim.example"
    assert refused == ["Ada was changed elsewhere since; it was not changed back."]


def test_a_note_edit_redone_over_another_reps_edit_says_it_was_not_changed_again(
    sam: PipelineService,
) -> None:
    kim = PipelineService(sam.database, "kim", cadences=sam.cadences)
    rep = Undoing(sam)
    ada = prospect(sam)
    note = sam.add_note(ada, NoteKind.GOAL, "Ship by March")
    edited = sam.rewrite_note(note.id, "Ship by April", None, note.version).change
    assert edited is not None
    rep.record(edited)
    rep.undo()
    back = sam.card(ada).notes[0]
    kim.update_note(back.id, "Ship by May", None, back.version)
    with pytest.raises(StoreError, match=r"it was not changed again\.$"):
        rep.redo()
    assert sam.card(ada).notes[0].body == "Ship by May"


def test_a_step_done_again_keeps_another_cards_step_and_the_contacts_since(
    sam: PipelineService, clock: Clock
) -> None:
    """x on Cora's check-in, u; Kim then gives Bob a step (on SQLite under the id the
    undo freed) and emails Cora; U. The redo took Bob's step over as Cora's, and
    counted Cora's next step from the check-in, not from Kim's email."""
    kim = PipelineService(sam.database, "kim", clock=clock, cadences=sam.cadences)
    rep = Undoing(sam)
    cora = prospect(sam, "Cora")
    sam.move_card(cora, Stage.CLIENT)
    bob = sam.add_card(CardDraft("Bob"), Stage.LEAD).card_id
    clock.day = TODAY + timedelta(days=7)
    rep.record(
        sam.complete_next_action(cora, TouchpointKind.MEETING, clock.day, "", version(sam, cora))
    )
    after = next_action(sam, cora)
    rep.undo()
    kim.set_next_action(bob, "Send Bob the brochure", TODAY + timedelta(days=8), version(sam, bob))
    emailed = clock.day + timedelta(days=3)
    kim.log_touchpoint(cora, TouchpointKind.EMAIL, emailed, "Kim emailed")
    rep.redo()
    assert [a.text for a in sam.activities(bob)] == ["Send Bob the brochure"]
    assert next_action(sam, bob) == ("Send Bob the brochure", TODAY + timedelta(days=8))
    assert after[1] is not None
    assert next_action(sam, cora) == (after[0], after[1] + (emailed - clock.day))


def test_undoing_a_step_done_leaves_another_reps_reorder(sam: PipelineService) -> None:
    """A reorder leaves the card's version as it was; undoing x put it back."""
    kim = PipelineService(sam.database, "kim", cadences=sam.cadences)
    rep = Undoing(sam)
    bea = prospect(sam, "Bea")
    ada = sam.add_card(
        CardDraft("Ada", next_action="Send", next_action_due=TODAY), Stage.PROSPECT
    ).card_id
    rep.record(sam.complete_next_action(ada, TouchpointKind.EMAIL, TODAY, "", version(sam, ada)))
    kim.reorder_card(ada, 1)
    rep.undo()
    assert sam.card(bea).summary.position < sam.card(ada).summary.position
    assert next_action(sam, ada) == ("Send", TODAY)
    kim.update_card(ada, CardDraft("Ada Lee"), version(sam, ada))
    with pytest.raises(StoreError, match=r"^Ada Lee was changed elsewhere since; it was not made"):
        rep.redo()  # a redo refused is not "changed back"


def test_a_touchpoint_undone_never_masks_anothers_edit_nor_reaches_a_moved_cadence(
    sam: PipelineService, clock: Clock
) -> None:
    """Review of touchpoint undo: undoing it re-based the rep's older change onto the
    card's version, so that change then went over another writer's edit unseen; a
    move the same day restarted the cadence from that day, which undo then took for
    the touchpoint's and set back; and an archived card was written to."""
    history = UndoHistory()
    card = prospect(sam)
    mine = sam.update_card(card, CardDraft("Ada", organisation="Mine"), version(sam, card))
    history.record(mine)
    history.record(sam.log_touchpoint(card, TouchpointKind.CALL, TODAY, "x"))
    PipelineService(sam.database, "kim").update_card(
        card, CardDraft("Ada", organisation="Theirs"), version(sam, card)
    )
    for _ in range(2):
        change = history.next_undo()
        assert change is not None
        try:
            history.undone(change, sam.revert(change))
        except StoreError:
            break
    assert sam.card(card).summary.organisation == "Theirs"

    client = prospect(sam, "Chen")
    sam.move_card(client, Stage.CLIENT)
    clock.day = TODAY + timedelta(days=5)
    logged = sam.log_touchpoint(client, TouchpointKind.CALL, clock.day, "x")
    sam.move_card(client, Stage.REPEAT)  # the same day, from the shell
    sam.revert(logged)
    where = sam.card(client).cadence
    assert where is not None and where.due == clock.day + timedelta(days=30)

    again = sam.log_touchpoint(card, TouchpointKind.CALL, TODAY, "y")
    sam.archive_card(card, ArchiveReason.LOST)
    with pytest.raises(StoreError, match="archived since"):
        sam.revert(again)


def test_undone_out_of_order_the_cadence_counts_from_the_contacts_left(
    sam: PipelineService, clock: Clock
) -> None:
    """Sam marks the check-in done, Kim logs a call, Sam undoes his x, Kim undoes her
    call: no contact is left, yet the check-in stayed counted from Kim's day (her undo
    found the cadence at another step than she had logged at, and left it)."""
    kim = PipelineService(sam.database, "kim", clock=clock, cadences=sam.cadences)
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    check_in = next_action(sam, card)
    clock.day = TODAY + timedelta(days=7)
    marked = sam.complete_next_action(
        card, TouchpointKind.MEETING, clock.day, "", version(sam, card)
    )
    called = clock.day + timedelta(days=2)
    kims = kim.log_touchpoint(card, TouchpointKind.CALL, called, "Kim called")
    sam.revert(marked)
    assert next_action(sam, card) == ("check in after delivery", called + timedelta(days=7))
    kim.revert(kims)
    assert sam.card(card).touchpoints == ()
    assert next_action(sam, card) == check_in
    where = sam.card(card).cadence
    assert where is not None and (where.number, where.due) == (1, check_in[1])


def test_a_contact_taken_back_counts_the_step_from_the_contacts_left(
    sam: PipelineService, clock: Clock
) -> None:
    """Two calls logged, the later one taken back after a step done and undone: the
    step counts from the earlier call, not from the start of the stage."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    first = TODAY + timedelta(days=3)
    sam.log_touchpoint(card, TouchpointKind.CALL, first, "First call")
    clock.day = TODAY + timedelta(days=5)
    second = sam.log_touchpoint(card, TouchpointKind.CALL, clock.day, "Second call")
    marked = sam.complete_next_action(card, TouchpointKind.EMAIL, clock.day, "", version(sam, card))
    sam.revert(marked)
    sam.revert(second)
    assert next_action(sam, card) == ("check in after delivery", first + timedelta(days=7))


def _done_for_a_day_before_a_call(sam: PipelineService, clock: Clock) -> tuple[int, date]:
    """The check-in ticked off for Monday after Wednesday's call was logged."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    clock.day = TODAY + timedelta(days=9)
    called = TODAY + timedelta(days=9)
    sam.log_touchpoint(card, TouchpointKind.CALL, called, "Called")
    monday = TODAY + timedelta(days=7)
    sam.complete_next_action(card, TouchpointKind.MEETING, monday, "", version(sam, card))
    return card, called


@pytest.mark.parametrize("then", ["a value set and undone", "a touchpoint logged and undone"])
def test_a_step_done_for_a_day_before_a_contact_counts_from_the_contact_whatever_is_undone(
    sam: PipelineService, clock: Clock, then: str
) -> None:
    """Review of the recount: marking a step done counted the next from the day it was
    done for, the recount from the later call, so any undo on the card (even of its
    value) moved the step by two days. The latest contact counts from the start."""
    card, called = _done_for_a_day_before_a_call(sam, clock)
    shown = next_action(sam, card)
    assert shown == ("ask for a referral", called + timedelta(days=23))
    if then == "a value set and undone":
        sam.revert(sam.set_value(card, Decimal("100")))
    else:
        sam.revert(sam.log_touchpoint(card, TouchpointKind.EMAIL, called, ""))
    assert next_action(sam, card) == shown


def test_a_day_the_rep_gave_a_step_stays_through_an_unrelated_undo(
    sam: PipelineService, clock: Clock
) -> None:
    card, _ = _done_for_a_day_before_a_call(sam, clock)
    (step,) = [a for a in sam.activities(card) if a.text == "ask for a referral"]
    chosen = TODAY + timedelta(days=45)
    sam.edit_activity(step.id, None, step.text, chosen, None, version(sam, card))
    sam.revert(sam.set_value(card, Decimal("100")))
    assert next_action(sam, card) == ("ask for a referral", chosen)


def test_a_step_done_undone_and_redone_is_due_where_it_was(
    sam: PipelineService, clock: Clock
) -> None:
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    called = TODAY + timedelta(days=9)
    sam.log_touchpoint(card, TouchpointKind.CALL, called, "Called")
    marked = sam.complete_next_action(
        card, TouchpointKind.MEETING, TODAY + timedelta(days=7), "", version(sam, card)
    )
    shown = next_action(sam, card)
    undone = sam.revert(marked)
    assert undone.inverse is not None
    sam.revert(undone.inverse)
    assert next_action(sam, card) == shown


def test_a_contact_a_teammate_dated_after_the_move_counts_from_the_start(
    sam: PipelineService, clock: Clock
) -> None:
    """Kim, a time zone ahead, logs a call on her today (Sam's tomorrow); Sam then makes
    the card a client: the check-in counts from her call, and stays there when an
    unrelated change is undone."""
    kim = PipelineService(sam.database, "kim", clock=clock, cadences=sam.cadences)
    card = prospect(sam)
    tomorrow = TODAY + timedelta(days=1)
    kim.log_touchpoint(card, TouchpointKind.CALL, tomorrow, "Kim called")
    sam.move_card(card, Stage.CLIENT)
    assert next_action(sam, card) == ("check in after delivery", tomorrow + timedelta(days=7))
    sam.revert(sam.set_value(card, Decimal("100")))
    assert next_action(sam, card) == ("check in after delivery", tomorrow + timedelta(days=7))


def test_a_touchpoint_deleted_from_the_timeline_takes_its_day_and_source_and_comes_back(
    sam: PipelineService, clock: Clock
) -> None:
    """A call logged on the wrong client last week, found today: deleting it takes back
    the check-in day it pushed and the source it set; undo puts all back, redo deletes
    it again. The card's version stays (an open edit of it is not refused)."""
    card = prospect(sam)
    sam.move_card(card, Stage.CLIENT)
    check_in = next_action(sam, card)
    called = TODAY + timedelta(days=3)
    sam.add_touchpoint(card, TouchpointKind.CALL, called, "Wrong client")
    emailed = TODAY + timedelta(days=2)
    sam.add_touchpoint(card, TouchpointKind.EMAIL, emailed, "Sent the invoice")
    assert sam.card(card).source is TouchpointKind.CALL  # the first logged
    before = version(sam, card)
    (call,) = [t for t in sam.card(card).touchpoints if t.kind is TouchpointKind.CALL]

    deleted = sam.delete_touchpoint(card, call.id)

    assert deleted.description.startswith("Deleted the call on ")
    assert [t.summary for t in sam.card(card).touchpoints] == ["Sent the invoice"]
    assert sam.card(card).source is TouchpointKind.EMAIL
    assert next_action(sam, card) == (check_in[0], emailed + timedelta(days=7))
    assert version(sam, card) == before
    undone = sam.revert(deleted)
    assert {t.summary for t in sam.card(card).touchpoints} == {"Wrong client", "Sent the invoice"}
    assert next_action(sam, card) == (check_in[0], called + timedelta(days=7))
    assert undone.inverse is not None
    sam.revert(undone.inverse)
    assert [t.summary for t in sam.card(card).touchpoints] == ["Sent the invoice"]
    assert next_action(sam, card) == (check_in[0], emailed + timedelta(days=7))
    with pytest.raises(StoreError, match="no longer exists"):
        sam.delete_touchpoint(card, call.id)
