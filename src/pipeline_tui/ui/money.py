"""How the app shows values and weighs the forecast: the config's [money] currency (in
the locale's grouping) and [stages] probability, kept by the app."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from textual.app import App

from pipeline_tui.domain.money import DEFAULT_PROBABILITIES, Currency
from pipeline_tui.domain.stages import Stage


def currency(app: App[Any]) -> Currency:
    """The app's currency (euros, in no locale's grouping, for an app started without one)."""
    chosen = getattr(app, "currency", None)
    return chosen if isinstance(chosen, Currency) else Currency()


def probabilities(app: App[Any]) -> Mapping[Stage, Decimal]:
    chosen = getattr(app, "probabilities", None)
    return chosen if isinstance(chosen, Mapping) else DEFAULT_PROBABILITIES
