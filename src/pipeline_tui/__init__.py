"""pipeline-tui: a keyboard-first terminal kanban for a salesperson's daily pipeline."""

__version__ = "0.1.0"
