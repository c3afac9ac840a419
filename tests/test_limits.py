"""Field limits: one set in domain/limits.py, the database's column sizes, refused the
same way on SQLite and PostgreSQL (which would raise DataError), in the forms and on the
command line, with a sentence naming the field and its limit. Also the checks for
untrusted documents (a JSON import): numbers, times, nesting."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import String, Text

from pipeline_tui.config import ConfigError, load_config
from pipeline_tui.domain import limits
from pipeline_tui.domain.cards import NOTE_MAX_CHARS, CardDraft, CardFormError
from pipeline_tui.domain.kinds import ArchiveReason, NoteKind, TouchpointKind
from pipeline_tui.domain.limits import (
    DocumentError,
    FieldError,
    FieldTooLong,
    check_length,
    load_json,
    utc_moment,
    whole_number,
)
from pipeline_tui.domain.qualification import Answer, CriterionAnswer
from pipeline_tui.domain.stages import Stage
from pipeline_tui.store import PipelineService, StoreError
from pipeline_tui.store.models import (
    CardRow,
    QualificationAnswerRow,
    ResearchNoteRow,
    StageEventRow,
    TouchpointRow,
)
from pipeline_tui.ui.screens.card import CardScreen
from pipeline_tui.ui.screens.card_form import CardFormScreen
from pipeline_tui.ui.screens.touchpoint import TouchpointScreen
from tests.conftest import TODAY
from tests.pilot import make_app, press, screen_text, settle
from tests.test_cli import assert_one_line_error, run

pytestmark = pytest.mark.both_backends

# The limits and the columns they guard -----------------------------------------------------

COLUMNS = {
    "name": CardRow.name,
    "organisation": CardRow.organisation,
    "email": CardRow.email,
    "phone": CardRow.phone,
    "tags": CardRow.tags,
    "next_action": CardRow.next_action,
    "owner": CardRow.owner,
    "touchpoint_summary": TouchpointRow.summary,
    "archive_note": CardRow.archive_note,
    "qualification_comment": QualificationAnswerRow.comment,
    "criterion": QualificationAnswerRow.criterion,
    "move_note": StageEventRow.note,
    "by": StageEventRow.by,
}


@pytest.mark.parametrize("field_name", sorted(COLUMNS))
def test_each_limit_is_its_column_size(field_name: str) -> None:
    column_type = COLUMNS[field_name].type
    assert isinstance(column_type, String)
    assert limits.FIELD_LIMITS[field_name].chars == column_type.length


def test_every_limited_field_has_a_column_or_is_the_note() -> None:
    assert set(limits.FIELD_LIMITS) == {*COLUMNS, "note"}
    assert isinstance(ResearchNoteRow.body.type, Text)  # unbounded: the limit is ours
    assert limits.NOTE.chars == NOTE_MAX_CHARS == 2_000_000
    assert QualificationAnswerRow.updated_by.type.length == limits.REP.chars


def test_a_card_names_each_field_too_long_and_its_limit() -> None:
    """Tags are measured as stored, joined by spaces."""
    assert CardDraft("n" * 200, tags=("a" * 499, "b" * 500)).problems() == []
    problems = CardDraft("Ann", tags=("a" * 500, "b" * 500), phone="p" * 501).problems()
    assert [p.field_name for p in problems] == ["phone", "tags"]  # as the form shows them
    assert str(problems[1]) == "The tags can be at most 1,000 characters; this one has 1,001."
    with pytest.raises(FieldTooLong, match=r"^A note can be at most 2,000,000 characters"):
        check_length("note", "x" * (NOTE_MAX_CHARS + 1))


def test_a_field_error_is_the_card_form_error() -> None:
    with pytest.raises(CardFormError) as caught:
        CardDraft("Ann", owner="o" * 201).cleaned()
    assert caught.value.field_name == "owner"
    assert "owner" in str(caught.value) and "200" in str(caught.value)


# The same refusal on SQLite and PostgreSQL ----------------------------------------------------

TOO_LONG: dict[str, Callable[[PipelineService, int], Any]] = {
    "name": lambda s, c: s.update_card(c, CardDraft("n" * 201), 1),
    "organisation": lambda s, c: s.add_card(CardDraft("Bo", organisation="o" * 501)),
    "email": lambda s, c: s.add_card(CardDraft("Bo", email="b@" + "e" * 499)),
    "phone": lambda s, c: s.add_card(CardDraft("Bo", phone="1" * 501)),
    "tags": lambda s, c: s.add_card(CardDraft("Bo", tags=("a" * 600, "b" * 600))),
    "owner": lambda s, c: s.add_card(CardDraft("Bo", owner="o" * 201)),
    "next_action": lambda s, c: s.set_next_action(c, "x" * 501, None, 1),
    "touchpoint_summary": lambda s, c: s.add_touchpoint(c, TouchpointKind.CALL, TODAY, "s" * 501),
    "archive_note": lambda s, c: s.archive_card(c, ArchiveReason.OTHER, "a" * 501),
    "qualification_comment": lambda s, c: s.save_qualification(
        c, {s.criteria[0]: CriterionAnswer(Answer.YES, "c" * 501)}
    ),
}


@pytest.mark.parametrize("field_name", sorted(TOO_LONG))
def test_a_value_too_long_is_refused_naming_the_field_on_both_databases(
    service: PipelineService, field_name: str
) -> None:
    ann = service.add_card(CardDraft("Ann")).card_id
    before = service.card(ann)
    with pytest.raises(FieldError) as caught:
        TOO_LONG[field_name](service, ann)
    assert caught.value.field_name == field_name
    label = limits.FIELD_LIMITS[field_name].label
    assert f"{label} can be at most {limits.FIELD_LIMITS[field_name].chars:,}" in str(caught.value)
    assert service.card(ann) == before
    assert [c.name for c in service.cards()] == ["Ann"]


def test_a_note_too_long_is_refused_on_both_databases(service: PipelineService) -> None:
    ann = service.add_card(CardDraft("Ann")).card_id
    with pytest.raises(StoreError, match="at most 2,000,000 characters"):
        service.add_note(ann, NoteKind.GENERAL, "x" * (NOTE_MAX_CHARS + 1))
    note = service.add_note(ann, NoteKind.GENERAL, "x" * NOTE_MAX_CHARS)
    assert len(service.card(ann).notes[0].body) == NOTE_MAX_CHARS == len(note.body)


def test_values_at_the_limit_are_stored_whole_on_both_databases(service: PipelineService) -> None:
    draft = CardDraft(
        "n" * 200,
        organisation="o" * 500,
        email="a@" + "e" * 498,
        phone="1" * 500,
        tags=("a" * 499, "b" * 500),
        next_action="x" * 500,
        owner="w" * 200,
    )
    card = service.add_card(draft).card_id
    service.add_touchpoint(card, TouchpointKind.CALL, TODAY, "s" * 500)
    service.save_qualification(card, {service.criteria[0]: CriterionAnswer(Answer.NO, "c" * 500)})
    detail = service.card(card)
    assert detail.draft == draft
    assert detail.touchpoints[0].summary == "s" * 500
    assert detail.qualification is not None
    assert detail.qualification.answer(service.criteria[0]).comment == "c" * 500
    service.archive_card(card, ArchiveReason.OTHER, "a" * 500)
    assert service.archived()[0].note == "a" * 500


def test_marking_a_long_next_action_done_fits_its_touchpoint(service: PipelineService) -> None:
    """ "Done: " and a 500-character next action is 506: the summary the app writes
    itself is cut to fit, so marking it done never fails on PostgreSQL."""
    ann = service.add_card(CardDraft("Ann", next_action="x" * 500)).card_id
    service.complete_next_action(ann, TouchpointKind.CALL, TODAY, "", 1)
    summary = service.card(ann).touchpoints[0].summary
    assert len(summary) == 500 and summary.startswith("Done: xxx") and summary.endswith("…")


# The command line and the config ------------------------------------------------------------


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--email", "a@" + "e" * 499, "email can be at most 500"),
        ("--org", "o" * 501, "organisation can be at most 500"),
        ("--next", "n" * 501, "next action can be at most 500"),
        ("--tags", "t" * 1001, "tags can be at most 1,000"),
    ],
)
def test_the_command_line_refuses_a_long_value_in_one_sentence(
    capsys: pytest.CaptureFixture[str], db_url: str, option: str, value: str, words: str
) -> None:
    code, out, err = run(capsys, "--db", db_url, "add", "Ann", option, value)
    assert words in assert_one_line_error(code, err)
    assert out == ""
    assert run(capsys, "--db", db_url, "list", "--format", "csv")[1].count("\n") == 1


def test_a_user_name_too_long_for_the_history_is_a_config_error(tmp_path: Any) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f"[user]\nname = '{'r' * 201}'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"user\.name can be at most 200 characters"):
        load_config(str(config))


# The forms: the message sits under the field, and what was typed stays ------------------------


async def test_the_card_form_names_the_field_too_long_and_keeps_the_text(
    service: PipelineService,
) -> None:
    app = make_app(service)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        assert isinstance(app.screen, CardFormScreen)
        form = app.screen
        form.query_one("#name").value = "Ann"  # type: ignore[attr-defined]
        form.query_one("#phone").value = "1" * 501  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert app.screen is form
        hint = str(form.query_one("#phone-hint").render())
        assert "phone can be at most 500 characters; this one has 501" in hint
        assert form.query_one("#phone").value == "1" * 501  # type: ignore[attr-defined]
        assert app.focused is form.query_one("#phone")
        assert service.cards() == []


async def test_the_touchpoint_dialog_refuses_a_long_summary_in_place(
    service: PipelineService,
) -> None:
    service.add_card(CardDraft("Ann"))
    app = make_app(service)
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        await press(pilot, "enter", "t")
        dialog = app.screen
        assert isinstance(dialog, TouchpointScreen)
        dialog.query_one("#summary").value = "s" * 501  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert "touchpoint summary can be at most 500 characters" in screen_text(app)
        assert dialog.query_one("#summary").value == "s" * 501  # type: ignore[attr-defined]
        dialog.query_one("#summary").value = "s" * 500  # type: ignore[attr-defined]
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, CardScreen)
    assert service.card(service.cards()[0].id).touchpoints[0].summary == "s" * 500


# Untrusted documents --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 100_000 + "]" * 100_000, "nests objects and lists too deep"),
        ('{"position": ' + "9" * 5000 + "}", "4300 digits"),
        ('{"position": NaN}', "NaN is not a number JSON allows"),
        ('{"cards": [}', "not valid at line 1, column 12"),
    ],
)
def test_a_json_document_that_cannot_be_read_is_one_sentence(text: str, words: str) -> None:
    with pytest.raises(DocumentError) as caught:
        load_json(text)
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_json_document_within_reason_is_read() -> None:
    assert load_json('{"a": [1, {"b": "c"}], "d": -2147483648}') == {
        "a": [1, {"b": "c"}],
        "d": -(2**31),
    }


@pytest.mark.parametrize("value", [10**30, -(10**30), 2**31, -(2**31) - 1, 1.5, True, "7"])
def test_a_number_the_database_cannot_hold_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(FieldError) as caught:
        whole_number("position", value)
    assert caught.value.field_name == "position" and "'position'" in str(caught.value)


def test_whole_numbers_in_range_and_missing_ones() -> None:
    assert whole_number("position", 2**31 - 1) == 2**31 - 1
    assert whole_number("position", None, default=0) == 0


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59", "2026-13-01T00:00:00", "soon"],
)
def test_a_time_out_of_range_or_malformed_is_refused(text: str) -> None:
    with pytest.raises(FieldError) as caught:
        utc_moment("created_at", text)
    assert "'created_at'" in str(caught.value)


def test_times_are_read_as_utc() -> None:
    assert utc_moment("at", "2026-01-01T00:00:00+23:59") == datetime(2025, 12, 31, 0, 1, tzinfo=UTC)
    assert utc_moment("at", "2026-01-01T09:30:00") == datetime(2026, 1, 1, 9, 30, tzinfo=UTC)
    assert limits.iso_day("due", "2026-12-01") == date(2026, 12, 1)
    with pytest.raises(FieldError, match="'due' must be a date"):
        limits.iso_day("due", "2026-02-30")


def test_stage_is_not_a_limited_text_field() -> None:
    # Stages, kinds and reasons are chosen from fixed lists, never typed.
    assert "stage" not in limits.FIELD_LIMITS and len(Stage.REPEAT.value) <= 20
