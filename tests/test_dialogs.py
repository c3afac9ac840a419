"""Dialogs as a rep on any terminal uses them: the chosen option marked with a symbol (it
reads without colour), a letter jumps to an option, tabbing into a field keeps its text;
and the archive, whose cards open read-only and restore with `r`."""

from __future__ import annotations

import re
import time

import pytest
from rich.cells import cell_len
from textual import events
from textual.widget import Widget

from pipeline_tui.domain.cards import ArchivedCard, CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.keys import check_keymap
from pipeline_tui.ui.screens.archive import ArchiveScreen
from pipeline_tui.ui.screens.archived import ArchivedScreen
from pipeline_tui.ui.screens.archived_card import ArchivedCardScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.qualification import QualificationScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from pipeline_tui.ui.widgets.form_input import FormInput
from tests.conftest import TODAY
from tests.pilot import (
    burst,
    focused_card_name,
    press,
    running,
    screen_text,
    settle,
    tap,
    type_text,
    wait_for,
)


def marked(app_text: str) -> list[str]:
    """The options shown with the chosen option's mark, as the rep reads them."""
    # The option's words end at the dialog's edge: two spaces or a border, whatever
    # the screen behind shows past it.
    return [
        re.split(r"\s{2,}|[▎▊█▌▐┃│▔▁]", line.split("▶ ", 1)[1], maxsplit=1)[0].strip()
        for line in app_text.splitlines()
        if "▶ " in line
    ]


@pytest.fixture
def ada(service: PipelineService) -> int:
    service.add_card(CardDraft(name="Ben", organisation="Bikes"), Stage.LEAD)
    return service.add_card(CardDraft(name="Ada", organisation="Engines"), Stage.LEAD).card_id


# The mark and the letters ---------------------------------------------------------------


async def test_the_chosen_reason_is_marked_with_a_symbol_not_only_colour(
    service: PipelineService, ada: int
) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "a")
        assert isinstance(app.screen, ArchiveScreen)
        text = screen_text(app)
        assert marked(text) == ["Won"]
        assert "  Lost" in text  # the others keep their place, unmarked
        await press(pilot, "down")
        assert marked(screen_text(app)) == ["Lost"]
        await press(pilot, "tab")  # on to the note: the reason chosen stays marked
        assert marked(screen_text(app)) == ["Lost"]


async def test_a_letter_picks_the_reason_it_starts(service: PipelineService, ada: int) -> None:
    async with running(service) as (app, pilot):
        await press(pilot, "a", "d")
        assert marked(screen_text(app)) == ["Duplicate"]
        await press(pilot, "enter")
        assert not isinstance(app.screen, ArchiveScreen)
    assert service.card(ada).archive_reason is ArchiveReason.DUPLICATE


async def test_a_letter_keeps_the_highlighted_kind_then_goes_round_the_others(
    service: PipelineService, ada: int
) -> None:
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "enter", "t")
        assert isinstance(app.screen, TouchpointScreen)
        assert marked(screen_text(app)) == ["Call"]
        seen = []
        for _ in range(3):
            await press(pilot, "c")
            seen += marked(screen_text(app))
        # The highlighted kind first: "c, enter" is a call (it was Content read).
        assert seen == ["Call", "Content read", "Conversation"]
        await press(pilot, "s", "s")  # Social, then Sample
        assert marked(screen_text(app)) == ["Sample / trial"]
        await press(pilot, "enter")  # the kind chosen: on to what happened
        await type_text(pilot, "Tried the starter box")
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    [touchpoint] = service.card(ada).touchpoints
    assert touchpoint.kind is TouchpointKind.SAMPLE


async def test_a_checklist_comment_too_long_for_its_line_wraps_under_itself(
    service: PipelineService, ada: int
) -> None:
    """At 60 columns the end of a long comment went back to the dialog's left edge,
    under the answers, where it read as a criterion of its own."""
    comment = "They said the warehouse team is short-staffed until the spring"
    async with running(service, (60, 20)) as (app, pilot):
        await tap(pilot, "Q")
        assert isinstance(app.screen, QualificationScreen)
        await tap(pilot, "c")
        await type_text(pilot, comment)
        await tap(pilot, "enter")  # keeps the comment
        lines = screen_text(app).splitlines()
        first = next((n for n, line in enumerate(lines) if "They said" in line), None)
        assert first is not None, "\n".join(lines)
        column = lines[first].index("They said")
        wrapped = lines[first + 1].strip("█▌▐ ")
        assert wrapped and comment.endswith(wrapped), "\n".join(lines)
        assert lines[first + 1].index(wrapped) == column, "\n".join(lines)


