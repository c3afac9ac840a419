"""Settings: read from TOML (tomllib) and validated; the app's own state beside them.

Every known key is declared once, in SCHEMA; a new section (qualification criteria,
stale limits...) is one more entry there plus its field on Config. Keys not in SCHEMA
are warned about, never fatal, so an older release still opens a newer config.

The config file is the rep's: only `config init` writes it, and only when asked to.
What the app changes as it is used (the theme picked in the palette, the board's view)
goes to a state file in the XDG state folder, which is the app's to rewrite.
"""

from __future__ import annotations

import getpass
import os
import re
import stat
import tempfile
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import platformdirs
import tomli_w

from pipeline_tui.domain.activity import DEFAULT_STALE_LIMITS
from pipeline_tui.domain.cadence import (
    CADENCE_STAGES,
    Cadence,
    CadenceError,
    default_cadences,
    parse_cadence,
)
from pipeline_tui.domain.cards import is_email_address
from pipeline_tui.domain.dates import DateOrder, order_for_locale
from pipeline_tui.domain.events import EVENT_NAMES
from pipeline_tui.domain.limits import REP
from pipeline_tui.domain.money import (
    DEFAULT_CURRENCY,
    Currency,
    grouping_for_locale,
    probabilities_from_config,
)
from pipeline_tui.domain.qualification import criteria_from_config
from pipeline_tui.domain.stages import Stage
from pipeline_tui.domain.text import clean_line, listed

APP_NAME = "pipeline-tui"
CONFIG_ENV = "PIPELINE_TUI_CONFIG"
DB_ENV = "PIPELINE_TUI_DB"
DEFAULT_THEME = "pipeline-dark"
DEFAULT_HOOK_TIMEOUT = 10


class ConfigError(ValueError):
    """A config file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    user_name: str
    database: str | None = None
    theme: str = DEFAULT_THEME
    theme_chosen: bool = False
    """True when the config names ui.theme; otherwise the app picks one for the terminal."""
    keys: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None
    warnings: tuple[str, ...] = ()
    criteria: tuple[str, ...] = field(default_factory=criteria_from_config)
    """The qualification checklist: [qualification] criteria replaces, extend adds."""
    stale_limits: Mapping[Stage, int] = field(default_factory=lambda: dict(DEFAULT_STALE_LIMITS))
    """Days without a touchpoint, note or move before a card is stale, per stage."""
    import_stages: Mapping[str, str] = field(default_factory=dict)
    """[import.stages]: another tool's stage or status value -> lead, prospect, client,
    repeat, lost or not-a-fit."""
    user_emails: tuple[str, ...] = ()
    """The rep's own addresses: a captured message from one is about its recipients."""
    ics_path: Path | None = None
    """Where the next actions are kept as an iCalendar file ([calendar] ics_path)."""
    hooks: Mapping[str, str] = field(default_factory=dict)
    """Event name -> shell command run on that event ([hooks])."""
    hook_timeout: int = DEFAULT_HOOK_TIMEOUT
    """Seconds a hook may run before it is stopped."""
    date_order: DateOrder = DateOrder.DMY
    """Which number is the day in 15/12 or 12/15 ([dates] order; default: the locale's)."""
    currency: Currency = field(default_factory=Currency)
    """How values are shown: [money] currency, grouped as the locale groups numbers."""
    probabilities: Mapping[Stage, Decimal] = field(default_factory=probabilities_from_config)
    """How likely a card's value is to come in, per stage ([stages] probability)."""
    cadences: Mapping[Stage, Cadence] = field(default_factory=default_cadences)
    """The after-sale steps when a card becomes a client or a repeat ([cadence.client],
    [cadence.repeat])."""


# The schema ------------------------------------------------------------------------------

Check = Callable[[Any], str | None]
"""Returns what is wrong with a value (completing "... must be" / "is"), or None."""


@dataclass(frozen=True)
class Setting:
    """One key: its TOML type, its default (as documented) and any extra check."""

    kind: type
    default: Any
    check: Check | None = None


