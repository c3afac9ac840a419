"""The benchmark's first table: what the rep's terminal shows (bench/pty_run.py), on
SQLite and, when a server is given, on PostgreSQL; its budgets and how it is printed."""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import dataset, pg, pty_run, search
from bench.plans import store_timings
from pipeline_tui.store import PipelineService, open_database

# The design's performance budgets (p95, in a real terminal, at 10,000 cards).
BUDGET_CARDS = 10_000
FOCUS_RATIO = 1.5
MOVE_RATIO = 2.0
SCREEN_BUDGET_MS = 60.0
TYPING_BUDGET_MS = 30.0
USEFUL_RATIO = 1.3
SCALE_TOLERANCE = 0.10
RSS_RATIO = 1.5
RSS_FLAT = 0.05
SEARCH_BUDGET_MS = 50.0
SEARCH_NOTES = 1_000_000

FOCUS_KEYS = ("focus down (j)", "focus up (k)", "focus right (l)", "focus left (h)")
MOVE_KEYS = ("move card on (L)", "move card back (H)")
SCREEN_KEYS = ("open card (enter)", "back to board (escape)")
TYPING_KEY = "`/` typing, per key"
BARE_FOCUS = ("focus down (j)", "focus up (k)")
"""The bare app's focus key: its list's highlight moving (its h/l move focus between two
whole widgets, which repaints both; the board's h/l repaint two cards). Its j and k
samples are pooled, so one slow sample of the bare app moves its p95 less."""


def parse_terminal(text: str) -> tuple[int, int]:
    width, height = text.lower().split("x")
    return int(width), int(height)


def add_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("in a real terminal (pty)")
    group.add_argument(
        "--terminals",
        default="80x24,160x45",
        help="pty sizes, comma-separated (default: %(default)s)",
    )
    group.add_argument("--pty-launch-runs", type=int, default=5, help="launches per size")
    group.add_argument(
        "--pty-rounds", type=int, default=20, help="rounds of keys per run (each key once)"
    )
    group.add_argument("--no-pty", action="store_true", help="skip the terminal table")
    group.add_argument(
        "--postgres",
        choices=("auto", "on", "off"),
        default="auto",
        help="measure on the PostgreSQL server in PIPELINE_TUI_TEST_PG_URL too "
        "(auto: when it is set; `make bench` starts a throwaway one)",
    )


def bare_focus_p95(keys: dict[str, Any]) -> float:
    pooled = sorted(s for k in BARE_FOCUS for s in keys["bare"][k]["samples_ms"])
    return float(pooled[min(len(pooled) - 1, round(0.95 * (len(pooled) - 1)))])


# Measuring ------------------------------------------------------------------------------


def measure(
    report: dict[str, Any],
    args: argparse.Namespace,
    databases: dict[int, dataset.BuiltDatabase],
    folder: Path,
    env: dict[str, str],
    log: Callable[[str], None],
) -> None:
    terminals = [parse_terminal(t) for t in args.terminals.split(",") if t.strip()]
    largest_terminal = max(terminals, key=lambda t: t[0] * t[1])
    targets = {
        "bare": pty_run.BARE_ARGV,
        "stack": pty_run.stack_argv(
            str(databases.get(args.keys_size, next(iter(databases.values()))).path)
        ),
    }
    targets.update({str(size): pty_run.app_argv(str(db.path)) for size, db in databases.items()})
    log("in the terminal: launches")
    section: dict[str, Any] = {
        "launch": pty_run.measure_launches(
            targets, terminals, args.pty_launch_runs, env, log, args.warm_up
        ),
        "keys": {},
    }
    report["terminal"] = section
    if args.launch_only:
        return
    runs = [(args.keys_size, t) for t in terminals]
    if args.sizes[-1] != args.keys_size:
        runs.append((args.sizes[-1], largest_terminal))
    for cards, terminal in runs:
        label = f"{cards}@{terminal[0]}x{terminal[1]}"
        log(f"in the terminal: keys, {cards:,} cards at {terminal[0]}x{terminal[1]}")
        copy = pty_run.scratch(databases[cards].path, folder)
        try:
            keys = pty_run.measure_keys(
                pty_run.app_argv(str(copy)), terminal, args.pty_rounds, env, log, args.warm_up
            )
        finally:
            copy.unlink()
        section["keys"][label] = {"cards": cards, **keys}


