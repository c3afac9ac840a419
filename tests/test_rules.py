"""Pipeline rules as plain functions: qualification score and pass, staleness dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pipeline_tui.config import ConfigError, load_config
from pipeline_tui.domain.cards import CardSummary
from pipeline_tui.domain.limits import MOVE_NOTE
from pipeline_tui.domain.qualification import (
    DEFAULT_CRITERIA,
    Answer,
    CriterionAnswer,
    Qualification,
    criteria_from_config,
)
from pipeline_tui.domain.stages import STAGES, Stage
from pipeline_tui.domain.standup import (
    DEFAULT_STALE_LIMITS,
    StandupCard,
    is_stale,
    last_activity_day,
    stale,
)
from tests.conftest import NOW, TODAY

YES, NO, UNKNOWN = Answer.YES, Answer.NO, Answer.UNKNOWN


def checklist(*answers: Answer, criteria: tuple[str, ...] = DEFAULT_CRITERIA) -> Qualification:
    given_answers = {c: CriterionAnswer(a) for c, a in zip(criteria, answers, strict=False)}
    return Qualification(criteria, given_answers)


# Qualification -------------------------------------------------------------------------


def test_default_criteria_are_the_four_in_the_design() -> None:
    assert criteria_from_config() == (
        "can afford it",
        "genuinely needs what we offer",
        "has a track record of following through",
        "values and goals align",
    )


def test_config_criteria_replace_and_extend_adds() -> None:
    assert criteria_from_config(["budget"], ["timing"]) == ("budget", "timing")
    assert criteria_from_config(None, ["timing"]) == (*DEFAULT_CRITERIA, "timing")
    # Blank and repeated (any case) entries are dropped; the first spelling wins.
    assert criteria_from_config(["Budget", " ", "budget"], ["BUDGET", "x"]) == ("Budget", "x")
    assert criteria_from_config([], []) == ()


def test_score_counts_yes_answers_out_of_the_criteria() -> None:
    q = checklist(YES, YES, NO, YES)
    assert (q.met, q.total, q.score) == (3, 4, "3/4")
    assert q.is_complete and not q.passes
    assert q.failed == ("has a track record of following through",)


def test_unknown_answers_make_the_checklist_incomplete() -> None:
    assert not checklist(YES, YES, YES).is_complete
    assert not checklist(YES, UNKNOWN, YES, YES).is_complete
    assert checklist(NO, NO, NO, NO).is_complete


def test_passes_only_when_every_criterion_is_yes() -> None:
    assert checklist(YES, YES, YES, YES).passes
    assert not checklist(YES, YES, YES, UNKNOWN).passes
    assert Qualification(()).passes  # nothing to check: nothing fails


def test_answers_to_criteria_no_longer_listed_do_not_count() -> None:
    q = Qualification(
        ("budget",), {"old wording": CriterionAnswer(YES), "budget": CriterionAnswer(NO)}
    )
    assert q.score == "0/1"
    assert q.override_note() == "qualification overridden at 0/1 (budget: no)"


def test_an_override_keeps_the_reps_reason_whole_however_long_the_checklist() -> None:
    """With a dozen long criteria the failed list filled the stage history's 1,000
    characters and the rep's reason was cut off, silently ("CFO" was gone)."""
    criteria = tuple(f"criterion {n}: " + "a long description of it " * 4 for n in range(12))
    note = Qualification(criteria).override_note("Budget confirmed by the CFO on the call")
    assert note.startswith("qualification overridden at 0/12 (criterion 0")
    assert note.endswith("…): Budget confirmed by the CFO on the call")
    assert len(note) <= MOVE_NOTE.chars


@given(st.lists(st.sampled_from(list(Answer)), min_size=0, max_size=8))
def test_score_is_between_zero_and_total_and_passing_means_full(answers: list[Answer]) -> None:
    criteria = tuple(f"criterion {n}" for n in range(len(answers)))
    q = checklist(*answers, criteria=criteria)
    assert 0 <= q.met <= q.total == len(criteria)
    assert q.passes == (q.met == q.total) == all(a is YES for a in answers)
    assert q.is_complete == (UNKNOWN not in answers)
    assert len(q.failed) == q.total - q.met


def test_card_summary_shows_a_score_only_for_leads_and_prospects() -> None:
    def card(stage: Stage) -> CardSummary:
        return CardSummary(1, "Ann", "", stage, 0, "sam", qualified=3, criteria=4)

    assert card(Stage.LEAD).score == "3/4"
    assert card(Stage.PROSPECT).score == "3/4"
    assert card(Stage.CLIENT).score is None
    assert card(Stage.REPEAT).score is None


# Staleness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "idle", "expected"),
    [
        (Stage.LEAD, 14, False),
        (Stage.LEAD, 15, True),
        (Stage.PROSPECT, 7, False),
        (Stage.PROSPECT, 8, True),
        (Stage.CLIENT, 30, False),
        (Stage.CLIENT, 31, True),
        (Stage.REPEAT, 90, False),
        (Stage.REPEAT, 91, True),
    ],
)
def test_stale_is_more_days_idle_than_the_stage_allows(
    stage: Stage, idle: int, expected: bool
) -> None:
    assert is_stale(stage, TODAY - timedelta(days=idle), TODAY) is expected


def test_configured_limits_replace_the_defaults() -> None:
    limits = {**DEFAULT_STALE_LIMITS, Stage.LEAD: 3}
    assert is_stale(Stage.LEAD, TODAY - timedelta(days=4), TODAY, limits)
    assert not is_stale(Stage.LEAD, TODAY - timedelta(days=4), TODAY)