def _not_blank(value: Any) -> str | None:
    return "must not be empty" if not str(value).strip() else None


def _key_list(value: Any) -> str | None:
    """A binding's keys, as Textual writes them: "L,shift+right"."""
    keys = [key.strip() for key in str(value).split(",")]
    if not any(keys):
        return 'must name at least one key, like "L" or "shift+right"'
    for key in keys:
        if not key or re.search(r"\s", key) or key.startswith("+") or key.endswith("+"):
            return f'has a malformed key {key!r}; separate keys with commas, like "L,shift+right"'
    return None


def _text_list(value: Any) -> str | None:
    if not all(isinstance(item, str) for item in value):
        return 'must be a list of text, like ["can afford it"]'
    return None


def _rep_name(value: Any) -> str | None:
    name = clean_line(str(value))
    if not name:
        return "must not be empty"
    if len(name) > REP.chars:
        return f"can be at most {REP.chars} characters (it is stored with every change)"
    return None


MAX_STALE_DAYS = 36_500
"""A hundred years: longer is never stale, and a cut-off day that far back stays a date."""


def _days(value: Any) -> str | None:
    return (
        f"must be from 1 to {MAX_STALE_DAYS} (days)" if not 1 <= value <= MAX_STALE_DAYS else None
    )


_STAGE_TARGETS = ("lead", "prospect", "client", "repeat", "lost", "not-a-fit")


def _stage_table(value: Any) -> str | None:
    for name, target in value.items():
        if not isinstance(target, str) or target.strip().lower() not in _STAGE_TARGETS:
            return f"maps {name!r} to {target!r}; each value must be one of " + ", ".join(
                _STAGE_TARGETS
            )
    return None


def _currency(value: Any) -> str | None:
    if not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        return 'must be a three-letter currency code, like "EUR" or "USD"'
    return None


def _probabilities(value: Any) -> str | None:
    stages = ", ".join(stage.value for stage in Stage)
    for name, chance in value.items():
        if name not in tuple(Stage):
            return f"names {name!r}, which is not a stage; use {stages}"
        if type(chance) not in (int, float) or not 0 <= chance <= 1:
            return f"gives {name} {chance!r}; each must be a number from 0 to 1, like 0.3"
    return None


def _cadence(value: Any) -> str | None:
    steps = value.get("steps")
    if not isinstance(steps, list) or not all(isinstance(step, str) for step in steps):
        return 'must have steps = [...], like steps = ["+7d check in", "+30d ask for a referral"]'
    try:
        parse_cadence(Stage.CLIENT, steps)
    except CadenceError as error:
        return f"has a step that cannot be used: {error}"
    return None


def _seconds(value: Any) -> str | None:
    return "must be between 1 and 3600 (seconds)" if not 1 <= value <= 3600 else None


def _date_order(value: Any) -> str | None:
    if value.strip().lower() not in tuple(DateOrder):
        return 'must be "dmy" (15/12: day first) or "mdy" (12/15: month first)'
    return None


def _emails(value: Any) -> str | None:
    addresses = split_emails(value)
    if not addresses or not all(is_email_address(a) for a in addresses):
        return 'must be email addresses separated by commas, like "sam@example.com"'
    return None


def split_emails(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split(",") if a.strip())


