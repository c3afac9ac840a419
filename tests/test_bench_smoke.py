"""The benchmark still runs: a tiny run at 1,000 cards. It checks shape, never speed.

The run includes the real-terminal table: the installed app and the bare Textual app
in a pty (bench/pty_run.py), one counted round of keys at one small terminal size.
Nothing is measured, so nothing is warmed up first (--no-warm-up): the uncounted
launches and round of keys took half of the run's time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_runs_and_writes_its_report(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--sizes=1000",
        "--notes=2",
        "--launch-runs=1",
        "--key-reps=2",
        "--open-reps=1",
        "--store-reps=1",
        "--terminals=80x24",
        "--pty-launch-runs=1",
        "--pty-rounds=1",
        "--postgres=off",
        "--import-rows=200",
        "--import-runs=1",
        "--no-warm-up",
        f"--cache-dir={tmp_path / 'cache'}",
        f"--out={out}",
    ]
    result = subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, result.stderr[-3000:]

    report = json.loads(out.read_text())
    assert set(report) >= {
        "machine",
        "options",
        "databases",
        "launch",
        "memory",
        "store",
        "query_plans",
        "keystrokes",
        "search",
        "verdicts",
        "terminal",
        "terminal_verdicts",
    }
    assert report["databases"]["1000"]["cards"] == 1000
    assert set(report["launch"]) == {"bare", "1000"}
    actions = report["keystrokes"]["actions"]
    for name in ("focus down (j)", "move card on (L)", "open card (enter)"):
        assert set(actions[name]) >= {"median_ms", "p95_ms", "n"}
    assert report["query_plans"]["plans"], "no query plans captured"
    for name in ("`/` filter, per key", "`/` filter, store call", "full-text search"):
        assert set(report["search"][name]) >= {"median_ms", "p95_ms", "n"}
    terminal = report["terminal"]
    launch = terminal["launch"]["80x24"]
    assert set(launch) == {"bare", "stack", "1000"}
    for row in launch.values():
        assert row["useful_median_s"] >= row["shows_median_s"] > 0
        assert row["peak_rss_mib"] > 0
        assert row["cpu_median_s"] > 0
    # Textual with SQLAlchemy's ORM weighs more than Textual alone: the floor of the stack.
    assert launch["stack"]["peak_rss_mib"] > launch["bare"]["peak_rss_mib"] + 5
    assert "+ SQLAlchemy" in result.stdout
    [rss] = [v for v in report["terminal_verdicts"] if v["budget"].startswith("peak RSS <=")]
    assert rss["note"].startswith("bare Textual with SQLAlchemy opening the file:")
    keys = terminal["keys"]["1000@80x24"]
    for who, names in (
        ("app", ("focus down (j)", "move card on (L)", "open card (enter)", "`/` typing, per key")),
        ("bare", ("focus down (j)", "open card (enter)", "`/` typing, per key")),
    ):
        for name in names:
            row = keys[who][name]
            assert row["n"] >= 1 and row["timeouts"] == 0, (who, name, row)
            assert row["bytes_median"] > 0, f"{who}: {name} drew nothing"
    assert "move card on (L)" not in keys["bare"]
    assert "In the terminal: keys, 1,000 cards, pty 80x24" in result.stdout
    imported = report["imports"]
    assert imported["rows"] == 200 and imported["runs"] == 1 and len(imported["layouts"]) == 10
    for row in imported["layouts"].values():
        assert row["cards"] == 200 and set(row) >= {"median_s", "ratio", "met"}
    assert "Imports of 200 contacts" in result.stdout
    # Each run is kept beside latest.json, and a later run can be compared with it.
    kept = [p for p in tmp_path.glob("*.json") if p.name != "latest.json"]
    assert len(kept) == 1


def test_a_launch_only_run_measures_launches_alone_and_compares_itself(
    tmp_path: Path,
) -> None:
    """One launch-only run: it measures nothing else, and it compares itself with an
    earlier report, calling out what got slower."""
    earlier = tmp_path / "earlier.json"
    earlier.write_text(
        json.dumps(
            {
                "started": "then",
                "launch": {"bare": {"ready_median_s": 0.001, "peak_rss_mib": 1.0}},
            }
        )
    )
    out = tmp_path / "latest.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--sizes=1000",
        "--notes=2",
        "--launch-runs=1",
        "--launch-only",
        "--no-pty",
        "--postgres=off",  # the comparison needs one figure, not PostgreSQL's launches
        "--import-rows=0",
        "--no-warm-up",
        f"--compare={earlier}",
        f"--cache-dir={tmp_path / 'cache'}",
        f"--out={out}",
    ]
    result = subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]

    report = json.loads(out.read_text())
    assert set(report["launch"]) == {"bare", "1000"}
    assert not {"store", "keystrokes", "search", "terminal", "postgres"} & set(report)
    assert "Launch to usable board" in result.stdout
    assert "Keystrokes" not in result.stdout
    # Launched processes keep their bytecode in the cache, never in the source tree.
    assert list((tmp_path / "cache" / "pycache").rglob("cli.*.pyc"))

    rows = {row["figure"]: row for row in report["comparison"]["rows"]}
    # A bare launch cannot take a millisecond: the figure is called out as slower.
    assert rows["headless launch bare ready_median_s"]["slower"]
    assert "headless launch bare ready_median_s" in report["comparison"]["slower"]
    assert "SLOWER  headless launch bare ready_median_s" in result.stdout
