"""The Textual application: themes, the backend, and the board as its first screen."""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from platformdirs import user_downloads_path
from textual import events
from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.command import Command, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.css.stylesheet import Stylesheet
from textual.driver import Driver
from textual.fuzzy import Matcher
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from pipeline_tui.config import (
    AppState,
    ConfigError,
    default_config_path,
    save_state,
    user_theme_folder,
)
from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.dates import DateOrder
from pipeline_tui.domain.money import DEFAULT_PROBABILITIES, Currency
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line
from pipeline_tui.store import BoardPeek
from pipeline_tui.ui import seams
from pipeline_tui.ui.backend import Backend
from pipeline_tui.ui.commands import CardSearch, KeyCommands, SearchPalette
from pipeline_tui.ui.drafts import UNSAVED_FOLDER, Editing, unsaved_files
from pipeline_tui.ui.ending import SessionEnd
from pipeline_tui.ui.garbage import CollectBetweenKeys
from pipeline_tui.ui.key_order import KeyOrder
from pipeline_tui.ui.keys import check_keymap
from pipeline_tui.ui.screens.board import READY_GROUP, BoardScreen
from pipeline_tui.ui.screens.choice import ChoiceScreen
from pipeline_tui.ui.screens.draft_offer import DraftOfferScreen
from pipeline_tui.ui.text import literal_markup
from pipeline_tui.ui.themes import (
    DEFAULT_THEME,
    load_themes,
    shipped_theme_folder,
    theme_for_terminal,
)

if TYPE_CHECKING:
    from pipeline_tui.store import PipelineService

log = logging.getLogger(__name__)


class ThemePicker(Provider):
    """The themes, for the palette; moving through them previews each one live.

    A theme's name comes from a file the rep (or anyone) wrote: it is shown as Content,
    never read as markup.
    """

    def _themes(self) -> list[str]:
        themes = self.app.available_themes.values()
        return [theme.name for theme in sorted(themes, key=attrgetter("name"))]

    def _choose(self, name: str) -> None:
        app = self.app
        if isinstance(app, PipelineApp):
            app.choose_theme(name)
        else:  # pragma: no cover - the provider is only used by PipelineApp
            app.theme = name

    async def discover(self) -> Hits:
        for name in self._themes():
            yield DiscoveryHit(Content(name), partial(self._choose, name), text=name)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name in self._themes():
            if (score := matcher.match(name)) > 0:
                yield Hit(score, _highlight(matcher, name), partial(self._choose, name), text=name)


def _highlight(matcher: Matcher, candidate: str) -> Content:
    """Matcher.highlight, without reading the candidate as markup."""
    content = Content(candidate)
    score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    if not score:
        return content
    for offset in offsets:
        if not candidate[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _subclasses(cls: type[Widget]) -> Iterator[type[Widget]]:
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def write_private(target: Path, text: str) -> Path:
    """Write a new file only its owner can read (0600); never replaces a file or
    follows a symlink: a name already taken gets " (2)", " (3)"... added."""
    candidate, number = target, 1
    while True:
        try:
            fd = os.open(
                candidate,
                os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0),
                stat.S_IRUSR | stat.S_IWUSR,
            )
        except FileExistsError:
            number += 1
            candidate = target.with_name(f"{target.stem} ({number}){target.suffix}")
            continue
        break
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return candidate


SCREEN_STYLES = sorted(
    path.relative_to(Path(__file__).parent).as_posix()
    for path in (Path(__file__).parent / "screens").glob("*.tcss")
)
"""Every screen's stylesheet, relative to this module, in a fixed order."""

seams.share_parsed_styles()

LAST_KEYS_S = 0.5
"""How long the end of a session gives the keys read but not yet handled to do what
they would have done (KeyOrder.type_what_waits); what still waits then goes to the
unsaved file. With ENDING_IN_FLIGHT_S, well within FLUSH_WAIT_S."""
NEWLINE = "ctrl+j"
"""How Textual names the newline byte: what the terminal's line editing sends for an
enter typed before the program has taken the terminal over."""


class QuitScreen(ChoiceScreen[str]):
    """Asked before quitting with unsaved text: save, discard, or keep editing."""

    CSS_PATH = "screens/choice.tcss"  # relative to this module


