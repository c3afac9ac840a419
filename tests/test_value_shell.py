"""A card's value from the shell: `add --value`, `value CARD AMOUNT`, and `show`."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline_tui.domain.kinds import ArchiveReason
from tests.conftest import TODAY
from tests.test_shell import one_line_error, run, service_for


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PIPELINE_TUI_TODAY", TODAY.isoformat())  # Monday 2026-11-23


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "value.db"


def test_add_takes_a_value_and_a_close_date(
    capsys: pytest.CaptureFixture[str], db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANG", "en_IE.UTF-8")  # 12,500 is twelve thousand five hundred
    code, out, _ = run(capsys, db, "add", "Ann Okafor", "--value", "€12,500", "--close", "eom")
    assert code == 0 and "Added Ann Okafor" in out
    (card,) = service_for(db).cards()
    assert card.value == Decimal("12500")
    assert card.expected_close == date(2026, 11, 30)


def test_add_refuses_a_value_that_is_not_an_amount(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    code, _, err = run(capsys, db, "add", "Ann Okafor", "--value", "a lot")
    assert "'a lot' is not an amount" in one_line_error(code, err)
    assert not db.exists() or service_for(db).cards() == []


def test_value_sets_changes_and_clears_what_a_card_is_worth(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    code, out, _ = run(capsys, db, "value", "ann", "12k")
    assert (code, out) == (0, "Ann Okafor is worth €12,000.\n")
    code, out, _ = run(capsys, db, "value", "1", "12 500.50", "--close", "2026-12-31")
    assert out == ("Ann Okafor is worth €12,500.50 (was €12,000), expected to close 2026-12-31.\n")
    (card,) = service_for(db).cards()
    assert (card.value, card.expected_close) == (Decimal("12500.50"), date(2026, 12, 31))
    run(capsys, db, "value", "ann", "13k")
    (card,) = service_for(db).cards()
    assert card.expected_close == date(2026, 12, 31)  # kept without --close
    code, out, _ = run(capsys, db, "value", "ann", "none")
    assert out == "Ann Okafor has no value now (was €13,000).\n"
    (card,) = service_for(db).cards()
    assert card.value is None
    assert card.expected_close == date(2026, 12, 31)
    # The close day is cleared as the value is: it was "'none' is not a date".
    code, out, _ = run(capsys, db, "value", "ann", "9k", "--close", "none")
    assert (code, out) == (0, "Ann Okafor is worth €9,000, with no expected close.\n")
    (card,) = service_for(db).cards()
    assert (card.value, card.expected_close) == (Decimal("9000"), None)


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (("value", "ann", "-5"), "cannot be negative"),
        (("value", "ann", "12.345"), "more than two decimals"),
        (("value", "zed", "5"), "zed"),
        (("value", "ann", "5", "--close", "someday"), "'someday' is not a date"),
    ],
)
def test_value_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], db: Path, argv: tuple[str, ...], says: str
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    code, _, err = run(capsys, db, *argv)
    assert says in one_line_error(code, err)
    (card,) = service_for(db).cards()
    assert card.value is None


def test_an_amount_that_could_be_a_thousand_times_off_is_refused(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    # No locale says whether "." or "," is the decimal mark (LANG=C.UTF-8).
    run(capsys, db, "add", "Ann Okafor")
    code, _, err = run(capsys, db, "value", "1", "12.500")
    assert one_line_error(code, err) == (
        "pipeline-tui: error: '12.500' could be 12500 or 12.50; type 12500 or 12.50 to say which."
    )
    code, _, err = run(capsys, db, "add", "Bo Lind", "--value", "3,000")
    assert "'3,000' could be 3000 or 3.00" in one_line_error(code, err)
    assert [(card.name, card.value) for card in service_for(db).cards()] == [("Ann Okafor", None)]
    code, out, _ = run(capsys, db, "value", "1", "12500")
    assert (code, out) == (0, "Ann Okafor is worth €12,500.\n")
    code, out, _ = run(capsys, db, "value", "1", "12.50")
    assert out == "Ann Okafor is worth €12.50 (was €12,500).\n"


@pytest.mark.parametrize("lang", ["C.UTF-8", "de_DE.UTF-8", "en_IE.UTF-8"])
@pytest.mark.parametrize("typed", ["0,500", "0.500", "€0,500"])
def test_a_separator_after_a_leading_zero_is_the_decimal_mark_in_any_locale(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    typed: str,
) -> None:
    """With no locale, "0,500" was refused as "could be 500 or 0.50", and in English
    it was taken for 500: no one groups the thousands of a number that starts with 0,
    so it is a half wherever it is typed. "12.500" is still refused (test above)."""
    monkeypatch.setenv("LANG", lang)
    run(capsys, db, "add", "Ann Okafor")
    code, out, err = run(capsys, db, "value", "ann", typed)
    assert (code, err) == (0, "")
    assert out.startswith("Ann Okafor is worth €0")
    assert [card.value for card in service_for(db).cards()] == [Decimal("0.50")]


def test_thousands_grouped_after_a_leading_zero_are_refused(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    # "0,500.50" was read as 500.50: a zero never leads a group of thousands.
    run(capsys, db, "add", "Ann Okafor", "--value", "700")
    code, _, err = run(capsys, db, "value", "ann", "0,500.50")
    assert "is not grouped in thousands" in one_line_error(code, err)
    assert [card.value for card in service_for(db).cards()] == [Decimal("700")]


@pytest.mark.parametrize(
    ("lang", "typed", "worth"),
    [
        ("de_DE.UTF-8", "12.500", "€12.500"),
        ("de_DE.UTF-8", "12,500", "€12,50"),
        ("en_IE.UTF-8", "12.500", "€12.50"),
        ("en_IE.UTF-8", "12,500", "€12,500"),
    ],
)
def test_the_locale_settles_which_mark_is_the_decimal_one(
    capsys: pytest.CaptureFixture[str],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    typed: str,
    worth: str,
) -> None:
    monkeypatch.setenv("LANG", lang)
    run(capsys, db, "add", "Ann Okafor")
    code, out, _ = run(capsys, db, "value", "1", typed)
    assert (code, out) == (0, f"Ann Okafor is worth {worth}.\n")


def test_value_uses_the_configured_currency(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[money]\ncurrency = "GBP"\n')
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    run(capsys, db, "add", "Ann Okafor")
    code, out, _ = run(capsys, db, "--config", str(config), "value", "ann", "£1,250,000")
    assert (code, out) == (0, "Ann Okafor is worth £1,250,000.\n")


def test_show_gives_the_value_and_the_won_value(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor", "--stage", "client", "--value", "9000", "--close", "fri")
    _, text, _ = run(capsys, db, "show", "ann")
    assert "Value €9,000 · expected to close 2026-11-27" in text
    service = service_for(db)
    service.archive_card(1, ArchiveReason.WON)
    _, out, _ = run(capsys, db, "show", "ann", "--format", "json")
    record = json.loads(out)
    assert (record["value"], record["expected_close"], record["won_value"]) == (
        9000.0,
        "2026-11-27",
        9000.0,
    )
    _, text, _ = run(capsys, db, "show", "ann")
    assert "Value €9,000 · Won at €9,000" in text


def test_list_gives_the_value_and_close_and_a_list_imported_elsewhere_keeps_them(
    capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor", "--value", "12500.50", "--close", "2026-12-31")
    run(capsys, db, "add", "Bo Lind")
    code, listed, _ = run(capsys, db, "list", "--format", "json")
    records = {r["name"]: r for r in json.loads(listed)}
    assert (records["Ann Okafor"]["value"], records["Ann Okafor"]["expected_close"]) == (
        "12500.50",
        "2026-12-31",
    )
    assert (records["Bo Lind"]["value"], records["Bo Lind"]["expected_close"]) == (None, None)
    code, listed, _ = run(capsys, db, "list", "--format", "csv")
    listing = tmp_path / "list.csv"
    listing.write_text(listed, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere.db"
    code, _, err = run(capsys, elsewhere, "import", str(listing))
    assert (code, err) == (0, "")
    ann = next(c for c in service_for(elsewhere).cards() if c.name == "Ann Okafor")
    assert (ann.value, ann.expected_close) == (Decimal("12500.50"), date(2026, 12, 31))


@pytest.mark.parametrize("typed", ["$5", "USD 5", "CHF 100"])
def test_value_refuses_an_amount_in_another_currency(
    capsys: pytest.CaptureFixture[str], db: Path, typed: str
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    code, _, err = run(capsys, db, "value", "ann", typed)
    assert f"{typed!r} is not in EUR" in one_line_error(code, err)
    (card,) = service_for(db).cards()
    assert card.value is None
    code, out, _ = run(capsys, db, "value", "ann", "5 EUR")  # its own code is fine
    assert (code, out) == (0, "Ann Okafor is worth €5.\n")


def test_an_amount_typed_without_quotes_is_read_whole(
    capsys: pytest.CaptureFixture[str], db: Path
) -> None:
    run(capsys, db, "add", "Ann Okafor")
    code, _, err = run(capsys, db, "value", "ann", "USD", "5")
    assert "'USD 5' is not in EUR" in one_line_error(code, err)
    code, out, _ = run(capsys, db, "value", "ann", "12", "500.50", "--close", "2026-12-31")
    assert (code, out) == (0, "Ann Okafor is worth €12,500.50, expected to close 2026-12-31.\n")
