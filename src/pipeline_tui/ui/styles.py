"""Widgets keep their styles in a .tcss file beside their module."""

from collections.abc import Sequence
from pathlib import Path


def load_tcss(module_file: str) -> str:
    """The contents of the .tcss file named like the module (card_list.py -> card_list.tcss)."""
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")


def width_class(breakpoints: Sequence[tuple[int, str]], width: int) -> str | None:
    """The class Textual gives a screen `width` cells wide for these horizontal
    breakpoints (App.HORIZONTAL_BREAKPOINTS): the widest one `width` reaches."""
    reached = [(edge, name) for edge, name in breakpoints if width >= edge]
    return max(reached)[1] if reached else None
