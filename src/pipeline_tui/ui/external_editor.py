"""ctrl+e: the rep's own editor ($VISUAL, $EDITOR, vi) for the text of a note.

The app hands the terminal over (App.suspend) while the editor runs, which works in
a local terminal, over SSH and in tmux, and takes it back when the editor exits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.app import App, SuspendNotSupported

from pipeline_tui.shell.editor import EditorError, edit_text


def edit_in_editor(
    app: App[object], text: str, opened: Callable[[Path | None], None] | None = None
) -> str | None:
    """What the editor holds when it exits (one trailing newline, which editors add,
    removed); None, with a notification, when it could not run.

    The file ends in a newline, as a text file does: a line an editor or a script
    appends starts a line of its own. That newline is the one taken off again, so
    text left as it was comes back exactly, with or without a newline of its own.
    `opened`: see edit_text."""
    try:
        edited = _edit(app, f"{text}\n" if text else text, opened)
    except SuspendNotSupported:
        app.notify("This terminal cannot be handed to an editor.", severity="error")
        return None
    except EditorError as error:
        app.notify(str(error), title="Editor", severity="error", markup=False, timeout=10)
        return None
    return edited.removesuffix("\n")


def _edit(app: App[object], text: str, opened: Callable[[Path | None], None] | None) -> str:
    if app.is_headless:
        # Nothing owns a terminal (tests, a headless run): the editor runs as is.
        return edit_text(text, opened=opened)
    failed: BaseException | None = None
    with app.suspend():
        # Caught in here: Textual 8.2.8's App.suspend takes the terminal back only when
        # its block ends normally, so an editor that was not found or failed left the
        # app frozen, drawing nothing and reading no keys.
        try:
            edited = edit_text(text, opened=opened)
        except BaseException as error:  # ctrl+c in an editor in cooked mode too
            failed = error
    if failed is not None:
        raise failed
    return edited


def written_so_far(path: Path | None) -> str | None:
    """What the rep's editor has written to its file so far (see edit_in_editor's
    `opened`), its one trailing newline off; None with no file or one that cannot be
    read. For the draft kept if the session ends while the editor runs."""
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8").removesuffix("\n")
    except (OSError, UnicodeDecodeError):
        return None
