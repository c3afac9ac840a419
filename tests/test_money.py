"""A card's value: what a rep types, how it is shown, and the weighted forecast."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline_tui.config import ConfigError, load_config
from pipeline_tui.domain.money import (
    DEFAULT_PROBABILITIES,
    Currency,
    CurrencyError,
    Grouping,
    MoneyError,
    decimal_mark,
    forecast,
    from_cents,
    grouping_for_locale,
    is_ambiguous,
    parse_amount,
    probabilities_from_config,
    to_cents,
)
from pipeline_tui.domain.stages import Stage


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("12500", "12500"),
        ("12k", "12000"),
        ("12.5k", "12500"),
        ("1.5m", "1500000"),
        ("12,500.50", "12500.50"),
        ("1,250,000", "1250000"),
        ("1.250.000", "1250000"),
        ("12 500.50", "12500.50"),
        ("12.500,50", "12500.50"),
        ("12,5", "12.5"),
        ("€12,500.00", "12500"),
        ("EUR 12500", "12500"),
        ("12500 eur", "12500"),
        ("$ 900", "900"),
        ("1.25", "1.25"),
        ("0", "0"),
    ],
)
def test_reads_what_a_rep_types(typed: str, amount: str) -> None:
    assert parse_amount(typed) == Decimal(amount)


def test_a_lone_separator_is_read_as_the_locale_writes_it() -> None:
    german = Grouping(".", ",")
    assert parse_amount("12.500", german) == Decimal("12500")
    assert parse_amount("12,500", german) == Decimal("12.5")
    assert parse_amount("12.5", german) == Decimal("12.5")
    english = Grouping()
    assert parse_amount("12,500", english) == Decimal("12500")
    assert parse_amount("1.250", english) == Decimal("1.25")


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12.500", "'12.500' could be 12500 or 12.50; type 12500 or 12.50 to say which."),
        ("3,000", "'3,000' could be 3000 or 3.00; type 3000 or 3.00 to say which."),
        ("€3.000", "'€3.000' could be 3000 or 3.00; type 3000 or 3.00 to say which."),
        ("1.500k", "'1.500k' could be 1500k or 1.50k; type 1500k or 1.50k to say which."),
        (
            "12.345",
            "'12.345' could be 12345, or 12.345 with more than two decimals; "
            "type 12345 if that is meant.",
        ),
    ],
)
def test_a_lone_separator_before_three_digits_is_refused_when_no_locale_says(
    typed: str, says: str
) -> None:
    # 12.500 is twelve thousand five hundred in German and twelve and a half in English:
    # a factor of 1000 apart, so it is never guessed.
    with pytest.raises(MoneyError) as caught:
        parse_amount(typed)
    assert str(caught.value) == says


@pytest.mark.parametrize("grouping", [None, Grouping(), Grouping(".", ",")])
@pytest.mark.parametrize(
    ("typed", "amount"),
    [("0,500", "0.5"), ("0.500", "0.5"), ("00,500", "0.5"), ("0,500k", "500"), ("0.050", "0.05")],
)
def test_a_lone_separator_after_a_leading_zero_is_a_decimal_point_in_any_locale(
    grouping: Grouping | None, typed: str, amount: str
) -> None:
    # "0,500" was refused as "could be 500 or 0.50" (no locale), or read as 500 (English):
    # a number below a thousand has no group separator, and a grouped one never starts
    # with 0, so only the decimal reading is true.
    assert parse_amount(typed, grouping) == Decimal(amount)
    assert not is_ambiguous(typed)
    assert decimal_mark(typed) == ("," if "," in typed else ".")


@pytest.mark.parametrize(
    ("typed", "mark"),
    [
        ("1.234,50", ","),
        ("12,50", ","),
        ("1.234.567", ","),
        ("€ 12,5k", ","),
        ("1,234.50", "."),
        ("12.5", "."),
        ("1,234,567", "."),
        ("12.500", None),
        ("3,000", None),
        ("12500", None),
        ("", None),
        ("TBC", None),
        ("1,25,000", None),
    ],
)
def test_the_decimal_mark_an_amount_shows_by_itself(typed: str, mark: str | None) -> None:
    assert decimal_mark(typed) == mark
    assert is_ambiguous(typed) == (typed in ("12.500", "3,000"))


def test_nothing_typed_is_no_value() -> None:
    assert parse_amount("  ") is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("twelve", "is not an amount"),
        ("-5", "cannot be negative"),
        ("12.505", "more than two decimals"),
        ("1,25,000", "not grouped in thousands"),
        ("0,500,000", "not grouped in thousands"),
        ("0,500.50", "not grouped in thousands"),
        ("0.500,50", "not grouped in thousands"),
        ("0,505", "more than two decimals"),
        ("1.000.000,5.5", "more than one decimal point"),
        ("1,000.5.5", "more than one decimal point"),
        ("99999999999999", "more than a value can be"),
        # 29 digits: more than Decimal's 28 digits of precision can round to the cent
        ("99999999999999999999999999999", "more than a value can be"),
        ("99999999999999999999999999k", "more than a value can be"),
        ("k", "is not an amount"),
    ],
)
def test_refuses_in_one_sentence(typed: str, says: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_amount(typed)
    message = str(caught.value)
    assert says in message
    assert message.endswith(".") and "\n" not in message


def test_formats_with_the_currency_and_grouping() -> None:
    assert Currency("EUR").format(Decimal("12500")) == "€12,500"
    assert Currency("USD").format(Decimal("1234567.5")) == "$1,234,567.50"
    assert Currency("CHF", Grouping("'", ".")).format(Decimal("12500")) == "CHF 12'500"
    assert Currency("EUR", Grouping(".", ",")).format(Decimal("12500.05")) == "€12.500,05"


@pytest.mark.parametrize(
    ("amount", "short"),
    [
        ("0", "€0"),
        ("950", "€950"),
        # Small totals as they are: never rounded up to a whole or down to nothing.
        ("1.50", "€1.50"),
        ("0.40", "€0.40"),
        ("999.50", "€999.50"),
        ("999.99", "€999.99"),
        ("1250", "€1.3k"),
        ("1249.99", "€1.2k"),
        ("12500", "€12.5k"),
        ("250400", "€250k"),
        ("999999", "€1M"),
        ("1250000", "€1.3M"),
        ("3000000000", "€3bn"),
    ],
)
def test_short_amounts_for_column_headers(amount: str, short: str) -> None:
    assert Currency("EUR").short(Decimal(amount)) == short


@pytest.mark.parametrize(
    ("amounts", "shown"),
    [
        # Large amounts with cents: whole units for all, never "€1,250.50 of €12,502".
        (("1250.50", "12502"), ("€1,251", "€12,502")),
        (("1000.49", "12502.75"), ("€1,000", "€12,503")),
        # A small amount with cents: cents for all, as rounding would misstate it.
        (("250.50", "2505"), ("€250.50", "€2,505.00")),
        (("999.50", "5000.25"), ("€999.50", "€5,000.25")),
        (("0", "12.50"), ("€0.00", "€12.50")),
        # All whole: whole units, however small.
        (("0", "1"), ("€0", "€1")),
        (("1000", "88500"), ("€1,000", "€88,500")),
        (("15000.50",), ("€15,001",)),
    ],
)
def test_figures_read_together_share_one_precision(
    amounts: tuple[str, ...], shown: tuple[str, ...]
) -> None:
    assert Currency("EUR").format_together(*map(Decimal, amounts)) == shown


def test_figures_read_together_follow_the_locale() -> None:
    german = Currency("EUR", Grouping(".", ","))
    assert german.format_together(Decimal("250.5"), Decimal("2505")) == ("€250,50", "€2.505,00")
    assert german.format_together(Decimal("1250.5"), Decimal("12502")) == ("€1.251", "€12.502")


@given(st.lists(st.decimals(min_value=0, max_value=10**9, places=2), min_size=1, max_size=4))
def test_figures_read_together_are_all_whole_or_all_to_the_cent(amounts: list[Decimal]) -> None:
    shown = Currency("EUR").format_together(*amounts)
    assert len({"." in text for text in shown}) == 1
    for amount, text in zip(amounts, shown, strict=True):
        value = Decimal(text.removeprefix("€").replace(",", ""))
        # Exact to the cent, or whole units off by less than a unit in 2,000.
        assert value == amount or (abs(value - amount) <= Decimal("0.5") and amount >= 1000)


def test_grouping_follows_the_locale() -> None:
    assert grouping_for_locale({"LANG": "de_DE.UTF-8"}) == Grouping(".", ",")
    assert grouping_for_locale({"LANG": "en_GB.UTF-8"}) == Grouping(",", ".")
    assert grouping_for_locale({"LC_ALL": "de_CH.UTF-8", "LANG": "de_DE"}) == Grouping("'", ".")
    assert grouping_for_locale({"LANG": "ja_JP.UTF-8"}) == Grouping(",", ".")
    # Nothing that says how numbers are written: no grouping, ambiguous amounts refused.
    assert grouping_for_locale({}) is None
    assert grouping_for_locale({"LANG": "C.UTF-8"}) is None
    assert grouping_for_locale({"LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"}) is None
    assert grouping_for_locale({"LANG": "xx_YY"}) is None


def test_forecast_weights_each_value_by_its_stage() -> None:
    values = [
        (Stage.LEAD, Decimal("10000")),
        (Stage.PROSPECT, Decimal("20000")),
        (Stage.CLIENT, Decimal("5000")),
        (Stage.REPEAT, None),
    ]
    assert forecast(values) == Decimal("1000") + Decimal("6000") + Decimal("4500")
    custom = probabilities_from_config({"lead": 0.5})
    assert custom[Stage.LEAD] == Decimal("0.5")
    assert custom[Stage.PROSPECT] == DEFAULT_PROBABILITIES[Stage.PROSPECT]
    assert forecast(values, custom) == Decimal("5000") + Decimal("6000") + Decimal("4500")


amounts = st.decimals(min_value=0, max_value=10**9, places=2)
stages = st.sampled_from(list(Stage))


@given(st.lists(st.tuples(stages, amounts)))
def test_forecast_is_never_more_than_the_total(values: list[tuple[Stage, Decimal]]) -> None:
    weighted = forecast(values)
    assert Decimal(0) <= weighted <= sum((v for _, v in values), Decimal(0))


@given(st.lists(st.tuples(stages, amounts)), st.lists(st.tuples(stages, amounts)))
def test_forecast_adds_up(
    first: list[tuple[Stage, Decimal]], second: list[tuple[Stage, Decimal]]
) -> None:
    # Each card's share is rounded once, at the end: two halves may differ by a cent.
    assert abs(forecast(first + second) - forecast(first) - forecast(second)) <= Decimal("0.01")


@given(amounts)
def test_formatted_amounts_read_back(amount: Decimal) -> None:
    for grouping in (Grouping(), Grouping(".", ","), Grouping("\u202f", ","), Grouping("'", ".")):
        assert parse_amount(Currency("EUR", grouping).format(amount), grouping) == amount


@given(st.from_regex(r"[1-9][0-9]{0,6}([.,][0-9]{1,4}){0,3}", fullmatch=True))
def test_only_an_ambiguous_amount_depends_on_the_decimal_mark(typed: str) -> None:
    """Whatever a locale or an import decides moves "12.500" only, never "12.50"."""

    def read(grouping: Grouping) -> Decimal | str | None:
        try:
            return parse_amount(typed, grouping)
        except MoneyError:
            return "refused"

    english, german = read(Grouping(",", ".")), read(Grouping(".", ","))
    assert (english != german) <= is_ambiguous(typed)
    if not is_ambiguous(typed):
        assert read_without_locale(typed) == english


def read_without_locale(typed: str) -> Decimal | str | None:
    try:
        return parse_amount(typed)
    except MoneyError:
        return "refused"


@given(amounts)
def test_cents_round_trip(amount: Decimal) -> None:
    assert from_cents(to_cents(amount)) == amount


def test_config_names_the_currency_and_probabilities(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[money]\ncurrency = "usd"\n[stages]\nprobability = {lead = 0.2}\n')
    config = load_config(str(path), {"LANG": "en_US.UTF-8"})
    assert config.currency.format(Decimal(5)) == "$5"
    assert config.probabilities[Stage.LEAD] == Decimal("0.2")
    assert config.probabilities[Stage.CLIENT] == DEFAULT_PROBABILITIES[Stage.CLIENT]


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ('[money]\ncurrency = "euros"\n', "three-letter currency code"),
        ("[stages]\nprobability = {lead = 2}\n", "from 0 to 1"),
        ("[stages]\nprobability = {won = 0.5}\n", "not a stage"),
    ],
)
def test_config_refuses_unusable_money_settings(tmp_path: Path, document: str, says: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(document)
    with pytest.raises(ConfigError, match=says):
        load_config(str(path), {})


@pytest.mark.parametrize("typed", ["USD 5", "$5", "CHF 100", "5 usd", "£12,500.00", "5 CHF"])
def test_an_amount_in_another_currency_is_refused_naming_the_configured_one(typed: str) -> None:
    # Read as euros, a rep's five dollars would quietly become five euros.
    with pytest.raises(CurrencyError) as refused:
        parse_amount(typed, Grouping(), "EUR")
    message = str(refused.value)
    assert "EUR" in message and message.count(".") <= 2 and message.endswith(".")


@pytest.mark.parametrize(
    ("typed", "code", "amount"),
    [
        ("€5", "EUR", "5"),
        ("5 EUR", "EUR", "5"),
        ("eur 12k", "EUR", "12000"),
        ("$5", "USD", "5"),
        ("USD 5", "usd", "5"),
        ("CHF 100", "CHF", "100"),
        ("12500", "EUR", "12500"),
    ],
)
def test_the_configured_currencys_own_symbol_and_code_are_read(
    typed: str, code: str, amount: str
) -> None:
    assert parse_amount(typed, Grouping(), code) == Decimal(amount)


def test_a_currency_sign_does_not_settle_a_lone_separator() -> None:
    # The README's "€12,500": read as the locale writes numbers; where it does not say,
    # "€12,500" is as open as "12,500" (a Dutch "€ 12,500" is 12.5), so it is asked.
    assert parse_amount("€12,500", Grouping(",", "."), "EUR") == Decimal("12500")
    with pytest.raises(MoneyError, match=r"could be 12500 or 12\.50"):
        parse_amount("€12,500", None, "EUR")