def measure_postgres(
    report: dict[str, Any],
    args: argparse.Namespace,
    databases: dict[int, dataset.BuiltDatabase],
    server_url: str,
    env: dict[str, str],
    log: Callable[[str], None],
) -> None:
    """The terminal table, store calls and search against PostgreSQL."""
    terminals = [parse_terminal(t) for t in args.terminals.split(",") if t.strip()]
    terminal = max(terminals, key=lambda t: t[0] * t[1])
    sizes = sorted({args.keys_size, args.sizes[-1]})
    section: dict[str, Any] = {"databases": {}, "store": {}, "keys": {}}
    report["postgres"] = section
    urls: dict[int, str] = {}
    for size in sizes:
        url, built_s = pg.ensure_database(server_url, databases[size].path, log)
        urls[size] = url
        section["databases"][str(size)] = {
            "cards": databases[size].cards,
            "notes": databases[size].notes,
            "build_s": None if built_s is None else round(built_s, 1),
        }
    targets = {"bare": pty_run.BARE_ARGV}
    targets.update({str(size): pty_run.app_argv(url) for size, url in urls.items()})
    log("PostgreSQL: launches in the terminal")
    section["launch"] = pty_run.measure_launches(
        targets, [terminal], args.pty_launch_runs, env, log, args.warm_up
    )
    if args.launch_only:
        return
    log(f"PostgreSQL: keys, {args.keys_size:,} cards at {terminal[0]}x{terminal[1]}")
    keys = pty_run.measure_keys(
        pty_run.app_argv(urls[args.keys_size]), terminal, args.pty_rounds, env, log, args.warm_up
    )
    section["keys"][f"{args.keys_size}@{terminal[0]}x{terminal[1]}"] = {
        "cards": args.keys_size,
        **keys,
    }
    for size, url in urls.items():
        service = PipelineService(open_database(url), user="bench")
        try:
            section["store"][str(size)] = {
                name: round(seconds, 5)
                for name, seconds in store_timings(service, args.store_reps).items()
            }
        finally:
            service.database.close()
    largest = sizes[-1]
    log(f"PostgreSQL: search at {databases[largest].notes:,} notes")
    service = PipelineService(open_database(urls[largest]), user="bench")
    try:
        full_text = search.measure_full_text(service) or []
        filter_store = search.measure_filter_store(service)
    finally:
        service.database.close()
    notes = databases[largest].notes
    service = PipelineService(open_database(urls[largest]), user="bench")
    try:
        section["search_plans"] = {
            "cards": largest,
            "plans": [
                p.as_json() for p in search.query_plans(service, "EXPLAIN (ANALYZE, BUFFERS)")
            ],
        }
    finally:
        service.database.close()
    section["search"] = {
        "full-text search": {**_ms(full_text), "notes": notes},
        "`/` filter, store call": {
            **_ms([s for samples in filter_store.values() for s in samples]),
            "notes": notes,
        },
    }


def _ms(values: list[float]) -> dict[str, Any]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
    }


# Budgets --------------------------------------------------------------------------------


def _verdict(budget: str, figure: str, met: bool | None, note: str = "") -> dict[str, Any]:
    return {"budget": budget, "figure": figure, "met": met, "note": note}


def _stack_note(rows: dict[str, Any], field: str, unit: str, bare: float | None = None) -> str:
    """What the bare app on the stack (Textual with SQLAlchemy's ORM opening the file)
    takes by the same measure: the floor under any app built on them."""
    stack = rows.get("stack")
    if stack is None:
        return ""
    figure = (
        f"{stack[field]:.2f}{unit}"
        if bare is None
        else (f"{stack[field]:.1f} {unit}, {stack[field] / bare:.2f}x bare")
    )
    return f"bare Textual with SQLAlchemy opening the file: {figure}"


