"""ctrl+e (the rep's own editor) and y (copy the email, then the phone) in the app.

The editor is a fake script given as $EDITOR: it changes the file it is handed, as a
rep would, and the test checks what the app saved and shows.
"""

from __future__ import annotations

import stat
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import TextArea

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.drafts import DraftKey
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.screens.note_kind import NoteKindScreen
from tests.pilot import (
    burst,
    look,
    make_app,
    notification_messages,
    press,
    screen_text,
    settle,
    type_text,
)


@pytest.fixture
def ada(service: PipelineService) -> int:
    draft = CardDraft(
        name="Ada", organisation="Engines", email="ada@engines.example", phone="+44 20 7946 0000"
    )
    return service.add_card(draft, Stage.LEAD).card_id


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    path = tmp_path / "fake-editor"
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(path))
    # The file the editor is handed, and kept when it fails, goes in the test's folder.
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)


def notes(service: PipelineService, card_id: int) -> list[tuple[NoteKind, str]]:
    return [(n.kind, n.body) for n in service.card(card_id).notes]


async def test_ctrl_e_in_the_note_editor_saves_what_the_editor_wrote(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Appends a paragraph after a blank line, as a rep would (the file it is handed
    # ends with a newline), and ends the file with a newline, as vi does.
    editor(tmp_path, monkeypatch, 'printf "\\nThey quote by fax.\\n" >> "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "p")
        assert isinstance(app.screen, NoteEditorScreen)
        await type_text(pilot, "Quotes take a week")
        await press(pilot, "ctrl+e")
        await settle(pilot)
        assert app.screen.text == "Quotes take a week\n\nThey quote by fax."
        assert notes(service, ada) == [
            (NoteKind.PROBLEM, "Quotes take a week\n\nThey quote by fax.")
        ]
        await press(pilot, "escape")  # saved: it leaves without asking
        assert isinstance(app.screen, CardScreen)


async def test_ctrl_e_on_the_card_edits_the_highlighted_note(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.add_note(ada, NoteKind.GOAL, "A second site")
    editor(tmp_path, monkeypatch, 'sed -i "s/second site/second site by spring/" "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        await settle(pilot)
        assert notes(service, ada) == [(NoteKind.GOAL, "A second site by spring")]
        assert "by spring" in screen_text(app)


async def test_a_line_the_editor_appends_starts_a_line_of_its_own(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file handed to the editor ends with a newline: an appended line was joined to
    the note's last line ("...no-shows.appended by editor")."""
    service.add_note(ada, NoteKind.PROBLEM, "Clinics lose a fifth of bookings to no-shows.")
    editor(tmp_path, monkeypatch, 'echo "appended by editor" >> "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        await settle(pilot)
        assert notes(service, ada) == [
            (NoteKind.PROBLEM, "Clinics lose a fifth of bookings to no-shows.\nappended by editor")
        ]


@pytest.mark.parametrize("ending", ["", "\n"])
async def test_text_the_editor_leaves_as_it_was_comes_back_exactly(
    service: PipelineService,
    ada: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ending: str,
) -> None:
    """With or without a newline of its own, the text comes back as it went: nothing
    changed, nothing saved; the editor saw it as a file ending in a newline."""
    seen = tmp_path / "seen.md"
    editor(tmp_path, monkeypatch, f'cp "$1" "{seen}"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "p")
        await type_text(pilot, "Quotes take a week")
        if ending:
            await press(pilot, "enter")
        await press(pilot, "ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, NoteEditorScreen)
        assert app.screen.text == "Quotes take a week" + ending
        assert seen.read_text() == "Quotes take a week" + ending + "\n"
        assert notes(service, ada) == []


async def test_a_note_saved_from_ctrl_e_on_the_card_is_undone_by_u(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.add_note(ada, NoteKind.GOAL, "A second site")
    editor(tmp_path, monkeypatch, 'sed -i "s/second site/second site by spring/" "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        await settle(pilot)
        assert notes(service, ada) == [(NoteKind.GOAL, "A second site by spring")]
        await press(pilot, "u")
        assert notes(service, ada) == [(NoteKind.GOAL, "A second site")]
        assert "by spring" not in screen_text(app)
        await press(pilot, "U")
        assert notes(service, ada) == [(NoteKind.GOAL, "A second site by spring")]


async def test_ctrl_e_on_a_card_without_notes_asks_the_kind_then_writes_one(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'echo "Budget closes Friday" > "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        assert isinstance(app.screen, NoteKindScreen)
        await press(pilot, "u")
        await settle(pilot)
        assert notes(service, ada) == [(NoteKind.URGENCY, "Budget closes Friday")]
        assert "URGENCY (1)" in screen_text(app)


OTHER_REP_SAVES = """
import sys
from pipeline_tui.store import PipelineService, open_database

database = open_database(sys.argv[1])
other = PipelineService(database, "ana")
note = other.note(int(sys.argv[2]))
other.update_note(note.id, sys.argv[3], None, note.version)
database.close()
"""


async def test_a_note_saved_elsewhere_while_in_the_editor_opens_both_to_compare(
    service: PipelineService,
    db_url: str,
    ada: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ctrl+e on the card; while the rep's editor is open another rep (another
    process) saves the note. The save is refused and the note editor opens with the
    rep's text and theirs beside it, as the README says (the card showed only theirs,
    with a sentence saying both were shown)."""
    note = service.add_note(ada, NoteKind.PROBLEM, "Booth costs too high")
    other = tmp_path / "other_rep.py"
    other.write_text(OTHER_REP_SAVES)
    theirs = "Booth costs fine [b]now[/b]"
    editor(
        tmp_path,
        monkeypatch,
        f'"{sys.executable}" "{other}" "{db_url}" {note.id} "{theirs}" || exit 9\n'
        'echo "Mine: ask about [i]shared[/i] booths" >> "$1"\n',
    )
    mine = "Booth costs too high\nMine: ask about [i]shared[/i] booths"
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        await settle(pilot)
        assert notes(service, ada) == [(NoteKind.PROBLEM, theirs)]
        screen = app.screen
        assert isinstance(screen, NoteEditorScreen)
        assert screen.text == mine
        assert screen.query_one("#theirs", TextArea).text == theirs
        assert screen.has_class("-conflict")
        assert "Saved elsewhere" in screen_text(app)
        said = notification_messages(app)[-1]
        assert "both versions are shown" in said and "kept in" not in said
        await look(pilot)
        await press(pilot, "ctrl+s")  # "ctrl+s saves yours over it"
        assert notes(service, ada) == [(NoteKind.PROBLEM, mine)]
        await press(pilot, "escape")
        assert isinstance(app.screen, CardScreen)
        assert "shared" in screen_text(app)


async def test_an_editor_that_fails_changes_nothing_and_says_so(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service.add_note(ada, NoteKind.GOAL, "A second site")
    editor(tmp_path, monkeypatch, 'echo "half" > "$1"\nexit 2\n')
    app = make_app(service)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        await settle(pilot)
        assert notes(service, ada) == [(NoteKind.GOAL, "A second site")]
        # Said in a toast (the message holds a temporary path, so where its lines
        # break on screen depends on the test's folder).
        assert any("exited with status 2" in n.message for n in app._notifications)
        assert isinstance(app.screen, CardScreen), "the app carries on"
    [kept] = tmp_path.glob("pipeline-tui-*.md")  # what it wrote, kept and named
    assert kept.read_text() == "half\n"


async def test_y_copies_the_email_then_the_phone(service: PipelineService, ada: int) -> None:
    app = make_app(service)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "y")
        assert app.clipboard == "ada@engines.example"
        assert "Copied ada@engines.example to the clipboard." in screen_text(app)
        await press(pilot, "y")
        assert app.clipboard == "+44 20 7946 0000"


async def test_y_on_a_card_with_no_contact_says_so(service: PipelineService) -> None:
    service.add_card(CardDraft(name="Nobody"), Stage.LEAD)
    app = make_app(service)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "y")
        assert app.clipboard == ""
        assert "no email or phone to copy" in screen_text(app)


async def test_escape_typed_with_ctrl_s_leaves_the_note_saved_without_asking(
    service: PipelineService, ada: int
) -> None:
    # It asked "This note has unsaved changes." while the save was on its way.
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "p")
        await type_text(pilot, "Quotes take a week")
        await burst(pilot, "ctrl+s", "escape")
        assert isinstance(app.screen, CardScreen)
        assert notes(service, ada) == [(NoteKind.PROBLEM, "Quotes take a week")]


async def test_ctrl_s_on_an_empty_note_says_there_is_nothing_to_save(
    service: PipelineService, ada: int
) -> None:
    app = make_app(service)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "p")
        await type_text(pilot, "   ")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, NoteEditorScreen)
        assert "Nothing to save yet: the note is empty." in screen_text(app)
        assert notes(service, ada) == []


async def test_a_session_ending_while_the_editor_has_the_note_keeps_what_it_wrote(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Hung up while the rep's own editor had the note: the draft kept the text from
    # before ctrl+e, and what the editor had written to its file was never offered.
    import subprocess

    editor(tmp_path, monkeypatch, 'printf "line from editor\\n" >> "$1"\n')
    app = make_app(service)
    run = subprocess.run
    kept: list[str] = []

    def run_then_hang_up(*args: Any, **kwargs: Any) -> Any:
        finished = run(*args, **kwargs)
        app.flush_drafts()  # the session ends before the editor is done
        draft = service.draft(DraftKey.note(ada, None, NoteKind.GOAL))
        kept.append(draft.get("body") if draft is not None else "")
        return finished

    monkeypatch.setattr(subprocess, "run", run_then_hang_up)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "g")
        assert isinstance(app.screen, NoteEditorScreen)
        await type_text(pilot, "Goal typed before ctrl+e")
        await press(pilot, "ctrl+e")
    assert kept == ["Goal typed before ctrl+e\nline from editor"]


async def test_a_session_ending_while_the_editor_runs_from_the_card_keeps_what_it_wrote(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ctrl+e on the card (not in the note editor) opened the rep's editor with no
    # draft behind it: a hang-up while it ran kept nothing of what it had written.
    import subprocess

    editor(tmp_path, monkeypatch, 'printf "Goal written in the editor\\n" >> "$1"\n')
    app = make_app(service)
    run = subprocess.run
    kept: list[str] = []

    def run_then_hang_up(*args: Any, **kwargs: Any) -> Any:
        finished = run(*args, **kwargs)
        app.flush_drafts()  # the session ends before the editor is done
        draft = service.draft(DraftKey.note(ada, None, NoteKind.GOAL))
        kept.append(draft.get("body") if draft is not None else "")
        return finished

    monkeypatch.setattr(subprocess, "run", run_then_hang_up)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        assert isinstance(app.screen, NoteKindScreen)
        await press(pilot, "g")
        await settle(pilot)
    assert kept == ["Goal written in the editor"]
    assert notes(service, ada) == [(NoteKind.GOAL, "Goal written in the editor")]


@pytest.mark.parametrize("where", ["note editor", "card"])
async def test_an_editor_ended_with_the_session_leaves_what_it_wrote_as_the_draft(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A hang-up ends the rep's editor too (it is in the session): it exited, killed,
    before the app wrote its drafts, and the app forgot its file on the way, so the
    draft kept only what was typed before ctrl+e; what the editor had written was in
    a temporary file nothing pointed to."""
    # Killed (SIGKILL: a hang-up may be ignored where the tests run, and the editor
    # would then exit 0, saving the note).
    editor(tmp_path, monkeypatch, 'printf "Delayed editor line 遅延\\n" >> "$1"\nkill -KILL $$\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        if where == "card":
            await press(pilot, "enter", "ctrl+e")
            await press(pilot, "g")
        else:
            await press(pilot, "enter", "n", "g")
            await type_text(pilot, "typed in app")
            await press(pilot, "ctrl+e")
        await settle(pilot)
        app.flush_drafts()  # the session's end, a moment after the editor's
    draft = service.draft(DraftKey.note(ada, None, NoteKind.GOAL))
    assert draft is not None and draft.get("body").endswith("Delayed editor line 遅延")
    assert notes(service, ada) == []


async def test_a_note_saved_through_ctrl_e_on_the_card_leaves_no_draft(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    editor(tmp_path, monkeypatch, 'printf "Goal written in the editor\\n" >> "$1"\n')
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e", "g")
        await settle(pilot)
    assert notes(service, ada) == [(NoteKind.GOAL, "Goal written in the editor")]
    assert service.draft(DraftKey.note(ada, None, NoteKind.GOAL)) is None


async def test_ctrl_e_on_the_card_offers_a_draft_kept_from_before(
    service: PipelineService, ada: int
) -> None:
    # Its text, kept at a hang-up, would have written over the draft: the note
    # editor opens instead, with the offer.
    from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen

    service.keep_draft(DraftKey.note(ada, None, NoteKind.GOAL), {"body": "Kept", "kind": "goal"})
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "ctrl+e")
        assert isinstance(app.screen, NoteKindScreen)
        await burst(pilot, "g", dialog=True)
        assert isinstance(app.screen, DraftOfferScreen)


async def test_text_written_in_the_editor_after_a_save_is_kept_as_the_session_ends(
    service: PipelineService, ada: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ctrl+s, then ctrl+e, and the session ending while the editor runs: the end took
    the note for saved (nothing typed in the app since), and what was written in the
    editor since the save was in neither the database nor a file."""
    editor(tmp_path, monkeypatch, 'printf "A line written after the save\\n" >> "$1"\n')
    app = make_app(service)
    run = subprocess.run
    kept: list[object] = []

    def run_then_hang_up(*args: Any, **kwargs: Any) -> Any:
        finished = run(*args, **kwargs)
        app.flush_drafts()  # the session ends before the app has the editor's text back
        note = service.card(ada).notes[0]
        draft = service.draft(DraftKey.note(ada, note.id, NoteKind.GOAL))
        kept.append(draft.get("body") if draft is not None else None)
        return finished

    monkeypatch.setattr(subprocess, "run", run_then_hang_up)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "n", "g")
        assert isinstance(app.screen, NoteEditorScreen)
        await type_text(pilot, "A second site")
        await press(pilot, "ctrl+s")
        assert [n.body for n in service.card(ada).notes] == ["A second site"]
        await press(pilot, "ctrl+e")
    assert kept == ["A second site\nA line written after the save"]
