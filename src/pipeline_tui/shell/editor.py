"""Writing text in the rep's own editor: $VISUAL, then $EDITOR, then vi, as git does.

The editor is run through the shell, so EDITOR="code --wait" or "emacsclient -t"
work. The text goes through a private temporary file (0600: notes can be sensitive)
named .md, so the editor highlights Markdown; the file is removed afterwards unless
the editor failed, when it is kept and named, so nothing typed is lost.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path


class EditorError(Exception):
    """The editor could not be run or did not exit cleanly; one sentence."""


def editor_command() -> str:
    for variable in ("VISUAL", "EDITOR"):
        value = os.environ.get(variable, "").strip()
        if value:
            return value
    return "vi"


def edit_text(
    text: str, *, name: str = "note", opened: Callable[[Path | None], None] | None = None
) -> str:
    """Open `text` in the editor and return what it holds when the editor exits.
    `opened` is told the file the editor has, then None once it is done with it."""
    editor = editor_command()
    try:
        fd, temporary = tempfile.mkstemp(prefix=f"pipeline-tui-{name}-", suffix=".md")
    except OSError as error:
        raise EditorError(f"No file could be made for the editor: {error.strerror}.") from None
    path = Path(temporary)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        path.unlink(missing_ok=True)
        raise EditorError(
            f"The text could not be written for the editor: {error.strerror}."
        ) from None
    if opened is not None:
        opened(path)
    try:
        result = subprocess.run(["/bin/sh", "-c", f'{editor} "$@"', editor, str(path)])
    except OSError as error:
        path.unlink(missing_ok=True)
        raise EditorError(f"The editor could not be started: {error.strerror}.") from None
    if result.returncode == 127:
        path.unlink(missing_ok=True)
        raise EditorError(
            f"The editor {editor!r} was not found; set $VISUAL or $EDITOR to one you have."
        )
    if result.returncode != 0:
        raise EditorError(
            f"The editor {editor!r} exited with status {result.returncode}; what it wrote "
            f"is kept in {path}."
        )
    try:
        edited = path.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise EditorError(f"The edited text could not be read back: {error.strerror}.") from None
    path.unlink(missing_ok=True)
    return edited


def keep_text(text: str, *, name: str = "note") -> Path:
    """Put text that could not be saved in a private file, and say where."""
    fd, temporary = tempfile.mkstemp(prefix=f"pipeline-tui-{name}-unsaved-", suffix=".md")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return Path(temporary)