def key_verdicts(keys: dict[str, Any], where: str) -> list[dict[str, Any]]:
    """The per-key budgets for one run of keys (`where`: e.g. "10,000 cards, 80x24")."""
    out = []
    app = keys["app"]
    bare = bare_focus_p95(keys)
    for name, group, ratio in (
        ("focus keys", FOCUS_KEYS, FOCUS_RATIO),
        ("L/H card moves", MOVE_KEYS, MOVE_RATIO),
    ):
        worst_key = max(group, key=lambda k: app[k]["p95_ms"])
        worst = app[worst_key]["p95_ms"]
        out.append(
            _verdict(
                f"{name} p95 <= {ratio}x bare focus key, {where}",
                f"{worst / bare:.2f}x ({worst_key} {worst:.1f} ms; bare {bare:.1f} ms)",
                worst <= ratio * bare,
            )
        )
    for key in SCREEN_KEYS:
        p95 = app[key]["p95_ms"]
        out.append(
            _verdict(
                f"{key} p95 < {SCREEN_BUDGET_MS:.0f} ms, {where}",
                f"{p95:.1f} ms (bare {keys['bare'][key]['p95_ms']:.1f} ms)",
                p95 < SCREEN_BUDGET_MS,
            )
        )
    p95 = app[TYPING_KEY]["p95_ms"]
    out.append(
        _verdict(
            f"`/` typing p95 < {TYPING_BUDGET_MS:.0f} ms a key, {where}",
            f"{p95:.1f} ms (bare {keys['bare'][TYPING_KEY]['p95_ms']:.1f} ms)",
            p95 < TYPING_BUDGET_MS,
        )
    )
    return out


def verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    section = report.get("terminal")
    if section is None:
        return out
    at = str(BUDGET_CARDS)
    for terminal, rows in section["launch"].items():
        if at not in rows:
            continue
        row = rows[at]
        out.append(
            _verdict(
                f"first useful action <= {USEFUL_RATIO}x bare, {BUDGET_CARDS:,} cards, {terminal}",
                f"{row['useful_ratio_to_bare']:.2f}x ({row['useful_median_s']:.3f} s; "
                f"bare {rows['bare']['useful_median_s']:.3f} s)",
                row["useful_ratio_to_bare"] <= USEFUL_RATIO,
                _stack_note(rows, "useful_ratio_to_bare", "x bare"),
            )
        )
    budget_runs = {
        label: keys for label, keys in section["keys"].items() if keys["cards"] == BUDGET_CARDS
    }
    for keys in budget_runs.values():
        out += key_verdicts(keys, f"{BUDGET_CARDS:,} cards, {keys['size']}")
    out += scale_verdicts(section)
    out += memory_verdicts(section)
    return out


def scale_verdicts(section: dict[str, Any]) -> list[dict[str, Any]]:
    """The largest size against 10,000 cards: keys as p95 ratios to the bare app of
    the same run (the runs are minutes apart on a shared machine), launch likewise."""
    out = []
    by_size = {keys["cards"]: keys for keys in section["keys"].values()}
    larger = [c for c in by_size if c > BUDGET_CARDS]
    small = [k for k in section["keys"].values() if k["cards"] == BUDGET_CARDS]
    if larger and small:
        big = by_size[max(larger)]
        base = next((k for k in small if k["size"] == big["size"]), small[-1])
        worst_name, worst = "", 0.0
        for name in (*FOCUS_KEYS, *MOVE_KEYS, *SCREEN_KEYS, TYPING_KEY):
            ratio_big = big["app"][name]["p95_ms"] / bare_focus_p95(big)
            ratio_base = base["app"][name]["p95_ms"] / bare_focus_p95(base)
            change = ratio_big / ratio_base - 1
            if change > worst or not worst_name:
                worst_name, worst = name, change
        out.append(
            _verdict(
                f"keys at {max(larger):,} cards within {SCALE_TOLERANCE:.0%} of {BUDGET_CARDS:,}",
                f"worst {worst_name} {worst:+.0%} (p95 in bare focus keys, {big['size']})",
                worst <= SCALE_TOLERANCE,
            )
        )
    for terminal, rows in section["launch"].items():
        sizes = sorted(int(n) for n in rows if n not in pty_run.FLOORS)
        if str(BUDGET_CARDS) not in rows or sizes[-1] <= BUDGET_CARDS:
            continue
        big_ratio = rows[str(sizes[-1])]["useful_ratio_to_bare"]
        base_ratio = rows[str(BUDGET_CARDS)]["useful_ratio_to_bare"]
        change = big_ratio / base_ratio - 1
        out.append(
            _verdict(
                f"first useful action at {sizes[-1]:,} within {SCALE_TOLERANCE:.0%}, {terminal}",
                f"{change:+.0%} ({big_ratio:.2f}x against {base_ratio:.2f}x bare)",
                change <= SCALE_TOLERANCE,
            )
        )
    return out


