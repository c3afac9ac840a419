"""Offering a draft back: "Unsaved note from 09:12: r restore, d discard".

Shown over an editor that has a draft kept from before (the session dropped, the app
was killed, or the rep left it for later). Escape leaves the editor and keeps the draft.

Only keys typed once it shows answer it. Typed with the keys that opened the editor
("ni" and the note, in one read), "d" in "discount" discarded the draft and the rest
went into the editor ("iscount"). Those keys are meant for the editor: kept
(`keys_ahead`), and handed on to it as keys once the rep has answered (ui/drafts.py,
`type_ahead`), so a tab still moves to the next field. Kept as text, "Bob Smith", tab,
"Smith Co" made the name "Bob SmithSmith Co".

A rep who starts typing once it shows, not having read it, is typing too: "Acme Ltd"
lost "Acme Lt" (eaten) and the draft (the "d"). Text keys other than the answers are
kept with the others, and shown; an "r" or "d" among them, or a "d" followed at once
by more text ("dental"), is text. So a discard is carried out only once no text has
followed it for DISCARD_SETTLE_S.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from time import monotonic

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from pipeline_tui.domain.drafts import Draft
from pipeline_tui.domain.text import clean_line
from pipeline_tui.ui import seams
from pipeline_tui.ui.key_order import PASTE, hold_keys, nothing_held

PREVIEW_LINES = 6
SAVE_WAIT_S = 2.0
"""How long quitting waits for the editor under the offer to keep the text typed."""
TYPED_SHOWN = 150
"""Characters of the text typed at the offer shown under it (its end): a pasted note
of a few hundred pushed the offer's escape line off an 80x24 screen."""
TYPING_GAP_S = 1.0
"""An "r" or "d" this soon after text typed at the offer is more of that text."""
DISCARD_SETTLE_S = 0.4
"""A "d" is a discard once no text has followed it for this long."""
RESTORE, DISCARD = "restore", "discard"
MOVING_KEYS = ("enter", "tab", "shift+tab")
"""Keys typed ahead that are kept besides characters and backspace: they move on in the
form (or, enter, submit it or start a new line) as they would have."""


def when(moment: datetime | None, now: datetime | None = None) -> str:
    """ "09:12" today, "Tue 24 Nov 09:12" on another day, in the rep's time zone."""
    if moment is None:
        return "earlier"
    local = moment.astimezone()
    today = (now or datetime.now(local.tzinfo)).astimezone(local.tzinfo).date()
    return f"{local:%H:%M}" if local.date() == today else f"{local:%a %d %b %H:%M}"


def preview(text: str, lines: int = PREVIEW_LINES) -> list[str]:
    """The first lines of a draft's text, each one line of plain text."""
    shown = [clean_line(line) for line in text.splitlines() if line.strip()][:lines]
    return shown or ["(empty)"]


