"""No text a rep, a teammate, an import or a file wrote is ever read as markup.

Every string Textual (or Rich) parses as markup is recorded while the app is walked
through every screen, dialog, toast and palette provider with hostile names, notes,
criteria, a hostile rep name and hostile theme names; none of those strings may hold
any of that text. The readable parts must still show, literally. A broken theme
previewed in the picker is dropped with a warning, and screenshots are private.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.text import Text
from textual.command import CommandPalette
from textual.content import Content
from textual.pilot import Pilot

from pipeline_tui.domain.cards import CardDraft
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, split_tags
from pipeline_tui.store import Database, PipelineService
from pipeline_tui.ui.app import PipelineApp
from pipeline_tui.ui.screens.archive import ArchiveScreen
from pipeline_tui.ui.screens.archived import ArchivedScreen
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.help import HelpScreen
from pipeline_tui.ui.screens.next_action import NextActionScreen
from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
from pipeline_tui.ui.screens.note_kind import NoteKindScreen
from pipeline_tui.ui.screens.qualification import QualificationScreen
from pipeline_tui.ui.screens.standup import StandupScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from pipeline_tui.ui.seams import notifications
from tests.conftest import NOW, TODAY
from tests.pilot import notification_messages, press, screen_text, settle, tap, wait_for

HOSTILE = [
    "Old Co [/ex-client]",
    '[@click=app.screenshot("/tmp/x")]x',
    "Acme Corp [UK]",
    "[b]bold",
    "[link=https://evil.example]linked[/link]",
    "[$accent]accent",
    "[ @click=app.quit]quitter",
    "clip\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07board",
    "title\x1b]0;pwned\x07bar",
    "x\u202eevil",
    "\u3164" * 12 + "Filler",
    "山田太郎 株式会社",
    "zero\u200bwidth",
]
REP = "[i]sam[/i] \x1b]0;rep\x07"
CRITERION = "[b]can afford[/b] it"
THEMES = ["Old Co [/ex-client]", "[b]bold theme", "[@click=app.quit]q"]
ARCHIVED, ARCHIVE_NOTE = "Archived [/x] one", "[b]gone[/b] for now"
FRAGMENTS = sorted(
    {clean_line(text) for text in [*HOSTILE, REP, CRITERION, *THEMES, ARCHIVED, ARCHIVE_NOTE]}
)
"""What is left of each hostile text once sanitised: what must never be parsed."""


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every string read as markup, by Textual's Content or by Rich's Text."""
    seen: list[str] = []
    content_from_markup = Content.from_markup.__func__  # type: ignore[attr-defined]
    text_from_markup = Text.from_markup.__func__  # type: ignore[attr-defined]

    def content_recording(cls: type[Content], /, markup: object, **variables: object) -> Content:
        if isinstance(markup, str):
            seen.append(markup)
        return content_from_markup(cls, markup, **variables)  # type: ignore[no-any-return]

    def text_recording(cls: type[Text], /, markup: str, *args: object, **kwargs: object) -> Text:
        seen.append(markup)
        return text_from_markup(cls, markup, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(Content, "from_markup", classmethod(content_recording))
    monkeypatch.setattr(Text, "from_markup", classmethod(text_recording))
    yield seen


def assert_no_user_text_parsed(parsed: list[str]) -> None:
    assert parsed, "the recorder saw nothing: it is not wired in"
    offending = [(f, m) for m in parsed for f in FRAGMENTS if f and f in m]
    assert not offending, f"user text was read as markup: {offending[:5]}"


@pytest.fixture
def hostile(database: Database) -> PipelineService:
    criteria = ("can afford it", CRITERION)
    service = PipelineService(database, clean_line(REP), clock=lambda: NOW, criteria=criteria)
    for n, text in enumerate(HOSTILE):
        stage = Stage.CLIENT if n == 0 else Stage.LEAD
        card = service.add_card(
            CardDraft(
                name=text,
                organisation=text,
                tags=split_tags(text)[:3],
                next_action=text,
                next_action_due=TODAY,
                owner=text,
            ),
            stage,
        ).card_id
        service.add_note(card, NoteKind.PROBLEM, f"zebra {text}")
        service.add_touchpoint(card, TouchpointKind.CALL, TODAY, text)
        if stage is Stage.LEAD:
            answers = {c: CriterionAnswer(Answer.NO, text) for c in criteria}
            service.save_qualification(card, answers)
    archived = service.add_card(CardDraft(ARCHIVED)).card_id
    service.archive_card(archived, ArchiveReason.OTHER, ARCHIVE_NOTE)
    return service


def _themes(config: Path) -> None:
    folder = config.parent / "themes"
    folder.mkdir(parents=True)
    for n, name in enumerate(THEMES):
        text = f"name = {name!r}\nprimary = '#336699'\n".replace("'", '"')
        (folder / f"hostile{n}.toml").write_text(text, encoding="utf-8")


async def test_no_user_text_is_read_as_markup_on_any_screen(
    hostile: PipelineService,
    parsed: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = tmp_path / "conf" / "config.toml"
    _themes(config)
    toasts: list[str] = []
    notify = PipelineApp.notify

    def recording_notify(app: PipelineApp, message: str, *args: object, **kwargs: object) -> None:
        toasts.append(message)
        notify(app, message, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(PipelineApp, "notify", recording_notify)
    app = PipelineApp(hostile, today=lambda: TODAY, cursor_blink=False, config_file=config)
    # Tall enough for every hostile card to be on the board at once.
    async with app.run_test(size=(160, 66), notifications=True) as pilot:
        await settle(pilot)
        board_text = screen_text(app)
        for literal in ("Acme Corp [UK]", "[b]bold", "Old Co [/ex-client]", "山田太郎"):
            assert literal in board_text, literal

        # The filter, then the first lead's card and everything opened from it.
        await press(pilot, "slash", *"zebra", "escape")
        await press(pilot, "right", "left")
        await press(pilot, "enter")
        card_screen = app.screen
        assert isinstance(card_screen, CardScreen) and card_screen.card is not None
        assert clean_line(card_screen.card.summary.name) in screen_text(app)
        for key, dialog in (
            ("n", NoteKindScreen),
            ("t", TouchpointScreen),
            ("f", NextActionScreen),
            ("x", TouchpointScreen),
            ("e", CardFormScreen),
            ("question_mark", HelpScreen),
        ):
            await press(pilot, key)
            assert isinstance(app.screen, dialog), key
            await press(pilot, "escape")
        await pilot.press("Q")  # the checklist is awaited by a worker: tap, not press
        await tap(pilot)
        assert isinstance(app.screen, QualificationScreen)
        await tap(pilot, "c", "escape", "escape")
        await settle(pilot)
        await press(pilot, "n")
        await tap(pilot, "g")
        assert isinstance(app.screen, NoteEditorScreen)
        await press(pilot, "escape")
        await press(pilot, "enter")  # the highlighted note, in the editor
        assert isinstance(app.screen, NoteEditorScreen)
        await press(pilot, "escape")
        await press(pilot, "d")  # delete the note: a toast ...
        await press(pilot, "u")  # ... and undo it: a toast naming the card
        await press(pilot, "escape")

        # A lead that fails its checklist: the question names it and its criteria.
        await pilot.press("L")
        await tap(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        question = screen_text(app)
        assert "[b]can afford[/b] it" in question
        await tap(pilot, "n")
        await settle(pilot)

        # Archive, the archive, restore (a toast), undo (another).
        await press(pilot, "a")
        assert isinstance(app.screen, ArchiveScreen)
        await press(pilot, "escape")
        await press(pilot, "A")
        assert isinstance(app.screen, ArchivedScreen)
        assert ARCHIVE_NOTE in screen_text(app)
        await press(pilot, "r")
        await press(pilot, "escape")
        await press(pilot, "u")

        # The stand-up, and a referral from the client.
        await press(pilot, "s")
        assert isinstance(app.screen, StandupScreen)
        assert "Acme Corp [UK]" in screen_text(app)
        await press(pilot, "escape")
        await press(pilot, "right", "right")
        await press(pilot, "r")
        assert isinstance(app.screen, CardFormScreen)
        assert "New lead referred by Old Co [/ex-client]" in screen_text(app)
        await press(pilot, "escape")

        # The command palette: cards and notes found by a note's word, and commands.
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"zebra")
        await _shown_twice(pilot, "zebra")
        palette_text = screen_text(app)
        assert "Old Co [/ex-client]" in palette_text or "Acme Corp [UK]" in palette_text
        await pilot.press("escape")
        await settle(pilot)

        # The theme picker, with themes named like markup, previewed one by one.
        app.search_themes()
        await settle(pilot)
        picker_text = screen_text(app)
        assert "Old Co [/ex-client]" in picker_text and "[b]bold theme" in picker_text
        # Names sort with capitals and "[" before the built-in themes' lower-case names:
        # the hostile ones come first. Each is previewed (a full restyle) in turn, the
        # first (highlighted as the picker opens) once found by name.
        previewed = set()
        for _ in THEMES:
            await pilot.press("down")
            previewed.add(app.theme)
        await pilot.press(*"old co")
        await _shown_twice(pilot, "Old Co")
        await pilot.press("down")
        await settle(pilot)
        previewed.add(app.theme)
        assert set(THEMES) <= previewed, previewed
        await pilot.press("escape")
        await settle(pilot)

        assert app.is_running and app.return_code is None
    assert not Path("/tmp/x").exists()
    # Toasts named the cards (undo, restore): as Content, never parsed.
    named = [t for t in toasts if any(f in t for f in FRAGMENTS)]
    assert any(t.startswith("Undid") for t in named), toasts
    assert any(t.startswith("Restored") for t in named), toasts
    assert_no_user_text_parsed(parsed)


async def test_a_broken_theme_previewed_in_the_picker_is_dropped_not_fatal(
    service: PipelineService, tmp_path: Path
) -> None:
    """It loads (its colours parse) but one of its variables breaks the stylesheet:
    highlighting it in the picker used to end the app."""
    config = tmp_path / "conf" / "config.toml"
    folder = config.parent / "themes"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(
        'name = "broken"\nprimary = "#336699"\n[variables]\ntext-muted = "bold"\n',
        encoding="utf-8",
    )
    service.add_card(CardDraft("Ann"))
    app = PipelineApp(service, today=lambda: TODAY, cursor_blink=False, config_file=config)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        before = app.theme
        app.search_themes()
        await settle(pilot)
        await pilot.press(*"broken")
        await _shown_twice(pilot, "broken")  # typed, found, and highlighted: previewed
        assert app.is_running and app.theme != "broken"
        assert "broken" not in app.available_themes
        messages = notification_messages(app)
        assert any("Theme broken was skipped" in m for m in messages), messages
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running and app.theme != "broken"
        await pilot.press("escape")
        await settle(pilot)
        assert app.theme == before
        assert "Ann" in screen_text(app)
    assert app.return_code is None
    assert not config.exists()  # nothing remembered


async def _shown_twice(pilot: Pilot[None], text: str) -> None:
    """Wait for the palette's search (a worker of its own) to list what was typed."""
    app = pilot.app
    assert isinstance(app, PipelineApp)
    await wait_for(
        pilot, lambda: screen_text(app).count(text) >= 2, f"the palette to list {text!r}"
    )


async def test_a_broken_theme_named_in_the_config_falls_back_at_start(
    service: PipelineService, tmp_path: Path
) -> None:
    config = tmp_path / "conf" / "config.toml"
    folder = config.parent / "themes"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text(
        'name = "broken"\nprimary = "#336699"\n[variables]\nborder = "1 2 3 4 5"\n',
        encoding="utf-8",
    )
    app = PipelineApp(service, cursor_blink=False, config_file=config, theme="broken")
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        assert app.is_running and app.theme == "pipeline-dark"
        assert any("Theme broken was skipped" in n.message for n in notifications(app))


async def test_screenshots_are_private_and_never_replace_a_file(
    service: PipelineService, tmp_path: Path
) -> None:
    app = PipelineApp(service, cursor_blink=False)
    async with app.run_test(notifications=True) as pilot:
        await settle(pilot)
        app.action_screenshot("shot.svg", str(tmp_path))
        app.action_screenshot("shot.svg", str(tmp_path))
        await settle(pilot)
        saved = app.save_screenshot(None, str(tmp_path))
    first, second = tmp_path / "shot.svg", tmp_path / "shot (2).svg"
    for path in (first, second, Path(saved)):
        assert path.read_text(encoding="utf-8").startswith("<svg")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert len(list(tmp_path.glob("*.svg"))) == 3
