"""A note's Markdown read as lines of styled text (the call queue's brief)."""

from __future__ import annotations

from textual.content import Content

from pipeline_tui.ui.note_text import note_lines


def plain(lines: list[Content]) -> list[str]:
    return [line.plain for line in lines]


def styled(line: Content, style: str) -> list[str]:
    return [line.plain[span.start : span.end] for span in line.spans if str(span.style) == style]


def test_emphasis_is_styled_and_its_marks_are_gone() -> None:
    [line] = note_lines("**Customers** want *faster* quotes, ~~not~~ cheaper")
    assert line.plain == "Customers want faster quotes, not cheaper"
    assert styled(line, "bold") == ["Customers"]
    assert styled(line, "italic") == ["faster"]
    assert styled(line, "strike") == ["not"]


def test_lists_quotes_tables_and_code_keep_their_shape() -> None:
    note = "\n".join(
        [
            "# Budget",
            "- owner: *Dana*",
            "  then the board",
            "- timing",
            "  1. Q1 review",
            "",
            "> their words",
            "",
            "| who | role |",
            "|-----|------|",
            "| Dana | CFO |",
            "",
            "```",
            "**as typed**",
            "```",
        ]
    )
    assert plain(note_lines(note)) == [
        "Budget",
        "• owner: Dana",
        "  then the board",
        "• timing",
        "  1. Q1 review",
        "│ their words",
        "who  │  role",
        "Dana  │  CFO",
        "**as typed**",
    ]
    assert plain(note_lines(note, gaps=True))[:6] == [
        "Budget",
        "",
        "• owner: Dana",
        "  then the board",
        "• timing",
        "  1. Q1 review",
    ]


def test_user_text_stays_literal() -> None:
    """Markup, links, HTML and entities are the rep's text, never acted on."""
    note = "[b]bold?[/b] [site](http://x.example) <b>hi</b> &#x202e;abc \\*kept\\*"
    [line] = note_lines(note)
    assert line.plain == "[b]bold?[/b] [site](http://x.example) <b>hi</b> &#x202e;abc *kept*"
    assert not line.spans


def test_an_empty_or_blank_note_has_no_lines() -> None:
    assert note_lines("") == []
    assert note_lines("\n  \n", gaps=True) == []