def test_last_activity_is_the_latest_of_touchpoint_note_move_and_creation() -> None:
    created = datetime(2026, 9, 1, 12, tzinfo=UTC)
    assert last_activity_day(created, None, None, None, UTC) == date(2026, 9, 1)
    assert last_activity_day(
        created,
        date(2026, 10, 5),
        datetime(2026, 10, 2, tzinfo=UTC),
        datetime(2026, 10, 9, 23, tzinfo=UTC),
        UTC,
    ) == date(2026, 10, 9)


def test_a_late_evening_move_counts_on_the_reps_own_calendar_day() -> None:
    # 23:30 UTC on 31 January is already 1 February in Auckland, still 31 January in LA.
    moment = datetime(2026, 1, 31, 23, 30, tzinfo=UTC)
    created = datetime(2025, 1, 1, tzinfo=UTC)
    assert last_activity_day(created, None, None, moment, ZoneInfo("Pacific/Auckland")) == date(
        2026, 2, 1
    )
    assert last_activity_day(created, None, None, moment, ZoneInfo("America/Los_Angeles")) == date(
        2026, 1, 31
    )


def test_month_ends_count_calendar_days_not_months() -> None:
    # 31 January to 1 March 2026 is 29 days: a client (limit 30) is not stale yet...
    assert not is_stale(Stage.CLIENT, date(2026, 1, 31), date(2026, 3, 1))
    # ...but in a leap year (2028) the same dates are 30 days, still not over...
    assert not is_stale(Stage.CLIENT, date(2028, 1, 31), date(2028, 3, 1))
    # ...and one more day is.
    assert is_stale(Stage.CLIENT, date(2028, 1, 31), date(2028, 3, 2))


ZONES = st.sampled_from(
    [UTC, timezone(timedelta(hours=-12)), timezone(timedelta(hours=14))]
    + [ZoneInfo(z) for z in ("Europe/London", "America/New_York", "Australia/Lord_Howe")]
)


@given(
    moment=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
    ),
    tz=ZONES,
    stage=st.sampled_from(STAGES),
    idle=st.integers(min_value=0, max_value=400),
)
@example(  # the hour clocks go back in London: 01:30 UTC on 25 October 2026 is 01:30 GMT
    moment=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    tz=ZoneInfo("Europe/London"),
    stage=Stage.PROSPECT,
    idle=8,
)
@example(  # the spring-forward night in New York
    moment=datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
    tz=ZoneInfo("America/New_York"),
    stage=Stage.LEAD,
    idle=14,
)
def test_staleness_depends_only_on_whole_local_days(
    moment: datetime, tz: ZoneInfo, stage: Stage, idle: int
) -> None:
    """Whatever the zone or DST shift, a move on local day D is stale exactly when
    today - D is more than the stage's limit, and local day D is the zone's own date."""
    created = moment - timedelta(days=500)
    day = last_activity_day(created, None, None, moment, tz)
    assert day == moment.astimezone(tz).date()
    today = day + timedelta(days=idle)
    assert is_stale(stage, day, today) is (idle > DEFAULT_STALE_LIMITS[stage])


@given(
    events=st.lists(
        st.tuples(st.sampled_from(STAGES), st.integers(min_value=0, max_value=60)),
        min_size=1,
        max_size=12,
    ),
    tz=ZONES,
)
def test_a_sequence_of_moves_is_judged_by_the_last_move_and_stage(
    events: list[tuple[Stage, int]], tz: ZoneInfo
) -> None:
    """Any sequence of moves (stage, days after the previous one): the card is stale by
    its final stage's limit counted from the last move, and the stand-up agrees."""
    at = datetime(2026, 1, 30, 12, tzinfo=UTC)  # crosses the end of January and February
    created = at
    for _, gap in events:
        at += timedelta(days=gap)
    stage = events[-1][0]
    today = at.astimezone(tz).date() + timedelta(days=10)
    card = StandupCard(1, "Ann", "", stage, "sam", created, last_move_at=at)
    expected = (today - at.astimezone(tz).date()).days > DEFAULT_STALE_LIMITS[stage]
    assert is_stale(stage, card.last_activity(tz), today) is expected
    assert bool(stale([card], today, tz=tz)) is expected
    summary = CardSummary(1, "Ann", "", stage, 0, "sam", last_activity=card.last_activity(tz))
    assert summary.is_stale(today) is expected


def test_a_card_with_unknown_activity_is_never_stale() -> None:
    assert not CardSummary(1, "Ann", "", Stage.LEAD, 0, "sam").is_stale(TODAY)
    assert NOW.date() == TODAY


# Config ------------------------------------------------------------------------------------


def test_qualification_and_stale_sections_of_the_config(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[qualification]\ncriteria = ["budget", "timing"]\nextend = ["champion"]\n'
        "[stale]\nlead = 3\nrepeat = 120\n",
        encoding="utf-8",
    )
    config = load_config(str(path))
    assert config.criteria == ("budget", "timing", "champion")
    assert config.stale_limits == {
        Stage.LEAD: 3,
        Stage.PROSPECT: 7,
        Stage.CLIENT: 30,
        Stage.REPEAT: 120,
    }
    assert config.warnings == ()
    path.write_text('[qualification]\nextend = ["champion"]\n', encoding="utf-8")
    assert load_config(str(path)).criteria == (*DEFAULT_CRITERIA, "champion")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[stale]\nlead = 0\n", "stale.lead must be from 1 to 36500"),
        ('[stale]\nlead = "two weeks"\n', "stale.lead must be a whole number"),
        ("[qualification]\ncriteria = [1, 2]\n", "must be a list of text"),
        ('[qualification]\ncriteria = "budget"\n', "must be a list"),
    ],
)
def test_bad_rule_settings_are_one_clear_sentence(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(str(path))
