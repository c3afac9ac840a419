"""The order dialogs read 15/12 or 12/15 in: the config's [dates] order, kept by the app."""

from __future__ import annotations

from typing import Any

from textual.app import App

from pipeline_tui.domain.dates import DateOrder


def date_order(app: App[Any]) -> DateOrder:
    """The app's date order (day first for an app started without one)."""
    order = getattr(app, "date_order", DateOrder.DMY)
    return order if isinstance(order, DateOrder) else DateOrder.DMY