class DraftOfferScreen(seams.Dialog[str | None]):
    """Dismisses with RESTORE, DISCARD, or None (escape: leave, keeping the draft)."""

    CSS_PATH = "draft_offer.tcss"

    def __init__(self, draft: Draft, lines: Sequence[str], now: datetime | None = None) -> None:
        super().__init__()
        self.draft = draft
        self.lines = list(lines)
        self.now = now
        self.shown_at = Message().time  # the clock each key is stamped with as it is read
        self.keys_ahead: list[tuple[str, str | None]] = []
        """The keys typed before the offer showed, for the editor: (key, character)."""
        self.release_keys: Callable[[], None] = nothing_held
        """Lets the keys typed after the answer go, once the answer is carried out and
        those typed ahead are handed on (`type_ahead`): they come after them."""
        self._last_typed = float("-inf")
        self.keep_with_draft: Callable[[str], None] | None = None
        """Puts text typed at the offer in the editor after the draft, as escape does,
        for the session's end to keep it with the draft (set by the editor)."""
        self._discarding: tuple[events.Key, Timer] | None = None

    @property
    def answer_pending(self) -> bool:
        """A "d" waiting to see whether text follows it (DISCARD_SETTLE_S)."""
        return self._discarding is not None

    @property
    def typed_ahead(self) -> str:
        """The text typed before the offer showed, as one string."""
        return typed_text(self.keys_ahead)

    def take_typed_ahead(self) -> str:
        """The text typed before the offer showed, forgetting it: the session is ending
        with the offer unanswered, so it goes nowhere but the unsaved file."""
        text = self.typed_ahead if self.typed_ahead.strip() else ""
        self.keys_ahead = []
        return text

    def compose(self) -> ComposeResult:
        label = self.draft.key.editor.label
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble(
                    (f"Unsaved {label} from {when(self.draft.saved_at, self.now)}", "bold"),
                    ": ",
                    ("r", "bold $accent"),
                    " restore, ",
                    ("d", "bold $accent"),
                    " discard",
                ),
                id="question",
            )
            yield Static(Content("\n").join(Content(line) for line in self.lines), id="preview")
            yield Static(id="typed")
            yield Static(
                Content.assemble(("escape", "bold $accent"), " not now: it is kept for later"),
                id="choices",
            )

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        if event.time < self.shown_at:
            self._typed_ahead(event)
            return
        if self._discarding is not None:
            held, timer = self._discarding
            self._discarding = None
            timer.stop()
            if self._is_character(event):
                self._typed_at_offer(held)  # "dental": the "d" was text
                self._typed_at_offer(event)
                return
            if event.key == "backspace":
                self._last_typed = event.time
                return  # the "d" taken back
            if event.key != "escape":  # d, then ctrl+s: the d was the answer
                self._answer(DISCARD)
                return
        if event.key == "escape" or (
            event.key in ("r", "d") and event.time - self._last_typed >= TYPING_GAP_S
        ):
            if event.key == "d":
                self._discarding = (event, self.set_timer(DISCARD_SETTLE_S, self._discard))
                return
            self._answer(RESTORE if event.key == "r" else None)
        elif self._is_character(event) or (event.key == "backspace" and self.keys_ahead):
            # Enter or tab alone is no text (a reflex "OK"): saved at once after a
            # discard, it would have saved a form the rep never saw.
            self._typed_at_offer(event)

    # Quitting with text typed at the offer (ui/drafts.py Editing) -------------------

    def unsaved_work(self) -> str | None:
        """Text typed at the offer is no editor's yet: ctrl+q asks about it, as about an
        editor's (it quit at once, and the text was gone)."""
        typed = clean_line(self.typed_ahead)
        if not typed:
            return None
        shown = typed if len(typed) <= 40 else typed[:39] + "…"
        return f'"{shown}", typed at the unsaved {self.draft.key.editor.label}'

    async def save_work(self) -> bool:
        """Kept with the draft, as escape keeps it: the editor under the offer closes,
        keeping its draft with the text after it."""
        stack = self.app.screen_stack
        editor = stack[stack.index(self) - 1] if self in stack and stack.index(self) else None
        self._answer(None)
        deadline = monotonic() + SAVE_WAIT_S
        while (self.is_attached or editor in self.app.screen_stack) and monotonic() < deadline:
            await asyncio.sleep(0.01)
        return not self.is_attached and editor not in self.app.screen_stack

    async def discard_work(self) -> None:
        self.keys_ahead.clear()

    def on_paste(self, event: events.Paste) -> None:
        """A paste is text typed at once: kept as keys are, for the editor (it went
        nowhere: the offer has no field)."""
        event.stop()
        event.prevent_default()
        if not event.text:
            return
        pasted = _Pasted(event.text, event.time)
        if event.time < self.shown_at:
            self._typed_ahead(pasted)
            return
        if self._discarding is not None:  # "d", then a paste: the "d" was text
            held, timer = self._discarding
            self._discarding = None
            timer.stop()
            self._typed_at_offer(held)
        self._typed_at_offer(pasted)

    def _discard(self) -> None:
        # Not if the offer is no longer on top (ctrl+p's palette opened over it): the
        # dismiss would close that screen instead, and the draft go unasked.
        if self._discarding is not None and self.is_current:
            self._discarding = None
            self._answer(DISCARD)

    def on_screen_suspend(self) -> None:
        if self._discarding is not None:
            self._discarding[1].stop()
            self._discarding = None  # the "d" is not carried out unseen

    def _answer(self, answer: str | None) -> None:
        # The keys typed after the answer wait until it is carried out: an `r` and a
        # ctrl+s in one burst must save the draft restored, not the editor before it.
        self.release_keys = hold_keys(self)
        self.dismiss(answer)

    @staticmethod
    def _is_text(event: events.Key) -> bool:
        return event.key in (*MOVING_KEYS, "backspace") or DraftOfferScreen._is_character(event)

    @staticmethod
    def _is_character(event: events.Key) -> bool:
        return bool(event.is_printable and event.character) and event.key not in MOVING_KEYS

    def _typed_at_offer(self, event: events.Key | _Pasted) -> None:
        """Text typed once the offer showed: kept as if typed ahead, and shown."""
        self._typed_ahead(event)
        if isinstance(event, _Pasted) or self._is_character(event) or event.key == "backspace":
            self._last_typed = event.time  # "Frex", backspace, "d": still typing
        typed = clean_line(self.typed_ahead)
        if len(typed) > TYPED_SHOWN:  # a long paste: its end, under the offer's keys
            typed = "…" + typed[-(TYPED_SHOWN - 1) :]
        shown = self.query_one("#typed", Static)
        shown.update(Content.assemble(("Typed: ", "bold"), Content(typed)))
        shown.display = bool(typed)

    def _typed_ahead(self, event: events.Key | _Pasted) -> None:
        keys = self.keys_ahead
        if isinstance(event, _Pasted):
            keys.append((PASTE, event.text))
        elif event.key == "backspace" and keys and keys[-1][0] == PASTE:
            pasted = (keys.pop()[1] or "")[:-1]  # the paste's last character taken back
            if pasted:
                keys.append((PASTE, pasted))
        elif event.key == "backspace" and keys and keys[-1][0] not in (*MOVING_KEYS, "backspace"):
            keys.pop()  # a character typed ahead, taken back
        elif self._is_text(event):
            keys.append((event.key, event.character))


@dataclass(frozen=True)
class _Pasted:
    """A paste at the offer, kept with the keys."""

    text: str
    time: float


def typed_text(keys: Sequence[tuple[str, str | None]]) -> str:
    """Keys typed ahead as text, to show the rep: enter a new line, a tab a space."""
    text = ""
    for key, character in keys:
        if key == PASTE:
            text += character or ""
        elif key == "backspace":
            text = text[:-1]
        elif key == "enter":
            text += "\n"
        elif key in MOVING_KEYS:
            text += " "
        else:
            text += character or ""
    return text
