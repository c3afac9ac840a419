"""A card's value: reading what a rep types, showing it, and the weighted forecast.

Amounts are `Decimal`s here and whole hundredths ("cents") in the database. Cents are
exact on SQLite and PostgreSQL alike (SQLite keeps a NUMERIC as a float), they add up
exactly in SQL, and they do not depend on the currency: changing `[money] currency`
changes the symbol shown, never the stored numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from pipeline_tui.domain.stages import Stage

CENT = Decimal("0.01")
MAX_VALUE = Decimal("1000000000000")
"""A trillion: more than any deal, small enough that any sum of cents stays exact."""

DEFAULT_CURRENCY = "EUR"

WHOLE_FROM = Decimal(1000)
"""From a thousand up, cents are noise: figures read together are shown in whole units
once every one of them with cents is this large (Currency.format_together)."""

DEFAULT_PROBABILITIES: Mapping[Stage, Decimal] = {
    Stage.LEAD: Decimal("0.1"),
    Stage.PROSPECT: Decimal("0.3"),
    Stage.CLIENT: Decimal("0.9"),
    Stage.REPEAT: Decimal("0.5"),
}
"""How likely a card's value is to come in, by stage ([stages] probability overrides).

A lead is a name, mostly unqualified (one in ten); a prospect has been qualified and is
talking (about one in three); a client has said yes and the value is being delivered
(nearly all of it); a repeat or referral is a warm second sale (even odds).
"""


class MoneyError(ValueError):
    """An amount that cannot be read; the message is one sentence for the rep."""


class CurrencyError(MoneyError):
    """An amount written in another currency than the configured one: never converted,
    never taken as if it were in the configured one."""


# Symbols for the usual currencies; any other code is shown before the amount ("CHF 12").
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}
_MULTIPLIERS = {"k": Decimal(1000), "m": Decimal(1_000_000)}
_SPACES = " \u00a0\u202f\u2009'"
"""What people group thousands with besides commas and dots (no-break and thin spaces,
the Swiss apostrophe)."""


def parse_amount(
    text: str, grouping: Grouping | None = None, currency: str | None = None
) -> Decimal | None:
    """The amount a rep typed, or None for nothing typed.

    `currency` is the configured currency's code ([money] currency): an amount that
    names another one ("$5", "USD 5", "CHF 100" where values are in EUR) is refused
    (CurrencyError), as taking it for euros would misstate it; the configured one's
    symbol and code are accepted ("€5", "5 EUR"). Without it, no currency is checked.

    Takes "12k", "1.5m", "12,500", "12 500.50", "12.500,50", "€12,500" and "EUR 12500".
    With both commas and dots, the last one is the decimal point. A lone one is the
    decimal point where the locale writes it so ("1.250" is one and a quarter in
    English, "1,250" in German); the other groups thousands when three digits follow
    ("12,500" in English, "12.500" in German) and is a decimal point otherwise ("12,5").
    After a leading zero it is a decimal point in every locale ("0,500" is 0.50): no one
    groups the thousands of a number that starts with 0. Without a grouping (no locale
    says how numbers are written) a lone one followed by three digits after any other
    digits could be either, a factor of 1000 apart: refused, never guessed.
    """
    raw = text.strip()
    if not raw:
        return None
    number, suffix = _number_part(raw)
    if currency is not None:
        check_currency(raw, currency)
    multiplier = _MULTIPLIERS[suffix] if suffix else Decimal(1)
    if grouping is None and _is_ambiguous(number):
        raise MoneyError(_ambiguous(raw, number, suffix))
    number = _decimal_point(number, grouping or Grouping())
    try:
        amount = Decimal(number) * multiplier
    except InvalidOperation:
        raise _not_an_amount(raw) from None
    # The size first: rounding to the cent needs more than Decimal's 28 digits for an
    # amount of 29 (decimal.InvalidOperation).
    if amount > MAX_VALUE:
        raise MoneyError(f"{raw!r} is more than a value can be.")
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_EVEN):
        raise MoneyError(f"{raw!r} has more than two decimals.")
    return amount.quantize(CENT)


_CODE_BEFORE = re.compile(r"^([A-Za-z]{3})\s*")
_CODE_AFTER = re.compile(r"\s*([A-Za-z]{3})$")
"""A currency code written before or after the amount ("EUR 12500", "12500 eur")."""


def currencies_named(text: str) -> tuple[str, ...]:
    """The currency symbols and codes (upper-cased) an amount is written with, as
    written: "$5" names "$", "5 eur" names "EUR", "12500" none. Only meaningful for
    text that reads as an amount ("lots" names no currency "LOT")."""
    named = [symbol for symbol in _SYMBOLS.values() if symbol in text]
    rest = text
    for symbol in named:
        rest = rest.replace(symbol, "")
    rest = rest.strip()
    before = _CODE_BEFORE.match(rest)
    if before:
        named.append(before[1].upper())
        rest = rest[before.end() :]
    after = _CODE_AFTER.search(rest)
    if after:
        named.append(after[1].upper())
    return tuple(named)


def check_currency(text: str, code: str) -> None:
    """Raise CurrencyError when the amount (text that reads as one) names a currency
    other than `code` (its own symbol and code are fine): one sentence naming the
    configured currency."""
    code = code.upper()
    own = {code, _SYMBOLS.get(code, code)}
    if any(named not in own for named in currencies_named(text)):
        raise CurrencyError(
            f"{text.strip()!r} is not in {code}, the currency values are kept in: "
            f"type the amount in {code} (converted if need be)."
        )


def _number_part(raw: str) -> tuple[str, str]:
    """The digits and separators of an amount, and its multiplier ("k", "m" or "")."""
    number = raw
    for symbol in sorted(_SYMBOLS.values(), key=len, reverse=True):
        number = number.replace(symbol, "")
    number = re.sub(r"^[A-Za-z]{3}\s*|\s*[A-Za-z]{3}$", "", number.strip())
    number = number.strip()
    suffix = ""
    if number[-1:].lower() in _MULTIPLIERS:
        suffix = number[-1].lower()
        number = number[:-1].rstrip()
    if number.startswith("-"):
        raise MoneyError(f"A value cannot be negative ({raw!r}).")
    for space in _SPACES:
        number = number.replace(space, "")
    if not re.fullmatch(r"\d[\d,.]*", number) or not re.search(r"\d$", number):
        raise _not_an_amount(raw)
    return number, suffix


def _not_an_amount(raw: str) -> MoneyError:
    return MoneyError(f"{raw!r} is not an amount; type one like 12500, 12500.50 or 12k.")


_AMBIGUOUS = re.compile(r"(\d+)[.,](\d{3})")
"""One separator and three digits after it: "12.500" is 12500 in German, 12.5 in English."""


def _groups_thousands(whole: str, fraction: str) -> bool:
    """Whether a lone separator can group thousands: three digits follow it, and the
    digits before it do not start with 0 ("0,500" and "0.500" are a half, never 500)."""
    return len(fraction) == 3 and not whole.startswith("0")


def _is_ambiguous(number: str) -> bool:
    """Whether only the locale could say what `number` is: "12.500", not "0.500" (a
    half in either)."""
    lone = _AMBIGUOUS.fullmatch(number)
    return lone is not None and _groups_thousands(lone[1], lone[2])


def _ambiguous(raw: str, number: str, suffix: str) -> str:
    """Why an amount is refused, and the two ways to write it that no one misreads."""
    whole, fraction = re.split(r"[.,]", number)
    thousands = f"{int(whole + fraction)}{suffix}"
    if fraction.endswith("0"):
        cents = f"{int(whole)}.{fraction[:2]}{suffix}"
        return f"{raw!r} could be {thousands} or {cents}; type {thousands} or {cents} to say which."
    return (
        f"{raw!r} could be {thousands}, or {whole}.{fraction}{suffix} with more than two "
        f"decimals; type {thousands} if that is meant."
    )


def is_ambiguous(text: str) -> bool:
    """Whether the amount reads differently with "," or "." as the decimal mark
    ("12.500", "3,000"); False for nothing typed and for what is not an amount."""
    try:
        return bool(text.strip()) and _is_ambiguous(_number_part(text.strip())[0])
    except MoneyError:
        return False


def decimal_mark(text: str) -> str | None:
    """The decimal mark an amount shows by how it is written, whatever the locale: ","
    in "1.234,50", "12,50" and "1.234.567" (dots group thousands), "." in "1,234.50",
    "12.5" and "1,234,567"; None when it shows neither ("12500", "12.500", not an amount).
    """
    try:
        if parse_amount(text, Grouping()) is None:
            return None
        number = _number_part(text.strip())[0]
    except MoneyError:
        return None
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        return "," if number.rfind(",") > number.rfind(".") else "."
    if commas > 1:
        return "."
    if dots > 1:
        return ","
    if (commas or dots) and not _is_ambiguous(number):
        return "," if commas else "."
    return None


def _decimal_point(number: str, grouping: Grouping) -> str:
    """The number with its grouping removed and "." as the decimal point."""
    commas, dots = number.count(","), number.count(".")
    if commas and dots:
        last_comma = number.rfind(",") > number.rfind(".")
        decimal, thousands = (",", ".") if last_comma else (".", ",")
        if number.count(decimal) > 1:
            raise MoneyError(f"{number!r} has more than one decimal point.")
        return _grouped(number.split(decimal)[0], thousands) + "." + number.split(decimal)[1]
    for separator, count in ((",", commas), (".", dots)):
        if count > 1:
            return _grouped(number, separator)
        if count == 1:
            whole, fraction = number.split(separator)
            if separator != grouping.decimal and _groups_thousands(whole, fraction):
                return whole + fraction
            return f"{whole}.{fraction}"
    return number


def _grouped(number: str, separator: str) -> str:
    groups = number.split(separator)
    # "0,500,000" or "0.500,50": thousands are never grouped after a leading zero.
    if groups[0].startswith("0") or any(len(group) != 3 for group in groups[1:]):
        raise MoneyError(f"{number!r} is not grouped in thousands.")
    return "".join(groups)


def plain_amount(amount: Decimal) -> str:
    """An amount to edit: digits, and cents only when there are some ("12500.50").
    Read back the same in any locale (two decimals are never taken for grouping)."""
    text = f"{amount.quantize(CENT):f}"
    return text.removesuffix(".00")


def to_cents(amount: Decimal) -> int:
    return int(amount.quantize(CENT) * 100)


def from_cents(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


@dataclass(frozen=True)
class Grouping:
    """How the rep's locale writes 12,500.50: the thousands and the decimal separator."""

    thousands: str = ","
    decimal: str = "."