async def test_checklist_letters_still_answer_and_the_free_ones_jump(
    service: PipelineService, ada: int
) -> None:
    async with running(service, (100, 30)) as (app, pilot):
        await tap(pilot, "Q")
        assert isinstance(app.screen, QualificationScreen)
        assert any("can afford it" in option for option in marked(screen_text(app)))
        await tap(pilot, "v")  # "values and goals align"
        assert any("values and goals" in option for option in marked(screen_text(app)))
        await tap(pilot, "y")  # y still answers yes, as it always did
        await tap(pilot, "h", "n")  # "has a track record ..." answered no
        await tap(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, QualificationScreen)
    q = service.qualification(ada)
    answers = {criterion: q.answer(criterion).answer for criterion in q.criteria}
    assert answers["values and goals align"] is Answer.YES
    assert answers["has a track record of following through"] is Answer.NO
    assert answers["can afford it"] is Answer.UNKNOWN


# Enter on the kinds, then what happened, in one read ---------------------------------


@pytest.mark.parametrize(
    ("where", "keys", "kind", "summary"),
    [
        # The first letter went to the kinds: "alled her back", and "s" picked Social.
        ("card", ["t", "enter"], TouchpointKind.CALL, "Called her back"),
        ("card", ["t", "enter"], TouchpointKind.CALL, "sent the deck"),
        ("card", ["enter"], TouchpointKind.CALL, "met for [b]coffee[/b]"),
        ("board", ["t", "enter"], TouchpointKind.CALL, "met for [b]coffee[/b]"),
        ("board", ["enter"], TouchpointKind.CALL, "emailed the brochure"),
    ],
)
async def test_every_key_after_enter_on_the_kinds_goes_into_what_happened(
    service: PipelineService,
    ada: int,
    where: str,
    keys: list[str],
    kind: TouchpointKind,
    summary: str,
) -> None:
    """Over SSH "t", enter and the line arrive in one read (or enter and the line, `t`
    sent on its own): the hint says "enter next", and every letter after it is the
    line's, even one that starts a kind (s, m, c, e)."""
    async with running(service, (80, 24)) as (app, pilot):
        if where == "card":
            await press(pilot, "enter")
            assert isinstance(app.screen, CardScreen)
        if keys[0] != "t":
            await tap(pilot, "t")
            assert isinstance(app.screen, TouchpointScreen)
        await burst(pilot, *keys, *summary, "enter", dialog=True)
        await wait_for(
            pilot, lambda: service.card(ada).touchpoints, "the touchpoint saved", dialog=True
        )
        assert not isinstance(app.screen, TouchpointScreen)
    assert [(t.kind, t.summary) for t in service.card(ada).touchpoints] == [(kind, summary)]


async def test_after_x_on_the_card_enter_on_the_kinds_and_the_words_go_into_what(
    service: PipelineService, ada: int
) -> None:
    """`x` (Done) opens the same dialog, its line filled in: what is typed after enter
    on the kinds is added to it, not taken by the kinds."""
    service.schedule_next(ada, "Call Ada back", TODAY)
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
        await tap(pilot, "x")
        assert isinstance(app.screen, TouchpointScreen)
        await burst(pilot, "enter", *"; sent the deck", "enter", dialog=True)
        await wait_for(
            pilot, lambda: service.card(ada).touchpoints, "the touchpoint saved", dialog=True
        )
        assert isinstance(app.screen, NextActionScreen)  # what's next, as always after x
    [touchpoint] = service.card(ada).touchpoints
    assert (touchpoint.kind, touchpoint.summary) == (
        TouchpointKind.CALL,
        "Done: Call Ada back; sent the deck",
    )


