"""Keys handled one at a time, in the order they were typed, each on what the screen shows.

Textual 8 takes a key from the app's queue and hands it at once to the widget focused at
that moment; ordinary bindings run only when the key has bubbled back up to the app,
through the queue of every widget on the way. Over SSH, or from a fast typist, several
keys arrive in one read, so they were all handed to the same widget before the first of
them had run: in a form, "Kim Lee<tab>Lee Bakery" put everything into the name, as the
tab that moves focus ran after the letters behind it had already gone to the name; a
key after `e` reached the board instead of the form `e` opens.

So the app hands on one key at a time. A key is done once every widget on its way up
has handled it (a callback sent up the same path after it arrives behind it), and once
the screen and then the app have handled what that key set off (a screen pushed and
mounted, focus moved with Widget.focus(), which Textual applies later in the app's
queue). Only then does the next key go out, to whatever has focus by then.

A screen that must read the store before it can take keys (the card screen, a form
filled from the database) holds the keys meanwhile with `hold()`: the rep's next keys
wait for it instead of landing on the screen underneath.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Iterator, Sequence
from enum import Enum
from typing import Any

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.message_pump import MessagePump
from textual.widget import Widget
from textual.widgets import Input, TextArea

from pipeline_tui.ui import seams
from pipeline_tui.ui.widgets.form_input import FormInput

HOLD_LIMIT_S = 5.0
"""A hold never keeps keys longer than this: a store that hangs must not swallow them."""
ENDING_POLL_S = 0.005
ENDING_IN_FLIGHT_S = 0.3
"""As the session ends, how long past its limit the last key may take to be done (a
save it started included); with the limit, well within ending.FLUSH_WAIT_S."""

Dispatch = Callable[[events.Event], Awaitable[None]]
Admit = Callable[[], bool]
PASTE = "paste"
"""A paste among keys kept to hand on later: (PASTE, the pasted text). No key has this
name."""


class KeyOrder:
    """The app's typed keys (and pastes), handed on one at a time.

    `dispatch` is Textual's own handling of an input event (App.on_event): priority
    bindings, then the focused widget.
    """

    def __init__(self, app: App[Any], dispatch: Dispatch) -> None:
        self.app = app
        self._dispatch = dispatch
        self._waiting: deque[tuple[events.Event, Admit | None]] = deque()
        self._busy = False
        self._holds = 0
        self._turn = 0
        self._settle_again = False
        """A hold was let go while a key was settling: settle once more (see hold)."""
        self.when_handled: Callable[[], object] | None = None
        """Called each time every key typed so far has been handed on and handled."""
        self._handled_since_told = False
        """A key was handed on since `when_handled` was last called: a hold let go
        with no key behind it (the one kept while the app starts) has nothing to tell."""
        self._ending = False
        """The session is ending: no key is handed on any more (see type_what_waits)."""
        self.reading: float | None = None
        """When the key being handled now was read (Message.time); None between keys."""

    @staticmethod
    def takes(event: events.Event) -> bool:
        """Whether `event` is a key or paste fresh from the terminal."""
        return isinstance(event, events.Key | events.Paste) and not event.is_forwarded

    @property
    def waiting(self) -> int:
        """Keys typed and not yet handed on."""
        return len(self._waiting)

    @property
    def idle(self) -> bool:
        """No key is waiting or being handed on."""
        return not self._waiting and not self._busy

    async def typed(self, event: events.Event) -> None:
        """A key from the terminal: handled now if nothing is in flight, else queued."""
        self._waiting.append((event, None))
        await self._hand_on()

    def hold(self) -> Callable[[], None]:
        """Hold the keys typed from now on until the returned function is called (or
        HOLD_LIMIT_S has passed). Calling it more than once is harmless."""
        self._holds += 1
        released = False

        def release() -> None:
            nonlocal released
            if released:
                return
            released = True
            expiry.cancel()
            self._holds -= 1
            if self._holds:
                return
            # Whatever the holder did last (push a screen, focus a field) is applied by
            # the screen and the app before the next key goes.
            if not self._busy:
                self._busy = True
                self._settle(self._turn)
            else:
                # Let go while the key that took the hold is still settling (a worker
                # that ran at once): the round already asked for may pass the screen
                # and the app before what the holder did, and the archive's note,
                # focused as "Other" asked for it, lost its first letter to the
                # reasons. One more round once that one is done.
                self._settle_again = True

        # A bare loop timer in an empty context: a Textual timer would keep the holder's
        # context, and with it the screen that held the keys, alive until it fired.
        expiry = asyncio.get_running_loop().call_later(
            HOLD_LIMIT_S, release, context=contextvars.Context()
        )
        return release

    def replay(
        self, keys: Sequence[tuple[str, str | None, Admit]], *, typed_by: float | None = None
    ) -> None:
        """Hand `keys` (key, character) on next, one at a time as if typed now, before
        any key typed meanwhile and still waiting: keys typed earlier that reached the
        wrong screen (a dialog that showed up over them) go where they were meant. Each
        one's `admit` says, as its turn comes, whether it still goes: what a key would
        do depends on where focus is by then. (PASTE, text) is a paste. `typed_by`: when
        they were read at the latest (a Message.time), which is what the field they go
        into is told (see FormInput's proposals), not the time they are handed on."""
        for key, character, admit in reversed(keys):
            event: events.Key | events.Paste = (
                events.Paste(character or "") if key == PASTE else events.Key(key, character)
            )
            if typed_by is not None:
                event.time = typed_by
            event.set_sender(self.app)  # as from the terminal, not from whoever replays it
            self._waiting.appendleft((event, admit))
        if not self._busy and not self._holds:
            self._busy = True
            self._settle(self._turn)

    async def type_what_waits(self, limit_s: float) -> int:
        """The session is ending: let the keys read but not handed on yet do what they
        would have done, within `limit_s`; how many were typed straight into a field.

        Keys are handed on at about one a millisecond, each once the one before has
        been handled, so a burst of typing waits in line: a hang-up 50 ms after 304
        characters written at once kept 29 of them in the note's draft. So the keys
        that type text (characters, pastes, enter in a text area, a tab to a form's
        next field) go straight into the field that has focus; any other key (the `n p`
        that opens a note, a ctrl+s, an escape) is handed on as usual, once the key in
        flight (and a hold, such as a field opening) is done. What is still waiting at
        `limit_s` is left for `take_untyped`."""
        self._ending = True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_s
        # Keys the terminal has sent may still be on their way here: in the terminal,
        # with the driver's input thread, or in the app's queue.
        while loop.time() < deadline:
            reads = seams.input_reads(self.app)  # first: a read after it is then counted
            if seams.input_pending(self.app):
                await asyncio.sleep(ENDING_POLL_S)
                continue
            await self._behind_the_app_queue(deadline - loop.time())
            if seams.input_reads(self.app) == reads and not seams.input_pending(self.app):
                break
        pasted = seams.unfinished_paste(self.app)
        if pasted:
            paste = events.Paste(pasted)
            paste.set_sender(self.app)  # as from the terminal
            self._waiting.append((paste, None))
        typed = 0
        while self._waiting and loop.time() < deadline:
            if self._busy or self._holds:
                await asyncio.sleep(ENDING_POLL_S)
                continue
            focused = self.app.focused
            if isinstance(focused, Input | TextArea) and not (
                isinstance(focused, TextArea) and focused.read_only
            ):
                typed += self._type_into(focused)
            if self._waiting:
                await self._hand_on_next()
        # The last key handed on may still be on its way, or holding the keys while it
        # saves: a key not there yet when the drafts are read is in neither them nor the
        # file, and a ctrl+s still saving left its text as a draft as well as a note
        # (restored, a second copy of the note).
        finish_by = loop.time() + ENDING_IN_FLIGHT_S
        while (self._busy or self._holds) and loop.time() < finish_by:
            await asyncio.sleep(ENDING_POLL_S)
        return typed

    async def _behind_the_app_queue(self, limit_s: float) -> None:
        """Return once the app has taken every message posted to it so far (or after
        `limit_s`). The driver's input thread sends each key as a coroutine run on the
        loop (Driver.send_message: run_coroutine_threadsafe), which posts it a loop
        turn after it was sent; the callback is posted the same way, from the loop, so
        it goes into the app's queue behind every key sent before it."""
        loop = asyncio.get_running_loop()
        reached: asyncio.Future[None] = loop.create_future()

        def reach() -> None:
            if not reached.done():
                reached.set_result(None)

        async def post() -> None:
            if not self.app.call_later(reach):
                reach()  # the app is closing: it takes nothing more

        loop.call_soon(asyncio.ensure_future, post())
        await asyncio.wait([reached], timeout=max(0.0, limit_s))

    def _type_into(self, focused: Input | TextArea) -> int:
        """Type the waiting keys that type text into `focused` (and follow a tab to a
        form's next field), up to the first that does anything else; how many."""
        typed = 0
        while self._waiting:
            event, admit = self._waiting[0]
            text = _text_typed(event, focused)
            if text is None:
                # A tab between a form's fields: "Name<tab>Org<tab>mail@x" cut off
                # 0-50 ms after it was written kept the email out of the draft.
                following = _field_a_tab_moves_to(event, self.app, focused)
                if following is None:
                    break
                self._waiting.popleft()
                focused = following
                continue
            self._waiting.popleft()
            if admit is not None and not admit():
                continue  # a replayed key no longer meant for here, as _hand_on skips it
            # Over a selection, as typing replaces it; the cursor after what is typed.
            if isinstance(focused, FormInput):
                focused.typing(text, event.time)  # over a proposal not seen, as a key goes
            if isinstance(focused, Input):
                focused.replace(text, *focused.selection)
            else:
                focused.replace(text, *focused.selection, maintain_selection_offset=False)
            typed += 1
        return typed

    def take_untyped(self) -> str:
        """What the keys still waiting would have typed, as the rep typed it ("" if
        none types anything), forgetting them: for the end of a session that had no
        time for them. Keys that type nothing are named in angle brackets ("<ctrl+s>")."""
        try:
            waiting = [event for event, _ in list(self._waiting)]
        except RuntimeError:  # changed while read, from another thread
            return ""
        self._waiting.clear()
        parts: list[str] = []
        typing = False
        for event in waiting:
            if isinstance(event, events.Paste):
                parts.append(event.text)
                typing = True
            elif isinstance(event, events.Key):
                if event.is_printable and event.character and not event.key.startswith("alt+"):
                    parts.append(event.character)
                    typing = True
                else:
                    parts.append("\n" if event.key == "enter" else f"<{event.key}>")
        return "".join(parts) if typing else ""

    async def _hand_on(self) -> None:
        """Hand on waiting keys while nothing is in flight or held."""
        while self._waiting and not self._busy and not self._holds and not self._ending:
            await self._hand_on_next()

    async def _hand_on_next(self) -> None:
        """Hand on the next waiting key (one no longer admitted is dropped)."""
        event, admit = self._waiting.popleft()
        if admit is not None and not admit():
            return
        read_at = event.time
        if isinstance(event, events.Key):
            # Read with what has focus at its turn, as every key is handled.
            event, *later = keys_typed(event, self.app.focused)
            for key in later:
                key.time = read_at
            self._waiting.extendleft((key, None) for key in reversed(later))
        self.reading = read_at
        self._busy = True
        self._turn += 1
        self._handled_since_told = True
        target: MessagePump = self.app.focused or self.app.screen
        await self._dispatch(event)
        if event.is_forwarded:
            self._after(target, self._turn)
        else:  # a priority binding ran it here and then: its effects may follow
            self._settle(self._turn)

    def _follow(self, node: DOMNode | MessagePump, turn: int) -> None:
        """Runs once `node` has handled the key: on to its parent, up to the app.

        A key that bubbles is posted to the parent before this callback is, so each
        step runs after the key itself in that node's queue."""
        if turn != self._turn:
            return
        if node is self.app:
            self._settle(turn)
            return
        parent = node.parent if isinstance(node, DOMNode) else None
        self._after(parent if parent is not None else self.app, turn)

    def _after(self, node: MessagePump, turn: int) -> None:
        """Follow the key once `node` has handled what is in its queue now."""
        if not node.call_later(self._follow, node, turn):
            self._follow(node, turn)  # closing: nothing more can happen there

    def _settle(self, turn: int) -> None:
        """Let the current screen, then the app, handle what the key set off."""
        if not self.app.is_running:
            # Quitting: the screens are being taken down (a hold let go by a read that
            # ended meanwhile found none), and nothing will take the keys.
            self._waiting.clear()
            return
        screen = self.app.screen
        if not screen.call_later(self._in_app, turn):
            self._in_app(turn)

    def _in_app(self, turn: int) -> None:
        if not self.app.call_later(self._next, turn):
            self._waiting.clear()  # the app is closing: nothing will take them

    async def _next(self, turn: int) -> None:
        if turn != self._turn:
            return
        if self._settle_again:
            self._settle_again = False
            self._settle(turn)
            return
        self._busy = False
        self.reading = None
        await self._hand_on()
        if self.when_handled is not None and self.idle and self._handled_since_told:
            self._handled_since_told = False
            self.when_handled()


FOCUS_KEYS = {"tab": "app.focus_next", "shift+tab": "app.focus_previous"}
"""Keys that only move focus between fields, and the actions that do it."""


def _field_a_tab_moves_to(
    event: events.Event, app: App[Any], field: Input | TextArea
) -> Input | None:
    """The one-line field a tab (or shift+tab) typed in `field` moves focus to, having
    moved it there; None, moving nothing, if the key does anything else here (a text
    area's indent, a binding of the screen's own) or lands on anything but a field."""
    if not isinstance(event, events.Key) or not isinstance(field, Input):
        return None
    active = app.active_bindings.get(event.key)
    if active is None or active.binding.action != FOCUS_KEYS.get(event.key):
        return None
    chain = app.screen.focus_chain
    if field not in chain:
        return None
    step = 1 if event.key == "tab" else -1
    following = chain[(chain.index(field) + step) % len(chain)]
    if not isinstance(following, Input):
        return None
    app.screen.set_focus(following)
    return following


def _text_typed(event: events.Event, field: Input | TextArea) -> str | None:
    """The text `event` types into `field` (None: it is not typing there)."""
    if isinstance(event, events.Paste):
        if isinstance(field, TextArea):
            return event.text
        if isinstance(field, FormInput):
            return FormInput.one_line(event.text)
        # Input's own paste takes the first line.
        return next(iter(event.text.splitlines()), "")
    if not isinstance(event, events.Key) or event.key.startswith("alt+"):
        return None  # an Alt key is escape and a key, or a word move (keys_typed)
    if event.key == "enter" and isinstance(field, TextArea):
        return "\n"
    return event.character if event.is_printable and event.character else None


CONTROL_SEQUENCE_STARTS = "[O"
"""After ESC, what begins a terminal's control sequence (CSI, SS3) rather than a key."""


class InputPart(Enum):
    """What a part of the terminal's input is (escape_pairs)."""

    TEXT = "text"
    """Characters and whole sequences, for Textual's parser."""
    PAIR = "pair"
    """An ESC and the character after it, which cannot begin a control sequence."""
    ESCAPE = "escape"
    """An ESC followed by another: escape, on its own."""
    LAST = "last"
    """An ESC that ends what was read: what comes next (or nothing) says what it is."""


def escape_pairs(data: str) -> Iterator[tuple[str, InputPart]]:
    """`data`, terminal input as read, in parts (InputPart).

    An ESC and a character that cannot begin a control sequence are whole as read:
    escape then a key, or Alt and a key. Textual's parser does not know that. It holds
    ESC and what follows it as a possible sequence until its escape delay passes, a
    second ESC comes or 32 characters have: then, but for the delay, it hands the
    first ESC on as a typed `^`. Escape, `nu`, a note and ctrl+s, escape in one read (a
    quick typist, a burst over SSH) typed `^nu` and the note into the note being left,
    and saved it there; so did the same keys read one at a time, each sooner after the
    last than the delay."""
    start = 0
    at = data.find("\x1b")
    while at >= 0:
        after = data[at + 1 : at + 2]
        if after and after in CONTROL_SEQUENCE_STARTS:
            at = data.find("\x1b", at + 1)
            continue
        if at > start:
            yield data[start:at], InputPart.TEXT
        if not after:
            yield "\x1b", InputPart.LAST
        elif after == "\x1b":
            yield "\x1b", InputPart.ESCAPE
        else:
            yield data[at : at + 2], InputPart.PAIR
        start = at + (1 if after in ("", "\x1b") else 2)
        at = data.find("\x1b", start)
    if start < len(data):
        yield data[start:], InputPart.TEXT


def escape_then_key(event: events.Key) -> list[events.Key] | None:
    """An escape and the key typed right after it, if `event` is the two in one.

    A terminal without the kitty keyboard protocol sends escape as a lone ESC byte, and
    Alt+j as ESC then j. Textual takes an ESC followed within its escape delay by a
    character as Alt with that character: escape then j in one read (a quick typist, a
    burst over SSH) became alt+j, which nothing here binds, and both keys were lost
    (the card screen stayed open; in a field the j was typed and the escape dropped).
    The app binds no Alt+character, so such a key is the two keys, as in vim. Only those
    that carry their character: Alt reported by the kitty protocol carries none, and
    alt+backspace (a field's delete-word) is not a character. Nor ESC then [ or O: the
    start of a control sequence Textual did not know (a function key of an unusual
    terminal), which it hands on as Alt+[ and the rest as characters; taken as escape,
    it would close the screen the rep is typing in."""
    character = event.character
    if not event.key.startswith("alt+") or character is None or len(character) != 1:
        return None
    if not character.isprintable() or character in CONTROL_SEQUENCE_STARTS:
        return None
    return [events.Key("escape", "\x1b"), events.Key(seams.character_to_key(character), character)]


WORD_JUMPS = {"alt+b": "ctrl+left", "alt+f": "ctrl+right"}
"""Alt+b and Alt+f in a text field: a word back and forward, as readline reads them;
macOS terminals send them for Option+arrow ("Natural Text Editing")."""


def keys_typed(event: events.Key, focused: Widget | None) -> list[events.Key]:
    """The keys `event` stands for, with `focused` having focus: escape and a key when
    read together (escape_then_key), except Alt+b and Alt+f in a text field, which move
    a word (taken as escape, they would have closed the form being typed in)."""
    split = escape_then_key(event)
    if split is None:
        return [event]
    if isinstance(focused, Input | TextArea) and event.key in WORD_JUMPS:
        return [events.Key(WORD_JUMPS[event.key], None)]
    return split


SEEING_S = 0.15
"""How soon after something is shown a key can be an answer to it. What is shown at a
moment reaches the terminal a frame later; a key's read time can be late by up to
ESCDELAY (the parser holds an ESC until it knows what follows: "ctrl+s, escape, s" in
one write had its "s" stamped 23 ms after the view ctrl+s brought up); and no one
answers what they see in less than this."""


def read_before(node: DOMNode, moment: float) -> bool:
    """Whether the key being handled now (the one that led here) was typed before the
    rep could see what the screen showed at `moment` (a Message.time): read before it,
    or within SEEING_S of it. False when no key is being handled (a mouse click) or the
    app has no KeyOrder."""
    order = getattr(node.app, "key_order", None)
    reading = order.reading if isinstance(order, KeyOrder) else None
    return reading is not None and reading < moment + SEEING_S


def hold_keys(node: DOMNode, *, when: bool = True) -> Callable[[], None]:
    """Hold the app's keys (see KeyOrder.hold); a no-op when `when` is false, or in an
    app without a KeyOrder."""
    order = getattr(node.app, "key_order", None)
    if when and isinstance(order, KeyOrder):
        return order.hold()
    return nothing_held


def nothing_held() -> None:
    """The release of a hold that holds nothing: the keys are not held here."""


SUBMIT_AT_ONCE = Binding("enter", "submit_at_once", show=False, priority=True)
"""Enter in a field, for a screen that is SubmitsAtOnce (in its BINDINGS)."""


class SubmitsAtOnce:
    """A screen whose fields submit it with enter, submitted as the key arrives.

    Enter in a field submits through the field's Submitted message, which reaches the
    screen only after bubbling up; the key order had let the next key go by then, and
    a key typed in the same read went into the field ("Called", enter, n saved
    "Calledn"). As a priority binding (SUBMIT_AT_ONCE), the submit, and its hold on the
    keys, come first. Only while a field has focus: a list's enter keeps its meaning,
    except on the dialog's own list of choices (`list_at_once`).

    That list's enter (an OptionSelected message) comes up to the screen just as late:
    the keys typed with it went to the list, where a letter picks a choice. "t, enter,
    Called her back" saved "alled her back"; "a, enter, l" archived as Lost. A screen
    that names its list has that enter run `submit_list` as it arrives too (what the
    list's selection does: on to the field, or the answer), and its selection handler
    stays for the mouse."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit_at_once":
            focused = getattr(self, "focused", None)
            return isinstance(focused, Input) or self._on_list(focused)
        return True

    def action_submit_at_once(self) -> None:
        if self._on_list(getattr(self, "focused", None)):
            self.submit_list()
        else:
            self.submit_field()

    def _on_list(self, focused: object) -> bool:
        choices = self.list_at_once()
        return choices is not None and focused is choices

    def list_at_once(self) -> Widget | None:
        """The dialog's list whose enter acts as it arrives (None: no such list)."""
        return None

    def submit_field(self) -> None:
        """What enter in one of the dialog's fields does."""
        raise NotImplementedError

    def submit_list(self) -> None:
        """What enter on `list_at_once` does (the screen's OptionSelected handler)."""
        raise NotImplementedError