_LANGUAGE_GROUPING = {
    **dict.fromkeys(("en", "ga", "mt", "he", "hi", "ja", "ko", "th", "zh"), Grouping(",", ".")),
    **dict.fromkeys(("de", "nl", "es", "it", "pt", "da", "id", "tr", "el"), Grouping(".", ",")),
    **dict.fromkeys(
        ("fr", "sv", "nb", "nn", "no", "fi", "cs", "pl", "ru", "uk", "sk"), Grouping("\u202f", ",")
    ),
}
_LOCALE_VARIABLES = ("LC_ALL", "LC_NUMERIC", "LANG")


def grouping_for_locale(environ: Mapping[str, str]) -> Grouping | None:
    """How the locale (LC_ALL, LC_NUMERIC, LANG) groups numbers; None when it does not
    say (unset, C, POSIX, a language not listed here): shown the English way, and an
    amount that only the decimal mark could settle ("12.500") is refused."""
    for variable in _LOCALE_VARIABLES:
        name = environ.get(variable, "")
        if name:
            if re.match(r"^de_CH", name):
                return Grouping("'", ".")
            language = re.match(r"^([a-zA-Z]{2,3})(?![a-zA-Z])", name)
            if language:
                return _LANGUAGE_GROUPING.get(language.group(1).lower())
            return None
    return None


