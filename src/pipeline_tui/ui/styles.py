"""Widgets keep their styles in a .tcss file beside their module."""

from pathlib import Path


def load_tcss(module_file: str) -> str:
    """The contents of the .tcss file named like the module (card_list.py -> card_list.tcss)."""
    return Path(module_file).with_suffix(".tcss").read_text(encoding="utf-8")
