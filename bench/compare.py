"""Each figure of this run beside the same figure of an earlier one (`--compare PATH`).

Figures are matched by their path in the JSON report. Times are compared two ways:
raw, and, for the terminal tables, as ratios to the bare Textual app of the same run
(which takes out most of a shared machine's drift between the two runs). A figure is
called slower when it grew by more than SLOWER (both ways, where both exist).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

SLOWER = 0.10
"""A change smaller than this is noise on a shared machine."""


def _figures(report: dict[str, Any]) -> Iterator[tuple[str, float, float | None]]:
    """(name, value, value relative to the bare app of the same run or None)."""
    for section_name in ("terminal", "postgres"):
        section = report.get(section_name) or {}
        for terminal, rows in (section.get("launch") or {}).items():
            bare = rows.get("bare", {})
            for name, row in rows.items():
                for field in (
                    "useful_median_s",
                    "shows_median_s",
                    "cpu_median_s",
                    "bytes_median",
                    "peak_rss_mib",
                ):
                    if field in row:
                        base = bare.get(field) if name != "bare" else None
                        yield (
                            f"{section_name} launch {terminal} {name} {field}",
                            row[field],
                            row[field] / base if base else None,
                        )
        for run, keys in (section.get("keys") or {}).items():
            bare_rows = keys.get("bare", {})
            for who in ("app", "bare"):
                for key, row in keys.get(who, {}).items():
                    for field in ("median_ms", "p95_ms", "bytes_median"):
                        if field not in row:
                            continue
                        bare = bare_rows.get(key, bare_rows.get("focus down (j)", {})).get(field)
                        relative = row[field] / bare if who == "app" and bare else None
                        yield f"{section_name} keys {run} {who} {key} {field}", row[field], relative
    for name, row in (report.get("launch") or {}).items():
        for field in ("ready_median_s", "full_median_s", "peak_rss_mib"):
            if field in row:
                yield f"headless launch {name} {field}", row[field], None
    for key, row in ((report.get("keystrokes") or {}).get("actions") or {}).items():
        for field in ("median_ms", "p95_ms"):
            yield f"headless keys {key} {field}", row[field], None
    for name, row in (report.get("search") or {}).items():
        if row is not None:
            for field in ("median_ms", "p95_ms"):
                yield f"search {name} {field}", row[field], None
    for size, calls in (report.get("store") or {}).items():
        for call, seconds in calls.items():
            yield f"store {size} {call} ms", seconds * 1000, None


def compare(current: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    before = {name: (value, rel) for name, value, rel in _figures(previous)}
    rows = []
    for name, value, relative in _figures(current):
        if name not in before:
            continue
        old, old_relative = before[name]
        change = (value / old - 1) if old else 0.0
        relative_change = (
            relative / old_relative - 1 if relative is not None and old_relative else None
        )
        slower = change > SLOWER and (relative_change is None or relative_change > SLOWER)
        rows.append(
            {
                "figure": name,
                "before": old,
                "now": value,
                "change": round(change, 4),
                "change_against_bare": None
                if relative_change is None
                else round(relative_change, 4),
                "slower": slower,
            }
        )
    return {
        "previous": previous.get("started"),
        "rows": rows,
        "slower": [row["figure"] for row in rows if row["slower"]],
    }


def print_comparison(result: dict[str, Any], path: str) -> None:
    print(f"\nCompared with {path} (run of {result['previous']})")
    print(f"  {'figure':<78}{'before':>10}{'now':>10}{'change':>9}{'x bare':>9}")
    for row in result["rows"]:
        against = row["change_against_bare"]
        print(
            f"  {row['figure'][:78]:<78}{row['before']:>10.4g}{row['now']:>10.4g}"
            f"{row['change']:>+9.0%}{'' if against is None else f'{against:+.0%}':>9}"
            f"{'  SLOWER' if row['slower'] else ''}"
        )
    slower = result["slower"]
    print(
        f"\n  Summary: {len(result['rows'])} figures compared; "
        + (
            f"{len(slower)} slower by more than {SLOWER:.0%}"
            + (" (also against the bare app, where measured)" if slower else "")
            + ":"
            if slower
            else f"none slower by more than {SLOWER:.0%}."
        )
    )
    for name in slower:
        print(f"    SLOWER  {name}")
