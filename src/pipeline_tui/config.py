"""Settings: read from TOML (tomllib), validated, with XDG default paths (platformdirs)."""

from __future__ import annotations

import getpass
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import platformdirs

APP_NAME = "pipeline-tui"
CONFIG_ENV = "PIPELINE_TUI_CONFIG"
DB_ENV = "PIPELINE_TUI_DB"


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    user_name: str
    database: str | None = None
    theme: str = "pipeline-dark"
    path: Path | None = None
    warnings: tuple[str, ...] = ()


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_database_path() -> Path:
    return platformdirs.user_data_path(APP_NAME) / "pipeline.db"


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "me"


def config_path(explicit: str | None, environ: Mapping[str, str] = os.environ) -> Path:
    """Where the config is read from: --config, then $PIPELINE_TUI_CONFIG, then XDG."""
    if explicit:
        return Path(explicit).expanduser()
    if environ.get(CONFIG_ENV):
        return Path(environ[CONFIG_ENV]).expanduser()
    return default_config_path()


_KNOWN: dict[str, dict[str, type]] = {
    "user": {"name": str},
    "database": {"url": str},
    "ui": {"theme": str},
}


def load_config(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    """Read and check the config; a missing default file means all defaults."""
    path = config_path(explicit, environ)
    if not path.exists():
        if explicit or environ.get(CONFIG_ENV):
            raise ConfigError(f"The config file {path} does not exist.")
        return Config(user_name=login_name())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"Cannot read the config file {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"The config file {path} is not valid TOML: {error}.") from None
    values, warnings = _check(path, data)
    return Config(
        user_name=values.get("user.name") or login_name(),
        database=values.get("database.url") or None,
        theme=values.get("ui.theme") or "pipeline-dark",
        path=path,
        warnings=tuple(warnings),
    )


def _check(path: Path, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for section, table in data.items():
        if section not in _KNOWN:
            warnings.append(f"{path}: unknown section [{section}] ignored.")
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"In {path}, {section} must be a table ([{section}]).")
        for key, value in table.items():
            expected = _KNOWN[section].get(key)
            if expected is None:
                warnings.append(f"{path}: unknown key {section}.{key} ignored.")
                continue
            if not isinstance(value, expected):
                raise ConfigError(
                    f"In {path}, {section}.{key} must be a {expected.__name__}, "
                    f"not {type(value).__name__}."
                )
            values[f"{section}.{key}"] = value
    return values, warnings
