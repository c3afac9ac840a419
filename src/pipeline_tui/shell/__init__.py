"""The rep's day outside the board: the daily loop from the shell, capture from mail,
the agenda and its calendar file, hooks, and the rep's own editor.

Nothing here is imported on the way to the board: each module loads when its command
(or its config section) is used.
"""
