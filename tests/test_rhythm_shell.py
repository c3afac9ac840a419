"""Keep in touch from the shell: `rhythm CARD DAYS`, and what `show` says of the
card's rhythm and cadence."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline_tui.domain.stages import Stage
from tests.conftest import TODAY
from tests.test_shell import one_line_error, run, service_for


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())  # Monday 2026-11-23


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "rhythm.db"


def test_rhythm_sets_and_clears_how_often_to_keep_in_touch(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor", "--stage", "client")
    code, out, _ = run(capsys, db, "rhythm", "ann", "21")
    assert (code, out) == (0, "Keeping in touch with Ann Okafor every 21 days.\n")
    (card,) = service_for(db).cards()
    assert card.rhythm_days == 21
    code, out, _ = run(capsys, db, "show", "ann")
    assert "Keep in touch every 21 days" in out
    code, out, _ = run(capsys, db, "show", "ann", "--format", "json")
    assert json.loads(out)["rhythm_days"] == 21

    code, out, _ = run(capsys, db, "rhythm", "1", "none")
    assert (code, out) == (0, "Ann Okafor follows the Client limit again: stale after 30 days.\n")
    (card,) = service_for(db).cards()
    assert card.rhythm_days is None


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("rhythm", "ann", "often"), "'often' is not a number of days"),
        (("rhythm", "ann", "-3"), "'-3' is not a number of days"),
        (("rhythm", "ann", "0"), "Keep in touch every 1 to 365 days; 0 is not a rhythm"),
        (("rhythm", "ann", "400"), "Keep in touch every 1 to 365 days; 400 is not a rhythm"),
        (("rhythm", "ann", "100000"), "Keep in touch every 1 to 365 days; 100000 is not a rhythm."),
        (("rhythm", "ann", "00400"), "Keep in touch every 1 to 365 days; 400 is not a rhythm."),
        (("rhythm", "zed", "21"), "zed"),
    ],
)
def test_rhythm_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, argv: tuple[str, ...], says: str
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    code, _, err = run(capsys, db, *argv)
    assert says in one_line_error(code, err)
    (card,) = service_for(db).cards()
    assert card.rhythm_days is None


def test_show_says_where_a_client_is_in_the_cadence(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor", "--stage", "prospect")
    run(capsys, db, "move", "ann", "client")
    # The move is stamped by the clock, not $PIPELINE_TUI_TODAY: a week from today.
    due = date.today() + timedelta(days=7)
    _, out, _ = run(capsys, db, "show", "ann")
    assert f"Client cadence: step 1 of 3, check in after delivery, due {due:%-d %b}" in out
    shown = json.loads(run(capsys, db, "show", "ann", "--format", "json")[1])
    assert shown["cadence"] == {
        "stage": "client",
        "step": 1,
        "of": 3,
        "text": "check in after delivery",
        "due": due.isoformat(),
    }
    assert shown["next_action"]["action"] == "check in after delivery"
    assert service_for(db).cards(Stage.CLIENT)[0].next_action == "check in after delivery"


def test_a_move_to_client_keeps_the_reps_own_later_next_action_first(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    # Later than the cadence's first step (the move is stamped by the clock, a week on).
    own_due = date.today() + timedelta(days=20)
    argv = ("--stage", "prospect", "--next", "My own step", "--due", own_due.isoformat())
    assert run(capsys, db, "add", "Cad Test", *argv)[0] == 0
    code, _, err = run(capsys, db, "move", "Cad Test", "client")
    assert (code, err) == (0, "")

    _, out, _ = run(capsys, db, "show", "Cad Test")
    assert "My own step" in out
    assert "check in after delivery —" not in out  # no activity line for the step yet
    # Where the cadence is, with the step that waits for the rep's own.
    due = date.today() + timedelta(days=7)
    assert f"Client cadence: step 1 of 3, check in after delivery, due {due:%-d %b}" in out
    (card,) = service_for(db).cards(Stage.CLIENT)
    assert (card.next_action, card.next_action_due) == ("My own step", own_due)
    shown = json.loads(run(capsys, db, "show", "cad", "--format", "json")[1])
    assert shown["next_action"]["action"] == "My own step"


def test_a_rhythm_of_several_words_is_taken_whole(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """`rhythm ann 21 days` unquoted: "21 days" is a rhythm the command reads, and
    argparse's usage block said "unrecognized arguments: days"."""
    run(capsys, db, "add", "Ann Okafor")
    code, out, err = run(capsys, db, "rhythm", "ann", "21", "days")
    assert (code, err) == (0, "")
    assert out == "Keeping in touch with Ann Okafor every 21 days.\n"