async def test_escape_in_a_checklist_comment_keeps_what_was_typed(
    service: PipelineService, ada: int
) -> None:
    """A comment typed, then escape to leave the field (as a rep leaves any field): the
    comment was thrown away without a word, though the draft had it while typed, and a
    note typed in the archive dialog asks first. Escape now leaves the comment as enter
    does; escape on the checklist then asks before anything is discarded."""
    comment = "CFO confirmed forty thousand for the first quarter"
    async with running(service, (100, 30)) as (app, pilot):
        await tap(pilot, "Q")
        assert isinstance(app.screen, QualificationScreen)
        await tap(pilot, "c")
        await type_text(pilot, comment)
        await tap(pilot, "escape")
        assert isinstance(app.screen, QualificationScreen)
        assert comment in screen_text(app)
        await tap(pilot, "ctrl+s")
        await wait_for(
            pilot,
            lambda: not isinstance(app.screen, QualificationScreen),
            "the checklist saved",
            dialog=True,
        )
    assert service.qualification(ada).answer("can afford it").comment == comment


@pytest.mark.parametrize("where", ["board", "card"])
async def test_a_comment_typed_with_the_enter_on_a_criterion_goes_into_the_comment(
    service: PipelineService, ada: int, where: str
) -> None:
    """Enter on a criterion opens its comment: the letters typed with that enter went
    to the criteria (jumping about, and y / n / u answering them), and a key typed
    with the enter that keeps the comment went into the comment."""
    async with running(service, (100, 30)) as (app, pilot):
        if where == "card":
            await press(pilot, "enter")
            assert isinstance(app.screen, CardScreen)
        await tap(pilot, "Q")
        assert isinstance(app.screen, QualificationScreen)
        await burst(pilot, "enter", *"tight budget", "enter", "y", "ctrl+s", dialog=True)
        await wait_for(
            pilot,
            lambda: not isinstance(app.screen, QualificationScreen),
            "the checklist saved",
            dialog=True,
        )
    q = service.qualification(ada)
    given = q.answer("can afford it")
    assert (given.answer, given.comment) == (Answer.YES, "tight budget")
    others = [q.answer(criterion).answer for criterion in q.criteria[1:]]
    assert others == [Answer.UNKNOWN] * len(others)


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
        # The dialog's own guess, selected: a day typed replaces it.
        assert isinstance(when, FormInput) and when.selected_text == "today"
        await type_text(pilot, "mon")
        await press(pilot, "tab", "shift+tab")  # a day of the rep's stays
        assert when.selection.is_empty and when.value == "mon"
        await press(pilot, "enter")
        assert isinstance(app.screen, CardScreen)
    [touchpoint] = service.card(ada).touchpoints
    assert touchpoint.summary == "Called back"


# A line longer than its field -----------------------------------------------------------

LONG_LINE = " and then one two three four five six seven eight nine ten fourteen END"


def field_line(app_text: str, label: str) -> str:
    """The screen line of the field after `label`, as far as the dialog's border."""
    [line] = [line for line in app_text.splitlines() if f"█ {label} " in line]
    return line.split(f"█ {label} ", 1)[1].rsplit("█", 1)[0]


def cursor_in_sight(field: FormInput) -> bool:
    """Whether the cell the field draws its cursor in lies within the row it sits in."""
    x = field.content_region.x + cell_len(field.value[: field.cursor_position])
    row = field.parent
    assert isinstance(row, Widget)
    return row.content_region.contains(x - round(field.scroll_x), field.content_region.y)


@pytest.mark.parametrize("size", [(80, 24), (160, 45)])
async def test_a_long_next_action_scrolls_to_show_its_end_and_the_cursor(
    service: PipelineService, ada: int, size: tuple[int, int]
) -> None:
    # The field sits after its label: its end and the cursor must not scroll past the
    # dialog's edge, at home, end and after a deletion alike.
    service.schedule_next(ada, "Call", TODAY)
    async with running(service, size) as (app, pilot):
        await tap(pilot, "f")
        field = app.focused
        assert isinstance(app.screen, NextActionScreen) and isinstance(field, FormInput)
        await type_text(pilot, LONG_LINE)
        assert field.value == "Call" + LONG_LINE
        shown = field_line(screen_text(app), "Next action")
        assert shown.rstrip().endswith("fourteen END"), shown
        assert cursor_in_sight(field)
        await tap(pilot, "home")
        assert field_line(screen_text(app), "Next action").lstrip().startswith("Call and then")
        await tap(pilot, "end", "backspace", "backspace", "backspace", "left")
        shown = field_line(screen_text(app), "Next action")
        assert shown.rstrip().endswith("ten fourteen"), shown
        assert cursor_in_sight(field)