@dataclass(frozen=True)
class Currency:
    """The currency values are shown in ([money] currency) and the locale's grouping
    (None: the locale does not say; shown the English way)."""

    code: str = DEFAULT_CURRENCY
    grouping: Grouping | None = None

    @property
    def symbol(self) -> str:
        return _SYMBOLS.get(self.code.upper(), self.code.upper() + " ")

    def format(self, amount: Decimal, *, cents: bool = False) -> str:
        """ "€12,500" or "€12,500.50": cents only when there are some, or `cents`."""
        whole, part = divmod(amount.quantize(CENT), 1)
        text = self._group(int(whole))
        if part or cents:
            text += self._shown.decimal + f"{int(part * 100):02d}"
        return self.symbol + text

    def format_together(self, *amounts: Decimal) -> tuple[str, ...]:
        """Amounts read side by side in one line ("Forecast €1,251 of €12,502"), all at
        one precision, so that no figure looks more or less exact than the one beside it.

        Whole units when none has cents, or when every one with cents is a thousand or
        more (rounded half up: off by under 0.05%); otherwise cents on every one
        ("€250.50 of €2,505.00"), as rounding a small amount would misstate it.
        """
        with_cents = [a for a in amounts if a.quantize(CENT) % 1]
        if all(a >= WHOLE_FROM for a in with_cents):
            return tuple(self._whole(a) for a in amounts)
        return tuple(self.format(a, cents=True) for a in amounts)

    def _whole(self, amount: Decimal) -> str:
        return self.symbol + self._group(int(amount.quantize(Decimal(1), ROUND_HALF_UP)))

    def short(self, amount: Decimal) -> str:
        """A few characters for a column header: "€950", "€1.50", "€12.5k", "€250k",
        "€1.3M". Under a thousand the amount as it is, cents and all: rounding €1.50 to
        "€2" or €0.40 to "€0" would say something untrue, where "€12.5k" is plainly
        rounded to the tenth of a thousand."""
        if amount < 1000:
            return self.format(amount)
        for size, suffix in ((Decimal(1_000_000_000), "bn"), (Decimal(1_000_000), "M")):
            if amount >= size:
                return self.symbol + self._tenths(amount / size) + suffix
        if amount >= 999_950:
            return self.symbol + self._tenths(amount / 1_000_000) + "M"
        if amount >= 99_950:
            return self.symbol + f"{(amount / 1000).quantize(Decimal(1), ROUND_HALF_UP)}k"
        return self.symbol + self._tenths(amount / 1000) + "k"

    def _tenths(self, amount: Decimal) -> str:
        text = str(amount.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
        text = text.removesuffix(".0")
        return text.replace(".", self._shown.decimal)

    def _group(self, whole: int) -> str:
        return f"{whole:,}".replace(",", self._shown.thousands)

    @property
    def _shown(self) -> Grouping:
        return self.grouping or Grouping()


def probabilities_from_config(
    overrides: Mapping[str, float | int] | None = None,
) -> dict[Stage, Decimal]:
    """The default probabilities with the configured ones over them."""
    chosen = dict(DEFAULT_PROBABILITIES)
    for name, value in (overrides or {}).items():
        chosen[Stage.parse(name)] = Decimal(str(value))
    return chosen


def forecast(
    values: Iterable[tuple[Stage, Decimal | None]],
    probabilities: Mapping[Stage, Decimal] = DEFAULT_PROBABILITIES,
) -> Decimal:
    """The weighted forecast: each card's value times its stage's probability, summed
    (to the cent); cards without a value add nothing."""
    total = sum(
        (value * probabilities.get(stage, Decimal(0)) for stage, value in values if value),
        Decimal(0),
    )
    return total.quantize(CENT, rounding=ROUND_HALF_EVEN)


def total(values: Iterable[Decimal | None]) -> Decimal:
    return sum((value for value in values if value), Decimal(0)).quantize(CENT)