def memory_verdicts(section: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for terminal, rows in section["launch"].items():
        bare = rows["bare"]["peak_rss_mib"]
        sizes = sorted(int(n) for n in rows if n not in pty_run.FLOORS)
        worst = max(rows[str(s)]["peak_rss_mib"] for s in sizes)
        figures = " / ".join(f"{rows[str(s)]['peak_rss_mib']:.1f}" for s in sizes)
        out.append(
            _verdict(
                f"peak RSS <= {RSS_RATIO}x bare at every size, {terminal}",
                f"{worst / bare:.2f}x ({figures} MiB at {', '.join(f'{s:,}' for s in sizes)}; "
                f"bare {bare:.1f} MiB)",
                worst <= RSS_RATIO * bare,
                _stack_note(rows, "peak_rss_mib", "MiB", bare),
            )
        )
        if len(sizes) > 1:
            low, high = rows[str(sizes[0])]["peak_rss_mib"], rows[str(sizes[-1])]["peak_rss_mib"]
            out.append(
                _verdict(
                    f"peak RSS flat in cards (within {RSS_FLAT:.0%}), {terminal}",
                    f"{high / low - 1:+.1%} from {sizes[0]:,} to {sizes[-1]:,} cards",
                    high <= (1 + RSS_FLAT) * low,
                )
            )
    return out


def postgres_verdicts(report: dict[str, Any]) -> list[dict[str, Any]]:
    section = report.get("postgres")
    if section is None:
        return []
    out = []
    for rows in section.get("launch", {}).values():
        if str(BUDGET_CARDS) in rows:
            row = rows[str(BUDGET_CARDS)]
            out.append(
                _verdict(
                    f"PostgreSQL: first useful action <= {USEFUL_RATIO}x bare, "
                    f"{BUDGET_CARDS:,} cards",
                    f"{row['useful_ratio_to_bare']:.2f}x ({row['useful_median_s']:.3f} s)",
                    row["useful_ratio_to_bare"] <= USEFUL_RATIO,
                )
            )
    for keys in section.get("keys", {}).values():
        if keys["cards"] == BUDGET_CARDS:
            out += [
                {**v, "budget": "PostgreSQL: " + v["budget"]}
                for v in key_verdicts(keys, f"{BUDGET_CARDS:,} cards, {keys['size']}")
            ]
    found = section.get("search", {}).get("full-text search")
    if found is not None:
        exact = found["notes"] >= SEARCH_NOTES
        out.append(
            _verdict(
                f"PostgreSQL: full-text search < {SEARCH_BUDGET_MS:.0f} ms at "
                f"{SEARCH_NOTES:,} notes",
                f"p95 {found['p95_ms']:.1f} ms at {found['notes']:,} notes",
                found["p95_ms"] < SEARCH_BUDGET_MS if exact else None,
            )
        )
    return out


# Printing -------------------------------------------------------------------------------


FLOOR_LABELS = {"bare": "bare Textual", "stack": "+ SQLAlchemy"}


def print_launch(rows_by_terminal: dict[str, Any], title: str) -> None:
    for terminal, rows in rows_by_terminal.items():
        runs = rows["bare"]["runs"]
        print(f"\n{title}: launch to the first useful action (pty {terminal}; median of {runs})")
        print(
            f"  {'':<14}{'1st frame':>10}{'card shown':>11}{'details':>9}{'x bare':>8}"
            f"{'CPU':>8}{'bytes':>10}{'peak RSS':>11}{'x bare':>8}"
        )
        bare_rss = rows["bare"]["peak_rss_mib"]
        for name, row in rows.items():
            label = FLOOR_LABELS.get(name) or f"{int(name):,} cards"
            print(
                f"  {label:<14}{row['first_frame_median_s']:>9.3f}s{row['shows_median_s']:>10.3f}s"
                f"{row['useful_median_s']:>8.3f}s{row['useful_ratio_to_bare']:>7.2f}x"
                f"{_cpu(row):>8}{row['bytes_median']:>10,}{row['peak_rss_mib']:>7.1f} MiB"
                f"{row['peak_rss_mib'] / bare_rss:>7.2f}x"
            )


def _cpu(row: dict[str, Any]) -> str:
    """Processor seconds by the time the details showed (reports before it: blank)."""
    return f"{row['cpu_median_s']:.3f}s" if "cpu_median_s" in row else ""


def print_keys(keys_by_run: dict[str, Any], title: str) -> None:
    for keys in keys_by_run.values():
        bare_focus = bare_focus_p95(keys)
        print(
            f"\n{title}: keys, {keys['cards']:,} cards, pty {keys['size']} "
            f"(key written -> last byte of the last frame it causes; {keys['rounds']} rounds)"
        )
        print(
            f"  {'':<26}{'median':>8}{'p95':>8}{'1st byte':>9}{'bytes':>9}{'frames':>7}"
            f"  | bare{'median':>8}{'p95':>8}{'bytes':>9}  | p95 x bare"
        )
        for name, row in keys["app"].items():
            bare = keys["bare"].get(name)
            reference = (
                bare["p95_ms"] if bare is not None and name not in FOCUS_KEYS else bare_focus
            )
            cells = (
                f"{bare['median_ms']:>8.1f}{bare['p95_ms']:>8.1f}{bare['bytes_median']:>9,}"
                if bare is not None
                else f"{'-':>8}{'-':>8}{'-':>9}"
            )
            first = row["first_byte_median_ms"]
            print(
                f"  {name:<26}{row['median_ms']:>8.1f}{row['p95_ms']:>8.1f}"
                f"{first if first is not None else 0:>9.1f}{row['bytes_median']:>9,}"
                f"{row['frames_median']:>7}  |     {cells}  | {row['p95_ms'] / reference:>6.2f}x"
            )
        print(
            f"  peak RSS: app {keys['peak_rss_mib']['app']:.1f} MiB, bare "
            f"{keys['peak_rss_mib']['bare']:.1f} MiB. Focus keys and L/H are compared with "
            f"the bare app's j/k (p95 {bare_focus:.1f} ms), the rest with the same key."
        )


def print_report(report: dict[str, Any]) -> None:
    section = report.get("terminal")
    if section is not None:
        print_launch(section["launch"], "In the terminal")
        print_keys(section["keys"], "In the terminal")
    pg_section = report.get("postgres")
    if pg_section is not None:
        print_launch(pg_section.get("launch", {}), "PostgreSQL")
        print_keys(pg_section.get("keys", {}), "PostgreSQL")
        print("\nPostgreSQL: store calls (median)")
        for size, calls in pg_section.get("store", {}).items():
            cells = "  ".join(f"{c} {s * 1000:.1f} ms" for c, s in calls.items())
            print(f"  {int(size):>7,} cards: {cells}")
        print("\nPostgreSQL: search (median, p95, n)")
        for name, row in pg_section.get("search", {}).items():
            print(
                f"  {name:<28}{row['median_ms']:>8.2f}ms{row['p95_ms']:>8.2f}ms{row['n']:>5}"
                f"  at {row['notes']:,} notes"
            )
        plans = pg_section.get("search_plans")
        if plans is not None:
            print(f"\nPostgreSQL: search query plans ({plans['cards']:,} cards, EXPLAIN ANALYZE)")
            for plan in plans["plans"]:
                print(f"  [{plan['call']}] {plan['sql'][:150]}")
                for step in plan["plan"]:
                    print(f"      {step}")


def timestamp() -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