SCHEMA: dict[str, dict[str, Setting]] = {
    # email: your own addresses (comma-separated), so a captured message you sent is
    # logged on the people you sent it to.
    "user": {"name": Setting(str, None, _rep_name), "email": Setting(str, None, _emails)},
    "database": {"url": Setting(str, None, _not_blank)},
    "ui": {"theme": Setting(str, DEFAULT_THEME, _not_blank)},
    # criteria replaces the default checklist; extend adds to it (or to criteria).
    "qualification": {
        "criteria": Setting(list, None, _text_list),
        "extend": Setting(list, None, _text_list),
    },
    "stale": {stage.value: Setting(int, DEFAULT_STALE_LIMITS[stage], _days) for stage in Stage},
    # Other tools' stage or status values the importer does not know, and what they mean.
    "import": {"stages": Setting(dict, None, _stage_table)},
    # The currency values are shown in, as a three-letter code ("EUR", "USD", "GBP").
    "money": {"currency": Setting(str, DEFAULT_CURRENCY, _currency)},
    # How likely each stage's value is to come in, for the weighted forecast.
    "stages": {"probability": Setting(dict, None, _probabilities)},
    # After-sale steps, counted from the day a card becomes a client (or a repeat).
    "cadence": {stage.value: Setting(dict, None, _cadence) for stage in CADENCE_STAGES},
    "calendar": {"ics_path": Setting(str, None, _not_blank)},
    # Which number of 15/12 is the day: "dmy" or "mdy" (default: the locale's order).
    "dates": {"order": Setting(str, None, _date_order)},
    # A shell command per event, given the event as JSON on stdin; timeout in seconds.
    "hooks": {
        **{name: Setting(str, None, _not_blank) for name in EVENT_NAMES},
        "timeout": Setting(int, DEFAULT_HOOK_TIMEOUT, _seconds),
    },
}
"""Sections with a fixed set of keys."""

OPEN_SECTIONS: dict[str, Setting] = {
    # Binding id (e.g. "board.move_on") -> keys. Which ids exist is the UI's business;
    # pipeline_tui.ui.keys checks them against the screens and reports conflicts.
    "keys": Setting(str, None, _key_list),
}
"""Sections whose key names are free (checked elsewhere); the Setting applies to values."""

_TYPE_NAMES = {
    str: "text",
    int: "a whole number",
    bool: "true or false",
    float: "a number",
    list: "a list",
    dict: "a table",
}


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return _TYPE_NAMES.get(type(value), type(value).__name__)


# Where the config is -----------------------------------------------------------------------


def default_config_path() -> Path:
    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def default_state_path() -> Path:
    return platformdirs.user_state_path(APP_NAME) / "state.toml"


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


def config_source(explicit: str | None, environ: Mapping[str, str] = os.environ) -> str:
    """Why that path: "--config", "$PIPELINE_TUI_CONFIG" or "default"."""
    if explicit:
        return "--config"
    if environ.get(CONFIG_ENV):
        return f"${CONFIG_ENV}"
    return "default"


def user_theme_folder(path: Path) -> Path:
    """Users' own themes live in themes/ beside the config file."""
    return path.parent / "themes"


# Reading ------------------------------------------------------------------------------------


def load_config(explicit: str | None = None, environ: Mapping[str, str] = os.environ) -> Config:
    """Read and check the config; a missing default file means all defaults."""
    path = config_path(explicit, environ)
    if not path.exists():
        if explicit or environ.get(CONFIG_ENV):
            raise ConfigError(f"The config file {path} does not exist.")
        return Config(
            user_name=login_name(),
            path=path,
            date_order=order_for_locale(environ),
            currency=Currency(grouping=grouping_for_locale(environ)),
        )
    data = read_document(path)
    values, keys, warnings = check_document(path, data)
    return Config(
        user_name=values.get("user.name") or login_name(),
        database=values.get("database.url") or None,
        theme=values.get("ui.theme") or DEFAULT_THEME,
        theme_chosen="ui.theme" in values,
        keys=keys,
        path=path,
        warnings=tuple(warnings),
        criteria=criteria_from_config(
            values.get("qualification.criteria"), values.get("qualification.extend") or []
        ),
        stale_limits={
            stage: values.get(f"stale.{stage.value}", DEFAULT_STALE_LIMITS[stage])
            for stage in Stage
        },
        import_stages={
            str(name): str(target).strip().lower()
            for name, target in (values.get("import.stages") or {}).items()
        },
        user_emails=split_emails(values.get("user.email", "")),
        ics_path=(
            Path(values["calendar.ics_path"]).expanduser()
            if "calendar.ics_path" in values
            else None
        ),
        hooks={name: values[f"hooks.{name}"] for name in EVENT_NAMES if f"hooks.{name}" in values},
        hook_timeout=values.get("hooks.timeout", DEFAULT_HOOK_TIMEOUT),
        date_order=(
            DateOrder(values["dates.order"].strip().lower())
            if "dates.order" in values
            else order_for_locale(environ)
        ),
        currency=Currency(
            values.get("money.currency", DEFAULT_CURRENCY).strip().upper(),
            grouping_for_locale(environ),
        ),
        probabilities=probabilities_from_config(values.get("stages.probability")),
        cadences=_cadences(values),
    )


