"""After-sale cadence: reading steps from config, when each is due, where a card is in
it, and a card's keep-in-touch rhythm (domain/cadence.py, domain/activity.py)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.cli import main
from pipeline_tui.config import ConfigError, load_config
from pipeline_tui.domain.activity import is_stale
from pipeline_tui.domain.cadence import (
    DEFAULT_STEPS,
    Cadence,
    CadenceError,
    Offset,
    check_rhythm,
    default_cadences,
    first_step,
    parse_cadence,
    parse_step,
    place,
    touched,
)
from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.dates import month_span
from pipeline_tui.domain.stages import Stage

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
amounts = st.integers(min_value=1, max_value=120)
units = st.sampled_from("dwm")


def client(*steps: str) -> Cadence:
    return parse_cadence(Stage.CLIENT, steps)


# Reading steps -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "offset", "text"),
    [
        ("+7d check in after delivery", Offset(days=7), "check in after delivery"),
        ("+2w send the survey", Offset(days=14), "send the survey"),
        ("+3m offer the next service", Offset(months=3), "offer the next service"),
        ("+ 10 D  call", Offset(days=10), "call"),
    ],
)
def test_a_step_is_an_offset_and_what_to_do(written: str, offset: Offset, text: str) -> None:
    step = parse_step(written)
    assert (step.offset, step.text) == (offset, text)


@pytest.mark.parametrize(
    ("written", "complaint"),
    [
        ("check in", "is not a step"),
        ("+7d", "is not a step"),
        ("7d check in", "is not a step"),
        ("+7y check in", "is not a step"),
        ("+0d check in", "between 1 day and ten years"),
        ("+200m check in", "between 1 day and ten years"),
        ("+7d " + "x" * 501, "longer than a next action"),
    ],
)
def test_a_bad_step_is_named_in_one_sentence(written: str, complaint: str) -> None:
    with pytest.raises(CadenceError) as raised:
        parse_step(written)
    message = str(raised.value)
    assert complaint in message
    assert written[:10] in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "steps", [("+30d ask", "+7d check in"), ("+7d a", "+7d b"), ("+30d a", "+1m b")]
)
def test_steps_out_of_order_are_refused_naming_the_step(steps: tuple[str, str]) -> None:
    with pytest.raises(CadenceError, match=r"must come after .*list the steps in order"):
        client(*steps)


def test_the_defaults_are_the_issues_example() -> None:
    cadences = default_cadences()
    assert [s.text for s in cadences[Stage.CLIENT].steps] == [
        "check in after delivery",
        "ask for a referral",
        "offer the next service",
    ]
    assert len(cadences[Stage.REPEAT].steps) == len(DEFAULT_STEPS[Stage.REPEAT])


# When a step is due --------------------------------------------------------------------


def test_each_step_counts_from_the_one_before() -> None:
    cadence = client("+7d check in", "+30d ask for a referral", "+90d offer more")
    start = date(2026, 1, 5)
    assert cadence.due(0, start) == date(2026, 1, 12)
    # Done on the day it was due: the referral is 23 days later, 30 after the start.
    assert cadence.due(1, date(2026, 1, 12)) == date(2026, 2, 4)
    # Done a week late: the next step moves a week too.
    assert cadence.due(2, date(2026, 2, 11)) == date(2026, 4, 12)


@pytest.mark.parametrize(
    ("anchor", "due"),
    [
        (date(2026, 1, 31), date(2026, 2, 28)),  # month end, common year
        (date(2028, 1, 31), date(2028, 2, 29)),  # month end, leap year
        (date(2028, 2, 29), date(2028, 3, 29)),  # from a leap day
        (date(2026, 12, 31), date(2027, 1, 31)),  # over the year end
        (date(2026, 3, 31), date(2026, 4, 30)),
    ],
)
def test_a_month_lands_on_the_same_day_or_the_months_end(anchor: date, due: date) -> None:
    assert client("+1m check in").due(0, anchor) == due


def test_a_year_after_a_leap_day_is_the_end_of_february() -> None:
    assert client("+12m check in").due(0, date(2028, 2, 29)) == date(2029, 2, 28)
    assert client("+48m check in").due(0, date(2028, 2, 29)) == date(2032, 2, 29)


def test_mixed_units_take_months_first_then_days() -> None:
    cadence = client("+7d check in", "+3m offer more")
    # Three months after the start, which was seven days before the anchor.
    assert cadence.due(1, date(2026, 1, 8)) == date(2026, 4, 1)


def test_steps_in_days_and_months_are_in_order_from_any_day() -> None:
    # Four months back from 1 January is 1 September: 113 days on is 23 December, a
    # step due before the one it follows. Four months are at most 123 days.
    for later in ("+113d check in", "+123d check in"):
        with pytest.raises(CadenceError, match="must come after"):
            client("+4m offer more", later)
    assert client("+4m offer more", "+124d check in").due(1, date(2000, 1, 1)) > date(2000, 1, 1)
    # Three months are at least 89 days, twelve at least 365: always after these.
    assert client("+12w check in", "+3m offer more").due(1, date(2027, 2, 1)) > date(2027, 2, 1)
    assert client("+12m annual review", "+53w check in").due(1, date(2028, 2, 29)) > date(
        2028, 2, 29
    )
    with pytest.raises(CadenceError, match="must come after"):
        client("+13w check in", "+3m offer more")  # 91 days: Feb to Apr is 89


def test_month_spans_over_the_whole_calendar() -> None:
    assert month_span(1) == (28, 31)
    assert month_span(-1) == (-31, -28)
    assert month_span(3) == (89, 92)
    assert month_span(12) == (365, 366)
    assert month_span(-4) == (-123, -120)


def test_ten_years_is_the_furthest_a_step_can_be() -> None:
    assert client("+120m in ten years").steps[0].offset.longest_days <= 3660
    with pytest.raises(CadenceError, match="ten years"):
        client("+121m too far")


@given(st.lists(st.tuples(amounts, units), min_size=1, max_size=4), days, st.data())
def test_a_step_is_always_due_after_its_anchor(
    raw: list[tuple[int, str]], anchor: date, data: st.DataObject
) -> None:
    written, total = [], 0
    for amount, unit in raw:  # cumulative, in one unit each, so always in order
        total += amount
        written.append(f"+{total}d step" if unit != "m" else f"+{total}m step")
    try:
        cadence = client(*written)
    except CadenceError:
        return  # months beside days can come out of order: refused, and that is tested
    index = data.draw(st.integers(min_value=0, max_value=len(written) - 1))
    assert cadence.due(index, anchor) > anchor


@given(amounts, units, days, days)
def test_a_later_anchor_never_brings_a_step_forward(
    amount: int, unit: str, first: date, second: date
) -> None:
    cadence = client(f"+{amount}{unit} check in")
    early, late = sorted((first, second))
    assert cadence.due(0, early) <= cadence.due(0, late)


@given(st.integers(min_value=1, max_value=36), days)
def test_months_keep_the_day_or_end_the_month(months: int, anchor: date) -> None:
    due = client(f"+{months}m check in").due(0, anchor)
    assert (due.year * 12 + due.month) - (anchor.year * 12 + anchor.month) == months
    if due.day != anchor.day:
        assert due.day < anchor.day
        assert (due + timedelta(days=1)).day == 1  # clamped to the month's last day


@given(st.integers(min_value=1, max_value=500), days)
def test_days_and_weeks_are_exact(amount: int, anchor: date) -> None:
    assert client(f"+{amount}d a").due(0, anchor) == anchor + timedelta(days=amount)
    assert client(f"+{amount}w a").due(0, anchor) == anchor + timedelta(weeks=amount)


# Where a card is -------------------------------------------------------------------------


def test_the_place_names_the_step_and_its_day() -> None:
    cadence = client("+7d check in", "+30d ask for a referral", "+90d offer more")
    where = place(cadence, 1, date(2025, 12, 22))
    assert (where.number, where.total, where.text) == (2, 3, "ask for a referral")
    assert where.due == date(2026, 1, 14)
    assert where.describe() == "Client cadence: step 2 of 3, ask for a referral, due 14 Jan"


def test_past_the_last_step_the_cadence_is_finished() -> None:
    cadence = client("+7d check in")
    for index, anchor in ((1, date(2026, 1, 1)), (5, date(2026, 1, 1)), (0, None)):
        where = place(cadence, index, anchor)
        assert where.finished
        assert where.describe() == "Client cadence: all 1 steps done"


@given(days, days)
def test_a_touchpoint_pushes_the_anchor_only_later(anchor: date, on: date) -> None:
    pushed = touched(anchor, on)
    assert pushed == max(anchor, on)
    cadence = client("+30d ask for a referral")
    assert cadence.due(0, pushed) >= cadence.due(0, anchor)


# A card's rhythm -----------------------------------------------------------------------


def test_a_rhythm_replaces_the_stages_stale_limit() -> None:
    today = date(2026, 3, 1)
    last = today - timedelta(days=22)
    # Client's limit is 30 days: not stale; keep in touch every 21: stale.
    assert not is_stale(Stage.CLIENT, last, today)
    assert is_stale(Stage.CLIENT, last, today, rhythm=21)
    assert not is_stale(Stage.PROSPECT, today - timedelta(days=10), today, rhythm=21)
    card = CardSummary(1, "Ana", "", Stage.CLIENT, 0, "sam", last_activity=last, rhythm_days=21)
    assert card.is_stale(today)


@pytest.mark.parametrize("days_", [0, -3, 366])
def test_a_rhythm_out_of_range_is_refused(days_: int) -> None:
    with pytest.raises(CadenceError, match="Keep in touch every 1 to 365 days"):
        check_rhythm(days_)


def test_no_rhythm_is_allowed() -> None:
    assert check_rhythm(None) is None
    assert check_rhythm(21) == 21


# Config ----------------------------------------------------------------------------------


def test_config_sets_each_stages_steps(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[cadence.client]\nsteps = ["+2w check in", "+3m ask for a referral"]\n'
        "[cadence.repeat]\nsteps = []\n",
        encoding="utf-8",
    )
    config = load_config(str(path))
    assert [s.text for s in config.cadences[Stage.CLIENT].steps] == [
        "check in",
        "ask for a referral",
    ]
    assert config.cadences[Stage.CLIENT].due(1, date(2026, 1, 31)) == date(2026, 4, 16)
    assert config.cadences[Stage.REPEAT].steps == ()
    assert load_config(None, {}).cadences == default_cadences()  # no config file


@pytest.mark.parametrize(
    ("document", "says"),
    [
        (
            '[cadence.client]\nsteps = ["+7d check in", "in a month ask for a referral"]\n',
            "cadence.client has a step that cannot be used: 'in a month ask for a referral' "
            "is not a step",
        ),
        (
            '[cadence.repeat]\nsteps = ["+30d ask", "+7d check in"]\n',
            "cadence.repeat has a step that cannot be used: '+7d check in' must come after",
        ),
        ("[cadence.client]\nsteps = [7]\n", "cadence.client must have steps"),
        ('[cadence.client]\nstep = ["+7d call"]\n', "cadence.client must have steps"),
        ('[cadence]\nclient = "+7d call"\n', "cadence.client must be a table"),
    ],
)
def test_a_bad_cadence_in_config_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], document: str, says: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(document, encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(str(path))
    assert says in str(raised.value)
    assert str(raised.value).startswith(f"In {path}, ")
    # The command line says it as one sentence, no traceback.
    assert main(["--config", str(path), "list"]) != 0
    err = capsys.readouterr().err
    assert says in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_the_first_step_is_what_a_card_with_none_is_given_as_it_comes_in() -> None:
    day = date(2026, 11, 23)
    assert first_step(default_cadences(), Stage.CLIENT, day) == (
        "check in after delivery",
        date(2026, 11, 30),
    )
    assert first_step(default_cadences(), Stage.PROSPECT, day) is None
    assert first_step({}, Stage.CLIENT, day) is None