class PipelineApp(App[None]):
    # Every screen's stylesheet is read with the app's own, once. Each screen still
    # names its own (CSS_PATH), but the first push of a screen whose CSS was new to the
    # app made Textual parse every stylesheet again and restyle every widget alive (20 to
    # 40 ms, on the first card opened, the first dialog...); and the cascade then
    # depended on the order the rep happened to open screens in.
    CSS_PATH = ["app.tcss", *SCREEN_STYLES]
    TITLE = "pipeline-tui"
    COMMANDS = {KeyCommands, CardSearch}
    # ctrl+c quits as a rep expects in a terminal (Textual's own only says "press
    # ctrl+q"), asking first like ctrl+q when anything typed is unsaved; with text
    # selected in a field it copies.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            show=False,
            priority=True,
            tooltip="Quit (asks first if anything typed is unsaved)",
        ),
        Binding("ctrl+c", "quit_or_copy", "Quit", show=False, priority=True, system=True),
    ]
    # Screens get "-narrow" below 100 columns (an 80x24 phone over SSH): see app.tcss.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]

    def __init__(
        self,
        service: PipelineService,
        *,
        title: str = "pipeline-tui",
        theme: str | None = DEFAULT_THEME,
        today: Callable[[], date] = date.today,
        cursor_blink: bool = True,
        notice: str | None = None,
        keymap: Mapping[str, str] | None = None,
        config_file: Path | None = None,
        stale_limits: Mapping[Stage, int] | None = None,
        first_board: BoardPeek | None = None,
        on_first_paint: Callable[[], object] | None = None,
        on_board_loaded: Callable[[], object] | None = None,
        on_card_screen_kept: Callable[[], object] | None = None,
        between_keys: CollectBetweenKeys | None = None,
        first_screen: str | None = None,
        calls_everyone: bool = False,
        date_order: DateOrder = DateOrder.DMY,
        currency: Currency | None = None,
        probabilities: Mapping[Stage, Decimal] | None = None,
        state_file: Path | None = None,
        state: AppState | None = None,
        theme_in_config: bool = False,
    ) -> None:
        """The user's own themes are read from themes/ beside `config_file`. `theme=None`
        means the rep chose none: the terminal's colours decide (16 colours: ANSI).
        `state_file` is where the theme picked in the palette and the board's view are
        remembered (None: not remembered); `state` is what it held at start-up, and
        `theme_in_config` says the config's ui.theme will win over it at the next start.
        `date_order` is how the dialogs read 15/12 ([dates] order).
        `currency` shows values ([money] currency); `probabilities` weigh the forecast.
        `stale_limits` are the [stale] days per stage (None: the defaults).
        `first_board` is the top of each column, read while the store opens.
        `on_first_paint` is called once the board has first been painted, and
        `on_board_loaded` once it first holds every card, and `on_card_screen_kept` once
        the card screen it keeps for enter is built. `between_keys` runs the full garbage
        collections once a key's frame is out (ui/garbage.py).
        `first_screen` "calls" (or "calls-week": the next seven days too) opens the call
        queue over the board, of everyone's cards with `calls_everyone`."""
        super().__init__()
        self.backend = Backend(
            service, today, stale_limits or DEFAULT_STALE_LIMITS, quitting=self._taken_down
        )
        self._ran = False
        self.key_order = KeyOrder(self, super().on_event)
        self.session_end = SessionEnd(
            self.flush_drafts,
            partial(self.exit, None),
            last_keys=self._type_the_last_keys,
        )
        self.cursor_blink = cursor_blink
        self.title = title
        self.notice = notice
        self.first_board = first_board
        self.on_first_paint = on_first_paint
        self.on_board_loaded = on_board_loaded
        self.on_card_screen_kept = on_card_screen_kept
        self.between_keys = between_keys
        if between_keys is not None:
            self.key_order.when_handled = between_keys.keys_handled
            between_keys.attach(
                self.call_after_refresh,
                self.set_timer,
                keys_waiting=lambda: not self.key_order.idle,
                busy=self._work_to_show,
                sending=partial(seams.output_unflushed, self),
            )
        self.first_screen = first_screen
        self.calls_everyone = calls_everyone
        self.config_file = config_file
        self.date_order = date_order
        self.currency = currency or Currency()
        self.probabilities = dict(probabilities or DEFAULT_PROBABILITIES)
        self.state_file = state_file
        self.state = state or AppState()
        self.theme_in_config = theme_in_config
        self._theme_before_picking: str | None = None
        shipped, self.startup_warnings = load_themes([shipped_theme_folder()])
        user_folder = user_theme_folder(config_file or default_config_path())
        users, user_warnings = load_themes([user_folder])
        self.startup_warnings.extend(user_warnings)
        if state_file is not None:
            # Beside the state file: the rep's own, not the database's (a team's server).
            self.backend.drafts.spill_folder = state_file.parent / UNSAVED_FOLDER
            for unsaved in unsaved_files(self.backend.drafts.spill_folder):
                self.startup_warnings.append(
                    f"Text typed in an earlier session is in {unsaved}, not in the database "
                    f"(its first line says why; delete the file once it is safe)."
                )
        self.user_themes = {loaded.name for loaded in users}
        """Themes from the rep's own folder: checked before they are first used."""
        if keymap:
            self.startup_warnings.extend(check_keymap(keymap))
            self.set_keymap(dict(keymap))
        for loaded in [*shipped, *users]:
            self.register_theme(loaded)
        if theme is None:
            theme = theme_for_terminal(self.console.color_system)
        fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
        if theme not in self.available_themes:
            self.startup_warnings.append(f"Theme {theme!r} not found; using {fallback}.")
            theme = fallback
        elif not self.usable_theme(theme):
            theme = fallback
        self.theme = theme
        self._good_theme = theme

    @staticmethod
    def _board_after_calls(board: BoardScreen) -> None:
        board.reload()

    @contextmanager
    def batch_update(self) -> Generator[None, None, None]:
        try:
            with super().batch_update():
                yield
        finally:
            # Textual prompts only the app when a batch ends. A screen that went idle
            # meanwhile skipped its repaint (the card screen filled ahead mounts its
            # note in a batch, while the board handles a key), and the key was drawn
            # only at the screen's next message (the board's rest timer, 100 ms on).
            if not seams.repaints_held(self) and self.screen_stack:
                self.screen.check_idle()

    def action_command_palette(self) -> None:
        open_already = any(isinstance(screen, CommandPalette) for screen in self.screen_stack)
        if self.use_command_palette and not open_already:
            self.push_screen(SearchPalette(id="--command-palette"))

    def get_default_screen(self) -> Screen[Any]:
        # The screen under the board, never shown. Textual's own passed every repaint
        # it got (a theme's restyling at start-up) up to the board as one of the whole
        # screen: two more whole frames at launch, 16 KB each at 80x24. A FullScreen
        # covered draws nothing.
        return seams.FullScreen(id="_default")

    def get_driver_class(self) -> type[Driver]:
        # Its output counted, for the collection between keys to wait until a frame is
        # all sent; its input taking a lone escape as soon as ESCDELAY has passed.
        return seams.terminal_driver(super().get_driver_class())

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == NEWLINE and KeyOrder.takes(event):
            # Enter typed ahead, before the board set the terminal up, was turned into a
            # newline by the terminal's line editing; a newline is enter, as in readline.
            event = events.Key("enter", "\r")
        if KeyOrder.takes(event):
            if self.between_keys is not None:
                self.between_keys.input_arrived(key=True)
            await self.key_order.typed(event)
            return
        # A mouse event comes back here as it bubbles up (forwarded): counted once, fresh.
        fresh_mouse = isinstance(event, events.MouseEvent) and not event.is_forwarded
        if fresh_mouse and self.between_keys is not None:
            self.between_keys.input_arrived(key=False)
        await super().on_event(event)

    def _work_to_show(self) -> bool:
        # A message waiting may be a key the terminal sent. The board's reading ahead of
        # a card is not something a key waits to see.
        workers = (w for w in self.workers if w.is_running and w.group != READY_GROUP)
        return self.message_queue_size > 0 or seams.repaints_held(self) or any(workers)

    def hold_keys(self) -> Callable[[], None]:
        """Keep the keys typed from now on until the returned function is called: for a
        screen that reads the store before it can act on them (see ui/key_order.py)."""
        return self.key_order.hold()

    # Quitting: never with unsaved text unasked ------------------------------------------

    def unsaved_work(self) -> list[tuple[Editing, str]]:
        """Every open editor with unsaved text (top of the screen stack first), and what
        it holds in the rep's words."""
        found: list[tuple[Editing, str]] = []
        for screen in reversed(self.screen_stack):
            if isinstance(screen, Editing) and (what := screen.unsaved_work()):
                found.append((screen, what))
        return found

    async def action_quit(self) -> None:
        self.ask_to_quit()

    def action_quit_or_copy(self) -> None:
        focused = self.focused
        if isinstance(focused, Input | TextArea) and focused.selected_text:
            raise SkipAction()  # the field's own ctrl+c copies the selection
        self.ask_to_quit()

    def ask_to_quit(self) -> None:
        """Quit at once, or first ask what to do with unsaved text."""
        if isinstance(self.screen, QuitScreen):
            return
        unsaved = self.unsaved_work()
        if not unsaved:
            self.exit()
            return
        what = "; ".join(description for _, description in unsaved)
        question = QuitScreen(
            f"Not saved yet: {what}.",
            [
                ("s", "Save and quit", "save"),
                ("d", "Discard and quit", "discard"),
                ("k", "Keep editing", "keep"),  # escape too
            ],
            dismiss_label=None,
            careful={"discard"},
        )

        async def answered(answer: str | None) -> None:
            if answer == "save":
                for editor, _ in unsaved:
                    if not await editor.save_work():
                        self.notify(
                            "Not everything could be saved, so the app is still open; "
                            "nothing typed was lost.",
                            severity="error",
                        )
                        return
                self.exit()
            elif answer == "discard":
                for editor, _ in unsaved:
                    await editor.discard_work()
                self.exit()

        self.push_screen(question, answered)

    # The end of the process: whatever is typed is kept -------------------------------------

    def keep_drafts_on_signals(self) -> None:
        """Hang-up (the terminal or SSH connection went away), terminate and interrupt
        write every open editor's text as a draft before the process ends (ui/ending.py).
        Call from the main thread before run()."""
        self.session_end.install(terminal=sys.__stdin__.fileno() if sys.__stdin__ else None)

    async def _type_the_last_keys(self) -> None:
        """The session is ending: the keys still waiting do what they would have done
        (KeyOrder.type_what_waits), with nothing drawn on a terminal that is gone."""
        if self.session_end.hung_up:
            seams.silence_output(self)
        await self.key_order.type_what_waits(LAST_KEYS_S)

    def flush_drafts(self) -> int:
        """Write every open editor's text as a draft now; how many were written. Text
        typed at a draft's offer not yet answered joins that draft; text no editor holds
        (keys the session ended too soon to handle) goes to the unsaved file."""
        untyped = ""
        for screen in self.screen_stack:
            if not isinstance(screen, DraftOfferScreen):
                continue
            typed = screen.take_typed_ahead()
            if typed and screen.keep_with_draft is not None:
                # With the draft, as escape at the offer keeps it: it went to a file
                # that named neither the card nor the editor.
                try:
                    screen.keep_with_draft(typed)
                    continue
                except Exception:
                    log.exception("text typed at an offer could not join its draft")
            untyped += typed
        untyped += self.key_order.take_untyped()
        try:
            return self.backend.drafts.flush(untyped)
        except Exception:
            log.exception("drafts could not be written")
            return 0

    def _drawn_whole_on_resume(self, _app: object) -> None:
        """Back from a stop (SIGTSTP, then `fg`): the shell has drawn over the screen,
        and only what changed since was drawn again, the rest left blank."""
        self.screen.refresh(layout=True)

    def pop_screen(self) -> AwaitComplete:
        # A closed screen's widgets would otherwise stay alive (see the seam).
        seams.forget_cached_styles()
        popped = super().pop_screen()
        # The screen underneath draws once, after the popped one is gone (see the seam).
        seams.repaint_once_popped(self, popped)
        return popped

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a command in the palette (ctrl+p)."""
        yield from super().get_system_commands(screen)
        for binding in screen.BINDINGS:
            if not isinstance(binding, Binding) or binding.action.startswith("app."):
                continue
            if not (binding.tooltip or binding.description):
                continue  # a key with no name of its own (a dialog's enter) is no command
            keys = ", ".join(
                self.get_key_display(Binding(key, "")) for key in binding.key.split(",")
            )
            yield SystemCommand(
                binding.tooltip or binding.description,
                literal_markup(f"Key: {keys}"),  # keys can come from the config
                partial(screen.run_action, binding.action),
            )
        for title, help_text, action in getattr(screen, "PALETTE_COMMANDS", ()):
            yield SystemCommand(title, help_text, partial(screen.run_action, action))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # The title goes before the message on the same line: a toast a line shorter
        # (see app.tcss: toasts keep to the footer's area).
        if title:
            lead = literal_markup(title) if markup else clean_line(title)
            message = f"{lead}: {message}"
        super().notify(message, severity=severity, timeout=timeout, markup=markup)

    def open_card(self, card_id: int, note_id: int | None = None) -> None:
        """Open a card (from a search hit), returning to the board focused on it."""
        from pipeline_tui.ui.screens.card import CardScreen

        def back(_: None) -> None:
            if isinstance(self.screen, BoardScreen):
                self.screen.reload(card_id)

        self.push_screen(CardScreen(self.backend, card_id, note_id), back)

    # Themes: the palette previews as you move, and remembers what you pick ---------------

    def search_themes(self) -> None:
        self._theme_before_picking = self.theme
        self.push_screen(CommandPalette(providers=[ThemePicker], placeholder="Search for themes…"))

    def on_command_palette_option_highlighted(
        self, message: CommandPalette.OptionHighlighted
    ) -> None:
        option = message.highlighted_event.option
        if self._theme_before_picking is None or not isinstance(option, Command):
            return
        name = option.hit.text
        if name in self.available_themes and self.usable_theme(name):
            self.theme = name

    def on_command_palette_closed(self, message: CommandPalette.Closed) -> None:
        before, self._theme_before_picking = self._theme_before_picking, None
        if before is not None and not message.option_selected:
            self.theme = before  # escape: back to the theme the rep had

    def choose_theme(self, name: str) -> None:
        """Use a theme and remember it in the state file, so the next start uses it too
        (unless the config names one: the rep's own file comes first)."""
        before, self._theme_before_picking = self._theme_before_picking, None
        if not self.usable_theme(name):
            if before is not None:
                self.theme = before
            return
        self.theme = name
        self.remember(replace(self.state, theme=name))
        if self.theme_in_config:
            self.notify(
                "The config file's ui.theme comes first at the next start; "
                f"remove it there to keep {clean_line(name)}.",
                markup=False,
                timeout=8,
            )

    def remember(self, state: AppState) -> None:
        """Keep `state` for the next start, written to the state file in a thread."""
        if state == self.state:
            return
        self.state = state
        if self.state_file is not None:
            self.run_worker(
                partial(self._write_state, self.state_file, state),
                thread=True,
                group="settings",
            )

    def usable_theme(self, name: str) -> bool:
        """Whether a theme can be used. A user's theme is checked against every
        stylesheet of the app before its first use: a colour variable that does not
        parse would otherwise end the app when the theme is applied (or even just
        previewed in the picker). A broken one is dropped, with a warning."""
        if name not in self.user_themes:
            return True
        problem = self._theme_problem(name)
        if problem is None:
            self.user_themes.discard(name)  # checked once
            return True
        self.user_themes.discard(name)
        self.unregister_theme(name)
        if self.is_running:
            self.notify(problem, severity="warning", markup=False)
        else:
            self.startup_warnings.append(problem)
        return False

    def _theme_problem(self, name: str) -> str | None:
        theme = self.get_theme(name)
        assert theme is not None
        try:
            variables = {
                **self.get_theme_variable_defaults(),
                **theme.to_color_system().generate(),
                **theme.variables,
            }
            sheet = Stylesheet(variables=variables)
            for widget_class in set(_subclasses(Widget)):
                css = widget_class.__dict__.get("DEFAULT_CSS")
                if css:
                    where = (widget_class.__module__, widget_class.__qualname__)
                    sheet.add_source(css, read_from=where, is_default_css=True)
            for path in sorted(Path(__file__).parent.rglob("*.tcss")):
                sheet.add_source(path.read_text(encoding="utf-8"), read_from=(str(path), ""))
            sheet.parse()
        except Exception:  # any parse or colour error means the theme cannot be used
            return f"Theme {name} was skipped: one of its colours or variables is not valid."
        return None

    def refresh_css(self, animate: bool = True) -> None:
        # The last line of defence for usable_theme: a theme that fails here is dropped
        # and the one before it comes back, rather than the app ending.
        try:
            super().refresh_css(animate)
        except Exception:
            broken = self.theme
            if broken == self._good_theme or self._good_theme not in self.available_themes:
                raise
            self.unregister_theme(broken)
            self.notify(
                f"Theme {broken} was skipped: one of its colours or variables is not valid.",
                severity="warning",
                markup=False,
            )
            self.theme = self._good_theme
            return
        self._good_theme = self.theme

    # Screenshots hold whatever is on screen (names, notes, contact details): they are
    # written private (0600), never replacing a file.

    def deliver_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str | None:
        try:
            saved = self.save_screenshot(
                filename, str(user_downloads_path()) if path is None else path, time_format
            )
        except OSError as error:
            self.notify(
                f"The screenshot was not saved: {error.strerror or error}.",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return None
        self.notify(f"Saved the screenshot to {saved}", title="Screenshot", markup=False)
        return saved

    def save_screenshot(
        self,
        filename: str | None = None,
        path: str | None = None,
        time_format: str | None = None,
    ) -> str:
        stamp = datetime.now().strftime(time_format or "%Y-%m-%dT%H_%M_%S_%f")
        name = filename or f"{self.title} {stamp}.svg"
        target = Path(path or ".").expanduser() / name
        return str(write_private(target, self.export_screenshot()))

    def _write_state(self, path: Path, state: AppState) -> None:
        try:
            save_state(path, state)
        except ConfigError as error:
            self.call_from_thread(
                self.notify,
                f"Not remembered for the next start: {error}",
                severity="warning",
                markup=False,
            )

    def on_board_screen_view_changed(self, message: BoardScreen.ViewChanged) -> None:
        self.remember(replace(self.state, board_view=message.remembered))

    def on_board_screen_loaded(self, _: BoardScreen.Loaded) -> None:
        if self.on_board_loaded is not None:
            self.on_board_loaded()

    def on_board_screen_card_screen_kept(self, _: BoardScreen.CardScreenKept) -> None:
        if self.on_card_screen_kept is not None:
            self.on_card_screen_kept()

    def _taken_down(self) -> bool:
        """Quitting: the app ran, and its screens are going (Textual's shutdown)."""
        return self._ran and not self.is_running

    def on_mount(self) -> None:
        self._ran = True
        self.session_end.attach_loop(asyncio.get_running_loop())
        self.app_resume_signal.subscribe(self, self._drawn_whole_on_resume)
        # Keys typed ahead while the program started act once the board is shown with
        # its first column focused, so that `j` reaches the column, not the hidden
        # filter.
        self.call_after_refresh(self.key_order.hold())
        board = BoardScreen(self.backend, self.first_board, view=self.state.board_view)
        self.push_screen(board)
        if self.first_screen in ("calls", "calls-week"):
            from pipeline_tui.ui.screens.calls import CallQueueScreen

            self.push_screen(
                CallQueueScreen(
                    self.backend,
                    week=self.first_screen == "calls-week",
                    everyone=self.calls_everyone,
                ),
                lambda _: self._board_after_calls(board),
            )
        if self.on_first_paint is not None:
            # Runs after the board's first refresh (it is the current screen now).
            self.call_after_refresh(self.on_first_paint)
        if self.notice:
            self.notify(self.notice, markup=False)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", markup=False)
