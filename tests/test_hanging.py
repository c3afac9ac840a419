"""A line that wraps under its text (ui/hanging.py), at whatever width it is drawn."""

from __future__ import annotations

from textual.content import Content

from pipeline_tui.ui.hanging import Hanging


def test_each_lines_wrapped_part_starts_under_the_indent() -> None:
    line = Hanging(Content("today     Ada · Engines\n          Send the quote and the deck"), 10)
    assert line.at(30).plain.splitlines() == [
        "today     Ada · Engines",
        "          Send the quote and",
        "          the deck",
    ]
    assert line.at(80).plain.splitlines() == [
        "today     Ada · Engines",
        "          Send the quote and the deck",
    ]


def test_styles_survive_the_wrap_and_a_width_too_narrow_leaves_it_to_the_list() -> None:
    content = Content.assemble(("label   ", "bold"), ("one two three four", "italic"))
    wrapped = Hanging(content, 8).at(18)
    assert wrapped.plain.splitlines() == ["label   one two", "        three four"]
    assert [wrapped.plain[s.start : s.end] for s in wrapped.spans if str(s.style) == "italic"] == [
        "one two",
        "three four",
    ]
    assert Hanging(content, 8).at(12) is content


def test_each_line_may_hang_at_its_own_indent() -> None:
    """A card's stage history: a move under the move, past its date; its note under
    the note."""
    line = Hanging(Content("12:00  Lead to Prospect by sam\n    the CEO asked for it"), [7, 4])
    assert line.at(20).plain.splitlines() == [
        "12:00  Lead to",
        "       Prospect by",
        "       sam",
        "    the CEO asked",
        "    for it",
    ]