async def test_a_long_touchpoint_line_pasted_shows_its_end(
    service: PipelineService, ada: int
) -> None:
    async with running(service, (80, 24)) as (app, pilot):
        await tap(pilot, "t")
        assert isinstance(app.screen, TouchpointScreen)
        await burst(pilot, "enter", *"Called", dialog=True)
        field = app.focused
        assert isinstance(field, FormInput) and field.id == "summary"
        pasted = LONG_LINE.replace(" ten ", " ten\n")  # joined, as a field keeps it
        paste = events.Paste(pasted)
        paste.set_sender(app)
        app.post_message(paste)
        whole = "Called" + FormInput.one_line(pasted)
        await wait_for(pilot, lambda: field.value == whole, "the paste", dialog=True)
        shown = field_line(screen_text(app), "What")
        assert shown.rstrip().endswith("fourteen END"), shown
        assert cursor_in_sight(field)


# The archive -----------------------------------------------------------------------------


@pytest.fixture
def archived_ada(service: PipelineService, ada: int) -> int:
    service.update_card(
        ada,
        CardDraft(
            name="Ada",
            organisation="Engines",
            email="ada@engines.example",
            phone="+44 20 7946 0000",
            next_action="Send the revised quote",
        ),
        service.card(ada).version,
    )
    service.add_note(ada, NoteKind.PROBLEM, "Quotes take them a week.")
    service.move_card(ada, Stage.PROSPECT)
    service.archive_card(ada, ArchiveReason.LOST, "went with a cheaper supplier")
    return ada


async def test_enter_in_the_archive_opens_the_card_read_only(
    service: PipelineService, archived_ada: int
) -> None:
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "A")
        assert isinstance(app.screen, ArchivedScreen)
        await press(pilot, "enter")
        assert isinstance(app.screen, ArchivedCardScreen)
        text = screen_text(app)
        for shown in (
            "Ada",
            "Engines",
            "from Prospect",
            "Lost: went with a cheaper supplier",
            "ada@engines.example",
            "+44 20 7946 0000",
            "Send the revised quote",
            "Quotes take them a week.",
        ):
            assert shown in text, shown
        await press(pilot, "e", "n", "a")  # nothing edits an archived card
        assert isinstance(app.screen, ArchivedCardScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ArchivedScreen)
        assert "Ada" in screen_text(app)
    assert service.card(archived_ada).archived_at is not None


async def test_the_archive_at_80_columns_keeps_a_long_name_whole_before_its_note(
    service: PipelineService,
) -> None:
    # Names told apart by their end ("... 00134", "... 00135") were cut at 20 cells to
    # leave room for the note: the rows read alike.
    for number in ("00134", "00135"):
        card = service.add_card(
            CardDraft(f"Christopher Montgomery-Smythe {number}", organisation="Lee Bakery")
        ).card_id
        service.archive_card(card, ArchiveReason.LOST, "went with a cheaper supplier")
    async with running(service, (80, 24)) as (app, pilot):
        await press(pilot, "A")
        assert isinstance(app.screen, ArchivedScreen)
        text = screen_text(app)
        assert "Christopher Montgomery-Smythe 00134" in text
        assert "Christopher Montgomery-Smythe 00135" in text
        assert "Lost" in text


async def test_r_in_the_card_view_restores_it_to_the_board(
    service: PipelineService, archived_ada: int
) -> None:
    async with running(service, (100, 30)) as (app, pilot):
        assert "Ada" not in screen_text(app)
        await press(pilot, "A", "enter", "r")
        assert isinstance(app.screen, ArchivedScreen)
        assert "Nothing archived" in screen_text(app)
        await press(pilot, "escape")
        assert "Prospect · 1" in screen_text(app)
        assert focused_card_name(app) == "Ada"
    card = service.card(archived_ada)
    assert card.archived_at is None and card.summary.stage is Stage.PROSPECT


