"""A line that stays one line (ui/one_line.py): its middle gives way, then its head; a
list's lines whole while they all fit."""

from __future__ import annotations

from rich.cells import cell_len
from textual.content import Content

from pipeline_tui.ui.hanging import Hanging
from pipeline_tui.ui.one_line import OneLine, WholeOrOneLine, WholeWhileTheyFit

DUE = Content(" · ! due 2026-12-09 10:30 (2d late)")


def step(words: str) -> OneLine:
    return OneLine(Content("Next  Call     "), Content(words), DUE, short_head=Content("Next  "))


def test_a_line_that_fits_is_shown_whole_and_a_long_one_keeps_its_due_day() -> None:
    assert step("Call the CFO").at(80).plain == "Next  Call     Call the CFO" + DUE.plain
    cut = step("Send the no-show checklist and the pricing sheet").at(60).plain
    assert cut.startswith("Next  Call     Send the") and cut.endswith("…" + DUE.plain), cut
    assert cell_len(cut) <= 60


def test_narrower_the_kind_goes_before_the_due_day_then_the_end_is_cut() -> None:
    narrow = step("Call the CFO about the pricing").at(45).plain
    assert narrow.startswith("Next  Cal") and narrow.endswith("…" + DUE.plain), narrow
    assert step("Call the CFO").at(20).plain == "Next  Call     Call…"


def test_wide_characters_are_counted_in_cells() -> None:
    for width in (80, 61, 60, 59, 46, 40, 12, 1):
        shown = step("大阪の支店に電話して見積もりを送る😀 and more").at(width).plain
        assert cell_len(shown) <= width, (width, shown)
    assert step("大阪の支店に電話して見積もりを送る").at(60).plain.endswith(DUE.plain)


def test_it_is_one_line_high_at_any_width() -> None:
    line = step("word " * 40)
    assert line.get_height({}, 30) == 1
    assert "\n" not in line.at(30).plain and cell_len(line.at(30).plain) == 30


def test_lines_are_whole_while_all_of_them_fit_and_one_line_each_when_not() -> None:
    """Two long steps: wrapped they take four lines, so in a list of three each is one
    line; in a list of six, or wider, each is whole."""
    lines = 3
    words = ("Send the no-show checklist and the pricing sheet", "Call the practice manager")
    wholes = [Hanging(Content("Next  Call     " + w) + DUE, 15) for w in words]
    fit = WholeWhileTheyFit(wholes, lambda: lines)
    shown = [WholeOrOneLine(whole, step(w), fit) for whole, w in zip(wholes, words, strict=True)]
    assert [line.get_height({}, 60) for line in shown] == [1, 1]
    assert all(line.cut.at(60).plain.endswith(DUE.plain) for line in shown)
    assert [line.get_height({}, 200) for line in shown] == [1, 1]  # whole, on one line
    assert not fit.at(60) and fit.at(200)
    lines = 6
    assert [line.get_height({}, 60) for line in shown] == [2, 2]
