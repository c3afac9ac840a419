"""Widgets of the board and the card screen."""