def _cadences(values: Mapping[str, Any]) -> dict[Stage, Cadence]:
    """Each stage's cadence: the config's steps (checked already), else the default."""
    cadences = default_cadences()
    for stage in CADENCE_STAGES:
        table = values.get(f"cadence.{stage.value}")
        if table is not None:
            cadences[stage] = parse_cadence(stage, table["steps"])
    return cadences


def read_document(path: Path) -> dict[str, Any]:
    """The parsed TOML of a config file; ConfigError (one sentence) if unreadable."""
    if path.is_dir():
        raise ConfigError(f"The config file {path} is a folder.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))  # Notepad's BOM too
    except OSError as error:
        raise ConfigError(f"Cannot read the config file {path}: {error.strerror}.") from None
    except UnicodeDecodeError:
        raise ConfigError(f"The config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(_describe_toml_error(path, error)) from None
    except RecursionError:
        raise ConfigError(
            f"The config file {path} nests tables or lists too deep to read."
        ) from None


def _describe_toml_error(path: Path, error: tomllib.TOMLDecodeError) -> str:
    detail = str(error)
    where = re.search(r"\s*\(at line (\d+), column (\d+)\)$", detail)
    if where:
        detail = detail[: where.start()]
        line, column = where.groups()
        return (
            f"The config file {path} is not valid TOML at line {line}, column {column}: {detail}."
        )
    return f"The config file {path} is not valid TOML: {detail}."


def _did_you_mean(typed: str, known: list[str], shown: str) -> str:
    """ "; did you mean user.name?" for a near miss ("nmae"), else nothing: a typo
    otherwise leaves the default in force with only "ignored" to say why."""
    from difflib import get_close_matches  # only for a file with a mistake in it

    close = get_close_matches(typed.lower(), known, n=1, cutoff=0.6)
    return f"; did you mean {shown.format(close[0])}?" if close else ""


def check_document(
    path: Path, data: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str], list[str]]:
    """Known values (by "section.key"), the [keys] table, and warnings for unknown keys.

    Text from the file is sanitised here, where it comes in: a key name or value may
    hold escape sequences (OSC 52 writes the clipboard, OSC 0 retitles the window), and
    it is echoed in warnings, stored as the owner of cards and shown on screen.
    """
    values: dict[str, Any] = {}
    keys: dict[str, str] = {}
    warnings: list[str] = []
    for section, table in data.items():
        if section not in SCHEMA and section not in OPEN_SECTIONS:
            meant = _did_you_mean(section, [*SCHEMA, *OPEN_SECTIONS], "[{}]")
            warnings.append(f"{path}: unknown section [{_quote_key(section)}] ignored{meant}.")
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"In {path}, {section} must be a table ([{section}]).")
        for key, value in table.items():
            if section in OPEN_SECTIONS:
                _check_value(path, f"{section}.{_quote_key(key)}", OPEN_SECTIONS[section], value)
                keys[clean_line(key)] = clean_line(value)
                continue
            setting = SCHEMA[section].get(key)
            if setting is None:
                meant = _did_you_mean(key, list(SCHEMA[section]), f"{section}.{{}}")
                warnings.append(f"{path}: unknown key {section}.{_quote_key(key)} ignored{meant}.")
                continue
            _check_value(path, f"{section}.{key}", setting, value)
            values[f"{section}.{key}"] = _clean(value)
    return values, keys, warnings


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clean_line(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value


def _quote_key(key: str) -> str:
    """A key as TOML would write it; one with other characters quoted, and sanitised
    (it is shown to the rep)."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return '"' + clean_line(key).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_value(path: Path, name: str, setting: Setting, value: Any) -> None:
    expected = _TYPE_NAMES.get(setting.kind, setting.kind.__name__)
    # bool is an int in Python, but `stale = true` is not a number of days.
    if type(value) is not setting.kind:
        raise ConfigError(f"In {path}, {name} must be {expected}, not {_type_name(value)}.")
    problem = setting.check(value) if setting.check else None
    if problem:
        raise ConfigError(f"In {path}, {name} {problem}.")


# Writing the starter ------------------------------------------------------------------------

STARTER_HEADER = """\
# pipeline-tui configuration (written by `pipeline-tui config init`).
# Every key, with its default, is described in config.example.toml.
# pipeline-tui never rewrites this file: what you change in the app (the theme, the
# board's view) is kept in its state file, and a theme set here wins over it.

"""


def starter_document() -> dict[str, Any]:
    return {
        "user": {"name": login_name()},
        "ui": {"theme": DEFAULT_THEME},
        "keys": {},
    }


def describe_existing(path: Path) -> str:
    """What an existing config sets, in a few words ("user.name, ui.theme and 2 keys")."""
    try:
        data = read_document(path)
    except ConfigError as error:
        return str(error)
    names = [
        f"{section}.{key}"
        for section, table in data.items()
        if section != "keys" and isinstance(table, dict)
        for key in table
    ]
    keys = data.get("keys")
    if isinstance(keys, dict) and keys:
        names.append(f"{len(keys)} key{'s' if len(keys) != 1 else ''}")
    if not names:
        return "It sets nothing yet (every setting has its default)."
    return f"It sets {listed(names)}."


def write_starter(path: Path, *, force: bool = False) -> Path | None:
    """A new config file with the usual keys. An existing one is replaced only with
    `force`, and then kept beside it first: the path of that copy is returned."""
    kept = None
    if path.exists():
        if not force:
            raise ConfigError(f"{path} already exists; it was left as it is.")
        if path.is_dir():
            raise ConfigError(f"The config file {path} is a folder.")
        kept = _free_name(path.with_name(path.name + ".bak"))
        try:
            os.replace(path, kept)
        except OSError as error:
            raise ConfigError(f"Cannot keep the old config {path}: {error.strerror}.") from None
    text = STARTER_HEADER + tomli_w.dumps(starter_document())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        raise ConfigError(
            f"{path} appeared while it was being written; it was left as it is."
        ) from None
    except OSError as error:
        raise ConfigError(f"Cannot write the config file {path}: {error.strerror}.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return kept


def _free_name(path: Path) -> Path:
    """`path`, or path.1, path.2... : the first name not taken."""
    candidate, number = path, 0
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate


# The app's state ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppState:
    """What the app remembers between runs; the config's own settings win over it."""

    theme: str | None = None
    """The theme last picked in the palette."""
    board_view: tuple[str, ...] = ()
    """The board's last view: "my cards" when it showed only the rep's cards."""


BOARD_VIEWS = ("my cards",)


def load_state(path: Path) -> AppState:
    """The remembered state; anything missing, unreadable or unknown is left out (it is
    only a convenience, never worth stopping the app for)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return AppState()
    theme = data.get("theme")
    view = data.get("board_view")
    return AppState(
        theme=(clean_line(theme) or None) if isinstance(theme, str) else None,
        board_view=tuple(v for v in BOARD_VIEWS if isinstance(view, list) and v in view),
    )


def save_state(path: Path, state: AppState) -> None:
    """Write the state file whole (atomically, private to the rep)."""
    document: dict[str, Any] = {"board_view": list(state.board_view)}
    if state.theme:
        document["theme"] = state.theme
    text = (
        "# Kept by pipeline-tui between runs; your settings are in config.toml.\n"
        + tomli_w.dumps(document)
    )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=".state-", suffix=".toml", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.chmod(temporary, stat.S_IRUSR | stat.S_IWUSR)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ConfigError(f"Cannot write the state file {path}: {error.strerror}.") from None
