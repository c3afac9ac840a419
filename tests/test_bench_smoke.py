"""The benchmark still runs: a tiny run at 1,000 cards. It checks shape, never speed."""

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
        "--wire-reps=1",
        "--import-rows=200",
        f"--cache-dir={tmp_path / 'cache'}",
        f"--out={out}",
    ]
    result = subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=120
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
        "wire",
    }
    assert report["databases"]["1000"]["cards"] == 1000
    assert set(report["launch"]) == {"bare", "1000"}
    actions = report["keystrokes"]["actions"]
    for name in ("focus down (j)", "move card on (L)", "open card (enter)"):
        assert set(actions[name]) >= {"median_ms", "p95_ms", "n"}
    assert report["query_plans"]["plans"], "no query plans captured"
    for name in ("`/` filter, per key", "`/` filter, store call", "full-text search"):
        assert set(report["search"][name]) >= {"median_ms", "p95_ms", "n"}
    wire = report["wire"]
    assert wire["size"] == "160x45"
    for name in ("focus down (j)", "move card on (L)"):
        assert wire["keys"][name]["median_bytes"] > 0, "the key repainted nothing"
    assert "Bytes on the wire" in result.stdout
    imported = report["imports"]
    assert imported["rows"] == 200 and len(imported["layouts"]) == 10
    for row in imported["layouts"].values():
        assert row["cards"] == 200 and set(row) >= {"median_s", "ratio", "met"}
    assert "Imports of 200 contacts" in result.stdout


def test_a_launch_only_run_measures_launches_alone(tmp_path: Path) -> None:
    out = tmp_path / "latest.json"
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--sizes=1000",
        "--notes=2",
        "--launch-runs=1",
        "--launch-only",
        "--import-rows=0",
        f"--cache-dir={tmp_path / 'cache'}",
        f"--out={out}",
    ]
    result = subprocess.run(
        command, cwd=REPO, env=os.environ.copy(), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]

    report = json.loads(out.read_text())
    assert set(report["launch"]) == {"bare", "1000"}
    assert not {"store", "keystrokes", "search", "wire"} & set(report)
    assert "Launch to usable board" in result.stdout
    assert "Keystrokes" not in result.stdout
    # Launched processes keep their bytecode in the cache, never in the source tree.
    assert list((tmp_path / "cache" / "pycache").rglob("cli.*.pyc"))
