"""The project's benchmark: `make bench`, or `python -m bench.run --help`.

One run measures everything against baselines taken in the same run (the machine is
shared and noisy, so figures are medians and ratios, never single timings):

- in a real terminal (a pty the bench owns, at 80x24 and 160x45): the installed app's
  launch to the first useful action and every key, from the key's bytes to the last
  byte of the frame it causes, interleaved with a bare Textual app; on SQLite and,
  when a PostgreSQL server is given, on PostgreSQL (bench/real_terminal.py);
- headless, in-process (the second table):
- launch to a usable board, whole process, headless, against a bare Textual app;
- keystroke latency (median, p95) on the board, against a key bound to nothing;
- `/` filter and full-text search latency;
- peak memory of the launched process at each size, against the bare app;
- the hot store calls' timings and SQLite query plans.

It prints a table with the design's performance budgets and writes JSON (--out).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from bench import compare, dataset, imports, keystrokes, plans, real_terminal, search
from pipeline_tui.store import PipelineService, open_database

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO / "bench" / "results" / "latest.json"
DEFAULT_CACHE = REPO / "bench" / ".cache"
PG_URL_ENV = "PIPELINE_TUI_TEST_PG_URL"
TERMINAL = {"COLUMNS": "120", "LINES": "40"}

# The design's performance budgets.
LAUNCH_BUDGET_S = 0.5
LAUNCH_FLOOR_RATIO = 1.5
KEY_BUDGET_S = 0.016
SEARCH_BUDGET_S = 0.050
BUDGET_SIZE = 10_000
SEARCH_NOTES = 1_000_000
FOCUS_KEYS = ("focus down (j)", "focus up (k)", "focus right (l)", "focus left (h)")
MOVE_KEYS = ("move card on (L)", "move card back (H)")
FLOOR_KEY = "no-op key (floor)"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="card counts, comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--notes",
        type=int,
        default=10,
        help="research notes per card (default: %(default)s: 1,000,000 at 100,000 cards)",
    )
    parser.add_argument("--launch-runs", type=int, default=7, help="launches per size")
    parser.add_argument("--key-reps", type=int, default=40, help="presses per key")
    parser.add_argument("--open-reps", type=int, default=15, help="card opens")
    parser.add_argument("--store-reps", type=int, default=5, help="runs per store call")
    parser.add_argument(
        "--keys-size",
        type=int,
        default=BUDGET_SIZE,
        help="database for the keystroke run (default: %(default)s, or the nearest size)",
    )
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="the JSON report (default: %(default)s); a copy named after the run's start "
        "time is kept beside it",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="PREVIOUS.json",
        help="show each figure's change from an earlier report; slower ones are called out",
    )
    parser.add_argument(
        "--launch-only",
        action="store_true",
        help="measure launches (and memory) only: skip store calls, keys and search",
    )
    parser.add_argument(
        "--no-warm-up",
        dest="warm_up",
        action="store_false",
        help="no uncounted warm-up launches or round of keys: the figures then include "
        "cold starts, so this only checks that the bench runs (as the test suite does)",
    )
    real_terminal.add_options(parser)
    parser.add_argument("--import-rows", type=int, default=100_000, help="0: no import run")
    parser.add_argument("--import-runs", type=int, default=3, help="imports per layout (median)")
    args = parser.parse_args(argv)
    args.sizes = sorted({int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()})
    if not args.sizes or min(args.sizes) < 10:
        parser.error("--sizes needs card counts of at least 10")
    args.keys_size = min(args.sizes, key=lambda s: abs(s - args.keys_size))
    return args


# Figures --------------------------------------------------------------------------------


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, Any]:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(p95(values) * 1000, 2),
        "min_ms": round(min(values) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "textual": version("textual"),
        "sqlalchemy": version("sqlalchemy"),
        "sqlite": sqlite3.sqlite_version,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


# Launch ---------------------------------------------------------------------------------


@dataclass
class Launch:
    ready_s: float  # parent's clock: spawn to the first painted board
    full_s: float  # parent's clock: spawn to every card loaded and painted
    exit_s: float  # parent's clock: spawn to the process gone
    rss_kib: int  # peak RSS with every card loaded (the child's own ru_maxrss)


def compiled_bytecode(cache_dir: Path) -> dict[str, str]:
    """Launched processes keep their compiled bytecode, as a rep's install does.

    pip compiles an installed package's bytecode, and an editable install writes it on
    the first run; Textual's came with its wheel. With PYTHONDONTWRITEBYTECODE set (as
    in some shells and CI), every launch would compile pipeline_tui from source (about
    70 ms on a 2-core machine) while the bare app never compiles anything. The bytecode
    goes to a folder in the cache, never into the source tree; the uncounted warm-up
    launch fills it (with --no-warm-up, the first counted launch).
    """
    return {"PYTHONPYCACHEPREFIX": str(cache_dir.resolve() / "pycache")}


def launch_once(target: list[str], env: dict[str, str]) -> Launch:
    command = [sys.executable, "-m", "bench.launch", *target]
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline().decode()
    ready = time.perf_counter() - started
    full_line = process.stdout.readline().decode()
    full = time.perf_counter() - started
    _, status, _ = os.wait4(process.pid, 0)
    exited = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    errors = process.stderr.read().decode(errors="replace")
    process.stdout.close()
    process.stderr.close()
    if (
        not line.startswith("READY ")
        or not full_line.startswith("FULL ")
        or process.returncode != 0
    ):
        raise RuntimeError(
            f"launch {' '.join(target)} failed (exit {process.returncode}): {errors[-2000:]}"
        )
    _, _, rss = full_line.split()
    return Launch(ready, full, exited, int(rss))


def measure_launches(
    databases: dict[int, dataset.BuiltDatabase],
    runs: int,
    env: dict[str, str],
    log: Any,
    warm_up: bool = True,
) -> dict[str, Any]:
    targets: dict[str, list[str]] = {"bare": ["bare"]}
    for size, built in databases.items():
        targets[str(size)] = ["board", "--db", str(built.path)]
    for target in targets.values() if warm_up else ():  # page cache, bytecode; not counted
        launch_once(target, env)
    samples: dict[str, list[Launch]] = {name: [] for name in targets}
    for run in range(runs):
        log(f"  launch round {run + 1}/{runs}")
        for name, target in targets.items():  # interleaved, so noise hits all alike
            samples[name].append(launch_once(target, env))
    bare = statistics.median(s.ready_s for s in samples["bare"])
    results: dict[str, Any] = {}
    for name, launches in samples.items():
        ready = statistics.median(s.ready_s for s in launches)
        results[name] = {
            "runs": len(launches),
            "ready_median_s": round(ready, 4),
            "ready_runs_s": [round(s.ready_s, 4) for s in launches],
            "full_median_s": round(statistics.median(s.full_s for s in launches), 4),
            "exit_median_s": round(statistics.median(s.exit_s for s in launches), 4),
            "ratio_to_bare": round(ready / bare, 2),
            "peak_rss_mib": round(statistics.median(s.rss_kib for s in launches) / 1024, 1),
        }
    return results


# Memory ---------------------------------------------------------------------------------


def memory_verdict(launch: dict[str, Any], sizes: list[int]) -> dict[str, Any]:
    """Does RSS grow with cards that are not on screen? (A 120x40 board shows ~36.)"""
    rss = {size: launch[str(size)]["peak_rss_mib"] for size in sizes}
    result: dict[str, Any] = {
        "bare_rss_mib": launch["bare"]["peak_rss_mib"],
        "rss_mib": {str(size): value for size, value in rss.items()},
        "kib_per_1000_cards": {},
        "met": None,
    }
    for low, high in itertools.pairwise(sizes):
        slope = (rss[high] - rss[low]) * 1024 / ((high - low) / 1000)
        result["kib_per_1000_cards"][f"{low}-{high}"] = round(slope, 1)
    if len(sizes) >= 2:
        smallest, largest = sizes[0], sizes[-1]
        flat = rss[largest] - rss[smallest] <= 0.05 * rss[smallest]
        slopes = list(result["kib_per_1000_cards"].values())
        sublinear = len(slopes) >= 2 and slopes[-1] <= 0.5 * max(slopes[0], 1.0)
        result["met"] = flat or sublinear
    return result


# Store ----------------------------------------------------------------------------------


def scratch_copy(built: dataset.BuiltDatabase, folder: Path) -> Path:
    target = folder / f"scratch-{built.cards}.db"
    shutil.copyfile(built.path, target)
    return target


def open_service(path: Path) -> PipelineService:
    return PipelineService(open_database(str(path)), user="bench")


# Verdicts and the table -----------------------------------------------------------------


def verdict(budget: str, figure: str, met: bool | None, note: str = "") -> dict[str, Any]:
    return {"budget": budget, "figure": figure, "met": met, "note": note}


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    launch = report["launch"]
    at = str(BUDGET_SIZE)
    if at in launch:
        ready = launch[at]["ready_median_s"]
        ratio = launch[at]["ratio_to_bare"]
        out.append(
            verdict(
                f"board usable < {LAUNCH_BUDGET_S} s at {BUDGET_SIZE:,} cards",
                f"{ready:.3f} s",
                ready < LAUNCH_BUDGET_S,
            )
        )
        out.append(
            verdict(
                f"launch <= {LAUNCH_FLOOR_RATIO}x bare Textual at {BUDGET_SIZE:,} cards",
                f"{ratio:.2f}x ({launch['bare']['ready_median_s']:.3f} s bare)",
                ratio <= LAUNCH_FLOOR_RATIO,
            )
        )
    else:
        out.append(verdict(f"board usable at {BUDGET_SIZE:,} cards", "not measured", None))
    keys = report.get("keystrokes", {"actions": {}, "cards": BUDGET_SIZE})
    for name, group in (("focus move", FOCUS_KEYS), ("card move", MOVE_KEYS)):
        present = [keys["actions"][k] for k in group if k in keys["actions"]]
        budget = f"{name} p95 < {KEY_BUDGET_S * 1000:.0f} ms at {keys['cards']:,} cards"
        if not present:
            out.append(verdict(budget, "not measured", None))
            continue
        worst = max(s["p95_ms"] for s in present)
        worst_net = max(s["p95_net_ms"] for s in present)
        exact = keys["cards"] == BUDGET_SIZE
        note = f"{worst_net:.1f} ms net of the {keys['floor_ms']:.1f} ms no-op floor"
        if not exact:
            note += f"; budget is set at {BUDGET_SIZE:,} cards"
        out.append(
            verdict(
                budget,
                f"worst p95 {worst:.1f} ms",
                worst < KEY_BUDGET_S * 1000 if exact else None,
                note,
            )
        )
    for name, result in report.get("search", {}).items():
        budget = f"{name} < {SEARCH_BUDGET_S * 1000:.0f} ms at {SEARCH_NOTES:,} notes"
        if result is None:
            out.append(verdict(budget, "not yet measured", None, "feature not built yet"))
        else:
            exact = result["notes"] >= SEARCH_NOTES
            out.append(
                verdict(
                    budget,
                    f"p95 {result['p95_ms']:.1f} ms at {result['notes']:,} notes",
                    result["p95_ms"] < SEARCH_BUDGET_S * 1000 if exact else None,
                )
            )
    memory = report["memory"]
    slopes = ", ".join(f"{k}: {v:,.0f} KiB" for k, v in memory["kib_per_1000_cards"].items())
    out.append(
        verdict(
            "memory sub-linear in off-screen cards",
            f"per 1,000 cards {slopes}" if slopes else "needs two sizes",
            memory["met"],
        )
    )
    return out


def mark(met: bool | None) -> str:
    return {True: "MET", False: "MISSED", None: "--"}[met]


def print_report(report: dict[str, Any]) -> None:
    m = report["machine"]
    print()
    print(f"pipeline-tui benchmark, {report['started']}")
    print(
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gb']} GiB, {m['os']}; "
        f"Python {m['python']}, Textual {m['textual']}, SQLite {m['sqlite']}; "
        f"load {m['load_average']}"
    )
    print("\nDatabases")
    for size, db in report["databases"].items():
        built = f"built in {db['build_s']:.1f} s" if db["build_s"] else "cached"
        print(
            f"  {int(size):>7,} cards  {db['notes']:>9,} notes  {db['touchpoints']:>7,} "
            f"touchpoints  {db['size_mb']:>7.1f} MB  ({built})"
        )
    real_terminal.print_report(report)
    print("\n-- Headless (in-process, nothing written to a terminal): the second table --")
    print("\nLaunch to usable board (whole process, headless, 120x40; median of runs)")
    print(f"  {'':<14}{'ready':>9}{'x bare':>8}{'all cards':>11}{'peak RSS':>11}")
    for name, row in report["launch"].items():
        label = "bare Textual" if name == "bare" else f"{int(name):,} cards"
        print(
            f"  {label:<14}{row['ready_median_s']:>8.3f}s{row['ratio_to_bare']:>7.2f}x"
            f"{row['full_median_s']:>10.3f}s{row['peak_rss_mib']:>8.1f} MiB"
        )
    print(
        "  ready: the top of each column painted, keys answered; all cards: the store\n"
        "  open and every card loaded (peak RSS is taken then)"
    )
    if "keystrokes" in report:
        print_in_app(report)
    print("\nBudgets in the terminal (the design's performance budgets; p95 unless said)")
    for row in report.get("terminal_verdicts", []):
        note = f"  ({row['note']})" if row["note"] else ""
        print(f"  {mark(row['met']):<7}{row['budget']:<78}{row['figure']}{note}")
    print("\nHeadless budgets (the earlier, in-process ones; kept to compare with past runs)")
    for row in report["verdicts"]:
        note = f"  ({row['note']})" if row["note"] else ""
        print(f"  {mark(row['met']):<7}{row['budget']:<52}{row['figure']}{note}")
    print()


def print_in_app(report: dict[str, Any]) -> None:
    keys = report["keystrokes"]
    print(
        f"\nKeystrokes on {keys['cards']:,} cards (in-process; key posted -> effect done "
        "and rendered)"
    )
    print(f"  {'':<26}{'median':>9}{'p95':>9}{'p95 net':>9}{'n':>5}")
    for name, row in keys["actions"].items():
        net = f"{row['p95_net_ms']:>7.2f}ms" if "p95_net_ms" in row else f"{'':>9}"
        print(f"  {name:<26}{row['median_ms']:>7.2f}ms{row['p95_ms']:>7.2f}ms{net}{row['n']:>5}")
    print("\nSearch (median, p95, n; the store call is matching_card_ids() for each prefix)")
    for name, row in report["search"].items():
        if row is None:
            print(f"  {name:<28}not yet measured")
        else:
            print(
                f"  {name:<28}{row['median_ms']:>7.2f}ms{row['p95_ms']:>7.2f}ms{row['n']:>5}"
                f"  at {row.get('notes', 0):,} notes"
            )
    if "search_plans" in report:
        print(f"\nSearch query plans ({report['search_plans']['cards']:,} cards, no ANALYZE)")
        for plan in report["search_plans"]["plans"]:
            print(f"  [{plan['call']}] {plan['sql'][:150]}")
            for step in plan["plan"]:
                print(f"      {step}")
    print("\nStore calls (median)")
    for size, calls in report["store"].items():
        cells = "  ".join(f"{call} {seconds * 1000:.1f} ms" for call, seconds in calls.items())
        print(f"  {int(size):>7,} cards: {cells}")
    print(f"\nQuery plans ({report['query_plans']['cards']:,} cards, no ANALYZE)")
    for plan in report["query_plans"]["plans"]:
        print(f"  [{plan['call']}] {plan['sql'][:150]}")
        for step in plan["plan"]:
            flag = "   <-- full table scan" if step in plan["full_scans"] else ""
            print(f"      {step}{flag}")


# Main -----------------------------------------------------------------------------------


def measure_in_app(
    report: dict[str, Any],
    args: argparse.Namespace,
    databases: dict[int, dataset.BuiltDatabase],
    folder: Path,
    child_env: dict[str, str],
    log: Any,
) -> None:
    """Store calls, query plans, keystrokes and search, into `report`."""
    log("store calls and query plans")
    report["store"] = {}
    for size, built in databases.items():
        service = open_service(scratch_copy(built, folder))
        try:
            report["store"][str(size)] = {
                name: round(seconds, 5)
                for name, seconds in plans.store_timings(service, args.store_reps).items()
            }
            if size == args.keys_size:
                report["query_plans"] = {
                    "cards": size,
                    "plans": [p.as_json() for p in plans.query_plans(service)],
                }
        finally:
            service.database.close()

    log(f"keystrokes on {args.keys_size:,} cards")
    service = open_service(scratch_copy(databases[args.keys_size], folder))
    try:
        actions, searched = asyncio.run(keystrokes.measure(service, args.key_reps, args.open_reps))
    finally:
        service.database.close()
    summaries = {name: summary(s.seconds) for name, s in actions.items()}
    floor = summaries.get(FLOOR_KEY, {}).get("median_ms", 0.0)
    for name, row in summaries.items():
        if name != FLOOR_KEY:
            row["p95_net_ms"] = round(max(0.0, row["p95_ms"] - floor), 2)
    report["keystrokes"] = {"cards": args.keys_size, "floor_ms": floor, "actions": summaries}

    largest = databases[args.sizes[-1]]
    log(f"search at {largest.notes:,} notes")
    service = open_service(largest.path)
    try:
        full_text = search.measure_full_text(service)
        filter_store = search.measure_filter_store(service)
        report["search_plans"] = {
            "cards": largest.cards,
            "plans": [p.as_json() for p in search.query_plans(service)],
        }
    finally:
        service.database.close()
    report["search"] = {
        "`/` filter, per key": (
            None if searched["filter"] is None else summary(searched["filter"])
        ),
        "`/` filter, store call": {
            **summary([s for samples in filter_store.values() for s in samples]),
            "notes": largest.notes,
            "median_ms_by_query": {
                query: summary(samples)["median_ms"] for query, samples in filter_store.items()
            },
        },
        "full-text search": (
            None if full_text is None else {**summary(full_text), "notes": largest.notes}
        ),
    }
    if report["search"]["`/` filter, per key"] is not None:
        notes = databases[args.keys_size].notes
        report["search"]["`/` filter, per key"]["notes"] = notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        folder = Path(tmp)
        # Never read or write the rep's own config, themes or data.
        isolated = {
            "XDG_CONFIG_HOME": str(folder / "config"),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_STATE_HOME": str(folder / "state"),
            "PIPELINE_TUI_DB": "",
            "PIPELINE_TUI_CONFIG": "",
        }
        os.environ.update(isolated)
        for name in ("PIPELINE_TUI_DB", "PIPELINE_TUI_CONFIG"):
            os.environ.pop(name)
        child_env = {**os.environ, **TERMINAL, **compiled_bytecode(args.cache_dir)}
        child_env.pop("PYTHONDONTWRITEBYTECODE", None)

        log("databases")
        databases = {
            size: dataset.ensure_database(args.cache_dir, size, args.notes, date.today(), log)
            for size in args.sizes
        }
        report: dict[str, Any] = {
            "started": started.isoformat(timespec="seconds"),
            "machine": machine(),
            "options": {
                "sizes": args.sizes,
                "notes_per_card": args.notes,
                "launch_runs": args.launch_runs,
                "key_reps": args.key_reps,
                "open_reps": args.open_reps,
                "store_reps": args.store_reps,
                "terminals": args.terminals,
                "pty_launch_runs": args.pty_launch_runs,
                "pty_rounds": args.pty_rounds,
                "keys_size": args.keys_size,
                "warm_up": args.warm_up,
                "terminal": TERMINAL,
            },
            "databases": {str(size): db.as_json() for size, db in databases.items()},
        }

        if not args.no_pty:
            real_terminal.measure(report, args, databases, folder, child_env, log)
        server = os.environ.get(PG_URL_ENV, "")
        if args.postgres == "on" and not server:
            raise SystemExit(f"--postgres on needs {PG_URL_ENV} (scripts/with-postgres.sh)")
        if args.postgres != "off" and server:
            real_terminal.measure_postgres(report, args, databases, server, child_env, log)

        log("headless launches")
        report["launch"] = measure_launches(
            databases, args.launch_runs, child_env, log, args.warm_up
        )
        report["memory"] = memory_verdict(report["launch"], args.sizes)

        if not args.launch_only:
            measure_in_app(report, args, databases, folder, child_env, log)
        if args.import_rows:
            report["imports"] = imports.measure(folder, args.import_rows, log, args.import_runs)
        report["verdicts"] = verdicts(report)
        report["terminal_verdicts"] = real_terminal.verdicts(report)
        report["terminal_verdicts"] += real_terminal.postgres_verdicts(report)
        report["finished"] = datetime.now(UTC).isoformat(timespec="seconds")

    if args.compare is not None:
        previous = json.loads(args.compare.read_text())
        report["comparison"] = compare.compare(report, previous)
    print_report(report)
    if "imports" in report:
        imports.print_report(report["imports"])
    if args.compare is not None:
        compare.print_comparison(report["comparison"], str(args.compare))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report, indent=2) + "\n"
    args.out.write_text(text)
    kept = args.out.parent / f"{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    kept.write_text(text)
    log(f"wrote {args.out} and {kept}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
