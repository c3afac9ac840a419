"""Bracketed pastes are read whole, without the escape sequences inside them."""

from __future__ import annotations

import pytest

from pipeline_tui.ui.pastes import BracketedPastes

START, END = "\x1b[200~", "\x1b[201~"
PASTED = f"{START}AAA \x1b[31mBBB\x1b[0m CCC\r\nnext line\x1b]0;title\x07{END}"


def fed(*chunks: str) -> str:
    pastes = BracketedPastes()
    return "".join(pastes(chunk) for chunk in chunks)


def test_the_escape_sequences_in_a_paste_are_taken_out() -> None:
    assert fed("j" + PASTED + "k") == f"j{START}AAA BBB CCC\r\nnext line{END}k"


@pytest.mark.parametrize("cut", range(1, len(PASTED)))
def test_a_paste_split_anywhere_across_reads_comes_out_the_same(cut: int) -> None:
    assert fed("x" + PASTED[:cut], PASTED[cut:] + "y") == fed("x" + PASTED + "y")


def test_a_paste_is_held_until_its_end_and_keys_outside_pass_at_once() -> None:
    pastes = BracketedPastes()
    assert pastes("\x1b") == "\x1b"  # a lone escape key is not held back
    assert pastes("j" + START + "half") == "j" + START
    assert pastes(" and the rest" + END + "\x1b") == "half and the rest" + END + "\x1b"


def test_a_paste_whose_end_never_came_can_be_taken_once() -> None:
    pastes = BracketedPastes()
    assert pastes("ab\x1b[200~Quotes \x1b[31mtake\x1b[0m a") == "ab\x1b[200~"
    assert pastes.take_unfinished() == "Quotes take a"
    assert pastes.take_unfinished() == ""
    assert pastes(" day\x1b[201~") == " day\x1b[201~"  # the rest, as typed
