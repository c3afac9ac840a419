"""Parking a card "not yet" from the shell: `park CARD DATE` and `park CARD now`."""

from __future__ import annotations

import json
from datetime import date
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
    return tmp_path / "park.db"


def test_park_takes_the_card_off_the_board_until_its_day_and_now_brings_it_back(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    run(capsys, db, "add", "Bo Lind")
    code, out, _ = run(capsys, db, "park", "ann", "+1m")
    assert (code, out) == (0, "Ann Okafor is parked until 2026-12-23; it comes back on that day.\n")
    service = service_for(db)
    ann, bo = sorted(service.cards(), key=lambda c: c.name)
    assert ann.nurture_until == date(2026, 12, 23)
    assert list(service.board_view(TODAY).ids[Stage.LEAD]) == [bo.id]
    assert list(service.board_view(TODAY, nurturing=True).ids[Stage.LEAD]) == [ann.id]
    code, out, _ = run(capsys, db, "list", "--format", "json")
    listed = {record["name"]: record["nurture_until"] for record in json.loads(out)}
    assert listed == {"Ann Okafor": "2026-12-23", "Bo Lind": None}
    # The table too: a parked card looked like any other.
    code, out, _ = run(capsys, db, "list")
    [ann_row] = [line for line in out.splitlines() if "Ann Okafor" in line]
    assert ann_row.endswith("parked 2026-12-23")
    assert "parked" not in next(line for line in out.splitlines() if "Bo Lind" in line)

    code, out, _ = run(capsys, db, "park", "ann", "now")
    assert (code, out) == (0, "Ann Okafor is back on the board.\n")
    assert sorted(service_for(db).board_view(TODAY).ids[Stage.LEAD]) == [ann.id, bo.id]


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("park", "ann", "today"), "is not after today"),
        (("park", "ann", "someday"), "'someday' is not a date"),
        (("park", "bo", "now"), "Bo Lind is not parked"),
        (("park", "zed", "+1m"), "zed"),
    ],
)
def test_park_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, argv: tuple[str, ...], says: str
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    run(capsys, db, "add", "Bo Lind")
    code, _, err = run(capsys, db, *argv)
    assert says in one_line_error(code, err)
    assert all(c.nurture_until is None for c in service_for(db).cards())


@pytest.mark.parametrize("stage", ["prospect", "client", "repeat"])
def test_only_a_lead_is_parked(capsys: pytest.CaptureFixture[str], db: Path, stage: str) -> None:
    """Nurture is a lead's "not yet". A client parked from the shell left
    the board, its counts and the stand-up's overdue list, with its step still late."""
    run(capsys, db, "add", "Victor Hale", "--stage", stage, "--next", "Follow up", "--due", "-4d")
    code, _, err = run(capsys, db, "park", "victor", "+1m")
    label = Stage(stage).label.lower()
    assert one_line_error(code, err) == (
        f"pipeline-tui: error: Only a lead can be parked; Victor Hale is a {label}: "
        "snooze its next step instead."
    )
    (card,) = service_for(db).cards()
    assert card.nurture_until is None


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("-3d", "Fri 20 Nov 2026"),
        ("-1w", "Mon 16 Nov 2026"),
        ("-3D", "Fri 20 Nov 2026"),
        ("yesterday", "Sun 22 Nov 2026"),  # no "(a weekend)": beside the point here
    ],
)
def test_park_until_a_day_gone_by_says_it_has_passed(
    capsys: pytest.CaptureFixture[str], db: Path, typed: str, day: str
) -> None:
    """`park ann -3d` stopped in the argument parser ("the following arguments are
    required: DATE", with the usage): -3d was taken for an option. It reaches park,
    which refuses a day gone by in one sentence, as the snooze dialog does."""
    run(capsys, db, "add", "Ann Okafor")
    code, out, err = run(capsys, db, "park", "ann", typed)
    line = one_line_error(code, err)
    assert line == f"pipeline-tui: error: {day} has passed; park a lead until a day after today."
    assert out == ""
    assert [c.nurture_until for c in service_for(db).cards()] == [None]


def test_a_date_of_several_words_is_taken_whole(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    """`park dan next week`, unquoted, as `value` takes `12 500`: argparse's usage block
    said "unrecognized arguments: week"."""
    run(capsys, db, "add", "Dan Lee")
    code, out, err = run(capsys, db, "park", "dan", "next", "week")
    assert (code, err) == (0, "")
    assert out == "Dan Lee is parked until 2026-11-30; it comes back on that day.\n"
