"""How keys from the terminal are taken apart before they are handed on."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input, TextArea

from pipeline_tui.ui.key_order import escape_then_key, keys_typed


@pytest.mark.parametrize(
    ("key", "character", "keys"),
    [
        ("alt+j", "j", [("escape", "\x1b"), ("j", "j")]),  # ESC and j in one read
        ("alt+shift+j", "J", [("escape", "\x1b"), ("J", "J")]),
        ("alt+question_mark", "?", [("escape", "\x1b"), ("question_mark", "?")]),
        ("alt+space", " ", [("escape", "\x1b"), ("space", " ")]),
    ],
)
def test_escape_and_a_character_read_together_are_two_keys(
    key: str, character: str, keys: list[tuple[str, str]]
) -> None:
    split = escape_then_key(events.Key(key, character))
    assert split is not None
    assert [(each.key, each.character) for each in split] == keys


@pytest.mark.parametrize(
    ("key", "character"),
    [
        ("j", "j"),
        ("escape", "\x1b"),
        ("alt+j", None),  # Alt itself, as the kitty keyboard protocol reports it
        ("alt+backspace", "\x7f"),  # a field's delete-word
        ("alt+enter", "\r"),
        # An unknown control sequence ("ESC [ 9 9 9 ~"), handed on a character at a time.
        ("alt+left_square_bracket", "["),
        ("alt+shift+o", "O"),
    ],
)
def test_other_keys_are_kept_whole(key: str, character: str | None) -> None:
    assert escape_then_key(events.Key(key, character)) is None


@pytest.mark.parametrize(("key", "jump"), [("alt+b", "ctrl+left"), ("alt+f", "ctrl+right")])
def test_alt_b_and_f_in_a_text_field_move_a_word(key: str, jump: str) -> None:
    # What macOS terminals send for Option+arrow: taken as escape, they closed the form.
    for field in (Input(), TextArea()):
        assert [k.key for k in keys_typed(events.Key(key, key[-1]), field)] == [jump]
    assert [k.key for k in keys_typed(events.Key(key, key[-1]), None)] == ["escape", key[-1]]


def test_a_key_read_alone_is_itself() -> None:
    event = events.Key("j", "j")
    assert keys_typed(event, Input()) == [event]
