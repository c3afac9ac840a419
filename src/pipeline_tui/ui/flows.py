"""Pipeline rules as the rep meets them, shared by the board and the card screen.

Qualifying (the checklist), moving a lead on to prospect (checklist first if it is
incomplete; a lead that fails is asked about, never silently blocked), referring
(a new lead from a client), setting a card's next action or logging a touchpoint
from the board, and working a list of steps in place (the week, the stand-up): a step
done, then the next asked for; a step snoozed. Each runs inside a worker, as it waits
for dialogs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any

from textual.screen import Screen

from pipeline_tui.domain.agenda import kind_for_activity
from pipeline_tui.domain.cards import CardDraft, CardSummary
from pipeline_tui.domain.dates import describe_day
from pipeline_tui.domain.drafts import DraftKey, Editor, StepKept
from pipeline_tui.domain.nurture import research_action
from pipeline_tui.domain.qualification import CriterionAnswer, Qualification
from pipeline_tui.domain.referrals import check_can_refer
from pipeline_tui.domain.schedule import Activity, ActivityKind
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import ConflictError, StoreError
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.drafts import recorder_for
from pipeline_tui.ui.key_order import hold_keys, nothing_held
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.next_action import (
    NextAction,
    NextActionScreen,
    describe_next_action,
    say_what_the_kept_change_did,
)
from pipeline_tui.ui.screens.qualification import QualificationScreen
from pipeline_tui.ui.screens.snooze import Snooze, SnoozeDateScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointAnswer, TouchpointScreen


@dataclass(frozen=True)
class MoveOutcome:
    """Go ahead with lead -> prospect; `note` is set when the rep overrode a failing lead."""

    met: int
    note: str = ""


async def qualify(
    screen: Screen[Any], backend: Backend, card_id: int, name: str
) -> tuple[Qualification | None, Callable[[], None]]:
    """Open the checklist; the saved checklist, or None if the rep left without saving.
    Also what lets go the keys typed after the save (or park) that closed it, to call
    once the screen shows what they act on (the card re-read, the lead gone)."""
    saved, _, release_keys = await _checklist(screen, backend, card_id, name)
    return saved, release_keys


async def _checklist(
    screen: Screen[Any], backend: Backend, card_id: int, name: str
) -> tuple[Qualification | None, date | None, Callable[[], None]]:
    """The checklist as `qualify` opens it; also the day the lead was parked until from
    it (None: not parked), and what lets go the keys held since it closed."""
    release_keys = hold_keys(screen)  # "Q" then "yyyy" typed at once answer the checklist
    try:
        current = await backend.run(backend.service.qualification, card_id)
        card = await backend.run(backend.service.summary, card_id)
    except StoreError as error:
        release_keys()
        screen.notify(str(error), severity="error", markup=False)
        return None, None, nothing_held
    recorder = await recorder_for(backend, DraftKey.on_card(Editor.QUALIFICATION, card_id))
    # The card as the rep saw it when the checklist opened: parking or a research action
    # is refused if someone changed the card since (the checklist's answers are not the
    # card's, so saving them keeps this version).
    version = card.version if card is not None else 0
    next_action = card.next_action if card is not None else ""

    async def park(until: date) -> None:
        nonlocal version, next_action
        try:
            await backend.change(
                backend.service.park, card_id, until, version, today=backend.today()
            )
        except ConflictError:
            # Refused, and the checklist shows nothing of the card: enter again refused
            # again, for as long as it stayed open. Told once, the rep parks the card
            # as it is now.
            now = await backend.run(backend.service.summary, card_id)
            if now is None:
                raise
            # `f` on the checklist asks before replacing the next action as it is now.
            version, next_action = now.version, now.next_action
            step = (
                f" (its next action now: {clean_line(now.next_action)})" if now.next_action else ""
            )
            raise ConflictError(
                f"{clean_line(name)} was changed elsewhere since the checklist opened{step}; "
                "it was not parked. Enter parks it as it is now."
            ) from None

    async def find_out(criterion: str) -> str | None:
        nonlocal version, next_action
        action = research_action(criterion)
        if next_action and next_action != action:
            # One next action a card: the rep's plan is not overwritten unasked, and a
            # research step glued onto it would read as neither.
            question: ChoiceScreen[bool] = ChoiceScreen(
                f"{clean_line(name)}'s next action is: {clean_line(next_action)}. "
                f"Replace it, due today, with: {action}",
                [("y", "Replace it", True), ("n", "Keep it", False)],
            )
            if not await screen.app.push_screen_wait(question):
                return None
        change = await backend.change(
            backend.service.set_next_action, card_id, action, backend.today(), version
        )
        if change is not None:
            version, next_action = change.version_after, action
        return f"Next action, due today: {action}"

    seen = current

    async def save(answers: dict[str, CriterionAnswer]) -> Qualification:
        # Against the checklist as the rep saw it: an answer someone else changed
        # meanwhile is not overwritten. The refusal names it; saving again, having
        # seen it, goes through.
        nonlocal seen
        try:
            saved = await backend.kept(
                f"The checklist answers for {clean_line(name)}",
                card_id,
                backend.service.save_qualification,
                card_id,
                answers,
                seen,
            )
        except ConflictError as error:
            if isinstance(error.current, Qualification):
                seen = error.current
            raise
        seen = saved
        return saved

    checklist = QualificationScreen(
        name, current, save, recorder, park=park, find_out=find_out, today=backend.today
    )
    answered = screen.app.push_screen(checklist, wait_for_dismiss=True)
    release_keys()
    saved = await answered
    return saved, checklist.parked_until, checklist.held_keys or nothing_held


async def qualify_for_prospect(
    screen: Screen[Any], backend: Backend, card_id: int, name: str
) -> tuple[MoveOutcome | None, Callable[[], None]]:
    """Whether (and how) a lead may move on to prospect; None means it stays a lead.
    Also what lets go the keys typed after the checklist's save (or park) that closed
    it, to call once the board shows what they act on (the card moved, or not)."""
    release_keys = hold_keys(screen)
    try:
        current = await backend.run(backend.service.qualification, card_id)
    except StoreError as error:
        screen.notify(str(error), severity="error", markup=False)
        return None, nothing_held
    finally:
        release_keys()
    held_keys = nothing_held
    if not current.is_complete:
        saved, parked, held_keys = await _checklist(screen, backend, card_id, name)
        if saved is None or parked is not None:
            # Escape on the checklist: the move is called off, nothing changed; parked
            # "not yet": it stays a lead, off the board until then.
            return None, held_keys
        current = saved
    if current.passes:
        return MoveOutcome(current.met), held_keys
    missing = ", ".join(current.failed)
    question = (
        f"{clean_line(name)} meets {current.score} criteria (not: {missing}). "
        "Move to Prospect anyway? The override is recorded in the stage history."
    )
    choice: ChoiceScreen[bool] = ChoiceScreen(
        question, [("y", "Move anyway", True), ("n", "Keep as lead", False)]
    )
    # "yyyn", ctrl+s, "y" in one read: the "y" answers this question, not the board
    # (held since ctrl+s, let go once the question is there to take it).
    answer = screen.app.push_screen(choice, wait_for_dismiss=True)
    held_keys()
    if await answer:
        return MoveOutcome(current.met, current.override_note()), nothing_held
    return None, nothing_held


def refer(
    screen: Screen[Any],
    backend: Backend,
    referrer: CardSummary,
    done: Callable[[int], object],
) -> None:
    """The card form for a new lead referred by `referrer` (a client or repeat client)."""
    problem = check_can_refer(clean_line(referrer.name), referrer.stage)
    if problem:
        screen.notify(problem, timeout=3, markup=False)
        return
    screen.run_worker(_refer(screen, backend, referrer, done, hold_keys(screen)), group="db")


async def _refer(
    screen: Screen[Any],
    backend: Backend,
    referrer: CardSummary,
    done: Callable[[int], object],
    release_keys: Callable[[], None],
) -> None:
    try:
        key = DraftKey.on_card(Editor.REFERRAL, referrer.id)
        recorder = await recorder_for(backend, key)

        async def add(draft: CardDraft, version: int | None) -> None:
            change = await backend.change(
                backend.service.refer, referrer.id, draft, backend.today()
            )
            if change is not None:
                done(change.card_id)

        title = f"New lead referred by {clean_line(referrer.name)}"
        form = CardFormScreen(title, None, add, backend.today, recorder=recorder)
        screen.app.push_screen(form)
    finally:
        release_keys()


async def set_next_action(
    screen: Screen[Any],
    backend: Backend,
    card: CardSummary,
    held_keys: Callable[[], None] | None = None,
    *,
    adding: bool = False,
    activity: tuple[int | None, time | None] = (None, None),
    then: Callable[[], Awaitable[None]] | None = None,
) -> bool:
    """The next-action dialog for `card` (`f` on the board), as the card screen opens it:
    drafted while typed, saved (and undoable) against the card as the rep saw it, and
    kept open with the newer version shown when someone else changed it meanwhile.
    Whether anything was saved. `held_keys` releases keys the caller already holds
    (typed after `x`, say): they are let go once the dialog is there to take them.
    `adding`: the dialog opens empty and schedules one more step (after one was done:
    a step still planned is kept, not overwritten); nothing typed adds nothing.
    `activity`: the id and time of the scheduled activity `card` shows (a line of the
    week), which the dialog changes, rather than the card's earliest. `then`: once
    saved, show what changed (a list read again) before the keys typed after the save
    go on: they act on what the list shows then, as they would typed a moment later."""
    activity_id, due_time = activity
    release_keys = held_keys or hold_keys(screen)
    try:
        # The step the dialog changes, which its draft names (drafts.STEP): the line's,
        # or the earliest planned, which is what set_next_action changes.
        step = None
        shown: tuple[str, date | None] | None = None
        try:
            current = await backend.run(backend.service.active_summary, card.id)
            if activity_id is not None or not adding:
                planned = await backend.run(backend.service.activities, card.id)
                # The line's step as it is now, read with the version the save goes
                # against: shown as the list last read it, a teammate's change to it
                # made since was saved over, unseen.
                line = _planned(planned, activity_id)
                if activity_id is not None and line is None:
                    # Done or dropped elsewhere meanwhile: the dialog sets the card's
                    # next action as it is now, as `f` on the board does, and takes the
                    # words typed after `f` ("fquo": the "u" undid on the list).
                    screen.notify(
                        f"{clean_line(card.name)}'s step on that line was done or dropped "
                        "elsewhere; this sets the card's next action as it is now.",
                        severity="warning",
                        markup=False,
                    )
                    activity_id, due_time = None, None
                if line is not None:
                    shown, due_time = (line.text, line.due), line.due_time
                else:
                    line = planned[0] if planned else None
                step = StepKept(line.id, line.text, line.due) if line is not None else None
        except StoreError as error:  # archived (or gone) in another instance meanwhile
            screen.notify(str(error), severity="error", markup=False)
            return False
        version = current.version
        key = DraftKey.on_card(Editor.NEXT_ACTION, card.id)
        recorder = await recorder_for(backend, key, version)
    finally:
        release_keys()

    async def save(answer: NextAction) -> None:
        if answer.kept_step is not None:  # a change kept for another step, taken back here
            changed = await backend.change(
                backend.service.change_kept_step,
                card.id,
                answer.kept_step,
                answer.kind,
                answer.action,
                answer.due,
                answer.due_time,
                version,
            )
            say_what_the_kept_change_did(screen, answer, changed)
            return
        if adding or answer.adding:
            if answer.action or answer.due is not None:
                await backend.change(
                    backend.service.add_activity,
                    card.id,
                    answer.kind,
                    answer.action,
                    answer.due,
                    answer.due_time,
                    version,
                )
            return
        if activity_id is not None and not answer.action and answer.due is None:
            # The dialog's "both empty clears it": the line's step is dropped.
            await backend.change(backend.service.delete_activity, activity_id, version)
            return
        if activity_id is not None:
            await backend.change(
                backend.service.edit_activity,
                activity_id,
                None,
                answer.action,
                answer.due,
                due_time if shown is not None and answer.due == shown[1] else None,
                version,
            )
            return
        await backend.change(
            backend.service.set_next_action, card.id, answer.action, answer.due, version
        )

    async def read_theirs() -> str:
        nonlocal version
        version, theirs = await next_action_now(backend, card.id)
        if activity_id is None:
            return theirs
        # The line's own step as it is now, not the card's earliest.
        line = _planned(await backend.run(backend.service.activities, card.id), activity_id)
        return describe_next_action(line.text, line.due) if line else "(done or dropped)"

    title = f"{'What next' if adding else 'Next action'} for {clean_line(current.name)}"
    action, due = shown or (current.next_action, current.next_action_due)  # or the earliest
    dialog = NextActionScreen(
        title,
        "" if adding else action,
        None if adding else due,
        backend.today,
        save=save,
        read_theirs=read_theirs,
        recorder=recorder,
        keep_keys_held=then is not None,
        adding=adding,
        step=step,
    )
    try:
        saved = await screen.app.push_screen_wait(dialog) is not None
        if saved and then is not None:
            await then()
    finally:
        if dialog.held_keys is not None:
            dialog.held_keys()
    return saved


def _planned(planned: Sequence[Activity], activity_id: int | None) -> Activity | None:
    """The step `activity_id` among those planned; None if it is not (or no id)."""
    return next((a for a in planned if a.id == activity_id), None)


async def log_touchpoint(screen: Screen[Any], backend: Backend, card: CardSummary) -> bool:
    """The touchpoint dialog for `card` (`t` on the board), drafted while typed and kept
    open, with what was typed, if the store refuses; whether a touchpoint was logged."""
    release_keys = hold_keys(screen)
    try:
        key = DraftKey.on_card(Editor.TOUCHPOINT, card.id)
        recorder = await recorder_for(backend, key)
    finally:
        release_keys()

    async def save(answer: TouchpointAnswer) -> None:
        await backend.change(
            backend.service.log_touchpoint,
            card.id,
            answer.kind,
            answer.happened_on,
            answer.summary,
        )

    title = f"Log a touchpoint with {clean_line(card.name)}"
    dialog = TouchpointScreen(title, backend.today, save=save, recorder=recorder)
    return await screen.app.push_screen_wait(dialog) is not None


async def mark_done(
    screen: Screen[Any],
    backend: Backend,
    card: CardSummary,
    release_keys: Callable[[], None],
    refresh: Callable[[], Awaitable[None]],
    activity_id: int | None = None,
    *,
    step_kind: ActivityKind | None,
) -> bool:
    """`x` on a step in a list: log it done (a touchpoint of the kind it was scheduled
    as, else what its words say: kind_for_activity, as `x` on the card and `pipeline-tui
    done` log it), show the list without it (`refresh`), then ask
    for the next step at once and show the list again. Checked against the card as the
    list showed it (`card.version`): a step changed elsewhere is not marked done unseen.
    False when the store refused (said in a toast; the caller reads its list again).
    `release_keys` lets go of the keys typed after `x`: they go to the next-step dialog.
    `activity_id`: the scheduled activity the line is (None: the card's earliest);
    `step_kind`: that step's kind as the list read it (None: not known)."""
    name = clean_line(card.name)
    kind = kind_for_activity(step_kind, card.next_action, card.stage)
    today = backend.today()
    try:
        service = backend.service
        complete, step = (
            (service.complete_activity, activity_id)
            if activity_id is not None
            else (service.complete_next_action, card.id)
        )
        await backend.change(
            complete,
            step,
            kind,
            today,
            "",
            card.version,
        )
    except StoreError as error:
        release_keys()
        screen.notify(str(error), title="Not done", severity="error", markup=False)
        return False
    except BaseException:
        release_keys()
        raise
    screen.notify(
        f"Done: {clean_line(card.next_action) or 'the next action'} "
        f"({name}, logged as {kind.label.lower()}).",
        timeout=3,
        markup=False,
    )
    await refresh()
    # Done is only half the job: the next step is asked for at once.
    if not await set_next_action(
        screen, backend, card, held_keys=release_keys, adding=True, then=refresh
    ):
        await refresh()
    return True


async def snooze(
    screen: Screen[Any],
    backend: Backend,
    card: CardSummary,
    release_keys: Callable[[], None],
    *,
    activity: tuple[int | None, time | None] = (None, None),
    then: Callable[[bool], Awaitable[None]] | None = None,
) -> bool | None:
    """`z` on a step in a list: to tomorrow, or to a day typed, the step kept as it is.
    True when snoozed, None when the rep called it off, False when the store refused
    (said in a toast). The keys typed after `z` answer the question. `activity`: the
    id and time of the scheduled activity the line is (its time of day is kept); None:
    the card's earliest. `then`: unless called off, show the list again (given whether
    the step was snoozed) before the keys typed after the answer go on: "ztjzt" in one
    read snoozes the line after the next, as typed slowly."""
    name = clean_line(card.name)
    step = clean_line(card.next_action) or "the next action"
    choice: ChoiceScreen[Snooze] = ChoiceScreen(
        f"Snooze {step} ({name}) to…",
        [("t", "Tomorrow", Snooze.TOMORROW), ("d", "A date", Snooze.A_DATE)],
        opening={Snooze.TOMORROW, Snooze.A_DATE},
    )
    answer = screen.app.push_screen(choice, wait_for_dismiss=True)
    release_keys()
    when = await answer
    held: list[Callable[[], None]] = [choice.held_keys or nothing_held]
    try:
        snoozed = await _snooze(screen, backend, card, when, f"{step} ({name})", held, activity)
        if snoozed is not None and then is not None:
            await then(snoozed)
    finally:
        for let_go in held:
            let_go()
    return snoozed


async def _snooze(
    screen: Screen[Any],
    backend: Backend,
    card: CardSummary,
    when: Snooze | None,
    what: str,
    held: list[Callable[[], None]],
    activity: tuple[int | None, time | None],
) -> bool | None:
    """The rest of `snooze`, once the rep chose `when` for `what` (the step and the
    card, as the question named them); the keys typed after an answer are held, and
    each hold put in `held`, for the caller to let go."""
    if when is None:
        return None
    if when is Snooze.TOMORROW:
        due: date | None = backend.today() + timedelta(days=1)
    else:
        ask = SnoozeDateScreen(
            f"Snooze {what}",
            card.next_action_due,
            backend.today,
            release_keys=held[0],
        )
        due = await screen.app.push_screen_wait(ask)
        held.append(ask.held_keys or nothing_held)
    if due is None:
        return None
    if due == card.next_action_due:
        # Nothing would move; written anyway, it was an undo step that undid nothing.
        screen.notify(f"Already due {describe_day(due)}: {what}.", markup=False)
        return None
    activity_id, due_time = activity
    try:
        if activity_id is not None:
            await backend.change(
                backend.service.edit_activity,
                activity_id,
                None,
                card.next_action,
                due,
                due_time,
                card.version,
            )
        else:
            await backend.change(
                backend.service.set_next_action, card.id, card.next_action, due, card.version
            )
    except StoreError as error:
        screen.notify(str(error), title="Not snoozed", severity="error", markup=False)
        return False
    screen.notify(f"Snoozed to {describe_day(due)}: {what}.", timeout=3, markup=False)
    return True


async def next_action_now(backend: Backend, card_id: int) -> tuple[int, str]:
    """After a conflict: the card's version as saved now (the next save builds on what
    the rep has now seen) and its next action, in one line."""
    now = await backend.run(backend.service.active_summary, card_id)
    return now.version, describe_next_action(now.next_action, now.next_action_due)
