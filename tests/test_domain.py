"""The plain-Python rules: stages, due dates, the text sanitiser, tags and card drafts."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline_tui.domain.agenda import kind_for_action, kind_for_activity
from pipeline_tui.domain.cards import CardDraft, CardFormError, CardSummary
from pipeline_tui.domain.dates import (
    DueDateError,
    describe_due,
    describe_due_beside_date,
    parse_due,
)
from pipeline_tui.domain.kinds import TouchpointKind
from pipeline_tui.domain.schedule import ActivityKind
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.text import clean_line, clean_text, split_tags
from tests.conftest import TODAY

FRIDAY = date(2026, 11, 27)
SHORT_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def test_today_fixture_is_a_monday_and_friday_is_a_friday() -> None:
    assert TODAY.weekday() == 0
    assert FRIDAY.weekday() == 4


# Stages ---------------------------------------------------------------------------------


def test_stages_are_in_pipeline_order() -> None:
    assert STAGES == (Stage.LEAD, Stage.PROSPECT, Stage.CLIENT, Stage.REPEAT)
    assert [s.value for s in STAGES] == ["lead", "prospect", "client", "repeat"]
    assert Stage.REPEAT.label == "Repeat / Referral"
    assert Stage.LEAD.label == "Lead"


def test_next_walks_forward_and_stops_at_the_end() -> None:
    assert Stage.LEAD.next() is Stage.PROSPECT
    assert Stage.PROSPECT.next() is Stage.CLIENT
    assert Stage.CLIENT.next() is Stage.REPEAT
    assert Stage.REPEAT.next() is None


def test_previous_walks_back_and_stops_at_the_start() -> None:
    assert Stage.REPEAT.previous() is Stage.CLIENT
    assert Stage.CLIENT.previous() is Stage.PROSPECT
    assert Stage.PROSPECT.previous() is Stage.LEAD
    assert Stage.LEAD.previous() is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("lead", Stage.LEAD),
        ("Lead", Stage.LEAD),
        ("  LEAD  ", Stage.LEAD),
        ("prospect", Stage.PROSPECT),
        ("PrOsPeCt", Stage.PROSPECT),
        ("client", Stage.CLIENT),
        ("CLIENT", Stage.CLIENT),
        ("repeat", Stage.REPEAT),
        ("Repeat / Referral", Stage.REPEAT),
        ("repeat / referral", Stage.REPEAT),
        ("repeat/referral", Stage.REPEAT),
        ("referral", Stage.REPEAT),
        ("Referral", Stage.REPEAT),
    ],
)
def test_stage_parse_reads_names_and_labels_in_any_case(typed: str, expected: Stage) -> None:
    assert Stage.parse(typed) is expected


@pytest.mark.parametrize("typed", ["nope", "", "won", "leads", "client!"])
def test_stage_parse_rejects_unknown_names_and_lists_the_choices(typed: str) -> None:
    with pytest.raises(ValueError) as caught:
        Stage.parse(typed)
    message = str(caught.value)
    assert repr(typed) in message
    for stage in STAGES:
        assert stage.value in message
    assert "\n" not in message


# Due dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2026-12-01", date(2026, 12, 1)),
        (" 2027-01-15 ", date(2027, 1, 15)),
        ("today", TODAY),
        ("TODAY", TODAY),
        ("tomorrow", TODAY + timedelta(days=1)),
        ("Tomorrow", TODAY + timedelta(days=1)),
        ("+3d", TODAY + timedelta(days=3)),
        ("+3", TODAY + timedelta(days=3)),
        ("+2w", TODAY + timedelta(days=14)),
        ("+2W", TODAY + timedelta(days=14)),
        ("+0d", TODAY),
    ],
)
def test_parse_due_reads_what_a_rep_types(typed: str, expected: date) -> None:
    assert parse_due(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["", "   ", "\t"])
def test_parse_due_empty_means_no_due_date(typed: str) -> None:
    assert parse_due(typed, TODAY) is None


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # From Monday 2026-11-23: a weekday is the next such day strictly after today.
        ("mon", date(2026, 11, 30)),
        ("monday", date(2026, 11, 30)),
        ("tue", date(2026, 11, 24)),
        ("Tuesday", date(2026, 11, 24)),
        ("wed", date(2026, 11, 25)),
        ("thu", date(2026, 11, 26)),
        ("fri", date(2026, 11, 27)),
        ("FRIDAY", date(2026, 11, 27)),
        ("sat", date(2026, 11, 28)),
        ("sun", date(2026, 11, 29)),
        ("sunday", date(2026, 11, 29)),
    ],
)
def test_weekday_names_from_a_monday(typed: str, expected: date) -> None:
    assert parse_due(typed, TODAY) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # From Friday 2026-11-27: "fri" is a week away, the weekend is this weekend.
        ("fri", date(2026, 12, 4)),
        ("friday", date(2026, 12, 4)),
        ("sat", date(2026, 11, 28)),
        ("saturday", date(2026, 11, 28)),
        ("sun", date(2026, 11, 29)),
        ("mon", date(2026, 11, 30)),
        ("Monday", date(2026, 11, 30)),
        ("thu", date(2026, 12, 3)),
        ("thursday", date(2026, 12, 3)),
    ],
)
def test_weekday_names_from_a_friday(typed: str, expected: date) -> None:
    assert parse_due(typed, FRIDAY) == expected


@pytest.mark.parametrize(
    "typed", ["blah", "next wk", "2026-13-01", "2026-02-30", "+3x", "+d", "fri!", "3d", "31 apr"]
)
def test_parse_due_rejects_nonsense_with_a_readable_message(typed: str) -> None:
    with pytest.raises(DueDateError) as caught:
        parse_due(typed, TODAY)
    message = str(caught.value)
    assert repr(typed) in message
    assert "today" in message and "tomorrow" in message and "+3d" in message
    assert "\n" not in message
    assert "isoformat" not in message.lower()


def test_due_date_error_is_a_value_error() -> None:
    assert issubclass(DueDateError, ValueError)


@settings(max_examples=200)
@given(
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2300, 12, 31)),
    weekday=st.integers(min_value=0, max_value=6),
    full=st.booleans(),
    upper=st.booleans(),
)
def test_weekday_is_one_to_seven_days_ahead_on_that_weekday(
    today: date, weekday: int, full: bool, upper: bool
) -> None:
    name = (FULL_DAYS if full else SHORT_DAYS)[weekday]
    result = parse_due(name.upper() if upper else name, today)
    assert result is not None
    assert 1 <= (result - today).days <= 7
    assert result.weekday() == weekday


@settings(max_examples=200)
@given(
    today=st.dates(min_value=date(1900, 1, 1), max_value=date(2300, 12, 31)),
    days=st.integers(min_value=0, max_value=9999),
)
@example(today=date(2026, 12, 31), days=1)
@example(today=date(2026, 11, 30), days=1)
@example(today=date(2028, 2, 28), days=1)
@example(today=date(2027, 2, 28), days=1)
@example(today=date(2026, 12, 25), days=10)
def test_plus_n_days_is_exactly_n_days_later(today: date, days: int) -> None:
    assert parse_due(f"+{days}d", today) == today + timedelta(days=days)
    result = parse_due(f"+{days}d", today)
    assert result is not None and (result - today).days == days


def test_plus_days_cross_month_and_year_ends() -> None:
    assert parse_due("+1d", date(2026, 12, 31)) == date(2027, 1, 1)
    assert parse_due("+1d", date(2028, 2, 28)) == date(2028, 2, 29)
    assert parse_due("+1d", date(2027, 2, 28)) == date(2027, 3, 1)
    assert parse_due("+2w", date(2026, 12, 25)) == date(2027, 1, 8)


@pytest.mark.parametrize(
    ("due", "label"),
    [
        (TODAY, "today"),
        (TODAY + timedelta(days=1), "tomorrow"),
        (TODAY - timedelta(days=1), "1d late"),
        (TODAY - timedelta(days=3), "3d late"),
        (TODAY - timedelta(days=40), "40d late"),
        (TODAY + timedelta(days=2), "Wed"),
        (TODAY + timedelta(days=4), "Fri"),
        (TODAY + timedelta(days=6), "Sun"),
        (TODAY + timedelta(days=7), "Nov 30"),
        (date(2026, 12, 1), "Dec 01"),
        (date(2027, 1, 15), "2027-01-15"),
    ],
)
def test_describe_due_labels(due: date, label: str) -> None:
    assert describe_due(due, TODAY) == label


@pytest.mark.parametrize(
    ("due", "label"),
    [
        (TODAY, "today"),
        (TODAY - timedelta(days=40), "40d late"),
        (TODAY + timedelta(days=6), "Sun"),
        (TODAY + timedelta(days=7), "in 7 days"),
        (date(2027, 1, 4), "in 42 days"),
    ],
)
def test_beside_a_written_out_date_the_label_is_never_the_date_again(due: date, label: str) -> None:
    assert describe_due_beside_date(due, TODAY) == label


def test_card_summary_overdue_and_due_today() -> None:
    def card(due: date | None) -> CardSummary:
        return CardSummary(1, "Ann", "", Stage.LEAD, 0, "sam", next_action_due=due)

    assert card(TODAY - timedelta(days=1)).is_overdue(TODAY)
    assert not card(TODAY).is_overdue(TODAY)
    assert card(TODAY).is_due_today(TODAY)
    assert not card(TODAY + timedelta(days=1)).is_due_today(TODAY)
    assert not card(None).is_overdue(TODAY)
    assert not card(None).is_due_today(TODAY)


# The sanitiser --------------------------------------------------------------------------


@pytest.mark.parametrize("clean", [clean_line, clean_text])
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\x1b[2Jb", "ab"),  # CSI: clear screen
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[?1049h\x1b[1;1Hx", "x"),  # private-mode CSI and cursor moves
        ("a\x1b]52;c;aGVsbG8=\x07b", "ab"),  # OSC 52 clipboard write, BEL-terminated
        ("a\x1b]52;c;aGVsbG8=\x1b\\b", "ab"),  # OSC 52, ST-terminated
        ("a\x1b]0;evil title\x07b", "ab"),
        ("\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", "click"),  # OSC 8 link
        ("\x1b]8;;https://evil.example\x07click\x1b]8;;\x07", "click"),
        ("a\x1bMb", "ab"),  # ESC M: reverse index (the whole two-character escape goes)
        ("ding\x07dong", "dingdong"),  # BEL
        ("nul\x00byte", "nulbyte"),  # NUL
        ("a\x9b2Jb", "ab"),  # 8-bit CSI
        ("a\x9b31mb", "ab"),  # 8-bit CSI with parameters
        ("ab\x9b", "ab"),  # lone C1 CSI
        ("a\x85b\x90c\x9dd", "abcd"),  # other C1 controls
        ("a\x7fb", "ab"),  # DEL
        ("abc\u202edcb", "abcdcb"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2066hidden\u2069 text", "hidden text"),  # isolates
        ("\u202a\u202b\u202c\u202dx", "x"),
        ("pay\u200bpal", "paypal"),  # zero-width space
        ("\ufeffbom", "bom"),
    ],
)
def test_sanitiser_removes_what_a_terminal_would_act_on(
    clean: Callable[[str], str], raw: str, expected: str
) -> None:
    assert clean(raw) == expected


@pytest.mark.parametrize("clean", [clean_line, clean_text])
@pytest.mark.parametrize(
    "kept",
    [
        "Ann 👍🏽 🎉",
        "👩‍💻 dev team 👨‍👩‍👧‍👦",  # ZWJ sequences must survive
        "🇬🇧 🏳️‍🌈",
        "مرحبا بالعالم",  # Arabic
        "שלום עולם",  # Hebrew
        "Chloé Martin — Ørsted, Zürich",
        "日本語のテキスト",
        "[bold red]y",
        "[@click=app.quit]x[/]",
        "[link=https://evil.example]click[/link]",
        "50% off [b]now[/b] & <i>later</i>",
        "नमस्ते",  # Devanagari combining marks
        "می‌خواهم",  # Persian needs ZERO WIDTH NON-JOINER
    ],
)
def test_sanitiser_keeps_ordinary_text_and_markup_literally(
    clean: Callable[[str], str], kept: str
) -> None:
    assert clean(kept) == kept


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # `tput sgr0` on xterm prints ESC ( B then CSI m: copied coloured output has it.
        ("Ann\x1b(B\x1b[m Okafor", "Ann Okafor"),
        ("a\x1b(0b", "ab"),  # switch to the line-drawing character set
        ("a\x1bcb", "ab"),  # ESC c: full terminal reset
        ("a\x1b7b\x1b8", "ab"),  # save / restore cursor
    ],
)
def test_sanitiser_removes_other_escape_sequences_whole(raw: str, expected: str) -> None:
    # ESC itself is stripped today, but the rest of these sequences is left in the text.
    assert clean_line(raw) == expected
    assert clean_text(raw) == expected


def test_clean_line_turns_line_breaks_and_tabs_into_spaces() -> None:
    assert clean_line("first\nsecond") == "first second"
    assert clean_line("a\r\nb") == "a b"
    assert clean_line("a\rb") == "a b"
    assert clean_line("col1\tcol2") == "col1 col2"
    assert clean_line("  padded \n") == "padded"
    assert "\n" not in clean_line("x\n\n\ny")


def test_clean_text_keeps_newlines_and_tabs() -> None:
    assert clean_text("line one\nline two") == "line one\nline two"
    assert clean_text("a\r\nb") == "a\nb"
    assert clean_text("line one\rline two\r\rend") == "line one\nline two\n\nend"
    assert clean_text("a\r\r\nb") == "a\nb"  # Windows text converted twice
    assert clean_text("- item\n\t- nested") == "- item\n\t- nested"
    assert clean_text("x\x1b[2J\ny\x07") == "x\ny"


_NASTY = st.sampled_from(
    [
        "\x1b",
        "\x1b[",
        "\x1b]",
        "\x1b]52;c;aGVsbG8=",
        "\x07",
        "\x00",
        "\x9b",
        "\x9d",
        "\x85",
        "\x7f",
        "\r",
        "\n",
        "\t",
        "\\",
        "[",
        "m",
        "2J",
        "\u200b",
        "\u200d",
        *BIDI,
        "👩",
    ]
)
_TEXT = st.lists(st.one_of(_NASTY, st.text(max_size=5)), max_size=30).map("".join)


def _forbidden(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in BIDI


@settings(max_examples=300)
@given(_TEXT)
def test_clean_line_never_lets_controls_or_bidi_through(raw: str) -> None:
    cleaned = clean_line(raw)
    assert not [ch for ch in cleaned if _forbidden(ch)]
    assert cleaned == cleaned.strip()
    assert clean_line(cleaned) == cleaned  # cleaning twice changes nothing


@settings(max_examples=300)
@given(_TEXT)
def test_clean_text_only_keeps_newlines_and_tabs_among_controls(raw: str) -> None:
    cleaned = clean_text(raw)
    assert not [ch for ch in cleaned if _forbidden(ch) and ch not in "\n\t"]
    assert "\r" not in cleaned


# Tags -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tags"),
    [
        ("warm, saas  #fintech", ("warm", "saas", "fintech")),
        ("Warm WARM warm", ("warm",)),
        ("b a b", ("b", "a")),
        ("", ()),
        ("  ,, # ", ()),
        ("#vip,#VIP", ("vip",)),
        ("x\ny\tz", ("x", "y", "z")),
        ("a\x1b[31mb", ("ab",)),
    ],
)
def test_split_tags(typed: str, tags: tuple[str, ...]) -> None:
    assert split_tags(typed) == tags


# Card drafts ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["", "   ", "\n\t", "\x1b[2J", "\u200b\u202e"])
def test_a_card_needs_a_name(name: str) -> None:
    with pytest.raises(CardFormError) as caught:
        CardDraft(name=name).cleaned()
    assert caught.value.field_name == "name"
    assert str(caught.value)


@pytest.mark.parametrize(
    "email",
    [
        "not-an-email",
        "ann at example.com",
        "ann @example.com",
        "bob@@bad",
        "x@@y",
        "a@b@c.example",
        "@example.com",
        "bob@",
        "bob@.example",
        "bob@example..com",
    ],
)
def test_a_bad_email_is_refused_on_the_email_field(email: str) -> None:
    with pytest.raises(CardFormError) as caught:
        CardDraft(name="Ann", email=email).cleaned()
    assert caught.value.field_name == "email"
    assert "email" in str(caught.value)


@pytest.mark.parametrize(
    "email", ["ann@example.com", "a.b+tag@mail.example.co.uk", "sam@localhost"]
)
def test_an_email_address_is_kept(email: str) -> None:
    # A domain without a dot (an intranet's) is kept: rare for a rep, but it can be mailed.
    assert CardDraft(name="Ann", email=email).cleaned().email == email


def test_a_too_long_name_is_refused() -> None:
    assert CardDraft(name="x" * 200).cleaned().name == "x" * 200
    with pytest.raises(CardFormError) as caught:
        CardDraft(name="x" * 201).cleaned()
    assert caught.value.field_name == "name"
    assert "200" in str(caught.value)


def test_a_too_long_organisation_names_its_field() -> None:
    with pytest.raises(CardFormError) as caught:
        CardDraft(name="Ann", organisation="o" * 501).cleaned()
    assert caught.value.field_name == "organisation"


def test_cleaned_sanitises_every_field_and_keeps_the_rest() -> None:
    draft = CardDraft(
        name="  Ann\x1b[2J [b]Okafor[/b] ",
        organisation="Bright\u202ewater\n Dental",
        email=" ann@example.com ",
        phone="+44\t20",
        tags=("warm", "\x1b[31m", " vip "),
        next_action="Call\x07 back",
        next_action_due=TODAY,
    ).cleaned()
    assert draft == CardDraft(
        name="Ann [b]Okafor[/b]",
        organisation="Brightwater  Dental",
        email="ann@example.com",
        phone="+44 20",
        tags=("warm", "vip"),
        next_action="Call back",
        next_action_due=TODAY,
    )


def test_a_follow_up_is_after_a_sale_only_with_a_client() -> None:
    assert kind_for_action("Follow up on the order", Stage.CLIENT) is TouchpointKind.FOLLOW_UP
    assert kind_for_action("Check in", Stage.REPEAT) is TouchpointKind.FOLLOW_UP
    for stage in (Stage.LEAD, Stage.PROSPECT):
        assert kind_for_action("Follow up on the proposal", stage) is TouchpointKind.CONVERSATION
    assert kind_for_action("Call Ann back", Stage.LEAD) is TouchpointKind.CALL


def test_a_step_done_is_logged_as_its_own_kind_else_as_its_words_say() -> None:
    assert kind_for_activity(ActivityKind.MEETING, "Pricing review") is TouchpointKind.MEETING
    assert kind_for_activity(ActivityKind.EMAIL, "Call Ann") is TouchpointKind.EMAIL
    follow_up = "Follow up on the install"
    assert kind_for_activity(ActivityKind.TASK, follow_up, Stage.CLIENT) is TouchpointKind.FOLLOW_UP
    assert (
        kind_for_activity(ActivityKind.TASK, follow_up, Stage.LEAD) is TouchpointKind.CONVERSATION
    )
    assert kind_for_activity(None, "Send the deck") is TouchpointKind.EMAIL
