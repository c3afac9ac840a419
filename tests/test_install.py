"""An installed pipeline-tui (a wheel, not the source tree) has its themes and its
migrations: the wheel is built, installed in a fresh venv and run from elsewhere.

Marked `wheel`; it is part of `make test`. The venv is kept in pytest's cache (keyed
by the dependencies), so later runs only reinstall the wheel.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(argv, capture_output=True, text=True, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


def _uv() -> str | None:
    """uv beside this Python (`make test` installs it into .venv) or on PATH; None
    where pip is set to an index of its own, which uv would not read (as in
    scripts/venv-install.sh)."""
    if os.environ.get("PIP_INDEX_URL"):
        return None
    config = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True
    ).stdout
    if any(line.split("=")[0].endswith(".index-url") for line in config.splitlines()):
        return None
    beside = Path(sys.executable).with_name("uv")
    return str(beside) if beside.exists() else shutil.which("uv")


@pytest.fixture(scope="module")
def installed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin folder of a venv with the freshly built wheel installed (not editable).

    With uv, building and installing take about 2 s of CPU: the build backend and the
    dependencies come from the cache that installing .venv filled. pip, where there is
    no uv, took 17 s on a new clone, fetching and unpacking everything again."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]

    def home_for(uv: bool) -> Path:
        key = hashlib.sha256(json.dumps([sys.version, dependencies, uv]).encode()).hexdigest()
        return Path(request.config.cache.mkdir(f"wheel-venv-{key[:12]}"))

    uv = _uv()
    if uv is not None:
        home = home_for(True)
        python = home / "bin" / "python"
        dist = tmp_path_factory.mktemp("dist")
        try:
            _run([uv, "build", "--quiet", "--wheel", "--out-dir", str(dist), str(ROOT)])
            [wheel] = dist.glob("pipeline_tui-*.whl")
            if not python.exists():
                _run([uv, "venv", "--quiet", "--python", sys.executable, str(home)])
            # --reinstall-package: the version is the same as last time, the code is not.
            reinstall = ["--reinstall-package", "pipeline-tui"]
            _run([uv, "pip", "install", "--quiet", "--python", str(python), *reinstall, str(wheel)])
            return home / "bin"
        except AssertionError:  # uv could not (offline, say): pip, as venv-install.sh does
            pass
    home = home_for(False)
    python = home / "bin" / "python"
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(ROOT)])
    [wheel] = dist.glob("pipeline_tui-*.whl")
    if not python.exists():
        venv.create(home, with_pip=True)
        _run([str(python), "-m", "pip", "install", "--quiet", str(wheel)])
    else:  # the dependencies are there already: only pipeline-tui itself is new
        _run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--force-reinstall",
                "--no-deps",
                str(wheel),
            ]
        )
    return home / "bin"


def _clean_environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPELINE_TUI")}
    env.update(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PYTHONPATH="",
        PIPELINE_TUI_TODAY="2026-11-23",
    )
    return env


def test_the_installed_package_is_the_wheel_with_themes_and_migrations(
    installed: Path, tmp_path: Path
) -> None:
    code = (
        "import json, pipeline_tui, pathlib\n"
        "from pipeline_tui.ui.themes import shipped_theme_folder\n"
        "root = pathlib.Path(pipeline_tui.__file__).parent\n"
        "print(json.dumps({'root': str(root),"
        " 'themes': sorted(p.name for p in shipped_theme_folder().glob('*.toml')),"
        " 'migrations': sorted(p.name for p in"
        " (root / 'store/migrations/versions').glob('0*.py'))}))"
    )
    result = _run(
        [str(installed / "python"), "-c", code], cwd=tmp_path, env=_clean_environment(tmp_path)
    )
    found = json.loads(result.stdout)
    assert Path(found["root"]).is_relative_to(installed.parent), "not the source tree"
    assert found["themes"] == sorted(p.name for p in (ROOT / "themes").glob("*.toml"))
    shipped = sorted(
        p.name for p in (ROOT / "src/pipeline_tui/store/migrations/versions").glob("0*.py")
    )
    assert found["migrations"] == shipped


def test_the_installed_command_works_from_a_fresh_home(installed: Path, tmp_path: Path) -> None:
    env = _clean_environment(tmp_path)
    command = str(installed / "pipeline-tui")

    def run(*argv: str) -> str:
        return _run([command, *argv], cwd=tmp_path, env=env).stdout

    assert run("--version").startswith("pipeline-tui ")
    # The first command creates the database in the XDG data folder, through the migrations.
    assert run("add", "Ann Okafor", "--next", "Call back", "--due", "wed") == (
        "Added Ann Okafor to Lead (card 1).\n"
    )
    assert (tmp_path / "data" / "pipeline-tui" / "pipeline.db").exists()
    assert [card["name"] for card in json.loads(run("list", "--format", "json"))] == ["Ann Okafor"]
    assert "Wed 25 Nov (1)" in run("agenda")
    assert run("agenda", "--format", "ics").startswith("BEGIN:VCALENDAR")
    # config check finds the shipped themes (a missing one is a warning and exit 1).
    result = subprocess.run(
        [command, "config", "check"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert "Theme: pipeline-dark" in result.stdout
