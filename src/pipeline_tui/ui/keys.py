"""The [keys] table of the config: which actions can be rebound, and what would go wrong.

Every rebindable key binding has an id ("board.move_on"); Textual's keymap replaces that
binding's keys. This module checks a keymap against the screens' bindings before it is
used: unknown ids, key names Textual would not recognise, two actions on one key where
both are active, keys the app keeps for itself, and printable keys on screens where the
rep is typing. Problems are warnings: the app still starts, with the keymap applied.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from textual.app import App
from textual.binding import Binding, BindingType
from textual.keys import Keys, key_to_character

from pipeline_tui.ui.seams import character_to_key

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
# Keys the app handles before any screen sees them.
RESERVED = {"ctrl+p": "the command palette", "ctrl+q": "quitting", "ctrl+c": "quitting / copy"}
_NAMED_KEYS = frozenset(key.value for key in Keys)


@dataclass(frozen=True)
class KeyContext:
    """Bindings that are active at the same time (a screen and its focused widgets)."""

    name: str
    bindings: Callable[[], Iterable[BindingType]]
    typing: bool = False
    """True where a text field has the keys: printable keys there would never arrive."""


def key_contexts() -> list[KeyContext]:
    # Imported here: the screens import this package's widgets, which import the app's
    # helpers; keeping it lazy avoids an import cycle and a slow `config check`.
    from pipeline_tui.ui.screens.agenda import AgendaList, AgendaScreen
    from pipeline_tui.ui.screens.archived import ArchivedList, ArchivedScreen
    from pipeline_tui.ui.screens.archived_card import ArchivedCardScreen
    from pipeline_tui.ui.screens.board import BoardScreen
    from pipeline_tui.ui.screens.card import CardScreen
    from pipeline_tui.ui.screens.note_editor import NoteEditorScreen
    from pipeline_tui.ui.screens.standup import StandupList, StandupScreen
    from pipeline_tui.ui.widgets.card_list import CardList

    return [
        KeyContext("board", lambda: [*CardList.BINDINGS, *BoardScreen.BINDINGS]),
        KeyContext("card", lambda: CardScreen.BINDINGS),
        KeyContext("note", lambda: NoteEditorScreen.BINDINGS, typing=True),
        KeyContext("standup", lambda: [*StandupList.BINDINGS, *StandupScreen.BINDINGS]),
        KeyContext("archive", lambda: [*ArchivedList.BINDINGS, *ArchivedScreen.BINDINGS]),
        KeyContext("archived card", lambda: ArchivedCardScreen.BINDINGS),
        KeyContext("week", lambda: [*AgendaList.BINDINGS, *AgendaScreen.BINDINGS]),
    ]


def rebindable(contexts: Iterable[KeyContext]) -> dict[str, tuple[KeyContext, Binding]]:
    """Every binding with an id, by id."""
    found: dict[str, tuple[KeyContext, Binding]] = {}
    for context in contexts:
        for binding in context.bindings():
            if isinstance(binding, Binding) and binding.id:
                found[binding.id] = (context, binding)
    return found


def normalise_key(key: str) -> str:
    """A key as Textual names it: "?" is "question_mark", "Ctrl+S" is "ctrl+s"."""
    key = key.strip()
    if len(key) == 1:
        return character_to_key(key)
    *modifiers, base = key.split("+")
    if len(base) == 1:
        base = character_to_key(base)
    return "+".join([*(m.lower() for m in modifiers), base])


def is_key_name(key: str) -> bool:
    """Whether Textual could ever report this key (so a binding to it can fire)."""
    *modifiers, base = key.split("+")
    if any(modifier not in MODIFIERS for modifier in modifiers) or not base:
        return False
    if len(base) == 1 or base in _NAMED_KEYS:
        return True
    try:
        unicodedata.lookup(base.replace("_", " ").upper())
    except KeyError:
        return False
    return True


def check_keymap(
    keymap: Mapping[str, str], contexts: Iterable[KeyContext] | None = None
) -> list[str]:
    """One sentence for each problem with the [keys] table; empty when all is well."""
    contexts = list(key_contexts() if contexts is None else contexts)
    known = rebindable(contexts)
    reserved = dict(RESERVED)
    for binding in App.BINDINGS:
        if isinstance(binding, Binding) and binding.priority:
            for key in binding.key.split(","):
                reserved.setdefault(normalise_key(key), binding.description or binding.action)
    problems: list[str] = []
    for action_id, keys in keymap.items():
        if action_id not in known:
            close = difflib.get_close_matches(action_id, list(known), n=1)
            hint = (
                f"; did you mean {close[0]!r}"
                if close
                else "; `pipeline-tui config check` lists them"
            )
            problems.append(f"[keys] {action_id!r} is not an action that can be rebound{hint}.")
            continue
        context = known[action_id][0]
        for raw in keys.split(","):
            key = normalise_key(raw)
            if not is_key_name(key):
                problems.append(f"[keys] {action_id}: {raw.strip()!r} is not a key name.")
            elif key in reserved:
                problems.append(
                    f"[keys] {action_id}: {raw.strip()!r} is kept by the app for "
                    f"{reserved[key]}, so it would never reach this action."
                )
            elif context.typing and key_to_character(key) is not None:
                problems.append(
                    f"[keys] {action_id}: {raw.strip()!r} is typed into the text field on "
                    f"the {context.name} screen, so it would never reach this action."
                )
    problems.extend(_clashes(keymap, contexts, known))
    return problems


def _clashes(
    keymap: Mapping[str, str],
    contexts: Iterable[KeyContext],
    known: Mapping[str, tuple[KeyContext, Binding]],
) -> list[str]:
    problems: list[str] = []
    for context in contexts:
        users: dict[str, list[str]] = {}
        for action_id, (owner, binding) in known.items():
            if owner is not context:
                continue
            keys = keymap.get(action_id, binding.key)
            for key in dict.fromkeys(normalise_key(k) for k in keys.split(",")):
                users.setdefault(key, []).append(action_id)
        for key, actions in users.items():
            if len(actions) > 1 and any(a in keymap for a in actions):
                both = " and ".join(actions)
                problems.append(
                    f"[keys] {key!r} is bound to both {both} on the {context.name} screen; "
                    "only one of them will work."
                )
    return problems


def describe_actions(contexts: Iterable[KeyContext] | None = None) -> list[tuple[str, str, str]]:
    """(id, keys, what it does) for every rebindable action, for `config check`."""
    rows = []
    for action_id, (_, binding) in rebindable(
        key_contexts() if contexts is None else contexts
    ).items():
        rows.append((action_id, binding.key, binding.tooltip or binding.description))
    return rows