async def test_a_letter_in_the_archive_jumps_by_the_cards_name(service: PipelineService) -> None:
    for name in ("Ada", "Ben", "Bea", "Cy"):
        card = service.add_card(CardDraft(name=name), Stage.LEAD).card_id
        service.archive_card(card, ArchiveReason.WON)
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "A")
        seen = []
        for _ in range(3):
            await press(pilot, "b")
            [row] = [line for line in screen_text(app).splitlines() if "▶ " in line]
            seen.append(row.split("▶ ", 1)[1].split()[1])  # after the day it was archived
        assert sorted(seen[:2]) == ["Bea", "Ben"] and seen[2] == seen[0]  # round again
        await press(pilot, "r")
        assert seen[0] not in screen_text(app)
    assert sorted(c.name for c in service.archived()) == sorted(
        {"Ada", "Ben", "Bea", "Cy"} - {seen[0]}
    )


async def test_j_and_k_move_in_the_archive_as_in_every_other_list(
    service: PipelineService,
) -> None:
    names = ("Bea", "Cy", "Ann")  # no J or K: a jump by letter would stay put
    for name in names:
        card = service.add_card(CardDraft(name=name), Stage.LEAD).card_id
        service.archive_card(card, ArchiveReason.WON)

    def rows() -> list[str]:
        """The names listed, top first, and the marked one's."""
        lines = screen_text(app).splitlines()
        return [word for line in lines for word in line.split() if word in names]

    def marked() -> str:
        [row] = [line for line in screen_text(app).splitlines() if "▶ " in line]
        return row.split("▶ ", 1)[1].split()[1]  # after the day it was archived

    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "A")
        order = rows()
        assert sorted(order) == sorted(names) and marked() == order[0]
        await press(pilot, "j", "j")
        assert marked() == order[2]
        await press(pilot, "k")
        assert marked() == order[1]
        await press(pilot, "a")
        assert marked() == "Ann"  # a letter left free still jumps by name
        await press(pilot, "question_mark")
        text = screen_text(app)
        assert "Next card" in text and "Previous card" in text
        assert "The next card whose name starts with it" in text


async def test_the_archive_keys_are_listed_and_can_be_rebound(
    service: PipelineService, archived_ada: int
) -> None:
    assert check_keymap({"archived.restore": "R", "archived_card.restore": "R"}) == []
    async with running(service, (100, 30)) as (app, pilot):
        await press(pilot, "A")
        assert "Open" in screen_text(app) and "Restore" in screen_text(app)  # the footer
        await press(pilot, "enter", "question_mark")
        assert "Restore the card to the top of its stage" in screen_text(app)
        await press(pilot, "escape", "escape", "question_mark")
        assert "Open the card, read-only" in screen_text(app)


async def test_a_and_enter_in_one_burst_open_the_card(
    service: PipelineService, archived_ada: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Over SSH "A" and enter can arrive together: enter waits for the list to be read,
    # however long the store takes.
    read_archive = service.archived

    def slow_archive() -> list[ArchivedCard]:
        time.sleep(0.3)
        return read_archive()

    monkeypatch.setattr(service, "archived", slow_archive)
    async with running(service, (100, 30)) as (app, pilot):
        for key, character in (("A", "A"), ("enter", "\r")):
            event = events.Key(key, character)
            event.set_sender(app)
            app.post_message(event)
        await settle(pilot)
        assert isinstance(app.screen, ArchivedCardScreen)
        assert "Lost: went with a cheaper supplier" in screen_text(app)


async def test_a_questions_answers_fill_whole_lines_at_any_width() -> None:
    """Each line holds whole answers; one wider than the line is cut, not wrapped into
    rows the widget did not count (the answers after it were lost)."""
    from textual.app import App, ComposeResult

    from pipeline_tui.ui.seams import screen_lines
    from pipeline_tui.ui.widgets.answers import Answers

    answers = [("s", "Save and leave"), ("d", "Discard them"), ("escape", "never mind")]

    class Question(App[None]):
        def compose(self) -> ComposeResult:
            yield Answers(answers)

    for width, rows in ((80, 1), (40, 2), (14, 3)):
        app = Question()
        async with app.run_test(size=(width, 10)) as pilot:
            await pilot.pause()
            lines = [line.rstrip() for line in screen_lines(app.screen)][:rows]
            assert app.query_one(Answers).size.height == rows, (width, lines)
            assert "escape never" in lines[-1], (width, lines)
            assert all(line.count(" never") <= 1 for line in lines)
