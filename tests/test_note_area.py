"""The note editor's text area keeps its joined text and wrapped height between edits;
driven by the same keys it must say exactly what Textual's own TextArea says."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.keys import key_to_character
from textual.pilot import Pilot
from textual.widgets import TextArea
from textual.widgets.text_area import Document, WrappedDocument

from pipeline_tui.domain.cards import NOTE_MAX_CHARS, CardDraft
from pipeline_tui.domain.kinds import NoteKind
from pipeline_tui.store import PipelineService
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.seams import character_to_key
from pipeline_tui.ui.widgets.note_area import WRAP_LINE_LIMIT, NoteArea

NOTE = "Their quotes take a week.\n\tThe owner signs every one.\n" + "lorem ipsum " * 40 + "\nend"
KEYS = [
    "end",
    *"xyz",
    "enter",
    *"new line",
    "backspace",
    "up",
    "up",
    "home",
    "delete",
    *"ab",
    "ctrl+z",
    "ctrl+y",
    "pagedown",
    "enter",
    "enter",
    "backspace",
    "shift+up",
    "shift+up",
    "backspace",
    "ctrl+z",
    "tab",
]


class Both(App[None]):
    """A NoteArea and a plain TextArea side by side, given the same keys in turn."""

    def compose(self) -> ComposeResult:
        yield NoteArea(NOTE, id="note")
        yield TextArea(NOTE, soft_wrap=True, tab_behavior="focus", id="plain")


async def _press(pilot: Pilot[None], area: TextArea, key: str) -> None:
    """`key` to `area`, the event Pilot.press sends, then wait until the app and every
    widget have handled all they were sent. (Pilot.press also waits, twice a key, for
    the process to look idle, 20 ms at least each time: most of this test's time.)"""
    app = pilot.app
    area.focus()
    if len(key) == 1 and not key.isalnum():
        key = character_to_key(key)
    event = events.Key(key, key_to_character(key))
    event.set_sender(app)
    app.post_message(event)
    while any(p.message_queue_size for p in (app, *app.screen.walk_children(with_self=True))):
        await pilot._wait_for_screen()


def _fresh_height(area: TextArea) -> int:
    wrapped = WrappedDocument(Document(area.text), tab_width=area.indent_width)
    wrapped.wrap(area.wrap_width, area.indent_width)
    return wrapped.height


async def test_the_note_area_edits_exactly_as_a_text_area() -> None:
    app = Both()
    async with app.run_test(size=(60, 40)) as pilot:
        note, plain = app.query_one("#note", NoteArea), app.query_one("#plain", TextArea)
        assert note.wrap_width == plain.wrap_width > 0
        for key in KEYS:
            for area in (note, plain):
                await _press(pilot, area, key)
            assert note.text == plain.text, key
            assert note.selection == plain.selection, key
            assert note.wrapped_document.height == plain.wrapped_document.height, key
            assert note.wrapped_document.height == _fresh_height(note), key
        note.load_text("replaced\nwhole")
        plain.load_text("replaced\nwhole")
        await pilot.pause()
        assert note.text == plain.text and note.wrapped_document.height == _fresh_height(note)


@pytest.mark.parametrize(
    ("body", "wraps"),
    [
        (("x" * 79 + "\n") * (NOTE_MAX_CHARS // 80), True),
        ("word " * (NOTE_MAX_CHARS // 5), False),
    ],
    ids=["80-character lines", "one line"],
)
async def test_a_note_at_the_limit_opens_and_takes_keys(
    body: str, wraps: bool, service: PipelineService
) -> None:
    body = body[: NOTE_MAX_CHARS - 3] + "end"
    card = service.add_card(CardDraft("Ann")).card_id
    note = service.add_note(card, NoteKind.GENERAL, body[:-3])
    app: App[None] = App()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = NoteEditorScreen(Backend(service), card, "Ann", NoteKind.GENERAL, note)
        await app.push_screen(editor)
        await pilot.pause()
        area = editor.query_one(NoteArea)
        # A line too long to wrap again on every key is shown unwrapped.
        assert area.soft_wrap is wraps
        assert (max(len(line) for line in body.splitlines()) <= WRAP_LINE_LIMIT) is wraps
        await pilot.press("ctrl+end", *body[-3:])
        await pilot.press("ctrl+s")
        await pilot.pause()
        await app.workers.wait_for_complete()
    saved = service.note(note.id).body
    assert len(saved) == NOTE_MAX_CHARS
    assert saved == body, "the note saved is not the note typed"
