"""`show` lists every step planned on a card, not only the next action."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from pipeline_tui.domain.schedule import ActivityKind
from tests.conftest import TODAY
from tests.test_shell import run, service_for


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())  # Monday 2026-11-23


def test_show_lists_the_steps_after_the_next_action(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "show.db"
    run(capsys, db, "add", "Ann Okafor")
    run(capsys, db, "next", "ann", "Send the proposal", "--due", "fri")
    service = service_for(db)
    (ann,) = service.cards()
    service.add_activity(ann.id, ActivityKind.CALL, "Call the CFO", TODAY + timedelta(days=8))
    code, out, _ = run(capsys, db, "show", "ann")
    assert code == 0
    lines = out.splitlines()
    at = lines.index("Next action")
    assert lines[at + 1 : at + 3] == [
        "  Send the proposal — due 2026-11-27 (Fri)",
        "  then call: Call the CFO — due 2026-12-01 (in 8 days)",
    ]
    code, out, _ = run(capsys, db, "show", "ann", "--format", "json")
    assert [(a["kind"], a["text"], a["due"]) for a in json.loads(out)["activities"]] == [
        ("email", "Send the proposal", "2026-11-27"),
        ("call", "Call the CFO", "2026-12-01"),
    ]


def test_show_says_how_far_off_a_step_next_year_is_not_its_date_twice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "show.db"
    run(capsys, db, "add", "Ann Okafor", "--next", "Send the proposal", "--due", "2027-01-04")
    run(capsys, db, "add", "Ben Hollis", "--next", "Send the proposal", "--due", "fri")
    service = service_for(db)
    ben = next(card for card in service.cards() if card.name == "Ben Hollis")
    service.add_activity(ben.id, ActivityKind.CALL, "check in", TODAY + timedelta(days=42))

    _, out, _ = run(capsys, db, "show", "ann")
    assert "  Send the proposal — due 2027-01-04 (in 42 days)" in out.splitlines()
    _, out, _ = run(capsys, db, "show", "ben")
    assert "  then call: check in — due 2027-01-04 (in 42 days)" in out.splitlines()
    assert "(2027-01-04)" not in out
