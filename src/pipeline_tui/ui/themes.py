"""Themes from TOML files: the ones shipped in themes/ and any in the user's config folder."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from textual.color import ColorParseError
from textual.theme import Theme

from pipeline_tui.domain.text import clean_line

DEFAULT_THEME = "pipeline-dark"
ANSI_THEME = "pipeline-ansi"
_COLOURS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "boost",
    "warning",
    "error",
    "success",
)


def shipped_theme_folder() -> Path:
    """themes/ inside the installed package, or at the top of a source checkout."""
    packaged = Path(str(resources.files("pipeline_tui"))) / "themes"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "themes"


def load_themes(folders: Iterable[Path]) -> tuple[list[Theme], list[str]]:
    """Every readable theme file; a broken one becomes a warning, never a crash."""
    themes: list[Theme] = []
    warnings: list[str] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                themes.append(theme_from_toml(path))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError) as error:
                # File names and parse errors can hold what the file holds: sanitised.
                warnings.append(clean_line(f"Theme {path.name} was skipped: {error}"))
            except RecursionError:
                warnings.append(
                    clean_line(f"Theme {path.name} was skipped: it nests too deep to read")
                )
    return themes, warnings


def theme_from_toml(path: Path) -> Theme:
    data = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad's BOM too
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not clean_line(name):
        raise ValueError("'name' must be text")
    # The name is shown in the theme picker and written to the config: no escape
    # sequences or invisible characters in it.
    name = clean_line(name)
    if not isinstance(data.get("primary"), str):
        raise ValueError("'primary' colour is required")
    colours = {key: data[key] for key in _COLOURS if key in data}
    for key, value in colours.items():
        if not isinstance(value, str):
            raise ValueError(f'{key!r} must be a colour like "#336699"')
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ValueError("[variables] must be a table")
    theme = Theme(
        name=name,
        dark=bool(data.get("dark", True)),
        ansi=bool(data.get("ansi", False)),
        variables={str(k): str(v) for k, v in variables.items()},
        **colours,
    )
    try:
        theme.to_color_system()
    except ColorParseError as error:
        raise ValueError(str(error)) from None
    return theme


def theme_for_terminal(color_system: str | None) -> str:
    """The theme to use when the rep has not chosen one, from what the terminal can show.

    `color_system` is Rich's detection ("truecolor", "256", "standard", "windows", or
    None for no colour): the Linux console, TERM=screen and other 16-colour terminals get
    the ANSI theme, drawn in the terminal's own palette; anything richer the default.
    """
    return DEFAULT_THEME if color_system in ("truecolor", "256") else ANSI_THEME
